/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's VT-d driver: DMA and interrupt remapping of the cells'
 * devices, and fault reporting.
 *
 * One root table and one context table per bus are shared by all units
 * (each unit only sees requests of the devices in its scope). Every cell is
 * one domain with its own second-level tables, built by the generic paging
 * engine in the VT-d second-level format. Changes to tables and device
 * ownership take effect at vtd_config_commit(), which flushes the units'
 * context caches and IOTLBs.
 */
#ifndef _ASM_VTD_H
#define _ASM_VTD_H

#include <core/cell.h>
#include <jailhouse/cell-config.h>
#include <asm/iommu.h>

/* Register offsets (VT-d spec 10.4) */
#define VTD_VER_REG 0x00
#define VTD_CAP_REG 0x08
#define VTD_ECAP_REG 0x10
#define VTD_GCMD_REG 0x18
#define VTD_GSTS_REG 0x1c
#define VTD_RTADDR_REG 0x20
#define VTD_CCMD_REG 0x28
#define VTD_FSTS_REG 0x34
#define VTD_FECTL_REG 0x38
#define VTD_FEDATA_REG 0x3c
#define VTD_FEADDR_REG 0x40
#define VTD_FEUADDR_REG 0x44
#define VTD_FECTL_IM (1U << 31)
/* Fault event message: physical destination in bits 19:12, NMI delivery. */
#define VTD_FE_DATA_NMI (4U << 8)
#define VTD_IQH_REG 0x80
#define VTD_IQT_REG 0x88
#define VTD_IQA_REG 0x90
#define VTD_ICS_REG 0x9c
#define VTD_IECTL_REG 0xa0
#define VTD_IEDATA_REG 0xa4
#define VTD_IEADDR_REG 0xa8
#define VTD_IEUADDR_REG 0xac
#define VTD_IRTA_REG 0xb8

#define VTD_CAP_RWBF (1ULL << 4)
#define VTD_CAP_SAGAW_39 (1ULL << 9)
#define VTD_CAP_SAGAW_48 (1ULL << 10)
#define VTD_CAP_SLLPS_2M (1ULL << 34)
#define VTD_CAP_SLLPS_1G (1ULL << 35)
#define VTD_CAP_FRO_SHIFT 24
#define VTD_CAP_FRO_MASK 0x3ffULL
#define VTD_CAP_NFR_SHIFT 40
#define VTD_CAP_NFR_MASK 0xffULL
#define VTD_ECAP_C (1ULL << 0)
#define VTD_ECAP_QI (1ULL << 1)
#define VTD_ECAP_IR (1ULL << 3)
#define VTD_ECAP_EIM (1ULL << 4)
#define VTD_ECAP_IRO_SHIFT 8
#define VTD_ECAP_IRO_MASK 0x3ffULL

/* GCMD and GSTS: same positions for command and status */
#define VTD_GCMD_TE (1U << 31)
#define VTD_GCMD_SRTP (1U << 30)
#define VTD_GCMD_QIE (1U << 26)
#define VTD_GCMD_IRE (1U << 25)
#define VTD_GCMD_SIRTP (1U << 24)
#define VTD_GCMD_CFI (1U << 23)
/* Bits that stay in force until written again. */
#define VTD_GCMD_PERSISTENT                                                    \
	(VTD_GCMD_TE | VTD_GCMD_QIE | VTD_GCMD_IRE | VTD_GCMD_CFI)

#define VTD_CCMD_ICC (1ULL << 63)
#define VTD_CCMD_GLOBAL (1ULL << 61)
#define VTD_IOTLB_IVT (1ULL << 63)
#define VTD_IOTLB_GLOBAL (1ULL << 60)
#define VTD_IOTLB_DR (1ULL << 49)
#define VTD_IOTLB_DW (1ULL << 48)

#define VTD_FSTS_PFO (1U << 0)
#define VTD_FSTS_PPF (1U << 1)
#define VTD_FSTS_IQE (1U << 4)
#define VTD_FSTS_FRI_SHIFT 8

/* Fault recording registers (VT-d spec 10.4.14), upper quadword */
#define VTD_FRCD_F (1ULL << 63)
#define VTD_FRCD_T_READ (1ULL << 62)
#define VTD_FRCD_FR_SHIFT 32
#define VTD_FRCD_FI_INDEX_SHIFT 48 /* lower quadword, interrupt faults */
/* Fault reasons from here on are interrupt remapping faults. */
#define VTD_FR_FIRST_IR 0x20
#define VTD_FR_IR_COMPAT 0x25

/* Interrupt remapping table address register: S is log2(entries) - 1. */
#define VTD_IRTA_EIME (1ULL << 11)
#define VTD_IRTA_S_MASK 0xfULL
/* Invalidation queue address: QS is log2(4 KiB pages); DW 256-bit entries. */
#define VTD_IQA_QS_MASK 0x7ULL
#define VTD_IQA_DW (1ULL << 11)
#define VTD_IQ_INDEX_SHIFT 4 /* IQH and IQT: 128-bit descriptor index */
#define VTD_ICS_IWC 1U

/* Root and context entries (VT-d spec 9.1, 9.3) */
#define VTD_ROOT_PRESENT 1ULL
#define VTD_CTX_PRESENT 1ULL
#define VTD_CTX_AW_39 1ULL
#define VTD_CTX_AW_48 2ULL
#define VTD_CTX_DID_SHIFT 8

/* Invalidation descriptors (VT-d spec 6.5.2) */
#define VTD_QI_CC_GLOBAL (0x1ULL | 1ULL << 4)
#define VTD_QI_IOTLB_GLOBAL (0x2ULL | 1ULL << 4 | 1ULL << 6 | 1ULL << 7)
#define VTD_QI_WAIT_SW (0x5ULL | 1ULL << 5)
#define VTD_QI_WAIT_DATA_SHIFT 32
#define VTD_QI_IEC 0x4ULL
#define VTD_QI_IEC_INDEXED (1ULL << 4)
#define VTD_QI_IEC_IDX_SHIFT 32
#define VTD_QI_IEC_IM_SHIFT 27
#define VTD_QI_TYPE_MASK 0xfULL
#define VTD_QI_TYPE_HI_MASK (7ULL << 9) /* type bits 6:4, scalable mode */
#define VTD_QI_TYPE_CC 0x1ULL
#define VTD_QI_TYPE_IOTLB 0x2ULL
#define VTD_QI_TYPE_DEV_TLB 0x3ULL
#define VTD_QI_TYPE_IEC 0x4ULL
#define VTD_QI_TYPE_WAIT 0x5ULL
#define VTD_QI_WAIT_IF (1ULL << 4)
#define VTD_QI_WAIT_SW_BIT (1ULL << 5)

/* Interrupt remapping table entry, remapped format (VT-d spec 9.10) */
#define VTD_IRTE_P (1ULL << 0)
#define VTD_IRTE_TM (1ULL << 4)
#define VTD_IRTE_DLM_SHIFT 5
#define VTD_IRTE_VECTOR_SHIFT 16
#define VTD_IRTE_DST_SHIFT 32
#define VTD_IRTE_XAPIC_DST_SHIFT 40 /* xAPIC: destination bits 15:8 */
#define VTD_IRTE_SVT_SID (1ULL << 18) /* upper quadword, SQ 0 */
#define VTD_IRTE_FPD (1ULL << 1)
#define VTD_IRTE_DM (1ULL << 2)
#define VTD_IRTE_RH (1ULL << 3)
#define VTD_IRTE_DLM_MASK (7ULL << VTD_IRTE_DLM_SHIFT)
#define VTD_IRTE_VECTOR_MASK (0xffULL << VTD_IRTE_VECTOR_SHIFT)
#define VTD_IRTE_POSTED (1ULL << 15) /* IM: posted-interrupt format */
/* Lower quadword bits the remapped format reserves; xAPIC adds more. */
#define VTD_IRTE_RESERVED_LO (7ULL << 12 | 0xffULL << 24)
#define VTD_IRTE_RESERVED_LO_XAPIC (0xffULL << 32 | 0xffffULL << 48)
/* Upper quadword: source id 15:0, qualifier 17:16, verification 19:18. */
#define VTD_IRTE_SID_MASK 0xffffULL
#define VTD_IRTE_SQ_SHIFT 16
#define VTD_IRTE_SVT_SHIFT 18
#define VTD_IRTE_SVT_MASK (3ULL << VTD_IRTE_SVT_SHIFT)
#define VTD_IRTE_RESERVED_HI (~0ULL << 20)
#define VTD_SVT_REQUESTER 1
#define VTD_SVT_BUS_RANGE 2

/* Remappable-format IOAPIC redirection entry (VT-d spec 5.1.5.1) */
#define VTD_IOAPIC_REMAPPABLE (1ULL << 48)
#define VTD_IOAPIC_INDEX_SHIFT 49
#define VTD_IOAPIC_INDEX15 (1ULL << 11)

/* Remappable-format MSI address (VT-d spec 5.1.2.2) */
#define VTD_MSI_BASE 0xfee00000ULL
#define VTD_MSI_REMAPPABLE (1ULL << 4)
#define VTD_MSI_SHV (1ULL << 3)
#define VTD_MSI_HANDLE_SHIFT 5
#define VTD_MSI_HANDLE15 (1ULL << 2)

int vtd_init(const struct jailhouse_system *system);
int vtd_cell_init(struct cell *cell);
void vtd_cell_exit(struct cell *cell);
int vtd_map_memory_region(struct cell *cell,
			  const struct jailhouse_memory *mem);
int vtd_unmap_memory_region(struct cell *cell,
			    const struct jailhouse_memory *mem);
int vtd_add_pci_device(struct cell *cell,
		       const struct jailhouse_pci_device *dev);
void vtd_remove_pci_device(const struct jailhouse_pci_device *dev);
void vtd_config_commit(struct cell *cell_added_removed);
int vtd_enable(void);
void vtd_shutdown(void);

/* Number of units vtd_init found (0: DMA is not isolated). */
unsigned int vtd_num_units(void);

/*
 * Interrupt remapping. One table of VTD_NUM_IRTES entries serves all units.
 * Its indices belong to cells; an entry a cell maps only accepts requests
 * whose source id is exactly that of a device assigned to the cell or of an
 * IOAPIC in the cell's config, and only targets a CPU of the cell. Every
 * change is in force when the call returns (the units' interrupt entry
 * caches are invalidated). Without units, or where a unit lacks interrupt
 * remapping, these calls succeed doing nothing and interrupts stay in
 * compatibility format (vtd_irq_remapping() says which).
 */
#define VTD_NUM_IRTES 1024

bool vtd_irq_remapping(void);
/* count contiguous indices for the cell: the first one, or -errno. */
int vtd_alloc_irtes(struct cell *cell, unsigned int count);
/* Clears and releases indices the cell got from vtd_alloc_irtes. */
void vtd_free_irtes(struct cell *cell, unsigned int first, unsigned int count);
int vtd_map_interrupt(struct cell *cell, u16 source_id, unsigned int index,
		      const struct iommu_irq *irq);
/* Clears the entry; the index stays the cell's. */
int vtd_unmap_interrupt(struct cell *cell, unsigned int index);
/* Remappable-format MSI address naming index (data: 0, no subhandle). */
u64 vtd_msi_address(unsigned int index);
u32 vtd_msi_data(unsigned int index);
/* Remappable-format IOAPIC entry naming index, keeping the pin's bits. */
u64 vtd_ioapic_entry(unsigned int index, u64 pin_bits);

/*
 * Logs and clears every fault the units recorded, one line each naming the
 * unit, the device, the address or interrupt index and the reason; true if
 * there was any. The units announce faults with an NMI to CPU 0
 * (IOMMU_FAULT_CPU), whose NMI exit calls this.
 */
bool vtd_check_faults(void);
/* Faults logged by vtd_check_faults since vtd_init. */
unsigned long vtd_fault_count(void);

#endif
