// SPDX-License-Identifier: GPL-2.0
/*
 * Generic multi-level page-table engine (see core/paging.h).
 *
 * Invariants kept between calls, which the accounting relies on:
 * - no table but the root is empty: a table that loses its last entry is
 *   freed at once;
 * - a table whose entries are one contiguous, uniform, suitably aligned run
 *   of leaves is replaced by one large leaf where the format allows, so a
 *   region mapped piecewise costs no more tables than one mapped at once.
 *
 * Everything recurses per table, never per page: covering a whole entry is
 * handled at that entry's level, whatever lies below it.
 */
#include <core/arch.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/paging.h>

static u64 level_size(const struct paging_format *f, unsigned int level)
{
	return 1ULL << f->shift[level];
}

static bool is_last_level(const struct paging_format *f, unsigned int level)
{
	return level == f->levels - 1;
}

static unsigned int index_at(const struct paging_format *f,
			     unsigned int level, u64 virt)
{
	return (virt >> f->shift[level]) & (PAGING_ENTRIES - 1);
}

static bool is_present(const struct paging_format *f, u64 entry)
{
	return entry & f->present_mask;
}

static bool is_leaf(const struct paging_format *f, unsigned int level,
		    u64 entry)
{
	if (!is_present(f, entry))
		return false;
	if (is_last_level(f, level))
		return true;
	if (f->table_mask)
		return !(entry & f->table_mask);
	return entry & f->large_bit;
}

static bool is_table(const struct paging_format *f, unsigned int level,
		     u64 entry)
{
	return is_present(f, entry) && !is_leaf(f, level, entry);
}

static u64 entry_addr(const struct paging_format *f, u64 entry)
{
	return entry & f->addr_mask;
}

/* A leaf above the last level needs a bit that tells it from a table. */
static bool leaf_allowed(const struct paging_format *f, unsigned int level)
{
	return is_last_level(f, level) ||
	       (f->leaf_ok[level] && (f->large_bit || f->table_mask));
}

static u64 make_leaf(const struct paging_format *f, unsigned int level,
		     u64 phys, u32 flags)
{
	return phys | f->leaf_bits(flags, !is_last_level(f, level));
}

static u64 *table_at(const struct paging_structs *pg, u64 entry)
{
	return page_pool_phys2virt(pg->pool, entry_addr(pg->fmt, entry));
}

/* The entry at level that points to table. */
static u64 table_entry(const struct paging_structs *pg, u64 *table,
		       unsigned int level)
{
	return page_pool_virt2phys(pg->pool, table) | pg->fmt->table_bits |
	       pg->fmt->table_level_bits[level];
}

static bool table_is_empty(const struct paging_format *f, const u64 *table)
{
	unsigned int i;

	for (i = 0; i < PAGING_ENTRIES; i++)
		if (is_present(f, table[i]))
			return false;
	return true;
}

/* A new (zeroed) table, empty in the format's terms. */
static void init_table(const struct paging_format *f, u64 *table)
{
	unsigned int i;

	if (f->empty_entry)
		for (i = 0; i < PAGING_ENTRIES; i++)
			table[i] = f->empty_entry;
}

/* A write the structure's walker must see (see paging_set_noncoherent). */
static void publish(const struct paging_structs *pg, const void *p,
		    unsigned long size)
{
	if (pg->noncoherent)
		arch_flush_for_device(p, size);
}

static void write_entry(const struct paging_structs *pg, u64 *entry,
			u64 value)
{
	*entry = value;
	publish(pg, entry, sizeof(*entry));
}

static void free_table(struct paging_structs *pg, u64 *table,
		       unsigned int level)
{
	unsigned int i;

	/* Tables of the last level hold only leaves: nothing to descend. */
	if (!is_last_level(pg->fmt, level))
		for (i = 0; i < PAGING_ENTRIES; i++)
			if (is_table(pg->fmt, level, table[i]))
				free_table(pg, table_at(pg, table[i]),
					   level + 1);
	page_free(pg->pool, table, 1);
}

/* Clears an entry; the hardware stops using it before its table goes. */
static void clear_entry(struct paging_structs *pg, u64 *entry,
			unsigned int level)
{
	u64 old = *entry;

	write_entry(pg, entry, pg->fmt->empty_entry);
	if (is_table(pg->fmt, level, old))
		free_table(pg, table_at(pg, old), level + 1);
}

static void set_leaf(struct paging_structs *pg, u64 *entry,
		     unsigned int level, u64 phys, u32 flags)
{
	u64 old = *entry;

	write_entry(pg, entry, make_leaf(pg->fmt, level, phys, flags));
	if (is_table(pg->fmt, level, old))
		free_table(pg, table_at(pg, old), level + 1);
}

/* Fills a new table with the pieces of the large leaf it replaces. */
static void fill_split(const struct paging_format *f, u64 *table,
		       unsigned int level, u64 large)
{
	u64 bits = f->leaf_bits(f->leaf_flags(large), !is_last_level(f, level));
	u64 step = level_size(f, level);
	u64 phys = entry_addr(f, large);
	unsigned int i;

	for (i = 0; i < PAGING_ENTRIES; i++, phys += step)
		table[i] = phys | bits;
}

/*
 * The table below an entry at level, created (empty or split from a large
 * leaf) if there is none. A leaf about to be overwritten entirely is not
 * split: its pieces would all be replaced anyway. NULL if out of pages.
 */
static u64 *get_subtable(struct paging_structs *pg, u64 *entry,
			 unsigned int level, bool overwrite_all)
{
	u64 old = *entry;
	u64 *table;

	if (is_table(pg->fmt, level, old))
		return table_at(pg, old);

	table = page_alloc(pg->pool, 1);
	if (!table)
		return NULL;
	if (is_leaf(pg->fmt, level, old) && !overwrite_all)
		fill_split(pg->fmt, table, level + 1, old);
	else
		init_table(pg->fmt, table);
	publish(pg, table, PAGE_SIZE);
	/* Installed complete, so the untouched parts stay mapped throughout. */
	write_entry(pg, entry, table_entry(pg, table, level));
	return table;
}

/* entry points to a table (see get_subtable()). */
static void free_subtable_if_empty(struct paging_structs *pg, u64 *entry)
{
	u64 *table = table_at(pg, *entry);

	if (table_is_empty(pg->fmt, table)) {
		write_entry(pg, entry, pg->fmt->empty_entry);
		page_free(pg->pool, table, 1);
	}
}

static bool same_leaf_flags(const struct paging_format *f, u64 a, u64 b)
{
	/* Raw compare first; flags decide when, e.g., accessed bits differ. */
	return (a & ~f->addr_mask) == (b & ~f->addr_mask) ||
	       f->leaf_flags(a) == f->leaf_flags(b);
}

/*
 * Whether the table's entries are leaves mapping one contiguous run that
 * starts on a boundary of the parent level, all with the same flags.
 */
static bool is_foldable(const struct paging_format *f, const u64 *table,
			unsigned int level)
{
	u64 first = table[0];
	u64 step = level_size(f, level);
	u64 base = entry_addr(f, first);
	unsigned int i;

	if (!is_leaf(f, level, first) ||
	    base & (level_size(f, level - 1) - 1))
		return false;

	/* The last entry fails first while a table is being filled up. */
	for (i = PAGING_ENTRIES - 1; i > 0; i--)
		if (!is_leaf(f, level, table[i]) ||
		    entry_addr(f, table[i]) != base + i * step ||
		    !same_leaf_flags(f, first, table[i]))
			return false;
	return true;
}

static void fold_subtable(struct paging_structs *pg, u64 *entry,
			  unsigned int level)
{
	const struct paging_format *f = pg->fmt;
	u64 *table;

	if (!leaf_allowed(f, level) || !is_table(f, level, *entry))
		return;
	table = table_at(pg, *entry);
	if (!is_foldable(f, table, level + 1))
		return;
	write_entry(pg, entry,
		    make_leaf(f, level, entry_addr(f, table[0]),
			      f->leaf_flags(table[0])));
	page_free(pg->pool, table, 1);
}

/* Whether a leaf already maps [virt, ...) to phys with these flags. */
static bool leaf_maps_already(const struct paging_format *f,
			      unsigned int level, u64 entry, u64 virt,
			      u64 phys, u32 flags)
{
	u64 offset = virt & (level_size(f, level) - 1);

	return is_leaf(f, level, entry) &&
	       entry_addr(f, entry) + offset == phys &&
	       f->leaf_flags(entry) ==
	       f->leaf_flags(make_leaf(f, level, 0, flags));
}

static bool fits_leaf(const struct paging_format *f, unsigned int level,
		      u64 virt, u64 end, u64 phys)
{
	u64 size = level_size(f, level);

	return leaf_allowed(f, level) && !(virt & (size - 1)) &&
	       !(phys & (size - 1)) && end - virt >= size;
}

static int map_range(struct paging_structs *pg, u64 *table,
		     unsigned int level, u64 virt, u64 end, u64 phys,
		     u32 flags);

/* Maps [virt, end), which lies within one entry, below that entry. */
static int map_below(struct paging_structs *pg, u64 *entry,
		     unsigned int level, u64 virt, u64 end, u64 phys,
		     u32 flags)
{
	bool overwrite_all = end - virt == level_size(pg->fmt, level);
	u64 *table;
	int err;

	if (leaf_maps_already(pg->fmt, level, *entry, virt, phys, flags))
		return 0;

	table = get_subtable(pg, entry, level, overwrite_all);
	if (!table)
		return -ENOMEM;
	err = map_range(pg, table, level + 1, virt, end, phys, flags);
	if (err) {
		free_subtable_if_empty(pg, entry);
		return err;
	}
	fold_subtable(pg, entry, level);
	return 0;
}

static int map_range(struct paging_structs *pg, u64 *table,
		     unsigned int level, u64 virt, u64 end, u64 phys,
		     u32 flags)
{
	u64 size = level_size(pg->fmt, level);
	u64 *entry;
	u64 chunk_end;
	int err;

	while (virt < end) {
		entry = &table[index_at(pg->fmt, level, virt)];
		chunk_end = MIN(end, (virt & ~(size - 1)) + size);
		if (fits_leaf(pg->fmt, level, virt, chunk_end, phys)) {
			set_leaf(pg, entry, level, phys, flags);
		} else {
			err = map_below(pg, entry, level, virt, chunk_end,
					phys, flags);
			if (err)
				return err;
		}
		phys += chunk_end - virt;
		virt = chunk_end;
	}
	return 0;
}

static int unmap_range(struct paging_structs *pg, u64 *table,
		       unsigned int level, u64 virt, u64 end)
{
	u64 size = level_size(pg->fmt, level);
	u64 *entry, *subtable;
	u64 chunk_end;
	int err;

	while (virt < end) {
		entry = &table[index_at(pg->fmt, level, virt)];
		chunk_end = MIN(end, (virt & ~(size - 1)) + size);
		if (!is_present(pg->fmt, *entry)) {
			/* nothing mapped here */
		} else if (chunk_end - virt == size) {
			clear_entry(pg, entry, level);
		} else {
			subtable = get_subtable(pg, entry, level, false);
			if (!subtable)
				return -ENOMEM;
			err = unmap_range(pg, subtable, level + 1, virt,
					  chunk_end);
			free_subtable_if_empty(pg, entry);
			if (err)
				return err;
		}
		virt = chunk_end;
	}
	return 0;
}

static u64 virt_limit(const struct paging_format *f)
{
	return level_size(f, 0) * PAGING_ENTRIES;
}

static u64 phys_limit(const struct paging_format *f)
{
	return (f->addr_mask | (PAGE_SIZE - 1)) + 1;
}

static int check_range(u64 start, u64 size, u64 limit)
{
	if (!PAGE_ALIGNED(start) || !PAGE_ALIGNED(size))
		return -EINVAL;
	if (start >= limit || size > limit - start)
		return -ERANGE;
	return 0;
}

int paging_create(struct paging_structs *pg, const struct paging_format *fmt,
		  struct page_pool *pool)
{
	pg->fmt = fmt;
	pg->pool = pool;
	pg->noncoherent = false;
	pg->root = page_alloc(pool, 1);
	if (!pg->root)
		return -ENOMEM;
	init_table(fmt, pg->root);
	return 0;
}

void paging_set_noncoherent(struct paging_structs *pg)
{
	pg->noncoherent = true;
	publish(pg, pg->root, PAGE_SIZE);
}

void paging_destroy(struct paging_structs *pg)
{
	if (!pg->root)
		return;
	free_table(pg, pg->root, 0);
	pg->root = NULL;
}

int paging_map(struct paging_structs *pg, u64 virt, u64 phys, u64 size,
	       u32 flags)
{
	const struct paging_format *f = pg->fmt;
	int err;

	if (!PAGE_ALIGNED(virt | phys | size))
		return -EINVAL;
	if (size == 0)
		return 0;
	err = check_range(virt, size, virt_limit(f));
	if (!err)
		err = check_range(phys, size, phys_limit(f));
	if (err)
		return err;

	/* An entry granting no access is no entry at all. */
	if (!is_present(f, f->leaf_bits(flags, false)))
		return paging_unmap(pg, virt, size);

	return map_range(pg, pg->root, 0, virt, virt + size, phys, flags);
}

int paging_unmap(struct paging_structs *pg, u64 virt, u64 size)
{
	int err;

	if (size == 0)
		return PAGE_ALIGNED(virt) ? 0 : -EINVAL;
	err = check_range(virt, size, virt_limit(pg->fmt));
	if (err)
		return err;
	return unmap_range(pg, pg->root, 0, virt, virt + size);
}

bool paging_walk(const struct paging_structs *pg, u64 virt, u64 *phys,
		 u32 *flags, u64 *page_size)
{
	const struct paging_format *f = pg->fmt;
	const u64 *table = pg->root;
	unsigned int level;
	u64 entry, size;

	if (virt >= virt_limit(f))
		return false;

	/* The last level holds only leaves, so the loop ends there. */
	for (level = 0;; level++) {
		entry = table[index_at(f, level, virt)];
		if (!is_present(f, entry))
			return false;
		if (is_leaf(f, level, entry)) {
			size = level_size(f, level);
			if (phys)
				*phys = entry_addr(f, entry) +
					(virt & (size - 1));
			if (flags)
				*flags = f->leaf_flags(entry);
			if (page_size)
				*page_size = size;
			return true;
		}
		table = table_at(pg, entry);
	}
}

static unsigned long count_below(const struct paging_structs *pg,
				 const u64 *table, unsigned int level)
{
	unsigned long count = 1;
	unsigned int i;

	if (is_last_level(pg->fmt, level))
		return count;
	for (i = 0; i < PAGING_ENTRIES; i++)
		if (is_table(pg->fmt, level, table[i]))
			count += count_below(pg, table_at(pg, table[i]),
					     level + 1);
	return count;
}

unsigned long paging_count_tables(const struct paging_structs *pg)
{
	return pg->root ? count_below(pg, pg->root, 0) : 0;
}
