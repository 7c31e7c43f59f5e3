// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls with arbitrary arguments from every CPU and privilege level,
 * while tiny-demo and apic-demo run beside root. Each input is a sequence
 * of 8-byte steps: a hypercall (CPU, CPL, code and two arguments drawn
 * from cell ids, staged configs, sizes and raw values), letting the
 * inmates run, or changing how an inmate answers. Refusals by privilege
 * must be -EPERM; after each input every live cell owns exactly what its
 * config says; if the same cells still run, root, the pool and the cells
 * are exactly as at the start, otherwise every cell is destroyed and root
 * and the pool must be exactly as they were with no cells at all. Every
 * cell it creates gets a short reply timeout, so an inmate that never
 * answers costs microseconds of simulated time, not 100 ms of pauses.
 */
#include <string.h>
#include <core/config_check.h>
#include <core/errno.h>
#include <core/page_pool.h>
#include <jailhouse/hypercall.h>
#include <sim/cpu_hw.h>
#include <sim/hw_state.h>
#include "fuzz_common.h"

#define STEP 8
#define MAX_STEPS 64
/* Configs root keeps in its RAM for CELL_CREATE, 64 KiB apart. */
#define STAGE_GPA SIM_STAGING_GPA
#define STAGE_STRIDE 0x10000ULL
#define NUM_STAGED 3

/*
 * The reply timeout of every cell the fuzzer creates: a silent inmate
 * costs 200 pauses of the simulated CPU, not the default 100 ms (two
 * million). Inmates that answer do so at the first pause.
 */
#define REPLY_TIMEOUT_NS (200 * SIM_PAUSE_NS)

static const char *const staged_paths[NUM_STAGED] = {
	CELL_DIR "/crash-demo.cell",
	CELL_DIR "/edu-demo.cell",
	TINY_DEMO_CELL,
};
static void *staged[NUM_STAGED];
static size_t staged_size[NUM_STAGED];
static void *tiny_config, *apic_config;
static size_t tiny_size, apic_size;

static struct machine_view empty_view, cells_view;
static u32 tiny_id, apic_id;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static void *read_config(const char *path, size_t *size)
{
	struct jailhouse_cell_desc *cfg = fuzz_read_file(path, size);

	cfg->msg_reply_timeout_ns = REPLY_TIMEOUT_NS;
	return cfg;
}

static u32 create_and_start(const void *config, size_t size,
			    const char *name)
{
	long id = sim_cell_create(ROOT_CPU, config, size);

	if (id <= 0 || sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, id, 0))
		fuzz_fail("%s does not start: %ld", name, id);
	sim_inmate_set(name, SIM_INMATE_APPROVE);
	return (u32)id;
}

static void start_cells(void)
{
	tiny_id = create_and_start(tiny_config, tiny_size, "tiny-demo");
	apic_id = create_and_start(apic_config, apic_size, "apic-demo");
	sim_run_inmates();
	fuzz_take_view(&cells_view);
}

static void machine_up(void)
{
	fuzz_boot();
	fuzz_take_view(&empty_view);
	start_cells();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int n;

	(void)argc;
	(void)argv;
	for (n = 0; n < NUM_STAGED; n++)
		staged[n] = read_config(staged_paths[n], &staged_size[n]);
	tiny_config = read_config(TINY_DEMO_CELL, &tiny_size);
	apic_config = read_config(APIC_DEMO_CELL, &apic_size);
	machine_up();
	return 0;
}

static void stage_configs(void)
{
	unsigned int n;

	for (n = 0; n < NUM_STAGED; n++)
		memcpy(sim_phys_ptr(STAGE_GPA + n * STAGE_STRIDE,
				    staged_size[n]),
		       staged[n], staged_size[n]);
}

static u64 raw32(const u8 *b)
{
	return (u64)b[0] | (u64)b[1] << 8 | (u64)b[2] << 16 |
	       (u64)b[3] << 24;
}

/* The id of the k-th cell, root's 0 included, or a number beyond them. */
static u64 some_cell_id(unsigned int k)
{
	struct cell *cell;

	for_each_cell(cell)
		if (k-- == 0)
			return cell->id;
	return 100 + k;
}

static u64 first_arg(const u8 *s)
{
	switch (s[1] % 8) {
	case 0:
		return s[3] & 8 ? some_cell_id(s[3] % 4) : s[3] % 8;
	case 1:
	case 2:
		return STAGE_GPA + (s[3] % NUM_STAGED) * STAGE_STRIDE;
	case 3:
		return raw32(s + 3);
	case 4:
		return raw32(s + 3) << 32 | raw32(s + 3);
	case 5:
		return ~0UL;
	case 6:
		return 0xffffffffUL + s[3] % 3;
	default:
		/* Near a staged config, or a page of root RAM. */
		return STAGE_GPA + (s[3] % NUM_STAGED) * STAGE_STRIDE +
		       (u64)(s[4] - 128) * (s[5] & 1 ? 0x1000 : 1);
	}
}

static u64 second_arg(const u8 *s)
{
	u64 size = staged_size[s[4] % NUM_STAGED];

	switch (s[2] % 8) {
	case 0:
		return s[4] % 16;
	case 1:
	case 2:
		return size;
	case 3:
		return size + (s[5] % 16) - 8;
	case 4:
		return JAILHOUSE_CPU_INFO_STAT_BASE + s[5] % 8;
	case 5:
		return ~0UL;
	case 6:
		return raw32(s + 4);
	default:
		return CONFIG_MAX_SIZE + s[5] - 128;
	}
}

static bool root_owns(unsigned int cpu)
{
	return per_cpu(cpu)->cell == &root_cell;
}

/* The hypervisor went away: everything it held is back, then boot again. */
static void after_disable(void)
{
	unsigned int cpu;

	sim_shutdown();
	if (mem_pool.used != mem_pool.bitmap_pages)
		fuzz_fail("disable left %lu pool pages used", mem_pool.used);
	for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++)
		if (sim_cpu_in_vmx_operation(cpu))
			fuzz_fail("CPU %u still in VMX after disable", cpu);
	machine_up();
}

/* One step; false once the hypervisor is disabled. */
static bool do_step(const u8 *s)
{
	unsigned int cpu = s[0] >> 4 & 3, cpl = s[0] >> 6, kind = s[0] & 15;
	static const enum sim_inmate behaviours[] = {
		SIM_INMATE_NONE, SIM_INMATE_APPROVE, SIM_INMATE_DENY,
		SIM_INMATE_LOCK_DENY_FIRST, SIM_INMATE_GARBAGE,
	};
	unsigned long code;
	unsigned int cells = cell_count();
	unsigned long used = mem_pool.used;
	long ret;

	if (kind == 11) {
		sim_run_inmates();
		return true;
	}
	if (kind == 12) {
		sim_inmate_set(s[1] & 1 ? "tiny-demo" : "apic-demo",
			       behaviours[s[2] % 5]);
		return true;
	}
	code = kind < JAILHOUSE_HC_COUNT ? kind : raw32(s + 4);
	if (!sim_cpu_runs_guest(cpu))
		return true;
	ret = sim_hypercall_cpl(cpu, cpl, code, first_arg(s), second_arg(s));
	if ((cpl || (code <= JAILHOUSE_HC_CELL_DESTROY && !root_owns(cpu))) &&
	    (ret != -EPERM || cell_count() != cells ||
	     mem_pool.used != used))
		fuzz_fail("hypercall %lu from CPU %u at CPL %u: %ld, "
			  "not a refusal", code, cpu, cpl, ret);
	if (code == JAILHOUSE_HC_DISABLE && ret == 0) {
		after_disable();
		return false;
	}
	return true;
}

static bool same_cells_running(void)
{
	struct cell *tiny = cell_find_by_id(tiny_id);
	struct cell *apic = cell_find_by_id(apic_id);

	return cell_count() == 3 && tiny && apic &&
	       tiny->state == JAILHOUSE_CELL_RUNNING && !tiny->loadable &&
	       apic->state == JAILHOUSE_CELL_RUNNING && !apic->loadable;
}

/*
 * Destroys what it can, in list order; a cell that still holds the
 * reconfiguration lock (its inmate locked before it was told to approve)
 * refuses the others until it is gone itself.
 */
static unsigned int destroy_pass(long *last_ret, const char **last_name)
{
	struct cell *cell = root_cell.next, *next;
	unsigned int destroyed = 0;
	long ret;

	for (; cell; cell = next) {
		next = cell->next;
		sim_inmate_set(cell_name(cell), SIM_INMATE_APPROVE);
		*last_name = cell_name(cell);
		ret = sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY,
				    cell->id, 0);
		*last_ret = ret;
		if (!ret) {
			destroyed++;
			/* The list changed under us: start it again. */
			break;
		}
	}
	return destroyed;
}

/* Every cell destroyed, the machine as with no cells, then both again. */
static void restore(void)
{
	struct machine_view now;
	const char *name = "";
	long ret = 0;

	sim_inmates_clear();
	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);
	sim_inmate_set("apic-demo", SIM_INMATE_APPROVE);
	while (root_cell.next)
		if (!destroy_pass(&ret, &name))
			fuzz_fail("destroy of %s: %ld, and no other cell "
				  "could go first", name, ret);
	fuzz_take_view(&now);
	fuzz_expect_view(&empty_view, &now, "with every cell destroyed");
	start_cells();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct machine_view now;
	size_t at;

	if (size > STEP * MAX_STEPS)
		return -1;
	stage_configs();
	for (at = 0; at + STEP <= size; at += STEP)
		if (!do_step(data + at))
			return 0;
	sim_run_inmates();
	fuzz_check_ownership();
	if (same_cells_running()) {
		fuzz_take_view(&now);
		fuzz_expect_view(&cells_view, &now, "with the same cells");
		return 0;
	}
	restore();
	return 0;
}
