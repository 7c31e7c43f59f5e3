// SPDX-License-Identifier: GPL-2.0
/*
 * Cell management: create, set loadable, start, destroy, disable.
 *
 * Every resource a new cell takes moves from the root cell and goes back to
 * it, with the root config's own flags, when the cell is destroyed or its
 * creation fails half way. A refusal leaves root and the pool as they were.
 */
#include <core/arch.h>
#include <core/cell.h>
#include <core/cell_checks.h>
#include <core/control.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/page_pool.h>
#include <core/printk.h>
#include <core/root_memory.h>

struct config_error last_error;
static u32 next_cell_id;
volatile bool hv_disabling;

/* Memory root is owed (see owe_root). */
#define ROOT_OWED_MAX 16
static struct {
	u64 start, size;
} root_owed[ROOT_OWED_MAX];
static unsigned int root_owed_num;

void control_init(void)
{
	hv_disabling = false;
	next_cell_id = 1;
	root_owed_num = 0;
	memset(&last_error, 0, sizeof(last_error));
}

/* How far a cell's creation went, so a failure can undo exactly that. */
struct cell_progress {
	bool arch_created;
	unsigned int regions_taken;
	struct cpu_set cpus_moved;
	bool pio_moved;
	bool pins_moved;
	unsigned int pci_assigned;
};

static long refuse(const char *name, enum jailhouse_config_error code,
		   u32 item, const char *detail)
{
	config_refuse(name, &last_error, code, item, 0, "%s", detail);
	return -config_error_errno(code);
}

static long refusal_errno(void)
{
	return -config_error_errno(last_error.code);
}

/* Root's CPUs other than the caller, held while root's tables change. */
static struct cpu_set suspended_cpus;

static void suspend_root_cpus(const struct per_cpu *caller)
{
	unsigned int cpu;

	suspended_cpus = root_cell.cpus;
	cpu_set_del(&suspended_cpus, caller->cpu_id);
	for_each_cpu(cpu, &suspended_cpus)
		arch_suspend_cpu(cpu);
}

/* Resumes exactly those, wherever they belong now. */
static void resume_root_cpus(void)
{
	unsigned int cpu;

	for_each_cpu(cpu, &suspended_cpus)
		arch_resume_cpu(cpu);
	memset(&suspended_cpus, 0, sizeof(suspended_cpus));
}

/* The region as root sees it: identity mapped, with the cell's extent. */
static struct jailhouse_memory root_view(const struct jailhouse_memory *mem)
{
	struct jailhouse_memory view = *mem;

	view.virt_start = mem->phys_start;
	return view;
}

static bool taken_from_root(const struct jailhouse_memory *mem)
{
	return !(mem->flags &
		 (JAILHOUSE_MEM_COMM_REGION | JAILHOUSE_MEM_ROOTSHARED));
}

/* Gives [start, start+size) back to root with the root config's flags. */
static int remap_to_root(u64 start, u64 size)
{
	const struct jailhouse_cell_desc *root = root_cell.config;
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(root);
	struct jailhouse_memory piece;
	unsigned int n;
	u64 lo, hi;
	int err;

	for (n = 0; n < root->num_memory_regions; n++) {
		lo = MAX(start, mem[n].phys_start);
		hi = MIN(start + size, mem[n].phys_start + mem[n].size);
		if (lo >= hi)
			continue;
		piece = mem[n];
		piece.phys_start = piece.virt_start = lo;
		piece.size = hi - lo;
		err = arch_map_memory_region(&root_cell, &piece);
		if (err) {
			printk("FATAL: cannot give 0x%llx-0x%llx back to the "
			       "root cell (%d)\n",
			       (unsigned long long)lo,
			       (unsigned long long)(hi - 1), err);
			return err;
		}
	}
	return 0;
}

/*
 * Memory a tear-down could not give back to root (no pool pages for its
 * tables). Every cell creation first maps it back, and is refused while
 * that fails: no cell can be handed memory root is still owed, and root
 * gets it back once the pool has room again.
 */
static void owe_root(u64 start, u64 size)
{
	if (root_owed_num == ROOT_OWED_MAX) {
		hv_abort("too much memory owed to the root cell");
		return;
	}
	root_owed[root_owed_num].start = start;
	root_owed[root_owed_num].size = size;
	root_owed_num++;
	printk("Root cell owed 0x%llx-0x%llx: no cell is created until it "
	       "is mapped back\n",
	       (unsigned long long)start,
	       (unsigned long long)(start + size - 1));
}

/* Maps back what root is owed; fails with the first range that fails. */
static int repay_root(struct per_cpu *caller)
{
	int err = 0;

	if (!root_owed_num)
		return 0;
	suspend_root_cpus(caller);
	while (root_owed_num && !err) {
		err = remap_to_root(root_owed[root_owed_num - 1].start,
				    root_owed[root_owed_num - 1].size);
		if (!err)
			root_owed_num--;
	}
	arch_config_commit(NULL);
	resume_root_cpus();
	return err;
}

static struct jailhouse_memory resolved_region(const struct cell *cell,
					       const struct jailhouse_memory *m)
{
	struct jailhouse_memory mem = *m;

	if (mem.flags & JAILHOUSE_MEM_COMM_REGION)
		mem.phys_start = page_pool_virt2phys(&mem_pool,
						     cell->comm_page);
	return mem;
}

static void move_pio(struct cell *cell, bool to_cell)
{
	const struct jailhouse_pio *pio = jailhouse_cell_pio(cell->config);
	u32 pm_base, pm_len;
	unsigned int n;

	for (n = 0; n < cell->config->num_pio_regions; n++) {
		pio_set_range(cell->pio_bitmap, pio[n].base, pio[n].length,
			      to_cell);
		pio_set_range(root_cell.pio_bitmap, pio[n].base,
			      pio[n].length, !to_cell);
	}
	pm_timer_ports(&pm_base, &pm_len);
	/* Every cell reads the PM timer; root never loses it. */
	pio_set_range(cell->pio_bitmap, pm_base, pm_len, true);
	if (pio_range_allowed(root_cell.pio_bitmap, pm_base, pm_len) ||
	    !to_cell)
		pio_set_range(root_cell.pio_bitmap, pm_base, pm_len, true);
}

static void move_pins(struct cell *cell, bool to_cell)
{
	const struct jailhouse_irqchip *chip =
		jailhouse_cell_irqchips(cell->config);
	unsigned int n;
	u64 pins[2];
	int index;

	for (n = 0; n < cell->config->num_irqchips; n++) {
		index = irqchip_index(chip[n].address);
		irqchip_pins(&chip[n], pins);
		if (to_cell) {
			cell->irq_pins[index][0] |= pins[0];
			cell->irq_pins[index][1] |= pins[1];
			root_cell.irq_pins[index][0] &= ~pins[0];
			root_cell.irq_pins[index][1] &= ~pins[1];
		} else {
			cell->irq_pins[index][0] &= ~pins[0];
			cell->irq_pins[index][1] &= ~pins[1];
			root_cell.irq_pins[index][0] |= pins[0];
			root_cell.irq_pins[index][1] |= pins[1];
		}
	}
}

static void return_cpus(struct cell *cell, const struct cpu_set *cpus)
{
	unsigned int cpu;

	for_each_cpu(cpu, cpus) {
		arch_park_cpu(cpu);
		per_cpu(cpu)->cell = &root_cell;
		per_cpu(cpu)->failed = false;
		cpu_set_del(&cell->cpus, cpu);
		cpu_set_add(&root_cell.cpus, cpu);
	}
}

static void free_cell(struct cell *cell)
{
	mmio_cell_exit(cell);
	pio_bitmap_free(cell->pio_bitmap);
	if (cell->comm_page)
		page_free(&mem_pool, cell->comm_page, 1);
	page_free(&mem_pool, (void *)cell->config, cell->config_pages);
	page_free(&mem_pool, cell, PAGES(sizeof(*cell)));
}

/* Undoes what progress says was done; the cell memory itself is freed. */
static void cell_teardown(struct cell *cell, struct cell_progress *p)
{
	const struct jailhouse_pci_device *dev =
		jailhouse_cell_pci_devices(cell->config);
	const struct jailhouse_memory *mem =
		jailhouse_cell_mem_regions(cell->config);
	unsigned int n;

	for (n = 0; n < p->pci_assigned; n++) {
		arch_pci_release_device(cell, &dev[n]);
		arch_pci_assign_device(&root_cell, &dev[n]);
	}
	if (p->pins_moved)
		move_pins(cell, false);
	if (p->pio_moved)
		move_pio(cell, false);
	return_cpus(cell, &p->cpus_moved);
	for (n = 0; n < p->regions_taken; n++)
		if (taken_from_root(&mem[n]) ||
		    (cell->loadable && (mem[n].flags & JAILHOUSE_MEM_LOADABLE)))
			if (remap_to_root(mem[n].phys_start, mem[n].size))
				owe_root(mem[n].phys_start, mem[n].size);
	if (p->arch_created)
		arch_cell_destroy(cell);
	arch_config_commit(cell);
	free_cell(cell);
}

static int map_cell_regions(struct cell *cell)
{
	const struct jailhouse_memory *mem =
		jailhouse_cell_mem_regions(cell->config);
	struct jailhouse_memory region;
	unsigned int n;
	int err;

	for (n = 0; n < cell->config->num_memory_regions; n++) {
		region = resolved_region(cell, &mem[n]);
		err = arch_map_memory_region(cell, &region);
		if (err)
			return err;
	}
	return 0;
}

static int take_regions_from_root(struct cell *cell, struct cell_progress *p)
{
	const struct jailhouse_memory *mem =
		jailhouse_cell_mem_regions(cell->config);
	struct jailhouse_memory view;
	int err;

	for (; p->regions_taken < cell->config->num_memory_regions;
	     p->regions_taken++) {
		if (!taken_from_root(&mem[p->regions_taken]))
			continue;
		view = root_view(&mem[p->regions_taken]);
		err = arch_unmap_memory_region(&root_cell, &view);
		if (err) {
			/* Partly unmapped: count it so teardown remaps it. */
			p->regions_taken++;
			return err;
		}
	}
	return 0;
}

static int assign_devices(struct cell *cell, struct cell_progress *p)
{
	const struct jailhouse_pci_device *dev =
		jailhouse_cell_pci_devices(cell->config);
	int err;

	for (; p->pci_assigned < cell->config->num_pci_devices;
	     p->pci_assigned++) {
		arch_pci_release_device(&root_cell, &dev[p->pci_assigned]);
		err = arch_pci_assign_device(cell, &dev[p->pci_assigned]);
		if (err) {
			arch_pci_assign_device(&root_cell,
					       &dev[p->pci_assigned]);
			return err;
		}
	}
	return 0;
}

static void move_cpus_to_cell(struct cell *cell, struct cell_progress *p)
{
	const u64 *set = jailhouse_cell_cpu_set(cell->config);
	unsigned int cpu;

	for (cpu = 0; cpu < cell->config->cpu_set_size * 8; cpu++) {
		if (!((set[cpu / 64] >> (cpu % 64)) & 1))
			continue;
		arch_park_cpu(cpu);
		per_cpu(cpu)->cell = cell;
		per_cpu(cpu)->failed = false;
		cpu_set_del(&root_cell.cpus, cpu);
		cpu_set_add(&cell->cpus, cpu);
		cpu_set_add(&p->cpus_moved, cpu);
	}
}

static int build_cell(struct cell *cell, struct cell_progress *p)
{
	int err;

	err = arch_cell_create(cell);
	if (err)
		return err;
	p->arch_created = true;
	move_cpus_to_cell(cell, p);
	err = map_cell_regions(cell);
	if (err)
		return err;
	err = take_regions_from_root(cell, p);
	if (err)
		return err;
	move_pio(cell, true);
	p->pio_moved = true;
	move_pins(cell, true);
	p->pins_moved = true;
	return assign_devices(cell, p);
}

static struct cell *alloc_cell(struct jailhouse_cell_desc *cfg,
			       unsigned long cfg_pages)
{
	struct cell *cell = page_alloc(&mem_pool, PAGES(sizeof(*cell)));

	if (!cell)
		return NULL;
	cell->config = cfg;
	cell->config_pages = cfg_pages;
	cell->comm_page = page_alloc(&mem_pool, 1);
	cell->pio_bitmap = pio_bitmap_alloc();
	if (!cell->comm_page || !cell->pio_bitmap) {
		pio_bitmap_free(cell->pio_bitmap);
		if (cell->comm_page)
			page_free(&mem_pool, cell->comm_page, 1);
		page_free(&mem_pool, cell, PAGES(sizeof(*cell)));
		return NULL;
	}
	return cell;
}

static void append_cell(struct cell *cell)
{
	struct cell *last = &root_cell;

	while (last->next)
		last = last->next;
	last->next = cell;
}

static void unlink_cell(struct cell *cell)
{
	struct cell *prev = &root_cell;

	while (prev->next != cell)
		prev = prev->next;
	prev->next = cell->next;
}

static void notify_reconfig(void)
{
	struct cell *cell;

	for_each_non_root_cell(cell)
		if (cell->state == JAILHOUSE_CELL_RUNNING &&
		    !(cell->config->flags & JAILHOUSE_CELL_PASSIVE_COMMREG))
			cell_send_message(cell,
					  JAILHOUSE_MSG_RECONFIG_COMPLETED);
}

/*
 * Refuses a config whose size is wrong, unless its header is wrong in the
 * first place: a file of another kind or revision is named as such.
 */
static long refuse_by_header(const struct jailhouse_cell_desc *hdr, u64 gpa,
			     enum jailhouse_config_error code,
			     const char *detail)
{
	if (!config_check_cell(hdr, sizeof(*hdr), &last_error) &&
	    last_error.code != JAILHOUSE_CFG_ERR_SIZE) {
		config_refuse(NULL, &last_error, last_error.code,
			      last_error.item, last_error.other,
			      "config at 0x%llx", (unsigned long long)gpa);
		return refusal_errno();
	}
	return refuse(NULL, code, 0, detail);
}

/*
 * Copies the config root points at into the pool. The size root gives must
 * be what the header declares: a file cut short or padded is refused here,
 * as the offline checker would.
 */
static long fetch_config(u64 gpa, u64 given_size,
			 struct jailhouse_cell_desc **out,
			 unsigned long *out_pages)
{
	struct jailhouse_cell_desc hdr, *cfg;
	unsigned long pages;
	u64 size;

	if (given_size < sizeof(hdr))
		return refuse(NULL, JAILHOUSE_CFG_ERR_TRUNCATED, 0,
			      "config shorter than its header");
	if (copy_from_root(gpa, &hdr, sizeof(hdr)))
		return refuse(NULL, JAILHOUSE_CFG_ERR_TRUNCATED, 0,
			      "config header not readable in root memory");
	size = config_cell_size(&hdr);
	if (size > CONFIG_MAX_SIZE || given_size > CONFIG_MAX_SIZE)
		return refuse_by_header(&hdr, gpa, JAILHOUSE_CFG_ERR_TOO_LARGE,
					"declared contents exceed 1 MiB");
	if (size != given_size)
		return refuse_by_header(&hdr, gpa, JAILHOUSE_CFG_ERR_SIZE,
					"declared contents differ from the "
					"file size");
	pages = PAGES(size);
	cfg = page_alloc(&mem_pool, pages);
	if (!cfg)
		return refuse(hdr.name, JAILHOUSE_CFG_ERR_NO_MEMORY, 0,
			      "no room for the config copy");
	if (copy_from_root(gpa, cfg, size)) {
		page_free(&mem_pool, cfg, pages);
		return refuse(NULL, JAILHOUSE_CFG_ERR_TRUNCATED, 0,
			      "config not readable in root memory");
	}
	*out = cfg;
	*out_pages = pages;
	return 0;
}

static bool name_printable(const struct jailhouse_cell_desc *cfg)
{
	return strnlen(cfg->name, sizeof(cfg->name)) < sizeof(cfg->name);
}

long cell_create(struct per_cpu *caller, u64 config_gpa, u64 config_size)
{
	struct jailhouse_cell_desc *cfg = NULL;
	struct cell_progress progress;
	const struct cell *locker;
	unsigned long cfg_pages = 0;
	struct cell *cell;
	long err;

	if (!cell_reconfig_ok(NULL, &locker)) {
		config_refuse(NULL, &last_error,
			      JAILHOUSE_CFG_ERR_RECONFIG_LOCKED, locker->id, 0,
			      "cell \"%s\" holds the lock", cell_name(locker));
		return refusal_errno();
	}
	err = repay_root(caller);
	if (err)
		return refuse(NULL, JAILHOUSE_CFG_ERR_NO_MEMORY, 0,
			      "memory owed to the root cell cannot be mapped "
			      "back");
	err = fetch_config(config_gpa, config_size, &cfg, &cfg_pages);
	if (err)
		return err;
	if (!config_check_cell(cfg, config_cell_size(cfg), &last_error)) {
		config_refuse(name_printable(cfg) ? cfg->name : NULL,
			      &last_error, last_error.code, last_error.item,
			      last_error.other, "item %u", last_error.item);
		page_free(&mem_pool, cfg, cfg_pages);
		return refusal_errno();
	}
	if (!cell_check_against_system(cfg, caller, &last_error)) {
		page_free(&mem_pool, cfg, cfg_pages);
		return refusal_errno();
	}

	cell = alloc_cell(cfg, cfg_pages);
	if (!cell) {
		page_free(&mem_pool, cfg, cfg_pages);
		return refuse(cfg->name, JAILHOUSE_CFG_ERR_NO_MEMORY, 0,
			      "no room for the cell's state");
	}

	memset(&progress, 0, sizeof(progress));
	suspend_root_cpus(caller);
	err = build_cell(cell, &progress);
	if (err) {
		cell_teardown(cell, &progress);
		resume_root_cpus();
		return refuse(cfg->name,
			      err == -ENOMEM ? JAILHOUSE_CFG_ERR_NO_MEMORY :
					       JAILHOUSE_CFG_ERR_IOMMU,
			      0, "building the cell's address spaces failed");
	}
	arch_config_commit(cell);
	cell->id = next_cell_id++;
	cell_comm_init(cell, JAILHOUSE_CELL_SHUT_DOWN);
	append_cell(cell);
	resume_root_cpus();

	printk("Created cell \"%s\" (id %u)\n", cell_name(cell), cell->id);
	notify_reconfig();
	return cell->id;
}

/* Looks up a non-root cell for a management call, or records why not. */
static struct cell *target_cell(u32 id)
{
	struct cell *cell = cell_find_by_id(id);
	char detail[32];

	if (!cell) {
		snprintk(detail, sizeof(detail), "id %u", id);
		refuse(NULL, JAILHOUSE_CFG_ERR_CELL_ID, id, detail);
		return NULL;
	}
	if (cell == &root_cell) {
		refuse(cell_name(cell), JAILHOUSE_CFG_ERR_ROOT_CELL, 0, "id 0");
		return NULL;
	}
	return cell;
}

static long refuse_denied(struct cell *cell)
{
	return refuse(cell_name(cell), JAILHOUSE_CFG_ERR_SHUTDOWN_DENIED,
		      cell->id, "it stays as it is");
}

static void park_cell_cpus(struct cell *cell)
{
	unsigned int cpu;

	for_each_cpu(cpu, &cell->cpus)
		arch_park_cpu(cpu);
}

/* Maps or unmaps the cell's loadable regions in root, for loading images. */
static int expose_loadable_to_root(struct cell *cell, bool expose)
{
	const struct jailhouse_memory *mem =
		jailhouse_cell_mem_regions(cell->config);
	struct jailhouse_memory view;
	unsigned int n;
	int err = 0;

	for (n = 0; n < cell->config->num_memory_regions && !err; n++) {
		if (!(mem[n].flags & JAILHOUSE_MEM_LOADABLE))
			continue;
		view = root_view(&mem[n]);
		view.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE;
		err = expose ? arch_map_memory_region(&root_cell, &view) :
			       arch_unmap_memory_region(&root_cell, &view);
	}
	return err;
}

/*
 * The cell, asked to shut down, agreed: root's other CPUs are held and the
 * cell's CPUs parked. NULL, with the refusal recorded, if not.
 */
static struct cell *stop_cell_for_reload(struct per_cpu *caller, u32 id)
{
	struct cell *cell = target_cell(id);

	if (!cell)
		return NULL;
	if (!cell_shutdown_ok(cell)) {
		refuse_denied(cell);
		return NULL;
	}
	suspend_root_cpus(caller);
	park_cell_cpus(cell);
	return cell;
}

long cell_set_loadable(struct per_cpu *caller, u32 id)
{
	struct cell *cell = stop_cell_for_reload(caller, id);
	long err = 0;

	if (!cell)
		return refusal_errno();
	cell_comm_init(cell, JAILHOUSE_CELL_SHUT_DOWN);
	if (!cell->loadable) {
		err = expose_loadable_to_root(cell, true);
		if (err)
			expose_loadable_to_root(cell, false);
		else
			cell->loadable = true;
		arch_config_commit(NULL);
	}
	resume_root_cpus();
	if (err)
		return refuse(cell_name(cell), JAILHOUSE_CFG_ERR_NO_MEMORY, 0,
			      "mapping loadable regions into root");
	printk("Cell \"%s\" can be loaded\n", cell_name(cell));
	return 0;
}

long cell_start(struct per_cpu *caller, u32 id)
{
	struct cell *cell = stop_cell_for_reload(caller, id);
	unsigned int cpu;
	long err = 0;

	if (!cell)
		return refusal_errno();
	if (cell->loadable) {
		err = expose_loadable_to_root(cell, false);
		if (err) {
			expose_loadable_to_root(cell, true);
			arch_config_commit(NULL);
			resume_root_cpus();
			return refuse(cell_name(cell),
				      JAILHOUSE_CFG_ERR_NO_MEMORY, 0,
				      "taking loadable regions from root");
		}
		cell->loadable = false;
		arch_config_commit(NULL);
	}
	cell_comm_init(cell, JAILHOUSE_CELL_RUNNING);
	for_each_cpu(cpu, &cell->cpus) {
		per_cpu(cpu)->failed = false;
		arch_reset_cpu(cpu);
	}
	resume_root_cpus();
	printk("Started cell \"%s\"\n", cell_name(cell));
	return 0;
}

long cell_destroy(struct per_cpu *caller, u32 id)
{
	struct cell *cell = target_cell(id);
	struct cell_progress all;
	const struct cell *locker;

	if (!cell)
		return refusal_errno();
	if (!cell_reconfig_ok(cell, &locker)) {
		config_refuse(cell_name(cell), &last_error,
			      JAILHOUSE_CFG_ERR_RECONFIG_LOCKED, locker->id, 0,
			      "cell \"%s\" holds the lock", cell_name(locker));
		return refusal_errno();
	}
	if (!cell_shutdown_ok(cell))
		return refuse_denied(cell);

	printk("Destroying cell \"%s\" (id %u)\n", cell_name(cell), cell->id);
	memset(&all, 0, sizeof(all));
	all.arch_created = true;
	all.regions_taken = cell->config->num_memory_regions;
	all.cpus_moved = cell->cpus;
	all.pio_moved = all.pins_moved = true;
	all.pci_assigned = cell->config->num_pci_devices;

	suspend_root_cpus(caller);
	unlink_cell(cell);
	cell_teardown(cell, &all);
	resume_root_cpus();
	notify_reconfig();
	return 0;
}

void hv_abort(const char *why)
{
	printk("Aborting: %s; every CPU returns to Linux\n", why);
	hv_disabling = true;
}

long hypervisor_disable(struct per_cpu *caller)
{
	(void)caller;
	if (root_cell.next)
		return refuse(NULL, JAILHOUSE_CFG_ERR_CELLS_EXIST,
			      root_cell.next->id,
			      "disable needs them destroyed first");
	printk("Shutting down hypervisor\n");
	hv_disabling = true;
	return 0;
}
