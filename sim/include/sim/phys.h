/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake physical memory: RAM at [0, size), backed lazily by the host, plus a
 * bus of emulated MMIO devices at addresses above or between RAM.
 */
#ifndef _SIM_PHYS_H
#define _SIM_PHYS_H

#include <core/types.h>

int sim_phys_init(u64 ram_size);
void sim_phys_exit(void);
u64 sim_phys_ram_size(void);
/* Host pointer to RAM [phys, phys+len), or NULL if not all of it is RAM. */
void *sim_phys_ptr(u64 phys, u64 len);
/* Physical address of a host pointer into fake RAM. */
u64 sim_phys_addr(const void *ptr);
/*
 * What a device that does not snoop CPU caches reads: each 64-byte line as
 * the CPU last flushed it (hw_flush_cache_line), all ones if it never did.
 * The read must not cross a line; false if it does or is not RAM.
 */
void sim_phys_flush_line(u64 phys);
bool sim_phys_device_read(u64 phys, void *out, unsigned int len);

typedef u64 (*sim_mmio_read_fn)(void *opaque, u64 offset, unsigned int size);
typedef void (*sim_mmio_write_fn)(void *opaque, u64 offset,
				  unsigned int size, u64 value);

/* A device window [base, base+size); -EEXIST on overlap, -ENOMEM if full. */
int sim_mmio_bus_add(u64 base, u64 size, sim_mmio_read_fn read,
		     sim_mmio_write_fn write, void *opaque);
void sim_mmio_bus_reset(void);
/* Carries out a device access; false if no device decodes the address. */
bool sim_mmio_bus_access(u64 phys, unsigned int size, bool is_write,
			 u64 *value);

#endif
