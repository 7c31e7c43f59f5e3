// SPDX-License-Identifier: GPL-2.0
/*
 * VM exits end to end on the simulated machine: the exit handlers' effect on
 * the guest's registers, RIP and pending events in the VMCS, and the MMIO
 * path that fetches and decodes the faulting instruction itself.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <asm/exit.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/vmcs.h>
#include "helpers.h"

#define TINY_CPU 2
#define TINY_RAM 0x3c500000ULL
#define MMIO_GPA 0x200000ULL
#define CODE_GPA 0x1000ULL

static struct guest_regs *regs_of(unsigned int cpu)
{
	return &per_cpu(cpu)->arch.guest_regs;
}

static void start_tiny(void)
{
	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);
	cr_assert_eq(sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL), 1);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, 1, 0), 0);
}

static void setup(void)
{
	boot_qemu_vm();
}

TestSuite(exits, .init = setup);

static enum sim_access raise(unsigned int cpu, enum x86_exit_reason reason,
			     struct x86_exit *exit, u32 insn_length)
{
	sim_current_cpu = cpu;
	hw_vmwrite(VMCS_EXIT_INSTRUCTION_LEN, insn_length);
	sim_current_cpu = 0;
	exit->reason = reason;
	return sim_guest_exit(cpu, exit);
}

static u64 rip(unsigned int cpu)
{
	return sim_vmcs_get(cpu, VMCS_GUEST_RIP);
}

static u32 pending_vector(unsigned int cpu)
{
	u64 info = sim_vmcs_get(cpu, VMCS_ENTRY_INTR_INFO);

	return info & INTR_INFO_VALID ? (u32)(info & 0xff) : ~0U;
}

Test(exits, cpuid_sets_registers_and_moves_past_the_instruction)
{
	struct x86_exit exit = { 0 };
	u64 before = rip(1);

	regs_of(1)->gp[REG_RAX] = 1;
	cr_assert_eq(raise(1, X86_EXIT_CPUID, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(rip(1), before + 2);
	cr_assert_eq(regs_of(1)->gp[REG_RCX] & (1 << 5), 0, "VMX hidden");
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CPU_GET_INFO, 1,
				   JAILHOUSE_CPU_INFO_STAT_BASE +
					   JAILHOUSE_CPU_STAT_VMEXITS_CPUID),
		     1);
}

Test(exits, hypercall_result_lands_in_rax)
{
	struct x86_exit exit = { .rax = JAILHOUSE_HC_HYPERVISOR_GET_INFO,
				 .rdi = JAILHOUSE_INFO_NUM_CELLS };
	u64 before = rip(ROOT_CPU);

	cr_assert_eq(raise(ROOT_CPU, X86_EXIT_HYPERCALL, &exit, 3),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(regs_of(ROOT_CPU)->gp[REG_RAX], 1);
	cr_assert_eq(rip(ROOT_CPU), before + 3);
}

Test(exits, msr_policy)
{
	struct x86_exit exit = { 0 };
	u64 before = rip(1);

	/* Feature control reads as locked with VMX off. */
	exit.msr.index = MSR_IA32_FEATURE_CONTROL;
	cr_assert_eq(raise(1, X86_EXIT_MSR_READ, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(regs_of(1)->gp[REG_RAX], 1);
	cr_assert_eq(rip(1), before + 2);
	/* A VMX capability read raises #GP and leaves RIP, RAX and RDX. */
	exit.msr.index = MSR_VMX_FIRST;
	regs_of(1)->gp[REG_RAX] = 0xaaaa;
	regs_of(1)->gp[REG_RDX] = 0xdddd;
	cr_assert_eq(raise(1, X86_EXIT_MSR_READ, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(1), 13);
	cr_assert_eq(rip(1), before + 2);
	cr_assert_eq(regs_of(1)->gp[REG_RAX], 0xaaaa, "a refused read");
	cr_assert_eq(regs_of(1)->gp[REG_RDX], 0xdddd, "writes no register");
	/* Root may write an ordinary MSR of its CPU... */
	exit.msr.index = 0x199;
	exit.msr.value = 0x1234;
	cr_assert_eq(raise(1, X86_EXIT_MSR_WRITE, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_msr_get(1, 0x199), 0x1234);
	/* ...but not the microcode trigger, nor move its APIC. */
	exit.msr.index = MSR_IA32_BIOS_UPDT_TRIG;
	cr_assert_eq(raise(1, X86_EXIT_MSR_WRITE, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_msr_get(1, MSR_IA32_BIOS_UPDT_TRIG), 0);
	cr_assert(log_contains("write of MSR 0x79 (value 0x1234) refused"));
	exit.msr.index = MSR_IA32_APIC_BASE;
	exit.msr.value = 0xfed00800;
	cr_assert_eq(raise(1, X86_EXIT_MSR_WRITE, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(1), 13);
}

/* A guest looping on a refused MSR must not flood the log. */
Test(exits, refused_msr_in_a_row_logs_one_line)
{
	const char *trig = "write of MSR 0x79 (value 0x5) refused";
	const char *apic = "write of MSR 0x1b (value 0x5) refused";
	struct x86_exit exit = { 0 };
	unsigned int n;

	exit.msr.value = 5;
	exit.msr.index = MSR_IA32_BIOS_UPDT_TRIG;
	for (n = 0; n < 3; n++) {
		cr_assert_eq(raise(1, X86_EXIT_MSR_WRITE, &exit, 2),
			     SIM_ACCESS_MMIO);
		cr_assert_eq(pending_vector(1), 13, "each one is refused");
	}
	cr_assert_eq(log_count(trig), 1);
	/* Another MSR between them: each is news again. */
	exit.msr.index = MSR_IA32_APIC_BASE;
	cr_assert_eq(raise(1, X86_EXIT_MSR_WRITE, &exit, 2), SIM_ACCESS_MMIO);
	exit.msr.index = MSR_IA32_BIOS_UPDT_TRIG;
	cr_assert_eq(raise(1, X86_EXIT_MSR_WRITE, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(log_count(apic), 1);
	cr_assert_eq(log_count(trig), 2);
	/* The count is per CPU. */
	cr_assert_eq(raise(ROOT_CPU, X86_EXIT_MSR_WRITE, &exit, 2),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(log_count(trig), 3);
}

Test(exits, efer_and_pat_are_checked)
{
	struct x86_exit exit = { 0 };
	u64 pat = sim_vmcs_get(1, VMCS_GUEST_PAT);

	exit.msr.index = MSR_IA32_PAT;
	exit.msr.value = 0x0202020202020202ULL; /* type 2 is reserved */
	cr_assert_eq(raise(1, X86_EXIT_MSR_WRITE, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(1), 13);
	cr_assert_eq(sim_vmcs_get(1, VMCS_GUEST_PAT), pat);
	exit.msr.value = 0x0007040600070406ULL;
	cr_assert_eq(raise(1, X86_EXIT_MSR_WRITE, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_vmcs_get(1, VMCS_GUEST_PAT), exit.msr.value);
	exit.msr.index = MSR_IA32_EFER;
	exit.msr.value = 0xd01 | (1 << 12); /* SVME */
	cr_assert_eq(raise(1, X86_EXIT_MSR_WRITE, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_vmcs_get(1, VMCS_GUEST_EFER) & (1 << 12), 0);
}

Test(exits, non_root_cells_get_gp_for_unknown_msr_writes)
{
	struct x86_exit exit = { 0 };

	start_tiny();
	exit.msr.index = 0x199;
	exit.msr.value = 0x1234;
	cr_assert_eq(raise(TINY_CPU, X86_EXIT_MSR_WRITE, &exit, 2),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(TINY_CPU), 13);
	cr_assert_eq(sim_msr_get(TINY_CPU, 0x199), 0);
	cr_assert(log_contains("CPU 2 of cell \"tiny-demo\": write of MSR "
			       "0x199"));
}

Test(exits, cr4_vmxe_and_reserved_bits_raise_gp)
{
	struct x86_exit exit = { 0 };

	exit.cr.cr = 4;
	exit.cr.access = X86_CR_MOV_TO;
	exit.cr.value = sim_vmcs_get(1, VMCS_CR4_READ_SHADOW) | (1 << 13);
	cr_assert_eq(raise(1, X86_EXIT_CR_ACCESS, &exit, 3), SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(1), 13);
	cr_assert_eq(sim_vmcs_get(1, VMCS_CR4_READ_SHADOW) & (1 << 13), 0);
}

Test(exits, xsetbv_through_the_exit_path)
{
	struct x86_exit exit = { 0 };
	u64 before = rip(1);

	regs_of(1)->gp[REG_RCX] = 0;
	regs_of(1)->gp[REG_RAX] = 0x3;
	regs_of(1)->gp[REG_RDX] = 0;
	cr_assert_eq(raise(1, X86_EXIT_XSETBV, &exit, 3), SIM_ACCESS_MMIO);
	cr_assert_eq(rip(1), before + 3);
	sim_current_cpu = 1;
	cr_assert_eq(hw_xgetbv(0), 0x3);
	sim_current_cpu = 0;
}

Test(exits, ac_and_db_are_handed_back_others_fail_the_cell)
{
	struct x86_exit exit = { 0 };

	start_tiny();
	exit.exception.vector = 17;
	exit.exception.has_error_code = true;
	cr_assert_eq(raise(TINY_CPU, X86_EXIT_EXCEPTION, &exit, 0),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(TINY_CPU), 17);
	exit.exception.vector = 14;
	cr_assert_eq(raise(TINY_CPU, X86_EXIT_EXCEPTION, &exit, 0),
		     SIM_ACCESS_FAULT);
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_FAILED);
	cr_assert(log_contains("unexpected exception 14"));
	cr_assert(log_contains("CPU 2 registers: rip"));
}

Test(exits, string_port_io_fails_the_cell)
{
	struct x86_exit exit = { 0 };

	start_tiny();
	exit.pio.port = 0xcfc;
	exit.pio.size = 4;
	exit.pio.is_string = true;
	cr_assert_eq(raise(TINY_CPU, X86_EXIT_PIO, &exit, 1), SIM_ACCESS_FAULT);
	cr_assert(log_contains("port I/O string read of 4 bytes at port 0xcfc"));
}

/* 32-bit protected mode without paging, code at CODE_GPA of the cell. */
static void enter_flat_32bit(unsigned int cpu)
{
	sim_current_cpu = cpu;
	hw_vmwrite(VMCS_GUEST_CR0, 0x31);
	hw_vmwrite(VMCS_GUEST_EFER, 0);
	hw_vmwrite(VMCS_GUEST_CS_BASE, 0);
	hw_vmwrite(VMCS_GUEST_CS_AR_BYTES, 0xc09b);
	hw_vmwrite(VMCS_GUEST_RIP, CODE_GPA);
	sim_current_cpu = 0;
}

struct probe {
	u64 value;
	u64 offset;
	bool wrote;
};

static enum mmio_result probe(void *arg, struct mmio_access *a)
{
	struct probe *p = arg;

	p->offset = a->address;
	if (a->is_write) {
		p->value = a->value;
		p->wrote = true;
	} else {
		a->value = p->value;
	}
	return MMIO_HANDLED;
}

Test(exits, mmio_instruction_is_fetched_decoded_and_completed)
{
	/* mov %eax, 0x200010 ; mov 0x200020, %cx */
	static const u8 code[] = { 0x89, 0x05, 0x10, 0x00, 0x20, 0x00,
				   0x66, 0x8b, 0x0d, 0x20, 0x00, 0x20, 0x00 };
	struct probe p = { 0 };

	start_tiny();
	memcpy(sim_phys_ptr(TINY_RAM + CODE_GPA, sizeof(code)), code,
	       sizeof(code));
	cr_assert_eq(mmio_region_register(cell_by_name("tiny-demo"), MMIO_GPA,
					  0x1000, probe, &p), 0);
	enter_flat_32bit(TINY_CPU);
	regs_of(TINY_CPU)->gp[REG_RAX] = 0xfeedc0de;
	cr_assert_eq(sim_guest_ept_violation(TINY_CPU, MMIO_GPA + 0x10, true),
		     SIM_ACCESS_MMIO);
	cr_assert(p.wrote);
	cr_assert_eq(p.value, 0xfeedc0de);
	cr_assert_eq(p.offset, 0x10);
	cr_assert_eq(rip(TINY_CPU), CODE_GPA + 6);

	p.value = 0xabcd;
	regs_of(TINY_CPU)->gp[REG_RCX] = 0x1111111111111111ULL;
	cr_assert_eq(sim_guest_ept_violation(TINY_CPU, MMIO_GPA + 0x20, false),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(regs_of(TINY_CPU)->gp[REG_RCX], 0x111111111111abcdULL,
		     "a 16-bit load keeps the register's upper bits");
	cr_assert_eq(rip(TINY_CPU), CODE_GPA + 13);
}

/*
 * RSP lives in the VMCS, not in the registers the entry stub saves: a
 * store from it must read the guest's RSP, a load into it must reach the
 * guest's RSP, and a load into another register must leave RSP alone.
 */
Test(exits, mmio_through_rsp_uses_the_guest_s_rsp)
{
	/* mov %esp, 0x200010 ; mov 0x200020, %esp ; mov 0x200030, %ebp */
	static const u8 code[] = { 0x89, 0x25, 0x10, 0x00, 0x20, 0x00,
				   0x8b, 0x25, 0x20, 0x00, 0x20, 0x00,
				   0x8b, 0x2d, 0x30, 0x00, 0x20, 0x00 };
	struct probe p = { 0 };

	start_tiny();
	memcpy(sim_phys_ptr(TINY_RAM + CODE_GPA, sizeof(code)), code,
	       sizeof(code));
	cr_assert_eq(mmio_region_register(cell_by_name("tiny-demo"), MMIO_GPA,
					  0x1000, probe, &p), 0);
	enter_flat_32bit(TINY_CPU);
	sim_current_cpu = TINY_CPU;
	hw_vmwrite(VMCS_GUEST_RSP, 0x7ff0);
	sim_current_cpu = 0;
	regs_of(TINY_CPU)->gp[REG_RSP] = 0xdead;
	cr_assert_eq(sim_guest_ept_violation(TINY_CPU, MMIO_GPA + 0x10, true),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(p.value, 0x7ff0, "the store reads the guest's RSP");

	p.value = 0x6000;
	cr_assert_eq(sim_guest_ept_violation(TINY_CPU, MMIO_GPA + 0x20, false),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_vmcs_get(TINY_CPU, VMCS_GUEST_RSP), 0x6000,
		     "the load reaches the guest's RSP");

	p.value = 0x1234;
	cr_assert_eq(sim_guest_ept_violation(TINY_CPU, MMIO_GPA + 0x30, false),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(regs_of(TINY_CPU)->gp[REG_RBP], 0x1234);
	cr_assert_eq(sim_vmcs_get(TINY_CPU, VMCS_GUEST_RSP), 0x6000,
		     "a load into EBP leaves RSP alone");
	cr_assert_eq(rip(TINY_CPU), CODE_GPA + sizeof(code));
}

Test(exits, unsupported_mmio_instruction_fails_only_that_cell)
{
	/* movnti %eax, 0x200000 */
	static const u8 code[] = { 0x0f, 0xc3, 0x05, 0x00, 0x00, 0x20, 0x00 };
	struct probe p = { 0 };

	start_tiny();
	memcpy(sim_phys_ptr(TINY_RAM + CODE_GPA, sizeof(code)), code,
	       sizeof(code));
	cr_assert_eq(mmio_region_register(cell_by_name("tiny-demo"), MMIO_GPA,
					  0x1000, probe, &p), 0);
	enter_flat_32bit(TINY_CPU);
	cr_assert_eq(sim_guest_ept_violation(TINY_CPU, MMIO_GPA, true),
		     SIM_ACCESS_FAULT);
	cr_assert(log_contains("MOVNTI"));
	cr_assert_not(p.wrote);
	cr_assert(sim_cpu_runs_guest(ROOT_CPU));
}

Test(exits, instruction_outside_cell_ram_fails_the_cell)
{
	start_tiny();
	enter_flat_32bit(TINY_CPU);
	sim_current_cpu = TINY_CPU;
	hw_vmwrite(VMCS_GUEST_RIP, 0x3c400000);
	sim_current_cpu = 0;
	cr_assert_eq(sim_guest_ept_violation(TINY_CPU, MMIO_GPA, true),
		     SIM_ACCESS_FAULT);
	cr_assert(log_contains("not readable"));
}

static enum sim_access mov_to_cr(unsigned int cpu, u8 cr, u64 value)
{
	struct x86_exit exit = { 0 };

	exit.cr.cr = cr;
	exit.cr.access = X86_CR_MOV_TO;
	exit.cr.value = value;
	return raise(cpu, X86_EXIT_CR_ACCESS, &exit, 3);
}

/* A 32-bit protected-mode guest without paging, as an inmate starts. */
static void protected_mode_without_paging(unsigned int cpu)
{
	sim_current_cpu = cpu;
	hw_vmwrite(VMCS_CR0_READ_SHADOW, 0x11);
	hw_vmwrite(VMCS_GUEST_CR0, 0x31);
	hw_vmwrite(VMCS_CR4_READ_SHADOW, 0x20);
	hw_vmwrite(VMCS_GUEST_EFER, 0x100); /* LME, not yet active */
	hw_vmwrite(VMCS_ENTRY_CTLS, hw_vmread(VMCS_ENTRY_CTLS) &
					    ~(u64)ENTRY_IA32E_MODE_GUEST);
	sim_current_cpu = 0;
}

Test(exits, enabling_paging_with_lme_enters_long_mode)
{
	protected_mode_without_paging(1);
	cr_assert_eq(mov_to_cr(1, 0, 0x80000011), SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(1), ~0U);
	cr_assert(sim_vmcs_get(1, VMCS_GUEST_EFER) & (1 << 10), "EFER.LMA");
	cr_assert(sim_vmcs_get(1, VMCS_ENTRY_CTLS) & ENTRY_IA32E_MODE_GUEST);
	cr_assert_eq(sim_vmcs_get(1, VMCS_CR0_READ_SHADOW), 0x80000011);
	cr_assert(sim_vmcs_get(1, VMCS_GUEST_CR0) & (1 << 5),
		  "NE stays set in the CPU's value");
	/* Leaving paging leaves long mode again. */
	cr_assert_eq(mov_to_cr(1, 0, 0x11), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_vmcs_get(1, VMCS_GUEST_EFER) & (1 << 10), 0);
	cr_assert_eq(sim_vmcs_get(1, VMCS_ENTRY_CTLS) & ENTRY_IA32E_MODE_GUEST,
		     0);
}

Test(exits, cr0_writes_the_cpu_would_refuse_raise_gp)
{
	protected_mode_without_paging(1);
	sim_current_cpu = 1;
	hw_vmwrite(VMCS_CR4_READ_SHADOW, 0); /* no PAE */
	sim_current_cpu = 0;
	cr_assert_eq(mov_to_cr(1, 0, 0x80000011), SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(1), 13, "long mode needs PAE");
	cr_assert_eq(sim_vmcs_get(1, VMCS_CR0_READ_SHADOW), 0x11);
	sim_current_cpu = 1;
	hw_vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	sim_current_cpu = 0;
	cr_assert_eq(mov_to_cr(1, 0, 0x80000010), SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(1), 13, "PG without PE");
	sim_current_cpu = 1;
	hw_vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	sim_current_cpu = 0;
	cr_assert_eq(mov_to_cr(1, 0, 0x20000011), SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(1), 13, "NW without CD");
	sim_current_cpu = 1;
	hw_vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	sim_current_cpu = 0;
	cr_assert_eq(mov_to_cr(1, 0, 0x100000011ULL), SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(1), 13, "bits above 31");
}

Test(exits, clts_and_lmsw)
{
	struct x86_exit exit = { 0 };

	protected_mode_without_paging(1);
	sim_current_cpu = 1;
	hw_vmwrite(VMCS_CR0_READ_SHADOW, 0x19); /* PE, TS */
	sim_current_cpu = 0;
	exit.cr.access = X86_CR_CLTS;
	cr_assert_eq(raise(1, X86_EXIT_CR_ACCESS, &exit, 2), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_vmcs_get(1, VMCS_CR0_READ_SHADOW), 0x11);
	/* LMSW cannot clear PE, but sets MP. */
	exit.cr.access = X86_CR_LMSW;
	exit.cr.lmsw_source = 0x2;
	cr_assert_eq(raise(1, X86_EXIT_CR_ACCESS, &exit, 3), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_vmcs_get(1, VMCS_CR0_READ_SHADOW), 0x13);
}

Test(exits, cr4_pae_stays_while_in_long_mode)
{
	u64 cr4 = sim_vmcs_get(1, VMCS_CR4_READ_SHADOW);

	cr_assert(sim_vmcs_get(1, VMCS_GUEST_EFER) & (1 << 10),
		  "root runs in long mode");
	cr_assert_eq(mov_to_cr(1, 4, cr4 & ~0x20ULL), SIM_ACCESS_MMIO);
	cr_assert_eq(pending_vector(1), 13);
	cr_assert_eq(sim_vmcs_get(1, VMCS_CR4_READ_SHADOW), cr4);
	cr_assert_eq(mov_to_cr(1, 4, cr4 & ~(1ULL << 7)), SIM_ACCESS_MMIO,
		     "clearing PGE is fine");
	cr_assert_eq(sim_vmcs_get(1, VMCS_CR4_READ_SHADOW), cr4 & ~(1ULL << 7));
}

Test(exits, moves_to_other_control_registers_fail_the_cpu)
{
	start_tiny();
	cr_assert_eq(mov_to_cr(TINY_CPU, 8, 0), SIM_ACCESS_FAULT);
	cr_assert(log_contains("cannot emulate control register access"));
}
