/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's AMD-Vi driver: DMA and interrupt remapping of the
 * cells' devices on AMD machines, and the event log.
 *
 * One device table serves every unit (each sees only the device ids of its
 * IVHD range): an entry per device id, pointing at the owner cell's I/O
 * page tables (amdvi_format, built by the core's engine) and at the
 * device's interrupt table. Device ids no cell owns keep an entry that
 * blocks their DMA and interrupts. Units are driven by their command
 * buffers; every batch ends in a completion wait.
 *
 * Register, entry, command and event layouts follow the AMD I/O
 * Virtualization Technology (IOMMU) Specification.
 */
#ifndef _ASM_AMD_IOMMU_H
#define _ASM_AMD_IOMMU_H

#include <core/cell.h>
#include <jailhouse/cell-config.h>
#include <asm/iommu.h>

/* MMIO registers */
#define AMDVI_DEV_TABLE_BASE 0x0000
#define AMDVI_CMD_BUF_BASE 0x0008
#define AMDVI_EVT_LOG_BASE 0x0010
#define AMDVI_CONTROL 0x0018
#define AMDVI_EXT_FEATURES 0x0030
#define AMDVI_CMD_BUF_HEAD 0x2000
#define AMDVI_CMD_BUF_TAIL 0x2008
#define AMDVI_EVT_LOG_HEAD 0x2010
#define AMDVI_EVT_LOG_TAIL 0x2018
#define AMDVI_STATUS 0x2020

/* Command buffer and event log base: log2 of their entries at 59:56. */
#define AMDVI_RING_LEN_SHIFT 56
#define AMDVI_RING_OFFSET_MASK 0x7fff0ULL /* head and tail, bits 18:4 */
/* Device table base: number of 4 KiB pages minus one in bits 8:0. */
#define AMDVI_DEV_TABLE_MAX_PAGES 512

#define AMDVI_CTRL_IOMMU_EN (1ULL << 0)
#define AMDVI_CTRL_EVT_LOG_EN (1ULL << 2)
#define AMDVI_CTRL_EVT_INT_EN (1ULL << 3)
#define AMDVI_CTRL_CMD_BUF_EN (1ULL << 12)
#define AMDVI_CTRL_GA_EN (1ULL << 17) /* 128-bit interrupt entries */
#define AMDVI_CTRL_XT_EN (1ULL << 50) /* 32-bit interrupt destinations */

#define AMDVI_EFR_XT (1ULL << 2)
#define AMDVI_EFR_IA (1ULL << 6) /* INVALIDATE_IOMMU_ALL */
#define AMDVI_EFR_GA (1ULL << 7)

#define AMDVI_STATUS_EVT_OVERFLOW (1ULL << 0)
#define AMDVI_STATUS_EVT_INT (1ULL << 1)
#define AMDVI_STATUS_COMP_WAIT_INT (1ULL << 2)
#define AMDVI_STATUS_EVT_RUN (1ULL << 3)
#define AMDVI_STATUS_CMD_RUN (1ULL << 4)

/* Device table entry: four quadwords */
#define AMDVI_DTE_SIZE 32
#define AMDVI_DTE_V (1ULL << 0)
#define AMDVI_DTE_TV (1ULL << 1)
#define AMDVI_DTE_MODE_SHIFT 9
#define AMDVI_DTE_MODE_MASK (7ULL << AMDVI_DTE_MODE_SHIFT)
#define AMDVI_DTE_PT_ROOT_MASK 0x000ffffffffff000ULL
#define AMDVI_DTE_IR (1ULL << 61)
#define AMDVI_DTE_IW (1ULL << 62)
#define AMDVI_DTE_DOMAIN_MASK 0xffffULL /* second quadword */
/* third quadword: interrupts */
#define AMDVI_DTE_IV (1ULL << 0)
#define AMDVI_DTE_INT_TAB_LEN_SHIFT 1
#define AMDVI_DTE_INT_TAB_LEN_MASK (0xfULL << AMDVI_DTE_INT_TAB_LEN_SHIFT)
#define AMDVI_DTE_INT_TAB_MASK 0x000fffffffffffc0ULL
#define AMDVI_DTE_INIT_PASS (1ULL << 56)
#define AMDVI_DTE_EINT_PASS (1ULL << 57)
#define AMDVI_DTE_NMI_PASS (1ULL << 58)
#define AMDVI_DTE_INTCTL_SHIFT 60
#define AMDVI_DTE_INTCTL_MASK (3ULL << AMDVI_DTE_INTCTL_SHIFT)
#define AMDVI_INTCTL_ABORT 0ULL
#define AMDVI_INTCTL_FORWARD 1ULL
#define AMDVI_INTCTL_REMAP 2ULL
#define AMDVI_DTE_LINT0_PASS (1ULL << 62)
#define AMDVI_DTE_LINT1_PASS (1ULL << 63)

/* Commands: 128 bits, opcode in bits 63:60 of the first quadword */
#define AMDVI_CMD_OPCODE_SHIFT 60
#define AMDVI_CMD_COMPLETION_WAIT 0x1ULL
#define AMDVI_CMD_INV_DEV_ENTRY 0x2ULL
#define AMDVI_CMD_INV_PAGES 0x3ULL
#define AMDVI_CMD_INV_INT_TABLE 0x5ULL
#define AMDVI_CMD_INV_ALL 0x8ULL
#define AMDVI_CMD_WAIT_STORE (1ULL << 0)
#define AMDVI_CMD_WAIT_INT (1ULL << 1)
#define AMDVI_CMD_DOMAIN_SHIFT 32
#define AMDVI_CMD_INV_PAGES_S (1ULL << 0) /* second quadword */
#define AMDVI_CMD_INV_PAGES_PDE (1ULL << 1)
#define AMDVI_INV_ALL_PAGES 0x7ffffffffffff000ULL

/* Event log entries: 128 bits */
#define AMDVI_EVT_CODE_SHIFT 60
#define AMDVI_EVT_FLAGS_SHIFT 48
#define AMDVI_EVT_FLAGS_MASK 0xfffULL
#define AMDVI_EVT_DOMAIN_SHIFT 32
#define AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY 0x1
#define AMDVI_EVT_IO_PAGE_FAULT 0x2
#define AMDVI_EVT_DEV_TAB_HW_ERROR 0x3
#define AMDVI_EVT_PAGE_TAB_HW_ERROR 0x4
#define AMDVI_EVT_ILLEGAL_COMMAND 0x5
#define AMDVI_EVT_COMMAND_HW_ERROR 0x6
#define AMDVI_EVT_IOTLB_INV_TIMEOUT 0x7
#define AMDVI_EVT_INVALID_DEVICE_REQUEST 0x8
#define AMDVI_EVT_FLAG_I (1U << 3) /* an interrupt request */
#define AMDVI_EVT_FLAG_PR (1U << 4) /* the entry was present */
#define AMDVI_EVT_FLAG_RW (1U << 5) /* a write */
#define AMDVI_EVT_FLAG_PE (1U << 6) /* permission denied */
#define AMDVI_EVT_FLAG_RZ (1U << 7) /* reserved bits set */

/* Interrupt remapping table entries */
#define AMDVI_IRTE_REMAP_EN (1ULL << 0)
#define AMDVI_IRTE_INT_TYPE_SHIFT 2
#define AMDVI_IRTE_DM (1ULL << 6)
#define AMDVI_IRTE_GUEST_MODE (1ULL << 7)
#define AMDVI_IRTE_DEST_SHIFT 8 /* 8 bits; 128-bit format: 24 */
#define AMDVI_IRTE_VECTOR_SHIFT 16 /* 32-bit format */
#define AMDVI_IRTE_GA_DEST_HI_SHIFT 56 /* upper quadword, bits 31:24 */

/* The IOMMU's PCI capability: id, base address (bit 0: enabled) */
#define AMDVI_CAP_ID 0x0f
#define AMDVI_CAP_BASE_LO 0x04
#define AMDVI_CAP_BASE_HI 0x08
#define AMDVI_CAP_BASE_ENABLE 1U

/* Interrupt messages: the address stays the APIC's, the data names the entry */
#define AMDVI_MSI_BASE 0xfee00000ULL

/*
 * Interrupt remapping entries per device: one index space for all
 * devices, as on VT-d, so an index means the same entry everywhere. The
 * message data's bits 10:8 are its delivery mode, and only fixed ones
 * (0) are looked up in the table: 256 indices keep those bits clear.
 */
#define AMDVI_NUM_IRTES 256
#define AMDVI_INT_TAB_LEN 8 /* log2 of AMDVI_NUM_IRTES */

int amdvi_init(const struct jailhouse_system *system);
int amdvi_enable(void);
void amdvi_shutdown(void);
int amdvi_cell_init(struct cell *cell);
void amdvi_cell_exit(struct cell *cell);
int amdvi_map_memory_region(struct cell *cell,
			    const struct jailhouse_memory *mem);
int amdvi_unmap_memory_region(struct cell *cell,
			      const struct jailhouse_memory *mem);
int amdvi_add_pci_device(struct cell *cell,
			 const struct jailhouse_pci_device *dev);
void amdvi_remove_pci_device(const struct jailhouse_pci_device *dev);
void amdvi_config_commit(struct cell *cell_added_removed);
bool amdvi_check_faults(void);
/* Events logged by amdvi_check_faults since amdvi_init. */
unsigned long amdvi_event_count(void);
unsigned int amdvi_num_units(void);

bool amdvi_irq_remapping(void);
int amdvi_alloc_irtes(struct cell *cell, unsigned int count);
void amdvi_free_irtes(struct cell *cell, unsigned int first,
		      unsigned int count);
int amdvi_map_interrupt(struct cell *cell, u16 source_id, unsigned int index,
			const struct iommu_irq *irq);
u64 amdvi_msi_address(unsigned int index);
u32 amdvi_msi_data(unsigned int index);
u64 amdvi_ioapic_entry(unsigned int index, u64 pin_bits);

#endif
