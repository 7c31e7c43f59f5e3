/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMRUN loop on AMD hardware.
 *
 * hw_vmrun(vmcb_phys, vmcb, regs) enters the guest and never leaves this
 * loop again: each #VMEXIT stores the guest's registers into regs (RAX
 * from the VMCB, RSP stays there), calls x86_svm_vmexit on the same stack,
 * puts RAX back into the VMCB and runs the guest again. VMLOAD and VMSAVE
 * carry the guest's FS, GS, TR, LDTR, KERNEL_GS_BASE and system-call MSRs
 * across: the hypervisor itself uses none of them. Only if VMRUN refuses
 * the VMCB at the first entry does hw_vmrun return, with -1.
 *
 * Stack while in the loop: 0 vmcb_phys, 8 vmcb, 16 regs, 24 first-entry
 * flag, 32 padding, then the saved callee-saved registers and the return
 * address.
 */
#define VMCB_EXIT_CODE 0x070
#define VMCB_RAX 0x5f8

#include "guest_regs.inc"

	.text
	.globl hw_vmrun
	.type hw_vmrun, @function
hw_vmrun:
	save_callee_saved
	push	$0		/* keeps the stack 16-byte aligned for C */
	push	$1
	push	%rdx
	push	%rsi
	push	%rdi

svm_enter:
	mov	16(%rsp), %rax
	load_guest_regs_but_rax
	mov	0(%rsp), %rax
	vmload	%rax
	vmrun	%rax
	vmsave	%rax

	push	%rcx
	mov	3 * 8(%rsp), %rcx	/* regs, one slot further down now */
	mov	%rdx, 2 * 8(%rcx)
	mov	%rbx, 3 * 8(%rcx)
	mov	%rbp, 5 * 8(%rcx)
	mov	%rsi, 6 * 8(%rcx)
	mov	%rdi, 7 * 8(%rcx)
	mov	%r8, 8 * 8(%rcx)
	mov	%r9, 9 * 8(%rcx)
	mov	%r10, 10 * 8(%rcx)
	mov	%r11, 11 * 8(%rcx)
	mov	%r12, 12 * 8(%rcx)
	mov	%r13, 13 * 8(%rcx)
	mov	%r14, 14 * 8(%rcx)
	mov	%r15, 15 * 8(%rcx)
	pop	%rdx
	mov	%rdx, 1 * 8(%rcx)
	mov	8(%rsp), %rdx
	mov	VMCB_RAX(%rdx), %rax
	mov	%rax, 0(%rcx)

	/* A VMCB refused at the first entry goes back to the caller. */
	cmpq	$-1, VMCB_EXIT_CODE(%rdx)
	jne	1f
	cmpq	$0, 24(%rsp)
	jne	svm_refused
1:	movq	$0, 24(%rsp)

	call	x86_svm_vmexit

	mov	16(%rsp), %rcx
	mov	8(%rsp), %rdx
	mov	0(%rcx), %rax
	mov	%rax, VMCB_RAX(%rdx)
	jmp	svm_enter

svm_refused:
	add	$5 * 8, %rsp
	restore_callee_saved
	mov	$-1, %eax
	ret
	.size hw_vmrun, . - hw_vmrun

	.section .note.GNU-stack, "", @progbits
