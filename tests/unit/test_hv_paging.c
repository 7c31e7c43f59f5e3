// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's own address space: its block, windows, device area. */
#include <criterion/criterion.h>
#include <asm/hv_paging.h>
#include <asm/vmcs.h>
#include <asm/vmx.h>
#include <sim/hw_state.h>
#include <sim/phys.h>
#include "helpers.h"

#define BLOCK_VIRT 0xffffc90001000000ULL
#define BLOCK_PHYS 0x3be00000ULL
#define BLOCK_SIZE (6ULL << 20)
#define REMAP (BLOCK_VIRT + (1ULL << 30))

/*
 * The CPU's reading of 4-level x86-64 paging (SDM vol. 3, 4.5) from the
 * simulated RAM, sharing nothing with the engine under test: a canonical
 * address, entries with P set, PS ending the walk at 1 GiB and 2 MiB, W
 * and executable only if every level allows it, PCD of the leaf.
 */
#define X86_P (1ULL << 0)
#define X86_RW (1ULL << 1)
#define X86_PCD (1ULL << 4)
#define X86_PS (1ULL << 7)
#define X86_NX (1ULL << 63)
#define X86_ADDR 0x000ffffffffff000ULL

/* The CR3 a CPU of the hypervisor loads on every VM exit. */
static u64 cpu_cr3;

static bool walk(u64 virt, u64 *phys, u32 *flags)
{
	u64 table = cpu_cr3 & X86_ADDR, entry = 0, *slot;
	u32 allowed = PAGE_FLAG_RWX;
	int shift;

	if ((u64)((s64)(virt << 16) >> 16) != virt)
		return false;
	for (shift = 39; shift >= 12; shift -= 9) {
		slot = sim_phys_ptr(table + ((virt >> shift) & 0x1ff) * 8, 8);
		cr_assert_not_null(slot, "table 0x%llx outside RAM",
				   (unsigned long long)table);
		entry = *slot;
		if (!(entry & X86_P))
			return false;
		if (!(entry & X86_RW))
			allowed &= ~PAGE_FLAG_WRITE;
		if (entry & X86_NX)
			allowed &= ~PAGE_FLAG_EXEC;
		if (shift == 12 || ((shift == 21 || shift == 30) &&
				    (entry & X86_PS)))
			break;
		table = entry & X86_ADDR;
	}
	if (phys)
		*phys = (entry & X86_ADDR & ~((1ULL << shift) - 1)) |
			(virt & ((1ULL << shift) - 1));
	if (flags)
		*flags = allowed | (entry & X86_PCD ? PAGE_FLAG_DEVICE : 0);
	return true;
}

/*
 * CPU 1 comes up again the way the entry code brings it up, host CR3
 * from the hypervisor's tables; the walks start from the host CR3 its
 * VMCS holds, the one a VM exit loads.
 */
static void setup(void)
{
	struct per_cpu *cpu = per_cpu(1);

	boot_qemu_vm();
	cr_assert_eq(hv_paging_init(BLOCK_VIRT, BLOCK_PHYS, BLOCK_SIZE, REMAP,
				    4),
		     0);
	sim_current_cpu = 1;
	vmx_cpu_exit(cpu);
	cpu->arch.host_cr3 = hv_paging_cr3();
	cr_assert_eq(vmx_cpu_init(cpu), 0, "%s", hv_log());
	cpu_cr3 = sim_vmcs_get(1, VMCS_HOST_CR3);
	sim_current_cpu = 0;
	cr_assert_eq(cpu_cr3 & ~X86_ADDR, 0, "no flags, no high bits");
}

static void teardown(void)
{
	hv_paging_exit();
}

TestSuite(hv_paging, .init = setup, .fini = teardown);

Test(hv_paging, block_is_mapped_where_the_image_runs_and_nothing_else)
{
	u64 phys;
	u32 flags;

	cr_assert(walk(BLOCK_VIRT + 0x1234, &phys, &flags));
	cr_assert_eq(phys, BLOCK_PHYS + 0x1234);
	cr_assert_eq(flags & PAGE_FLAG_RWX, PAGE_FLAG_RWX);
	cr_assert(walk(BLOCK_VIRT + BLOCK_SIZE - 1, &phys, NULL));
	cr_assert_not(walk(BLOCK_VIRT + BLOCK_SIZE, NULL, NULL));
	cr_assert_not(walk(BLOCK_PHYS, NULL, NULL), "no identity map");
	cr_assert_eq(hv_paging_window_base(0) >> 48, 0xffff,
		     "windows sit in the canonical upper half too");
	cr_assert_not(walk(0x1000, NULL, NULL), "nothing of Linux");
}

Test(hv_paging, windows_are_per_cpu_and_replaced_by_the_next_map)
{
	u8 *a = hv_paging_map_window(1, 0x3c400010, 8);
	u8 *b = hv_paging_map_window(2, 0x10000ff8, 16);
	u64 phys;
	u32 flags;

	cr_assert_eq((u64)(uintptr_t)a, hv_paging_window_base(1) + 0x10);
	cr_assert(walk((u64)(uintptr_t)a, &phys, &flags));
	cr_assert_eq(phys, 0x3c400010);
	cr_assert_eq(flags & PAGE_FLAG_DEVICE, 0, "RAM is cached");
	cr_assert(walk((u64)(uintptr_t)b + 8, &phys, NULL),
		  "an access crossing a page gets both");
	cr_assert_eq(phys, 0x10001000);
	a = hv_paging_map_window(1, 0x20000000, 4);
	cr_assert(walk((u64)(uintptr_t)a, &phys, NULL));
	cr_assert_eq(phys, 0x20000000);
	cr_assert_null(hv_paging_map_window(1, 0, (HV_REMAP_PAGES + 1) *
							  PAGE_SIZE));
	cr_assert_null(hv_paging_map_window(1, 0, 0));
}

Test(hv_paging, device_mappings_last_and_are_uncached)
{
	u8 *dmar = hv_paging_map_device(0xfed90000, 0x1000);
	u8 *ioapic = hv_paging_map_device(0xfec00000, 0x1000);
	u64 phys;
	u32 flags;

	cr_assert_not_null(dmar);
	cr_assert_neq(dmar, ioapic);
	hv_paging_map_window(0, 0x3c400000, 0x1000);
	cr_assert(walk((u64)(uintptr_t)dmar, &phys, &flags));
	cr_assert_eq(phys, 0xfed90000, "still there after window use");
	cr_assert(flags & PAGE_FLAG_DEVICE);
	cr_assert_null(hv_paging_map_device(0, HV_DEVICE_AREA + PAGE_SIZE),
		       "the area has an end");
}

/*
 * A mapping spans the pages its bytes touch, no more and no fewer: a
 * page-sized window maps one page, one byte more maps two; a window of
 * HV_REMAP_PAGES pages fits, one byte more does not; the device area
 * takes a mapping of exactly what is left of it.
 */
Test(hv_paging, spans_round_to_the_pages_touched)
{
	u64 base = hv_paging_window_base(3), phys;
	u8 *w, *dev;

	w = hv_paging_map_window(3, 0x3c400000, PAGE_SIZE);
	cr_assert_eq((u64)(uintptr_t)w, base);
	cr_assert(walk(base + PAGE_SIZE - 1, &phys, NULL));
	cr_assert_not(walk(base + PAGE_SIZE, NULL, NULL),
		       "a page-sized window maps one page");
	w = hv_paging_map_window(3, 0x3c500000, PAGE_SIZE + 1);
	cr_assert(walk(base + PAGE_SIZE, &phys, NULL),
		  "its last byte is on the second page");
	cr_assert_eq(phys, 0x3c501000);
	cr_assert_not(walk(base + 2 * PAGE_SIZE, NULL, NULL));
	w = hv_paging_map_window(3, 0x3c600fff, 2);
	cr_assert(walk(base + PAGE_SIZE, &phys, NULL));
	cr_assert_eq(phys, 0x3c601000, "two bytes across a page boundary");

	cr_assert_not_null(hv_paging_map_window(3, 0x3c400000,
						HV_REMAP_PAGES * PAGE_SIZE),
			   "a full window fits");
	cr_assert(walk(base + (HV_REMAP_PAGES - 1) * PAGE_SIZE, &phys, NULL));
	cr_assert_eq(phys, 0x3c400000 + (HV_REMAP_PAGES - 1) * PAGE_SIZE);
	cr_assert_null(hv_paging_map_window(3, 0x3c400001,
					    HV_REMAP_PAGES * PAGE_SIZE),
		       "shifted by a byte it needs one page more");

	dev = hv_paging_map_device(0xfed90000, PAGE_SIZE);
	cr_assert_not_null(dev);
	/* Congruent with the area modulo 2 MiB: large pages, few tables. */
	dev = hv_paging_map_device((u64)(uintptr_t)dev + PAGE_SIZE - REMAP,
				   HV_DEVICE_AREA - PAGE_SIZE);
	cr_assert_not_null(dev, "exactly the rest of the area fits");
	cr_assert_null(hv_paging_map_device(0xfec00000, 1), "then it is full");
}
