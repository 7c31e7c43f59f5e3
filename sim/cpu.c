// SPDX-License-Identifier: GPL-2.0
/*
 * Fake CPUs: guest accesses checked against what the hardware would see (the
 * VMCS's EPT pointer and I/O bitmaps), and VM exits raised into the real
 * arch-x86 exit handler when the hardware would trap.
 */
#include <limits.h>
#include <sim/devices.h>
#include <string.h>
#include <core/cell.h>
#include <core/control.h>
#include <asm/exit.h>
#include <asm/hw.h>
#include <asm/vmcb.h>
#include <asm/vmcs.h>
#include <sim/sim.h>

static bool run_exit(unsigned int cpu, struct x86_exit *exit)
{
	unsigned int caller = sim_current_cpu;
	bool resume;

	sim_current_cpu = cpu;
	if (!exit->regs)
		exit->regs = &per_cpu(cpu)->arch.guest_regs;
	resume = x86_handle_exit(per_cpu(cpu), exit);
	sim_current_cpu = caller;
	return resume;
}

static unsigned long resets[SIM_MAX_CPUS];

static void sim_kick(unsigned int cpu)
{
	struct x86_exit exit = { .reason = X86_EXIT_KICK };
	bool resetting = per_cpu(cpu)->arch.reset_request;

	x86_handle_exit(per_cpu(cpu), &exit);
	if (resetting && !per_cpu(cpu)->arch.reset_request)
		resets[cpu]++;
}

unsigned long sim_cpu_resets(unsigned int cpu)
{
	return resets[cpu];
}

void sim_cpu_layer_init(void)
{
	memset(resets, 0, sizeof(resets));
	sim_kick_handler = sim_kick;
}

bool sim_cpu_runs_guest(unsigned int cpu)
{
	struct per_cpu *pc;

	if (cpu >= num_cpus())
		return false;
	pc = per_cpu(cpu);
	return pc->arch.vcpu_state == VCPU_RUNNING && !pc->arch.suspended &&
	       !pc->failed;
}

/* The VMCB of an SVM CPU, NULL on VMX. */
static const struct vmcb *svm_vmcb(unsigned int cpu)
{
	return cpu < num_cpus() && per_cpu(cpu)->arch.svm_on ?
		       per_cpu(cpu)->arch.vmcb :
		       NULL;
}

u64 sim_guest_rip(unsigned int cpu)
{
	const struct vmcb *v = svm_vmcb(cpu);

	return v ? v->save.rip : sim_vmcs_get(cpu, VMCS_GUEST_RIP);
}

u64 sim_guest_cs_base(unsigned int cpu)
{
	const struct vmcb *v = svm_vmcb(cpu);

	return v ? v->save.cs.base : sim_vmcs_get(cpu, VMCS_GUEST_CS_BASE);
}

bool sim_ept_translate(unsigned int cpu, u64 gpa, u64 *hpa, u32 *perms)
{
	const struct vmcb *v = svm_vmcb(cpu);

	if (v)
		return sim_npt_walk(v->control.n_cr3, gpa, hpa, perms);
	return sim_ept_walk(sim_vmcs_get(cpu, VMCS_EPT_POINTER), gpa, hpa,
			    perms);
}

bool sim_pio_passes(unsigned int cpu, u16 port)
{
	const struct vmcb *v = svm_vmcb(cpu);
	u64 bitmap;
	unsigned int bit;
	u8 *byte;

	if (v) {
		/* One map for all ports. */
		bitmap = v->control.iopm_base_pa;
		bit = port;
	} else {
		bitmap = sim_vmcs_get(cpu, port < 0x8000 ? VMCS_IO_BITMAP_A :
							   VMCS_IO_BITMAP_B);
		bit = port & 0x7fff;
	}
	byte = sim_phys_ptr(bitmap + bit / 8, 1);
	return byte && !(*byte & (1 << (bit % 8)));
}

static bool ram_access(u64 hpa, unsigned int size, bool is_write, u64 *value)
{
	void *ram = sim_phys_ptr(hpa, size);

	if (ram) {
		if (is_write)
			memcpy(ram, value, size);
		else
			memcpy(value, ram, size);
		return true;
	}
	/* Device memory passed through to the cell. */
	if (!sim_mmio_bus_access(hpa, size, is_write, value) && !is_write)
		*value = ~0ULL;
	return true;
}

static enum sim_access guest_access(unsigned int cpu, u64 gpa,
				    unsigned int size, bool is_write,
				    u64 *value)
{
	u32 need = is_write ? 2 : 1, perms;
	struct x86_exit exit;
	u64 hpa;

	if (!sim_cpu_runs_guest(cpu))
		return SIM_CPU_STOPPED;
	/* Accesses crossing a page are split by real CPUs; keep them whole. */
	if ((gpa & 0xfff) + size <= 0x1000 &&
	    sim_ept_translate(cpu, gpa, &hpa, &perms) && (perms & need)) {
		if (!is_write)
			*value = 0;
		ram_access(hpa, size, is_write, value);
		return SIM_ACCESS_RAM;
	}
	memset(&exit, 0, sizeof(exit));
	exit.reason = X86_EXIT_MMIO;
	exit.mmio.address = gpa;
	exit.mmio.size = (u8)size;
	exit.mmio.is_write = is_write;
	exit.mmio.value = is_write ? *value : 0;
	if (!run_exit(cpu, &exit))
		return sim_cpu_runs_guest(cpu) ? SIM_ACCESS_MMIO :
						 SIM_ACCESS_FAULT;
	if (!is_write)
		*value = exit.mmio.value;
	return SIM_ACCESS_MMIO;
}

enum sim_access sim_guest_read(unsigned int cpu, u64 gpa, unsigned int size,
			       u64 *value)
{
	return guest_access(cpu, gpa, size, false, value);
}

enum sim_access sim_guest_write(unsigned int cpu, u64 gpa, unsigned int size,
				u64 value)
{
	return guest_access(cpu, gpa, size, true, &value);
}

enum sim_access sim_guest_pio(unsigned int cpu, u16 port, unsigned int size,
			      bool is_write, u32 *value)
{
	struct x86_exit exit;
	unsigned int n;
	bool passes = true;

	if (!sim_cpu_runs_guest(cpu))
		return SIM_CPU_STOPPED;
	for (n = 0; n < size; n++)
		passes = passes && sim_pio_passes(cpu, (u16)(port + n));
	if (passes) {
		if (is_write)
			hw_outb(port, (u8)*value);
		else
			*value = hw_inb(port);
		return SIM_ACCESS_RAM;
	}
	memset(&exit, 0, sizeof(exit));
	exit.reason = X86_EXIT_PIO;
	exit.pio.port = port;
	exit.pio.size = (u8)size;
	exit.pio.is_write = is_write;
	exit.pio.value = is_write ? *value : 0;
	if (!run_exit(cpu, &exit))
		return SIM_ACCESS_FAULT;
	if (!is_write)
		*value = exit.pio.value;
	return SIM_ACCESS_MMIO;
}

enum sim_access sim_guest_ept_violation(unsigned int cpu, u64 gpa,
					bool is_write)
{
	struct x86_exit exit = { .reason = X86_EXIT_NESTED_FAULT };

	if (!sim_cpu_runs_guest(cpu))
		return SIM_CPU_STOPPED;
	exit.rip = sim_guest_rip(cpu);
	exit.fault.gpa = gpa;
	exit.fault.write = is_write;
	exit.fault.read = !is_write;
	if (!run_exit(cpu, &exit))
		return sim_cpu_runs_guest(cpu) ? SIM_ACCESS_MMIO :
						 SIM_ACCESS_FAULT;
	return SIM_ACCESS_MMIO;
}

enum sim_access sim_guest_exit(unsigned int cpu, struct x86_exit *exit)
{
	if (!sim_cpu_runs_guest(cpu))
		return SIM_CPU_STOPPED;
	if (!run_exit(cpu, exit))
		return sim_cpu_runs_guest(cpu) ? SIM_ACCESS_MMIO :
						 SIM_ACCESS_FAULT;
	return SIM_ACCESS_MMIO;
}

enum sim_access sim_guest_triple_fault(unsigned int cpu)
{
	struct x86_exit exit = { .reason = X86_EXIT_TRIPLE_FAULT };

	if (!sim_cpu_runs_guest(cpu))
		return SIM_CPU_STOPPED;
	run_exit(cpu, &exit);
	return SIM_ACCESS_FAULT;
}

long sim_hypercall_cpl(unsigned int cpu, unsigned int cpl, unsigned long code,
		       unsigned long arg1, unsigned long arg2)
{
	struct x86_exit exit = { .reason = X86_EXIT_HYPERCALL };

	if (!sim_cpu_runs_guest(cpu))
		return LONG_MIN;
	exit.cpl = cpl;
	exit.rax = code;
	exit.rdi = arg1;
	exit.rsi = arg2;
	run_exit(cpu, &exit);
	return (long)exit.rax;
}

long sim_hypercall(unsigned int cpu, unsigned long code, unsigned long arg1,
		   unsigned long arg2)
{
	return sim_hypercall_cpl(cpu, 0, code, arg1, arg2);
}
