/* SPDX-License-Identifier: GPL-2.0 */
/* MSI capabilities while VT-d remaps interrupts (see pci_msi.c). */
#ifndef _ASM_PCI_MSI_H
#define _ASM_PCI_MSI_H

#include <core/types.h>

struct cell;

/* Forgets an earlier enable's devices. */
void msi_init(void);
/*
 * A configuration access of cell to its device bdf, with pci_lock held:
 * true if it touched the MSI capability's control word, address or data
 * and was emulated (value read or written), false to leave it to the
 * hardware.
 */
bool msi_config_access(struct cell *cell, u16 bdf, unsigned int reg,
		       unsigned int size, bool is_write, u32 *value);
/* Before remapping starts: root's enabled MSIs in remappable format. */
void msi_remap_root_devices(void);
/* The device leaves its cell: MSI off, its remapping entry gone. */
void msi_device_released(u16 bdf);
/* At disable: root's devices get Linux's messages back, others none. */
void msi_shutdown(void);

#endif
