// SPDX-License-Identifier: GPL-2.0
/*
 * VT-d DMA remapping: what each cell's devices may reach.
 *
 * Tables live in the hypervisor's page pool. The units are driven only
 * through asm/hw.h, so this file runs unchanged against the simulator's
 * model, which keeps stale cache entries exactly like hardware does until we
 * invalidate them.
 */
#include <core/errno.h>
#include <core/page_pool.h>
#include <core/paging.h>
#include <core/printk.h>
#include <asm/hw.h>
#include <asm/page_formats.h>
#include <asm/vtd.h>

#define NUM_BUSES 256
#define ENTRIES_PER_TABLE 256 /* 16-byte root and context entries */
#define QUEUE_ENTRIES 256 /* one page of 16-byte descriptors, IQA.QS 0 */
#define POLL_LIMIT 1000000UL
/* Domain 0 is reserved when the unit runs in caching mode: never used. */
#define MAX_DOMAINS 256

struct vtd_unit {
	u8 *regs;
	u64 cap;
	u64 ecap;
	bool use_qi;
	u64 *queue; /* invalidation queue, one page */
	unsigned int queue_tail;
	u32 wait_seq; /* last status value a wait descriptor wrote */
	bool enabled;
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

/* Keeps the compiler from moving table stores past an MMIO write. */
static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

static u64 pool_phys(const void *virt)
{
	return page_pool_virt2phys(&mem_pool, virt);
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
	barrier();
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
 * The engine writes table entries without flushing caches, so page walks
 * must be coherent; we never flush write buffers, so RWBF must be clear.
 */
static int check_features(void)
{
	char missing[160];
	int len = 0;

	if (!sagaw_of_all_units())
		len += snprintk(missing + len, sizeof(missing) - len,
				" 3/4-level-tables(SAGAW)");
	if (!all_units_have(false, VTD_ECAP_C))
		len += snprintk(missing + len, sizeof(missing) - len,
				" coherent-walks(ECAP.C)");
	if (any_unit_has_cap(VTD_CAP_RWBF))
		len += snprintk(missing + len, sizeof(missing) - len,
				" no-write-buffer-flush(CAP.RWBF)");
	if (len == 0)
		return 0;
	printk("VT-d: unsupported hardware, missing:%s\n", missing);
	return -EIO;
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

static int map_unit(unsigned int i, const struct jailhouse_iommu *cfg)
{
	struct vtd_unit *u = &units[i];

	if (cfg->base == 0 || cfg->size < PAGE_SIZE) {
		printk("VT-d unit %u: invalid base 0x%llx / size 0x%x\n", i,
		       (unsigned long long)cfg->base, cfg->size);
		return -EINVAL;
	}
	u->regs = hw_map_phys(cfg->base, PAGE_SIZE);
	if (!u->regs)
		return -ENOMEM;
	u->cap = read64(u, VTD_CAP_REG);
	u->ecap = read64(u, VTD_ECAP_REG);
	u->use_qi = u->ecap & VTD_ECAP_QI;
	if (read32(u, VTD_GSTS_REG) & VTD_GCMD_TE) {
		printk("VT-d unit %u: translation already enabled "
		       "(boot Linux with intel_iommu=off)\n", i);
		return -EBUSY;
	}
	return 0;
}

static void unmap_units(void)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		if (units[i].regs)
			hw_unmap_phys(units[i].regs, PAGE_SIZE);
}

static void reset_state(void)
{
	unsigned int i;

	for (i = 0; i < JAILHOUSE_MAX_IOMMU_UNITS; i++)
		units[i] = (struct vtd_unit){ 0 };
	for (i = 0; i < NUM_BUSES; i++)
		context_tables[i] = NULL;
	for (i = 0; i < ARRAY_SIZE(domain_map); i++)
		domain_map[i] = 0;
	num_units = 0;
	root_table = NULL;
	wait_status = NULL;
	sl_format = NULL;
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
	if (wait_status)
		page_free(&mem_pool, (void *)wait_status, 1);
}

static int init_units(const struct jailhouse_system *system)
{
	unsigned int i;
	int err;

	for (i = 0; i < num_units; i++) {
		err = map_unit(i, &system->platform_info.iommu_units[i]);
		if (err)
			return err;
	}
	err = check_features();
	if (err)
		return err;
	choose_sl_format();
	num_domains = domains_of_all_units();

	root_table = page_alloc(&mem_pool, 1);
	if (!root_table)
		return -ENOMEM;
	return alloc_queues();
}

int vtd_init(const struct jailhouse_system *system)
{
	int err;

	reset_state();
	num_units = system->platform_info.num_iommu_units;
	if (num_units > JAILHOUSE_MAX_IOMMU_UNITS) {
		printk("VT-d: %u units configured, at most %u supported\n",
		       num_units, JAILHOUSE_MAX_IOMMU_UNITS);
		num_units = 0;
		return -EINVAL;
	}
	if (num_units == 0) {
		printk("WARNING: no VT-d unit configured: DMA of devices is "
		       "NOT isolated between cells\n");
		return 0;
	}
	err = init_units(system);
	if (err) {
		free_tables();
		unmap_units();
		reset_state();
	}
	return err;
}

unsigned int vtd_num_units(void)
{
	return num_units;
}

/* Domains and cells */

static int alloc_domain_id(void)
{
	unsigned int id;

	for (id = 1; id < num_domains; id++)
		if (!(domain_map[id / 64] & (1ULL << (id % 64)))) {
			domain_map[id / 64] |= 1ULL << (id % 64);
			return id;
		}
	return -1;
}

static void free_domain_id(u16 id)
{
	domain_map[id / 64] &= ~(1ULL << (id % 64));
}

int vtd_cell_init(struct cell *cell)
{
	int id, err;

	if (num_units == 0)
		return 0;
	id = alloc_domain_id();
	if (id < 0) {
		printk("VT-d: no free domain id for cell \"%s\"\n",
		       cell_name(cell));
		return -ENOMEM;
	}
	err = paging_create(&cell->arch.dma, sl_format, &mem_pool);
	if (err) {
		free_domain_id(id);
		return err;
	}
	cell->arch.domain_id = id;
	return 0;
}

void vtd_cell_exit(struct cell *cell)
{
	if (num_units == 0 || !cell->arch.dma.root)
		return;
	paging_destroy(&cell->arch.dma);
	free_domain_id(cell->arch.domain_id);
	cell->arch.domain_id = 0;
}

static u32 dma_flags(const struct jailhouse_memory *mem)
{
	u32 flags = 0;

	if (mem->flags & JAILHOUSE_MEM_READ)
		flags |= PAGE_FLAG_READ;
	if (mem->flags & JAILHOUSE_MEM_WRITE)
		flags |= PAGE_FLAG_WRITE;
	return flags;
}

int vtd_map_memory_region(struct cell *cell,
			  const struct jailhouse_memory *mem)
{
	u32 flags = dma_flags(mem);
	int err;

	if (num_units == 0 || !(mem->flags & JAILHOUSE_MEM_DMA) || !flags)
		return 0;
	err = paging_map(&cell->arch.dma, mem->virt_start, mem->phys_start,
			 mem->size, flags);
	if (err)
		printk("VT-d: cell \"%s\": cannot map DMA region 0x%llx "
		       "(size 0x%llx): error %d\n", cell_name(cell),
		       (unsigned long long)mem->virt_start,
		       (unsigned long long)mem->size, err);
	return err;
}

int vtd_unmap_memory_region(struct cell *cell,
			    const struct jailhouse_memory *mem)
{
	if (num_units == 0 || !(mem->flags & JAILHOUSE_MEM_DMA))
		return 0;
	return paging_unmap(&cell->arch.dma, mem->virt_start, mem->size);
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
		root_table[bus * 2 + 1] = 0;
		barrier();
		root_table[bus * 2] = pool_phys(table) | VTD_ROOT_PRESENT;
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
	page_free(&mem_pool, context_tables[bus], 1);
	context_tables[bus] = NULL;
}

/* The unit may read an entry at any time: never expose a half-written one. */
static void write_context_entry(u64 *ce, u64 lo, u64 hi)
{
	ce[0] = 0;
	barrier();
	ce[1] = hi;
	barrier();
	ce[0] = lo;
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

void vtd_remove_pci_device(const struct jailhouse_pci_device *dev)
{
	unsigned int bus = dev->bdf >> 8;
	u64 *ce;

	if (num_units == 0)
		return;
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

/* Context cache and IOTLB, globally, then wait until both are done. */
static int flush_by_queue(struct vtd_unit *u)
{
	u64 status_phys = pool_phys((const void *)&wait_status[unit_index(u)]);
	u32 seq = ++u->wait_seq;

	queue_descriptor(u, VTD_QI_CC_GLOBAL, 0);
	queue_descriptor(u, VTD_QI_IOTLB_GLOBAL, 0);
	queue_descriptor(u, VTD_QI_WAIT_SW |
				    (u64)seq << VTD_QI_WAIT_DATA_SHIFT,
			 status_phys);
	write64(u, VTD_IQT_REG, (u64)u->queue_tail << 4);
	return wait_queue(u, seq);
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
	write64(u, VTD_IQA_REG, pool_phys(u->queue));
	write64(u, VTD_IQT_REG, 0);
	return global_command(u, VTD_GCMD_QIE, 0, VTD_GCMD_QIE, true);
}

static int enable_unit(struct vtd_unit *u)
{
	int err;

	write64(u, VTD_RTADDR_REG, pool_phys(root_table));
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
	return err;
}

int vtd_enable(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < num_units; i++) {
		err = enable_unit(&units[i]);
		if (err) {
			printk("VT-d unit %u: enabling failed: %d\n", i, err);
			return err;
		}
	}
	return 0;
}

static void disable_unit(struct vtd_unit *u)
{
	if (read32(u, VTD_GSTS_REG) & VTD_GCMD_TE)
		global_command(u, 0, VTD_GCMD_TE, VTD_GCMD_TE, false);
	if (u->use_qi)
		stop_queue(u);
	u->enabled = false;
}

void vtd_shutdown(void)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		disable_unit(&units[i]);
	free_tables();
	unmap_units();
	reset_state();
}
