// SPDX-License-Identifier: GPL-2.0
/* CPUID emulation: the CPU's own answers, adjusted for life in a cell. */
#include <asm/apic.h>
#include <asm/cpuid.h>
#include <asm/emulate.h>
#include <asm/hw.h>

/* "Jailhouse" in EBX, ECX, EDX, as hypervisors report themselves. */
#define SIGNATURE_EBX 0x6c69614a /* "Jail" */
#define SIGNATURE_ECX 0x73756f68 /* "hous" */
#define SIGNATURE_EDX 0x00000065 /* "e" */

static inline void set_result(struct guest_regs *regs, const u32 out[4])
{
	/* 32-bit results zero-extend into the 64-bit registers. */
	regs->gp[REG_RAX] = out[0];
	regs->gp[REG_RBX] = out[1];
	regs->gp[REG_RCX] = out[2];
	regs->gp[REG_RDX] = out[3];
}

static const u32 hypervisor_leaf[4] = { CPUID_HV_LEAF, SIGNATURE_EBX,
					SIGNATURE_ECX, SIGNATURE_EDX };
static const u32 empty_leaf[4];

/*
 * VMX is the hypervisor's. x2APIC is offered only where the system runs
 * in it: every CPU keeps the mode the hypervisor found, so a cell that
 * believed it could switch would be refused halfway through its setup.
 */
static u32 leaf1_ecx(u32 ecx)
{
	ecx = (ecx & ~CPUID1_ECX_VMX) | CPUID1_ECX_HYPERVISOR;
	if (!apic_x2apic_mode())
		ecx &= ~CPUID1_ECX_X2APIC;
	return ecx;
}

void x86_emulate_cpuid(struct guest_regs *regs)
{
	u32 leaf = (u32)regs->gp[REG_RAX];
	u32 out[4];

	/* The common case first: a leaf of the CPU. */
	if (likely((leaf & 0xffff0000) != CPUID_HV_LEAF)) {
		hw_cpuid(leaf, (u32)regs->gp[REG_RCX], out);
		if (leaf == 1)
			out[2] = leaf1_ecx(out[2]);
		/* So is SVM. */
		else if (leaf == CPUID_EXT_FEATURES)
			out[2] &= ~CPUID_EXT_ECX_SVM;
		set_result(regs, out);
	} else {
		set_result(regs, leaf == CPUID_HV_LEAF ? hypervisor_leaf :
							 empty_leaf);
	}
}
