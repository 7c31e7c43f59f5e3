// SPDX-License-Identifier: GPL-2.0
/*
 * Guest linear-to-physical translation for fetching instruction bytes.
 *
 * Only presence is checked, not permissions or reserved address bits: the
 * CPU has just fetched and executed these bytes through the same tables, so
 * a walk that disagrees means the guest changed them meanwhile, and then it
 * only gets to choose which of its own bytes are decoded.
 */
#include <core/errno.h>
#include <asm/guest_paging.h>
#include <asm/page_formats.h>
#include <asm/processor-flags.h>

#define PG_ADDR_MASK_32 0xfffff000ULL
#define PSE_4M_MASK 0xffc00000ULL

struct walk {
	const struct guest_paging *pg;
	guest_phys_reader read_phys;
	void *arg;
	struct guest_walk_fault *fault;
	u64 linear;
	unsigned int entry_size; /* 4 in 32-bit paging, else 8 */
	unsigned int index_bits; /* 10 in 32-bit paging, else 9 */
};

static int fail(struct walk *w, int err, int level, u64 gpa, u64 entry,
		const char *why)
{
	if (w->fault)
		*w->fault = (struct guest_walk_fault){
			.linear = w->linear,
			.gpa = gpa,
			.entry = entry,
			.level = level,
			.why = why,
		};
	return err;
}

static int check_present(struct walk *w, int level, u64 gpa, u64 entry)
{
	if (!(entry & X86_PTE_PRESENT))
		return fail(w, -EFAULT, level, gpa, entry, "entry not present");
	return 0;
}

static int read_entry(struct walk *w, int level, u64 gpa, u64 *entry)
{
	int err;

	/* x86 is little-endian: a 4-byte entry lands in the low half. */
	*entry = 0;
	err = w->read_phys(w->arg, gpa, entry, w->entry_size);
	if (err)
		return fail(w, err, level, gpa, 0, "table not readable");
	return check_present(w, level, gpa, *entry);
}

/* Where PS maps a page, and where it is reserved or ignored instead. */
static int large_page(struct walk *w, int level, u64 gpa, u64 entry,
		      bool *is_leaf)
{
	*is_leaf = false;
	if (!(entry & X86_PTE_PS) || level == 1)
		return 0;
	if (w->entry_size == 4) {
		/* 32-bit paging ignores PS unless CR4.PSE is set. */
		*is_leaf = w->pg->cr4 & CR4_PSE;
		return 0;
	}
	if (level > 3)
		return fail(w, -EINVAL, level, gpa, entry,
			    "PS set in a PML4E/PML5E (reserved)");
	*is_leaf = true;
	return 0;
}

/* Frame address of a large page; 4 MiB pages keep PA 39:32 in bits 20:13. */
static u64 large_page_base(const struct walk *w, u64 entry)
{
	if (w->entry_size == 4)
		return (entry & PSE_4M_MASK) | ((entry >> 13) & 0xff) << 32;
	return entry & X86_PAGE_ADDR_MASK;
}

/* Walks from the table at level down to the page. */
static int walk_tables(struct walk *w, u64 table, int level, u64 *gpa)
{
	u64 addr_mask =
		w->entry_size == 4 ? PG_ADDR_MASK_32 : X86_PAGE_ADDR_MASK;
	u64 index_mask = (1ULL << w->index_bits) - 1;
	unsigned int shift;
	bool is_leaf;
	u64 entry, at, offset_mask;
	int err;

	for (; level >= 1; level--) {
		shift = 12 + w->index_bits * (level - 1);
		at = table +
		     ((w->linear >> shift) & index_mask) * w->entry_size;
		err = read_entry(w, level, at, &entry);
		if (!err)
			err = large_page(w, level, at, entry, &is_leaf);
		if (err)
			return err;
		if (is_leaf) {
			offset_mask = (1ULL << shift) - 1;
			*gpa = (large_page_base(w, entry) & ~offset_mask) |
			       (w->linear & offset_mask);
			return 0;
		}
		table = entry & addr_mask;
	}
	*gpa = table | (w->linear & (PAGE_SIZE - 1));
	return 0;
}

static int walk_long_mode(struct walk *w, u64 *gpa)
{
	int levels = (w->pg->cr4 & CR4_LA57) ? 5 : 4;
	unsigned int unused = 64 - (12 + 9 * levels);

	if ((u64)((s64)(w->linear << unused) >> unused) != w->linear)
		return fail(w, -EFAULT, levels, 0, 0, "non-canonical address");
	return walk_tables(w, w->pg->cr3 & X86_PAGE_ADDR_MASK, levels, gpa);
}

/* PAE: four PDPTEs, loaded by the CPU at CR3 time, then 2 levels. */
static int walk_pae(struct walk *w, u64 *gpa)
{
	unsigned int index = (w->linear >> 30) & 3;
	u64 at = (w->pg->cr3 & 0xffffffe0ULL) + index * 8;
	u64 entry;
	int err;

	if (w->pg->pdptes) {
		entry = w->pg->pdptes[index];
		err = check_present(w, 3, at, entry);
	} else {
		err = read_entry(w, 3, at, &entry);
	}
	if (err)
		return err;
	return walk_tables(w, entry & X86_PAGE_ADDR_MASK, 2, gpa);
}

int x86_guest_translate(const struct guest_paging *pg, u64 linear, u64 *gpa,
			guest_phys_reader read_phys, void *arg,
			struct guest_walk_fault *fault)
{
	struct walk w = {
		.pg = pg,
		.read_phys = read_phys,
		.arg = arg,
		.fault = fault,
		.linear = linear,
		.entry_size = 8,
		.index_bits = 9,
	};

	if (pg->efer & EFER_LMA)
		return walk_long_mode(&w, gpa);
	/* Outside long mode linear addresses are 32 bits wide. */
	w.linear = (u32)linear;
	if (!(pg->cr0 & CR0_PG)) {
		*gpa = w.linear;
		return 0;
	}
	if (pg->cr4 & CR4_PAE)
		return walk_pae(&w, gpa);
	w.entry_size = 4;
	w.index_bits = 10;
	return walk_tables(&w, pg->cr3 & PG_ADDR_MASK_32, 2, gpa);
}

/* Reads what is left of one page; pages may map anywhere, so one at a time. */
static int read_in_page(const struct guest_paging *pg, u64 linear, u8 *buf,
			unsigned int len, guest_phys_reader read_phys,
			void *arg, struct guest_walk_fault *fault)
{
	u64 gpa;
	int err;

	err = x86_guest_translate(pg, linear, &gpa, read_phys, arg, fault);
	if (err)
		return err;
	err = read_phys(arg, gpa, buf, len);
	if (err && fault)
		*fault = (struct guest_walk_fault){
			.linear = linear,
			.gpa = gpa,
			.level = 0,
			.why = "page not readable",
		};
	return err;
}

static unsigned int chunk_len(u64 linear, unsigned int len)
{
	unsigned int left_in_page = PAGE_SIZE - (linear & (PAGE_SIZE - 1));

	return MIN(len, left_in_page);
}

int x86_guest_read(const struct guest_paging *pg, u64 linear, void *buf,
		   unsigned int len, guest_phys_reader read_phys, void *arg,
		   struct guest_walk_fault *fault)
{
	unsigned int chunk;
	u8 *p = buf;
	int err;

	while (len > 0) {
		chunk = chunk_len(linear, len);
		err = read_in_page(pg, linear, p, chunk, read_phys, arg,
				   fault);
		if (err)
			return err;
		linear += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int x86_guest_fetch_insn(const struct guest_paging *pg, u64 linear,
			 u8 buf[X86_MAX_INSN_LEN], guest_phys_reader read_phys,
			 void *arg, struct guest_walk_fault *fault)
{
	unsigned int first = chunk_len(linear, X86_MAX_INSN_LEN);
	int err;

	err = read_in_page(pg, linear, buf, first, read_phys, arg, fault);
	if (err)
		return err;
	if (first == X86_MAX_INSN_LEN)
		return first;
	/*
	 * The instruction may well end in the first page: an unreadable
	 * second one is the decoder's business (a truncation refusal),
	 * with the fault still describing the page.
	 */
	err = read_in_page(pg, linear + first, buf + first,
			   X86_MAX_INSN_LEN - first, read_phys, arg, fault);
	return err ? (int)first : X86_MAX_INSN_LEN;
}
