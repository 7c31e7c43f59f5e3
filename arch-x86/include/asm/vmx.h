/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VMX: entering VMX operation with the running Linux as the guest,
 * leaving it again, and reading VM exits into the vendor-neutral form of
 * asm/exit.h.
 */
#ifndef _ASM_VMX_H
#define _ASM_VMX_H

#include <core/percpu.h>
#include <asm/exit.h>

/*
 * Checks that this CPU has what the hypervisor needs: VMX, EPT with a
 * 4-level walk and write-back tables, INVEPT single-context and
 * all-context, unrestricted guest, the VMX preemption timer, MSR and I/O
 * bitmaps, secondary controls, and the VM-exit and VM-entry controls that
 * switch EFER and PAT. Logs one line per missing feature. Returns 0,
 * -ENODEV without VMX at all, or -EIO when features are missing.
 */
int vmx_check_features(void);

/*
 * Enters VMX operation on the calling CPU and builds a VMCS whose guest is
 * the Linux that called the hypervisor, its state captured by
 * hw_capture_cpu_state; vmx_cpu_activate launches it once every CPU is
 * ready. Undoes everything on failure and returns -ENODEV or -EIO
 * (features, or a VMX instruction the CPU refused, the reason in the log),
 * -EBUSY (VMX already in use) or -ENOMEM.
 */
int vmx_cpu_init(struct per_cpu *cpu);

/*
 * Leaves VMX operation on the calling CPU: the guest's state goes back
 * into cpu->arch.linux_state for the entry code to resume Linux with, CR4
 * gets Linux's value (VMXE clear), and the VMX pages go back to the pool.
 */
void vmx_cpu_exit(struct per_cpu *cpu);

/*
 * Enters the guest built by vmx_cpu_init: on hardware this returns only if
 * the CPU refused the entry, and then VMX operation is left again.
 */
int vmx_cpu_activate(struct per_cpu *cpu);

/* Reads the current VM exit of the calling CPU into exit. */
void vmx_read_exit(struct per_cpu *cpu, struct x86_exit *exit);

/* Moves the guest past the instruction that exited (it was emulated). */
void vmx_skip_instruction(struct per_cpu *cpu);

/* Moves the guest past an instruction of this length (decoded ones). */
void vmx_advance_rip(struct per_cpu *cpu, unsigned int length);

/*
 * Makes the next VM entry deliver an exception to the guest. error_code is
 * used for the vectors that push one (not in real mode).
 */
void vmx_inject_exception(struct per_cpu *cpu, u8 vector, u32 error_code);

/*
 * Puts the guest into the state INIT leaves, in real mode at address
 * (segment base address & ~0xffff, IP address & 0xffff): everything the
 * VM-entry checks look at, so it can be entered as is.
 */
void vmx_vcpu_reset(struct per_cpu *cpu, u64 address);

/* Delivers an NMI to the guest on its next entry. */
void vmx_inject_nmi(struct per_cpu *cpu);

/* The cell's EPT and I/O bitmaps into the VMCS (INVEPT when it changed). */
void vmx_load_cell(struct per_cpu *cpu);

/* Real mode at base:0, after a SIPI. */
void vmx_start_at_segment(struct per_cpu *cpu, u64 base);

#endif
