/* expect: CFG_ERR_IRQCHIP */
// SPDX-License-Identifier: GPL-2.0
/*
 * Names an IOAPIC at 0xfec10000; the system has only the one at
 * 0xfec00000.
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
	struct jailhouse_irqchip irqchips[1];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-irqchip",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.num_irqchips = ARRAY_LEN(config.irqchips),
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

	.irqchips = {
		/* no such IOAPIC */
		{
			.address = 0xfec10000,
			.id = 0xff00,
			.pin_base = 0,
			.pin_bitmap = { 1 << 5, 0 },
		},
	},
};
