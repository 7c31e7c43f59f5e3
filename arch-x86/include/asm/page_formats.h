/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 page-table formats for the generic engine (core/paging.h):
 * - ept_format: the cells' guest-physical address spaces (VMX EPT);
 * - vtd_sl_format, vtd_sl3_format: VT-d second-level tables with 4 levels
 *   (48-bit) and 3 levels (39-bit), chosen by the remapping unit's SAGAW;
 * - x86_64_format: the hypervisor's own 4-level tables;
 * - npt_format: the cells' guest-physical address spaces (SVM nested
 *   paging): x86-64 tables walked as user accesses;
 * - amdvi_format: AMD-Vi I/O page tables with 4 levels (48-bit), whose
 *   pointers name the level below in their next-level field and whose
 *   leaves (next level 0) may sit at the 2M and 1G levels too.
 *
 * Which large pages a format may use depends on the hardware; until
 * page_formats_configure() says otherwise only what every VMX/VT-d machine
 * supports is used: EPT 2M, no VT-d superpages, host 2M and 1G.
 */
#ifndef _ASM_PAGE_FORMATS_H
#define _ASM_PAGE_FORMATS_H

#include <core/paging.h>

/* Physical address bits 51:12 of every entry of these formats. */
#define X86_PAGE_ADDR_MASK 0x000ffffffffff000ULL

/* EPT entry bits (SDM Vol. 3C, 29.3.2). */
#define EPT_READ (1ULL << 0)
#define EPT_WRITE (1ULL << 1)
#define EPT_EXEC (1ULL << 2)
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_UC 0ULL
#define EPT_MEMTYPE_WB 6ULL
#define EPT_MEMTYPE_MASK (7ULL << EPT_MEMTYPE_SHIFT)
#define EPT_LARGE (1ULL << 7)

/* VT-d second-level entry bits (VT-d spec, 9.8). */
#define VTD_SL_READ (1ULL << 0)
#define VTD_SL_WRITE (1ULL << 1)
#define VTD_SL_SUPERPAGE (1ULL << 7)

/*
 * AMD-Vi I/O page table entry bits (AMD IOMMU specification, "I/O Page
 * Tables"). Access needs IR or IW at every level of the walk.
 */
#define AMDVI_PTE_PR (1ULL << 0)
#define AMDVI_PTE_NEXT_LEVEL_SHIFT 9
#define AMDVI_PTE_NEXT_LEVEL_MASK (7ULL << AMDVI_PTE_NEXT_LEVEL_SHIFT)
#define AMDVI_PTE_IR (1ULL << 61)
#define AMDVI_PTE_IW (1ULL << 62)
/*
 * What an empty slot holds. With PR clear the unit takes the entry as
 * not present whatever its other bits say, and faults the access as for
 * an entry of 0. QEMU's model (10.0 and the later sources) stops its walk
 * at an entry of 0 without a fault and reports one only at an entry whose
 * next level names a table: given this one it reports the fault, and
 * logs the event where its event log works (10.1 on).
 */
#define AMDVI_PTE_EMPTY (1ULL << AMDVI_PTE_NEXT_LEVEL_SHIFT)
/* The device table entry's paging mode for amdvi_format. */
#define AMDVI_PT_LEVELS 4

/* x86-64 paging entry bits (SDM Vol. 3A, 4.5). */
#define X86_PTE_PRESENT (1ULL << 0)
#define X86_PTE_RW (1ULL << 1)
#define X86_PTE_US (1ULL << 2)
#define X86_PTE_PWT (1ULL << 3)
#define X86_PTE_PCD (1ULL << 4)
#define X86_PTE_PS (1ULL << 7)
#define X86_PTE_NX (1ULL << 63)

extern struct paging_format ept_format;
extern struct paging_format vtd_sl_format;
extern struct paging_format vtd_sl3_format;
extern struct paging_format x86_64_format;
extern struct paging_format npt_format;
extern struct paging_format amdvi_format;

/*
 * Enables the large pages the hardware supports: EPT 1G (IA32_VMX_EPT_VPID_CAP
 * bit 17), VT-d 2M and 1G superpages (SLLPS in the capability register).
 * VT-d 1G is used only together with 2M, because the engine splits a 1G
 * page into 2M pieces.
 */
void page_formats_configure(bool nested_1g, bool vtd_2m, bool vtd_1g);

#endif
