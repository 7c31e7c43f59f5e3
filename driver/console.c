// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's console ring. While the hypervisor runs, the root cell
 * has no access to its memory: the ring comes a page at a time through
 * JAILHOUSE_HC_CONSOLE_READ. Once the memory is Linux's again (after
 * disable, or a failed enable, where it says why it refused) the ring is
 * copied out of the image and read from the copy. Callers hold
 * jailhouse_lock, so no read meets an enable or disable half done.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <jailhouse/console-ring.h>
#include <jailhouse/header.h>
#include <jailhouse/hypercall.h>

#include "hypercall.h"
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

/* From the running hypervisor: as much as it has, up to size bytes. */
static size_t read_live(u64 *pos, char *buf, size_t size)
{
	struct jailhouse_console_page *page;
	size_t n = 0, part;

	page = (struct jailhouse_console_page *)__get_free_page(GFP_KERNEL);
	if (!page)
		return 0;
	while (n < size) {
		page->from = *pos;
		if (jailhouse_call(JAILHOUSE_HC_CONSOLE_READ,
				   virt_to_phys(page), 0) ||
		    !page->count)
			break;
		part = min_t(size_t, page->count, size - n);
		memcpy(buf + n, page->text, part);
		n += part;
		*pos = page->next - page->count + part;
	}
	free_page((unsigned long)page);
	return n;
}

size_t jailhouse_console_read(u64 *pos, char *buf, size_t size)
{
	const struct jailhouse_console_ring *ring = saved;
	u64 head, from = *pos;
	size_t n = 0;

	if (image)
		return read_live(pos, buf, size);
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
