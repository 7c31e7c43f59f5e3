/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inmate entry: from real mode at 0xf000:0000 to 64-bit long mode.
 *
 * The CPU arrives as after INIT/SIPI: real mode, CS base 0xf0000, IP 0,
 * interrupts off, paging off, other segment registers unknown. Steps (Intel
 * SDM vol. 3A, 9.9 "Mode switching"):
 *  1. load a flat GDT, set CR0.PE and jump far into 32-bit code;
 *  2. load the data segments, zero the work area (bss, page tables, stack);
 *  3. build 1:1 page tables for 4 GiB with 2 MiB pages;
 *  4. CR4.PAE, CR3, EFER.LME, then CR0.PG activates IA-32e mode;
 *  5. jump far into the 64-bit code segment, set the stack, call C.
 */

#define CR0_PE		0x00000001
#define CR0_ET		0x00000010
#define CR0_NE		0x00000020
#define CR0_WP		0x00010000
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100

#define PTE_P		0x001
#define PTE_RW		0x002
#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define PTE_PS		0x080

#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18

#define LOAD_ADDR	0xf0000

	.section .boot, "ax"

	.code16
	.globl inmate_entry
inmate_entry:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	/* Offsets within the 0xf000 segment are link addresses - 0xf0000. */
	lgdtl	gdt_desc - LOAD_ADDR
	mov	$(CR0_PE | CR0_ET | CR0_NE), %eax
	mov	%eax, %cr0
	ljmpl	$SEL_CODE32, $entry32

	.code32
entry32:
	mov	$SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs

	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx
	xor	%eax, %eax
	rep stosl

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD 0..3 (one GiB each). */
	lea	pdpt + PTE_P + PTE_RW, %eax
	mov	%eax, pml4
	xor	%ecx, %ecx
	lea	pd + PTE_P + PTE_RW, %eax
1:	mov	%eax, pdpt(, %ecx, 8)
	add	$0x1000, %eax
	inc	%ecx
	cmp	$4, %ecx
	jb	1b

	/* 2048 PD entries of 2 MiB; the fourth GiB (MMIO) uncached. */
	xor	%ecx, %ecx
	mov	$(PTE_P | PTE_RW | PTE_PS), %eax
2:	cmp	$1536, %ecx
	jne	3f
	or	$(PTE_PWT | PTE_PCD), %eax
3:	mov	%eax, pd(, %ecx, 8)
	add	$0x200000, %eax
	inc	%ecx
	cmp	$2048, %ecx
	jb	2b

	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	$(CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG), %eax
	mov	%eax, %cr0
	ljmp	$SEL_CODE64, $entry64

	.code64
entry64:
	mov	$__stack_top, %esp
	xor	%ebp, %ebp
	call	inmate_lib_main
	jmp	inmate_halt

	.balign 8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: code, 32-bit, flat */
	.quad	0x00cf92000000ffff	/* 0x10: data, flat */
	.quad	0x00af9a000000ffff	/* 0x18: code, 64-bit */
gdt_end:

	.balign 8
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt

	.text
	.globl inmate_halt
inmate_halt:
	cli
1:	hlt
	jmp	1b

	.section .page_tables, "aw", @nobits
	.balign 4096
pml4:
	.skip	4096
pdpt:
	.skip	4096
pd:
	.skip	4 * 4096
