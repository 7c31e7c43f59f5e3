// SPDX-License-Identifier: GPL-2.0
/*
 * Handing a CPU back to Linux after the hypervisor left VMX operation on
 * it: Linux's address space and descriptor tables, its TSS, segment and
 * system-call MSRs, then its registers, and on where it stopped.
 */
#include <asm/boot.h>
#include <asm/cpu_state.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/percpu.h>
#include <asm/processor-flags.h>

#define TSS_BUSY (1 << 1) /* in the type field of the descriptor */

struct table_register {
	u16 limit;
	u64 base;
} __attribute__((packed));

static void write_cr0(u64 value)
{
	asm volatile("mov %0, %%cr0" : : "r"(value) : "memory");
}

/*
 * Linux's address space and GDT, and its kernel code and stack segments.
 * The hypervisor's selectors are Linux's kernel ones (asm/percpu.h), so
 * an NMI arriving on the way still goes through the hypervisor's IDT
 * without harm.
 */
void x86_load_linux_address_space(const struct x86_cpu_state *s)
{
	struct table_register gdt = { s->gdtr.limit, s->gdtr.base };

	asm volatile("mov %0, %%cr3\n\t"
		     "lgdt %1"
		     :
		     : "r"(s->cr3), "m"(gdt)
		     : "memory");
	x86_reload_cs_ss(HOST_CS_SELECTOR, HOST_DS_SELECTOR);
}

/*
 * Last before IRETQ: from here on an NMI enters Linux's handler, which
 * must find Linux's segments, GS base and control registers in place.
 */
void x86_load_linux_idt(const struct x86_cpu_state *s)
{
	struct table_register idt = { s->idtr.limit, s->idtr.base };

	asm volatile("lidt %0" : : "m"(idt));
}

/*
 * LTR refuses a descriptor marked busy, and Linux's TSS descriptor still is
 * from when Linux loaded it; LTR then marks it busy again. Linux maps its
 * GDT read-only, so write protection is lifted around both writes.
 */
static void load_task_register(const struct x86_cpu_state *s)
{
	volatile u8 *type;

	if (!(s->tr.selector & ~3))
		return;
	type = (volatile u8 *)(uintptr_t)(s->gdtr.base +
					  (s->tr.selector & ~7) + 5);
	write_cr0(s->cr0 & ~CR0_WP);
	*type &= ~TSS_BUSY;
	asm volatile("ltr %0" : : "r"(s->tr.selector) : "memory");
	write_cr0(s->cr0);
	asm volatile("lldt %0" : : "r"(s->ldtr.selector));
}

static void load_segments(const struct x86_cpu_state *s)
{
	asm volatile("mov %0, %%ds" : : "r"(s->ds.selector));
	asm volatile("mov %0, %%es" : : "r"(s->es.selector));
	asm volatile("mov %0, %%fs" : : "r"(s->fs.selector));
	asm volatile("mov %0, %%gs" : : "r"(s->gs.selector));
	/* Selector loads may clear the bases: the MSRs have the last word. */
	hw_wrmsr(MSR_IA32_FS_BASE, s->fs.base);
	hw_wrmsr(MSR_IA32_GS_BASE, s->gs.base);
	hw_wrmsr(MSR_IA32_KERNEL_GS_BASE, s->kernel_gs_base);
}

static void load_msrs(const struct x86_cpu_state *s)
{
	hw_wrmsr(MSR_IA32_PAT, s->pat);
	hw_wrmsr(MSR_IA32_DEBUGCTL, s->debugctl);
	hw_wrmsr(MSR_IA32_SYSENTER_CS, s->sysenter_cs);
	hw_wrmsr(MSR_IA32_SYSENTER_ESP, s->sysenter_esp);
	hw_wrmsr(MSR_IA32_SYSENTER_EIP, s->sysenter_eip);
	hw_wrmsr(MSR_IA32_STAR, s->star);
	hw_wrmsr(MSR_IA32_LSTAR, s->lstar);
	hw_wrmsr(MSR_IA32_CSTAR, s->cstar);
	hw_wrmsr(MSR_IA32_FMASK, s->fmask);
}

/*
 * The CPU may have left in user mode (its last exit came from a process):
 * everything up to the final IRETQ runs with Linux's kernel selectors,
 * which are the hypervisor's, and the IRETQ frame lies on the hypervisor's
 * stack, still mapped in Linux's address space, not on the stack it
 * returns to, which may be a process's.
 */
void hw_resume_linux(const struct x86_cpu_state *s)
{
	u64 frame[5];

	x86_load_linux_address_space(s);
	load_task_register(s);
	load_msrs(s);
	load_segments(s);
	asm volatile("mov %0, %%cr4" : : "r"(s->cr4) : "memory");
	x86_load_linux_idt(s);

	frame[0] = s->rip;
	frame[1] = s->cs.selector;
	frame[2] = s->rflags;
	frame[3] = s->regs.gp[REG_RSP];
	frame[4] = s->ss.selector;
	asm volatile("mov %0, %%rsp\n\t"
		     "mov 8(%1), %%rcx\n\t"
		     "mov 16(%1), %%rdx\n\t"
		     "mov 24(%1), %%rbx\n\t"
		     "mov 40(%1), %%rbp\n\t"
		     "mov 48(%1), %%rsi\n\t"
		     "mov 56(%1), %%rdi\n\t"
		     "mov 64(%1), %%r8\n\t"
		     "mov 72(%1), %%r9\n\t"
		     "mov 80(%1), %%r10\n\t"
		     "mov 88(%1), %%r11\n\t"
		     "mov 96(%1), %%r12\n\t"
		     "mov 104(%1), %%r13\n\t"
		     "mov 112(%1), %%r14\n\t"
		     "mov 120(%1), %%r15\n\t"
		     "mov 0(%1), %%rax\n\t"
		     "iretq"
		     :
		     : "r"(frame), "a"(s->regs.gp)
		     : "memory");
	__builtin_unreachable();
}

void hw_stop_cpu(void)
{
	for (;;)
		asm volatile("cli\n\thlt" : : : "memory");
}
