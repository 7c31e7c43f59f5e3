// SPDX-License-Identifier: GPL-2.0
/*
 * Fake IOAPICs after the 82093AA datasheet: IOREGSEL at 0x00 selects a
 * register, IOWIN at 0x10 reads or writes it, EOI at 0x40 (later versions)
 * ends level-triggered interrupts. Registers: 0x00 id, 0x01 version, 0x02
 * arbitration id, 0x10 + 2n / 0x11 + 2n the low and high words of
 * redirection entry n. Each sits on the simulator's MMIO bus at the address
 * of one of the system config's IRQ chips.
 */
#include <stdio.h>
#include <string.h>
#include <asm/hw.h>
#include <sim/apic_hw.h>
#include <sim/phys.h>

#define WINDOW_SIZE 0x1000
#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOEOI 0x40

#define REG_ID 0x00
#define REG_VERSION 0x01
#define REG_ARB 0x02
#define REG_REDIR 0x10
/* Version 0x20 (with EOI register), 24 entries (maximum index 23). */
#define VERSION_VALUE (0x20 | (SIM_IOAPIC_PINS - 1) << 16)
/* Delivery status and remote IRR belong to the chip. */
#define ENTRY_READ_ONLY ((1ULL << 12) | (1ULL << 14))
#define ENTRY_MASKED (1ULL << 16)

struct fake_ioapic {
	u64 base;
	u32 regsel;
	u32 id;
	u64 entry[SIM_IOAPIC_PINS];
	unsigned long writes;
	unsigned long bad_accesses;
	unsigned int eois;
	u32 last_eoi;
};

#define MAX_CHIPS 8

static struct fake_ioapic chips[MAX_CHIPS];
static unsigned int num_chips;

static struct fake_ioapic *chip_at(u64 base)
{
	unsigned int n;

	for (n = 0; n < num_chips; n++)
		if (chips[n].base == base)
			return &chips[n];
	fprintf(stderr, "sim: no IOAPIC at 0x%llx\n", (unsigned long long)base);
	return &chips[0];
}

static u32 reg_read(struct fake_ioapic *c, u32 reg)
{
	unsigned int pin = (reg - REG_REDIR) / 2;

	switch (reg) {
	case REG_ID:
	case REG_ARB:
		return c->id << 24;
	case REG_VERSION:
		return VERSION_VALUE;
	}
	if (reg < REG_REDIR || pin >= SIM_IOAPIC_PINS)
		return 0; /* unimplemented: the datasheet leaves it open */
	return (u32)(c->entry[pin] >> (reg & 1 ? 32 : 0));
}

static void reg_write(struct fake_ioapic *c, u32 reg, u32 value)
{
	unsigned int pin = (reg - REG_REDIR) / 2;
	u64 e;

	c->writes++;
	if (reg == REG_ID) {
		c->id = (value >> 24) & 0xf;
		return;
	}
	if (reg < REG_REDIR || pin >= SIM_IOAPIC_PINS)
		return;
	e = c->entry[pin];
	if (reg & 1)
		e = (e & 0xffffffffULL) | (u64)value << 32;
	else
		e = (e & ~0xffffffffULL) | (value & ~ENTRY_READ_ONLY) |
		    (e & ENTRY_READ_ONLY);
	c->entry[pin] = e;
}

static u64 bus_read(void *opaque, u64 offset, unsigned int size)
{
	struct fake_ioapic *c = opaque;

	if (size != 4) {
		c->bad_accesses++;
		return ~0ULL;
	}
	switch (offset) {
	case IOREGSEL:
		return c->regsel;
	case IOWIN:
		return reg_read(c, c->regsel);
	}
	return 0;
}

static void bus_write(void *opaque, u64 offset, unsigned int size, u64 value)
{
	struct fake_ioapic *c = opaque;

	if (size != 4) {
		c->bad_accesses++;
		return;
	}
	switch (offset) {
	case IOREGSEL:
		c->regsel = value & 0xff;
		break;
	case IOWIN:
		reg_write(c, c->regsel, (u32)value);
		break;
	case IOEOI:
		c->eois++;
		c->last_eoi = value & 0xff;
		break;
	}
}

void sim_ioapic_attach(const struct jailhouse_system *system)
{
	const struct jailhouse_cell_desc *root = &system->root_cell;
	const struct jailhouse_irqchip *chip = jailhouse_cell_irqchips(root);
	struct fake_ioapic *c;
	unsigned int n, pin;

	memset(chips, 0, sizeof(chips));
	num_chips = 0;
	for (n = 0; n < root->num_irqchips && n < ARRAY_SIZE(chips); n++) {
		c = &chips[num_chips];
		c->base = chip[n].address;
		c->id = n;
		for (pin = 0; pin < SIM_IOAPIC_PINS; pin++)
			c->entry[pin] = ENTRY_MASKED;
		if (sim_mmio_bus_add(c->base, WINDOW_SIZE, bus_read, bus_write,
				     c) == 0)
			num_chips++;
		else
			fprintf(stderr, "sim: no room for IOAPIC %u\n", n);
	}
}

u32 hw_ioapic_read(volatile void *regs, u32 reg)
{
	hw_mmio_write32(regs, reg);
	return hw_mmio_read32((volatile u8 *)regs + IOWIN);
}

void hw_ioapic_write(volatile void *regs, u32 reg, u32 value)
{
	hw_mmio_write32(regs, reg);
	hw_mmio_write32((volatile u8 *)regs + IOWIN, value);
}

void hw_ioapic_eoi(volatile void *regs, u32 vector)
{
	hw_mmio_write32((volatile u8 *)regs + IOEOI, vector);
}

u64 sim_ioapic_entry(u64 base, unsigned int pin)
{
	return pin < SIM_IOAPIC_PINS ? chip_at(base)->entry[pin] : 0;
}

void sim_ioapic_set_entry(u64 base, unsigned int pin, u64 value)
{
	if (pin < SIM_IOAPIC_PINS)
		chip_at(base)->entry[pin] = value;
}

unsigned long sim_ioapic_writes(u64 base)
{
	return chip_at(base)->writes;
}

unsigned int sim_ioapic_eois(u64 base, u32 *last_vector)
{
	struct fake_ioapic *c = chip_at(base);

	if (last_vector)
		*last_vector = c->last_eoi;
	return c->eois;
}

unsigned long sim_ioapic_bad_accesses(u64 base)
{
	return chip_at(base)->bad_accesses;
}
