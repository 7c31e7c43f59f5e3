/* expect: CFG_ERR_CPU_SET_SIZE */
// SPDX-License-Identifier: GPL-2.0
/*
 * A 4-byte CPU set: the set must be a whole number of 64-bit words.
 */
#include "cell-template.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u32 cpus[1];
	struct jailhouse_memory mem_regions[2];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-cpu-set-size",
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
	},
};
