// SPDX-License-Identifier: GPL-2.0
/*
 * XSETBV emulation: XCR0 is per CPU, so a cell may set it, but only to a
 * value the CPU accepts; anything else would fault the hypervisor instead
 * of the guest.
 */
#include <asm/cpuid.h>
#include <asm/emulate.h>
#include <asm/hw.h>
#include <asm/processor-flags.h>

#define XCR0_X87 (1ULL << 0)
#define XCR0_SSE (1ULL << 1)
#define XCR0_AVX (1ULL << 2)

static u64 supported_xcr0(void)
{
	u32 out[4];

	hw_cpuid(CPUID_XSAVE_LEAF, 0, out);
	return (u64)out[3] << 32 | out[0];
}

enum x86_action x86_emulate_xsetbv(struct guest_regs *regs, u64 guest_cr4)
{
	u64 value = (regs->gp[REG_RDX] & 0xffffffff) << 32 |
		    (regs->gp[REG_RAX] & 0xffffffff);

	if (!(guest_cr4 & CR4_OSXSAVE))
		return X86_ACTION_INJECT_UD;
	if ((u32)regs->gp[REG_RCX] != 0 || !(value & XCR0_X87) ||
	    (value & ~supported_xcr0()) ||
	    ((value & XCR0_AVX) && !(value & XCR0_SSE)))
		return X86_ACTION_INJECT_GP;
	hw_xsetbv(0, value);
	return X86_ACTION_DONE;
}
