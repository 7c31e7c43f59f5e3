/* SPDX-License-Identifier: GPL-2.0 */
/* The hypervisor's MSR policy (the registers: asm/msr-index.h). */
#ifndef _ASM_MSR_H
#define _ASM_MSR_H

#include <core/types.h>

/*
 * Writes a guest makes to its own CPU's state without the hypervisor: they
 * change nothing another CPU depends on, and some are frequent (timer, EOI,
 * speculation control on every context switch). Every other write exits.
 */
bool msr_write_passes_through(u32 msr);

#endif
