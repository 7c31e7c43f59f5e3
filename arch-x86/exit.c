// SPDX-License-Identifier: GPL-2.0
/* Dispatch of VM exits to the core, with per-CPU statistics. */
#include <core/cell.h>
#include <core/control.h>
#include <core/printk.h>
#include <asm/control.h>
#include <asm/exit.h>
#include <asm/pci.h>

static void fail_cpu(struct per_cpu *cpu, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail_cpu(struct per_cpu *cpu, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintk(why, sizeof(why), fmt, ap);
	va_end(ap);
	cell_cpu_failed(cpu, why);
}

static bool handle_mmio(struct per_cpu *cpu, struct x86_exit *exit)
{
	struct mmio_access *a = &exit->mmio;
	enum mmio_result result;

	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_MMIO]++;
	result = mmio_handle_access(cpu->cell, a);
	if (result == MMIO_HANDLED)
		return true;
	fail_cpu(cpu, "%s MMIO %s of %u bytes at 0x%llx (rip 0x%llx)",
		 result == MMIO_UNHANDLED ? "unhandled" : "refused",
		 a->is_write ? "write" : "read", a->size,
		 (unsigned long long)a->address,
		 (unsigned long long)exit->rip);
	return false;
}

static bool handle_pio(struct per_cpu *cpu, struct x86_exit *exit)
{
	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_PIO]++;
	if (x86_pci_handle_pio(cpu, exit->pio.port, exit->pio.size,
			       exit->pio.is_write, &exit->pio.value))
		return true;
	/* Permitted ports never trap: any other port I/O exit is a violation. */
	fail_cpu(cpu, "port I/O %s of %u bytes at port 0x%x not permitted",
		 exit->pio.is_write ? "write" : "read", exit->pio.size,
		 exit->pio.port);
	return false;
}

bool x86_handle_exit(struct per_cpu *cpu, struct x86_exit *exit)
{
	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_TOTAL]++;
	switch (exit->reason) {
	case X86_EXIT_HYPERCALL:
		exit->rax = (u64)hypercall(cpu, exit->rax, exit->rdi,
					   exit->rsi, exit->cpl);
		return x86_handle_requests(cpu);
	case X86_EXIT_MMIO:
		return handle_mmio(cpu, exit) && x86_handle_requests(cpu);
	case X86_EXIT_PIO:
		return handle_pio(cpu, exit);
	case X86_EXIT_KICK:
		cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_MANAGEMENT]++;
		return x86_handle_requests(cpu);
	case X86_EXIT_TRIPLE_FAULT:
		cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_EXCEPTION]++;
		fail_cpu(cpu, "triple fault at rip 0x%llx",
			 (unsigned long long)exit->rip);
		return false;
	default:
		cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_OTHER]++;
		fail_cpu(cpu, "unhandled exit reason %u at rip 0x%llx",
			 exit->vendor_reason, (unsigned long long)exit->rip);
		return false;
	}
}
