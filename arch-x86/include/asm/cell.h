/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_CELL_H
#define _ASM_CELL_H

#include <core/paging.h>

struct arch_cell {
	/* What the cell's CPUs see: EPT under VMX, NPT under SVM. */
	struct paging_structs cpu_paging;
	/* What its devices see, in the IOMMU's format. */
	struct paging_structs dma;
	u16 domain_id;
};

#endif
