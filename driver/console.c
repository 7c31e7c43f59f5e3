// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's console ring, copied out of its image when the memory
 * is Linux's again (after disable, or a failed enable, where it says why it
 * refused). While it runs the root cell has no access to that memory, so
 * readers see the previous copy and a follower waits for the disable.
 * Callers hold jailhouse_lock.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include <jailhouse/console-ring.h>
#include <jailhouse/header.h>

#include "jailhouse.h"

#define RING_SIZE JAILHOUSE_CONSOLE_RING_SIZE

/* The image while the hypervisor runs: root cannot read it then. */
static const void *image;
static u64 image_size;
static struct jailhouse_console_ring *saved;

void jailhouse_console_attach(const void *hv_image, u64 core_size)
{
	image = hv_image;
	image_size = core_size;
}

/* The memory is Linux's again: copy the ring out before it is unmapped. */
void jailhouse_console_detach(void)
{
	const struct jailhouse_header *hdr = image;
	u64 off;

	if (!image)
		return;
	off = hdr->console;
	image = NULL;
	if (!off || off > image_size - sizeof(*saved))
		return;
	if (!saved)
		saved = kmalloc(sizeof(*saved), GFP_KERNEL);
	if (saved)
		memcpy(saved, (const u8 *)hdr + off, sizeof(*saved));
}

void jailhouse_console_free(void)
{
	kfree(saved);
	saved = NULL;
}

bool jailhouse_console_live(void)
{
	return image != NULL;
}

size_t jailhouse_console_read(u64 *pos, char *buf, size_t size)
{
	const struct jailhouse_console_ring *ring = saved;
	u64 head, from = *pos;
	size_t n = 0;

	if (!ring)
		return 0;
	head = READ_ONCE(ring->head);
	smp_rmb(); /* the text up to head was written before head */
	if (head > RING_SIZE && from < head - RING_SIZE)
		from = head - RING_SIZE;
	if (from > head)
		from = head;
	while (from < head && n < size)
		buf[n++] = ring->text[from++ % RING_SIZE];
	*pos = from;
	return n;
}
