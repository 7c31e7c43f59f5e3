/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between the architecture-neutral core and the architecture.
 *
 * The core calls only these functions to affect hardware. Each is named for
 * what the core needs done, not for how a CPU vendor does it. arch-x86/
 * implements them, on real hardware and, unchanged, in the simulator, which
 * swaps only the privileged-instruction layer beneath them (asm/hw.h).
 */
#ifndef _CORE_ARCH_H
#define _CORE_ARCH_H

#include <core/types.h>
#include <jailhouse/cell-config.h>

struct cell;
struct per_cpu;

/* Bring-up and tear-down. */
int arch_init_early(const struct jailhouse_system *system);
int arch_cpu_init(struct per_cpu *cpu);
int arch_init_late(void);
/* Leaves the calling CPU: Linux runs on it natively again. */
void arch_cpu_exit(struct per_cpu *cpu);
/*
 * First step of the teardown: the interrupts of root's devices go back to
 * how Linux programmed them, before the devices are released (which turns
 * a device's interrupts off, as for a device changing cells).
 */
void arch_return_root_interrupts(void);
void arch_shutdown(void);

/* A cell's address spaces (CPU and IOMMU). */
int arch_cell_create(struct cell *cell);
void arch_cell_destroy(struct cell *cell);
/*
 * Maps a region into the cell, for its CPUs and, where the region has
 * JAILHOUSE_MEM_DMA, for its devices. phys_start is already resolved (the
 * comm region carries the physical address of the cell's comm page).
 */
int arch_map_memory_region(struct cell *cell,
			   const struct jailhouse_memory *mem);
int arch_unmap_memory_region(struct cell *cell,
			     const struct jailhouse_memory *mem);
/* Translates a cell's guest-physical address as its CPUs see it. */
bool arch_translate_gpa(struct cell *cell, u64 gpa, u64 *hpa, u32 *flags);
/* Makes changes to cell address spaces and device ownership effective. */
void arch_config_commit(struct cell *cell_added_removed);

/* Ports the architecture emulates for every cell: never passed through. */
bool arch_port_emulated(u16 port);

/* Devices. */
int arch_pci_assign_device(struct cell *cell,
			   const struct jailhouse_pci_device *dev);
void arch_pci_release_device(struct cell *cell,
			     const struct jailhouse_pci_device *dev);

/* CPUs of other cells. These return once the target has complied. */
void arch_suspend_cpu(unsigned int cpu_id);
void arch_resume_cpu(unsigned int cpu_id);
void arch_park_cpu(unsigned int cpu_id);
void arch_reset_cpu(unsigned int cpu_id);

/*
 * Writes [addr, addr+size) back from the CPU caches to memory, for a device
 * that reads it without snooping them; ordered before later stores.
 */
void arch_flush_for_device(const void *addr, unsigned long size);

/* Physical memory outside the hypervisor's own block. */
void *arch_map_phys(u64 phys, u64 size);
void arch_unmap_phys(void *virt, u64 size);

/* Time, spinning and the debug console. */
u64 arch_time_ns(void);
/*
 * Rates a cell learns from its comm region, in kHz, 0 while unknown: the
 * TSC and the local APIC timer's input clock (divide by 1).
 */
u64 arch_tsc_khz(void);
u64 arch_apic_timer_khz(void);
void arch_cpu_relax(void);
/*
 * The CPUs' meeting points at enable: returns true once *word holds at
 * least target, false when a bound of seconds ran out first. On hardware
 * the caller spins; the simulator runs its other CPUs meanwhile.
 */
bool arch_wait_at_least(const volatile u32 *word, u32 target);
void arch_dbg_write(const char *text, unsigned int len);

#endif
