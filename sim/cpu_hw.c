// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated CPUs' own state behind asm/hw.h: control registers, XCR0,
 * CPUID, VMX operation, and the state Linux leaves when it enters the
 * hypervisor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/cpu_state.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <sim/cpu_hw.h>
#include <sim/hw_state.h>

struct fake_cpu {
	u64 cr4;
	u64 xcr0;
	bool vmx_on;
	u64 vmxon_region;
	u64 current_vmcs;
	unsigned long launches;
	bool resumed_linux;
	bool stopped; /* hw_stop_cpu: halted outside VMX for good */
	struct x86_cpu_state linux_state;
};

static struct fake_cpu cpus[SIM_MAX_CPUS];

int (*sim_vmentry_hook)(unsigned int cpu);
u64 sim_vmxon_refused_cpus;
int (*sim_vmrun_hook)(unsigned int cpu, u64 vmcb_phys);
void (*sim_cpuid_hook)(u32 leaf, u32 subleaf, u32 out[4]);

/* What a 64-bit Linux kernel looks like to the CPU at module load. */
static void linux_state(struct x86_cpu_state *s, unsigned int cpu)
{
	memset(s, 0, sizeof(*s));
	s->rip = 0xffffffffc0001000ULL;
	s->regs.gp[REG_RSP] = 0xffffc90000010000ULL + cpu * 0x4000;
	s->rflags = 0x2;
	s->cr0 = 0x80050033; /* PG WP NE ET MP PE */
	s->cr3 = 0x1000000 + cpu * 0x1000;
	s->cr4 = 0x3606f0; /* PAE PGE OSFXSR OSXMMEXCPT FSGSBASE OSXSAVE SMEP SMAP */
	s->dr7 = 0x400;
	s->cs = (struct x86_segment){ 0x10, 0, 0xffffffff, 0xa09b };
	s->ss = (struct x86_segment){ 0x18, 0, 0xffffffff, 0xc093 };
	s->ds = s->es = (struct x86_segment){ 0, 0, 0, 0x10000 };
	s->fs = (struct x86_segment){ 0, 0, 0, 0x10000 };
	s->gs = (struct x86_segment){ 0, 0xffff888030000000ULL + cpu * 0x40000,
				      0, 0x10000 };
	s->tr = (struct x86_segment){ 0x40, 0xfffffe0000003000ULL +
						    cpu * 0x10000,
				      0x4087, 0x8b };
	s->ldtr = (struct x86_segment){ 0, 0, 0, 0x10000 };
	s->gdtr = (struct x86_dtable){ 0xfffffe0000001000ULL + cpu * 0x10000,
				       0x7f };
	s->idtr = (struct x86_dtable){ 0xfffffe0000000000ULL, 0xfff };
	s->efer = 0xd01; /* SCE LME LMA NXE */
	s->pat = 0x0407050600070106ULL;
	s->lstar = 0xffffffff81e00000ULL;
	s->star = 0x0023001000000000ULL;
	s->fmask = 0x47700;
}

void sim_cpu_hw_reset(void)
{
	unsigned int cpu;

	memset(cpus, 0, sizeof(cpus));
	for (cpu = 0; cpu < SIM_MAX_CPUS; cpu++) {
		linux_state(&cpus[cpu].linux_state, cpu);
		cpus[cpu].cr4 = cpus[cpu].linux_state.cr4;
		cpus[cpu].xcr0 = 0x7;
	}
}

struct x86_cpu_state *sim_linux_state(unsigned int cpu)
{
	return &cpus[cpu].linux_state;
}

bool sim_cpu_in_vmx_operation(unsigned int cpu)
{
	return cpus[cpu].vmx_on;
}

bool sim_cpu_has_current_vmcs(unsigned int cpu)
{
	return cpus[cpu].vmx_on && cpus[cpu].current_vmcs;
}

unsigned long sim_cpu_launches(unsigned int cpu)
{
	return cpus[cpu].launches;
}

/*
 * The CPU holds the MSRs of the Linux state a test set up; the ones VM
 * exits never switch are read back from there when the hypervisor leaves.
 */
void hw_capture_cpu_state(struct x86_cpu_state *state)
{
	const struct x86_cpu_state *s = &cpus[sim_current_cpu].linux_state;

	*state = *s;
	sim_msr_set(sim_current_cpu, MSR_IA32_STAR, s->star);
	sim_msr_set(sim_current_cpu, MSR_IA32_LSTAR, s->lstar);
	sim_msr_set(sim_current_cpu, MSR_IA32_CSTAR, s->cstar);
	sim_msr_set(sim_current_cpu, MSR_IA32_FMASK, s->fmask);
	sim_msr_set(sim_current_cpu, MSR_IA32_KERNEL_GS_BASE,
		    s->kernel_gs_base);
}

/* A Skylake-class CPU with VMX, XSAVE and x2APIC, unless a test says else. */
void sim_intel_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	(void)subleaf;
	memset(out, 0, 4 * sizeof(u32));
	switch (leaf) {
	case 0:
		out[0] = 0xd;
		out[1] = 0x756e6547; /* "GenuineIntel" */
		out[3] = 0x49656e69;
		out[2] = 0x6c65746e;
		break;
	case 1:
		out[0] = 0x50654;
		out[1] = sim_current_cpu << 24;
		out[2] = (1U << 5) | (1U << 21) | (1U << 26) | (1U << 27);
		out[3] = (1U << 5) | (1U << 6) | (1U << 9) | (1U << 12);
		break;
	case 0xd:
		out[0] = 0x7;
		out[1] = out[2] = 0x340;
		break;
	}
}

void hw_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	if (sim_cpuid_hook)
		sim_cpuid_hook(leaf, subleaf, out);
	else
		sim_intel_cpuid(leaf, subleaf, out);
}

u64 hw_read_cr4(void)
{
	return cpus[sim_current_cpu].cr4;
}

void hw_write_cr4(u64 value)
{
	cpus[sim_current_cpu].cr4 = value;
}

u64 hw_xgetbv(u32 index)
{
	return index == 0 ? cpus[sim_current_cpu].xcr0 : 0;
}

void hw_xsetbv(u32 index, u64 value)
{
	if (index == 0)
		cpus[sim_current_cpu].xcr0 = value;
}

int hw_vmxon(u64 region_phys)
{
	struct fake_cpu *c = &cpus[sim_current_cpu];

	/* VMXON needs CR4.VMXE, an aligned region, and not being on yet. */
	if (!(c->cr4 & CR4_VMXE) || (region_phys & 0xfff) || c->vmx_on)
		return -1;
	if ((sim_vmxon_refused_cpus >> sim_current_cpu) & 1)
		return -1;
	c->vmx_on = true;
	c->vmxon_region = region_phys;
	return 0;
}

void hw_vmxoff(void)
{
	cpus[sim_current_cpu].vmx_on = false;
	cpus[sim_current_cpu].current_vmcs = 0;
}

int hw_vmclear(u64 vmcs_phys)
{
	struct fake_cpu *c = &cpus[sim_current_cpu];

	if (!c->vmx_on || (vmcs_phys & 0xfff))
		return -1;
	if (c->current_vmcs == vmcs_phys)
		c->current_vmcs = 0;
	return 0;
}

int hw_vmptrld(u64 vmcs_phys)
{
	struct fake_cpu *c = &cpus[sim_current_cpu];

	if (!c->vmx_on || (vmcs_phys & 0xfff) || !vmcs_phys)
		return -1;
	c->current_vmcs = vmcs_phys;
	return 0;
}

int hw_vmlaunch(const struct guest_regs *regs)
{
	(void)regs;
	struct fake_cpu *c = &cpus[sim_current_cpu];

	if (!c->vmx_on || !c->current_vmcs)
		return -1;
	if (sim_vmentry_hook && sim_vmentry_hook(sim_current_cpu))
		return -1;
	c->launches++;
	return 0;
}

int hw_vmrun(u64 vmcb_phys, struct vmcb *vmcb, struct guest_regs *regs)
{
	(void)vmcb;
	(void)regs;
	if (sim_vmrun_hook && sim_vmrun_hook(sim_current_cpu, vmcb_phys))
		return -1;
	cpus[sim_current_cpu].launches++;
	return 0;
}

void (*sim_resume_linux_hook)(unsigned int cpu)
	__attribute__((noreturn));

void hw_resume_linux(const struct x86_cpu_state *state)
{
	cpus[sim_current_cpu].linux_state = *state;
	cpus[sim_current_cpu].resumed_linux = true;
	if (sim_resume_linux_hook)
		sim_resume_linux_hook(sim_current_cpu);
	fprintf(stderr, "sim: CPU %u resumed Linux with no harness to go to\n",
		sim_current_cpu);
	abort();
}

void hw_stop_cpu(void)
{
	cpus[sim_current_cpu].stopped = true;
	if (sim_resume_linux_hook)
		sim_resume_linux_hook(sim_current_cpu);
	fprintf(stderr, "sim: CPU %u stopped with no harness to go to\n",
		sim_current_cpu);
	abort();
}

bool sim_cpu_stopped(unsigned int cpu)
{
	return cpus[cpu].stopped;
}

/* The simulator takes no interrupts in host mode: a table to point at. */
u64 hw_host_idt(void)
{
	static u64 idt[512] __attribute__((aligned(16)));

	return (u64)(uintptr_t)idt;
}

bool sim_cpu_resumed_linux(unsigned int cpu)
{
	return cpus[cpu].resumed_linux;
}

/* The simulator runs the hypervisor in the host's address space. */
int hw_address_space_init(const struct jailhouse_system *system)
{
	(void)system;
	return 0;
}
