/* expect: CFG_ERR_CPU_NONEXISTENT */
// SPDX-License-Identifier: GPL-2.0
/*
 * Wants CPU 9 on a machine with four CPUs.
 * Valid on its own; wrong only against the running system: the
 * hypervisor's cell lifecycle refuses it, config_check does not.
 * Assumes root is qemu-vm with apic-demo (CPU 3, RAM 0x3c400000) and
 * tiny-demo (CPU 2, RAM 0x3c500000, ports 0x2f8-0x2ff) created.
 */
#include "cell-template.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-cpu-nonexistent",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.cpu_reset_address = TEST_RESET_ADDRESS,
	},

	/* CPU 9, which does not exist */
	.cpus = { 1 << 9 },

	.mem_regions = {
		/* RAM */
		TEST_RAM(0x3c600000),
		/* comm region */
		TEST_COMM,
	},
};
