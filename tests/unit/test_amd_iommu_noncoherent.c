// SPDX-License-Identifier: GPL-2.0
/* The test_amd_iommu.c suite once more, with units that do not snoop. */
#define AMDVI_SUITE amdvi_noncoherent
#define AMDVI_COHERENT false
#include "test_amd_iommu.c"
