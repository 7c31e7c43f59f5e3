/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and exit on hardware.
 *
 * hw_vmlaunch enters the guest of the current VMCS with the general-purpose
 * registers given (they are not part of the VMCS); it returns only when
 * the CPU refuses. Every VM exit lands at vmexit_entry with RSP (the
 * VMCS's host RSP) just past the CPU's guest_regs: the guest's registers
 * are pushed straight into them (RAX lowest; the RSP slot is filled from
 * the VMCS by C). The stack for C is stored right behind them. x86_vmexit
 * handles the exit and returns where the registers are, to pop them for
 * VMRESUME.
 */
#include "guest_regs.inc"

	.text
	.globl hw_vmlaunch
	.type hw_vmlaunch, @function
hw_vmlaunch:
	/* Kept for the way back if the CPU refuses the entry. */
	save_callee_saved
	/* The guest's registers from struct guest_regs at RDI, RAX last. */
	mov	%rdi, %rax
	load_guest_regs_but_rax
	mov	0 * 8(%rax), %rax
	vmlaunch
	/* Still here: the CPU refused the entry. */
	restore_callee_saved
	mov	$-1, %eax
	ret
	.size hw_vmlaunch, . - hw_vmlaunch

	.globl vmexit_entry
	.type vmexit_entry, @function
vmexit_entry:
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%r11
	push	%r10
	push	%r9
	push	%r8
	push	%rdi
	push	%rsi
	push	%rbp
	push	$0		/* RSP: in the VMCS */
	push	%rbx
	push	%rdx
	push	%rcx
	push	%rax
	mov	%rsp, %rdi		/* the registers: x86_vmexit's argument */
	mov	16 * 8(%rsp), %rsp	/* exit_stack, behind the registers */
	call	x86_vmexit
	mov	%rax, %rsp

	pop	%rax
	pop	%rcx
	pop	%rdx
	pop	%rbx
	add	$8, %rsp
	pop	%rbp
	pop	%rsi
	pop	%rdi
	pop	%r8
	pop	%r9
	pop	%r10
	pop	%r11
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	vmresume

	/* VMRESUME refused: nothing sane is left to do on this CPU. */
	call	x86_vmresume_failed
1:	cli
	hlt
	jmp	1b
	.size vmexit_entry, . - vmexit_entry

	.section .note.GNU-stack, "", @progbits
