/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types for the public ABI. The kernel driver gets them from
 * <linux/types.h>; everything else (hypervisor, simulator, tools, inmates)
 * from the compiler's freestanding <stdint.h>.
 */
#ifndef _JAILHOUSE_ABI_TYPES_H
#define _JAILHOUSE_ABI_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int32_t __s32;
typedef int64_t __s64;
#endif

#endif
