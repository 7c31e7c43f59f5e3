/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_PERCPU_H
#define _ASM_PERCPU_H

#include <core/types.h>

/* What a CPU's guest is doing, as far as the hypervisor arranged it. */
enum vcpu_state {
	VCPU_RUNNING, /* executing guest code */
	VCPU_PARKED, /* halted in the hypervisor until reset */
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
};

#endif
