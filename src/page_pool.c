// SPDX-License-Identifier: GPL-2.0
/*
 * Page pool: one bit per page, set while the page is in use. The bitmap sits
 * in the pool's first pages so that the pool needs no memory besides itself.
 *
 * Searches work a 64-bit word at a time and start at a hint just past the
 * last allocation (or at the lowest page freed since), so that the common
 * single-page allocation finds a free bit in the first word it looks at.
 */
#include <core/errno.h>
#include <core/lib.h>
#include <core/page_pool.h>

#define BITS_PER_WORD 64UL
#define ALL_ONES (~0ULL)

struct page_pool mem_pool;

static unsigned long word_of(unsigned long bit)
{
	return bit / BITS_PER_WORD;
}

static u64 mask_from(unsigned long bit)
{
	return ALL_ONES << (bit % BITS_PER_WORD);
}

/*
 * First bit in [from, limit) whose value equals want, or limit. Words that
 * hold nothing of interest are skipped whole.
 */
static unsigned long find_next_bit(const struct page_pool *pool,
				   unsigned long from, unsigned long limit,
				   bool want)
{
	unsigned long w, bit;
	u64 word;

	while (from < limit) {
		w = word_of(from);
		word = want ? pool->bitmap[w] : ~pool->bitmap[w];
		word &= mask_from(from);
		if (word) {
			bit = w * BITS_PER_WORD + __builtin_ctzll(word);
			return MIN(bit, limit);
		}
		from = (w + 1) * BITS_PER_WORD;
	}
	return limit;
}

/* Sets or clears bits [start, start+num), a word at a time where possible. */
static void set_bits(struct page_pool *pool, unsigned long start,
		     unsigned long num, bool value)
{
	unsigned long end = start + num;
	unsigned long w, chunk;
	u64 mask;

	while (start < end) {
		w = word_of(start);
		chunk = MIN(end - start, BITS_PER_WORD - start % BITS_PER_WORD);
		mask = chunk == BITS_PER_WORD ? ALL_ONES :
			((1ULL << chunk) - 1) << (start % BITS_PER_WORD);
		if (value)
			pool->bitmap[w] |= mask;
		else
			pool->bitmap[w] &= ~mask;
		start += chunk;
	}
}

/* Start of the first run of num free pages in [from, limit), or limit. */
static unsigned long find_free_run(const struct page_pool *pool,
				   unsigned long from, unsigned long limit,
				   unsigned long num)
{
	unsigned long start, end;

	while (from < limit) {
		start = find_next_bit(pool, from, limit, false);
		if (limit - start < num)
			break;
		end = find_next_bit(pool, start, start + num, true);
		if (end - start == num)
			return start;
		from = end;
	}
	return limit;
}

int page_pool_init(struct page_pool *pool, void *base, u64 phys_base,
		   unsigned long pages)
{
	unsigned long bits_per_page = PAGE_SIZE * 8;
	unsigned long bitmap_pages;

	if (!PAGE_ALIGNED((unsigned long)base) || !PAGE_ALIGNED(phys_base))
		return -EINVAL;

	bitmap_pages = (pages + bits_per_page - 1) / bits_per_page;
	/* A pool must have at least one page to hand out. */
	if (pages <= bitmap_pages)
		return -EINVAL;

	pool->base = base;
	pool->phys_base = phys_base;
	pool->pages = pages;
	pool->bitmap_pages = bitmap_pages;
	pool->bitmap = base;
	memset(pool->bitmap, 0, bitmap_pages * PAGE_SIZE);
	set_bits(pool, 0, bitmap_pages, true);
	pool->used = bitmap_pages;
	pool->next_hint = bitmap_pages;
	pool->lock = 0;
	return 0;
}

static void pool_lock(struct page_pool *pool)
{
	while (__atomic_exchange_n(&pool->lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&pool->lock, __ATOMIC_RELAXED))
			;
}

static void pool_unlock(struct page_pool *pool)
{
	__atomic_store_n(&pool->lock, 0, __ATOMIC_RELEASE);
}

static void *claim_pages(struct page_pool *pool, unsigned long num)
{
	unsigned long start;

	if (num == 0 || num > page_pool_free_pages(pool))
		return NULL;

	start = find_free_run(pool, pool->next_hint, pool->pages, num);
	if (start == pool->pages)
		/* Runs before the hint are only found by starting over. */
		start = find_free_run(pool, pool->bitmap_pages, pool->pages,
				      num);
	if (start == pool->pages)
		return NULL;

	set_bits(pool, start, num, true);
	pool->used += num;
	pool->next_hint = start + num;
	return pool->base + start * PAGE_SIZE;
}

void *page_alloc(struct page_pool *pool, unsigned long num)
{
	void *pages;

	pool_lock(pool);
	pages = claim_pages(pool, num);
	pool_unlock(pool);
	/* Zeroing needs no lock: the pages are this caller's now. */
	if (pages)
		memset(pages, 0, num * PAGE_SIZE);
	return pages;
}

/* Ignores NULL and ranges outside the pool's allocatable pages. */
void page_free(struct page_pool *pool, void *page, unsigned long num)
{
	unsigned long start;

	if (!page || (u8 *)page < pool->base)
		return;
	start = ((u8 *)page - pool->base) / PAGE_SIZE;
	if (start < pool->bitmap_pages || start >= pool->pages ||
	    num > pool->pages - start)
		return;

	pool_lock(pool);
	set_bits(pool, start, num, false);
	pool->used -= num;
	/* Reusing the lowest free page keeps the pool compact. */
	if (start < pool->next_hint)
		pool->next_hint = start;
	pool_unlock(pool);
}
