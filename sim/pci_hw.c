// SPDX-License-Identifier: GPL-2.0
/* The simulator's PCI host bridge and devices (see sim/pci_hw.h). */
#include <string.h>
#include <sim/pci_hw.h>
#include <sim/phys.h>

#define MAX_DEVICES 32
#define CONFIG_SPACE 4096

struct device {
	u16 bdf;
	u8 config[CONFIG_SPACE];
};

static struct device devices[MAX_DEVICES];
static unsigned int num_devices;
static u32 address_latch;
static unsigned int reset_requests;

void sim_pci_reset(void)
{
	num_devices = 0;
	address_latch = 0;
	reset_requests = 0;
}

int sim_pci_add_device(u16 bdf)
{
	struct device *d;

	if (num_devices == MAX_DEVICES)
		return -1;
	d = &devices[num_devices++];
	memset(d, 0, sizeof(*d));
	d->bdf = bdf;
	d->config[0] = SIM_PCI_VENDOR & 0xff;
	d->config[1] = SIM_PCI_VENDOR >> 8;
	d->config[2] = (SIM_PCI_DEVICE_BASE + bdf) & 0xff;
	d->config[3] = (SIM_PCI_DEVICE_BASE + bdf) >> 8;
	return 0;
}

static struct device *find(u16 bdf)
{
	unsigned int n;

	for (n = 0; n < num_devices; n++)
		if (devices[n].bdf == bdf)
			return &devices[n];
	return NULL;
}

static u32 config_access(u16 bdf, u16 reg, unsigned int size, bool is_write,
			 u32 value)
{
	struct device *d = find(bdf);
	u32 result = 0;

	if (!d || reg + size > CONFIG_SPACE)
		return 0xffffffffU >> (32 - 8 * size);
	/* The vendor and device ids are read-only; the rest is storage. */
	if (is_write) {
		if (reg >= 4)
			memcpy(&d->config[reg], &value, size);
		return 0;
	}
	memcpy(&result, &d->config[reg], size);
	return result;
}

u32 sim_pci_config_read(u16 bdf, u16 reg, unsigned int size)
{
	return config_access(bdf, reg, size, false, 0);
}

void sim_pci_config_write(u16 bdf, u16 reg, unsigned int size, u32 value)
{
	config_access(bdf, reg, size, true, value);
}

#define PCI_STATUS_CAP_LIST 0x10
#define MSI_CAP_ID 0x05
#define MSI_CTRL_ENABLE 0x0001
#define MSI_CTRL_64BIT 0x0080
#define MSI_CTRL_MMC_8 (3U << 1) /* capable of 8 messages */

int sim_pci_add_msi_cap(u16 bdf, u8 offset, bool is64)
{
	struct device *d = find(bdf);
	u16 ctrl = MSI_CTRL_MMC_8 | (is64 ? MSI_CTRL_64BIT : 0);

	if (!d || offset < 0x40 || offset > 0xf0)
		return -1;
	d->config[0x06] |= PCI_STATUS_CAP_LIST;
	d->config[0x34] = offset;
	d->config[offset] = MSI_CAP_ID;
	d->config[offset + 1] = 0;
	memcpy(&d->config[offset + 2], &ctrl, 2);
	return 0;
}

bool sim_pci_msi_message(u16 bdf, u64 *address, u32 *data)
{
	struct device *d = find(bdf);
	u8 cap = d ? d->config[0x34] : 0;
	u16 ctrl, data16;
	u32 lo, hi = 0;

	if (!cap || d->config[cap] != MSI_CAP_ID)
		return false;
	memcpy(&ctrl, &d->config[cap + 2], 2);
	if (!(ctrl & MSI_CTRL_ENABLE))
		return false;
	memcpy(&lo, &d->config[cap + 4], 4);
	if (ctrl & MSI_CTRL_64BIT) {
		memcpy(&hi, &d->config[cap + 8], 4);
		memcpy(&data16, &d->config[cap + 12], 2);
	} else {
		memcpy(&data16, &d->config[cap + 8], 2);
	}
	*address = (u64)hi << 32 | lo;
	*data = data16;
	return true;
}

unsigned int sim_pci_reset_requests(void)
{
	return reset_requests;
}

bool sim_pci_port_access(u16 port, unsigned int size, bool is_write,
			 u32 *value)
{
	u16 bdf, reg;

	if (port == 0xcf8 && size == 4) {
		if (is_write)
			address_latch = *value;
		else
			*value = address_latch;
		return true;
	}
	if (port == 0xcf9 && size == 1) {
		if (is_write && (*value & 0x4))
			reset_requests++;
		else if (!is_write)
			*value = 0;
		return true;
	}
	if (port < 0xcfc || port > 0xcff)
		return false;
	if (!(address_latch & 0x80000000)) {
		if (!is_write)
			*value = 0xffffffffU >> (32 - 8 * size);
		return true;
	}
	bdf = (address_latch >> 8) & 0xffff;
	reg = (address_latch & 0xfc) + (port - 0xcfc);
	if (is_write)
		config_access(bdf, reg, size, true, *value);
	else
		*value = config_access(bdf, reg, size, false, 0);
	return true;
}

static u64 mmconfig_read(void *opaque, u64 offset, unsigned int size)
{
	(void)opaque;
	return config_access((u16)(offset >> 12), offset & 0xfff, size, false,
			     0);
}

static void mmconfig_write(void *opaque, u64 offset, unsigned int size,
			   u64 value)
{
	(void)opaque;
	config_access((u16)(offset >> 12), offset & 0xfff, size, true,
		      (u32)value);
}

int sim_pci_attach_mmconfig(u64 base, u8 end_bus)
{
	return sim_mmio_bus_add(base, ((u64)end_bus + 1) << 20, mmconfig_read,
				mmconfig_write, NULL);
}
