/* expect: CFG_ERR_IOMMU_CLAIMED */
// SPDX-License-Identifier: GPL-2.0
/*
 * A system config (qemu-amd) whose AMD-Vi unit is PCI function 00:02.0,
 * which root lists among its devices: root could then move the unit's
 * registers and route its events through the unit's capabilities. Refused
 * naming root's device (item 2) and the unit (other 0).
 */
#define QEMU_AMD_IOMMU_BDF JAILHOUSE_PCI_BDF(0, 2, 0)
#include "qemu-amd.c"
