/* expect: CFG_OK */
// SPDX-License-Identifier: GPL-2.0
/*
 * A system config: the qemu-vm one, except that its root cell does not get
 * COM2's ports 0x2f8-0x2ff. In the real qemu-vm root owns every port, which
 * leaves bad-pio-not-root.cell nothing to break; with this root it does.
 */
#define QEMU_VM_NUM_PIO 2
#define QEMU_VM_PIO_REGIONS                                                    \
	{ .base = 0x0, .length = 0x2f8 }, { .base = 0x300, .length = 0xfd00 },

#include "qemu-vm.c"
