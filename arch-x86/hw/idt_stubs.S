/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt stubs of the hypervisor's own IDT. An NMI is a kick from another
 * CPU arriving while this one is in the hypervisor: the request it stands
 * for is looked at in the wait loops, so returning is all it needs. An
 * external interrupt arrives only where the hypervisor opens the window on
 * purpose, to empty a local APIC (apic_reset_hw), which then ends what is
 * in service itself: returning is all that needs too. Any exception is a
 * bug of the hypervisor: the stub hands the frame to C, which reports it
 * and stops the CPU.
 */
	.text
	.globl hw_return_stub
hw_return_stub:
	iretq

/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
.macro exception_stub vector
	.if (\vector == 8) || (\vector >= 10 && \vector <= 14) || \
	    (\vector == 17) || (\vector == 21) || (\vector == 29) || \
	    (\vector == 30)
	.else
	push	$0
	.endif
	push	$\vector
	jmp	exception_common
.endm

	.balign 16
	.globl hw_exception_stubs
hw_exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,\
		23,24,25,26,27,28,29,30,31
	.balign 16
	exception_stub \v
	.endr

exception_common:
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	hw_exception
1:	cli
	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
