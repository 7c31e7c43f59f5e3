/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated CPUs' VMX capabilities and the VM-entry checks of the Intel
 * SDM (vol. 3, "Checks on VMX Controls and Host-State Area" and "Checking and
 * Loading Guest State") that apply to this hypervisor. Once installed, a VM
 * entry on a simulated CPU (hw_vmlaunch) is refused exactly when the checks
 * find a fault, and reported the way hardware does:
 *
 *  - controls or host state: VMfailValid with VM-instruction error 7 or 8;
 *  - guest state: the VM exit "VM-entry failure due to invalid guest state"
 *    (exit reason 0x80000021, qualification 0, or 4 for a bad VMCS link
 *    pointer). Hardware delivers that exit at the host RIP; the simulator
 *    returns it from hw_vmlaunch instead, so it clears the VM-instruction
 *    error to let the caller tell the two apart.
 *
 * The checker keeps its own VMCS field encodings, independent of the
 * hypervisor's headers, and reads the capability MSRs of the CPU at every
 * check, so tests remove a capability with sim_msr_set.
 */
#ifndef _SIM_VMX_CHECKS_H
#define _SIM_VMX_CHECKS_H

#include <stddef.h>
#include <core/types.h>

/* What a refused entry reports (VM-instruction error, basic exit reason). */
enum sim_vmentry_result {
	SIM_VMENTRY_OK = 0,
	SIM_VMENTRY_BAD_CONTROLS = 7,
	SIM_VMENTRY_BAD_HOST = 8,
	SIM_VMENTRY_BAD_GUEST = 33,
};

#define SIM_EXIT_REASON_ENTRY_FAILURE (1U << 31)
#define SIM_EXIT_QUAL_BAD_LINK_POINTER 4

/* Capability MSR values of one CPU model, plus its address widths. */
struct sim_vmx_caps {
	u64 feature_control;
	u64 basic;
	u64 pinbased_ctls, procbased_ctls, procbased_ctls2;
	u64 exit_ctls, entry_ctls;
	u64 true_pinbased_ctls, true_procbased_ctls;
	u64 true_exit_ctls, true_entry_ctls;
	u64 misc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 vmcs_enum;
	u64 ept_vpid_cap;
	u64 vmfunc;
	unsigned int phys_addr_bits; /* MAXPHYADDR */
	unsigned int linear_addr_bits;
};

/* A Skylake-class CPU: true controls, EPT, VPID, unrestricted guest... */
const struct sim_vmx_caps *sim_vmx_skylake_caps(void);

/*
 * Gives the CPU the Skylake-class capability MSRs, and EFER and PAT of a
 * 64-bit kernel, and makes every VM entry of every simulated CPU go
 * through sim_vmx_check_entry.
 */
void sim_vmx_install(unsigned int cpu);

/*
 * Runs the VM-entry checks on the CPU's VMCS. Returns 0 (SIM_VMENTRY_OK) if
 * the entry is allowed, otherwise the enum sim_vmentry_result value of what
 * hardware reports, with the VMCS's VM-instruction error or exit reason and
 * qualification set accordingly, and a sentence naming the failed check in
 * why (which may be NULL).
 */
int sim_vmx_check_entry(unsigned int cpu, char *why, size_t len);

/* Why the last entry the CPU refused was refused; "" if none was. */
const char *sim_vmx_last_refusal(unsigned int cpu);

#endif
