/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers of the image's bring-up (arch-x86/hw/), not in the simulator. */
#ifndef _ASM_BOOT_H
#define _ASM_BOOT_H

#include <asm/cpu_state.h>

void x86_read_cpu_state(struct x86_cpu_state *state);
void x86_enter_hv_address_space(unsigned int cpu_id);
void x86_leave_hv_address_space(unsigned int cpu_id);

#endif
