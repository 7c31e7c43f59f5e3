// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's AMD-Vi driver against the simulator's AMD-Vi model: the
 * model's own walks decide what a device reaches and where its interrupts
 * land, its caches make a missing invalidation visible, and its event log
 * is what the driver reports from.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <asm/amd_iommu.h>
#include <asm/apic.h>
#include <asm/hw.h>
#include <asm/page_formats.h>
#include <core/arch.h>
#include <core/cell.h>
#include <core/errno.h>
#include <core/page_pool.h>
#include <core/printk.h>
#include <sim/amd_iommu.h>
#include <sim/apic_hw.h>
#include <sim/hw_state.h>
#include <sim/pci_hw.h>
#include <sim/phys.h>

/*
 * test_amd_iommu_noncoherent.c includes this file to run every test again
 * on units whose table reads do not snoop the caches (IVHD Coherent
 * clear): there the model reads memory as the hypervisor last flushed it.
 */
#ifndef AMDVI_SUITE
#define AMDVI_SUITE amdvi
#define AMDVI_COHERENT true
#endif

#define RAM_SIZE (2ULL << 30)
#define POOL_PHYS 0x3be00000ULL
#define POOL_PAGES 1024
#define UNIT0 0xfeb80000ULL
#define UNIT1 0xfeb90000ULL

#define ROOT_RAM 0x10000000ULL /* root cell's DMA memory */
#define CELL_RAM 0x20000000ULL /* the other cell's */
#define RO_RAM 0x30000000ULL /* a read-only DMA region of the cell */

#define BDF(b, d, f) ((u16)((b) << 8 | (d) << 3 | (f)))
#define NIC BDF(0, 2, 0) /* root's */
#define DISK BDF(0, 3, 0) /* the inmate's */
#define STRAY BDF(0, 5, 0) /* nobody's */
#define IOMMU0_BDF BDF(0, 4, 0)
#define IOMMU1_BDF BDF(4, 0, 0)
#define FAR_DEV BDF(5, 0, 0) /* behind unit 1 when there is one */
#define IOAPIC_SID BDF(0, 0x14, 0)

/* Root runs on CPUs 0 and 1, the inmate on 2 and 3. */
static const u32 apic_of_cpu[] = { 0x01, 0x03, 0x05, 0x07 };
#define ROOT_APIC 0x01
#define INMATE_APIC 0x05

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
	.desc = { .name = "inmate" },
};

static struct jailhouse_system sys;
static struct cell root, inmate;
static unsigned long baseline;

static const struct jailhouse_memory root_dma = {
	.phys_start = ROOT_RAM,
	.virt_start = 0,
	.size = 0x100000,
	.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_DMA,
};
static const struct jailhouse_memory cell_dma = {
	.phys_start = CELL_RAM,
	.virt_start = 0,
	.size = 0x100000,
	.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_DMA,
};
static const struct jailhouse_memory cell_ro = {
	.phys_start = RO_RAM,
	.virt_start = 0x400000,
	.size = 0x2000,
	.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_DMA,
};
static const struct jailhouse_memory cell_cpu_only = {
	.phys_start = CELL_RAM + 0x800000,
	.virt_start = 0x800000,
	.size = 0x1000,
	.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE,
};

static const struct jailhouse_pci_device nic = {
	.type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = NIC
};
static const struct jailhouse_pci_device disk = {
	.type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = DISK
};
static const struct jailhouse_pci_device far_dev = {
	.type = JAILHOUSE_PCI_TYPE_DEVICE, .iommu = 1, .bdf = FAR_DEV
};

static void describe_unit(unsigned int i, u64 base, u16 bdf, u16 first,
			  u16 last)
{
	struct jailhouse_iommu *u = &sys.platform_info.iommu_units[i];

	*u = (struct jailhouse_iommu){
		.type = JAILHOUSE_IOMMU_AMD,
		.base = base,
		.size = 0x4000,
		.amd_bdf = bdf,
		.amd_base_cap = 0x40,
		.amd_msi_cap = 0x54,
		.amd_first_device = first,
		.amd_last_device = last,
		.amd_features = AMDVI_COHERENT ? JAILHOUSE_IOMMU_AMD_COHERENT :
						 0,
	};
}

/* Unit 0 covers bus 0, unit 1 buses 4 and 5. */
static void add_units(unsigned int n)
{
	cr_assert_eq(sim_amdvi_add_unit(UNIT0, IOMMU0_BDF, 0x40, 0x54, 0x0000,
					0x00ff),
		     0);
	describe_unit(0, UNIT0, IOMMU0_BDF, 0x0000, 0x00ff);
	if (n > 1) {
		cr_assert_eq(sim_amdvi_add_unit(UNIT1, IOMMU1_BDF, 0x40, 0x54,
						0x0400, 0x05ff),
			     1);
		describe_unit(1, UNIT1, IOMMU1_BDF, 0x0400, 0x05ff);
	}
	sys.platform_info.num_iommu_units = n;
}

static void setup(void)
{
	cr_assert_eq(sim_phys_init(RAM_SIZE), 0);
	sim_amdvi_reset();
	sim_pci_reset();
	sim_amdvi_set_coherent(AMDVI_COHERENT);
	console_reset();
	cr_assert_eq(page_pool_init(&mem_pool,
				    sim_phys_ptr(POOL_PHYS,
						 POOL_PAGES * PAGE_SIZE),
				    POOL_PHYS, POOL_PAGES),
		     0);
	baseline = page_pool_used(&mem_pool);
	memset(&sys, 0, sizeof(sys));
	sys.platform_info.apic_mode = JAILHOUSE_APIC_MODE_XAPIC;
	memset(&root, 0, sizeof(root));
	memset(&inmate, 0, sizeof(inmate));
	root.config = &root_cfg.desc;
	inmate.config = &cell_cfg.desc;
	inmate.id = 1;
	cpu_set_add(&root.cpus, 0);
	cpu_set_add(&root.cpus, 1);
	cpu_set_add(&inmate.cpus, 2);
	cpu_set_add(&inmate.cpus, 3);
}

static void teardown(void)
{
	sim_amdvi_reset();
	sim_phys_exit();
}

TestSuite(AMDVI_SUITE, .init = setup, .fini = teardown);

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

#define expect_log(text)                                                       \
	cr_expect(log_contains(text), "log lacks \"%s\":\n%s", text, log_text())

static void put32(u64 phys, u32 v)
{
	*(u32 *)sim_phys_ptr(phys, 4) = v;
}

static u32 get32(u64 phys)
{
	return *(u32 *)sim_phys_ptr(phys, 4);
}

static enum sim_amdvi_result dma_read(u16 bdf, u64 addr, u32 *v)
{
	return sim_amdvi_dma(bdf, addr, 4, false, v);
}

static enum sim_amdvi_result dma_write(u16 bdf, u64 addr, u32 v)
{
	return sim_amdvi_dma(bdf, addr, 4, true, &v);
}

#define assert_dma(expr, expected)                                             \
	do {                                                                   \
		enum sim_amdvi_result _r = (expr);                             \
		cr_assert_eq(_r, expected, "%s: got '%s', expected '%s'",      \
			     #expr, sim_amdvi_result_name(_r),                 \
			     sim_amdvi_result_name(expected));                 \
	} while (0)

static void expect_no_protocol_errors(unsigned int unit)
{
	struct sim_amdvi_stats st;

	sim_amdvi_get_stats(unit, &st);
	cr_expect_eq(st.protocol_errors, 0, "unit %u misused: %s", unit,
		     sim_amdvi_last_protocol_error(unit));
}

static struct sim_amdvi_stats stats(unsigned int unit)
{
	struct sim_amdvi_stats st;

	sim_amdvi_get_stats(unit, &st);
	return st;
}

static u8 *unit_regs(u64 base)
{
	return hw_map_device(base, 0x4000);
}

/* The CPU's fake APIC gets the id, and the CPU tells it at its init. */
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

	sim_apic_hw_attach(&sys);
	for (cpu = 0; cpu < ARRAY_SIZE(apic_of_cpu); cpu++)
		set_apic_id(cpu, apic_of_cpu[cpu]);
}

/*
 * Root cell with the NIC and DISK and 1 MiB of DMA memory; then the
 * inmate takes DISK, with 1 MiB read/write, 8 KiB read-only and a region
 * its CPUs alone may use.
 */
static void boot_two_cells(void)
{
	cr_assert_eq(amdvi_init(&sys), 0);
	register_cpus();
	cr_assert_eq(amdvi_cell_init(&root), 0);
	cr_assert_eq(amdvi_map_memory_region(&root, &root_dma), 0);
	cr_assert_eq(amdvi_add_pci_device(&root, &nic), 0);
	cr_assert_eq(amdvi_add_pci_device(&root, &disk), 0);
	amdvi_config_commit(NULL);
	cr_assert_eq(amdvi_enable(), 0);

	cr_assert_eq(amdvi_cell_init(&inmate), 0);
	cr_assert_eq(amdvi_map_memory_region(&inmate, &cell_dma), 0);
	cr_assert_eq(amdvi_map_memory_region(&inmate, &cell_ro), 0);
	cr_assert_eq(amdvi_map_memory_region(&inmate, &cell_cpu_only), 0);
	amdvi_remove_pci_device(&disk);
	cr_assert_eq(amdvi_add_pci_device(&inmate, &disk), 0);
	amdvi_config_commit(&inmate);
}

static void shut_down(void)
{
	amdvi_cell_exit(&inmate);
	amdvi_cell_exit(&root);
	amdvi_shutdown();
}

/* Initialisation */

Test(AMDVI_SUITE, no_units_warns_and_does_nothing)
{
	u32 v = 0;

	cr_assert_eq(amdvi_init(&sys), 0);
	expect_log("WARNING: no AMD-Vi unit configured");
	cr_expect_eq(amdvi_num_units(), 0);
	cr_expect_eq(amdvi_cell_init(&root), 0);
	cr_expect_eq(amdvi_map_memory_region(&root, &root_dma), 0);
	cr_expect_eq(amdvi_add_pci_device(&root, &nic), 0);
	amdvi_config_commit(NULL);
	cr_expect_eq(amdvi_enable(), 0);
	cr_expect_eq(amdvi_unmap_memory_region(&root, &root_dma), 0);
	amdvi_remove_pci_device(&nic);
	cr_expect_not(amdvi_check_faults());
	amdvi_cell_exit(&root);
	amdvi_shutdown();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
	assert_dma(dma_read(STRAY, CELL_RAM, &v), SIM_AMDVI_OK);
}

Test(AMDVI_SUITE, too_many_units_rejected)
{
	sys.platform_info.num_iommu_units = JAILHOUSE_MAX_IOMMU_UNITS + 1;
	cr_expect_eq(amdvi_init(&sys), -EINVAL);
	expect_log("at most 8 supported");
}

Test(AMDVI_SUITE, refuses_unit_with_translation_already_on)
{
	add_units(1);
	hw_mmio_write64(unit_regs(UNIT0) + AMDVI_CONTROL, AMDVI_CTRL_IOMMU_EN);
	cr_expect_eq(amdvi_init(&sys), -EBUSY);
	expect_log("AMD-Vi unit 0: translation already enabled (boot Linux "
		   "with amd_iommu=off)");
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
	cr_expect_eq(amdvi_num_units(), 0);
}

/* The PCI capability is the firmware's word on where the registers are. */
Test(AMDVI_SUITE, refuses_unit_the_capability_does_not_confirm)
{
	add_units(1);
	sys.platform_info.iommu_units[0].base = UNIT1;
	cr_expect_eq(amdvi_init(&sys), -ENODEV);
	expect_log("AMD-Vi unit 0: registers at 0xfeb80000 (enabled), config "
		   "says 0xfeb90000");
	sys.platform_info.iommu_units[0].base = UNIT1;
	sim_pci_config_write(IOMMU0_BDF, 0x44, 4, (u32)UNIT0);
	cr_expect_eq(amdvi_init(&sys), -ENODEV);
	expect_log("(disabled)");
	sys.platform_info.iommu_units[0].base = UNIT0;
	sys.platform_info.iommu_units[0].amd_base_cap = 0x54;
	cr_expect_eq(amdvi_init(&sys), -ENODEV);
	expect_log("AMD-Vi unit 0: no IOMMU capability at 0x54 of 00:04.0");
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

/* QEMU's model leaves the enable bit clear and decodes the registers. */
Test(AMDVI_SUITE, takes_unit_whose_base_is_right_but_not_enabled)
{
	add_units(1);
	sim_pci_config_write(IOMMU0_BDF, 0x44, 4, (u32)UNIT0);
	cr_expect_eq(amdvi_init(&sys), 0);
	expect_log("AMD-Vi unit 0: the capability leaves its register base "
		   "0xfeb80000 disabled; taken as the config says");
	cr_expect_eq(amdvi_num_units(), 1);
}

static unsigned long small_pool(unsigned int pages)
{
	cr_assert_eq(page_pool_init(&mem_pool,
				    sim_phys_ptr(POOL_PHYS, pages * PAGE_SIZE),
				    POOL_PHYS, pages),
		     0);
	return page_pool_used(&mem_pool);
}

Test(AMDVI_SUITE, device_table_needs_contiguous_pages)
{
	unsigned long used;

	add_units(2);
	used = small_pool(8);
	cr_expect_eq(amdvi_init(&sys), -ENOMEM);
	expect_log("AMD-Vi: no 12 contiguous pages for the device table");
	cr_expect_eq(page_pool_used(&mem_pool), used);
	/* Room for the table, not for the rings. */
	used = small_pool(16);
	cr_expect_eq(amdvi_init(&sys), -ENOMEM);
	cr_expect_eq(page_pool_used(&mem_pool), used);
}

Test(AMDVI_SUITE, enable_turns_on_translation_and_rings)
{
	u64 ctrl;

	add_units(1);
	cr_assert_eq(amdvi_init(&sys), 0);
	register_cpus();
	cr_assert_eq(amdvi_enable(), 0);
	cr_expect(sim_amdvi_enabled(0));
	ctrl = sim_amdvi_control(0);
	cr_expect(ctrl & AMDVI_CTRL_CMD_BUF_EN);
	cr_expect(ctrl & AMDVI_CTRL_EVT_LOG_EN);
	cr_expect(ctrl & AMDVI_CTRL_EVT_INT_EN);
	cr_expect_not(ctrl & AMDVI_CTRL_GA_EN, "xAPIC: 32-bit entries");
	cr_expect_eq(stats(0).all_invalidations, 1, "nothing cached survives");
	cr_expect_eq(amdvi_num_units(), 1);
	cr_expect(amdvi_irq_remapping());
	expect_no_protocol_errors(0);
	amdvi_shutdown();
	cr_expect_not(sim_amdvi_enabled(0));
	cr_expect_eq(sim_amdvi_control(0), 0);
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
	expect_no_protocol_errors(0);
}

Test(AMDVI_SUITE, units_without_invalidate_all_are_flushed_entry_by_entry)
{
	u32 v;

	add_units(1);
	sim_amdvi_set_efr(0, SIM_AMDVI_EFR_GA | SIM_AMDVI_EFR_XT);
	boot_two_cells();
	cr_expect_eq(stats(0).all_invalidations, 0);
	cr_expect_geq(stats(0).dte_invalidations, 256);
	cr_expect_geq(stats(0).irt_invalidations, 256);
	cr_expect_geq(stats(0).completion_waits, 3, "batches never overfill");
	put32(CELL_RAM, 6);
	assert_dma(dma_read(DISK, 0, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 6);
	expect_no_protocol_errors(0);
	shut_down();
}

/* A unit that stops taking commands fails the enable, by name. */
Test(AMDVI_SUITE, enable_fails_when_the_unit_never_completes)
{
	add_units(1);
	cr_assert_eq(amdvi_init(&sys), 0);
	sim_amdvi_stall_commands = true;
	cr_expect_eq(amdvi_enable(), -ETIMEDOUT);
	expect_log("AMD-Vi unit 0: completion wait timed out");
	expect_log("AMD-Vi unit 0: enabling failed: -110");
	cr_expect_not(sim_amdvi_enabled(0));
	amdvi_shutdown();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

/* A command the unit refuses stops its buffer: reported, not waited on. */
Test(AMDVI_SUITE, enable_fails_when_the_unit_refuses_a_command)
{
	struct sim_amdvi_event e;

	add_units(1);
	cr_assert_eq(amdvi_init(&sys), 0);
	/* The unit loses INVALIDATE_IOMMU_ALL after the driver looked. */
	sim_amdvi_set_efr(0, 0);
	cr_expect_eq(amdvi_enable(), -EIO);
	expect_log("AMD-Vi unit 0: command buffer stopped at 0x0");
	cr_assert(sim_amdvi_last_event(0, &e));
	cr_expect_eq(e.code, SIM_AMDVI_EVT_ILLEGAL_COMMAND);
	amdvi_shutdown();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

/* Isolation */

Test(AMDVI_SUITE, devices_reach_their_own_cells_memory_only)
{
	struct sim_amdvi_event e;
	u32 v = 0;

	add_units(1);
	boot_two_cells();

	put32(ROOT_RAM + 0x1000, 0x11);
	put32(CELL_RAM + 0x1000, 0x22);
	assert_dma(dma_read(NIC, 0x1000, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 0x11);
	assert_dma(dma_read(DISK, 0x1000, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 0x22);
	assert_dma(dma_write(DISK, 0xff000, 0x33), SIM_AMDVI_OK);
	cr_expect_eq(get32(CELL_RAM + 0xff000), 0x33);
	cr_expect_eq(get32(ROOT_RAM + 0xff000), 0);

	/* Outside its regions: blocked, and the event names device and page. */
	assert_dma(dma_write(DISK, 0x100000, 1), SIM_AMDVI_NOT_PRESENT);
	cr_assert(sim_amdvi_last_event(0, &e));
	cr_expect_eq(e.code, SIM_AMDVI_EVT_IO_PAGE_FAULT);
	cr_expect_eq(e.devid, DISK);
	cr_expect_eq(e.domain, inmate.arch.domain_id);
	cr_expect_eq(e.address, 0x100000);
	cr_expect(e.flags & SIM_AMDVI_EVT_FLAG_RW);
	/* Not even the root cell's memory through its physical address. */
	assert_dma(dma_read(DISK, ROOT_RAM, &v), SIM_AMDVI_NOT_PRESENT);
	cr_expect_eq(sim_amdvi_event_count(0), 2);
	expect_no_protocol_errors(0);
	shut_down();
}

Test(AMDVI_SUITE, unassigned_device_is_blocked)
{
	struct sim_amdvi_event e;
	u32 v = 0x5a5a5a5a;

	add_units(1);
	boot_two_cells();
	put32(CELL_RAM, 0x77);
	assert_dma(dma_read(STRAY, CELL_RAM, &v), SIM_AMDVI_BLOCKED);
	cr_expect_eq(v, 0x5a5a5a5a, "no data moved");
	assert_dma(dma_write(STRAY, 0x1000, 1), SIM_AMDVI_BLOCKED);
	cr_assert(sim_amdvi_last_event(0, &e));
	cr_expect_eq(e.devid, STRAY);
	cr_expect_eq(e.domain, 0);
	cr_expect(e.flags & SIM_AMDVI_EVT_FLAG_PE);
	/* The unit's own function is nobody's either. */
	assert_dma(dma_read(IOMMU0_BDF, 0x1000, &v), SIM_AMDVI_BLOCKED);
	shut_down();
}

Test(AMDVI_SUITE, region_flags_decide_dma_access)
{
	u32 v;

	add_units(1);
	boot_two_cells();
	assert_dma(dma_read(DISK, 0x401000, &v), SIM_AMDVI_OK);
	assert_dma(dma_write(DISK, 0x401000, 1), SIM_AMDVI_WRITE_DENIED);
	cr_expect_eq(get32(RO_RAM + 0x1000), 0);
	/* Without JAILHOUSE_MEM_DMA only the CPUs get the region. */
	assert_dma(dma_read(DISK, 0x800000, &v), SIM_AMDVI_NOT_PRESENT);
	/* Beyond the 48 bits of four levels. */
	assert_dma(dma_read(DISK, 1ULL << 48, &v), SIM_AMDVI_NOT_PRESENT);
	shut_down();
}

Test(AMDVI_SUITE, cells_get_distinct_domains)
{
	add_units(1);
	boot_two_cells();
	cr_expect_neq(root.arch.domain_id, 0);
	cr_expect_neq(inmate.arch.domain_id, 0);
	cr_expect_neq(root.arch.domain_id, inmate.arch.domain_id);
	shut_down();
}

/* Changes take effect at commit */

Test(AMDVI_SUITE, moved_device_switches_cells_only_after_commit)
{
	u32 v = 0;

	add_units(1);
	boot_two_cells();
	put32(ROOT_RAM, 0xa);
	put32(CELL_RAM, 0xb);
	assert_dma(dma_read(DISK, 0, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 0xb);

	amdvi_remove_pci_device(&disk);
	cr_assert_eq(amdvi_add_pci_device(&root, &disk), 0);
	/* The unit still holds the inmate's device table entry. */
	assert_dma(dma_read(DISK, 0, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 0xb, "before commit: stale, still the inmate's");

	amdvi_config_commit(&inmate);
	assert_dma(dma_read(DISK, 0, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 0xa, "after commit: the root cell's memory");
	expect_no_protocol_errors(0);
	shut_down();
}

Test(AMDVI_SUITE, removed_device_is_blocked_after_commit)
{
	u32 v;

	add_units(1);
	boot_two_cells();
	assert_dma(dma_read(DISK, 0, &v), SIM_AMDVI_OK);
	amdvi_remove_pci_device(&disk);
	assert_dma(dma_read(DISK, 0, &v), SIM_AMDVI_OK);
	amdvi_config_commit(&inmate);
	assert_dma(dma_read(DISK, 0, &v), SIM_AMDVI_BLOCKED);
	shut_down();
}

Test(AMDVI_SUITE, unmapped_region_is_blocked_after_commit)
{
	u32 v;

	add_units(1);
	boot_two_cells();
	assert_dma(dma_read(DISK, 0x2000, &v), SIM_AMDVI_OK);
	cr_assert_eq(amdvi_unmap_memory_region(&inmate, &cell_dma), 0);
	assert_dma(dma_read(DISK, 0x2000, &v), SIM_AMDVI_OK);
	cr_expect_gt(stats(0).cached_translations, 0, "the IOTLB has it");
	amdvi_config_commit(&inmate);
	assert_dma(dma_read(DISK, 0x2000, &v), SIM_AMDVI_NOT_PRESENT);
	/* The read-only region is untouched. */
	assert_dma(dma_read(DISK, 0x400000, &v), SIM_AMDVI_OK);
	shut_down();
}

Test(AMDVI_SUITE, commit_invalidates_changed_entries_and_waits)
{
	struct sim_amdvi_stats before, after;

	add_units(1);
	boot_two_cells();
	before = stats(0);
	amdvi_remove_pci_device(&disk);
	amdvi_config_commit(&inmate);
	after = stats(0);
	cr_expect_eq(after.dte_invalidations - before.dte_invalidations, 1,
		     "only DISK's entry changed");
	cr_expect_eq(after.page_invalidations - before.page_invalidations, 2,
		     "both live domains");
	cr_expect_eq(after.completion_waits - before.completion_waits, 1);
	/* Nothing changed: no entry to invalidate, still one wait. */
	amdvi_config_commit(NULL);
	cr_expect_eq(stats(0).dte_invalidations, after.dte_invalidations);
	expect_no_protocol_errors(0);
	shut_down();
}

/* Table format */

Test(AMDVI_SUITE, io_page_tables_name_their_next_level)
{
	const u64 *top, *pdpt, *pd;
	u64 e;

	add_units(1);
	boot_two_cells();
	top = inmate.arch.dma.root;
	e = top[0];
	cr_expect_eq(e & AMDVI_PTE_NEXT_LEVEL_MASK,
		     3ULL << AMDVI_PTE_NEXT_LEVEL_SHIFT);
	cr_expect(e & AMDVI_PTE_PR);
	cr_expect(e & AMDVI_PTE_IR && e & AMDVI_PTE_IW,
		  "pointers grant what leaves may");
	pdpt = page_pool_phys2virt(&mem_pool, e & X86_PAGE_ADDR_MASK);
	cr_expect_eq(pdpt[0] & AMDVI_PTE_NEXT_LEVEL_MASK,
		     2ULL << AMDVI_PTE_NEXT_LEVEL_SHIFT);
	pd = page_pool_phys2virt(&mem_pool, pdpt[0] & X86_PAGE_ADDR_MASK);
	cr_expect_eq(pd[0] & AMDVI_PTE_NEXT_LEVEL_MASK,
		     1ULL << AMDVI_PTE_NEXT_LEVEL_SHIFT);
	/* The read-only 4K leaf at 0x400000: next level 0, IR only. */
	e = ((const u64 *)page_pool_phys2virt(&mem_pool,
					      pd[2] & X86_PAGE_ADDR_MASK))[0];
	cr_expect_eq(e & ~X86_PAGE_ADDR_MASK, AMDVI_PTE_PR | AMDVI_PTE_IR);
	cr_expect_eq(e & X86_PAGE_ADDR_MASK, RO_RAM);
	shut_down();
}

Test(AMDVI_SUITE, large_pages_sit_where_the_next_level_is_zero)
{
	const struct jailhouse_memory big = {
		.phys_start = 0x40000000,
		.virt_start = 0x40000000,
		.size = 0x40000000,
		.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			 JAILHOUSE_MEM_DMA,
	};
	const struct jailhouse_memory two_m = {
		.phys_start = 0x30200000,
		.virt_start = 0x10200000,
		.size = 0x200000,
		.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_DMA,
	};
	u64 page_size = 0;
	u32 v;

	add_units(1);
	boot_two_cells();
	cr_assert_eq(amdvi_map_memory_region(&inmate, &big), 0);
	cr_assert_eq(amdvi_map_memory_region(&inmate, &two_m), 0);
	amdvi_config_commit(&inmate);
	cr_assert(paging_walk(&inmate.arch.dma, 0x40000000, NULL, NULL,
			      &page_size));
	cr_expect_eq(page_size, 0x40000000, "one 1G page");
	cr_assert(paging_walk(&inmate.arch.dma, 0x10200000, NULL, NULL,
			      &page_size));
	cr_expect_eq(page_size, 0x200000, "one 2M page");
	put32(0x7ffffff0, 9);
	assert_dma(dma_read(DISK, 0x7ffffff0, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 9);
	put32(0x303ffff0, 8);
	assert_dma(dma_read(DISK, 0x103ffff0, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 8);
	assert_dma(dma_write(DISK, 0x103ffff0, 1), SIM_AMDVI_WRITE_DENIED);
	/* Part of the 1G page back: split, the rest still reachable. */
	cr_assert_eq(amdvi_unmap_memory_region(&inmate,
					       &(struct jailhouse_memory){
						       .virt_start = 0x40000000,
						       .size = 0x200000,
						       .flags =
							       JAILHOUSE_MEM_DMA,
					       }),
		     0);
	amdvi_config_commit(&inmate);
	assert_dma(dma_read(DISK, 0x40000000, &v), SIM_AMDVI_NOT_PRESENT);
	assert_dma(dma_read(DISK, 0x7ffffff0, &v), SIM_AMDVI_OK);
	expect_no_protocol_errors(0);
	shut_down();
}

Test(AMDVI_SUITE, region_beyond_four_levels_refused)
{
	const struct jailhouse_memory high = {
		.phys_start = CELL_RAM,
		.virt_start = 1ULL << 48,
		.size = 0x1000,
		.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_DMA,
	};

	add_units(1);
	boot_two_cells();
	cr_expect_eq(amdvi_map_memory_region(&inmate, &high), -ERANGE);
	expect_log("AMD-Vi: cell \"inmate\": cannot map DMA region");
	shut_down();
}

/* Devices and units */

Test(AMDVI_SUITE, device_on_second_unit)
{
	u32 v;

	add_units(2);
	boot_two_cells();
	cr_assert_eq(amdvi_add_pci_device(&inmate, &far_dev), 0);
	amdvi_config_commit(&inmate);
	cr_expect(sim_amdvi_enabled(1));
	put32(CELL_RAM + 0x3000, 4);
	assert_dma(dma_read(FAR_DEV, 0x3000, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 4);
	assert_dma(dma_read(FAR_DEV, 0x200000, &v), SIM_AMDVI_NOT_PRESENT);
	cr_expect_eq(sim_amdvi_event_count(1), 1);
	cr_expect_eq(sim_amdvi_event_count(0), 0);
	expect_no_protocol_errors(0);
	expect_no_protocol_errors(1);
	shut_down();
}

Test(AMDVI_SUITE, device_naming_unknown_unit_or_outside_its_range_rejected)
{
	const struct jailhouse_pci_device bad_unit = {
		.type = JAILHOUSE_PCI_TYPE_DEVICE, .iommu = 3, .bdf = STRAY
	};

	add_units(1);
	boot_two_cells();
	cr_expect_eq(amdvi_add_pci_device(&inmate, &bad_unit), -EINVAL);
	expect_log("AMD-Vi: device 00:05.0 names unit 3 of 1");
	cr_expect_eq(amdvi_add_pci_device(&inmate, &(struct jailhouse_pci_device){
							   .type = 1,
							   .bdf = FAR_DEV }),
		     -EINVAL);
	expect_log("AMD-Vi: device 05:00.0 is outside the range of unit 0");
	shut_down();
}

Test(AMDVI_SUITE, device_for_cell_without_tables_rejected)
{
	struct cell bare = { .config = &cell_cfg.desc };

	add_units(1);
	boot_two_cells();
	cr_expect_eq(amdvi_add_pci_device(&bare, &disk), -EINVAL);
	expect_log("has no DMA tables for device 00:03.0");
	shut_down();
}

/* Tear-down */

Test(AMDVI_SUITE, cell_exit_releases_tables_and_domain)
{
	unsigned long before;
	u16 old_id;

	add_units(1);
	boot_two_cells();
	old_id = inmate.arch.domain_id;
	amdvi_remove_pci_device(&disk);
	amdvi_cell_exit(&inmate);
	amdvi_config_commit(&inmate);
	cr_expect_null(inmate.arch.dma.root);

	before = page_pool_used(&mem_pool);
	cr_assert_eq(amdvi_cell_init(&inmate), 0);
	cr_expect_eq(inmate.arch.domain_id, old_id, "id reused");
	cr_expect_eq(page_pool_used(&mem_pool), before + 1);
	shut_down();
}

Test(AMDVI_SUITE, shutdown_frees_every_table)
{
	add_units(2);
	boot_two_cells();
	cr_assert_gt(page_pool_used(&mem_pool), baseline);
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
	cr_expect_not(sim_amdvi_enabled(0));
	cr_expect_not(sim_amdvi_enabled(1));
	expect_no_protocol_errors(0);
	expect_no_protocol_errors(1);
}

Test(AMDVI_SUITE, can_init_again_after_shutdown)
{
	u32 v;

	add_units(1);
	boot_two_cells();
	shut_down();
	boot_two_cells();
	put32(CELL_RAM, 3);
	assert_dma(dma_read(DISK, 0, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 3);
	expect_no_protocol_errors(0);
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

/* The event log */

Test(AMDVI_SUITE, events_are_logged_with_device_address_reason_and_cell)
{
	unsigned long n;
	u64 address;
	u32 data, v;

	add_units(1);
	boot_two_cells();
	cr_expect_not(amdvi_check_faults(), "nothing happened yet");
	assert_dma(dma_write(DISK, 0x100000, 1), SIM_AMDVI_NOT_PRESENT);
	assert_dma(dma_read(STRAY, 0x2000, &v), SIM_AMDVI_BLOCKED);
	assert_dma(dma_write(DISK, 0x400000, 1), SIM_AMDVI_WRITE_DENIED);

	/* Announced by an NMI to CPU 0, through the unit's MSI capability. */
	n = sim_amdvi_interrupts(0, &address, &data);
	cr_expect_eq(n, 3);
	cr_expect_eq(address, 0xfee00000ULL | ROOT_APIC << 12);
	cr_expect_eq(data, IOMMU_DLM_NMI << 8);

	cr_expect(amdvi_check_faults());
	expect_log("AMD-Vi unit 0: DMA write to 0x100000 by 00:03.0 (cell "
		   "\"inmate\") blocked: no translation for the address");
	expect_log("AMD-Vi unit 0: DMA read from 0x2000 by 00:05.0 (no cell) "
		   "blocked: access not permitted");
	expect_log("AMD-Vi unit 0: DMA write to 0x400000 by 00:03.0 (cell "
		   "\"inmate\") blocked: access not permitted");
	cr_expect_eq(amdvi_event_count(), 3);
	cr_expect_not(amdvi_check_faults(), "each event logged once");
	cr_expect_eq(amdvi_event_count(), 3);
	expect_no_protocol_errors(0);
	shut_down();
}

Test(AMDVI_SUITE, an_interrupt_flag_outside_the_interrupt_range_is_a_dma)
{
	/* As QEMU 10 reports a write of 00:03.0's outside its cell. */
	struct sim_amdvi_event qemu = {
		.code = AMDVI_EVT_IO_PAGE_FAULT,
		.devid = DISK,
		.flags = AMDVI_EVT_FLAG_I | 0x2,
		.address = 0x1000000,
	};
	struct sim_amdvi_event msi = {
		.code = AMDVI_EVT_IO_PAGE_FAULT,
		.devid = DISK,
		.flags = AMDVI_EVT_FLAG_I,
		.address = 0xfee01000,
	};

	add_units(1);
	boot_two_cells();
	sim_amdvi_inject_event(0, &qemu);
	sim_amdvi_inject_event(0, &msi);
	cr_expect(amdvi_check_faults());
	expect_log("AMD-Vi unit 0: DMA to 0x1000000 by 00:03.0 (cell "
		   "\"inmate\") blocked: no translation for the address "
		   "(flags 0x00a)");
	expect_log("AMD-Vi unit 0: interrupt to 0xfee01000 by 00:03.0 (cell "
		   "\"inmate\") blocked: no remapping entry for it");
	cr_expect_eq(amdvi_event_count(), 2);
	shut_down();
}

Test(AMDVI_SUITE, event_log_overflow_is_reported_and_logging_resumes)
{
	unsigned int i;
	u32 v;

	add_units(1);
	boot_two_cells();
	for (i = 0; i < 300; i++)
		assert_dma(dma_read(STRAY, i * 0x1000ULL, &v),
			   SIM_AMDVI_BLOCKED);
	cr_expect(amdvi_check_faults());
	expect_log("AMD-Vi unit 0: event log overflowed, later events were "
		   "lost");
	cr_expect_eq(amdvi_event_count(), 255, "a full log: all but one slot");
	assert_dma(dma_read(STRAY, 0x5000, &v), SIM_AMDVI_BLOCKED);
	cr_expect(amdvi_check_faults());
	cr_expect_eq(amdvi_event_count(), 256, "logging again");
	expect_no_protocol_errors(0);
	shut_down();
}

Test(AMDVI_SUITE, other_events_are_named)
{
	u64 table;
	u64 *dte;
	u32 v;

	add_units(1);
	boot_two_cells();
	/* A broken device table entry (reserved bits) of a stray device. */
	table = hw_mmio_read64(unit_regs(UNIT0) + AMDVI_DEV_TABLE_BASE);
	dte = sim_phys_ptr((table & PAGE_MASK) + STRAY * 32ULL, 32);
	dte[3] = 1;
	arch_flush_for_device(dte, 32);
	assert_dma(dma_read(STRAY, 0x3000, &v), SIM_AMDVI_ILLEGAL_DTE);
	cr_expect(amdvi_check_faults());
	expect_log("AMD-Vi unit 0: illegal device table entry (event 0x1) "
		   "for 00:05.0 (no cell) at 0x3000");
	dte[3] = 0;
	shut_down();
}

Test(AMDVI_SUITE, a_unit_that_is_off_is_not_read)
{
	add_units(1);
	cr_assert_eq(amdvi_init(&sys), 0);
	sim_amdvi_set_efr(0, 0);
	cr_expect_eq(amdvi_enable(), -EIO);
	cr_expect_not(amdvi_check_faults());
	amdvi_shutdown();
}

/* Interrupt remapping */

static struct iommu_irq irq_to(u32 apic_id, u8 vector)
{
	return (struct iommu_irq){ .dest_apic_id = apic_id, .vector = vector };
}

static int map_one(struct cell *cell, u16 source, u32 apic_id, u8 vector)
{
	struct iommu_irq irq = irq_to(apic_id, vector);
	int index = amdvi_alloc_irtes(cell, 1);

	cr_assert_geq(index, 0);
	cr_assert_eq(amdvi_map_interrupt(cell, source, index, &irq), 0);
	return index;
}

static enum sim_msi_status msi(u16 source, int index, struct sim_amdvi_irq *r)
{
	return sim_amdvi_msi(source, amdvi_msi_address(index),
			     amdvi_msi_data(index), r);
}

Test(AMDVI_SUITE, a_device_s_interrupt_reaches_its_cell_s_cpu)
{
	struct sim_amdvi_irq r;
	int index;

	add_units(1);
	boot_two_cells();
	index = map_one(&inmate, DISK, INMATE_APIC, 0x41);
	cr_assert_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	cr_expect(r.remapped);
	cr_expect_eq(r.dest, INMATE_APIC);
	cr_expect_eq(r.vector, 0x41);
	cr_expect_eq(r.delivery_mode, IOMMU_DLM_FIXED);
	cr_expect_not(r.dest_logical);
	cr_expect_eq(amdvi_msi_address(index), 0xfee00000ULL,
		     "the address stays the APIC's");
	cr_expect_eq(amdvi_msi_data(index), (u32)index);
	expect_no_protocol_errors(0);
	shut_down();
}

Test(AMDVI_SUITE, foreign_cpu_source_or_index_refused_by_name)
{
	struct iommu_irq irq = irq_to(ROOT_APIC, 0x41);
	int index, root_index;

	add_units(1);
	boot_two_cells();
	index = amdvi_alloc_irtes(&inmate, 1);
	cr_assert_geq(index, 0);
	cr_expect_eq(amdvi_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	expect_log("AMD-Vi: cell \"inmate\": interrupt of 00:03.0 to APIC 1 "
		   "(vector 0x41) refused: not a CPU of the cell");
	irq = irq_to(INMATE_APIC, 0x41);
	cr_expect_eq(amdvi_map_interrupt(&inmate, NIC, index, &irq), -EPERM);
	expect_log("AMD-Vi: cell \"inmate\": interrupt source 00:02.0 is not "
		   "the cell's");
	cr_expect_eq(amdvi_map_interrupt(&inmate, FAR_DEV, index, &irq),
		     -EINVAL);
	expect_log("no unit translates interrupt source 05:00.0");
	root_index = amdvi_alloc_irtes(&root, 1);
	cr_expect_eq(amdvi_map_interrupt(&inmate, DISK, root_index, &irq),
		     -EPERM);
	expect_log("IRTE 1 belongs to cell \"root\"");
	cr_expect_eq(amdvi_map_interrupt(&inmate, DISK, 200, &irq), -EPERM);
	expect_log("IRTE 200 is not allocated to it");
	irq.vector = 3;
	cr_expect_eq(amdvi_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	expect_log("refused: illegal vector");
	irq = irq_to(0x105, 0x41);
	cr_expect_eq(amdvi_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	expect_log("refused: beyond 8-bit xAPIC destinations");
	irq = irq_to(INMATE_APIC, 0x41);
	irq.delivery_mode = IOMMU_DLM_EXTINT;
	cr_expect_eq(amdvi_map_interrupt(&inmate, DISK, index, &irq), -EPERM);
	expect_log("refused: delivery mode not allowed");
	shut_down();
}

Test(AMDVI_SUITE, unmapped_index_and_unassigned_device_blocked)
{
	struct sim_amdvi_event e;
	struct sim_amdvi_irq r;
	int index;

	add_units(1);
	boot_two_cells();
	index = map_one(&inmate, DISK, INMATE_APIC, 0x41);
	/* An index of the cell that names no entry of this device. */
	cr_expect_eq(msi(DISK, index + 1, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_NOT_PRESENT);
	/* A device without a table: fixed interrupts aborted. */
	cr_expect_eq(msi(STRAY, index, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_BLOCKED);
	/* Nor may anyone send NMIs, INITs or ExtINTs around the table. */
	cr_expect_eq(sim_amdvi_msi(DISK, 0xfee00000, 0x400, &r),
		     SIM_MSI_BLOCKED);
	cr_assert(sim_amdvi_last_event(0, &e));
	cr_expect(e.flags & SIM_AMDVI_EVT_FLAG_I);
	cr_expect(amdvi_check_faults());
	expect_log("AMD-Vi unit 0: interrupt to 0xfee00000 by 00:03.0 (cell "
		   "\"inmate\") blocked: access not permitted");
	expect_log("AMD-Vi unit 0: interrupt to 0xfee00000 by 00:03.0 (cell "
		   "\"inmate\") blocked: no remapping entry for it");
	shut_down();
}

/* Entries are in force when the call returns: the cache is invalidated. */
Test(AMDVI_SUITE, remapped_entry_changes_take_effect_at_once)
{
	struct iommu_irq irq = irq_to(0x07, 0x42);
	struct sim_amdvi_irq r;
	int index;

	add_units(1);
	boot_two_cells();
	index = map_one(&inmate, DISK, INMATE_APIC, 0x41);
	cr_assert_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	cr_assert_eq(amdvi_map_interrupt(&inmate, DISK, index, &irq), 0);
	cr_assert_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.dest, 0x07);
	cr_expect_eq(r.vector, 0x42);
	/* A device that leaves loses its table, and its entries with it. */
	amdvi_remove_pci_device(&disk);
	cr_assert_eq(amdvi_add_pci_device(&inmate, &disk), 0);
	amdvi_config_commit(&inmate);
	cr_expect_eq(msi(DISK, index, &r), SIM_MSI_BLOCKED,
		     "the device's table went with its removal");
	expect_no_protocol_errors(0);
	shut_down();
}

Test(AMDVI_SUITE, an_index_serves_one_device_only)
{
	struct iommu_irq irq = irq_to(ROOT_APIC, 0x51);
	struct sim_amdvi_irq r;
	int index;

	add_units(1);
	boot_two_cells();
	index = map_one(&root, NIC, ROOT_APIC, 0x50);
	cr_assert_eq(amdvi_map_interrupt(&root, IOAPIC_SID, index, &irq), 0);
	cr_expect_eq(msi(NIC, index, &r), SIM_MSI_BLOCKED);
	cr_assert_eq(msi(IOAPIC_SID, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.vector, 0x51);
	/* The IOAPIC's message: the vector field carries the index. */
	cr_expect_eq(amdvi_ioapic_entry(index, 0x10000 | 0x8000 | 0x2000 |
						       0x33),
		     0x10000 | 0x8000 | 0x2000 | (u64)index);
	shut_down();
}

Test(AMDVI_SUITE, freeing_and_cell_exit_clear_entries)
{
	struct sim_amdvi_irq r;
	int a, b, c;

	add_units(1);
	boot_two_cells();
	a = map_one(&inmate, DISK, INMATE_APIC, 0x41);
	b = map_one(&inmate, DISK, INMATE_APIC, 0x42);
	c = map_one(&root, NIC, ROOT_APIC, 0x43);
	amdvi_free_irtes(&inmate, a, 1);
	cr_expect_eq(msi(DISK, a, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(msi(DISK, b, &r), SIM_MSI_DELIVERED);
	/* Not the root's to free. */
	amdvi_free_irtes(&inmate, c, 1);
	cr_expect_eq(msi(NIC, c, &r), SIM_MSI_DELIVERED);
	amdvi_free_irtes(&inmate, 250, 10);
	expect_log("cannot free IRTEs 250+10");
	cr_expect_eq(amdvi_alloc_irtes(&inmate, 0), -EINVAL);
	cr_expect_eq(amdvi_alloc_irtes(&inmate, AMDVI_NUM_IRTES), -ENOMEM);
	expect_log("no 256 free interrupt remapping entries");
	amdvi_remove_pci_device(&disk);
	amdvi_cell_exit(&inmate);
	amdvi_config_commit(&inmate);
	cr_expect_eq(msi(DISK, b, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(amdvi_alloc_irtes(&root, 1), a, "index free again");
	amdvi_cell_exit(&root);
	amdvi_shutdown();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

Test(AMDVI_SUITE, x2apic_uses_128_bit_entries_with_32_bit_destinations)
{
	struct sim_amdvi_irq r;
	int index;

	sys.platform_info.apic_mode = JAILHOUSE_APIC_MODE_X2APIC;
	add_units(1);
	boot_two_cells();
	cr_expect(sim_amdvi_control(0) & AMDVI_CTRL_GA_EN);
	cr_expect(sim_amdvi_control(0) & AMDVI_CTRL_XT_EN);
	set_apic_id(3, 0x01020304);
	index = map_one(&inmate, DISK, 0x01020304, 0x61);
	cr_assert_eq(msi(DISK, index, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.dest, 0x01020304);
	cr_expect_eq(r.vector, 0x61);
	expect_no_protocol_errors(0);
	shut_down();
}

Test(AMDVI_SUITE, x2apic_without_xt_or_ga_leaves_interrupts_alone)
{
	struct sim_amdvi_irq r;

	sys.platform_info.apic_mode = JAILHOUSE_APIC_MODE_X2APIC;
	add_units(1);
	sim_amdvi_set_efr(0, SIM_AMDVI_EFR_IA | SIM_AMDVI_EFR_GA);
	boot_two_cells();
	cr_expect_not(amdvi_irq_remapping());
	expect_log("WARNING: AMD-Vi cannot remap x2APIC interrupts");
	cr_expect_eq(amdvi_alloc_irtes(&inmate, 1), 0);
	cr_expect_eq(amdvi_map_interrupt(&inmate, DISK, 0,
					 &(struct iommu_irq){ 0 }),
		     0);
	amdvi_free_irtes(&inmate, 0, 1);
	/* Untranslated: the device's message goes where it says. */
	cr_assert_eq(sim_amdvi_msi(DISK, 0xfee05000, 0x41, &r),
		     SIM_MSI_DELIVERED);
	cr_expect_not(r.remapped);
	cr_expect_eq(r.dest, 5);
	shut_down();
}

Test(AMDVI_SUITE, interrupt_table_out_of_memory)
{
	struct iommu_irq irq = irq_to(INMATE_APIC, 0x41);
	int index;

	add_units(1);
	boot_two_cells();
	index = amdvi_alloc_irtes(&inmate, 1);
	while (page_alloc(&mem_pool, 1))
		;
	cr_expect_eq(amdvi_map_interrupt(&inmate, DISK, index, &irq),
		     -ENOMEM);
	expect_log("AMD-Vi: out of memory for the interrupt table of 00:03.0");
}

Test(AMDVI_SUITE, cells_beyond_the_domain_ids_or_the_pool_refused)
{
	static struct cell cells[256];
	unsigned int n;

	add_units(1);
	boot_two_cells();
	for (n = 0; n < 253; n++) {
		cells[n].config = &cell_cfg.desc;
		cr_assert_eq(amdvi_cell_init(&cells[n]), 0);
	}
	cells[n].config = &cell_cfg.desc;
	cr_expect_eq(amdvi_cell_init(&cells[n]), -ENOMEM);
	expect_log("AMD-Vi: no free domain id for cell \"inmate\"");
	amdvi_cell_exit(&cells[0]);
	while (page_alloc(&mem_pool, 1))
		;
	cr_expect_eq(amdvi_cell_init(&cells[0]), -ENOMEM);
	cr_expect_null(cells[0].arch.dma.root);
}
