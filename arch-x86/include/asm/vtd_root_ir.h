/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Root's own interrupt remapping while the hypervisor runs (vtd_root_ir.c):
 * what vtd.c and vtd_root_ir.c ask of each other. Nothing else includes it.
 */
#ifndef _ASM_VTD_ROOT_IR_H
#define _ASM_VTD_ROOT_IR_H

#include <core/cell.h>
#include <asm/vtd.h>

/*
 * Indexes [0, VTD_ROOT_IRTES) of the hypervisor's table mirror root's own
 * table when root remaps; cells' entries are allocated above them.
 */
#define VTD_ROOT_IRTES (VTD_NUM_IRTES / 2)

/* Root's registers of the unit, as root last programmed them. */
struct vtd_root_regs {
	u32 gsts;
	u64 irta; /* as written */
	u64 irta_latched; /* as of root's last SIRTP */
	u64 iqa;
	u32 head, tail; /* queue positions, in descriptors */
	bool queue_ok; /* the queue IQA names lies in root's RAM */
	u32 fsts, fectl, fedata, feaddr, feuaddr;
	u32 ics, iectl, iedata, ieaddr, ieuaddr;
};

/* vtd_root_ir.c */

void vtd_root_ir_reset(void);
/*
 * Unit regs has remapping on: root keeps it if the config allows (one
 * unit, its table in the config's APIC mode). -errno, logged, if not.
 */
int vtd_root_ir_take_stock(unsigned int unit, u64 base, u8 *regs, bool eim,
			   unsigned int num_units);
/* Root programs remapping itself (took stock and not handed back). */
bool vtd_root_ir_active(void);
/*
 * Root's table as it stands, checked and copied into the hypervisor's
 * before the unit uses that: -errno, logged, if root's table is unusable.
 */
int vtd_root_ir_start(void);
/* Root's entries checked again (its CPUs changed), in force on return. */
void vtd_root_ir_shadow_all(void);
/* Root's trapped register page; 0 where root does not remap. */
int vtd_root_ir_cell_init(struct cell *cell);
const struct vtd_root_regs *vtd_root_ir_regs(void);
bool vtd_root_ir_ioapic_entry_ok(u64 entry);
bool vtd_root_ir_msi_ok(u64 address, u32 data);

/* vtd.c, for vtd_root_ir.c */

/* Installs (P set) or clears entry index of the hypervisor's table. */
void vtd_set_root_irte(unsigned int index, u64 lo, u64 hi);
/* The units' interrupt entry caches; index -1: all entries. */
int vtd_flush_irtes(int index);
/* Whether the device's context entry is the cell's domain's. */
bool vtd_cell_has_device(const struct cell *cell, u16 bdf);
/* Whether every device with a context entry on these buses is the cell's. */
bool vtd_buses_only_cells(const struct cell *cell, u8 first, u8 last);

#endif
