/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the exit handlers need of the virtual CPU, independent of the vendor
 * extension underneath. Today VMX; the SVM backend will provide the same.
 */
#ifndef _ASM_VCPU_H
#define _ASM_VCPU_H

#include <asm/hw.h>
#include <asm/vmcs.h>
#include <asm/vmx.h>

#define X86_VECTOR_UD 6
#define X86_VECTOR_GP 13

static inline void vcpu_skip_instruction(struct per_cpu *cpu)
{
	vmx_skip_instruction(cpu);
}

static inline void vcpu_advance_rip(struct per_cpu *cpu, unsigned int length)
{
	vmx_advance_rip(cpu, length);
}

static inline void vcpu_inject_gp(struct per_cpu *cpu)
{
	vmx_inject_exception(cpu, X86_VECTOR_GP, 0);
}

static inline void vcpu_inject_ud(struct per_cpu *cpu)
{
	vmx_inject_exception(cpu, X86_VECTOR_UD, 0);
}

static inline void vcpu_inject_nmi(struct per_cpu *cpu)
{
	vmx_inject_nmi(cpu);
}

/* The power-on/INIT register state, starting at address in real mode. */
static inline void vcpu_reset(struct per_cpu *cpu, u64 address)
{
	vmx_vcpu_reset(cpu, address);
}

static inline void vcpu_reinject(struct per_cpu *cpu, u8 vector, u32 error)
{
	vmx_inject_exception(cpu, vector, error);
}

/* Guest state as the hardware holds it, and as the guest reads it. */
#define VCPU_ACCESSORS(name, field)                                            \
	static inline u64 vcpu_get_##name(void)                                \
	{                                                                      \
		return hw_vmread(field);                                       \
	}                                                                      \
	static inline void vcpu_set_##name(u64 value)                          \
	{                                                                      \
		hw_vmwrite(field, value);                                      \
	}
VCPU_ACCESSORS(cr0, VMCS_GUEST_CR0)
VCPU_ACCESSORS(cr0_shadow, VMCS_CR0_READ_SHADOW)
VCPU_ACCESSORS(cr3, VMCS_GUEST_CR3)
VCPU_ACCESSORS(cr4, VMCS_GUEST_CR4)
VCPU_ACCESSORS(cr4_shadow, VMCS_CR4_READ_SHADOW)
VCPU_ACCESSORS(efer, VMCS_GUEST_EFER)
VCPU_ACCESSORS(pat, VMCS_GUEST_PAT)
VCPU_ACCESSORS(rip, VMCS_GUEST_RIP)
VCPU_ACCESSORS(rsp, VMCS_GUEST_RSP)
VCPU_ACCESSORS(cs_base, VMCS_GUEST_CS_BASE)
VCPU_ACCESSORS(cs_access_rights, VMCS_GUEST_CS_AR_BYTES)

/* The guest runs in IA-32e mode from the next VM entry on, or not. */
static inline void vcpu_set_long_mode(bool on)
{
	u64 ctls = hw_vmread(VMCS_ENTRY_CTLS);

	hw_vmwrite(VMCS_ENTRY_CTLS, on ? ctls | ENTRY_IA32E_MODE_GUEST :
					 ctls & ~(u64)ENTRY_IA32E_MODE_GUEST);
}

/* PAE paging outside long mode: the PDPTEs the CPU loaded. */
static inline void vcpu_get_pdptes(u64 pdpte[4])
{
	unsigned int n;

	for (n = 0; n < 4; n++)
		pdpte[n] = hw_vmread(VMCS_GUEST_PDPTE0 + 2 * n);
}

#endif
