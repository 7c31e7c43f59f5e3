// SPDX-License-Identifier: GPL-2.0
/*
 * Registry of a cell's emulated MMIO regions, kept sorted for binary search
 * on the exit path. The array grows into larger pool allocations; a failed
 * growth is reported, never dropped.
 */
#include <core/cell.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/mmio.h>
#include <core/page_pool.h>

#define REGIONS_PER_PAGE (PAGE_SIZE / sizeof(struct mmio_region))

static unsigned int registry_pages(unsigned int capacity)
{
	return (unsigned int)PAGES(capacity * sizeof(struct mmio_region));
}

static int grow_registry(struct mmio_registry *reg)
{
	unsigned int capacity = reg->capacity ? reg->capacity * 2 :
						REGIONS_PER_PAGE;
	struct mmio_region *bigger;

	bigger = page_alloc(&mem_pool, registry_pages(capacity));
	if (!bigger)
		return -ENOMEM;
	if (reg->regions) {
		memcpy(bigger, reg->regions, reg->num * sizeof(*bigger));
		page_free(&mem_pool, reg->regions,
			  registry_pages(reg->capacity));
	}
	reg->regions = bigger;
	reg->capacity = capacity;
	return 0;
}

/* Index of the first region that ends above address. */
static unsigned int first_ending_above(const struct mmio_registry *reg,
				       u64 address)
{
	unsigned int lo = 0, hi = reg->num, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (reg->regions[mid].start + reg->regions[mid].size <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int mmio_region_register(struct cell *cell, u64 start, u64 size,
			 mmio_handler handler, void *arg)
{
	struct mmio_registry *reg = &cell->mmio;
	unsigned int pos, i;
	int err;

	if (size == 0 || start + size < start || !handler)
		return -EINVAL;
	pos = first_ending_above(reg, start);
	if (pos < reg->num && reg->regions[pos].start < start + size)
		return -EEXIST;
	if (reg->num == reg->capacity) {
		err = grow_registry(reg);
		if (err)
			return err;
	}
	for (i = reg->num; i > pos; i--)
		reg->regions[i] = reg->regions[i - 1];
	reg->regions[pos] = (struct mmio_region){ start, size, handler, arg };
	reg->num++;
	return 0;
}

int mmio_region_unregister(struct cell *cell, u64 start)
{
	struct mmio_registry *reg = &cell->mmio;
	unsigned int pos = first_ending_above(reg, start), i;

	if (pos >= reg->num || reg->regions[pos].start != start)
		return -ENOENT;
	for (i = pos; i + 1 < reg->num; i++)
		reg->regions[i] = reg->regions[i + 1];
	reg->num--;
	return 0;
}

enum mmio_result mmio_handle_access(struct cell *cell,
				    struct mmio_access *access)
{
	struct mmio_registry *reg = &cell->mmio;
	unsigned int pos = first_ending_above(reg, access->address);
	struct mmio_region *region;
	struct mmio_access local;

	if (pos >= reg->num)
		return MMIO_UNHANDLED;
	region = &reg->regions[pos];
	if (access->address < region->start ||
	    access->address + access->size > region->start + region->size)
		return MMIO_UNHANDLED;
	local = *access;
	local.address -= region->start;
	if (region->handler(region->arg, &local) != MMIO_HANDLED)
		return MMIO_ERROR;
	access->value = local.value;
	return MMIO_HANDLED;
}

void mmio_cell_exit(struct cell *cell)
{
	struct mmio_registry *reg = &cell->mmio;

	if (reg->regions)
		page_free(&mem_pool, reg->regions,
			  registry_pages(reg->capacity));
	reg->regions = NULL;
	reg->num = reg->capacity = 0;
}
