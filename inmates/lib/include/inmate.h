/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The inmate library: what a bare-metal program in a cell can use.
 *
 * Memory map of every inmate (guest-physical, identity mapped):
 *   0x00000000 - 0x000fffff  the cell's RAM (1 MiB)
 *     0x00001000             command string some inmates read (cell load -s)
 *     0x00010000 -           zeroed work area: bss, page tables, stack
 *     0x000f0000 - 0x000fffff the image, entered in real mode at 0xf000:0000
 *   0x00100000               the comm region (one page)
 * The page tables map the first 4 GiB 1:1 with 2 MiB pages, the last GiB
 * uncached (local APIC, other MMIO).
 */
#ifndef _INMATE_H
#define _INMATE_H

#include <stdbool.h>
#include <stddef.h>
#include <jailhouse/types.h>
#include <jailhouse/hypercall.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#define NS_PER_SEC 1000000000ULL
#define NS_PER_MSEC 1000000ULL
#define NS_PER_USEC 1000ULL

#define COMM_REGION_ADDR 0x100000UL
#define INMATE_CMDLINE_ADDR 0x1000UL
#define INMATE_CMDLINE_SIZE 64

/* Vectors 32..63 can carry device interrupts; 0xff is the spurious one. */
#define IRQ_VECTOR_FIRST 32
#define IRQ_VECTOR_LAST 63
#define APIC_TIMER_VECTOR 32
#define APIC_SPURIOUS_VECTOR 0xff

/* Port I/O, MSRs and other single instructions. */
static inline void outb(u8 value, u16 port)
{
	asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 value;

	asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline u32 inl(u16 port)
{
	u32 value;

	asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline void outw(u16 value, u16 port)
{
	asm volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outl(u32 value, u16 port)
{
	asm volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline u16 inw(u16 port)
{
	u16 value;

	asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 value)
{
	asm volatile("wrmsr"
		     :
		     : "c"(msr), "a"((u32)value), "d"((u32)(value >> 32))
		     : "memory");
}

static inline void cpuid(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	asm volatile("cpuid"
		     : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
		     : "a"(leaf), "c"(0));
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

static inline void irq_enable(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" : : : "memory");
}

/* Disables interrupts and returns whether they were enabled before. */
static inline unsigned long irq_save(void)
{
	unsigned long flags;

	asm volatile("pushf; pop %0; cli" : "=rm"(flags) : : "memory");
	return flags;
}

static inline void irq_restore(unsigned long flags)
{
	asm volatile("push %0; popf" : : "rm"(flags) : "memory", "cc");
}

/* Stops this CPU for good: interrupts off, then HLT in a loop. */
void __attribute__((noreturn)) inmate_halt(void);

/*
 * Hypercall: VMCALL (Intel) or VMMCALL (AMD, see hypercall_init) with the
 * number in RAX and the arguments in RDI and RSI; the result comes back in
 * RAX. Only inside a cell: on bare hardware or in an emulator without the
 * hypervisor either instruction raises #UD.
 */
extern bool inmate_use_vmmcall;

void hypercall_init(void);

static inline long jailhouse_call(unsigned long nr, unsigned long arg1,
				  unsigned long arg2)
{
	long result;

	if (inmate_use_vmmcall)
		asm volatile("vmmcall"
			     : "=a"(result)
			     : "a"(nr), "D"(arg1), "S"(arg2)
			     : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(result)
			     : "a"(nr), "D"(arg1), "S"(arg2)
			     : "memory");
	return result;
}

/* PCI configuration space of bus 0 (pci.c). */
#define PCI_REG_ID 0x00
#define PCI_REG_COMMAND 0x04
#define PCI_REG_BAR0 0x10
#define PCI_CMD_MEMORY (1U << 1)
#define PCI_CMD_MASTER (1U << 2)

u32 pci_read32(u16 bdf, unsigned int reg);
void pci_write32(u16 bdf, unsigned int reg, u32 value);
u16 pci_read16(u16 bdf, unsigned int reg);
void pci_write16(u16 bdf, unsigned int reg, u16 value);
/* The first function on bus 0 with these ids, or -1. */
int pci_find(u16 vendor, u16 device);

/* The program: every inmate defines it; the library's entry calls it. */
void inmate_main(void);

/*
 * Console. Every inmate picks its output channel at build time with
 * INMATE_CONSOLE(port): an 8250 UART at that I/O port, or, for port 0, the
 * hypervisor's debug console. That one gets whole lines, one exit each
 * (JAILHOUSE_HC_DEBUG_CONSOLE_WRITE): text waits for its newline, a full
 * buffer, the end of a printk or console_write, or console_flush.
 */
#define CONSOLE_HYPERCALL 0
#define INMATE_CONSOLE(port) const u16 inmate_console_port = (port)
extern const u16 inmate_console_port;

void console_init(void);
void console_putc(char c);
void console_write(const char *s);
void console_flush(void);

void uart_init(u16 base);
void uart_putc(u16 base, char c);

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int snprintk(char *buf, unsigned long size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void *memset(void *dst, int c, unsigned long n);
void *memcpy(void *dst, const void *src, unsigned long n);
int strncmp(const char *a, const char *b, unsigned long n);
unsigned long strnlen(const char *s, unsigned long max);

/*
 * ACPI PM timer: a 24-bit counter at 3.579545 MHz, so it wraps every
 * 4.69 s; pm_timer_read_ns() must run at least that often to notice each
 * wrap. The port comes from the comm region.
 */
#define PM_TIMER_HZ 3579545ULL
#define PM_TIMER_MASK 0xffffffU

void pm_timer_init(u16 port);
u16 pm_timer_port(void);
u64 pm_timer_ticks_to_ns(u64 ticks);
u64 pm_timer_read_ns(void);
void delay_ns(u64 ns);

/* Interrupts: IDT with exception reports, handlers for vectors 32..63. */
typedef void (*irq_handler_t)(unsigned int vector);

void irq_init(void);
void irq_set_handler(unsigned int vector, irq_handler_t handler);

/*
 * Local APIC: x2APIC (MSRs 0x800 + n) where the CPU offers it, xAPIC
 * (MMIO at the APIC base, register n at offset n * 16) otherwise.
 */
#define APIC_REG_ID 0x02
#define APIC_REG_VERSION 0x03
#define APIC_REG_TPR 0x08
#define APIC_REG_EOI 0x0b
#define APIC_REG_SVR 0x0f
#define APIC_REG_LVT_TIMER 0x32
#define APIC_REG_TIMER_INIT 0x38
#define APIC_REG_TIMER_CURRENT 0x39
#define APIC_REG_TIMER_DIVIDE 0x3e

#define APIC_LVT_MASKED (1U << 16)
#define APIC_LVT_TIMER_ONESHOT (0U << 17)
#define APIC_LVT_TIMER_PERIODIC (1U << 17)
#define APIC_DIVIDE_BY_1 0xbU
#define APIC_SVR_ENABLE (1U << 8)

#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_EN (1ULL << 11)

void apic_init(void);
bool apic_is_x2apic(void);
u32 apic_read(unsigned int reg);
void apic_write(unsigned int reg, u32 value);
void apic_eoi(void);
/* Measures the timer's input clock (divide by 1) against the PM timer. */
u64 apic_timer_calibrate(u64 window_ns);
u64 apic_timer_hz(void);
void apic_timer_oneshot(u64 ns);
void apic_timer_periodic(u64 ns);
void apic_timer_stop(void);

/* The comm region at COMM_REGION_ADDR, shared with the hypervisor. */
struct jailhouse_comm_region *comm_region(void);
bool comm_region_valid(void);
/* The message waiting for an answer, or JAILHOUSE_MSG_NONE. */
u32 comm_poll(void);
void comm_reply(u32 reply);
void comm_set_state(u32 state);

#endif
