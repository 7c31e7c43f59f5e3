// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's VT-d driver against the simulator's remapping model: the
 * model's own table walker decides what a device reaches, and its caches
 * make a missing invalidation visible.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <asm/hw.h>
#include <asm/page_formats.h>
#include <asm/vtd.h>
#include <core/errno.h>
#include <core/page_pool.h>
#include <core/printk.h>
#include <sim/dmar.h>
#include <sim/phys.h>


/*
 * test_vtd_noncoherent.c includes this file to run every test again on
 * units whose table walks do not snoop the caches (ECAP.C clear, as QEMU's
 * model): there the model reads memory as the hypervisor last flushed it.
 */
#ifndef VTD_SUITE
#define VTD_SUITE vtd
#define VTD_COHERENT true
#endif

#define RAM_SIZE (2ULL << 30)
#define POOL_PHYS 0x3be00000ULL
#define POOL_PAGES 1024
#define UNIT0 0xfed90000ULL
#define UNIT1 0xfed91000ULL

#define ROOT_RAM 0x10000000ULL /* root cell's DMA memory */
#define CELL_RAM 0x20000000ULL /* the other cell's */
#define RO_RAM 0x30000000ULL /* a read-only DMA region of the cell */

#define BDF(b, d, f) ((u16)((b) << 8 | (d) << 3 | (f)))
#define NIC BDF(0, 2, 0)
#define DISK BDF(0, 3, 0)
#define STRAY BDF(0, 4, 0) /* assigned to nobody */
#define FAR_DEV BDF(5, 0, 0)

static struct jailhouse_system sys;
static struct jailhouse_cell_desc root_desc = { .name = "root" };
static struct jailhouse_cell_desc cell_desc = { .name = "inmate" };
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
	.type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = FAR_DEV
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
	memset(&root, 0, sizeof(root));
	memset(&inmate, 0, sizeof(inmate));
	root.config = &root_desc;
	inmate.config = &cell_desc;
	inmate.id = 1;
	page_formats_configure(false, false, false);
}

static void teardown(void)
{
	sim_dmar_reset();
	sim_phys_exit();
}

TestSuite(VTD_SUITE, .init = setup, .fini = teardown);

static bool log_contains(const char *text)
{
	static char log[CONSOLE_RING_SIZE + 1];
	unsigned int n = console_ring_read(0, log, CONSOLE_RING_SIZE, NULL);

	log[n] = '\0';
	return strstr(log, text) != NULL;
}

static void put32(u64 phys, u32 v)
{
	*(u32 *)sim_phys_ptr(phys, 4) = v;
}

static u32 get32(u64 phys)
{
	return *(u32 *)sim_phys_ptr(phys, 4);
}

static enum sim_dma_result dma_read(u16 bdf, u64 addr, u32 *v)
{
	return sim_dma(bdf, addr, 4, false, v);
}

static enum sim_dma_result dma_write(u16 bdf, u64 addr, u32 v)
{
	return sim_dma(bdf, addr, 4, true, &v);
}

#define assert_dma(expr, expected)                                           \
	do {                                                                   \
		enum sim_dma_result _r = (expr);                               \
		cr_assert_eq(_r, expected, "%s: got '%s', expected '%s'",      \
			     #expr, sim_dma_result_name(_r),                   \
			     sim_dma_result_name(expected));                   \
	} while (0)

static void expect_no_protocol_errors(unsigned int unit)
{
	struct sim_dmar_stats st;

	sim_dmar_get_stats(unit, &st);
	cr_expect_eq(st.protocol_errors, 0, "unit %u misused: %s", unit,
		     sim_dmar_last_protocol_error(unit));
}

/*
 * Root cell with the NIC and 1 MiB of DMA memory; the inmate with the disk,
 * 1 MiB read/write, 8 KiB read-only and a region its CPUs alone may use.
 */
static void boot_two_cells(void)
{
	cr_assert_eq(vtd_init(&sys), 0);
	cr_assert_eq(vtd_cell_init(&root), 0);
	cr_assert_eq(vtd_map_memory_region(&root, &root_dma), 0);
	cr_assert_eq(vtd_add_pci_device(&root, &nic), 0);
	cr_assert_eq(vtd_add_pci_device(&root, &disk), 0);
	vtd_config_commit(NULL);
	cr_assert_eq(vtd_enable(), 0);

	cr_assert_eq(vtd_cell_init(&inmate), 0);
	cr_assert_eq(vtd_map_memory_region(&inmate, &cell_dma), 0);
	cr_assert_eq(vtd_map_memory_region(&inmate, &cell_ro), 0);
	cr_assert_eq(vtd_map_memory_region(&inmate, &cell_cpu_only), 0);
	vtd_remove_pci_device(&disk);
	cr_assert_eq(vtd_add_pci_device(&inmate, &disk), 0);
	vtd_config_commit(&inmate);
}

static void shut_down(void)
{
	vtd_cell_exit(&inmate);
	vtd_cell_exit(&root);
	vtd_shutdown();
}

/* Initialisation */

Test(VTD_SUITE, no_units_warns_and_does_nothing)
{
	u32 v = 0;

	cr_assert_eq(vtd_init(&sys), 0);
	cr_expect(log_contains("WARNING"));
	cr_expect(log_contains("NOT isolated"));
	cr_expect_eq(vtd_num_units(), 0);
	cr_expect_eq(vtd_cell_init(&root), 0);
	cr_expect_eq(vtd_map_memory_region(&root, &root_dma), 0);
	cr_expect_eq(vtd_add_pci_device(&root, &nic), 0);
	vtd_config_commit(NULL);
	cr_expect_eq(vtd_enable(), 0);
	cr_expect_eq(vtd_unmap_memory_region(&root, &root_dma), 0);
	vtd_remove_pci_device(&nic);
	vtd_cell_exit(&root);
	vtd_shutdown();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
	/* Nothing stands between devices and memory. */
	assert_dma(dma_read(STRAY, CELL_RAM, &v), SIM_DMA_OK);
}

Test(VTD_SUITE, missing_features_are_named_in_one_line)
{
	u64 cap, ecap;

	add_units(1);
	cap = hw_mmio_read64((u8 *)hw_map_device(UNIT0, 0x1000) + VTD_CAP_REG);
	ecap = hw_mmio_read64((u8 *)hw_map_device(UNIT0, 0x1000) +
			      VTD_ECAP_REG);
	sim_dmar_set_caps(0, cap & ~(VTD_CAP_SAGAW_39 | VTD_CAP_SAGAW_48),
			  ecap & ~VTD_ECAP_C);
	cr_expect_eq(vtd_init(&sys), -EIO);
	cr_expect(log_contains("missing: 3/4-level-tables(SAGAW)\n"));
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
	cr_expect_eq(vtd_num_units(), 0);
}

Test(VTD_SUITE, refuses_unit_with_translation_already_on)
{
	u8 *regs;

	add_units(1);
	regs = hw_map_device(UNIT0, 0x1000);
	hw_mmio_write64(regs + VTD_RTADDR_REG, 0x100000);
	hw_mmio_write32(regs + VTD_GCMD_REG, VTD_GCMD_SRTP);
	hw_mmio_write32(regs + VTD_GCMD_REG, VTD_GCMD_TE);
	cr_expect_eq(vtd_init(&sys), -EBUSY);
	cr_expect(log_contains("already enabled"));
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

Test(VTD_SUITE, too_many_units_rejected)
{
	sys.platform_info.num_iommu_units = JAILHOUSE_MAX_IOMMU_UNITS + 1;
	cr_expect_eq(vtd_init(&sys), -EINVAL);
}

Test(VTD_SUITE, enable_turns_on_translation_and_queue)
{
	add_units(1);
	cr_assert_eq(vtd_init(&sys), 0);
	cr_assert_eq(vtd_enable(), 0);
	cr_expect(sim_dmar_translation_enabled(0));
	cr_expect_eq(vtd_num_units(), 1);
	expect_no_protocol_errors(0);
	vtd_shutdown();
	cr_expect_not(sim_dmar_translation_enabled(0));
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

/* Isolation */

Test(VTD_SUITE, devices_reach_their_own_cells_memory_only)
{
	struct sim_dmar_fault f;
	u32 v = 0;

	add_units(1);
	boot_two_cells();

	put32(ROOT_RAM + 0x1000, 0x11);
	put32(CELL_RAM + 0x1000, 0x22);
	assert_dma(dma_read(NIC, 0x1000, &v), SIM_DMA_OK);
	cr_expect_eq(v, 0x11);
	assert_dma(dma_read(DISK, 0x1000, &v), SIM_DMA_OK);
	cr_expect_eq(v, 0x22);
	assert_dma(dma_write(DISK, 0xff000, 0x33), SIM_DMA_OK);
	cr_expect_eq(get32(CELL_RAM + 0xff000), 0x33);
	cr_expect_eq(get32(ROOT_RAM + 0xff000), 0);

	/* Outside its regions: blocked, and the fault names device and page. */
	assert_dma(dma_write(DISK, 0x100000, 1), SIM_DMA_SL_NOT_PRESENT);
	cr_assert(sim_dmar_last_fault(0, &f));
	cr_expect_eq(f.source_id, DISK);
	cr_expect_eq(f.address, 0x100000);
	cr_expect(f.is_write);
	/* Not even the root cell's memory through its physical address. */
	assert_dma(dma_read(DISK, ROOT_RAM, &v), SIM_DMA_SL_NOT_PRESENT);
	cr_expect_eq(sim_dmar_fault_count(0), 2);
	expect_no_protocol_errors(0);
	shut_down();
}

Test(VTD_SUITE, unassigned_device_is_blocked)
{
	struct sim_dmar_fault f;
	u32 v;

	add_units(1);
	boot_two_cells();
	assert_dma(dma_read(STRAY, 0x1000, &v), SIM_DMA_CONTEXT_NOT_PRESENT);
	assert_dma(dma_read(FAR_DEV, 0x1000, &v), SIM_DMA_ROOT_NOT_PRESENT);
	cr_assert(sim_dmar_last_fault(0, &f));
	cr_expect_eq(f.source_id, FAR_DEV);
	cr_expect_eq(f.reason, DMAR_FR_ROOT_NOT_PRESENT);
	shut_down();
}

Test(VTD_SUITE, region_flags_decide_dma_access)
{
	u32 v;

	add_units(1);
	boot_two_cells();
	assert_dma(dma_read(DISK, 0x401000, &v), SIM_DMA_OK);
	assert_dma(dma_write(DISK, 0x401000, 1), SIM_DMA_WRITE_DENIED);
	cr_expect_eq(get32(RO_RAM + 0x1000), 0);
	/* Without JAILHOUSE_MEM_DMA only the CPUs get the region. */
	assert_dma(dma_read(DISK, 0x800000, &v), SIM_DMA_SL_NOT_PRESENT);
	shut_down();
}

Test(VTD_SUITE, cells_get_distinct_domains)
{
	add_units(1);
	boot_two_cells();
	cr_expect_neq(root.arch.domain_id, 0);
	cr_expect_neq(inmate.arch.domain_id, 0);
	cr_expect_neq(root.arch.domain_id, inmate.arch.domain_id);
	shut_down();
}

/* Changes take effect at commit */

Test(VTD_SUITE, moved_device_switches_cells_only_after_commit)
{
	u32 v = 0;

	add_units(1);
	boot_two_cells();
	put32(ROOT_RAM, 0xa);
	put32(CELL_RAM, 0xb);
	assert_dma(dma_read(DISK, 0, &v), SIM_DMA_OK);
	cr_expect_eq(v, 0xb);

	vtd_remove_pci_device(&disk);
	cr_assert_eq(vtd_add_pci_device(&root, &disk), 0);
	/* The unit still holds the inmate's context entry. */
	assert_dma(dma_read(DISK, 0, &v), SIM_DMA_OK);
	cr_expect_eq(v, 0xb, "before commit: stale, still the inmate's");

	vtd_config_commit(&inmate);
	assert_dma(dma_read(DISK, 0, &v), SIM_DMA_OK);
	cr_expect_eq(v, 0xa, "after commit: the root cell's memory");
	expect_no_protocol_errors(0);
	shut_down();
}

Test(VTD_SUITE, removed_device_is_blocked_after_commit)
{
	u32 v;

	add_units(1);
	boot_two_cells();
	assert_dma(dma_read(DISK, 0, &v), SIM_DMA_OK);
	vtd_remove_pci_device(&disk);
	assert_dma(dma_read(DISK, 0, &v), SIM_DMA_OK);
	vtd_config_commit(&inmate);
	assert_dma(dma_read(DISK, 0, &v), SIM_DMA_CONTEXT_NOT_PRESENT);
	shut_down();
}

Test(VTD_SUITE, unmapped_region_is_blocked_after_commit)
{
	u32 v;

	add_units(1);
	boot_two_cells();
	assert_dma(dma_read(DISK, 0x2000, &v), SIM_DMA_OK);
	cr_assert_eq(vtd_unmap_memory_region(&inmate, &cell_dma), 0);
	assert_dma(dma_read(DISK, 0x2000, &v), SIM_DMA_OK);
	vtd_config_commit(&inmate);
	assert_dma(dma_read(DISK, 0x2000, &v), SIM_DMA_SL_NOT_PRESENT);
	/* The read-only region is untouched. */
	assert_dma(dma_read(DISK, 0x400000, &v), SIM_DMA_OK);
	shut_down();
}

Test(VTD_SUITE, commit_uses_queue_with_wait_descriptor)
{
	struct sim_dmar_stats st;

	add_units(1);
	boot_two_cells();
	sim_dmar_get_stats(0, &st);
	cr_expect_geq(st.wait_descriptors, 2);
	cr_expect_eq(st.register_invalidations, 0);
	cr_expect_eq(st.cached_contexts, 0);
	shut_down();
}

Test(VTD_SUITE, commit_uses_registers_without_queued_invalidation)
{
	struct sim_dmar_stats st;
	u64 ecap;
	u32 v;

	add_units(1);
	ecap = hw_mmio_read64((u8 *)hw_map_device(UNIT0, 0x1000) +
			      VTD_ECAP_REG);
	sim_dmar_set_caps(0,
			  hw_mmio_read64((u8 *)hw_map_device(UNIT0, 0x1000) +
					 VTD_CAP_REG),
			  ecap & ~VTD_ECAP_QI);
	boot_two_cells();
	sim_dmar_get_stats(0, &st);
	cr_expect_eq(st.queued_descriptors, 0);
	cr_expect_geq(st.register_invalidations, 4);

	cr_assert_eq(vtd_unmap_memory_region(&inmate, &cell_dma), 0);
	vtd_config_commit(&inmate);
	assert_dma(dma_read(DISK, 0x2000, &v), SIM_DMA_SL_NOT_PRESENT);
	expect_no_protocol_errors(0);
	shut_down();
}

/* Table formats */

Test(VTD_SUITE, three_level_tables_when_units_lack_four_levels)
{
	const struct jailhouse_memory high = {
		.phys_start = CELL_RAM,
		.virt_start = 1ULL << 39,
		.size = 0x1000,
		.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_DMA,
	};
	u8 *regs;
	u32 v;

	add_units(1);
	regs = hw_map_device(UNIT0, 0x1000);
	sim_dmar_set_caps(0,
			  hw_mmio_read64(regs + VTD_CAP_REG) &
				  ~VTD_CAP_SAGAW_48,
			  hw_mmio_read64(regs + VTD_ECAP_REG));
	boot_two_cells();
	cr_expect_eq(inmate.arch.dma.fmt, &vtd_sl3_format);
	put32(CELL_RAM + 0x10, 5);
	assert_dma(dma_read(DISK, 0x10, &v), SIM_DMA_OK);
	cr_expect_eq(v, 5);

	cr_expect_eq(vtd_map_memory_region(&inmate, &high), -ERANGE);
	cr_expect(log_contains("cannot map DMA region"));
	expect_no_protocol_errors(0);
	shut_down();
}

Test(VTD_SUITE, superpages_used_when_units_support_them)
{
	const struct jailhouse_memory big = {
		.phys_start = 0x40000000,
		.virt_start = 0x40000000,
		.size = 0x40000000,
		.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			 JAILHOUSE_MEM_DMA,
	};
	u64 page_size = 0;
	u32 v;

	add_units(1);
	boot_two_cells();
	cr_assert_eq(vtd_map_memory_region(&inmate, &big), 0);
	vtd_config_commit(&inmate);
	cr_assert(paging_walk(&inmate.arch.dma, 0x40000000, NULL, NULL,
			      &page_size));
	cr_expect_eq(page_size, 0x40000000, "one 1G page");
	put32(0x7ffffff0, 9);
	assert_dma(dma_read(DISK, 0x7ffffff0, &v), SIM_DMA_OK);
	cr_expect_eq(v, 9);
	expect_no_protocol_errors(0);
	shut_down();
}

/* Devices and units */

Test(VTD_SUITE, device_on_second_unit)
{
	const struct jailhouse_pci_device dev = {
		.type = JAILHOUSE_PCI_TYPE_DEVICE, .iommu = 1, .bdf = FAR_DEV
	};
	u32 v;

	add_units(2);
	cr_assert_eq(sim_dmar_set_scope(1, FAR_DEV), 0);
	boot_two_cells();
	cr_assert_eq(vtd_add_pci_device(&inmate, &dev), 0);
	vtd_config_commit(&inmate);
	cr_expect(sim_dmar_translation_enabled(1));
	put32(CELL_RAM + 0x3000, 4);
	assert_dma(dma_read(FAR_DEV, 0x3000, &v), SIM_DMA_OK);
	cr_expect_eq(v, 4);
	assert_dma(dma_read(FAR_DEV, 0x200000, &v), SIM_DMA_SL_NOT_PRESENT);
	cr_expect_eq(sim_dmar_fault_count(1), 1);
	cr_expect_eq(sim_dmar_fault_count(0), 0);
	expect_no_protocol_errors(0);
	expect_no_protocol_errors(1);
	shut_down();
}

Test(VTD_SUITE, device_naming_unknown_unit_rejected)
{
	const struct jailhouse_pci_device dev = {
		.type = JAILHOUSE_PCI_TYPE_DEVICE, .iommu = 3, .bdf = STRAY
	};

	add_units(1);
	boot_two_cells();
	cr_expect_eq(vtd_add_pci_device(&inmate, &dev), -EINVAL);
	cr_expect(log_contains("names unit 3"));
	shut_down();
}

Test(VTD_SUITE, device_for_cell_without_tables_rejected)
{
	struct cell bare = { .config = &cell_desc };

	add_units(1);
	boot_two_cells();
	cr_expect_eq(vtd_add_pci_device(&bare, &far_dev), -EINVAL);
	cr_expect(log_contains("has no DMA tables for device 05:00.0"));
	shut_down();
}

Test(VTD_SUITE, context_table_freed_with_last_device_of_bus)
{
	unsigned long before;

	add_units(1);
	boot_two_cells();
	before = page_pool_used(&mem_pool);
	cr_assert_eq(vtd_add_pci_device(&inmate, &far_dev), 0);
	cr_expect_eq(page_pool_used(&mem_pool), before + 1);
	vtd_remove_pci_device(&far_dev);
	cr_expect_eq(page_pool_used(&mem_pool), before);
	shut_down();
}

/* Tear-down */

Test(VTD_SUITE, cell_exit_releases_tables_and_domain)
{
	unsigned long before;
	u16 old_id;

	add_units(1);
	boot_two_cells();
	old_id = inmate.arch.domain_id;
	vtd_remove_pci_device(&disk);
	vtd_cell_exit(&inmate);
	vtd_config_commit(&inmate);
	cr_expect_null(inmate.arch.dma.root);

	before = page_pool_used(&mem_pool);
	cr_assert_eq(vtd_cell_init(&inmate), 0);
	cr_expect_eq(inmate.arch.domain_id, old_id, "id reused");
	cr_expect_eq(page_pool_used(&mem_pool), before + 1);
	shut_down();
}

Test(VTD_SUITE, shutdown_frees_every_table)
{
	add_units(2);
	boot_two_cells();
	cr_assert_gt(page_pool_used(&mem_pool), baseline);
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
	cr_expect_not(sim_dmar_translation_enabled(0));
	cr_expect_not(sim_dmar_translation_enabled(1));
	expect_no_protocol_errors(0);
	expect_no_protocol_errors(1);
}

Test(VTD_SUITE, can_init_again_after_shutdown)
{
	u32 v;

	add_units(1);
	boot_two_cells();
	shut_down();
	boot_two_cells();
	put32(CELL_RAM, 3);
	assert_dma(dma_read(DISK, 0, &v), SIM_DMA_OK);
	cr_expect_eq(v, 3);
	expect_no_protocol_errors(0);
	shut_down();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

/*
 * The pool running out at each allocation of the init in turn: -ENOMEM,
 * every page back, no unit translating, and nothing done with a table it
 * did not get (a flush of it would fault). It is the init after an
 * earlier enable and shutdown: nothing of that one may linger.
 */
Test(VTD_SUITE, init_runs_out_of_pool_at_every_step)
{
	unsigned long left, free_pages;
	void *hog;
	int err;

	add_units(2);
	cr_assert_eq(vtd_init(&sys), 0);
	vtd_shutdown();
	cr_assert_eq(page_pool_used(&mem_pool), baseline);
	free_pages = page_pool_free_pages(&mem_pool);
	for (left = 0; left < free_pages; left++) {
		hog = page_alloc(&mem_pool, free_pages - left);
		cr_assert_not_null(hog);
		err = vtd_init(&sys);
		page_free(&mem_pool, hog, free_pages - left);
		if (!err)
			break;
		cr_assert_eq(err, -ENOMEM, "%lu pages left: %d", left, err);
		cr_assert_eq(page_pool_used(&mem_pool), baseline,
			     "%lu pages left: pages kept", left);
		cr_assert_not(sim_dmar_translation_enabled(0));
		cr_assert_not(sim_dmar_translation_enabled(1));
	}
	cr_assert_eq(err, 0, "no pool size lets the init through");
	cr_assert_gt(left, 1, "the init needs more than a page");
	vtd_shutdown();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

/* Every unit counts, the last one too: the loops over units reach it. */

static void set_caps(unsigned int unit, u64 cap_clear, u64 cap_set)
{
	const u8 *regs = hw_map_device(unit ? UNIT1 : UNIT0, 0x1000);

	sim_dmar_set_caps(unit,
			  (hw_mmio_read64(regs + VTD_CAP_REG) & ~cap_clear) |
				  cap_set,
			  hw_mmio_read64(regs + VTD_ECAP_REG));
}

Test(VTD_SUITE, write_buffer_flush_on_the_last_unit_is_refused)
{
	add_units(2);
	set_caps(1, 0, VTD_CAP_RWBF);
	cr_expect_eq(vtd_init(&sys), -EIO);
	cr_expect(log_contains("no-write-buffer-flush(CAP.RWBF)"), "%s",
		  "RWBF of unit 1 not seen");
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}

Test(VTD_SUITE, domain_ids_are_those_of_the_smallest_unit)
{
	static struct cell cells[20];
	unsigned int n;
	int err = 0;

	add_units(2);
	/* CAP.ND 0: 16 domain ids, 0 reserved, on the last unit only. */
	set_caps(1, 7, 0);
	cr_assert_eq(vtd_init(&sys), 0, "%s", "init");
	for (n = 0; n < 20 && !err; n++) {
		cells[n].config = &cell_desc;
		cells[n].id = n + 1;
		err = vtd_cell_init(&cells[n]);
	}
	cr_expect_eq(err, -ENOMEM);
	cr_expect_eq(n, 16, "15 cells get domain ids 1-15, the 16th none");
	cr_expect(log_contains("no free domain id"));
	while (n-- > 0)
		vtd_cell_exit(&cells[n]);
	vtd_shutdown();
	cr_expect_eq(page_pool_used(&mem_pool), baseline);
}
