// SPDX-License-Identifier: GPL-2.0
/*
 * IPIs of cells on the simulated qemu-vm machine: x2APIC ICR writes handed
 * to the handler as the MSR exit path will, xAPIC ones through real guest
 * accesses to the APIC page. What arrives is judged by the fake local APICs'
 * bus, which routes each IPI the hypervisor sends the way the SDM says.
 */
#include <criterion/criterion.h>
#include <asm/apic.h>
#include <asm/apicdef.h>
#include <asm/control.h>
#include <asm/emulate.h>
#include <asm/cpuid.h>
#include <asm/exit.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/vmcs.h>
#include <sim/apic_hw.h>
#include "apic_helpers.h"
#include "helpers.h"

#define X2_BROADCAST 0xffffffffU

#define XAPIC_ICR (XAPIC_BASE + APIC_ICR)
#define XAPIC_ICR_HIGH (XAPIC_BASE + APIC_ICR_HIGH)

static void setup(void)
{
	apic_test_boot(false);
	duo_start();
}

TestSuite(apic, .init = setup);

/* An x2APIC ICR write as the MSR exit path hands it over. */
static bool icr(unsigned int cpu, u32 dest, u32 low)
{
	unsigned int caller = sim_current_cpu;
	bool handled;

	sim_current_cpu = cpu;
	handled = x2apic_handle_msr_write(per_cpu(cpu), X2APIC_MSR(APIC_ICR),
					  (u64)dest << 32 | low);
	/* The exit path on the way back to the guest. */
	x86_handle_requests(per_cpu(cpu));
	apic_handle_requests(per_cpu(cpu));
	sim_current_cpu = caller;
	return handled;
}

static unsigned int got(unsigned int cpu)
{
	return sim_apic_ipis_received(cpu);
}

Test(apic, fixed_ipi_inside_the_cell_is_delivered)
{
	struct sim_ipi ipi;

	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_FIXED | ICR_ASSERT | 0x40));
	cr_assert_eq(got(DUO_CPU_B), 1);
	cr_assert(sim_apic_last_ipi(DUO_CPU_B, &ipi));
	cr_assert_eq(ipi.from, DUO_CPU_A, "sent from the sender's own APIC");
	cr_assert_eq(ipi.dest, DUO_CPU_B);
	cr_assert_eq(ipi.icr & 0xfff, 0x40, "fixed, vector 0x40, physical");
	cr_assert_eq(got(0) + got(1) + got(DUO_CPU_A), 0);
}

Test(apic, root_ipis_among_its_cpus_are_delivered)
{
	cr_assert(icr(0, 1, ICR_FIXED | ICR_ASSERT | 0xec));
	cr_assert_eq(got(1), 1);
	cr_assert(icr(1, 0, ICR_NMI | ICR_ASSERT));
	cr_assert_eq(got(0), 1);
	cr_assert_eq(sim_apic_ipi(1)->icr & 0x700, ICR_NMI);
}

Test(apic, foreign_ipi_is_dropped_and_logged_once)
{
	const char *line = "IPI from CPU 2 of cell \"duo\" to CPU 0 of cell "
			   "\"QEMU-VM\" dropped: fixed, vector 0x41";

	cr_assert(icr(DUO_CPU_A, 0, ICR_FIXED | ICR_ASSERT | 0x41));
	cr_assert(icr(DUO_CPU_A, 0, ICR_FIXED | ICR_ASSERT | 0x41));
	cr_assert_eq(sim_apic_ipis_sent(), 0, "nothing may reach hardware");
	cr_assert_eq(log_count(line), 1, "log: %s", hv_log());
	cr_assert(sim_cpu_runs_guest(DUO_CPU_A), "dropping is not failing");

	cr_assert(icr(0, DUO_CPU_B, ICR_NMI | ICR_ASSERT));
	cr_assert_eq(got(DUO_CPU_B), 0, "root cannot reach the cell either");
	cr_assert(log_contains("IPI from CPU 0 of cell \"QEMU-VM\" to CPU 3 "
			       "of cell \"duo\" dropped: NMI"));
}

Test(apic, a_new_cell_gets_its_own_log_lines)
{
	const char *line = "IPI from CPU 2 of cell \"duo\" to CPU 0";
	long id = cell_by_name(DUO_NAME)->id;

	sim_inmate_set(DUO_NAME, SIM_INMATE_APPROVE);
	cr_assert(icr(DUO_CPU_A, 0, ICR_FIXED | ICR_ASSERT | 0x41));
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY, id, 0),
		     0);
	duo_start();
	cr_assert(icr(DUO_CPU_A, 0, ICR_FIXED | ICR_ASSERT | 0x41));
	cr_assert_eq(log_count(line), 2, "log: %s", hv_log());
	cr_assert_eq(sim_apic_ipis_sent(), 0);
}

Test(apic, unknown_apic_id_is_refused)
{
	cr_assert(icr(DUO_CPU_A, 0x99, ICR_FIXED | ICR_ASSERT | 0x41));
	cr_assert_eq(sim_apic_ipis_sent(), 0);
	cr_assert(log_contains("refused: no such CPU (fixed, vector 0x41, ICR "
			       "0x00004041, destination 0x99)"),
		  "log: %s", hv_log());
}

Test(apic, shorthands_and_broadcast_end_at_the_cell)
{
	cr_assert(icr(DUO_CPU_A, 0, ICR_ALL | ICR_ASSERT | 0x50));
	cr_assert_eq(got(DUO_CPU_A), 1);
	cr_assert_eq(got(DUO_CPU_B), 1);
	cr_assert(icr(DUO_CPU_A, 0, ICR_OTHERS | ICR_ASSERT | 0x51));
	cr_assert_eq(got(DUO_CPU_A), 1);
	cr_assert_eq(got(DUO_CPU_B), 2);
	cr_assert(icr(DUO_CPU_B, 0, ICR_SELF | ICR_ASSERT | 0x52));
	cr_assert_eq(got(DUO_CPU_B), 3);
	cr_assert(icr(DUO_CPU_B, X2_BROADCAST, ICR_FIXED | ICR_ASSERT | 0x53));
	cr_assert_eq(got(DUO_CPU_A), 2);
	cr_assert_eq(got(DUO_CPU_B), 4);
	cr_assert_eq(got(0) + got(1), 0, "root's CPUs heard a broadcast");
	cr_assert_not(log_contains("dropped"),
		      "broadcasts are not violations: %s", hv_log());

	cr_assert(icr(0, 0, ICR_OTHERS | ICR_ASSERT | 0xf0));
	cr_assert_eq(got(1), 1);
	cr_assert_eq(got(DUO_CPU_A) + got(DUO_CPU_B), 6);
}

Test(apic, logical_destination_reaches_only_own_cpus)
{
	/* Cluster 0, CPUs 0-3: the cell gets 2 and 3, the rest is logged. */
	cr_assert(icr(DUO_CPU_A, 0xf,
		      ICR_LOGICAL | ICR_FIXED | ICR_ASSERT | 0x60));
	cr_assert_eq(got(DUO_CPU_A), 1);
	cr_assert_eq(got(DUO_CPU_B), 1);
	cr_assert_eq(got(0) + got(1), 0);
	cr_assert(log_contains("to CPU 0 of cell \"QEMU-VM\" dropped"));
	cr_assert(log_contains("to CPU 1 of cell \"QEMU-VM\" dropped"));
	for (unsigned int n = 0; n < sim_apic_ipis_sent(); n++)
		cr_assert_eq(sim_apic_ipi(n)->icr & ICR_LOGICAL, 0,
			     "logical IPIs must not reach the hardware");

	/* Lowest priority: one CPU of the set takes it. */
	cr_assert(icr(DUO_CPU_A, 0xc,
		      ICR_LOGICAL | ICR_LOWEST | ICR_ASSERT | 0x61));
	cr_assert_eq(got(DUO_CPU_A) + got(DUO_CPU_B), 3);
	/* Another cluster is nobody here, whatever bits it names. */
	cr_assert(icr(DUO_CPU_A, 0x1000c,
		      ICR_LOGICAL | ICR_FIXED | ICR_ASSERT | 0x62));
	cr_assert_eq(got(DUO_CPU_A) + got(DUO_CPU_B), 3);
}

Test(apic, invalid_commands_are_refused_and_logged)
{
	static const struct {
		u32 low;
		const char *why;
	} bad[] = {
		{ ICR_FIXED | ICR_ASSERT | 0x40 | (1U << 13),
		  "reserved bits set" },
		{ ICR_FIXED | ICR_ASSERT | 0x40 | (1U << 12),
		  "reserved bits set" },
		{ ICR_FIXED | ICR_ASSERT | 0x40 | (1U << 24),
		  "reserved bits set" },
		{ ICR_SMI | ICR_ASSERT, "SMIs are not for cells" },
		{ 0x300 | ICR_ASSERT | 0x40, "reserved delivery mode" },
		{ 0x700 | ICR_ASSERT | 0x40, "reserved delivery mode" },
		{ ICR_FIXED | ICR_ASSERT | 0x0f, "vectors 0-15 are illegal" },
		{ ICR_NMI | ICR_SELF | ICR_ASSERT,
		  "not valid with this shorthand" },
		{ ICR_INIT | ICR_ALL | ICR_ASSERT,
		  "not valid with this shorthand" },
		{ ICR_LOWEST | ICR_OTHERS | ICR_ASSERT | 0x40,
		  "not valid with this shorthand" },
	};

	for (unsigned int n = 0; n < ARRAY_SIZE(bad); n++) {
		cr_assert(icr(DUO_CPU_A, DUO_CPU_B, bad[n].low));
		cr_assert(log_contains(bad[n].why), "0x%x: %s", bad[n].low,
			  hv_log());
	}
	cr_assert_eq(sim_apic_ipis_sent(), 0, "an invalid IPI was sent");
	cr_assert(sim_cpu_runs_guest(DUO_CPU_B), "an invalid INIT parked it");
	cr_assert(log_contains("IPI from CPU 2 of cell \"duo\" refused: SMIs"));
	cr_assert_eq(log_count("reserved bits set"), 1, "logged once");
}

/* Vector 16 is the first legal one, for fixed and lowest priority alike. */
Test(apic, vector_16_is_delivered)
{
	struct sim_ipi ipi;

	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_FIXED | ICR_ASSERT | 0x10));
	cr_assert_eq(got(DUO_CPU_B), 1, "%s", hv_log());
	cr_assert(sim_apic_last_ipi(DUO_CPU_B, &ipi));
	cr_assert_eq(ipi.icr & 0xff, 0x10);
	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_LOWEST | ICR_ASSERT | 0x10));
	cr_assert_eq(got(DUO_CPU_B), 2, "%s", hv_log());
}

/* The level de-assert Linux sends after an INIT is no INIT itself. */
Test(apic, init_deassert_alone_leaves_the_cpu_running)
{
	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_INIT | ICR_LEVEL));
	cr_assert(sim_cpu_runs_guest(DUO_CPU_B), "a de-assert parked it");
}

Test(apic, init_and_sipi_restart_a_cpu_of_the_cell)
{
	/* B runs in long mode with paging, as an inmate or Linux would. */
	sim_current_cpu = DUO_CPU_B;
	hw_vmwrite(VMCS_GUEST_CR0, 0x80000031);
	hw_vmwrite(VMCS_GUEST_EFER, 0x500);
	hw_vmwrite(VMCS_GUEST_RSP, 0x1b148);
	sim_current_cpu = ROOT_CPU;
	per_cpu(DUO_CPU_B)->arch.guest_regs.gp[REG_RAX] = 0x4b;

	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_INIT | ICR_LEVEL | ICR_ASSERT));
	cr_assert_not(sim_cpu_runs_guest(DUO_CPU_B), "INIT must park");
	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_INIT | ICR_LEVEL));
	cr_assert_not(sim_cpu_runs_guest(DUO_CPU_B), "de-assert is a no-op");
	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_STARTUP | ICR_ASSERT | 0x9a));
	cr_assert(sim_cpu_runs_guest(DUO_CPU_B), "SIPI must start it");
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_CS_BASE), 0x9a000);
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_CS_SELECTOR), 0x9a00);
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_RIP), 0);
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_ACTIVITY_STATE),
		     GUEST_ACTIVITY_ACTIVE);
	/* INIT reset the rest: real mode, no paging, nothing left over. */
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_CR0) & 0x80000001, 0);
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_EFER), 0);
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_RSP), 0);
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_ENTRY_CTLS) &
			     ENTRY_IA32E_MODE_GUEST,
		     0);
	cr_assert_eq(per_cpu(DUO_CPU_B)->arch.guest_regs.gp[REG_RAX], 0);

	/* Linux's second SIPI finds the CPU running: ignored. */
	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_STARTUP | ICR_ASSERT | 0x10));
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_CS_BASE), 0x9a000);
	/* Only the kicks that had B carry them out reached the hardware. */
	for (unsigned int n = 0; n < sim_apic_ipis_sent(); n++)
		cr_assert(sim_apic_ipi(n)->icr == (ICR_NMI | ICR_ASSERT) &&
				  sim_apic_ipi(n)->dest == DUO_CPU_B,
			  "INIT/SIPI are emulated");
}

Test(apic, init_leaves_the_local_apic_as_a_real_init_would)
{
	sim_apic_reg_set(DUO_CPU_B, 0xf0, 0x1ff);
	sim_apic_reg_set(DUO_CPU_B, 0x320, 0x20030);
	sim_apic_reg_set(DUO_CPU_B, 0x380, 5000);
	sim_apic_raise(DUO_CPU_B, 0x30);
	sim_apic_set_in_service(DUO_CPU_B, 0x50);

	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_INIT | ICR_LEVEL | ICR_ASSERT));
	cr_assert_eq(sim_apic_reg(DUO_CPU_B, APIC_IRR + 16), 0, "0x30 pending");
	cr_assert_eq(sim_apic_reg(DUO_CPU_B, APIC_ISR + 32), 0,
		     "0x50 in service");
	cr_assert(sim_apic_reg(DUO_CPU_B, APIC_LVT_TIMER) & LVT_MASKED,
		  "timer LVT");
	cr_assert_eq(sim_apic_reg(DUO_CPU_B, APIC_TIMER_INIT), 0);
	cr_assert_eq(sim_apic_reg(DUO_CPU_B, APIC_SVR), 0xff);
	cr_assert_eq(sim_apic_interrupts_taken(DUO_CPU_B), 1);
}

Test(apic, init_to_all_others_parks_the_cell_but_not_root)
{
	cr_assert(icr(DUO_CPU_B, 0,
		      ICR_OTHERS | ICR_INIT | ICR_LEVEL | ICR_ASSERT));
	cr_assert_not(sim_cpu_runs_guest(DUO_CPU_A));
	cr_assert(sim_cpu_runs_guest(0));
	cr_assert(sim_cpu_runs_guest(1));
	cr_assert(sim_cpu_runs_guest(DUO_CPU_B));
	cr_assert(icr(DUO_CPU_B, 0,
		      ICR_OTHERS | ICR_STARTUP | ICR_ASSERT | 0x08));
	cr_assert(sim_cpu_runs_guest(DUO_CPU_A));
	cr_assert_eq(sim_vmcs_get(DUO_CPU_A, VMCS_GUEST_CS_BASE), 0x8000);
	cr_assert_neq(sim_vmcs_get(0, VMCS_GUEST_CS_BASE), 0x8000,
		      "root's CPU was restarted");
}

Test(apic, init_and_sipi_to_foreign_cpus_are_dropped)
{
	cr_assert(icr(DUO_CPU_A, 1, ICR_INIT | ICR_LEVEL | ICR_ASSERT));
	cr_assert(sim_cpu_runs_guest(1), "a cell parked a root CPU");
	cr_assert(log_contains("to CPU 1 of cell \"QEMU-VM\" dropped: INIT"));
	cr_assert(icr(0, DUO_CPU_B, ICR_INIT | ICR_LEVEL | ICR_ASSERT));
	cr_assert(sim_cpu_runs_guest(DUO_CPU_B), "root parked a cell CPU");
}

Test(apic, requests_of_a_cell_a_cpu_has_left_are_void)
{
	struct cell ghost = { .id = (u32)cell_by_name(DUO_NAME)->id };

	sim_inmate_set(DUO_NAME, SIM_INMATE_APPROVE);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY,
				   ghost.id, 0),
		     0);
	cr_assert_not(sim_cpu_runs_guest(DUO_CPU_B), "back to root, parked");
	/* Root brings its CPU online the way Linux does. */
	cr_assert(icr(0, DUO_CPU_B, ICR_INIT | ICR_LEVEL | ICR_ASSERT));
	cr_assert(icr(0, DUO_CPU_B, ICR_STARTUP | ICR_ASSERT | 0x10));
	cr_assert(sim_cpu_runs_guest(DUO_CPU_B));
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_CS_BASE), 0x10000);

	/* What a CPU of the dying cell sent just before it went. */
	sim_current_cpu = DUO_CPU_A;
	apic_deliver_init(&ghost, DUO_CPU_B);
	apic_deliver_sipi(&ghost, DUO_CPU_B, 0x9a);
	sim_current_cpu = ROOT_CPU;
	cr_assert(sim_cpu_runs_guest(DUO_CPU_B), "root's CPU was parked");
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_CS_BASE), 0x10000,
		     "root's CPU was started where the cell said");
}

Test(apic, sipi_without_init_is_ignored)
{
	u64 rip = sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_CS_BASE);

	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_STARTUP | ICR_ASSERT | 0x20));
	cr_assert(sim_cpu_runs_guest(DUO_CPU_B));
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_CS_BASE), rip);
}

Test(apic, init_to_self_parks_the_sender)
{
	cr_assert(icr(DUO_CPU_A, DUO_CPU_A, ICR_INIT | ICR_LEVEL | ICR_ASSERT));
	cr_assert_not(sim_cpu_runs_guest(DUO_CPU_A));
	cr_assert(icr(DUO_CPU_B, DUO_CPU_A, ICR_STARTUP | ICR_ASSERT | 0x9a));
	cr_assert(sim_cpu_runs_guest(DUO_CPU_A));
}

Test(apic, a_failed_cpu_stays_down)
{
	cr_assert_eq(sim_guest_triple_fault(1), SIM_ACCESS_FAULT);
	cr_assert(icr(0, 1, ICR_INIT | ICR_LEVEL | ICR_ASSERT));
	cr_assert(icr(0, 1, ICR_STARTUP | ICR_ASSERT | 0x9a));
	cr_assert_not(sim_cpu_runs_guest(1), "INIT/SIPI revived it");
}

Test(apic, cpu_init_checks_the_apic_mode)
{
	unsigned int caller = sim_current_cpu;

	sim_current_cpu = 1;
	sim_msr_set(1, MSR_IA32_APIC_BASE, XAPIC_BASE | APIC_BASE_EN);
	cr_assert_eq(apic_cpu_init(per_cpu(1)), -ENODEV);
	cr_assert(log_contains("CPU 1: local APIC in xAPIC mode, but the "
			       "config says x2APIC"));
	sim_msr_set(1, MSR_IA32_APIC_BASE, XAPIC_BASE);
	cr_assert_eq(apic_cpu_init(per_cpu(1)), -ENODEV);
	cr_assert(log_contains("CPU 1: local APIC disabled"));
	sim_current_cpu = caller;
}

Test(apic, msr_reads_and_what_is_left_to_the_bitmap)
{
	unsigned int caller = sim_current_cpu;
	u64 value = 0;

	cr_assert(icr(DUO_CPU_A, DUO_CPU_B, ICR_FIXED | ICR_ASSERT | 0x44));
	sim_current_cpu = DUO_CPU_A;
	cr_assert(x2apic_handle_msr_read(per_cpu(DUO_CPU_A),
					 X2APIC_MSR(APIC_ICR), &value));
	cr_assert_eq(value,
		     (u64)DUO_CPU_B << 32 | ICR_FIXED | ICR_ASSERT | 0x44,
		     "the guest reads back its own ICR");
	cr_assert(x2apic_handle_msr_read(per_cpu(DUO_CPU_A),
					 X2APIC_MSR(APIC_ID), &value));
	cr_assert_eq(value, DUO_CPU_A, "the physical APIC id");
	cr_assert_not(x2apic_handle_msr_read(per_cpu(DUO_CPU_A),
					     X2APIC_MSR(APIC_EOI),
					     &value),
		      "EOI is write-only");
	cr_assert_not(x2apic_handle_msr_read(per_cpu(DUO_CPU_A),
					     MSR_IA32_APIC_BASE, &value));
	cr_assert_not(x2apic_handle_msr_write(per_cpu(DUO_CPU_A),
					      X2APIC_MSR(APIC_EOI), 0),
		      "EOI passes through the MSR bitmap, never here");
	cr_assert_not(x2apic_handle_msr_write(per_cpu(DUO_CPU_A), 0x10, 0));
	sim_current_cpu = caller;
}

Test(apic, x2apic_mode_does_not_emulate_the_xapic_page)
{
	u64 value;

	cr_assert_eq(sim_guest_read(DUO_CPU_A, XAPIC_BASE + APIC_ID, 4, &value),
		     SIM_ACCESS_FAULT);
}

/* xAPIC mode: the same rules through the trapped APIC page. */
static void setup_xapic(void)
{
	apic_test_boot(true);
	duo_start();
}

TestSuite(xapic, .init = setup_xapic);

static void xapic_ipi(unsigned int cpu, u8 dest, u32 low)
{
	cr_assert_eq(sim_guest_write(cpu, XAPIC_ICR_HIGH, 4, (u32)dest << 24),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_guest_write(cpu, XAPIC_ICR, 4, low), SIM_ACCESS_MMIO);
}

Test(xapic, ipis_through_the_apic_page)
{
	struct sim_ipi ipi;
	u64 value;

	xapic_ipi(DUO_CPU_A, DUO_CPU_B, ICR_FIXED | ICR_ASSERT | 0x40);
	cr_assert_eq(got(DUO_CPU_B), 1);
	cr_assert(sim_apic_last_ipi(DUO_CPU_B, &ipi));
	cr_assert_eq(ipi.dest, DUO_CPU_B);
	xapic_ipi(DUO_CPU_A, 0, ICR_FIXED | ICR_ASSERT | 0x41);
	cr_assert_eq(got(0), 0);
	cr_assert(log_contains("IPI from CPU 2 of cell \"duo\" to CPU 0 of "
			       "cell \"QEMU-VM\" dropped: fixed, vector 0x41"));
	xapic_ipi(DUO_CPU_A, 0xff, ICR_FIXED | ICR_ASSERT | 0x42);
	cr_assert_eq(got(0) + got(1), 0, "broadcast left the cell");
	cr_assert_eq(got(DUO_CPU_A), 1);

	cr_assert_eq(sim_guest_read(DUO_CPU_A, XAPIC_ICR_HIGH, 4, &value),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(value, 0xff000000, "the guest's own ICR high word");
	cr_assert_eq(sim_guest_read(DUO_CPU_A, XAPIC_ICR, 4, &value),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(value, ICR_FIXED | ICR_ASSERT | 0x42);
	cr_assert_eq(sim_guest_read(DUO_CPU_A, XAPIC_BASE + APIC_ID, 4, &value),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(value, DUO_CPU_A << 24, "the physical APIC id");
}

Test(xapic, init_and_sipi_through_the_apic_page)
{
	xapic_ipi(DUO_CPU_A, DUO_CPU_B, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
	cr_assert_not(sim_cpu_runs_guest(DUO_CPU_B));
	xapic_ipi(DUO_CPU_A, DUO_CPU_B, ICR_STARTUP | ICR_ASSERT | 0x9f);
	cr_assert(sim_cpu_runs_guest(DUO_CPU_B));
	cr_assert_eq(sim_vmcs_get(DUO_CPU_B, VMCS_GUEST_CS_BASE), 0x9f000);
}

/*
 * Nobody kicks a CPU for its own INIT: the MMIO exit that wrote the ICR
 * acts on it before the CPU goes back to its guest.
 */
Test(xapic, init_to_self_through_the_apic_page_parks_the_sender)
{
	u32 self = (u32)DUO_CPU_A << 24;

	cr_assert_eq(sim_guest_write(DUO_CPU_A, XAPIC_ICR_HIGH, 4, self),
		     SIM_ACCESS_MMIO);
	/* The write itself is where the CPU stops. */
	sim_guest_write(DUO_CPU_A, XAPIC_ICR, 4,
			ICR_INIT | ICR_LEVEL | ICR_ASSERT);
	cr_assert_not(sim_cpu_runs_guest(DUO_CPU_A));
	xapic_ipi(DUO_CPU_B, DUO_CPU_A, ICR_STARTUP | ICR_ASSERT | 0x9e);
	cr_assert(sim_cpu_runs_guest(DUO_CPU_A));
	cr_assert_eq(sim_vmcs_get(DUO_CPU_A, VMCS_GUEST_CS_BASE), 0x9e000);
}

Test(xapic, logical_ids_are_the_guests_but_delivery_stays_inside)
{
	/* The cell numbers its CPUs like root does: flat ids 1 and 2. */
	cr_assert_eq(sim_guest_write(DUO_CPU_A, XAPIC_BASE + APIC_LDR, 4,
				     1U << 24),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_guest_write(DUO_CPU_B, XAPIC_BASE + APIC_LDR, 4,
				     2U << 24),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_apic_reg(DUO_CPU_B, APIC_LDR), 2U << 24,
		     "LDR reaches the APIC");
	/* Root's CPU 0 has flat id 1 as well: it must not hear this. */
	xapic_ipi(DUO_CPU_B, 0x01, ICR_LOGICAL | ICR_FIXED | ICR_ASSERT | 0x70);
	cr_assert_eq(got(DUO_CPU_A), 1);
	cr_assert_eq(got(0), 0);
	xapic_ipi(DUO_CPU_A, 0x03, ICR_LOGICAL | ICR_FIXED | ICR_ASSERT | 0x71);
	cr_assert_eq(got(DUO_CPU_A), 2);
	cr_assert_eq(got(DUO_CPU_B), 1);
	cr_assert_eq(got(0) + got(1), 0);
}

Test(xapic, cluster_model_logical_ids)
{
	/* Cluster 1: CPU 2 is its member 0, CPU 3 its member 1. */
	for (unsigned int cpu = DUO_CPU_A; cpu <= DUO_CPU_B; cpu++) {
		cr_assert_eq(sim_guest_write(cpu, XAPIC_BASE + APIC_DFR, 4,
					     0x0fffffff),
			     SIM_ACCESS_MMIO);
		cr_assert_eq(sim_guest_write(cpu, XAPIC_BASE + APIC_LDR, 4,
					     (0x10U | 1U << (cpu - DUO_CPU_A))
						     << 24),
			     SIM_ACCESS_MMIO);
	}
	xapic_ipi(DUO_CPU_A, 0x12, ICR_LOGICAL | ICR_FIXED | ICR_ASSERT | 0x72);
	cr_assert_eq(got(DUO_CPU_B), 1);
	cr_assert_eq(got(DUO_CPU_A), 0);
	xapic_ipi(DUO_CPU_A, 0x22, ICR_LOGICAL | ICR_FIXED | ICR_ASSERT | 0x73);
	cr_assert_eq(got(DUO_CPU_B), 1, "cluster 2 is nobody");
}

Test(xapic, cpu_init_refuses_a_moved_apic)
{
	unsigned int caller = sim_current_cpu;

	sim_current_cpu = 1;
	sim_msr_set(1, MSR_IA32_APIC_BASE, 0xfed00000 | APIC_BASE_EN);
	cr_assert_eq(apic_cpu_init(per_cpu(1)), -ENODEV);
	cr_assert(log_contains("local APIC moved to 0xfed00000"));
	sim_current_cpu = caller;
}

Test(xapic, local_registers_pass_through_and_the_id_stays)
{
	u64 value;

	cr_assert_eq(sim_guest_write(DUO_CPU_A, XAPIC_BASE + APIC_TPR, 4, 0x20),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_apic_reg(DUO_CPU_A, APIC_TPR), 0x20, "TPR");
	cr_assert_eq(sim_guest_write(DUO_CPU_A, XAPIC_BASE + APIC_LVT_TIMER, 4,
				     0xef),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_apic_reg(DUO_CPU_A, APIC_LVT_TIMER), 0xef,
		     "LVT timer");
	cr_assert_eq(sim_guest_write(DUO_CPU_A, XAPIC_BASE + APIC_ID, 4, 0),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_apic_reg(DUO_CPU_A, APIC_ID), DUO_CPU_A << 24,
		     "a cell may not renumber its APIC");
	cr_assert_eq(sim_guest_read(DUO_CPU_A, XAPIC_BASE + 0x800, 4, &value),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(value, 0, "beyond the registers");
	cr_assert_eq(sim_apic_reg(DUO_CPU_B, APIC_TPR), 0, "only its own APIC");
}

Test(xapic, odd_accesses_fail_the_cell_not_the_machine)
{
	u64 value;

	cr_assert_eq(sim_guest_read(DUO_CPU_A, XAPIC_BASE + 0x22, 4, &value),
		     SIM_ACCESS_FAULT);
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_FAILED);
	cr_assert(sim_cpu_runs_guest(0));
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY, 1, 0),
		     0);
	/* The destroy kicked root's CPUs: not the IPI this test counts. */
	sim_apic_ipis_clear();
	xapic_ipi(0, 1, ICR_FIXED | ICR_ASSERT | 0x30);
	cr_assert_eq(got(1), 1, "root keeps its xAPIC emulation");
	cr_assert_eq(sim_guest_write(0, XAPIC_ICR, 8, 0), SIM_ACCESS_FAULT,
		     "8-byte ICR write");
}

static u32 cpuid1_ecx(unsigned int cpu)
{
	struct x86_exit exit = { .reason = X86_EXIT_CPUID };

	per_cpu(cpu)->arch.guest_regs.gp[REG_RAX] = 1;
	per_cpu(cpu)->arch.guest_regs.gp[REG_RCX] = 0;
	cr_assert_eq(sim_guest_exit(cpu, &exit), SIM_ACCESS_MMIO);
	return (u32)per_cpu(cpu)->arch.guest_regs.gp[REG_RCX];
}

/*
 * Where the system runs in xAPIC mode no CPU may switch to x2APIC, so none
 * is told it could: an inmate choosing by CPUID stays with the APIC page.
 */
Test(xapic, cpuid_hides_x2apic)
{
	cr_assert_eq(cpuid1_ecx(DUO_CPU_A) & CPUID1_ECX_X2APIC, 0);
	cr_assert_eq(cpuid1_ecx(0) & CPUID1_ECX_X2APIC, 0, "root alike");
}

Test(apic, cpuid_offers_x2apic_where_the_system_uses_it)
{
	cr_assert_neq(cpuid1_ecx(DUO_CPU_A) & CPUID1_ECX_X2APIC, 0);
}

/* x2APIC cannot be left for xAPIC, nor the APIC moved: #GP, one line. */
Test(apic, a_cell_cannot_switch_its_apic_mode)
{
	u64 base = sim_msr_get(DUO_CPU_A, MSR_IA32_APIC_BASE);
	unsigned int n;

	sim_current_cpu = DUO_CPU_A;
	for (n = 0; n < 3; n++)
		cr_assert_eq(x86_msr_write(per_cpu(DUO_CPU_A),
					   MSR_IA32_APIC_BASE,
					   base & ~APIC_BASE_EXTD),
			     X86_ACTION_INJECT_GP);
	sim_current_cpu = 0;
	cr_assert_eq(sim_msr_get(DUO_CPU_A, MSR_IA32_APIC_BASE), base);
	cr_assert_eq(log_count("CPU 2 of cell \"duo\": write of MSR 0x1b"),
		     1, "one line for a loop: %s", hv_log());
	cr_assert(sim_cpu_runs_guest(DUO_CPU_A));
}

/* A storm of self-IPIs stays on the sender: nobody else hears a thing. */
Test(apic, a_self_ipi_storm_stays_on_the_sender)
{
	unsigned int n;

	for (n = 0; n < 10000; n++)
		cr_assert(icr(DUO_CPU_A, 0, ICR_SELF | ICR_ASSERT | 0x60));
	cr_assert_eq(got(DUO_CPU_A), 10000);
	cr_assert_eq(got(0) + got(1) + got(DUO_CPU_B), 0);
	cr_assert_not(log_contains("dropped"), "%s", hv_log());
	cr_assert(sim_cpu_runs_guest(0) && sim_cpu_runs_guest(DUO_CPU_A));
}
