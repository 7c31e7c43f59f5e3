/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPUID leaves and the feature bits the hypervisor looks at or changes
 * (SDM volume 2, CPUID; AMD's APM volume 3, appendix E), one name each.
 */
#ifndef _ASM_CPUID_H
#define _ASM_CPUID_H

#define CPUID1_ECX_VMX (1U << 5)
#define CPUID1_ECX_X2APIC (1U << 21)
#define CPUID1_ECX_HYPERVISOR (1U << 31)

#define CPUID_XSAVE_LEAF 0xd

/* The hypervisor's own leaf, as hypervisors report themselves. */
#define CPUID_HV_LEAF 0x40000000

#define CPUID_EXT_MAX 0x80000000
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EXT_ECX_SVM (1U << 2)

/* AMD: SVM revision and features */
#define CPUID_SVM_FEATURES 0x8000000a
#define CPUID_SVM_EDX_NPT (1U << 0)

#endif
