// SPDX-License-Identifier: GPL-2.0
/* Page pool: allocation, freeing, accounting, exhaustion, zeroing. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <core/errno.h>
#include <core/page_pool.h>

#define FAKE_PHYS 0x3be00000ULL

static void *buf;

static struct page_pool *new_pool(unsigned long pages)
{
	static struct page_pool pool;

	buf = aligned_alloc(PAGE_SIZE, pages * PAGE_SIZE);
	cr_assert_not_null(buf);
	/* Garbage everywhere proves the pool zeroes what it hands out. */
	memset(buf, 0xa5, pages * PAGE_SIZE);
	cr_assert_eq(page_pool_init(&pool, buf, FAKE_PHYS, pages), 0);
	return &pool;
}

static void free_buf(void)
{
	free(buf);
	buf = NULL;
}

static unsigned long index_of(const struct page_pool *pool, void *page)
{
	return ((u8 *)page - pool->base) / PAGE_SIZE;
}

TestSuite(page_pool, .fini = free_buf);

Test(page_pool, init_reserves_bitmap_pages)
{
	struct page_pool *pool = new_pool(64);

	cr_assert_eq(pool->bitmap_pages, 1);
	cr_assert_eq(page_pool_used(pool), 1);
	cr_assert_eq(page_pool_free_pages(pool), 63);
}

Test(page_pool, bitmap_size_grows_with_pool)
{
	/* One bitmap page tracks 32768 pages; one more needs a second. */
	struct page_pool *pool = new_pool(32769);

	cr_assert_eq(pool->bitmap_pages, 2);
	cr_assert_eq(page_pool_used(pool), 2);
	cr_assert_eq(index_of(pool, page_alloc(pool, 1)), 2);
}

Test(page_pool, one_bitmap_page_tracks_exactly_32768_pages)
{
	struct page_pool *pool = new_pool(32768);

	cr_assert_eq(pool->bitmap_pages, 1, "no page more than the bits need");
	cr_assert_eq(page_pool_free_pages(pool), 32767);
	cr_assert_eq(index_of(pool, page_alloc(pool, 1)), 1);
}

Test(page_pool, init_rejects_bad_arguments)
{
	static struct page_pool pool;
	u8 *mem = aligned_alloc(PAGE_SIZE, 4 * PAGE_SIZE);

	cr_assert_eq(page_pool_init(&pool, mem + 8, FAKE_PHYS, 2), -EINVAL);
	cr_assert_eq(page_pool_init(&pool, mem, FAKE_PHYS + 0x800, 2),
		     -EINVAL);
	cr_assert_eq(page_pool_init(&pool, mem, FAKE_PHYS, 1), -EINVAL);
	cr_assert_eq(page_pool_init(&pool, mem, FAKE_PHYS, 0), -EINVAL);
	cr_assert_eq(page_pool_init(&pool, mem, FAKE_PHYS, 2), 0);
	cr_assert_eq(page_pool_free_pages(&pool), 1);
	free(mem);
}

Test(page_pool, single_pages_are_distinct_and_zeroed)
{
	struct page_pool *pool = new_pool(16);
	u8 *pages[15];
	unsigned long i, j;

	for (i = 0; i < 15; i++) {
		pages[i] = page_alloc(pool, 1);
		cr_assert_not_null(pages[i], "page %lu", i);
		for (j = 0; j < PAGE_SIZE; j++)
			cr_assert_eq(pages[i][j], 0, "page %lu byte %lu", i, j);
		memset(pages[i], 0xff, PAGE_SIZE);
		for (j = 0; j < i; j++)
			cr_assert_neq(pages[i], pages[j]);
	}
	cr_assert_eq(index_of(pool, pages[0]), 1);
	cr_assert_eq(index_of(pool, pages[14]), 15);
	cr_assert_eq(page_pool_used(pool), 16);
	cr_assert_null(page_alloc(pool, 1));
}

Test(page_pool, freed_page_is_reused_and_rezeroed)
{
	struct page_pool *pool = new_pool(16);
	u8 *a = page_alloc(pool, 1);
	u8 *b = page_alloc(pool, 1);
	u8 *again;

	memset(a, 0x77, PAGE_SIZE);
	page_free(pool, a, 1);
	cr_assert_eq(page_pool_used(pool), 2);
	again = page_alloc(pool, 1);
	cr_assert_eq(again, a);
	cr_assert_eq(again[0], 0);
	cr_assert_eq(again[PAGE_SIZE - 1], 0);
	cr_assert_neq(again, b);
}

Test(page_pool, contiguous_run_skips_fragmented_space)
{
	struct page_pool *pool = new_pool(32);
	u8 *p[31];
	u8 *run;
	unsigned long i;

	for (i = 0; i < 31; i++)
		p[i] = page_alloc(pool, 1);
	/* Holes of 1, 2 and 3 pages; only the last fits three pages. */
	page_free(pool, p[2], 1);
	page_free(pool, p[5], 1);
	page_free(pool, p[6], 1);
	page_free(pool, p[10], 1);
	page_free(pool, p[11], 1);
	page_free(pool, p[12], 1);
	cr_assert_eq(page_pool_used(pool), 26);

	run = page_alloc(pool, 3);
	cr_assert_eq(run, p[10]);
	cr_assert_eq(page_pool_used(pool), 29);
	cr_assert_null(page_alloc(pool, 3));
	cr_assert_eq(page_alloc(pool, 2), p[5]);
	cr_assert_eq(page_alloc(pool, 1), p[2]);
	cr_assert_null(page_alloc(pool, 1));
}

Test(page_pool, run_crossing_bitmap_words)
{
	struct page_pool *pool = new_pool(512);
	u8 *first = page_alloc(pool, 60);
	u8 *run = page_alloc(pool, 200);
	unsigned long i;

	cr_assert_eq(index_of(pool, first), 1);
	cr_assert_eq(index_of(pool, run), 61);
	for (i = 0; i < 200 * PAGE_SIZE; i += 512)
		cr_assert_eq(run[i], 0);
	cr_assert_eq(page_pool_used(pool), 261);
	page_free(pool, run, 200);
	page_free(pool, first, 60);
	cr_assert_eq(page_pool_used(pool), 1);
	/* Everything is free again: the whole remainder is one run. */
	cr_assert_eq(index_of(pool, page_alloc(pool, 511)), 1);
	cr_assert_eq(page_pool_free_pages(pool), 0);
}

Test(page_pool, run_found_before_hint_by_wrapping)
{
	struct page_pool *pool = new_pool(128);
	u8 *low = page_alloc(pool, 100);
	u8 *high = page_alloc(pool, 20);

	/* The hint now points past high; only the freed low area fits 50. */
	cr_assert_not_null(high);
	page_free(pool, low, 100);
	cr_assert_eq(page_alloc(pool, 50), low);
}

Test(page_pool, exhaustion_and_oversized_requests)
{
	struct page_pool *pool = new_pool(8);

	cr_assert_null(page_alloc(pool, 0));
	cr_assert_null(page_alloc(pool, 8));
	cr_assert_not_null(page_alloc(pool, 7));
	cr_assert_null(page_alloc(pool, 1));
	cr_assert_eq(page_pool_free_pages(pool), 0);
}

Test(page_pool, free_ignores_foreign_pointers)
{
	struct page_pool *pool = new_pool(8);
	u8 outside[16];

	page_alloc(pool, 2);
	page_free(pool, NULL, 1);
	page_free(pool, outside, 1);
	page_free(pool, pool->base, 1); /* the bitmap itself */
	page_free(pool, pool->base + 7 * PAGE_SIZE, 2); /* runs past the end */
	cr_assert_eq(page_pool_used(pool), 3);
}

Test(page_pool, phys_virt_conversion)
{
	struct page_pool *pool = new_pool(8);
	u8 *page = page_alloc(pool, 1);

	cr_assert_eq(page_pool_virt2phys(pool, page), FAKE_PHYS + PAGE_SIZE);
	cr_assert_eq(page_pool_phys2virt(pool, FAKE_PHYS + 3 * PAGE_SIZE),
		     pool->base + 3 * PAGE_SIZE);
	cr_assert(page_pool_contains(pool, FAKE_PHYS + 7 * PAGE_SIZE));
	cr_assert_not(page_pool_contains(pool, FAKE_PHYS + 8 * PAGE_SIZE));
	cr_assert_not(page_pool_contains(pool, FAKE_PHYS - 1));
}

Test(page_pool, global_pool_is_defined)
{
	cr_assert_eq(page_pool_init(&mem_pool, new_pool(4)->base, FAKE_PHYS,
				    4), 0);
	cr_assert_eq(page_pool_free_pages(&mem_pool), 3);
}
