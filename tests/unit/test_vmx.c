// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX layer on the simulated qemu-vm machine: feature checks, the VMCS
 * built from the simulated Linux state (judged by the simulator's own
 * VM-entry checks), the disable path, and the decoding of every VM exit.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <asm/apicdef.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/vmcs.h>
#include <asm/vmx.h>
#include <asm/vmexit.h>
#include <sim/cpu_hw.h>
#include <sim/vmx_checks.h>
#include "helpers.h"

#define BIT(n) (1ULL << (n))

static unsigned long baseline;
static unsigned long launches[QEMU_VM_CPUS];

static void exit_cpu(unsigned int cpu);

/*
 * The machine as booted, with every CPU out of VMX operation again should
 * boot have entered it: the tests bring CPUs up themselves.
 */
static void setup(void)
{
	unsigned int cpu;

	boot_qemu_vm();
	for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		exit_cpu(cpu);
		launches[cpu] = sim_cpu_launches(cpu);
	}
	baseline = page_pool_used(&mem_pool);
	console_reset();
}

static void teardown(void)
{
	sim_current_cpu = 0;
	sim_cpuid_hook = NULL;
}

TestSuite(vmx, .init = setup, .fini = teardown);

/* Bring-up of one CPU as the entry code does it: build, then launch. */
static int init_cpu(unsigned int cpu)
{
	int err;

	sim_current_cpu = cpu;
	err = vmx_cpu_init(per_cpu(cpu));
	if (!err)
		err = vmx_cpu_activate(per_cpu(cpu));
	sim_current_cpu = 0;
	return err;
}

static void exit_cpu(unsigned int cpu)
{
	sim_current_cpu = cpu;
	vmx_cpu_exit(per_cpu(cpu));
	sim_current_cpu = 0;
}

static u64 vmcs(unsigned int cpu, u32 field)
{
	return sim_vmcs_get(cpu, field);
}

static unsigned int count(const char *text, const char *what)
{
	unsigned int n = 0;

	while ((text = strstr(text, what))) {
		n++;
		text++;
	}
	return n;
}

/* Feature checks */

Test(vmx, features_of_the_simulated_cpus_suffice)
{
	for (unsigned int cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		sim_current_cpu = cpu;
		cr_assert_eq(vmx_check_features(), 0, "CPU %u", cpu);
	}
	cr_assert_not(log_contains("missing"), "%s", hv_log());
}

struct removed_feature {
	u32 msr;
	u64 bits;
	const char *line;
};

static const struct removed_feature removals[] = {
	{ MSR_IA32_VMX_PROCBASED_CTLS, BIT(63),
	  "secondary VM-execution controls" },
	{ MSR_IA32_VMX_PROCBASED_CTLS, BIT(57), "I/O bitmaps" },
	{ MSR_IA32_VMX_PROCBASED_CTLS, BIT(60), "MSR bitmaps" },
	{ MSR_IA32_VMX_PINBASED_CTLS, BIT(35), "NMI exiting" },
	{ MSR_IA32_VMX_PINBASED_CTLS, BIT(38), "VMX preemption timer" },
	{ MSR_IA32_VMX_EXIT_CTLS, BIT(41), "64-bit host on VM exit" },
	{ MSR_IA32_VMX_EXIT_CTLS, BIT(53), "EFER switching on VM exit" },
	{ MSR_IA32_VMX_EXIT_CTLS, BIT(51), "PAT switching on VM exit" },
	{ MSR_IA32_VMX_ENTRY_CTLS, BIT(41), "IA-32e mode guest" },
	{ MSR_IA32_VMX_ENTRY_CTLS, BIT(47),
	  "EFER and PAT loading on VM entry" },
	{ MSR_IA32_VMX_PROCBASED_CTLS2, BIT(33), "EPT" },
	{ MSR_IA32_VMX_PROCBASED_CTLS2, BIT(39), "unrestricted guest" },
	{ MSR_IA32_VMX_EPT_VPID_CAP, BIT(6), "EPT 4-level page walk" },
	{ MSR_IA32_VMX_EPT_VPID_CAP, BIT(14), "EPT write-back memory type" },
	{ MSR_IA32_VMX_EPT_VPID_CAP, BIT(20), "INVEPT" },
	{ MSR_IA32_VMX_EPT_VPID_CAP, BIT(25), "INVEPT single-context" },
	{ MSR_IA32_VMX_EPT_VPID_CAP, BIT(26), "INVEPT all-context" },
};

Test(vmx, each_missing_feature_is_named_in_one_line)
{
	const struct removed_feature *r;
	char line[96];
	u64 saved;

	for (r = removals; r < removals + ARRAY_SIZE(removals); r++) {
		saved = sim_msr_get(ROOT_CPU, r->msr);
		sim_msr_set(ROOT_CPU, r->msr, saved & ~r->bits);
		console_reset();
		cr_assert_eq(vmx_check_features(), -EIO, "without %s", r->line);
		snprintf(line, sizeof(line), "CPU 0: VMX feature missing: %s\n",
			 r->line);
		cr_assert(log_contains(line), "no '%s' in:\n%s", line,
			  hv_log());
		/* Without secondary controls, EPT and the rest go too. */
		if (r->bits != BIT(63))
			cr_assert_eq(count(hv_log(), "missing"), 1, "%s",
				     hv_log());
		sim_msr_set(ROOT_CPU, r->msr, saved);
	}
	cr_assert_eq(vmx_check_features(), 0);
}

/*
 * Without secondary controls neither PROCBASED_CTLS2 nor the EPT/VPID
 * capability MSR exists (reading them faults on hardware): what they
 * would hold is missing as a whole, whatever the simulator keeps there.
 */
Test(vmx, without_secondary_controls_their_msrs_are_not_read)
{
	u64 saved = sim_msr_get(ROOT_CPU, MSR_IA32_VMX_PROCBASED_CTLS);

	sim_msr_set(ROOT_CPU, MSR_IA32_VMX_PROCBASED_CTLS, saved & ~BIT(63));
	console_reset();
	cr_assert_eq(vmx_check_features(), -EIO);
	cr_assert(log_contains("VMX feature missing: EPT\n"), "%s", hv_log());
	cr_assert(log_contains("VMX feature missing: INVEPT\n"), "%s",
		  hv_log());
	cr_assert_eq(count(hv_log(), "missing"), 1 + 2 + 5,
		     "secondary controls, 2 secondary and 5 EPT features:\n%s",
		     hv_log());
}

static void cpuid_without_vmx(u32 leaf, u32 subleaf, u32 out[4])
{
	(void)subleaf;
	memset(out, 0, 4 * sizeof(u32));
	if (leaf == 1)
		out[2] = 1U << 21; /* x2APIC, but no VMX */
}

Test(vmx, no_vmx_at_all)
{
	sim_cpuid_hook = cpuid_without_vmx;
	cr_assert_eq(vmx_check_features(), -ENODEV);
	cr_assert(log_contains("CPU 0: VMX feature missing: VMX "
			       "(CPUID.1:ECX.VMX is 0)\n"));
	cr_assert_eq(init_cpu(1), -ENODEV);
	cr_assert_not(sim_cpu_in_vmx_operation(1));
}

Test(vmx, vmx_locked_off_by_firmware)
{
	sim_msr_set(ROOT_CPU, MSR_IA32_FEATURE_CONTROL, 1);
	cr_assert_eq(vmx_check_features(), -EIO);
	cr_assert(log_contains("VMX outside SMX (locked off in "
			       "IA32_FEATURE_CONTROL by the firmware)"));
}

Test(vmx, unlocked_feature_control_is_enabled_and_locked)
{
	sim_msr_set(2, MSR_IA32_FEATURE_CONTROL, 0);
	cr_assert_eq(init_cpu(2), 0);
	cr_assert_eq(sim_msr_get(2, MSR_IA32_FEATURE_CONTROL), 5);
}

/* Bring-up */

Test(vmx, every_cpu_enters_vmx_and_launches_linux)
{
	for (unsigned int cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		int err = init_cpu(cpu);

		cr_assert_eq(err, 0, "CPU %u: %d, %s\n%s", cpu, err,
			     sim_vmx_last_refusal(cpu), hv_log());
		cr_assert_eq(sim_cpu_launches(cpu), launches[cpu] + 1);
		cr_assert(sim_cpu_in_vmx_operation(cpu));
		cr_assert(per_cpu(cpu)->arch.vmx_on);
		sim_current_cpu = cpu;
		cr_assert(hw_read_cr4() & CR4_VMXE);
		cr_assert_eq(sim_vmx_check_entry(cpu, NULL, 0), 0);
	}
	/* VMXON region, VMCS and MSR bitmap per CPU; the stack is given. */
	cr_assert_eq(page_pool_used(&mem_pool), baseline + 3 * QEMU_VM_CPUS);
}

static void assert_segment(unsigned int cpu, const char *name, u32 sel,
			   u32 limit, u32 ar, u32 base,
			   const struct x86_segment *s)
{
	cr_assert_eq(vmcs(cpu, sel), s->selector, "%s selector", name);
	cr_assert_eq(vmcs(cpu, limit), s->limit, "%s limit", name);
	cr_assert_eq(vmcs(cpu, ar), s->access_rights, "%s AR", name);
	cr_assert_eq(vmcs(cpu, base), s->base, "%s base", name);
}

#define ASSERT_SEGMENT(cpu, NAME, seg)                                         \
	assert_segment(cpu, #NAME, VMCS_GUEST_##NAME##_SELECTOR,               \
		       VMCS_GUEST_##NAME##_LIMIT,                              \
		       VMCS_GUEST_##NAME##_AR_BYTES, VMCS_GUEST_##NAME##_BASE, \
		       seg)

static void assert_guest_is(unsigned int cpu, const struct x86_cpu_state *s)
{
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_RIP), s->rip);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_RSP), s->regs.gp[REG_RSP]);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_RFLAGS), s->rflags);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_CR0), s->cr0);
	cr_assert_eq(vmcs(cpu, VMCS_CR0_READ_SHADOW), s->cr0);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_CR3), s->cr3);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_CR4), s->cr4 | CR4_VMXE);
	cr_assert_eq(vmcs(cpu, VMCS_CR4_READ_SHADOW), s->cr4,
		     "Linux must not see VMXE");
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_DR7), s->dr7);
	ASSERT_SEGMENT(cpu, ES, &s->es);
	ASSERT_SEGMENT(cpu, CS, &s->cs);
	ASSERT_SEGMENT(cpu, SS, &s->ss);
	ASSERT_SEGMENT(cpu, DS, &s->ds);
	ASSERT_SEGMENT(cpu, FS, &s->fs);
	ASSERT_SEGMENT(cpu, GS, &s->gs);
	ASSERT_SEGMENT(cpu, LDTR, &s->ldtr);
	ASSERT_SEGMENT(cpu, TR, &s->tr);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_GDTR_BASE), s->gdtr.base);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_GDTR_LIMIT), s->gdtr.limit);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_IDTR_BASE), s->idtr.base);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_IDTR_LIMIT), s->idtr.limit);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_EFER), s->efer);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_PAT), s->pat);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_DEBUGCTL), s->debugctl);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_SYSENTER_EIP), s->sysenter_eip);
	cr_assert_eq(vmcs(cpu, VMCS_GUEST_ACTIVITY_STATE),
		     GUEST_ACTIVITY_ACTIVE);
	cr_assert_eq(vmcs(cpu, VMCS_LINK_POINTER), ~0ULL);
}

Test(vmx, guest_state_is_the_captured_linux_state)
{
	for (unsigned int cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		cr_assert_eq(init_cpu(cpu), 0);
		assert_guest_is(cpu, sim_linux_state(cpu));
		cr_assert(vmcs(cpu, VMCS_ENTRY_CTLS) & ENTRY_IA32E_MODE_GUEST);
	}
}

Test(vmx, controls_as_the_hypervisor_needs_them)
{
	u64 pin, proc, proc2, exit, entry;

	cr_assert_eq(init_cpu(1), 0);
	pin = vmcs(1, VMCS_PIN_BASED_CTLS);
	proc = vmcs(1, VMCS_PROC_BASED_CTLS);
	proc2 = vmcs(1, VMCS_SECONDARY_CTLS);
	exit = vmcs(1, VMCS_EXIT_CTLS);
	entry = vmcs(1, VMCS_ENTRY_CTLS);
	cr_assert(pin & PIN_NMI_EXITING);
	cr_assert_not(pin & PIN_PREEMPTION_TIMER, "armed only on demand");
	cr_assert_eq(proc & (PROC_ACTIVATE_SECONDARY | PROC_USE_IO_BITMAPS |
			     PROC_USE_MSR_BITMAPS),
		     PROC_ACTIVATE_SECONDARY | PROC_USE_IO_BITMAPS |
			     PROC_USE_MSR_BITMAPS);
	cr_assert_not(proc & BIT(7), "HLT must not exit");
	cr_assert_not(proc & BIT(24), "no unconditional I/O exiting");
	cr_assert_not(proc & (BIT(15) | BIT(16)), "no CR3 exiting");
	cr_assert_eq(proc2, PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST |
				    PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID |
				    PROC2_ENABLE_XSAVES);
	cr_assert_eq(exit & (EXIT_HOST_ADDR_SPACE_SIZE | EXIT_ACK_INTERRUPT |
			     EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PAT |
			     EXIT_LOAD_PAT),
		     EXIT_HOST_ADDR_SPACE_SIZE | EXIT_ACK_INTERRUPT |
			     EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PAT |
			     EXIT_LOAD_PAT);
	cr_assert_eq(entry & (ENTRY_LOAD_EFER | ENTRY_LOAD_PAT),
		     ENTRY_LOAD_EFER | ENTRY_LOAD_PAT);
	cr_assert_eq(vmcs(1, VMCS_EXCEPTION_BITMAP), BIT(1) | BIT(17),
		     "#DB and #AC");
	cr_assert_eq(vmcs(1, VMCS_EPT_POINTER), cell_eptp(&root_cell));
	cr_assert_eq(vmcs(1, VMCS_IO_BITMAP_A),
		     page_pool_virt2phys(&mem_pool, root_cell.pio_bitmap));
}

Test(vmx, optional_secondary_controls_follow_the_cpu)
{
	u64 caps = sim_msr_get(1, MSR_IA32_VMX_PROCBASED_CTLS2);

	sim_msr_set(1, MSR_IA32_VMX_PROCBASED_CTLS2,
		    caps & ~((u64)(PROC2_ENABLE_RDTSCP | PROC2_ENABLE_XSAVES)
			     << 32));
	cr_assert_eq(init_cpu(1), 0, "%s", sim_vmx_last_refusal(1));
	cr_assert_eq(vmcs(1, VMCS_SECONDARY_CTLS),
		     PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST |
			     PROC2_ENABLE_INVPCID);
}

Test(vmx, guest_cannot_change_vmx_owned_cr_bits_unnoticed)
{
	u64 cr4_mask, cr0_mask;

	cr_assert_eq(init_cpu(0), 0);
	cr4_mask = vmcs(0, VMCS_CR4_GUEST_HOST_MASK);
	cr0_mask = vmcs(0, VMCS_CR0_GUEST_HOST_MASK);
	cr_assert(cr4_mask & CR4_VMXE, "clearing VMXE must exit");
	cr_assert(cr4_mask & BIT(12), "reserved CR4 bit must exit");
	cr_assert(cr4_mask & BIT(40), "upper CR4 bits must exit");
	cr_assert_not(cr4_mask & BIT(7), "PGE toggles run natively");
	cr_assert(cr0_mask & BIT(5), "clearing CR0.NE must exit");
	cr_assert_not(cr0_mask & (BIT(0) | BIT(31)),
		      "unrestricted guest owns PE and PG");
}

/* Whether an access to an MSR exits, by the bitmap the VMCS names. */
static bool msr_exits(unsigned int cpu, u32 msr, bool write)
{
	const u8 *bitmap = sim_phys_ptr(vmcs(cpu, VMCS_MSR_BITMAP), 4096);
	unsigned int offset = write ? 2048 : 0;

	if (msr >= 0xc0000000) {
		offset += 1024;
		msr -= 0xc0000000;
	}
	return bitmap[offset + msr / 8] & (1 << (msr % 8));
}

Test(vmx, msr_bitmap)
{
	cr_assert_eq(init_cpu(1), 0);
	cr_assert(msr_exits(1, X2APIC_MSR(APIC_ICR), true), "x2APIC ICR write");
	cr_assert_not(msr_exits(1, X2APIC_MSR(APIC_EOI), true),
		      "x2APIC EOI writes never exit (steady state)");
	cr_assert_not(msr_exits(1, X2APIC_MSR(APIC_TIMER_INIT), true),
		      "APIC timer initial count");
	cr_assert_not(msr_exits(1, X2APIC_MSR(APIC_LVT_TIMER), true),
		      "APIC timer LVT");
	cr_assert_not(msr_exits(1, MSR_IA32_TSC_DEADLINE, true),
		      "TSC deadline");
	cr_assert(msr_exits(1, MSR_IA32_APIC_BASE, true), "APIC base write");
	cr_assert(msr_exits(1, MSR_IA32_BIOS_UPDT_TRIG, true),
		  "microcode update trigger");
	cr_assert(msr_exits(1, 0x199, true), "unknown MSRs' writes exit");
	cr_assert_not(msr_exits(1, X2APIC_MSR(APIC_ICR), false),
		      "x2APIC ICR read");
	cr_assert(msr_exits(1, MSR_IA32_EFER, true), "EFER write");
	cr_assert_not(msr_exits(1, MSR_IA32_EFER, false), "EFER read");
	cr_assert(msr_exits(1, MSR_IA32_PAT, true), "PAT write");
	cr_assert(msr_exits(1, MSR_IA32_MTRR_DEF_TYPE, true),
		  "MTRR default type write");
	cr_assert(msr_exits(1, MSR_IA32_VMX_BASIC, false),
		  "VMX capability read");
	cr_assert_not(msr_exits(1, 0x10, false), "TSC read");
	cr_assert_not(msr_exits(1, MSR_IA32_FS_BASE, true), "FS base write");
}

Test(vmx, host_state_of_the_hypervisor)
{
	struct arch_per_cpu *a = &per_cpu(2)->arch;
	u64 tss, desc;

	cr_assert_eq(init_cpu(2), 0);
	tss = vmcs(2, VMCS_HOST_TR_BASE);
	desc = a->host_gdt[HOST_TR_SELECTOR / 8];
	cr_assert_eq(tss, (u64)(uintptr_t)&a->host_tss);
	cr_assert_eq((desc >> 16 & 0xffffff) | (desc >> 56) << 24 |
			     a->host_gdt[HOST_TR_SELECTOR / 8 + 1] << 32,
		     tss, "the GDT's TSS descriptor names the TSS");
	cr_assert_eq(vmcs(2, VMCS_HOST_GDTR_BASE), (u64)(uintptr_t)a->host_gdt);
	cr_assert_eq(vmcs(2, VMCS_HOST_CS_SELECTOR), HOST_CS_SELECTOR);
	cr_assert_eq(vmcs(2, VMCS_HOST_TR_SELECTOR), HOST_TR_SELECTOR);
	cr_assert_eq(vmcs(2, VMCS_HOST_RSP),
		     (u64)(uintptr_t)(&a->guest_regs + 1),
		     "exits push the guest's registers into guest_regs");
	cr_assert_eq(vmcs(2, VMCS_HOST_RIP), (u64)(uintptr_t)x86_vmexit);
	cr_assert_eq(vmcs(2, VMCS_HOST_CR3), sim_linux_state(2)->cr3);
	sim_current_cpu = 2;
	cr_assert_eq(vmcs(2, VMCS_HOST_CR4), hw_read_cr4());
}

Test(vmx, host_state_from_the_entry_code)
{
	struct arch_per_cpu *a = &per_cpu(3)->arch;

	a->host_rip = 0xffffffffc0200000ULL;
	a->host_rsp = 0xffffffffc0310000ULL;
	a->host_cr3 = 0x3be01000;
	cr_assert_eq(init_cpu(3), 0);
	cr_assert_eq(vmcs(3, VMCS_HOST_RIP), a->host_rip);
	cr_assert_eq(vmcs(3, VMCS_HOST_RSP), a->host_rsp);
	cr_assert_eq(vmcs(3, VMCS_HOST_CR3), a->host_cr3);
	cr_assert_eq(page_pool_used(&mem_pool), baseline + 3);
	exit_cpu(3);
	cr_assert_eq(page_pool_used(&mem_pool), baseline);
}

/* What a 32-bit protected-mode kernel leaves on the CPU. */
static void make_linux_32bit(struct x86_cpu_state *s)
{
	s->rip = 0xc1000000;
	s->regs.gp[REG_RSP] = 0xc1800000;
	s->cr0 = 0x80050033;
	s->cr3 = 0x01a00000;
	s->cr4 = 0x690; /* PSE PGE OSFXSR OSXMMEXCPT */
	s->efer = 0;
	s->cs = (struct x86_segment){ 0x60, 0, 0xffffffff, 0xc09b };
	s->ss = (struct x86_segment){ 0x68, 0, 0xffffffff, 0xc093 };
	s->ds = s->es = (struct x86_segment){ 0x7b, 0, 0xffffffff, 0xc0f3 };
	s->fs = (struct x86_segment){ 0xd8, 0x1c00000, 0xffffffff, 0xc093 };
	s->gs = (struct x86_segment){ 0, 0, 0, 0x10000 };
	s->tr = (struct x86_segment){ 0x80, 0xc1b00000, 0x206b, 0x8b };
	s->gdtr = (struct x86_dtable){ 0xc1a00000, 0xff };
	s->idtr = (struct x86_dtable){ 0xc1a01000, 0x7ff };
	s->sysenter_cs = 0x60;
	s->sysenter_esp = 0xc1b00200;
	s->sysenter_eip = 0xc1001000;
}

Test(vmx, protected_mode_linux_gives_a_valid_vmcs)
{
	struct x86_cpu_state *s = sim_linux_state(1);

	make_linux_32bit(s);
	cr_assert_eq(init_cpu(1), 0, "%s", sim_vmx_last_refusal(1));
	assert_guest_is(1, s);
	cr_assert_not(vmcs(1, VMCS_ENTRY_CTLS) & ENTRY_IA32E_MODE_GUEST);
	cr_assert(vmcs(1, VMCS_HOST_EFER) & BIT(10),
		  "the hypervisor itself stays in 64-bit mode");
}

Test(vmx, pae_linux_gets_its_pdptes_into_the_vmcs)
{
	struct x86_cpu_state *s = sim_linux_state(1);
	u64 *pdpte;

	make_linux_32bit(s);
	s->cr4 |= BIT(5);
	s->cr3 = 0x01a00020;
	pdpte = sim_phys_ptr(0x01a00020, 32);
	pdpte[0] = 0x01b00001;
	pdpte[3] = 0x01b03001;
	cr_assert_eq(init_cpu(1), 0, "%s", sim_vmx_last_refusal(1));
	cr_assert_eq(vmcs(1, VMCS_GUEST_PDPTE0), 0x01b00001);
	cr_assert_eq(vmcs(1, VMCS_GUEST_PDPTE0 + 6), 0x01b03001);
}

/* Leaving */

static void assert_segment_equal(const char *name, const struct x86_segment *a,
				 const struct x86_segment *b)
{
	cr_assert(a->selector == b->selector && a->base == b->base &&
			  a->limit == b->limit &&
			  a->access_rights == b->access_rights,
		  "%s differs", name);
}

static void assert_state_equal(const struct x86_cpu_state *a,
			       const struct x86_cpu_state *b)
{
	cr_assert_arr_eq(a->regs.gp, b->regs.gp, sizeof(a->regs.gp));
	cr_assert_eq(a->rip, b->rip);
	cr_assert_eq(a->rflags, b->rflags);
	cr_assert_eq(a->cr0, b->cr0);
	cr_assert_eq(a->cr3, b->cr3);
	cr_assert_eq(a->cr4, b->cr4);
	cr_assert_eq(a->dr7, b->dr7);
	assert_segment_equal("CS", &a->cs, &b->cs);
	assert_segment_equal("DS", &a->ds, &b->ds);
	assert_segment_equal("ES", &a->es, &b->es);
	assert_segment_equal("SS", &a->ss, &b->ss);
	assert_segment_equal("FS", &a->fs, &b->fs);
	assert_segment_equal("GS", &a->gs, &b->gs);
	assert_segment_equal("TR", &a->tr, &b->tr);
	assert_segment_equal("LDTR", &a->ldtr, &b->ldtr);
	cr_assert_eq(a->gdtr.base, b->gdtr.base);
	cr_assert_eq(a->gdtr.limit, b->gdtr.limit);
	cr_assert_eq(a->idtr.base, b->idtr.base);
	cr_assert_eq(a->idtr.limit, b->idtr.limit);
	cr_assert_eq(a->efer, b->efer);
	cr_assert_eq(a->pat, b->pat);
	cr_assert_eq(a->debugctl, b->debugctl);
	cr_assert_eq(a->sysenter_cs, b->sysenter_cs);
	cr_assert_eq(a->sysenter_esp, b->sysenter_esp);
	cr_assert_eq(a->sysenter_eip, b->sysenter_eip);
	cr_assert_eq(a->lstar, b->lstar);
}

Test(vmx, exit_restores_linux_and_frees_everything)
{
	unsigned int cpu;

	for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++)
		cr_assert_eq(init_cpu(cpu), 0);
	for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		exit_cpu(cpu);
		assert_state_equal(&per_cpu(cpu)->arch.linux_state,
				   sim_linux_state(cpu));
		cr_assert_not(sim_cpu_in_vmx_operation(cpu));
		cr_assert_not(per_cpu(cpu)->arch.vmx_on);
		sim_current_cpu = cpu;
		cr_assert_eq(hw_read_cr4(), sim_linux_state(cpu)->cr4);
	}
	cr_assert_eq(page_pool_used(&mem_pool), baseline);
	exit_cpu(0); /* a second disable does nothing */
	cr_assert_eq(page_pool_used(&mem_pool), baseline);
}

Test(vmx, exit_hands_back_what_linux_became_as_a_guest)
{
	struct x86_cpu_state *s = &per_cpu(1)->arch.linux_state;

	cr_assert_eq(init_cpu(1), 0);
	sim_current_cpu = 1;
	hw_vmwrite(VMCS_GUEST_RIP, 0xffffffff81000123ULL);
	hw_vmwrite(VMCS_GUEST_RSP, 0xffffc90000020000ULL);
	/* Linux toggled PGE natively and its CR4 shadow says so too. */
	hw_vmwrite(VMCS_GUEST_CR4, (0x3606f0 & ~BIT(7)) | CR4_VMXE);
	hw_vmwrite(VMCS_CR4_READ_SHADOW, 0x3606f0 & ~BIT(7));
	per_cpu(1)->arch.guest_regs.gp[REG_RAX] = 42;
	exit_cpu(1);
	cr_assert_eq(s->rip, 0xffffffff81000123ULL);
	cr_assert_eq(s->regs.gp[REG_RSP], 0xffffc90000020000ULL);
	cr_assert_eq(s->regs.gp[REG_RAX], 42);
	cr_assert_eq(s->cr4, 0x3606f0 & ~BIT(7), "VMXE hidden: 0x%llx",
		     (unsigned long long)s->cr4);
	sim_current_cpu = 1;
	cr_assert_eq(hw_read_cr4(), 0x3606f0 & ~BIT(7));
}

Test(vmx, protected_mode_linux_restored)
{
	make_linux_32bit(sim_linux_state(2));
	cr_assert_eq(init_cpu(2), 0);
	exit_cpu(2);
	assert_state_equal(&per_cpu(2)->arch.linux_state, sim_linux_state(2));
}

/* Failures roll everything back. */

static void assert_rolled_back(unsigned int cpu, u64 cr4)
{
	cr_assert_not(sim_cpu_in_vmx_operation(cpu));
	cr_assert_not(per_cpu(cpu)->arch.vmx_on);
	cr_assert_null(per_cpu(cpu)->arch.vmcs);
	cr_assert_eq(page_pool_used(&mem_pool), baseline);
	sim_current_cpu = cpu;
	cr_assert_eq(hw_read_cr4(), cr4);
	sim_current_cpu = 0;
}

Test(vmx, refused_guest_state_is_logged_and_rolled_back)
{
	sim_linux_state(1)->cs.access_rights = 0xa0fb; /* DPL 3 */
	cr_assert_eq(init_cpu(1), -EIO);
	cr_assert(log_contains("CPU 1: VM entry failed: invalid guest state "
			       "(exit reason 0x80000021, qualification 0)"),
		  "%s", hv_log());
	cr_assert_str_eq(sim_vmx_last_refusal(1),
			 "guest CS access rights: DPL 3 != SS.DPL 0");
	cr_assert_eq(sim_cpu_launches(1), launches[1]);
	assert_rolled_back(1, sim_linux_state(1)->cr4);
}

static int refuse_controls(unsigned int cpu)
{
	unsigned int caller = sim_current_cpu;

	sim_vmcs_set(cpu, VMCS_VM_INSTRUCTION_ERROR, 7);
	sim_current_cpu = caller;
	return 7;
}

Test(vmx, vm_instruction_error_is_logged_and_rolled_back)
{
	sim_vmentry_hook = refuse_controls;
	cr_assert_eq(init_cpu(2), -EIO);
	cr_assert(log_contains("CPU 2: VM entry refused: VM-instruction "
			       "error 7 (invalid control fields)"),
		  "%s", hv_log());
	assert_rolled_back(2, sim_linux_state(2)->cr4);
}

/* No stand-ins: a host field the entry code left 0 refuses the CPU. */
Test(vmx, zero_host_state_is_refused_by_name)
{
	static const char *const names[] = { "RIP", "RSP", "CR3" };
	struct arch_per_cpu *a = &per_cpu(3)->arch;
	u64 *fields[] = { &a->host_rip, &a->host_rsp, &a->host_cr3 };
	char line[64];
	unsigned int n;
	u64 saved;

	for (n = 0; n < 3; n++) {
		saved = *fields[n];
		*fields[n] = 0;
		cr_assert_eq(init_cpu(3), -EINVAL, "host %s", names[n]);
		snprintf(line, sizeof(line),
			 "CPU 3: no host %s from the entry code", names[n]);
		cr_assert(log_contains(line), "%s", hv_log());
		cr_assert_eq(sim_cpu_launches(3), launches[3]);
		assert_rolled_back(3, sim_linux_state(3)->cr4);
		*fields[n] = saved;
	}
	cr_assert_eq(init_cpu(3), 0);
}

/* A CPU whose VMCS lacks a field setup writes is refused, not launched. */
Test(vmx, failed_vmwrite_is_named_and_rolled_back)
{
	sim_vmcs_remove_field(VMCS_HOST_PAT);
	cr_assert_eq(init_cpu(2), -EIO);
	cr_assert(log_contains("CPU 2: VMWRITE of field 0x2c00 failed: "
			       "VM-instruction error 12 (VMCS component not "
			       "supported)"),
		  "%s", hv_log());
	cr_assert_eq(count(hv_log(), "VMWRITE of field"), 1);
	cr_assert_eq(sim_cpu_launches(2), launches[2]);
	assert_rolled_back(2, sim_linux_state(2)->cr4);
}

/* The simulator's VMWRITE fails as the SDM says (vol. 3, "VMWRITE"). */
Test(vmx, simulated_vmwrite_fails_as_the_sdm_says)
{
	cr_assert_eq(init_cpu(1), 0);
	sim_current_cpu = 1;
	cr_assert_eq(hw_vmwrite(VMCS_GUEST_RIP, 0x1000), 0);
	cr_assert_eq(hw_vmwrite(0x6c40, 1), HW_VMFAIL_VALID, "index > ENUM");
	cr_assert_eq(hw_vmread(VMCS_VM_INSTRUCTION_ERROR), 12);
	cr_assert_eq(hw_vmwrite(VMCS_GUEST_RIP | 1, 1), HW_VMFAIL_VALID,
		     "high half of a natural-width field");
	cr_assert_eq(hw_vmwrite(VMCS_EXIT_REASON, 1), 0, "MISC bit 29 set");
	sim_msr_set(1, MSR_IA32_VMX_MISC,
		    sim_msr_get(1, MSR_IA32_VMX_MISC) & ~BIT(29));
	cr_assert_eq(hw_vmwrite(VMCS_EXIT_REASON, 2), HW_VMFAIL_VALID);
	cr_assert_eq(hw_vmread(VMCS_VM_INSTRUCTION_ERROR), 13);
	cr_assert_eq(hw_vmread(VMCS_EXIT_REASON), 1, "left as it was");
	cr_assert_eq(hw_vmread(VMCS_GUEST_RIP), 0x1000);
	hw_vmxoff();
	cr_assert_eq(hw_vmwrite(VMCS_GUEST_RIP, 0x2000), HW_VMFAIL_INVALID);
	cr_assert_eq(hw_vmread(VMCS_GUEST_RIP), 0x1000);
	sim_current_cpu = 0;
}

Test(vmx, vmx_already_in_use)
{
	cr_assert_eq(init_cpu(1), 0);
	cr_assert_eq(init_cpu(1), -EBUSY);
	cr_assert(log_contains("CPU 1: CR4.VMXE already set: VMX is in use"));
	cr_assert_eq(sim_cpu_launches(1), launches[1] + 1);
}

Test(vmx, cr4_outside_fixed_bits)
{
	sim_msr_set(1, MSR_IA32_VMX_CR4_FIXED1, 0x3767ff & ~BIT(21));
	cr_assert_eq(init_cpu(1), -EIO);
	cr_assert(log_contains("CPU 1: CR4 0x3626f0 does not fit VMX's fixed "
			       "bits"),
		  "%s", hv_log());
	assert_rolled_back(1, sim_linux_state(1)->cr4);
}

Test(vmx, pool_exhaustion_is_rolled_back)
{
	unsigned long free_pages = page_pool_free_pages(&mem_pool);
	void *hog = page_alloc(&mem_pool, free_pages - 2);

	cr_assert_not_null(hog);
	baseline = page_pool_used(&mem_pool);
	cr_assert_eq(init_cpu(1), -ENOMEM);
	cr_assert(log_contains("CPU 1: no memory for VMX"));
	assert_rolled_back(1, sim_linux_state(1)->cr4);
	page_free(&mem_pool, hog, free_pages - 2);
}

/* Exits */

#define EXIT_CPU 1

static struct guest_regs *regs(void)
{
	return &per_cpu(EXIT_CPU)->arch.guest_regs;
}

/* The exit information a CPU would leave in the VMCS. */
static void fake_exit(u32 reason, u64 qualification)
{
	sim_current_cpu = EXIT_CPU;
	sim_vmcs_set(EXIT_CPU, VMCS_EXIT_REASON, reason);
	sim_vmcs_set(EXIT_CPU, VMCS_EXIT_QUALIFICATION, qualification);
	sim_vmcs_set(EXIT_CPU, VMCS_GUEST_RIP, 0xffffffff81001000ULL);
	sim_vmcs_set(EXIT_CPU, VMCS_GUEST_RSP, 0xffffc90000003f00ULL);
	sim_vmcs_set(EXIT_CPU, VMCS_GUEST_SS_AR_BYTES, 0xc093);
	sim_vmcs_set(EXIT_CPU, VMCS_EXIT_INSTRUCTION_LEN, 3);
}

static struct x86_exit read_exit(void)
{
	struct x86_exit exit;

	memset(&exit, 0xa5, sizeof(exit));
	sim_current_cpu = EXIT_CPU;
	vmx_read_exit(per_cpu(EXIT_CPU), &exit);
	return exit;
}

Test(vmx, exit_vmcall_is_a_hypercall)
{
	struct x86_exit exit;

	fake_exit(EXIT_REASON_VMCALL, 0);
	sim_vmcs_set(EXIT_CPU, VMCS_GUEST_SS_AR_BYTES, 0xc0f3);
	regs()->gp[REG_RAX] = 2;
	regs()->gp[REG_RDI] = 0x1000;
	regs()->gp[REG_RSI] = 0x2000;
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_HYPERCALL);
	cr_assert_eq(exit.vendor_reason, EXIT_REASON_VMCALL);
	cr_assert_eq(exit.rax, 2);
	cr_assert_eq(exit.rdi, 0x1000);
	cr_assert_eq(exit.rsi, 0x2000);
	cr_assert_eq(exit.cpl, 3, "CPL from SS.DPL");
	cr_assert_eq(exit.rip, 0xffffffff81001000ULL);
	cr_assert_eq(exit.regs, regs());
}

Test(vmx, exit_ept_violation)
{
	struct x86_exit exit;

	fake_exit(EXIT_REASON_EPT_VIOLATION, BIT(1) | BIT(7) | BIT(8));
	sim_vmcs_set(EXIT_CPU, VMCS_GUEST_PHYSICAL_ADDRESS, 0xfee00300);
	sim_vmcs_set(EXIT_CPU, VMCS_GUEST_LINEAR_ADDRESS, 0xffffffffff5fc300ULL);
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_NESTED_FAULT);
	cr_assert_eq(exit.fault.gpa, 0xfee00300);
	cr_assert(exit.fault.write);
	cr_assert_not(exit.fault.read);
	cr_assert_not(exit.fault.fetch);
	cr_assert(exit.fault.gla_valid);
	cr_assert_eq(exit.fault.gla, 0xffffffffff5fc300ULL);

	fake_exit(EXIT_REASON_EPT_VIOLATION, BIT(2) | BIT(0));
	exit = read_exit();
	cr_assert(exit.fault.fetch && exit.fault.read && !exit.fault.write);
	cr_assert_not(exit.fault.gla_valid);
	cr_assert_eq(exit.fault.gla, 0);
}

Test(vmx, exit_io_instruction)
{
	struct x86_exit exit;

	regs()->gp[REG_RAX] = 0x12345641;
	fake_exit(EXIT_REASON_IO_INSTRUCTION, 0x3f8ULL << 16);
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_PIO);
	cr_assert_eq(exit.pio.port, 0x3f8);
	cr_assert_eq(exit.pio.size, 1);
	cr_assert(exit.pio.is_write);
	cr_assert_eq(exit.pio.value, 0x41);
	cr_assert_not(exit.pio.is_string || exit.pio.rep);

	fake_exit(EXIT_REASON_IO_INSTRUCTION, 0xcfcULL << 16 | 1);
	exit = read_exit();
	cr_assert_eq(exit.pio.size, 2);
	cr_assert_eq(exit.pio.value, 0x5641);

	/* REP INSD from port 0x1f0. */
	fake_exit(EXIT_REASON_IO_INSTRUCTION,
		  0x1f0ULL << 16 | 3 | BIT(3) | BIT(4) | BIT(5));
	exit = read_exit();
	cr_assert_eq(exit.pio.port, 0x1f0);
	cr_assert_eq(exit.pio.size, 4);
	cr_assert_not(exit.pio.is_write);
	cr_assert(exit.pio.is_string && exit.pio.rep);
	cr_assert_eq(exit.pio.value, 0);
}

Test(vmx, exit_cpuid_msr_and_xsetbv)
{
	struct x86_exit exit;

	fake_exit(EXIT_REASON_CPUID, 0);
	cr_assert_eq(read_exit().reason, X86_EXIT_CPUID);

	regs()->gp[REG_RCX] = 0xffffffffc0000080ULL;
	fake_exit(EXIT_REASON_RDMSR, 0);
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_MSR_READ);
	cr_assert_eq(exit.msr.index, 0xc0000080, "only ECX counts");

	regs()->gp[REG_RCX] = 0x277;
	regs()->gp[REG_RDX] = 0x00070406;
	regs()->gp[REG_RAX] = 0xdead000000070406ULL;
	fake_exit(EXIT_REASON_WRMSR, 0);
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_MSR_WRITE);
	cr_assert_eq(exit.msr.index, 0x277);
	cr_assert_eq(exit.msr.value, 0x0007040600070406ULL);

	regs()->gp[REG_RCX] = 0;
	regs()->gp[REG_RDX] = 0;
	regs()->gp[REG_RAX] = 0x207;
	fake_exit(EXIT_REASON_XSETBV, 0);
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_XSETBV);
	cr_assert_eq(exit.xcr.index, 0);
	cr_assert_eq(exit.xcr.value, 0x207);
}

Test(vmx, exit_cr_access)
{
	struct x86_exit exit;

	/* MOV to CR4 from RBX. */
	regs()->gp[REG_RBX] = 0x3606f0;
	fake_exit(EXIT_REASON_CR_ACCESS, 4 | 0 << 4 | REG_RBX << 8);
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_CR_ACCESS);
	cr_assert_eq(exit.cr.cr, 4);
	cr_assert_eq(exit.cr.access, X86_CR_MOV_TO);
	cr_assert_eq(exit.cr.gpr, REG_RBX);
	cr_assert_eq(exit.cr.value, 0x3606f0);

	/* MOV to CR0 from RSP takes RSP from the VMCS. */
	fake_exit(EXIT_REASON_CR_ACCESS, 0 | REG_RSP << 8);
	cr_assert_eq(read_exit().cr.value, 0xffffc90000003f00ULL);

	fake_exit(EXIT_REASON_CR_ACCESS, 3 | 1 << 4 | REG_R9 << 8);
	exit = read_exit();
	cr_assert_eq(exit.cr.cr, 3);
	cr_assert_eq(exit.cr.access, X86_CR_MOV_FROM);
	cr_assert_eq(exit.cr.gpr, REG_R9);

	fake_exit(EXIT_REASON_CR_ACCESS, 0 | 2 << 4);
	cr_assert_eq(read_exit().cr.access, X86_CR_CLTS);

	fake_exit(EXIT_REASON_CR_ACCESS, 0 | 3 << 4 | 0x0031ULL << 16);
	exit = read_exit();
	cr_assert_eq(exit.cr.access, X86_CR_LMSW);
	cr_assert_eq(exit.cr.lmsw_source, 0x31);
}

Test(vmx, exit_exceptions_and_nmi)
{
	struct x86_exit exit;

	/* #AC with its error code. */
	fake_exit(EXIT_REASON_EXCEPTION_NMI, 0);
	sim_vmcs_set(EXIT_CPU, VMCS_EXIT_INTR_INFO,
		     BIT(31) | BIT(11) | 3 << 8 | 17);
	sim_vmcs_set(EXIT_CPU, VMCS_EXIT_INTR_ERROR_CODE, 0);
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_EXCEPTION);
	cr_assert_eq(exit.exception.vector, 17);
	cr_assert(exit.exception.has_error_code);
	cr_assert_eq(exit.exception.error_code, 0);

	/* #DB: no error code. */
	sim_vmcs_set(EXIT_CPU, VMCS_EXIT_INTR_INFO, BIT(31) | 3 << 8 | 1);
	sim_vmcs_set(EXIT_CPU, VMCS_EXIT_INTR_ERROR_CODE, 0x55);
	exit = read_exit();
	cr_assert_eq(exit.exception.vector, 1);
	cr_assert_not(exit.exception.has_error_code);
	cr_assert_eq(exit.exception.error_code, 0);

	/* An NMI is a kick from another CPU. */
	sim_vmcs_set(EXIT_CPU, VMCS_EXIT_INTR_INFO, BIT(31) | 2 << 8 | 2);
	cr_assert_eq(read_exit().reason, X86_EXIT_KICK);
}

Test(vmx, exit_init_sipi_triple_fault_and_timer)
{
	struct x86_exit exit;

	fake_exit(EXIT_REASON_INIT, 0);
	cr_assert_eq(read_exit().reason, X86_EXIT_INIT);
	fake_exit(EXIT_REASON_SIPI, 0x9a);
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_SIPI);
	cr_assert_eq(exit.sipi_vector, 0x9a);
	fake_exit(EXIT_REASON_TRIPLE_FAULT, 0);
	cr_assert_eq(read_exit().reason, X86_EXIT_TRIPLE_FAULT);
	fake_exit(EXIT_REASON_PREEMPTION_TIMER, 0);
	cr_assert_eq(read_exit().reason, X86_EXIT_PREEMPTION_TIMER);
}

Test(vmx, exit_anything_else_is_unhandled)
{
	struct x86_exit exit;

	fake_exit(12, 0); /* HLT */
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_UNHANDLED);
	cr_assert_eq(exit.vendor_reason, 12);

	fake_exit(EXIT_REASON_ENTRY_FAILURE | EXIT_REASON_INVALID_GUEST_STATE,
		  0);
	exit = read_exit();
	cr_assert_eq(exit.reason, X86_EXIT_UNHANDLED);
	cr_assert_eq(exit.vendor_reason, 0x80000021);
}

/* Helpers for exit handlers */

Test(vmx, skip_instruction_moves_rip_and_ends_sti_blocking)
{
	cr_assert_eq(init_cpu(EXIT_CPU), 0);
	fake_exit(EXIT_REASON_CPUID, 0);
	hw_vmwrite(VMCS_EXIT_INSTRUCTION_LEN, 2);
	hw_vmwrite(VMCS_GUEST_RFLAGS, 0x202);
	hw_vmwrite(VMCS_GUEST_INTERRUPTIBILITY, GUEST_INTR_BLOCK_STI);
	vmx_skip_instruction(per_cpu(EXIT_CPU));
	cr_assert_eq(hw_vmread(VMCS_GUEST_RIP), 0xffffffff81001002ULL);
	cr_assert_eq(hw_vmread(VMCS_GUEST_INTERRUPTIBILITY), 0);
	cr_assert_eq(sim_vmx_check_entry(EXIT_CPU, NULL, 0), 0);
}

static void assert_entry_ok(void)
{
	char why[256];
	int r = sim_vmx_check_entry(EXIT_CPU, why, sizeof(why));

	cr_assert_eq(r, 0, "entry refused: %s", why);
}

Test(vmx, injected_exceptions_pass_the_entry_checks)
{
	cr_assert_eq(init_cpu(EXIT_CPU), 0);
	sim_current_cpu = EXIT_CPU;

	vmx_inject_exception(per_cpu(EXIT_CPU), 13, 0x18);
	cr_assert_eq(hw_vmread(VMCS_ENTRY_INTR_INFO),
		     BIT(31) | BIT(11) | 3 << 8 | 13);
	cr_assert_eq(hw_vmread(VMCS_ENTRY_EXCEPTION_ERROR_CODE), 0x18);
	assert_entry_ok();

	vmx_inject_exception(per_cpu(EXIT_CPU), 6, 0x18);
	cr_assert_eq(hw_vmread(VMCS_ENTRY_INTR_INFO), BIT(31) | 3 << 8 | 6);
	assert_entry_ok();

	/* #AC and #DB go back to the guest as they came. */
	vmx_inject_exception(per_cpu(EXIT_CPU), 17, 0);
	assert_entry_ok();
	vmx_inject_exception(per_cpu(EXIT_CPU), 1, 0);
	assert_entry_ok();

	hw_vmwrite(VMCS_EXIT_INSTRUCTION_LEN, 1);
	vmx_inject_exception(per_cpu(EXIT_CPU), 3, 0);
	cr_assert_eq(hw_vmread(VMCS_ENTRY_INTR_INFO), BIT(31) | 6 << 8 | 3);
	cr_assert_eq(hw_vmread(VMCS_ENTRY_INSTRUCTION_LEN), 1);
	assert_entry_ok();
}

Test(vmx, injected_exception_in_real_mode_has_no_error_code)
{
	cr_assert_eq(init_cpu(EXIT_CPU), 0);
	sim_current_cpu = EXIT_CPU;
	/* What control.c's reset leaves: a real-mode start. */
	hw_vmwrite(VMCS_ENTRY_CTLS,
		   hw_vmread(VMCS_ENTRY_CTLS) & ~ENTRY_IA32E_MODE_GUEST);
	hw_vmwrite(VMCS_GUEST_CR0, 0x30);
	hw_vmwrite(VMCS_GUEST_CR4, CR4_VMXE);
	hw_vmwrite(VMCS_GUEST_EFER, 0);
	hw_vmwrite(VMCS_GUEST_CS_SELECTOR, 0xf000);
	hw_vmwrite(VMCS_GUEST_CS_BASE, 0xf0000);
	hw_vmwrite(VMCS_GUEST_CS_LIMIT, 0xffff);
	hw_vmwrite(VMCS_GUEST_CS_AR_BYTES, 0x9b);
	hw_vmwrite(VMCS_GUEST_SS_AR_BYTES, 0x93);
	hw_vmwrite(VMCS_GUEST_SS_LIMIT, 0xffff);
	hw_vmwrite(VMCS_GUEST_TR_AR_BYTES, 0x8b);
	hw_vmwrite(VMCS_GUEST_RIP, 0xfff0);
	assert_entry_ok();
	vmx_inject_exception(per_cpu(EXIT_CPU), 13, 0x18);
	cr_assert_eq(hw_vmread(VMCS_ENTRY_INTR_INFO), BIT(31) | 3 << 8 | 13);
	assert_entry_ok();
}

/*
 * Arms the VMX preemption timer of the current CPU to expire at once after
 * the next VM entry, or disarms it.
 */
static void preemption_timer_arm(bool armed)
{
	u32 pin = hw_vmread(VMCS_PIN_BASED_CTLS);

	if (armed)
		pin |= PIN_PREEMPTION_TIMER;
	else
		pin &= ~PIN_PREEMPTION_TIMER;
	hw_vmwrite(VMCS_PIN_BASED_CTLS, pin);
	hw_vmwrite(VMCS_PREEMPTION_TIMER_VALUE, 0);
}

Test(vmx, preemption_timer_arms_and_disarms)
{
	cr_assert_eq(init_cpu(EXIT_CPU), 0);
	sim_current_cpu = EXIT_CPU;
	preemption_timer_arm(true);
	cr_assert(hw_vmread(VMCS_PIN_BASED_CTLS) & PIN_PREEMPTION_TIMER);
	cr_assert_eq(hw_vmread(VMCS_PREEMPTION_TIMER_VALUE), 0);
	assert_entry_ok();
	preemption_timer_arm(false);
	cr_assert_not(hw_vmread(VMCS_PIN_BASED_CTLS) & PIN_PREEMPTION_TIMER);
	assert_entry_ok();
}

Test(vmx, reset_gives_an_enterable_real_mode_cpu)
{
	cr_assert_eq(init_cpu(2), 0);
	sim_current_cpu = 2;
	hw_vmwrite(VMCS_ENTRY_INTR_INFO, BIT(31) | 3 << 8 | 6);
	per_cpu(2)->arch.guest_regs.gp[REG_RBX] = 7;
	vmx_vcpu_reset(per_cpu(2), 0xffff0);
	cr_assert_eq(sim_vmx_check_entry(2, NULL, 0), 0, "%s",
		     sim_vmx_last_refusal(2));
	cr_assert_eq(hw_vmread(VMCS_GUEST_CS_BASE), 0xf0000);
	cr_assert_eq(hw_vmread(VMCS_GUEST_CS_SELECTOR), 0xf000);
	cr_assert_eq(hw_vmread(VMCS_GUEST_RIP), 0xfff0);
	cr_assert_not(hw_vmread(VMCS_GUEST_CR0) & BIT(0), "real mode");
	cr_assert_eq(hw_vmread(VMCS_CR0_READ_SHADOW), 0x10);
	cr_assert_eq(hw_vmread(VMCS_CR4_READ_SHADOW), 0);
	cr_assert_not(hw_vmread(VMCS_ENTRY_CTLS) & ENTRY_IA32E_MODE_GUEST);
	cr_assert_eq(hw_vmread(VMCS_ENTRY_INTR_INFO), 0);
	cr_assert_eq(per_cpu(2)->arch.guest_regs.gp[REG_RBX], 0);
}
