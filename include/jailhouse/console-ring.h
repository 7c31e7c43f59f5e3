/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's console buffer, as the driver reads it: a ring inside the
 * image, at the offset the image writes into its header (console) when it
 * is entered. Every line the hypervisor logs is in it.
 */
#ifndef _JAILHOUSE_CONSOLE_RING_H
#define _JAILHOUSE_CONSOLE_RING_H

#include <jailhouse/types.h>

#define JAILHOUSE_CONSOLE_RING_SIZE 8192

struct jailhouse_console_ring {
	/*
	 * Bytes written since the image was entered; the next one goes to
	 * text[head % JAILHOUSE_CONSOLE_RING_SIZE]. Written after the text it
	 * covers, so a reader that sees a head value may read up to it.
	 */
	volatile __u64 head;
	char text[JAILHOUSE_CONSOLE_RING_SIZE];
};

#endif
