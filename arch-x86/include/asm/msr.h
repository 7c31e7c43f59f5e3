/* SPDX-License-Identifier: GPL-2.0 */
/* Model-specific registers the hypervisor handles, and its MSR policy. */
#ifndef _ASM_MSR_H
#define _ASM_MSR_H

#include <core/types.h>

#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_SPEC_CTRL 0x48
#define MSR_IA32_PRED_CMD 0x49
#define MSR_IA32_BIOS_UPDT_TRIG 0x79
#define MSR_IA32_FLUSH_CMD 0x10b
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_PAT 0x277
#define MSR_IA32_MTRR_DEF_TYPE 0x2ff
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_TPR 0x808
#define MSR_X2APIC_EOI 0x80b
#define MSR_X2APIC_SVR 0x80f
#define MSR_X2APIC_ESR 0x828
#define MSR_X2APIC_LVT_CMCI 0x82f
#define MSR_X2APIC_ICR 0x830
#define MSR_X2APIC_LVT_TIMER 0x832
#define MSR_X2APIC_LVT_ERROR 0x837
#define MSR_X2APIC_TIMER_INIT 0x838
#define MSR_X2APIC_TIMER_DIVIDE 0x83e
#define MSR_X2APIC_SELF_IPI 0x83f
#define MSR_X2APIC_LAST 0x8ff
#define MSR_VMX_FIRST 0x480
#define MSR_VMX_LAST 0x491
#define MSR_IA32_EFER 0xc0000080
#define MSR_IA32_STAR 0xc0000081
#define MSR_IA32_LSTAR 0xc0000082
#define MSR_IA32_CSTAR 0xc0000083
#define MSR_IA32_FMASK 0xc0000084
#define MSR_IA32_FS_BASE 0xc0000100
#define MSR_IA32_GS_BASE 0xc0000101
#define MSR_IA32_KERNEL_GS_BASE 0xc0000102
#define MSR_IA32_TSC_AUX 0xc0000103

/*
 * Writes a guest makes to its own CPU's state without the hypervisor: they
 * change nothing another CPU depends on, and some are frequent (timer, EOI,
 * speculation control on every context switch). Every other write exits.
 */
bool msr_write_passes_through(u32 msr);

#endif
