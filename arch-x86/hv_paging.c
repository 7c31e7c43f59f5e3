// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's own page tables, built with the generic engine. */
#include <core/errno.h>
#include <core/page_pool.h>
#include <asm/hv_paging.h>
#include <asm/page_formats.h>

static struct paging_structs hv_tables;
static u64 window_base;
static u64 device_next, device_end;

int hv_paging_init(u64 block_virt, u64 block_phys, u64 block_size,
		   u64 remap_base, unsigned int cpus)
{
	int err;

	err = paging_create(&hv_tables, &x86_64_format, &mem_pool);
	if (err)
		return err;
	window_base = remap_base;
	device_next = hv_paging_window_base(cpus);
	device_end = device_next + HV_DEVICE_AREA;
	err = paging_map(&hv_tables, block_virt, block_phys, block_size,
			 PAGE_FLAG_RWX);
	if (err)
		paging_destroy(&hv_tables);
	return err;
}

void hv_paging_exit(void)
{
	paging_destroy(&hv_tables);
}

u64 hv_paging_cr3(void)
{
	return paging_root_phys(&hv_tables);
}

u64 hv_paging_window_base(unsigned int cpu)
{
	return window_base + (u64)cpu * HV_REMAP_PAGES * PAGE_SIZE;
}

const struct paging_structs *hv_paging_structs(void)
{
	return &hv_tables;
}

void *hv_paging_map_window(unsigned int cpu, u64 phys, u64 size)
{
	u64 first = phys & PAGE_MASK;
	u64 span = ((phys + size + PAGE_SIZE - 1) & PAGE_MASK) - first;
	u64 virt = hv_paging_window_base(cpu);

	if (size == 0 || span > HV_REMAP_PAGES * PAGE_SIZE)
		return NULL;
	if (paging_map(&hv_tables, virt, first, span, PAGE_FLAG_RW))
		return NULL;
	return (void *)(uintptr_t)(virt + (phys - first));
}

void *hv_paging_map_device(u64 phys, u64 size)
{
	u64 first = phys & PAGE_MASK;
	u64 span = ((phys + size + PAGE_SIZE - 1) & PAGE_MASK) - first;
	u64 virt = device_next;

	if (size == 0 || span > device_end - device_next)
		return NULL;
	if (paging_map(&hv_tables, virt, first, span,
		       PAGE_FLAG_RW | PAGE_FLAG_DEVICE))
		return NULL;
	device_next += span;
	return (void *)(uintptr_t)(virt + (phys - first));
}
