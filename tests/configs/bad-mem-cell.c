/* expect: CFG_ERR_MEM_CELL */
// SPDX-License-Identifier: GPL-2.0
/*
 * Its RAM at 0x3c400000 is apic-demo's RAM.
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
		.name = "bad-mem-cell",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.cpu_reset_address = TEST_RESET_ADDRESS,
	},

	/* CPU 1 */
	.cpus = { 1 << 1 },

	.mem_regions = {
		/* RAM, apic-demo's */
		TEST_RAM(0x3c400000),
		/* comm region */
		TEST_COMM,
	},
};
