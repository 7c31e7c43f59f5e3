// SPDX-License-Identifier: GPL-2.0
/* PCI configuration space access of cells (see asm/pci.h). */
#include <core/cell_checks.h>
#include <core/errno.h>
#include <core/printk.h>
#include <core/spinlock.h>
#include <asm/hw.h>
#include <asm/pci.h>
#include <asm/pci_msi.h>

#define CONFIG_ENABLE (1U << 31)

/* The host bridge's address latch is one for all CPUs. */
static spinlock_t config_lock;
static volatile u8 *mmconfig;
static u64 mmconfig_size;

bool arch_port_emulated(u16 port)
{
	return port >= PCI_CONFIG_ADDRESS && port <= PCI_CONFIG_DATA + 3;
}

static bool owns(const struct cell *cell, u16 bdf)
{
	return pci_device_owner(0, bdf) == cell;
}

static u32 absent(unsigned int size)
{
	return 0xffffffffU >> (32 - 8 * size);
}

static void log_foreign(const struct per_cpu *cpu, u16 bdf, bool is_write)
{
	printk("CPU %u of cell \"%s\": config %s of %02x:%02x.%x refused: not "
	       "its device\n",
	       cpu->cpu_id, cell_name(cpu->cell), is_write ? "write" : "read",
	       bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
}

/* A bus beyond MMCONFIG's end is reached through the ports instead. */
static volatile u8 *mmconfig_reg(u16 bdf, unsigned int reg)
{
	u64 offset = ((u64)bdf << 12) + reg;

	return mmconfig && offset < mmconfig_size ? mmconfig + offset : NULL;
}

u32 pci_hw_read(u16 bdf, unsigned int reg, unsigned int size)
{
	volatile u8 *p = mmconfig_reg(bdf, reg);
	u16 port = PCI_CONFIG_DATA + (reg & 3);

	if (p)
		return size == 1 ? hw_mmio_read8(p) :
		       size == 2 ? hw_mmio_read16(p) :
				   hw_mmio_read32(p);
	hw_outl(PCI_CONFIG_ADDRESS, CONFIG_ENABLE | (u32)bdf << 8 | (reg & 0xfc));
	return size == 1 ? hw_inb(port) : size == 2 ? hw_inw(port) :
						       hw_inl(port);
}

void pci_hw_write(u16 bdf, unsigned int reg, unsigned int size, u32 value)
{
	volatile u8 *p = mmconfig_reg(bdf, reg);
	u16 port = PCI_CONFIG_DATA + (reg & 3);

	if (p && size == 1)
		hw_mmio_write8(p, (u8)value);
	else if (p && size == 2)
		hw_mmio_write16(p, (u16)value);
	else if (p)
		hw_mmio_write32(p, value);
	if (p)
		return;
	hw_outl(PCI_CONFIG_ADDRESS, CONFIG_ENABLE | (u32)bdf << 8 | (reg & 0xfc));
	if (size == 1)
		hw_outb(port, (u8)value);
	else if (size == 2)
		hw_outw(port, (u16)value);
	else
		hw_outl(port, value);
}

void pci_lock(void)
{
	spin_lock(&config_lock);
}

void pci_unlock(void)
{
	spin_unlock(&config_lock);
}

static void port_data_access(struct per_cpu *cpu, u16 port,
			     unsigned int size, bool is_write, u32 *value)
{
	u32 address = cpu->arch.pci_address;
	u16 bdf = (address >> 8) & 0xffff;

	if (!(address & CONFIG_ENABLE) || !owns(cpu->cell, bdf)) {
		if (address & CONFIG_ENABLE && is_write)
			log_foreign(cpu, bdf, true);
		if (!is_write)
			*value = absent(size);
		return;
	}
	spin_lock(&config_lock);
	if (msi_config_access(cpu->cell, bdf,
			      (address & 0xfc) + (port - PCI_CONFIG_DATA), size,
			      is_write, value)) {
		spin_unlock(&config_lock);
		return;
	}
	hw_outl(PCI_CONFIG_ADDRESS, address);
	if (size == 1 && is_write)
		hw_outb(port, (u8)*value);
	else if (size == 1)
		*value = hw_inb(port);
	else if (size == 2 && is_write)
		hw_outw(port, (u16)*value);
	else if (size == 2)
		*value = hw_inw(port);
	else if (is_write)
		hw_outl(port, *value);
	else
		*value = hw_inl(port);
	spin_unlock(&config_lock);
}

bool x86_pci_handle_pio(struct per_cpu *cpu, u16 port, unsigned int size,
			bool is_write, u32 *value)
{
	if (!arch_port_emulated(port))
		return false;
	if (port == PCI_CONFIG_ADDRESS && size == 4) {
		/* Each CPU has its own view of the latch. */
		if (is_write)
			cpu->arch.pci_address = *value;
		else
			*value = cpu->arch.pci_address;
	} else if (port >= PCI_CONFIG_DATA &&
		   port + size <= PCI_CONFIG_DATA + 4) {
		port_data_access(cpu, port, size, is_write, value);
	} else if (is_write) {
		if (port == PCI_RESET_CONTROL)
			printk("CPU %u of cell \"%s\": machine reset through "
			       "port 0xcf9 ignored\n",
			       cpu->cpu_id, cell_name(cpu->cell));
	} else {
		*value = 0;
	}
	return true;
}

static enum mmio_result mmconfig_access(void *arg, struct mmio_access *a)
{
	struct cell *cell = arg;
	u16 bdf = (u16)(a->address >> 12);
	volatile u8 *reg = mmconfig + a->address;
	u32 value = (u32)a->value;

	if (a->size == 8 || (a->address & (a->size - 1)))
		return MMIO_ERROR;
	if (!owns(cell, bdf)) {
		if (!a->is_write)
			a->value = absent(a->size);
		return MMIO_HANDLED;
	}
	spin_lock(&config_lock);
	if (msi_config_access(cell, bdf, a->address & 0xfff, a->size,
			      a->is_write, &value)) {
		spin_unlock(&config_lock);
		if (!a->is_write)
			a->value = value;
		return MMIO_HANDLED;
	}
	spin_unlock(&config_lock);
	if (a->size == 1 && a->is_write)
		hw_mmio_write8(reg, (u8)a->value);
	else if (a->size == 1)
		a->value = hw_mmio_read8(reg);
	else if (a->size == 2 && a->is_write)
		hw_mmio_write16(reg, (u16)a->value);
	else if (a->size == 2)
		a->value = hw_mmio_read16(reg);
	else if (a->is_write)
		hw_mmio_write32(reg, (u32)a->value);
	else
		a->value = hw_mmio_read32(reg);
	return MMIO_HANDLED;
}

int pci_init(const struct jailhouse_system *system)
{
	u64 base = system->platform_info.pci_mmconfig_base;

	mmconfig = NULL;
	msi_init();
	if (!base)
		return 0;
	mmconfig_size = ((u64)system->platform_info.pci_mmconfig_end_bus + 1)
			<< 20;
	mmconfig = hw_map_device(base, mmconfig_size);
	return mmconfig ? 0 : -ENOMEM;
}

int pci_cell_init(struct cell *cell)
{
	if (!mmconfig)
		return 0;
	return mmio_region_register(
		cell, system_config->platform_info.pci_mmconfig_base,
		mmconfig_size, mmconfig_access, cell);
}

void pci_cell_exit(struct cell *cell)
{
	if (mmconfig)
		mmio_region_unregister(
			cell, system_config->platform_info.pci_mmconfig_base);
}
