// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's IDT and what its exception stubs report. */
#include <core/printk.h>
#include <asm/hw.h>
#include <asm/percpu.h>
#include <asm/trapnr.h>
#include <asm/vmcs.h>

#define GATE_INTERRUPT 0x8e00 /* present, DPL 0, 64-bit interrupt gate */
#define STUB_SIZE 16
#define IST_NMI 0

struct idt_gate {
	u64 low, high;
};

struct exception_frame {
	u64 vector, error_code, rip, cs, rflags, rsp, ss;
};

extern u8 hw_return_stub[], hw_exception_stubs[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static bool idt_ready;

static struct idt_gate gate(u64 handler)
{
	struct idt_gate g;

	g.low = (handler & 0xffff) | (u64)HOST_CS_SELECTOR << 16 |
		(u64)GATE_INTERRUPT << 32 | (handler & 0xffff0000ULL) << 32;
	g.high = handler >> 32;
	return g;
}

u64 hw_host_idt(void)
{
	unsigned int vector;

	if (!idt_ready) {
		for (vector = 0; vector < 32; vector++)
			idt[vector] = gate((u64)(uintptr_t)hw_exception_stubs +
					   vector * STUB_SIZE);
		idt[X86_VECTOR_NMI] = gate((u64)(uintptr_t)hw_return_stub);
		for (vector = 32; vector < 256; vector++)
			idt[vector] = gate((u64)(uintptr_t)hw_return_stub);
		idt_ready = true;
	}
	return (u64)(uintptr_t)idt;
}

void hw_exception(const struct exception_frame *f)
{
	printk("FATAL: hypervisor exception %llu (error 0x%llx) at rip "
	       "0x%llx, rsp 0x%llx on CPU %u\n",
	       (unsigned long long)f->vector,
	       (unsigned long long)f->error_code, (unsigned long long)f->rip,
	       (unsigned long long)f->rsp, hw_this_cpu_id());
}

void x86_vmresume_failed(void)
{
	printk("FATAL: CPU %u cannot resume its guest (VM-instruction error "
	       "%llu)\n",
	       hw_this_cpu_id(), (unsigned long long)hw_vmread(VMCS_VM_INSTRUCTION_ERROR));
}
