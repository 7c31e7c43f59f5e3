/* expect: CFG_ERR_MEM_PHYS_OVERLAP */
// SPDX-License-Identifier: GPL-2.0
/*
 * The third region sits apart in guest space but aliases physical memory
 * of the RAM region: two regions of one cell over the same pages.
 */
#include "cell-template.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[3];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-mem-phys-overlap",
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
		/* the RAM's last 64 KiB again, at guest 0x200000 */
		{
			.phys_start = 0x3c6f0000,
			.virt_start = 0x200000,
			.size = 0x10000,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE,
		},
	},
};
