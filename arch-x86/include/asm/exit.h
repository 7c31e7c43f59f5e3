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
	X86_EXIT_NESTED_FAULT, /* EPT violation or nested page fault, not decoded yet */
	X86_EXIT_CPUID,
	X86_EXIT_MSR_READ,
	X86_EXIT_MSR_WRITE,
	X86_EXIT_CR_ACCESS,
	X86_EXIT_XSETBV,
	X86_EXIT_PREEMPTION_TIMER,
	X86_EXIT_EXCEPTION, /* an intercepted exception of the guest */
	X86_EXIT_INIT,
	X86_EXIT_SIPI,
};

/* What a control-register access exit did (x86_exit.cr.access). */
enum x86_cr_access {
	X86_CR_MOV_TO,
	X86_CR_MOV_FROM,
	X86_CR_CLTS,
	X86_CR_LMSW,
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
		bool is_string; /* INS/OUTS: value is not used */
		bool rep;
	} pio;
	struct {
		u64 gpa;
		u64 gla; /* guest-linear address, if gla_valid */
		bool read, write, fetch, gla_valid;
	} fault; /* of X86_EXIT_NESTED_FAULT and X86_EXIT_MMIO */
	struct {
		u32 index;
		u64 value; /* for writes: EDX:EAX */
	} msr;
	struct {
		u32 index; /* XCR number, from ECX */
		u64 value; /* EDX:EAX */
	} xcr;
	struct {
		u8 cr;
		enum x86_cr_access access;
		u8 gpr; /* enum x86_reg of MOV to/from CR */
		u16 lmsw_source;
		u64 value; /* for MOV to CR: the register's value */
	} cr;
	struct {
		u8 vector;
		bool has_error_code;
		u32 error_code;
	} exception;
	u8 sipi_vector;
};

/* #DF, #TS, #NP, #SS, #GP, #PF and #AC push an error code. */
static inline bool x86_pushes_error_code(u8 vector)
{
	const u32 with_error_code = 1U << 8 | 1U << 10 | 1U << 11 | 1U << 12 |
				    1U << 13 | 1U << 14 | 1U << 17;

	return vector < 32 && (with_error_code >> vector) & 1;
}

/* True if the guest may go on; false if the CPU stays in the hypervisor. */
bool x86_handle_exit(struct per_cpu *cpu, struct x86_exit *exit);

/* A nested paging fault: fetch, decode and emulate the instruction (MMIO). */
bool x86_handle_nested_fault(struct per_cpu *cpu, struct x86_exit *exit);
/* Hands an access to the cell's MMIO regions; fails the CPU if none. */
bool x86_dispatch_mmio(struct per_cpu *cpu, struct x86_exit *exit);
/* Fails the CPU's cell with a reason and the guest's registers. */
void x86_fail_cpu(struct per_cpu *cpu, const struct x86_exit *exit,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
