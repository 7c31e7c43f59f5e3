/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers of the image's bring-up (arch-x86/hw/), not in the simulator. */
#ifndef _ASM_BOOT_H
#define _ASM_BOOT_H

#include <asm/cpu_state.h>

/* After LGDT: CS through a far return, then SS, from the new table. */
static inline void x86_reload_cs_ss(u64 cs, u32 ss)
{
	asm volatile("pushq %0\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\tmov %1, %%eax\n\t"
		     "mov %%eax, %%ss"
		     :
		     : "r"(cs), "r"(ss)
		     : "rax", "memory");
}

void x86_read_cpu_state(struct x86_cpu_state *state);
void x86_enter_hv_address_space(unsigned int cpu_id);
void x86_leave_hv_address_space(unsigned int cpu_id);
/* Linux's CR3 and GDT, and its CS and SS reloaded from that GDT. */
void x86_load_linux_address_space(const struct x86_cpu_state *s);
/* Linux's IDT: from then on its handlers take this CPU's NMIs. */
void x86_load_linux_idt(const struct x86_cpu_state *s);

#endif
