// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's own page tables, built with the generic engine. */
#include <core/errno.h>
#include <core/page_pool.h>
#include <core/spinlock.h>
#include <asm/hv_paging.h>
#include <asm/page_formats.h>

/*
 * The image runs in the upper half (where Linux mapped it), at canonical
 * addresses whose bits 63:48 copy bit 47. The tables index bits 47:0 only,
 * so the engine is given those and the hypervisor the canonical form.
 */
#define VIRT_BITS_MASK ((1ULL << 48) - 1)

static u64 table_address(u64 virt)
{
	return virt & VIRT_BITS_MASK;
}

static u64 canonical(u64 address)
{
	return address & (1ULL << 47) ? address | ~VIRT_BITS_MASK :
					address & VIRT_BITS_MASK;
}

static struct paging_structs hv_tables;
/* CPUs map into their windows at once; the tables are shared. */
static spinlock_t tables_lock;
static u64 window_base;
static u64 device_next, device_end;

int hv_paging_init(u64 block_virt, u64 block_phys, u64 block_size,
		   u64 remap_base, unsigned int cpus)
{
	int err;

	err = paging_create(&hv_tables, &x86_64_format, &mem_pool);
	if (err)
		return err;
	window_base = canonical(remap_base);
	device_next = hv_paging_window_base(cpus);
	device_end = device_next + HV_DEVICE_AREA;
	err = paging_map(&hv_tables, table_address(block_virt), block_phys,
			 block_size, PAGE_FLAG_RWX);
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
	return canonical(window_base + (u64)cpu * HV_REMAP_PAGES * PAGE_SIZE);
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

	int err;

	if (size == 0 || span > HV_REMAP_PAGES * PAGE_SIZE)
		return NULL;
	spin_lock(&tables_lock);
	err = paging_map(&hv_tables, table_address(virt), first, span,
			 PAGE_FLAG_RW);
	spin_unlock(&tables_lock);
	if (err)
		return NULL;
	return (void *)(uintptr_t)(virt + (phys - first));
}

void *hv_paging_map_device(u64 phys, u64 size)
{
	u64 first = phys & PAGE_MASK;
	u64 span = ((phys + size + PAGE_SIZE - 1) & PAGE_MASK) - first;
	void *mapped = NULL;
	u64 virt;

	if (size == 0)
		return NULL;
	spin_lock(&tables_lock);
	virt = device_next;
	if (span <= device_end - device_next &&
	    !paging_map(&hv_tables, table_address(virt), first, span,
			PAGE_FLAG_RW | PAGE_FLAG_DEVICE)) {
		device_next += span;
		mapped = (void *)(uintptr_t)(virt + (phys - first));
	}
	spin_unlock(&tables_lock);
	return mapped;
}
