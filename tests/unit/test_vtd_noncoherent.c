// SPDX-License-Identifier: GPL-2.0
/* The test_vtd.c suite once more, with units whose walks are not coherent. */
#define VTD_SUITE vtd_noncoherent
#define VTD_COHERENT false
#include "test_vtd.c"
