/* SPDX-License-Identifier: GPL-2.0 */
/* Shared set-up and observations for the simulator-based unit tests. */
#ifndef _TEST_HELPERS_H
#define _TEST_HELPERS_H

#include <stdio.h>
#include <core/cell.h>
#include <core/config_check.h>
#include <core/control.h>
#include <core/errno.h>
#include <core/page_pool.h>
#include <core/printk.h>
#include <sim/sim.h>

#define QEMU_VM_CELL CELL_DIR "/qemu-vm.cell"
#define APIC_DEMO_CELL CELL_DIR "/apic-demo.cell"
#define TINY_DEMO_CELL CELL_DIR "/tiny-demo.cell"
#define BAD_CELL(name) BAD_CELL_DIR "/" name ".cell"
#define QEMU_VM_CPUS 4
#define ROOT_CPU 0

/* What root can reach, summed up so two moments can be compared. */
struct root_view {
	u64 ept_hash; /* every EPT leaf: gpa, hpa, size, permissions */
	u64 ept_bytes; /* mapped guest-physical bytes */
	u64 pio_hash; /* the VMCS I/O bitmaps' verdict on every port */
	unsigned int cpus; /* bitmap of CPUs root owns */
	unsigned long pool_used;
	u64 pins[2];
};

void boot_qemu_vm(void);
void take_root_view(struct root_view *view);
void assert_root_view_equal(const struct root_view *a,
			    const struct root_view *b);
u64 cell_eptp(const struct cell *cell);
bool cell_maps(const struct cell *cell, u64 gpa, u64 *hpa, u32 *perms);
long info(unsigned long what);
long cell_state(u32 id);
/* The hypervisor log written since boot (ring buffer). */
const char *hv_log(void);
bool log_contains(const char *text);
/* How often text occurs in that log. */
unsigned int log_count(const char *text);
struct cell *cell_by_name(const char *name);
/* Whether the cell's port bitmap lets size bytes at port through. */
bool pio_access_allowed(const struct cell *cell, u16 port, unsigned int size);
/* The code's identifier without JAILHOUSE_ ("CFG_ERR_..."). */
const char *config_error_name(enum jailhouse_config_error code);

#endif
