/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the exit handlers need of the virtual CPU, independent of the vendor
 * extension underneath: Intel VMX (a VMCS, read and written through
 * VMREAD/VMWRITE) or AMD SVM (a VMCB in memory). The vendor is chosen once,
 * at enable time (x86_detect_vendor), and every accessor branches on it.
 */
#ifndef _ASM_VCPU_H
#define _ASM_VCPU_H

#include <core/percpu.h>
#include <asm/hw.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>
#include <asm/trapnr.h>
#include <asm/vmcs.h>
#include <asm/vmx.h>

enum x86_vendor {
	X86_VMX = 0,
	X86_SVM,
};

extern enum x86_vendor x86_vendor;

/*
 * Picks the extension from the CPU's vendor: SVM on AMD (and Hygon), VMX
 * everywhere else. Called once before any CPU is set up.
 */
void x86_detect_vendor(void);

/*
 * Enters the guest built by arch_cpu_init on the calling CPU; returns only
 * if the CPU refused it (the reason in the log, the CPU back to Linux).
 */
int x86_cpu_activate(struct per_cpu *cpu);

/* VMX is the hot path the benchmarks hold to its targets. */
static inline bool vcpu_is_svm(void)
{
	return __builtin_expect(x86_vendor != X86_VMX, 0);
}

/*
 * The same for a CPU at hand: its own flag, next to what the handler is
 * reading anyway. Set from svm_cpu_init until svm_cpu_exit.
 */
static inline bool cpu_is_svm(const struct per_cpu *cpu)
{
	return __builtin_expect(cpu->arch.svm_on, 0);
}

static inline void vcpu_skip_instruction(struct per_cpu *cpu)
{
	if (cpu_is_svm(cpu))
		svm_skip_instruction(cpu);
	else
		vmx_skip_instruction(cpu);
}

static inline void vcpu_advance_rip(struct per_cpu *cpu, unsigned int length)
{
	if (cpu_is_svm(cpu))
		svm_advance_rip(cpu, length);
	else
		vmx_advance_rip(cpu, length);
}

static inline void vcpu_reinject(struct per_cpu *cpu, u8 vector, u32 error)
{
	if (cpu_is_svm(cpu))
		svm_inject_exception(cpu, vector, error);
	else
		vmx_inject_exception(cpu, vector, error);
}

static inline void vcpu_inject_gp(struct per_cpu *cpu)
{
	vcpu_reinject(cpu, X86_VECTOR_GP, 0);
}

static inline void vcpu_inject_ud(struct per_cpu *cpu)
{
	vcpu_reinject(cpu, X86_VECTOR_UD, 0);
}

static inline void vcpu_inject_nmi(struct per_cpu *cpu)
{
	if (cpu_is_svm(cpu))
		svm_inject_nmi(cpu);
	else
		vmx_inject_nmi(cpu);
}

/* The power-on/INIT register state, starting at address in real mode. */
static inline void vcpu_reset(struct per_cpu *cpu, u64 address)
{
	if (cpu_is_svm(cpu))
		svm_vcpu_reset(cpu, address);
	else
		vmx_vcpu_reset(cpu, address);
}

/*
 * The CPU stays in the hypervisor (parked, or waiting for a SIPI); VMX
 * also records the guest as halted, so a stray entry would not run it.
 */
static inline void vcpu_set_halted(bool halted)
{
	if (!vcpu_is_svm())
		hw_vmwrite(VMCS_GUEST_ACTIVITY_STATE,
			   halted ? GUEST_ACTIVITY_HLT : GUEST_ACTIVITY_ACTIVE);
}

/* Lets one interrupt pending at this CPU's local APIC be taken. */
static inline void vcpu_take_interrupt(const struct per_cpu *cpu)
{
	if (cpu_is_svm(cpu))
		hw_svm_take_interrupt();
	else
		hw_take_interrupt();
}

/* Real mode at segment:0, as a SIPI's vector names it. */
static inline void vcpu_start_at_segment(struct per_cpu *cpu, u64 base)
{
	if (cpu_is_svm(cpu))
		svm_start_at_segment(cpu, base);
	else
		vmx_start_at_segment(cpu, base);
}

/* Loads the nested page tables and I/O bitmap of the CPU's cell. */
static inline void vcpu_load_cell(struct per_cpu *cpu)
{
	if (cpu_is_svm(cpu))
		svm_load_cell(cpu);
	else
		vmx_load_cell(cpu);
}

/* Drops every cached translation of the nested page tables on this CPU. */
static inline void vcpu_flush_all(struct per_cpu *cpu)
{
	if (cpu_is_svm(cpu))
		svm_flush_all(cpu);
	else
		hw_invept(INVEPT_ALL_CONTEXTS, 0);
}

static inline struct vmcb *vcpu_vmcb(void)
{
	return per_cpu(hw_this_cpu_id())->arch.vmcb;
}

/*
 * Guest state as the hardware holds it, and as the guest reads it. SVM
 * owns no bits of CR0 and CR4, so their shadows are the registers.
 */
#define VCPU_ACCESSORS(name, field, svm_field)                                 \
	static inline u64 vcpu_get_##name(void)                                \
	{                                                                      \
		if (vcpu_is_svm())                                             \
			return vcpu_vmcb()->svm_field;                         \
		return hw_vmread(field);                                       \
	}                                                                      \
	static inline void vcpu_set_##name(u64 value)                          \
	{                                                                      \
		if (vcpu_is_svm())                                             \
			vcpu_vmcb()->svm_field = value;                        \
		else                                                           \
			hw_vmwrite(field, value);                              \
	}
VCPU_ACCESSORS(cr0, VMCS_GUEST_CR0, save.cr0)
VCPU_ACCESSORS(cr0_shadow, VMCS_CR0_READ_SHADOW, save.cr0)
VCPU_ACCESSORS(cr3, VMCS_GUEST_CR3, save.cr3)
VCPU_ACCESSORS(cr4, VMCS_GUEST_CR4, save.cr4)
VCPU_ACCESSORS(cr4_shadow, VMCS_CR4_READ_SHADOW, save.cr4)
VCPU_ACCESSORS(pat, VMCS_GUEST_PAT, save.g_pat)
VCPU_ACCESSORS(rip, VMCS_GUEST_RIP, save.rip)
VCPU_ACCESSORS(rsp, VMCS_GUEST_RSP, save.rsp)
VCPU_ACCESSORS(cs_base, VMCS_GUEST_CS_BASE, save.cs.base)

/* EFER as the guest sees it: SVM's own enable bit stays hidden. */
static inline u64 vcpu_get_efer(void)
{
	if (vcpu_is_svm())
		return vcpu_vmcb()->save.efer & ~EFER_SVME;
	return hw_vmread(VMCS_GUEST_EFER);
}

static inline void vcpu_set_efer(u64 value)
{
	if (vcpu_is_svm())
		vcpu_vmcb()->save.efer = value | EFER_SVME;
	else
		hw_vmwrite(VMCS_GUEST_EFER, value);
}

/* CS access rights in the VMX layout (type, S, DPL, P, AVL, L, D/B, G). */
static inline u64 vcpu_get_cs_access_rights(void)
{
	if (vcpu_is_svm())
		return svm_attrib_to_access_rights(vcpu_vmcb()->save.cs.attrib);
	return hw_vmread(VMCS_GUEST_CS_AR_BYTES);
}

/*
 * The guest runs in IA-32e mode from the next VM entry on, or not. VMX
 * must be told; SVM follows EFER.LMA in the VMCB.
 */
static inline void vcpu_set_long_mode(bool on)
{
	u64 ctls;

	if (vcpu_is_svm())
		return;
	ctls = hw_vmread(VMCS_ENTRY_CTLS);
	hw_vmwrite(VMCS_ENTRY_CTLS, on ? ctls | ENTRY_IA32E_MODE_GUEST :
					 ctls & ~(u64)ENTRY_IA32E_MODE_GUEST);
}

/*
 * PAE paging outside long mode: the PDPTEs the CPU loaded, where it keeps
 * them (VMX). False where it reads them from guest memory (SVM).
 */
static inline bool vcpu_get_pdptes(u64 pdpte[4])
{
	unsigned int n;

	if (vcpu_is_svm())
		return false;
	for (n = 0; n < 4; n++)
		pdpte[n] = hw_vmread(VMCS_GUEST_PDPTE0 + 2 * n);
	return true;
}

#endif
