// SPDX-License-Identifier: GPL-2.0
/*
 * Root keeps the interrupt remapping Linux set up (vtd_root_ir.c), on the
 * simulated qemu-vm machine in x2APIC mode: before the enable, "Linux"
 * programs the VT-d model as Linux does (its own table and queue,
 * remapping on). What a device's message does is the model's verdict
 * (sim_msi), through whatever table the unit uses at that moment; what
 * root sees of the unit is read through its trapped register page.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sim/dmar.h>
#include <sim/pci_hw.h>
#include <sim/sim.h>
#include <asm/apic.h>
#include <asm/hw.h>
#include <asm/iommu.h>
#include "helpers.h"

#define UNIT 0xfed90000ULL
#define IOAPIC_SID JAILHOUSE_PCI_BDF(0xff, 0, 0)
#define NIC JAILHOUSE_PCI_BDF(0, 2, 0)
#define STRAY JAILHOUSE_PCI_BDF(0, 7, 0) /* in no cell's config */
#define NIC_CAP 0x50
#define ROOT_IRT 0x01200000ULL /* 65536 entries, 1 MiB of root's RAM */
#define ROOT_QUEUE 0x011d4000ULL /* 256 descriptors */
#define STATUS 0x011d5000ULL /* where root's wait descriptors write */
#define LINUX_FEDATA 0x00000021U
#define LINUX_FEADDR 0xfee00000U
#define APIC_DEMO_CPU 3

/* Root's entries */
#define E_NIC 1 /* logical, cluster 0: all four CPUs */
#define E_SPARE 2 /* for each test's own entry */
#define E_PAST 600 /* past the 512 the hypervisor keeps for root */

static unsigned int linux_tail; /* descriptors Linux queued so far */

static u8 *regs(void)
{
	return hw_map_device(UNIT, 0x1000);
}

static u64 *root_irte(unsigned int index)
{
	return sim_phys_ptr(ROOT_IRT + 16ULL * index, 16);
}

static u64 irte_lo(u8 vector, u32 dest, bool logical)
{
	return 1ULL | (logical ? 1ULL << 2 : 0) | (u64)vector << 16 |
	       (u64)dest << 32;
}

static u64 irte_hi(u16 sid)
{
	return 1ULL << 18 | sid;
}

static void set_root_irte(unsigned int index, u64 lo, u64 hi)
{
	u64 *e = root_irte(index);

	e[0] = lo;
	e[1] = hi;
}

static u64 msi_address(unsigned int index)
{
	return 0xfee00000ULL | 1ULL << 4 | (u64)(index & 0x7fff) << 5;
}

static void queue(u64 lo, u64 hi)
{
	u64 *d = sim_phys_ptr(ROOT_QUEUE + 16ULL * linux_tail, 16);

	d[0] = lo;
	d[1] = hi;
	linux_tail = (linux_tail + 1) % 256;
}

static void wait_descriptor(u32 data)
{
	queue(0x5ULL | 1ULL << 5 | (u64)data << 32, STATUS);
}

static u32 status_word(void)
{
	return *(u32 *)sim_phys_ptr(STATUS, 4);
}

/* As Linux's intel_setup_irq_remapping does, straight on the hardware. */
static void linux_turned_remapping_on(void)
{
	u8 *r = regs();

	memset(sim_phys_ptr(ROOT_IRT, 1 << 20), 0, 1 << 20);
	linux_tail = 0;
	set_root_irte(E_NIC, irte_lo(0x41, 0x0000000f, true), irte_hi(NIC));
	set_root_irte(E_PAST, irte_lo(0x43, 0, false), irte_hi(NIC));
	hw_mmio_write32(r + 0x3c, LINUX_FEDATA);
	hw_mmio_write32(r + 0x40, LINUX_FEADDR);
	hw_mmio_write64(r + 0x90, ROOT_QUEUE);
	hw_mmio_write64(r + 0x88, 0);
	hw_mmio_write32(r + 0x18, 1U << 26);
	hw_mmio_write64(r + 0xb8, ROOT_IRT | 1ULL << 11 | 0xf);
	hw_mmio_write32(r + 0x18, 1U << 26 | 1U << 24);
	queue(0x4ULL, 0); /* the whole interrupt entry cache */
	wait_descriptor(1);
	hw_mmio_write64(r + 0x88, (u64)linux_tail << 4);
	cr_assert_eq(status_word(), 1, "the model ran Linux's queue");
	hw_mmio_write32(r + 0x18, 1U << 26 | 1U << 25);
	cr_assert(sim_dmar_remapping_enabled(0));

	cr_assert_eq(sim_pci_add_msi_cap(NIC, NIC_CAP, true), 0);
	sim_pci_config_write(NIC, NIC_CAP + 4, 4, (u32)msi_address(E_NIC));
	sim_pci_config_write(NIC, NIC_CAP + 12, 2, 0);
	sim_pci_config_write(NIC, NIC_CAP + 2, 2,
			     sim_pci_config_read(NIC, NIC_CAP + 2, 2) | 1);
}

static void setup(void)
{
	sim_before_enable_hook = linux_turned_remapping_on;
	boot_qemu_vm();
	sim_before_enable_hook = NULL;
}

TestSuite(vtd_root_ir, .init = setup);

static u64 root_reg_read(unsigned int reg, unsigned int size)
{
	u64 value = 0;

	cr_assert_eq(sim_guest_read(ROOT_CPU, UNIT + reg, size, &value),
		     SIM_ACCESS_MMIO, "root's read of register 0x%x", reg);
	return value;
}

static void root_reg_write(unsigned int reg, unsigned int size, u64 value)
{
	cr_assert_eq(sim_guest_write(ROOT_CPU, UNIT + reg, size, value),
		     SIM_ACCESS_MMIO, "root's write of register 0x%x", reg);
}

/* Root announces entry index changed, and waits as Linux's qi does. */
static void root_invalidates(unsigned int index, u32 seq)
{
	queue(0x4ULL | 1ULL << 4 | (u64)index << 32, 0);
	wait_descriptor(seq);
	root_reg_write(0x88, 8, (u64)linux_tail << 4);
	cr_assert_eq(status_word(), seq, "root's wait completed");
	cr_assert_eq(root_reg_read(0x80, 8), (u64)linux_tail << 4,
		     "root's head caught up with its tail");
}

static enum sim_msi_status nic_sends(unsigned int index,
				     struct sim_msi_result *r)
{
	return sim_msi(NIC, msi_address(index), 0, r);
}

#define expect_log(text)                                                       \
	cr_expect(log_contains(text), "log lacks \"%s\":\n%s", text, hv_log())

Test(vtd_root_ir, linux_s_entries_deliver_through_the_hypervisor_s_table)
{
	struct sim_msi_result r;
	unsigned int cpu;
	u64 address;
	u32 data;

	/* The entries' destinations above take CPU n for APIC id n. */
	for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++)
		cr_assert_eq(apic_id_of(cpu), cpu);
	expect_log("VT-d unit 0: root keeps its interrupt remapping: table at "
		   "0x1200000 (65536 entries, the first 512 usable)");
	cr_assert_neq(hw_mmio_read64(regs() + 0xb8) & ~0xfffULL, ROOT_IRT,
		      "the unit uses the hypervisor's table");
	cr_assert(sim_pci_msi_message(NIC, &address, &data));
	cr_assert_eq(address, msi_address(E_NIC), "Linux's message stays");
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_DELIVERED);
	cr_assert(r.remapped && r.dest_logical);
	cr_assert_eq(r.vector, 0x41);
	cr_assert_eq(r.dest, 0xf);
}

Test(vtd_root_ir, root_sees_its_own_registers)
{
	cr_assert_eq(root_reg_read(0xb8, 8), ROOT_IRT | 1ULL << 11 | 0xf);
	cr_assert_eq(root_reg_read(0x90, 8), ROOT_QUEUE);
	cr_assert_eq(root_reg_read(0x80, 8), (u64)linux_tail << 4);
	cr_assert_eq(root_reg_read(0x1c, 4) & (1U << 26 | 1U << 25 | 1U << 31),
		     1U << 26 | 1U << 25, "queue and remapping on, no DMA "
					   "translation");
	cr_assert_eq(root_reg_read(0x3c, 4), LINUX_FEDATA);
	cr_assert_eq(root_reg_read(0x10, 8), hw_mmio_read64(regs() + 0x10),
		     "ECAP as the hardware's");
	cr_assert_eq(root_reg_read(0x34, 4), 0, "no faults for root");
}

Test(vtd_root_ir, a_changed_entry_takes_effect_at_root_s_invalidation)
{
	struct sim_msi_result r;

	root_irte(E_NIC)[0] = irte_lo(0x51, 0x00000002, true);
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_DELIVERED);
	cr_assert_eq(r.vector, 0x41, "nothing changes before root says so");
	root_invalidates(E_NIC, 7);
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_DELIVERED);
	cr_assert_eq(r.vector, 0x51);
	cr_assert_eq(r.dest, 0x2);
}

static void refused_entry(u64 lo, u64 hi, const char *why)
{
	struct sim_msi_result r;
	char line[160];

	set_root_irte(E_SPARE, lo, hi);
	root_invalidates(E_SPARE, 9);
	snprintf(line, sizeof(line),
		 "VT-d unit 0: root's interrupt remapping entry %u (source "
		 "%02x:%02x.%x, vector 0x%02x): refused: %s",
		 E_SPARE, (unsigned int)(hi & 0xffff) >> 8,
		 (unsigned int)(hi >> 3) & 0x1f, (unsigned int)hi & 7,
		 (unsigned int)(lo >> 16) & 0xff, why);
	expect_log(line);
	cr_assert_eq(nic_sends(E_SPARE, &r), SIM_MSI_BLOCKED);
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_DELIVERED,
		     "root's other entries work on");
}

Test(vtd_root_ir, reserved_bits_are_refused)
{
	refused_entry(irte_lo(0x45, 0, false) | 1ULL << 13, irte_hi(NIC),
		      "reserved bits set");
}

Test(vtd_root_ir, a_source_not_root_s_is_refused)
{
	refused_entry(irte_lo(0x45, 0, false), irte_hi(STRAY),
		      "the source is not a device or IOAPIC of root's");
}

Test(vtd_root_ir, an_entry_without_source_verification_is_refused)
{
	refused_entry(irte_lo(0x45, 0, false), NIC,
		      "no source-id verification, any device could use it");
}

Test(vtd_root_ir, an_illegal_vector_is_refused)
{
	refused_entry(irte_lo(0x05, 0, false), irte_hi(NIC),
		      "vectors 0-15 are illegal");
}

Test(vtd_root_ir, an_index_past_root_s_range_is_refused)
{
	struct sim_msi_result r;

	expect_log("VT-d unit 0: 1 of root's interrupt remapping entries lie "
		   "past the 512 the hypervisor keeps for root: refused");
	cr_assert_eq(nic_sends(E_PAST, &r), SIM_MSI_BLOCKED);
}

Test(vtd_root_ir, destinations_follow_root_s_cpus)
{
	struct sim_msi_result r;

	/* apic-demo takes CPU 3: the cluster entry loses it. */
	cr_assert_eq(sim_cell_create_file(ROOT_CPU, APIC_DEMO_CELL), 1);
	expect_log("VT-d unit 0: root's interrupt remapping entry 1 (source "
		   "00:02.0, vector 0x41): destination CPUs 0xf narrowed to "
		   "root's 0x7");
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_DELIVERED);
	cr_assert(r.dest_logical);
	cr_assert_eq(r.dest, 0x7, "CPU 3 is apic-demo's now");

	/* One naming apic-demo's CPU alone reaches nobody. */
	refused_entry(irte_lo(0x46, APIC_DEMO_CPU, false), irte_hi(NIC),
		      "its destination names no CPU of root's (CPUs 0x8 of "
		      "cells)");

	/* Back to root: the whole cluster again. */
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY, 1, 0),
		     0);
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_DELIVERED);
	cr_assert_eq(r.dest, 0xf);
}

Test(vtd_root_ir, cells_get_entries_above_root_s_range)
{
	struct sim_msi_result r;
	int index;

	cr_assert_eq(sim_cell_create_file(ROOT_CPU, APIC_DEMO_CELL), 1);
	index = iommu_alloc_irtes(cell_by_name("apic-demo"), 1);
	cr_assert_geq(index, 512);
	iommu_free_irtes(cell_by_name("apic-demo"), index, 1);
	/* Root naming a cell's index gets nothing: the range is checked. */
	cr_assert_not(iommu_root_msi_ok(msi_address(512), 0));
	cr_assert(iommu_root_msi_ok(msi_address(E_NIC), 0));
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_DELIVERED);
}

Test(vtd_root_ir, a_wait_outside_root_s_ram_is_refused)
{
	queue(0x5ULL | 1ULL << 5 | 3ULL << 32, 0x3be00000); /* the hv's */
	root_reg_write(0x88, 8, (u64)linux_tail << 4);
	expect_log("root's wait descriptor writes to 0x3be00000, outside its "
		   "RAM: refused");
	cr_assert(root_reg_read(0x34, 4) & 1U << 4, "IQE for root to see");
	cr_assert_eq(root_reg_read(0x80, 8), (u64)(linux_tail - 1) << 4,
		     "the head stays on the refused descriptor");
}

Test(vtd_root_ir, disable_hands_the_unit_back_as_linux_left_it)
{
	struct sim_msi_result r;
	struct sim_dmar_stats st;
	u8 *r_hw = regs();

	root_irte(E_NIC)[0] = irte_lo(0x52, 0x00000001, true);
	root_invalidates(E_NIC, 11);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_DISABLE, 0, 0), 0);
	sim_shutdown();

	cr_assert_eq(hw_mmio_read64(r_hw + 0xb8), ROOT_IRT | 1ULL << 11 | 0xf);
	cr_assert_eq(hw_mmio_read64(r_hw + 0x90), ROOT_QUEUE);
	cr_assert_eq(hw_mmio_read64(r_hw + 0x80), (u64)linux_tail << 4,
		     "the unit's head is where Linux's is");
	cr_assert(sim_dmar_remapping_enabled(0));
	cr_assert_eq(hw_mmio_read32(r_hw + 0x3c), LINUX_FEDATA);
	cr_assert_eq(hw_mmio_read32(r_hw + 0x40), LINUX_FEADDR);
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_DELIVERED);
	cr_assert_eq(r.vector, 0x52, "through Linux's own table");

	/* Linux's next submission runs where Linux put it. */
	wait_descriptor(12);
	hw_mmio_write64(r_hw + 0x88, (u64)linux_tail << 4);
	cr_assert_eq(status_word(), 12);
	sim_dmar_get_stats(0, &st);
	cr_assert_eq(st.protocol_errors, 0, "%s",
		     sim_dmar_last_protocol_error(0));
}

Test(vtd_root_ir, posted_format_and_odd_delivery_modes_are_refused)
{
	refused_entry(irte_lo(0x45, 0, false) | 1ULL << 15, irte_hi(NIC),
		      "posted-interrupt format");
	refused_entry(irte_lo(0x45, 0, false) | 2ULL << 5, irte_hi(NIC),
		      "delivery mode not allowed");
	refused_entry(irte_lo(0x45, 0, false), irte_hi(NIC) | 1ULL << 16,
		      "source qualifier ignores function bits");
}

/* SVT 2: any requester on buses 0-0 may use it, all of them root's... */
Test(vtd_root_ir, a_bus_range_of_root_s_devices_only_is_accepted)
{
	struct sim_msi_result r;

	set_root_irte(E_SPARE, irte_lo(0x47, 0, false), 2ULL << 18 | 0x0000);
	root_invalidates(E_SPARE, 13);
	cr_assert_eq(nic_sends(E_SPARE, &r), SIM_MSI_DELIVERED);
	cr_assert_eq(r.vector, 0x47);
}

/* ...but not once a cell owns a device on them. */
Test(vtd_root_ir, a_bus_range_with_a_cell_s_device_is_refused)
{
	cr_assert_gt(sim_cell_create_file(ROOT_CPU, BAD_CELL("pci-owner")), 0,
		     "%s", hv_log());
	refused_entry(irte_lo(0x47, 0, false), 2ULL << 18 | 0x0000,
		      "its bus range holds devices of other cells");
}

/* Root points the unit at another table: the entries follow it. */
Test(vtd_root_ir, a_new_table_pointer_takes_effect_at_root_s_sirtp)
{
	struct sim_msi_result r;
	u64 second = ROOT_IRT + 0x100000;
	u64 *e = sim_phys_ptr(second + 16ULL * E_NIC, 16);

	memset(sim_phys_ptr(second, 0x10000), 0, 0x10000);
	e[0] = irte_lo(0x61, 0x00000004, true);
	e[1] = irte_hi(NIC);
	root_reg_write(0xb8, 8, second | 1ULL << 11 | 0xb); /* 4096 */
	root_reg_write(0x18, 4, 1U << 26 | 1U << 25 | 1U << 24);
	cr_assert(root_reg_read(0x1c, 4) & 1U << 24, "IRTPS for root");
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_DELIVERED);
	cr_assert_eq(r.vector, 0x61);
	cr_assert_eq(r.dest, 0x4);
}

Test(vtd_root_ir, a_table_in_the_wrong_format_is_refused)
{
	struct sim_msi_result r;

	root_reg_write(0xb8, 8, ROOT_IRT | 0xf); /* xAPIC format */
	root_reg_write(0x18, 4, 1U << 26 | 1U << 25 | 1U << 24);
	expect_log("root's interrupt remapping table at 0x1200000 is in xAPIC "
		   "format, the system config says x2APIC: refused");
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_BLOCKED);
}

Test(vtd_root_ir, turning_remapping_off_blocks_root_s_messages)
{
	struct sim_msi_result r;

	root_reg_write(0x18, 4, 1U << 26);
	expect_log("root turned its interrupt remapping off");
	cr_assert_eq(root_reg_read(0x1c, 4) & 1U << 25, 0);
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_BLOCKED);
	cr_assert(sim_dmar_remapping_enabled(0), "the unit still remaps");
	root_reg_write(0x18, 4, 1U << 26 | 1U << 25);
	cr_assert_eq(nic_sends(E_NIC, &r), SIM_MSI_DELIVERED);
}

/* Linux's dmar_reenable_qi: queue off, back on from descriptor 0. */
Test(vtd_root_ir, the_queue_restarts_at_zero)
{
	root_reg_write(0x18, 4, 1U << 25);
	cr_assert_eq(root_reg_read(0x1c, 4) & 1U << 26, 0);
	cr_assert_eq(root_reg_read(0x80, 8), 0);
	linux_tail = 0;
	root_reg_write(0x88, 8, 0);
	root_reg_write(0x18, 4, 1U << 26 | 1U << 25);
	root_invalidates(E_NIC, 21);
	cr_assert_eq(root_reg_read(0x80, 8), 2 << 4);
}

/* IQE stops the queue until root clears it; then it runs on. */
Test(vtd_root_ir, a_refused_descriptor_stops_the_queue_until_cleared)
{
	queue(0x9ULL, 0); /* no such type */
	wait_descriptor(31);
	root_reg_write(0x88, 8, (u64)linux_tail << 4);
	cr_assert(root_reg_read(0x34, 4) & 1U << 4);
	cr_assert_neq(status_word(), 31, "nothing after the refused one");
	/* Linux's recovery: the bad one made harmless, IQE cleared. */
	*(u64 *)sim_phys_ptr(ROOT_QUEUE + 16ULL * (linux_tail - 2), 8) = 0x4;
	root_reg_write(0x34, 4, 1U << 4);
	cr_assert_eq(status_word(), 31);
	cr_assert_eq(root_reg_read(0x34, 4), 0);
}

Test(vtd_root_ir, event_registers_are_root_s_own)
{
	root_reg_write(0x38, 4, 0x80000000);
	root_reg_write(0x3c, 4, 0x55);
	root_reg_write(0x40, 8, 0xfee01000ULL | 0x12345678ULL << 32);
	root_reg_write(0xa0, 4, 0x80000000);
	root_reg_write(0xa8, 8, 0xfee02000ULL);
	cr_assert_eq(root_reg_read(0x38, 4), 0x80000000);
	cr_assert_eq(root_reg_read(0x3c, 4), 0x55);
	cr_assert_eq(root_reg_read(0x44, 4), 0x12345678);
	cr_assert_eq(root_reg_read(0xa0, 8), 0x80000000);
	cr_assert_eq(root_reg_read(0xa8, 4), 0xfee02000);
	cr_assert_neq(hw_mmio_read32(regs() + 0x3c), 0x55,
		      "the unit's fault events stay the hypervisor's");
	/* An interrupt-on-completion wait sets IWC, which root clears. */
	queue(0x5ULL | 1ULL << 4, 0);
	root_reg_write(0x88, 8, (u64)linux_tail << 4);
	cr_assert_eq(root_reg_read(0x9c, 4), 1);
	root_reg_write(0x9c, 4, 1);
	cr_assert_eq(root_reg_read(0x9c, 4), 0);
}

Test(vtd_root_ir, translation_and_other_registers_stay_the_hypervisor_s)
{
	root_reg_write(0x18, 4, 1U << 31 | 1U << 26 | 1U << 25);
	expect_log("root's write of 0x86000000 to register 0x18 ignored: DMA "
		   "translation is the hypervisor's");
	cr_assert_eq(root_reg_read(0x1c, 4) & 1U << 31, 0);
	root_reg_write(0x20, 8, 0x1000);
	expect_log("root's write of 0x1000 to register 0x20 ignored");
	cr_assert_eq(root_reg_read(0x20, 8), 0);
	cr_assert_eq(sim_guest_write(ROOT_CPU, UNIT + 0x3e, 2, 1),
		     SIM_ACCESS_FAULT, "a 2-byte access");
}
