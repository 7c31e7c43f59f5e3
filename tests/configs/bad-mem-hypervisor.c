/* expect: CFG_ERR_MEM_HYPERVISOR */
// SPDX-License-Identifier: GPL-2.0
/*
 * Its RAM at 0x3c000000 lies inside the hypervisor's memory
 * (0x3be00000-0x3c3fffff).
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
		.name = "bad-mem-hypervisor",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.cpu_reset_address = TEST_RESET_ADDRESS,
	},

	/* CPU 1 */
	.cpus = { 1 << 1 },

	.mem_regions = {
		/* RAM, inside the hypervisor */
		{
			.phys_start = 0x3c000000,
			.virt_start = 0,
			.size = 0x100000,
			.flags = TEST_RAM_FLAGS,
		},
		/* comm region */
		TEST_COMM,
	},
};
