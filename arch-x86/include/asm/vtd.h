/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's VT-d driver: DMA remapping of the cells' devices.
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

/* Register offsets (VT-d spec 10.4) */
#define VTD_VER_REG 0x00
#define VTD_CAP_REG 0x08
#define VTD_ECAP_REG 0x10
#define VTD_GCMD_REG 0x18
#define VTD_GSTS_REG 0x1c
#define VTD_RTADDR_REG 0x20
#define VTD_CCMD_REG 0x28
#define VTD_FSTS_REG 0x34
#define VTD_IQH_REG 0x80
#define VTD_IQT_REG 0x88
#define VTD_IQA_REG 0x90

#define VTD_CAP_RWBF (1ULL << 4)
#define VTD_CAP_SAGAW_39 (1ULL << 9)
#define VTD_CAP_SAGAW_48 (1ULL << 10)
#define VTD_CAP_SLLPS_2M (1ULL << 34)
#define VTD_CAP_SLLPS_1G (1ULL << 35)
#define VTD_ECAP_C (1ULL << 0)
#define VTD_ECAP_QI (1ULL << 1)
#define VTD_ECAP_IRO_SHIFT 8
#define VTD_ECAP_IRO_MASK 0x3ffULL

/* GCMD and GSTS: same positions for command and status */
#define VTD_GCMD_TE (1U << 31)
#define VTD_GCMD_SRTP (1U << 30)
#define VTD_GCMD_QIE (1U << 26)
#define VTD_GCMD_IRE (1U << 25)
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

#define VTD_FSTS_IQE (1U << 4)

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

#endif
