/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC emulation: the IPIs a cell sends, in xAPIC mode (the trapped
 * APIC page) and x2APIC mode (the ICR MSR), filtered so that a cell reaches
 * only its own CPUs, with INIT and SIPI emulated for them.
 *
 * Cells see the physical APIC ids: a destination a guest names is mapped to
 * the CPU that has that id.
 */
#ifndef _ASM_APIC_H
#define _ASM_APIC_H

#include <core/percpu.h>

struct cell;

/* Delivery modes of the hypervisor's own IPIs, as ICR bits 10:8. */
#define APIC_IPI_FIXED (0U << 8)
#define APIC_IPI_NMI (4U << 8)
/*
 * Polls of a busy xAPIC ICR before an IPI is given up: far beyond the
 * few bus cycles a send takes, short enough (a few milliseconds) that a
 * dead APIC does not stall the requests that kick through it.
 */
#define APIC_ICR_IDLE_POLLS 100000
/* apic_id_of for a CPU that has not told its id. */
#define APIC_ID_NONE 0xffffffffU

/*
 * Runs on the CPU itself: checks that its APIC is enabled in the mode the
 * system config names and reads its id into the CPU-to-APIC-id table (and,
 * in xAPIC mode, its logical destination). -ENODEV with a log line
 * otherwise.
 */
int apic_cpu_init(struct per_cpu *cpu);
/*
 * The one CPU-to-APIC-id table, both ways: the physical APIC id of a CPU
 * that ran apic_cpu_init (APIC_ID_NONE for others), and the CPU with this
 * physical APIC id (-1 if none has told it).
 */
u32 apic_id_of(unsigned int cpu_id);
int cpu_of_apic_id(u32 apic_id);
/*
 * The one way the hypervisor sends an IPI: physical destination, edge,
 * mode (APIC_IPI_FIXED, APIC_IPI_NMI) and vector in icr_low, to the APIC of
 * target. 0 once the APIC took it; -ENODEV if target has not told its APIC
 * id; -ETIMEDOUT, logged once per sending CPU, if the xAPIC's ICR was still
 * busy with an earlier IPI after APIC_ICR_IDLE_POLLS polls (nothing sent).
 */
int apic_send_ipi(unsigned int target, u32 icr_low);
/*
 * Whether a logical destination names the CPU: x2APIC cluster format (32
 * bits), or in xAPIC mode 8 bits in the flat or cluster model the CPU's DFR
 * selects.
 */
bool apic_logical_match(const struct per_cpu *cpu, u32 dest);
bool apic_x2apic_mode(void);
/* The xAPIC's register page as the hypervisor maps it; NULL in x2APIC. */
volatile void *apic_xapic_page(void);

/*
 * On the CPU itself, when it is reset for a cell (start, INIT, a CPU
 * changing cells): its local APIC as after INIT -- LVTs masked, timer
 * stopped, nothing pending or in service, software-disabled.
 */
void apic_reset_hw(struct per_cpu *cpu);
/* Measures the APIC timer's rate once (see arch_apic_timer_khz). */
void apic_timer_measure(void);

/* xAPIC mode: traps the cell's APIC page; nothing to do for x2APIC. */
int apic_cell_init(struct cell *cell);
void apic_cell_exit(struct cell *cell);

/*
 * For the MSR exits. True if the MSR was an x2APIC register this code
 * emulated; false leaves it to the caller's policy. Only writes of the ICR
 * (X2APIC_MSR(APIC_ICR)) need to be intercepted; reads of the readable
 * registers are answered too, in case the MSR bitmap traps them.
 */
bool x2apic_handle_msr_write(struct per_cpu *cpu, u32 msr, u64 value);
bool x2apic_handle_msr_read(struct per_cpu *cpu, u32 msr, u64 *value);

/*
 * INIT and SIPI from a CPU of cell to target, a CPU of the same cell: set
 * apic.init_request or apic.sipi_request for the target and kick it. Neither
 * waits for the target: a real IPI does not either.
 */
void apic_deliver_init(const struct cell *cell, unsigned int target);
void apic_deliver_sipi(const struct cell *cell, unsigned int target,
		       u8 vector);
/*
 * On the CPU itself, from x86_handle_requests after park and reset: INIT
 * parks the guest in wait-for-SIPI; a SIPI to a CPU waiting for one starts
 * its guest in real mode at CS = vector << 8, IP = 0, as the hardware
 * would. Requests of a cell the CPU no longer belongs to are dropped.
 */
void apic_handle_requests(struct per_cpu *cpu);

#endif
