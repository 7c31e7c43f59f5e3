// SPDX-License-Identifier: GPL-2.0
/*
 * Instructions per VM exit path, counted by callgrind: each path runs N
 * exits through x86_vmexit (the C side of the hardware exit stub, reading
 * its exit information from the fake VMCS) between client requests that
 * zero, collect and dump the counts. scripts/bench-exits runs this under
 * valgrind and divides. Run directly, it only checks that each path works.
 *
 * The simulator's fake VMCS and devices are counted too: a VMREAD here is a
 * function call, a real one a single instruction. The figures are upper
 * bounds of the hypervisor's own work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>
#include <asm/apicdef.h>
#include <asm/hw.h>
#include <asm/vmcs.h>
#include <asm/vmexit.h>
#include <core/cell.h>
#include <sim/apic_hw.h>
#include <sim/sim.h>

#define ROUNDS 1000
#define EPT_QUAL_WRITE (1ULL << 1)
#define CODE_GPA 0x1000ULL

/* Where the exit stub leaves the registers of CPU 0. */
#define regs (per_cpu(0)->arch.guest_regs)

static void exit_info(u32 reason, u32 length, u64 qualification)
{
	hw_vmwrite(VMCS_EXIT_REASON, reason);
	hw_vmwrite(VMCS_EXIT_INSTRUCTION_LEN, length);
	hw_vmwrite(VMCS_EXIT_QUALIFICATION, qualification);
}

static void run(const char *name, void (*prepare)(void))
{
	unsigned int n;

	prepare();
	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
	for (n = 0; n < ROUNDS; n++)
		x86_vmexit(&per_cpu(sim_current_cpu)->arch.guest_regs);
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(name);
	printf("bench-exits: %s: %u exits done\n", name, ROUNDS);
}

static void prepare_cpuid(void)
{
	regs.gp[REG_RAX] = 1;
	exit_info(EXIT_REASON_CPUID, 2, 0);
}

static void prepare_hypercall(void)
{
	regs.gp[REG_RAX] = JAILHOUSE_HC_HYPERVISOR_GET_INFO;
	regs.gp[REG_RDI] = JAILHOUSE_INFO_NUM_CELLS;
	exit_info(EXIT_REASON_VMCALL, 3, 0);
}

/* A fixed IPI, vector 0x40, to CPU 1 of the same (root) cell. */
static void prepare_x2apic_ipi(void)
{
	sim_apic_ipis_clear();
	regs.gp[REG_RCX] = X2APIC_MSR(APIC_ICR);
	regs.gp[REG_RAX] = 0x40;
	regs.gp[REG_RDX] = 1;
	exit_info(EXIT_REASON_WRMSR, 2, 0);
}

/* OUT to 0xCF8: emulated and allowed (the cell's own config latch). */
static void prepare_pio_allowed(void)
{
	regs.gp[REG_RAX] = 0x8000fa00;
	exit_info(EXIT_REASON_IO_INSTRUCTION, 1, 3 | (0xcf8ULL << 16));
}

/* IN from 0xCFC with the latch on a device root does not own. */
static void prepare_pio_denied(void)
{
	per_cpu(0)->arch.pci_address = 0x8000f000; /* 00:1e.0 */
	exit_info(EXIT_REASON_IO_INSTRUCTION, 1,
		  3 | (1 << 3) | (0xcfcULL << 16));
}

/* mov %eax, 0xfee00300 in flat 32-bit code: an xAPIC ICR write. */
static void prepare_xapic_mmio(void)
{
	static const u8 code[] = { 0x89, 0x05, 0x00, 0x03, 0xe0, 0xfe };

	memcpy(sim_phys_ptr(CODE_GPA, sizeof(code)), code, sizeof(code));
	hw_vmwrite(VMCS_GUEST_CR0, 0x31);
	hw_vmwrite(VMCS_GUEST_EFER, 0);
	hw_vmwrite(VMCS_GUEST_CS_BASE, 0);
	hw_vmwrite(VMCS_GUEST_CS_AR_BYTES, 0xc09b);
	hw_vmwrite(VMCS_GUEST_PHYSICAL_ADDRESS, XAPIC_BASE + APIC_ICR);
	sim_apic_ipis_clear();
	regs.gp[REG_RAX] = 0x40;
	exit_info(EXIT_REASON_EPT_VIOLATION, 0, EPT_QUAL_WRITE);
}

/* The RIP the decoded MMIO path advances must start over each round. */
static void xapic_round(void)
{
	hw_vmwrite(VMCS_GUEST_RIP, CODE_GPA);
}

static int boot(u8 apic_mode)
{
	struct jailhouse_system *sys;
	size_t size;
	int err;

	sys = sim_read_file(CELL_DIR "/qemu-vm.cell", &size);
	if (!sys)
		return -1;
	sys->platform_info.apic_mode = apic_mode;
	err = sim_boot(sys, size, 4);
	free(sys);
	sim_current_cpu = 0;
	return err;
}

int main(void)
{
	unsigned int n;

	if (boot(JAILHOUSE_APIC_MODE_X2APIC)) {
		fprintf(stderr, "bench-exits: boot failed\n");
		return 1;
	}
	run("cpuid", prepare_cpuid);
	run("hypercall-info", prepare_hypercall);
	run("x2apic-ipi", prepare_x2apic_ipi);
	run("pio-allowed", prepare_pio_allowed);
	run("pio-denied", prepare_pio_denied);

	if (boot(JAILHOUSE_APIC_MODE_XAPIC)) {
		fprintf(stderr, "bench-exits: xAPIC boot failed\n");
		return 1;
	}
	prepare_xapic_mmio();
	CALLGRIND_ZERO_STATS;
	for (n = 0; n < ROUNDS; n++) {
		xapic_round();
		CALLGRIND_TOGGLE_COLLECT;
		x86_vmexit(&per_cpu(sim_current_cpu)->arch.guest_regs);
		CALLGRIND_TOGGLE_COLLECT;
	}
	CALLGRIND_DUMP_STATS_AT("xapic-mmio-decoded");
	if (sim_apic_ipis_sent() == 0) {
		fprintf(stderr, "bench-exits: the xAPIC write sent no IPI\n");
		return 1;
	}
	printf("bench-exits: xapic-mmio-decoded: %u exits done\n", ROUNDS);
	return 0;
}
