/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_PERCPU_H
#define _ASM_PERCPU_H

#include <core/types.h>

/* What a CPU's guest is doing, as far as the hypervisor arranged it. */
enum vcpu_state {
	VCPU_RUNNING, /* executing guest code */
	VCPU_PARKED, /* halted in the hypervisor until reset */
};

/* A CPU's local APIC and what the hypervisor emulates of it (asm/apic.h). */
struct apic_per_cpu {
	u32 id; /* physical APIC id, read at CPU init */
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
	enum vcpu_state vcpu_state;
	u32 pci_address; /* the guest's view of the 0xCF8 latch */
	u64 eptp_loaded;
	struct apic_per_cpu apic;
};

#endif
