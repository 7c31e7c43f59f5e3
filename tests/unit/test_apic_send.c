// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's one way to send an IPI (apic_send_ipi) and its one
 * CPU-to-APIC-id table, run against the fake local APICs: the ICR is
 * written as on hardware and the fake bus routes by the ids in the APICs'
 * own registers, here deliberately not the CPU numbers.
 */
#include <criterion/criterion.h>
#include <core/errno.h>
#include <asm/apic.h>
#include <asm/apicdef.h>
#include <asm/control.h>
#include <asm/hw.h>
#include <sim/apic_hw.h>
#include <sim/hw_state.h>
#include "apic_helpers.h"
#include "helpers.h"

#define VECTOR 0x45
#define FIXED_ASSERT (APIC_IPI_FIXED | 1U << 14 | VECTOR)
#define NMI_ASSERT (APIC_IPI_NMI | 1U << 14)

/* Ids with gaps and out of CPU order, as firmware hands them out. */
static const u32 ids[QEMU_VM_CPUS] = { 0x00, 0x12, 0x85, 0x40 };
#define UNUSED_ID 0x01

static unsigned int nmis[QEMU_VM_CPUS];
static void (*plain_kick)(unsigned int cpu);

static void counting_kick(unsigned int cpu)
{
	nmis[cpu]++;
	plain_kick(cpu);
}

/* Every CPU's APIC renumbered, and told again as at CPU init. */
static void boot_with_ids(bool xapic)
{
	unsigned int cpu;

	apic_test_boot(xapic);
	for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		sim_apic_set_id(cpu, ids[cpu]);
		sim_current_cpu = cpu;
		cr_assert_eq(apic_cpu_init(per_cpu(cpu)), 0);
	}
	sim_current_cpu = ROOT_CPU;
	sim_apic_ipis_clear();
	plain_kick = sim_kick_handler;
	sim_kick_handler = counting_kick;
}

static void boot_x2apic(void)
{
	boot_with_ids(false);
}

static void boot_xapic(void)
{
	boot_with_ids(true);
}

TestSuite(apic_send_x2apic, .init = boot_x2apic);
TestSuite(apic_send_xapic, .init = boot_xapic);

static void expect_lookups_agree(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		cr_expect_eq(apic_id_of(cpu), ids[cpu], "CPU %u", cpu);
		cr_expect_eq(cpu_of_apic_id(ids[cpu]), (int)cpu, "id 0x%x",
			     ids[cpu]);
	}
	cr_expect_eq(cpu_of_apic_id(UNUSED_ID), -1, "a gap names nobody");
	cr_expect_eq(cpu_of_apic_id(QEMU_VM_CPUS - 1), -1,
		     "a CPU number is no APIC id");
	cr_expect_eq(apic_id_of(QEMU_VM_CPUS), APIC_ID_NONE,
		     "a CPU that never told its id");
	cr_expect_eq(apic_id_of(MAX_CPUS), APIC_ID_NONE);
}

Test(apic_send_x2apic, lookups_agree_for_non_contiguous_ids)
{
	expect_lookups_agree();
}

Test(apic_send_xapic, lookups_agree_for_non_contiguous_ids)
{
	expect_lookups_agree();
}

/* From the root CPU to each other CPU: only that one hears it. */
static void expect_each_target_reached(void)
{
	struct sim_ipi ipi;
	unsigned int target, cpu;

	for (target = 1; target < QEMU_VM_CPUS; target++) {
		sim_apic_ipis_clear();
		cr_assert_eq(apic_send_ipi(target, APIC_IPI_FIXED | VECTOR), 0);
		for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++)
			cr_expect_eq(sim_apic_ipis_received(cpu),
				     cpu == target, "IPI for CPU %u at CPU %u",
				     target, cpu);
		cr_assert(sim_apic_last_ipi(target, &ipi));
		cr_expect_eq(ipi.from, ROOT_CPU);
		cr_expect_eq(ipi.dest, ids[target]);
		cr_expect_eq(ipi.icr, FIXED_ASSERT,
			     "fixed, physical, edge, asserted");
	}
}

Test(apic_send_x2apic, an_ipi_reaches_the_cpu_of_the_id)
{
	expect_each_target_reached();
}

Test(apic_send_xapic, an_ipi_reaches_the_cpu_of_the_id)
{
	expect_each_target_reached();
}

/* A kick is an NMI through the same path; the target takes it. */
static void expect_kick_is_an_nmi(void)
{
	struct sim_ipi ipi;

	x86_kick(2);
	cr_expect_eq(nmis[2], 1);
	cr_expect_eq(nmis[1] + nmis[3], 0);
	cr_assert(sim_apic_last_ipi(2, &ipi));
	cr_expect_eq(ipi.dest, ids[2]);
	cr_expect_eq(ipi.icr, NMI_ASSERT);
}

Test(apic_send_x2apic, a_kick_is_an_nmi_to_the_id)
{
	expect_kick_is_an_nmi();
}

Test(apic_send_xapic, a_kick_is_an_nmi_to_the_id)
{
	expect_kick_is_an_nmi();
}

/* A guest names APIC ids; the table turns them into the right CPUs. */
Test(apic_send_x2apic, a_guest_ipi_by_id_reaches_its_cpu)
{
	struct sim_ipi ipi;

	duo_start();
	sim_current_cpu = DUO_CPU_A;
	cr_assert(x2apic_handle_msr_write(per_cpu(DUO_CPU_A), X2APIC_MSR(APIC_ICR),
					  (u64)ids[DUO_CPU_B] << 32 |
						  FIXED_ASSERT));
	sim_current_cpu = ROOT_CPU;
	cr_expect_eq(sim_apic_ipis_received(DUO_CPU_B), 1);
	cr_assert(sim_apic_last_ipi(DUO_CPU_B, &ipi));
	cr_expect_eq(ipi.dest, ids[DUO_CPU_B]);
	cr_expect_eq(sim_apic_ipis_received(0) + sim_apic_ipis_received(1) +
			     sim_apic_ipis_received(DUO_CPU_A),
		     0);
}

Test(apic_send_x2apic, an_unknown_cpu_gets_nothing)
{
	cr_expect_eq(apic_send_ipi(QEMU_VM_CPUS, APIC_IPI_NMI), -ENODEV);
	cr_expect_eq(sim_apic_ipis_sent(), 0);
}

/* xAPIC: the last IPI must leave the ICR before the next is written. */
Test(apic_send_xapic, a_busy_icr_is_waited_for)
{
	sim_apic_icr_busy(ROOT_CPU, 3);
	cr_assert_eq(apic_send_ipi(1, APIC_IPI_FIXED | VECTOR), 0);
	cr_expect_eq(sim_apic_icr_busy_polls(ROOT_CPU), 3);
	cr_expect_eq(sim_apic_ipis_received(1), 1);
}

Test(apic_send_xapic, a_stuck_icr_ends_with_a_named_error)
{
	const char *line = "CPU 0: local APIC ICR still busy after 100000 "
			   "polls: fixed IPI (vector 0x45) to CPU 1 not sent";

	sim_apic_icr_busy(ROOT_CPU, SIM_ICR_STUCK);
	cr_assert_eq(apic_send_ipi(1, APIC_IPI_FIXED | VECTOR), -ETIMEDOUT);
	cr_expect_eq(sim_apic_icr_busy_polls(ROOT_CPU), APIC_ICR_IDLE_POLLS,
		     "gave up after the bound, not before");
	cr_expect_eq(sim_apic_ipis_sent(), 0, "nothing written while busy");
	cr_expect(log_contains(line), "log: %s", hv_log());

	/* Kicks repeat every millisecond: the line is not. */
	cr_assert_eq(apic_send_ipi(2, APIC_IPI_NMI), -ETIMEDOUT);
	cr_expect_eq(log_count("still busy"), 1, "log: %s", hv_log());
	cr_expect_eq(nmis[2], 0);

	sim_apic_icr_busy(ROOT_CPU, 0);
	cr_expect_eq(apic_send_ipi(1, APIC_IPI_FIXED | VECTOR), 0,
		     "sends again once the APIC does");
	cr_expect_eq(sim_apic_ipis_received(1), 1);
}
