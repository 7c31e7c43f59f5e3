// SPDX-License-Identifier: GPL-2.0
/*
 * VT-d DMA and interrupt remapping: what each cell's devices may reach, and
 * which CPUs their interrupts may hit.
 *
 * Tables live in the hypervisor's page pool. The units are driven only
 * through asm/hw.h, so this file runs unchanged against the simulator's
 * model, which keeps stale cache entries exactly like hardware does until we
 * invalidate them.
 */
#include <core/arch.h>
#include <core/errno.h>
#include <core/page_pool.h>
#include <core/paging.h>
#include <core/printk.h>
#include <asm/apic.h>
#include <asm/iommu_common.h>
#include <asm/hw.h>
#include <asm/page_formats.h>
#include <asm/vtd.h>
#include <asm/vtd_root_ir.h>

#define NUM_BUSES 256
#define ENTRIES_PER_TABLE 256 /* 16-byte root and context entries */
#define QUEUE_ENTRIES 256 /* one page of 16-byte descriptors, IQA.QS 0 */
#define POLL_LIMIT 1000000UL
/* Domain 0 is reserved when the unit runs in caching mode: never used. */
#define MAX_DOMAINS 256
#define IRT_PAGES (VTD_NUM_IRTES * 16 / PAGE_SIZE)
/* IRTA.S: the table holds 2^(S + 1) entries. */
#define IRTA_SIZE_FIELD 9
#define ALL_IRTES (-1)
_Static_assert(2 << IRTA_SIZE_FIELD == VTD_NUM_IRTES &&
		       VTD_NUM_IRTES * 16 % PAGE_SIZE == 0,
	       "IRTA.S must describe the table of whole pages we allocate");

struct vtd_unit {
	u8 *regs;
	u64 cap;
	u64 ecap;
	bool use_qi;
	u64 *queue; /* invalidation queue, one page */
	unsigned int queue_tail;
	u32 wait_seq; /* last status value a wait descriptor wrote */
	bool enabled;
	bool ir_enabled;
	unsigned int fro; /* offset of the first fault recording register */
	unsigned int nfr; /* number of fault recording registers */
};

static struct vtd_unit units[JAILHOUSE_MAX_IOMMU_UNITS];
static unsigned int num_units;
static const struct paging_format *sl_format;
static u64 sl_aw; /* context entry AW matching sl_format */
static unsigned int num_domains;
static u64 domain_map[MAX_DOMAINS / 64];

/* Root table: bus -> context table; context table: devfn -> entry. */
static u64 *root_table;
static u64 *context_tables[NUM_BUSES];
/* One word per unit that its wait descriptors write to. */
static volatile u32 *wait_status;
/* Whose second-level tables a domain id names, for fault reports. */
static struct cell *domain_cell[MAX_DOMAINS];
static struct iommu_domains domains = {
	.unit = "VT-d",
	.map = domain_map,
	.cell = domain_cell,
};

/*
 * Interrupt remapping: one table for all units, so an index means the same
 * everywhere. Each index belongs to at most one cell.
 */
static bool ir_available; /* every unit remaps interrupts */
static bool ir_eim; /* x2APIC: 32-bit destinations */
static u64 *irt;
static struct cell *irte_owner[VTD_NUM_IRTES];
static struct iommu_irte_owners irte_table = {
	.unit = "VT-d",
	.owner = irte_owner,
	.entries = VTD_NUM_IRTES,
};
static unsigned long faults_logged;
/* Every unit snoops the caches on its table walks (ECAP.C). */
static bool walks_coherent;

static void publish(const void *p, unsigned long size)
{
	iommu_publish(p, size, walks_coherent);
}

static u32 read32(const struct vtd_unit *u, unsigned int reg)
{
	return hw_mmio_read32(u->regs + reg);
}

static u64 read64(const struct vtd_unit *u, unsigned int reg)
{
	return hw_mmio_read64(u->regs + reg);
}

static void write32(struct vtd_unit *u, unsigned int reg, u32 value)
{
	hw_mmio_write32(u->regs + reg, value);
}

static void write64(struct vtd_unit *u, unsigned int reg, u64 value)
{
	iommu_barrier();
	hw_mmio_write64(u->regs + reg, value);
}

static unsigned int unit_index(const struct vtd_unit *u)
{
	return u - units;
}

/* Polls a register until (value & mask) == want. */
static bool poll32(const struct vtd_unit *u, unsigned int reg, u32 mask,
		   u32 want)
{
	unsigned long n;

	for (n = 0; n < POLL_LIMIT; n++) {
		if ((read32(u, reg) & mask) == want)
			return true;
		hw_pause();
	}
	return false;
}

static bool poll64_clear(const struct vtd_unit *u, unsigned int reg, u64 bit)
{
	unsigned long n;

	for (n = 0; n < POLL_LIMIT; n++) {
		if (!(read64(u, reg) & bit))
			return true;
		hw_pause();
	}
	return false;
}

/*
 * GCMD has no memory of its own: every write restates the persistent bits,
 * so carry over what GSTS says is on, then set or clear what was asked.
 */
static int global_command(struct vtd_unit *u, u32 set, u32 clear,
			  u32 status_bit, bool status_on)
{
	u32 cmd = (read32(u, VTD_GSTS_REG) & VTD_GCMD_PERSISTENT & ~clear) |
		  set;

	write32(u, VTD_GCMD_REG, cmd);
	if (poll32(u, VTD_GSTS_REG, status_bit, status_on ? status_bit : 0))
		return 0;
	printk("VT-d unit %u: GSTS 0x%x never reached bit 0x%x = %d\n",
	       unit_index(u), read32(u, VTD_GSTS_REG), status_bit, status_on);
	return -EIO;
}

/* Feature checks at init */

static u64 sagaw_of_all_units(void)
{
	u64 sagaw = VTD_CAP_SAGAW_39 | VTD_CAP_SAGAW_48;
	unsigned int i;

	for (i = 0; i < num_units; i++)
		sagaw &= units[i].cap;
	return sagaw;
}

static bool all_units_have(bool cap_reg, u64 bit)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		if (!((cap_reg ? units[i].cap : units[i].ecap) & bit))
			return false;
	return true;
}

static bool any_unit_has_cap(u64 bit)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		if (units[i].cap & bit)
			return true;
	return false;
}

static unsigned int domains_of_all_units(void)
{
	unsigned int i, nd, n = MAX_DOMAINS;

	for (i = 0; i < num_units; i++) {
		/* ND encodes 2^(4 + 2 * ND) domain ids. */
		nd = units[i].cap & 7;
		n = MIN(n, nd >= 2 ? MAX_DOMAINS : 1U << (4 + 2 * nd));
	}
	return n;
}

/*
 * Walks without coherence (ECAP.C clear) are served by flushing every
 * table store (publish); we never flush write buffers, so RWBF must be
 * clear.
 */
static int check_features(void)
{
	char missing[160];
	int len = 0;

	if (!sagaw_of_all_units())
		len += snprintk(missing + len, sizeof(missing) - len,
				" 3/4-level-tables(SAGAW)");
	if (any_unit_has_cap(VTD_CAP_RWBF))
		len += snprintk(missing + len, sizeof(missing) - len,
				" no-write-buffer-flush(CAP.RWBF)");
	if (len == 0)
		return 0;
	printk("VT-d: unsupported hardware, missing:%s\n", missing);
	return -EIO;
}

/*
 * Interrupt remapping needs queued invalidation (the only way to flush the
 * interrupt entry cache) and, for x2APIC destinations, EIM. Without them we
 * run like without units: loudly, interrupts not isolated.
 */
static void check_ir_features(const struct jailhouse_system *system)
{
	char missing[120];
	int len = 0;

	ir_eim = system->platform_info.apic_mode == JAILHOUSE_APIC_MODE_X2APIC;
	if (!all_units_have(false, VTD_ECAP_IR))
		len += snprintk(missing + len, sizeof(missing) - len,
				" interrupt-remapping(ECAP.IR)");
	if (!all_units_have(false, VTD_ECAP_QI))
		len += snprintk(missing + len, sizeof(missing) - len,
				" queued-invalidation(ECAP.QI)");
	if (ir_eim && !all_units_have(false, VTD_ECAP_EIM))
		len += snprintk(missing + len, sizeof(missing) - len,
				" x2APIC-destinations(ECAP.EIM)");
	ir_available = len == 0;
	if (!ir_available)
		printk("WARNING: VT-d cannot remap interrupts, missing:%s: "
		       "interrupts of devices are NOT isolated between "
		       "cells\n", missing);
}

static void choose_sl_format(void)
{
	u64 sagaw = sagaw_of_all_units();
	bool sp_2m = all_units_have(true, VTD_CAP_SLLPS_2M);
	bool sp_1g = all_units_have(true, VTD_CAP_SLLPS_1G);

	if (sagaw & VTD_CAP_SAGAW_48) {
		sl_format = &vtd_sl_format;
		sl_aw = VTD_CTX_AW_48;
	} else {
		sl_format = &vtd_sl3_format;
		sl_aw = VTD_CTX_AW_39;
	}
	/* Keep the EPT setting: this call configures both families. */
	page_formats_configure(ept_format.leaf_ok[1], sp_2m, sp_1g);
}

static int map_unit(unsigned int i, const struct jailhouse_iommu *cfg,
		    bool x2apic)
{
	struct vtd_unit *u = &units[i];

	if (cfg->base == 0 || cfg->size < PAGE_SIZE) {
		printk("VT-d unit %u: invalid base 0x%llx / size 0x%x\n", i,
		       (unsigned long long)cfg->base, cfg->size);
		return -EINVAL;
	}
	u->regs = hw_map_device(cfg->base, PAGE_SIZE);
	if (!u->regs)
		return -ENOMEM;
	u->cap = read64(u, VTD_CAP_REG);
	u->ecap = read64(u, VTD_ECAP_REG);
	u->use_qi = u->ecap & VTD_ECAP_QI;
	u->fro = ((u->cap >> VTD_CAP_FRO_SHIFT) & VTD_CAP_FRO_MASK) * 16;
	u->nfr = ((u->cap >> VTD_CAP_NFR_SHIFT) & VTD_CAP_NFR_MASK) + 1;
	if (read32(u, VTD_GSTS_REG) & VTD_GCMD_TE) {
		printk("VT-d unit %u: translation already enabled "
		       "(boot Linux with intel_iommu=off)\n", i);
		return -EBUSY;
	}
	/* Linux remaps with its own table: root keeps it (vtd_root_ir.c). */
	if (read32(u, VTD_GSTS_REG) & VTD_GCMD_IRE)
		return vtd_root_ir_take_stock(i, cfg->base, u->regs, x2apic,
					      num_units);
	return 0;
}

/*
 * Forgets every unit and table. Device mappings last as long as the
 * hypervisor: forgetting a unit's register pointer is all there is to it.
 */
static void reset_state(void)
{
	unsigned int i;

	for (i = 0; i < JAILHOUSE_MAX_IOMMU_UNITS; i++)
		units[i] = (struct vtd_unit){ 0 };
	for (i = 0; i < NUM_BUSES; i++)
		context_tables[i] = NULL;
	for (i = 0; i < ARRAY_SIZE(domain_map); i++)
		domain_map[i] = 0;
	for (i = 0; i < MAX_DOMAINS; i++)
		domain_cell[i] = NULL;
	for (i = 0; i < VTD_NUM_IRTES; i++)
		irte_owner[i] = NULL;
	num_units = 0;
	root_table = NULL;
	wait_status = NULL;
	sl_format = NULL;
	ir_available = false;
	ir_eim = false;
	walks_coherent = false;
	irt = NULL;
	faults_logged = 0;
	irte_table.first = 0;
	vtd_root_ir_reset();
}

static int alloc_queues(void)
{
	unsigned int i;

	wait_status = page_alloc(&mem_pool, 1);
	if (!wait_status)
		return -ENOMEM;
	for (i = 0; i < num_units; i++) {
		if (!units[i].use_qi)
			continue;
		units[i].queue = page_alloc(&mem_pool, 1);
		if (!units[i].queue)
			return -ENOMEM;
	}
	return 0;
}

static void free_tables(void)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		if (units[i].queue)
			page_free(&mem_pool, units[i].queue, 1);
	for (i = 0; i < NUM_BUSES; i++)
		if (context_tables[i])
			page_free(&mem_pool, context_tables[i], 1);
	if (root_table)
		page_free(&mem_pool, root_table, 1);
	if (irt)
		page_free(&mem_pool, irt, IRT_PAGES);
	if (wait_status)
		page_free(&mem_pool, (void *)wait_status, 1);
}

static int init_units(const struct jailhouse_system *system)
{
	unsigned int i;
	int err;

	for (i = 0; i < num_units; i++) {
		err = map_unit(i, &system->platform_info.iommu_units[i],
			       system->platform_info.apic_mode ==
				       JAILHOUSE_APIC_MODE_X2APIC);
		if (err)
			return err;
	}
	err = check_features();
	if (err)
		return err;
	choose_sl_format();
	check_ir_features(system);
	if (vtd_root_ir_active() && !ir_available)
		return -EIO;
	/* Root's own entries keep their indexes; cells' go above them. */
	if (vtd_root_ir_active())
		irte_table.first = VTD_ROOT_IRTES;
	num_domains = domains_of_all_units();
	domains.limit = num_domains;
	walks_coherent = all_units_have(false, VTD_ECAP_C);
	if (!walks_coherent)
		printk("VT-d: table walks do not snoop caches (ECAP.C clear): "
		       "flushing every table store\n");

	root_table = page_alloc(&mem_pool, 1);
	if (!root_table)
		return -ENOMEM;
	publish(root_table, PAGE_SIZE);
	if (ir_available) {
		irt = page_alloc(&mem_pool, IRT_PAGES);
		if (!irt)
			return -ENOMEM;
		publish(irt, IRT_PAGES * PAGE_SIZE);
	}
	return alloc_queues();
}

int vtd_init(const struct jailhouse_system *system)
{
	int err;

	reset_state();
	err = iommu_units_configured("VT-d", system);
	if (err <= 0)
		return err;
	num_units = err;
	err = init_units(system);
	if (err) {
		free_tables();
		reset_state();
	}
	return err;
}

unsigned int vtd_num_units(void)
{
	return num_units;
}

/* Domains and cells */

int vtd_cell_init(struct cell *cell)
{
	int err;

	if (num_units == 0)
		return 0;
	err = iommu_cell_dma_init(&domains, cell, sl_format, walks_coherent);
	if (!err)
		err = vtd_root_ir_cell_init(cell);
	return err;
}

static void release_cell_irtes(struct cell *cell);

void vtd_cell_exit(struct cell *cell)
{
	if (ir_available)
		release_cell_irtes(cell);
	if (num_units)
		iommu_cell_dma_exit(&domains, cell);
}

int vtd_map_memory_region(struct cell *cell,
			  const struct jailhouse_memory *mem)
{
	if (num_units == 0)
		return 0;
	return iommu_dma_map("VT-d", cell, mem);
}

int vtd_unmap_memory_region(struct cell *cell,
			    const struct jailhouse_memory *mem)
{
	if (num_units == 0)
		return 0;
	return iommu_dma_unmap(cell, mem);
}

/* Devices */

static u64 *context_entry(u16 bdf, bool create)
{
	unsigned int bus = bdf >> 8;
	u64 *table = context_tables[bus];

	if (!table && create) {
		table = page_alloc(&mem_pool, 1);
		if (!table)
			return NULL;
		context_tables[bus] = table;
		publish(table, PAGE_SIZE);
		root_table[bus * 2 + 1] = 0;
		publish(&root_table[bus * 2 + 1], 8);
		root_table[bus * 2] = iommu_phys(table) | VTD_ROOT_PRESENT;
		publish(&root_table[bus * 2], 8);
	}
	return table ? &table[(bdf & 0xff) * 2] : NULL;
}

static bool context_table_empty(const u64 *table)
{
	unsigned int i;

	for (i = 0; i < ENTRIES_PER_TABLE; i++)
		if (table[i * 2] & VTD_CTX_PRESENT)
			return false;
	return true;
}

static void release_context_table(unsigned int bus)
{
	root_table[bus * 2] = 0;
	publish(&root_table[bus * 2], 8);
	page_free(&mem_pool, context_tables[bus], 1);
	context_tables[bus] = NULL;
}

/* The unit may read an entry at any time: never expose a half-written one. */
static void write_context_entry(u64 *ce, u64 lo, u64 hi)
{
	ce[0] = 0;
	publish(ce, 16);
	ce[1] = hi;
	publish(ce, 16);
	ce[0] = lo;
	publish(ce, 16);
}

static void print_bdf(const char *what, u16 bdf)
{
	printk("VT-d: %s %02x:%02x.%x\n", what, bdf >> 8, (bdf >> 3) & 0x1f,
	       bdf & 7);
}

int vtd_add_pci_device(struct cell *cell,
		       const struct jailhouse_pci_device *dev)
{
	u64 *ce;

	if (num_units == 0)
		return 0;
	if (dev->iommu >= num_units) {
		printk("VT-d: device %02x:%02x.%x names unit %u of %u\n",
		       dev->bdf >> 8, (dev->bdf >> 3) & 0x1f, dev->bdf & 7,
		       dev->iommu, num_units);
		return -EINVAL;
	}
	if (!cell->arch.dma.root) {
		printk("VT-d: cell \"%s\" has no DMA tables for device "
		       "%02x:%02x.%x\n", cell_name(cell), dev->bdf >> 8,
		       (dev->bdf >> 3) & 0x1f, dev->bdf & 7);
		return -EINVAL;
	}
	ce = context_entry(dev->bdf, true);
	if (!ce) {
		print_bdf("out of memory for the context table of", dev->bdf);
		return -ENOMEM;
	}
	write_context_entry(ce,
			    paging_root_phys(&cell->arch.dma) | VTD_CTX_PRESENT,
			    sl_aw | (u64)cell->arch.domain_id
					    << VTD_CTX_DID_SHIFT);
	return 0;
}

static void clear_irtes_of_source(u16 source_id);

void vtd_remove_pci_device(const struct jailhouse_pci_device *dev)
{
	unsigned int bus = dev->bdf >> 8;
	u64 *ce;

	if (num_units == 0)
		return;
	/* Its interrupts must not reach the old owner's CPUs any more. */
	if (ir_available)
		clear_irtes_of_source(dev->bdf);
	ce = context_entry(dev->bdf, false);
	if (!ce)
		return;
	write_context_entry(ce, 0, 0);
	/* Nothing walks a table that no root entry points to after commit. */
	if (context_table_empty(context_tables[bus]))
		release_context_table(bus);
}

/* Invalidation */

static void queue_descriptor(struct vtd_unit *u, u64 lo, u64 hi)
{
	volatile u64 *d = &u->queue[u->queue_tail * 2];

	d[0] = lo;
	d[1] = hi;
	u->queue_tail = (u->queue_tail + 1) % QUEUE_ENTRIES;
}

static int wait_queue(struct vtd_unit *u, u32 seq)
{
	volatile u32 *status = &wait_status[unit_index(u)];
	unsigned long n;

	for (n = 0; n < POLL_LIMIT; n++) {
		if (*status == seq)
			return 0;
		if (read32(u, VTD_FSTS_REG) & VTD_FSTS_IQE) {
			printk("VT-d unit %u: invalidation queue error at "
			       "0x%llx\n", unit_index(u),
			       (unsigned long long)read64(u, VTD_IQH_REG));
			return -EIO;
		}
		hw_pause();
	}
	printk("VT-d unit %u: invalidation wait timed out\n", unit_index(u));
	return -ETIMEDOUT;
}

/* Hands the queued descriptors to the unit and waits until all are done. */
static int submit_queue(struct vtd_unit *u)
{
	u64 status_phys = iommu_phys((const void *)&wait_status[unit_index(u)]);
	u32 seq = ++u->wait_seq;

	queue_descriptor(u, VTD_QI_WAIT_SW |
				    (u64)seq << VTD_QI_WAIT_DATA_SHIFT,
			 status_phys);
	write64(u, VTD_IQT_REG, (u64)u->queue_tail << 4);
	return wait_queue(u, seq);
}

/* Context cache and IOTLB, globally. */
static int flush_by_queue(struct vtd_unit *u)
{
	queue_descriptor(u, VTD_QI_CC_GLOBAL, 0);
	queue_descriptor(u, VTD_QI_IOTLB_GLOBAL, 0);
	return submit_queue(u);
}

/* One entry of the interrupt entry cache, or all with ALL_IRTES. */
static int flush_irq_cache(struct vtd_unit *u, int index)
{
	u64 desc = VTD_QI_IEC;

	if (index != ALL_IRTES)
		desc |= VTD_QI_IEC_INDEXED |
			(u64)index << VTD_QI_IEC_IDX_SHIFT;
	queue_descriptor(u, desc, 0);
	return submit_queue(u);
}

static unsigned int iotlb_reg(const struct vtd_unit *u)
{
	return ((u->ecap >> VTD_ECAP_IRO_SHIFT) & VTD_ECAP_IRO_MASK) * 16 + 8;
}

static int flush_by_registers(struct vtd_unit *u)
{
	write64(u, VTD_CCMD_REG, VTD_CCMD_ICC | VTD_CCMD_GLOBAL);
	if (!poll64_clear(u, VTD_CCMD_REG, VTD_CCMD_ICC))
		goto timeout;
	/* Drain pending reads and writes so none uses an old mapping. */
	write64(u, iotlb_reg(u), VTD_IOTLB_IVT | VTD_IOTLB_GLOBAL |
					 VTD_IOTLB_DR | VTD_IOTLB_DW);
	if (!poll64_clear(u, iotlb_reg(u), VTD_IOTLB_IVT))
		goto timeout;
	return 0;
timeout:
	printk("VT-d unit %u: register invalidation timed out\n",
	       unit_index(u));
	return -ETIMEDOUT;
}

static int flush_unit(struct vtd_unit *u)
{
	return u->use_qi ? flush_by_queue(u) : flush_by_registers(u);
}

void vtd_config_commit(struct cell *cell_added_removed)
{
	unsigned int i;

	(void)cell_added_removed;
	/* Simple and sufficient: one global flush per enabled unit. */
	for (i = 0; i < num_units; i++)
		if (units[i].enabled)
			flush_unit(&units[i]);
	/* Root's CPUs may have changed: its entries must still fit them. */
	if (vtd_root_ir_active() && units[0].ir_enabled)
		vtd_root_ir_shadow_all();
}

/* Interrupt remapping */

bool vtd_irq_remapping(void)
{
	return ir_available;
}

static u64 *irte_of(unsigned int index)
{
	return &irt[index * 2];
}

/*
 * The unit may fetch an entry at any moment: P goes last, and a present
 * entry whose source changes is taken out first so that no fetch ever pairs
 * the old destination with the new source.
 */
static void write_irte(unsigned int index, u64 lo, u64 hi)
{
	u64 *e = irte_of(index);

	if ((e[0] & VTD_IRTE_P) && (e[1] != hi || !(lo & VTD_IRTE_P))) {
		e[0] = 0;
		publish(e, 16);
	}
	e[1] = hi;
	publish(e, 16);
	e[0] = lo;
	publish(e, 16);
}

/* Makes entry changes visible: the units cache entries they used. */
int vtd_flush_irtes(int index)
{
	unsigned int i;
	int err, ret = 0;

	for (i = 0; i < num_units; i++) {
		if (!units[i].ir_enabled)
			continue;
		err = flush_irq_cache(&units[i], index);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

static bool irte_present(unsigned int index)
{
	return irte_of(index)[0] & VTD_IRTE_P;
}

void vtd_set_root_irte(unsigned int index, u64 lo, u64 hi)
{
	write_irte(index, lo, hi);
	irte_owner[index] = lo & VTD_IRTE_P ? &root_cell : NULL;
}

int vtd_alloc_irtes(struct cell *cell, unsigned int count)
{
	if (!ir_available)
		return 0;
	return iommu_irtes_alloc(&irte_table, cell, count);
}

/* Clears the entry and frees its index; true if it was in use. */
static bool release_irte(unsigned int index)
{
	bool present = irte_present(index);

	if (present)
		write_irte(index, 0, 0);
	irte_owner[index] = NULL;
	return present;
}

static bool owns_irte(const struct cell *cell, unsigned int index)
{
	return iommu_irte_owned(&irte_table, cell, index);
}

void vtd_free_irtes(struct cell *cell, unsigned int first, unsigned int count)
{
	bool cleared = false;
	unsigned int i;

	if (!ir_available)
		return;
	if (!iommu_irtes_in_table(&irte_table, cell, first, count))
		return;
	for (i = first; i < first + count; i++)
		if (owns_irte(cell, i))
			cleared |= release_irte(i);
	if (cleared)
		vtd_flush_irtes(count == 1 ? (int)first : ALL_IRTES);
}

static void release_cell_irtes(struct cell *cell)
{
	bool cleared = false;
	unsigned int i;

	for (i = 0; i < VTD_NUM_IRTES; i++)
		if (irte_owner[i] == cell)
			cleared |= release_irte(i);
	if (cleared)
		vtd_flush_irtes(ALL_IRTES);
}

static void clear_irtes_of_source(u16 source_id)
{
	bool cleared = false;
	unsigned int i;

	for (i = 0; i < VTD_NUM_IRTES; i++) {
		if (!irte_present(i) ||
		    irte_of(i)[1] != (VTD_IRTE_SVT_SID | source_id))
			continue;
		write_irte(i, 0, 0);
		cleared = true;
	}
	if (cleared)
		vtd_flush_irtes(ALL_IRTES);
}

/* The context entry is the truth about who owns a device right now. */
bool vtd_cell_has_device(const struct cell *cell, u16 bdf)
{
	const u64 *ce = context_entry(bdf, false);

	return ce && (ce[0] & VTD_CTX_PRESENT) && cell->arch.domain_id &&
	       ((ce[1] >> VTD_CTX_DID_SHIFT) & 0xffff) ==
		       cell->arch.domain_id;
}

bool vtd_buses_only_cells(const struct cell *cell, u8 first, u8 last)
{
	unsigned int bus, devfn;
	const u64 *ce;

	for (bus = first; bus <= last; bus++)
		for (devfn = 0; context_tables[bus] && devfn < 256; devfn++) {
			ce = context_entry(bus << 8 | devfn, false);
			if ((ce[0] & VTD_CTX_PRESENT) &&
			    !vtd_cell_has_device(cell, bus << 8 | devfn))
				return false;
		}
	return true;
}

static int check_source(const struct cell *cell, u16 source_id)
{
	if (iommu_cell_has_ioapic(cell, source_id) ||
	    vtd_cell_has_device(cell, source_id))
		return 0;
	printk("VT-d: cell \"%s\": interrupt source %02x:%02x.%x is not the "
	       "cell's\n", cell_name(cell), source_id >> 8,
	       (source_id >> 3) & 0x1f, source_id & 7);
	return -EPERM;
}

static u64 irte_low(const struct iommu_irq *irq)
{
	u64 lo = VTD_IRTE_P | (u64)irq->vector << VTD_IRTE_VECTOR_SHIFT |
		 (u64)irq->delivery_mode << VTD_IRTE_DLM_SHIFT;

	if (irq->level)
		lo |= VTD_IRTE_TM;
	/* Physical destination mode: DM stays 0, one CPU by its APIC id. */
	if (ir_eim)
		return lo | (u64)irq->dest_apic_id << VTD_IRTE_DST_SHIFT;
	return lo | (u64)irq->dest_apic_id << VTD_IRTE_XAPIC_DST_SHIFT;
}

int vtd_map_interrupt(struct cell *cell, u16 source_id, unsigned int index,
		      const struct iommu_irq *irq)
{
	int err;

	if (!ir_available)
		return 0;
	if (!owns_irte(cell, index))
		return -EPERM;
	err = check_source(cell, source_id);
	if (!err)
		err = iommu_check_irq("VT-d", cell, source_id, irq, ir_eim);
	if (err)
		return err;
	/* Source-id verification on the full requester id (SQ 0). */
	write_irte(index, irte_low(irq), VTD_IRTE_SVT_SID | source_id);
	return vtd_flush_irtes(index);
}

int vtd_unmap_interrupt(struct cell *cell, unsigned int index)
{
	if (!ir_available)
		return 0;
	if (!owns_irte(cell, index))
		return -EPERM;
	write_irte(index, 0, 0);
	return vtd_flush_irtes(index);
}

u64 vtd_msi_address(unsigned int index)
{
	u64 addr = VTD_MSI_BASE | VTD_MSI_REMAPPABLE |
		   (u64)(index & 0x7fff) << VTD_MSI_HANDLE_SHIFT;

	if (index & 0x8000)
		addr |= VTD_MSI_HANDLE15;
	return addr;
}

/* The index is in the address. */
u32 vtd_msi_data(unsigned int index)
{
	(void)index;
	return 0;
}

/* Remappable format: index bits 14:0 in 63:49, bit 15 in bit 11. */
u64 vtd_ioapic_entry(unsigned int index, u64 pin_bits)
{
	return pin_bits | VTD_IOAPIC_REMAPPABLE |
	       (u64)(index & 0x7fff) << VTD_IOAPIC_INDEX_SHIFT |
	       (index & 0x8000 ? VTD_IOAPIC_INDEX15 : 0);
}

/*
 * Compatibility-format interrupts would bypass the table: CFI stays clear.
 * Entries cached under an older table pointer must not survive the new one.
 */
static int enable_irq_remapping(struct vtd_unit *u)
{
	u64 irta = iommu_phys(irt) | IRTA_SIZE_FIELD;
	int err;

	if (ir_eim)
		irta |= VTD_IRTA_EIME;
	write64(u, VTD_IRTA_REG, irta);
	err = global_command(u, VTD_GCMD_SIRTP, 0, VTD_GCMD_SIRTP, true);
	if (!err)
		err = flush_irq_cache(u, ALL_IRTES);
	if (!err)
		err = global_command(u, VTD_GCMD_IRE, VTD_GCMD_CFI,
				     VTD_GCMD_IRE, true);
	if (!err)
		u->ir_enabled = true;
	return err;
}

/* Fault reporting */

static const char *fault_reason_text(u8 reason)
{
	static const char *const texts[] = {
		[0x01] = "root entry not present",
		[0x02] = "context entry not present",
		[0x03] = "context entry invalid",
		[0x04] = "address beyond the address width",
		[0x05] = "second-level entry not present or not writable",
		[0x06] = "second-level entry not present or not readable",
		[0x07] = "second-level table not accessible",
		[0x08] = "root table not accessible",
		[0x09] = "context table not accessible",
		[0x0a] = "root entry reserved bits set",
		[0x0b] = "context entry reserved bits set",
		[0x0c] = "second-level entry reserved bits set",
		[0x0d] = "request type blocked by the context entry",
		[0x20] = "malformed interrupt request",
		[0x21] = "interrupt index beyond the table",
		[0x22] = "interrupt remapping entry not present",
		[0x23] = "interrupt remapping table not accessible",
		[0x24] = "interrupt remapping entry reserved bits set",
		[0x25] = "compatibility-format interrupt",
		[0x26] = "source-id verification failed",
	};

	if (reason >= ARRAY_SIZE(texts) || !texts[reason])
		return "unknown reason";
	return texts[reason];
}

/* " (cell \"x\")" for the cell that owns a device now, or "". */
static void device_owner(u16 bdf, char *buf, size_t size)
{
	const u64 *ce = context_entry(bdf, false);
	unsigned int did;

	buf[0] = '\0';
	if (!ce || !(ce[0] & VTD_CTX_PRESENT))
		return;
	did = (ce[1] >> VTD_CTX_DID_SHIFT) & 0xffff;
	if (did < MAX_DOMAINS && domain_cell[did])
		snprintk(buf, size, " (cell \"%s\")",
			 cell_name(domain_cell[did]));
}

static void log_dma_fault(const struct vtd_unit *u, u64 lo, u64 hi)
{
	u16 sid = hi & 0xffff;
	u8 reason = (hi >> VTD_FRCD_FR_SHIFT) & 0xff;
	char owner[48];

	device_owner(sid, owner, sizeof(owner));
	printk("VT-d unit %u: DMA %s 0x%llx by %02x:%02x.%x%s blocked: %s "
	       "(fault 0x%02x)\n", unit_index(u),
	       (hi & VTD_FRCD_T_READ) ? "read from" : "write to",
	       (unsigned long long)(lo & PAGE_MASK), sid >> 8,
	       (sid >> 3) & 0x1f, sid & 7, owner, fault_reason_text(reason),
	       reason);
}

static void log_irq_fault(const struct vtd_unit *u, u64 lo, u64 hi)
{
	unsigned int index = lo >> VTD_FRCD_FI_INDEX_SHIFT;
	u16 sid = hi & 0xffff;
	u8 reason = (hi >> VTD_FRCD_FR_SHIFT) & 0xff;
	char owner[48] = "";

	/* Such a request names no entry: its index field means nothing. */
	if (reason == VTD_FR_IR_COMPAT) {
		printk("VT-d unit %u: interrupt from %02x:%02x.%x blocked: %s "
		       "(fault 0x%02x)\n", unit_index(u), sid >> 8,
		       (sid >> 3) & 0x1f, sid & 7, fault_reason_text(reason),
		       reason);
		return;
	}
	if (index < VTD_NUM_IRTES && irte_owner[index])
		snprintk(owner, sizeof(owner), " of cell \"%s\"",
			 cell_name(irte_owner[index]));
	printk("VT-d unit %u: interrupt from %02x:%02x.%x via IRTE %u%s "
	       "blocked: %s (fault 0x%02x)\n", unit_index(u), sid >> 8,
	       (sid >> 3) & 0x1f, sid & 7, index, owner,
	       fault_reason_text(reason), reason);
}

static bool check_unit_faults(struct vtd_unit *u)
{
	u32 fsts = read32(u, VTD_FSTS_REG);
	unsigned int first = (fsts >> VTD_FSTS_FRI_SHIFT) & 0xff;
	unsigned int i, rec;
	u64 hi;

	/* Oldest first: the unit fills the records round from FRI on. */
	for (i = 0; (fsts & VTD_FSTS_PPF) && i < u->nfr; i++) {
		rec = u->fro + (first + i) % u->nfr * 16;
		hi = read64(u, rec + 8);
		if (!(hi & VTD_FRCD_F))
			continue;
		if (((hi >> VTD_FRCD_FR_SHIFT) & 0xff) >= VTD_FR_FIRST_IR)
			log_irq_fault(u, read64(u, rec), hi);
		else
			log_dma_fault(u, read64(u, rec), hi);
		faults_logged++;
		/* F is write-1-to-clear; it frees the record for the unit. */
		write32(u, rec + 12, (u32)(VTD_FRCD_F >> 32));
	}
	if (fsts & VTD_FSTS_PFO) {
		printk("VT-d unit %u: fault records overflowed, later faults "
		       "were not recorded\n", unit_index(u));
		write32(u, VTD_FSTS_REG, VTD_FSTS_PFO);
	}
	return fsts & (VTD_FSTS_PPF | VTD_FSTS_PFO);
}

bool vtd_check_faults(void)
{
	unsigned int i;
	bool any = false;

	for (i = 0; i < num_units; i++)
		any |= check_unit_faults(&units[i]);
	return any;
}

unsigned long vtd_fault_count(void)
{
	return faults_logged;
}

/* Enabling and shutdown */

static int stop_queue(struct vtd_unit *u)
{
	if (!(read32(u, VTD_GSTS_REG) & VTD_GCMD_QIE))
		return 0;
	/* Let what someone else queued finish before taking the queue. */
	if (!poll32(u, VTD_IQH_REG, 0xffffffff, read32(u, VTD_IQT_REG)))
		printk("VT-d unit %u: queue still busy\n", unit_index(u));
	return global_command(u, 0, VTD_GCMD_QIE, VTD_GCMD_QIE, false);
}

static int start_queue(struct vtd_unit *u)
{
	int err = stop_queue(u);

	if (err)
		return err;
	u->queue_tail = 0;
	write64(u, VTD_IQA_REG, iommu_phys(u->queue));
	write64(u, VTD_IQT_REG, 0);
	return global_command(u, VTD_GCMD_QIE, 0, VTD_GCMD_QIE, true);
}

static int enable_unit(struct vtd_unit *u)
{
	int err;

	write64(u, VTD_RTADDR_REG, iommu_phys(root_table));
	err = global_command(u, VTD_GCMD_SRTP, 0, VTD_GCMD_SRTP, true);
	if (!err && u->use_qi)
		err = start_queue(u);
	/* Nothing cached before the new root pointer may survive it. */
	if (!err)
		err = flush_unit(u);
	if (!err)
		err = global_command(u, VTD_GCMD_TE, 0, VTD_GCMD_TE, true);
	if (!err)
		u->enabled = true;
	if (!err && ir_available)
		err = enable_irq_remapping(u);
	return err;
}

/*
 * Faults are announced by an NMI to IOMMU_FAULT_CPU: it needs no vector
 * from Linux's or any cell's space, and reaches the hypervisor as an NMI
 * exit whatever the guest there has masked. In x2APIC mode the upper
 * address holds the destination's bits 31:8.
 */
static void route_fault_events(struct vtd_unit *u)
{
	u32 dest = apic_id_of(IOMMU_FAULT_CPU);

	write32(u, VTD_FEDATA_REG, VTD_FE_DATA_NMI);
	write32(u, VTD_FEADDR_REG, (u32)VTD_MSI_BASE | (dest & 0xff) << 12);
	write32(u, VTD_FEUADDR_REG, ir_eim ? dest & 0xffffff00 : 0);
	write32(u, VTD_FECTL_REG, 0);
}

int vtd_enable(void)
{
	unsigned int i;
	int err;

	if (vtd_root_ir_active()) {
		err = vtd_root_ir_start();
		if (err)
			return err;
	}
	for (i = 0; i < num_units; i++) {
		err = enable_unit(&units[i]);
		if (err) {
			printk("VT-d unit %u: enabling failed: %d\n", i, err);
			return err;
		}
		route_fault_events(&units[i]);
	}
	return 0;
}

/*
 * Root's table back in the unit, through our queue while it is ours; the
 * unit stays remapping (and blocking compatibility format) unless root
 * itself had turned remapping off.
 */
static void hand_back_table(struct vtd_unit *u, const struct vtd_root_regs *r)
{
	write64(u, VTD_IRTA_REG, r->irta_latched);
	global_command(u, VTD_GCMD_SIRTP, 0, VTD_GCMD_SIRTP, true);
	flush_irq_cache(u, ALL_IRTES);
	if (!(r->gsts & VTD_GCMD_IRE))
		global_command(u, 0, VTD_GCMD_IRE, VTD_GCMD_IRE, false);
}

/*
 * The unit starts a queue at descriptor 0, root's next one goes at its
 * head: the slots before the head, done long ago, are refilled with
 * harmless cache invalidations, the last one a wait, and the unit runs
 * through them to arrive where root is.
 */
static int catch_up_with_root(struct vtd_unit *u, const struct vtd_root_regs *r)
{
	u64 base = r->iqa & PAGE_MASK, *slots;
	u64 span = (r->head * 16ULL + PAGE_SIZE - 1) & PAGE_MASK;
	u32 seq = ++u->wait_seq;
	unsigned int i;

	/* Checked at take-over and at root's every queue enable. */
	if (!r->queue_ok) {
		printk("VT-d unit %u: root's queue at 0x%llx is not in its "
		       "RAM: its head stays at 0\n", unit_index(u),
		       (unsigned long long)base);
		return -EINVAL;
	}
	slots = arch_map_phys(base, span);
	if (!slots)
		return -ENOMEM;
	for (i = 0; i + 1 < r->head; i++) {
		slots[i * 2] = VTD_QI_IEC;
		slots[i * 2 + 1] = 0;
	}
	slots[i * 2] = VTD_QI_WAIT_SW | (u64)seq << VTD_QI_WAIT_DATA_SHIFT;
	slots[i * 2 + 1] =
		iommu_phys((const void *)&wait_status[unit_index(u)]);
	publish(slots, r->head * 16ULL);
	arch_unmap_phys(slots, span);
	write64(u, VTD_IQT_REG, (u64)r->head << VTD_IQ_INDEX_SHIFT);
	return wait_queue(u, seq);
}

static int hand_back_queue(struct vtd_unit *u, const struct vtd_root_regs *r)
{
	int err = stop_queue(u);

	write64(u, VTD_IQT_REG, 0);
	write64(u, VTD_IQA_REG, r->iqa);
	if (err || !(r->gsts & VTD_GCMD_QIE))
		return err;
	err = global_command(u, VTD_GCMD_QIE, 0, VTD_GCMD_QIE, true);
	if (!err && r->head)
		err = catch_up_with_root(u, r);
	/* What root queued but we refused: the unit's to judge now. */
	if (!err && r->tail != r->head)
		write64(u, VTD_IQT_REG, (u64)r->tail << VTD_IQ_INDEX_SHIFT);
	return err;
}

static void hand_back_fault_events(struct vtd_unit *u,
				   const struct vtd_root_regs *r)
{
	write32(u, VTD_FEDATA_REG, r->fedata);
	write32(u, VTD_FEADDR_REG, r->feaddr);
	write32(u, VTD_FEUADDR_REG, r->feuaddr);
	write32(u, VTD_FECTL_REG, r->fectl);
}

static void disable_unit(struct vtd_unit *u)
{
	const struct vtd_root_regs *root = vtd_root_ir_regs();
	bool roots = vtd_root_ir_active();

	write32(u, VTD_FECTL_REG, VTD_FECTL_IM);
	if (roots) {
		if (u->ir_enabled)
			hand_back_table(u, root);
	/* Remapping relies on the queue to invalidate: it goes off first. */
	} else if (read32(u, VTD_GSTS_REG) & VTD_GCMD_IRE) {
		global_command(u, 0, VTD_GCMD_IRE, VTD_GCMD_IRE, false);
	}
	u->ir_enabled = false;
	if (read32(u, VTD_GSTS_REG) & VTD_GCMD_TE)
		global_command(u, 0, VTD_GCMD_TE, VTD_GCMD_TE, false);
	if (u->use_qi && roots) {
		if (hand_back_queue(u, root))
			printk("VT-d unit %u: root's queue could not be "
			       "handed back\n", unit_index(u));
	} else if (u->use_qi) {
		stop_queue(u);
	}
	if (roots)
		hand_back_fault_events(u, root);
	u->enabled = false;
}

void vtd_shutdown(void)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		disable_unit(&units[i]);
	free_tables();
	reset_state();
}

const struct iommu_ops vtd_iommu_ops = {
	.name = "VT-d",
	.init = vtd_init,
	.enable = vtd_enable,
	.shutdown = vtd_shutdown,
	.cell_init = vtd_cell_init,
	.cell_exit = vtd_cell_exit,
	.map_memory_region = vtd_map_memory_region,
	.unmap_memory_region = vtd_unmap_memory_region,
	.add_pci_device = vtd_add_pci_device,
	.remove_pci_device = vtd_remove_pci_device,
	.config_commit = vtd_config_commit,
	.check_faults = vtd_check_faults,
	.irq_remapping = vtd_irq_remapping,
	.alloc_irtes = vtd_alloc_irtes,
	.free_irtes = vtd_free_irtes,
	.map_interrupt = vtd_map_interrupt,
	.msi_address = vtd_msi_address,
	.msi_data = vtd_msi_data,
	.ioapic_entry = vtd_ioapic_entry,
	.root_ioapic_entry_ok = vtd_root_ir_ioapic_entry_ok,
	.root_msi_ok = vtd_root_ir_msi_ok,
};
