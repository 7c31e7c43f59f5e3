// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O permissions of cells. The bitmap has the polarity of the VMX I/O
 * bitmaps and the SVM permission map (set = intercept), so the arch layer
 * can hand it to the CPU as it is.
 */
#include <core/arch.h>
#include <core/cell.h>
#include <core/lib.h>
#include <core/page_pool.h>

#define NUM_PORTS 0x10000

u8 *pio_bitmap_alloc(void)
{
	u8 *bitmap = page_alloc(&mem_pool, PIO_BITMAP_PAGES);

	if (bitmap)
		memset(bitmap, 0xff, PIO_BITMAP_PAGES * PAGE_SIZE);
	return bitmap;
}

void pio_bitmap_free(u8 *bitmap)
{
	if (bitmap)
		page_free(&mem_pool, bitmap, PIO_BITMAP_PAGES);
}

void pio_set_range(u8 *bitmap, u32 base, u32 length, bool allowed)
{
	u32 port;

	for (port = base; port < base + length && port < NUM_PORTS; port++) {
		if (allowed && !arch_port_emulated((u16)port))
			bitmap[port / 8] &= ~(1 << (port % 8));
		else
			bitmap[port / 8] |= 1 << (port % 8);
	}
}

bool pio_range_allowed(const u8 *bitmap, u32 base, u32 length)
{
	u32 port;

	if (base + length > NUM_PORTS)
		return false;
	for (port = base; port < base + length; port++)
		if (bitmap[port / 8] & (1 << (port % 8)))
			return false;
	return true;
}
