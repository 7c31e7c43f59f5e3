// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's VT-d model, programmed by hand: tables are built in fake
 * RAM here, registers are written as a driver would, and DMA and MSIs are
 * checked against what the specification says the hardware does.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <asm/hw.h>
#include <sim/dmar.h>
#include <sim/phys.h>

#define UNIT_BASE 0xfed90000ULL
#define UNIT1_BASE 0xfed91000ULL
#define RAM_SIZE (256ULL << 20)

#define ROOT_TABLE 0x100000ULL
#define CTX_BUS0 0x101000ULL
#define CTX_BUS1 0x102000ULL
#define QUEUE 0x103000ULL
#define WAIT_STATUS 0x104000ULL
#define IRT 0x105000ULL
#define TABLES 0x200000ULL /* second-level tables from here on */
#define DATA 0x4000000ULL /* DMA targets */

#define DEV_A JAILHOUSE_BDF(0, 2, 0)
#define DEV_B JAILHOUSE_BDF(0, 3, 0)
#define DEV_C JAILHOUSE_BDF(1, 0, 1)
#define JAILHOUSE_BDF(b, d, f) ((u16)((b) << 8 | (d) << 3 | (f)))

static u8 *regs;
static u64 next_table;

static void setup(void)
{
	cr_assert_eq(sim_phys_init(RAM_SIZE), 0);
	sim_dmar_reset();
	cr_assert_eq(sim_dmar_add_unit(UNIT_BASE), 0);
	regs = hw_map_device(UNIT_BASE, SIM_DMAR_REG_SIZE);
	next_table = TABLES;
}

static void teardown(void)
{
	sim_dmar_reset();
	sim_phys_exit();
}

TestSuite(dmar_model, .init = setup, .fini = teardown);

static u32 rd32(unsigned int off)
{
	return hw_mmio_read32(regs + off);
}

static u64 rd64(unsigned int off)
{
	return hw_mmio_read64(regs + off);
}

static void wr32(unsigned int off, u32 v)
{
	hw_mmio_write32(regs + off, v);
}

static void wr64(unsigned int off, u64 v)
{
	hw_mmio_write64(regs + off, v);
}

static u64 *ram64(u64 phys)
{
	u64 *p = sim_phys_ptr(phys, 8);

	cr_assert_not_null(p);
	return p;
}

static u64 new_table(void)
{
	u64 t = next_table;

	next_table += PAGE_SIZE;
	memset(sim_phys_ptr(t, PAGE_SIZE), 0, PAGE_SIZE);
	return t;
}

/* Maps one page of size (4K, 2M, 1G) in a levels-deep table tree. */
static void sl_map(u64 root, unsigned int levels, u64 iova, u64 phys,
		   u64 size, u64 perms)
{
	u64 table = root, *pte;
	unsigned int level, shift;

	for (level = levels;; level--) {
		shift = 12 + 9 * (level - 1);
		pte = ram64(table + ((iova >> shift) & 511) * 8);
		if ((1ULL << shift) == size) {
			*pte = phys | perms;
			if (size > PAGE_SIZE)
				*pte |= DMAR_SL_PS;
			return;
		}
		if (!*pte)
			*pte = new_table() | DMAR_SL_R | DMAR_SL_W;
		table = *pte & ~0xfffULL;
	}
}

static u64 *sl_leaf(u64 root, unsigned int levels, u64 iova)
{
	u64 table = root, *pte = NULL;
	unsigned int level, shift;

	for (level = levels; level; level--) {
		shift = 12 + 9 * (level - 1);
		pte = ram64(table + ((iova >> shift) & 511) * 8);
		if (level == 1 || (*pte & DMAR_SL_PS))
			break;
		table = *pte & ~0xfffULL;
	}
	return pte;
}

static void set_root(u8 bus, u64 ctx_table)
{
	u64 *root = ram64(ROOT_TABLE + bus * 16);

	root[0] = ctx_table | DMAR_ROOT_P;
	root[1] = 0;
}

static u64 *context_of(u16 bdf)
{
	u64 table = (bdf >> 8) ? CTX_BUS1 : CTX_BUS0;

	return ram64(table + (bdf & 0xff) * 16);
}

static void set_context(u16 bdf, u64 sl_root, u64 aw, u16 did)
{
	u64 *ce = context_of(bdf);

	ce[0] = sl_root | DMAR_CTX_P;
	ce[1] = aw | (u64)did << DMAR_CTX_DID_SHIFT;
}

static void gcmd_set(u32 bits)
{
	u32 keep = rd32(DMAR_GSTS) &
		   (DMAR_GCMD_TE | DMAR_GCMD_QIE | DMAR_GCMD_IRE);

	wr32(DMAR_GCMD, keep | bits);
}

static void enable_translation(void)
{
	set_root(0, CTX_BUS0);
	set_root(1, CTX_BUS1);
	wr64(DMAR_RTADDR, ROOT_TABLE);
	gcmd_set(DMAR_GCMD_SRTP);
	gcmd_set(DMAR_GCMD_TE);
	cr_assert(sim_dmar_translation_enabled(0));
}

/* DEV_A in domain 1: 4-level, DATA page read/write, DATA + 4K read-only. */
static u64 standard_setup(void)
{
	u64 sl = new_table();

	sl_map(sl, 4, 0x10000, DATA, PAGE_SIZE, DMAR_SL_R | DMAR_SL_W);
	sl_map(sl, 4, 0x11000, DATA + 0x1000, PAGE_SIZE, DMAR_SL_R);
	set_context(DEV_A, sl, DMAR_CTX_AW_48, 1);
	enable_translation();
	return sl;
}

static enum sim_dma_result dma_read32(u16 bdf, u64 addr, u32 *value)
{
	return sim_dma(bdf, addr, 4, false, value);
}

static enum sim_dma_result dma_write32(u16 bdf, u64 addr, u32 value)
{
	return sim_dma(bdf, addr, 4, true, &value);
}

static u32 ram32(u64 phys)
{
	return *(u32 *)sim_phys_ptr(phys, 4);
}

static u64 frcd_lo(void)
{
	return rd64(DMAR_MODEL_FRO);
}

static u64 frcd_hi(void)
{
	return rd64(DMAR_MODEL_FRO + 8);
}

static void clear_fault_record(void)
{
	wr32(DMAR_MODEL_FRO + 12, (u32)(DMAR_FRCD_F >> 32));
}

#define assert_dma(expr, expected)                                           \
	do {                                                                   \
		enum sim_dma_result _r = (expr);                               \
		cr_assert_eq(_r, expected, "%s: got '%s', expected '%s'",      \
			     #expr, sim_dma_result_name(_r),                   \
			     sim_dma_result_name(expected));                   \
	} while (0)

/* Capabilities */

Test(dmar_model, reports_version_and_capabilities)
{
	u64 cap = rd64(DMAR_CAP), ecap = rd64(DMAR_ECAP);

	cr_expect_eq(rd32(DMAR_VER), 0x10);
	cr_expect(cap & DMAR_CAP_SAGAW_39);
	cr_expect(cap & DMAR_CAP_SAGAW_48);
	cr_expect(cap & DMAR_CAP_SLLPS_2M);
	cr_expect(cap & DMAR_CAP_SLLPS_1G);
	cr_expect_eq(cap & DMAR_CAP_CM, 0);
	cr_expect_eq(cap & 7, 6, "16-bit domain ids");
	cr_expect_eq((cap >> DMAR_CAP_NFR_SHIFT) & 0xff, 0, "one record");
	cr_expect_eq((cap >> DMAR_CAP_FRO_SHIFT & 0x3ff) * 16,
		     DMAR_MODEL_FRO);
	cr_expect_eq((cap >> DMAR_CAP_MGAW_SHIFT & 0x3f), 47);
	cr_expect(ecap & DMAR_ECAP_QI);
	cr_expect(ecap & DMAR_ECAP_IR);
	cr_expect(ecap & DMAR_ECAP_EIM);
	cr_expect(ecap & DMAR_ECAP_C);
	cr_expect_eq((ecap >> DMAR_ECAP_IRO_SHIFT & 0x3ff) * 16,
		     DMAR_MODEL_IRO);
	/* Also readable as 32-bit halves. */
	cr_expect_eq(rd32(DMAR_CAP + 4), (u32)(cap >> 32));
}

Test(dmar_model, capability_registers_are_read_only)
{
	u64 cap = rd64(DMAR_CAP);
	struct sim_dmar_stats st;

	wr64(DMAR_CAP, 0);
	cr_expect_eq(rd64(DMAR_CAP), cap);
	sim_dmar_get_stats(0, &st);
	cr_expect_eq(st.protocol_errors, 1);
}

/* Global command and status */

Test(dmar_model, dma_passes_untranslated_while_translation_is_off)
{
	u32 v = 0xcafe;

	assert_dma(dma_write32(DEV_B, DATA + 0x40, v), SIM_DMA_OK);
	cr_expect_eq(ram32(DATA + 0x40), 0xcafe);
	cr_expect_eq(sim_dmar_fault_count(0), 0);
}

Test(dmar_model, srtp_latches_root_pointer_and_reports_rtps)
{
	wr64(DMAR_RTADDR, ROOT_TABLE);
	cr_expect_eq(rd32(DMAR_GSTS) & DMAR_GCMD_SRTP, 0);
	gcmd_set(DMAR_GCMD_SRTP);
	cr_expect(rd32(DMAR_GSTS) & DMAR_GCMD_SRTP, "RTPS");
	cr_expect_eq(rd32(DMAR_GCMD), 0, "GCMD reads as 0");
	cr_expect_eq(rd32(DMAR_GSTS) & DMAR_GCMD_TE, 0);
}

Test(dmar_model, rtaddr_takes_effect_only_on_srtp)
{
	u64 sl = standard_setup();
	u32 v;

	(void)sl;
	/* A new pointer to an empty root table: ignored until latched. */
	wr64(DMAR_RTADDR, new_table());
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
}

Test(dmar_model, te_refused_without_root_table_pointer)
{
	struct sim_dmar_stats st;

	wr32(DMAR_GCMD, DMAR_GCMD_TE);
	cr_expect_eq(rd32(DMAR_GSTS) & DMAR_GCMD_TE, 0);
	sim_dmar_get_stats(0, &st);
	cr_expect_eq(st.protocol_errors, 1);
	cr_expect(strstr(sim_dmar_last_protocol_error(0), "TE"));
}

Test(dmar_model, non_legacy_translation_table_mode_is_refused)
{
	wr64(DMAR_RTADDR, ROOT_TABLE | 1ULL << 10);
	gcmd_set(DMAR_GCMD_SRTP);
	cr_expect_eq(rd32(DMAR_GSTS) & DMAR_GCMD_SRTP, 0);
	cr_expect(strstr(sim_dmar_last_protocol_error(0), "TTM"));
}

Test(dmar_model, gcmd_without_te_bit_turns_translation_off)
{
	u32 v = 0;

	standard_setup();
	/* A one-shot command that forgets to carry TE along. */
	wr32(DMAR_GCMD, DMAR_GCMD_SRTP);
	cr_expect_not(sim_dmar_translation_enabled(0));
	assert_dma(dma_read32(DEV_B, DATA, &v), SIM_DMA_OK);
}

Test(dmar_model, rtaddr_written_as_two_halves)
{
	wr32(DMAR_RTADDR, (u32)ROOT_TABLE);
	wr32(DMAR_RTADDR + 4, 0);
	cr_expect_eq(rd64(DMAR_RTADDR), ROOT_TABLE);
}

/* DMA translation */

Test(dmar_model, device_reaches_mapped_page_only)
{
	u32 v = 0;

	standard_setup();
	*(u32 *)sim_phys_ptr(DATA + 0x10, 4) = 0x1234;
	assert_dma(dma_read32(DEV_A, 0x10010, &v), SIM_DMA_OK);
	cr_expect_eq(v, 0x1234);
	assert_dma(dma_write32(DEV_A, 0x10020, 0xbeef), SIM_DMA_OK);
	cr_expect_eq(ram32(DATA + 0x20), 0xbeef);
	assert_dma(dma_read32(DEV_A, 0x12000, &v), SIM_DMA_SL_NOT_PRESENT);
}

Test(dmar_model, device_without_context_is_blocked_and_fault_recorded)
{
	struct sim_dmar_fault f;
	u32 v = 0;

	standard_setup();
	assert_dma(dma_write32(DEV_B, 0x10000, 7),
		   SIM_DMA_CONTEXT_NOT_PRESENT);
	cr_expect_eq(ram32(DATA), 0);

	cr_assert(sim_dmar_last_fault(0, &f));
	cr_expect_eq(f.reason, DMAR_FR_CTX_NOT_PRESENT);
	cr_expect_eq(f.source_id, DEV_B);
	cr_expect_eq(f.address, 0x10000);
	cr_expect(f.is_write);
	cr_expect_eq(sim_dmar_fault_count(0), 1);

	cr_expect(rd32(DMAR_FSTS) & DMAR_FSTS_PPF);
	cr_expect_eq(frcd_lo(), 0x10000);
	cr_expect(frcd_hi() & DMAR_FRCD_F);
	cr_expect_eq((frcd_hi() >> DMAR_FRCD_FR_SHIFT) & 0xff,
		     DMAR_FR_CTX_NOT_PRESENT);
	cr_expect_eq(frcd_hi() & 0xffff, DEV_B);
	cr_expect_eq(frcd_hi() & DMAR_FRCD_T_READ, 0, "write request");
	(void)v;
}

Test(dmar_model, bus_without_root_entry_is_blocked)
{
	u32 v;

	standard_setup();
	ram64(ROOT_TABLE + 16)[0] = 0;
	assert_dma(dma_read32(DEV_C, 0x10000, &v), SIM_DMA_ROOT_NOT_PRESENT);
	cr_expect_eq((frcd_hi() >> DMAR_FRCD_FR_SHIFT) & 0xff,
		     DMAR_FR_ROOT_NOT_PRESENT);
	cr_expect(frcd_hi() & DMAR_FRCD_T_READ, "read request");
}

Test(dmar_model, write_to_read_only_page_is_denied)
{
	struct sim_dmar_fault f;
	u32 v = 0;

	standard_setup();
	assert_dma(dma_read32(DEV_A, 0x11000, &v), SIM_DMA_OK);
	assert_dma(dma_write32(DEV_A, 0x11008, 1), SIM_DMA_WRITE_DENIED);
	cr_expect_eq(ram32(DATA + 0x1008), 0);
	cr_assert(sim_dmar_last_fault(0, &f));
	cr_expect_eq(f.reason, DMAR_FR_WRITE);
	cr_expect_eq(f.address, 0x11000);
}

Test(dmar_model, read_from_write_only_page_is_denied)
{
	u64 sl = standard_setup();
	u32 v;

	sl_map(sl, 4, 0x13000, DATA + 0x3000, PAGE_SIZE, DMAR_SL_W);
	assert_dma(dma_read32(DEV_A, 0x13000, &v), SIM_DMA_READ_DENIED);
	cr_expect_eq((frcd_hi() >> DMAR_FRCD_FR_SHIFT) & 0xff, DMAR_FR_READ);
}

Test(dmar_model, not_present_leaf_faults_as_missing_permission)
{
	u32 v;

	standard_setup();
	assert_dma(dma_read32(DEV_A, 0x20000, &v), SIM_DMA_SL_NOT_PRESENT);
	cr_expect_eq((frcd_hi() >> DMAR_FRCD_FR_SHIFT) & 0xff, DMAR_FR_READ);
	clear_fault_record();
	assert_dma(dma_write32(DEV_A, 0x20000, 0), SIM_DMA_SL_NOT_PRESENT);
	cr_expect_eq((frcd_hi() >> DMAR_FRCD_FR_SHIFT) & 0xff, DMAR_FR_WRITE);
}

Test(dmar_model, read_only_upper_level_restricts_the_leaf)
{
	u64 sl = standard_setup();
	u64 *pml4e = ram64(sl);

	*pml4e &= ~DMAR_SL_W;
	assert_dma(dma_write32(DEV_A, 0x10000, 1), SIM_DMA_WRITE_DENIED);
}

Test(dmar_model, request_spanning_a_blocked_page_moves_nothing)
{
	u8 buf[PAGE_SIZE * 2];

	standard_setup();
	memset(buf, 0xaa, sizeof(buf));
	/* 0x11000 is read-only: the whole write is refused. */
	assert_dma(sim_dma(DEV_A, 0x10800, PAGE_SIZE, true, buf),
		   SIM_DMA_WRITE_DENIED);
	cr_expect_eq(ram32(DATA + 0x800), 0);
	cr_expect_eq(sim_dmar_last_fault(0, &(struct sim_dmar_fault){}), true);
	/* Reading across both is fine and lands in order. */
	*(u32 *)sim_phys_ptr(DATA + 0x1000, 4) = 0x55;
	assert_dma(sim_dma(DEV_A, 0x10ffc, 8, false, buf), SIM_DMA_OK);
	cr_expect_eq(*(u32 *)(buf + 4), 0x55);
}

Test(dmar_model, superpages_2m_and_1g_in_four_levels)
{
	u64 sl = new_table();
	u32 v = 0;

	sl_map(sl, 4, 0x200000, 0x600000, 2ULL << 20, DMAR_SL_R | DMAR_SL_W);
	sl_map(sl, 4, 1ULL << 30, 0, 1ULL << 30, DMAR_SL_R);
	set_context(DEV_A, sl, DMAR_CTX_AW_48, 1);
	enable_translation();

	assert_dma(dma_write32(DEV_A, 0x3ffff0, 0x77), SIM_DMA_OK);
	cr_expect_eq(ram32(0x7ffff0), 0x77);
	assert_dma(dma_read32(DEV_A, (1ULL << 30) + 0x7ffff0, &v),
		   SIM_DMA_OK);
	cr_expect_eq(v, 0x77);
	assert_dma(dma_write32(DEV_A, (1ULL << 30) + 4, 0),
		   SIM_DMA_WRITE_DENIED);
}

Test(dmar_model, three_level_tables_and_address_width)
{
	u64 sl = new_table();
	u32 v = 0;

	sl_map(sl, 3, 0x5000, DATA, PAGE_SIZE, DMAR_SL_R | DMAR_SL_W);
	sl_map(sl, 3, 0x40000000, 0x800000, 2ULL << 20, DMAR_SL_R);
	set_context(DEV_A, sl, DMAR_CTX_AW_39, 1);
	enable_translation();

	*(u32 *)sim_phys_ptr(DATA + 8, 4) = 99;
	assert_dma(dma_read32(DEV_A, 0x5008, &v), SIM_DMA_OK);
	cr_expect_eq(v, 99);
	assert_dma(dma_read32(DEV_A, 0x40001000, &v), SIM_DMA_OK);
	assert_dma(dma_read32(DEV_A, 1ULL << 39, &v),
		   SIM_DMA_BEYOND_ADDRESS_WIDTH);
	cr_expect_eq((frcd_hi() >> DMAR_FRCD_FR_SHIFT) & 0xff,
		     DMAR_FR_BEYOND_AW);
}

Test(dmar_model, large_page_without_sllps_support_is_reserved)
{
	u64 sl = new_table();
	u32 v;

	sl_map(sl, 4, 0x200000, 0x600000, 2ULL << 20, DMAR_SL_R);
	set_context(DEV_A, sl, DMAR_CTX_AW_48, 1);
	sim_dmar_set_caps(0, rd64(DMAR_CAP) & ~DMAR_CAP_SLLPS_2M,
			  rd64(DMAR_ECAP));
	enable_translation();
	assert_dma(dma_read32(DEV_A, 0x200000, &v), SIM_DMA_SL_RESERVED);
	cr_expect_eq((frcd_hi() >> DMAR_FRCD_FR_SHIFT) & 0xff,
		     DMAR_FR_SL_RESERVED);
}

Test(dmar_model, misaligned_large_page_is_reserved)
{
	u64 sl = new_table();
	u32 v;

	sl_map(sl, 4, 0x200000, 0x601000, 2ULL << 20, DMAR_SL_R);
	set_context(DEV_A, sl, DMAR_CTX_AW_48, 1);
	enable_translation();
	assert_dma(dma_read32(DEV_A, 0x200000, &v), SIM_DMA_SL_RESERVED);
}

Test(dmar_model, unsupported_address_width_is_invalid_context)
{
	u64 sl = new_table();
	u32 v;

	set_context(DEV_A, sl, DMAR_CTX_AW_39, 1);
	sim_dmar_set_caps(0, rd64(DMAR_CAP) & ~DMAR_CAP_SAGAW_39,
			  rd64(DMAR_ECAP));
	enable_translation();
	assert_dma(dma_read32(DEV_A, 0, &v), SIM_DMA_CONTEXT_INVALID);
	cr_expect_eq((frcd_hi() >> DMAR_FRCD_FR_SHIFT) & 0xff,
		     DMAR_FR_CTX_INVALID);
}

Test(dmar_model, translation_types_other_than_untranslated_are_invalid)
{
	u64 sl = new_table();
	u32 v;

	set_context(DEV_A, sl, DMAR_CTX_AW_48, 1);
	context_of(DEV_A)[0] |= 2ULL << DMAR_CTX_TT_SHIFT; /* pass-through */
	enable_translation();
	assert_dma(dma_read32(DEV_A, 0, &v), SIM_DMA_CONTEXT_INVALID);
}

Test(dmar_model, fault_processing_disable_suppresses_recording)
{
	u32 v;

	standard_setup();
	context_of(DEV_A)[0] |= DMAR_CTX_FPD;
	assert_dma(dma_read32(DEV_A, 0x30000, &v), SIM_DMA_SL_NOT_PRESENT);
	cr_expect_eq(sim_dmar_fault_count(0), 0);
	cr_expect_eq(rd32(DMAR_FSTS) & DMAR_FSTS_PPF, 0);
}

Test(dmar_model, full_fault_records_overflow_until_cleared)
{
	u32 v;

	standard_setup();
	assert_dma(dma_read32(DEV_B, 0x1000, &v), SIM_DMA_CONTEXT_NOT_PRESENT);
	assert_dma(dma_read32(DEV_A, 0x30000, &v), SIM_DMA_SL_NOT_PRESENT);
	/* The one record still holds the first fault; the second is lost. */
	cr_expect(rd32(DMAR_FSTS) & DMAR_FSTS_PFO);
	cr_expect_eq(frcd_hi() & 0xffff, DEV_B);
	cr_expect_eq(sim_dmar_fault_count(0), 2);

	clear_fault_record();
	cr_expect_eq(rd32(DMAR_FSTS) & DMAR_FSTS_PPF, 0);
	wr32(DMAR_FSTS, DMAR_FSTS_PFO);
	cr_expect_eq(rd32(DMAR_FSTS) & DMAR_FSTS_PFO, 0);

	assert_dma(dma_read32(DEV_A, 0x30000, &v), SIM_DMA_SL_NOT_PRESENT);
	cr_expect_eq(frcd_hi() & 0xffff, DEV_A);
	cr_expect_eq(frcd_lo(), 0x30000);
}

/* Caches and register-based invalidation */

Test(dmar_model, stale_context_entry_used_until_context_cache_invalidated)
{
	u32 v;

	standard_setup();
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	/* Software takes the device away but forgets to invalidate. */
	context_of(DEV_A)[0] = 0;
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);

	wr64(DMAR_CCMD,
	     DMAR_CCMD_ICC | DMAR_INV_GLOBAL << DMAR_CCMD_CIRG_SHIFT);
	cr_expect_eq(rd64(DMAR_CCMD) & DMAR_CCMD_ICC, 0, "ICC self-clears");
	cr_expect_eq((rd64(DMAR_CCMD) >> DMAR_CCMD_CAIG_SHIFT) & 3,
		     DMAR_INV_GLOBAL);
	assert_dma(dma_read32(DEV_A, 0x10000, &v),
		   SIM_DMA_CONTEXT_NOT_PRESENT);
}

Test(dmar_model, device_selective_context_invalidation_hits_one_device)
{
	u64 sl = standard_setup();
	u32 v;

	set_context(DEV_B, sl, DMAR_CTX_AW_48, 1);
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	assert_dma(dma_read32(DEV_B, 0x10000, &v), SIM_DMA_OK);
	context_of(DEV_A)[0] = 0;
	context_of(DEV_B)[0] = 0;
	wr64(DMAR_CCMD, DMAR_CCMD_ICC |
				DMAR_INV_DEVICE << DMAR_CCMD_CIRG_SHIFT |
				(u64)DEV_B << DMAR_CCMD_SID_SHIFT | 1);
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	assert_dma(dma_read32(DEV_B, 0x10000, &v),
		   SIM_DMA_CONTEXT_NOT_PRESENT);
}

Test(dmar_model, moved_device_keeps_old_domain_until_invalidation)
{
	u64 sl_b = new_table();
	u32 v = 0;

	standard_setup();
	sl_map(sl_b, 4, 0x10000, DATA + 0x8000, PAGE_SIZE,
	       DMAR_SL_R | DMAR_SL_W);
	*(u32 *)sim_phys_ptr(DATA, 4) = 1;
	*(u32 *)sim_phys_ptr(DATA + 0x8000, 4) = 2;
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	cr_expect_eq(v, 1);

	set_context(DEV_A, sl_b, DMAR_CTX_AW_48, 2);
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	cr_expect_eq(v, 1, "stale context: still domain 1");

	wr64(DMAR_CCMD,
	     DMAR_CCMD_ICC | DMAR_INV_DOMAIN << DMAR_CCMD_CIRG_SHIFT | 1);
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	cr_expect_eq(v, 2, "domain 2's tables");
}

Test(dmar_model, stale_iotlb_entry_used_until_iotlb_invalidated)
{
	u64 sl = standard_setup();
	u64 iotlb = DMAR_MODEL_IOTLB;
	u32 v;

	assert_dma(dma_write32(DEV_A, 0x10000, 1), SIM_DMA_OK);
	*sl_leaf(sl, 4, 0x10000) = 0;
	assert_dma(dma_write32(DEV_A, 0x10000, 2), SIM_DMA_OK);
	cr_expect_eq(ram32(DATA), 2, "stale translation still used");

	/* Another domain's flush leaves domain 1 alone. */
	wr64(iotlb, DMAR_IOTLB_IVT | DMAR_INV_DOMAIN << DMAR_IOTLB_IIRG_SHIFT |
			    2ULL << DMAR_IOTLB_DID_SHIFT);
	cr_expect_eq(rd64(iotlb) & DMAR_IOTLB_IVT, 0, "IVT self-clears");
	cr_expect_eq((rd64(iotlb) >> DMAR_IOTLB_IAIG_SHIFT) & 3,
		     DMAR_INV_DOMAIN);
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);

	wr64(iotlb, DMAR_IOTLB_IVT | DMAR_INV_DOMAIN << DMAR_IOTLB_IIRG_SHIFT |
			    1ULL << DMAR_IOTLB_DID_SHIFT);
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_SL_NOT_PRESENT);
}

Test(dmar_model, page_selective_iotlb_invalidation)
{
	u64 sl = standard_setup();
	u32 v;

	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	assert_dma(dma_read32(DEV_A, 0x11000, &v), SIM_DMA_OK);
	*sl_leaf(sl, 4, 0x10000) = 0;
	*sl_leaf(sl, 4, 0x11000) = 0;
	wr64(DMAR_MODEL_IVA, 0x11000);
	wr64(DMAR_MODEL_IOTLB,
	     DMAR_IOTLB_IVT | DMAR_INV_DEVICE << DMAR_IOTLB_IIRG_SHIFT |
		     1ULL << DMAR_IOTLB_DID_SHIFT);
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	assert_dma(dma_read32(DEV_A, 0x11000, &v), SIM_DMA_SL_NOT_PRESENT);
}

Test(dmar_model, granted_write_is_seen_without_invalidation)
{
	u64 sl = standard_setup();
	u32 v;

	/* A cached read-only entry does not block a newly granted write. */
	assert_dma(dma_read32(DEV_A, 0x11000, &v), SIM_DMA_OK);
	*sl_leaf(sl, 4, 0x11000) |= DMAR_SL_W;
	assert_dma(dma_write32(DEV_A, 0x11000, 5), SIM_DMA_OK);
}

/* Queued invalidation */

static u64 qi_tail;

static void qi_enable(void)
{
	memset(sim_phys_ptr(QUEUE, PAGE_SIZE), 0, PAGE_SIZE);
	wr64(DMAR_IQA, QUEUE); /* QS 0: one page, 256 descriptors */
	wr64(DMAR_IQT, 0);
	qi_tail = 0;
	gcmd_set(DMAR_GCMD_QIE);
	cr_assert(rd32(DMAR_GSTS) & DMAR_GCMD_QIE);
}

static void qi_queue(u64 lo, u64 hi)
{
	u64 *d = ram64(QUEUE + qi_tail * 16);

	d[0] = lo;
	d[1] = hi;
	qi_tail = (qi_tail + 1) % 256;
}

static void qi_submit(void)
{
	wr64(DMAR_IQT, qi_tail << 4);
}

static void qi_wait(u32 status)
{
	qi_queue(DMAR_QI_WAIT | DMAR_QI_WAIT_SW |
			 (u64)status << DMAR_QI_WAIT_DATA_SHIFT,
		 WAIT_STATUS);
}

Test(dmar_model, queued_invalidation_flushes_and_writes_wait_status)
{
	u64 sl = standard_setup();
	struct sim_dmar_stats st;
	u32 v;

	qi_enable();
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	*sl_leaf(sl, 4, 0x10000) = 0;
	*(u32 *)sim_phys_ptr(WAIT_STATUS, 4) = 0;

	qi_queue(DMAR_QI_CC | DMAR_INV_GLOBAL << DMAR_QI_GRAN_SHIFT, 0);
	qi_queue(DMAR_QI_IOTLB | DMAR_INV_DOMAIN << DMAR_QI_GRAN_SHIFT |
			 1ULL << DMAR_QI_DID_SHIFT,
		 0);
	qi_wait(0x600d);
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	qi_submit();

	cr_expect_eq(ram32(WAIT_STATUS), 0x600d);
	cr_expect_eq(rd64(DMAR_IQH), rd64(DMAR_IQT));
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_SL_NOT_PRESENT);
	sim_dmar_get_stats(0, &st);
	cr_expect_eq(st.queued_descriptors, 3);
	cr_expect_eq(st.wait_descriptors, 1);
	cr_expect_eq(st.register_invalidations, 0);
}

Test(dmar_model, wait_descriptor_with_interrupt_flag_sets_iwc)
{
	qi_enable();
	qi_queue(DMAR_QI_WAIT | DMAR_QI_WAIT_IF, 0);
	qi_submit();
	cr_expect(rd32(DMAR_ICS) & DMAR_ICS_IWC);
	wr32(DMAR_ICS, DMAR_ICS_IWC);
	cr_expect_eq(rd32(DMAR_ICS) & DMAR_ICS_IWC, 0);
}

Test(dmar_model, register_invalidation_refused_while_queue_enabled)
{
	u64 sl = standard_setup();
	struct sim_dmar_stats st;
	u32 v;

	qi_enable();
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	*sl_leaf(sl, 4, 0x10000) = 0;
	wr64(DMAR_MODEL_IOTLB,
	     DMAR_IOTLB_IVT | DMAR_INV_GLOBAL << DMAR_IOTLB_IIRG_SHIFT);
	assert_dma(dma_read32(DEV_A, 0x10000, &v), SIM_DMA_OK);
	sim_dmar_get_stats(0, &st);
	cr_expect_eq(st.protocol_errors, 1);
	cr_expect(strstr(sim_dmar_last_protocol_error(0), "queued"));
}

Test(dmar_model, invalid_descriptor_stops_queue_with_iqe)
{
	qi_enable();
	*(u32 *)sim_phys_ptr(WAIT_STATUS, 4) = 0;
	qi_queue(DMAR_QI_CC, 0); /* granularity 0 is invalid */
	qi_wait(1);
	qi_submit();
	cr_expect(rd32(DMAR_FSTS) & DMAR_FSTS_IQE);
	cr_expect_eq(rd64(DMAR_IQH), 0, "head at the bad descriptor");
	cr_expect_eq(ram32(WAIT_STATUS), 0, "nothing after it ran");

	/* Software repairs the descriptor and clears IQE: work resumes. */
	ram64(QUEUE)[0] = DMAR_QI_CC | DMAR_INV_GLOBAL << DMAR_QI_GRAN_SHIFT;
	wr32(DMAR_FSTS, DMAR_FSTS_IQE);
	cr_expect_eq(rd32(DMAR_FSTS) & DMAR_FSTS_IQE, 0);
	cr_expect_eq(ram32(WAIT_STATUS), 1);
	cr_expect_eq(rd64(DMAR_IQH), 2 << 4);
}

Test(dmar_model, unsupported_descriptor_type_sets_iqe)
{
	qi_enable();
	qi_queue(0x3, 0); /* device-TLB invalidation: no ATS here */
	qi_submit();
	cr_expect(rd32(DMAR_FSTS) & DMAR_FSTS_IQE);
}

Test(dmar_model, disabling_queue_resets_head)
{
	qi_enable();
	qi_wait(3);
	qi_submit();
	cr_expect_eq(rd64(DMAR_IQH), 1 << 4);
	wr32(DMAR_GCMD, 0);
	cr_expect_eq(rd32(DMAR_GSTS) & DMAR_GCMD_QIE, 0);
	cr_expect_eq(rd64(DMAR_IQH), 0);
}

/* Several units */

Test(dmar_model, device_scope_selects_the_unit)
{
	u32 v;

	cr_assert_eq(sim_dmar_add_unit(UNIT1_BASE), 1);
	cr_assert_eq(sim_dmar_set_scope(1, DEV_B), 0);
	cr_expect_eq(sim_dmar_set_scope(2, DEV_B), -EINVAL);
	standard_setup();
	/* Unit 1 translates nothing yet: DEV_B passes, unit 0 sees nothing. */
	assert_dma(dma_read32(DEV_B, DATA, &v), SIM_DMA_OK);
	assert_dma(dma_read32(DEV_C, DATA, &v), SIM_DMA_CONTEXT_NOT_PRESENT);
	cr_expect_eq(sim_dmar_fault_count(0), 1);
	cr_expect_eq(sim_dmar_fault_count(1), 0);
}

/* Interrupt remapping */

#define IRTE_SIZE_256 7 /* IRTA.S: 2^(S+1) entries */

static u64 *irte(unsigned int index)
{
	return ram64(IRT + index * 16);
}

static void set_irte(unsigned int index, u8 vector, u32 dest, u16 sid)
{
	u64 *e = irte(index);

	e[0] = DMAR_IRTE_P | (u64)vector << DMAR_IRTE_VECTOR_SHIFT |
	       (u64)(dest << 8) << DMAR_IRTE_DST_SHIFT;
	e[1] = DMAR_SVT_SID << DMAR_IRTE_SVT_SHIFT | sid;
}

static void enable_remapping(u64 irta_flags)
{
	memset(sim_phys_ptr(IRT, PAGE_SIZE), 0, PAGE_SIZE);
	wr64(DMAR_IRTA, IRT | IRTE_SIZE_256 | irta_flags);
	gcmd_set(DMAR_GCMD_SIRTP);
	cr_assert(rd32(DMAR_GSTS) & DMAR_GCMD_SIRTP);
	gcmd_set(DMAR_GCMD_IRE);
	cr_assert(sim_dmar_remapping_enabled(0));
}

static u64 msi_addr(u16 handle, bool shv)
{
	return DMAR_MSI_BASE | (u64)(handle & 0x7fff) << 5 |
	       (u64)(handle >> 15) << 2 | DMAR_MSI_REMAPPABLE |
	       (shv ? DMAR_MSI_SHV : 0);
}

Test(dmar_model, msi_without_remapping_is_compatibility_decoded)
{
	struct sim_msi_result r;

	cr_expect_eq(sim_msi(DEV_A, DMAR_MSI_BASE | 3 << 12, 0x4031, &r),
		     SIM_MSI_DELIVERED);
	cr_expect_not(r.remapped);
	cr_expect_eq(r.dest, 3);
	cr_expect_eq(r.vector, 0x31);
}

Test(dmar_model, remapped_msi_delivers_irte_contents)
{
	struct sim_msi_result r;

	enable_remapping(0);
	set_irte(5, 0x40, 3, DEV_A);
	irte(5)[0] |= DMAR_IRTE_TM | 1ULL << DMAR_IRTE_DLM_SHIFT;
	cr_expect_eq(sim_msi(DEV_A, msi_addr(5, false), 0, &r),
		     SIM_MSI_DELIVERED);
	cr_expect(r.remapped);
	cr_expect_eq(r.index, 5);
	cr_expect_eq(r.vector, 0x40);
	cr_expect_eq(r.dest, 3);
	cr_expect_eq(r.delivery_mode, 1);
	cr_expect(r.level);
	cr_expect_eq(sim_dmar_fault_count(0), 0);
}

Test(dmar_model, subhandle_is_added_when_shv_set)
{
	struct sim_msi_result r;

	enable_remapping(0);
	set_irte(12, 0x50, 1, DEV_A);
	cr_expect_eq(sim_msi(DEV_A, msi_addr(10, true), 2, &r),
		     SIM_MSI_DELIVERED);
	cr_expect_eq(r.index, 12);
	cr_expect_eq(r.vector, 0x50);
}

Test(dmar_model, x2apic_mode_uses_32_bit_destination)
{
	struct sim_msi_result r;

	enable_remapping(DMAR_IRTA_EIME);
	irte(1)[0] = DMAR_IRTE_P | 0x33ULL << DMAR_IRTE_VECTOR_SHIFT |
		     0x12345ULL << DMAR_IRTE_DST_SHIFT;
	irte(1)[1] = 0;
	cr_expect_eq(sim_msi(DEV_A, msi_addr(1, false), 0, &r),
		     SIM_MSI_DELIVERED);
	cr_expect_eq(r.dest, 0x12345);
}

Test(dmar_model, source_id_mismatch_is_blocked)
{
	struct sim_msi_result r;
	struct sim_dmar_fault f;

	enable_remapping(0);
	set_irte(5, 0x40, 3, DEV_A);
	cr_expect_eq(sim_msi(DEV_B, msi_addr(5, false), 0, &r),
		     SIM_MSI_BLOCKED);
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_SID);
	cr_assert(sim_dmar_last_fault(0, &f));
	cr_expect(f.is_interrupt);
	cr_expect_eq(f.source_id, DEV_B);
	cr_expect_eq(f.irte_index, 5);
	cr_expect_eq(frcd_lo() >> 48, 5, "FI holds the index");
	cr_expect_eq((frcd_hi() >> DMAR_FRCD_FR_SHIFT) & 0xff,
		     DMAR_FR_IR_SID);
}

Test(dmar_model, source_qualifier_and_bus_range_verification)
{
	struct sim_msi_result r;

	enable_remapping(0);
	/* SQ 3: any function of device 0:2. */
	set_irte(1, 0x41, 0, JAILHOUSE_BDF(0, 2, 0));
	irte(1)[1] |= 3ULL << DMAR_IRTE_SQ_SHIFT;
	cr_expect_eq(sim_msi(JAILHOUSE_BDF(0, 2, 7), msi_addr(1, false), 0,
			     &r),
		     SIM_MSI_DELIVERED);
	cr_expect_eq(sim_msi(JAILHOUSE_BDF(0, 3, 0), msi_addr(1, false), 0,
			     &r),
		     SIM_MSI_BLOCKED);

	/* SVT 2: buses 1..2. */
	irte(2)[0] = DMAR_IRTE_P;
	irte(2)[1] = DMAR_SVT_BUS_RANGE << DMAR_IRTE_SVT_SHIFT | 0x0102;
	cr_expect_eq(sim_msi(JAILHOUSE_BDF(2, 0, 0), msi_addr(2, false), 0,
			     &r),
		     SIM_MSI_DELIVERED);
	cr_expect_eq(sim_msi(JAILHOUSE_BDF(3, 0, 0), msi_addr(2, false), 0,
			     &r),
		     SIM_MSI_BLOCKED);
}

Test(dmar_model, handle_beyond_table_size_is_blocked)
{
	struct sim_msi_result r;

	enable_remapping(0);
	cr_expect_eq(sim_msi(DEV_A, msi_addr(256, false), 0, &r),
		     SIM_MSI_BLOCKED);
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_INDEX);
	/* Handle bit 15 lives in address bit 2. */
	cr_expect_eq(sim_msi(DEV_A, msi_addr(0x8000, false), 0, &r),
		     SIM_MSI_BLOCKED);
	cr_expect_eq(r.index, 0x8000);
}

Test(dmar_model, non_present_irte_is_blocked)
{
	struct sim_msi_result r;

	enable_remapping(0);
	cr_expect_eq(sim_msi(DEV_A, msi_addr(9, false), 0, &r),
		     SIM_MSI_BLOCKED);
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_NOT_PRESENT);
	cr_expect_eq((frcd_hi() >> DMAR_FRCD_FR_SHIFT) & 0xff,
		     DMAR_FR_IR_NOT_PRESENT);
}

Test(dmar_model, reserved_irte_bits_are_blocked_unless_fpd)
{
	struct sim_msi_result r;

	enable_remapping(0);
	set_irte(4, 0x40, 3, DEV_A);
	irte(4)[1] |= 1ULL << 40;
	cr_expect_eq(sim_msi(DEV_A, msi_addr(4, false), 0, &r),
		     SIM_MSI_BLOCKED);
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_RESERVED);
	cr_expect_eq(sim_dmar_fault_count(0), 1);
	irte(4)[0] |= DMAR_IRTE_FPD;
	cr_expect_eq(sim_msi(DEV_A, msi_addr(4, false), 0, &r),
		     SIM_MSI_BLOCKED);
	cr_expect_eq(sim_dmar_fault_count(0), 1, "not recorded with FPD");
}

Test(dmar_model, compatibility_format_blocked_while_remapping)
{
	struct sim_msi_result r;

	enable_remapping(0);
	cr_expect_eq(sim_msi(DEV_A, DMAR_MSI_BASE, 0x30, &r),
		     SIM_MSI_BLOCKED);
	cr_expect_eq(r.fault_reason, DMAR_FR_IR_COMPAT);
}

Test(dmar_model, stale_irte_used_until_interrupt_entry_cache_flushed)
{
	struct sim_msi_result r;

	enable_remapping(0);
	qi_enable();
	set_irte(5, 0x40, 3, DEV_A);
	sim_msi(DEV_A, msi_addr(5, false), 0, &r);
	cr_expect_eq(r.vector, 0x40);

	set_irte(5, 0x41, 3, DEV_A);
	sim_msi(DEV_A, msi_addr(5, false), 0, &r);
	cr_expect_eq(r.vector, 0x40, "cached entry");

	/* Index-selective flush of another entry changes nothing. */
	qi_queue(DMAR_QI_IEC | DMAR_QI_IEC_INDEXED |
			 6ULL << DMAR_QI_IEC_IDX_SHIFT,
		 0);
	qi_submit();
	sim_msi(DEV_A, msi_addr(5, false), 0, &r);
	cr_expect_eq(r.vector, 0x40);

	qi_queue(DMAR_QI_IEC | DMAR_QI_IEC_INDEXED |
			 5ULL << DMAR_QI_IEC_IDX_SHIFT,
		 0);
	qi_submit();
	sim_msi(DEV_A, msi_addr(5, false), 0, &r);
	cr_expect_eq(r.vector, 0x41);
}

Test(dmar_model, ire_refused_without_table_pointer)
{
	wr32(DMAR_GCMD, DMAR_GCMD_IRE);
	cr_expect_not(sim_dmar_remapping_enabled(0));
	cr_expect(strstr(sim_dmar_last_protocol_error(0), "IRE"));
}
