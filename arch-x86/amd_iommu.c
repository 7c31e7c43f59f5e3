// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-Vi DMA and interrupt remapping: what each cell's devices may reach,
 * and which CPUs their interrupts may hit.
 *
 * Tables live in the hypervisor's page pool. The units are driven only
 * through asm/hw.h and their command buffers, so this file runs unchanged
 * against the simulator's model, which keeps device table entries,
 * translations and interrupt entries cached until a command invalidates
 * them, as hardware does.
 */
#include <core/arch.h>
#include <core/errno.h>
#include <core/page_pool.h>
#include <core/paging.h>
#include <core/printk.h>
#include <asm/amd_iommu.h>
#include <asm/apic.h>
#include <asm/iommu_common.h>
#include <asm/hw.h>
#include <asm/page_formats.h>
#include <asm/pci.h>

#define RING_LEN 8 /* log2: 256 entries of 16 bytes, one page */
#define RING_ENTRIES (1U << RING_LEN)
/* Commands between two waits: the ring never fills. */
#define BATCH_LIMIT (RING_ENTRIES - 2)
#define POLL_LIMIT 1000000UL
#define MAX_DOMAINS 256
#define NUM_DEVICE_IDS 0x10000
#define DTE_WORDS (AMDVI_DTE_SIZE / 8)
#define DEV_TABLE_MAX_ENTRIES                                                 \
	(AMDVI_DEV_TABLE_MAX_PAGES * PAGE_SIZE / AMDVI_DTE_SIZE)

struct amdvi_unit {
	u8 *regs;
	u64 efr;
	u16 bdf; /* its own PCI function */
	u8 msi_cap;
	u16 first, last; /* device ids it translates */
	u64 *cmd_buf;
	unsigned int cmd_tail;
	unsigned int cmd_pending; /* commands since the last wait */
	u64 *evt_log;
	u64 wait_seq;
	bool enabled;
};

static struct amdvi_unit units[JAILHOUSE_MAX_IOMMU_UNITS];
static unsigned int num_units;
/* The shared device table: entries for ids 0 .. dev_table_entries - 1. */
static u64 *dev_table;
static unsigned int dev_table_pages;
static unsigned int dev_table_entries;
/* One quadword per unit that its completion waits write to. */
static volatile u64 *wait_words;
static bool walks_coherent;
static unsigned int num_domains_used;
static u64 domain_map[MAX_DOMAINS / 64];
static struct cell *domain_cell[MAX_DOMAINS];
static struct iommu_domains domains = {
	.unit = "AMD-Vi",
	.map = domain_map,
	.cell = domain_cell,
	.limit = MAX_DOMAINS,
};
/* Device ids whose entries changed since the last commit. */
static u64 dirty_devices[NUM_DEVICE_IDS / 64];
static unsigned long events_logged;

/* Interrupt remapping */
static bool ir_available;
static bool ir_x2apic; /* 128-bit entries, 32-bit destinations */
static struct cell *irte_owner[AMDVI_NUM_IRTES];
static struct iommu_irte_owners irte_table = {
	.unit = "AMD-Vi",
	.owner = irte_owner,
	.entries = AMDVI_NUM_IRTES,
};
/* The device id whose table holds each index's entry; -1: none. */
static int irte_source[AMDVI_NUM_IRTES];

static void publish(const void *p, unsigned long size)
{
	iommu_publish(p, size, walks_coherent);
}

static u64 read64(const struct amdvi_unit *u, unsigned int reg)
{
	return hw_mmio_read64(u->regs + reg);
}

static void write64(struct amdvi_unit *u, unsigned int reg, u64 value)
{
	iommu_barrier();
	hw_mmio_write64(u->regs + reg, value);
}

static unsigned int unit_index(const struct amdvi_unit *u)
{
	return u - units;
}

static void print_bdf_of(const char *prefix, u16 bdf, const char *suffix)
{
	printk("%s%02x:%02x.%x%s", prefix, bdf >> 8, (bdf >> 3) & 0x1f,
	       bdf & 7, suffix);
}

static bool in_range(const struct amdvi_unit *u, u16 devid)
{
	return devid >= u->first && devid <= u->last;
}

/* The unit that translates a device id, or NULL. */
static struct amdvi_unit *unit_of(u16 devid)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		if (in_range(&units[i], devid))
			return &units[i];
	return NULL;
}

/* Device table entries */

static u64 *dte_of(u16 devid)
{
	return &dev_table[(unsigned int)devid * DTE_WORDS];
}

static void mark_dirty(u16 devid)
{
	dirty_devices[devid / 64] |= 1ULL << (devid % 64);
}

/*
 * No DMA at all (translation valid, no page table, neither IR nor IW) and,
 * with remapping on, fixed interrupts aborted (IntCtl 0) and no other kind
 * passed: what every device id no cell owns gets.
 */
static u64 blocked_dma_word(void)
{
	return AMDVI_DTE_V | AMDVI_DTE_TV;
}

static u64 blocked_irq_word(void)
{
	return ir_available ? AMDVI_DTE_IV : 0;
}

/*
 * The unit reads an entry whenever it likes: the DMA word is blocked
 * first, the domain follows, the word that opens the page tables last.
 */
static void write_dte_dma(u16 devid, u64 dma, u64 domain)
{
	u64 *dte = dte_of(devid);

	dte[0] = blocked_dma_word();
	publish(dte, AMDVI_DTE_SIZE);
	dte[1] = domain;
	publish(dte, AMDVI_DTE_SIZE);
	dte[0] = dma;
	publish(dte, AMDVI_DTE_SIZE);
	mark_dirty(devid);
}

static void write_dte_irq(u16 devid, u64 irq)
{
	u64 *dte = dte_of(devid);

	dte[2] = irq;
	publish(dte, AMDVI_DTE_SIZE);
	mark_dirty(devid);
}

static void fill_dev_table(void)
{
	unsigned int id;

	for (id = 0; id < dev_table_entries; id++) {
		dte_of(id)[0] = blocked_dma_word();
		dte_of(id)[2] = blocked_irq_word();
	}
	publish(dev_table, dev_table_pages * PAGE_SIZE);
}

/* The cell whose domain a device's entry names now, or NULL. */
static struct cell *owner_of(u16 devid)
{
	u64 domain;

	if (devid >= dev_table_entries)
		return NULL;
	domain = dte_of(devid)[1] & AMDVI_DTE_DOMAIN_MASK;
	return domain < MAX_DOMAINS ? domain_cell[domain] : NULL;
}

/* Initialisation */

static void reset_state(void)
{
	unsigned int i;

	for (i = 0; i < JAILHOUSE_MAX_IOMMU_UNITS; i++)
		units[i] = (struct amdvi_unit){ 0 };
	for (i = 0; i < ARRAY_SIZE(domain_map); i++)
		domain_map[i] = 0;
	for (i = 0; i < MAX_DOMAINS; i++)
		domain_cell[i] = NULL;
	for (i = 0; i < ARRAY_SIZE(dirty_devices); i++)
		dirty_devices[i] = 0;
	for (i = 0; i < AMDVI_NUM_IRTES; i++) {
		irte_owner[i] = NULL;
		irte_source[i] = -1;
	}
	num_units = 0;
	dev_table = NULL;
	dev_table_pages = 0;
	dev_table_entries = 0;
	wait_words = NULL;
	walks_coherent = false;
	ir_available = false;
	ir_x2apic = false;
	num_domains_used = 0;
	events_logged = 0;
}

/*
 * The unit's PCI capability tells where firmware put its registers: a
 * config that names another base describes another machine.
 */
static int check_capability(unsigned int i, const struct jailhouse_iommu *cfg)
{
	u32 header = pci_hw_read(cfg->amd_bdf, cfg->amd_base_cap, 4);
	u64 base = pci_hw_read(cfg->amd_bdf, cfg->amd_base_cap +
						     AMDVI_CAP_BASE_LO, 4) |
		   (u64)pci_hw_read(cfg->amd_bdf, cfg->amd_base_cap +
							  AMDVI_CAP_BASE_HI,
				    4) << 32;

	if ((header & 0xff) != AMDVI_CAP_ID) {
		printk("AMD-Vi unit %u: no IOMMU capability at 0x%x of ", i,
		       cfg->amd_base_cap);
		print_bdf_of("", cfg->amd_bdf, "\n");
		return -ENODEV;
	}
	if ((base & ~0x3fffULL) != cfg->base) {
		printk("AMD-Vi unit %u: registers at 0x%llx (%s), config says "
		       "0x%llx\n", i, (unsigned long long)(base & ~0x3fffULL),
		       base & AMDVI_CAP_BASE_ENABLE ? "enabled" : "disabled",
		       (unsigned long long)cfg->base);
		return -ENODEV;
	}
	/*
	 * Firmware sets the enable bit; QEMU's model leaves it clear and
	 * decodes the registers all the same. A unit that does not decode
	 * them shows all ones, which the checks after this refuse.
	 */
	if (!(base & AMDVI_CAP_BASE_ENABLE))
		printk("AMD-Vi unit %u: the capability leaves its register "
		       "base 0x%llx disabled; taken as the config says\n",
		       i, (unsigned long long)cfg->base);
	return 0;
}

static int map_unit(unsigned int i, const struct jailhouse_iommu *cfg)
{
	struct amdvi_unit *u = &units[i];
	int err = check_capability(i, cfg);

	if (err)
		return err;
	u->regs = hw_map_device(cfg->base, JAILHOUSE_IOMMU_AMD_MIN_SIZE);
	if (!u->regs)
		return -ENOMEM;
	u->efr = read64(u, AMDVI_EXT_FEATURES);
	u->bdf = cfg->amd_bdf;
	u->msi_cap = cfg->amd_msi_cap;
	u->first = cfg->amd_first_device;
	u->last = cfg->amd_last_device;
	if (read64(u, AMDVI_CONTROL) & AMDVI_CTRL_IOMMU_EN) {
		printk("AMD-Vi unit %u: translation already enabled "
		       "(boot Linux with amd_iommu=off)\n", i);
		return -EBUSY;
	}
	return 0;
}

static bool all_units_have(u64 efr_bit)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		if (!(units[i].efr & efr_bit))
			return false;
	return true;
}

/*
 * Every AMD-Vi unit remaps interrupts; x2APIC destinations need the
 * 128-bit entries (GASup) with 32-bit destinations (XTSup). Without them
 * we run like without units: loudly, interrupts not isolated.
 */
static void check_ir_features(const struct jailhouse_system *system)
{
	ir_x2apic = system->platform_info.apic_mode ==
		    JAILHOUSE_APIC_MODE_X2APIC;
	ir_available = !ir_x2apic ||
		       (all_units_have(AMDVI_EFR_GA) &&
			all_units_have(AMDVI_EFR_XT));
	if (!ir_available)
		printk("WARNING: AMD-Vi cannot remap x2APIC interrupts, "
		       "missing: 128-bit-entries(GASup) or "
		       "x2APIC-destinations(XTSup): interrupts of devices are "
		       "NOT isolated between cells\n");
}

static bool all_units_coherent(const struct jailhouse_system *system)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		if (!(system->platform_info.iommu_units[i].amd_features &
		      JAILHOUSE_IOMMU_AMD_COHERENT))
			return false;
	return true;
}

static unsigned int highest_device_id(void)
{
	unsigned int i, last = 0;

	for (i = 0; i < num_units; i++)
		last = MAX(last, units[i].last);
	return last;
}

static int alloc_dev_table(void)
{
	dev_table_entries = highest_device_id() + 1;
	dev_table_pages = (dev_table_entries * AMDVI_DTE_SIZE + PAGE_SIZE - 1) /
			  PAGE_SIZE;
	dev_table = page_alloc(&mem_pool, dev_table_pages);
	if (!dev_table) {
		printk("AMD-Vi: no %u contiguous pages for the device table\n",
		       dev_table_pages);
		return -ENOMEM;
	}
	fill_dev_table();
	return 0;
}

static int alloc_rings(void)
{
	unsigned int i;

	wait_words = page_alloc(&mem_pool, 1);
	if (!wait_words)
		return -ENOMEM;
	for (i = 0; i < num_units; i++) {
		units[i].cmd_buf = page_alloc(&mem_pool, 1);
		units[i].evt_log = page_alloc(&mem_pool, 1);
		if (!units[i].cmd_buf || !units[i].evt_log)
			return -ENOMEM;
	}
	return 0;
}

/* The interrupt table a device entry points to, or NULL. */
static u64 *int_table_of(u16 devid)
{
	u64 irq = dte_of(devid)[2];

	if (!(irq & AMDVI_DTE_IV) || !(irq & AMDVI_DTE_INT_TAB_MASK))
		return NULL;
	return page_pool_phys2virt(&mem_pool, irq & AMDVI_DTE_INT_TAB_MASK);
}

static void free_tables(void)
{
	unsigned int i;
	u64 *table;

	for (i = 0; i < num_units; i++) {
		if (units[i].cmd_buf)
			page_free(&mem_pool, units[i].cmd_buf, 1);
		if (units[i].evt_log)
			page_free(&mem_pool, units[i].evt_log, 1);
	}
	if (dev_table) {
		for (i = 0; i < dev_table_entries; i++) {
			table = int_table_of(i);
			if (table)
				page_free(&mem_pool, table, 1);
		}
		page_free(&mem_pool, dev_table, dev_table_pages);
	}
	if (wait_words)
		page_free(&mem_pool, (void *)wait_words, 1);
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
	check_ir_features(system);
	walks_coherent = all_units_coherent(system);
	if (!walks_coherent)
		printk("AMD-Vi: table reads do not snoop caches (IVHD "
		       "Coherent clear): flushing every table store\n");
	err = alloc_dev_table();
	if (!err)
		err = alloc_rings();
	return err;
}

int amdvi_init(const struct jailhouse_system *system)
{
	int err;

	reset_state();
	err = iommu_units_configured("AMD-Vi", system);
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

unsigned int amdvi_num_units(void)
{
	return num_units;
}

/* The command buffer */

static u32 status_of(const struct amdvi_unit *u)
{
	return (u32)read64(u, AMDVI_STATUS);
}

static int wait_for(struct amdvi_unit *u, u64 seq)
{
	volatile u64 *word = &wait_words[unit_index(u)];
	unsigned long n;

	for (n = 0; n < POLL_LIMIT; n++) {
		if (*word == seq)
			return 0;
		if (!(status_of(u) & AMDVI_STATUS_CMD_RUN)) {
			printk("AMD-Vi unit %u: command buffer stopped at "
			       "0x%llx\n", unit_index(u),
			       (unsigned long long)read64(u,
							  AMDVI_CMD_BUF_HEAD));
			return -EIO;
		}
		hw_pause();
	}
	printk("AMD-Vi unit %u: completion wait timed out\n", unit_index(u));
	return -ETIMEDOUT;
}

static void put_command(struct amdvi_unit *u, u64 lo, u64 hi)
{
	volatile u64 *c = &u->cmd_buf[u->cmd_tail * 2];

	c[0] = lo;
	c[1] = hi;
	u->cmd_tail = (u->cmd_tail + 1) % RING_ENTRIES;
}

/* Hands the commands to the unit and waits until all are done. */
static int submit(struct amdvi_unit *u)
{
	u64 seq = ++u->wait_seq;

	put_command(u, iommu_phys((const void *)&wait_words[unit_index(u)]) |
			       AMDVI_CMD_WAIT_STORE |
			       AMDVI_CMD_COMPLETION_WAIT
				       << AMDVI_CMD_OPCODE_SHIFT,
		    seq);
	u->cmd_pending = 0;
	write64(u, AMDVI_CMD_BUF_TAIL, (u64)u->cmd_tail << 4);
	return wait_for(u, seq);
}

/* Queues a command; a full batch is submitted first. */
static int command(struct amdvi_unit *u, u64 opcode, u64 lo, u64 hi)
{
	int err = 0;

	if (u->cmd_pending == BATCH_LIMIT)
		err = submit(u);
	put_command(u, lo | opcode << AMDVI_CMD_OPCODE_SHIFT, hi);
	u->cmd_pending++;
	return err;
}

static int inv_dev_entry(struct amdvi_unit *u, u16 devid)
{
	return command(u, AMDVI_CMD_INV_DEV_ENTRY, devid, 0);
}

static int inv_int_table(struct amdvi_unit *u, u16 devid)
{
	return command(u, AMDVI_CMD_INV_INT_TABLE, devid, 0);
}

static int inv_domain_pages(struct amdvi_unit *u, u16 domain)
{
	return command(u, AMDVI_CMD_INV_PAGES,
		       (u64)domain << AMDVI_CMD_DOMAIN_SHIFT,
		       AMDVI_INV_ALL_PAGES | AMDVI_CMD_INV_PAGES_S |
			       AMDVI_CMD_INV_PAGES_PDE);
}

static int first_error(int a, int b)
{
	return a ? a : b;
}

/* Every cached entry of the unit: at enable, nothing may predate us. */
static int inv_everything(struct amdvi_unit *u)
{
	unsigned int id, domain;
	int err = 0;

	if (u->efr & AMDVI_EFR_IA) {
		err = command(u, AMDVI_CMD_INV_ALL, 0, 0);
		return first_error(err, submit(u));
	}
	for (id = u->first; id <= u->last; id++) {
		err = first_error(err, inv_dev_entry(u, id));
		err = first_error(err, inv_int_table(u, id));
	}
	for (domain = 0; domain < MAX_DOMAINS; domain++)
		err = first_error(err, inv_domain_pages(u, domain));
	return first_error(err, submit(u));
}

/* Domains and cells */

int amdvi_cell_init(struct cell *cell)
{
	int err;

	if (num_units == 0)
		return 0;
	err = iommu_cell_dma_init(&domains, cell, &amdvi_format,
				  walks_coherent);
	if (!err)
		num_domains_used++;
	return err;
}

static void release_cell_irtes(struct cell *cell);

void amdvi_cell_exit(struct cell *cell)
{
	if (ir_available)
		release_cell_irtes(cell);
	if (num_units == 0 || !cell->arch.dma.root)
		return;
	iommu_cell_dma_exit(&domains, cell);
	num_domains_used--;
}

int amdvi_map_memory_region(struct cell *cell,
			    const struct jailhouse_memory *mem)
{
	if (num_units == 0)
		return 0;
	return iommu_dma_map("AMD-Vi", cell, mem);
}

int amdvi_unmap_memory_region(struct cell *cell,
			      const struct jailhouse_memory *mem)
{
	if (num_units == 0)
		return 0;
	return iommu_dma_unmap(cell, mem);
}

/* Devices */

static int check_device(const struct cell *cell,
			const struct jailhouse_pci_device *dev)
{
	if (dev->iommu >= num_units) {
		print_bdf_of("AMD-Vi: device ", dev->bdf, "");
		printk(" names unit %u of %u\n", dev->iommu, num_units);
		return -EINVAL;
	}
	if (!in_range(&units[dev->iommu], dev->bdf)) {
		print_bdf_of("AMD-Vi: device ", dev->bdf, "");
		printk(" is outside the range of unit %u\n", dev->iommu);
		return -EINVAL;
	}
	if (!cell->arch.dma.root) {
		printk("AMD-Vi: cell \"%s\" has no DMA tables for device ",
		       cell_name(cell));
		print_bdf_of("", dev->bdf, "\n");
		return -EINVAL;
	}
	return 0;
}

int amdvi_add_pci_device(struct cell *cell,
			 const struct jailhouse_pci_device *dev)
{
	int err;

	if (num_units == 0)
		return 0;
	err = check_device(cell, dev);
	if (err)
		return err;
	write_dte_dma(dev->bdf,
		      AMDVI_DTE_V | AMDVI_DTE_TV |
			      (u64)AMDVI_PT_LEVELS << AMDVI_DTE_MODE_SHIFT |
			      paging_root_phys(&cell->arch.dma) |
			      AMDVI_DTE_IR | AMDVI_DTE_IW,
		      cell->arch.domain_id);
	return 0;
}

static void release_int_table(u16 devid);

void amdvi_remove_pci_device(const struct jailhouse_pci_device *dev)
{
	if (num_units == 0 || dev->bdf >= dev_table_entries)
		return;
	/* Its interrupts must not reach the old owner's CPUs any more. */
	if (ir_available)
		release_int_table(dev->bdf);
	write_dte_dma(dev->bdf, blocked_dma_word(), 0);
}

/* The device entries that changed and every live domain's pages. */
static int flush_unit(struct amdvi_unit *u)
{
	unsigned int id, domain;
	int err = 0;

	for (id = u->first; id <= u->last; id++)
		if (dirty_devices[id / 64] & (1ULL << (id % 64)))
			err = first_error(err, inv_dev_entry(u, id));
	for (domain = 1; domain < MAX_DOMAINS; domain++)
		if (domain_cell[domain])
			err = first_error(err, inv_domain_pages(u, domain));
	return first_error(err, submit(u));
}

void amdvi_config_commit(struct cell *cell_added_removed)
{
	unsigned int i;

	(void)cell_added_removed;
	for (i = 0; i < num_units; i++)
		if (units[i].enabled)
			flush_unit(&units[i]);
	for (i = 0; i < ARRAY_SIZE(dirty_devices); i++)
		dirty_devices[i] = 0;
}

/* Interrupt remapping */

bool amdvi_irq_remapping(void)
{
	return ir_available;
}

/* Entry index of a device's table: 4 or 16 bytes each. */
static u64 *irte_in(u64 *table, unsigned int index)
{
	return ir_x2apic ? &table[index * 2] : (u64 *)((u32 *)table + index);
}

static bool irte_present(u64 *table, unsigned int index)
{
	return *(u32 *)irte_in(table, index) & AMDVI_IRTE_REMAP_EN;
}

/*
 * The unit may fetch an entry at any moment: RemapEn goes last, and a
 * live entry is taken out before its destination half changes.
 */
static void write_irte(u64 *table, unsigned int index, u64 lo, u64 hi)
{
	u64 *e = irte_in(table, index);

	if (!ir_x2apic) {
		*(u32 *)e = (u32)lo;
		publish(e, 4);
		return;
	}
	if (e[0] & AMDVI_IRTE_REMAP_EN) {
		e[0] = 0;
		publish(e, 16);
	}
	e[1] = hi;
	publish(e, 16);
	e[0] = lo;
	publish(e, 16);
}

/* Makes a device's entry and table changes visible to its unit now. */
static int flush_interrupts(u16 devid, bool entry_changed)
{
	struct amdvi_unit *u = unit_of(devid);
	int err = 0;

	if (!u || !u->enabled)
		return 0;
	if (entry_changed)
		err = inv_dev_entry(u, devid);
	err = first_error(err, inv_int_table(u, devid));
	return first_error(err, submit(u));
}

/* A device's table, made (and its entry pointed at it) if it has none. */
static u64 *get_int_table(u16 devid)
{
	u64 *table = int_table_of(devid);

	if (table)
		return table;
	table = page_alloc(&mem_pool, 1);
	if (!table)
		return NULL;
	publish(table, PAGE_SIZE);
	write_dte_irq(devid, AMDVI_DTE_IV | iommu_phys(table) |
				     (u64)AMDVI_INT_TAB_LEN
					     << AMDVI_DTE_INT_TAB_LEN_SHIFT |
				     AMDVI_INTCTL_REMAP
					     << AMDVI_DTE_INTCTL_SHIFT);
	return table;
}

/* The entry of index, wherever it is, gone; the index stays allocated. */
static void clear_irte(unsigned int index)
{
	int source = irte_source[index];
	u64 *table;

	if (source < 0)
		return;
	irte_source[index] = -1;
	table = int_table_of((u16)source);
	if (table && irte_present(table, index)) {
		write_irte(table, index, 0, 0);
		flush_interrupts((u16)source, false);
	}
}

/*
 * A device leaving its cell: its table goes, and with it every entry of
 * it; the indices stay their cells'. The entry is blocked before the
 * table is freed, and the unit told before the page can be reused.
 */
static void release_int_table(u16 devid)
{
	u64 *table = int_table_of(devid);
	unsigned int i;

	if (!table)
		return;
	for (i = 0; i < AMDVI_NUM_IRTES; i++)
		if (irte_source[i] == devid)
			irte_source[i] = -1;
	write_dte_irq(devid, blocked_irq_word());
	flush_interrupts(devid, true);
	page_free(&mem_pool, table, 1);
}

int amdvi_alloc_irtes(struct cell *cell, unsigned int count)
{
	if (!ir_available)
		return 0;
	return iommu_irtes_alloc(&irte_table, cell, count);
}

static bool owns_irte(const struct cell *cell, unsigned int index)
{
	return iommu_irte_owned(&irte_table, cell, index);
}

void amdvi_free_irtes(struct cell *cell, unsigned int first,
		      unsigned int count)
{
	unsigned int i;

	if (!ir_available)
		return;
	if (!iommu_irtes_in_table(&irte_table, cell, first, count))
		return;
	for (i = first; i < first + count; i++)
		if (owns_irte(cell, i)) {
			clear_irte(i);
			irte_owner[i] = NULL;
		}
}

static void release_cell_irtes(struct cell *cell)
{
	unsigned int i;

	for (i = 0; i < AMDVI_NUM_IRTES; i++)
		if (irte_owner[i] == cell) {
			clear_irte(i);
			irte_owner[i] = NULL;
		}
}

/* The device table entry is the truth about who owns a device now. */
static bool cell_has_device(const struct cell *cell, u16 devid)
{
	return cell->arch.domain_id && owner_of(devid) == cell &&
	       (dte_of(devid)[0] & AMDVI_DTE_MODE_MASK);
}

static int check_source(const struct cell *cell, u16 source_id)
{
	if (source_id >= dev_table_entries || !unit_of(source_id)) {
		printk("AMD-Vi: cell \"%s\": no unit translates interrupt "
		       "source ", cell_name(cell));
		print_bdf_of("", source_id, "\n");
		return -EINVAL;
	}
	if (iommu_cell_has_ioapic(cell, source_id) ||
	    cell_has_device(cell, source_id))
		return 0;
	printk("AMD-Vi: cell \"%s\": interrupt source ", cell_name(cell));
	print_bdf_of("", source_id, " is not the cell's\n");
	return -EPERM;
}

/* Remapped format, physical destination (DM 0), guest mode off. */
static void irte_words(const struct iommu_irq *irq, u64 *lo, u64 *hi)
{
	u64 type = (u64)irq->delivery_mode << AMDVI_IRTE_INT_TYPE_SHIFT;

	if (!ir_x2apic) {
		*lo = AMDVI_IRTE_REMAP_EN | type |
		      (u64)(irq->dest_apic_id & 0xff) << AMDVI_IRTE_DEST_SHIFT |
		      (u64)irq->vector << AMDVI_IRTE_VECTOR_SHIFT;
		*hi = 0;
		return;
	}
	*lo = AMDVI_IRTE_REMAP_EN | type |
	      (u64)(irq->dest_apic_id & 0xffffff) << AMDVI_IRTE_DEST_SHIFT;
	*hi = irq->vector |
	      (u64)(irq->dest_apic_id >> 24) << AMDVI_IRTE_GA_DEST_HI_SHIFT;
}

int amdvi_map_interrupt(struct cell *cell, u16 source_id, unsigned int index,
			const struct iommu_irq *irq)
{
	bool new_table;
	u64 *table, lo, hi;
	int err;

	if (!ir_available)
		return 0;
	if (!owns_irte(cell, index))
		return -EPERM;
	err = check_source(cell, source_id);
	if (!err)
		err = iommu_check_irq("AMD-Vi", cell, source_id, irq, ir_x2apic);
	if (err)
		return err;
	/* An index names one entry: not another device's any more. */
	if (irte_source[index] != source_id)
		clear_irte(index);
	new_table = !int_table_of(source_id);
	table = get_int_table(source_id);
	if (!table) {
		print_bdf_of("AMD-Vi: out of memory for the interrupt table "
			     "of ", source_id, "\n");
		return -ENOMEM;
	}
	irte_words(irq, &lo, &hi);
	write_irte(table, index, lo, hi);
	irte_source[index] = source_id;
	return flush_interrupts(source_id, new_table);
}

/* The message keeps the APIC's address; its data names the entry. */
u64 amdvi_msi_address(unsigned int index)
{
	(void)index;
	return AMDVI_MSI_BASE;
}

u32 amdvi_msi_data(unsigned int index)
{
	return index;
}

/*
 * The IOAPIC's message carries the entry's vector field as its data: it
 * holds the index, delivery fixed and destination 0 in physical mode, so
 * that the unit looks the entry up. Polarity, trigger and mask stay.
 */
u64 amdvi_ioapic_entry(unsigned int index, u64 pin_bits)
{
	return (pin_bits & ~0xffULL) | (index & 0xff);
}

/* The event log */

/* Requests to 0xfee00000 - 0xfeefffff are interrupts, others DMA. */
static bool is_interrupt(u32 flags, u64 address)
{
	return (flags & AMDVI_EVT_FLAG_I) &&
	       (address & ~0xfffffULL) == AMDVI_MSI_BASE;
}

static const char *page_fault_reason(u32 flags, u64 address)
{
	if (flags & AMDVI_EVT_FLAG_RZ)
		return "reserved bits set in a table entry";
	if (!(flags & AMDVI_EVT_FLAG_PR))
		return is_interrupt(flags, address) ?
			       "no remapping entry for it" :
			       "no translation for the address";
	return "access not permitted";
}

/*
 * An I flag with an address outside the interrupt range leaves open what
 * the request was: named a DMA, without a direction. QEMU 10's model
 * sets I in every page fault it reports and leaves RW clear.
 */
static const char *page_fault_request(u32 flags, u64 address)
{
	if (flags & AMDVI_EVT_FLAG_I)
		return is_interrupt(flags, address) ? "interrupt to" :
						      "DMA to";
	return flags & AMDVI_EVT_FLAG_RW ? "DMA write to" : "DMA read from";
}

/* " (cell \"x\")" for the cell that owns a device now, or "". */
static void device_owner(u16 devid, char *buf, size_t size)
{
	struct cell *cell = owner_of(devid);

	if (cell)
		snprintk(buf, size, " (cell \"%s\")", cell_name(cell));
	else
		snprintk(buf, size, " (no cell)");
}

static void log_page_fault(const struct amdvi_unit *u, u16 devid, u32 flags,
			   u64 address)
{
	char owner[48];

	device_owner(devid, owner, sizeof(owner));
	printk("AMD-Vi unit %u: %s 0x%llx by %02x:%02x.%x%s blocked: %s "
	       "(flags 0x%03x)\n", unit_index(u),
	       page_fault_request(flags, address),
	       (unsigned long long)address, devid >> 8, (devid >> 3) & 0x1f,
	       devid & 7, owner, page_fault_reason(flags, address), flags);
}

static const char *event_text(unsigned int code)
{
	static const char *const texts[] = {
		[AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY] =
			"illegal device table entry",
		[AMDVI_EVT_DEV_TAB_HW_ERROR] = "device table not accessible",
		[AMDVI_EVT_PAGE_TAB_HW_ERROR] = "page table not accessible",
		[AMDVI_EVT_ILLEGAL_COMMAND] = "illegal command",
		[AMDVI_EVT_COMMAND_HW_ERROR] = "command buffer not accessible",
		[AMDVI_EVT_IOTLB_INV_TIMEOUT] = "IOTLB invalidation timed out",
		[AMDVI_EVT_INVALID_DEVICE_REQUEST] = "invalid device request",
	};

	if (code >= ARRAY_SIZE(texts) || !texts[code])
		return "unknown event";
	return texts[code];
}

static void log_event(const struct amdvi_unit *u, const u64 *e)
{
	unsigned int code = e[0] >> AMDVI_EVT_CODE_SHIFT;
	u32 flags = (e[0] >> AMDVI_EVT_FLAGS_SHIFT) & AMDVI_EVT_FLAGS_MASK;
	u16 devid = e[0] & 0xffff;
	char owner[48];

	if (code == AMDVI_EVT_IO_PAGE_FAULT) {
		log_page_fault(u, devid, flags, e[1]);
		return;
	}
	device_owner(devid, owner, sizeof(owner));
	printk("AMD-Vi unit %u: %s (event 0x%x) for %02x:%02x.%x%s at "
	       "0x%llx\n", unit_index(u), event_text(code), code, devid >> 8,
	       (devid >> 3) & 0x1f, devid & 7, owner,
	       (unsigned long long)e[1]);
}

/* Logging stops at an overflow until the log is switched on again. */
static void restart_event_log(struct amdvi_unit *u)
{
	u64 ctrl = read64(u, AMDVI_CONTROL);

	printk("AMD-Vi unit %u: event log overflowed, later events were "
	       "lost\n", unit_index(u));
	write64(u, AMDVI_CONTROL, ctrl & ~AMDVI_CTRL_EVT_LOG_EN);
	write64(u, AMDVI_STATUS, AMDVI_STATUS_EVT_OVERFLOW);
	write64(u, AMDVI_EVT_LOG_HEAD, 0);
	write64(u, AMDVI_EVT_LOG_TAIL, 0);
	write64(u, AMDVI_CONTROL, ctrl);
}

static bool check_unit_events(struct amdvi_unit *u)
{
	u32 status = status_of(u);
	unsigned int head, tail;
	bool any = false;

	if (!u->enabled)
		return false;
	/* EventLogInt is write-1-to-clear: the next event interrupts again. */
	write64(u, AMDVI_STATUS, AMDVI_STATUS_EVT_INT);
	head = (read64(u, AMDVI_EVT_LOG_HEAD) & AMDVI_RING_OFFSET_MASK) >> 4;
	tail = (read64(u, AMDVI_EVT_LOG_TAIL) & AMDVI_RING_OFFSET_MASK) >> 4;
	while (head != tail && head < RING_ENTRIES) {
		log_event(u, &u->evt_log[head * 2]);
		events_logged++;
		any = true;
		head = (head + 1) % RING_ENTRIES;
	}
	/* Frees the entries for the unit. */
	write64(u, AMDVI_EVT_LOG_HEAD, (u64)head << 4);
	if (status & AMDVI_STATUS_EVT_OVERFLOW) {
		restart_event_log(u);
		any = true;
	}
	return any;
}

bool amdvi_check_faults(void)
{
	unsigned int i;
	bool any = false;

	for (i = 0; i < num_units; i++)
		any |= check_unit_events(&units[i]);
	return any;
}

unsigned long amdvi_event_count(void)
{
	return events_logged;
}

/* Enabling and shutdown */

static void msi_cap_write(struct amdvi_unit *u, unsigned int reg,
			  unsigned int size, u32 value)
{
	pci_hw_write(u->bdf, u->msi_cap + reg, size, value);
}

/*
 * Events are announced by an NMI to IOMMU_FAULT_CPU, through the unit's
 * own MSI capability: no vector of Linux's or a cell's is taken, and the
 * NMI reaches the hypervisor whatever the guest there masked. The unit's
 * own messages are not remapped.
 */
static void route_events(struct amdvi_unit *u)
{
	u32 dest = apic_id_of(IOMMU_FAULT_CPU);
	u16 ctrl = pci_hw_read(u->bdf, u->msi_cap + 2, 2);
	unsigned int data_reg = ctrl & (1U << 7) ? 12 : 8;

	if (dest > 0xff) {
		printk("AMD-Vi unit %u: APIC id %u beyond MSI reach: events "
		       "are only seen when the log is read\n", unit_index(u),
		       dest);
		return;
	}
	msi_cap_write(u, 2, 2, ctrl & ~1U);
	msi_cap_write(u, 4, 4, (u32)AMDVI_MSI_BASE | dest << 12);
	if (data_reg == 12)
		msi_cap_write(u, 8, 4, 0);
	msi_cap_write(u, data_reg, 2, (u32)IOMMU_DLM_NMI << 8);
	msi_cap_write(u, 2, 2, ctrl | 1U);
}

static void start_rings(struct amdvi_unit *u)
{
	u->cmd_tail = 0;
	u->cmd_pending = 0;
	write64(u, AMDVI_CMD_BUF_BASE, iommu_phys(u->cmd_buf) |
						(u64)RING_LEN
							<< AMDVI_RING_LEN_SHIFT);
	write64(u, AMDVI_CMD_BUF_HEAD, 0);
	write64(u, AMDVI_CMD_BUF_TAIL, 0);
	write64(u, AMDVI_EVT_LOG_BASE, iommu_phys(u->evt_log) |
						(u64)RING_LEN
							<< AMDVI_RING_LEN_SHIFT);
	write64(u, AMDVI_EVT_LOG_HEAD, 0);
	write64(u, AMDVI_EVT_LOG_TAIL, 0);
}

static int enable_unit(struct amdvi_unit *u)
{
	u64 ctrl = AMDVI_CTRL_CMD_BUF_EN | AMDVI_CTRL_EVT_LOG_EN |
		   AMDVI_CTRL_EVT_INT_EN;
	int err;

	if (ir_available && ir_x2apic)
		ctrl |= AMDVI_CTRL_GA_EN | AMDVI_CTRL_XT_EN;
	write64(u, AMDVI_DEV_TABLE_BASE,
		iommu_phys(dev_table) | (dev_table_pages - 1));
	start_rings(u);
	/*
	 * The unit runs commands only while it is on, so it goes on first;
	 * then nothing cached before our tables may survive them. (Linux
	 * booted with amd_iommu=off, and a disable invalidates everything
	 * before switching the unit off: its caches hold nothing here.)
	 */
	write64(u, AMDVI_CONTROL, ctrl | AMDVI_CTRL_IOMMU_EN);
	u->enabled = true;
	err = inv_everything(u);
	if (err) {
		/* Not trusted to have forgotten older tables: off again. */
		write64(u, AMDVI_CONTROL, 0);
		u->enabled = false;
		return err;
	}
	route_events(u);
	return 0;
}

int amdvi_enable(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < num_units; i++) {
		err = enable_unit(&units[i]);
		if (err) {
			printk("AMD-Vi unit %u: enabling failed: %d\n", i,
			       err);
			return err;
		}
	}
	for (i = 0; i < ARRAY_SIZE(dirty_devices); i++)
		dirty_devices[i] = 0;
	return 0;
}

static void disable_unit(struct amdvi_unit *u)
{
	u16 ctrl;

	if (!u->regs)
		return;
	/* The next enable's tables must meet no entry of ours. */
	if (u->enabled && inv_everything(u))
		printk("AMD-Vi unit %u: caches not invalidated at disable\n",
		       unit_index(u));
	write64(u, AMDVI_CONTROL, 0);
	ctrl = pci_hw_read(u->bdf, u->msi_cap + 2, 2);
	msi_cap_write(u, 2, 2, ctrl & ~1U);
	u->enabled = false;
}

void amdvi_shutdown(void)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		disable_unit(&units[i]);
	free_tables();
	reset_state();
}

const struct iommu_ops amdvi_iommu_ops = {
	.name = "AMD-Vi",
	.init = amdvi_init,
	.enable = amdvi_enable,
	.shutdown = amdvi_shutdown,
	.cell_init = amdvi_cell_init,
	.cell_exit = amdvi_cell_exit,
	.map_memory_region = amdvi_map_memory_region,
	.unmap_memory_region = amdvi_unmap_memory_region,
	.add_pci_device = amdvi_add_pci_device,
	.remove_pci_device = amdvi_remove_pci_device,
	.config_commit = amdvi_config_commit,
	.check_faults = amdvi_check_faults,
	.irq_remapping = amdvi_irq_remapping,
	.alloc_irtes = amdvi_alloc_irtes,
	.free_irtes = amdvi_free_irtes,
	.map_interrupt = amdvi_map_interrupt,
	.msi_address = amdvi_msi_address,
	.msi_data = amdvi_msi_data,
	.ioapic_entry = amdvi_ioapic_entry,
};
