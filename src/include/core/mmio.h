/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Emulated MMIO regions of a cell: a sorted, overlap-checked registry and the
 * dispatch of trapped accesses to their handlers.
 */
#ifndef _CORE_MMIO_H
#define _CORE_MMIO_H

#include <core/types.h>

struct cell;

enum mmio_result {
	MMIO_HANDLED,
	MMIO_UNHANDLED, /* no region covers the access */
	MMIO_ERROR, /* a handler refused the access */
};

struct mmio_access {
	u64 address; /* guest-physical; handlers see the offset in the region */
	u64 value;
	u8 size; /* 1, 2, 4 or 8 */
	bool is_write;
};

typedef enum mmio_result (*mmio_handler)(void *arg,
					 struct mmio_access *access);

struct mmio_region {
	u64 start;
	u64 size;
	mmio_handler handler;
	void *arg;
};

struct mmio_registry {
	struct mmio_region *regions; /* sorted by start, from the page pool */
	unsigned int num;
	unsigned int capacity;
};

/* -EINVAL for an empty or wrapping range, -EEXIST on overlap, -ENOMEM. */
int mmio_region_register(struct cell *cell, u64 start, u64 size,
			 mmio_handler handler, void *arg);
/* -ENOENT if no region starts there. */
int mmio_region_unregister(struct cell *cell, u64 start);
enum mmio_result mmio_handle_access(struct cell *cell,
				    struct mmio_access *access);
void mmio_cell_exit(struct cell *cell);

#endif
