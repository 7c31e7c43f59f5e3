/* expect: CFG_ERR_IOMMU_SCOPE */
// SPDX-License-Identifier: GPL-2.0
/*
 * A system config (qemu-amd) whose AMD-Vi unit covers device ids up to
 * 00:1e.7 only, while root lists 00:1f.0 behind it: no unit would
 * translate that device. Refused naming root's device (item 4).
 */
#define QEMU_AMD_LAST_DEVICE JAILHOUSE_PCI_BDF(0, 0x1e, 7)
#include "qemu-amd.c"
