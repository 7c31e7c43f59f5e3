// SPDX-License-Identifier: GPL-2.0
/*
 * System config for the QEMU TCG machine with AMD SVM: qemu-vm's layout
 * in xAPIC mode (TCG has no x2APIC) and without its VT-d unit, which the
 * hypervisor does not drive yet on that model (no coherent page walks).
 * The hypervisor warns loudly that DMA is not isolated.
 */
#define QEMU_VM_APIC_MODE JAILHOUSE_APIC_MODE_XAPIC
#define QEMU_VM_IOMMU_UNITS 0
#include "qemu-vm.c"
