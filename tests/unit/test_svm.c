// SPDX-License-Identifier: GPL-2.0
/*
 * The SVM backend on simulated AMD CPUs: the VMCB built from Linux's
 * state passes VMRUN's consistency checks, #VMEXITs are read into the
 * same handlers as VMX's (instruction lengths without next-RIP saving),
 * refused VMRUNs and missing features are named, and disable hands Linux
 * its state back with SVM off.
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <string.h>
#include <asm/processor-flags.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/svm.h>
#include <asm/vcpu.h>
#include <asm/vmexit.h>
#include <core/arch.h>
#include <core/paging.h>
#include <jailhouse/hypercall.h>
#include <sim/cpu_hw.h>
#include <sim/svm_checks.h>
#include "helpers.h"

static jmp_buf back_to_harness;

static void __attribute__((noreturn)) resumed_linux(unsigned int cpu)
{
	(void)cpu;
	longjmp(back_to_harness, 1);
}

static void setup(void)
{
	sim_cpu_model = SIM_CPU_AMD;
	boot_qemu_vm();
	sim_resume_linux_hook = resumed_linux;
}

TestSuite(svm, .init = setup);

static struct vmcb *vmcb(unsigned int cpu)
{
	return per_cpu(cpu)->arch.vmcb;
}

static u64 vmcb_phys(unsigned int cpu)
{
	return page_pool_virt2phys(&mem_pool, vmcb(cpu));
}

/* A #VMEXIT on the CPU; true if it went back to Linux instead. */
static bool take_exit(unsigned int cpu, u64 code, u64 info1, u64 info2,
		      struct guest_regs *regs)
{
	struct guest_regs *saved = &per_cpu(cpu)->arch.guest_regs;
	volatile bool left = false;

	vmcb(cpu)->control.exit_code = code;
	vmcb(cpu)->control.exit_info1 = info1;
	vmcb(cpu)->control.exit_info2 = info2;
	sim_current_cpu = cpu;
	*saved = *regs;
	if (setjmp(back_to_harness))
		left = true;
	else
		cr_assert_eq(x86_svm_vmexit(), saved);
	*regs = *saved;
	sim_current_cpu = 0;
	return left;
}

Test(svm, root_vmcb_is_linux_and_vmrun_accepts_it)
{
	const struct x86_cpu_state *lx = sim_linux_state(1);
	const struct vmcb *v = vmcb(1);

	cr_assert_eq(x86_vendor, &svm_ops, "an AMD CPU runs SVM");
	for (unsigned int cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		cr_assert(per_cpu(cpu)->arch.svm_on);
		cr_assert_eq(sim_cpu_launches(cpu), 1, "CPU %u entered", cpu);
		cr_assert_str_empty(sim_svm_last_refusal(cpu));
		cr_assert(sim_msr_get(cpu, MSR_IA32_EFER) & EFER_SVME);
		cr_assert_eq(sim_msr_get(cpu, MSR_VM_HSAVE_PA),
			     page_pool_virt2phys(&mem_pool,
						 per_cpu(cpu)->arch
							 .host_save_area));
	}
	cr_assert_eq(v->save.rip, lx->rip);
	cr_assert_eq(v->save.rsp, lx->regs.gp[REG_RSP]);
	cr_assert_eq(v->save.cr3, lx->cr3);
	cr_assert_eq(v->save.efer, lx->efer | EFER_SVME);
	cr_assert_eq(v->save.cs.attrib, 0xa9b, "64-bit code: L and G packed");
	cr_assert_eq(v->save.ss.attrib, 0xc93);
	cr_assert_eq(v->save.ds.attrib, 0, "unusable: not present");
	cr_assert_eq(v->save.cpl, 0);
	cr_assert_eq(v->save.lstar, lx->lstar);
	cr_assert_eq(v->save.gs.base, lx->gs.base);
	cr_assert_eq(v->control.n_cr3, paging_root_phys(&root_cell.arch.cpu_paging));
	cr_assert(v->control.nested_control & SVM_NP_ENABLE);
	cr_assert_eq(v->control.iopm_base_pa,
		     page_pool_virt2phys(&mem_pool, root_cell.pio_bitmap));
	cr_assert_neq(v->control.asid, 0);
}

Test(svm, cpuid_hides_svm_and_skips_two_bytes)
{
	struct guest_regs regs = { { 0 } };
	u64 rip = vmcb(1)->save.rip;

	regs.gp[REG_RAX] = 0x80000001;
	cr_assert_not(take_exit(1, SVM_EXIT_CPUID, 0, 0, &regs));
	cr_assert_eq(regs.gp[REG_RCX] & (1U << 2), 0, "SVM hidden");
	cr_assert(regs.gp[REG_RDX] & (1U << 29), "long mode still shown");
	cr_assert_eq(vmcb(1)->save.rip, rip + 2);
}

Test(svm, vmmcall_is_a_hypercall_of_three_bytes)
{
	struct guest_regs regs = { { 0 } };
	u64 rip = vmcb(0)->save.rip;

	regs.gp[REG_RAX] = JAILHOUSE_HC_HYPERVISOR_GET_INFO;
	regs.gp[REG_RDI] = JAILHOUSE_INFO_NUM_CELLS;
	cr_assert_not(take_exit(0, SVM_EXIT_VMMCALL, 0, 0, &regs));
	cr_assert_eq(regs.gp[REG_RAX], 1, "one cell: root");
	cr_assert_eq(vmcb(0)->save.rip, rip + 3);
}

Test(svm, hypercall_from_user_mode_is_refused)
{
	struct guest_regs regs = { { 0 } };

	vmcb(0)->save.cpl = 3;
	regs.gp[REG_RAX] = JAILHOUSE_HC_HYPERVISOR_GET_INFO;
	cr_assert_not(take_exit(0, SVM_EXIT_VMMCALL, 0, 0, &regs));
	cr_assert_eq((long)regs.gp[REG_RAX], -EPERM);
}

Test(svm, io_exit_continues_at_the_next_rip_it_reports)
{
	struct guest_regs regs = { { 0 } };
	u64 rip = vmcb(1)->save.rip;
	/* out dx, eax to the PCI address port: 4 bytes, one-byte opcode. */
	u64 info1 = 0xcf8ULL << 16 | 4 << 4;

	regs.gp[REG_RAX] = 0x80000800;
	cr_assert_not(take_exit(1, SVM_EXIT_IOIO, info1, rip + 1, &regs));
	cr_assert_eq(per_cpu(1)->arch.pci_address, 0x80000800);
	cr_assert_eq(vmcb(1)->save.rip, rip + 1);
}

Test(svm, efer_keeps_svme_hidden_from_the_guest)
{
	struct guest_regs regs = { { 0 } };

	regs.gp[REG_RCX] = MSR_IA32_EFER;
	cr_assert_not(take_exit(1, SVM_EXIT_MSR, 0, 0, &regs));
	cr_assert_eq(regs.gp[REG_RAX], 0xd01, "EFER without SVME");
	regs.gp[REG_RAX] = 0xd01;
	regs.gp[REG_RDX] = 0;
	cr_assert_not(take_exit(1, SVM_EXIT_MSR, 1, 0, &regs));
	cr_assert_eq(vmcb(1)->save.efer, 0xd01 | EFER_SVME,
		     "the guest's write keeps SVM on underneath");
	regs.gp[REG_RCX] = MSR_VM_HSAVE_PA;
	regs.gp[REG_RAX] = 0x1000;
	cr_assert_not(take_exit(1, SVM_EXIT_MSR, 1, 0, &regs));
	cr_assert_eq(vmcb(1)->control.event_inject,
		     SVM_EVENT_VALID | SVM_EVENT_ERROR_VALID | 13 |
			     SVM_EVENT_TYPE_EXCEPTION << SVM_EVENT_TYPE_SHIFT,
		     "#GP for the host save area, even for root");
	cr_assert_str_empty(sim_svm_last_refusal(1));
}

Test(svm, msr_permission_map_follows_the_policy)
{
	const u8 *map = per_cpu(0)->arch.msrpm;
	/* Two bits per MSR: read, then write; 0xc0000000 starts at 2 KiB. */
	unsigned int efer = 0x800 * 8 + 0x80 * 2, lstar = 0x800 * 8 + 0x82 * 2;
	unsigned int apic_base = 0x1b * 2;

	cr_assert(map[efer / 8] & (1 << (efer % 8)), "EFER reads exit");
	cr_assert(map[(efer + 1) / 8] & (1 << ((efer + 1) % 8)));
	cr_assert_not(map[lstar / 8] & (3 << (lstar % 8)),
		      "LSTAR is the guest's own");
	cr_assert_not(map[apic_base / 8] & (1 << (apic_base % 8)),
		      "APIC base reads are native");
	cr_assert(map[(apic_base + 1) / 8] & (1 << ((apic_base + 1) % 8)),
		  "APIC base writes exit");
}

Test(svm, nmi_exit_takes_the_nmi_and_hands_a_strays_to_the_guest)
{
	struct guest_regs regs = { { 0 } };

	cr_assert_not(take_exit(1, SVM_EXIT_NMI, 0, 0, &regs));
	cr_assert_eq(sim_svm_nmis_taken(1), 2,
		     "the NMI held by GIF is let through, or VMRUN loops; "
		     "then once more before VMRUN, for kicks meanwhile");
	cr_assert_eq(vmcb(1)->control.event_inject,
		     SVM_EVENT_VALID | 2 |
			     SVM_EVENT_TYPE_NMI << SVM_EVENT_TYPE_SHIFT,
		     "no kick was sent: the guest's own NMI");
}

/*
 * A kick arriving while the CPU handles an exit waits behind GIF: it is
 * let through before VMRUN, so that it cannot return as an NMI exit that
 * looks like the guest's, and the request it came with is served.
 */
Test(svm, kicks_held_during_an_exit_are_dropped_before_vmrun)
{
	struct guest_regs regs = { { 0 } };

	cr_assert_not(take_exit(1, SVM_EXIT_CPUID, 0, 0, &regs));
	cr_assert_eq(sim_svm_nmis_taken(1), 1, "drained before VMRUN");
	cr_assert_eq(vmcb(1)->control.event_inject, 0, "nothing for the guest");
}

Test(svm, db_and_ac_are_reinjected)
{
	struct guest_regs regs = { { 0 } };

	cr_assert_not(take_exit(1, SVM_EXIT_EXCEPTION_BASE + 17, 0, 0, &regs));
	cr_assert_eq(vmcb(1)->control.event_inject,
		     SVM_EVENT_VALID | SVM_EVENT_ERROR_VALID | 17 |
			     SVM_EVENT_TYPE_EXCEPTION << SVM_EVENT_TYPE_SHIFT);
	cr_assert_eq(sim_svm_check_vmrun(1, vmcb_phys(1), NULL, 0), 0,
		     "VMRUN accepts the injection");
}

/* A cell's CPU that is failed stays in the hypervisor: read, then handle. */
Test(svm, vmrun_in_a_guest_fails_only_that_cpu_s_cell)
{
	struct x86_exit exit;
	long id = sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL);

	cr_assert_geq(id, 0);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, id, 0), 0);
	vmcb(2)->control.exit_code = SVM_EXIT_VMRUN;
	svm_read_exit(per_cpu(2), &exit);
	cr_assert_eq(exit.reason, X86_EXIT_UNHANDLED);
	cr_assert_eq(sim_guest_exit(2, &exit), SIM_ACCESS_FAULT);
	cr_assert(log_contains("unhandled exit reason 128"), "%s", hv_log());
	cr_assert_eq(cell_state(id), JAILHOUSE_CELL_FAILED);
	cr_assert_eq(info(JAILHOUSE_INFO_NUM_CELLS), 2, "root still answers");
}

Test(svm, reset_state_is_real_mode_and_accepted)
{
	svm_vcpu_reset(per_cpu(2), 0xf0000);
	cr_assert_eq(vmcb(2)->save.cs.base, 0xf0000);
	cr_assert_eq(vmcb(2)->save.cs.selector, 0xf000);
	cr_assert_eq(vmcb(2)->save.rip, 0);
	cr_assert_eq(vmcb(2)->save.efer, EFER_SVME, "SVME only");
	cr_assert_eq(sim_svm_check_vmrun(2, vmcb_phys(2), NULL, 0), 0, "%s",
		     sim_svm_last_refusal(2));
}

Test(svm, missing_features_are_named)
{
	sim_msr_set(0, MSR_VM_CR, VM_CR_SVMDIS);
	cr_assert_eq(svm_check_features(), -EIO);
	cr_assert(log_contains("CPU 0: SVM feature missing: SVM enabled by "
			       "firmware (VM_CR.SVMDIS is set)"),
		  "%s", hv_log());
}

Test(svm, disable_hands_linux_its_state_with_svm_off)
{
	struct x86_cpu_state before = *sim_linux_state(1);
	struct guest_regs regs = { { 0 } };

	vmcb(1)->save.kernel_gs_base = 0xffff888011110000ULL;
	regs.gp[REG_RAX] = JAILHOUSE_HC_DISABLE;
	cr_assert(take_exit(0, SVM_EXIT_VMMCALL, 0, 0, &regs));
	memset(&regs, 0, sizeof(regs));
	cr_assert(take_exit(1, SVM_EXIT_CPUID, 0, 0, &regs));
	const struct x86_cpu_state *after = sim_linux_state(1);

	cr_assert_eq(after->rip, before.rip + 2, "after its CPUID");
	cr_assert_eq(after->efer, before.efer, "SVME not handed to Linux");
	cr_assert_eq(after->cs.access_rights, before.cs.access_rights);
	cr_assert_eq(after->ss.access_rights, before.ss.access_rights);
	cr_assert_eq(after->ds.access_rights, before.ds.access_rights);
	cr_assert_eq(after->tr.access_rights, before.tr.access_rights);
	cr_assert_eq(after->kernel_gs_base, 0xffff888011110000ULL);
	cr_assert_not(sim_msr_get(1, MSR_IA32_EFER) & EFER_SVME);
	cr_assert(sim_svm_gif(1), "GIF set: Linux takes interrupts again");
	cr_assert_eq(sim_msr_get(1, MSR_VM_HSAVE_PA), 0);
	cr_assert_not(per_cpu(1)->arch.svm_on);
}

Test(svm, refused_vmrun_is_named_and_svm_turned_off)
{
	sim_current_cpu = 2;
	vmcb(2)->save.cr0 |= 1ULL << 29; /* NW, CD clear */
	cr_assert_eq(svm_cpu_activate(per_cpu(2)), -EIO);
	sim_current_cpu = 0;
	cr_assert_str_eq(sim_svm_last_refusal(2),
			 "guest CR0 0xa0050033: NW without CD");
	cr_assert(log_contains("CPU 2: VMRUN refused the VMCB (exit code "
			       "0xffffffffffffffff)"),
		  "%s", hv_log());
	cr_assert_not(sim_msr_get(2, MSR_IA32_EFER) & EFER_SVME);
	cr_assert_not(per_cpu(2)->arch.svm_on);
}
