// SPDX-License-Identifier: GPL-2.0
/*
 * Fake VT-d remapping hardware, modelled on the Intel VT-d specification.
 *
 * Each unit keeps its architectural registers in a byte image of its 4 KiB
 * register page; writes go through a table of per-register masks and side
 * effects. DMA and interrupt requests are translated by walks written from
 * the specification's entry layouts. Context entries, IOTLB translations and
 * interrupt entries are cached and survive until software invalidates them,
 * as on real hardware: a driver that forgets an invalidation keeps using
 * stale entries here too. Misuse that the specification leaves undefined is
 * refused and counted as a protocol error for tests to assert on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sim/dmar.h>
#include <sim/phys.h>

#define CTX_CACHE_SIZE 64
#define IOTLB_SIZE 256
#define IEC_SIZE 64

/* Host address width of the fake platform: entry bits above are reserved. */
#define MODEL_HAW 46
#define ADDR_MASK (((1ULL << MODEL_HAW) - 1) & ~0xfffULL)
/* Second-level entry: bit 63, TM (no device TLBs here), bits above HAW. */
#define SL_RESERVED                                                            \
	(3ULL << 62 | (((1ULL << 52) - 1) & ~((1ULL << MODEL_HAW) - 1)))

#define MODEL_VER 0x10
#define MODEL_ND 6 /* 16-bit domain ids */
#define MODEL_MAMV 9
#define MODEL_NFR 1

#define GSTS_PERSISTENT                                                        \
	(DMAR_GCMD_TE | DMAR_GCMD_QIE | DMAR_GCMD_IRE | DMAR_GCMD_CFI)
#define GSTS_RTPS DMAR_GCMD_SRTP
#define GSTS_IRTPS DMAR_GCMD_SIRTP

#define FSTS_FRI_MASK (0xffU << DMAR_FSTS_FRI_SHIFT)
#define IQ_OFFSET_MASK 0x7fff0ULL /* QH/QT: bits 18:4 */
#define IQA_DW (1ULL << 11)
#define QI_TYPE_MASK 0xe0fULL /* type bits 3:0 and 11:9 */

struct ctx_cache_entry {
	bool valid;
	u16 sid;
	u64 lo, hi;
};

struct iotlb_entry {
	bool valid;
	u16 did;
	u64 iova; /* start of the page */
	u64 phys;
	u64 size;
	u64 perms; /* DMAR_SL_R | DMAR_SL_W over the whole walk */
};

struct iec_entry {
	bool valid;
	u16 index;
	u64 lo, hi;
};

struct unit {
	u64 base;
	u8 regs[SIM_DMAR_REG_SIZE];
	/* Pointers latched by SRTP/SIRTP: what the hardware really uses. */
	u64 active_rta;
	u64 active_irta;

	struct ctx_cache_entry ctx[CTX_CACHE_SIZE];
	unsigned int ctx_next;
	struct iotlb_entry iotlb[IOTLB_SIZE];
	unsigned int iotlb_next;
	struct iec_entry iec[IEC_SIZE];
	unsigned int iec_next;

	unsigned long fault_count;
	unsigned long fault_events; /* messages sent, FECTL.IM clear */
	u64 event_address;
	u32 event_data;
	bool has_fault;
	struct sim_dmar_fault last_fault;
	struct sim_dmar_stats stats;
	char protocol_error[160];
};

static struct unit units[SIM_DMAR_MAX_UNITS];
static unsigned int num_units;
static u8 unit_of_bdf[0x10000];

/* Register image access */

static u64 reg_get(const struct unit *u, unsigned int off, unsigned int size)
{
	u64 v = 0;

	memcpy(&v, &u->regs[off], size);
	return v;
}

static void reg_set(struct unit *u, unsigned int off, unsigned int size,
		    u64 v)
{
	memcpy(&u->regs[off], &v, size);
}

#define REG32(u, off) ((u32)reg_get(u, off, 4))
#define REG64(u, off) reg_get(u, off, 8)

static u64 cap(const struct unit *u)
{
	return REG64(u, DMAR_CAP);
}

static u64 ecap(const struct unit *u)
{
	return REG64(u, DMAR_ECAP);
}

static unsigned int fro(const struct unit *u)
{
	return ((cap(u) >> DMAR_CAP_FRO_SHIFT) & 0x3ff) * 16;
}

static unsigned int nfr(const struct unit *u)
{
	return ((cap(u) >> DMAR_CAP_NFR_SHIFT) & 0xff) + 1;
}

static unsigned int iro(const struct unit *u)
{
	return ((ecap(u) >> DMAR_ECAP_IRO_SHIFT) & 0x3ff) * 16;
}

static u32 gsts(const struct unit *u)
{
	return REG32(u, DMAR_GSTS);
}

static void protocol_error(struct unit *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void protocol_error(struct unit *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->protocol_error, sizeof(u->protocol_error), fmt, ap);
	va_end(ap);
	u->stats.protocol_errors++;
}

/* Caches */

static void ctx_cache_insert(struct unit *u, u16 sid, const u64 *ce)
{
	struct ctx_cache_entry *e = &u->ctx[u->ctx_next];

	u->ctx_next = (u->ctx_next + 1) % CTX_CACHE_SIZE;
	*e = (struct ctx_cache_entry){ true, sid, ce[0], ce[1] };
}

static struct ctx_cache_entry *ctx_cache_find(struct unit *u, u16 sid)
{
	unsigned int i;

	for (i = 0; i < CTX_CACHE_SIZE; i++)
		if (u->ctx[i].valid && u->ctx[i].sid == sid)
			return &u->ctx[i];
	return NULL;
}

static u16 ctx_did(u64 hi)
{
	return (hi >> DMAR_CTX_DID_SHIFT) & 0xffff;
}

/* Granularity 1 global, 2 domain, 3 device (sid under function mask fm). */
static void ctx_cache_invalidate(struct unit *u, unsigned int gran, u16 did,
				 u16 sid, unsigned int fm)
{
	/* FM 1..3 ignores the low 1..3 function bits of the source id. */
	u16 sid_mask = ~(u16)((1U << fm) - 1);
	unsigned int i;

	for (i = 0; i < CTX_CACHE_SIZE; i++) {
		struct ctx_cache_entry *e = &u->ctx[i];

		if (gran == DMAR_INV_DOMAIN && ctx_did(e->hi) != did)
			continue;
		if (gran == DMAR_INV_DEVICE &&
		    (e->sid & sid_mask) != (sid & sid_mask))
			continue;
		e->valid = false;
	}
	u->stats.context_invalidations++;
}

static void iotlb_insert(struct unit *u, const struct iotlb_entry *entry)
{
	u->iotlb[u->iotlb_next] = *entry;
	u->iotlb_next = (u->iotlb_next + 1) % IOTLB_SIZE;
}

static struct iotlb_entry *iotlb_find(struct unit *u, u16 did, u64 iova)
{
	unsigned int i;

	for (i = 0; i < IOTLB_SIZE; i++) {
		struct iotlb_entry *e = &u->iotlb[i];

		if (e->valid && e->did == did && iova >= e->iova &&
		    iova - e->iova < e->size)
			return e;
	}
	return NULL;
}

/* Granularity 1 global, 2 domain, 3 pages [addr, addr + 2^am pages). */
static void iotlb_invalidate(struct unit *u, unsigned int gran, u16 did,
			     u64 addr, unsigned int am)
{
	u64 size = PAGE_SIZE << am;
	unsigned int i;

	addr &= ~(size - 1);
	for (i = 0; i < IOTLB_SIZE; i++) {
		struct iotlb_entry *e = &u->iotlb[i];

		if (gran != DMAR_INV_GLOBAL && e->did != did)
			continue;
		if (gran == DMAR_INV_DEVICE &&
		    !(e->iova < addr + size && addr < e->iova + e->size))
			continue;
		e->valid = false;
	}
	u->stats.iotlb_invalidations++;
}

static void iec_invalidate(struct unit *u, bool indexed, u16 index,
			   unsigned int im)
{
	u32 first = index & ~((1U << im) - 1);
	u32 count = 1U << im;
	unsigned int i;

	for (i = 0; i < IEC_SIZE; i++) {
		struct iec_entry *e = &u->iec[i];

		if (indexed && (e->index < first || e->index - first >= count))
			continue;
		e->valid = false;
	}
	u->stats.iec_invalidations++;
}

/* Fault recording */

static void update_ppf(struct unit *u)
{
	u32 fsts = REG32(u, DMAR_FSTS) & ~DMAR_FSTS_PPF;
	unsigned int i;

	for (i = 0; i < nfr(u); i++)
		if (REG64(u, fro(u) + i * 16 + 8) & DMAR_FRCD_F)
			fsts |= DMAR_FSTS_PPF;
	reg_set(u, DMAR_FSTS, 4, fsts);
}

static void record_fault(struct unit *u, const struct sim_dmar_fault *f)
{
	u32 fsts = REG32(u, DMAR_FSTS);
	unsigned int fri = (fsts & FSTS_FRI_MASK) >> DMAR_FSTS_FRI_SHIFT;
	unsigned int rec = fro(u) + fri * 16;
	u64 lo, hi;

	u->fault_count++;
	u->has_fault = true;
	u->last_fault = *f;

	/* The next record is still owned by software: the fault is lost. */
	if (REG64(u, rec + 8) & DMAR_FRCD_F) {
		reg_set(u, DMAR_FSTS, 4, fsts | DMAR_FSTS_PFO);
		return;
	}
	if (f->is_interrupt)
		lo = (u64)f->irte_index << 48;
	else
		lo = f->address & ~0xfffULL;
	hi = DMAR_FRCD_F | (u64)f->reason << DMAR_FRCD_FR_SHIFT | f->source_id;
	if (!f->is_interrupt && !f->is_write)
		hi |= DMAR_FRCD_T_READ;
	reg_set(u, rec, 8, lo);
	reg_set(u, rec + 8, 8, hi);

	fri = (fri + 1) % nfr(u);
	fsts = (fsts & ~FSTS_FRI_MASK) | fri << DMAR_FSTS_FRI_SHIFT;
	reg_set(u, DMAR_FSTS, 4, fsts | DMAR_FSTS_PPF);
	/* Masked, the event waits in IP; unmasked, the message goes out. */
	if (REG32(u, DMAR_FECTL) & DMAR_FECTL_IM) {
		reg_set(u, DMAR_FECTL, 4,
			REG32(u, DMAR_FECTL) | DMAR_FECTL_IP);
		return;
	}
	u->fault_events++;
	u->event_address = (u64)REG32(u, DMAR_FEUADDR) << 32 |
			   REG32(u, DMAR_FEADDR);
	u->event_data = REG32(u, DMAR_FEDATA);
}

unsigned long sim_dmar_fault_event(unsigned int unit, u64 *address,
				   u32 *data)
{
	if (unit >= num_units)
		return 0;
	*address = units[unit].event_address;
	*data = units[unit].event_data;
	return units[unit].fault_events;
}

/* Global command: persistent bits take the written value, one-shots act. */

static void latch_root_table(struct unit *u)
{
	u64 rta = REG64(u, DMAR_RTADDR);
	u32 sts = gsts(u) & ~GSTS_RTPS;

	if (rta & DMAR_RTADDR_TTM_MASK) {
		protocol_error(u, "SRTP with TTM %llu: only legacy mode",
			       (unsigned long long)((rta >> 10) & 3));
	} else {
		u->active_rta = rta & ~0xfffULL;
		sts |= GSTS_RTPS;
	}
	reg_set(u, DMAR_GSTS, 4, sts);
}

static void latch_irq_table(struct unit *u)
{
	u64 irta = REG64(u, DMAR_IRTA);
	u32 sts = gsts(u) & ~GSTS_IRTPS;

	if ((irta & DMAR_IRTA_EIME) && !(ecap(u) & DMAR_ECAP_EIM)) {
		protocol_error(u, "SIRTP with EIME but ECAP.EIM clear");
	} else {
		u->active_irta = irta;
		sts |= GSTS_IRTPS;
	}
	reg_set(u, DMAR_GSTS, 4, sts);
}

static bool may_enable(struct unit *u, u32 bit, u32 cmd)
{
	u32 sts = gsts(u);

	if (!(cmd & bit) || (sts & bit))
		return true;
	if (bit == DMAR_GCMD_TE && !(sts & GSTS_RTPS)) {
		protocol_error(u, "TE set before a root table pointer");
		return false;
	}
	if (bit == DMAR_GCMD_QIE && !(ecap(u) & DMAR_ECAP_QI)) {
		protocol_error(u, "QIE set but ECAP.QI clear");
		return false;
	}
	if (bit == DMAR_GCMD_IRE &&
	    (!(ecap(u) & DMAR_ECAP_IR) || !(sts & GSTS_IRTPS))) {
		protocol_error(u, "IRE set without IR support or table");
		return false;
	}
	return true;
}

static void qi_process(struct unit *u);

static void qi_disable(struct unit *u)
{
	if (REG64(u, DMAR_IQH) != REG64(u, DMAR_IQT))
		protocol_error(u, "QIE cleared with descriptors pending");
	/* The head goes back to 0 whenever queued invalidation stops. */
	reg_set(u, DMAR_IQH, 8, 0);
}

u32 sim_dmar_ignored_commands;

static void gcmd_written(struct unit *u, u64 value)
{
	u32 cmd = (u32)value;
	u32 was = gsts(u);
	u32 sts, bit;

	if (cmd & DMAR_GCMD_SRTP)
		latch_root_table(u);
	if (cmd & DMAR_GCMD_SIRTP)
		latch_irq_table(u);
	sts = gsts(u) & ~GSTS_PERSISTENT;

	for (bit = 1U << 23; bit; bit <<= 1) {
		if (!(GSTS_PERSISTENT & bit))
			continue;
		if ((cmd & bit) && !(sim_dmar_ignored_commands & bit) &&
		    may_enable(u, bit, cmd))
			sts |= bit;
	}
	reg_set(u, DMAR_GSTS, 4, sts);

	if ((was & DMAR_GCMD_QIE) && !(sts & DMAR_GCMD_QIE))
		qi_disable(u);
	if (!(was & DMAR_GCMD_QIE) && (sts & DMAR_GCMD_QIE))
		qi_process(u);
}

/* Register-based invalidation */

static bool register_invalidation_allowed(struct unit *u, const char *reg)
{
	if (gsts(u) & DMAR_GCMD_QIE) {
		protocol_error(u, "%s invalidation with queued invalidation on",
			       reg);
		return false;
	}
	return true;
}

static void ccmd_written(struct unit *u, u64 value)
{
	u64 ccmd = REG64(u, DMAR_CCMD);
	unsigned int gran = (ccmd >> DMAR_CCMD_CIRG_SHIFT) & 3;

	(void)value;
	if (!(ccmd & DMAR_CCMD_ICC))
		return;
	ccmd &= ~(DMAR_CCMD_ICC | 3ULL << DMAR_CCMD_CAIG_SHIFT);
	if (register_invalidation_allowed(u, "context-cache")) {
		if (gran == 0) {
			protocol_error(u, "CCMD with granularity 0");
		} else {
			ctx_cache_invalidate(u, gran, ccmd & 0xffff,
					     (ccmd >> DMAR_CCMD_SID_SHIFT),
					     (ccmd >> DMAR_CCMD_FM_SHIFT) & 3);
			u->stats.register_invalidations++;
			ccmd |= (u64)gran << DMAR_CCMD_CAIG_SHIFT;
		}
	}
	reg_set(u, DMAR_CCMD, 8, ccmd);
}

static void iotlb_written(struct unit *u, u64 value)
{
	unsigned int off = iro(u) + 8;
	u64 cmd = REG64(u, off);
	u64 iva = REG64(u, iro(u));
	unsigned int gran = (cmd >> DMAR_IOTLB_IIRG_SHIFT) & 3;

	(void)value;
	if (!(cmd & DMAR_IOTLB_IVT))
		return;
	cmd &= ~(DMAR_IOTLB_IVT | 3ULL << DMAR_IOTLB_IAIG_SHIFT);
	if (register_invalidation_allowed(u, "IOTLB")) {
		if (gran == 0) {
			protocol_error(u, "IOTLB invalidation granularity 0");
		} else {
			iotlb_invalidate(u, gran,
					 (cmd >> DMAR_IOTLB_DID_SHIFT) & 0xffff,
					 iva & ~0xfffULL, iva & 0x3f);
			u->stats.register_invalidations++;
			cmd |= (u64)gran << DMAR_IOTLB_IAIG_SHIFT;
		}
	}
	reg_set(u, off, 8, cmd);
}

/* Queued invalidation */

static bool qi_context(struct unit *u, u64 lo)
{
	unsigned int gran = (lo >> DMAR_QI_GRAN_SHIFT) & 3;

	if (gran == 0)
		return false;
	ctx_cache_invalidate(u, gran, (lo >> DMAR_QI_DID_SHIFT) & 0xffff,
			     (lo >> DMAR_QI_SID_SHIFT) & 0xffff,
			     (lo >> 48) & 3);
	return true;
}

static bool qi_iotlb(struct unit *u, u64 lo, u64 hi)
{
	unsigned int gran = (lo >> DMAR_QI_GRAN_SHIFT) & 3;
	unsigned int am = hi & 0x3f;

	if (gran == 0 || am > MODEL_MAMV)
		return false;
	iotlb_invalidate(u, gran, (lo >> DMAR_QI_DID_SHIFT) & 0xffff,
			 hi & ~0xfffULL, am);
	return true;
}

static bool qi_iec(struct unit *u, u64 lo)
{
	iec_invalidate(u, lo & DMAR_QI_IEC_INDEXED,
		       (lo >> DMAR_QI_IEC_IDX_SHIFT) & 0xffff,
		       (lo >> DMAR_QI_IEC_IM_SHIFT) & 0x1f);
	return true;
}

static bool qi_wait(struct unit *u, u64 lo, u64 hi)
{
	u32 *status;

	u->stats.wait_descriptors++;
	if (lo & DMAR_QI_WAIT_SW) {
		status = sim_phys_ptr(hi & ~3ULL, 4);
		if (!status) {
			protocol_error(u, "wait descriptor status at 0x%llx",
				       (unsigned long long)(hi & ~3ULL));
			return false;
		}
		*status = lo >> DMAR_QI_WAIT_DATA_SHIFT;
	}
	if (lo & DMAR_QI_WAIT_IF)
		reg_set(u, DMAR_ICS, 4, REG32(u, DMAR_ICS) | DMAR_ICS_IWC);
	return true;
}

static bool qi_execute(struct unit *u, const u64 *desc)
{
	u->stats.queued_descriptors++;
	switch (desc[0] & QI_TYPE_MASK) {
	case DMAR_QI_CC:
		return qi_context(u, desc[0]);
	case DMAR_QI_IOTLB:
		return qi_iotlb(u, desc[0], desc[1]);
	case DMAR_QI_IEC:
		return qi_iec(u, desc[0]);
	case DMAR_QI_WAIT:
		return qi_wait(u, desc[0], desc[1]);
	default:
		/* Device-TLB and PASID descriptors: not supported here. */
		return false;
	}
}

static void qi_process(struct unit *u)
{
	u64 iqa = REG64(u, DMAR_IQA);
	u64 entries = 256ULL << (iqa & DMAR_IQA_QS_MASK);
	u64 head = REG64(u, DMAR_IQH) >> 4;
	u64 tail = (REG64(u, DMAR_IQT) & IQ_OFFSET_MASK) >> 4;
	const u64 *desc;
	bool ok = true;

	if (!(gsts(u) & DMAR_GCMD_QIE) || (REG32(u, DMAR_FSTS) & DMAR_FSTS_IQE))
		return;
	if ((iqa & IQA_DW) || tail >= entries) {
		protocol_error(u, "invalid queue: IQA 0x%llx, tail %llu",
			       (unsigned long long)iqa,
			       (unsigned long long)tail);
		ok = false;
	}
	while (ok && head != tail) {
		desc = sim_phys_ptr((iqa & ~0xfffULL) + head * 16, 16);
		ok = desc && qi_execute(u, desc);
		if (ok)
			head = (head + 1) % entries;
	}
	/* On an error the head stays at the descriptor that caused it. */
	reg_set(u, DMAR_IQH, 8, head << 4);
	if (!ok)
		reg_set(u, DMAR_FSTS, 4, REG32(u, DMAR_FSTS) | DMAR_FSTS_IQE);
}

static void iqt_written(struct unit *u, u64 value)
{
	(void)value;
	qi_process(u);
}

static void fsts_written(struct unit *u, u64 value)
{
	/* Clearing IQE lets the hardware fetch descriptors again. */
	if (value & DMAR_FSTS_IQE)
		qi_process(u);
}

static void frcd_written(struct unit *u, u64 value)
{
	(void)value;
	update_ppf(u);
}

/* Register file */

typedef void (*reg_written_fn)(struct unit *u, u64 value);

struct reg_desc {
	unsigned int offset;
	unsigned int size;
	u64 rw; /* bits software sets and clears */
	u64 w1c; /* bits software clears by writing 1 */
	reg_written_fn written;
};

static const struct reg_desc fixed_regs[] = {
	{ DMAR_GCMD, 4, 0, 0, gcmd_written },
	{ DMAR_RTADDR, 8, ~0ULL & ~0x3ffULL, 0, NULL },
	{ DMAR_CCMD, 8, ~(3ULL << DMAR_CCMD_CAIG_SHIFT), 0, ccmd_written },
	{ DMAR_FSTS, 4, 0, DMAR_FSTS_PFO | DMAR_FSTS_IQE | 0x60, fsts_written },
	{ DMAR_FECTL, 4, DMAR_FECTL_IM, 0, NULL },
	{ DMAR_FEDATA, 4, 0xffff, 0, NULL },
	{ DMAR_FEADDR, 4, ~3U, 0, NULL },
	{ DMAR_FEUADDR, 4, ~0U, 0, NULL },
	{ DMAR_IQT, 8, IQ_OFFSET_MASK, 0, iqt_written },
	{ DMAR_IQA, 8, ~0x7f8ULL, 0, NULL },
	{ DMAR_ICS, 4, 0, DMAR_ICS_IWC, NULL },
	{ 0xa0, 4, DMAR_FECTL_IM, 0, NULL }, /* IECTL */
	{ 0xa4, 4, 0xffff, 0, NULL }, /* IEDATA */
	{ 0xa8, 4, ~3U, 0, NULL }, /* IEADDR */
	{ 0xac, 4, ~0U, 0, NULL }, /* IEUADDR */
	{ DMAR_IRTA, 8, ~0x7f0ULL, 0, NULL },
};

static bool reg_covers(const struct reg_desc *d, unsigned int off,
		       unsigned int size)
{
	return off >= d->offset && off + size <= d->offset + d->size;
}

/* Registers whose place CAP and ECAP announce. */
static bool find_moving_reg(const struct unit *u, unsigned int off,
			    unsigned int size, struct reg_desc *out)
{
	const struct reg_desc iva = { iro(u), 8, ~0xf80ULL, 0, NULL };
	const struct reg_desc iotlb = {
		iro(u) + 8, 8, ~(3ULL << DMAR_IOTLB_IAIG_SHIFT), 0,
		iotlb_written
	};
	unsigned int rec;

	if (reg_covers(&iva, off, size)) {
		*out = iva;
		return true;
	}
	if (reg_covers(&iotlb, off, size)) {
		*out = iotlb;
		return true;
	}
	if (off < fro(u) || off >= fro(u) + nfr(u) * 16)
		return false;
	rec = fro(u) + (off - fro(u)) / 16 * 16;
	/* Only the F bit of a record is writable (to clear it). */
	*out = (struct reg_desc){ rec + 8, 8, 0, DMAR_FRCD_F, frcd_written };
	return reg_covers(out, off, size);
}

static bool find_reg(const struct unit *u, unsigned int off,
		     unsigned int size, struct reg_desc *out)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fixed_regs); i++)
		if (reg_covers(&fixed_regs[i], off, size)) {
			*out = fixed_regs[i];
			return true;
		}
	return find_moving_reg(u, off, size, out);
}

static bool access_ok(struct unit *u, u64 offset, unsigned int size)
{
	if ((size == 4 || size == 8) && offset % size == 0 &&
	    offset + size <= SIM_DMAR_REG_SIZE)
		return true;
	protocol_error(u, "%u-byte access at register offset 0x%llx", size,
		       (unsigned long long)offset);
	return false;
}

static u64 mmio_read(void *opaque, u64 offset, unsigned int size)
{
	struct unit *u = opaque;

	if (!access_ok(u, offset, size))
		return ~0ULL;
	return reg_get(u, offset, size);
}

static void mmio_write(void *opaque, u64 offset, unsigned int size, u64 value)
{
	struct unit *u = opaque;
	struct reg_desc d;
	unsigned int shift;
	u64 mask, old, new;

	if (!access_ok(u, offset, size))
		return;
	if (!find_reg(u, offset, size, &d)) {
		protocol_error(u, "write to read-only offset 0x%llx",
			       (unsigned long long)offset);
		return;
	}
	/* A 32-bit write may hit either half of a 64-bit register. */
	shift = (offset - d.offset) * 8;
	mask = (size == 8 ? ~0ULL : 0xffffffffULL) << shift;
	value <<= shift;
	old = reg_get(u, d.offset, d.size);
	new = (old & ~(d.rw & mask)) | (value & d.rw & mask);
	new &= ~(value & d.w1c & mask);
	reg_set(u, d.offset, d.size, new);
	if (d.written)
		d.written(u, value & mask);
}

/* Units and scopes */

static u64 default_cap(void)
{
	return (u64)MODEL_ND << DMAR_CAP_ND_SHIFT | DMAR_CAP_SAGAW_39 |
	       DMAR_CAP_SAGAW_48 | 47ULL << DMAR_CAP_MGAW_SHIFT |
	       (u64)(DMAR_MODEL_FRO / 16) << DMAR_CAP_FRO_SHIFT |
	       DMAR_CAP_SLLPS_2M | DMAR_CAP_SLLPS_1G | DMAR_CAP_PSI |
	       (u64)(MODEL_NFR - 1) << DMAR_CAP_NFR_SHIFT |
	       (u64)MODEL_MAMV << DMAR_CAP_MAMV_SHIFT;
}

static bool coherent_walks = true;

void sim_dmar_set_coherent(bool coherent)
{
	coherent_walks = coherent;
}

static u64 default_ecap(void)
{
	return (coherent_walks ? DMAR_ECAP_C : 0) | DMAR_ECAP_QI | DMAR_ECAP_IR | DMAR_ECAP_EIM |
	       (u64)(DMAR_MODEL_IRO / 16) << DMAR_ECAP_IRO_SHIFT;
}

int sim_dmar_add_unit(u64 base)
{
	struct unit *u;
	int err;

	if (num_units == SIM_DMAR_MAX_UNITS)
		return -ENOMEM;
	u = &units[num_units];
	memset(u, 0, sizeof(*u));
	u->base = base;
	reg_set(u, DMAR_VER, 4, MODEL_VER);
	reg_set(u, DMAR_CAP, 8, default_cap());
	reg_set(u, DMAR_ECAP, 8, default_ecap());
	err = sim_mmio_bus_add(base, SIM_DMAR_REG_SIZE, mmio_read, mmio_write,
			       u);
	if (err)
		return err;
	return num_units++;
}

void sim_dmar_reset(void)
{
	num_units = 0;
	coherent_walks = true;
	memset(unit_of_bdf, 0, sizeof(unit_of_bdf));
}

unsigned int sim_dmar_num_units(void)
{
	return num_units;
}

int sim_dmar_set_scope(unsigned int unit, u16 bdf)
{
	if (unit >= num_units)
		return -EINVAL;
	unit_of_bdf[bdf] = unit;
	return 0;
}

void sim_dmar_set_caps(unsigned int unit, u64 cap_value, u64 ecap_value)
{
	if (unit >= num_units)
		return;
	reg_set(&units[unit], DMAR_CAP, 8, cap_value);
	reg_set(&units[unit], DMAR_ECAP, 8, ecap_value);
}

static struct unit *unit_of(u16 bdf)
{
	return num_units ? &units[unit_of_bdf[bdf]] : NULL;
}

/* DMA translation */

struct xlate {
	enum sim_dma_result result;
	u8 reason;
	bool fpd; /* fault processing disabled by the context entry */
	u64 phys;
	u64 page_left; /* bytes from phys to the end of the translated page */
};

static bool xlate_fail(struct xlate *x, enum sim_dma_result result,
		       u8 reason)
{
	x->result = result;
	x->reason = reason;
	return false;
}

static bool ctx_entry_valid(const struct unit *u, const u64 *ce)
{
	u64 aw = ce[1] & 7;
	u64 sagaw = (cap(u) >> DMAR_CAP_SAGAW_SHIFT) & 0x1f;

	/* Only untranslated requests through second-level tables. */
	if ((ce[0] >> DMAR_CTX_TT_SHIFT) & 3)
		return false;
	return (aw == DMAR_CTX_AW_39 || aw == DMAR_CTX_AW_48) &&
	       (sagaw & (1ULL << aw));
}

static bool ctx_entry_reserved(const u64 *ce)
{
	return (ce[0] & 0xff0) || (ce[0] & ~ADDR_MASK & ~0xfffULL) ||
	       (ce[1] & ~0xffffffULL) || (ce[1] & 0x80);
}

/*
 * Reads table memory the way the unit walks it: through the CPU caches
 * when ECAP.C says its walks are coherent, else memory as the CPU last
 * flushed it. len bytes within one cache line; false if not RAM.
 */
static bool table_read(const struct unit *u, u64 phys, u64 *out,
		       unsigned int len)
{
	const void *p;

	if (!(ecap(u) & DMAR_ECAP_C))
		return sim_phys_device_read(phys, out, len);
	p = sim_phys_ptr(phys, len);
	if (!p)
		return false;
	memcpy(out, p, len);
	return true;
}

/* Finds the context entry of sid, from the cache or the tables. */
static bool lookup_context(struct unit *u, u16 sid, u64 *ce, struct xlate *x)
{
	struct ctx_cache_entry *cached = ctx_cache_find(u, sid);
	u64 root[2], entry[2];

	if (cached) {
		ce[0] = cached->lo;
		ce[1] = cached->hi;
		return true;
	}
	if (!table_read(u, u->active_rta + (sid >> 8) * 16, root, 16))
		return xlate_fail(x, SIM_DMA_TABLE_ERROR, DMAR_FR_ROOT_ACCESS);
	if (!(root[0] & DMAR_ROOT_P))
		return xlate_fail(x, SIM_DMA_ROOT_NOT_PRESENT,
				  DMAR_FR_ROOT_NOT_PRESENT);
	if ((root[0] & 0xffe) || (root[0] & ~ADDR_MASK & ~0xfffULL) ||
	    root[1])
		return xlate_fail(x, SIM_DMA_ROOT_INVALID,
				  DMAR_FR_ROOT_RESERVED);
	if (!table_read(u, (root[0] & ADDR_MASK) + (sid & 0xff) * 16, entry,
			16))
		return xlate_fail(x, SIM_DMA_TABLE_ERROR, DMAR_FR_CTX_ACCESS);
	if (!(entry[0] & DMAR_CTX_P))
		return xlate_fail(x, SIM_DMA_CONTEXT_NOT_PRESENT,
				  DMAR_FR_CTX_NOT_PRESENT);
	x->fpd = entry[0] & DMAR_CTX_FPD;
	if (ctx_entry_reserved(entry))
		return xlate_fail(x, SIM_DMA_CONTEXT_INVALID,
				  DMAR_FR_CTX_RESERVED);
	if (!ctx_entry_valid(u, entry))
		return xlate_fail(x, SIM_DMA_CONTEXT_INVALID,
				  DMAR_FR_CTX_INVALID);
	ce[0] = entry[0];
	ce[1] = entry[1];
	/* Caching mode 0: only present, valid entries are cached. */
	ctx_cache_insert(u, sid, ce);
	return true;
}

static bool sl_large_page_allowed(const struct unit *u, unsigned int level)
{
	if (level == 2)
		return cap(u) & DMAR_CAP_SLLPS_2M;
	if (level == 3)
		return cap(u) & DMAR_CAP_SLLPS_1G;
	return false;
}

static bool sl_entry_reserved(const struct unit *u, u64 pte,
			      unsigned int level, u64 page_size)
{
	if (pte & SL_RESERVED)
		return true;
	if (!(pte & DMAR_SL_PS) || level == 1)
		return false;
	if (!sl_large_page_allowed(u, level))
		return true;
	/* A large page's address must be aligned to its size. */
	return pte & (page_size - 1) & ADDR_MASK;
}

/* Walks the second-level tables of context entry ce for iova. */
static bool walk_second_level(struct unit *u, const u64 *ce, u64 iova,
			      struct iotlb_entry *out, struct xlate *x)
{
	unsigned int level = (ce[1] & 7) == DMAR_CTX_AW_48 ? 4 : 3;
	u64 table = ce[0] & ADDR_MASK;
	u64 perms = DMAR_SL_R | DMAR_SL_W;
	unsigned int shift;
	u64 pte_value;
	const u64 *pte = &pte_value;

	for (;; level--) {
		shift = PAGE_SHIFT + 9 * (level - 1);
		if (!table_read(u, table + ((iova >> shift) & 511) * 8,
				&pte_value, 8))
			return xlate_fail(x, SIM_DMA_TABLE_ERROR,
					  DMAR_FR_SL_ACCESS);
		if (!(*pte & (DMAR_SL_R | DMAR_SL_W)))
			return xlate_fail(x, SIM_DMA_SL_NOT_PRESENT, 0);
		if (sl_entry_reserved(u, *pte, level, 1ULL << shift))
			return xlate_fail(x, SIM_DMA_SL_RESERVED,
					  DMAR_FR_SL_RESERVED);
		/* Access rights are the intersection over all levels. */
		perms &= *pte & (DMAR_SL_R | DMAR_SL_W);
		if (level == 1 || (*pte & DMAR_SL_PS))
			break;
		table = *pte & ADDR_MASK;
	}
	out->valid = true;
	out->did = ctx_did(ce[1]);
	out->size = 1ULL << shift;
	out->iova = iova & ~(out->size - 1);
	out->phys = *pte & ADDR_MASK & ~(out->size - 1);
	out->perms = perms;
	return true;
}

static bool permitted(const struct iotlb_entry *e, bool is_write)
{
	return e->perms & (is_write ? DMAR_SL_W : DMAR_SL_R);
}

static bool translate(struct unit *u, u16 sid, u64 iova, bool is_write,
		      struct xlate *x)
{
	struct iotlb_entry fresh, *e;
	unsigned int aw_bits;
	u64 ce[2];

	if (!lookup_context(u, sid, ce, x))
		return false;
	x->fpd = ce[0] & DMAR_CTX_FPD;
	aw_bits = (ce[1] & 7) == DMAR_CTX_AW_48 ? 48 : 39;
	if (iova >> aw_bits)
		return xlate_fail(x, SIM_DMA_BEYOND_ADDRESS_WIDTH,
				  DMAR_FR_BEYOND_AW);

	e = iotlb_find(u, ctx_did(ce[1]), iova);
	/* A cached entry lacking the right may be stale: walk again. */
	if (!e || !permitted(e, is_write)) {
		if (!walk_second_level(u, ce, iova, &fresh, x)) {
			if (x->result == SIM_DMA_SL_NOT_PRESENT)
				x->reason = is_write ? DMAR_FR_WRITE :
						       DMAR_FR_READ;
			return false;
		}
		if (e)
			e->valid = false;
		iotlb_insert(u, &fresh);
		e = &fresh;
	}
	if (!permitted(e, is_write))
		return xlate_fail(x, is_write ? SIM_DMA_WRITE_DENIED :
						SIM_DMA_READ_DENIED,
				  is_write ? DMAR_FR_WRITE : DMAR_FR_READ);
	x->phys = e->phys + (iova - e->iova);
	x->page_left = e->size - (iova - e->iova);
	return true;
}

static void dma_fault(struct unit *u, u16 sid, u64 addr, bool is_write,
		      const struct xlate *x)
{
	struct sim_dmar_fault f = {
		.reason = x->reason,
		.source_id = sid,
		.address = addr & PAGE_MASK,
		.is_write = is_write,
	};

	if (!x->fpd)
		record_fault(u, &f);
}

static void copy_dma(void *ram, void *buf, u64 len, bool is_write)
{
	if (is_write)
		memcpy(ram, buf, len);
	else
		memcpy(buf, ram, len);
}

static enum sim_dma_result dma_untranslated(u64 addr, u64 len, bool is_write,
					    void *buf)
{
	void *ram = sim_phys_ptr(addr, len);

	if (!ram)
		return SIM_DMA_BAD_TARGET;
	copy_dma(ram, buf, len, is_write);
	return SIM_DMA_OK;
}

/*
 * Translates every page of the request; with copy set, also moves the data.
 * Run once to check, once to copy, so that a blocked request moves nothing.
 */
static enum sim_dma_result dma_pages(struct unit *u, u16 sid, u64 addr,
				     u64 len, bool is_write, u8 *buf,
				     bool copy)
{
	struct xlate x;
	u64 chunk;
	void *ram;

	while (len) {
		memset(&x, 0, sizeof(x));
		if (!translate(u, sid, addr, is_write, &x)) {
			dma_fault(u, sid, addr, is_write, &x);
			return x.result;
		}
		chunk = MIN(len, x.page_left);
		ram = sim_phys_ptr(x.phys, chunk);
		if (!ram)
			return SIM_DMA_BAD_TARGET;
		if (copy)
			copy_dma(ram, buf, chunk, is_write);
		addr += chunk;
		buf += chunk;
		len -= chunk;
	}
	return SIM_DMA_OK;
}

enum sim_dma_result sim_dma(u16 bdf, u64 addr, u64 len, bool is_write,
			    void *buf)
{
	struct unit *u = unit_of(bdf);
	enum sim_dma_result res;

	if (!u || !(gsts(u) & DMAR_GCMD_TE))
		return dma_untranslated(addr, len, is_write, buf);
	res = dma_pages(u, bdf, addr, len, is_write, buf, false);
	if (res != SIM_DMA_OK)
		return res;
	return dma_pages(u, bdf, addr, len, is_write, buf, true);
}

const char *sim_dma_result_name(enum sim_dma_result result)
{
	static const char *const names[] = {
		[SIM_DMA_OK] = "ok",
		[SIM_DMA_ROOT_NOT_PRESENT] = "root entry not present",
		[SIM_DMA_CONTEXT_NOT_PRESENT] = "context entry not present",
		[SIM_DMA_CONTEXT_INVALID] = "context entry invalid",
		[SIM_DMA_BEYOND_ADDRESS_WIDTH] = "beyond address width",
		[SIM_DMA_SL_NOT_PRESENT] = "second-level entry not present",
		[SIM_DMA_WRITE_DENIED] = "write not permitted",
		[SIM_DMA_READ_DENIED] = "read not permitted",
		[SIM_DMA_SL_RESERVED] = "second-level reserved bits",
		[SIM_DMA_TABLE_ERROR] = "table outside RAM",
		[SIM_DMA_BAD_TARGET] = "no RAM at target",
		[SIM_DMA_ROOT_INVALID] = "root entry invalid",
	};

	if ((unsigned int)result >= ARRAY_SIZE(names) || !names[result])
		return "?";
	return names[result];
}

unsigned long sim_dmar_fault_count(unsigned int unit)
{
	return unit < num_units ? units[unit].fault_count : 0;
}

bool sim_dmar_last_fault(unsigned int unit, struct sim_dmar_fault *fault)
{
	if (unit >= num_units || !units[unit].has_fault)
		return false;
	*fault = units[unit].last_fault;
	return true;
}

/* Interrupt remapping */

static bool msi_block(struct unit *u, u16 sid, u16 index, u8 reason,
		      bool fpd, struct sim_msi_result *out)
{
	struct sim_dmar_fault f = {
		.reason = reason,
		.source_id = sid,
		.irte_index = index,
		.is_interrupt = true,
	};

	out->status = SIM_MSI_BLOCKED;
	out->fault_reason = reason;
	if (!fpd)
		record_fault(u, &f);
	return false;
}

static void msi_compat(u64 addr, u32 data, struct sim_msi_result *out)
{
	out->status = SIM_MSI_DELIVERED;
	out->dest = (addr >> 12) & 0xff;
	out->dest_logical = addr & (1ULL << 2);
	out->vector = data & 0xff;
	out->delivery_mode = (data >> 8) & 7;
	out->level = data & (1U << 15);
}

static bool irte_reserved(const struct unit *u, const u64 *irte)
{
	/* Bits 14:12 and 31:24; IM (posted) as posting is not supported. */
	if (irte[0] & (0x7000ULL | 0x8000ULL | 0xff000000ULL))
		return true;
	/* xAPIC mode: only bits 15:8 of the destination field are used. */
	if (!(u->active_irta & DMAR_IRTA_EIME) &&
	    (irte[0] >> DMAR_IRTE_DST_SHIFT) & ~0xff00ULL)
		return true;
	return irte[1] & ~0xfffffULL;
}

static bool source_id_matches(const u64 *irte, u16 sid)
{
	u64 svt = (irte[1] >> DMAR_IRTE_SVT_SHIFT) & 3;
	u64 sq = (irte[1] >> DMAR_IRTE_SQ_SHIFT) & 3;
	u16 expected = irte[1] & 0xffff;
	/* SQ 1..3 leaves function bits 2, 2:1 or 2:0 out of the compare. */
	static const u16 sq_ignore[] = { 0, 0x4, 0x6, 0x7 };

	switch (svt) {
	case DMAR_SVT_NONE:
		return true;
	case DMAR_SVT_SID:
		return (sid & ~sq_ignore[sq]) == (expected & ~sq_ignore[sq]);
	case DMAR_SVT_BUS_RANGE:
		return (sid >> 8) >= (expected >> 8) &&
		       (sid >> 8) <= (expected & 0xff);
	default:
		return false;
	}
}

/* The IRTE of index from the interrupt entry cache or the table. */
static bool lookup_irte(struct unit *u, u16 index, u64 *irte, bool *cached)
{
	unsigned int i;

	for (i = 0; i < IEC_SIZE; i++)
		if (u->iec[i].valid && u->iec[i].index == index) {
			irte[0] = u->iec[i].lo;
			irte[1] = u->iec[i].hi;
			*cached = true;
			return true;
		}
	*cached = false;
	return table_read(u, (u->active_irta & ~0xfffULL) + index * 16ULL,
			  irte, 16);
}

static void iec_insert(struct unit *u, u16 index, const u64 *irte)
{
	struct iec_entry *e = &u->iec[u->iec_next];

	u->iec_next = (u->iec_next + 1) % IEC_SIZE;
	*e = (struct iec_entry){ true, index, irte[0], irte[1] };
}

static bool msi_remap(struct unit *u, u16 sid, u64 addr, u32 data,
		      struct sim_msi_result *out)
{
	u32 handle = ((addr >> 5) & 0x7fff) | ((addr >> 2) & 1) << 15;
	u64 entries = 2ULL << (u->active_irta & DMAR_IRTA_S_MASK);
	u32 index = handle;
	bool cached;
	u64 irte[2];

	if (addr & DMAR_MSI_SHV)
		index += data & 0xffff;
	out->index = index;
	if (addr & 3)
		return msi_block(u, sid, index, DMAR_FR_IR_DECODE, false, out);
	if (index >= entries)
		return msi_block(u, sid, index, DMAR_FR_IR_INDEX, false, out);
	if (!lookup_irte(u, index, irte, &cached))
		return msi_block(u, sid, index, DMAR_FR_IR_ACCESS, false, out);
	if (!(irte[0] & DMAR_IRTE_P))
		return msi_block(u, sid, index, DMAR_FR_IR_NOT_PRESENT, false,
				 out);
	if (irte_reserved(u, irte))
		return msi_block(u, sid, index, DMAR_FR_IR_RESERVED,
				 irte[0] & DMAR_IRTE_FPD, out);
	if (!cached)
		iec_insert(u, index, irte);
	if (!source_id_matches(irte, sid))
		return msi_block(u, sid, index, DMAR_FR_IR_SID,
				 irte[0] & DMAR_IRTE_FPD, out);

	out->status = SIM_MSI_DELIVERED;
	out->remapped = true;
	out->vector = irte[0] >> DMAR_IRTE_VECTOR_SHIFT;
	out->delivery_mode = (irte[0] >> DMAR_IRTE_DLM_SHIFT) & 7;
	out->dest_logical = irte[0] & DMAR_IRTE_DM;
	out->level = irte[0] & DMAR_IRTE_TM;
	out->dest = irte[0] >> DMAR_IRTE_DST_SHIFT;
	if (!(u->active_irta & DMAR_IRTA_EIME))
		out->dest = (out->dest >> 8) & 0xff;
	return true;
}

enum sim_msi_status sim_msi(u16 bdf, u64 addr, u32 data,
			    struct sim_msi_result *out)
{
	struct unit *u = unit_of(bdf);

	memset(out, 0, sizeof(*out));
	if (!u || !(gsts(u) & DMAR_GCMD_IRE)) {
		msi_compat(addr, data, out);
	} else if (addr & DMAR_MSI_REMAPPABLE) {
		msi_remap(u, bdf, addr, data, out);
	} else if (gsts(u) & DMAR_GCMD_CFI) {
		msi_compat(addr, data, out);
	} else {
		msi_block(u, bdf, 0, DMAR_FR_IR_COMPAT, false, out);
	}
	return out->status;
}

/* Test bookkeeping */

void sim_dmar_get_stats(unsigned int unit, struct sim_dmar_stats *stats)
{
	struct unit *u;
	unsigned int i;

	memset(stats, 0, sizeof(*stats));
	if (unit >= num_units)
		return;
	u = &units[unit];
	*stats = u->stats;
	for (i = 0; i < CTX_CACHE_SIZE; i++)
		stats->cached_contexts += u->ctx[i].valid;
	for (i = 0; i < IOTLB_SIZE; i++)
		stats->cached_translations += u->iotlb[i].valid;
}

const char *sim_dmar_last_protocol_error(unsigned int unit)
{
	return unit < num_units ? units[unit].protocol_error : "";
}

bool sim_dmar_translation_enabled(unsigned int unit)
{
	return unit < num_units && (gsts(&units[unit]) & DMAR_GCMD_TE);
}

bool sim_dmar_remapping_enabled(unsigned int unit)
{
	return unit < num_units && (gsts(&units[unit]) & DMAR_GCMD_IRE);
}
