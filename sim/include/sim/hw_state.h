/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State of the fake hardware behind sim/include/asm/hw.h, for tests to set
 * up and inspect: the CPU the hypervisor code is running on, the clock, the
 * UARTs, MSRs and each CPU's VMCS.
 */
#ifndef _SIM_HW_STATE_H
#define _SIM_HW_STATE_H

#include <core/types.h>

#define SIM_MAX_CPUS 64
#define SIM_UART_BUF 65536

/* CPU whose hypervisor code runs now: the target of vmread/vmwrite. */
extern unsigned int sim_current_cpu;

/* The TSC runs at 1 GHz: one tick per nanosecond. */
#define SIM_TSC_KHZ 1000000ULL
/*
 * A TSC that stands still (as a broken or stopped one reads) when a test
 * clears this before the enable; every boot sets it back.
 */
extern bool sim_tsc_counts;
u64 sim_clock_ns(void);
void sim_clock_advance(u64 ns);
/* How far one PAUSE moves the clock; spinning code makes time pass. */
#define SIM_PAUSE_NS 50
/* The local APIC timer's input clock (the bus clock), unlike the TSC's. */
#define SIM_APIC_TIMER_KHZ 250000ULL

/* ACPI PM timer (3.579545 MHz, 24 bits) at this port; 0 = none. */
extern u16 sim_pm_timer_port;
#define SIM_PM_TIMER_HZ 3579545ULL

/* Text written to an 8250 UART at this base port (0x3f8, 0x2f8). */
const char *sim_uart_output(u16 port);
void sim_uart_clear(u16 port);

u64 sim_vmcs_get(unsigned int cpu, u32 field);
bool sim_vmcs_is_set(unsigned int cpu, u32 field);
void sim_vmcs_clear(unsigned int cpu);
/* Stores as the CPU itself does (exit information), with no VMWRITE checks. */
void sim_vmcs_set(unsigned int cpu, u32 field, u64 value);
/* Until sim_hw_reset, VMWRITE to this field fails as if the CPU lacked it. */
void sim_vmcs_remove_field(u32 field);

u64 sim_msr_get(unsigned int cpu, u32 msr);
void sim_msr_set(unsigned int cpu, u32 msr, u64 value);

unsigned long sim_invept_count(unsigned int cpu);

/* Called on every PAUSE: other CPUs get to run while one spins. */
extern void (*sim_idle_hook)(void);

/* How often the CPU ended an NMI's blocking with hw_unblock_nmis. */
unsigned long sim_nmi_unblocks(unsigned int cpu);

/*
 * Called when an NMI reaches a CPU (sim/apic_hw.c): the target runs its
 * handler at once, as if it took the NMI the moment it was sent.
 */
extern void (*sim_kick_handler)(unsigned int cpu);

/* Back to power-on state: clock, UARTs, VMCSs, MSRs, counters. */
void sim_hw_reset(void);

#endif
