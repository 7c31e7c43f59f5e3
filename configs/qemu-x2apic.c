// SPDX-License-Identifier: GPL-2.0
/*
 * System config for the QEMU TCG machine as real Intel servers run Linux:
 * qemu-svm's layout (SVM with nested paging, the VT-d unit, the hypervisor
 * on COM3), with the CPUs in x2APIC mode and Linux owning the unit's
 * interrupt remapping before the hypervisor comes (QEMU's
 * intel-iommu,intremap=on,eim=on; Linux without intremap=off).
 */
#define QEMU_VM_APIC_MODE JAILHOUSE_APIC_MODE_X2APIC
#define QEMU_VM_DEBUG_CONSOLE 0x3e8
#define QEMU_VM_NUM_PIO 2
#define QEMU_VM_PIO_REGIONS                                                    \
	{ .base = 0x0, .length = 0x3e8 },                                      \
	{ .base = 0x3f0, .length = 0x10000 - 0x3f0 },
#include "qemu-vm.c"
