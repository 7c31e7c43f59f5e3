// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's own reading of EPT tables, written from the SDM's entry
 * layout and sharing nothing with the hypervisor's page-table engine: tests
 * use it to check what the hypervisor built.
 */
#include <sim/sim.h>

#define EPT_RWX 0x7ULL
#define EPT_LARGE (1ULL << 7)
#define EPT_ADDR 0x000ffffffffff000ULL

bool sim_ept_walk(u64 eptp, u64 gpa, u64 *hpa, u32 *perms)
{
	u64 table = eptp & EPT_ADDR, entry = 0, *slot;
	int shift;

	if ((eptp & 0x38) != (3 << 3))
		return false; /* only 4-level walks are modelled */
	for (shift = 39; shift >= 12; shift -= 9) {
		slot = sim_phys_ptr(table + ((gpa >> shift) & 0x1ff) * 8, 8);
		if (!slot)
			return false;
		entry = *slot;
		if (!(entry & EPT_RWX))
			return false;
		if (shift == 12 || ((shift == 21 || shift == 30) &&
				    (entry & EPT_LARGE)))
			break;
		table = entry & EPT_ADDR;
	}
	if (hpa)
		*hpa = (entry & EPT_ADDR & ~((1ULL << shift) - 1)) |
		       (gpa & ((1ULL << shift) - 1));
	if (perms)
		*perms = (u32)(entry & EPT_RWX);
	return true;
}

static void visit_table(u64 table, int shift, u64 gpa_base, sim_ept_leaf_fn fn,
			void *arg)
{
	u64 *entries = sim_phys_ptr(table, 4096), entry, gpa;
	unsigned int n;

	if (!entries)
		return;
	for (n = 0; n < 512; n++) {
		entry = entries[n];
		if (!(entry & EPT_RWX))
			continue;
		gpa = gpa_base + ((u64)n << shift);
		if (shift == 12 || ((shift == 21 || shift == 30) &&
				    (entry & EPT_LARGE)))
			fn(arg, gpa, entry & EPT_ADDR & ~((1ULL << shift) - 1),
			   1ULL << shift, (u32)(entry & EPT_RWX));
		else
			visit_table(entry & EPT_ADDR, shift - 9, gpa, fn, arg);
	}
}

void sim_ept_for_each_leaf(u64 eptp, sim_ept_leaf_fn fn, void *arg)
{
	visit_table(eptp & EPT_ADDR, 39, 0, fn, arg);
}
