/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Binary layout of system and cell configuration files (.cell).
 *
 * A system config starts with struct jailhouse_system, whose last member is
 * the root cell's struct jailhouse_cell_desc. A cell config is a bare
 * struct jailhouse_cell_desc. In both, the cell descriptor is followed by its
 * variable-length arrays, in this order:
 *
 *   u64 cpu_set[cpu_set_size / 8]
 *   struct jailhouse_memory     mem_regions[num_memory_regions]
 *   struct jailhouse_irqchip    irqchips[num_irqchips]
 *   struct jailhouse_pio        pio_regions[num_pio_regions]
 *   struct jailhouse_pci_device pci_devices[num_pci_devices]
 *
 * All fields are little endian; structures are packed. docs/config-format.md
 * describes every field.
 */
#ifndef _JAILHOUSE_CELL_CONFIG_H
#define _JAILHOUSE_CELL_CONFIG_H

#include <jailhouse/types.h>

#define JAILHOUSE_CONFIG_REVISION 2

#define JAILHOUSE_SYSTEM_SIGNATURE "JHSYST"
#define JAILHOUSE_CELL_DESC_SIGNATURE "JHCELL"
#define JAILHOUSE_SIGNATURE_SIZE 6

#define JAILHOUSE_ARCH_X86 1

#define JAILHOUSE_CELL_NAME_MAXLEN 31

/* Cell flags */
/* The cell does not use its comm region: shutdown is always approved. */
#define JAILHOUSE_CELL_PASSIVE_COMMREG (1 << 0)
/* The cell may write to the hypervisor's debug console by hypercall. */
#define JAILHOUSE_CELL_DEBUG_CONSOLE (1 << 1)
#define JAILHOUSE_CELL_VALID_FLAGS                                             \
	(JAILHOUSE_CELL_PASSIVE_COMMREG | JAILHOUSE_CELL_DEBUG_CONSOLE)

/* Default reply timeout for comm-region messages when the config says 0. */
#define JAILHOUSE_DEFAULT_MSG_TIMEOUT_NS 100000000ULL
/*
 * The longest reply timeout a config may ask for (10 s): the hypervisor
 * waits for the reply on the requesting CPU, which does nothing else.
 */
#define JAILHOUSE_MAX_MSG_TIMEOUT_NS 10000000000ULL

struct jailhouse_cell_desc {
	char signature[JAILHOUSE_SIGNATURE_SIZE];
	__u16 revision;
	__u32 architecture;

	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
	__u32 id; /* assigned by the hypervisor, 0 in files */
	__u32 flags;

	__u32 cpu_set_size; /* bytes, multiple of 8 */
	__u32 num_memory_regions;
	__u32 num_irqchips;
	__u32 num_pio_regions;
	__u32 num_pci_devices;
	__u32 padding;

	__u64 cpu_reset_address;
	__u64 msg_reply_timeout_ns;
	__u32 reserved; /* 0; keeps the arrays that follow 8-byte aligned */
} __attribute__((packed));

_Static_assert(sizeof(struct jailhouse_cell_desc) % 8 == 0,
	       "cell descriptor must keep the CPU set aligned");

/* Memory region flags */
#define JAILHOUSE_MEM_READ (1 << 0)
#define JAILHOUSE_MEM_WRITE (1 << 1)
#define JAILHOUSE_MEM_EXECUTE (1 << 2)
#define JAILHOUSE_MEM_DMA (1 << 3)
#define JAILHOUSE_MEM_IO (1 << 4)
#define JAILHOUSE_MEM_COMM_REGION (1 << 5)
#define JAILHOUSE_MEM_LOADABLE (1 << 6)
#define JAILHOUSE_MEM_ROOTSHARED (1 << 7)
#define JAILHOUSE_MEM_VALID_FLAGS 0xff

struct jailhouse_memory {
	__u64 phys_start; /* ignored for the comm region */
	__u64 virt_start; /* guest-physical address seen by the cell */
	__u64 size;
	__u64 flags;
} __attribute__((packed));

#define JAILHOUSE_IRQCHIP_PINS 128

struct jailhouse_irqchip {
	__u64 address; /* MMIO base of the IOAPIC */
	__u32 id; /* PCI source id used in interrupt remapping */
	__u32 pin_base;
	__u64 pin_bitmap[JAILHOUSE_IRQCHIP_PINS / 64];
} __attribute__((packed));

/* Ports [base, base + length); length may be up to 0x10000. */
struct jailhouse_pio {
	__u16 base;
	__u16 padding;
	__u32 length;
} __attribute__((packed));

#define JAILHOUSE_PCI_TYPE_DEVICE 1
#define JAILHOUSE_PCI_TYPE_BRIDGE 2

struct jailhouse_pci_device {
	__u8 type;
	__u8 iommu; /* index into the system's IOMMU list */
	__u16 domain;
	__u16 bdf; /* bus << 8 | device << 3 | function */
	__u16 padding;
} __attribute__((packed));

#define JAILHOUSE_PCI_BDF(bus, dev, fn) (((bus) << 8) | ((dev) << 3) | (fn))

#define JAILHOUSE_MAX_IOMMU_UNITS 8

/* Unit types: one type for all units of a system. */
#define JAILHOUSE_IOMMU_INTEL 1 /* VT-d remapping unit (DMAR) */
#define JAILHOUSE_IOMMU_AMD 2 /* AMD-Vi (IVRS IVHD) */

/*
 * An AMD-Vi register block holds the command buffer and event log pointers
 * at 0x2000-0x2027: at least 16 KiB, as QEMU's amd-iommu decodes.
 */
#define JAILHOUSE_IOMMU_AMD_MIN_SIZE 0x4000

/* amd_features: the IVHD's flags byte, as the firmware reports it. */
#define JAILHOUSE_IOMMU_AMD_COHERENT (1 << 5) /* table walks snoop */

struct jailhouse_iommu {
	__u32 type; /* JAILHOUSE_IOMMU_INTEL or JAILHOUSE_IOMMU_AMD */
	__u32 size; /* bytes of the register block */
	__u64 base; /* MMIO base of the registers */
	/* AMD-Vi only (0 for VT-d), from the unit's IVHD entry: */
	__u16 amd_bdf; /* the IOMMU's own PCI function */
	__u8 amd_base_cap; /* its IOMMU capability in that config space */
	__u8 amd_msi_cap; /* its MSI capability there */
	__u16 amd_first_device; /* device ids it translates, inclusive */
	__u16 amd_last_device;
	__u32 amd_features; /* JAILHOUSE_IOMMU_AMD_* */
	__u32 padding;
} __attribute__((packed));

_Static_assert(sizeof(struct jailhouse_iommu) == 32,
	       "IOMMU unit descriptors keep the system header aligned");

#define JAILHOUSE_APIC_MODE_XAPIC 1
#define JAILHOUSE_APIC_MODE_X2APIC 2

struct jailhouse_console {
	__u64 address; /* I/O port of an 8250 UART; 0 = no console */
	__u32 flags;
	__u32 padding;
} __attribute__((packed));

/* The low four bits of jailhouse_console.flags name the console type. */
#define JAILHOUSE_CON_TYPE_NONE 0
#define JAILHOUSE_CON_TYPE_8250 1
#define JAILHOUSE_CON_TYPE(flags) ((flags) & 0xf)

struct jailhouse_system {
	char signature[JAILHOUSE_SIGNATURE_SIZE];
	__u16 revision;
	__u32 architecture;
	__u32 flags;

	/* Contiguous block reserved at boot: hypervisor image, then its pool. */
	struct jailhouse_memory hypervisor_memory;
	struct jailhouse_console debug_console;
	struct {
		__u16 pm_timer_address;
		__u8 apic_mode;
		__u8 padding;
		__u32 num_iommu_units;
		__u64 pci_mmconfig_base;
		__u8 pci_mmconfig_start_bus;
		__u8 pci_mmconfig_end_bus;
		__u8 padding2[6];
		struct jailhouse_iommu iommu_units[JAILHOUSE_MAX_IOMMU_UNITS];
	} __attribute__((packed)) platform_info;
	struct jailhouse_cell_desc root_cell;
} __attribute__((packed));

static inline __u32
jailhouse_cell_config_size(const struct jailhouse_cell_desc *cell)
{
	return sizeof(struct jailhouse_cell_desc) + cell->cpu_set_size +
	       cell->num_memory_regions * sizeof(struct jailhouse_memory) +
	       cell->num_irqchips * sizeof(struct jailhouse_irqchip) +
	       cell->num_pio_regions * sizeof(struct jailhouse_pio) +
	       cell->num_pci_devices * sizeof(struct jailhouse_pci_device);
}

static inline __u32
jailhouse_system_config_size(const struct jailhouse_system *system)
{
	return sizeof(*system) - sizeof(system->root_cell) +
	       jailhouse_cell_config_size(&system->root_cell);
}

static inline const __u64 *
jailhouse_cell_cpu_set(const struct jailhouse_cell_desc *cell)
{
	return (const __u64 *)((const char *)cell + sizeof(*cell));
}

static inline const struct jailhouse_memory *
jailhouse_cell_mem_regions(const struct jailhouse_cell_desc *cell)
{
	return (const struct jailhouse_memory *)((const char *)
							 jailhouse_cell_cpu_set(
								 cell) +
						 cell->cpu_set_size);
}

static inline const struct jailhouse_irqchip *
jailhouse_cell_irqchips(const struct jailhouse_cell_desc *cell)
{
	return (const struct jailhouse_irqchip *)(jailhouse_cell_mem_regions(
							  cell) +
						  cell->num_memory_regions);
}

static inline const struct jailhouse_pio *
jailhouse_cell_pio(const struct jailhouse_cell_desc *cell)
{
	return (const struct jailhouse_pio *)(jailhouse_cell_irqchips(cell) +
					      cell->num_irqchips);
}

static inline const struct jailhouse_pci_device *
jailhouse_cell_pci_devices(const struct jailhouse_cell_desc *cell)
{
	return (const struct jailhouse_pci_device *)(jailhouse_cell_pio(cell) +
						     cell->num_pio_regions);
}

#endif
