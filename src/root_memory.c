// SPDX-License-Identifier: GPL-2.0
/*
 * Root's memory as the hypervisor reaches it for a hypercall: through
 * root's own guest-physical mapping, page by page, with the access root
 * itself would need. A buffer that is not root's to read or write, or
 * that lies in device memory root reaches (PCI MMIO, the VGA window), is
 * refused whole before anything is copied.
 */
#include <core/arch.h>
#include <core/cell.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/paging.h>
#include <core/root_memory.h>

static bool root_may(u64 gpa, u64 len, u32 access)
{
	u64 end = gpa + len, hpa;
	u32 flags;

	if (end < gpa)
		return false;
	for (gpa &= PAGE_MASK; gpa < end; gpa += PAGE_SIZE)
		if (!arch_translate_gpa(&root_cell, gpa, &hpa, &flags) ||
		    (flags & access) != access || (flags & PAGE_FLAG_DEVICE))
			return false;
	return true;
}

static void copy(u64 gpa, void *buf, u64 len, bool to_root)
{
	u8 *p = buf;
	u64 chunk, hpa;
	u32 flags;
	void *mapped;

	while (len) {
		chunk = MIN(len, PAGE_SIZE - (gpa & ~PAGE_MASK));
		arch_translate_gpa(&root_cell, gpa, &hpa, &flags);
		mapped = arch_map_phys(hpa, chunk);
		if (to_root)
			memcpy(mapped, p, chunk);
		else
			memcpy(p, mapped, chunk);
		arch_unmap_phys(mapped, chunk);
		p += chunk;
		gpa += chunk;
		len -= chunk;
	}
}

bool root_may_write(u64 gpa, u64 len)
{
	return root_may(gpa, len, PAGE_FLAG_WRITE);
}

int copy_from_root(u64 gpa, void *dst, u64 len)
{
	if (!root_may(gpa, len, PAGE_FLAG_READ))
		return -EFAULT;
	copy(gpa, dst, len, false);
	return 0;
}

int copy_to_root(u64 gpa, const void *src, u64 len)
{
	if (!root_may(gpa, len, PAGE_FLAG_WRITE))
		return -EFAULT;
	copy(gpa, (void *)src, len, true);
	return 0;
}
