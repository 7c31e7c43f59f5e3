// SPDX-License-Identifier: GPL-2.0
/*
 * x86 page-table formats: entry bits of EPT, VT-d second level, x86-64,
 * NPT and AMD-Vi I/O page tables.
 */
#include <asm/page_formats.h>

/* Top level first: PML4, PDPT, PD, PT; the 3-level VT-d starts at PDPT. */
#define LEVEL_SHIFTS_4 { 39, 30, 21, 12 }
#define LEVEL_SHIFTS_3 { 30, 21, 12 }

static u64 ept_leaf_bits(u32 flags, bool large)
{
	u64 type = flags & PAGE_FLAG_DEVICE ? EPT_MEMTYPE_UC : EPT_MEMTYPE_WB;
	u64 bits = type << EPT_MEMTYPE_SHIFT;

	if (flags & PAGE_FLAG_READ)
		bits |= EPT_READ;
	if (flags & PAGE_FLAG_WRITE)
		bits |= EPT_WRITE;
	if (flags & PAGE_FLAG_EXEC)
		bits |= EPT_EXEC;
	if (large)
		bits |= EPT_LARGE;
	return bits;
}

static u32 ept_leaf_flags(u64 entry)
{
	u32 flags = 0;

	if (entry & EPT_READ)
		flags |= PAGE_FLAG_READ;
	if (entry & EPT_WRITE)
		flags |= PAGE_FLAG_WRITE;
	if (entry & EPT_EXEC)
		flags |= PAGE_FLAG_EXEC;
	/* Any type but write-back is treated as device memory. */
	if ((entry & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT != EPT_MEMTYPE_WB)
		flags |= PAGE_FLAG_DEVICE;
	return flags;
}

/* Second-level tables cannot express execute or cacheability: ignored. */
static u64 vtd_leaf_bits(u32 flags, bool large)
{
	u64 bits = 0;

	if (flags & PAGE_FLAG_READ)
		bits |= VTD_SL_READ;
	if (flags & PAGE_FLAG_WRITE)
		bits |= VTD_SL_WRITE;
	if (large)
		bits |= VTD_SL_SUPERPAGE;
	return bits;
}

static u32 vtd_leaf_flags(u64 entry)
{
	u32 flags = 0;

	if (entry & VTD_SL_READ)
		flags |= PAGE_FLAG_READ;
	if (entry & VTD_SL_WRITE)
		flags |= PAGE_FLAG_WRITE;
	return flags;
}

/* A present x86-64 page is always readable. */
static u64 x86_64_leaf_bits(u32 flags, bool large)
{
	u64 bits = X86_PTE_PRESENT;

	if (flags & PAGE_FLAG_WRITE)
		bits |= X86_PTE_RW;
	if (flags & PAGE_FLAG_DEVICE)
		bits |= X86_PTE_PCD;
	if (!(flags & PAGE_FLAG_EXEC))
		bits |= X86_PTE_NX;
	if (large)
		bits |= X86_PTE_PS;
	return bits;
}

static u32 x86_64_leaf_flags(u64 entry)
{
	u32 flags = PAGE_FLAG_READ;

	if (entry & X86_PTE_RW)
		flags |= PAGE_FLAG_WRITE;
	if (entry & X86_PTE_PCD)
		flags |= PAGE_FLAG_DEVICE;
	if (!(entry & X86_PTE_NX))
		flags |= PAGE_FLAG_EXEC;
	return flags;
}

/*
 * Nested page tables: the guest's accesses are checked as user accesses,
 * so every level carries U/S. Device memory is uncacheable (PCD and PWT
 * select PAT entry 3, UC, under the reset PAT).
 */
static u64 npt_leaf_bits(u32 flags, bool large)
{
	u64 bits = x86_64_leaf_bits(flags, large) | X86_PTE_US;

	if (flags & PAGE_FLAG_DEVICE)
		bits |= X86_PTE_PWT;
	return bits;
}

/*
 * AMD-Vi leaves have next level 0 at any level; large is implied by the
 * level. Execute and cacheability are not the I/O tables' business.
 */
static u64 amdvi_leaf_bits(u32 flags, bool large)
{
	u64 bits = 0;

	(void)large;
	if (flags & PAGE_FLAG_READ)
		bits |= AMDVI_PTE_IR;
	if (flags & PAGE_FLAG_WRITE)
		bits |= AMDVI_PTE_IW;
	return bits ? bits | AMDVI_PTE_PR : 0;
}

static u32 amdvi_leaf_flags(u64 entry)
{
	u32 flags = 0;

	if (entry & AMDVI_PTE_IR)
		flags |= PAGE_FLAG_READ;
	if (entry & AMDVI_PTE_IW)
		flags |= PAGE_FLAG_WRITE;
	return flags;
}

#define AMDVI_NEXT_LEVEL(n) ((u64)(n) << AMDVI_PTE_NEXT_LEVEL_SHIFT)

struct paging_format ept_format = {
	.name = "ept",
	.levels = 4,
	.shift = LEVEL_SHIFTS_4,
	.leaf_ok = { false, false, true, true },
	.addr_mask = X86_PAGE_ADDR_MASK,
	.present_mask = EPT_READ | EPT_WRITE | EPT_EXEC,
	.table_bits = EPT_READ | EPT_WRITE | EPT_EXEC,
	.large_bit = EPT_LARGE,
	.leaf_bits = ept_leaf_bits,
	.leaf_flags = ept_leaf_flags,
};

struct paging_format vtd_sl_format = {
	.name = "vtd-sl-4level",
	.levels = 4,
	.shift = LEVEL_SHIFTS_4,
	.leaf_ok = { false, false, false, true },
	.addr_mask = X86_PAGE_ADDR_MASK,
	.present_mask = VTD_SL_READ | VTD_SL_WRITE,
	.table_bits = VTD_SL_READ | VTD_SL_WRITE,
	.large_bit = VTD_SL_SUPERPAGE,
	.leaf_bits = vtd_leaf_bits,
	.leaf_flags = vtd_leaf_flags,
};

struct paging_format vtd_sl3_format = {
	.name = "vtd-sl-3level",
	.levels = 3,
	.shift = LEVEL_SHIFTS_3,
	.leaf_ok = { false, false, true },
	.addr_mask = X86_PAGE_ADDR_MASK,
	.present_mask = VTD_SL_READ | VTD_SL_WRITE,
	.table_bits = VTD_SL_READ | VTD_SL_WRITE,
	.large_bit = VTD_SL_SUPERPAGE,
	.leaf_bits = vtd_leaf_bits,
	.leaf_flags = vtd_leaf_flags,
};

struct paging_format x86_64_format = {
	.name = "x86-64",
	.levels = 4,
	.shift = LEVEL_SHIFTS_4,
	.leaf_ok = { false, true, true, true },
	.addr_mask = X86_PAGE_ADDR_MASK,
	.present_mask = X86_PTE_PRESENT,
	.table_bits = X86_PTE_PRESENT | X86_PTE_RW,
	.large_bit = X86_PTE_PS,
	.leaf_bits = x86_64_leaf_bits,
	.leaf_flags = x86_64_leaf_flags,
};

struct paging_format npt_format = {
	.name = "npt",
	.levels = 4,
	.shift = LEVEL_SHIFTS_4,
	.leaf_ok = { false, false, true, true },
	.addr_mask = X86_PAGE_ADDR_MASK,
	.present_mask = X86_PTE_PRESENT,
	.table_bits = X86_PTE_PRESENT | X86_PTE_RW | X86_PTE_US,
	.large_bit = X86_PTE_PS,
	.leaf_bits = npt_leaf_bits,
	.leaf_flags = x86_64_leaf_flags,
};

/*
 * Levels count down in AMD-Vi's terms: the top table of a 4-level walk is
 * level 4, its pointers name level 3, and so on down to the 4K level 1.
 * Every AMD-Vi unit walks 2M and 1G leaves at their default sizes.
 */
struct paging_format amdvi_format = {
	.name = "amd-vi-4level",
	.levels = AMDVI_PT_LEVELS,
	.shift = LEVEL_SHIFTS_4,
	.leaf_ok = { false, true, true, true },
	.addr_mask = X86_PAGE_ADDR_MASK,
	.present_mask = AMDVI_PTE_PR,
	.empty_entry = AMDVI_PTE_EMPTY,
	.table_bits = AMDVI_PTE_PR | AMDVI_PTE_IR | AMDVI_PTE_IW,
	.table_level_bits = { AMDVI_NEXT_LEVEL(3), AMDVI_NEXT_LEVEL(2),
			      AMDVI_NEXT_LEVEL(1) },
	.table_mask = AMDVI_PTE_NEXT_LEVEL_MASK,
	.leaf_bits = amdvi_leaf_bits,
	.leaf_flags = amdvi_leaf_flags,
};

void page_formats_configure(bool nested_1g, bool vtd_2m, bool vtd_1g)
{
	bool vtd_1g_usable = vtd_2m && vtd_1g;

	ept_format.leaf_ok[1] = nested_1g;
	npt_format.leaf_ok[1] = nested_1g;

	vtd_sl_format.leaf_ok[1] = vtd_1g_usable;
	vtd_sl_format.leaf_ok[2] = vtd_2m;
	vtd_sl3_format.leaf_ok[0] = vtd_1g_usable;
	vtd_sl3_format.leaf_ok[1] = vtd_2m;
}
