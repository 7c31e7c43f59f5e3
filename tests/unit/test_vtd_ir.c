// SPDX-License-Identifier: GPL-2.0
/*
 * The VT-d driver's interrupt remapping and fault reporting against the
 * simulator's remapping model: the model decides whether an MSI gets
 * through and where it lands, and its interrupt entry cache makes a missing
 * invalidation visible.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <asm/apic.h>
#include <asm/hw.h>
#include <asm/page_formats.h>
#include <asm/vtd.h>
#include <core/cell.h>
#include <core/errno.h>
#include <core/page_pool.h>
#include <core/printk.h>
#include <sim/apic_hw.h>
#include <sim/dmar.h>
#include <sim/hw_state.h>
#include <sim/phys.h>


/*
 * test_vtd_ir_noncoherent.c includes this file to run every test again on
 * units whose table walks do not snoop the caches (ECAP.C clear, as QEMU's
 * model): there the model reads memory as the hypervisor last flushed it.
 */
#ifndef VTD_IR_SUITE
#define VTD_IR_SUITE vtd_ir
#define VTD_COHERENT true
#endif

#define RAM_SIZE (2ULL << 30)
#define POOL_PHYS 0x3be00000ULL
#define POOL_PAGES 1024
#define UNIT0 0xfed90000ULL
#define UNIT1 0xfed91000ULL

#define ROOT_RAM 0x10000000ULL
#define CELL_RAM 0x20000000ULL

#define BDF(b, d, f) ((u16)((b) << 8 | (d) << 3 | (f)))
#define NIC BDF(0, 2, 0) /* root's */
#define DISK BDF(0, 3, 0) /* the inmate's */
#define DISK2 BDF(0, 5, 0) /* the inmate's too */
#define STRAY BDF(0, 4, 0) /* nobody's */
#define FAR_DEV BDF(5, 0, 0) /* behind unit 1 when there is one */
#define IOAPIC_SID BDF(0xff, 0, 0)

/* Root runs on CPUs 0 and 1, the inmate on 2 and 3. */
static const u32 apic_of_cpu[] = { 0x01, 0x03, 0x05, 0x07 };
#define ROOT_APIC 0x01
#define INMATE_APIC 0x05
#define INMATE_APIC2 0x07

struct cell_cfg {
	struct jailhouse_cell_desc desc;
	struct jailhouse_irqchip chips[1];
} __attribute__((packed));

static struct cell_cfg root_cfg = {
	.desc = { .name = "root", .num_irqchips = 1 },
	.chips = { { .address = 0xfec00000, .id = IOAPIC_SID,
		     .pin_bitmap = { 0xfffff0 } } },
};
static struct cell_cfg cell_cfg = {
	.desc = { .name = "inmate", .num_irqchips = 1 },
	.chips = { { .address = 0xfec00000, .id = IOAPIC_SID,
		     .pin_bitmap = { 0xf } } },
};
static struct cell_cfg bare_cfg = { .desc = { .name = "bare" } };

static struct jailhouse_system sys;
static struct cell root, inmate;
static unsigned long baseline;

static const struct jailhouse_memory root_dma = {
	.phys_start = ROOT_RAM,
	.size = 0x100000,
	.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_DMA,
};
static const struct jailhouse_memory cell_dma = {
	.phys_start = CELL_RAM,
	.size = 0x100000,
	.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_DMA,
};

static const struct jailhouse_pci_device nic = {
	.type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = NIC
};
static const struct jailhouse_pci_device disk = {
	.type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = DISK
};
static const struct jailhouse_pci_device disk2 = {
	.type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = DISK2
};
static const struct jailhouse_pci_device far_dev = {
	.type = JAILHOUSE_PCI_TYPE_DEVICE, .iommu = 1, .bdf = FAR_DEV
};

static void add_units(unsigned int n)
{
	static const u64 bases[] = { UNIT0, UNIT1 };
	unsigned int i;

	for (i = 0; i < n; i++) {
		cr_assert_eq(sim_dmar_add_unit(bases[i]), (int)i);
		sys.platform_info.iommu_units[i].type = JAILHOUSE_IOMMU_INTEL;
		sys.platform_info.iommu_units[i].base = bases[i];
		sys.platform_info.iommu_units[i].size = 0x1000;
	}
	sys.platform_info.num_iommu_units = n;
}

static void setup(void)
{
	cr_assert_eq(sim_phys_init(RAM_SIZE), 0);
	sim_dmar_reset();
	sim_dmar_set_coherent(VTD_COHERENT);
	console_reset();
	cr_assert_eq(page_pool_init(&mem_pool,
				    sim_phys_ptr(POOL_PHYS,
						 POOL_PAGES * PAGE_SIZE),
				    POOL_PHYS, POOL_PAGES),
		     0);
	baseline = page_pool_used(&mem_pool);
	memset(&sys, 0, sizeof(sys));
	sys.platform_info.apic_mode = JAILHOUSE_APIC_MODE_X2APIC;
	memset(&root, 0, sizeof(root));
	memset(&inmate, 0, sizeof(inmate));
	root.config = &root_cfg.desc;
	inmate.config = &cell_cfg.desc;
	inmate.id = 1;
	cpu_set_add(&root.cpus, 0);
	cpu_set_add(&root.cpus, 1);
	cpu_set_add(&inmate.cpus, 2);
	cpu_set_add(&inmate.cpus, 3);
	page_formats_configure(false, false, false);
}

static void teardown(void)
{
	sim_dmar_reset();
	sim_phys_exit();
}

TestSuite(VTD_IR_SUITE, .init = setup, .fini = teardown);

static const char *log_text(void)
{
	static char log[CONSOLE_RING_SIZE + 1];
	unsigned int n = console_ring_read(0, log, CONSOLE_RING_SIZE, NULL);

	log[n] = '\0';
	return log;
}

static bool log_contains(const char *text)
{
	return strstr(log_text(), text) != NULL;
}

static unsigned int log_count(const char *text)
{
	const char *p = log_text();
	unsigned int n = 0;

	while ((p = strstr(p, text))) {
		n++;
		p++;
	}
	return n;
}

#define expect_log(text)                                                       \
	cr_expect(log_contains(text), "log lacks \"%s\":\n%s", text, log_text())

static u8 *unit_regs(u64 base)
{
	return hw_map_device(base, 0x1000);
}

static void expect_no_protocol_errors(unsigned int unit)
{
	struct sim_dmar_stats st;

	sim_dmar_get_stats(unit, &st);
	cr_expect_eq(st.protocol_errors, 0, "unit %u misused: %s", unit,
		     sim_dmar_last_protocol_error(unit));
}

static unsigned long iec_invalidations(unsigned int unit)
{
	struct sim_dmar_stats st;

	sim_dmar_get_stats(unit, &st);
	return st.iec_invalidations;
}

/*
 * The CPU's fake APIC gets the id, and the CPU tells it at its init, as
 * every CPU does at enable: VT-d finds it in apic.c's table from then on.
 */
static void set_apic_id(unsigned int cpu, u32 apic_id)
{
	const struct jailhouse_system *saved = system_config;

	system_config = &sys;
	sim_apic_set_id(cpu, apic_id);
	per_cpu(cpu)->cpu_id = cpu;
	sim_current_cpu = cpu;
	cr_assert_eq(apic_cpu_init(per_cpu(cpu)), 0);
	sim_current_cpu = 0;
	system_config = saved;
}

static void register_cpus(void)
{
	unsigned int cpu;

	/* Local APICs in the mode the test chose for sys. */
	sim_apic_hw_attach(&sys);
	for (cpu = 0; cpu < ARRAY_SIZE(apic_of_cpu); cpu++)
		set_apic_id(cpu, apic_of_cpu[cpu]);
}

/* Root with NIC, DISK and DISK2; then the inmate takes DISK and DISK2. */
static void boot_two_cells(void)
{
	cr_assert_eq(vtd_init(&sys), 0);
	register_cpus();
	cr_assert_eq(vtd_cell_init(&root), 0);
	cr_assert_eq(vtd_map_memory_region(&root, &root_dma), 0);
	cr_assert_eq(vtd_add_pci_device(&root, &nic), 0);
	cr_assert_eq(vtd_add_pci_device(&root, &disk), 0);
	cr_assert_eq(vtd_add_pci_device(&root, &disk2), 0);
	vtd_config_commit(NULL);
	cr_assert_eq(vtd_enable(), 0);

	cr_assert_eq(vtd_cell_init(&inmate), 0);
	cr_assert_eq(vtd_map_memory_region(&inmate, &cell_dma), 0);
	vtd_remove_pci_device(&disk);
	vtd_remove_pci_device(&disk2);
	cr_assert_eq(vtd_add_pci_device(&inmate, &disk), 0);
	cr_assert_eq(vtd_add_pci_device(&inmate, &disk2), 0);
	vtd_config_commit(&inmate);
}

static void shut_down(void)
{
	vtd_cell_exit(&inmate);
	vtd_cell_exit(&root);
	vtd_shutdown();
}

static struct iommu_irq irq_to(u32 apic_id, u8 vector)
{
	return (struct iommu_irq){ .dest_apic_id = apic_id, .vector = vector };
}

/* One index for the cell, mapped for source to apic_id with vector. */
static int map_one(struct cell *cell, u16 source, u32 apic_id, u8 vector)
{
	struct iommu_irq irq = irq_to(apic_id, vector);
	int index = vtd_alloc_irtes(cell, 1);

	cr_assert_geq(index, 0);
	cr_assert_eq(vtd_map_interrupt(cell, source, index, &irq), 0);
	return index;
}

static enum sim_msi_status msi(u16 source, int index,
			       struct sim_msi_result *r)
{
	return sim_msi(source, vtd_msi_address(index), 0, r);
}

static u64 *irte_in_ram(unsigned int index)
{
	u64 irta = hw_mmio_read64(unit_regs(UNIT0) + VTD_IRTA_REG);

	return sim_phys_ptr((irta & PAGE_MASK) + index * 16ULL, 16);
}

/* Bring-up */

/*
 * Linux remapping with its own table but no invalidation queue: root could
 * not announce table changes, so it cannot keep its remapping.
 */
Test(VTD_IR_SUITE, refuses_root_remapping_without_a_queue)
{
	u8 *regs;

	add_units(1);
	regs = hw_map_device(UNIT0, 0x1000);
	hw_mmio_write64(regs + VTD_IRTA_REG, 0x100000 | 0xf);
	hw_mmio_write32(regs + VTD_GCMD_REG, VTD_GCMD_SIRTP);
	hw_mmio_write32(regs + VTD_GCMD_REG, VTD_GCMD_IRE);
	cr_assert(hw_mmio_read32(regs + VTD_GSTS_REG) & VTD_GCMD_IRE,
		  "the model took Linux's remapping");
	cr_expect_eq(vtd_init(&sys), -EBUSY);
	cr_expect(log_contains("VT-d unit 0: Linux remaps interrupts without "
			       "a queue or a latched table"));
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

Test(VTD_IR_SUITE, remapping_on_with_table_in_x2apic_format)
{
	u64 irta;

	add_units(1);
	boot_two_cells();
	cr_expect(vtd_irq_remapping());
	cr_expect(sim_dmar_remapping_enabled(0));
	irta = hw_mmio_read64(unit_regs(UNIT0) + VTD_IRTA_REG);
	cr_expect(irta & VTD_IRTA_EIME, "x2APIC: 32-bit destinations");
	cr_expect_eq(2U << (irta & 0xf), VTD_NUM_IRTES);
	cr_expect(page_pool_contains(&mem_pool, irta & PAGE_MASK));
	cr_expect_geq(iec_invalidations(0), 1, "flushed before IRE");
	expect_no_protocol_errors(0);
	shut_down();
	cr_expect_not(sim_dmar_remapping_enabled(0));
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
	expect_no_protocol_errors(0);
}

/* How root's interrupt sources get their entries before remapping starts. */
Test(VTD_IR_SUITE, entries_written_before_enable_hold_after_it)
{
	struct iommu_irq irq = irq_to(ROOT_APIC, 0x3a);
	struct sim_msi_result r;
	int nic_index, pin_index;

	add_units(1);
	cr_assert_eq(vtd_init(&sys), 0);
	register_cpus();
	cr_assert_eq(vtd_cell_init(&root), 0);
	cr_assert_eq(vtd_add_pci_device(&root, &nic), 0);
	nic_index = map_one(&root, NIC, ROOT_APIC, 0x39);
	pin_index = vtd_alloc_irtes(&root, 1);
	irq.level = true;
	cr_assert_eq(vtd_map_interrupt(&root, IOAPIC_SID, pin_index, &irq), 0);
	cr_expect_eq(iec_invalidations(0), 0, "nothing to flush yet");
	vtd_config_commit(NULL);
	cr_assert_eq(vtd_enable(), 0);

	cr_expect_eq(msi(NIC, nic_index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.vector, 0x39);
	cr_expect_eq(msi(IOAPIC_SID, pin_index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.vector, 0x3a);
	cr_expect(r.level);
	expect_no_protocol_errors(0);
	vtd_remove_pci_device(&nic);
	vtd_cell_exit(&root);
	vtd_shutdown();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

Test(VTD_IR_SUITE, msi_address_encodes_all_16_handle_bits)
{
	cr_expect_eq(vtd_msi_address(0), 0xfee00010ULL);
	cr_expect_eq(vtd_msi_address(5), 0xfee000b0ULL);
	/* Handle bits 14:0 at address bits 19:5, bit 15 at address bit 2. */
	cr_expect_eq(vtd_msi_address(0x8001), 0xfee00034ULL);
	cr_expect_eq(vtd_msi_address(0x7fff), 0xfeeffff0ULL);
}

Test(VTD_IR_SUITE, every_unit_remaps)
{
	struct sim_msi_result r;
	int index;

	add_units(2);
	cr_assert_eq(sim_dmar_set_scope(1, FAR_DEV), 0);
	boot_two_cells();
	cr_expect(sim_dmar_remapping_enabled(1));
	cr_assert_eq(vtd_add_pci_device(&inmate, &far_dev), 0);
	index = map_one(&inmate, FAR_DEV, INMATE_APIC, 0x61);
	cr_expect_eq(msi(FAR_DEV, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.vector, 0x61);
	expect_no_protocol_errors(0);
	expect_no_protocol_errors(1);
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

Test(VTD_IR_SUITE, compatibility_format_msi_is_blocked)
{
	struct sim_msi_result r;

	add_units(1);
	boot_two_cells();
	/* A device that ignores the hypervisor aims at a root CPU. */
	cr_expect_eq(sim_msi(DISK, VTD_MSI_BASE | ROOT_APIC << 12, 0x30, &r),
		     SIM_MSI_BLOCKED);
	vtd_check_faults();
	expect_log("VT-d unit 0: interrupt from 00:03.0 blocked: "
		   "compatibility-format interrupt (fault 0x25)\n");
	shut_down();
}

/* Delivery within the cell */

Test(VTD_IR_SUITE, cell_device_msi_reaches_its_cpu)
{
	struct sim_msi_result r;
	int index;

	add_units(1);
	boot_two_cells();
	index = map_one(&inmate, DISK, INMATE_APIC2, 0x41);
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	cr_expect(r.remapped);
	cr_expect_eq(r.index, index);
	cr_expect_eq(r.dest, INMATE_APIC2);
	cr_expect_eq(r.vector, 0x41);
	cr_expect_not(r.dest_logical);
	cr_expect_not(r.level);
	cr_expect_eq(r.delivery_mode, IOMMU_DLM_FIXED);
	cr_expect_eq(sim_dmar_fault_count(0), 0);
	expect_no_protocol_errors(0);
	shut_down();
}

Test(VTD_IR_SUITE, destination_outside_the_cell_is_refused)
{
	struct sim_msi_result r;
	struct iommu_irq irq = irq_to(ROOT_APIC, 0x40);
	int index;

	add_units(1);
	boot_two_cells();
	index = vtd_alloc_irtes(&inmate, 1);
	cr_assert_geq(index, 0);
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	expect_log("VT-d: cell \"inmate\": interrupt of 00:03.0 to APIC 1 "
		   "(vector 0x40) refused: not a CPU of the cell\n");
	/* Nothing was written: the index stays blocked. */
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_NOT_PRESENT);

	/* Unknown APIC ids and the broadcast id name no CPU of the cell. */
	irq.dest_apic_id = 0x09;
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	irq.dest_apic_id = 0xffffffff;
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	expect_log("to APIC 4294967295 (vector 0x40) refused");
	shut_down();
}

Test(VTD_IR_SUITE, delivery_modes_and_vectors_checked)
{
	struct sim_msi_result r;
	struct iommu_irq irq = irq_to(INMATE_APIC, 0x40);
	int index;

	add_units(1);
	boot_two_cells();
	index = vtd_alloc_irtes(&inmate, 1);
	irq.delivery_mode = 2; /* SMI */
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	irq.delivery_mode = 7; /* ExtINT */
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	expect_log("refused: delivery mode not allowed\n");
	irq.delivery_mode = IOMMU_DLM_FIXED;
	irq.vector = 0x0f;
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	expect_log("(vector 0xf) refused: illegal vector\n");

	irq.delivery_mode = IOMMU_DLM_NMI;
	irq.vector = 0;
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), 0);
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.delivery_mode, IOMMU_DLM_NMI);
	irq.delivery_mode = IOMMU_DLM_LOWEST_PRIO;
	irq.vector = 0x42;
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), 0);
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.delivery_mode, IOMMU_DLM_LOWEST_PRIO);
	cr_expect_eq(r.dest, INMATE_APIC);
	shut_down();
}

Test(VTD_IR_SUITE, cell_ioapic_pin_level_triggered)
{
	struct iommu_irq irq = irq_to(INMATE_APIC, 0x30);
	struct sim_msi_result r;
	int index;

	add_units(1);
	boot_two_cells();
	irq.level = true;
	index = vtd_alloc_irtes(&inmate, 1);
	cr_assert_eq(vtd_map_interrupt(&inmate, IOAPIC_SID, index, &irq), 0);
	cr_expect_eq(msi(IOAPIC_SID, index, &r), SIM_MSI_DELIVERED);
	cr_expect(r.level);
	cr_expect_eq(r.dest, INMATE_APIC);
	/* Only the IOAPIC itself passes the entry's verification. */
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_SID);
	shut_down();
}

Test(VTD_IR_SUITE, multi_vector_msi_through_subhandles)
{
	struct sim_msi_result r;
	struct iommu_irq irq;
	unsigned int i;
	int first;

	add_units(1);
	boot_two_cells();
	first = vtd_alloc_irtes(&inmate, 4);
	cr_assert_geq(first, 0);
	for (i = 0; i < 4; i++) {
		irq = irq_to(i % 2 ? INMATE_APIC2 : INMATE_APIC, 0x50 + i);
		cr_assert_eq(vtd_map_interrupt(&inmate, DISK, first + i, &irq),
			     0);
	}
	/* The device puts the vector number in the data's low bits. */
	cr_expect_eq(sim_msi(DISK, vtd_msi_address(first) | VTD_MSI_SHV, 3,
			     &r),
		     SIM_MSI_DELIVERED);
	cr_expect_eq(r.vector, 0x53);
	cr_expect_eq(r.dest, INMATE_APIC2);
	shut_down();
}

/* Sources */

Test(VTD_IR_SUITE, source_of_another_cell_is_refused)
{
	struct iommu_irq irq = irq_to(INMATE_APIC, 0x40);
	int index;

	add_units(1);
	boot_two_cells();
	index = vtd_alloc_irtes(&inmate, 1);
	cr_expect_eq(vtd_map_interrupt(&inmate, NIC, index, &irq), -EPERM);
	expect_log("VT-d: cell \"inmate\": interrupt source 00:02.0 is not "
		   "the cell's\n");
	cr_expect_eq(vtd_map_interrupt(&inmate, STRAY, index, &irq), -EPERM);
	/* An IOAPIC the cell's config does not list. */
	inmate.config = &bare_cfg.desc;
	cr_expect_eq(vtd_map_interrupt(&inmate, IOAPIC_SID, index, &irq),
		     -EPERM);
	expect_log("interrupt source ff:00.0 is not the cell's\n");
	inmate.config = &cell_cfg.desc;
	shut_down();
}

Test(VTD_IR_SUITE, index_of_another_cell_is_refused)
{
	struct iommu_irq irq = irq_to(INMATE_APIC, 0x40);
	struct sim_msi_result r;
	int index;

	add_units(1);
	boot_two_cells();
	index = map_one(&root, NIC, ROOT_APIC, 0x33);
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	expect_log("VT-d: cell \"inmate\": IRTE 0 belongs to cell \"root\"\n");
	cr_expect_eq(vtd_unmap_interrupt(&inmate, index), -EPERM);
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, VTD_NUM_IRTES, &irq),
		     -EPERM);
	expect_log("IRTE 1024 is not allocated to it\n");
	vtd_free_irtes(&inmate, index, 1);
	/* Root's entry is untouched by all of that. */
	cr_expect_eq(msi(NIC, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.vector, 0x33);
	cr_expect_eq(r.dest, ROOT_APIC);
	shut_down();
}

Test(VTD_IR_SUITE, root_device_msi_reaches_root_cpu_only)
{
	struct sim_msi_result r;
	struct sim_dmar_fault f;
	int index;
	char line[160];

	add_units(1);
	boot_two_cells();
	index = map_one(&root, NIC, ROOT_APIC, 0x34);
	cr_expect_eq(msi(NIC, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.dest, ROOT_APIC);
	cr_expect_eq(r.vector, 0x34);

	/* The inmate's device presents root's index: verification fails. */
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_SID);
	cr_assert(sim_dmar_last_fault(0, &f));
	cr_expect_eq(f.source_id, DISK);
	cr_expect_eq(f.irte_index, index);

	vtd_check_faults();
	snprintf(line, sizeof(line),
		 "VT-d unit 0: interrupt from 00:03.0 via IRTE %d of cell "
		 "\"root\" blocked: source-id verification failed "
		 "(fault 0x26)\n", index);
	expect_log(line);
	cr_expect_eq(vtd_fault_count(), 1);
	shut_down();
}

Test(VTD_IR_SUITE, root_ioapic_pin_reaches_root_cpu)
{
	struct iommu_irq irq = irq_to(ROOT_APIC, 0x31);
	struct sim_msi_result r;
	int index;

	add_units(1);
	boot_two_cells();
	irq.level = true;
	index = vtd_alloc_irtes(&root, 1);
	cr_assert_eq(vtd_map_interrupt(&root, IOAPIC_SID, index, &irq), 0);
	cr_expect_eq(msi(IOAPIC_SID, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.dest, ROOT_APIC);
	cr_expect(r.level);
	cr_expect_eq(msi(NIC, index, &r), SIM_MSI_BLOCKED);
	shut_down();
}

Test(VTD_IR_SUITE, device_spoofing_a_sibling_is_blocked_and_logged)
{
	struct sim_msi_result r;
	int index;
	char line[160];

	add_units(1);
	boot_two_cells();
	/* Same cell, other device: still exactly one requester id. */
	index = map_one(&inmate, DISK, INMATE_APIC, 0x44);
	cr_expect_eq(msi(DISK2, index, &r), SIM_MSI_BLOCKED);
	vtd_check_faults();
	snprintf(line, sizeof(line),
		 "interrupt from 00:05.0 via IRTE %d of cell \"inmate\" "
		 "blocked: source-id verification failed", index);
	expect_log(line);
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	shut_down();
}

/* Changes and invalidation */

Test(VTD_IR_SUITE, stale_entry_until_invalidated)
{
	struct sim_msi_result r;
	struct iommu_irq irq = irq_to(INMATE_APIC, 0x41);
	unsigned long flushes;
	u64 *e;
	int index;

	add_units(1);
	boot_two_cells();
	index = map_one(&inmate, DISK, INMATE_APIC, 0x40);
	msi(DISK, index, &r);
	cr_assert_eq(r.vector, 0x40, "now in the interrupt entry cache");

	/* The table says 0x41, as a driver without the flush would leave it. */
	e = irte_in_ram(index);
	e[0] = (e[0] & ~(0xffULL << VTD_IRTE_VECTOR_SHIFT)) |
	       0x41ULL << VTD_IRTE_VECTOR_SHIFT;
	msi(DISK, index, &r);
	cr_expect_eq(r.vector, 0x40, "stale: the unit's cached entry");

	flushes = iec_invalidations(0);
	cr_assert_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), 0);
	cr_expect_eq(iec_invalidations(0), flushes + 1);
	msi(DISK, index, &r);
	cr_expect_eq(r.vector, 0x41, "fresh after the driver's flush");
	expect_no_protocol_errors(0);
	shut_down();
}

Test(VTD_IR_SUITE, remap_and_unmap_take_effect_at_once)
{
	struct sim_msi_result r;
	struct iommu_irq irq = irq_to(INMATE_APIC2, 0x48);
	int index;

	add_units(1);
	boot_two_cells();
	index = map_one(&inmate, DISK, INMATE_APIC, 0x47);
	msi(DISK, index, &r);
	cr_assert_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), 0);
	msi(DISK, index, &r);
	cr_expect_eq(r.vector, 0x48);
	cr_expect_eq(r.dest, INMATE_APIC2);

	/* Another source on the same index: the old one loses it. */
	cr_assert_eq(vtd_map_interrupt(&inmate, DISK2, index, &irq), 0);
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(msi(DISK2, index, &r), SIM_MSI_DELIVERED);

	cr_assert_eq(vtd_unmap_interrupt(&inmate, index), 0);
	cr_expect_eq(msi(DISK2, index, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_NOT_PRESENT);
	expect_no_protocol_errors(0);
	shut_down();
}

Test(VTD_IR_SUITE, removed_device_loses_its_interrupts)
{
	struct sim_msi_result r;
	struct iommu_irq irq;
	int a, b;

	add_units(1);
	boot_two_cells();
	a = map_one(&inmate, DISK, INMATE_APIC, 0x40);
	b = map_one(&inmate, DISK2, INMATE_APIC, 0x41);
	msi(DISK, a, &r);
	vtd_remove_pci_device(&disk);
	cr_expect_eq(msi(DISK, a, &r), SIM_MSI_BLOCKED, "flushed at once");
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_NOT_PRESENT);
	cr_expect_eq(msi(DISK2, b, &r), SIM_MSI_DELIVERED);
	/* Back in root, the device cannot claim an interrupt of the cell. */
	cr_assert_eq(vtd_add_pci_device(&root, &disk), 0);
	irq = irq_to(INMATE_APIC, 0x40);
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, a, &irq), -EPERM);
	shut_down();
}

/* Indices and cell lifecycle */

Test(VTD_IR_SUITE, indices_allocated_contiguously_and_exhausted)
{
	int a, b, c;

	add_units(1);
	boot_two_cells();
	a = vtd_alloc_irtes(&root, 1);
	b = vtd_alloc_irtes(&inmate, 4);
	cr_expect_eq(a, 0);
	cr_expect_eq(b, 1);
	vtd_free_irtes(&root, a, 1);
	c = vtd_alloc_irtes(&inmate, 2);
	cr_expect_eq(c, 5, "the hole at 0 is too small");
	cr_expect_eq(vtd_alloc_irtes(&root, 1), 0, "but fits one");

	cr_expect_eq(vtd_alloc_irtes(&root, 0), -EINVAL);
	cr_expect_eq(vtd_alloc_irtes(&root, VTD_NUM_IRTES), -ENOMEM);
	expect_log("VT-d: cell \"root\": no 1024 free interrupt remapping "
		   "entries\n");
	cr_expect_eq(vtd_alloc_irtes(&root, VTD_NUM_IRTES - 7), 7);
	cr_expect_eq(vtd_alloc_irtes(&inmate, 1), -ENOMEM);

	/* Freeing what another cell holds changes nothing. */
	vtd_free_irtes(&inmate, 0, 1);
	expect_log("IRTE 0 belongs to cell \"root\"\n");
	cr_expect_eq(vtd_alloc_irtes(&inmate, 1), -ENOMEM);
	vtd_free_irtes(&inmate, VTD_NUM_IRTES - 1, 2);
	expect_log("cannot free IRTEs 1023+2\n");
	shut_down();
}

Test(VTD_IR_SUITE, freed_indices_are_blocked_at_once)
{
	struct sim_msi_result r;
	struct iommu_irq irq;
	int first;

	add_units(1);
	boot_two_cells();
	first = vtd_alloc_irtes(&inmate, 2);
	irq = irq_to(INMATE_APIC, 0x40);
	cr_assert_eq(vtd_map_interrupt(&inmate, DISK, first, &irq), 0);
	cr_assert_eq(vtd_map_interrupt(&inmate, DISK, first + 1, &irq), 0);
	msi(DISK, first, &r);
	msi(DISK, first + 1, &r);
	vtd_free_irtes(&inmate, first, 2);
	cr_expect_eq(msi(DISK, first, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(msi(DISK, first + 1, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(vtd_alloc_irtes(&root, 2), first, "free again");
	shut_down();
}

Test(VTD_IR_SUITE, destroyed_cell_loses_entries_and_indices)
{
	struct sim_msi_result r;
	int a, b, root_index;

	add_units(1);
	boot_two_cells();
	root_index = map_one(&root, NIC, ROOT_APIC, 0x30);
	a = map_one(&inmate, DISK, INMATE_APIC, 0x40);
	b = map_one(&inmate, IOAPIC_SID, INMATE_APIC2, 0x41);
	msi(DISK, a, &r);
	msi(IOAPIC_SID, b, &r);

	vtd_remove_pci_device(&disk);
	vtd_remove_pci_device(&disk2);
	vtd_cell_exit(&inmate);
	vtd_config_commit(&inmate);
	cr_expect_eq(msi(IOAPIC_SID, b, &r), SIM_MSI_BLOCKED,
		     "no stale cached entry");
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_NOT_PRESENT);
	cr_expect_eq(irte_in_ram(a)[0], 0);
	cr_expect_eq(irte_in_ram(a)[1], 0);
	cr_expect_eq(irte_in_ram(b)[0], 0);
	cr_expect_eq(irte_in_ram(b)[1], 0);
	/* Root keeps its interrupt and gets the indices back. */
	cr_expect_eq(msi(NIC, root_index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(vtd_alloc_irtes(&root, 2), a);
	expect_no_protocol_errors(0);
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

/* APIC modes */

Test(VTD_IR_SUITE, x2apic_destination_beyond_8_bits)
{
	struct sim_msi_result r;
	int index;

	add_units(1);
	boot_two_cells();
	set_apic_id(3, 0x103);
	index = map_one(&inmate, DISK, 0x103, 0x40);
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.dest, 0x103);
	shut_down();
}

Test(VTD_IR_SUITE, xapic_mode_uses_8_bit_destinations)
{
	struct iommu_irq irq = irq_to(0x103, 0x40);
	struct sim_msi_result r;
	int index;

	sys.platform_info.apic_mode = JAILHOUSE_APIC_MODE_XAPIC;
	add_units(1);
	boot_two_cells();
	cr_expect_not(hw_mmio_read64(unit_regs(UNIT0) + VTD_IRTA_REG) &
		      VTD_IRTA_EIME);
	index = map_one(&inmate, DISK, INMATE_APIC2, 0x40);
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.dest, INMATE_APIC2);

	/* No xAPIC has such an id: refused before any CPU is looked up. */
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	expect_log("refused: beyond 8-bit xAPIC destinations\n");
	expect_no_protocol_errors(0);
	shut_down();
}

/* Without interrupt remapping */

Test(VTD_IR_SUITE, no_units_calls_succeed_doing_nothing)
{
	struct iommu_irq irq = irq_to(ROOT_APIC, 0x40);
	struct sim_msi_result r;

	cr_assert_eq(vtd_init(&sys), 0);
	expect_log("WARNING: no VT-d unit configured");
	cr_expect_not(vtd_irq_remapping());
	cr_assert_eq(vtd_cell_init(&inmate), 0);
	cr_expect_eq(vtd_alloc_irtes(&inmate, 4), 0);
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, 0, &irq), 0);
	cr_expect_eq(vtd_unmap_interrupt(&inmate, 0), 0);
	vtd_free_irtes(&inmate, 0, 4);
	cr_expect_eq(vtd_enable(), 0);
	vtd_check_faults();
	cr_expect_eq(vtd_fault_count(), 0);
	vtd_cell_exit(&inmate);
	vtd_shutdown();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
	/* Interrupts pass in compatibility format, unchecked. */
	cr_expect_eq(sim_msi(DISK, VTD_MSI_BASE | ROOT_APIC << 12, 0x40, &r),
		     SIM_MSI_DELIVERED);
}

static void take_ecap(u64 bits)
{
	u8 *regs = unit_regs(UNIT0);

	sim_dmar_set_caps(0, hw_mmio_read64(regs + VTD_CAP_REG),
			  hw_mmio_read64(regs + VTD_ECAP_REG) & ~bits);
}

Test(VTD_IR_SUITE, unit_without_queued_invalidation_keeps_dma_only)
{
	struct iommu_irq irq = irq_to(ROOT_APIC, 0x40);
	u32 v;

	add_units(1);
	take_ecap(VTD_ECAP_QI);
	boot_two_cells();
	expect_log("WARNING: VT-d cannot remap interrupts, missing: "
		   "queued-invalidation(ECAP.QI): interrupts of devices are "
		   "NOT isolated between cells\n");
	cr_expect_not(vtd_irq_remapping());
	cr_expect_not(sim_dmar_remapping_enabled(0));
	cr_expect_eq(vtd_map_interrupt(&inmate, DISK, 0, &irq), 0);
	/* DMA stays isolated. */
	cr_expect_eq(sim_dma(DISK, ROOT_RAM, 4, false, &v),
		     SIM_DMA_SL_NOT_PRESENT);
	expect_no_protocol_errors(0);
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

Test(VTD_IR_SUITE, x2apic_without_eim_or_ir_is_named)
{
	add_units(1);
	take_ecap(VTD_ECAP_EIM | VTD_ECAP_IR);
	boot_two_cells();
	expect_log("missing: interrupt-remapping(ECAP.IR) "
		   "x2APIC-destinations(ECAP.EIM):");
	cr_expect_not(sim_dmar_remapping_enabled(0));
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

/* Fault reporting */

Test(VTD_IR_SUITE, dma_write_fault_logged_and_cleared)
{
	u32 v = 0x5a;

	add_units(1);
	boot_two_cells();
	cr_assert_eq(sim_dma(DISK, 0x100000, 4, true, &v),
		     SIM_DMA_SL_NOT_PRESENT);
	cr_expect(hw_mmio_read32(unit_regs(UNIT0) + VTD_FSTS_REG) &
		  VTD_FSTS_PPF);
	vtd_check_faults();
	expect_log("VT-d unit 0: DMA write to 0x100000 by 00:03.0 (cell "
		   "\"inmate\") blocked: second-level entry not present or "
		   "not writable (fault 0x05)\n");
	cr_expect_eq(vtd_fault_count(), 1);
	cr_expect_not(hw_mmio_read32(unit_regs(UNIT0) + VTD_FSTS_REG) &
		      VTD_FSTS_PPF, "record cleared");

	/* Nothing new: nothing logged twice. */
	vtd_check_faults();
	cr_expect_eq(vtd_fault_count(), 1);
	cr_expect_eq(log_count("DMA write to 0x100000"), 1);
	expect_no_protocol_errors(0);
	shut_down();
}

/*
 * A fault is announced by an NMI to the CPU that reads the log: no vector
 * of Linux's or a cell's is taken, and the guest's masking cannot hold it.
 */
Test(VTD_IR_SUITE, faults_are_announced_by_an_nmi_to_the_fault_cpu)
{
	u32 v = 0x5a, data;
	u64 address;

	add_units(1);
	boot_two_cells();
	cr_assert_eq(sim_dma(DISK, 0x100000, 4, true, &v),
		     SIM_DMA_SL_NOT_PRESENT);
	cr_assert_eq(sim_dmar_fault_event(0, &address, &data), 1,
		     "one message for the fault");
	cr_expect_eq(address, 0xfee00000ULL | apic_of_cpu[IOMMU_FAULT_CPU] << 12,
		     "physical destination: CPU %u", IOMMU_FAULT_CPU);
	cr_expect_eq(data & 0x700, 0x400, "NMI delivery, not a vector");
	cr_expect(vtd_check_faults(), "the NMI's cause is found");
	cr_expect_not(vtd_check_faults(),
		      "nothing left: the next NMI is the guest's own");
	shut_down();
	cr_assert_eq(sim_dma(DISK, 0x100000, 4, true, &v), SIM_DMA_OK);
	cr_expect_eq(sim_dmar_fault_event(0, &address, &data), 1,
		     "no messages once the hypervisor is gone");
}

Test(VTD_IR_SUITE, fault_nmi_reaches_an_x2apic_id_above_255)
{
	u32 data;
	u64 address;
	u32 v;

	add_units(1);
	cr_assert_eq(vtd_init(&sys), 0);
	register_cpus();
	set_apic_id(IOMMU_FAULT_CPU, 0x12345);
	cr_assert_eq(vtd_cell_init(&root), 0);
	vtd_config_commit(NULL);
	cr_assert_eq(vtd_enable(), 0);
	cr_assert_eq(sim_dma(NIC, 0x1000, 4, false, &v),
		     SIM_DMA_ROOT_NOT_PRESENT, "no device of bus 0 known");
	cr_assert_eq(sim_dmar_fault_event(0, &address, &data), 1);
	cr_expect_eq(address, 0x1230000000000ULL | 0xfee45000ULL,
		     "id bits 31:8 in the upper address, 7:0 in bits 19:12");
	vtd_cell_exit(&root);
	vtd_shutdown();
}

Test(VTD_IR_SUITE, dma_read_faults_name_reason_and_device)
{
	u32 v;

	add_units(1);
	boot_two_cells();
	cr_assert_eq(sim_dma(STRAY, 0x1234, 4, false, &v),
		     SIM_DMA_CONTEXT_NOT_PRESENT);
	vtd_check_faults();
	cr_assert_eq(sim_dma(FAR_DEV, 0x2000, 4, false, &v),
		     SIM_DMA_ROOT_NOT_PRESENT);
	vtd_check_faults();
	cr_assert_eq(sim_dma(NIC, CELL_RAM, 4, false, &v),
		     SIM_DMA_SL_NOT_PRESENT);
	vtd_check_faults();
	expect_log("VT-d unit 0: DMA read from 0x1000 by 00:04.0 blocked: "
		   "context entry not present (fault 0x02)\n");
	expect_log("DMA read from 0x2000 by 05:00.0 blocked: root entry not "
		   "present (fault 0x01)\n");
	expect_log("DMA read from 0x20000000 by 00:02.0 (cell \"root\") "
		   "blocked: second-level entry not present or not readable "
		   "(fault 0x06)\n");
	cr_expect_eq(vtd_fault_count(), 3);
	shut_down();
}

Test(VTD_IR_SUITE, interrupt_faults_name_index_and_reason)
{
	struct sim_msi_result r;
	int index;

	add_units(1);
	boot_two_cells();
	index = vtd_alloc_irtes(&inmate, 1);
	msi(DISK, index, &r);
	vtd_check_faults();
	msi(DISK, 5000, &r);
	vtd_check_faults();
	expect_log("interrupt from 00:03.0 via IRTE 0 of cell \"inmate\" "
		   "blocked: interrupt remapping entry not present "
		   "(fault 0x22)\n");
	expect_log("interrupt from 00:03.0 via IRTE 5000 blocked: interrupt "
		   "index beyond the table (fault 0x21)\n");
	cr_expect_eq(vtd_fault_count(), 2);
	shut_down();
}

Test(VTD_IR_SUITE, overflowing_fault_records_are_reported)
{
	u32 v;

	add_units(1);
	boot_two_cells();
	/* The model has one record: the second fault finds it taken. */
	sim_dma(STRAY, 0x1000, 4, false, &v);
	sim_dma(STRAY, 0x3000, 4, true, &v);
	cr_expect(hw_mmio_read32(unit_regs(UNIT0) + VTD_FSTS_REG) &
		  VTD_FSTS_PFO);
	vtd_check_faults();
	expect_log("DMA read from 0x1000 by 00:04.0");
	expect_log("VT-d unit 0: fault records overflowed, later faults were "
		   "not recorded\n");
	cr_expect_eq(vtd_fault_count(), 1);
	cr_expect_not(hw_mmio_read32(unit_regs(UNIT0) + VTD_FSTS_REG) &
		      (VTD_FSTS_PFO | VTD_FSTS_PPF));

	/* With the record free again, the next fault is recorded. */
	sim_dma(STRAY, 0x5000, 4, true, &v);
	vtd_check_faults();
	expect_log("DMA write to 0x5000 by 00:04.0");
	cr_expect_eq(vtd_fault_count(), 2);
	expect_no_protocol_errors(0);
	shut_down();
}

Test(VTD_IR_SUITE, faults_of_each_unit)
{
	u32 v;

	add_units(2);
	cr_assert_eq(sim_dmar_set_scope(1, FAR_DEV), 0);
	boot_two_cells();
	sim_dma(FAR_DEV, 0x7000, 4, true, &v);
	sim_dma(STRAY, 0x8000, 4, true, &v);
	vtd_check_faults();
	expect_log("VT-d unit 1: DMA write to 0x7000 by 05:00.0 blocked");
	expect_log("VT-d unit 0: DMA write to 0x8000 by 00:04.0 blocked");
	cr_expect_eq(vtd_fault_count(), 2);
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

/* Tear-down */

Test(VTD_IR_SUITE, pool_back_to_baseline_and_init_again)
{
	struct sim_msi_result r;
	int index;

	add_units(1);
	boot_two_cells();
	map_one(&root, NIC, ROOT_APIC, 0x30);
	map_one(&inmate, DISK, INMATE_APIC, 0x40);
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
	cr_expect_not(sim_dmar_remapping_enabled(0));

	boot_two_cells();
	cr_expect_eq(vtd_fault_count(), 0);
	index = map_one(&inmate, DISK, INMATE_APIC2, 0x45);
	cr_expect_eq(index, 0, "indices of the last run are forgotten");
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.vector, 0x45);
	expect_no_protocol_errors(0);
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}
