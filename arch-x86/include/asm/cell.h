/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_CELL_H
#define _ASM_CELL_H

#include <core/paging.h>

struct arch_cell {
	struct paging_structs ept; /* what the cell's CPUs see */
	struct paging_structs dma; /* VT-d second level: what its devices see */
	u16 domain_id;
};

#endif
