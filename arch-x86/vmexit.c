// SPDX-License-Identifier: GPL-2.0
/* From the VM-exit stub to the handlers and back (see asm/vmexit.h). */
#include <core/arch.h>
#include <core/cell.h>
#include <core/control.h>
#include <asm/control.h>
#include <asm/exit.h>
#include <asm/hw.h>
#include <asm/vcpu.h>
#include <asm/vmexit.h>
#include <asm/svm.h>
#include <asm/vmx.h>

static volatile u32 cpus_left;

void x86_vmexit_init(void)
{
	cpus_left = 0;
}

/* True for the last CPU to go, which then tears everything down. */
static bool count_leaving(void)
{
	return __atomic_add_fetch(&cpus_left, 1, __ATOMIC_SEQ_CST) ==
	       num_cpus();
}

/*
 * Nobody is kicked to leave: a CPU that is running Linux leaves at its own
 * next exit, which the driver provokes on each of them before it lets the
 * hypervisor's memory go. An NMI would reach a CPU that is already back in
 * Linux, or on its way there, as an NMI Linux cannot explain. A CPU that
 * is not running Linux (parked, or waiting for its SIPI) sees the request
 * in its wait loop and halts outside VMX operation instead; Linux's INIT
 * and SIPI bring it up again when Linux wants it.
 */
void x86_leave_hypervisor(struct per_cpu *cpu)
{
	bool runs_linux = cpu->arch.vcpu_state == VCPU_RUNNING;
	bool last = count_leaving();

	hv_cpu_exit(cpu->cpu_id);
	if (last)
		hv_shutdown();
	if (runs_linux)
		hw_resume_linux(&cpu->arch.linux_state);
	hw_stop_cpu();
}

/* The CPUs that did launch leave at their next exit, as for a disable. */
void x86_abandon_launch(struct per_cpu *cpu)
{
	(void)cpu;
	hv_abort("a CPU could not enter its guest");
	if (count_leaving())
		hv_shutdown();
}

_Static_assert(__builtin_offsetof(struct arch_per_cpu, exit_stack) ==
		       __builtin_offsetof(struct arch_per_cpu, guest_regs) +
			       sizeof(struct guest_regs),
	       "the exit stub finds its stack right behind the registers");

/* Back to the guest once the CPU may run, or out for a disable. */
static struct guest_regs *resume_when_runnable(struct per_cpu *cpu,
					       bool runnable)
{
	if (hv_disable_pending())
		x86_leave_hypervisor(cpu);
	/* Parked or suspended: wait here until a request lets it go on. */
	while (!runnable) {
		hw_pause();
		if (hv_disable_pending())
			x86_leave_hypervisor(cpu);
		runnable = x86_handle_requests(cpu);
	}
	return &cpu->arch.guest_regs;
}

static inline struct guest_regs *handle_exit(struct per_cpu *cpu,
					      struct x86_exit *exit)
{
	return resume_when_runnable(cpu, x86_handle_exit(cpu, exit));
}

/* One entry per vendor: the hot path tests for neither. */
struct guest_regs *x86_vmexit(struct guest_regs *regs)
{
	/* The stub pushed them into the CPU's own block: no lookup needed. */
	struct per_cpu *cpu = (struct per_cpu *)((u8 *)regs -
		__builtin_offsetof(struct per_cpu, arch.guest_regs));
	struct x86_exit exit;

	/* Fills exit, registers' RSP included, from the VMCS. */
	vmx_read_exit(cpu, &exit);
	return handle_exit(cpu, &exit);
}

struct guest_regs *x86_svm_vmexit(void)
{
	struct per_cpu *cpu = per_cpu(hw_this_cpu_id());
	struct guest_regs *regs;
	struct x86_exit exit;

	svm_read_exit(cpu, &exit);
	regs = handle_exit(cpu, &exit);
	/*
	 * Kicks (a sender's repeated one, too) that arrived while this CPU
	 * was in the hypervisor wait behind the cleared global interrupt
	 * flag. Left there, each would exit right after VMRUN and, its kick
	 * counted already, look like the guest's own NMI. They go to the
	 * hypervisor's handler here, as under VMX, where NMIs in root
	 * operation do. Their counts stay: at worst the guest's next NMI is
	 * taken for a kick. A request among them is served now.
	 */
	hw_svm_take_nmi();
	while (x86_requests_pending(cpu)) {
		regs = resume_when_runnable(cpu, x86_handle_requests(cpu));
		hw_svm_take_nmi();
	}
	return regs;
}
