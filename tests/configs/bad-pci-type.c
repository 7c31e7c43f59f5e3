/* expect: CFG_ERR_PCI_TYPE */
// SPDX-License-Identifier: GPL-2.0
/*
 * A PCI device of type 3, which is neither a device nor a bridge.
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
		.name = "bad-pci-type",
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
		/* 00:1f.3 of an unknown type */
		{
			.type = 3,
			.iommu = 0,
			.domain = 0,
			.bdf = JAILHOUSE_PCI_BDF(0x00, 0x1f, 3),
		},
	},
};
