/* SPDX-License-Identifier: GPL-2.0 */
/* Requests between CPUs, and putting a CPU's guest into a known state. */
#ifndef _ASM_CONTROL_H
#define _ASM_CONTROL_H

#include <core/percpu.h>

/*
 * Carries out what other CPUs asked of this one. Returns true if the guest
 * may run, false if the CPU must stay in the hypervisor (suspended or
 * parked); real hardware waits and calls this again after the next kick.
 */
bool x86_handle_requests(struct per_cpu *cpu);
/* Whether another CPU asked something of this one that is not done yet. */
bool x86_requests_pending(const struct per_cpu *cpu);
/* Sends an NMI to the CPU so that it looks at its requests. */
void x86_kick(unsigned int cpu_id);
/*
 * On an NMI exit: true if kicks were outstanding (all are now accounted
 * for), false if the NMI was the guest's own.
 */
bool x86_take_kicks(struct per_cpu *cpu);
/* Requests an EPT flush on every CPU of the cell (all CPUs if NULL). */
void x86_flush_cpus(const struct cell *cell);

#endif
