/* expect: CFG_ERR_MEM_FLAGS */
// SPDX-License-Identifier: GPL-2.0
/*
 * The comm region is also marked for DMA; the comm page belongs to the
 * hypervisor and is never visible to devices.
 */
#include "cell-template.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-mem-flags",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.cpu_reset_address = TEST_RESET_ADDRESS,
	},

	/* CPU 1 */
	.cpus = { 1 << 1 },

	.mem_regions = {
		/* RAM */
		TEST_RAM(0x3c600000),
		/* comm region, with DMA */
		{
			.virt_start = 0x100000,
			.size = 0x1000,
			.flags = TEST_COMM_FLAGS | JAILHOUSE_MEM_DMA,
		},
	},
};
