/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_PERCPU_H
#define _ASM_PERCPU_H

#include <core/types.h>
#include <asm/cpu_state.h>

struct vmcb;

/*
 * The hypervisor's GDT: null, unused, 64-bit code, data, a 16-byte TSS
 * descriptor. Code and data sit where Linux's x86-64 GDT has its kernel
 * code and data (0x10, 0x18): while a CPU switches between the two tables,
 * an NMI taken through either IDT finds the selectors it expects.
 */
#define HOST_GDT_ENTRIES 6
#define HOST_CS_SELECTOR 0x10
#define HOST_DS_SELECTOR 0x18
#define HOST_TR_SELECTOR 0x20

/* The 64-bit task-state segment: the CPU reads stack pointers from it. */
struct x86_tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 io_bitmap_offset;
} __attribute__((packed));

/* What a CPU's guest is doing, as far as the hypervisor arranged it. */
enum vcpu_state {
	VCPU_RUNNING, /* executing guest code */
	VCPU_PARKED, /* halted in the hypervisor until reset */
};

/* A CPU's local APIC and what the hypervisor emulates of it (asm/apic.h). */
struct apic_per_cpu {
	/* xAPIC logical destination as the guest set it: LDR and DFR. */
	u32 ldr, dfr;
	/* The guest's ICR: its destination word and the last command. */
	u32 icr_high, icr_low;
	/*
	 * INIT and SIPI from a CPU of the same cell, carried out by the
	 * target itself and only while it still belongs to the cell whose id
	 * the request carries: INIT parks it in wait-for-SIPI, a SIPI then
	 * starts it at vector * 4K.
	 */
	volatile bool init_request;
	volatile bool sipi_request;
	u8 sipi_vector;
	u32 request_cell_id;
	bool wait_for_sipi;
	/* Refused IPIs are logged once per target and reason, per cell. */
	u32 log_cell_id;
	u64 logged_targets;
	u32 logged_reasons;
};

struct arch_per_cpu {
	/* Requests from other CPUs, acknowledged by the target itself. */
	volatile bool suspend_request;
	volatile bool suspended;
	volatile bool park_request;
	volatile bool reset_request;
	volatile bool flush_request;
	/*
	 * Kicks sent to this CPU, and those its NMI exits have accounted
	 * for: an NMI exit with none outstanding is the guest's own NMI.
	 */
	volatile u32 kicks_sent;
	u32 kicks_seen;
	/* When the last kick was sent (see x86_take_kicks). */
	u64 kick_sent_ns;
	enum vcpu_state vcpu_state;
	u32 pci_address; /* the guest's view of the 0xCF8 latch */
	u32 last_refused_msr; /* + 1; 0: none yet */
	struct apic_per_cpu apic;

	/* VMX operation of this CPU (vmx.c). */
	bool vmx_on;
	void *vmxon_region;
	void *vmcs;
	void *msr_bitmap;
	u64 eptp_loaded; /* skips the INVEPT when the cell stays */
	/* A VMWRITE of the VMCS setup failed (logged with its field). */
	bool vmcs_write_failed;

	/* SVM of this CPU (svm.c), the counterpart of the above. */
	bool svm_on;
	struct vmcb *vmcb;
	void *host_save_area; /* named in VM_HSAVE_PA, the CPU's own */
	void *msrpm;
	/* Length of the instruction of the current exit, 0 if none. */
	unsigned int svm_insn_len;
	/*
	 * Set by the entry code before vmx_cpu_init: where VM exits land, the
	 * stack they run on, the hypervisor's page tables. The simulator sets
	 * its own (sim/machine.c); vmx_cpu_init refuses a CPU left with a 0.
	 */
	u64 host_rip, host_rsp, host_cr3;
	u64 host_gdt[HOST_GDT_ENTRIES];
	struct x86_tss64 host_tss;
	/* Linux's state: captured by vmx_cpu_init, updated by vmx_cpu_exit. */
	struct x86_cpu_state linux_state;
	/*
	 * The guest's general-purpose registers, saved by the entry code on
	 * each VM exit and loaded again on entry; RSP lives in the VMCS. The
	 * host RSP of the VMCS points just past them, so the exit stub's
	 * pushes land here, and exit_stack, right behind, is where the stub
	 * finds the stack to run C on.
	 */
	struct guest_regs guest_regs;
	u64 exit_stack;
};

#endif
