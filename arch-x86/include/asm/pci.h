/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration space as cells see it: through configuration mechanism 1
 * (ports 0xCF8-0xCFF, always trapped) and through MMCONFIG (trapped, since
 * no cell maps it). A cell reaches the configuration space of its own
 * devices only; others read as absent. The reset control register at 0xCF9
 * is never passed on: no cell resets the machine.
 */
#ifndef _ASM_PCI_H
#define _ASM_PCI_H

#include <core/cell.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_RESET_CONTROL 0xcf9
#define PCI_CONFIG_DATA 0xcfc

/* True if the port belongs to the PCI host bridge and was emulated. */
bool x86_pci_handle_pio(struct per_cpu *cpu, u16 port, unsigned int size,
			bool is_write, u32 *value);
int pci_init(const struct jailhouse_system *system);
/*
 * A device's configuration space as the hardware has it, through MMCONFIG
 * where there is one, else the ports; callers hold pci_lock (the ports'
 * address latch is one for all CPUs).
 */
u32 pci_hw_read(u16 bdf, unsigned int reg, unsigned int size);
void pci_hw_write(u16 bdf, unsigned int reg, unsigned int size, u32 value);
void pci_lock(void);
void pci_unlock(void);
int pci_cell_init(struct cell *cell);
void pci_cell_exit(struct cell *cell);

#endif
