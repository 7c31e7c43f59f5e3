/* expect: CFG_OK */
// SPDX-License-Identifier: GPL-2.0
/*
 * A valid cell owning the SMBus controller 00:1f.3, so that
 * bad-pci-cell.cell has someone to collide with. CPU 1, RAM 0x3c600000.
 */
#include "cell-template.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
	struct jailhouse_pci_device pci_devices[1];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "pci-owner",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.num_pci_devices = ARRAY_LEN(config.pci_devices),
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

	.pci_devices = {
		/* ICH9 SMBus */
		TEST_PCI_DEV(0x00, 0x1f, 3),
	},
};
