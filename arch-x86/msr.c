// SPDX-License-Identifier: GPL-2.0
/*
 * What happens to MSR accesses that exit. x2APIC command writes go to the
 * APIC emulation; EFER and PAT are checked and land in the VMCS; VMX stays
 * hidden. The root cell may write other MSRs of its CPUs, except those that
 * reach beyond them or undermine the hypervisor; a non-root cell may not.
 */
#include <core/cell.h>
#include <core/printk.h>
#include <asm/apic.h>
#include <asm/apicdef.h>
#include <asm/emulate.h>
#include <asm/msr-index.h>
#include <asm/msr.h>
#include <asm/hw.h>
#include <asm/processor-flags.h>
#include <asm/vcpu.h>
#include <asm/vmcb.h>
#include <asm/vmcs.h>

#define EFER_ALLOWED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
#define MTRR_DEF_TYPE_VALID 0xcffULL
/* Memory types a PAT entry or MTRR default may name. */
#define MEMTYPE_VALID_MASK ((1U << 0) | (1U << 1) | (1U << 4) | (1U << 5) | \
			    (1U << 6) | (1U << 7))

bool msr_write_passes_through(u32 msr)
{
	switch (msr) {
	case MSR_IA32_SPEC_CTRL:
	case MSR_IA32_PRED_CMD:
	case MSR_IA32_FLUSH_CMD:
	case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_IA32_TSC_DEADLINE:
	case X2APIC_MSR(APIC_TPR):
	case X2APIC_MSR(APIC_EOI):
	case X2APIC_MSR(APIC_SVR):
	case X2APIC_MSR(APIC_ESR):
	case X2APIC_MSR(APIC_TIMER_INIT):
	case X2APIC_MSR(APIC_TIMER_DIVIDE):
	case X2APIC_MSR(APIC_SELF_IPI):
	case MSR_IA32_STAR:
	case MSR_IA32_LSTAR:
	case MSR_IA32_CSTAR:
	case MSR_IA32_FMASK:
	case MSR_IA32_FS_BASE:
	case MSR_IA32_GS_BASE:
	case MSR_IA32_KERNEL_GS_BASE:
	case MSR_IA32_TSC_AUX:
		return true;
	default:
		/* The local vector table, CMCI through error. */
		return msr >= X2APIC_MSR(APIC_LVT_CMCI) &&
		       msr <= X2APIC_MSR(APIC_LVT_ERROR) &&
		       msr != X2APIC_MSR(APIC_ICR);
	}
}

static bool memtype_valid(u8 type)
{
	return type < 8 && (MEMTYPE_VALID_MASK & (1U << type));
}

static bool pat_valid(u64 pat)
{
	unsigned int n;

	for (n = 0; n < 8; n++)
		if (!memtype_valid((u8)(pat >> (8 * n))))
			return false;
	return true;
}

static enum x86_action write_efer(u64 value)
{
	u64 old = vcpu_get_efer();

	if (value & ~EFER_ALLOWED)
		return X86_ACTION_INJECT_GP;
	/* LME may not change while paging is on; LMA is the CPU's to set. */
	if (((value ^ old) & EFER_LME) && (vcpu_get_cr0_shadow() & CR0_PG))
		return X86_ACTION_INJECT_GP;
	vcpu_set_efer((value & ~EFER_LMA) | (old & EFER_LMA));
	return X86_ACTION_DONE;
}

/*
 * MSRs no cell may write, root included: they act beyond the writer's CPU
 * or would pull the ground from under the hypervisor.
 */
static bool write_forbidden(u32 msr)
{
	return msr == MSR_IA32_BIOS_UPDT_TRIG || msr == MSR_IA32_APIC_BASE ||
	       msr == MSR_IA32_FEATURE_CONTROL || msr == MSR_VM_CR ||
	       msr == MSR_VM_HSAVE_PA ||
	       (msr >= MSR_VMX_FIRST && msr <= MSR_VMX_LAST);
}

static enum x86_action refuse(struct per_cpu *cpu, u32 msr, bool write,
			      u64 value)
{
	/* One line per MSR and CPU in a row, so a loop cannot flood the log. */
	if (cpu->arch.last_refused_msr != msr + 1) {
		printk("CPU %u of cell \"%s\": %s of MSR 0x%x (value 0x%llx) "
		       "refused\n",
		       cpu->cpu_id, cell_name(cpu->cell),
		       write ? "write" : "read", msr,
		       (unsigned long long)value);
		cpu->arch.last_refused_msr = msr + 1;
	}
	return X86_ACTION_INJECT_GP;
}

enum x86_action x86_msr_read(struct per_cpu *cpu, u32 msr, u64 *value)
{
	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_MSR]++;
	if (x2apic_handle_msr_read(cpu, msr, value))
		return X86_ACTION_DONE;
	switch (msr) {
	case MSR_IA32_FEATURE_CONTROL:
		/* Locked with VMX off: what a cell must believe. */
		*value = FEATURE_CONTROL_LOCKED;
		return X86_ACTION_DONE;
	case MSR_VM_CR:
		/* SVM disabled and locked, as firmware may leave it. */
		*value = VM_CR_SVMDIS | VM_CR_LOCK;
		return X86_ACTION_DONE;
	case MSR_IA32_EFER:
		/* Exits only on SVM, where SVME is hidden. */
		*value = vcpu_get_efer();
		return X86_ACTION_DONE;
	}
	return refuse(cpu, msr, false, 0);
}

enum x86_action x86_msr_write(struct per_cpu *cpu, u32 msr, u64 value)
{
	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_MSR]++;
	if (x2apic_handle_msr_write(cpu, msr, value))
		return X86_ACTION_DONE;
	switch (msr) {
	case MSR_IA32_EFER:
		return write_efer(value);
	case MSR_IA32_PAT:
		if (!pat_valid(value))
			return refuse(cpu, msr, true, value);
		vcpu_set_pat(value);
		return X86_ACTION_DONE;
	case MSR_IA32_MTRR_DEF_TYPE:
		if ((value & ~MTRR_DEF_TYPE_VALID) ||
		    !memtype_valid(value & 0xff))
			return refuse(cpu, msr, true, value);
		hw_wrmsr(msr, value);
		return X86_ACTION_DONE;
	}
	if (cpu->cell == &root_cell && !write_forbidden(msr) &&
	    !(msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST)) {
		hw_wrmsr(msr, value);
		return X86_ACTION_DONE;
	}
	return refuse(cpu, msr, true, value);
}
