// SPDX-License-Identifier: GPL-2.0
/*
 * Writing CPU caches back for a device that reads memory without snooping
 * them: VT-d units whose page walks are not coherent (ECAP.C clear, as on
 * QEMU's model) read root, context, interrupt-remapping and second-level
 * tables from memory, where a write still in a cache is not yet.
 */
#include <core/arch.h>
#include <asm/hw.h>

#define CACHE_LINE 64

void arch_flush_for_device(const void *addr, unsigned long size)
{
	const u8 *line = (const u8 *)((uintptr_t)addr & ~(CACHE_LINE - 1UL));
	const u8 *end = (const u8 *)addr + size;

	for (; line < end; line += CACHE_LINE)
		hw_flush_cache_line(line);
	/* CLFLUSH is ordered by fences only: done before the unit is told. */
	hw_memory_barrier();
}
