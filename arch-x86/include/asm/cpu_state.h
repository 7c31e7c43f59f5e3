/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A CPU's architectural state as Linux left it when it called into the
 * hypervisor: what the VMCS's guest state is built from, so Linux continues
 * unaware, and what disable restores.
 */
#ifndef _ASM_CPU_STATE_H
#define _ASM_CPU_STATE_H

#include <core/types.h>

struct x86_segment {
	u16 selector;
	u64 base;
	u32 limit;
	u32 access_rights; /* VMX layout: type, S, DPL, P, AVL, L, D/B, G */
};

struct x86_dtable {
	u64 base;
	u16 limit;
};

/* General-purpose registers, indexed by their instruction encoding. */
enum x86_reg {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	NUM_GP_REGS
};

struct guest_regs {
	u64 gp[NUM_GP_REGS];
};

struct x86_cpu_state {
	struct guest_regs regs;
	u64 rip, rflags;
	u64 cr0, cr3, cr4;
	u64 dr7;
	struct x86_segment cs, ds, es, ss, fs, gs, tr, ldtr;
	struct x86_dtable gdtr, idtr;
	u64 efer, pat, debugctl;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 kernel_gs_base, star, lstar, cstar, fmask;
};

#endif
