/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's page allocator: a contiguous run of physical pages taken
 * from the hypervisor memory block, tracked by a bitmap kept in the pool's own
 * first pages. Every page handed out is zeroed.
 */
#ifndef _CORE_PAGE_POOL_H
#define _CORE_PAGE_POOL_H

#include <core/types.h>

struct page_pool {
	u8 *base; /* hypervisor-virtual address of page 0 */
	u64 phys_base; /* physical address of page 0 */
	unsigned long pages; /* total pages, including the bitmap's own */
	unsigned long used; /* pages allocated, including the bitmap's own */
	unsigned long bitmap_pages;
	unsigned long next_hint; /* where the next search starts */
	u64 *bitmap;
	/* CPUs allocate at once (bring-up, exits): one at a time here. */
	volatile u32 lock;
};

/* Returns -EINVAL for a misaligned base or a pool too small for its bitmap. */
int page_pool_init(struct page_pool *pool, void *base, u64 phys_base,
		   unsigned long pages);

/* num contiguous zeroed pages, or NULL when none are free. */
void *page_alloc(struct page_pool *pool, unsigned long num);
void page_free(struct page_pool *pool, void *page, unsigned long num);

static inline unsigned long page_pool_used(const struct page_pool *pool)
{
	return pool->used;
}

static inline unsigned long page_pool_free_pages(const struct page_pool *pool)
{
	return pool->pages - pool->used;
}

static inline u64 page_pool_virt2phys(const struct page_pool *pool,
				      const void *virt)
{
	return pool->phys_base + (u64)((const u8 *)virt - pool->base);
}

static inline void *page_pool_phys2virt(const struct page_pool *pool, u64 phys)
{
	return pool->base + (phys - pool->phys_base);
}

static inline bool page_pool_contains(const struct page_pool *pool, u64 phys)
{
	return phys >= pool->phys_base &&
	       phys - pool->phys_base < (u64)pool->pages * PAGE_SIZE;
}

/* The hypervisor's one pool for tables, cell state and config copies. */
extern struct page_pool mem_pool;

#endif
