/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copies between the hypervisor and root's guest-physical memory, for
 * hypercalls that pass buffers: -EFAULT, with nothing copied, unless root
 * itself may read (or write) the whole range.
 */
#ifndef _CORE_ROOT_MEMORY_H
#define _CORE_ROOT_MEMORY_H

#include <core/types.h>

struct cell;

/* From the cell's RAM (not its device memory), as the cell reads it. */
int copy_from_cell(struct cell *cell, u64 gpa, void *dst, u64 len);
int copy_from_root(u64 gpa, void *dst, u64 len);
int copy_to_root(u64 gpa, const void *src, u64 len);
bool root_may_write(u64 gpa, u64 len);

#endif
