/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IOAPIC emulation: each cell that lists a system IOAPIC among its IRQ chips
 * (and root, for all of them) gets the chip's register window trapped and
 * emulated, and may program only the redirection entries of its own pins,
 * and only towards its own CPUs.
 */
#ifndef _ASM_IOAPIC_H
#define _ASM_IOAPIC_H

#include <core/types.h>

struct cell;

/* Registers the cell's IOAPIC windows; root's call also takes stock. */
int ioapic_cell_init(struct cell *cell);
void ioapic_cell_exit(struct cell *cell);
/*
 * After pins or CPUs changed hands: masks every pin whose owner changed and
 * rechecks the unmasked entries of the others against the CPUs their owners
 * have now. changed is the cell just created or destroyed (it may be
 * missing from the cell list), or NULL.
 */
void ioapic_reassign_pins(const struct cell *changed);
/*
 * With interrupt remapping: before it starts, root's pins in remappable
 * format, as Linux programmed them (compatibility format is blocked).
 */
void ioapic_remap_root_pins(void);
/* At disable: Linux's entries as it wrote them, the rest masked. */
void ioapic_shutdown(void);

#endif
