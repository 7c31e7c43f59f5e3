/* SPDX-License-Identifier: GPL-2.0 */
/* Fake CPU state behind the VMX-related operations of asm/hw.h. */
#ifndef _SIM_CPU_HW_H
#define _SIM_CPU_HW_H

#include <asm/cpu_state.h>

void sim_cpu_hw_reset(void);
/* The state Linux leaves on this CPU; tests may change it before boot. */
struct x86_cpu_state *sim_linux_state(unsigned int cpu);
bool sim_cpu_in_vmx_operation(unsigned int cpu);
/* In VMX operation with a VMCS loaded by VMPTRLD: VMWRITE has a target. */
bool sim_cpu_has_current_vmcs(unsigned int cpu);
unsigned long sim_cpu_launches(unsigned int cpu);

/*
 * Checks the current VMCS as VM entry would; nonzero refuses the entry.
 * Without a hook every entry succeeds.
 */
extern int (*sim_vmentry_hook)(unsigned int cpu);
/*
 * CPUs whose VMXON fails (VMfailInvalid) although everything it checks is
 * right, as a CPU in SMX operation or with a bad microcode would: a CPU's
 * own init failing late, after it changed CR4 and took its pages.
 */
extern u64 sim_vmxon_refused_cpus;
/*
 * Checks the VMCB at vmcb_phys as VMRUN would; nonzero refuses it (and
 * sets its exit code to VMEXIT_INVALID). Without a hook every VMRUN
 * enters.
 */
extern int (*sim_vmrun_hook)(unsigned int cpu, u64 vmcb_phys);
/*
 * Where a CPU goes when the hypervisor hands it back to Linux (it does not
 * return): tests longjmp back to their harness. Without it the run aborts.
 */
extern void (*sim_resume_linux_hook)(unsigned int cpu)
	__attribute__((noreturn));
bool sim_cpu_resumed_linux(unsigned int cpu);
/* The CPU halted for good through hw_stop_cpu (the hook runs as well). */
bool sim_cpu_stopped(unsigned int cpu);

/* What the default (Intel) CPU answers. */
void sim_intel_cpuid(u32 leaf, u32 subleaf, u32 out[4]);
/* Replaces the simulated CPU's CPUID answers. */
extern void (*sim_cpuid_hook)(u32 leaf, u32 subleaf, u32 out[4]);

#endif
