// SPDX-License-Identifier: GPL-2.0
/*
 * System config for the QEMU TCG machine with AMD SVM: qemu-vm's layout,
 * VT-d unit included, in xAPIC mode (TCG has no x2APIC).
 *
 * The hypervisor's console is the third UART (COM3, 0x3e8), which root
 * does not get: on TCG an inmate printing through the hypervisor at 10 Hz
 * (apic-demo) would otherwise cut into the lines of Linux's console on
 * COM1, character by character.
 */
#define QEMU_VM_APIC_MODE JAILHOUSE_APIC_MODE_XAPIC
#define QEMU_VM_DEBUG_CONSOLE 0x3e8
#define QEMU_VM_NUM_PIO 2
#define QEMU_VM_PIO_REGIONS                                                    \
	{ .base = 0x0, .length = 0x3e8 },                                      \
	{ .base = 0x3f0, .length = 0x10000 - 0x3f0 },
#include "qemu-vm.c"
