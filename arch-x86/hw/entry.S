/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry from the driver, on every CPU: int arch_entry(unsigned int cpu_id).
 *
 * Linux's callee-saved registers go on Linux's stack; the CPU switches to its
 * hypervisor stack and calls arch_entry_c(cpu_id, linux_rsp). That returns
 * only on failure. On success the CPU is launched as a guest that continues
 * at this function's return address, with the saved registers, the stack
 * above the return address and 0 in RAX: Linux comes back from the call
 * unaware.
 */
#include <asm/stack.h>

	.text
	.globl arch_entry
	.type arch_entry, @function
arch_entry:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rsi

	/* This CPU's stack: hv_stacks + (cpu_id + 1) * HV_STACK_SIZE. */
	lea	hv_stacks(%rip), %rax
	mov	%edi, %ecx
	inc	%rcx
	shl	$HV_STACK_SHIFT, %rcx
	add	%rcx, %rax
	mov	%rax, %rsp
	push	%rsi
	push	%rsi
	call	arch_entry_c

	/* Failure: back to Linux's stack with the error in RAX. */
	pop	%rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size arch_entry, . - arch_entry

	.bss
	.balign 4096
	.globl hv_stacks
hv_stacks:
	.skip	HV_STACK_SIZE * HV_MAX_STACKS

	.section .note.GNU-stack, "", @progbits
