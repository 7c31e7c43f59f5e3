// SPDX-License-Identifier: GPL-2.0
/*
 * Guest writes to CR0 and CR4 bits the hypervisor owns: the guest sees what
 * it wrote (the read shadow), the CPU runs with the bits VMX operation
 * requires, and writes the CPU would refuse raise #GP in the guest. Only
 * VMX exits for them: SVM leaves CR0 and CR4 to the guest.
 */
#include <core/percpu.h>
#include <asm/emulate.h>
#include <asm/exit.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/vcpu.h>
#include <asm/vmcs.h>

#define LMSW_BITS 0xfULL

static u64 cr0_fixed0(void)
{
	/* Unrestricted guest: PE and PG stay the guest's choice. */
	return hw_rdmsr(MSR_IA32_VMX_CR0_FIXED0) & ~(CR0_PE | CR0_PG);
}

/* Entering or leaving paging with EFER.LME switches long mode. */
static enum x86_action update_long_mode(u64 old_cr0, u64 new_cr0)
{
	u64 efer = vcpu_get_efer();

	if (!(efer & EFER_LME) || !((old_cr0 ^ new_cr0) & CR0_PG))
		return X86_ACTION_DONE;
	if (new_cr0 & CR0_PG) {
		if (!(vcpu_get_cr4_shadow() & CR4_PAE))
			return X86_ACTION_INJECT_GP;
		vcpu_set_efer(efer | EFER_LMA);
		vcpu_set_long_mode(true);
	} else {
		vcpu_set_efer(efer & ~EFER_LMA);
		vcpu_set_long_mode(false);
	}
	return X86_ACTION_DONE;
}

static enum x86_action write_cr0(u64 value)
{
	u64 fixed1 = (u32)hw_rdmsr(MSR_IA32_VMX_CR0_FIXED1) | CR0_PE | CR0_PG;
	u64 old = vcpu_get_cr0_shadow();
	enum x86_action action;

	if ((value & ~fixed1) || ((value & CR0_PG) && !(value & CR0_PE)) ||
	    ((value & CR0_NW) && !(value & CR0_CD)))
		return X86_ACTION_INJECT_GP;
	action = update_long_mode(old, value);
	if (action != X86_ACTION_DONE)
		return action;
	vcpu_set_cr0((value | cr0_fixed0()) & fixed1);
	vcpu_set_cr0_shadow(value);
	return X86_ACTION_DONE;
}

static enum x86_action write_cr4(u64 value)
{
	u64 fixed0 = hw_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	u64 fixed1 = hw_rdmsr(MSR_IA32_VMX_CR4_FIXED1);

	/* VMX is hidden from cells: enabling it is a reserved-bit write. */
	if ((value & CR4_VMXE) || (value & ~fixed1))
		return X86_ACTION_INJECT_GP;
	if (!(value & CR4_PAE) && (vcpu_get_efer() & EFER_LMA))
		return X86_ACTION_INJECT_GP;
	vcpu_set_cr4((value | fixed0) & fixed1);
	vcpu_set_cr4_shadow(value);
	return X86_ACTION_DONE;
}

enum x86_action x86_emulate_cr_access(struct per_cpu *cpu,
				      const struct x86_exit *exit)
{
	u64 cr0 = vcpu_get_cr0_shadow();

	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_CR]++;
	switch (exit->cr.access) {
	case X86_CR_MOV_TO:
		if (exit->cr.cr == 0)
			return write_cr0(exit->cr.value);
		if (exit->cr.cr == 4)
			return write_cr4(exit->cr.value);
		return X86_ACTION_FAIL;
	case X86_CR_CLTS:
		return write_cr0(cr0 & ~CR0_TS);
	case X86_CR_LMSW:
		/* LMSW sets PE but never clears it. */
		return write_cr0((cr0 & ~LMSW_BITS) |
				 (exit->cr.lmsw_source & LMSW_BITS) |
				 (cr0 & CR0_PE));
	default:
		return X86_ACTION_FAIL;
	}
}
