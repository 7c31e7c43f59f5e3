// SPDX-License-Identifier: GPL-2.0
/*
 * Dispatch of VM exits, in vendor-neutral form, to the handlers; per-CPU
 * statistics by reason. Whatever cannot be handled fails the CPU's cell,
 * with the guest's registers in the log, never the machine.
 */
#include <core/cell.h>
#include <core/control.h>
#include <core/printk.h>
#include <asm/control.h>
#include <asm/emulate.h>
#include <asm/exit.h>
#include <asm/pci.h>
#include <asm/trapnr.h>
#include <asm/vcpu.h>
#include <asm/iommu.h>

static void dump_registers(const struct per_cpu *cpu,
			   const struct x86_exit *exit)
{
	const u64 *r;

	if (!exit->regs)
		return;
	r = exit->regs->gp;
	printk("CPU %u registers: rip %016llx rax %016llx rbx %016llx "
	       "rcx %016llx\n",
	       cpu->cpu_id, (unsigned long long)exit->rip,
	       (unsigned long long)r[REG_RAX], (unsigned long long)r[REG_RBX],
	       (unsigned long long)r[REG_RCX]);
	printk("  rdx %016llx rsi %016llx rdi %016llx rsp %016llx\n",
	       (unsigned long long)r[REG_RDX], (unsigned long long)r[REG_RSI],
	       (unsigned long long)r[REG_RDI],
	       (unsigned long long)vcpu_get_rsp());
}

void x86_fail_cpu(struct per_cpu *cpu, const struct x86_exit *exit,
		  const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintk(why, sizeof(why), fmt, ap);
	va_end(ap);
	dump_registers(cpu, exit);
	cell_cpu_failed(cpu, why);
}

bool x86_dispatch_mmio(struct per_cpu *cpu, struct x86_exit *exit)
{
	struct mmio_access *a = &exit->mmio;
	enum mmio_result result;

	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_MMIO]++;
	result = mmio_handle_access(cpu->cell, a);
	if (result == MMIO_HANDLED)
		return true;
	x86_fail_cpu(cpu, exit, "%s MMIO %s of %u bytes at 0x%llx (rip 0x%llx)",
		     result == MMIO_UNHANDLED ? "unhandled" : "refused",
		     a->is_write ? "write" : "read", a->size,
		     (unsigned long long)a->address,
		     (unsigned long long)exit->rip);
	return false;
}

/* Carries out what an emulation decided; false if the CPU must stop. */
static bool conclude(struct per_cpu *cpu, struct x86_exit *exit,
		     enum x86_action action, const char *what)
{
	switch (action) {
	case X86_ACTION_DONE:
		vcpu_skip_instruction(cpu);
		return true;
	case X86_ACTION_INJECT_GP:
		vcpu_inject_gp(cpu);
		return true;
	case X86_ACTION_INJECT_UD:
		vcpu_inject_ud(cpu);
		return true;
	default:
		x86_fail_cpu(cpu, exit, "cannot emulate %s", what);
		return false;
	}
}

/* An IN's result lands in the low bytes of RAX, the rest untouched. */
static void merge_in_result(struct guest_regs *regs, unsigned int size,
			    u32 value)
{
	u64 mask = size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;

	if (size == 4)
		regs->gp[REG_RAX] = value;
	else
		regs->gp[REG_RAX] = (regs->gp[REG_RAX] & ~mask) | (value & mask);
}

static bool handle_pio(struct per_cpu *cpu, struct x86_exit *exit)
{
	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_PIO]++;
	if (!exit->pio.is_string &&
	    x86_pci_handle_pio(cpu, exit->pio.port, exit->pio.size,
			       exit->pio.is_write, &exit->pio.value)) {
		if (!exit->pio.is_write && exit->regs)
			merge_in_result(exit->regs, exit->pio.size,
					exit->pio.value);
		vcpu_skip_instruction(cpu);
		return true;
	}
	/* Permitted ports never trap: any other port I/O exit is a violation. */
	x86_fail_cpu(cpu, exit,
		     "port I/O %s%s of %u bytes at port 0x%x not permitted",
		     exit->pio.is_string ? "string " : "",
		     exit->pio.is_write ? "write" : "read", exit->pio.size,
		     exit->pio.port);
	return false;
}

static bool handle_hypercall(struct per_cpu *cpu, struct x86_exit *exit)
{
	exit->rax = (u64)hypercall(cpu, exit->rax, exit->rdi, exit->rsi,
				   exit->cpl);
	if (exit->regs)
		exit->regs->gp[REG_RAX] = exit->rax;
	vcpu_skip_instruction(cpu);
	return x86_handle_requests(cpu);
}

static bool handle_msr(struct per_cpu *cpu, struct x86_exit *exit)
{
	enum x86_action action;
	u64 value = 0;

	if (exit->reason == X86_EXIT_MSR_WRITE) {
		action = x86_msr_write(cpu, exit->msr.index, exit->msr.value);
		/* An INIT or SIPI the CPU sent itself takes effect now. */
		return conclude(cpu, exit, action, "WRMSR") &&
		       x86_handle_requests(cpu);
	}
	action = x86_msr_read(cpu, exit->msr.index, &value);
	if (action == X86_ACTION_DONE && exit->regs) {
		exit->regs->gp[REG_RAX] = (u32)value;
		exit->regs->gp[REG_RDX] = value >> 32;
	}
	return conclude(cpu, exit, action, "RDMSR");
}

static bool handle_exception(struct per_cpu *cpu, struct x86_exit *exit)
{
	u8 vector = exit->exception.vector;

	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_EXCEPTION]++;
	/*
	 * #AC and #DB are intercepted so that a guest cannot make the CPU
	 * deliver them to itself forever; handing them back is all there is.
	 */
	if (vector == X86_VECTOR_AC || vector == X86_VECTOR_DB) {
		vcpu_reinject(cpu, vector, exit->exception.error_code);
		return true;
	}
	x86_fail_cpu(cpu, exit, "unexpected exception %u at rip 0x%llx",
		     vector, (unsigned long long)exit->rip);
	return false;
}

/* The IOMMU's fault log is read on one CPU only, never concurrently. */
static bool check_iommu_faults(const struct per_cpu *cpu)
{
	return cpu->cpu_id == IOMMU_FAULT_CPU && iommu_check_faults();
}

/*
 * Kicks and the IOMMU's fault events arrive as NMIs; an NMI that neither
 * accounts for was the guest's own and goes to the guest. A repeated kick
 * whose request was already served is not one: Linux would not know what
 * it is. Both sources are looked at every time: NMIs do not queue, so one
 * may stand for both.
 */
static bool nmi_was_the_hypervisors(struct per_cpu *cpu)
{
	bool kicked = x86_take_kicks(cpu);
	bool fault_event = check_iommu_faults(cpu);

	return kicked || fault_event || hv_disable_pending();
}

/* Management and timer exits: the requests, and the IOMMU's fault log. */
static bool handle_management(struct per_cpu *cpu, struct x86_exit *exit)
{
	if (exit->reason == X86_EXIT_PREEMPTION_TIMER)
		check_iommu_faults(cpu);
	else if (!nmi_was_the_hypervisors(cpu))
		vcpu_inject_nmi(cpu);
	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_MANAGEMENT]++;
	return x86_handle_requests(cpu);
}

static bool handle_other(struct per_cpu *cpu, struct x86_exit *exit)
{
	switch (exit->reason) {
	case X86_EXIT_XSETBV:
		cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_XSETBV]++;
		return conclude(cpu, exit,
				x86_emulate_xsetbv(exit->regs,
						   vcpu_get_cr4_shadow()),
				"XSETBV");
	case X86_EXIT_CR_ACCESS:
		return conclude(cpu, exit, x86_emulate_cr_access(cpu, exit),
				"control register access");
	case X86_EXIT_TRIPLE_FAULT:
		cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_EXCEPTION]++;
		x86_fail_cpu(cpu, exit, "triple fault at rip 0x%llx",
			     (unsigned long long)exit->rip);
		return false;
	case X86_EXIT_INIT:
	case X86_EXIT_SIPI:
		/* The hypervisor emulates INIT/SIPI; real ones are stray. */
		cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_OTHER]++;
		return x86_handle_requests(cpu);
	default:
		cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_OTHER]++;
		x86_fail_cpu(cpu, exit, "unhandled exit reason %u at rip 0x%llx",
			     exit->vendor_reason,
			     (unsigned long long)exit->rip);
		return false;
	}
}

bool x86_handle_exit(struct per_cpu *cpu, struct x86_exit *exit)
{
	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_TOTAL]++;
	switch (exit->reason) {
	case X86_EXIT_HYPERCALL:
		return handle_hypercall(cpu, exit);
	case X86_EXIT_CPUID:
		cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_CPUID]++;
		x86_emulate_cpuid(exit->regs);
		vcpu_skip_instruction(cpu);
		return true;
	case X86_EXIT_MSR_READ:
	case X86_EXIT_MSR_WRITE:
		return handle_msr(cpu, exit);
	case X86_EXIT_NESTED_FAULT:
		return x86_handle_nested_fault(cpu, exit) &&
		       x86_handle_requests(cpu);
	case X86_EXIT_MMIO:
		return x86_dispatch_mmio(cpu, exit) && x86_handle_requests(cpu);
	case X86_EXIT_PIO:
		return handle_pio(cpu, exit);
	case X86_EXIT_EXCEPTION:
		return handle_exception(cpu, exit);
	case X86_EXIT_KICK:
	case X86_EXIT_PREEMPTION_TIMER:
		return handle_management(cpu, exit);
	default:
		return handle_other(cpu, exit);
	}
}
