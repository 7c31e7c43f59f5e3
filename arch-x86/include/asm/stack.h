/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU hypervisor stacks; shared by C and the entry assembly. */
#ifndef _ASM_STACK_H
#define _ASM_STACK_H

#define HV_STACK_SHIFT 14
#define HV_STACK_SIZE (1 << HV_STACK_SHIFT)
#define HV_MAX_STACKS 64

#endif
