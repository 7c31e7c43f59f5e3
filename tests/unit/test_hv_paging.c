// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's own address space: its block, windows, device area. */
#include <criterion/criterion.h>
#include <asm/hv_paging.h>
#include "helpers.h"

#define BLOCK_VIRT 0xffffc90001000000ULL
#define BLOCK_PHYS 0x3be00000ULL
#define BLOCK_SIZE (6ULL << 20)
#define REMAP (BLOCK_VIRT + (1ULL << 30))

static void setup(void)
{
	boot_qemu_vm();
	cr_assert_eq(hv_paging_init(BLOCK_VIRT, BLOCK_PHYS, BLOCK_SIZE, REMAP,
				    4),
		     0);
}

static void teardown(void)
{
	hv_paging_exit();
}

TestSuite(hv_paging, .init = setup, .fini = teardown);

/* The tables translate bits 47:0 of a canonical address. */
static bool walk(u64 virt, u64 *phys, u32 *flags)
{
	return paging_walk(hv_paging_structs(), virt & ((1ULL << 48) - 1),
			   phys, flags, NULL);
}

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
	cr_assert_eq(hv_paging_cr3(), paging_root_phys(hv_paging_structs()));
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
