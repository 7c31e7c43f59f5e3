// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's own reading of SVM nested page tables (x86-64 paging
 * entries, walked as user accesses: an entry without U/S at any level
 * faults), sharing nothing with the hypervisor's page-table engine.
 */
#include <sim/sim.h>

#define PTE_PRESENT (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_US (1ULL << 2)
#define PTE_PS (1ULL << 7)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

bool sim_npt_walk(u64 n_cr3, u64 gpa, u64 *hpa, u32 *perms)
{
	u64 table = n_cr3 & PTE_ADDR, entry = 0, *slot;
	u32 allowed = 7;
	int shift;

	for (shift = 39; shift >= 12; shift -= 9) {
		slot = sim_phys_ptr(table + ((gpa >> shift) & 0x1ff) * 8, 8);
		if (!slot)
			return false;
		entry = *slot;
		if (!(entry & PTE_PRESENT) || !(entry & PTE_US))
			return false;
		/* Permissions are the intersection over all levels. */
		if (!(entry & PTE_RW))
			allowed &= ~2U;
		if (entry & PTE_NX)
			allowed &= ~4U;
		if (shift == 12 ||
		    ((shift == 21 || shift == 30) && (entry & PTE_PS)))
			break;
		table = entry & PTE_ADDR;
	}
	if (hpa)
		*hpa = (entry & PTE_ADDR & ~((1ULL << shift) - 1)) |
		       (gpa & ((1ULL << shift) - 1));
	if (perms)
		*perms = allowed;
	return true;
}

static void visit_table(u64 table, int shift, u64 gpa_base, u32 allowed,
			sim_ept_leaf_fn fn, void *arg)
{
	u64 *entries = sim_phys_ptr(table, 4096), entry, gpa;
	unsigned int n;
	u32 perms;

	if (!entries)
		return;
	for (n = 0; n < 512; n++) {
		entry = entries[n];
		if (!(entry & PTE_PRESENT) || !(entry & PTE_US))
			continue;
		perms = allowed & ~(entry & PTE_RW ? 0U : 2U) &
			~(entry & PTE_NX ? 4U : 0U);
		gpa = gpa_base + ((u64)n << shift);
		if (shift == 12 ||
		    ((shift == 21 || shift == 30) && (entry & PTE_PS)))
			fn(arg, gpa, entry & PTE_ADDR & ~((1ULL << shift) - 1),
			   1ULL << shift, perms);
		else
			visit_table(entry & PTE_ADDR, shift - 9, gpa, perms, fn,
				    arg);
	}
}

void sim_npt_for_each_leaf(u64 n_cr3, sim_ept_leaf_fn fn, void *arg)
{
	visit_table(n_cr3 & PTE_ADDR, 39, 0, 7, fn, arg);
}
