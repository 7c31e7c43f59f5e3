// SPDX-License-Identifier: GPL-2.0
/*
 * IOAPICs shared by cells pin by pin.
 *
 * The chip's register page is never mapped into a cell: IOREGSEL is one
 * register for everybody, so each cell gets its own emulated select
 * register and every window access becomes a select-and-access pair on the
 * hardware, under one lock.
 *
 * For each pin the hypervisor keeps what its owner wrote (the owner's view,
 * returned on reads) apart from what the hardware holds. An unmasked entry
 * reaches the hardware only if it can deliver to the owner's CPUs alone:
 *  - physical destination: the APIC id must be a CPU of the cell;
 *  - logical destination (xAPIC): rewritten to the physical id of the
 *    lowest-numbered CPU of the cell it names, because logical ids are set
 *    by the guests and may match CPUs of other cells;
 *  - remappable format (bit 48): never, except root's own where root
 *    keeps the interrupt remapping Linux set up (VT-d, vtd_root_ir.c) and
 *    the index lies in root's range; otherwise the table is the
 *    hypervisor's, and an index a guest chose could name any cell's entry;
 *  - SMI, INIT, reserved delivery modes, ExtINT outside root, logical
 *    destinations in x2APIC mode: never.
 * Anything else stays masked in the hardware, with a log line. Pins that
 * change owners are masked, so no cell inherits another's programming.
 *
 * With the IOMMU remapping interrupts, compatibility-format requests are
 * blocked: every entry that passed the checks above reaches the hardware
 * in the unit type's remappable form instead (iommu_ioapic_entry: VT-d's
 * remappable format, AMD-Vi's index in the vector field), through an
 * interrupt remapping entry of
 * the pin's owner (one per pin, verified against the chip's source id).
 * Root's entries, written by Linux before the hypervisor came, are
 * converted before remapping starts (ioapic_remap_root_pins) and handed
 * back as Linux wrote them at disable (ioapic_shutdown).
 */
#include <core/cell.h>
#include <core/cell_checks.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/printk.h>
#include <asm/apic.h>
#include <asm/hw.h>
#include <asm/ioapic.h>
#include <asm/iommu.h>

#define IOAPIC_WINDOW_SIZE 0x1000
#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOEOI 0x40

#define REG_ID 0x00
#define REG_VERSION 0x01
#define REG_ARB 0x02
#define REG_REDIR 0x10
/* Entries the 8-bit select register can reach. */
#define MAX_PINS ((0x100 - REG_REDIR) / 2)

#define ENTRY_VECTOR 0xffULL
#define ENTRY_LOGICAL (1ULL << 11)
#define ENTRY_POLARITY_LOW (1ULL << 13)
#define ENTRY_LEVEL (1ULL << 15)
/* Delivery status and remote IRR: the chip's, not the guest's. */
#define ENTRY_READ_ONLY ((1ULL << 12) | (1ULL << 14))
#define ENTRY_MASKED (1ULL << 16)
#define ENTRY_REMAPPABLE (1ULL << 48)
#define ENTRY_DEST_SHIFT 56

enum { DLVR_FIXED, DLVR_LOWEST, DLVR_SMI, DLVR_NMI = 4, DLVR_EXTINT = 7 };

struct ioapic_chip {
	u64 base;
	volatile void *regs;
	unsigned int pins;
	u16 source_id; /* its requester id, for interrupt remapping */
	/* Per pin: the remapping entry, and the cell it belongs to. */
	int irte[MAX_PINS];
	const struct cell *irte_cell[MAX_PINS];
	/* Per pin: owner when last looked at, its view, the hardware's. */
	const struct cell *owner[MAX_PINS];
	u64 view[MAX_PINS];
	u64 programmed[MAX_PINS];
};

/* One cell's window onto one chip. */
struct ioapic_window {
	struct cell *cell; /* NULL: slot free */
	unsigned int chip;
	u32 regsel;
};

static struct ioapic_chip chips[MAX_IRQCHIPS];
static unsigned int num_chips;

/* Every pin of every chip: c the chip, n its index, pin the pin. */
#define for_each_pin(c, n, pin)                                                \
	for (n = 0; n < num_chips; n++)                                        \
		for (c = &chips[n], pin = 0; pin < c->pins; pin++)
/* Every cell has a CPU, root aside: at most MAX_CPUS + 1 cells. */
static struct ioapic_window windows[(MAX_CPUS + 1) * MAX_IRQCHIPS];
static bool chip_lock;

static void lock(void)
{
	while (__atomic_test_and_set(&chip_lock, __ATOMIC_ACQUIRE))
		hw_pause();
}

static void unlock(void)
{
	__atomic_clear(&chip_lock, __ATOMIC_RELEASE);
}

static bool owns(const struct cell *cell, unsigned int chip, unsigned int pin)
{
	return (cell->irq_pins[chip][pin / 64] >> (pin % 64)) & 1;
}

static u64 hw_read_entry(const struct ioapic_chip *c, unsigned int pin)
{
	u32 reg = REG_REDIR + 2 * pin;

	return hw_ioapic_read(c->regs, reg) |
	       (u64)hw_ioapic_read(c->regs, reg + 1) << 32;
}

static void program(struct ioapic_chip *c, unsigned int pin, u64 entry)
{
	u32 reg = REG_REDIR + 2 * pin;
	u64 old = c->programmed[pin];

	entry &= ~ENTRY_READ_ONLY;
	if (entry == old)
		return;
	if (entry >> 32 != old >> 32) {
		/* Masked while the halves change: no half-new entry fires. */
		if (!(old & ENTRY_MASKED))
			hw_ioapic_write(c->regs, reg, (u32)old | ENTRY_MASKED);
		hw_ioapic_write(c->regs, reg + 1, (u32)(entry >> 32));
	}
	hw_ioapic_write(c->regs, reg, (u32)entry);
	c->programmed[pin] = entry;
}

/* Lowest-numbered CPU of the cell that a logical destination names. */
static struct per_cpu *logical_target(const struct cell *cell, u32 dest)
{
	unsigned int cpu;

	for_each_cpu(cpu, &cell->cpus)
		if (dest == 0xff || apic_logical_match(per_cpu(cpu), dest))
			return per_cpu(cpu);
	return NULL;
}

static u64 refused(u64 entry, const char **why, const char *reason)
{
	*why = reason;
	return entry | ENTRY_MASKED;
}

/* What the hardware may hold for an entry the cell wants; why if masked. */
static u64 hw_entry(const struct cell *cell, u64 entry, const char **why)
{
	u32 dest = entry >> ENTRY_DEST_SHIFT;
	struct per_cpu *cpu;
	int target;

	*why = NULL;
	if (entry & ENTRY_MASKED)
		return entry;
	/* Root's own remapping (VT-d, Linux's table): its range only. */
	if ((entry & ENTRY_REMAPPABLE) && cell == &root_cell &&
	    iommu_root_ioapic_entry_ok(entry))
		return entry;
	if (entry & ENTRY_REMAPPABLE)
		return refused(entry, why,
			       "remappable format: remapping entries are the "
			       "hypervisor's");
	switch ((entry >> 8) & 7) {
	case DLVR_FIXED:
	case DLVR_LOWEST:
	case DLVR_NMI:
		break;
	case DLVR_EXTINT:
		/* The 8259 that answers ExtINT belongs to root. */
		if (cell == &root_cell)
			break;
		/* fall through */
	default:
		return refused(entry, why, "delivery mode not permitted");
	}
	if (!(entry & ENTRY_LOGICAL)) {
		target = cpu_of_apic_id(dest);
		if (target < 0 || per_cpu(target)->cell != cell)
			return refused(entry, why,
				       "destination is not a CPU of the cell");
		return entry;
	}
	if (apic_x2apic_mode())
		return refused(entry, why,
			       "logical destination needs interrupt remapping "
			       "in x2APIC mode");
	cpu = logical_target(cell, dest);
	if (!cpu)
		return refused(entry, why,
			       "destination names no CPU of the cell");
	return (entry & ~ENTRY_LOGICAL & ~(0xffULL << ENTRY_DEST_SHIFT)) |
	       (u64)apic_id_of(cpu->cpu_id) << ENTRY_DEST_SHIFT;
}

/* The pin's remapping entry gone with the cell it was allocated to. */
static void release_irte(struct ioapic_chip *c, unsigned int pin)
{
	if (c->irte_cell[pin])
		iommu_free_irtes((struct cell *)c->irte_cell[pin],
			       (unsigned int)c->irte[pin], 1);
	c->irte_cell[pin] = NULL;
	c->irte[pin] = -1;
}

static int pin_irte(struct ioapic_chip *c, unsigned int pin,
		    const struct cell *cell)
{
	int index;

	if (c->irte_cell[pin] == cell)
		return c->irte[pin];
	release_irte(c, pin);
	index = iommu_alloc_irtes((struct cell *)cell, 1);
	if (index >= 0) {
		c->irte[pin] = index;
		c->irte_cell[pin] = cell;
	}
	return index;
}

/*
 * The remappable-format entry for a checked compatibility-format one: the
 * remapping entry takes destination, vector, delivery and trigger mode;
 * the pin keeps its polarity, trigger mode, mask and (where the unit type
 * leaves it there, VT-d) its vector.
 */
static u64 remapped(struct ioapic_chip *c, unsigned int pin,
		    const struct cell *cell, u64 entry, const char **why)
{
	struct iommu_irq irq = {
		.dest_apic_id = (u32)(entry >> ENTRY_DEST_SHIFT),
		.vector = (u8)(entry & ENTRY_VECTOR),
		.delivery_mode = (u8)((entry >> 8) & 7),
		.level = !!(entry & ENTRY_LEVEL),
	};
	int index = pin_irte(c, pin, cell);

	if (index < 0)
		return refused(entry, why, "no interrupt remapping entry left");
	if (iommu_map_interrupt((struct cell *)cell, c->source_id,
			      (unsigned int)index, &irq))
		return refused(entry, why, "interrupt remapping refused it");
	return iommu_ioapic_entry((unsigned int)index,
				  entry & (ENTRY_VECTOR | ENTRY_POLARITY_LOW |
					   ENTRY_LEVEL | ENTRY_MASKED));
}

static void apply(struct ioapic_chip *c, unsigned int pin,
		  const struct cell *cell, bool log)
{
	const char *why;
	u64 entry = hw_entry(cell, c->view[pin], &why);

	if (!why && !(entry & (ENTRY_MASKED | ENTRY_REMAPPABLE)) &&
	    iommu_irq_remapping())
		entry = remapped(c, pin, cell, entry, &why);
	else if (!why && (entry & ENTRY_REMAPPABLE))
		release_irte(c, pin); /* root's own entry serves it now */
	if (why && log)
		printk("IOAPIC 0x%llx pin %u: entry 0x%016llx of cell \"%s\" "
		       "kept masked: %s\n",
		       (unsigned long long)c->base, pin,
		       (unsigned long long)c->view[pin], cell_name(cell), why);
	program(c, pin, entry);
}

static u32 read_redir(struct ioapic_window *w, u32 reg)
{
	struct ioapic_chip *c = &chips[w->chip];
	unsigned int pin = (reg - REG_REDIR) / 2;

	if (pin >= c->pins)
		return 0;
	/* Foreign pins read as masked, telling nothing of their owner. */
	if (!owns(w->cell, w->chip, pin))
		return reg & 1 ? 0 : (u32)ENTRY_MASKED;
	if (reg & 1)
		return (u32)(c->view[pin] >> 32);
	return (u32)c->view[pin] |
	       (hw_ioapic_read(c->regs, reg) & (u32)ENTRY_READ_ONLY);
}

static void write_redir(struct ioapic_window *w, u32 reg, u32 value)
{
	struct ioapic_chip *c = &chips[w->chip];
	unsigned int pin = (reg - REG_REDIR) / 2;
	u64 view;

	if (pin >= c->pins)
		return;
	if (!owns(w->cell, w->chip, pin)) {
		printk("IOAPIC 0x%llx: cell \"%s\" does not own pin %u: "
		       "write of 0x%08x to register 0x%02x refused\n",
		       (unsigned long long)c->base, cell_name(w->cell), pin,
		       value, reg);
		return;
	}
	view = c->view[pin];
	if (reg & 1)
		view = (view & 0xffffffffULL) | (u64)value << 32;
	else
		view = (view & ~0xffffffffULL) | (value & ~ENTRY_READ_ONLY);
	c->view[pin] = view;
	apply(c, pin, w->cell, true);
}

static u32 window_read(struct ioapic_window *w, u32 reg)
{
	switch (reg) {
	case REG_ID:
	case REG_VERSION:
	case REG_ARB:
		return hw_ioapic_read(chips[w->chip].regs, reg);
	}
	return reg >= REG_REDIR ? read_redir(w, reg) : 0;
}

static void window_write(struct ioapic_window *w, u32 reg, u32 value)
{
	if (reg == REG_ID)
		printk("IOAPIC 0x%llx: cell \"%s\" may not change its id\n",
		       (unsigned long long)chips[w->chip].base,
		       cell_name(w->cell));
	else if (reg >= REG_REDIR)
		write_redir(w, reg, value);
	/* Version, arbitration id and unimplemented registers: read-only. */
}

/*
 * EOIs for vectors of the cell's own pins only: it clears remote IRRs.
 * The chip matches the vector field it holds, which under AMD-Vi is the
 * remapping entry's index, not the cell's vector.
 */
static void window_eoi(struct ioapic_window *w, u32 vector)
{
	struct ioapic_chip *c = &chips[w->chip];
	unsigned int pin;

	for (pin = 0; pin < c->pins; pin++)
		if (owns(w->cell, w->chip, pin) &&
		    (c->view[pin] & ENTRY_VECTOR) == (vector & ENTRY_VECTOR)) {
			hw_ioapic_eoi(c->regs,
				      (u32)(c->programmed[pin] & ENTRY_VECTOR));
			return;
		}
}

static enum mmio_result ioapic_access(void *arg, struct mmio_access *access)
{
	struct ioapic_window *w = arg;
	u32 value = (u32)access->value;

	switch (access->address) {
	case IOREGSEL:
		/* 32-bit, or a byte: only bits 7:0 select. */
		if (access->size != 4 && access->size != 1)
			return MMIO_ERROR;
		if (access->is_write)
			w->regsel = value & 0xff;
		else
			access->value = w->regsel;
		return MMIO_HANDLED;
	case IOWIN:
	case IOEOI:
		if (access->size != 4)
			return MMIO_ERROR;
		break;
	default:
		return MMIO_ERROR;
	}
	lock();
	if (access->address == IOEOI) {
		if (access->is_write)
			window_eoi(w, value);
		else
			access->value = 0;
	} else if (access->is_write) {
		window_write(w, w->regsel, value);
	} else {
		access->value = window_read(w, w->regsel);
	}
	unlock();
	return MMIO_HANDLED;
}

/* Takes stock of the system's IOAPICs as Linux left them. */
static int chips_init(void)
{
	const struct jailhouse_cell_desc *root = root_cell.config;
	const struct jailhouse_irqchip *chip = jailhouse_cell_irqchips(root);
	struct ioapic_chip *c;
	unsigned int n, pin;
	u32 version;

	/* A new enable: nothing of an earlier one counts. */
	memset(windows, 0, sizeof(windows));
	memset(chips, 0, sizeof(chips));
	num_chips = 0;
	for (n = 0; n < root->num_irqchips && n < MAX_IRQCHIPS; n++) {
		c = &chips[n];
		c->base = chip[n].address;
		c->source_id = (u16)chip[n].id;
		c->regs = hw_map_device(c->base, IOAPIC_WINDOW_SIZE);
		if (!c->regs) {
			printk("IOAPIC at 0x%llx cannot be mapped\n",
			       (unsigned long long)c->base);
			return -ENOMEM;
		}
		version = hw_ioapic_read(c->regs, REG_VERSION);
		c->pins = MIN(((version >> 16) & 0xff) + 1, MAX_PINS);
		for (pin = 0; pin < c->pins; pin++) {
			c->programmed[pin] = hw_read_entry(c, pin) &
					     ~ENTRY_READ_ONLY;
			c->view[pin] = c->programmed[pin];
			c->owner[pin] = owns(&root_cell, n, pin) ? &root_cell :
								   NULL;
			c->irte[pin] = -1;
		}
	}
	num_chips = n;
	return 0;
}

static struct ioapic_window *window_alloc(void)
{
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(windows); n++)
		if (!windows[n].cell)
			return &windows[n];
	return NULL;
}

static bool has_window(const struct cell *cell, unsigned int chip)
{
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(windows); n++)
		if (windows[n].cell == cell && windows[n].chip == chip)
			return true;
	return false;
}

int ioapic_cell_init(struct cell *cell)
{
	const struct jailhouse_irqchip *chip =
		jailhouse_cell_irqchips(cell->config);
	struct ioapic_window *w;
	unsigned int n;
	int index, err;

	if (cell == &root_cell) {
		err = chips_init();
		if (err)
			return err;
	}
	for (n = 0; n < cell->config->num_irqchips; n++) {
		index = irqchip_index(chip[n].address);
		if (index < 0 || (unsigned int)index >= num_chips ||
		    has_window(cell, index))
			continue;
		w = window_alloc();
		err = w ? mmio_region_register(cell, chips[index].base,
					       IOAPIC_WINDOW_SIZE,
					       ioapic_access, w) :
			  -ENOMEM;
		if (err) {
			ioapic_cell_exit(cell);
			return err;
		}
		*w = (struct ioapic_window){ cell, (unsigned int)index, 0 };
	}
	return 0;
}

void ioapic_cell_exit(struct cell *cell)
{
	struct ioapic_chip *c;
	unsigned int n, pin;

	lock();
	for_each_pin(c, n, pin)
		if (c->irte_cell[pin] == cell)
			release_irte(c, pin);
	unlock();
	for (n = 0; n < ARRAY_SIZE(windows); n++) {
		if (windows[n].cell != cell)
			continue;
		mmio_region_unregister(cell, chips[windows[n].chip].base);
		windows[n].cell = NULL;
	}
}

static const struct cell *pin_owner(unsigned int chip, unsigned int pin,
				    const struct cell *changed)
{
	const struct cell *cell;

	if (changed && owns(changed, chip, pin))
		return changed;
	for_each_cell(cell)
		if (owns(cell, chip, pin))
			return cell;
	return NULL;
}

void ioapic_reassign_pins(const struct cell *changed)
{
	const struct cell *owner;
	struct ioapic_chip *c;
	unsigned int n, pin;

	lock();
	for_each_pin(c, n, pin) {
		owner = pin_owner(n, pin, changed);
		if (owner != c->owner[pin]) {
			c->owner[pin] = owner;
			c->view[pin] = ENTRY_MASKED;
			program(c, pin, ENTRY_MASKED);
			release_irte(c, pin);
		} else if (changed && owner) {
			/* CPUs moved: does it still reach its own? */
			apply(c, pin, owner, false);
		}
	}
	unlock();
}

void ioapic_remap_root_pins(void)
{
	struct ioapic_chip *c;
	unsigned int n, pin;

	if (!iommu_irq_remapping())
		return;
	lock();
	for_each_pin(c, n, pin)
		if (c->owner[pin] == &root_cell)
			apply(c, pin, &root_cell, true);
	unlock();
}

void ioapic_shutdown(void)
{
	struct ioapic_chip *c;
	unsigned int n, pin;

	lock();
	for_each_pin(c, n, pin) {
		/* Linux's own entry; masked where a cell had it. */
		program(c, pin, c->owner[pin] == &root_cell ? c->view[pin] :
							      ENTRY_MASKED);
		c->irte_cell[pin] = NULL;
		c->irte[pin] = -1;
	}
	/* A failed enable may shut down before the next takes stock. */
	num_chips = 0;
	unlock();
}
