/* SPDX-License-Identifier: GPL-2.0 */
/* A plain test-and-set spinlock for short critical sections. */
#ifndef _CORE_SPINLOCK_H
#define _CORE_SPINLOCK_H

#include <core/arch.h>

typedef struct {
	volatile u32 locked;
} spinlock_t;

static inline void spin_lock(spinlock_t *lock)
{
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

#endif
