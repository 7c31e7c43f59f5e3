/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake interrupt hardware behind the APIC operations of asm/hw.h: one local
 * APIC per CPU (APIC id = CPU id unless set otherwise) that records the IPIs
 * sent through it and turns NMIs into kicks of their targets, and IOAPICs
 * with 24 redirection entries on the MMIO bus at the addresses the system
 * config names.
 */
#ifndef _SIM_APIC_HW_H
#define _SIM_APIC_HW_H

#include <core/types.h>
#include <jailhouse/cell-config.h>

/* Puts the local APICs in the config's mode and the IOAPICs on the bus. */
void sim_apic_hw_attach(const struct jailhouse_system *system);
void sim_ioapic_attach(const struct jailhouse_system *system);

struct sim_ipi {
	unsigned int from; /* CPU whose APIC sent it */
	u32 dest; /* ICR destination field */
	u32 icr; /* ICR low word */
};

/* Every ICR write the hypervisor made, in order. */
unsigned int sim_apic_ipis_sent(void);
const struct sim_ipi *sim_apic_ipi(unsigned int n);
/* IPIs that reached a CPU, as the fake APIC bus routed them. */
unsigned int sim_apic_ipis_received(unsigned int cpu);
bool sim_apic_last_ipi(unsigned int cpu, struct sim_ipi *ipi);
void sim_apic_ipis_clear(void);
/* A local APIC register by xAPIC offset (0x20 id, 0xd0 LDR, ...). */
u32 sim_apic_reg(unsigned int cpu, u32 offset);
void sim_apic_reg_set(unsigned int cpu, u32 offset, u32 value);
/*
 * A CPU's APIC id, in the format of the mode the APIC runs in; after
 * sim_apic_hw_attach (which numbers them like the CPUs), before the
 * hypervisor reads it at CPU init. The bus routes by these ids.
 */
void sim_apic_set_id(unsigned int cpu, u32 apic_id);
/*
 * xAPIC: the CPU's ICR reads busy (delivery status set) for the next reads
 * reads, SIM_ICR_STUCK for ever; busy_polls counts the reads that saw it.
 * An ICR write while it is busy aborts: the hypervisor must wait.
 */
#define SIM_ICR_STUCK (~0U)
void sim_apic_icr_busy(unsigned int cpu, unsigned int reads);
unsigned long sim_apic_icr_busy_polls(unsigned int cpu);

/*
 * Interrupts at a local APIC: raise puts a vector in the IRR (a device or
 * timer fired while the CPU had interrupts off), set_in_service one in the
 * ISR (a handler that never sent its EOI). EOI writes end the highest in
 * service; hw_take_interrupt() accepts the highest deliverable pending one.
 */
void sim_apic_raise(unsigned int cpu, u8 vector);
void sim_apic_set_in_service(unsigned int cpu, u8 vector);
unsigned int sim_apic_interrupts_taken(unsigned int cpu);

#define SIM_IOAPIC_PINS 24

/* A redirection entry as the fake IOAPIC holds it. */
u64 sim_ioapic_entry(u64 base, unsigned int pin);
/* Programs an entry behind the hypervisor's back (firmware, old Linux). */
void sim_ioapic_set_entry(u64 base, unsigned int pin, u64 value);
/* Writes through IOWIN, EOIs and accesses that were not 32-bit. */
unsigned long sim_ioapic_writes(u64 base);
unsigned int sim_ioapic_eois(u64 base, u32 *last_vector);
unsigned long sim_ioapic_bad_accesses(u64 base);

#endif
