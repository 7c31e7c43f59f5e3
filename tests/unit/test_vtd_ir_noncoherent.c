// SPDX-License-Identifier: GPL-2.0
/* The test_vtd_ir.c suite once more, with units whose walks are not coherent. */
#define VTD_IR_SUITE vtd_ir_noncoherent
#define VTD_COHERENT false
#include "test_vtd_ir.c"
