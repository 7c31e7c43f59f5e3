/* SPDX-License-Identifier: GPL-2.0 */
/* Simulated CPUs running one entry together (sim/smp.c). */
#ifndef _SIM_SMP_H
#define _SIM_SMP_H

#include <core/types.h>

/*
 * Runs entry(cpu) on CPUs 0..cpus-1 but those set in absent, each on its
 * own stack, taking turns wherever one waits for another; returns when all
 * entries have. results[cpu] gets each return value (0 for absent CPUs).
 */
void sim_run_cpus(unsigned int cpus, u64 absent,
		  int (*entry)(unsigned int cpu), int *results);

#endif
