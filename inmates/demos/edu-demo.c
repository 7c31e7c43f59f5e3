// SPDX-License-Identifier: GPL-2.0
/*
 * edu-demo: drives QEMU's edu device, a PCI device that copies between
 * its own 4 KiB buffer and memory by DMA, to show what the IOMMU lets a
 * cell's device reach. It copies a pattern from its RAM into the device
 * and back to another place of its RAM, which must work; then it has the
 * device write to guest-physical 16 MiB, outside its cell, which without
 * an IOMMU would be root Linux's memory: the IOMMU must block that write,
 * and the hypervisor logs the fault with the device and the address. Then
 * it has the device read 16 MiB back, so the cell itself sees whether its
 * write landed there. Last it has the device send MSIs: to this CPU, which
 * must arrive (under an IOMMU that remaps interrupts, through an entry the
 * hypervisor wrote), and to a CPU of another cell, which the hypervisor
 * must refuse, so none arrives.
 *
 * edu's registers (QEMU's docs/specs/edu.rst), in BAR0: 0x00 the id
 * 0x010000ed, 0x04 liveness (reads back the inverse of what was written),
 * 0x80 DMA source, 0x88 destination, 0x90 byte count, 0x98 command (bit 0
 * start, clear again when done; bit 1 device-to-memory), 0x24 interrupt
 * status, 0x60 raises an interrupt (ORs the value into the status), 0x64
 * acknowledges (clears those bits). With MSI enabled an interrupt is a
 * message, otherwise INTx. Its buffer is at device address 0x40000;
 * memory addresses are masked to 28 bits.
 */
#include <inmate.h>

#ifndef CONSOLE_PORT
#define CONSOLE_PORT CONSOLE_HYPERCALL
#endif

INMATE_CONSOLE(CONSOLE_PORT);

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_ID 0x00
#define EDU_LIVENESS 0x04
#define EDU_DMA_SOURCE 0x80
#define EDU_DMA_DEST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_COMMAND 0x98
#define EDU_DMA_START 1
#define EDU_DMA_TO_MEMORY 2
#define EDU_BUFFER 0x40000
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64

#define PCI_REG_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_REG_CAP_PTR 0x34
#define PCI_CAP_ID_MSI 0x05
#define PCI_CMD_INTX_DISABLE (1U << 10)
#define MSI_CTRL 2
#define MSI_CTRL_ENABLE 0x0001
#define MSI_CTRL_MME 0x0070
#define MSI_CTRL_64BIT 0x0080
#define MSI_ADDR_LO 4
#define MSI_ADDR_HI 8
#define MSI_BASE 0xfee00000U
#define MSI_DEST_SHIFT 12

#define MSI_VECTOR 0x30
#define MSIS_TO_THIS_CPU 3
/* Each raise is a register write: its message is out when it returns. */
#define MSI_WAIT_NS (NS_PER_SEC / 2)

#define DMA_BYTES 256
#define SOURCE 0x80000 /* this cell's RAM */
#define TARGET 0x90000 /* this cell's RAM */
#define OUTSIDE 0x1000000 /* not this cell's */
#define ZEROES 0xa0000 /* this cell's RAM */
/* Where QEMU's firmware puts BAR0 on the test machines (00:10.0). */
#define EDU_FIRMWARE_BAR 0xfea00000U
/* edu finishes a transfer 100 ms of virtual time after the start. */
#define DMA_TIMEOUT_NS (2 * NS_PER_SEC)

static volatile u8 *edu;
static int edu_bdf;
static volatile unsigned int msis_taken;

static u32 read32(unsigned int reg)
{
	return *(volatile u32 *)(edu + reg);
}

static void write32(unsigned int reg, u32 value)
{
	*(volatile u32 *)(edu + reg) = value;
}

static void write64(unsigned int reg, u64 value)
{
	*(volatile u64 *)(edu + reg) = value;
}

/* One transfer; false if the device never said it was done. */
static bool dma(u64 source, u64 dest, u32 bytes, u32 direction)
{
	u64 start = pm_timer_read_ns();

	write64(EDU_DMA_SOURCE, source);
	write64(EDU_DMA_DEST, dest);
	write64(EDU_DMA_COUNT, bytes);
	write64(EDU_DMA_COMMAND, EDU_DMA_START | direction);
	while (read32(EDU_DMA_COMMAND) & EDU_DMA_START) {
		if (pm_timer_read_ns() - start > DMA_TIMEOUT_NS)
			return false;
		cpu_relax();
	}
	return true;
}

static bool find_edu(void)
{
	int bdf = pci_find(EDU_VENDOR, EDU_DEVICE);
	u16 cmd;

	if (bdf < 0) {
		printk("edu-demo: no edu device in this cell\n");
		return false;
	}
	/* Booted as firmware itself (the bare test), nobody placed it. */
	if (!(pci_read32(bdf, PCI_REG_BAR0) & ~0xfU))
		pci_write32(bdf, PCI_REG_BAR0, EDU_FIRMWARE_BAR);
	edu = (volatile u8 *)(unsigned long)(pci_read32(bdf, PCI_REG_BAR0) &
					     ~0xfU);
	edu_bdf = bdf;
	cmd = pci_read16(bdf, PCI_REG_COMMAND);
	pci_write16(bdf, PCI_REG_COMMAND,
		    cmd | PCI_CMD_MEMORY | PCI_CMD_MASTER);
	write32(EDU_LIVENESS, 0x12345678);
	printk("edu-demo: edu at %02x:%02x.%x, registers at 0x%lx, id 0x%08x, "
	       "%s\n", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7,
	       (unsigned long)edu, read32(EDU_ID),
	       read32(EDU_LIVENESS) == ~0x12345678U ? "alive" : "NOT alive");
	return true;
}

static void copy_within_the_cell(void)
{
	u8 *source = (u8 *)SOURCE, *target = (u8 *)TARGET;
	unsigned int i;
	bool same = true;

	for (i = 0; i < DMA_BYTES; i++) {
		source[i] = (u8)(i * 7 + 1);
		target[i] = 0;
	}
	if (!dma(SOURCE, EDU_BUFFER, DMA_BYTES, 0) ||
	    !dma(EDU_BUFFER, TARGET, DMA_BYTES, EDU_DMA_TO_MEMORY)) {
		printk("edu-demo: DMA within the cell: device never finished\n");
		return;
	}
	for (i = 0; i < DMA_BYTES; i++)
		same = same && target[i] == source[i];
	printk("edu-demo: DMA within the cell: %u bytes 0x%x -> device -> "
	       "0x%x: %s\n", DMA_BYTES, SOURCE, TARGET,
	       same ? "copied" : "FAILED, data differs");
}

static void write_outside_the_cell(void)
{
	printk("edu-demo: DMA write to 0x%x, outside this cell\n", OUTSIDE);
	if (!dma(EDU_BUFFER, OUTSIDE, DMA_BYTES, EDU_DMA_TO_MEMORY))
		printk("edu-demo: device never finished\n");
	else
		printk("edu-demo: device done; the IOMMU decided where it "
		       "went\n");
}

/*
 * The device's buffer, cleared from this cell's RAM, is filled by a read
 * from outside and copied back here: the pattern comes back only if the
 * write outside landed and the read got out. A blocked read leaves the
 * buffer as it was (or reads nothing but zeroes or ones).
 */
static void read_back_from_outside(void)
{
	u8 *zeroes = (u8 *)ZEROES, *back = (u8 *)TARGET;
	const u8 *pattern = (const u8 *)SOURCE;
	bool landed = true;
	unsigned int i;

	for (i = 0; i < DMA_BYTES; i++) {
		zeroes[i] = 0;
		back[i] = 0x5a;
	}
	if (!dma(ZEROES, EDU_BUFFER, DMA_BYTES, 0) ||
	    !dma(OUTSIDE, EDU_BUFFER, DMA_BYTES, 0) ||
	    !dma(EDU_BUFFER, TARGET, DMA_BYTES, EDU_DMA_TO_MEMORY)) {
		printk("edu-demo: DMA read back: device never finished\n");
		return;
	}
	for (i = 0; i < DMA_BYTES; i++)
		landed = landed && back[i] == pattern[i];
	printk("edu-demo: DMA read back from 0x%x: %s\n", OUTSIDE,
	       landed ? "the pattern: the write landed there" :
			"not the pattern: the write did not land there");
}

static u8 find_msi_cap(void)
{
	unsigned int n;
	u16 cap;
	u8 pos;

	if (!(pci_read16(edu_bdf, PCI_REG_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = pci_read16(edu_bdf, PCI_REG_CAP_PTR) & 0xfc;
	for (n = 0; pos >= 0x40 && n < 48; n++) {
		cap = pci_read16(edu_bdf, pos);
		if ((cap & 0xff) == PCI_CAP_ID_MSI)
			return pos;
		pos = (cap >> 8) & 0xfc;
	}
	return 0;
}

/* One message, fixed delivery, edge, physical destination apic_id. */
static void program_msi(u8 cap, u32 apic_id)
{
	u16 ctrl = pci_read16(edu_bdf, cap + MSI_CTRL);
	unsigned int data = ctrl & MSI_CTRL_64BIT ? 12 : 8;

	ctrl &= ~(MSI_CTRL_ENABLE | MSI_CTRL_MME);
	pci_write16(edu_bdf, cap + MSI_CTRL, ctrl);
	pci_write32(edu_bdf, cap + MSI_ADDR_LO,
		    MSI_BASE | apic_id << MSI_DEST_SHIFT);
	if (ctrl & MSI_CTRL_64BIT)
		pci_write32(edu_bdf, cap + MSI_ADDR_HI, 0);
	pci_write16(edu_bdf, cap + data, MSI_VECTOR);
	pci_write16(edu_bdf, cap + MSI_CTRL, ctrl | MSI_CTRL_ENABLE);
}

static void edu_interrupt(unsigned int vector)
{
	(void)vector;
	write32(EDU_IRQ_ACK, read32(EDU_IRQ_STATUS));
	msis_taken++;
}

/* Raises count interrupts one after the other; how many arrived. */
static unsigned int raise(unsigned int count)
{
	unsigned int first = msis_taken, i;
	u64 start;

	for (i = 0; i < count; i++) {
		write32(EDU_IRQ_RAISE, 1);
		start = pm_timer_read_ns();
		while (msis_taken == first + i &&
		       pm_timer_read_ns() - start < MSI_WAIT_NS)
			cpu_relax();
		/* Nothing came: the status bit is still up, take it down. */
		write32(EDU_IRQ_ACK, read32(EDU_IRQ_STATUS));
	}
	return msis_taken - first;
}

static void send_msis(void)
{
	u32 self, other;
	u8 cap = find_msi_cap();
	u16 cmd;

	if (!cap) {
		printk("edu-demo: edu has no MSI capability\n");
		return;
	}
	/* A refused message must not turn into INTx on root's line. */
	cmd = pci_read16(edu_bdf, PCI_REG_COMMAND);
	pci_write16(edu_bdf, PCI_REG_COMMAND, cmd | PCI_CMD_INTX_DISABLE);
	irq_init();
	apic_init();
	irq_set_handler(MSI_VECTOR, edu_interrupt);
	irq_enable();
	self = apic_is_x2apic() ? apic_read(APIC_REG_ID) :
				  apic_read(APIC_REG_ID) >> 24;
	other = self ? 0 : 1;

	program_msi(cap, self);
	printk("edu-demo: MSI vector 0x%x to APIC %u (this CPU): %u of %u "
	       "arrived\n", MSI_VECTOR, self, raise(MSIS_TO_THIS_CPU),
	       MSIS_TO_THIS_CPU);
	program_msi(cap, other);
	printk("edu-demo: MSI vector 0x%x to APIC %u (not this cell's): %u "
	       "of 1 arrived\n", MSI_VECTOR, other, raise(1));
	pci_write16(edu_bdf, cap + MSI_CTRL,
		    pci_read16(edu_bdf, cap + MSI_CTRL) & ~MSI_CTRL_ENABLE);
	irq_disable();
}

void inmate_main(void)
{
	u32 msg;

	printk("edu-demo: started\n");
	if (find_edu()) {
		copy_within_the_cell();
		write_outside_the_cell();
		read_back_from_outside();
		send_msis();
	}
	for (;;) {
		msg = comm_poll();
		if (msg == JAILHOUSE_MSG_SHUTDOWN_REQUEST) {
			comm_reply(JAILHOUSE_MSG_REQUEST_APPROVED);
			break;
		}
		if (msg != JAILHOUSE_MSG_NONE)
			comm_reply(msg == JAILHOUSE_MSG_RECONFIG_COMPLETED ?
					   JAILHOUSE_MSG_RECEIVED :
					   JAILHOUSE_MSG_UNKNOWN);
		cpu_relax();
	}
	inmate_halt();
}
