// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAPIC shared pin by pin: guests program it through real accesses to
 * its register window, and the fake IOAPIC shows what reached the chip.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sim/apic_hw.h>
#include <sim/dmar.h>
#include <sim/sim.h>
#include <asm/ioapic.h>
#include "apic_helpers.h"
#include "helpers.h"

#define IOREGSEL IOAPIC_BASE
#define IOWIN (IOAPIC_BASE + 0x10)
#define IOEOI (IOAPIC_BASE + 0x40)
#define REDIR_LO(pin) (0x10 + 2 * (pin))
#define REDIR_HI(pin) (0x11 + 2 * (pin))
#define MASKED (1ULL << 16)
#define LOGICAL (1ULL << 11)
#define REMAPPABLE (1ULL << 48)
#define DEST(id) ((u64)(id) << 56)
#define POLARITY_LOW (1ULL << 13)
#define LEVEL (1ULL << 15)
#define ROOT_PIN 4
#define IOAPIC_SOURCE_ID 0xff00

static void setup(void)
{
	apic_test_boot(false);
}

TestSuite(ioapic, .init = setup);

static void io_write(unsigned int cpu, u32 reg, u32 value)
{
	cr_assert_eq(sim_guest_write(cpu, IOREGSEL, 4, reg), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_guest_write(cpu, IOWIN, 4, value), SIM_ACCESS_MMIO);
}

static u32 io_read(unsigned int cpu, u32 reg)
{
	u64 value = 0;

	cr_assert_eq(sim_guest_write(cpu, IOREGSEL, 4, reg), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_guest_read(cpu, IOWIN, 4, &value), SIM_ACCESS_MMIO);
	return (u32)value;
}

/* High word first, then the low word, as Linux does. */
static void program(unsigned int cpu, unsigned int pin, u64 entry)
{
	io_write(cpu, REDIR_HI(pin), (u32)(entry >> 32));
	io_write(cpu, REDIR_LO(pin), (u32)entry);
}

static u64 read_entry(unsigned int cpu, unsigned int pin)
{
	return io_read(cpu, REDIR_LO(pin)) |
	       (u64)io_read(cpu, REDIR_HI(pin)) << 32;
}

/*
 * What the chip delivers for the pin, in compatibility-format terms. With
 * interrupt remapping on (qemu-vm has a VT-d unit), an unmasked entry is
 * in remappable format: its message goes through the simulator's VT-d
 * model, whose remapping entry then says destination, vector and mode.
 */
static u64 chip(unsigned int pin)
{
	u64 raw = sim_ioapic_entry(IOAPIC_BASE, pin);
	u32 index = (raw >> 49 & 0x7fff) | (raw & LOGICAL ? 0x8000 : 0);
	struct sim_msi_result r;
	u64 address;

	if (!(raw & REMAPPABLE))
		return raw;
	/* The chip's message: index in 19:5 and 2, format bit 4, no SHV. */
	address = 0xfee00000ULL | (u64)(index & 0x7fff) << 5 | 1 << 4 |
		  (index & 0x8000 ? 1 << 2 : 0);
	cr_assert_eq(sim_msi(IOAPIC_SOURCE_ID, address, (u32)(raw & 0xff), &r),
		     SIM_MSI_DELIVERED, "pin %u: remapping blocked it (0x%x)",
		     pin, r.fault_reason);
	cr_assert(r.remapped);
	cr_assert_eq(r.vector, raw & 0xff, "the EOI matches the pin's vector");
	cr_assert_eq(r.level, !!(raw & LEVEL));
	return (raw & (MASKED | POLARITY_LOW | LEVEL)) | DEST(r.dest) |
	       r.vector | (u64)r.delivery_mode << 8 |
	       (r.dest_logical ? LOGICAL : 0);
}

Test(ioapic, id_version_and_arbitration_pass_through)
{
	cr_assert_eq(io_read(ROOT_CPU, 0x01), 0x00170020, "version, 24 pins");
	cr_assert_eq(io_read(ROOT_CPU, 0x00), 0);
	cr_assert_eq(io_read(ROOT_CPU, 0x02), 0);
	io_write(ROOT_CPU, 0x00, 0x0f000000);
	cr_assert_eq(io_read(ROOT_CPU, 0x00), 0, "the id stays");
	cr_assert(log_contains("may not change its id"));
}

Test(ioapic, root_programs_its_pins_towards_its_cpus)
{
	u64 entry = DEST(1) | 0x31;

	program(ROOT_CPU, ROOT_PIN, entry);
	cr_assert_eq(chip(ROOT_PIN), entry, "chip has 0x%llx",
		     (unsigned long long)chip(ROOT_PIN));
	cr_assert_eq(read_entry(ROOT_CPU, ROOT_PIN), entry);
	cr_assert_eq(read_entry(1, ROOT_PIN), entry, "one view per cell");
}

/*
 * Every pin the version register counts (24, in bits 23:16 as 23) is
 * the hypervisor's to manage, the last one too; a write it accepts logs
 * nothing.
 */
Test(ioapic, the_last_pin_is_managed_and_quiet)
{
	u64 entry = DEST(1) | 0x3e;
	size_t before = strlen(hv_log());

	program(ROOT_CPU, 23, entry);
	cr_assert_eq(chip(23), entry, "chip has 0x%llx",
		     (unsigned long long)chip(23));
	cr_assert_eq(read_entry(ROOT_CPU, 23), entry);
	cr_assert_eq(read_entry(1, 23), entry, "one view per cell");
	cr_assert_eq(strlen(hv_log()), before, "logged: %s",
		     hv_log() + before);
}

Test(ioapic, pins_move_to_a_cell_masked)
{
	program(ROOT_CPU, DUO_PIN_A, DEST(0) | 0x35);
	cr_assert_eq(chip(DUO_PIN_A), DEST(0) | 0x35);
	duo_start();
	cr_assert(chip(DUO_PIN_A) & MASKED, "root's entry stays live");
	cr_assert_eq(read_entry(DUO_CPU_A, DUO_PIN_A), MASKED,
		     "the cell must not see root's programming");
	cr_assert_eq(read_entry(ROOT_CPU, DUO_PIN_A), MASKED,
		     "foreign pins read as masked");
}

Test(ioapic, foreign_pin_writes_are_refused_and_logged)
{
	unsigned long writes;

	duo_start();
	writes = sim_ioapic_writes(IOAPIC_BASE);
	program(ROOT_CPU, DUO_PIN_A, DEST(0) | 0x35);
	cr_assert(log_contains("IOAPIC 0xfec00000: cell \"QEMU-VM\" does not "
			       "own pin 5: write of 0x00000035 to register "
			       "0x1a refused"),
		  "log: %s", hv_log());
	program(DUO_CPU_A, ROOT_PIN, DEST(DUO_CPU_A) | 0x36);
	cr_assert(log_contains("cell \"duo\" does not own pin 4"));
	cr_assert_eq(sim_ioapic_writes(IOAPIC_BASE), writes,
		     "a refused write reached the chip");
	cr_assert(chip(DUO_PIN_A) & MASKED);
	cr_assert(sim_cpu_runs_guest(DUO_CPU_A), "refusing is not failing");
}

Test(ioapic, own_pin_writes_reach_the_chip)
{
	u64 entry = DEST(DUO_CPU_B) | (1ULL << 15) | 0x41;

	duo_start();
	program(DUO_CPU_A, DUO_PIN_A, entry);
	cr_assert_eq(chip(DUO_PIN_A), entry);
	cr_assert_eq(read_entry(DUO_CPU_A, DUO_PIN_A), entry);
	program(DUO_CPU_A, DUO_PIN_A, entry | MASKED);
	cr_assert_eq(chip(DUO_PIN_A), entry | MASKED);
}

Test(ioapic, destinations_outside_the_cell_stay_masked)
{
	u64 entry = DEST(0) | 0x42;

	duo_start();
	program(DUO_CPU_A, DUO_PIN_B, entry);
	cr_assert(chip(DUO_PIN_B) & MASKED, "root's CPU would get it");
	cr_assert_eq(read_entry(DUO_CPU_A, DUO_PIN_B), entry,
		     "the cell keeps its view");
	cr_assert(log_contains("IOAPIC 0xfec00000 pin 6: entry "
			       "0x0000000000000042 of cell \"duo\" kept "
			       "masked: destination is not a CPU of the cell"),
		  "log: %s", hv_log());
	program(DUO_CPU_A, DUO_PIN_B, DEST(0x77) | 0x42);
	cr_assert(chip(DUO_PIN_B) & MASKED, "no such CPU");
	program(DUO_CPU_A, DUO_PIN_B, DEST(DUO_CPU_A) | 0x200 | 0x42);
	cr_assert(chip(DUO_PIN_B) & MASKED, "SMI");
	program(DUO_CPU_A, DUO_PIN_B, DEST(DUO_CPU_A) | 0x700);
	cr_assert(chip(DUO_PIN_B) & MASKED, "ExtINT is root's");
	program(DUO_CPU_A, DUO_PIN_B, DEST(DUO_CPU_A) | 0x400);
	cr_assert_eq(chip(DUO_PIN_B), DEST(DUO_CPU_A) | 0x400, "NMI");
	program(ROOT_CPU, 0, DEST(0) | 0x700);
	cr_assert_eq(chip(0), DEST(0) | 0x700, "root's ExtINT");
}

Test(ioapic, logical_destinations_need_remapping_in_x2apic_mode)
{
	program(ROOT_CPU, ROOT_PIN, LOGICAL | DEST(0x1) | 0x43);
	cr_assert(chip(ROOT_PIN) & MASKED);
	cr_assert(log_contains("logical destination needs interrupt "
			       "remapping"));
}

/* An index a guest chose could name another cell's remapping entry. */
Test(ioapic, remappable_entries_of_guests_stay_masked)
{
	u64 entry = REMAPPABLE | (0x2aULL << 49) | 0x44;

	duo_start();
	program(DUO_CPU_A, DUO_PIN_A, entry);
	cr_assert(sim_ioapic_entry(IOAPIC_BASE, DUO_PIN_A) & MASKED);
	cr_assert(log_contains("remappable format: remapping entries are the "
			       "hypervisor's"));
	cr_assert_eq(read_entry(DUO_CPU_A, DUO_PIN_A), entry,
		     "the cell reads back what it wrote");
}

Test(ioapic, pins_return_masked_when_the_cell_goes)
{
	long id;

	sim_inmate_set(DUO_NAME, SIM_INMATE_APPROVE);
	id = duo_start();
	program(DUO_CPU_A, DUO_PIN_A, DEST(DUO_CPU_A) | 0x45);
	cr_assert_eq(chip(DUO_PIN_A), DEST(DUO_CPU_A) | 0x45);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY, id, 0),
		     0);
	cr_assert(chip(DUO_PIN_A) & MASKED,
		  "the cell's entry now points at a root CPU");
	cr_assert_eq(read_entry(ROOT_CPU, DUO_PIN_A), MASKED);
	program(ROOT_CPU, DUO_PIN_A, DEST(DUO_CPU_A) | 0x46);
	cr_assert_eq(chip(DUO_PIN_A), DEST(DUO_CPU_A) | 0x46,
		     "root owns the pin and the CPU again");
}

Test(ioapic, root_entries_follow_its_cpus)
{
	long id;

	sim_inmate_set(DUO_NAME, SIM_INMATE_APPROVE);
	program(ROOT_CPU, ROOT_PIN, DEST(DUO_CPU_B) | 0x47);
	cr_assert_eq(chip(ROOT_PIN), DEST(DUO_CPU_B) | 0x47);
	id = duo_start();
	cr_assert(chip(ROOT_PIN) & MASKED, "CPU 3 left root");
	cr_assert_eq(read_entry(ROOT_CPU, ROOT_PIN), DEST(DUO_CPU_B) | 0x47);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY, id, 0),
		     0);
	cr_assert_eq(chip(ROOT_PIN), DEST(DUO_CPU_B) | 0x47,
		     "CPU 3 is back: the entry is live again");
}

Test(ioapic, eoi_only_for_own_vectors)
{
	u32 vector;

	duo_start();
	program(ROOT_CPU, ROOT_PIN, DEST(0) | (1ULL << 15) | 0x51);
	program(DUO_CPU_A, DUO_PIN_A, DEST(DUO_CPU_A) | (1ULL << 15) | 0x52);
	cr_assert_eq(sim_guest_write(DUO_CPU_A, IOEOI, 4, 0x51),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_ioapic_eois(IOAPIC_BASE, NULL), 0,
		     "the cell ended root's interrupt");
	cr_assert_eq(sim_guest_write(DUO_CPU_A, IOEOI, 4, 0x52),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_ioapic_eois(IOAPIC_BASE, &vector), 1);
	cr_assert_eq(vector, 0x52);
}

Test(ioapic, hostile_selects_and_odd_sizes_crash_nothing)
{
	u64 value = 0;

	duo_start();
	cr_assert_eq(io_read(DUO_CPU_A, 0xff), 0, "beyond the table");
	cr_assert_eq(io_read(DUO_CPU_A, REDIR_LO(24)), 0, "pin 24");
	cr_assert_eq(io_read(DUO_CPU_A, 0x05), 0, "unimplemented");
	io_write(DUO_CPU_A, 0xff, 0xffffffff);
	io_write(DUO_CPU_A, REDIR_HI(30), 0xffffffff);
	io_write(DUO_CPU_A, 0x01, 0);
	cr_assert_eq(io_read(DUO_CPU_A, 0x01), 0x00170020);
	cr_assert_eq(sim_guest_write(DUO_CPU_A, IOREGSEL, 4, 0x12345611),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_guest_read(DUO_CPU_A, IOREGSEL, 4, &value),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(value, 0x11, "only bits 7:0 select");
	cr_assert_eq(sim_guest_write(DUO_CPU_A, IOREGSEL, 1, 0x01),
		     SIM_ACCESS_MMIO, "a byte select is fine");
	cr_assert_eq(sim_guest_read(DUO_CPU_A, IOEOI, 4, &value),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_ioapic_bad_accesses(IOAPIC_BASE), 0);
	cr_assert(sim_cpu_runs_guest(DUO_CPU_A));

	/* Malformed accesses are refused: the cell fails, root goes on. */
	cr_assert_eq(sim_guest_write(DUO_CPU_A, IOWIN, 8, ~0ULL),
		     SIM_ACCESS_FAULT);
	cr_assert(log_contains("refused MMIO write of 8 bytes at "
			       "0xfec00010"));
	cr_assert_eq(sim_guest_read(ROOT_CPU, IOAPIC_BASE + 0x12, 4, &value),
		     SIM_ACCESS_FAULT, "misaligned");
	cr_assert(sim_cpu_runs_guest(1), "root's other CPUs go on");
	cr_assert_eq(io_read(1, 0x01), 0x00170020);
	cr_assert_eq(sim_ioapic_bad_accesses(IOAPIC_BASE), 0,
		     "an odd access reached the chip");
	for (unsigned int pin = 0; pin < SIM_IOAPIC_PINS; pin++)
		if (pin != ROOT_PIN)
			cr_assert(chip(pin) & MASKED, "pin %u", pin);
}

Test(ioapic, a_16_bit_select_is_refused)
{
	duo_start();
	cr_assert_eq(sim_guest_write(DUO_CPU_A, IOREGSEL, 2, 0x10),
		     SIM_ACCESS_FAULT);
	cr_assert_eq(cell_state(1), JAILHOUSE_CELL_FAILED);
	cr_assert(sim_cpu_runs_guest(ROOT_CPU));
}

Test(ioapic, cells_without_the_chip_do_not_reach_it)
{
	u64 value;

	cr_assert_eq(sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL), 1);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, 1, 0),
		     0);
	cr_assert_eq(sim_guest_read(2, IOWIN, 4, &value), SIM_ACCESS_FAULT);
}

Test(ioapic, a_second_enable_starts_afresh)
{
	duo_start();
	apic_test_boot(false);
	cr_assert_eq(io_read(ROOT_CPU, 0x01), 0x00170020);
	program(ROOT_CPU, DUO_PIN_A, DEST(1) | 0x3f);
	cr_assert_eq(chip(DUO_PIN_A), DEST(1) | 0x3f,
		     "root owns every pin after a new enable");
	duo_start();
	program(DUO_CPU_A, DUO_PIN_B, DEST(DUO_CPU_B) | 0x3e);
	cr_assert_eq(chip(DUO_PIN_B), DEST(DUO_CPU_B) | 0x3e);
}

/* xAPIC mode: logical destinations are rewritten to physical ones. */
static void setup_xapic(void)
{
	apic_test_boot(true);
}

TestSuite(ioapic_xapic, .init = setup_xapic);

Test(ioapic_xapic, logical_destination_becomes_a_physical_one)
{
	u64 entry = LOGICAL | DEST(0x02) | 0x48;

	/* Linux's flat ids: CPU n has bit n. */
	program(ROOT_CPU, ROOT_PIN, entry);
	cr_assert_eq(chip(ROOT_PIN), DEST(1) | 0x48,
		     "chip has 0x%llx", (unsigned long long)chip(ROOT_PIN));
	cr_assert_eq(read_entry(ROOT_CPU, ROOT_PIN), entry,
		     "root reads what it wrote");

	/* Once the cell has CPU 2 and 3, their flat ids name nobody. */
	duo_start();
	program(ROOT_CPU, ROOT_PIN, LOGICAL | DEST(0x0c) | 0x49);
	cr_assert(chip(ROOT_PIN) & MASKED);
	cr_assert(log_contains("destination names no CPU of the cell"));
	program(ROOT_CPU, ROOT_PIN, LOGICAL | DEST(0x0d) | 0x49);
	cr_assert_eq(chip(ROOT_PIN), DEST(0) | 0x49);
}

/* Root's pins as Linux programmed them before the hypervisor came. */
#define LEVEL_PIN 9
#define MASKED_PIN 2
#define LINUX_ENTRY (DEST(1) | 0x33)
#define LINUX_LEVEL_ENTRY (DEST(0) | LEVEL | POLARITY_LOW | 0x39)
#define LINUX_MASKED_ENTRY (DEST(0) | MASKED | 0x32)

static void linux_programmed_pins(void)
{
	sim_ioapic_set_entry(IOAPIC_BASE, ROOT_PIN, LINUX_ENTRY);
	sim_ioapic_set_entry(IOAPIC_BASE, LEVEL_PIN, LINUX_LEVEL_ENTRY);
	sim_ioapic_set_entry(IOAPIC_BASE, MASKED_PIN, LINUX_MASKED_ENTRY);
}

static void setup_remap(void)
{
	sim_before_enable_hook = linux_programmed_pins;
	apic_test_boot(false);
	sim_before_enable_hook = NULL;
}

TestSuite(ioapic_remap, .init = setup_remap);

/*
 * VT-d blocks compatibility-format interrupts once it remaps: Linux's
 * entries reach the chip in remappable format before remapping starts,
 * and deliver where Linux wanted.
 */
Test(ioapic_remap, linux_entries_from_before_enable_are_remapped)
{
	u64 raw = sim_ioapic_entry(IOAPIC_BASE, ROOT_PIN);

	cr_assert(raw & REMAPPABLE, "0x%llx would be blocked",
		  (unsigned long long)raw);
	cr_assert_eq(chip(ROOT_PIN), LINUX_ENTRY);
	cr_assert_eq(chip(LEVEL_PIN), LINUX_LEVEL_ENTRY,
		     "trigger mode and polarity kept");
	cr_assert_eq(sim_ioapic_entry(IOAPIC_BASE, MASKED_PIN),
		     LINUX_MASKED_ENTRY, "a masked entry stays as it was");
	cr_assert_eq(read_entry(ROOT_CPU, ROOT_PIN), LINUX_ENTRY,
		     "Linux reads back its own entry");
}

Test(ioapic_remap, the_entry_answers_only_the_ioapic)
{
	u64 raw = sim_ioapic_entry(IOAPIC_BASE, ROOT_PIN);
	u32 index = raw >> 49 & 0x7fff;
	u64 address = 0xfee00000ULL | (u64)index << 5 | 1 << 4;
	struct sim_msi_result r;

	cr_assert_eq(sim_msi(0x0010, address, 0x33, &r), SIM_MSI_BLOCKED,
		     "a device borrowing the IOAPIC's entry");
	cr_assert_eq(sim_msi(IOAPIC_SOURCE_ID, address, 0x33, &r),
		     SIM_MSI_DELIVERED);
}

Test(ioapic_remap, entries_written_later_are_remapped_too)
{
	program(ROOT_CPU, ROOT_PIN, DEST(0) | 0x3a);
	cr_assert(sim_ioapic_entry(IOAPIC_BASE, ROOT_PIN) & REMAPPABLE);
	cr_assert_eq(chip(ROOT_PIN), DEST(0) | 0x3a);
	duo_start();
	program(DUO_CPU_A, DUO_PIN_A, DEST(DUO_CPU_B) | 0x3b);
	cr_assert(sim_ioapic_entry(IOAPIC_BASE, DUO_PIN_A) & REMAPPABLE);
	cr_assert_eq(chip(DUO_PIN_A), DEST(DUO_CPU_B) | 0x3b,
		     "the cell's pin through the cell's own entry");
}

Test(ioapic_remap, disable_hands_linux_its_entries_back)
{
	duo_start();
	program(DUO_CPU_A, DUO_PIN_A, DEST(DUO_CPU_A) | 0x3c);
	ioapic_shutdown();
	cr_assert_eq(sim_ioapic_entry(IOAPIC_BASE, ROOT_PIN), LINUX_ENTRY,
		     "compatibility format again, for Linux alone");
	cr_assert_eq(sim_ioapic_entry(IOAPIC_BASE, LEVEL_PIN),
		     LINUX_LEVEL_ENTRY);
	cr_assert(sim_ioapic_entry(IOAPIC_BASE, DUO_PIN_A) & MASKED,
		  "the cell's pin: not Linux's to get back live");
}
