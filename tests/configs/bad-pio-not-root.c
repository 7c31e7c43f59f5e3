/* expect: CFG_ERR_PIO_NOT_ROOT */
// SPDX-License-Identifier: GPL-2.0
/*
 * Wants COM2's ports 0x2f8-0x2ff.
 * Valid on its own; wrong only against the running system: the
 * hypervisor's cell lifecycle refuses it, config_check does not.
 * The qemu-vm root owns every port, so this needs the system config
 * root-partial-pio.cell instead, whose root cell lacks exactly these
 * ports; no other cell is assumed.
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
		.name = "bad-pio-not-root",
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
		/* COM2, not given to root */
		{ .base = 0x2f8, .length = 8 },
	},
};
