/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX features the hypervisor cannot run without, as lists of
 * (capability MSR, bits that must all be set, name). vmx.c refuses a CPU
 * that lacks one; `jailhouse hardware check` (tools/hwcheck.c) reports
 * them from the same lists, so both always agree on what is required.
 * Each list takes a macro X(msr, bits, name) to expand every entry.
 */
#ifndef _ASM_VMX_FEATURES_H
#define _ASM_VMX_FEATURES_H

#include <asm/msr-index.h>
#include <asm/vmcs.h>

/* The control is allowed to be 1: the upper half of its capability MSR. */
#define VMX_ALLOWED1(ctl) ((unsigned long long)(ctl) << 32)

/* Primary, pin-based, exit and entry controls. */
#define VMX_CONTROL_FEATURES(X)                                                \
	X(MSR_IA32_VMX_PROCBASED_CTLS,                                         \
	  VMX_ALLOWED1(PROC_ACTIVATE_SECONDARY),                               \
	  "secondary VM-execution controls")                                   \
	X(MSR_IA32_VMX_PROCBASED_CTLS, VMX_ALLOWED1(PROC_USE_IO_BITMAPS),      \
	  "I/O bitmaps")                                                       \
	X(MSR_IA32_VMX_PROCBASED_CTLS, VMX_ALLOWED1(PROC_USE_MSR_BITMAPS),     \
	  "MSR bitmaps")                                                       \
	X(MSR_IA32_VMX_PINBASED_CTLS, VMX_ALLOWED1(PIN_NMI_EXITING),           \
	  "NMI exiting")                                                       \
	X(MSR_IA32_VMX_PINBASED_CTLS, VMX_ALLOWED1(PIN_PREEMPTION_TIMER),      \
	  "VMX preemption timer")                                              \
	X(MSR_IA32_VMX_EXIT_CTLS, VMX_ALLOWED1(EXIT_HOST_ADDR_SPACE_SIZE),     \
	  "64-bit host on VM exit")                                            \
	X(MSR_IA32_VMX_EXIT_CTLS,                                              \
	  VMX_ALLOWED1(EXIT_SAVE_EFER | EXIT_LOAD_EFER),                       \
	  "EFER switching on VM exit")                                         \
	X(MSR_IA32_VMX_EXIT_CTLS, VMX_ALLOWED1(EXIT_SAVE_PAT | EXIT_LOAD_PAT), \
	  "PAT switching on VM exit")                                          \
	X(MSR_IA32_VMX_ENTRY_CTLS, VMX_ALLOWED1(ENTRY_IA32E_MODE_GUEST),       \
	  "IA-32e mode guest")                                                 \
	X(MSR_IA32_VMX_ENTRY_CTLS,                                             \
	  VMX_ALLOWED1(ENTRY_LOAD_EFER | ENTRY_LOAD_PAT),                      \
	  "EFER and PAT loading on VM entry")

/* Secondary controls: their MSR exists only with the first list's first. */
#define VMX_SECONDARY_FEATURES(X)                                              \
	X(MSR_IA32_VMX_PROCBASED_CTLS2, VMX_ALLOWED1(PROC2_ENABLE_EPT), "EPT") \
	X(MSR_IA32_VMX_PROCBASED_CTLS2,                                        \
	  VMX_ALLOWED1(PROC2_UNRESTRICTED_GUEST), "unrestricted guest")

/* EPT capabilities: their MSR exists only with EPT. */
#define VMX_EPT_FEATURES(X)                                                    \
	X(MSR_IA32_VMX_EPT_VPID_CAP, EPT_CAP_WALK_LENGTH_4,                    \
	  "EPT 4-level page walk")                                             \
	X(MSR_IA32_VMX_EPT_VPID_CAP, EPT_CAP_WB,                               \
	  "EPT write-back memory type")                                        \
	X(MSR_IA32_VMX_EPT_VPID_CAP, EPT_CAP_INVEPT, "INVEPT")                 \
	X(MSR_IA32_VMX_EPT_VPID_CAP, EPT_CAP_INVEPT_SINGLE,                    \
	  "INVEPT single-context")                                             \
	X(MSR_IA32_VMX_EPT_VPID_CAP, EPT_CAP_INVEPT_ALL, "INVEPT all-context")

#endif
