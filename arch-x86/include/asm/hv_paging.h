/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's own address space: its memory block at the virtual
 * address it runs at, and a window per CPU through which it reaches other
 * physical memory a page at a time. Nothing of Linux is mapped, so the root
 * cell cannot change what the hypervisor sees.
 */
#ifndef _ASM_HV_PAGING_H
#define _ASM_HV_PAGING_H

#include <core/paging.h>

/* Pages of the per-CPU window for foreign physical memory. */
#define HV_REMAP_PAGES 16
/* Room for lasting device mappings (IOMMU units, IOAPICs, APIC). */
#define HV_DEVICE_AREA (1ULL << 30)

int hv_paging_init(u64 block_virt, u64 block_phys, u64 block_size,
		   u64 remap_base, unsigned int cpus);
void hv_paging_exit(void);
/* Physical address of the top-level table, for CR3 and the VMCS. */
u64 hv_paging_cr3(void);
/*
 * Maps [phys, phys+size) of RAM into the window of cpu, replacing what the
 * window held, and returns the virtual address of phys; NULL if it needs
 * more than HV_REMAP_PAGES pages or the tables cannot grow. The caller
 * flushes the window's TLB entries.
 */
void *hv_paging_map_window(unsigned int cpu, u64 phys, u64 size);
/* Maps device registers uncached, for good; NULL when the area is full. */
void *hv_paging_map_device(u64 phys, u64 size);
u64 hv_paging_window_base(unsigned int cpu);
const struct paging_structs *hv_paging_structs(void);

#endif
