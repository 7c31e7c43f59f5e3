/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the test cell configs in tests/configs.
 *
 * Every file here describes one cell (or, for root-partial-pio.c, one system)
 * meant for the qemu-vm system config. Unless its comment says otherwise, a
 * test cell runs on CPU 1, has 1 MiB of RAM taken from root's inmate area at
 * 0x3c600000 and seen at guest-physical 0, a comm region at guest 0x100000
 * and starts at 0xf0000 - the same shape as the demo cells, so that each file
 * breaks exactly the one rule it is named after and nothing else.
 *
 * The first line of each file reads "expect: CFG_..." inside a comment: the
 * code the hypervisor must answer with, either from the static checks in
 * src/config_check.c or, for rules that need the running system, from the
 * cell lifecycle code.
 */
#ifndef _TEST_CELL_TEMPLATE_H
#define _TEST_CELL_TEMPLATE_H

#include <jailhouse/cell-config.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Puts the one object of a file where the build extracts it from. */
#define TEST_CELL_SECTION __attribute__((section(".cell"), used))

/* Identification fields of a well-formed cell descriptor. */
#define TEST_CELL_IDENT                                                        \
	.signature = JAILHOUSE_CELL_DESC_SIGNATURE,                            \
	.revision = JAILHOUSE_CONFIG_REVISION,                                 \
	.architecture = JAILHOUSE_ARCH_X86

#define TEST_RESET_ADDRESS 0xf0000

#define TEST_RAM_FLAGS                                                         \
	(JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_EXECUTE |    \
	 JAILHOUSE_MEM_LOADABLE)
#define TEST_COMM_FLAGS                                                        \
	(JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_COMM_REGION)

/* 1 MiB of loadable RAM from phys, at guest-physical 0. */
#define TEST_RAM(phys)                                                         \
	{                                                                      \
		.phys_start = (phys), .virt_start = 0, .size = 0x100000,       \
		.flags = TEST_RAM_FLAGS,                                       \
	}

/* The comm region page at guest 0x100000. */
#define TEST_COMM                                                              \
	{                                                                      \
		.virt_start = 0x100000, .size = 0x1000,                        \
		.flags = TEST_COMM_FLAGS,                                      \
	}

/* The qemu-vm IOAPIC with the pins in bitmap word 0. */
#define TEST_IOAPIC(pins)                                                      \
	{                                                                      \
		.address = 0xfec00000, .id = 0xff00, .pin_base = 0,            \
		.pin_bitmap = { (pins), 0 },                                   \
	}

#define TEST_PCI_DEV(b, d, f)                                                  \
	{                                                                      \
		.type = JAILHOUSE_PCI_TYPE_DEVICE, .iommu = 0, .domain = 0,    \
		.bdf = JAILHOUSE_PCI_BDF(b, d, f),                             \
	}

#endif
