// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of the hardware exit path, x86_vmexit, fed the way the entry
 * stub feeds it: exit information in the VMCS, the guest's registers in a
 * saved block. Includes disabling the hypervisor through it, CPU by CPU,
 * until Linux runs alone and every page is back.
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <string.h>
#include <asm/control.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/vmcs.h>
#include <asm/vmexit.h>
#include <asm/vmx.h>
#include <core/arch.h>
#include <sim/cpu_hw.h>
#include <sim/dmar.h>
#include <sim/hw_state.h>
#include "helpers.h"

static jmp_buf back_to_harness;

static void __attribute__((noreturn)) resumed_linux(unsigned int cpu)
{
	(void)cpu;
	longjmp(back_to_harness, 1);
}

static void (*plain_kick)(unsigned int cpu);
static unsigned int kicks;

static void counting_kick(unsigned int cpu)
{
	kicks++;
	plain_kick(cpu);
}

static unsigned int kicks_to_lose;

/* A kick landing while the target is in the hypervisor does nothing. */
static void losing_kick(unsigned int cpu)
{
	kicks++;
	if (kicks_to_lose) {
		kicks_to_lose--;
		return;
	}
	plain_kick(cpu);
}

static void setup(void)
{
	boot_qemu_vm();
	sim_resume_linux_hook = resumed_linux;
	plain_kick = sim_kick_handler;
	sim_kick_handler = counting_kick;
	kicks = 0;
}

TestSuite(vmexit, .init = setup);

static void exit_info(unsigned int cpu, u32 reason, u32 length, u32 intr)
{
	sim_current_cpu = cpu;
	hw_vmwrite(VMCS_EXIT_REASON, reason);
	hw_vmwrite(VMCS_EXIT_INSTRUCTION_LEN, length);
	hw_vmwrite(VMCS_EXIT_INTR_INFO, intr);
	hw_vmwrite(VMCS_EXIT_QUALIFICATION, 0);
}

/*
 * Runs x86_vmexit on the CPU exit_info chose, its registers where the stub
 * would have pushed them; true if the CPU went back to Linux instead.
 */
static bool take_exit(struct guest_regs *saved)
{
	struct guest_regs *regs = &per_cpu(sim_current_cpu)->arch.guest_regs;
	volatile bool left = false;

	*regs = *saved;
	if (setjmp(back_to_harness))
		left = true;
	else
		cr_assert_eq(x86_vmexit(regs), regs, "resume with the same block");
	*saved = *regs;
	sim_current_cpu = 0;
	return left;
}

Test(vmexit, cpuid_round_trip_through_the_saved_registers)
{
	struct guest_regs saved = { { 0 } };
	u64 rip = sim_vmcs_get(1, VMCS_GUEST_RIP);

	saved.gp[REG_RAX] = 0x40000000;
	saved.gp[REG_R15] = 0x1515;
	exit_info(1, EXIT_REASON_CPUID, 2, 0);
	cr_assert_not(take_exit(&saved));
	cr_assert_eq((u32)saved.gp[REG_RBX], 0x6c69614a, "\"Jail\"");
	cr_assert_eq(saved.gp[REG_R15], 0x1515, "untouched registers kept");
	cr_assert_eq(sim_vmcs_get(1, VMCS_GUEST_RIP), rip + 2);
}

Test(vmexit, nmi_without_request_goes_to_the_guest)
{
	struct guest_regs saved = { { 0 } };

	exit_info(1, EXIT_REASON_EXCEPTION_NMI, 0,
		  INTR_INFO_VALID | INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT | 2);
	sim_current_cpu = 1;
	hw_vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
		   INTERRUPTIBILITY_BLOCKING_BY_NMI | 1);
	cr_assert_not(take_exit(&saved));
	cr_assert_eq(sim_vmcs_get(1, VMCS_GUEST_INTERRUPTIBILITY), 1,
		     "the guest does not block the next kick (STI kept)");
	cr_assert_eq(sim_nmi_unblocks(1), 1,
		     "NMIs unblocked, or the next kick would never arrive");
	cr_assert_eq(sim_vmcs_get(1, VMCS_ENTRY_INTR_INFO),
		     INTR_INFO_VALID | INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT |
			     2,
		     "the guest's own NMI is delivered, not swallowed");
}

/*
 * VT-d announces a fault with an NMI to CPU 0: the exit there logs the
 * fault, and Linux never sees an NMI it could not explain. The next NMI
 * without a fault behind it is Linux's own again.
 */
Test(vmexit, iommu_fault_nmi_is_logged_not_handed_to_linux)
{
	u32 nmi = INTR_INFO_VALID | INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT | 2;
	struct guest_regs saved = { { 0 } };
	u64 address;
	u32 v = 0, data;

	/* Root's NIC writes to the hypervisor's memory: not root's to DMA. */
	cr_assert_eq(sim_dma(0x10, 0x3be00000, 4, true, &v),
		     SIM_DMA_SL_NOT_PRESENT);
	cr_assert_eq(sim_dmar_fault_event(0, &address, &data), 1);
	cr_assert_eq(address, 0xfee00000, "to CPU 0 (APIC id 0)");
	exit_info(0, EXIT_REASON_EXCEPTION_NMI, 0, nmi);
	cr_assert_not(take_exit(&saved));
	cr_assert(log_contains("VT-d unit 0: DMA write to 0x3be00000 by "
			       "00:02.0 (cell \"QEMU-VM\") blocked"));
	cr_assert_eq(sim_vmcs_get(0, VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID,
		     0, "the fault's NMI is not Linux's");

	exit_info(0, EXIT_REASON_EXCEPTION_NMI, 0, nmi);
	cr_assert_not(take_exit(&saved));
	cr_assert_eq(sim_vmcs_get(0, VMCS_ENTRY_INTR_INFO), nmi,
		     "Linux's own NMI reaches Linux");
}

Test(vmexit, disable_leaves_every_cpu_and_frees_everything)
{
	struct guest_regs saved = { { 0 } };
	u64 rip = sim_vmcs_get(0, VMCS_GUEST_RIP);
	unsigned int cpu;

	saved.gp[REG_RAX] = JAILHOUSE_HC_DISABLE;
	exit_info(0, EXIT_REASON_VMCALL, 3, 0);
	cr_assert(take_exit(&saved), "CPU 0 went back to Linux");
	cr_assert(sim_cpu_resumed_linux(0));
	cr_assert_eq(sim_linux_state(0)->regs.gp[REG_RAX], 0,
		     "Linux sees the hypercall succeed");
	cr_assert_eq(sim_linux_state(0)->rip, rip + 3,
		     "and continues after VMCALL");
	cr_assert_not(sim_cpu_in_vmx_operation(0));
	cr_assert(hv_enabled(), "the others still run the hypervisor");
	cr_assert_eq(kicks, 0, "no NMI that Linux would have to explain");

	/* Each of the others leaves at its next exit: the driver's CPUID. */
	for (cpu = 1; cpu < QEMU_VM_CPUS; cpu++) {
		memset(&saved, 0, sizeof(saved));
		exit_info(cpu, EXIT_REASON_CPUID, 2, 0);
		cr_assert(take_exit(&saved), "CPU %u left", cpu);
		cr_assert_not(sim_cpu_in_vmx_operation(cpu));
		cr_assert(sim_cpu_resumed_linux(cpu));
		cr_assert_eq(sim_linux_state(cpu)->rip,
			     sim_vmcs_get(cpu, VMCS_GUEST_RIP),
			     "CPU %u continues after its CPUID", cpu);
	}
	cr_assert_not(hv_enabled(), "the last one out shut down");
	cr_assert_eq(mem_pool.used, mem_pool.bitmap_pages);
	cr_assert(log_contains("Shutting down hypervisor"));
}

/*
 * A CPU whose last exit came from a process holds the kernel's per-CPU
 * base in KERNEL_GS_BASE, not what it held at enable; the MSRs that exits
 * never switch are handed back as the CPU holds them.
 */
Test(vmexit, disable_hands_back_the_msrs_linux_wrote_since_enable)
{
	struct guest_regs saved = { { 0 } };
	u64 enable_time = sim_msr_get(1, MSR_IA32_KERNEL_GS_BASE);

	sim_msr_set(1, MSR_IA32_KERNEL_GS_BASE, enable_time + 0x1000);
	sim_msr_set(1, MSR_IA32_LSTAR, 0xffffffff81a00040ULL);
	saved.gp[REG_RAX] = JAILHOUSE_HC_DISABLE;
	exit_info(0, EXIT_REASON_VMCALL, 3, 0);
	cr_assert(take_exit(&saved));
	exit_info(1, EXIT_REASON_CPUID, 2, 0);
	cr_assert(take_exit(&saved), "CPU 1 left");
	cr_assert_eq(sim_linux_state(1)->kernel_gs_base, enable_time + 0x1000,
		     "the swapped GS base Linux holds now, not at enable");
	cr_assert_eq(sim_linux_state(1)->lstar, 0xffffffff81a00040ULL);
}

Test(vmexit, refused_entry_on_one_cpu_sends_the_others_back)
{
	struct guest_regs saved = { { 0 } };
	unsigned int cpu;

	/* CPU 3 failed to enter its guest and has left VMX already. */
	sim_current_cpu = 3;
	vmx_cpu_exit(per_cpu(3));
	x86_abandon_launch(per_cpu(3));
	sim_current_cpu = 0;
	cr_assert(log_contains("Aborting: a CPU could not enter its guest"));
	cr_assert(hv_enabled(), "the others have not noticed yet");
	cr_assert_eq(kicks, 0);
	for (cpu = 0; cpu < 3; cpu++) {
		exit_info(cpu, EXIT_REASON_CPUID, 2, 0);
		cr_assert(take_exit(&saved), "CPU %u went back to Linux", cpu);
		cr_assert_not(sim_cpu_in_vmx_operation(cpu));
	}
	cr_assert_not(hv_enabled(), "the last one out shut down");
	cr_assert_eq(mem_pool.used, mem_pool.bitmap_pages);
}

/*
 * A CPU Linux has not been running on, here one parked in the root cell
 * (as after its cell was destroyed and before Linux brings it back), must
 * not be handed Linux's state: it halts outside VMX, for Linux's INIT.
 */
Test(vmexit, disable_stops_a_cpu_that_does_not_run_linux)
{
	struct guest_regs saved = { { 0 } };
	unsigned int cpu;

	per_cpu(3)->arch.park_request = true;
	x86_kick(3);
	cr_assert_eq(per_cpu(3)->arch.vcpu_state, VCPU_PARKED);

	saved.gp[REG_RAX] = JAILHOUSE_HC_DISABLE;
	exit_info(0, EXIT_REASON_VMCALL, 3, 0);
	cr_assert(take_exit(&saved));
	for (cpu = 1; cpu < QEMU_VM_CPUS; cpu++) {
		memset(&saved, 0, sizeof(saved));
		/* CPU 3 notices in its wait loop, the others at the CPUID. */
		exit_info(cpu, EXIT_REASON_CPUID, 2, 0);
		cr_assert(take_exit(&saved), "CPU %u left", cpu);
		cr_assert_not(sim_cpu_in_vmx_operation(cpu));
	}
	cr_assert(sim_cpu_resumed_linux(1));
	cr_assert(sim_cpu_resumed_linux(2));
	cr_assert_not(sim_cpu_resumed_linux(3), "no Linux state for CPU 3");
	cr_assert(sim_cpu_stopped(3));
	cr_assert_not(hv_enabled());
	cr_assert_eq(mem_pool.used, mem_pool.bitmap_pages);
}

/* A lost kick is repeated until the target answers. */
Test(vmexit, a_lost_kick_is_sent_again)
{
	sim_kick_handler = losing_kick;
	kicks_to_lose = 2;
	arch_park_cpu(3);
	cr_assert_eq(per_cpu(3)->arch.vcpu_state, VCPU_PARKED);
	cr_assert_eq(kicks, 3);
	cr_assert_not(per_cpu(3)->failed);
	cr_assert_not(log_contains("does not answer"));
}

/*
 * The NMI of a kick whose request was served already (a repeated kick, or
 * one whose count an earlier exit took) is not the guest's: Linux would
 * report an NMI it cannot explain. Once such late NMIs can no longer be on
 * their way, the next NMI that no kick accounts for is the guest's again.
 */
Test(vmexit, a_kick_nmi_is_never_handed_to_the_guest)
{
	struct guest_regs saved = { { 0 } };
	u32 nmi = INTR_INFO_VALID | INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT | 2;

	sim_kick_handler = losing_kick;
	kicks_to_lose = 1;
	x86_kick(1);
	exit_info(1, EXIT_REASON_EXCEPTION_NMI, 0, nmi);
	cr_assert_not(take_exit(&saved));
	cr_assert_eq(sim_vmcs_get(1, VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID,
		     0, "the kick's NMI swallowed");

	exit_info(1, EXIT_REASON_EXCEPTION_NMI, 0, nmi);
	cr_assert_not(take_exit(&saved));
	cr_assert_eq(sim_vmcs_get(1, VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID,
		     0, "a late NMI of the kick swallowed too");

	sim_clock_advance(2000000000ULL);
	exit_info(1, EXIT_REASON_EXCEPTION_NMI, 0, nmi);
	cr_assert_not(take_exit(&saved));
	cr_assert_eq(sim_vmcs_get(1, VMCS_ENTRY_INTR_INFO), nmi,
		     "an NMI of its own reaches the guest");
}
