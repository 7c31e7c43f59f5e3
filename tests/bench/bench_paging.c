// SPDX-License-Identifier: GPL-2.0
/*
 * Paging engine benchmark: speed of typical cell mappings and how close the
 * table count gets to the minimum. Fails (exit 1) when a mapping of aligned
 * regions uses more tables than necessary or churn leaks pool pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <asm/page_formats.h>
#include <core/paging.h>

#define FAKE_PHYS 0x3be00000ULL
#define POOL_PAGES 16384UL
#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
#define SZ_4G (4 * SZ_1G)

#define SCATTERED_REGIONS 1000
#define SCATTER_WINDOW (64 * SZ_1G)

static struct page_pool pool;
static int failures;
static u64 rng_state = 0x853c49e6748fea9bULL;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void expect(int cond, const char *what)
{
	if (!cond) {
		printf("paging: FAIL: %s\n", what);
		failures++;
	}
}

static void create(struct paging_structs *pg)
{
	if (paging_create(pg, &ept_format, &pool)) {
		printf("paging: FAIL: pool exhausted\n");
		exit(1);
	}
}

static void map_or_die(struct paging_structs *pg, u64 virt, u64 phys,
		       u64 size)
{
	if (paging_map(pg, virt, phys, size, PAGE_FLAG_RWX)) {
		printf("paging: FAIL: map %#llx+%#llx\n",
		       (unsigned long long)virt, (unsigned long long)size);
		exit(1);
	}
}

static void bench_identity_4g(const char *pages, unsigned long minimum,
			      unsigned int rounds)
{
	struct paging_structs pg;
	unsigned long tables = 0;
	unsigned int i;
	double start, secs;

	start = now();
	for (i = 0; i < rounds; i++) {
		create(&pg);
		map_or_die(&pg, 0, 0, SZ_4G);
		if (i == 0)
			tables = paging_count_tables(&pg);
		paging_destroy(&pg);
	}
	secs = now() - start;
	printf("paging: 4GiB identity (%s pages): %.0f maps/s, tables %lu "
	       "(minimum %lu)\n", pages, rounds / secs, tables, minimum);
	expect(tables <= minimum, "4GiB identity uses too many tables");
	expect(page_pool_used(&pool) == pool.bitmap_pages,
	       "4GiB identity leaks pool pages");
}

static int compare_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Distinct values of addr >> shift over a sorted list of addresses. */
static unsigned long distinct_above(const u64 *addr, unsigned int n,
				    unsigned int shift)
{
	unsigned long count = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (i == 0 || addr[i] >> shift != addr[i - 1] >> shift)
			count++;
	return count;
}

/*
 * Isolated 4K pages at random places: one table per distinct 2M, 1G and
 * 512G block they touch, plus the root, is the least any layout needs.
 */
static void bench_scattered(unsigned int rounds)
{
	static u64 virt[SCATTERED_REGIONS];
	struct paging_structs pg;
	unsigned long tables = 0, minimum;
	unsigned int i, r;
	double start, secs;

	for (i = 0; i < SCATTERED_REGIONS; i++)
		virt[i] = rng() % (SCATTER_WINDOW / SZ_4K) * SZ_4K;
	qsort(virt, SCATTERED_REGIONS, sizeof(virt[0]), compare_u64);
	minimum = 1 + distinct_above(virt, SCATTERED_REGIONS, 39) +
		  distinct_above(virt, SCATTERED_REGIONS, 30) +
		  distinct_above(virt, SCATTERED_REGIONS, 21);

	start = now();
	for (r = 0; r < rounds; r++) {
		create(&pg);
		/* Phys one page off, so no two neighbours ever merge. */
		for (i = 0; i < SCATTERED_REGIONS; i++)
			map_or_die(&pg, virt[i], virt[i] + SZ_4K * (i + 1),
				   SZ_4K);
		if (r == 0)
			tables = paging_count_tables(&pg);
		paging_destroy(&pg);
	}
	secs = now() - start;
	printf("paging: %d scattered 4K regions: %.0f maps/s, tables %lu "
	       "(minimum %lu)\n", SCATTERED_REGIONS,
	       (double)rounds * SCATTERED_REGIONS / secs, tables, minimum);
	expect(tables <= minimum, "scattered regions use too many tables");
}

/* A hole of 4K or 2M somewhere in the 16 GiB identity mapping. */
static void random_hole(u64 *virt, u64 *size)
{
	*size = rng() & 1 ? SZ_2M : SZ_4K;
	*virt = rng() % (4 * SZ_4G / *size) * *size;
}

static void bench_churn(unsigned int ops)
{
	struct paging_structs pg;
	unsigned long baseline, tables;
	u64 virt, size;
	unsigned int i;
	double start, secs;

	create(&pg);
	map_or_die(&pg, 0, 0, 4 * SZ_4G);
	baseline = page_pool_used(&pool);

	start = now();
	for (i = 0; i < ops; i++) {
		random_hole(&virt, &size);
		if (paging_unmap(&pg, virt, size)) {
			printf("paging: FAIL: unmap %#llx\n",
			       (unsigned long long)virt);
			exit(1);
		}
		map_or_die(&pg, virt, virt, size);
	}
	secs = now() - start;
	tables = paging_count_tables(&pg);
	printf("paging: churn (punch+refill 4K/2M holes in 16GiB of 1G "
	       "pages): %.0f ops/s, pool %lu pages after (baseline %lu), "
	       "tables %lu (minimum 2)\n", 2.0 * ops / secs,
	       page_pool_used(&pool), baseline, tables);
	expect(page_pool_used(&pool) == baseline,
	       "churn leaves pool above baseline");
	expect(tables == 2, "churn leaves split tables behind");
	paging_destroy(&pg);
}

int main(void)
{
	void *mem = aligned_alloc(PAGE_SIZE, POOL_PAGES * PAGE_SIZE);

	if (!mem || page_pool_init(&pool, mem, FAKE_PHYS, POOL_PAGES)) {
		printf("paging: FAIL: no pool\n");
		return 1;
	}

	page_formats_configure(true, true, true);
	bench_identity_4g("1G", 2, 200000);
	page_formats_configure(false, true, true);
	/* root, PDPT, one PD per GiB */
	bench_identity_4g("2M", 6, 2000);
	page_formats_configure(true, true, true);

	bench_scattered(50);
	bench_churn(100000);

	free(mem);
	if (failures)
		printf("paging: %d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
