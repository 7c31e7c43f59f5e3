/* expect: CFG_ERR_IRQ_PIN_CELL */
// SPDX-License-Identifier: GPL-2.0
/*
 * Wants IOAPIC pin 3, which pin-owner.cell holds.
 * Valid on its own; wrong only against the running system: the
 * hypervisor's cell lifecycle refuses it, config_check does not.
 * Assumes root is qemu-vm and pin-owner (CPU 1, RAM 0x3c600000) is the
 * only other cell, so this one uses CPU 2 and RAM at 0x3c700000.
 */
#include "cell-template.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
	struct jailhouse_irqchip irqchips[1];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-irq-pin-cell",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.num_irqchips = ARRAY_LEN(config.irqchips),
		.cpu_reset_address = TEST_RESET_ADDRESS,
	},

	/* CPU 2 */
	.cpus = { 1 << 2 },

	.mem_regions = {
		/* RAM */
		TEST_RAM(0x3c700000),
		/* comm region */
		TEST_COMM,
	},

	.irqchips = {
		/* IOAPIC pin 3, pin-owner's */
		TEST_IOAPIC(1 << 3),
	},
};
