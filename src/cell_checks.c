// SPDX-License-Identifier: GPL-2.0
/* A new cell's config checked against what the running cells own. */
#include <core/cell.h>
#include <core/cell_checks.h>
#include <core/lib.h>
#include <core/printk.h>

void config_refuse(const char *cell_name, struct config_error *err,
		   enum jailhouse_config_error code, u32 item, u32 other,
		   const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintk(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (cell_name)
		printk("Cell \"%s\" refused: %s: %s\n", cell_name,
		       config_error_text(code), detail);
	else
		printk("Request refused: %s: %s\n", config_error_text(code),
		       detail);
	err->code = code;
	err->item = item;
	err->other = other;
}

void pm_timer_ports(u32 *base, u32 *length)
{
	*base = system_config->platform_info.pm_timer_address;
	*length = *base ? 4 : 0;
}

int irqchip_index(u64 address)
{
	const struct jailhouse_cell_desc *root = &system_config->root_cell;
	const struct jailhouse_irqchip *chips = jailhouse_cell_irqchips(root);
	unsigned int n;

	for (n = 0; n < root->num_irqchips && n < MAX_IRQCHIPS; n++)
		if (chips[n].address == address)
			return (int)n;
	return -1;
}

void irqchip_pins(const struct jailhouse_irqchip *chip, u64 pins[2])
{
	unsigned int bit, pin;

	pins[0] = pins[1] = 0;
	for (bit = 0; bit < JAILHOUSE_IRQCHIP_PINS; bit++) {
		if (!((chip->pin_bitmap[bit / 64] >> (bit % 64)) & 1))
			continue;
		pin = chip->pin_base + bit;
		if (pin < JAILHOUSE_IRQCHIP_PINS)
			pins[pin / 64] |= 1ULL << (pin % 64);
	}
}

static bool config_has_pci(const struct jailhouse_cell_desc *cfg, u16 domain,
			   u16 bdf)
{
	const struct jailhouse_pci_device *dev =
		jailhouse_cell_pci_devices(cfg);
	unsigned int n;

	for (n = 0; n < cfg->num_pci_devices; n++)
		if (dev[n].domain == domain && dev[n].bdf == bdf)
			return true;
	return false;
}

struct cell *pci_device_owner(u16 domain, u16 bdf)
{
	struct cell *cell;

	for_each_non_root_cell(cell)
		if (config_has_pci(cell->config, domain, bdf))
			return cell;
	return config_has_pci(root_cell.config, domain, bdf) ? &root_cell :
							       NULL;
}

bool root_config_covers(u64 start, u64 size)
{
	const struct jailhouse_cell_desc *root = &system_config->root_cell;
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(root);
	u64 cursor = start, end = start + size;
	bool advanced = true;
	unsigned int n;

	/* Walk forward through root regions until the range is covered. */
	while (cursor < end && advanced) {
		advanced = false;
		for (n = 0; n < root->num_memory_regions; n++) {
			if (mem[n].flags & JAILHOUSE_MEM_COMM_REGION)
				continue;
			if (cursor >= mem[n].phys_start &&
			    cursor < mem[n].phys_start + mem[n].size) {
				cursor = mem[n].phys_start + mem[n].size;
				advanced = true;
			}
		}
	}
	return cursor >= end;
}

static bool check_name(const struct jailhouse_cell_desc *cfg,
		       struct config_error *err)
{
	struct cell *cell;

	for_each_cell(cell)
		if (strncmp(cell_name(cell), cfg->name,
			    JAILHOUSE_CELL_NAME_MAXLEN + 1) == 0) {
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_DUPLICATE_NAME, 0,
				      cell->id, "cell %u has that name",
				      cell->id);
			return false;
		}
	return true;
}

static bool check_cpus(const struct jailhouse_cell_desc *cfg,
		       const struct per_cpu *caller, struct config_error *err)
{
	const u64 *set = jailhouse_cell_cpu_set(cfg);
	unsigned int cpu, nbits = cfg->cpu_set_size * 8;
	struct per_cpu *owner;

	for (cpu = 0; cpu < nbits; cpu++) {
		if (!((set[cpu / 64] >> (cpu % 64)) & 1))
			continue;
		if (cpu >= num_cpus()) {
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_CPU_NONEXISTENT, cpu, 0,
				      "CPU %u (the system has %u)", cpu,
				      num_cpus());
			return false;
		}
		if (cpu == caller->cpu_id) {
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_CPU_CALLER, cpu, 0,
				      "CPU %u", cpu);
			return false;
		}
		owner = per_cpu(cpu);
		if (owner->cell != &root_cell) {
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_CPU_NOT_ROOT, cpu,
				      owner->cell->id,
				      "CPU %u belongs to cell \"%s\"", cpu,
				      cell_name(owner->cell));
			return false;
		}
	}
	return true;
}

static bool regions_may_share(const struct jailhouse_memory *a,
			      const struct jailhouse_memory *b)
{
	return (a->flags & JAILHOUSE_MEM_ROOTSHARED) &&
	       (b->flags & JAILHOUSE_MEM_ROOTSHARED);
}

static bool check_region_vs_cells(const struct jailhouse_cell_desc *cfg,
				  unsigned int n, struct config_error *err)
{
	const struct jailhouse_memory *mem = &jailhouse_cell_mem_regions(cfg)[n];
	const struct jailhouse_memory *other;
	struct cell *cell;
	unsigned int i;

	for_each_non_root_cell(cell) {
		other = jailhouse_cell_mem_regions(cell->config);
		for (i = 0; i < cell->config->num_memory_regions; i++) {
			if (other[i].flags & JAILHOUSE_MEM_COMM_REGION)
				continue;
			if (!ranges_overlap(mem->phys_start, mem->size,
					    other[i].phys_start, other[i].size) ||
			    regions_may_share(mem, &other[i]))
				continue;
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_MEM_CELL, n, cell->id,
				      "region %u (0x%llx-0x%llx) overlaps region "
				      "%u of cell \"%s\"",
				      n, (unsigned long long)mem->phys_start,
				      (unsigned long long)(mem->phys_start +
							   mem->size - 1),
				      i, cell_name(cell));
			return false;
		}
	}
	return true;
}

static bool check_memory(const struct jailhouse_cell_desc *cfg,
			 struct config_error *err)
{
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(cfg);
	const struct jailhouse_memory *hv = &system_config->hypervisor_memory;
	unsigned int n;

	for (n = 0; n < cfg->num_memory_regions; n++) {
		if (mem[n].flags & JAILHOUSE_MEM_COMM_REGION)
			continue;
		if (ranges_overlap(mem[n].phys_start, mem[n].size,
				   hv->phys_start, hv->size)) {
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_MEM_HYPERVISOR, n, 0,
				      "region %u (0x%llx-0x%llx)", n,
				      (unsigned long long)mem[n].phys_start,
				      (unsigned long long)(mem[n].phys_start +
							   mem[n].size - 1));
			return false;
		}
		if (!check_region_vs_cells(cfg, n, err))
			return false;
		if (!root_config_covers(mem[n].phys_start, mem[n].size)) {
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_MEM_NOT_ROOT, n, 0,
				      "region %u (0x%llx-0x%llx)", n,
				      (unsigned long long)mem[n].phys_start,
				      (unsigned long long)(mem[n].phys_start +
							   mem[n].size - 1));
			return false;
		}
	}
	return true;
}

static bool pio_overlaps_cell(const struct jailhouse_pio *range,
			      const struct cell *cell)
{
	const struct jailhouse_pio *other = jailhouse_cell_pio(cell->config);
	u32 pm_base, pm_len;
	unsigned int i;
	u32 port;

	pm_timer_ports(&pm_base, &pm_len);
	for (i = 0; i < cell->config->num_pio_regions; i++)
		for (port = range->base; port < range->base + range->length;
		     port++)
			if (port >= other[i].base &&
			    port < other[i].base + other[i].length &&
			    !(port >= pm_base && port < pm_base + pm_len))
				return true;
	return false;
}

static bool pio_range_root_owned(const struct jailhouse_pio *range)
{
	u32 pm_base, pm_len, port;

	pm_timer_ports(&pm_base, &pm_len);
	for (port = range->base; port < range->base + range->length; port++)
		if (!(port >= pm_base && port < pm_base + pm_len) &&
		    !pio_range_allowed(root_cell.pio_bitmap, port, 1))
			return false;
	return true;
}

static bool check_pio(const struct jailhouse_cell_desc *cfg,
		      struct config_error *err)
{
	const struct jailhouse_pio *pio = jailhouse_cell_pio(cfg);
	struct cell *cell;
	unsigned int n;

	for (n = 0; n < cfg->num_pio_regions; n++) {
		for_each_non_root_cell(cell)
			if (pio_overlaps_cell(&pio[n], cell)) {
				config_refuse(cfg->name, err,
					      JAILHOUSE_CFG_ERR_PIO_CELL, n,
					      cell->id,
					      "ports 0x%x-0x%x, cell \"%s\" "
					      "holds some",
					      pio[n].base,
					      pio[n].base + pio[n].length - 1,
					      cell_name(cell));
				return false;
			}
		if (!pio_range_root_owned(&pio[n])) {
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_PIO_NOT_ROOT, n, 0,
				      "ports 0x%x-0x%x", pio[n].base,
				      pio[n].base + pio[n].length - 1);
			return false;
		}
	}
	return true;
}

static bool check_irqchip(const struct jailhouse_cell_desc *cfg,
			  unsigned int n, struct config_error *err)
{
	const struct jailhouse_irqchip *chip = &jailhouse_cell_irqchips(cfg)[n];
	int index = irqchip_index(chip->address);
	u64 pins[2], taken;
	unsigned int w, pin;
	struct cell *cell;

	if (index < 0) {
		config_refuse(cfg->name, err, JAILHOUSE_CFG_ERR_IRQCHIP, n, 0,
			      "IRQ chip %u at 0x%llx", n,
			      (unsigned long long)chip->address);
		return false;
	}
	irqchip_pins(chip, pins);
	for (w = 0; w < 2; w++) {
		for_each_non_root_cell(cell) {
			taken = pins[w] & cell->irq_pins[index][w];
			if (!taken)
				continue;
			pin = w * 64 + __builtin_ctzll(taken);
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_IRQ_PIN_CELL, pin,
				      cell->id,
				      "pin %u of IRQ chip 0x%llx, held by "
				      "cell \"%s\"",
				      pin, (unsigned long long)chip->address,
				      cell_name(cell));
			return false;
		}
		taken = pins[w] & ~root_cell.irq_pins[index][w];
		if (taken) {
			pin = w * 64 + __builtin_ctzll(taken);
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_IRQ_PIN_NOT_ROOT, pin,
				      0, "pin %u of IRQ chip 0x%llx", pin,
				      (unsigned long long)chip->address);
			return false;
		}
	}
	return true;
}

static bool check_pci(const struct jailhouse_cell_desc *cfg,
		      struct config_error *err)
{
	const struct jailhouse_pci_device *dev =
		jailhouse_cell_pci_devices(cfg);
	struct cell *owner;
	unsigned int n;

	for (n = 0; n < cfg->num_pci_devices; n++) {
		if (system_config->platform_info.num_iommu_units &&
		    dev[n].iommu >=
			    system_config->platform_info.num_iommu_units) {
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_PCI_IOMMU, n, 0,
				      "device %02x:%02x.%x names IOMMU %u of %u",
				      dev[n].bdf >> 8, (dev[n].bdf >> 3) & 0x1f,
				      dev[n].bdf & 7, dev[n].iommu,
				      system_config->platform_info
					      .num_iommu_units);
			return false;
		}
		owner = pci_device_owner(dev[n].domain, dev[n].bdf);
		if (!owner) {
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_PCI_NOT_ROOT, n, 0,
				      "device %04x:%02x:%02x.%x", dev[n].domain,
				      dev[n].bdf >> 8, (dev[n].bdf >> 3) & 0x1f,
				      dev[n].bdf & 7);
			return false;
		}
		if (owner != &root_cell) {
			config_refuse(cfg->name, err,
				      JAILHOUSE_CFG_ERR_PCI_CELL, n, owner->id,
				      "device %04x:%02x:%02x.%x, held by cell "
				      "\"%s\"",
				      dev[n].domain, dev[n].bdf >> 8,
				      (dev[n].bdf >> 3) & 0x1f, dev[n].bdf & 7,
				      cell_name(owner));
			return false;
		}
	}
	return true;
}

bool cell_check_against_system(const struct jailhouse_cell_desc *cfg,
			       const struct per_cpu *caller,
			       struct config_error *err)
{
	unsigned int n;

	if (!check_name(cfg, err) || !check_cpus(cfg, caller, err) ||
	    !check_memory(cfg, err) || !check_pio(cfg, err))
		return false;
	for (n = 0; n < cfg->num_irqchips; n++)
		if (!check_irqchip(cfg, n, err))
			return false;
	return check_pci(cfg, err);
}
