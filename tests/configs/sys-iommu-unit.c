/* expect: CFG_ERR_IOMMU_UNIT */
// SPDX-License-Identifier: GPL-2.0
/*
 * A system config (qemu-amd) whose AMD-Vi unit claims 4 KiB of registers:
 * its command buffer and event log pointers lie at 0x2000 and beyond, so
 * the unit's description is refused (item 0, the unit).
 */
#define QEMU_AMD_UNIT_SIZE 0x1000
#include "qemu-amd.c"
