/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 128 KiB firmware image that boots an inmate on QEMU's q35 machine the
 * way the hypervisor starts it in a cell, for testing inmates without the
 * hypervisor. QEMU maps the last 128 KiB of the BIOS image at 0xe0000 (and
 * at 0xfffe0000). Layout:
 *   0x00000  this stub, run as 0xe000:0000
 *   0x10000  the inmate (INMATE_BIN), physical 0xf0000
 *   0x1fff0  the reset vector: far jump to the stub
 *
 * The stub plays the hypervisor's part:
 *  1. 0xf0000-0xfffff must be RAM, since the inmate writes its data there:
 *     copy the inmate from ROM to scratch RAM at 0x80000, switch the MCH's
 *     PAM0 register (0:0.0, offset 0x90, bits 5:4 = 11b: reads and writes
 *     go to DRAM) and copy it back;
 *  2. the PM timer: set the ICH9 LPC bridge's PMBASE (0:1f.0, offset 0x40)
 *     to 0x600 and ACPI_EN (offset 0x44, bit 7); the timer is at 0x608;
 *  3. the comm region at 0x100000, filled as the hypervisor fills it
 *     (signature, revision, state RUNNING, one CPU, PM timer port);
 *  4. far jump to 0xf000:0000 in real mode, as after INIT/SIPI.
 */

#define PCI_ADDR(dev, fn, reg) \
	(0x80000000 | ((dev) << 11) | ((fn) << 8) | (reg))
#define PCI_CONFIG_ADDR 0xcf8
#define PCI_CONFIG_DATA 0xcfc

#define MCH_PAM0 PCI_ADDR(0, 0, 0x90)
#define PAM_HIGH_DRAM_RW 0x30
#define LPC_PMBASE PCI_ADDR(31, 0, 0x40)
#define LPC_ACPI_CNTL PCI_ADDR(31, 0, 0x44)
#define ACPI_EN 0x80
#define PM_BASE 0x600
#define PM_TIMER_PORT (PM_BASE + 8)

#define SCRATCH_SEG 0x8000
#define INMATE_SEG 0xf000
/* Segment 0xffff reaches 0x100000 at offset 0x10 with A20 on. */
#define HIGH_SEG 0xffff
#define COMM 0x10

	.code16
	.text
	.globl _start
_start:
	cli
	cld

	/* 1. Inmate image to RAM. */
	mov	$INMATE_SEG, %ax
	mov	%ax, %ds
	mov	$SCRATCH_SEG, %ax
	mov	%ax, %es
	call	copy_64k
	mov	$MCH_PAM0, %eax
	mov	$PAM_HIGH_DRAM_RW, %bl
	call	pci_write8
	mov	$SCRATCH_SEG, %ax
	mov	%ax, %ds
	mov	$INMATE_SEG, %ax
	mov	%ax, %es
	call	copy_64k

	/* 2. PM timer. */
	mov	$LPC_PMBASE, %eax
	mov	$PM_BASE, %bx
	call	pci_write16
	mov	$LPC_ACPI_CNTL, %eax
	mov	$ACPI_EN, %bl
	call	pci_write8

	/* 3. Comm region: A20 on (port 0x92 bit 1, never bit 0: reset). */
	in	$0x92, %al
	or	$0x02, %al
	and	$0xfe, %al
	out	%al, $0x92
	mov	$HIGH_SEG, %ax
	mov	%ax, %es
	mov	$COMM, %di
	mov	$2048, %cx
	xor	%ax, %ax
	rep stosw
	movl	$0x4f43484a, %es:COMM + 0	/* "JHCO" */
	movw	$0x4d4d, %es:COMM + 4		/* "MM" */
	movw	$1, %es:COMM + 6		/* revision */
	movl	$1, %es:COMM + 24		/* num_cpus */
	movw	$PM_TIMER_PORT, %es:COMM + 28	/* pm_timer_address */

	/* 4. The inmate, in real mode at 0xf000:0000. */
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	ljmp	$INMATE_SEG, $0

/* 64 KiB from DS:0 to ES:0. */
copy_64k:
	xor	%si, %si
	xor	%di, %di
	mov	$0x8000, %cx
	rep movsw
	ret

/* Config space write of BL (pci_write8) or BX (pci_write16) at EAX. */
pci_write8:
	call	pci_select
	mov	%bl, %al
	out	%al, %dx
	ret

pci_write16:
	call	pci_select
	mov	%bx, %ax
	out	%ax, %dx
	ret

/* Selects the dword holding register EAX; DX: its data port byte. */
pci_select:
	mov	%eax, %ecx
	and	$0xfffffffc, %eax
	mov	$PCI_CONFIG_ADDR, %dx
	out	%eax, %dx
	mov	%cx, %dx
	and	$3, %dx
	add	$PCI_CONFIG_DATA, %dx
	ret

	.org	0x10000, 0xff
	.incbin	INMATE_BIN

	.org	0x1fff0, 0xff
reset_vector:
	ljmp	$0xe000, $0
	.org	0x20000, 0xff
