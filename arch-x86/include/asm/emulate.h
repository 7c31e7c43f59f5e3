/* SPDX-License-Identifier: GPL-2.0 */
/* Emulation of the instructions that always trap: CPUID and XSETBV. */
#ifndef _ASM_EMULATE_H
#define _ASM_EMULATE_H

#include <asm/cpu_state.h>

/* What the exit path does after an emulation. */
enum x86_action {
	X86_ACTION_DONE, /* skip the instruction, resume the guest */
	X86_ACTION_INJECT_GP, /* raise #GP(0) in the guest */
	X86_ACTION_INJECT_UD, /* raise #UD in the guest */
	X86_ACTION_FAIL, /* the hypervisor cannot go on with this CPU */
};

/*
 * CPUID as the CPU answers it, except: VMX is hidden (no cell may nest a
 * hypervisor), the hypervisor-present bit is set, and leaf 0x40000000 names
 * this hypervisor.
 */
void x86_emulate_cpuid(struct guest_regs *regs);
/* XSETBV with the guest's CR4, validated against what the CPU supports. */
enum x86_action x86_emulate_xsetbv(struct guest_regs *regs, u64 guest_cr4);

struct per_cpu;
struct x86_exit;
/* MOV to CR0/CR4, CLTS and LMSW on bits the hypervisor owns. */
enum x86_action x86_emulate_cr_access(struct per_cpu *cpu,
				      const struct x86_exit *exit);
/* RDMSR and WRMSR the MSR bitmap intercepts, by the cell's policy. */
enum x86_action x86_msr_read(struct per_cpu *cpu, u32 msr, u64 *value);
enum x86_action x86_msr_write(struct per_cpu *cpu, u32 msr, u64 value);

#endif
