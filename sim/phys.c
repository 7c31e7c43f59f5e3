// SPDX-License-Identifier: GPL-2.0
/* Fake physical memory and the MMIO device bus of the simulator. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sim/phys.h>

static u8 *ram;
static u64 ram_size;
/*
 * Memory as a device that does not snoop CPU caches sees it: a line's
 * content as of the CPU's last flush of it. Never-flushed lines read as
 * all ones, stale data the device would find in memory.
 */
static u8 *device_view;
static u8 *line_flushed; /* a bit per cache line */

#define LINE 64

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

static void device_view_exit(void)
{
	if (device_view)
		munmap(device_view, ram_size);
	if (line_flushed)
		munmap(line_flushed, ram_size / LINE / 8);
	device_view = NULL;
	line_flushed = NULL;
}

static bool device_view_init(void)
{
	device_view = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	line_flushed = mmap(NULL, ram_size / LINE / 8, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			    0);
	if (device_view == MAP_FAILED || line_flushed == MAP_FAILED) {
		device_view = device_view == MAP_FAILED ? NULL : device_view;
		line_flushed = line_flushed == MAP_FAILED ? NULL : line_flushed;
		device_view_exit();
		return false;
	}
	return true;
}

void sim_phys_flush_line(u64 phys)
{
	u64 line = phys / LINE;

	if (!ram || phys >= ram_size)
		return;
	if (!device_view && !device_view_init())
		return;
	memcpy(device_view + line * LINE, ram + line * LINE, LINE);
	line_flushed[line / 8] |= 1U << (line % 8);
}

bool sim_phys_device_read(u64 phys, void *out, unsigned int len)
{
	u64 line = phys / LINE;
	bool flushed;

	if (!ram || phys >= ram_size || len > ram_size - phys ||
	    line != (phys + len - 1) / LINE)
		return false;
	flushed = line_flushed && line_flushed[line / 8] & (1U << (line % 8));
	if (flushed)
		memcpy(out, device_view + phys, len);
	else
		memset(out, 0xff, len);
	return true;
}

void sim_phys_exit(void)
{
	device_view_exit();
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
