// SPDX-License-Identifier: GPL-2.0
/* Fake physical memory and the MMIO device bus of the simulator. */
#include <errno.h>
#include <sys/mman.h>
#include <sim/phys.h>

static u8 *ram;
static u64 ram_size;

struct mmio_device {
	u64 base, size;
	sim_mmio_read_fn read;
	sim_mmio_write_fn write;
	void *opaque;
};

#define MAX_MMIO_DEVICES 32
static struct mmio_device devices[MAX_MMIO_DEVICES];
static unsigned int num_devices;

int sim_phys_init(u64 size)
{
	sim_phys_exit();
	/* Untouched pages cost nothing: the host maps them on first use. */
	ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED) {
		ram = NULL;
		return -ENOMEM;
	}
	ram_size = size;
	return 0;
}

void sim_phys_exit(void)
{
	if (ram)
		munmap(ram, ram_size);
	ram = NULL;
	ram_size = 0;
	sim_mmio_bus_reset();
}

u64 sim_phys_ram_size(void)
{
	return ram_size;
}

void *sim_phys_ptr(u64 phys, u64 len)
{
	if (!ram || phys >= ram_size || len > ram_size - phys)
		return NULL;
	return ram + phys;
}

u64 sim_phys_addr(const void *ptr)
{
	return (u64)((const u8 *)ptr - ram);
}

int sim_mmio_bus_add(u64 base, u64 size, sim_mmio_read_fn read,
		     sim_mmio_write_fn write, void *opaque)
{
	unsigned int i;

	for (i = 0; i < num_devices; i++)
		if (base < devices[i].base + devices[i].size &&
		    devices[i].base < base + size)
			return -EEXIST;
	if (num_devices == MAX_MMIO_DEVICES)
		return -ENOMEM;
	devices[num_devices++] = (struct mmio_device){ base, size, read, write,
						       opaque };
	return 0;
}

void sim_mmio_bus_reset(void)
{
	num_devices = 0;
}

bool sim_mmio_bus_access(u64 phys, unsigned int size, bool is_write,
			 u64 *value)
{
	struct mmio_device *dev;
	unsigned int i;

	for (i = 0; i < num_devices; i++) {
		dev = &devices[i];
		if (phys < dev->base || phys + size > dev->base + dev->size)
			continue;
		if (is_write)
			dev->write(dev->opaque, phys - dev->base, size, *value);
		else
			*value = dev->read(dev->opaque, phys - dev->base, size);
		return true;
	}
	return false;
}
