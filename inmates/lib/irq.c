// SPDX-License-Identifier: GPL-2.0
/*
 * IDT: 64-bit interrupt gates (SDM vol. 3A, 6.14.1) for the exceptions,
 * vectors 32..63 and the spurious vector. Exceptions are reported on the
 * console and stop the CPU; interrupts go to the registered handler, and an
 * interrupt without one is counted and acknowledged.
 */
#include <inmate.h>

#define NUM_VECTORS 256
#define STUB_SIZE 16
#define SEL_CODE64 0x18
#define GATE_INTERRUPT 0x8e00 /* present, DPL 0, type 0xe */

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u16 type;
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __attribute__((packed));

struct exception_frame {
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

extern const char exception_stubs[], irq_stubs[], spurious_stub[];

static struct idt_gate idt[NUM_VECTORS] __attribute__((aligned(16)));
static irq_handler_t handlers[IRQ_VECTOR_LAST - IRQ_VECTOR_FIRST + 1];
static unsigned long unhandled_irqs;

static void set_gate(unsigned int vector, const void *entry)
{
	u64 addr = (u64)entry;
	struct idt_gate *gate = &idt[vector];

	gate->offset_low = addr & 0xffff;
	gate->selector = SEL_CODE64;
	gate->type = GATE_INTERRUPT;
	gate->offset_mid = (addr >> 16) & 0xffff;
	gate->offset_high = addr >> 32;
	gate->reserved = 0;
}

void irq_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) desc = {
		.limit = sizeof(idt) - 1,
		.base = (u64)idt,
	};
	unsigned int v;

	for (v = 0; v < 32; v++)
		set_gate(v, exception_stubs + v * STUB_SIZE);
	for (v = IRQ_VECTOR_FIRST; v <= IRQ_VECTOR_LAST; v++)
		set_gate(v, irq_stubs + (v - IRQ_VECTOR_FIRST) * STUB_SIZE);
	set_gate(APIC_SPURIOUS_VECTOR, spurious_stub);
	asm volatile("lidt %0" : : "m"(desc));
}

void irq_set_handler(unsigned int vector, irq_handler_t handler)
{
	if (vector >= IRQ_VECTOR_FIRST && vector <= IRQ_VECTOR_LAST)
		handlers[vector - IRQ_VECTOR_FIRST] = handler;
}

void irq_dispatch(unsigned long vector);
void irq_dispatch(unsigned long vector)
{
	irq_handler_t handler = handlers[vector - IRQ_VECTOR_FIRST];

	if (handler)
		handler(vector);
	else
		unhandled_irqs++;
	apic_eoi();
}

static const char *const exception_names[32] = {
	[0] = "divide error",
	[1] = "debug",
	[2] = "NMI",
	[3] = "breakpoint",
	[4] = "overflow",
	[5] = "bound range",
	[6] = "invalid opcode",
	[7] = "device not available",
	[8] = "double fault",
	[10] = "invalid TSS",
	[11] = "segment not present",
	[12] = "stack fault",
	[13] = "general protection",
	[14] = "page fault",
	[16] = "x87 error",
	[17] = "alignment check",
	[18] = "machine check",
	[19] = "SIMD error",
};

void exception_report(const struct exception_frame *f);
void exception_report(const struct exception_frame *f)
{
	const char *name = exception_names[f->vector & 31];
	u64 cr2;

	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	printk("\nEXCEPTION %llu (%s), error code 0x%llx at RIP 0x%llx\n",
	       (unsigned long long)f->vector, name ? name : "reserved",
	       (unsigned long long)f->error, (unsigned long long)f->rip);
	printk("RSP 0x%llx RFLAGS 0x%llx CR2 0x%llx RAX 0x%llx\n",
	       (unsigned long long)f->rsp, (unsigned long long)f->rflags,
	       (unsigned long long)cr2, (unsigned long long)f->rax);
	printk("Stopping this CPU.\n");
}
