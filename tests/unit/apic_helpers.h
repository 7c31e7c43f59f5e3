/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the APIC and IOAPIC tests: a cell with two CPUs and two IOAPIC
 * pins, and the steps of the exit path these tests stand in for.
 */
#ifndef _TEST_APIC_HELPERS_H
#define _TEST_APIC_HELPERS_H

#include <core/types.h>

#define DUO_NAME "duo"
#define DUO_CPU_A 2
#define DUO_CPU_B 3
#define DUO_PIN_A 5
#define DUO_PIN_B 6
#define IOAPIC_BASE 0xfec00000ULL

/* Boots qemu-vm, in xAPIC mode if asked, with every CPU's APIC set up. */
void apic_test_boot(bool xapic);
/*
 * Creates and starts "duo" (CPUs 2 and 3, pins 5 and 6); its id. The fake
 * APICs' record of IPIs starts empty after it.
 */
long duo_start(void);
/* Occurrences of text in the hypervisor log. */

#endif
