/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake PCI host bridge: configuration mechanism 1 (ports 0xCF8/0xCFC),
 * MMCONFIG (enhanced configuration space), and the reset control register
 * at 0xCF9. Devices answer with vendor 0x8086 and device id 0x1000 + bdf;
 * absent ones read as all ones.
 */
#ifndef _SIM_PCI_HW_H
#define _SIM_PCI_HW_H

#include <core/types.h>

void sim_pci_reset(void);
int sim_pci_add_device(u16 bdf);
/* Puts the MMCONFIG window for buses [0, end_bus] at base on the bus. */
int sim_pci_attach_mmconfig(u64 base, u8 end_bus);
/* Port I/O on 0xCF8-0xCFF; false if the port is not the bridge's. */
bool sim_pci_port_access(u16 port, unsigned int size, bool is_write,
			 u32 *value);
u32 sim_pci_config_read(u16 bdf, u16 reg, unsigned int size);
/* Behind every cell's back: as firmware or Linux before the enable. */
void sim_pci_config_write(u16 bdf, u16 reg, unsigned int size, u32 value);
/*
 * Gives the device an MSI capability at offset (the only one in its list):
 * 8 messages capable, 32- or 64-bit addresses. sim_pci_msi_message is the
 * message it would send now: false while MSI is disabled.
 */
int sim_pci_add_msi_cap(u16 bdf, u8 offset, bool is64);
bool sim_pci_msi_message(u16 bdf, u64 *address, u32 *data);
/* Writes the reset control register received (a machine reset). */
unsigned int sim_pci_reset_requests(void);

#define SIM_PCI_VENDOR 0x8086
#define SIM_PCI_DEVICE_BASE 0x1000

#endif
