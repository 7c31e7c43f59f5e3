// SPDX-License-Identifier: GPL-2.0
/*
 * Fake local APICs: a register file per CPU, in the mode the system config
 * names, and an interrupt bus that routes each ICR write the way the SDM
 * describes (physical, logical flat/cluster, shorthands) and counts what
 * arrives where. The APIC id of a CPU is its number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/hw.h>
#include <sim/apic_hw.h>
#include <sim/hw_state.h>

#define REGS 64 /* offsets 0x000-0x3f0, one register per 16 bytes */
#define MAX_LOGGED 1024

#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_BSP (1ULL << 8)
#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_EN (1ULL << 11)

#define REG_ID 0x20
#define REG_VERSION 0x30
#define REG_LDR 0xd0
#define REG_DFR 0xe0
#define REG_SVR 0xf0
#define REG_ICR 0x300
#define REG_ICR_HIGH 0x310

struct fake_lapic {
	u32 reg[REGS];
	unsigned int received;
	struct sim_ipi last;
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

		base = 0xfee00000ULL | APIC_BASE_EN;
		if (x2apic)
			base |= APIC_BASE_EXTD;
		if (cpu == 0)
			base |= APIC_BASE_BSP;
		sim_msr_set(cpu, MSR_IA32_APIC_BASE, base);
		l->reg[REG_ID / 16] = x2apic ? cpu : cpu << 24;
		l->reg[REG_VERSION / 16] = 0x50014;
		l->reg[REG_SVR / 16] = 0x1ff;
		/* What Linux programs: flat logical ids for the first 8. */
		l->reg[REG_LDR / 16] = x2apic ? x2apic_ldr(cpu) :
				       (cpu < 8 ? 1U << (24 + cpu) : 0);
		l->reg[REG_DFR / 16] = x2apic ? 0 : 0xffffffff;
	}
}

static bool logical_match(unsigned int cpu, u32 dest)
{
	u32 ldr = lapics[cpu].reg[REG_LDR / 16];

	if (x2apic)
		return (ldr >> 16) == (dest >> 16) && (ldr & dest & 0xffff);
	ldr >>= 24;
	if ((lapics[cpu].reg[REG_DFR / 16] >> 28) == 0xf)
		return ldr & dest;
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
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
	if (icr & (1U << 11))
		return logical_match(cpu, dest);
	return dest == cpu;
}

void hw_apic_write_icr(volatile void *xapic, u32 dest, u32 low)
{
	struct sim_ipi ipi = { sim_current_cpu, dest, low };
	unsigned int cpu;
	u64 cpus;

	(void)xapic;
	if (num_sent < MAX_LOGGED)
		sent[num_sent++] = ipi;
	lapics[sim_current_cpu].reg[REG_ICR / 16] = low;
	lapics[sim_current_cpu].reg[REG_ICR_HIGH / 16] = x2apic ? dest :
								   dest << 24;
	for (cpus = present; cpus; cpus &= cpus - 1) {
		cpu = __builtin_ctzll(cpus);
		if (!routed_to(cpu, ipi.from, dest, low))
			continue;
		lapics[cpu].received++;
		lapics[cpu].last = ipi;
	}
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
	return lapics[sim_current_cpu].reg[reg_index(offset)];
}

void hw_apic_write(volatile void *xapic, u32 offset, u32 value)
{
	struct fake_lapic *l = &lapics[sim_current_cpu];
	u32 dest = l->reg[REG_ICR_HIGH / 16];

	if (offset == REG_ICR) {
		hw_apic_write_icr(xapic, x2apic ? dest : dest >> 24, value);
		return;
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
