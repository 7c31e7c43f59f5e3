/* expect: CFG_ERR_TRUNCATED */
// SPDX-License-Identifier: GPL-2.0
/*
 * Sixteen bytes that begin like a cell config and stop long before the end
 * of the 92-byte descriptor.
 */
#include "cell-template.h"

static const char config[16] TEST_CELL_SECTION = JAILHOUSE_CELL_DESC_SIGNATURE;
