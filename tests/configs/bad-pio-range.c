/* expect: CFG_ERR_PIO_RANGE */
// SPDX-License-Identifier: GPL-2.0
/*
 * Eight ports from 0xfffc would reach past port 0xffff.
 */
#include "cell-template.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
	struct jailhouse_pio pio_regions[1];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-pio-range",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.num_pio_regions = ARRAY_LEN(config.pio_regions),
		.cpu_reset_address = TEST_RESET_ADDRESS,
	},

	/* CPU 1 */
	.cpus = { 1 << 1 },

	.mem_regions = {
		/* RAM */
		TEST_RAM(0x3c600000),
		/* comm region */
		TEST_COMM,
	},

	.pio_regions = {
		/* runs past 0xffff */
		{ .base = 0xfffc, .length = 8 },
	},
};
