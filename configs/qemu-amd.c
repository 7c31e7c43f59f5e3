// SPDX-License-Identifier: GPL-2.0
/*
 * System config for a QEMU 10 q35 machine as real AMD servers are: 4 CPUs
 * with SVM and NPT, 1 GiB of RAM, one AMD-Vi unit (-device amd-iommu,
 * intremap=on; xtsup=on for x2APIC), booted with memmap=66M$0x3be00000
 * and amd_iommu=off so that the hypervisor finds the unit untouched.
 *
 * The layout is qemu-vm.c's. What QEMU 10.0.2 gives such a guest, read in
 * it (the IVRS under /sys/firmware/acpi/tables and the unit's PCI config
 * space):
 *  - the IVHD (type 10h) names the unit at 0xfed80000 (16 KiB), its own PCI
 *    function 00:03.0 (AMD 1022:1419) with the IOMMU capability at 0x40;
 *    the capability's base register names 0xfed80000 with its enable bit
 *    clear, and the model decodes the registers all the same;
 *  - the function's first capability is a 64-bit MSI at 0x60: the one
 *    the model raises its event interrupt through;
 *  - the IVHD selects each device of bus 0; the unit translates device ids
 *    0x0000-0x00ff here;
 *  - the IOAPIC is the IVHD's special device 00:14.0 (0x00a0);
 *  - the IVHD's flags (0xd1) leave Coherent clear: every table store is
 *    flushed.
 * Linux boots with amd_iommu=off and noapic there: with the unit present
 * QEMU's IOAPIC interrupts do not reach the CPUs (Linux's timer check
 * through the IOAPIC fails, the serial console stalls), so root's legacy
 * interrupts take the 8259 PIC, which the unit does not see.
 *
 * Root keeps qemu-vm's devices but 00:03.0: the IOMMU's own function is no
 * cell's.
 */
/*
 * tests/configs/sys-iommu-*.c include this file with one of these set to
 * break one IOMMU rule.
 */
#ifndef QEMU_AMD_APIC_MODE
#define QEMU_AMD_APIC_MODE JAILHOUSE_APIC_MODE_XAPIC
#endif
#ifndef QEMU_AMD_IOMMU_BDF
#define QEMU_AMD_IOMMU_BDF JAILHOUSE_PCI_BDF(0, 3, 0)
#endif
#ifndef QEMU_AMD_UNIT_SIZE
#define QEMU_AMD_UNIT_SIZE AMD_IOMMU_SIZE
#endif
#ifndef QEMU_AMD_LAST_DEVICE
#define QEMU_AMD_LAST_DEVICE 0x00ff
#endif
#ifndef QEMU_AMD_NUM_UNITS
#define QEMU_AMD_NUM_UNITS 1
#define QEMU_AMD_SECOND_UNIT
#endif

#include <jailhouse/cell-config.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define AMD_IOMMU_BASE 0xfed80000
#define AMD_IOMMU_SIZE 0x4000

#define RAM_FLAGS                                                              \
	(JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_EXECUTE |    \
	 JAILHOUSE_MEM_DMA)
#define IO_FLAGS (JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_IO)

#define IDENTITY(start, len, fl)                                               \
	{                                                                      \
		.phys_start = (start), .virt_start = (start), .size = (len),   \
		.flags = (fl),                                                 \
	}

#define PCI_DEV(b, d, f)                                                       \
	{                                                                      \
		.type = JAILHOUSE_PCI_TYPE_DEVICE, .iommu = 0, .domain = 0,    \
		.bdf = JAILHOUSE_PCI_BDF(b, d, f),                             \
	}

static const struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[8];
	struct jailhouse_irqchip irqchips[1];
	struct jailhouse_pio pio_regions[2];
	struct jailhouse_pci_device pci_devices[7];
} __attribute__((packed)) config __attribute__((section(".cell"), used)) = {
	.header = {
		.signature = JAILHOUSE_SYSTEM_SIGNATURE,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.architecture = JAILHOUSE_ARCH_X86,
		.flags = 0,
		.hypervisor_memory = {
			.phys_start = 0x3be00000,
			.size = 6 * 1024 * 1024,
		},
		/* COM3, as qemu-svm.c: root's console stays undisturbed. */
		.debug_console = {
			.address = 0x3e8,
			.flags = JAILHOUSE_CON_TYPE_8250,
		},
		.platform_info = {
			/* ICH9 ACPI PM timer: PMBASE 0x600 + 8. */
			.pm_timer_address = 0x608,
			.apic_mode = QEMU_AMD_APIC_MODE,
			.num_iommu_units = QEMU_AMD_NUM_UNITS,
			.pci_mmconfig_base = 0xb0000000,
			.pci_mmconfig_start_bus = 0,
			.pci_mmconfig_end_bus = 255,
			.iommu_units = {
				{
					.type = JAILHOUSE_IOMMU_AMD,
					.base = AMD_IOMMU_BASE,
					.size = QEMU_AMD_UNIT_SIZE,
					.amd_bdf = QEMU_AMD_IOMMU_BDF,
					.amd_base_cap = 0x40,
					.amd_msi_cap = 0x60,
					.amd_first_device = 0x0000,
					.amd_last_device = QEMU_AMD_LAST_DEVICE,
					.amd_features = 0,
				},
				QEMU_AMD_SECOND_UNIT
			},
		},
		.root_cell = {
			.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
			.revision = JAILHOUSE_CONFIG_REVISION,
			.architecture = JAILHOUSE_ARCH_X86,
			.name = "QEMU-AMD",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = ARRAY_LEN(config.mem_regions),
			.num_irqchips = ARRAY_LEN(config.irqchips),
			.num_pio_regions = ARRAY_LEN(config.pio_regions),
			.num_pci_devices = ARRAY_LEN(config.pci_devices),
		},
	},

	/* CPUs 0-3 */
	.cpus = { 0xf },

	.mem_regions = {
		/* Low RAM */
		IDENTITY(0x0, 0xa0000, RAM_FLAGS),
		/* VGA window, option ROMs, BIOS shadow */
		IDENTITY(0xa0000, 0x60000, IO_FLAGS),
		/* RAM up to the hypervisor */
		IDENTITY(0x100000, 0x3be00000 - 0x100000, RAM_FLAGS),
		/* RAM for inmates, below the firmware's tables */
		IDENTITY(0x3c400000, 0x3fe00000 - 0x3c400000, RAM_FLAGS),
		/* ACPI tables in the last pages below 1 GiB (qemu-vm.c) */
		IDENTITY(0x3fe00000, 0x40000000 - 0x3fe00000,
			 JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE),
		/* PCI MMIO below MMCONFIG */
		IDENTITY(0x80000000, 0x30000000, IO_FLAGS),
		/* PCI MMIO above MMCONFIG, up to the IOAPIC */
		IDENTITY(0xc0000000, 0xfec00000 - 0xc0000000, IO_FLAGS),
		/* HPET */
		IDENTITY(0xfed00000, 0x1000, IO_FLAGS),
	},

	.irqchips = {
		/* IOAPIC, pins 0-23, requester id 00:14.0 (IVHD special) */
		{
			.address = 0xfec00000,
			.id = JAILHOUSE_PCI_BDF(0, 0x14, 0),
			.pin_base = 0,
			.pin_bitmap = { 0xffffff, 0 },
		},
	},

	/* Every port but COM3, the hypervisor's console. */
	.pio_regions = {
		{ .base = 0x0, .length = 0x3e8 },
		{ .base = 0x3f0, .length = 0x10000 - 0x3f0 },
	},

	.pci_devices = {
		PCI_DEV(0x00, 0x00, 0), /* host bridge */
		PCI_DEV(0x00, 0x01, 0), /* VGA */
		PCI_DEV(0x00, 0x02, 0), /* NIC */
		PCI_DEV(0x00, 0x10, 0), /* edu, where the tests add one */
		PCI_DEV(0x00, 0x1f, 0), /* ICH9 LPC */
		PCI_DEV(0x00, 0x1f, 2), /* ICH9 AHCI */
		PCI_DEV(0x00, 0x1f, 3), /* ICH9 SMBus */
	},
};
