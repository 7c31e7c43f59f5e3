// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration space through the host bridge's ports (mechanism #1):
 * 0xcf8 takes enable | bus << 16 | device << 11 | function << 8 |
 * register, 0xcfc-0xcff carry the data. Under the hypervisor a cell sees
 * only its own devices; the others read as all ones.
 */
#include <inmate.h>

#define PCI_ADDRESS 0xcf8
#define PCI_DATA 0xcfc
#define PCI_ENABLE (1U << 31)

static void select(u16 bdf, unsigned int reg)
{
	outl(PCI_ENABLE | (u32)bdf << 8 | (reg & 0xfc), PCI_ADDRESS);
}

u32 pci_read32(u16 bdf, unsigned int reg)
{
	select(bdf, reg);
	return inl(PCI_DATA);
}

void pci_write32(u16 bdf, unsigned int reg, u32 value)
{
	select(bdf, reg);
	outl(value, PCI_DATA);
}

u16 pci_read16(u16 bdf, unsigned int reg)
{
	select(bdf, reg);
	return inw(PCI_DATA + (reg & 2));
}

void pci_write16(u16 bdf, unsigned int reg, u16 value)
{
	select(bdf, reg);
	outw(value, PCI_DATA + (reg & 2));
}

int pci_find(u16 vendor, u16 device)
{
	u32 id = (u32)device << 16 | vendor;
	unsigned int bdf;

	for (bdf = 0; bdf < 0x100; bdf++)
		if (pci_read32(bdf, PCI_REG_ID) == id)
			return bdf;
	return -1;
}
