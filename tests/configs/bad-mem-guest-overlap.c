/* expect: CFG_ERR_MEM_GUEST_OVERLAP */
// SPDX-License-Identifier: GPL-2.0
/*
 * The third region is mapped at guest 0x80000, inside the RAM region
 * that covers guest 0-0xfffff; physically the two do not overlap.
 */
#include "cell-template.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[3];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-mem-guest-overlap",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.cpu_reset_address = TEST_RESET_ADDRESS,
	},

	/* CPU 1 */
	.cpus = { 1 << 1 },

	.mem_regions = {
		/* RAM */
		TEST_RAM(0x3c600000),
		/* comm region */
		TEST_COMM,
		/* lands inside RAM in guest space */
		{
			.phys_start = 0x3c700000,
			.virt_start = 0x80000,
			.size = 0x10000,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE,
		},
	},
};
