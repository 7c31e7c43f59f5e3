// SPDX-License-Identifier: GPL-2.0
/*
 * Generic paging engine with the x86 formats: page-size choice, splitting,
 * folding, freeing, error paths, exact entry bits, and a random model check.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <asm/page_formats.h>
#include <core/errno.h>
#include <core/paging.h>

#define FAKE_PHYS 0x3be00000ULL
#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
#define SZ_4G (4 * SZ_1G)

static struct page_pool pool;
static void *buf;
static unsigned long baseline;

static void new_pool(unsigned long pages)
{
	buf = aligned_alloc(PAGE_SIZE, pages * PAGE_SIZE);
	cr_assert_not_null(buf);
	memset(buf, 0x5a, pages * PAGE_SIZE);
	cr_assert_eq(page_pool_init(&pool, buf, FAKE_PHYS, pages), 0);
	baseline = page_pool_used(&pool);
}

static void all_large_pages(void)
{
	page_formats_configure(true, true, true);
}

static void free_pool(void)
{
	free(buf);
	buf = NULL;
}

/* Pool plus an empty structure of this format. */
static void setup(struct paging_structs *pg, struct paging_format *fmt,
		  unsigned long pages)
{
	new_pool(pages);
	cr_assert_eq(paging_create(pg, fmt, &pool), 0);
	cr_assert_eq(page_pool_used(&pool), baseline + 1);
}

static void expect_mapped(const struct paging_structs *pg, u64 virt,
			  u64 phys, u32 flags, u64 page_size)
{
	u64 got_phys = 0, got_size = 0;
	u32 got_flags = 0;

	cr_assert(paging_walk(pg, virt, &got_phys, &got_flags, &got_size),
		  "%#llx should be mapped", (unsigned long long)virt);
	cr_assert_eq(got_phys, phys, "%#llx: phys %#llx, expected %#llx",
		     (unsigned long long)virt, (unsigned long long)got_phys,
		     (unsigned long long)phys);
	cr_assert_eq(got_flags, flags, "%#llx: flags %#x, expected %#x",
		     (unsigned long long)virt, got_flags, flags);
	cr_assert_eq(got_size, page_size, "%#llx: page %#llx, expected %#llx",
		     (unsigned long long)virt, (unsigned long long)got_size,
		     (unsigned long long)page_size);
}

static void expect_unmapped(const struct paging_structs *pg, u64 virt)
{
	cr_assert_not(paging_walk(pg, virt, NULL, NULL, NULL),
		      "%#llx should be unmapped", (unsigned long long)virt);
}

/* Tables in use must be exactly what the pool lost beyond the baseline. */
static void expect_tables(const struct paging_structs *pg,
			  unsigned long tables)
{
	cr_assert_eq(paging_count_tables(pg), tables);
	cr_assert_eq(page_pool_used(&pool), baseline + tables);
}

/* The raw entry that translates virt at level (0 = top). */
static u64 raw_entry(const struct paging_structs *pg, u64 virt,
		     unsigned int level)
{
	const struct paging_format *f = pg->fmt;
	u64 *table = pg->root;
	unsigned int l;
	u64 entry;

	for (l = 0;; l++) {
		entry = table[(virt >> f->shift[l]) & (PAGING_ENTRIES - 1)];
		if (l == level)
			return entry;
		table = page_pool_phys2virt(&pool, entry & X86_PAGE_ADDR_MASK);
	}
}

static u64 table_phys_below(const struct paging_structs *pg, u64 virt,
			    unsigned int level)
{
	return raw_entry(pg, virt, level) & X86_PAGE_ADDR_MASK;
}

TestSuite(paging, .init = all_large_pages, .fini = free_pool);

Test(paging, create_and_destroy_account_for_root)
{
	struct paging_structs pg;

	setup(&pg, &ept_format, 64);
	expect_tables(&pg, 1);
	cr_assert_eq(paging_root_phys(&pg), FAKE_PHYS + PAGE_SIZE);
	paging_destroy(&pg);
	cr_assert_eq(page_pool_used(&pool), baseline);
	cr_assert_null(pg.root);
	cr_assert_eq(paging_count_tables(&pg), 0);
	paging_destroy(&pg); /* harmless twice */
	cr_assert_eq(page_pool_used(&pool), baseline);
}

Test(paging, create_fails_on_empty_pool)
{
	struct paging_structs pg;

	new_pool(2);
	cr_assert_not_null(page_alloc(&pool, 1));
	cr_assert_eq(paging_create(&pg, &ept_format, &pool), -ENOMEM);
}

Test(paging, identity_4g_uses_1g_pages)
{
	struct paging_structs pg;

	setup(&pg, &ept_format, 64);
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_4G, PAGE_FLAG_RWX), 0);
	expect_tables(&pg, 2);
	expect_mapped(&pg, 0, 0, PAGE_FLAG_RWX, SZ_1G);
	expect_mapped(&pg, SZ_1G + 0x1234, SZ_1G + 0x1234, PAGE_FLAG_RWX,
		      SZ_1G);
	expect_mapped(&pg, SZ_4G - 1, SZ_4G - 1, PAGE_FLAG_RWX, SZ_1G);
	expect_unmapped(&pg, SZ_4G);
	paging_destroy(&pg);
	cr_assert_eq(page_pool_used(&pool), baseline);
}

Test(paging, identity_4g_with_2m_only)
{
	struct paging_structs pg;

	page_formats_configure(false, true, true);
	setup(&pg, &ept_format, 64);
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_4G, PAGE_FLAG_RWX), 0);
	/* root, one PDPT, four PDs */
	expect_tables(&pg, 6);
	expect_mapped(&pg, SZ_2M * 3 + 5, SZ_2M * 3 + 5, PAGE_FLAG_RWX,
		      SZ_2M);
	expect_mapped(&pg, SZ_4G - SZ_4K, SZ_4G - SZ_4K, PAGE_FLAG_RWX,
		      SZ_2M);
}

Test(paging, mixed_range_uses_largest_page_at_each_point)
{
	struct paging_structs pg;
	u64 start = SZ_1G - SZ_2M - SZ_4K;
	u64 end = 2 * SZ_1G + SZ_2M + SZ_4K;

	setup(&pg, &ept_format, 64);
	cr_assert_eq(paging_map(&pg, start, start, end - start,
				PAGE_FLAG_RW), 0);
	expect_unmapped(&pg, start - 1);
	expect_mapped(&pg, start, start, PAGE_FLAG_RW, SZ_4K);
	expect_mapped(&pg, SZ_1G - SZ_2M, SZ_1G - SZ_2M, PAGE_FLAG_RW, SZ_2M);
	expect_mapped(&pg, SZ_1G, SZ_1G, PAGE_FLAG_RW, SZ_1G);
	expect_mapped(&pg, 2 * SZ_1G, 2 * SZ_1G, PAGE_FLAG_RW, SZ_2M);
	expect_mapped(&pg, end - 1, end - 1, PAGE_FLAG_RW, SZ_4K);
	expect_unmapped(&pg, end);
	/* root, PDPT, PD and PT below 1G, PD and PT at 2G */
	expect_tables(&pg, 6);
}

Test(paging, phys_misaligned_to_virt_falls_back)
{
	struct paging_structs pg;

	setup(&pg, &ept_format, 1024);
	/* 2M- but not 1G-aligned phys: 2M pages in one PD. */
	cr_assert_eq(paging_map(&pg, SZ_1G, 0x80200000ULL, SZ_1G,
				PAGE_FLAG_RW), 0);
	expect_tables(&pg, 3);
	expect_mapped(&pg, SZ_1G + SZ_2M + 7, 0x80400007ULL, PAGE_FLAG_RW,
		      SZ_2M);

	/* Only 4K aligned phys: 512 page tables below the PD. */
	cr_assert_eq(paging_map(&pg, SZ_1G, 0x80001000ULL, SZ_1G,
				PAGE_FLAG_RW), 0);
	expect_tables(&pg, 3 + 512);
	expect_mapped(&pg, 2 * SZ_1G - SZ_4K, 0x80000000ULL + SZ_1G,
		      PAGE_FLAG_RW, SZ_4K);

	/* Aligned again: the whole subtree goes, one leaf replaces it. */
	cr_assert_eq(paging_map(&pg, SZ_1G, 0xc0000000ULL, SZ_1G,
				PAGE_FLAG_RW), 0);
	expect_tables(&pg, 2);
	expect_mapped(&pg, SZ_1G, 0xc0000000ULL, PAGE_FLAG_RW, SZ_1G);
}

Test(paging, unmap_hole_splits_1g_page)
{
	struct paging_structs pg;
	u64 hole = SZ_1G + 0x345000;
	u64 phys = 2 * SZ_1G;
	unsigned long before;

	setup(&pg, &ept_format, 64);
	cr_assert_eq(paging_map(&pg, SZ_1G, phys, SZ_1G, PAGE_FLAG_RW), 0);
	before = page_pool_used(&pool);
	cr_assert_eq(paging_unmap(&pg, hole, 3 * SZ_4K), 0);
	/* root, PDPT, PD of 2M pieces, PT of the piece with the hole */
	expect_tables(&pg, 4);

	expect_unmapped(&pg, SZ_1G - 1);
	expect_mapped(&pg, SZ_1G, phys, PAGE_FLAG_RW, SZ_2M);
	expect_mapped(&pg, SZ_1G + SZ_2M - 1, phys + SZ_2M - 1, PAGE_FLAG_RW,
		      SZ_2M);
	expect_mapped(&pg, SZ_1G + SZ_2M, phys + SZ_2M, PAGE_FLAG_RW, SZ_4K);
	expect_mapped(&pg, hole - 1, phys + 0x344fff, PAGE_FLAG_RW, SZ_4K);
	expect_unmapped(&pg, hole);
	expect_unmapped(&pg, hole + SZ_4K);
	expect_unmapped(&pg, hole + 3 * SZ_4K - 1);
	expect_mapped(&pg, hole + 3 * SZ_4K, phys + 0x348000, PAGE_FLAG_RW,
		      SZ_4K);
	expect_mapped(&pg, SZ_1G + 2 * SZ_2M - 1, phys + 2 * SZ_2M - 1,
		      PAGE_FLAG_RW, SZ_4K);
	expect_mapped(&pg, SZ_1G + 2 * SZ_2M, phys + 2 * SZ_2M, PAGE_FLAG_RW,
		      SZ_2M);
	expect_mapped(&pg, 2 * SZ_1G - 1, phys + SZ_1G - 1, PAGE_FLAG_RW,
		      SZ_2M);
	expect_unmapped(&pg, 2 * SZ_1G);

	/* Refilling the hole folds PT and PD back into one 1G page. */
	cr_assert_eq(paging_map(&pg, hole, phys + 0x345000, 3 * SZ_4K,
				PAGE_FLAG_RW), 0);
	cr_assert_eq(page_pool_used(&pool), before);
	expect_tables(&pg, 2);
	expect_mapped(&pg, hole + SZ_4K, phys + 0x346000, PAGE_FLAG_RW,
		      SZ_1G);
}

Test(paging, refilled_2m_hole_returns_pool_to_usage)
{
	struct paging_structs pg;
	unsigned long before;

	setup(&pg, &ept_format, 64);
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_4G, PAGE_FLAG_RWX), 0);
	before = page_pool_used(&pool);
	cr_assert_eq(paging_unmap(&pg, 2 * SZ_1G + 4 * SZ_2M, SZ_2M), 0);
	expect_tables(&pg, 3);
	expect_unmapped(&pg, 2 * SZ_1G + 4 * SZ_2M);
	expect_mapped(&pg, 2 * SZ_1G + 5 * SZ_2M, 2 * SZ_1G + 5 * SZ_2M,
		      PAGE_FLAG_RWX, SZ_2M);
	cr_assert_eq(paging_map(&pg, 2 * SZ_1G + 4 * SZ_2M,
				2 * SZ_1G + 4 * SZ_2M, SZ_2M, PAGE_FLAG_RWX),
		     0);
	cr_assert_eq(page_pool_used(&pool), before);
	expect_mapped(&pg, 2 * SZ_1G, 2 * SZ_1G, PAGE_FLAG_RWX, SZ_1G);
}

Test(paging, unmap_everything_frees_all_but_root)
{
	struct paging_structs pg;
	unsigned int i;

	setup(&pg, &ept_format, 256);
	for (i = 0; i < 20; i++)
		cr_assert_eq(paging_map(&pg, i * 0x3456000ULL + SZ_4K * i,
					0x10000000ULL + i * SZ_4K, 5 * SZ_4K,
					PAGE_FLAG_RW), 0);
	cr_assert_eq(paging_map(&pg, 0x7f0000000000ULL, SZ_1G, SZ_4G,
				PAGE_FLAG_RW), 0);
	cr_assert_gt(paging_count_tables(&pg), 5);
	cr_assert_eq(paging_unmap(&pg, 0, 1ULL << 48), 0);
	expect_tables(&pg, 1);
	expect_unmapped(&pg, 0);
	expect_unmapped(&pg, 0x7f0000000000ULL);
}

Test(paging, unmap_in_pieces_frees_emptied_tables)
{
	struct paging_structs pg;
	u64 v;

	setup(&pg, &ept_format, 64);
	cr_assert_eq(paging_map(&pg, SZ_1G, 0, SZ_2M, PAGE_FLAG_RW), 0);
	expect_tables(&pg, 3);
	for (v = SZ_1G; v < SZ_1G + SZ_2M - SZ_4K; v += SZ_4K)
		cr_assert_eq(paging_unmap(&pg, v, SZ_4K), 0);
	/* The last page keeps its PT, PD and PDPT alive. */
	expect_tables(&pg, 4);
	expect_mapped(&pg, v, SZ_2M - SZ_4K, PAGE_FLAG_RW, SZ_4K);
	cr_assert_eq(paging_unmap(&pg, v, SZ_4K), 0);
	expect_tables(&pg, 1);
}

Test(paging, remap_with_other_flags_splits_and_refolds)
{
	struct paging_structs pg;
	u64 page = 0x40123000ULL;

	setup(&pg, &ept_format, 64);
	cr_assert_eq(paging_map(&pg, SZ_1G, SZ_1G, SZ_1G, PAGE_FLAG_RWX), 0);
	cr_assert_eq(paging_map(&pg, page, page, SZ_4K, PAGE_FLAG_READ), 0);
	expect_tables(&pg, 4);
	expect_mapped(&pg, page, page, PAGE_FLAG_READ, SZ_4K);
	expect_mapped(&pg, page - SZ_4K, page - SZ_4K, PAGE_FLAG_RWX, SZ_4K);
	expect_mapped(&pg, page + SZ_4K, page + SZ_4K, PAGE_FLAG_RWX, SZ_4K);
	expect_mapped(&pg, SZ_1G + SZ_2M, SZ_1G + SZ_2M, PAGE_FLAG_RWX,
		      SZ_2M);

	/* Remapping a page to other phys, same flags, splits too. */
	cr_assert_eq(paging_map(&pg, page + SZ_4K, 0x5000, SZ_4K,
				PAGE_FLAG_RWX), 0);
	expect_mapped(&pg, page + SZ_4K, 0x5000, PAGE_FLAG_RWX, SZ_4K);

	cr_assert_eq(paging_map(&pg, page, page, 2 * SZ_4K, PAGE_FLAG_RWX),
		     0);
	expect_tables(&pg, 2);
	expect_mapped(&pg, page, page, PAGE_FLAG_RWX, SZ_1G);
}

Test(paging, remap_identical_subrange_keeps_large_page)
{
	struct paging_structs pg;

	setup(&pg, &ept_format, 64);
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_1G, PAGE_FLAG_RW), 0);
	cr_assert_eq(paging_map(&pg, 0x3000, 0x3000, SZ_4K, PAGE_FLAG_RW), 0);
	expect_tables(&pg, 2);
	expect_mapped(&pg, 0x3000, 0x3000, PAGE_FLAG_RW, SZ_1G);
}

Test(paging, piecewise_4k_map_folds_to_minimum)
{
	struct paging_structs pg;
	u64 v;

	setup(&pg, &ept_format, 64);
	/* Backwards, so no prefix of the run is ever aligned and complete. */
	for (v = SZ_1G; v > 0; v -= SZ_4K)
		cr_assert_eq(paging_map(&pg, SZ_1G + v - SZ_4K,
					SZ_4G + v - SZ_4K, SZ_4K,
					PAGE_FLAG_RW), 0);
	expect_tables(&pg, 2);
	expect_mapped(&pg, SZ_1G + 0x1000, SZ_4G + 0x1000, PAGE_FLAG_RW,
		      SZ_1G);
}

Test(paging, large_map_replaces_scattered_tables)
{
	struct paging_structs pg;
	unsigned int i;

	setup(&pg, &ept_format, 256);
	for (i = 0; i < 40; i++)
		cr_assert_eq(paging_map(&pg, SZ_1G + i * 0x1234000ULL,
					0x1000 * i, SZ_4K, PAGE_FLAG_READ), 0);
	cr_assert_gt(paging_count_tables(&pg), 20);
	cr_assert_eq(paging_map(&pg, SZ_1G, 0, SZ_1G, PAGE_FLAG_RW), 0);
	expect_tables(&pg, 2);
}

Test(paging, enomem_on_map_leaves_state_unmap_can_clean)
{
	struct paging_structs pg;
	int err;

	/* bitmap + root + 4 spare pages: far fewer than 515 tables. */
	setup(&pg, &ept_format, 6);
	err = paging_map(&pg, 0, 0x1000, SZ_1G, PAGE_FLAG_RW);
	cr_assert_eq(err, -ENOMEM);
	cr_assert_eq(page_pool_free_pages(&pool), 0);
	/* What was mapped before running out is consistent and walkable. */
	expect_mapped(&pg, 0, 0x1000, PAGE_FLAG_RW, SZ_4K);
	expect_mapped(&pg, SZ_2M, SZ_2M + 0x1000, PAGE_FLAG_RW, SZ_4K);
	expect_unmapped(&pg, SZ_1G - SZ_4K);
	cr_assert_eq(paging_unmap(&pg, 0, SZ_1G), 0);
	expect_tables(&pg, 1);
}

Test(paging, enomem_without_any_table_leaves_nothing_behind)
{
	struct paging_structs pg;

	setup(&pg, &ept_format, 4);
	cr_assert_not_null(page_alloc(&pool, 1));
	/* The PDPT fits, the PD does not: the empty PDPT must go again. */
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_2M, PAGE_FLAG_RW), -ENOMEM);
	cr_assert_eq(paging_count_tables(&pg), 1);
	cr_assert_eq(page_pool_free_pages(&pool), 1);
}

Test(paging, enomem_on_split_keeps_large_page)
{
	struct paging_structs pg;
	void *spare;

	setup(&pg, &ept_format, 5);
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_1G, PAGE_FLAG_RW), 0);
	/* Take both spare pages: not even the 1G split can start. */
	spare = page_alloc(&pool, 2);
	cr_assert_not_null(spare);
	cr_assert_eq(paging_unmap(&pg, 0x5000, SZ_4K), -ENOMEM);
	expect_mapped(&pg, 0x5000, 0x5000, PAGE_FLAG_RW, SZ_1G);

	/* One free page splits 1G into 2M pieces, the PT fails. */
	page_free(&pool, spare, 1);
	cr_assert_eq(paging_unmap(&pg, 0x5000, SZ_4K), -ENOMEM);
	expect_mapped(&pg, 0x5000, 0x5000, PAGE_FLAG_RW, SZ_2M);
	expect_mapped(&pg, SZ_1G - 1, SZ_1G - 1, PAGE_FLAG_RW, SZ_2M);
	cr_assert_eq(paging_unmap(&pg, 0, SZ_1G), 0);
	page_free(&pool, (u8 *)spare + PAGE_SIZE, 1);
	expect_tables(&pg, 1);
}

Test(paging, rejects_misaligned_arguments)
{
	struct paging_structs pg;

	setup(&pg, &ept_format, 16);
	cr_assert_eq(paging_map(&pg, 0x800, 0, SZ_4K, PAGE_FLAG_RW), -EINVAL);
	cr_assert_eq(paging_map(&pg, 0, 0x10, SZ_4K, PAGE_FLAG_RW), -EINVAL);
	cr_assert_eq(paging_map(&pg, 0, 0, 0x1800, PAGE_FLAG_RW), -EINVAL);
	cr_assert_eq(paging_unmap(&pg, 0x1001, SZ_4K), -EINVAL);
	cr_assert_eq(paging_unmap(&pg, 0, 0x10), -EINVAL);
	cr_assert_eq(paging_unmap(&pg, 0x10, 0), -EINVAL);
	cr_assert_eq(paging_unmap(&pg, 0, 1), -EINVAL, "one byte is no page");
	cr_assert_eq(paging_unmap(&pg, SZ_4K, 0), 0, "nothing to do");
	cr_assert_eq(paging_map(&pg, SZ_4K, 0, 0, PAGE_FLAG_RW), 0);
	expect_tables(&pg, 1);
}

Test(paging, rejects_addresses_beyond_width)
{
	struct paging_structs pg;
	u64 top = 1ULL << 48;

	setup(&pg, &ept_format, 16);
	cr_assert_eq(paging_map(&pg, top, 0, SZ_4K, PAGE_FLAG_RW), -ERANGE);
	cr_assert_eq(paging_map(&pg, top - SZ_4K, 0, 2 * SZ_4K,
				PAGE_FLAG_RW), -ERANGE);
	cr_assert_eq(paging_map(&pg, 0, 1ULL << 52, SZ_4K, PAGE_FLAG_RW),
		     -ERANGE);
	cr_assert_eq(paging_map(&pg, 0, ~0xfffULL, SZ_4K, PAGE_FLAG_RW),
		     -ERANGE);
	cr_assert_eq(paging_unmap(&pg, top, SZ_4K), -ERANGE);
	cr_assert_eq(paging_unmap(&pg, SZ_4K, ~0xfffULL), -ERANGE);
	expect_tables(&pg, 1);
	expect_unmapped(&pg, top);

	/* The very last page and the highest phys are fine. */
	cr_assert_eq(paging_map(&pg, top - SZ_1G, (1ULL << 52) - SZ_1G, SZ_1G,
				PAGE_FLAG_RW), 0);
	expect_mapped(&pg, top - 1, (1ULL << 52) - 1, PAGE_FLAG_RW, SZ_1G);
}

Test(paging, vtd_3level_is_39_bits_wide)
{
	struct paging_structs pg;
	u64 top = 1ULL << 39;

	setup(&pg, &vtd_sl3_format, 16);
	cr_assert_eq(paging_map(&pg, top, 0, SZ_4K, PAGE_FLAG_RW), -ERANGE);
	cr_assert_eq(paging_map(&pg, top - SZ_4K, 0, 2 * SZ_4K,
				PAGE_FLAG_RW), -ERANGE);
	cr_assert_eq(paging_map(&pg, top - SZ_1G, SZ_1G, SZ_1G, PAGE_FLAG_RW),
		     0);
	/* A 1G superpage sits in the 3-level root itself. */
	expect_tables(&pg, 1);
	expect_mapped(&pg, top - 1, 2 * SZ_1G - 1, PAGE_FLAG_RW, SZ_1G);
	cr_assert_eq(raw_entry(&pg, top - 1, 0), SZ_1G | 0x3 | 0x80);
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_4K, PAGE_FLAG_RW), 0);
	expect_tables(&pg, 3);
	expect_unmapped(&pg, top);
}

Test(paging, vtd_4level_is_48_bits_wide)
{
	struct paging_structs pg;

	setup(&pg, &vtd_sl_format, 16);
	cr_assert_eq(paging_map(&pg, 1ULL << 39, 0, SZ_1G, PAGE_FLAG_RW), 0);
	expect_tables(&pg, 2);
	cr_assert_eq(paging_map(&pg, 1ULL << 48, 0, SZ_4K, PAGE_FLAG_RW),
		     -ERANGE);
}

Test(paging, ept_entry_bits)
{
	struct paging_structs pg;
	u64 phys = 0x80200000ULL;

	setup(&pg, &ept_format, 16);
	cr_assert_eq(paging_map(&pg, SZ_2M, phys, SZ_2M, PAGE_FLAG_RWX), 0);
	cr_assert_eq(raw_entry(&pg, SZ_2M, 2), phys | 0x7 | 6 << 3 | 1 << 7);
	/* Table entries grant everything; the leaf decides. */
	cr_assert_eq(raw_entry(&pg, SZ_2M, 0),
		     table_phys_below(&pg, SZ_2M, 0) | 0x7);
	cr_assert_eq(raw_entry(&pg, SZ_2M, 1),
		     table_phys_below(&pg, SZ_2M, 1) | 0x7);
	cr_assert(page_pool_contains(&pool, table_phys_below(&pg, SZ_2M, 1)));

	cr_assert_eq(paging_map(&pg, 0x1000, 0xfed00000ULL, SZ_4K,
				PAGE_FLAG_RW | PAGE_FLAG_DEVICE), 0);
	cr_assert_eq(raw_entry(&pg, 0x1000, 3), 0xfed00000ULL | 0x3);
	expect_mapped(&pg, 0x1000, 0xfed00000ULL,
		      PAGE_FLAG_RW | PAGE_FLAG_DEVICE, SZ_4K);

	cr_assert_eq(paging_map(&pg, 0x2000, 0x2000, SZ_4K, PAGE_FLAG_READ |
				PAGE_FLAG_EXEC), 0);
	cr_assert_eq(raw_entry(&pg, 0x2000, 3), 0x2000 | 0x5 | 6 << 3);

	cr_assert_eq(paging_map(&pg, SZ_4G, SZ_4G, SZ_1G, PAGE_FLAG_READ), 0);
	cr_assert_eq(raw_entry(&pg, SZ_4G, 1), SZ_4G | 0x1 | 6 << 3 | 1 << 7);
}

Test(paging, ept_without_1g_uses_2m)
{
	struct paging_structs pg;

	page_formats_configure(false, true, true);
	setup(&pg, &ept_format, 16);
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_1G, PAGE_FLAG_RW), 0);
	expect_tables(&pg, 3);
	cr_assert_eq(raw_entry(&pg, SZ_2M, 2), SZ_2M | 0x3 | 6 << 3 | 1 << 7);
}

Test(paging, ept_no_access_map_is_unmap)
{
	struct paging_structs pg;

	setup(&pg, &ept_format, 16);
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_1G, PAGE_FLAG_RW), 0);
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_1G, 0), 0);
	expect_tables(&pg, 1);
	expect_unmapped(&pg, 0);
}

Test(paging, vtd_entry_bits)
{
	struct paging_structs pg;
	u64 phys = 0x123400000ULL;

	setup(&pg, &vtd_sl_format, 16);
	cr_assert_eq(paging_map(&pg, SZ_2M, phys, SZ_2M, PAGE_FLAG_RWX), 0);
	/* Execute is not representable and ignored. */
	cr_assert_eq(raw_entry(&pg, SZ_2M, 2), phys | 0x3 | 0x80);
	cr_assert_eq(raw_entry(&pg, SZ_2M, 1),
		     table_phys_below(&pg, SZ_2M, 1) | 0x3);
	expect_mapped(&pg, SZ_2M + 1, phys + 1, PAGE_FLAG_RW, SZ_2M);

	cr_assert_eq(paging_map(&pg, 0x7000, 0x9000, SZ_4K, PAGE_FLAG_READ),
		     0);
	cr_assert_eq(raw_entry(&pg, 0x7000, 3), 0x9000 | 0x1);
	cr_assert_eq(paging_map(&pg, SZ_1G, SZ_1G, SZ_1G, PAGE_FLAG_WRITE |
				PAGE_FLAG_READ | PAGE_FLAG_DEVICE), 0);
	cr_assert_eq(raw_entry(&pg, SZ_1G, 1), SZ_1G | 0x3 | 0x80);
}

Test(paging, vtd_without_superpages_uses_4k)
{
	struct paging_structs pg;

	page_formats_configure(true, false, true);
	setup(&pg, &vtd_sl_format, 16);
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_2M, PAGE_FLAG_RW), 0);
	expect_tables(&pg, 4);
	expect_mapped(&pg, SZ_2M - 1, SZ_2M - 1, PAGE_FLAG_RW, SZ_4K);
	cr_assert_eq(raw_entry(&pg, 0x5000, 3), 0x5000 | 0x3);
}

Test(paging, x86_64_entry_bits)
{
	struct paging_structs pg;
	const u64 nx = 1ULL << 63;

	setup(&pg, &x86_64_format, 16);
	cr_assert_eq(paging_map(&pg, 0x1000, 0x7000, SZ_4K, PAGE_FLAG_RW), 0);
	cr_assert_eq(raw_entry(&pg, 0x1000, 3), 0x7000 | 0x3 | nx);
	cr_assert_eq(raw_entry(&pg, 0x1000, 2),
		     table_phys_below(&pg, 0x1000, 2) | 0x3);
	expect_mapped(&pg, 0x1000, 0x7000, PAGE_FLAG_RW, SZ_4K);

	cr_assert_eq(paging_map(&pg, SZ_2M, SZ_2M, SZ_2M, PAGE_FLAG_RWX), 0);
	cr_assert_eq(raw_entry(&pg, SZ_2M, 2), SZ_2M | 0x3 | 0x80);

	cr_assert_eq(paging_map(&pg, 0x2000, 0xfee00000ULL, SZ_4K,
				PAGE_FLAG_RW | PAGE_FLAG_DEVICE), 0);
	cr_assert_eq(raw_entry(&pg, 0x2000, 3),
		     0xfee00000ULL | 0x3 | 0x10 | nx);
	expect_mapped(&pg, 0x2000, 0xfee00000ULL,
		      PAGE_FLAG_RW | PAGE_FLAG_DEVICE, SZ_4K);

	cr_assert_eq(paging_map(&pg, 0x3000, 0x3000, SZ_4K, PAGE_FLAG_READ |
				PAGE_FLAG_EXEC), 0);
	cr_assert_eq(raw_entry(&pg, 0x3000, 3), 0x3000 | 0x1);
	expect_mapped(&pg, 0x3000, 0x3000, PAGE_FLAG_READ | PAGE_FLAG_EXEC,
		      SZ_4K);

	cr_assert_eq(paging_map(&pg, SZ_1G, SZ_1G, SZ_1G, PAGE_FLAG_READ), 0);
	cr_assert_eq(raw_entry(&pg, SZ_1G, 1), SZ_1G | 0x1 | 0x80 | nx);
}

/*
 * Counts the empty slots below table (at level, 0 = top) and fails on a
 * slot that is neither in use nor the format's empty entry.
 */
static unsigned long empty_slots(const struct paging_structs *pg,
				 const u64 *table, unsigned int level)
{
	const struct paging_format *f = pg->fmt;
	unsigned long empty = 0;
	unsigned int i;
	u64 e;

	for (i = 0; i < PAGING_ENTRIES; i++) {
		e = table[i];
		if (!(e & f->present_mask)) {
			cr_assert_eq(e, f->empty_entry,
				     "level %u slot %u: %#llx, not the empty "
				     "entry", level, i, (unsigned long long)e);
			empty++;
		} else if (level + 1 < f->levels && (e & f->table_mask)) {
			empty += empty_slots(pg, page_pool_phys2virt(
				&pool, e & f->addr_mask), level + 1);
		}
	}
	return empty;
}

Test(paging, amdvi_empty_entry_is_not_present_but_names_a_level)
{
	u64 level = (AMDVI_PTE_EMPTY & AMDVI_PTE_NEXT_LEVEL_MASK) >>
		    AMDVI_PTE_NEXT_LEVEL_SHIFT;

	cr_assert_eq(amdvi_format.empty_entry, AMDVI_PTE_EMPTY);
	cr_assert_not(AMDVI_PTE_EMPTY & amdvi_format.present_mask);
	/* What QEMU's walk needs to report the fault rather than stop. */
	cr_assert(level >= 1 && level <= 6, "next level %llu",
		  (unsigned long long)level);
	/* Nothing else: no address, no permission. */
	cr_assert_eq(AMDVI_PTE_EMPTY & ~AMDVI_PTE_NEXT_LEVEL_MASK, 0);
}

Test(paging, amdvi_slots_left_or_made_empty_hold_the_empty_entry)
{
	struct paging_structs pg;

	setup(&pg, &amdvi_format, 16);
	cr_assert_eq(empty_slots(&pg, pg.root, 0), PAGING_ENTRIES);

	/* 1 MiB of 4K leaves: three tables below the root, half full. */
	cr_assert_eq(paging_map(&pg, 0, FAKE_PHYS, 0x100000, PAGE_FLAG_RW), 0);
	expect_tables(&pg, 4);
	cr_assert_eq(empty_slots(&pg, pg.root, 0),
		     3 * (PAGING_ENTRIES - 1) + PAGING_ENTRIES - 256);
	cr_assert_eq(raw_entry(&pg, 0x1000000, 2), AMDVI_PTE_EMPTY);
	expect_unmapped(&pg, 0x1000000);

	/* A leaf that goes leaves the empty entry behind. */
	cr_assert_eq(paging_unmap(&pg, 0x5000, SZ_4K), 0);
	cr_assert_eq(raw_entry(&pg, 0x5000, 3), AMDVI_PTE_EMPTY);
	expect_unmapped(&pg, 0x5000);

	/* A 2M leaf split by an unmap: 511 leaves and one empty slot. */
	cr_assert_eq(paging_map(&pg, SZ_1G, SZ_1G, SZ_2M, PAGE_FLAG_RW), 0);
	cr_assert_eq(paging_unmap(&pg, SZ_1G + SZ_4K, SZ_4K), 0);
	cr_assert_eq(raw_entry(&pg, SZ_1G + SZ_4K, 3), AMDVI_PTE_EMPTY);
	expect_mapped(&pg, SZ_1G, SZ_1G, PAGE_FLAG_RW, SZ_4K);

	/* Tables that empty go, their slots above empty again. */
	cr_assert_eq(paging_unmap(&pg, 0, 2 * SZ_1G), 0);
	expect_tables(&pg, 1);
	cr_assert_eq(empty_slots(&pg, pg.root, 0), PAGING_ENTRIES);
	paging_destroy(&pg);
	cr_assert_eq(page_pool_used(&pool), baseline);
}

Test(paging, walk_accepts_null_outputs_and_reports_offset)
{
	struct paging_structs pg;
	u64 phys;

	setup(&pg, &ept_format, 16);
	cr_assert_eq(paging_map(&pg, 0x10000, 0xabc000, SZ_4K, PAGE_FLAG_RW),
		     0);
	cr_assert(paging_walk(&pg, 0x10abc, NULL, NULL, NULL));
	cr_assert(paging_walk(&pg, 0x10abc, &phys, NULL, NULL));
	cr_assert_eq(phys, 0xabcabc);
	expect_unmapped(&pg, 0x11000);
	expect_unmapped(&pg, 0xf000);
	cr_assert_not(paging_walk(&pg, 1ULL << 48, NULL, NULL, NULL));
}

/* Random map/unmap against a per-page model of a 4 GiB window. */

#define WINDOW_PAGES (SZ_4G / SZ_4K)
#define MODEL_UNMAPPED (~0ULL)

struct model_page {
	u64 phys; /* MODEL_UNMAPPED if not mapped */
	u32 flags;
};

static u64 rng_state;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 rng_below(u64 n)
{
	return rng() % n;
}

/* A granule that large pages can come from, weighted toward small ones. */
static u64 random_granule(void)
{
	u64 r = rng_below(10);

	return r < 5 ? SZ_4K : r < 9 ? SZ_2M : SZ_1G;
}

static u64 random_length(u64 granule, u64 start)
{
	u64 max_count = granule == SZ_4K ? 600 : granule == SZ_2M ? 40 : 3;
	u64 len = (1 + rng_below(max_count)) * granule;

	return MIN(len, SZ_4G - start);
}

static u32 random_flags(void)
{
	static const u32 choice[] = {
		PAGE_FLAG_RW, PAGE_FLAG_READ, PAGE_FLAG_RWX,
		PAGE_FLAG_RW | PAGE_FLAG_DEVICE,
	};

	return choice[rng_below(ARRAY_SIZE(choice))];
}

static void model_set(struct model_page *model, u64 virt, u64 phys, u64 len,
		      u32 flags, bool map)
{
	u64 i, first = virt / SZ_4K;

	for (i = 0; i < len / SZ_4K; i++) {
		model[first + i].phys = map ? phys + i * SZ_4K :
			MODEL_UNMAPPED;
		model[first + i].flags = flags;
	}
}

static void check_page(const struct paging_structs *pg,
		       const struct model_page *model, u64 index,
		       unsigned int op)
{
	u64 virt = index * SZ_4K, phys, size;
	u32 flags;
	bool mapped = paging_walk(pg, virt, &phys, &flags, &size);

	if (model[index].phys == MODEL_UNMAPPED) {
		cr_assert_not(mapped, "op %u: %#llx mapped, model says not",
			      op, (unsigned long long)virt);
		return;
	}
	cr_assert(mapped, "op %u: %#llx unmapped, model says mapped", op,
		  (unsigned long long)virt);
	cr_assert_eq(phys, model[index].phys,
		     "op %u: %#llx phys %#llx != %#llx", op,
		     (unsigned long long)virt, (unsigned long long)phys,
		     (unsigned long long)model[index].phys);
	cr_assert_eq(flags, model[index].flags, "op %u: %#llx flags", op,
		     (unsigned long long)virt);
}

static void check_all(const struct paging_structs *pg,
		      const struct model_page *model, unsigned int op)
{
	u64 i;

	for (i = 0; i < WINDOW_PAGES; i++)
		check_page(pg, model, i, op);
	/* Every page the pool lost is a table of this structure. */
	cr_assert_eq(page_pool_used(&pool),
		     baseline + paging_count_tables(pg), "op %u", op);
}

static void check_around(const struct paging_structs *pg,
			 const struct model_page *model, u64 virt, u64 len,
			 unsigned int op)
{
	u64 first = virt / SZ_4K, last = (virt + len) / SZ_4K - 1;
	unsigned int i;

	if (first > 0)
		check_page(pg, model, first - 1, op);
	check_page(pg, model, first, op);
	check_page(pg, model, last, op);
	if (last + 1 < WINDOW_PAGES)
		check_page(pg, model, last + 1, op);
	for (i = 0; i < 16; i++)
		check_page(pg, model, rng_below(WINDOW_PAGES), op);
}

Test(paging, random_ops_agree_with_model, .timeout = 120)
{
	const unsigned int ops = 4000;
	struct paging_structs pg;
	struct model_page *model;
	u64 virt, phys, len, granule;
	unsigned int op;
	u32 flags;

	rng_state = 0x9e3779b97f4a7c15ULL;
	model = malloc(WINDOW_PAGES * sizeof(*model));
	cr_assert_not_null(model);
	model_set(model, 0, 0, SZ_4G, 0, false);
	setup(&pg, &ept_format, 8192);

	for (op = 0; op < ops; op++) {
		granule = random_granule();
		virt = rng_below(SZ_4G / granule) * granule;
		len = random_length(granule, virt);
		if (rng_below(3) == 0) {
			cr_assert_eq(paging_unmap(&pg, virt, len), 0);
			model_set(model, virt, 0, len, 0, false);
		} else {
			/* Mostly phys that allows the granule, else any. */
			granule = rng_below(4) ? granule : SZ_4K;
			phys = rng_below(1ULL << 40) / granule * granule;
			flags = random_flags();
			cr_assert_eq(paging_map(&pg, virt, phys, len, flags),
				     0, "op %u", op);
			model_set(model, virt, phys, len, flags, true);
		}
		check_around(&pg, model, virt, len, op);
		if (op % 500 == 499)
			check_all(&pg, model, op);
	}
	check_all(&pg, model, ops);

	/* Whatever the history, one uniform mapping folds to the minimum. */
	cr_assert_eq(paging_map(&pg, 0, 0, SZ_4G, PAGE_FLAG_RW), 0);
	expect_tables(&pg, 2);
	cr_assert_eq(paging_unmap(&pg, 0, SZ_4G), 0);
	expect_tables(&pg, 1);
	free(model);
}

Test(paging, random_ops_then_unmap_all_returns_to_baseline, .timeout = 120)
{
	struct paging_structs pg;
	u64 virt, len, granule;
	unsigned int op;

	rng_state = 0x2545f4914f6cdd1dULL;
	setup(&pg, &vtd_sl_format, 8192);
	for (op = 0; op < 2000; op++) {
		granule = random_granule();
		virt = rng_below(SZ_4G / granule) * granule;
		len = random_length(granule, virt);
		if (rng_below(3) == 0)
			cr_assert_eq(paging_unmap(&pg, virt, len), 0);
		else
			cr_assert_eq(paging_map(&pg, virt,
						rng_below(1ULL << 20) * SZ_4K,
						len, random_flags()), 0);
	}
	cr_assert_eq(page_pool_used(&pool),
		     baseline + paging_count_tables(&pg));
	cr_assert_eq(paging_unmap(&pg, 0, SZ_4G), 0);
	expect_tables(&pg, 1);
}
