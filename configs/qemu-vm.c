// SPDX-License-Identifier: GPL-2.0
/*
 * System config for a QEMU q35 machine with 4 CPUs and 1 GiB of RAM, booted
 * with memmap=66M$0x3be00000 so that Linux leaves the top 66 MiB alone.
 *
 * Physical layout and who gets what:
 *
 *   0x00000000-0x0009ffff  low RAM                      root, RWX + DMA
 *   0x000a0000-0x000fffff  VGA window, BIOS shadow      root, R/W + IO
 *   0x00100000-0x3bdfffff  RAM Linux runs in            root, RWX + DMA
 *   0x3be00000-0x3c3fffff  hypervisor (6 MiB)           nobody but us
 *   0x3c400000-0x3fdfffff  RAM for inmates (58 MiB)     root until a cell
 *                                                       takes a piece
 *   0x3fe00000-0x3fffffff  firmware tables (ACPI)       root, R/W
 *   0x80000000-0xafffffff  PCI MMIO                     root, R/W + IO
 *   0xb0000000-0xbfffffff  MMCONFIG                     trapped, emulated
 *   0xc0000000-0xfebfffff  PCI MMIO                     root, R/W + IO
 *   0xfec00000             IOAPIC                       trapped, emulated
 *   0xfed00000             HPET                         root, R/W + IO
 *   0xfed90000             VT-d unit                    hypervisor only
 *   0xfee00000             local APIC                   x2APIC, via MSRs
 *
 * The inmate RAM stays with root so that creating a cell moves memory from
 * root to the cell and destroying it hands the memory back; it also keeps the
 * firmware tables QEMU places just below 1 GiB readable by Linux. The VGA and
 * BIOS window is not in the product brief's list but Linux still reads the
 * firmware tables in it, so root gets it as device memory.
 *
 * The IOAPIC's id 0xff00 is the source id QEMU's DMAR table gives it (bus
 * 0xff, device 0, function 0); interrupt remapping matches it. Root owns its
 * 24 pins until cells claim some.
 *
 * Root owns every I/O port. Variants (tests/configs/root-partial-pio.c,
 * qemu-svm.c) include this file with QEMU_VM_PIO_REGIONS and
 * QEMU_VM_NUM_PIO defined to hand root fewer ports.
 */
/*
 * qemu-svm.c builds the same machine for QEMU's TCG in xAPIC mode (TCG has
 * no x2APIC) and with the hypervisor's console on its own UART by setting
 * these first.
 */
#ifndef QEMU_VM_APIC_MODE
#define QEMU_VM_APIC_MODE JAILHOUSE_APIC_MODE_X2APIC
#endif
#ifndef QEMU_VM_DEBUG_CONSOLE
#define QEMU_VM_DEBUG_CONSOLE 0x3f8
#endif

#include <jailhouse/cell-config.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#ifndef QEMU_VM_PIO_REGIONS
#define QEMU_VM_NUM_PIO 1
#define QEMU_VM_PIO_REGIONS { .base = 0x0, .length = 0x10000 },
#endif

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
	struct jailhouse_pio pio_regions[QEMU_VM_NUM_PIO];
	struct jailhouse_pci_device pci_devices[8];
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
			.address = QEMU_VM_DEBUG_CONSOLE,
			.flags = JAILHOUSE_CON_TYPE_8250,
		},
		.platform_info = {
			/* ICH9 ACPI PM timer: PMBASE 0x600 + 8. */
			.pm_timer_address = 0x608,
			.apic_mode = QEMU_VM_APIC_MODE,
			.num_iommu_units = 1,
			.pci_mmconfig_base = 0xb0000000,
			.pci_mmconfig_start_bus = 0,
			.pci_mmconfig_end_bus = 255,
			.iommu_units = {
				{
					.type = JAILHOUSE_IOMMU_INTEL,
					.base = 0xfed90000,
					.size = 0x1000,
				},
			},
		},
		.root_cell = {
			.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
			.revision = JAILHOUSE_CONFIG_REVISION,
			.architecture = JAILHOUSE_ARCH_X86,
			.name = "QEMU-VM",
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
		/*
		 * QEMU and Bochs keep ACPI tables in the last pages below
		 * 1 GiB, inside the block reserved with memmap=: Linux reads
		 * them, no cell may have them.
		 */
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
		/* IOAPIC, pins 0-23 */
		{
			.address = 0xfec00000,
			.id = 0xff00,
			.pin_base = 0,
			.pin_bitmap = { 0xffffff, 0 },
		},
	},

	.pio_regions = {
		QEMU_VM_PIO_REGIONS
	},

	.pci_devices = {
		PCI_DEV(0x00, 0x00, 0), /* host bridge */
		PCI_DEV(0x00, 0x01, 0), /* VGA */
		PCI_DEV(0x00, 0x02, 0), /* NIC */
		PCI_DEV(0x00, 0x03, 0),
		PCI_DEV(0x00, 0x10, 0), /* edu, where the tests add one */
		PCI_DEV(0x00, 0x1f, 0), /* ICH9 LPC */
		PCI_DEV(0x00, 0x1f, 2), /* ICH9 AHCI */
		PCI_DEV(0x00, 0x1f, 3), /* ICH9 SMBus */
	},
};
