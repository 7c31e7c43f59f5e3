/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CORE_PERCPU_H
#define _CORE_PERCPU_H

#include <core/types.h>
#include <jailhouse/hypercall.h>
#include <asm/percpu.h>

#define MAX_CPUS 64

struct cell;

struct per_cpu {
	unsigned int cpu_id;
	struct cell *cell;
	bool failed;
	u64 stats[JAILHOUSE_NUM_CPU_STATS];
	struct arch_per_cpu arch;
};

/* Defined in setup.c; reached on every exit, so looked up inline. */
extern struct per_cpu per_cpu_data[MAX_CPUS];

static inline struct per_cpu *per_cpu(unsigned int cpu_id)
{
	return &per_cpu_data[cpu_id];
}
/* Number of CPUs the hypervisor was enabled on; ids are 0..n-1. */
unsigned int num_cpus(void);

#endif
