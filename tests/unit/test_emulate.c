// SPDX-License-Identifier: GPL-2.0
/* CPUID and XSETBV emulation against the simulated CPU. */
#include <criterion/criterion.h>
#include <string.h>
#include <asm/cpuid.h>
#include <asm/emulate.h>
#include <asm/hw.h>
#include <asm/processor-flags.h>
#include <sim/cpu_hw.h>
#include <sim/hw_state.h>
#include "helpers.h"

/* A booted system: CPUID's answers depend on its APIC mode. */
static void setup(void)
{
	boot_qemu_vm();
	sim_cpuid_hook = NULL;
}

TestSuite(emulate, .init = setup);

static void cpuid(u64 leaf, u64 subleaf, struct guest_regs *regs)
{
	memset(regs, 0xee, sizeof(*regs));
	regs->gp[REG_RAX] = leaf;
	regs->gp[REG_RCX] = subleaf;
	x86_emulate_cpuid(regs);
}

Test(emulate, cpuid_hides_vmx_and_announces_the_hypervisor)
{
	struct guest_regs regs;
	u32 raw[4];

	hw_cpuid(1, 0, raw);
	cr_assert(raw[2] & CPUID1_ECX_VMX, "the simulated CPU has VMX");
	cpuid(1, 0, &regs);
	cr_assert_eq(regs.gp[REG_RCX] & CPUID1_ECX_VMX, 0);
	cr_assert(regs.gp[REG_RCX] & CPUID1_ECX_HYPERVISOR);
	cr_assert_eq(regs.gp[REG_RDX], raw[3], "other features unchanged");
	cr_assert_eq(regs.gp[REG_RAX], raw[0]);
	cr_assert_eq(regs.gp[REG_R8], 0xeeeeeeeeeeeeeeeeULL,
		     "other registers untouched");
}

Test(emulate, cpuid_leaf_results_zero_extend)
{
	struct guest_regs regs;

	cpuid(0xffffffff00000000ULL, 0, &regs);
	cr_assert_eq(regs.gp[REG_RAX], 0xd, "only EAX counts as the leaf");
	cr_assert_eq(regs.gp[REG_RBX] >> 32, 0);
}

Test(emulate, hypervisor_leaf_names_jailhouse)
{
	struct guest_regs regs;
	char name[13] = { 0 };
	u32 part;

	cpuid(CPUID_HV_LEAF, 0, &regs);
	part = (u32)regs.gp[REG_RBX];
	memcpy(name, &part, 4);
	part = (u32)regs.gp[REG_RCX];
	memcpy(name + 4, &part, 4);
	part = (u32)regs.gp[REG_RDX];
	memcpy(name + 8, &part, 4);
	cr_assert_str_eq(name, "Jailhouse");
	cpuid(CPUID_HV_LEAF + 5, 0, &regs);
	cr_assert_eq(regs.gp[REG_RAX] | regs.gp[REG_RBX] | regs.gp[REG_RCX] |
			     regs.gp[REG_RDX],
		     0, "unknown hypervisor leaves are empty");
}

static enum x86_action xsetbv(u64 index, u64 value, u64 cr4)
{
	struct guest_regs regs = { { 0 } };

	regs.gp[REG_RCX] = index;
	regs.gp[REG_RAX] = value & 0xffffffff;
	regs.gp[REG_RDX] = value >> 32;
	return x86_emulate_xsetbv(&regs, cr4);
}

Test(emulate, xsetbv_accepts_supported_values)
{
	cr_assert_eq(xsetbv(0, 0x3, CR4_OSXSAVE), X86_ACTION_DONE);
	cr_assert_eq(hw_xgetbv(0), 0x3);
	cr_assert_eq(xsetbv(0, 0x7, CR4_OSXSAVE), X86_ACTION_DONE);
	cr_assert_eq(hw_xgetbv(0), 0x7);
}

Test(emulate, xsetbv_refuses_what_the_cpu_would)
{
	cr_assert_eq(xsetbv(0, 0x7, 0), X86_ACTION_INJECT_UD,
		     "CR4.OSXSAVE off");
	cr_assert_eq(xsetbv(1, 0x3, CR4_OSXSAVE), X86_ACTION_INJECT_GP);
	cr_assert_eq(xsetbv(0, 0x2, CR4_OSXSAVE), X86_ACTION_INJECT_GP,
		     "x87 state is mandatory");
	cr_assert_eq(xsetbv(0, 0x5, CR4_OSXSAVE), X86_ACTION_INJECT_GP,
		     "AVX without SSE");
	cr_assert_eq(xsetbv(0, 0x1f, CR4_OSXSAVE), X86_ACTION_INJECT_GP,
		     "beyond the CPU's XSAVE features");
	cr_assert_eq(xsetbv(0x100000000ULL, 0x3, CR4_OSXSAVE),
		     X86_ACTION_DONE, "only ECX selects the register");
	cr_assert_eq(hw_xgetbv(0), 0x3);
}
