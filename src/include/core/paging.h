/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic multi-level page-table engine.
 *
 * A page-table format (x86-64 host tables, EPT, VT-d second level, NPT) is a
 * description: how many levels, how many address bits each level translates,
 * where a leaf may sit, and how generic flags turn into entry bits. The
 * engine does the rest: it maps with the largest page the format and the
 * alignment allow, splits a large page when part of it is unmapped or
 * remapped, frees tables that become empty, folds a table back into one large
 * page when its entries form one contiguous uniform run, and walks.
 * Every table has 512 eight-byte entries.
 */
#ifndef _CORE_PAGING_H
#define _CORE_PAGING_H

#include <core/page_pool.h>
#include <core/types.h>

/* Generic access flags of a mapping. */
#define PAGE_FLAG_READ (1U << 0)
#define PAGE_FLAG_WRITE (1U << 1)
#define PAGE_FLAG_EXEC (1U << 2)
#define PAGE_FLAG_DEVICE (1U << 3) /* uncached device memory */
#define PAGE_FLAG_RW (PAGE_FLAG_READ | PAGE_FLAG_WRITE)
#define PAGE_FLAG_RWX (PAGE_FLAG_RW | PAGE_FLAG_EXEC)

#define PAGING_MAX_LEVELS 5
#define PAGING_ENTRIES 512

struct paging_format {
	const char *name;
	unsigned int levels;
	/* Lowest address bit translated by each level, top level first. */
	u8 shift[PAGING_MAX_LEVELS];
	/*
	 * Whether a leaf may sit at each level (the last level always can).
	 * If a level allows leaves, every level below it must too: a split
	 * large page becomes leaves one level down. A leaf above the last
	 * level needs large_bit or table_mask to be told apart from a table
	 * pointer.
	 */
	bool leaf_ok[PAGING_MAX_LEVELS];
	u64 addr_mask; /* physical address bits of an entry */
	u64 present_mask; /* an entry is in use if any of these bits is set */
	/*
	 * What an empty slot holds: 0 for most formats. It must have no bit
	 * of present_mask; tables are filled with it when they are made, and
	 * an entry that goes gets it back.
	 */
	u64 empty_entry;
	u64 table_bits; /* bits of an entry that points to a table */
	/*
	 * Added to table_bits in a table pointer at each level: formats whose
	 * pointers name the level they point to (AMD-Vi's next-level field).
	 */
	u64 table_level_bits[PAGING_MAX_LEVELS];
	/*
	 * Formats that mark pointers rather than large leaves: above the
	 * last level an entry with any of these bits is a table pointer, one
	 * without them a leaf (AMD-Vi: next level 0). 0: large_bit decides.
	 */
	u64 table_mask;
	u64 large_bit; /* set in a leaf above the last level, 0 if none */
	/* Entry bits (other than the address) of a leaf with these flags. */
	u64 (*leaf_bits)(u32 flags, bool large);
	/* Generic flags of a leaf entry. */
	u32 (*leaf_flags)(u64 entry);
};

struct paging_structs {
	const struct paging_format *fmt;
	struct page_pool *pool;
	u64 *root; /* top-level table, hypervisor-virtual */
	bool noncoherent; /* see paging_set_noncoherent() */
};

/* Allocates an empty top-level table. -ENOMEM if the pool is exhausted. */
int paging_create(struct paging_structs *pg, const struct paging_format *fmt,
		  struct page_pool *pool);
/*
 * The tables are walked by a device that does not snoop CPU caches: from
 * now on every table and entry the engine writes is flushed to memory
 * before it is linked or relied upon (arch_flush_for_device).
 */
void paging_set_noncoherent(struct paging_structs *pg);
/* Frees every table, including the top level. */
void paging_destroy(struct paging_structs *pg);

/*
 * Maps [virt, virt+size) to [phys, phys+size), replacing what was there.
 * virt, phys and size must be page aligned (-EINVAL), the range must fit the
 * format's address width and phys its address mask (-ERANGE); size 0 does
 * nothing. Flags the format turns into a non-present entry (no access at all)
 * unmap the range instead.
 * -ENOMEM leaves a partial mapping that the caller must unmap: a prefix of
 * the range is mapped, the rest still holds what was there before or
 * nothing; no empty table is left behind, and paging_unmap() of the whole
 * range brings the pool back to where it was.
 */
int paging_map(struct paging_structs *pg, u64 virt, u64 phys, u64 size,
	       u32 flags);
/*
 * Removes any mapping in [virt, virt+size); -EINVAL and -ERANGE as for
 * paging_map(). Splitting a large page that is only partly covered needs a
 * table: -ENOMEM if the pool is exhausted, with a prefix of the range
 * unmapped and the rest still mapped as before (possibly by smaller pages).
 */
int paging_unmap(struct paging_structs *pg, u64 virt, u64 size);

/* Translates virt; false if unmapped. Any out pointer may be NULL. */
bool paging_walk(const struct paging_structs *pg, u64 virt, u64 *phys,
		 u32 *flags, u64 *page_size);

static inline u64 paging_root_phys(const struct paging_structs *pg)
{
	return page_pool_virt2phys(pg->pool, pg->root);
}

/* Tables of this structure (for accounting and benchmarks). */
unsigned long paging_count_tables(const struct paging_structs *pg);

#endif
