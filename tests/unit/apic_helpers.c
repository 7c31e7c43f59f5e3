// SPDX-License-Identifier: GPL-2.0
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <asm/apic.h>
#include <sim/apic_hw.h>
#include "../configs/cell-template.h"
#include "apic_helpers.h"
#include "helpers.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
	struct jailhouse_irqchip irqchips[1];
} __attribute__((packed)) duo = {
	.cell = {
		TEST_CELL_IDENT,
		.name = DUO_NAME,
		.cpu_set_size = sizeof(duo.cpus),
		.num_memory_regions = ARRAY_LEN(duo.mem_regions),
		.num_irqchips = ARRAY_LEN(duo.irqchips),
		.cpu_reset_address = TEST_RESET_ADDRESS,
	},
	.cpus = { 1 << DUO_CPU_A | 1 << DUO_CPU_B },
	.mem_regions = {
		TEST_RAM(0x3c600000),
		TEST_COMM,
	},
	.irqchips = {
		TEST_IOAPIC(1 << DUO_PIN_A | 1 << DUO_PIN_B),
	},
};

static void (*plain_kick)(unsigned int cpu);

/*
 * What x86_handle_requests does once the integrator calls
 * apic_handle_requests there; a no-op after that.
 */
static void kick_with_apic_requests(unsigned int cpu)
{
	plain_kick(cpu);
	apic_handle_requests(per_cpu(cpu));
}

void apic_test_boot(bool xapic)
{
	struct jailhouse_system *sys;
	unsigned int cpu;
	size_t size;
	int err;

	sys = sim_read_file(QEMU_VM_CELL, &size);
	cr_assert_not_null(sys);
	if (xapic)
		sys->platform_info.apic_mode = JAILHOUSE_APIC_MODE_XAPIC;
	err = sim_boot(sys, size, QEMU_VM_CPUS);
	free(sys);
	cr_assert_eq(err, 0, "boot failed: %d", err);
	/* arch_cpu_init's part, until the integrator wires it in. */
	for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		sim_current_cpu = cpu;
		cr_assert_eq(apic_cpu_init(per_cpu(cpu)), 0);
	}
	sim_current_cpu = ROOT_CPU;
	plain_kick = sim_kick_handler;
	sim_kick_handler = kick_with_apic_requests;
}

long duo_start(void)
{
	long id = sim_cell_create(ROOT_CPU, &duo, sizeof(duo));

	cr_assert_gt(id, 0, "duo not created: %ld", id);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, id, 0),
		     0);
	cr_assert(sim_cpu_runs_guest(DUO_CPU_A));
	cr_assert(sim_cpu_runs_guest(DUO_CPU_B));
	/* The kicks of creating and starting it are not the test's IPIs. */
	sim_apic_ipis_clear();
	return id;
}
