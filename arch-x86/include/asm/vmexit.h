/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C side of a VM exit on hardware: the entry stub saves the guest's
 * registers and calls x86_vmexit; what it returns to is VMRESUME.
 */
#ifndef _ASM_VMEXIT_H
#define _ASM_VMEXIT_H

#include <core/percpu.h>
#include <asm/cpu_state.h>

/*
 * Handles one exit of the calling CPU, whose registers the stub saved in
 * its per-CPU guest_regs and passes as regs (RSP stays in the VMCS; the
 * handlers that need it read and write it there), and returns them for the
 * resume. If the CPU may not run its guest, it waits here for requests. When the hypervisor is being disabled the CPU leaves for Linux
 * and this does not return.
 */
struct guest_regs *x86_vmexit(struct guest_regs *regs);
/* The same for SVM, called by the VMRUN loop after each #VMEXIT. */
struct guest_regs *x86_svm_vmexit(void);
/*
 * This CPU could not enter its guest (VMX already left) while others may
 * run theirs: they are sent back to Linux as by a disable, and this CPU
 * counts as gone.
 */
void x86_abandon_launch(struct per_cpu *cpu);

/* Forgets the CPUs that left with an earlier disable. */
void x86_vmexit_init(void);

/*
 * Leaves VMX operation on the calling CPU and continues Linux where it is:
 * the last CPU to leave tears the hypervisor down first.
 */
void x86_leave_hypervisor(struct per_cpu *cpu) __attribute__((noreturn));

#endif
