// SPDX-License-Identifier: GPL-2.0
/*
 * MSI capabilities while the IOMMU (VT-d or AMD-Vi) remaps interrupts.
 *
 * Remapping blocks compatibility-format messages, so a device's MSI must
 * reach the hardware in remappable format. The cell that owns the device
 * keeps its own view of the capability's control word, address and data
 * (what it reads back); the hardware gets the message (iommu_msi_address
 * and iommu_msi_data) naming an interrupt remapping entry of that cell,
 * checked like an IOAPIC pin's: the device's own requester id, a
 * destination among the cell's CPUs.
 * Devices are offered a single message (Multiple Message Capable reads
 * 0). Without remapping, the capability is the cell's untouched.
 *
 * Root's devices that Linux enabled before the hypervisor came are
 * converted before remapping starts (msi_remap_root_devices) and get
 * their messages back at disable (msi_shutdown). MSI-X tables live in
 * device memory, not here: not covered yet.
 */
#include <core/cell.h>
#include <core/cell_checks.h>
#include <core/lib.h>
#include <core/printk.h>
#include <asm/apic.h>
#include <asm/pci.h>
#include <asm/pci_msi.h>
#include <asm/iommu.h>

#define PCI_REG_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_REG_CAP_PTR 0x34
#define CAP_ID_MSI 0x05
#define MAX_CAPS 48

#define MSI_CTRL 2
#define MSI_CTRL_ENABLE 0x0001
#define MSI_CTRL_MMC_MME 0x007e /* bits 3:1 capable, 6:4 enabled */
#define MSI_CTRL_64BIT 0x0080
#define MSI_ADDR_LO 4
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_ADDR_LOGICAL (1U << 2)
#define MSI_DATA_LEVEL (1U << 15)

#define MAX_MSI_DEVICES 64

struct msi_device {
	u16 bdf;
	u8 cap; /* 0: no MSI capability */
	bool probed;
	bool is64;
	/* The owner's view: control word, address low and high, data. */
	u16 ctrl;
	u32 addr_lo, addr_hi;
	u16 data;
	/* Its remapping entry, and the cell it was allocated to. */
	int irte;
	const struct cell *irte_cell;
};

static struct msi_device devices[MAX_MSI_DEVICES];

/* Offset of the data register; the view ends two bytes later. */
static unsigned int data_reg(const struct msi_device *d)
{
	return d->is64 ? 12 : 8;
}

static u8 find_msi_cap(u16 bdf)
{
	u8 pos, id;
	unsigned int n;

	if (!(pci_hw_read(bdf, PCI_REG_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = (u8)pci_hw_read(bdf, PCI_REG_CAP_PTR, 1) & 0xfc;
	for (n = 0; pos >= 0x40 && n < MAX_CAPS; n++) {
		id = (u8)pci_hw_read(bdf, pos, 1);
		if (id == CAP_ID_MSI)
			return pos;
		pos = (u8)pci_hw_read(bdf, pos + 1, 1) & 0xfc;
	}
	return 0;
}

/* The device's slot, probed on first use; NULL if all slots are taken. */
/* The device's record if it has one; a device never seen has nothing. */
static struct msi_device *known_device(u16 bdf)
{
	unsigned int n;

	for (n = 0; n < MAX_MSI_DEVICES; n++)
		if (devices[n].probed && devices[n].bdf == bdf)
			return &devices[n];
	return NULL;
}

static struct msi_device *device_of(u16 bdf)
{
	struct msi_device *free = known_device(bdf);
	unsigned int n;

	if (free)
		return free;
	for (n = 0; n < MAX_MSI_DEVICES && !free; n++)
		if (!devices[n].probed)
			free = &devices[n];
	if (!free)
		return NULL;
	*free = (struct msi_device){ .bdf = bdf, .probed = true, .irte = -1 };
	free->cap = find_msi_cap(bdf);
	if (!free->cap)
		return free;
	free->is64 = pci_hw_read(bdf, free->cap + MSI_CTRL, 2) &
		     MSI_CTRL_64BIT;
	free->ctrl = pci_hw_read(bdf, free->cap + MSI_CTRL, 2);
	free->addr_lo = pci_hw_read(bdf, free->cap + MSI_ADDR_LO, 4);
	if (free->is64)
		free->addr_hi = pci_hw_read(bdf, free->cap + 8, 4);
	free->data = pci_hw_read(bdf, free->cap + data_reg(free), 2);
	return free;
}

static void release_irte(struct msi_device *d)
{
	if (d->irte_cell)
		iommu_free_irtes((struct cell *)d->irte_cell,
			       (unsigned int)d->irte, 1);
	d->irte_cell = NULL;
	d->irte = -1;
}

static void hw_disable(const struct msi_device *d)
{
	u16 ctrl = pci_hw_read(d->bdf, d->cap + MSI_CTRL, 2);

	pci_hw_write(d->bdf, d->cap + MSI_CTRL, 2,
		     ctrl & ~(MSI_CTRL_ENABLE | MSI_CTRL_MMC_MME));
}

static void hw_program(const struct msi_device *d, u64 address, u16 data,
		       bool enable)
{
	u16 ctrl = pci_hw_read(d->bdf, d->cap + MSI_CTRL, 2) &
		   ~(MSI_CTRL_ENABLE | MSI_CTRL_MMC_MME);

	pci_hw_write(d->bdf, d->cap + MSI_CTRL, 2, ctrl);
	pci_hw_write(d->bdf, d->cap + MSI_ADDR_LO, 4, (u32)address);
	if (d->is64)
		pci_hw_write(d->bdf, d->cap + 8, 4, (u32)(address >> 32));
	pci_hw_write(d->bdf, d->cap + data_reg(d), 2, data);
	if (enable)
		pci_hw_write(d->bdf, d->cap + MSI_CTRL, 2,
			     ctrl | MSI_CTRL_ENABLE);
}

static void refuse(const struct msi_device *d, const struct cell *cell,
		   const char *why)
{
	printk("PCI %02x:%02x.%x of cell \"%s\": MSI to 0x%08x data 0x%04x "
	       "kept disabled: %s\n",
	       d->bdf >> 8, (d->bdf >> 3) & 0x1f, d->bdf & 7, cell_name(cell),
	       d->addr_lo, d->data, why);
}

/* The owner's message, through a remapping entry of the owner. */
static void apply(struct msi_device *d, const struct cell *cell)
{
	struct iommu_irq irq = {
		.dest_apic_id = (d->addr_lo >> MSI_ADDR_DEST_SHIFT) & 0xff,
		.vector = (u8)d->data,
		.delivery_mode = (d->data >> 8) & 7,
		.level = !!(d->data & MSI_DATA_LEVEL),
	};
	int index;

	hw_disable(d);
	if (!(d->ctrl & MSI_CTRL_ENABLE))
		return;
	/* Root's own remapping: its message names an entry of its range. */
	if (cell == &root_cell &&
	    iommu_root_msi_ok((u64)d->addr_hi << 32 | d->addr_lo, d->data)) {
		release_irte(d);
		hw_program(d, (u64)d->addr_hi << 32 | d->addr_lo, d->data,
			   true);
		return;
	}
	if (d->addr_lo & MSI_ADDR_LOGICAL || d->addr_hi) {
		refuse(d, cell, "logical or extended destination");
		return;
	}
	if (d->irte_cell != cell) {
		release_irte(d);
		index = iommu_alloc_irtes((struct cell *)cell, 1);
		if (index < 0) {
			refuse(d, cell, "no interrupt remapping entry left");
			return;
		}
		d->irte = index;
		d->irte_cell = cell;
	}
	if (iommu_map_interrupt((struct cell *)cell, d->bdf,
			      (unsigned int)d->irte, &irq)) {
		refuse(d, cell, "interrupt remapping refused it");
		return;
	}
	hw_program(d, iommu_msi_address((unsigned int)d->irte),
		   iommu_msi_data((unsigned int)d->irte), true);
}

/* The owner's view of one byte of the capability, if it has one there. */
static u8 *view_byte(struct msi_device *d, unsigned int reg)
{
	unsigned int off = reg - d->cap;

	if (off == MSI_CTRL || off == MSI_CTRL + 1)
		return (u8 *)&d->ctrl + off - MSI_CTRL;
	if (off >= MSI_ADDR_LO && off < MSI_ADDR_LO + 4)
		return (u8 *)&d->addr_lo + off - MSI_ADDR_LO;
	if (d->is64 && off >= 8 && off < 12)
		return (u8 *)&d->addr_hi + off - 8;
	if (off == data_reg(d) || off == data_reg(d) + 1)
		return (u8 *)&d->data + off - data_reg(d);
	return NULL;
}

static void read_bytes(struct msi_device *d, unsigned int reg,
		       unsigned int size, u32 *value)
{
	u32 hw = pci_hw_read(d->bdf, reg & ~3U, 4);
	unsigned int i, byte;
	u8 *v, b;

	*value = 0;
	for (i = 0; i < size; i++) {
		byte = reg + i;
		v = view_byte(d, byte);
		b = v ? *v : (u8)(hw >> 8 * (byte & 3));
		/* One message only: capable and enabled counts read 0. */
		if (byte == d->cap + MSI_CTRL + 0U)
			b &= ~MSI_CTRL_MMC_MME;
		*value |= (u32)b << 8 * i;
	}
}

static void write_bytes(struct msi_device *d, unsigned int reg,
			unsigned int size, u32 value)
{
	unsigned int i;
	u8 *v;

	for (i = 0; i < size; i++) {
		v = view_byte(d, reg + i);
		if (v)
			*v = (u8)(value >> 8 * i);
		else
			pci_hw_write(d->bdf, reg + i, 1, (u8)(value >> 8 * i));
	}
}

bool msi_config_access(struct cell *cell, u16 bdf, unsigned int reg,
		       unsigned int size, bool is_write, u32 *value)
{
	struct msi_device *d;

	if (!iommu_irq_remapping())
		return false;
	d = device_of(bdf);
	if (!d || !d->cap || reg + size <= d->cap + MSI_CTRL + 0U ||
	    reg >= d->cap + data_reg(d) + 2)
		return false;
	if (!is_write) {
		read_bytes(d, reg, size, value);
		return true;
	}
	write_bytes(d, reg, size, *value);
	apply(d, cell);
	return true;
}

void msi_init(void)
{
	memset(devices, 0, sizeof(devices));
}

void msi_remap_root_devices(void)
{
	const struct jailhouse_pci_device *dev =
		jailhouse_cell_pci_devices(root_cell.config);
	struct msi_device *d;
	unsigned int n;

	if (!iommu_irq_remapping())
		return;
	pci_lock();
	for (n = 0; n < root_cell.config->num_pci_devices; n++) {
		d = device_of(dev[n].bdf);
		if (d && d->cap && (d->ctrl & MSI_CTRL_ENABLE))
			apply(d, &root_cell);
	}
	pci_unlock();
}

void msi_device_released(u16 bdf)
{
	struct msi_device *d;

	if (!iommu_irq_remapping())
		return;
	pci_lock();
	/* Looked up, not probed: after msi_shutdown the hardware is Linux's. */
	d = known_device(bdf);
	if (d && d->cap) {
		/* The next owner programs it afresh, seeing nothing of ours. */
		hw_disable(d);
		release_irte(d);
		d->ctrl &= ~MSI_CTRL_ENABLE;
		d->addr_lo = 0;
		d->addr_hi = 0;
		d->data = 0;
	}
	pci_unlock();
}

void msi_shutdown(void)
{
	struct msi_device *d;
	unsigned int n;

	pci_lock();
	for (n = 0; n < MAX_MSI_DEVICES; n++) {
		d = &devices[n];
		if (!d->probed || !d->cap)
			continue;
		/* Linux's own message; a cell's device is not Linux's now. */
		if (pci_device_owner(0, d->bdf) == &root_cell)
			hw_program(d, (u64)d->addr_hi << 32 | d->addr_lo,
				   d->data, d->ctrl & MSI_CTRL_ENABLE);
		else
			hw_disable(d);
	}
	memset(devices, 0, sizeof(devices));
	pci_unlock();
}
