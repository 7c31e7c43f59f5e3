// SPDX-License-Identifier: GPL-2.0
/*
 * System config for the Bochs target of the end-to-end suite: an i440FX
 * machine with 4 CPUs (corei7_skylake_x model: VMX with EPT), 1 GiB of RAM,
 * no IOMMU, booted with memmap=66M$0x3be00000. The memory layout is that of
 * qemu-vm.c; what differs is the platform: the PIIX4 ACPI PM timer at port
 * 0xb008, the local APIC in xAPIC mode, no MMCONFIG (configuration
 * mechanism 1 only) and the i440FX/PIIX devices. Without an IOMMU the
 * hypervisor warns that DMA is not isolated.
 */
#include <jailhouse/cell-config.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))


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
	struct jailhouse_memory mem_regions[7];
	struct jailhouse_irqchip irqchips[1];
	struct jailhouse_pio pio_regions[1];
	struct jailhouse_pci_device pci_devices[5];
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
		.debug_console = {
			.address = 0x3f8,
			.flags = JAILHOUSE_CON_TYPE_8250,
		},
		.platform_info = {
			/* PIIX4 ACPI PM timer: PMBASE 0xb000 + 8. */
			.pm_timer_address = 0xb008,
			.apic_mode = JAILHOUSE_APIC_MODE_XAPIC,
			.num_iommu_units = 0,
			.pci_mmconfig_base = 0,
			.pci_mmconfig_start_bus = 0,
			.pci_mmconfig_end_bus = 255,
		},
		.root_cell = {
			.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
			.revision = JAILHOUSE_CONFIG_REVISION,
			.architecture = JAILHOUSE_ARCH_X86,
			.name = "Bochs-VM",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = ARRAY_LEN(config.mem_regions),
			.num_irqchips = ARRAY_LEN(config.irqchips),
			.num_pio_regions = ARRAY_LEN(config.pio_regions),
			.num_pci_devices = ARRAY_LEN(config.pci_devices),
		},
	},

	/* CPUs 0-3: the demo cells take 2 and 3 as on qemu-vm */
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
		/*
		 * QEMU and Bochs keep ACPI tables in the last pages below
		 * 1 GiB, inside the block reserved with memmap=: Linux reads
		 * them, no cell may have them.
		 */
		IDENTITY(0x3fe00000, 0x40000000 - 0x3fe00000,
			 JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE),
		/* PCI MMIO, up to the IOAPIC */
		IDENTITY(0x80000000, 0xfec00000 - 0x80000000, IO_FLAGS),
		/* HPET */
		IDENTITY(0xfed00000, 0x1000, IO_FLAGS),
	},

	.irqchips = {
		/* IOAPIC, pins 0-23 */
		{
			.address = 0xfec00000,
			.id = 0xff00,
			.pin_base = 0,
			.pin_bitmap = { 0xffffff, 0 },
		},
	},

	.pio_regions = {
		{ .base = 0x0, .length = 0x10000 },
	},

	.pci_devices = {
		PCI_DEV(0x00, 0x00, 0), /* i440FX host bridge */
		PCI_DEV(0x00, 0x01, 0), /* PIIX3 ISA bridge */
		PCI_DEV(0x00, 0x01, 1), /* PIIX3 IDE */
		PCI_DEV(0x00, 0x01, 3), /* PIIX4 ACPI */
		PCI_DEV(0x00, 0x02, 0), /* VGA */
	},
};
