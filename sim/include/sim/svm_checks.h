/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated CPUs as AMD ones: their CPUID identity (SVM, nested
 * paging, ASIDs, no next-RIP saving, like QEMU's TCG) and the consistency
 * checks VMRUN applies to a VMCB (AMD64 APM Vol. 2, 15.5.1). Once
 * installed, a VMRUN (hw_vmrun) is refused exactly when a check fails,
 * the way hardware reports it: exit code VMEXIT_INVALID in the VMCB.
 *
 * The checker reads the VMCB through its own offsets, independent of the
 * hypervisor's asm/vmcb.h.
 */
#ifndef _SIM_SVM_CHECKS_H
#define _SIM_SVM_CHECKS_H

#include <stddef.h>
#include <core/types.h>

enum sim_cpu_model {
	SIM_CPU_INTEL, /* VMX, the default */
	SIM_CPU_AMD, /* SVM */
};

/* The model sim_devices_attach gives every CPU; tests set it first. */
extern enum sim_cpu_model sim_cpu_model;

/*
 * Makes the CPU an AMD one: CPUID, EFER and PAT of a 64-bit kernel, SVM
 * enabled in VM_CR, and every VMRUN checked by sim_svm_check_vmrun.
 */
void sim_svm_install(unsigned int cpu);

/*
 * Runs VMRUN's checks on the VMCB at vmcb_phys for the CPU. Returns 0 if
 * VMRUN would enter the guest, -1 otherwise, with the failed check in why
 * (which may be NULL).
 */
int sim_svm_check_vmrun(unsigned int cpu, u64 vmcb_phys, char *why,
			size_t len);

/* Why the last VMRUN the CPU refused was refused; "" if none was. */
const char *sim_svm_last_refusal(unsigned int cpu);

/* Whether the CPU's global interrupt flag is set (STGI since VMRUN). */
bool sim_svm_gif(unsigned int cpu);

/* NMIs let through by STGI/CLGI on the CPU (hw_svm_take_nmi). */
unsigned long sim_svm_nmis_taken(unsigned int cpu);

#endif
