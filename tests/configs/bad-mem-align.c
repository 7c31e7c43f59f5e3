/* expect: CFG_ERR_MEM_ALIGN */
// SPDX-License-Identifier: GPL-2.0
/*
 * The RAM region starts half way into a page (0x3c600800).
 */
#include "cell-template.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-mem-align",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.cpu_reset_address = TEST_RESET_ADDRESS,
	},

	/* CPU 1 */
	.cpus = { 1 << 1 },

	.mem_regions = {
		/* RAM, misaligned */
		{
			.phys_start = 0x3c600800,
			.virt_start = 0,
			.size = 0x100000,
			.flags = TEST_RAM_FLAGS,
		},
		/* comm region */
		TEST_COMM,
	},
};
