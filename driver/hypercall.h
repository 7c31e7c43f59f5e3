/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypercalls from the root cell: VMCALL on Intel, VMMCALL on AMD, number in
 * RAX, arguments in RDI and RSI, result in RAX (include/jailhouse/hypercall.h).
 */
#ifndef _JAILHOUSE_DRIVER_HYPERCALL_H
#define _JAILHOUSE_DRIVER_HYPERCALL_H

#include <linux/types.h>

/* Set once at enable time from the boot CPU's vendor. */
extern bool jailhouse_use_vmmcall;

static inline long jailhouse_call(unsigned long nr, unsigned long arg1,
				  unsigned long arg2)
{
	long ret;

	if (jailhouse_use_vmmcall)
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"(nr), "D"(arg1), "S"(arg2)
			     : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"(nr), "D"(arg1), "S"(arg2)
			     : "memory");
	return ret;
}

#endif
