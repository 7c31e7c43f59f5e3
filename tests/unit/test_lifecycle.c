// SPDX-License-Identifier: GPL-2.0
/*
 * Cell lifecycle on the simulated qemu-vm machine: the seed's demo session
 * and every management path, judged by what the fake hardware shows (EPT
 * through the simulator's own walker, I/O bitmaps, CPU states).
 */
#include <criterion/criterion.h>
#include <string.h>
#include <asm/apicdef.h>
#include <sim/apic_hw.h>
#include <sim/svm_checks.h>
#include "../configs/cell-template.h"
#include "helpers.h"

#define APIC_RAM 0x3c400000ULL
#define TINY_RAM 0x3c500000ULL
#define APIC_CPU 3
#define TINY_CPU 2

/*
 * test_lifecycle_svm.c includes this file to run every test again on
 * AMD CPUs (SVM with nested paging) instead of Intel ones.
 */
#ifndef LIFECYCLE
#define LIFECYCLE lifecycle
#define LIFECYCLE_CPU SIM_CPU_INTEL
#endif

static void setup(void)
{
	sim_cpu_model = LIFECYCLE_CPU;
	boot_qemu_vm();
}

TestSuite(LIFECYCLE, .init = setup);

static long create(const char *path)
{
	return sim_cell_create_file(ROOT_CPU, path);
}

static long hc(unsigned long code, unsigned long arg)
{
	return sim_hypercall(ROOT_CPU, code, arg, 0);
}

Test(LIFECYCLE, boot_gives_root_everything)
{
	u64 hpa;
	u32 perms;

	cr_assert_eq(info(JAILHOUSE_INFO_NUM_CELLS), 1);
	for (unsigned int cpu = 0; cpu < QEMU_VM_CPUS; cpu++)
		cr_assert(sim_cpu_runs_guest(cpu), "CPU %u not running", cpu);
	cr_assert(sim_ept_translate(ROOT_CPU, APIC_RAM + 0x1234, &hpa, &perms));
	cr_assert_eq(hpa, APIC_RAM + 0x1234, "root is identity mapped");
	cr_assert_eq(perms, 7);
	cr_assert_not(sim_ept_translate(ROOT_CPU, 0x3be00000, NULL, NULL),
		      "root must not reach the hypervisor's memory");
	cr_assert_not(sim_ept_translate(ROOT_CPU, 0xfed90000, NULL, NULL),
		      "root must not reach the IOMMU");
	cr_assert(log_contains("Activating hypervisor"));
	cr_assert(strstr(sim_uart_output(0x3f8), "Activating hypervisor"),
		  "the log goes to the debug UART too");
}

Test(LIFECYCLE, create_moves_cpu_memory_and_ports_from_root)
{
	struct root_view before;
	struct cell *tiny;
	u64 hpa;
	u32 perms;
	long id;

	take_root_view(&before);
	id = create(TINY_DEMO_CELL);
	cr_assert_eq(id, 1, "create returned %ld", id);
	tiny = cell_by_name("tiny-demo");
	cr_assert_not_null(tiny);
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_SHUT_DOWN);
	cr_assert_not(sim_cpu_runs_guest(TINY_CPU), "CPU 2 must be parked");
	cr_assert_eq(per_cpu(TINY_CPU)->cell, tiny);

	cr_assert_not(sim_ept_translate(ROOT_CPU, TINY_RAM, NULL, NULL),
		      "root still reaches tiny-demo's RAM");
	cr_assert(sim_ept_translate(ROOT_CPU, TINY_RAM - 0x1000, NULL, NULL),
		  "root lost RAM below the cell");
	cr_assert(sim_ept_translate(ROOT_CPU, TINY_RAM + 0x100000, NULL, NULL),
		  "root lost RAM above the cell");
	cr_assert(cell_maps(tiny, 0xf0000, &hpa, &perms));
	cr_assert_eq(hpa, TINY_RAM + 0xf0000);
	cr_assert_eq(perms, 7);
	cr_assert(cell_maps(tiny, 0x100000, &hpa, NULL), "comm region");
	cr_assert_eq(hpa, page_pool_virt2phys(&mem_pool, tiny->comm_page));
	cr_assert_not(cell_maps(tiny, 0x101000, NULL, NULL));
	cr_assert_not(cell_maps(tiny, APIC_RAM, NULL, NULL));

	cr_assert_not(sim_pio_passes(ROOT_CPU, 0x2f8), "root kept COM2");
	cr_assert(sim_pio_passes(ROOT_CPU, 0x3f8), "root lost COM1");
	cr_assert(pio_access_allowed(tiny, 0x2f8, 8));
	cr_assert(pio_access_allowed(tiny, 0x608, 4), "PM timer for all");
	cr_assert(pio_access_allowed(&root_cell, 0x608, 4));
	cr_assert_not(pio_access_allowed(tiny, 0x3f8, 1));
	cr_assert(log_contains("Created cell \"tiny-demo\" (id 1)"));

	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 1), 0);
	struct root_view after;
	take_root_view(&after);
	assert_root_view_equal(&before, &after);
	cr_assert_eq(info(JAILHOUSE_INFO_NUM_CELLS), 1);
}

Test(LIFECYCLE, load_and_start_runs_the_image_at_the_reset_address)
{
	static const char image[] = "\xea\x00\x00\x00\xf0 tiny image";
	u64 word = 0, hpa;
	u32 perms;

	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_SET_LOADABLE, 1), 0);
	cr_assert(sim_ept_translate(ROOT_CPU, TINY_RAM, &hpa, &perms),
		  "loadable region must be visible to root");
	cr_assert_eq(perms, 3, "root may read and write, not execute");
	cr_assert(sim_root_write(ROOT_CPU, TINY_RAM + 0xf0000, image,
				 sizeof(image)));
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	cr_assert_not(sim_ept_translate(ROOT_CPU, TINY_RAM, NULL, NULL),
		      "started cell's memory must leave root again");
	cr_assert(sim_cpu_runs_guest(TINY_CPU));
	cr_assert_eq(sim_guest_rip(TINY_CPU), 0);
	cr_assert_eq(sim_guest_cs_base(TINY_CPU), 0xf0000);
	cr_assert_eq(sim_guest_read(TINY_CPU, 0xf0000, 8, &word),
		     SIM_ACCESS_RAM);
	cr_assert_eq(memcmp(&word, image, 8), 0, "cell sees the image");
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_RUNNING);
}

Test(LIFECYCLE, port_io_reaches_the_uart_and_foreign_ports_fail_the_cell)
{
	u32 value = 'X';

	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	cr_assert_eq(sim_guest_pio(TINY_CPU, 0x2f8, 1, true, &value),
		     SIM_ACCESS_RAM);
	cr_assert_str_eq(sim_uart_output(0x2f8), "X");
	cr_assert_eq(sim_guest_pio(TINY_CPU, 0x608, 4, false, &value),
		     SIM_ACCESS_RAM, "PM timer is readable");
	cr_assert_eq(sim_guest_pio(TINY_CPU, 0x3f8, 1, true, &value),
		     SIM_ACCESS_FAULT);
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_FAILED);
	cr_assert(log_contains("port 0x3f8 not permitted"));
	cr_assert(sim_cpu_runs_guest(ROOT_CPU), "root keeps running");
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 1), 0);
	cr_assert(sim_pio_passes(ROOT_CPU, 0x2f8), "root gets COM2 back");
}

Test(LIFECYCLE, wild_memory_access_fails_only_that_cell)
{
	u64 value;

	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);
	sim_inmate_set("apic-demo", SIM_INMATE_APPROVE);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(create(APIC_DEMO_CELL), 2);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 2), 0);
	/* tiny-demo reaches for what is root's RAM and apic-demo's. */
	cr_assert_eq(sim_guest_write(TINY_CPU, APIC_RAM, 4, 0xbad), SIM_ACCESS_FAULT);
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_FAILED);
	cr_assert(log_contains("unhandled MMIO write of 4 bytes at 0x3c400000"));
	cr_assert_eq(sim_cpu_runs_guest(TINY_CPU), false);
	cr_assert_eq(cell_state(2), JAILHOUSE_CELL_RUNNING, "others go on");
	cr_assert_eq(sim_guest_read(APIC_CPU, 0x0, 4, &value), SIM_ACCESS_RAM);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CPU_GET_INFO,
				   TINY_CPU, JAILHOUSE_CPU_INFO_STATE),
		     JAILHOUSE_CPU_FAILED);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 1), 0, "failed cells go");
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 2), 0);
}

Test(LIFECYCLE, triple_fault_fails_the_cell_and_destroy_returns_all)
{
	struct root_view before, after;

	take_root_view(&before);
	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	cr_assert_eq(sim_guest_triple_fault(TINY_CPU), SIM_ACCESS_FAULT);
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_FAILED);
	cr_assert(log_contains("CPU 2 of cell \"tiny-demo\" failed: triple "
			       "fault"));
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 1), 0);
	take_root_view(&after);
	assert_root_view_equal(&before, &after);
}

/* The seed's session, as far as the hypervisor is concerned. */
Test(LIFECYCLE, seed_demo_session)
{
	struct root_view before, after;

	take_root_view(&before);
	sim_inmate_set("apic-demo", SIM_INMATE_LOCK_DENY_FIRST);
	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);

	cr_assert_eq(create(APIC_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_SET_LOADABLE, 1), 0);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	sim_run_inmates();
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_RUNNING_LOCKED);

	/* Locked: no new cell while apic-demo runs. */
	cr_assert_eq(create(TINY_DEMO_CELL), -EPERM);
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_RECONFIG_LOCKED);
	cr_assert(log_contains("apic-demo\" holds the lock"));

	/* The first destroy is refused by the cell itself. */
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 1), -EPERM);
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_SHUTDOWN_DENIED);
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_RUNNING_LOCKED);
	cr_assert(sim_cpu_runs_guest(APIC_CPU));

	/* The second is approved; then tiny-demo runs, reloads, restarts. */
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_SET_LOADABLE, 1), 0);
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_SHUT_DOWN);
	cr_assert_eq(create(TINY_DEMO_CELL), 2);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_SET_LOADABLE, 2), 0);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 2), 0);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	sim_run_inmates();
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_RUNNING_LOCKED);
	cr_assert_eq(cell_state(2), JAILHOUSE_CELL_RUNNING);

	/* Reloading an existing cell is allowed under the lock. */
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_SET_LOADABLE, 2), 0);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 2), 0);
	cr_assert_eq(sim_inmate_requests_seen("tiny-demo"), 1,
		     "tiny-demo is asked once, before the reload; the start "
		     "of a shut-down cell needs no consent");
	/* But destroying it is not. */
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 2), -EPERM);
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_RECONFIG_LOCKED);

	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 1), -EPERM);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 1), 0);
	cr_assert_eq(hc(JAILHOUSE_HC_DISABLE, 0), -EBUSY,
		     "disable refused while cells exist");
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_CELLS_EXIST);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 2), 0);
	take_root_view(&after);
	assert_root_view_equal(&before, &after);
	cr_assert_eq(hc(JAILHOUSE_HC_DISABLE, 0), 0);
	sim_shutdown();
	cr_assert_eq(mem_pool.used, mem_pool.bitmap_pages,
		     "disable leaves %lu pages in use",
		     mem_pool.used - mem_pool.bitmap_pages);
}

Test(LIFECYCLE, silent_cell_is_failed_after_its_timeout)
{
	u64 start, timeout;

	sim_inmate_set("tiny-demo", SIM_INMATE_NONE);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	/* tiny-demo's config asks for its own timeout (1 s). */
	timeout = cell_by_name("tiny-demo")->config->msg_reply_timeout_ns;
	cr_assert_gt(timeout, JAILHOUSE_DEFAULT_MSG_TIMEOUT_NS);
	start = sim_clock_ns();
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 1), 0,
		     "a silent cell must not block its destruction");
	cr_assert_geq(sim_clock_ns() - start, timeout);
	cr_assert_lt(sim_clock_ns() - start, 2 * timeout);
	cr_assert(log_contains("\"tiny-demo\" did not answer message 1"));
	cr_assert_eq(info(JAILHOUSE_INFO_NUM_CELLS), 1);
}

Test(LIFECYCLE, silent_cell_fails_on_reconfiguration_notice)
{
	sim_inmate_set("tiny-demo", SIM_INMATE_NONE);
	sim_inmate_set("apic-demo", SIM_INMATE_APPROVE);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	cr_assert_eq(create(APIC_DEMO_CELL), 2);
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_FAILED);
	cr_assert(log_contains("did not answer message 2"));
}

Test(LIFECYCLE, garbage_from_a_cell_changes_nothing_it_may_not)
{
	sim_inmate_set("tiny-demo", SIM_INMATE_GARBAGE);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_SET_LOADABLE, 1), 0);
	cr_assert(log_contains("unexpected reply 77"));
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_SHUT_DOWN);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	sim_run_inmates();
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_RUNNING,
		     "a bogus state from the cell is not reported");
}

Test(LIFECYCLE, denying_cell_keeps_running)
{
	sim_inmate_set("tiny-demo", SIM_INMATE_DENY);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_SET_LOADABLE, 1), -EPERM);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), -EPERM,
		     "restart needs consent too");
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 1), -EPERM);
	cr_assert(sim_cpu_runs_guest(TINY_CPU));
	cr_assert(log_contains("denied the shutdown request"));
}

Test(LIFECYCLE, management_of_unknown_and_root_cells_is_refused)
{
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 7), -ENOENT);
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR), JAILHOUSE_CFG_ERR_CELL_ID);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 0), -EINVAL);
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_ROOT_CELL);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_SET_LOADABLE, 0), -EINVAL);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 0x100000001UL), -ENOENT,
		     "a 64-bit id must not alias cell 1");
	cr_assert_eq(info(JAILHOUSE_INFO_NUM_CELLS), 2);
}

Test(LIFECYCLE, config_outside_root_memory_is_refused)
{
	/* The hypervisor's own memory: root cannot read it, nor make us. */
	long ret = sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_CREATE,
				 0x3be00000, 512);

	cr_assert_eq(ret, -EINVAL);
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_TRUNCATED);
	cr_assert(log_contains("not readable in root memory"));
	ret = sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_CREATE, 0x1000, 10);
	cr_assert_eq(ret, -EINVAL);
	cr_assert(log_contains("shorter than its header"));
}

Test(LIFECYCLE, cell_ids_are_not_reused)
{
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, 1), 0);
	cr_assert_eq(create(TINY_DEMO_CELL), 2);
	cr_assert_eq(cell_state(1), -ENOENT);
	cr_assert_eq(cell_state(2), JAILHOUSE_CELL_SHUT_DOWN);
}

#define LINUX_TIMER_VECTOR 0xec

/* What Linux leaves in a local APIC it takes offline in a hurry. */
static void leave_linux_apic_state(unsigned int cpu)
{
	sim_apic_reg_set(cpu, APIC_SVR, 0x1ff);
	sim_apic_reg_set(cpu, APIC_TPR, 0x20);
	sim_apic_reg_set(cpu, APIC_LVT_TIMER, 0x20000 | LINUX_TIMER_VECTOR);
	sim_apic_reg_set(cpu, APIC_TIMER_INIT, 100000);
	sim_apic_reg_set(cpu, APIC_LVT_LINT0, 0x700);
	sim_apic_set_in_service(cpu, 0x41);
	sim_apic_raise(cpu, LINUX_TIMER_VECTOR);
	sim_apic_raise(cpu, 0x31);
}

static void assert_apic_as_after_init(unsigned int cpu)
{
	for (u32 n = 0; n < 8; n++) {
		cr_assert_eq(sim_apic_reg(cpu, APIC_IRR + n * 16), 0,
			     "IRR word %u of CPU %u still pending", n, cpu);
		cr_assert_eq(sim_apic_reg(cpu, APIC_ISR + n * 16), 0,
			     "ISR word %u of CPU %u still in service", n, cpu);
	}
	cr_assert(sim_apic_reg(cpu, APIC_LVT_TIMER) & LVT_MASKED);
	cr_assert(sim_apic_reg(cpu, APIC_LVT_LINT0) & LVT_MASKED);
	cr_assert(sim_apic_reg(cpu, APIC_LVT_LINT1) & LVT_MASKED);
	cr_assert(sim_apic_reg(cpu, APIC_LVT_ERROR) & LVT_MASKED);
	cr_assert_eq(sim_apic_reg(cpu, APIC_TIMER_INIT), 0, "timer running");
	cr_assert_eq(sim_apic_reg(cpu, APIC_TPR), 0);
	cr_assert_eq(sim_apic_reg(cpu, APIC_SVR), 0xff,
		     "software-disabled, spurious vector 0xff, as after INIT");
}

/*
 * Linux's timer vector left pending in the IRR of the CPU it gave away
 * would fire into the inmate the moment it enables interrupts.
 */
Test(LIFECYCLE, cell_cpu_starts_with_nothing_of_linux_in_its_apic)
{
	leave_linux_apic_state(TINY_CPU);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	assert_apic_as_after_init(TINY_CPU);
	cr_assert_eq(sim_apic_interrupts_taken(TINY_CPU), 2,
		     "both pending vectors taken and ended");
	cr_assert(sim_cpu_runs_guest(TINY_CPU));
}

/*
 * The LVT entries beyond the basic four are masked where the APIC has
 * them, by its version register, and left alone where it does not: on an
 * x2APIC such a write would be a #GP in the hypervisor.
 */
Test(LIFECYCLE, cell_cpu_lvts_are_masked_as_far_as_its_apic_has_them)
{
	static const u32 extra[] = { APIC_LVT_PERF, APIC_LVT_THERMAL,
				     APIC_LVT_CMCI };
	u32 max_entry, n;
	long id;

	for (max_entry = 3; max_entry <= 6; max_entry++) {
		sim_apic_reg_set(TINY_CPU, APIC_VERSION,
				 max_entry << 16 | 0x14);
		for (n = 0; n < ARRAY_SIZE(extra); n++)
			sim_apic_reg_set(TINY_CPU, extra[n], 0x40 + n);
		id = create(TINY_DEMO_CELL);
		cr_assert_gt(id, 0, "%ld", id);
		for (n = 0; n < ARRAY_SIZE(extra); n++) {
			u32 lvt = sim_apic_reg(TINY_CPU, extra[n]);

			if (max_entry >= 4 + n)
				cr_assert(lvt & LVT_MASKED, "LVT 0x%x with %u "
					  "entries: 0x%x", extra[n],
					  max_entry + 1, lvt);
			else
				cr_assert_eq(lvt, 0x40 + n, "LVT 0x%x with %u "
					     "entries written", extra[n],
					     max_entry + 1);
		}
		cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, id), 0);
	}
}

Test(LIFECYCLE, cell_restart_drops_what_the_cell_left_pending)
{
	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	leave_linux_apic_state(TINY_CPU);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_SET_LOADABLE, 1), 0);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	assert_apic_as_after_init(TINY_CPU);
}

Test(LIFECYCLE, an_undeliverable_pending_vector_is_named)
{
	/* Vectors 0-15 are illegal: the APIC never hands them over. */
	sim_apic_raise(TINY_CPU, 5);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	cr_assert(log_contains("CPU 2: local APIC still holds vector 0x5 "
			       "pending after reset"));
	cr_assert(sim_cpu_runs_guest(TINY_CPU), "the cell starts anyway");
}

/*
 * The comm region tells the inmate its CPU count and the clocks' rates, so
 * that apic-demo need not calibrate against the PM timer on its own. The
 * APIC timer is measured on a CPU no one owns, never on one Linux runs on.
 */
Test(LIFECYCLE, comm_region_names_cpus_and_clock_rates)
{
	const struct jailhouse_comm_region *comm;
	struct cell *tiny;
	u64 khz;

	sim_apic_reg_set(ROOT_CPU, APIC_LVT_TIMER, LINUX_TIMER_VECTOR);
	sim_apic_reg_set(ROOT_CPU, APIC_TIMER_INIT, 123456);
	cr_assert_eq(create(TINY_DEMO_CELL), 1);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, 1), 0);
	tiny = cell_by_name("tiny-demo");
	comm = tiny->comm_page;
	cr_assert_eq(comm->num_cpus, 1);
	cr_assert_eq(comm->pm_timer_address, 0x608);
	cr_assert(comm->tsc_khz > SIM_TSC_KHZ * 999 / 1000 &&
			  comm->tsc_khz < SIM_TSC_KHZ * 1001 / 1000,
		  "tsc %llu kHz", (unsigned long long)comm->tsc_khz);
	khz = comm->apic_khz;
	cr_assert(khz > SIM_APIC_TIMER_KHZ * 99 / 100 &&
			  khz < SIM_APIC_TIMER_KHZ * 101 / 100,
		  "APIC timer %llu kHz, the bus clock is %llu kHz",
		  (unsigned long long)khz,
		  (unsigned long long)SIM_APIC_TIMER_KHZ);
	cr_assert_eq(sim_apic_reg(ROOT_CPU, APIC_TIMER_INIT), 123456,
		     "Linux's timer was touched");
	cr_assert_eq(sim_apic_reg(ROOT_CPU, APIC_LVT_TIMER),
		     LINUX_TIMER_VECTOR);
}

/*
 * A cell taking root's first 2 MiB (low RAM, the VGA window and the
 * start of high RAM) empties the page table root maps them with: giving
 * them back needs a new table, which an empty pool does not have.
 */
static const struct {
	struct jailhouse_cell_desc cell;
	u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
} __attribute__((packed)) low_cell = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.architecture = JAILHOUSE_ARCH_X86,
		.name = "low",
		.cpu_set_size = sizeof(low_cell.cpus),
		.num_memory_regions = 2,
		.cpu_reset_address = 0xf0000,
	},
	.cpus = { 1 << TINY_CPU },
	.mem_regions = {
		{ .phys_start = 0, .virt_start = 0, .size = 0x200000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			   JAILHOUSE_MEM_EXECUTE },
		{ .virt_start = 0x200000, .size = 0x1000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			   JAILHOUSE_MEM_COMM_REGION },
	},
};

/* Takes every free page of the pool, one by one, fragments or not. */
static void *hogged[4096];
static unsigned int hog_pool(unsigned int n)
{
	while (n < 4096 && (hogged[n] = page_alloc(&mem_pool, 1)))
		n++;
	cr_assert_eq(page_pool_free_pages(&mem_pool), 0);
	return n;
}

static void release_pool(unsigned int n)
{
	while (n--)
		page_free(&mem_pool, hogged[n], 1);
}

Test(LIFECYCLE, memory_root_cannot_get_back_is_owed_until_it_can)
{
	struct root_view before, after;
	unsigned int hogs;
	long id;

	take_root_view(&before);
	id = sim_cell_create(ROOT_CPU, &low_cell, sizeof(low_cell));
	cr_assert_gt(id, 0, "%s", hv_log());
	cr_assert_not(cell_maps(&root_cell, 0x1000, NULL, NULL));
	hogs = hog_pool(0);

	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, id), 0,
		     "the cell is gone either way");
	cr_assert_null(cell_by_name("low"));
	cr_assert(log_contains("FATAL: cannot give 0x0-0x9ffff back to the "
			       "root cell (-12)"),
		  "%s", hv_log());
	cr_assert(log_contains("Root cell owed 0x0-0x1fffff: no cell is "
			       "created until it is mapped back"));
	cr_assert_not(cell_maps(&root_cell, 0x1000, NULL, NULL));
	/* The cell's own tables and state went back to the pool. */
	hogs = hog_pool(hogs);

	/*
	 * The pool gets room back a page at a time: no cell is created
	 * until root has been paid back, which the first creation with
	 * room enough does.
	 */
	while ((id = create(TINY_DEMO_CELL)) < 0) {
		cr_assert_eq(id, -ENOMEM);
		cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
			     JAILHOUSE_CFG_ERR_NO_MEMORY);
		cr_assert_eq(info(JAILHOUSE_INFO_NUM_CELLS), 1);
		cr_assert_gt(hogs, 0, "%s", hv_log());
		page_free(&mem_pool, hogged[--hogs], 1);
	}
	cr_assert(log_contains("memory owed to the root cell cannot be "
			       "mapped back"),
		  "%s", hv_log());
	cr_assert(cell_maps(&root_cell, 0x1000, NULL, NULL));
	release_pool(hogs);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_DESTROY, id), 0);
	take_root_view(&after);
	assert_root_view_equal(&before, &after);
}

#define EDU_DEMO_CELL CELL_DIR "/edu-demo.cell"
#define EDU_CPU 3

/* The descriptor of a one-CPU cell with two memory regions and pio ports. */
#define SMALL_CELL(cell_name, cpu, pio)                                        \
	.cell = {                                                              \
		TEST_CELL_IDENT,                                               \
		.name = cell_name,                                             \
		.cpu_set_size = sizeof(u64),                                   \
		.num_memory_regions = 2,                                       \
		.num_pio_regions = (pio),                                      \
		.cpu_reset_address = TEST_RESET_ADDRESS,                       \
	},                                                                     \
	.cpus = { 1 << (cpu) }

struct two_region_cell {
	struct jailhouse_cell_desc cell;
	u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
} __attribute__((packed));

/*
 * Ports are judged against the port lists of the cells there are and
 * nothing after them: edu-demo has no ports, only a PCI device, whose
 * bytes read as ports would be 0x1-0x80.
 */
static const struct {
	struct jailhouse_cell_desc cell;
	u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
	struct jailhouse_pio pio_regions[2];
} __attribute__((packed)) ports_cell = {
	SMALL_CELL("ports", TINY_CPU, 2),
	.mem_regions = {
		TEST_RAM(TINY_RAM),
		TEST_COMM,
	},
	.pio_regions = {
		{ .base = 0x60, .length = 1 },
		{ .base = 0x2f8, .length = 8 },
	},
};

Test(LIFECYCLE, ports_are_free_beside_a_cell_without_ports)
{
	long edu = create(EDU_DEMO_CELL), id;

	cr_assert_gt(edu, 0, "%s", hv_log());
	id = sim_cell_create(ROOT_CPU, &ports_cell, sizeof(ports_cell));
	cr_assert_gt(id, 0, "%s", hv_log());
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, id), 0);
	cr_assert(sim_pio_passes(TINY_CPU, 0x60));
	cr_assert(sim_pio_passes(TINY_CPU, 0x2f8));
	cr_assert_not(sim_pio_passes(ROOT_CPU, 0x60));
	cr_assert_not(sim_pio_passes(ROOT_CPU, 0x2f8));
}

/*
 * A cell with its comm region first: that region's phys_start means
 * nothing, whatever it holds, and the CPU set before it ends where its
 * size says.
 */
static const struct two_region_cell comm_first = {
	SMALL_CELL("comm-first", TINY_CPU, 0),
	.mem_regions = {
		{ .phys_start = ~0ULL, .virt_start = 0x100000, .size = 0x1000,
		  .flags = TEST_COMM_FLAGS },
		TEST_RAM(TINY_RAM),
	},
};

Test(LIFECYCLE, comm_region_first_with_any_phys_start)
{
	long id = sim_cell_create(ROOT_CPU, &comm_first, sizeof(comm_first));
	u64 hpa;

	cr_assert_gt(id, 0, "%s", hv_log());
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, id), 0);
	cr_assert(sim_cpu_runs_guest(TINY_CPU));
	cr_assert(sim_ept_translate(TINY_CPU, 0x1234, &hpa, NULL));
	cr_assert_eq(hpa, TINY_RAM + 0x1234);
	cr_assert(sim_ept_translate(TINY_CPU, 0x100000, NULL, NULL),
		  "the comm region");
}

/* CPU 0 is no different: root may give it away from another CPU. */
static const struct two_region_cell cpu0_cell = {
	SMALL_CELL("cpu0", 0, 0),
	.mem_regions = {
		TEST_RAM(TINY_RAM),
		TEST_COMM,
	},
};

Test(LIFECYCLE, root_gives_cpu_0_away_from_another_cpu)
{
	long id = sim_cell_create(1, &cpu0_cell, sizeof(cpu0_cell));
	u64 hpa;

	cr_assert_gt(id, 0, "%s", hv_log());
	cr_assert_not(sim_cpu_runs_guest(0), "parked for the cell");
	cr_assert_eq(sim_hypercall(1, JAILHOUSE_HC_CELL_START, id, 0), 0);
	cr_assert(sim_cpu_runs_guest(0));
	cr_assert_eq(sim_hypercall(0, JAILHOUSE_HC_CELL_DESTROY, id, 0),
		     -EPERM, "CPU 0 is the cell's now");
	cr_assert(sim_ept_translate(0, 0x1234, &hpa, NULL));
	cr_assert_eq(hpa, TINY_RAM + 0x1234, "CPU 0 runs in the cell");
	cr_assert_eq(sim_hypercall(1, JAILHOUSE_HC_CELL_DESTROY, id, 0), 0);
	cr_assert_eq(per_cpu(0)->cell, &root_cell, "CPU 0 is root's again");
	cr_assert(sim_ept_translate(1, TINY_RAM, &hpa, NULL));
	cr_assert_eq(hpa, TINY_RAM, "and so is the RAM");
}

/*
 * The ACPI PM timer's ports (0x608-0x60b on qemu-vm) are everybody's:
 * a cell may list them although root does not own them, beside another
 * cell that lists them too, but not one port more.
 */
#define PM_TIMER 0x608

static const struct {
	struct two_region_cell c;
	struct jailhouse_pio pio_regions[1];
} __attribute__((packed)) pm_below = {
	.c = {
		SMALL_CELL("pm-below", TINY_CPU, 1),
		.mem_regions = { TEST_RAM(TINY_RAM), TEST_COMM },
	},
	.pio_regions = { { .base = PM_TIMER - 4, .length = 8 } },
}, pm_only = {
	.c = {
		SMALL_CELL("pm-only", APIC_CPU, 1),
		.mem_regions = { TEST_RAM(APIC_RAM), TEST_COMM },
	},
	.pio_regions = { { .base = PM_TIMER, .length = 4 } },
}, pm_beyond = {
	.c = {
		SMALL_CELL("pm-beyond", APIC_CPU, 1),
		.mem_regions = { TEST_RAM(APIC_RAM), TEST_COMM },
	},
	.pio_regions = { { .base = PM_TIMER, .length = 5 } },
};

Test(LIFECYCLE, pm_timer_ports_are_everybody_s_but_no_port_more)
{
	struct jailhouse_system *sys;
	struct jailhouse_pio *root_pio;
	size_t size;
	long below, only;
	int err;

	/* Root owns the ports below the PM timer only. */
	sys = sim_read_file(QEMU_VM_CELL, &size);
	cr_assert_not_null(sys);
	cr_assert_eq(sys->root_cell.num_pio_regions, 1);
	root_pio = (struct jailhouse_pio *)jailhouse_cell_pio(&sys->root_cell);
	root_pio->base = 0;
	root_pio->length = PM_TIMER;
	sim_shutdown();
	err = sim_boot(sys, size, QEMU_VM_CPUS);
	cr_assert_eq(err, 0, "%d\n%s", err, hv_log());

	below = sim_cell_create(ROOT_CPU, &pm_below, sizeof(pm_below));
	cr_assert_gt(below, 0, "%s", hv_log());
	cr_assert_lt(sim_cell_create(ROOT_CPU, &pm_beyond, sizeof(pm_beyond)),
		     0, "port 0x60c is nobody's");
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_PIO_NOT_ROOT);
	only = sim_cell_create(ROOT_CPU, &pm_only, sizeof(pm_only));
	cr_assert_gt(only, 0, "%s", hv_log());
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, below), 0);
	cr_assert_eq(hc(JAILHOUSE_HC_CELL_START, only), 0);
	cr_assert(sim_pio_passes(TINY_CPU, PM_TIMER - 4), "its own port");
	cr_assert(sim_pio_passes(TINY_CPU, PM_TIMER + 3));
	cr_assert(sim_pio_passes(APIC_CPU, PM_TIMER));
	cr_assert_not(sim_pio_passes(APIC_CPU, PM_TIMER - 1));
	free(sys);
}
