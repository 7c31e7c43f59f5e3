/* expect: CFG_ERR_PIO_CELL */
// SPDX-License-Identifier: GPL-2.0
/*
 * Wants COM2's ports 0x2f8-0x2ff, which tiny-demo holds.
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
	struct jailhouse_pio pio_regions[1];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-pio-cell",
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
		/* COM2, tiny-demo's */
		{ .base = 0x2f8, .length = 8 },
	},
};
