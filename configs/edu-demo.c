// SPDX-License-Identifier: GPL-2.0
/*
 * Cell config for edu-demo, which shows DMA isolation with QEMU's edu
 * device (a PCI device that copies between its buffer and memory by DMA)
 * on the QEMU targets, where the machine has one at 00:10.0.
 *
 * CPU 3 and the third MiB of root's inmate area, 0x3c600000, like
 * crash-demo (the two never run at once). The RAM is the only region the
 * device may reach (JAILHOUSE_MEM_DMA): VT-d maps it at the addresses the
 * cell sees, 0 to 1 MiB. The comm region follows at guest 0x100000. The
 * device's register window, BAR0 as the firmware placed it (0xfea00000,
 * 1 MiB), leaves root with the device. Output goes to the hypervisor's
 * debug console.
 */
#include <jailhouse/cell-config.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[3];
	struct jailhouse_pci_device pci_devices[1];
} __attribute__((packed)) config __attribute__((section(".cell"), used)) = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.architecture = JAILHOUSE_ARCH_X86,
		.name = "edu-demo",
		.flags = JAILHOUSE_CELL_DEBUG_CONSOLE,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.num_pci_devices = ARRAY_LEN(config.pci_devices),
		.cpu_reset_address = 0xf0000,
	},

	/* CPU 3 */
	.cpus = { 1 << 3 },

	.mem_regions = {
		/* RAM, the device's DMA target too */
		{
			.phys_start = 0x3c600000,
			.virt_start = 0,
			.size = 0x100000,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				 JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_DMA |
				 JAILHOUSE_MEM_LOADABLE,
		},
		/* comm region */
		{
			.virt_start = 0x100000,
			.size = 0x1000,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				 JAILHOUSE_MEM_COMM_REGION,
		},
		/* edu's BAR0 */
		{
			.phys_start = 0xfea00000,
			.virt_start = 0xfea00000,
			.size = 0x100000,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				 JAILHOUSE_MEM_IO,
		},
	},

	.pci_devices = {
		/* edu */
		{
			.type = JAILHOUSE_PCI_TYPE_DEVICE,
			.iommu = 0,
			.bdf = JAILHOUSE_PCI_BDF(0x00, 0x10, 0),
		},
	},
};
