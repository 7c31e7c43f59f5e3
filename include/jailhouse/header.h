/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The first bytes of jailhouse.bin, read and partly filled by the driver.
 *
 * The driver copies the image to the start of the hypervisor memory block,
 * maps the block into the kernel with execute permission wherever vmap puts
 * it, copies the system config to the block at core_size, fills online_cpus,
 * and calls entry (an offset from the image start) on every online CPU with
 * the Linux calling convention: int entry(unsigned int cpu_id). 0 means the
 * CPU now runs Linux as the root cell; a negative errno that enabling failed
 * and every CPU was rolled back. The image relocates itself: it runs at
 * whatever address the block was mapped to.
 */
#ifndef _JAILHOUSE_HEADER_H
#define _JAILHOUSE_HEADER_H

#include <jailhouse/types.h>

#define JAILHOUSE_IMAGE_SIGNATURE "JAILHOUS"

struct jailhouse_header {
	char signature[8];
	__u64 core_size; /* image including zeroed data, page aligned */
	__u64 entry; /* offset of the entry function */
	__u32 max_cpus; /* highest CPU id + 1 the image supports */
	__u32 online_cpus; /* set by the driver */
	/*
	 * Offset of the struct jailhouse_console_ring in the image, written by
	 * the image when it is entered (0 until then).
	 */
	__u64 console;
	__u64 reserved[3];
} __attribute__((packed));

#endif
