// SPDX-License-Identifier: GPL-2.0
/*
 * Fake AMD-Vi hardware, modelled on the AMD I/O Virtualization Technology
 * (IOMMU) Specification (see sim/amd_iommu.h for the choices it makes).
 *
 * Each unit keeps its registers as fields; MMIO writes go through one
 * function per register with the side effects hardware has. Requests are
 * translated by walks over the device table, the I/O page tables and the
 * interrupt tables, with caches that keep what they read until a command
 * invalidates it. Misuse is refused and counted as a protocol error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sim/amd_iommu.h>
#include <sim/pci_hw.h>
#include <sim/phys.h>

#define DTE_CACHE_SIZE 64
#define IOTLB_SIZE 256
#define IRTE_CACHE_SIZE 64
#define MODEL_HAW 46
#define ADDR_MASK (((1ULL << MODEL_HAW) - 1) & ~0xfffULL)
#define PAGE 4096ULL
#define MIN_RING_LEN 8 /* 256 entries */

#define DTE_V (1ULL << 0)
#define DTE_TV (1ULL << 1)
#define DTE_MODE(q0) (((q0) >> 9) & 7)
#define DTE_IR (1ULL << 61)
#define DTE_IW (1ULL << 62)
/* No guest translation (bits 60:52) and bit 63 in the first quadword. */
#define DTE_Q0_RESERVED (0x1ffULL << 52 | 1ULL << 63 | 0x7cULL)
#define DTE_Q1_RESERVED (~0xffffULL)
#define DTE_IV (1ULL << 0)
#define DTE_INT_TAB_LEN(q2) (((q2) >> 1) & 0xf)
#define DTE_INT_TAB_MASK 0x000fffffffffffc0ULL
#define DTE_INIT_PASS (1ULL << 56)
#define DTE_EINT_PASS (1ULL << 57)
#define DTE_NMI_PASS (1ULL << 58)
#define DTE_INTCTL(q2) (((q2) >> 60) & 3)
#define DTE_Q2_RESERVED (0xfULL << 52 | 1ULL << 59)

#define PTE_PR (1ULL << 0)
#define PTE_NEXT_LEVEL(pte) (((pte) >> 9) & 7)
/* Bits 58:52 and address bits above the model's width. */
#define PTE_RESERVED                                                           \
	(0x7fULL << 52 | (((1ULL << 52) - 1) & ~((1ULL << MODEL_HAW) - 1)))
#define PTE_IR (1ULL << 61)
#define PTE_IW (1ULL << 62)

#define IRTE_REMAP_EN (1U << 0)
#define IRTE_INT_TYPE(lo) (((lo) >> 2) & 7)
#define IRTE_DM (1U << 6)
#define IRTE_GUEST_MODE (1U << 7)

#define CMD_OPCODE(q0) ((unsigned int)((q0) >> 60))
#define INV_ALL_PAGES 0x7ffffffffffff000ULL

enum {
	DLM_FIXED,
	DLM_ARBITRATED,
	DLM_SMI,
	DLM_NMI = 4,
	DLM_INIT,
	DLM_EXTINT = 7,
};

struct dte_cache_entry {
	bool valid;
	u16 devid;
	u64 q[4];
};

struct iotlb_entry {
	bool valid;
	u16 domain;
	u64 iova, phys, size;
	bool r, w;
};

struct irte_cache_entry {
	bool valid;
	u16 devid, index;
	u64 lo, hi;
};

struct unit {
	u64 base;
	u16 bdf;
	u8 msi_cap;
	u16 first, last;
	bool coherent;
	u64 dev_table, cmd_base, evt_base, control, efr, excl_base, excl_limit;
	u64 cmd_head, cmd_tail, evt_head, evt_tail, status;

	struct dte_cache_entry dtes[DTE_CACHE_SIZE];
	unsigned int dte_next;
	struct iotlb_entry iotlb[IOTLB_SIZE];
	unsigned int iotlb_next;
	struct irte_cache_entry irtes[IRTE_CACHE_SIZE];
	unsigned int irte_next;

	unsigned long events, interrupts;
	u64 int_address;
	u32 int_data;
	bool has_event;
	struct sim_amdvi_event last_event;
	struct sim_amdvi_stats stats;
	char protocol_error[160];
};

static struct unit units[SIM_AMDVI_MAX_UNITS];
static unsigned int num_units;
static bool new_units_coherent = true;
bool sim_amdvi_stall_commands;

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

/* Memory as the unit reads it: coherent, or as last flushed. */
static bool table_read(const struct unit *u, u64 phys, void *out,
		       unsigned int len)
{
	void *p;

	if (!u->coherent)
		return sim_phys_device_read(phys, out, len);
	p = sim_phys_ptr(phys, len);
	if (!p)
		return false;
	memcpy(out, p, len);
	return true;
}

static unsigned int ring_entries(u64 base)
{
	return 1U << ((base >> 56) & 0xf);
}

static u64 ring_addr(u64 base)
{
	return base & ADDR_MASK;
}

/* The event log and the unit's interrupt */

static void send_event_interrupt(struct unit *u)
{
	u8 cap = u->msi_cap;
	u16 ctrl = sim_pci_config_read(u->bdf, cap + 2, 2);
	bool is64 = ctrl & (1U << 7);

	if (!(u->control & SIM_AMDVI_CTRL_EVT_INT_EN) || !(ctrl & 1))
		return;
	u->int_address = sim_pci_config_read(u->bdf, cap + 4, 4);
	if (is64)
		u->int_address |= (u64)sim_pci_config_read(u->bdf, cap + 8, 4)
				  << 32;
	u->int_data = sim_pci_config_read(u->bdf, cap + (is64 ? 12 : 8), 2);
	u->interrupts++;
}

static void log_event(struct unit *u, const struct sim_amdvi_event *e)
{
	unsigned int n = ring_entries(u->evt_base);
	unsigned int tail = u->evt_tail >> 4, next = (tail + 1) % n;
	u64 *slot;

	u->last_event = *e;
	u->has_event = true;
	u->events++;
	if (!(u->status & SIM_AMDVI_STATUS_EVT_RUN)) {
		u->stats.events_lost++;
		return;
	}
	if (next == u->evt_head >> 4) {
		u->status |= SIM_AMDVI_STATUS_EVT_OVERFLOW;
		u->status &= ~SIM_AMDVI_STATUS_EVT_RUN;
		u->stats.events_lost++;
		send_event_interrupt(u);
		return;
	}
	slot = sim_phys_ptr(ring_addr(u->evt_base) + tail * 16, 16);
	if (!slot) {
		protocol_error(u, "event log at 0x%llx is not RAM",
			       (unsigned long long)u->evt_base);
		return;
	}
	slot[0] = e->devid | (u64)e->domain << 32 |
		  (u64)(e->flags & 0xfff) << 48 | (u64)e->code << 60;
	slot[1] = e->address;
	u->evt_tail = (u64)next << 4;
	u->status |= SIM_AMDVI_STATUS_EVT_INT;
	send_event_interrupt(u);
}

static void event(struct unit *u, u8 code, u16 devid, u16 domain,
		  u16 flags, u64 address)
{
	struct sim_amdvi_event e = { code, devid, domain, flags, address };

	log_event(u, &e);
}

/* Caches */

static struct dte_cache_entry *dte_cached(struct unit *u, u16 devid)
{
	unsigned int i;

	for (i = 0; i < DTE_CACHE_SIZE; i++)
		if (u->dtes[i].valid && u->dtes[i].devid == devid)
			return &u->dtes[i];
	return NULL;
}

static void dte_insert(struct unit *u, u16 devid, const u64 *q)
{
	struct dte_cache_entry *e = &u->dtes[u->dte_next];

	u->dte_next = (u->dte_next + 1) % DTE_CACHE_SIZE;
	e->valid = true;
	e->devid = devid;
	memcpy(e->q, q, sizeof(e->q));
}

static struct iotlb_entry *iotlb_find(struct unit *u, u16 domain, u64 iova)
{
	unsigned int i;

	for (i = 0; i < IOTLB_SIZE; i++) {
		struct iotlb_entry *e = &u->iotlb[i];

		if (e->valid && e->domain == domain && iova >= e->iova &&
		    iova - e->iova < e->size)
			return e;
	}
	return NULL;
}

static void iotlb_insert(struct unit *u, const struct iotlb_entry *entry)
{
	u->iotlb[u->iotlb_next] = *entry;
	u->iotlb_next = (u->iotlb_next + 1) % IOTLB_SIZE;
}

static struct irte_cache_entry *irte_cached(struct unit *u, u16 devid,
					    u16 index)
{
	unsigned int i;

	for (i = 0; i < IRTE_CACHE_SIZE; i++)
		if (u->irtes[i].valid && u->irtes[i].devid == devid &&
		    u->irtes[i].index == index)
			return &u->irtes[i];
	return NULL;
}

static void irte_insert(struct unit *u, u16 devid, u16 index, u64 lo, u64 hi)
{
	struct irte_cache_entry *e = &u->irtes[u->irte_next];

	u->irte_next = (u->irte_next + 1) % IRTE_CACHE_SIZE;
	*e = (struct irte_cache_entry){ true, devid, index, lo, hi };
}

static void drop_caches(struct unit *u)
{
	memset(u->dtes, 0, sizeof(u->dtes));
	memset(u->iotlb, 0, sizeof(u->iotlb));
	memset(u->irtes, 0, sizeof(u->irtes));
}

/* Pages [start, start + size) of a domain. */
static void iotlb_invalidate(struct unit *u, u16 domain, u64 start, u64 size)
{
	unsigned int i;

	for (i = 0; i < IOTLB_SIZE; i++) {
		struct iotlb_entry *e = &u->iotlb[i];

		if (e->valid && e->domain == domain &&
		    e->iova < start + size && start < e->iova + e->size)
			e->valid = false;
	}
}

/* Commands */

static bool cmd_completion_wait(struct unit *u, const u64 *c)
{
	u64 *word;

	if (c[0] & (0xfffULL << 52 & ~(0xfULL << 60)))
		return false;
	u->stats.completion_waits++;
	if (c[0] & 1) {
		word = sim_phys_ptr(c[0] & 0x000ffffffffffff8ULL, 8);
		if (!word)
			return false;
		*word = c[1];
	}
	if (c[0] & 2)
		u->status |= SIM_AMDVI_STATUS_COMP_WAIT_INT;
	return true;
}

static bool cmd_inv_dev_entry(struct unit *u, const u64 *c)
{
	struct dte_cache_entry *e;

	if ((c[0] & ~(0xfULL << 60) & ~0xffffULL) || c[1])
		return false;
	u->stats.dte_invalidations++;
	while ((e = dte_cached(u, c[0] & 0xffff)))
		e->valid = false;
	return true;
}

/* S = 1: the lowest clear bit of the page number gives the range size. */
static bool cmd_inv_pages(struct unit *u, const u64 *c)
{
	u16 domain = (c[0] >> 32) & 0xffff;
	u64 addr = c[1] & ~0xfffULL, size = PAGE;

	if (c[0] & (0xfffULL << 48 & ~(0xfULL << 60)) || (c[1] & 0xffc))
		return false;
	u->stats.page_invalidations++;
	if (c[1] & 1) {
		if (addr == INV_ALL_PAGES) {
			addr = 0;
			size = ~0ULL;
		} else {
			while (addr & size)
				size <<= 1;
			size <<= 1;
			addr &= ~(size - 1);
		}
	}
	iotlb_invalidate(u, domain, addr, size);
	return true;
}

static bool cmd_inv_int_table(struct unit *u, const u64 *c)
{
	u16 devid = c[0] & 0xffff;
	unsigned int i;

	if ((c[0] & ~(0xfULL << 60) & ~0xffffULL) || c[1])
		return false;
	u->stats.irt_invalidations++;
	for (i = 0; i < IRTE_CACHE_SIZE; i++)
		if (u->irtes[i].devid == devid)
			u->irtes[i].valid = false;
	return true;
}

static bool cmd_inv_all(struct unit *u, const u64 *c)
{
	if (!(u->efr & SIM_AMDVI_EFR_IA) || (c[0] & ~(0xfULL << 60)) || c[1])
		return false;
	u->stats.all_invalidations++;
	drop_caches(u);
	return true;
}

static bool execute(struct unit *u, const u64 *c)
{
	u->stats.commands++;
	switch (CMD_OPCODE(c[0])) {
	case 0x1:
		return cmd_completion_wait(u, c);
	case 0x2:
		return cmd_inv_dev_entry(u, c);
	case 0x3:
		return cmd_inv_pages(u, c);
	case 0x5:
		return cmd_inv_int_table(u, c);
	case 0x8:
		return cmd_inv_all(u, c);
	default:
		return false;
	}
}

/*
 * Runs the commands from head to tail; an illegal one stops the buffer.
 * The unit fetches commands only while it is on (IommuEn), as QEMU's model
 * and the hardware do: a command queued before sits there.
 */
static void process_commands(struct unit *u)
{
	unsigned int n = ring_entries(u->cmd_base);
	u64 phys;
	u64 *c;

	while (!sim_amdvi_stall_commands &&
	       (u->control & SIM_AMDVI_CTRL_IOMMU_EN) &&
	       (u->status & SIM_AMDVI_STATUS_CMD_RUN) &&
	       u->cmd_head != u->cmd_tail) {
		phys = ring_addr(u->cmd_base) + u->cmd_head;
		c = sim_phys_ptr(phys, 16);
		if (!c || !execute(u, c)) {
			event(u, SIM_AMDVI_EVT_ILLEGAL_COMMAND, 0, 0, 0, phys);
			u->status &= ~SIM_AMDVI_STATUS_CMD_RUN;
			return;
		}
		u->cmd_head = ((u->cmd_head >> 4) + 1) % n << 4;
	}
}

/* Registers */

static bool ring_base_ok(struct unit *u, u64 value, const char *name)
{
	if (((value >> 56) & 0xf) < MIN_RING_LEN || ((value >> 56) & 0xf) > 15) {
		protocol_error(u, "%s length 2^%llu below 256 entries", name,
			       (unsigned long long)((value >> 56) & 0xf));
		return false;
	}
	return true;
}

static void control_written(struct unit *u, u64 value)
{
	u64 old = u->control, changed = old ^ value;

	if ((old & SIM_AMDVI_CTRL_IOMMU_EN) && (value & SIM_AMDVI_CTRL_IOMMU_EN) &&
	    (changed & (SIM_AMDVI_CTRL_GA_EN | SIM_AMDVI_CTRL_XT_EN)))
		protocol_error(u, "interrupt entry format changed while on");
	u->control = value;
	if (changed & SIM_AMDVI_CTRL_CMD_BUF_EN) {
		if (value & SIM_AMDVI_CTRL_CMD_BUF_EN)
			u->status |= SIM_AMDVI_STATUS_CMD_RUN;
		else
			u->status &= ~SIM_AMDVI_STATUS_CMD_RUN;
	}
	if (changed & SIM_AMDVI_CTRL_EVT_LOG_EN) {
		if (!(value & SIM_AMDVI_CTRL_EVT_LOG_EN))
			u->status &= ~SIM_AMDVI_STATUS_EVT_RUN;
		else if (u->status & SIM_AMDVI_STATUS_EVT_OVERFLOW)
			protocol_error(u, "event log on with overflow set");
		else
			u->status |= SIM_AMDVI_STATUS_EVT_RUN;
	}
	process_commands(u);
}

static void reg_write(struct unit *u, unsigned int reg, u64 value)
{
	bool iommu_on = u->control & SIM_AMDVI_CTRL_IOMMU_EN;

	switch (reg) {
	case SIM_AMDVI_DEV_TABLE_BASE:
		if (iommu_on)
			protocol_error(u, "device table moved while enabled");
		else
			u->dev_table = value & (ADDR_MASK | 0x1ff);
		break;
	case SIM_AMDVI_CMD_BUF_BASE:
		if (u->control & SIM_AMDVI_CTRL_CMD_BUF_EN)
			protocol_error(u, "command buffer moved while on");
		else if (ring_base_ok(u, value, "command buffer"))
			u->cmd_base = value & (ADDR_MASK | 0xfULL << 56);
		break;
	case SIM_AMDVI_EVT_LOG_BASE:
		if (u->control & SIM_AMDVI_CTRL_EVT_LOG_EN)
			protocol_error(u, "event log moved while on");
		else if (ring_base_ok(u, value, "event log"))
			u->evt_base = value & (ADDR_MASK | 0xfULL << 56);
		break;
	case SIM_AMDVI_CONTROL:
		control_written(u, value);
		break;
	case SIM_AMDVI_EXCL_BASE:
		u->excl_base = value;
		break;
	case SIM_AMDVI_EXCL_LIMIT:
		u->excl_limit = value;
		break;
	case SIM_AMDVI_CMD_BUF_HEAD:
		if (u->status & SIM_AMDVI_STATUS_CMD_RUN)
			protocol_error(u, "command head written while running");
		else
			u->cmd_head = value & 0x7fff0;
		break;
	case SIM_AMDVI_CMD_BUF_TAIL:
		if ((value & 0x7fff0) >> 4 >= ring_entries(u->cmd_base) ||
		    (value & ~0x7fff0ULL)) {
			protocol_error(u, "command tail 0x%llx out of the buffer",
				       (unsigned long long)value);
			break;
		}
		u->cmd_tail = value;
		process_commands(u);
		break;
	case SIM_AMDVI_EVT_LOG_HEAD:
		u->evt_head = value & 0x7fff0;
		break;
	case SIM_AMDVI_EVT_LOG_TAIL:
		if (u->status & SIM_AMDVI_STATUS_EVT_RUN)
			protocol_error(u, "event tail written while running");
		else
			u->evt_tail = value & 0x7fff0;
		break;
	case SIM_AMDVI_STATUS:
		u->status &= ~(value & (SIM_AMDVI_STATUS_EVT_OVERFLOW |
					SIM_AMDVI_STATUS_EVT_INT |
					SIM_AMDVI_STATUS_COMP_WAIT_INT));
		break;
	default:
		protocol_error(u, "write to read-only register 0x%x", reg);
	}
}

static u64 reg_read(const struct unit *u, unsigned int reg)
{
	switch (reg) {
	case SIM_AMDVI_DEV_TABLE_BASE:
		return u->dev_table;
	case SIM_AMDVI_CMD_BUF_BASE:
		return u->cmd_base;
	case SIM_AMDVI_EVT_LOG_BASE:
		return u->evt_base;
	case SIM_AMDVI_CONTROL:
		return u->control;
	case SIM_AMDVI_EXCL_BASE:
		return u->excl_base;
	case SIM_AMDVI_EXCL_LIMIT:
		return u->excl_limit;
	case SIM_AMDVI_EXT_FEATURES:
		return u->efr;
	case SIM_AMDVI_CMD_BUF_HEAD:
		return u->cmd_head;
	case SIM_AMDVI_CMD_BUF_TAIL:
		return u->cmd_tail;
	case SIM_AMDVI_EVT_LOG_HEAD:
		return u->evt_head;
	case SIM_AMDVI_EVT_LOG_TAIL:
		return u->evt_tail;
	case SIM_AMDVI_STATUS:
		return u->status;
	default:
		return 0;
	}
}

/* 8-byte registers, also reached as two 4-byte halves. */
static u64 mmio_read(void *opaque, u64 offset, unsigned int size)
{
	struct unit *u = opaque;
	u64 v = reg_read(u, offset & ~7ULL);

	if (size == 4)
		return (u32)(v >> (offset & 4) * 8);
	return v;
}

static void mmio_write(void *opaque, u64 offset, unsigned int size, u64 value)
{
	struct unit *u = opaque;
	unsigned int reg = offset & ~7U, shift = (offset & 4) * 8;
	u64 old = reg_read(u, reg);

	if ((size != 4 && size != 8) || (size == 8 && (offset & 7))) {
		protocol_error(u, "%u-byte access at 0x%llx", size,
			       (unsigned long long)offset);
		return;
	}
	if (size == 4)
		value = (old & ~(0xffffffffULL << shift)) | (value << shift);
	reg_write(u, reg, value);
}

/* Units */

static void add_pci_function(const struct unit *u, u8 base_cap)
{
	sim_pci_add_device(u->bdf);
	sim_pci_add_msi_cap(u->bdf, u->msi_cap, true);
	/* The list: capability pointer -> IOMMU capability -> MSI. */
	sim_pci_config_write(u->bdf, 0x34, 1, base_cap);
	sim_pci_config_write(u->bdf, base_cap, 4,
			     0x00030000U | (u32)u->msi_cap << 8 | 0x0f);
	sim_pci_config_write(u->bdf, base_cap + 4, 4, (u32)u->base | 1);
	sim_pci_config_write(u->bdf, base_cap + 8, 4, (u32)(u->base >> 32));
}

int sim_amdvi_add_unit(u64 base, u16 bdf, u8 base_cap, u8 msi_cap,
		       u16 first, u16 last)
{
	struct unit *u;
	int err;

	if (num_units == SIM_AMDVI_MAX_UNITS)
		return -ENOSPC;
	u = &units[num_units];
	memset(u, 0, sizeof(*u));
	u->base = base;
	u->bdf = bdf;
	u->msi_cap = msi_cap;
	u->first = first;
	u->last = last;
	u->coherent = new_units_coherent;
	u->efr = SIM_AMDVI_EFR_PREF | SIM_AMDVI_EFR_XT | SIM_AMDVI_EFR_IA |
		 SIM_AMDVI_EFR_GA;
	err = sim_mmio_bus_add(base, SIM_AMDVI_REG_SIZE, mmio_read, mmio_write,
			       u);
	if (err)
		return err;
	add_pci_function(u, base_cap);
	return num_units++;
}

void sim_amdvi_set_coherent(bool coherent)
{
	new_units_coherent = coherent;
}

void sim_amdvi_reset(void)
{
	memset(units, 0, sizeof(units));
	num_units = 0;
	new_units_coherent = true;
	sim_amdvi_stall_commands = false;
}

unsigned int sim_amdvi_num_units(void)
{
	return num_units;
}

void sim_amdvi_set_efr(unsigned int unit, u64 efr)
{
	if (unit < num_units)
		units[unit].efr = efr;
}

static struct unit *unit_of(u16 devid)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		if (devid >= units[i].first && devid <= units[i].last)
			return &units[i];
	return NULL;
}

/* Device table lookup */

struct request {
	u16 devid;
	u64 address;
	bool is_write;
	bool is_interrupt;
	u64 dte[4];
};

static enum sim_amdvi_result fail(struct unit *u, const struct request *r,
				  enum sim_amdvi_result result, u8 code,
				  u16 flags)
{
	u16 domain = r->dte[1] & 0xffff;

	if (r->is_write)
		flags |= SIM_AMDVI_EVT_FLAG_RW;
	if (r->is_interrupt)
		flags |= SIM_AMDVI_EVT_FLAG_I;
	event(u, code, r->devid, domain, flags, r->address);
	return result;
}

static bool dte_reserved(const u64 *q)
{
	return (q[0] & DTE_Q0_RESERVED) || (q[1] & DTE_Q1_RESERVED) ||
	       (q[2] & DTE_Q2_RESERVED) || q[3] || DTE_MODE(q[0]) == 7 ||
	       DTE_INTCTL(q[2]) == 3 || DTE_INT_TAB_LEN(q[2]) > 11;
}

static enum sim_amdvi_result lookup_dte(struct unit *u, struct request *r)
{
	struct dte_cache_entry *cached = dte_cached(u, r->devid);
	u64 entries = ((u->dev_table & 0x1ff) + 1) * PAGE / 32;

	if (cached) {
		memcpy(r->dte, cached->q, sizeof(r->dte));
		return SIM_AMDVI_OK;
	}
	memset(r->dte, 0, sizeof(r->dte));
	if (r->devid >= entries)
		return fail(u, r, SIM_AMDVI_BEYOND_TABLE,
			    SIM_AMDVI_EVT_ILLEGAL_DTE, 0);
	if (!table_read(u, (u->dev_table & ADDR_MASK) + r->devid * 32ULL,
			r->dte, 32))
		return fail(u, r, SIM_AMDVI_TABLE_ERROR,
			    SIM_AMDVI_EVT_DEV_TAB_HW_ERROR, 0);
	if ((r->dte[0] & DTE_V) && dte_reserved(r->dte))
		return fail(u, r, SIM_AMDVI_ILLEGAL_DTE,
			    SIM_AMDVI_EVT_ILLEGAL_DTE, 0);
	dte_insert(u, r->devid, r->dte);
	return SIM_AMDVI_OK;
}

/* The I/O page walk */

struct xlate {
	u64 phys, page, size;
	bool r, w;
};

static enum sim_amdvi_result page_fault(struct unit *u, const struct request *r,
					enum sim_amdvi_result result,
					u16 flags)
{
	return fail(u, r, result, SIM_AMDVI_EVT_IO_PAGE_FAULT, flags);
}

static enum sim_amdvi_result walk(struct unit *u, const struct request *r,
				  struct xlate *x)
{
	unsigned int level = DTE_MODE(r->dte[0]), next;
	u64 table = r->dte[0] & 0x000ffffffffff000ULL, pte, shift;

	x->r = r->dte[0] & DTE_IR;
	x->w = r->dte[0] & DTE_IW;
	if (12 + 9 * level < 64 && r->address >> (12 + 9 * level))
		return page_fault(u, r, SIM_AMDVI_NOT_PRESENT, 0);
	for (;; level = next) {
		shift = 12 + 9 * (level - 1);
		if (!table_read(u, table + ((r->address >> shift) & 0x1ff) * 8,
				&pte, 8))
			return fail(u, r, SIM_AMDVI_TABLE_ERROR,
				    SIM_AMDVI_EVT_PAGE_TAB_HW_ERROR, 0);
		if (!(pte & PTE_PR))
			return page_fault(u, r, SIM_AMDVI_NOT_PRESENT, 0);
		next = PTE_NEXT_LEVEL(pte);
		if ((pte & PTE_RESERVED) || next == 7 ||
		    (next && next != level - 1) ||
		    (!next && (pte & ADDR_MASK & ((1ULL << shift) - 1))))
			return page_fault(u, r, SIM_AMDVI_RESERVED,
					  SIM_AMDVI_EVT_FLAG_PR |
						  SIM_AMDVI_EVT_FLAG_RZ);
		x->r = x->r && (pte & PTE_IR);
		x->w = x->w && (pte & PTE_IW);
		if (!next)
			break;
		table = pte & ADDR_MASK;
	}
	x->size = 1ULL << shift;
	x->page = r->address & ~(x->size - 1);
	x->phys = (pte & ADDR_MASK) | (r->address & (x->size - 1));
	return SIM_AMDVI_OK;
}

static enum sim_amdvi_result check_access(struct unit *u,
					  const struct request *r,
					  const struct xlate *x)
{
	u16 flags = SIM_AMDVI_EVT_FLAG_PR | SIM_AMDVI_EVT_FLAG_PE;

	if (r->is_write && !x->w)
		return page_fault(u, r, SIM_AMDVI_WRITE_DENIED, flags);
	if (!r->is_write && !x->r)
		return page_fault(u, r, SIM_AMDVI_READ_DENIED, flags);
	return SIM_AMDVI_OK;
}

/* Mode 0: no page table, the device entry's IR and IW alone decide. */
static enum sim_amdvi_result untranslated(struct unit *u,
					  const struct request *r,
					  struct xlate *x)
{
	u16 flags = SIM_AMDVI_EVT_FLAG_PR | SIM_AMDVI_EVT_FLAG_PE;

	x->phys = r->address;
	x->r = r->dte[0] & DTE_IR;
	x->w = r->dte[0] & DTE_IW;
	if ((r->is_write && !x->w) || (!r->is_write && !x->r))
		return page_fault(u, r, SIM_AMDVI_BLOCKED, flags);
	return SIM_AMDVI_OK;
}

static enum sim_amdvi_result translate(struct unit *u, struct request *r,
				       u64 *phys)
{
	struct iotlb_entry *hit, fill;
	struct xlate x;
	enum sim_amdvi_result res;
	u16 domain;

	*phys = r->address;
	if (!(u->control & SIM_AMDVI_CTRL_IOMMU_EN))
		return SIM_AMDVI_OK;
	res = lookup_dte(u, r);
	if (res != SIM_AMDVI_OK || !(r->dte[0] & DTE_V) ||
	    !(r->dte[0] & DTE_TV))
		return res;
	if (DTE_MODE(r->dte[0]) == 0) {
		res = untranslated(u, r, &x);
		return res;
	}
	domain = r->dte[1] & 0xffff;
	hit = iotlb_find(u, domain, r->address);
	if (!hit) {
		res = walk(u, r, &x);
		if (res != SIM_AMDVI_OK)
			return res;
		fill = (struct iotlb_entry){ true, domain, x.page,
					     x.phys - (r->address - x.page),
					     x.size, x.r, x.w };
		iotlb_insert(u, &fill);
		hit = &fill;
	}
	x.r = hit->r;
	x.w = hit->w;
	res = check_access(u, r, &x);
	*phys = hit->phys + (r->address - hit->iova);
	return res;
}

enum sim_amdvi_result sim_amdvi_dma(u16 devid, u64 addr, u64 len,
				    bool is_write, void *buf)
{
	struct unit *u = unit_of(devid);
	struct request r = { .devid = devid, .is_write = is_write };
	u64 offset, chunk, phys[64];
	unsigned int n = 0, i;
	enum sim_amdvi_result res;
	void *ram;

	/* Translate every page first: a blocked request moves nothing. */
	for (offset = 0; offset < len && n < 64; offset += chunk, n++) {
		r.address = addr + offset;
		chunk = MIN(len - offset, PAGE - (r.address & (PAGE - 1)));
		phys[n] = r.address;
		if (u) {
			res = translate(u, &r, &phys[n]);
			if (res != SIM_AMDVI_OK)
				return res;
		}
		if (!sim_phys_ptr(phys[n], chunk))
			return SIM_AMDVI_BAD_TARGET;
	}
	for (offset = 0, i = 0; i < n; offset += chunk, i++) {
		chunk = MIN(len - offset, PAGE - ((addr + offset) & (PAGE - 1)));
		ram = sim_phys_ptr(phys[i], chunk);
		if (is_write)
			memcpy(ram, (u8 *)buf + offset, chunk);
		else
			memcpy((u8 *)buf + offset, ram, chunk);
	}
	return SIM_AMDVI_OK;
}

const char *sim_amdvi_result_name(enum sim_amdvi_result result)
{
	static const char *const names[] = {
		[SIM_AMDVI_OK] = "ok",
		[SIM_AMDVI_BLOCKED] = "blocked by the device entry",
		[SIM_AMDVI_NOT_PRESENT] = "not present",
		[SIM_AMDVI_WRITE_DENIED] = "write denied",
		[SIM_AMDVI_READ_DENIED] = "read denied",
		[SIM_AMDVI_RESERVED] = "reserved bits",
		[SIM_AMDVI_ILLEGAL_DTE] = "illegal device table entry",
		[SIM_AMDVI_BEYOND_TABLE] = "beyond the device table",
		[SIM_AMDVI_TABLE_ERROR] = "table outside RAM",
		[SIM_AMDVI_BAD_TARGET] = "no RAM at the target",
		[SIM_AMDVI_NOT_INTERRUPT] = "not an interrupt address",
	};

	if ((unsigned int)result >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[result];
}

/* Interrupts */

static void compat(u64 addr, u32 data, struct sim_amdvi_irq *out)
{
	out->status = SIM_MSI_DELIVERED;
	out->remapped = false;
	out->dest = (addr >> 12) & 0xff;
	out->dest_logical = addr & (1ULL << 2);
	out->vector = data & 0xff;
	out->delivery_mode = (data >> 8) & 7;
}

static enum sim_msi_status block(struct sim_amdvi_irq *out,
				 enum sim_amdvi_result why)
{
	out->status = SIM_MSI_BLOCKED;
	out->why = why;
	return SIM_MSI_BLOCKED;
}

static bool irte_reserved(const struct unit *u, u64 lo, u64 hi)
{
	unsigned int type = IRTE_INT_TYPE(lo);

	if ((lo & IRTE_GUEST_MODE) ||
	    (type != DLM_FIXED && type != DLM_ARBITRATED && type != DLM_NMI &&
	     type != DLM_INIT && type != DLM_EXTINT))
		return true;
	if (!(u->control & SIM_AMDVI_CTRL_GA_EN))
		return lo & 0xff000000ULL;
	/* 128-bit: the guest fields (lo 63:32, hi 55:8) stay clear. */
	return (lo >> 32) || (hi & 0x00ffffffffffff00ULL) ||
	       (!(u->control & SIM_AMDVI_CTRL_XT_EN) &&
		((hi >> 56) || ((lo >> 8) & 0xffff00)));
}

static bool read_irte(struct unit *u, const struct request *r, u16 index,
		      u64 *lo, u64 *hi)
{
	struct irte_cache_entry *c = irte_cached(u, r->devid, index);
	bool ga = u->control & SIM_AMDVI_CTRL_GA_EN;
	u64 table = r->dte[2] & DTE_INT_TAB_MASK, words[2] = { 0, 0 };
	u32 word = 0;

	if (c) {
		*lo = c->lo;
		*hi = c->hi;
		return true;
	}
	if (ga ? !table_read(u, table + index * 16ULL, words, 16) :
		 !table_read(u, table + index * 4ULL, &word, 4))
		return false;
	*lo = ga ? words[0] : word;
	*hi = words[1];
	/* Kept until INVALIDATE_INTERRUPT_TABLE, whatever memory says. */
	irte_insert(u, r->devid, index, *lo, *hi);
	return true;
}

static enum sim_msi_status remap(struct unit *u, struct request *r, u32 data,
				 struct sim_amdvi_irq *out)
{
	u16 index = data & 0x7ff;
	u64 lo, hi;

	if (index >= 1U << DTE_INT_TAB_LEN(r->dte[2]))
		return block(out, page_fault(u, r, SIM_AMDVI_NOT_PRESENT, 0));
	if (!read_irte(u, r, index, &lo, &hi))
		return block(out, fail(u, r, SIM_AMDVI_TABLE_ERROR,
				       SIM_AMDVI_EVT_PAGE_TAB_HW_ERROR, 0));
	if (!(lo & IRTE_REMAP_EN))
		return block(out, page_fault(u, r, SIM_AMDVI_NOT_PRESENT, 0));
	if (irte_reserved(u, lo, hi))
		return block(out, page_fault(u, r, SIM_AMDVI_RESERVED,
					     SIM_AMDVI_EVT_FLAG_PR |
						     SIM_AMDVI_EVT_FLAG_RZ));
	out->status = SIM_MSI_DELIVERED;
	out->remapped = true;
	out->index = index;
	out->delivery_mode = IRTE_INT_TYPE(lo);
	out->dest_logical = lo & IRTE_DM;
	if (u->control & SIM_AMDVI_CTRL_GA_EN) {
		out->vector = hi & 0xff;
		out->dest = (u32)((lo >> 8) & 0xffffff) | (u32)(hi >> 56) << 24;
	} else {
		out->vector = (lo >> 16) & 0xff;
		out->dest = (lo >> 8) & 0xff;
	}
	return SIM_MSI_DELIVERED;
}

/* Kinds the table does not handle pass only where the entry says so. */
static enum sim_msi_status pass_or_block(struct unit *u, struct request *r,
					 u64 pass_bit, u64 addr, u32 data,
					 struct sim_amdvi_irq *out)
{
	if (r->dte[2] & pass_bit) {
		compat(addr, data, out);
		return SIM_MSI_DELIVERED;
	}
	return block(out, page_fault(u, r, SIM_AMDVI_BLOCKED,
				     SIM_AMDVI_EVT_FLAG_PR |
					     SIM_AMDVI_EVT_FLAG_PE));
}

static enum sim_msi_status by_kind(struct unit *u, struct request *r, u32 data,
				   struct sim_amdvi_irq *out)
{
	u64 addr = r->address;

	switch ((data >> 8) & 7) {
	case DLM_FIXED:
	case DLM_ARBITRATED:
		break;
	case DLM_NMI:
		return pass_or_block(u, r, DTE_NMI_PASS, addr, data, out);
	case DLM_INIT:
		return pass_or_block(u, r, DTE_INIT_PASS, addr, data, out);
	case DLM_EXTINT:
		return pass_or_block(u, r, DTE_EINT_PASS, addr, data, out);
	default:
		return pass_or_block(u, r, 0, addr, data, out);
	}
	switch (DTE_INTCTL(r->dte[2])) {
	case 1:
		compat(addr, data, out);
		return SIM_MSI_DELIVERED;
	case 2:
		return remap(u, r, data, out);
	default:
		return pass_or_block(u, r, 0, addr, data, out);
	}
}

enum sim_msi_status sim_amdvi_msi(u16 devid, u64 addr, u32 data,
				  struct sim_amdvi_irq *out)
{
	struct unit *u = unit_of(devid);
	struct request r = { .devid = devid, .address = addr,
			     .is_write = true, .is_interrupt = true };
	enum sim_amdvi_result res;

	memset(out, 0, sizeof(*out));
	if ((addr & ~0xfffffULL) != 0xfee00000ULL)
		return block(out, SIM_AMDVI_NOT_INTERRUPT);
	if (!u || !(u->control & SIM_AMDVI_CTRL_IOMMU_EN)) {
		compat(addr, data, out);
		return SIM_MSI_DELIVERED;
	}
	res = lookup_dte(u, &r);
	if (res != SIM_AMDVI_OK)
		return block(out, res);
	if (!(r.dte[0] & DTE_V) || !(r.dte[2] & DTE_IV)) {
		compat(addr, data, out);
		return SIM_MSI_DELIVERED;
	}
	return by_kind(u, &r, data, out);
}

/* Observation */

static struct unit *unit_at(unsigned int unit)
{
	return unit < num_units ? &units[unit] : NULL;
}

void sim_amdvi_inject_event(unsigned int unit,
			    const struct sim_amdvi_event *event)
{
	struct unit *u = unit_at(unit);

	if (u)
		log_event(u, event);
}

unsigned long sim_amdvi_event_count(unsigned int unit)
{
	return unit_at(unit) ? units[unit].events : 0;
}

bool sim_amdvi_last_event(unsigned int unit, struct sim_amdvi_event *event)
{
	struct unit *u = unit_at(unit);

	if (!u || !u->has_event)
		return false;
	*event = u->last_event;
	return true;
}

unsigned long sim_amdvi_interrupts(unsigned int unit, u64 *address,
				   u32 *data)
{
	struct unit *u = unit_at(unit);

	if (!u)
		return 0;
	if (address)
		*address = u->int_address;
	if (data)
		*data = u->int_data;
	return u->interrupts;
}

void sim_amdvi_get_stats(unsigned int unit, struct sim_amdvi_stats *stats)
{
	struct unit *u = unit_at(unit);
	unsigned int i;

	memset(stats, 0, sizeof(*stats));
	if (!u)
		return;
	*stats = u->stats;
	for (i = 0; i < DTE_CACHE_SIZE; i++)
		stats->cached_dtes += u->dtes[i].valid;
	for (i = 0; i < IOTLB_SIZE; i++)
		stats->cached_translations += u->iotlb[i].valid;
	for (i = 0; i < IRTE_CACHE_SIZE; i++)
		stats->cached_irtes += u->irtes[i].valid;
}

const char *sim_amdvi_last_protocol_error(unsigned int unit)
{
	return unit_at(unit) ? units[unit].protocol_error : "";
}

bool sim_amdvi_enabled(unsigned int unit)
{
	return unit_at(unit) &&
	       (units[unit].control & SIM_AMDVI_CTRL_IOMMU_EN);
}

u64 sim_amdvi_control(unsigned int unit)
{
	return unit_at(unit) ? units[unit].control : 0;
}
