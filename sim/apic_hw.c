// SPDX-License-Identifier: GPL-2.0
/*
 * Fake local APICs: a register file per CPU, in the mode the system config
 * names, and an interrupt bus that routes each ICR write the way the SDM
 * describes (physical, logical flat/cluster, shorthands) and counts what
 * arrives where; an NMI makes its target take a kick (sim_kick_handler).
 * The APIC id of a CPU is its number unless a test gives it another. The
 * xAPIC's ICR shows its delivery status: idle unless a test holds it busy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/apicdef.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <sim/apic_hw.h>
#include <sim/hw_state.h>

#define REGS 64 /* offsets 0x000-0x3f0, one register per 16 bytes */
#define MAX_LOGGED 1024

struct fake_lapic {
	u32 reg[REGS];
	unsigned int received;
	struct sim_ipi last;
	unsigned int taken; /* interrupts the CPU accepted */
	u64 timer_armed_ns; /* when the initial count was written */
	unsigned int icr_busy_reads; /* ICR reads still showing busy */
	unsigned long icr_polls; /* ICR reads that saw busy */
};

static struct fake_lapic lapics[SIM_MAX_CPUS];
static u64 present; /* CPUs of the machine, from root's CPU set */
static bool x2apic;
static struct sim_ipi sent[MAX_LOGGED];
static unsigned int num_sent;

static u32 x2apic_ldr(unsigned int cpu)
{
	return (cpu >> 4) << 16 | 1U << (cpu & 0xf);
}

void sim_apic_hw_attach(const struct jailhouse_system *system)
{
	const struct jailhouse_cell_desc *root = &system->root_cell;
	const u64 *set = jailhouse_cell_cpu_set(root);
	unsigned int cpu;
	u64 base;

	memset(lapics, 0, sizeof(lapics));
	num_sent = 0;
	x2apic = system->platform_info.apic_mode ==
		 JAILHOUSE_APIC_MODE_X2APIC;
	present = root->cpu_set_size >= 8 ? set[0] : 0;
	for (cpu = 0; cpu < SIM_MAX_CPUS; cpu++) {
		struct fake_lapic *l = &lapics[cpu];

		base = XAPIC_BASE | APIC_BASE_EN;
		if (x2apic)
			base |= APIC_BASE_EXTD;
		if (cpu == 0)
			base |= APIC_BASE_BSP;
		sim_msr_set(cpu, MSR_IA32_APIC_BASE, base);
		l->reg[APIC_ID / 16] = x2apic ? cpu : cpu << 24;
		l->reg[APIC_VERSION / 16] = 0x50014;
		l->reg[APIC_SVR / 16] = 0x1ff;
		/* What Linux programs: flat logical ids for the first 8. */
		l->reg[APIC_LDR / 16] = x2apic ? x2apic_ldr(cpu) :
				       (cpu < 8 ? 1U << (24 + cpu) : 0);
		l->reg[APIC_DFR / 16] = x2apic ? 0 : 0xffffffff;
	}
}

static bool logical_match(unsigned int cpu, u32 dest)
{
	u32 ldr = lapics[cpu].reg[APIC_LDR / 16];

	if (x2apic)
		return (ldr >> 16) == (dest >> 16) && (ldr & dest & 0xffff);
	ldr >>= 24;
	if ((lapics[cpu].reg[APIC_DFR / 16] >> 28) == 0xf)
		return ldr & dest;
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
}

static u32 apic_id(unsigned int cpu)
{
	u32 id = lapics[cpu].reg[APIC_ID / 16];

	return x2apic ? id : id >> 24;
}

static bool routed_to(unsigned int cpu, unsigned int from, u32 dest, u32 icr)
{
	u32 broadcast = x2apic ? 0xffffffff : 0xff;

	switch ((icr >> 18) & 3) {
	case 1:
		return cpu == from;
	case 2:
		return true;
	case 3:
		return cpu != from;
	}
	if (dest == broadcast)
		return true;
	if (icr & ICR_LOGICAL)
		return logical_match(cpu, dest);
	return dest == apic_id(cpu);
}

/* The target leaves its guest for the hypervisor's NMI handling. */
static void take_nmi(unsigned int cpu)
{
	unsigned int caller = sim_current_cpu;

	if (!sim_kick_handler)
		return;
	sim_current_cpu = cpu;
	sim_kick_handler(cpu);
	sim_current_cpu = caller;
}

/* A write of the ICR's low word sends, to whom its destination names. */
static void send_ipi(u32 dest, u32 low)
{
	struct sim_ipi ipi = { sim_current_cpu, dest, low };
	unsigned int cpu;
	u64 cpus;

	if (num_sent < MAX_LOGGED)
		sent[num_sent++] = ipi;
	for (cpus = present; cpus; cpus &= cpus - 1) {
		cpu = __builtin_ctzll(cpus);
		if (!routed_to(cpu, ipi.from, dest, low))
			continue;
		lapics[cpu].received++;
		lapics[cpu].last = ipi;
		if ((low & 0x700) == ICR_NMI)
			take_nmi(cpu);
	}
}

/*
 * x2APIC: one 64-bit MSR, destination in the upper half. xAPIC: the low
 * word sends to the destination the high word holds; writing it while the
 * last IPI is pending loses the new one (SDM 10.6.1), which the model
 * makes loud.
 */
static void write_icr(struct fake_lapic *l, u64 value)
{
	u32 low = (u32)value;

	if (x2apic) {
		l->reg[APIC_ICR_HIGH / 16] = (u32)(value >> 32);
		l->reg[APIC_ICR / 16] = low;
		send_ipi((u32)(value >> 32), low);
		return;
	}
	if (l->icr_busy_reads) {
		fprintf(stderr, "sim: CPU %u wrote the ICR while delivery "
				"status was busy\n",
			sim_current_cpu);
		abort();
	}
	l->reg[APIC_ICR / 16] = low & ~ICR_BUSY;
	send_ipi(l->reg[APIC_ICR_HIGH / 16] >> 24, low);
}

/* xAPIC delivery status: busy while a test holds it so. */
static u32 read_icr(struct fake_lapic *l)
{
	u32 low = l->reg[APIC_ICR / 16];

	if (x2apic || !l->icr_busy_reads)
		return low;
	if (l->icr_busy_reads != SIM_ICR_STUCK)
		l->icr_busy_reads--;
	l->icr_polls++;
	return low | ICR_BUSY;
}

static bool vector_bit(const struct fake_lapic *l, u32 base, int vector)
{
	return l->reg[base / 16 + vector / 32] & (1U << (vector % 32));
}

static void set_vector_bit(struct fake_lapic *l, u32 base, int vector,
			   bool on)
{
	u32 bit = 1U << (vector % 32);

	if (on)
		l->reg[base / 16 + vector / 32] |= bit;
	else
		l->reg[base / 16 + vector / 32] &= ~bit;
}

static int highest(const struct fake_lapic *l, u32 base)
{
	int vector;

	for (vector = 255; vector >= 0; vector--)
		if (vector_bit(l, base, vector))
			return vector;
	return -1;
}

/* EOI ends the highest vector in service (SDM 11.8.5). */
static void eoi(struct fake_lapic *l)
{
	int vector = highest(l, APIC_ISR);

	if (vector >= 0)
		set_vector_bit(l, APIC_ISR, vector, false);
}

/*
 * The CPU opened its interrupt window: the APIC hands over the highest
 * pending vector if its priority class beats both the task priority and
 * what is in service (SDM 11.8.3). A software-disabled APIC holds it, and
 * vectors 0-15 are illegal, never delivered.
 */
static void accept_interrupt(unsigned int cpu)
{
	struct fake_lapic *l = &lapics[cpu];
	int vector = highest(l, APIC_IRR), in_service = highest(l, APIC_ISR);
	int tpr_class = (l->reg[APIC_TPR / 16] >> 4) & 0xf;

	if (vector < 16 || !(l->reg[APIC_SVR / 16] & SVR_ENABLED))
		return;
	if (vector >> 4 <= tpr_class ||
	    (in_service >= 0 && vector >> 4 <= in_service >> 4))
		return;
	set_vector_bit(l, APIC_IRR, vector, false);
	set_vector_bit(l, APIC_ISR, vector, true);
	l->taken++;
}

void hw_take_interrupt(void)
{
	accept_interrupt(sim_current_cpu);
}

void hw_svm_take_interrupt(void)
{
	accept_interrupt(sim_current_cpu);
}

void sim_apic_raise(unsigned int cpu, u8 vector)
{
	set_vector_bit(&lapics[cpu], APIC_IRR, vector, true);
}

void sim_apic_set_in_service(unsigned int cpu, u8 vector)
{
	set_vector_bit(&lapics[cpu], APIC_ISR, vector, true);
}

unsigned int sim_apic_interrupts_taken(unsigned int cpu)
{
	return lapics[cpu].taken;
}

/* Divide configuration (SDM 11.5.4): bits 3, 1, 0; 111b divides by 1. */
static u64 timer_divisor(const struct fake_lapic *l)
{
	u32 dcr = l->reg[APIC_TIMER_DIVIDE / 16];
	u32 code = (dcr >> 1 & 4) | (dcr & 3);

	return code == 7 ? 1 : 2ULL << code;
}

/* The current count: down from the initial count at the bus clock. */
static u32 timer_current(const struct fake_lapic *l)
{
	u64 init = l->reg[APIC_TIMER_INIT / 16];
	u64 ticks = (sim_clock_ns() - l->timer_armed_ns) *
		    SIM_APIC_TIMER_KHZ / 1000000ULL / timer_divisor(l);

	return ticks >= init ? 0 : (u32)(init - ticks);
}

static unsigned int reg_index(u32 offset)
{
	if (offset >= REGS * 16 || offset % 16) {
		fprintf(stderr,
			"sim: local APIC register 0x%x does not exist\n",
			offset);
		abort();
	}
	return offset / 16;
}

u32 hw_apic_read(volatile void *xapic, u32 offset)
{
	(void)xapic;
	if (offset == APIC_TIMER_CURRENT)
		return timer_current(&lapics[sim_current_cpu]);
	if (offset == APIC_ICR)
		return read_icr(&lapics[sim_current_cpu]);
	return lapics[sim_current_cpu].reg[reg_index(offset)];
}

/*
 * Whether the APIC has this LVT entry: LVR[23:16] is the number of entries
 * less one. Four are always there (timer, LINT0, LINT1, error); the
 * performance counter entry makes five, thermal six, CMCI seven.
 */
static bool lvt_present(const struct fake_lapic *l, u32 offset)
{
	unsigned int max_entry = (l->reg[APIC_VERSION / 16] >> 16) & 0xff;

	switch (offset) {
	case APIC_LVT_PERF:
		return max_entry >= 4;
	case APIC_LVT_THERMAL:
		return max_entry >= 5;
	case APIC_LVT_CMCI:
		return max_entry >= 6;
	default:
		return true;
	}
}

void hw_apic_write(volatile void *xapic, u32 offset, u64 value)
{
	struct fake_lapic *l = &lapics[sim_current_cpu];

	(void)xapic;
	if (offset == APIC_ICR) {
		write_icr(l, value);
		return;
	}
	if (offset == APIC_EOI) {
		eoi(l);
		return;
	}
	if (offset == APIC_TIMER_INIT)
		l->timer_armed_ns = sim_clock_ns();
	if (!lvt_present(l, offset)) {
		/* No MSR at all in x2APIC mode; nowhere to go in xAPIC mode. */
		if (!x2apic)
			return;
		fprintf(stderr, "sim: #GP: CPU %u wrote LVT 0x%x, which its "
				"x2APIC does not have (LVR 0x%x)\n",
			sim_current_cpu, offset, l->reg[APIC_VERSION / 16]);
		abort();
	}
	l->reg[reg_index(offset)] = value;
}

unsigned int sim_apic_ipis_sent(void)
{
	return num_sent;
}

const struct sim_ipi *sim_apic_ipi(unsigned int n)
{
	return n < num_sent ? &sent[n] : NULL;
}

unsigned int sim_apic_ipis_received(unsigned int cpu)
{
	return cpu < SIM_MAX_CPUS ? lapics[cpu].received : 0;
}

bool sim_apic_last_ipi(unsigned int cpu, struct sim_ipi *ipi)
{
	if (cpu >= SIM_MAX_CPUS || !lapics[cpu].received)
		return false;
	*ipi = lapics[cpu].last;
	return true;
}

void sim_apic_ipis_clear(void)
{
	unsigned int cpu;

	num_sent = 0;
	for (cpu = 0; cpu < SIM_MAX_CPUS; cpu++)
		lapics[cpu].received = 0;
}

u32 sim_apic_reg(unsigned int cpu, u32 offset)
{
	return lapics[cpu].reg[reg_index(offset)];
}

void sim_apic_reg_set(unsigned int cpu, u32 offset, u32 value)
{
	lapics[cpu].reg[reg_index(offset)] = value;
}

void sim_apic_set_id(unsigned int cpu, u32 apic_id)
{
	if (!x2apic && apic_id > 0xff) {
		fprintf(stderr, "sim: xAPIC ids have 8 bits, not 0x%x\n",
			apic_id);
		abort();
	}
	lapics[cpu].reg[APIC_ID / 16] = x2apic ? apic_id : apic_id << 24;
}

void sim_apic_icr_busy(unsigned int cpu, unsigned int reads)
{
	lapics[cpu].icr_busy_reads = reads;
	lapics[cpu].icr_polls = 0;
}

unsigned long sim_apic_icr_busy_polls(unsigned int cpu)
{
	return lapics[cpu].icr_polls;
}
