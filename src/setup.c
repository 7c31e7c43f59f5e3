// SPDX-License-Identifier: GPL-2.0
/* Bring-up of the hypervisor from the system config, and its tear-down. */
#include <core/arch.h>
#include <core/cell.h>
#include <core/cell_checks.h>
#include <core/control.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/page_pool.h>
#include <core/printk.h>

struct per_cpu per_cpu_data[MAX_CPUS];
static unsigned int cpu_total;
static bool enabled;
static unsigned long system_config_pages;

unsigned int num_cpus(void)
{
	return cpu_total;
}

bool hv_enabled(void)
{
	return enabled;
}

static int copy_system_config(const struct jailhouse_system *system,
			      u64 size)
{
	void *copy;

	system_config_pages = PAGES(size);
	copy = page_alloc(&mem_pool, system_config_pages);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, system, size);
	system_config = copy;
	return 0;
}

/* The log reads the debug console from it: no pointer may outlive it. */
static void free_system_config(void)
{
	page_free(&mem_pool, (void *)system_config, system_config_pages);
	system_config = NULL;
}

static int check_root_cpus(const struct jailhouse_cell_desc *root)
{
	const u64 *set = jailhouse_cell_cpu_set(root);
	unsigned int cpu;

	for (cpu = 0; cpu < root->cpu_set_size * 8; cpu++) {
		if (!((set[cpu / 64] >> (cpu % 64)) & 1))
			continue;
		if (cpu >= cpu_total) {
			printk("System config refused: root cell names CPU %u, "
			       "only %u are online\n",
			       cpu, cpu_total);
			return -EINVAL;
		}
		cpu_set_add(&root_cell.cpus, cpu);
	}
	return 0;
}

static void init_root_ports_and_pins(void)
{
	const struct jailhouse_cell_desc *root = root_cell.config;
	const struct jailhouse_pio *pio = jailhouse_cell_pio(root);
	const struct jailhouse_irqchip *chip = jailhouse_cell_irqchips(root);
	unsigned int n;

	for (n = 0; n < root->num_pio_regions; n++)
		pio_set_range(root_cell.pio_bitmap, pio[n].base, pio[n].length,
			      true);
	for (n = 0; n < root->num_irqchips && n < MAX_IRQCHIPS; n++)
		irqchip_pins(&chip[n], root_cell.irq_pins[n]);
}

static int init_root_address_spaces(void)
{
	const struct jailhouse_cell_desc *root = root_cell.config;
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(root);
	const struct jailhouse_pci_device *dev =
		jailhouse_cell_pci_devices(root);
	unsigned int n;
	int err;

	err = arch_cell_create(&root_cell);
	if (err) {
		/* The arch parts registered MMIO handlers before one failed. */
		mmio_cell_exit(&root_cell);
		return err;
	}
	for (n = 0; n < root->num_memory_regions; n++) {
		err = arch_map_memory_region(&root_cell, &mem[n]);
		if (err)
			goto out_destroy;
	}
	for (n = 0; n < root->num_pci_devices; n++) {
		err = arch_pci_assign_device(&root_cell, &dev[n]);
		if (err)
			goto out_release;
	}
	arch_config_commit(NULL);
	return 0;

out_release:
	while (n-- > 0)
		arch_pci_release_device(&root_cell, &dev[n]);
out_destroy:
	arch_cell_destroy(&root_cell);
	mmio_cell_exit(&root_cell);
	return err;
}

/*
 * The root cell and the architecture, from the copied config. On failure
 * it gives back what it took: a failed enable leaves the pool as it was.
 */
static int init_root_and_arch(unsigned int cpu_count)
{
	int ret;

	memset(&root_cell, 0, sizeof(root_cell));
	memset(per_cpu_data, 0, sizeof(per_cpu_data));
	control_init();
	cpu_total = cpu_count;
	root_cell.config = &system_config->root_cell;
	root_cell.state = JAILHOUSE_CELL_RUNNING;
	ret = check_root_cpus(root_cell.config);
	if (ret)
		return ret;
	root_cell.pio_bitmap = pio_bitmap_alloc();
	if (!root_cell.pio_bitmap)
		return -ENOMEM;
	init_root_ports_and_pins();

	ret = arch_init_early(system_config);
	if (ret)
		goto out_pio;
	ret = init_root_address_spaces();
	if (ret)
		goto out_arch;
	printk("Initializing hypervisor: %u CPUs, pool of %lu pages, "
	       "%lu used\n",
	       cpu_total, mem_pool.pages, mem_pool.used);
	return 0;

out_arch:
	arch_return_root_interrupts();
	arch_shutdown();
out_pio:
	pio_bitmap_free(root_cell.pio_bitmap);
	root_cell.pio_bitmap = NULL;
	return ret;
}

int hv_init(const struct jailhouse_system *system, u64 system_size,
	    void *pool_virt, u64 pool_phys, u64 pool_size,
	    unsigned int cpu_count)
{
	struct config_error err;
	int ret;

	console_reset();
	if (!config_check_system(system, system_size, &err)) {
		printk("System config refused: %s (item %u)\n",
		       config_error_text(err.code), err.item);
		last_error = err;
		return -config_error_errno(err.code);
	}
	if (cpu_count == 0 || cpu_count > MAX_CPUS)
		return -ERANGE;
	ret = page_pool_init(&mem_pool, pool_virt, pool_phys,
			     pool_size / PAGE_SIZE);
	if (ret)
		return ret;
	ret = copy_system_config(system, system_size);
	if (ret)
		return ret;
	ret = init_root_and_arch(cpu_count);
	if (ret)
		free_system_config();
	return ret;
}

int hv_cpu_init(unsigned int cpu_id)
{
	struct per_cpu *cpu;

	if (cpu_id >= cpu_total)
		return -ERANGE;
	cpu = per_cpu(cpu_id);
	cpu->cpu_id = cpu_id;
	cpu->cell = &root_cell;
	return arch_cpu_init(cpu);
}

int hv_init_late(void)
{
	int err = arch_init_late();

	if (err)
		return err;
	enabled = true;
	printk("Activating hypervisor\n");
	return 0;
}

/*
 * Where the CPUs meet at enable. phase only grows, so a CPU waiting for it
 * cannot miss its change; the rest is written by one CPU, or atomically.
 */
enum { PHASE_START, PHASE_SYSTEM_DONE, PHASE_CPUS_DONE };

static struct {
	u32 claimed;
	u32 phase;
	u32 ready; /* CPUs past their own init, failed or not */
	u32 out; /* CPUs through the whole sequence */
	int error; /* the first, which every CPU returns */
	bool system_built;
} meeting;

static void record_error(int err)
{
	int none = 0;

	if (err)
		__atomic_compare_exchange_n(&meeting.error, &none, err, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static int first_error(void)
{
	return __atomic_load_n(&meeting.error, __ATOMIC_ACQUIRE);
}

static void publish_phase(u32 phase)
{
	__atomic_store_n(&meeting.phase, phase, __ATOMIC_RELEASE);
}

/* A CPU that never arrives must not hold the others in the hypervisor. */
static void wait_for_phase(unsigned int cpu_id, u32 phase, const char *what)
{
	if (arch_wait_at_least(&meeting.phase, phase))
		return;
	printk("CPU %u: enable timed out waiting for %s (%u CPUs ready)\n",
	       cpu_id, what, __atomic_load_n(&meeting.ready, __ATOMIC_RELAXED));
	record_error(-ETIMEDOUT);
}

/* hv_init undoes its own steps when it fails: nothing is built then. */
static void run_system_init(const struct hv_bringup *how)
{
	int err = how->init_system();

	record_error(err);
	meeting.system_built = !err;
	publish_phase(PHASE_SYSTEM_DONE);
}

/*
 * Every CPU moves onto the hypervisor's tables once the system exists,
 * even after another failed: whichever leaves last tears the system down,
 * and only there are the devices it programs mapped.
 */
static bool init_this_cpu(const struct hv_bringup *how, unsigned int cpu_id)
{
	int err;

	if (!meeting.system_built)
		return false;
	if (how->enter_cpu)
		how->enter_cpu(cpu_id);
	if (first_error())
		return false;
	err = hv_cpu_init(cpu_id);
	record_error(err);
	return !err;
}

/* The last CPU ready finishes the bring-up for all. */
static void cpu_ready(unsigned int cpu_count)
{
	if (__atomic_add_fetch(&meeting.ready, 1, __ATOMIC_ACQ_REL) !=
	    cpu_count)
		return;
	if (!first_error())
		record_error(hv_init_late());
	publish_phase(PHASE_CPUS_DONE);
}

/*
 * After a failure the last CPU out frees the system: every CPU has left
 * VMX or SVM operation by then, as at disable. It also leaves the meeting
 * as the next enable expects to find it.
 */
static void cpu_out(int err, unsigned int cpu_count)
{
	if (__atomic_add_fetch(&meeting.out, 1, __ATOMIC_ACQ_REL) != cpu_count)
		return;
	if (err && meeting.system_built)
		hv_shutdown();
	memset(&meeting, 0, sizeof(meeting));
}

int hv_enable_cpu(const struct hv_bringup *how, unsigned int cpu_id,
		  unsigned int cpu_count)
{
	bool cpu_up;
	int err;

	if (cpu_count == 0 || cpu_count > MAX_CPUS || cpu_id >= cpu_count)
		return -ERANGE;
	if (!__atomic_exchange_n(&meeting.claimed, 1, __ATOMIC_ACQ_REL))
		run_system_init(how);
	wait_for_phase(cpu_id, PHASE_SYSTEM_DONE, "the hypervisor's init");
	cpu_up = init_this_cpu(how, cpu_id);
	cpu_ready(cpu_count);
	wait_for_phase(cpu_id, PHASE_CPUS_DONE, "the other CPUs");
	err = first_error();
	if (err && cpu_up)
		hv_cpu_exit(cpu_id);
	cpu_out(err, cpu_count);
	return err;
}

void hv_cpu_exit(unsigned int cpu_id)
{
	arch_cpu_exit(per_cpu(cpu_id));
}

void hv_shutdown(void)
{
	const struct jailhouse_pci_device *dev =
		jailhouse_cell_pci_devices(root_cell.config);
	unsigned int n;

	arch_return_root_interrupts();
	for (n = 0; n < root_cell.config->num_pci_devices; n++)
		arch_pci_release_device(&root_cell, &dev[n]);
	arch_cell_destroy(&root_cell);
	arch_shutdown();
	mmio_cell_exit(&root_cell);
	pio_bitmap_free(root_cell.pio_bitmap);
	root_cell.pio_bitmap = NULL;
	free_system_config();
	enabled = false;
}
