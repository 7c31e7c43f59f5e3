// SPDX-License-Identifier: GPL-2.0
/*
 * The whole cell lifecycle suite once more on AMD CPUs: SVM with nested
 * paging, the VMCB checked by the simulator's VMRUN, the cells' memory
 * read back through the simulator's own nested-page-table walker.
 */
#define LIFECYCLE lifecycle_svm
#define LIFECYCLE_CPU SIM_CPU_AMD
#include "test_lifecycle.c"
