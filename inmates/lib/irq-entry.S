/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt and exception stubs. Each stub is 16 bytes long, so the C code
 * finds the one for vector n at a fixed distance from the table start.
 * Exceptions: the stub pushes a zero where the CPU pushes no error code
 * (SDM vol. 3A, table 6-1), then the vector; the common code hands the
 * frame to exception_report(), which does not return. Interrupts: the stub
 * pushes the vector; the common code saves the caller-saved registers and
 * calls irq_dispatch(vector).
 */

	.text

	.balign 16
	.globl exception_stubs
exception_stubs:
	vector = 0
	.rept 32
	.balign 16
	.if (vector == 8) || (vector == 10) || (vector == 11) || \
	    (vector == 12) || (vector == 13) || (vector == 14) || \
	    (vector == 17) || (vector == 21) || (vector == 29) || \
	    (vector == 30)
	.else
	push	$0
	.endif
	push	$vector
	jmp	exception_common
	vector = vector + 1
	.endr

	.balign 16
	.globl irq_stubs
irq_stubs:
	vector = 32
	.rept 32
	.balign 16
	push	$vector
	jmp	irq_common
	vector = vector + 1
	.endr

	.balign 16
	.globl spurious_stub
spurious_stub:
	iretq

/* Stack: vector, error code, RIP, CS, RFLAGS, RSP, SS. */
exception_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	mov	%rsp, %rdi
	and	$~0xf, %rsp
	cld
	call	exception_report
	jmp	inmate_halt

irq_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	72(%rsp), %rdi
	/* The CPU aligned the stack to 16 before pushing its 5 words. */
	sub	$8, %rsp
	cld
	call	irq_dispatch
	add	$8, %rsp
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$8, %rsp
	iretq
