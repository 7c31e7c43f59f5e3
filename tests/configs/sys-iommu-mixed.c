/* expect: CFG_ERR_IOMMU_TYPE */
// SPDX-License-Identifier: GPL-2.0
/*
 * A system config (qemu-amd) whose second unit is a VT-d unit beside the
 * AMD-Vi one: one driver serves all units of a system, so mixed types are
 * refused, naming the second unit (item 1).
 */
#define QEMU_AMD_NUM_UNITS 2
#define QEMU_AMD_SECOND_UNIT                                                   \
	{                                                                      \
		.type = JAILHOUSE_IOMMU_INTEL,                                 \
		.base = 0xfed90000,                                            \
		.size = 0x1000,                                                \
	},
#include "qemu-amd.c"
