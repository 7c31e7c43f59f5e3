/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD SVM: the running Linux becomes the guest of a VMCB built from its
 * own captured state, with nested paging (NPT) for the cells' memory;
 * disable hands that state back. The counterpart of asm/vmx.h: exits are
 * read into the vendor-neutral form of asm/exit.h.
 */
#ifndef _ASM_SVM_H
#define _ASM_SVM_H

#include <core/percpu.h>
#include <asm/exit.h>
#include <asm/vmcb.h>

/*
 * Checks that this CPU has what the hypervisor needs: SVM not disabled by
 * firmware (VM_CR.SVMDIS), nested paging, and at least one guest ASID.
 * Logs one line per missing feature. Returns 0, -ENODEV without SVM at
 * all, or -EIO when features are missing.
 */
int svm_check_features(void);

/*
 * Turns on EFER.SVME on the calling CPU, names its host save area, and
 * builds a VMCB whose guest is the Linux that called the hypervisor;
 * svm_cpu_activate enters it once every CPU is ready. Undoes everything
 * on failure: -ENODEV or -EIO (features), -EBUSY (SVM already in use),
 * -ENOMEM.
 */
int svm_cpu_init(struct per_cpu *cpu);

/*
 * Enters the guest built by svm_cpu_init: on hardware this returns only if
 * VMRUN refused the VMCB (exit code VMEXIT_INVALID), and then SVM is
 * turned off again with the reason in the log.
 */
int svm_cpu_activate(struct per_cpu *cpu);

/*
 * Leaves SVM on the calling CPU: the guest's state goes back into
 * cpu->arch.linux_state, EFER.SVME is cleared, the pages are freed.
 */
void svm_cpu_exit(struct per_cpu *cpu);

/* Reads the current #VMEXIT of the calling CPU into exit. */
void svm_read_exit(struct per_cpu *cpu, struct x86_exit *exit);

/* Moves the guest past the instruction that exited (it was emulated). */
void svm_skip_instruction(struct per_cpu *cpu);
/* Moves the guest past an instruction of this length (decoded ones). */
void svm_advance_rip(struct per_cpu *cpu, unsigned int length);
/* Makes the next VMRUN deliver an exception to the guest. */
void svm_inject_exception(struct per_cpu *cpu, u8 vector, u32 error_code);
/* Delivers an NMI to the guest on its next VMRUN. */
void svm_inject_nmi(struct per_cpu *cpu);
/* The state INIT leaves, in real mode at address (see vmx_vcpu_reset). */
void svm_vcpu_reset(struct per_cpu *cpu, u64 address);
/* Real mode at base:0, after a SIPI. */
void svm_start_at_segment(struct per_cpu *cpu, u64 base);
/* The cell's nested page tables and I/O permission map into the VMCB. */
void svm_load_cell(struct per_cpu *cpu);
/* Flushes this CPU's guest translations on its next VMRUN. */
void svm_flush_all(struct per_cpu *cpu);

/*
 * Segment attributes: SVM keeps the 12 bits type, S, DPL, P, AVL, L, D/B,
 * G packed; VMX spreads them over 16 with bit 16 meaning unusable.
 */
static inline u16 svm_access_rights_to_attrib(u32 ar)
{
	if (ar & (1U << 16))
		return 0;
	return (ar & 0xff) | ((ar >> 4) & 0xf00);
}

static inline u32 svm_attrib_to_access_rights(u16 attrib)
{
	if (!(attrib & 0x80))
		return 1U << 16; /* not present: unusable */
	return (attrib & 0xff) | ((u32)(attrib & 0xf00) << 4);
}

#endif
