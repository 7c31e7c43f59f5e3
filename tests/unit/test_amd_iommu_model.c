// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's AMD-Vi model on its own, driven through its registers
 * with hand-built tables: the oracle the driver's tests rely on must
 * itself walk, cache, log and refuse as the specification says.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <asm/hw.h>
#include <core/arch.h>
#include <sim/amd_iommu.h>
#include <sim/pci_hw.h>
#include <sim/phys.h>

#define RAM_SIZE (1ULL << 30)
#define UNIT 0xfeb80000ULL
#define FN 0x0020 /* 00:04.0 */
#define DEV_TABLE 0x100000ULL /* two pages: device ids 0-255 */
#define CMD_BUF 0x200000ULL
#define EVT_LOG 0x300000ULL
#define WAIT_WORD 0x400000ULL
#define PT 0x500000ULL /* page tables, one page each from here */
#define IRT 0x600000ULL
#define TARGET 0x10000000ULL

#define DEV 0x0018 /* 00:03.0 */
#define RING(base) ((base) | 8ULL << 56)
#define ON                                                                     \
	(SIM_AMDVI_CTRL_CMD_BUF_EN | SIM_AMDVI_CTRL_EVT_LOG_EN |              \
	 SIM_AMDVI_CTRL_EVT_INT_EN | SIM_AMDVI_CTRL_IOMMU_EN)

#define V (1ULL << 0)
#define TV (1ULL << 1)
#define MODE(n) ((u64)(n) << 9)
#define IR (1ULL << 61)
#define IW (1ULL << 62)
#define PR (1ULL << 0)
#define NL(n) ((u64)(n) << 9)
#define IV (1ULL << 0)
#define TABLEN(n) ((u64)(n) << 1)
#define INTCTL(n) ((u64)(n) << 60)

static u8 *regs;
static unsigned int cmd_tail;

static void setup(void)
{
	cr_assert_eq(sim_phys_init(RAM_SIZE), 0);
	sim_amdvi_reset();
	sim_pci_reset();
	cr_assert_eq(sim_amdvi_add_unit(UNIT, FN, 0x40, 0x54, 0, 0xff), 0);
	regs = hw_map_device(UNIT, SIM_AMDVI_REG_SIZE);
	cmd_tail = 0;
}

static void teardown(void)
{
	sim_amdvi_reset();
	sim_phys_exit();
}

TestSuite(amdvi_model, .init = setup, .fini = teardown);

static void w64(unsigned int reg, u64 v)
{
	hw_mmio_write64(regs + reg, v);
}

static u64 r64(unsigned int reg)
{
	return hw_mmio_read64(regs + reg);
}

static u64 *ram(u64 phys)
{
	return sim_phys_ptr(phys, 8);
}

static void enable(u64 extra_control)
{
	w64(SIM_AMDVI_DEV_TABLE_BASE, DEV_TABLE | 1);
	w64(SIM_AMDVI_CMD_BUF_BASE, RING(CMD_BUF));
	w64(SIM_AMDVI_EVT_LOG_BASE, RING(EVT_LOG));
	w64(SIM_AMDVI_CONTROL, ON | extra_control);
}

static void command(u64 lo, u64 hi)
{
	ram(CMD_BUF + cmd_tail * 16)[0] = lo;
	ram(CMD_BUF + cmd_tail * 16)[1] = hi;
	cmd_tail = (cmd_tail + 1) % 256;
	w64(SIM_AMDVI_CMD_BUF_TAIL, cmd_tail << 4);
}

static void set_dte(u16 devid, u64 q0, u64 q1, u64 q2, u64 q3)
{
	u64 *dte = ram(DEV_TABLE + devid * 32ULL);

	dte[0] = q0;
	dte[1] = q1;
	dte[2] = q2;
	dte[3] = q3;
}

static void inv_dte(u16 devid)
{
	command(devid | 2ULL << 60, 0);
}

static struct sim_amdvi_stats stats(void)
{
	struct sim_amdvi_stats st;

	sim_amdvi_get_stats(0, &st);
	return st;
}

static struct sim_amdvi_event last_event(void)
{
	struct sim_amdvi_event e;

	cr_assert(sim_amdvi_last_event(0, &e));
	return e;
}

static enum sim_amdvi_result rd(u16 devid, u64 addr)
{
	u32 v;

	return sim_amdvi_dma(devid, addr, 4, false, &v);
}

static enum sim_amdvi_result wr(u16 devid, u64 addr)
{
	u32 v = 1;

	return sim_amdvi_dma(devid, addr, 4, true, &v);
}

/*
 * A 4-level table for domain 1: 0x1000 -> TARGET (4K, read only at the
 * leaf), 2M page at 0x200000 -> TARGET + 2M, 1G page at 1G -> 0 (the
 * directory pointer without IW).
 */
static void build_tables(void)
{
	ram(PT)[0] = (PT + 0x1000) | PR | IR | IW | NL(3);
	ram(PT + 0x1000)[0] = (PT + 0x2000) | PR | IR | IW | NL(2);
	ram(PT + 0x1000)[1] = 0 | PR | IR; /* 1G leaf, read only */
	ram(PT + 0x2000)[0] = (PT + 0x3000) | PR | IR | IW | NL(1);
	ram(PT + 0x2000)[1] = (TARGET + 0x200000) | PR | IR | IW;
	ram(PT + 0x3000)[1] = TARGET | PR | IR;
	set_dte(DEV, V | TV | MODE(4) | PT | IR | IW, 1, 0, 0);
}

Test(amdvi_model, unit_appears_on_the_pci_bus)
{
	cr_expect_eq(sim_amdvi_num_units(), 1);
	cr_expect_eq(sim_pci_config_read(FN, 0x34, 1), 0x40);
	cr_expect_eq(sim_pci_config_read(FN, 0x40, 1), 0x0f);
	cr_expect_eq(sim_pci_config_read(FN, 0x41, 1), 0x54, "then MSI");
	cr_expect_eq(sim_pci_config_read(FN, 0x44, 4), (u32)UNIT | 1);
	cr_expect_eq(sim_pci_config_read(FN, 0x54, 1), 0x05);
	cr_expect(r64(SIM_AMDVI_EXT_FEATURES) & SIM_AMDVI_EFR_IA);
	cr_expect_eq(sim_amdvi_add_unit(UNIT, 0x28, 0x40, 0x54, 0, 0xff),
		     -EEXIST);
}

Test(amdvi_model, at_most_eight_units)
{
	unsigned int i;

	for (i = 1; i < SIM_AMDVI_MAX_UNITS; i++)
		cr_assert_eq(sim_amdvi_add_unit(UNIT + i * 0x10000, FN + i,
						0x40, 0x54, 0, 0),
			     (int)i);
	cr_expect_eq(sim_amdvi_add_unit(0xfe000000, 0x30, 0x40, 0x54, 0, 0),
		     -ENOSPC);
}

Test(amdvi_model, requests_pass_untranslated_where_nothing_applies)
{
	cr_expect_eq(wr(DEV, TARGET), SIM_AMDVI_OK, "unit off");
	enable(0);
	cr_expect_eq(wr(DEV, TARGET), SIM_AMDVI_OK, "V clear");
	set_dte(DEV, V, 0, 0, 0);
	cr_expect_eq(wr(DEV, TARGET), SIM_AMDVI_OK, "TV clear");
	cr_expect_eq(wr(0x300, TARGET), SIM_AMDVI_OK, "no unit's device");
	cr_expect_eq(wr(DEV, RAM_SIZE), SIM_AMDVI_BAD_TARGET);
	cr_expect_eq(stats().cached_dtes, 1);
}

Test(amdvi_model, mode_0_entries_grant_only_their_ir_and_iw)
{
	struct sim_amdvi_event e;

	enable(0);
	set_dte(DEV, V | TV | IR, 7, 0, 0);
	cr_expect_eq(rd(DEV, TARGET), SIM_AMDVI_OK);
	cr_expect_eq(wr(DEV, TARGET), SIM_AMDVI_BLOCKED);
	e = last_event();
	cr_expect_eq(e.code, SIM_AMDVI_EVT_IO_PAGE_FAULT);
	cr_expect_eq(e.devid, DEV);
	cr_expect_eq(e.domain, 7);
	cr_expect_eq(e.address, TARGET);
	cr_expect_eq(e.flags, SIM_AMDVI_EVT_FLAG_PR | SIM_AMDVI_EVT_FLAG_PE |
				      SIM_AMDVI_EVT_FLAG_RW);
	/* The event is in memory too, as the driver reads it. */
	cr_expect_eq(r64(SIM_AMDVI_EVT_LOG_TAIL), 0x10);
	cr_expect_eq(ram(EVT_LOG)[1], TARGET);
	cr_expect_eq(ram(EVT_LOG)[0] >> 60, 2);
}

Test(amdvi_model, walks_4k_2m_and_1g_leaves)
{
	u32 v = 0;

	enable(0);
	build_tables();
	*(u32 *)sim_phys_ptr(TARGET + 0x10, 4) = 0x11;
	*(u32 *)sim_phys_ptr(TARGET + 0x200010, 4) = 0x22;
	*(u32 *)sim_phys_ptr(0x10, 4) = 0x33;
	cr_assert_eq(sim_amdvi_dma(DEV, 0x1010, 4, false, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 0x11);
	cr_assert_eq(sim_amdvi_dma(DEV, 0x200010, 4, false, &v), SIM_AMDVI_OK);
	cr_expect_eq(v, 0x22);
	cr_assert_eq(sim_amdvi_dma(DEV, 0x40000010, 4, false, &v),
		     SIM_AMDVI_OK);
	cr_expect_eq(v, 0x33);
	cr_expect_eq(wr(DEV, 0x1010), SIM_AMDVI_WRITE_DENIED);
	cr_expect_eq(wr(DEV, 0x40000010), SIM_AMDVI_WRITE_DENIED,
		     "the 1G leaf lacks IW");
	cr_expect_eq(wr(DEV, 0x200010), SIM_AMDVI_OK);
	cr_expect_eq(rd(DEV, 0x2000), SIM_AMDVI_NOT_PRESENT);
	cr_expect_eq(rd(DEV, 1ULL << 48), SIM_AMDVI_NOT_PRESENT, "beyond mode 4");
	/* A request over two pages is translated page by page. */
	cr_expect_eq(sim_amdvi_dma(DEV, 0x1ffe, 4, false, &v),
		     SIM_AMDVI_NOT_PRESENT);
	/* Read permission is checked at every level too. */
	ram(PT + 0x3000)[1] = TARGET | PR | IW;
	command(DEV | 2ULL << 60, 0);
	command(1ULL << 32 | 3ULL << 60, 0x7ffffffffffff000ULL | 1);
	cr_expect_eq(rd(DEV, 0x1010), SIM_AMDVI_READ_DENIED);
}

Test(amdvi_model, malformed_tables_are_reserved_errors)
{
	enable(0);
	build_tables();
	ram(PT + 0x3000)[1] = TARGET | PR | IR | 1ULL << 52;
	cr_expect_eq(rd(DEV, 0x1000), SIM_AMDVI_RESERVED);
	cr_expect(last_event().flags & SIM_AMDVI_EVT_FLAG_RZ);
	ram(PT + 0x2000)[1] = TARGET | PR | IR | NL(7);
	cr_expect_eq(rd(DEV, 0x200000), SIM_AMDVI_RESERVED, "no page sizes");
	ram(PT + 0x2000)[1] = (PT + 0x3000) | PR | IR | NL(2);
	cr_expect_eq(rd(DEV, 0x200000), SIM_AMDVI_RESERVED, "no skipping");
	ram(PT + 0x2000)[1] = (TARGET + 0x1000) | PR | IR;
	cr_expect_eq(rd(DEV, 0x200000), SIM_AMDVI_RESERVED, "2M misaligned");
	ram(PT + 0x2000)[1] = (2ULL << 30) | PR | IR | NL(1);
	cr_expect_eq(rd(DEV, 0x200000), SIM_AMDVI_TABLE_ERROR);
	cr_expect_eq(last_event().code, SIM_AMDVI_EVT_PAGE_TAB_HW_ERROR);
	/* Six levels: every address fits, the first table says no. */
	set_dte(0x19, V | TV | MODE(6) | (PT + 0x7000) | IR, 0, 0, 0);
	cr_expect_eq(rd(0x19, ~0xfffULL), SIM_AMDVI_NOT_PRESENT);
}

Test(amdvi_model, malformed_device_entries_are_illegal)
{
	static const u64 bad[][4] = {
		{ V | TV | MODE(7), 0, 0, 0 },
		{ V | (1ULL << 55), 0, 0, 0 },
		{ V, 1ULL << 16, 0, 0 },
		{ V, 0, INTCTL(3), 0 },
		{ V, 0, TABLEN(12), 0 },
		{ V, 0, 1ULL << 59, 0 },
		{ V, 0, 0, 1 },
	};
	unsigned int i;

	enable(0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set_dte(0x20 + i, bad[i][0], bad[i][1], bad[i][2], bad[i][3]);
		cr_expect_eq(rd(0x20 + i, 0), SIM_AMDVI_ILLEGAL_DTE, "%u", i);
		cr_expect_eq(last_event().code, SIM_AMDVI_EVT_ILLEGAL_DTE);
	}
	/* Past the two pages of device table: 128 entries per page. */
	cr_expect_eq(rd(0xf0, 0), SIM_AMDVI_OK);
	w64(SIM_AMDVI_CONTROL, ON & ~SIM_AMDVI_CTRL_IOMMU_EN);
	w64(SIM_AMDVI_DEV_TABLE_BASE, DEV_TABLE);
	w64(SIM_AMDVI_CONTROL, ON);
	cr_expect_eq(rd(0xf1, 0), SIM_AMDVI_BEYOND_TABLE);
	w64(SIM_AMDVI_CONTROL, ON & ~SIM_AMDVI_CTRL_IOMMU_EN);
	w64(SIM_AMDVI_DEV_TABLE_BASE, (2ULL << 30) | 1);
	w64(SIM_AMDVI_CONTROL, ON);
	cr_expect_eq(rd(0x10, 0), SIM_AMDVI_TABLE_ERROR);
	cr_expect_eq(last_event().code, SIM_AMDVI_EVT_DEV_TAB_HW_ERROR);
}

Test(amdvi_model, entries_and_translations_stay_cached_until_invalidated)
{
	u32 v;

	enable(0);
	build_tables();
	cr_assert_eq(rd(DEV, 0x1000), SIM_AMDVI_OK);
	set_dte(DEV, V | TV, 0, 0, 0);
	cr_expect_eq(rd(DEV, 0x1000), SIM_AMDVI_OK, "stale device entry");
	inv_dte(DEV);
	cr_expect_eq(rd(DEV, 0x1000), SIM_AMDVI_BLOCKED);
	build_tables();
	inv_dte(DEV);
	cr_assert_eq(rd(DEV, 0x1000), SIM_AMDVI_OK);
	cr_assert_eq(rd(DEV, 0x200000), SIM_AMDVI_OK);
	ram(PT + 0x3000)[1] = 0;
	ram(PT + 0x2000)[1] = 0;
	cr_expect_eq(rd(DEV, 0x1000), SIM_AMDVI_OK, "stale translation");
	/* One page of another domain: nothing. */
	command(2ULL << 32 | 3ULL << 60, 0x1000);
	cr_expect_eq(rd(DEV, 0x1000), SIM_AMDVI_OK);
	/* One page (S = 0). */
	command(1ULL << 32 | 3ULL << 60, 0x1000);
	cr_expect_eq(rd(DEV, 0x1000), SIM_AMDVI_NOT_PRESENT);
	/* 0x200000 + 2M, encoded as S = 1 with the low page bits set. */
	cr_expect_eq(rd(DEV, 0x200000), SIM_AMDVI_OK);
	command(1ULL << 32 | 3ULL << 60, 0x2ff000 | 1);
	cr_expect_eq(sim_amdvi_dma(DEV, 0x200000, 4, false, &v),
		     SIM_AMDVI_NOT_PRESENT);
	cr_expect_eq(stats().page_invalidations, 3);
	cr_expect_eq(stats().dte_invalidations, 2);
}

Test(amdvi_model, commands_complete_and_bad_ones_stop_the_buffer)
{
	struct sim_amdvi_event e;

	enable(0);
	command(WAIT_WORD | 1 | 2 | 1ULL << 60, 0x1234);
	cr_expect_eq(*ram(WAIT_WORD), 0x1234);
	cr_expect(r64(SIM_AMDVI_STATUS) & SIM_AMDVI_STATUS_COMP_WAIT_INT);
	w64(SIM_AMDVI_STATUS, SIM_AMDVI_STATUS_COMP_WAIT_INT);
	cr_expect_not(r64(SIM_AMDVI_STATUS) & SIM_AMDVI_STATUS_COMP_WAIT_INT);
	command(8ULL << 60, 0);
	cr_expect_eq(stats().all_invalidations, 1);
	cr_expect_eq(stats().completion_waits, 1);
	cr_expect(r64(SIM_AMDVI_STATUS) & SIM_AMDVI_STATUS_CMD_RUN);
	/* An unknown opcode: the buffer stops at it, the event says where. */
	command(0xfULL << 60, 0);
	cr_expect_not(r64(SIM_AMDVI_STATUS) & SIM_AMDVI_STATUS_CMD_RUN);
	e = last_event();
	cr_expect_eq(e.code, SIM_AMDVI_EVT_ILLEGAL_COMMAND);
	cr_expect_eq(e.address, CMD_BUF + 0x20);
	cr_expect_eq(r64(SIM_AMDVI_CMD_BUF_HEAD), 0x20);
}

/* Each malformed command on a fresh buffer: all are refused. */
Test(amdvi_model, reserved_fields_make_commands_illegal)
{
	static const u64 bad[][2] = {
		{ WAIT_WORD | 1 | 1ULL << 52 | 1ULL << 60, 0 },
		{ (2ULL << 30) | 1 | 1ULL << 60, 0 },
		{ 1ULL << 16 | 2ULL << 60, 0 },
		{ 2ULL << 60, 1 },
		{ 1ULL << 48 | 3ULL << 60, 0 },
		{ 3ULL << 60, 0x4 },
		{ 1ULL << 16 | 5ULL << 60, 0 },
		{ 5ULL << 60, 1 },
		{ 1 | 8ULL << 60, 0 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sim_amdvi_reset();
		sim_mmio_bus_reset();
		sim_pci_reset();
		cr_assert_eq(sim_amdvi_add_unit(UNIT, FN, 0x40, 0x54, 0, 0xff),
			     0);
		cmd_tail = 0;
		enable(0);
		command(bad[i][0], bad[i][1]);
		cr_expect_not(r64(SIM_AMDVI_STATUS) & SIM_AMDVI_STATUS_CMD_RUN,
			      "command %u accepted", i);
	}
	/* INVALIDATE_IOMMU_ALL where the unit does not have it. */
	sim_amdvi_set_efr(0, 0);
	w64(SIM_AMDVI_CONTROL, 0);
	w64(SIM_AMDVI_CMD_BUF_HEAD, 0);
	cmd_tail = 0;
	w64(SIM_AMDVI_CMD_BUF_TAIL, 0);
	w64(SIM_AMDVI_CONTROL, ON);
	command(8ULL << 60, 0);
	cr_expect_not(r64(SIM_AMDVI_STATUS) & SIM_AMDVI_STATUS_CMD_RUN);
}

Test(amdvi_model, interrupt_table_entries_cached_until_invalidated)
{
	struct sim_amdvi_irq r;
	u32 *irte = (u32 *)ram(IRT);

	enable(0);
	set_dte(DEV, V | TV, 0, IV | TABLEN(8) | IRT | INTCTL(2), 0);
	irte[5] = 1 | 0x03 << 8 | 0x41 << 16;
	cr_assert_eq(sim_amdvi_msi(DEV, 0xfee00000, 5, &r),
		     SIM_MSI_DELIVERED);
	cr_expect(r.remapped);
	cr_expect_eq(r.index, 5);
	cr_expect_eq(r.dest, 3);
	cr_expect_eq(r.vector, 0x41);
	irte[5] = 1 | 0x02 << 8 | 0x42 << 16 | 1 << 2 | 1 << 6;
	cr_assert_eq(sim_amdvi_msi(DEV, 0xfee00000, 5, &r),
		     SIM_MSI_DELIVERED);
	cr_expect_eq(r.vector, 0x41, "cached");
	command(DEV | 5ULL << 60, 0);
	cr_assert_eq(sim_amdvi_msi(DEV, 0xfee00000, 5, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.vector, 0x42);
	cr_expect_eq(r.delivery_mode, 1);
	cr_expect(r.dest_logical);
	cr_expect_eq(stats().irt_invalidations, 1);
	cr_expect_eq(stats().cached_irtes, 1);
}

Test(amdvi_model, interrupt_requests_refused)
{
	struct sim_amdvi_irq r;
	u32 *irte = (u32 *)ram(IRT);

	enable(0);
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfed00000, 0, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_NOT_INTERRUPT);
	set_dte(DEV, V | TV, 0, IV | TABLEN(4) | IRT | INTCTL(2), 0);
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 16, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_NOT_PRESENT, "beyond the table");
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 1, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_NOT_PRESENT, "RemapEn clear");
	cr_expect(last_event().flags & SIM_AMDVI_EVT_FLAG_I);
	irte[2] = 1 | 1 << 7;
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 2, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_RESERVED, "guest mode");
	irte[3] = 1 | 3 << 2;
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 3, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_RESERVED, "no such type");
	irte[4] = 1 | 0x41 << 16 | 1U << 24;
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 4, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_RESERVED, "bits 31:24");
	/* SMI never passes; a table outside RAM is an error. */
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 0x200, &r),
		     SIM_MSI_BLOCKED);
	set_dte(0x21, V | TV, 0, IV | TABLEN(4) | (2ULL << 30) | INTCTL(2), 0);
	cr_expect_eq(sim_amdvi_msi(0x21, 0xfee00000, 1, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_TABLE_ERROR);
	/* A device entry the unit refuses blocks its interrupts too. */
	set_dte(0x22, V | TV | MODE(7), 0, 0, 0);
	cr_expect_eq(sim_amdvi_msi(0x22, 0xfee00000, 1, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_ILLEGAL_DTE);
}

Test(amdvi_model, kinds_outside_the_table_pass_only_where_allowed)
{
	struct sim_amdvi_irq r;

	enable(0);
	set_dte(DEV, V | TV, 0, IV | INTCTL(1) | 1ULL << 56 | 1ULL << 57, 0);
	cr_assert_eq(sim_amdvi_msi(DEV, 0xfee02004, 0x30, &r),
		     SIM_MSI_DELIVERED, "IntCtl 1 forwards fixed ones");
	cr_expect_not(r.remapped);
	cr_expect_eq(r.dest, 2);
	cr_expect(r.dest_logical);
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 0x500, &r),
		     SIM_MSI_DELIVERED, "INIT passes");
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 0x700, &r),
		     SIM_MSI_DELIVERED, "ExtINT passes");
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 0x400, &r),
		     SIM_MSI_BLOCKED, "NMI does not");
	/* Arbitrated messages are looked up too: bits 10:8 are the index's. */
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 0x130, &r),
		     SIM_MSI_DELIVERED);
	set_dte(0x21, V | TV, 0, IV | 1ULL << 58, 0);
	cr_expect_eq(sim_amdvi_msi(0x21, 0xfee00000, 0x400, &r),
		     SIM_MSI_DELIVERED);
	cr_expect_eq(sim_amdvi_msi(0x21, 0xfee00000, 0x30, &r),
		     SIM_MSI_BLOCKED, "IntCtl 0 aborts");
	/* No interrupt map, no unit or a unit that is off: untouched. */
	set_dte(0x22, V | TV, 0, 0, 0);
	cr_expect_eq(sim_amdvi_msi(0x22, 0xfee00000, 0x30, &r),
		     SIM_MSI_DELIVERED);
	cr_expect_eq(sim_amdvi_msi(0x300, 0xfee00000, 0x30, &r),
		     SIM_MSI_DELIVERED);
}

Test(amdvi_model, x2apic_entries_need_ga_and_xt)
{
	struct sim_amdvi_irq r;
	u64 *irte = ram(IRT);

	enable(SIM_AMDVI_CTRL_GA_EN | SIM_AMDVI_CTRL_XT_EN);
	set_dte(DEV, V | TV, 0, IV | TABLEN(8) | IRT | INTCTL(2), 0);
	irte[2] = 1 | 0x020304ULL << 8;
	irte[3] = 0x61 | 1ULL << 56;
	cr_assert_eq(sim_amdvi_msi(DEV, 0xfee00000, 1, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.dest, 0x01020304);
	cr_expect_eq(r.vector, 0x61);
	irte[4] = 1 | 1ULL << 32;
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 2, &r), SIM_MSI_BLOCKED,
		     "guest fields");
	/* Without XTEn only 8 destination bits. */
	w64(SIM_AMDVI_CONTROL, (ON & ~SIM_AMDVI_CTRL_IOMMU_EN) |
				       SIM_AMDVI_CTRL_GA_EN);
	w64(SIM_AMDVI_CONTROL, ON | SIM_AMDVI_CTRL_GA_EN);
	command(DEV | 5ULL << 60, 0);
	cr_expect_eq(sim_amdvi_msi(DEV, 0xfee00000, 1, &r), SIM_MSI_BLOCKED);
	cr_expect_eq(r.why, SIM_AMDVI_RESERVED);
}

Test(amdvi_model, event_log_overflows_and_can_be_off)
{
	unsigned int i;
	u64 address;
	u32 data;

	sim_pci_config_write(FN, 0x54 + 4, 4, 0xfee00000);
	sim_pci_config_write(FN, 0x54 + 12, 2, 0x400);
	sim_pci_config_write(FN, 0x54 + 2, 2, 0x81);
	enable(0);
	set_dte(DEV, V | TV, 0, 0, 0);
	for (i = 0; i < 256; i++)
		wr(DEV, 0);
	cr_expect(r64(SIM_AMDVI_STATUS) & SIM_AMDVI_STATUS_EVT_OVERFLOW);
	cr_expect_not(r64(SIM_AMDVI_STATUS) & SIM_AMDVI_STATUS_EVT_RUN);
	cr_expect_eq(stats().events_lost, 1);
	wr(DEV, 0);
	cr_expect_eq(stats().events_lost, 2);
	cr_expect_eq(sim_amdvi_event_count(0), 257);
	cr_expect_eq(sim_amdvi_interrupts(0, &address, &data), 256);
	cr_expect_eq(address, 0xfee00000);
	cr_expect_eq(data, 0x400);
	/* On again with the overflow still set: misuse. */
	w64(SIM_AMDVI_CONTROL, ON & ~SIM_AMDVI_CTRL_EVT_LOG_EN);
	w64(SIM_AMDVI_CONTROL, ON);
	cr_expect_eq(stats().protocol_errors, 1);
	cr_expect_not(r64(SIM_AMDVI_STATUS) & SIM_AMDVI_STATUS_EVT_RUN);
	/* A log outside RAM is the software's fault. */
	w64(SIM_AMDVI_CONTROL, ON & ~SIM_AMDVI_CTRL_EVT_LOG_EN);
	w64(SIM_AMDVI_STATUS, SIM_AMDVI_STATUS_EVT_OVERFLOW);
	w64(SIM_AMDVI_EVT_LOG_BASE, RING(2ULL << 30));
	w64(SIM_AMDVI_EVT_LOG_HEAD, 0);
	w64(SIM_AMDVI_EVT_LOG_TAIL, 0);
	w64(SIM_AMDVI_CONTROL, ON);
	wr(DEV, 0);
	cr_expect_str_eq(sim_amdvi_last_protocol_error(0),
			 "event log at 0x800000080000000 is not RAM");
}

Test(amdvi_model, registers_refuse_misuse)
{
	unsigned int errors = 0;

#define expect_misuse(what)                                                    \
	cr_expect_eq(stats().protocol_errors, ++errors, "%s: %s", what,        \
		     sim_amdvi_last_protocol_error(0))

	w64(SIM_AMDVI_CMD_BUF_BASE, CMD_BUF | 7ULL << 56);
	expect_misuse("256 entries at least");
	enable(SIM_AMDVI_CTRL_GA_EN);
	w64(SIM_AMDVI_DEV_TABLE_BASE, 0);
	expect_misuse("device table while on");
	w64(SIM_AMDVI_CMD_BUF_BASE, RING(CMD_BUF));
	expect_misuse("command buffer while on");
	w64(SIM_AMDVI_EVT_LOG_BASE, RING(EVT_LOG));
	expect_misuse("event log while on");
	w64(SIM_AMDVI_CMD_BUF_HEAD, 0);
	expect_misuse("command head while running");
	w64(SIM_AMDVI_CMD_BUF_TAIL, 256 << 4);
	expect_misuse("tail beyond the buffer");
	w64(SIM_AMDVI_EVT_LOG_TAIL, 0);
	expect_misuse("event tail while running");
	w64(SIM_AMDVI_EXT_FEATURES, 0);
	expect_misuse("read-only register");
	w64(SIM_AMDVI_CONTROL, ON);
	expect_misuse("entry format while on");
	hw_mmio_write16(regs + SIM_AMDVI_CONTROL, 0);
	expect_misuse("2-byte access");
	/* 4-byte halves work; exclusion registers are plain storage. */
	hw_mmio_write32(regs + SIM_AMDVI_EXCL_BASE + 4, 0x12);
	hw_mmio_write32(regs + SIM_AMDVI_EXCL_LIMIT, 0x3000);
	cr_expect_eq(r64(SIM_AMDVI_EXCL_BASE), 0x12ULL << 32);
	cr_expect_eq(hw_mmio_read32(regs + SIM_AMDVI_EXCL_LIMIT), 0x3000);
	cr_expect_eq(hw_mmio_read32(regs + SIM_AMDVI_EXT_FEATURES + 4), 0);
	cr_expect_eq(r64(0x1000), 0, "a register the unit lacks reads zero");
	cr_expect_eq(stats().protocol_errors, errors);
}

Test(amdvi_model, non_coherent_units_read_what_was_flushed)
{
	u64 *dte;

	sim_amdvi_reset();
	sim_mmio_bus_reset();
	sim_pci_reset();
	sim_amdvi_set_coherent(false);
	cr_assert_eq(sim_amdvi_add_unit(UNIT, FN, 0x40, 0x54, 0, 0xff), 0);
	enable(0);
	set_dte(DEV, V | TV | IR, 0, 0, 0);
	cr_expect_eq(rd(DEV, TARGET), SIM_AMDVI_ILLEGAL_DTE,
		     "never flushed: all ones");
	dte = ram(DEV_TABLE + DEV * 32);
	arch_flush_for_device(dte, 32);
	inv_dte(DEV);
	cr_expect_eq(rd(DEV, TARGET), SIM_AMDVI_OK);
}

Test(amdvi_model, observation_of_units_that_do_not_exist)
{
	struct sim_amdvi_stats st;
	struct sim_amdvi_event e;

	cr_expect_eq(sim_amdvi_event_count(3), 0);
	cr_expect_not(sim_amdvi_last_event(3, &e));
	cr_expect_not(sim_amdvi_last_event(0, &e), "no event yet");
	cr_expect_eq(sim_amdvi_interrupts(3, NULL, NULL), 0);
	cr_expect_eq(sim_amdvi_interrupts(0, NULL, NULL), 0);
	sim_amdvi_get_stats(3, &st);
	cr_expect_eq(st.commands, 0);
	cr_expect_str_eq(sim_amdvi_last_protocol_error(3), "");
	cr_expect_not(sim_amdvi_enabled(3));
	cr_expect_eq(sim_amdvi_control(3), 0);
	sim_amdvi_set_efr(3, 0);
	cr_expect_str_eq(sim_amdvi_result_name(SIM_AMDVI_BEYOND_TABLE),
			 "beyond the device table");
	cr_expect_str_eq(sim_amdvi_result_name(99), "?");
}
