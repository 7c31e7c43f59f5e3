/* expect: CFG_ERR_PCI_CELL */
// SPDX-License-Identifier: GPL-2.0
/*
 * Wants the SMBus controller 00:1f.3, which pci-owner.cell holds.
 * Valid on its own; wrong only against the running system: the
 * hypervisor's cell lifecycle refuses it, config_check does not.
 * Assumes root is qemu-vm and pci-owner (CPU 1, RAM 0x3c600000) is the
 * only other cell, so this one uses CPU 2 and RAM at 0x3c700000.
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
		.name = "bad-pci-cell",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.num_pci_devices = ARRAY_LEN(config.pci_devices),
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

	.pci_devices = {
		/* ICH9 SMBus, pci-owner's */
		TEST_PCI_DEV(0x00, 0x1f, 3),
	},
};
