/* SPDX-License-Identifier: GPL-2.0 */
/* Sets of CPU ids as little bitmaps of MAX_CPUS bits. */
#ifndef _CORE_CPUSET_H
#define _CORE_CPUSET_H

#include <core/percpu.h>

#define CPU_SET_WORDS (MAX_CPUS / 64)

struct cpu_set {
	u64 bits[CPU_SET_WORDS];
};

static inline bool cpu_set_test(const struct cpu_set *set, unsigned int cpu)
{
	return cpu < MAX_CPUS && (set->bits[cpu / 64] >> (cpu % 64)) & 1;
}

static inline void cpu_set_add(struct cpu_set *set, unsigned int cpu)
{
	set->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

static inline void cpu_set_del(struct cpu_set *set, unsigned int cpu)
{
	set->bits[cpu / 64] &= ~(1ULL << (cpu % 64));
}

#define for_each_cpu(cpu, set)                                                 \
	for ((cpu) = 0; (cpu) < MAX_CPUS; (cpu)++)                             \
		if (cpu_set_test((set), (cpu)))

#endif
