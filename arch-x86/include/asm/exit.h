/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM exit in vendor-neutral form. The VMX (and later SVM) entry code turns
 * its exit information into this and hands it to x86_handle_exit; the
 * simulator's fake CPUs raise exits the same way.
 */
#ifndef _ASM_EXIT_H
#define _ASM_EXIT_H

#include <core/mmio.h>
#include <core/percpu.h>
#include <asm/cpu_state.h>

enum x86_exit_reason {
	X86_EXIT_HYPERCALL,
	X86_EXIT_MMIO, /* nested paging violation, access decoded */
	X86_EXIT_PIO,
	X86_EXIT_KICK, /* IPI/NMI from another CPU: look at the requests */
	X86_EXIT_TRIPLE_FAULT,
	X86_EXIT_UNHANDLED, /* any reason the hypervisor does not handle */
};

struct x86_exit {
	enum x86_exit_reason reason;
	u32 vendor_reason; /* raw exit code, for the log */
	unsigned int cpl;
	/* The guest's registers, read and written by handlers; may be NULL. */
	struct guest_regs *regs;
	u64 rax, rdi, rsi, rip;
	struct mmio_access mmio;
	struct {
		u16 port;
		u8 size;
		bool is_write;
		u32 value;
	} pio;
};

/* True if the guest may go on; false if the CPU stays in the hypervisor. */
bool x86_handle_exit(struct per_cpu *cpu, struct x86_exit *exit);

#endif
