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
#include <asm/vmx.h>

static volatile u32 cpus_left;

void x86_vmexit_init(void)
{
	cpus_left = 0;
}

/* Kicks every other CPU so it notices the disable and leaves too. */
static void spread_disable(struct per_cpu *cpu)
{
	unsigned int id;

	for (id = 0; id < num_cpus(); id++)
		if (id != cpu->cpu_id)
			hw_kick_cpu(id);
}

/* True for the last CPU to go, which then tears everything down. */
static bool count_leaving(void)
{
	return __atomic_add_fetch(&cpus_left, 1, __ATOMIC_SEQ_CST) ==
	       num_cpus();
}

void x86_leave_hypervisor(struct per_cpu *cpu)
{
	bool last = count_leaving();

	hv_cpu_exit(cpu->cpu_id);
	if (last)
		hv_shutdown();
	hw_resume_linux(&cpu->arch.linux_state);
}

void x86_abandon_launch(struct per_cpu *cpu)
{
	hv_abort("a CPU could not enter its guest");
	spread_disable(cpu);
	if (count_leaving())
		hv_shutdown();
}

_Static_assert(__builtin_offsetof(struct arch_per_cpu, exit_stack) ==
		       __builtin_offsetof(struct arch_per_cpu, guest_regs) +
			       sizeof(struct guest_regs),
	       "the exit stub finds its stack right behind the registers");

struct guest_regs *x86_vmexit(void)
{
	struct per_cpu *cpu = per_cpu(hw_this_cpu_id());
	struct x86_exit exit;
	bool runnable;

	/* Fills exit, registers' RSP included, from the VMCS. */
	vmx_read_exit(cpu, &exit);
	runnable = x86_handle_exit(cpu, &exit);
	if (hv_disable_pending()) {
		spread_disable(cpu);
		x86_leave_hypervisor(cpu);
	}
	/* Parked or suspended: wait here until a request lets it go on. */
	while (!runnable) {
		hw_pause();
		if (hv_disable_pending())
			x86_leave_hypervisor(cpu);
		runnable = x86_handle_requests(cpu);
	}
	return &cpu->arch.guest_regs;
}
