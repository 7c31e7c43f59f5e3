// SPDX-License-Identifier: GPL-2.0
/*
 * Root's own interrupt remapping, kept while the hypervisor runs.
 *
 * In x2APIC mode Linux turns VT-d's interrupt remapping on long before the
 * hypervisor comes: its IOAPIC entries and MSIs name entries of its own
 * table, and it keeps changing that table, announcing each change with an
 * interrupt-entry-cache invalidation on the unit's queue. The hypervisor
 * takes the unit over at enable; root then gets an emulated copy of the
 * unit's interrupt-remapping interface:
 *  - root's accesses to the unit's register page trap. The table pointer,
 *    global command and status, the invalidation queue and the fault and
 *    invalidation event registers hold root's own values; the capability
 *    registers read as the hardware's; everything else reads 0.
 *  - Indexes [0, VTD_ROOT_IRTES) of the hypervisor's table mirror root's
 *    table. Each entry root announces is read from root's RAM, checked
 *    (remapped format, no reserved bits, a vector, a source that is a
 *    device or IOAPIC of root's, destinations among root's CPUs) and
 *    installed, or left out with a log line naming the entry. Cells'
 *    entries are allocated above that range, so a root message naming an
 *    index of its range can only ever reach root's entries.
 *  - root's queue runs on each tail write: cache invalidations re-read the
 *    entries, wait descriptors write their status into root's RAM, context
 *    and IOTLB invalidations do nothing (root translates no DMA).
 * vtd.c hands the unit back at disable with root's table pointer and its
 * queue, the queue's head where root expects it (vtd_root_regs).
 */
#include <core/cell.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/mmio.h>
#include <core/printk.h>
#include <core/root_memory.h>
#include <asm/apic.h>
#include <asm/hw.h>
#include <asm/iommu_common.h>
#include <asm/vtd_root_ir.h>

#define UNIT_PAGE 0x1000
#define MAX_QUEUE_ENTRIES (256U << 7) /* IQA.QS 7: 128 pages */
#define WHY_SIZE 96

static bool active;
static bool eim; /* x2APIC: 32-bit destinations, the table's EIME */
static unsigned int unit_no;
static u64 unit_base;
static u8 *hw_regs;
static struct vtd_root_regs view;
/* The table as of root's last SIRTP: where, how many entries, usable. */
static u64 table_base;
static unsigned int table_entries;
static bool table_ok;
/*
 * Each of root's entries as last checked, and what was installed for it:
 * a log line only when either changes.
 */
static struct {
	u64 raw[2];
	u64 installed;
} seen[VTD_ROOT_IRTES];
static u32 logged_writes; /* registers whose ignored writes were logged */

void vtd_root_ir_reset(void)
{
	active = false;
	eim = false;
	hw_regs = NULL;
	view = (struct vtd_root_regs){ 0 };
	table_base = 0;
	table_entries = 0;
	table_ok = false;
	memset(seen, 0, sizeof(seen));
	logged_writes = 0;
}

bool vtd_root_ir_active(void)
{
	return active;
}

const struct vtd_root_regs *vtd_root_ir_regs(void)
{
	return &view;
}

/* Root sends remappable-format messages (its table is checked apart). */
static bool root_remaps(void)
{
	return active && (view.gsts & VTD_GCMD_IRE);
}

static bool remapping_on(void)
{
	return root_remaps() && table_ok;
}

/* Checking one of root's entries */

static void print_entry(unsigned int index, const u64 *e, const char *what)
{
	u16 sid = e[1] & VTD_IRTE_SID_MASK;

	printk("VT-d unit %u: root's interrupt remapping entry %u (source "
	       "%02x:%02x.%x, vector 0x%02x): %s\n", unit_no, index, sid >> 8,
	       (sid >> 3) & 0x1f, sid & 7,
	       (unsigned int)((e[0] & VTD_IRTE_VECTOR_MASK) >>
			      VTD_IRTE_VECTOR_SHIFT),
	       what);
}

static const char *check_format(u64 lo, u64 hi)
{
	u64 dlm = (lo & VTD_IRTE_DLM_MASK) >> VTD_IRTE_DLM_SHIFT;
	u64 vector = (lo & VTD_IRTE_VECTOR_MASK) >> VTD_IRTE_VECTOR_SHIFT;

	if (lo & VTD_IRTE_POSTED)
		return "refused: posted-interrupt format";
	if ((lo & VTD_IRTE_RESERVED_LO) || (hi & VTD_IRTE_RESERVED_HI) ||
	    (!eim && (lo & VTD_IRTE_RESERVED_LO_XAPIC)))
		return "refused: reserved bits set";
	if (dlm != IOMMU_DLM_FIXED && dlm != IOMMU_DLM_LOWEST_PRIO &&
	    dlm != IOMMU_DLM_NMI && dlm != IOMMU_DLM_EXTINT)
		return "refused: delivery mode not allowed";
	if (dlm <= IOMMU_DLM_LOWEST_PRIO && vector < 16)
		return "refused: vectors 0-15 are illegal";
	return NULL;
}

static const char *check_source(u64 hi)
{
	u16 sid = hi & VTD_IRTE_SID_MASK;

	switch ((hi & VTD_IRTE_SVT_MASK) >> VTD_IRTE_SVT_SHIFT) {
	case VTD_SVT_REQUESTER:
		if (hi >> VTD_IRTE_SQ_SHIFT & 3)
			return "refused: source qualifier ignores function "
			       "bits";
		if (iommu_cell_has_ioapic(&root_cell, sid) ||
		    vtd_cell_has_device(&root_cell, sid))
			return NULL;
		return "refused: the source is not a device or IOAPIC of "
		       "root's";
	case VTD_SVT_BUS_RANGE:
		if (vtd_buses_only_cells(&root_cell, sid >> 8, sid & 0xff))
			return NULL;
		return "refused: its bus range holds devices of other cells";
	}
	return "refused: no source-id verification, any device could use it";
}

/*
 * The CPUs (bit per CPU) a destination names: root's, and the others (a
 * cell's, or on their way into one while it is created).
 */
static void destination_cpus(u64 lo, u64 *roots, u64 *others)
{
	u32 dest = eim ? (u32)(lo >> VTD_IRTE_DST_SHIFT) :
			 (u32)(lo >> VTD_IRTE_XAPIC_DST_SHIFT) & 0xff;
	unsigned int cpu;
	bool match;

	*roots = *others = 0;
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (cpu_of_apic_id(apic_id_of(cpu)) != (int)cpu)
			continue; /* no such CPU */
		match = lo & VTD_IRTE_DM ?
				apic_logical_match(per_cpu(cpu), dest) :
				apic_id_of(cpu) == dest;
		if (match && cpu_set_test(&root_cell.cpus, cpu))
			*roots |= 1ULL << cpu;
		else if (match)
			*others |= 1ULL << cpu;
	}
}

static unsigned int lowest_cpu(u64 cpus)
{
	unsigned int cpu = 0;

	while (!(cpus >> cpu & 1))
		cpu++;
	return cpu;
}

/* x2APIC logical id of a CPU: cluster in 31:16, one bit in 15:0. */
static u32 x2apic_logical_id(unsigned int cpu)
{
	u32 id = apic_id_of(cpu);

	return (id >> 4) << 16 | 1U << (id & 0xf);
}

/*
 * The destination part of the entry installed for root: the same when it
 * names root's CPUs only; else narrowed to them. x2APIC logical ids come
 * from the hardware and stay logical; xAPIC ones are what each guest
 * programmed, so those become the lowest of root's CPUs, physically.
 */
static u64 narrowed(u64 lo, u64 roots, u64 others)
{
	u64 keep = lo & ~(0xffffffffULL << VTD_IRTE_DST_SHIFT) &
		   ~(VTD_IRTE_DM | VTD_IRTE_RH);
	unsigned int cpu;
	u32 dest = 0;

	if (!others)
		return lo;
	if ((lo & VTD_IRTE_DM) && eim) {
		for (cpu = 0; cpu < 64; cpu++)
			if (roots >> cpu & 1)
				dest |= x2apic_logical_id(cpu);
		return keep | (lo & (VTD_IRTE_DM | VTD_IRTE_RH)) |
		       (u64)dest << VTD_IRTE_DST_SHIFT;
	}
	dest = apic_id_of(lowest_cpu(roots));
	return keep | (u64)dest << (eim ? VTD_IRTE_DST_SHIFT :
					  VTD_IRTE_XAPIC_DST_SHIFT);
}

/*
 * What the hypervisor installs for root's entry e: 0 (not present) with
 * why set when refused; why names a narrowing too.
 */
static u64 checked_entry(const u64 *e, char *why)
{
	const char *reason = check_format(e[0], e[1]);
	u64 roots, others;

	if (!reason)
		reason = check_source(e[1]);
	if (reason) {
		snprintk(why, WHY_SIZE, "%s", reason);
		return 0;
	}
	destination_cpus(e[0], &roots, &others);
	if (!roots) {
		snprintk(why, WHY_SIZE, "refused: its destination names no "
			 "CPU of root's (CPUs 0x%llx of cells)",
			 (unsigned long long)others);
		return 0;
	}
	if (others)
		snprintk(why, WHY_SIZE, "destination CPUs 0x%llx narrowed "
			 "to root's 0x%llx", (unsigned long long)(roots | others),
			 (unsigned long long)roots);
	return narrowed(e[0], roots, others) & ~VTD_IRTE_FPD;
}

/* Reads root's entry index and installs what may be installed of it. */
static void shadow(unsigned int index)
{
	u64 e[2] = { 0, 0 };
	char why[WHY_SIZE] = "";
	u64 lo = 0;

	if (remapping_on() && index < table_entries &&
	    copy_from_root(table_base + 16ULL * index, e, sizeof(e)))
		snprintk(why, WHY_SIZE, "refused: not readable in root's RAM");
	else if (e[0] & VTD_IRTE_P)
		lo = checked_entry(e, why);
	if (why[0] && (e[0] != seen[index].raw[0] ||
		       e[1] != seen[index].raw[1] ||
		       lo != seen[index].installed))
		print_entry(index, e, why);
	seen[index].raw[0] = e[0];
	seen[index].raw[1] = e[1];
	seen[index].installed = lo;
	vtd_set_root_irte(index, lo, lo ? e[1] & ~VTD_IRTE_RESERVED_HI : 0);
}

/*
 * Root may only name entries of its range: those past it are counted and
 * logged. Read a page of entries at a time: Linux's table has 65536.
 */
static void refuse_past_range(void)
{
	static u64 chunk[PAGE_SIZE / 8];
	unsigned int i, k, n, present = 0;

	for (i = VTD_ROOT_IRTES; i < table_entries; i += n) {
		n = MIN(table_entries - i, (unsigned int)PAGE_SIZE / 16);
		if (copy_from_root(table_base + 16ULL * i, chunk, 16ULL * n))
			return;
		for (k = 0; k < n; k++)
			present += chunk[2 * k] & VTD_IRTE_P;
	}
	if (present)
		printk("VT-d unit %u: %u of root's interrupt remapping entries "
		       "lie past the %u the hypervisor keeps for root: "
		       "refused, their interrupts are blocked\n", unit_no,
		       present, VTD_ROOT_IRTES);
}

static void shadow_range(unsigned int first, unsigned int count)
{
	unsigned int i;

	for (i = first; i < first + count && i < VTD_ROOT_IRTES; i++)
		shadow(i);
	if (first + count > VTD_ROOT_IRTES && remapping_on())
		printk("VT-d unit %u: root's interrupt remapping entries "
		       "%u-%u lie past the %u the hypervisor keeps for root: "
		       "refused\n", unit_no, MAX(first, VTD_ROOT_IRTES),
		       first + count - 1, VTD_ROOT_IRTES);
}

/* Every entry of root's range again: in force on return. */
void vtd_root_ir_shadow_all(void)
{
	if (!active)
		return;
	shadow_range(0, VTD_ROOT_IRTES);
	vtd_flush_irtes(-1);
}

/* Root's whole table: its range installed, what lies past it counted. */
static void shadow_table(void)
{
	vtd_root_ir_shadow_all();
	if (remapping_on())
		refuse_past_range();
}

/* Root's table pointer, taken at its SIRTP (and at take-over). */
static void latch_table(void)
{
	u64 irta = view.irta;
	u64 size = 16ULL << ((irta & VTD_IRTA_S_MASK) + 1);

	view.irta_latched = irta;
	table_base = irta & PAGE_MASK;
	table_entries = 2U << (irta & VTD_IRTA_S_MASK);
	table_ok = false;
	if (!!(irta & VTD_IRTA_EIME) != eim)
		printk("VT-d unit %u: root's interrupt remapping table at "
		       "0x%llx is in %s format, the system config says %s: "
		       "refused\n", unit_no, (unsigned long long)table_base,
		       eim ? "xAPIC" : "x2APIC", eim ? "x2APIC" : "xAPIC");
	else if (!root_may_write(table_base, size))
		printk("VT-d unit %u: root's interrupt remapping table "
		       "0x%llx+0x%llx is not in root's RAM: refused\n",
		       unit_no, (unsigned long long)table_base,
		       (unsigned long long)size);
	else
		table_ok = true;
}

/* Root's invalidation queue */

static unsigned int queue_entries(void)
{
	return 256U << (view.iqa & VTD_IQA_QS_MASK);
}

static void check_queue(void)
{
	u64 base = view.iqa & PAGE_MASK, size = queue_entries() * 16ULL;

	view.queue_ok = root_may_write(base, size);
	if (!view.queue_ok)
		printk("VT-d unit %u: root's invalidation queue 0x%llx+0x%llx "
		       "is not in root's RAM: refused\n", unit_no,
		       (unsigned long long)base, (unsigned long long)size);
}

static void invalidate_entries(u64 lo)
{
	unsigned int count, first;

	if (!(lo & VTD_QI_IEC_INDEXED)) {
		shadow_table();
		return;
	}
	count = 1U << ((lo >> VTD_QI_IEC_IM_SHIFT) & 0x1f);
	first = (u32)(lo >> VTD_QI_IEC_IDX_SHIFT) & 0xffff & ~(count - 1);
	shadow_range(first, count);
	vtd_flush_irtes(count == 1 && first < VTD_ROOT_IRTES ? (int)first :
							       -1);
}

static bool wait_done(const u64 *d)
{
	u32 data = d[0] >> VTD_QI_WAIT_DATA_SHIFT;
	u64 address = d[1] & ~3ULL;

	if ((d[0] & VTD_QI_WAIT_SW_BIT) &&
	    copy_to_root(address, &data, sizeof(data))) {
		printk("VT-d unit %u: root's wait descriptor writes to 0x%llx, "
		       "outside its RAM: refused\n", unit_no,
		       (unsigned long long)address);
		return false;
	}
	if (d[0] & VTD_QI_WAIT_IF)
		view.ics |= VTD_ICS_IWC;
	return true;
}

static bool run_descriptor(const u64 *d)
{
	if (d[0] & VTD_QI_TYPE_HI_MASK)
		return false;
	switch (d[0] & VTD_QI_TYPE_MASK) {
	case VTD_QI_TYPE_CC:
	case VTD_QI_TYPE_IOTLB:
	case VTD_QI_TYPE_DEV_TLB:
		return true; /* root translates no DMA: nothing cached */
	case VTD_QI_TYPE_IEC:
		invalidate_entries(d[0]);
		return true;
	case VTD_QI_TYPE_WAIT:
		return wait_done(d);
	}
	return false;
}

/*
 * As the hardware does: descriptors from head to tail, stopping with
 * IQE at one it cannot run (the head stays on it until root clears IQE).
 */
static void run_queue(void)
{
	unsigned int n, size = queue_entries();
	u64 d[2];

	if (!(view.gsts & VTD_GCMD_QIE) || (view.fsts & VTD_FSTS_IQE))
		return;
	if (!view.queue_ok) {
		view.fsts |= VTD_FSTS_IQE;
		return;
	}
	if (view.iqa & VTD_IQA_DW) {
		printk("VT-d unit %u: root's queue has 256-bit descriptors: "
		       "refused\n", unit_no);
		view.fsts |= VTD_FSTS_IQE;
		return;
	}
	for (n = 0; view.head != view.tail && n < size; n++) {
		if (copy_from_root((view.iqa & PAGE_MASK) + 16ULL * view.head,
				   d, sizeof(d)) ||
		    !run_descriptor(d)) {
			printk("VT-d unit %u: root's invalidation descriptor "
			       "%u (0x%016llx 0x%016llx) refused\n", unit_no,
			       view.head, (unsigned long long)d[0],
			       (unsigned long long)d[1]);
			view.fsts |= VTD_FSTS_IQE;
			return;
		}
		view.head = (view.head + 1) % size;
	}
}

/* Root's register page */

static void log_ignored_write(unsigned int reg, u64 value, const char *why)
{
	u32 bit = 1U << (reg / 8 % 32);

	if (logged_writes & bit)
		return;
	logged_writes |= bit;
	printk("VT-d unit %u: root's write of 0x%llx to register 0x%x "
	       "ignored: %s\n", unit_no, (unsigned long long)value, reg, why);
}

static void queue_enable(bool on)
{
	if (on == !!(view.gsts & VTD_GCMD_QIE))
		return;
	/* Either way the hardware starts again from descriptor 0. */
	view.head = 0;
	if (on) {
		view.gsts |= VTD_GCMD_QIE;
		check_queue();
		run_queue();
	} else {
		view.gsts &= ~VTD_GCMD_QIE;
	}
}

static void remapping_enable(bool on)
{
	if (on == !!(view.gsts & VTD_GCMD_IRE))
		return;
	if (on) {
		view.gsts |= VTD_GCMD_IRE;
	} else {
		view.gsts &= ~VTD_GCMD_IRE;
		printk("VT-d unit %u: root turned its interrupt remapping "
		       "off: its remappable-format interrupts are blocked\n",
		       unit_no);
	}
	shadow_table();
}

static void command_written(u32 cmd)
{
	if (cmd & VTD_GCMD_SIRTP) {
		latch_table();
		view.gsts |= VTD_GCMD_SIRTP;
		shadow_table();
	}
	if (cmd & VTD_GCMD_SRTP)
		view.gsts |= VTD_GCMD_SRTP;
	queue_enable(cmd & VTD_GCMD_QIE);
	remapping_enable(cmd & VTD_GCMD_IRE);
	if (cmd & VTD_GCMD_TE)
		log_ignored_write(VTD_GCMD_REG, cmd,
				  "DMA translation is the hypervisor's");
	else if (cmd & VTD_GCMD_CFI)
		log_ignored_write(VTD_GCMD_REG, cmd,
				  "compatibility-format interrupts stay "
				  "blocked");
}

/* The 64-bit register pair at an 8-aligned offset, as root sees it. */
static u64 pair_read(unsigned int reg)
{
	switch (reg) {
	case VTD_VER_REG:
		return hw_mmio_read32(hw_regs + reg);
	case VTD_CAP_REG:
	case VTD_ECAP_REG:
		return hw_mmio_read64(hw_regs + reg);
	case VTD_GCMD_REG:
		return (u64)view.gsts << 32;
	case VTD_FSTS_REG - 4:
		return (u64)view.fsts << 32;
	case VTD_FECTL_REG:
		return view.fectl | (u64)view.fedata << 32;
	case VTD_FEADDR_REG:
		return view.feaddr | (u64)view.feuaddr << 32;
	case VTD_IQH_REG:
		return (u64)view.head << VTD_IQ_INDEX_SHIFT;
	case VTD_IQT_REG:
		return (u64)view.tail << VTD_IQ_INDEX_SHIFT;
	case VTD_IQA_REG:
		return view.iqa;
	case VTD_ICS_REG - 4:
		return (u64)view.ics << 32;
	case VTD_IECTL_REG:
		return view.iectl | (u64)view.iedata << 32;
	case VTD_IEADDR_REG:
		return view.ieaddr | (u64)view.ieuaddr << 32;
	case VTD_IRTA_REG:
		return view.irta;
	}
	return 0;
}

/* value: the pair after the write; mask: the bytes root wrote. */
static void pair_written(unsigned int reg, u64 value, u64 mask)
{
	switch (reg) {
	case VTD_GCMD_REG:
		if (mask & 0xffffffffULL)
			command_written((u32)value);
		return;
	case VTD_FSTS_REG - 4:
		/* Write 1 to clear; a cleared IQE lets the queue go on. */
		view.fsts &= ~(u32)((value & mask) >> 32);
		run_queue();
		return;
	case VTD_FECTL_REG:
		view.fectl = (u32)value & VTD_FECTL_IM;
		view.fedata = value >> 32;
		return;
	case VTD_FEADDR_REG:
		view.feaddr = (u32)value;
		view.feuaddr = value >> 32;
		return;
	case VTD_IQT_REG:
		view.tail = (u32)(value >> VTD_IQ_INDEX_SHIFT) &
			    (queue_entries() - 1);
		run_queue();
		return;
	case VTD_IQA_REG:
		view.iqa = value;
		return;
	case VTD_ICS_REG - 4:
		view.ics &= ~(u32)((value & mask) >> 32);
		return;
	case VTD_IECTL_REG:
		view.iectl = (u32)value & VTD_FECTL_IM;
		view.iedata = value >> 32;
		return;
	case VTD_IEADDR_REG:
		view.ieaddr = (u32)value;
		view.ieuaddr = value >> 32;
		return;
	case VTD_IRTA_REG:
		view.irta = value;
		return;
	}
	log_ignored_write(reg, value & mask, "not part of interrupt "
			  "remapping, which is all root keeps");
}

static enum mmio_result root_unit_access(void *arg, struct mmio_access *a)
{
	unsigned int off = a->address, reg = off & ~7U, shift = off % 8 * 8;
	u64 mask, pair;

	(void)arg;
	if ((a->size != 4 && a->size != 8) || off % a->size ||
	    off >= UNIT_PAGE) {
		printk("VT-d unit %u: root's %u-byte access at register 0x%x "
		       "refused\n", unit_no, a->size, off);
		return MMIO_ERROR;
	}
	mask = (a->size == 8 ? ~0ULL : 0xffffffffULL) << shift;
	pair = pair_read(reg);
	if (!a->is_write) {
		a->value = (pair & mask) >> shift;
		return MMIO_HANDLED;
	}
	pair_written(reg, (pair & ~mask) | (a->value << shift & mask), mask);
	return MMIO_HANDLED;
}

int vtd_root_ir_cell_init(struct cell *cell)
{
	if (!active || cell != &root_cell)
		return 0;
	return mmio_region_register(cell, unit_base, UNIT_PAGE,
				    root_unit_access, NULL);
}

/* Root's remappable-format messages */

bool vtd_root_ir_ioapic_entry_ok(u64 entry)
{
	unsigned int index = (entry >> VTD_IOAPIC_INDEX_SHIFT) |
			     (entry & VTD_IOAPIC_INDEX15 ? 0x8000 : 0);

	return root_remaps() && (entry & VTD_IOAPIC_REMAPPABLE) &&
	       index < VTD_ROOT_IRTES;
}

bool vtd_root_ir_msi_ok(u64 address, u32 data)
{
	unsigned int index = (address >> VTD_MSI_HANDLE_SHIFT & 0x7fff) |
			     (address & VTD_MSI_HANDLE15 ? 0x8000 : 0);

	if (address & VTD_MSI_SHV)
		index += data & 0xffff;
	return root_remaps() && (address >> 20) == (VTD_MSI_BASE >> 20) &&
	       (address & VTD_MSI_REMAPPABLE) && index < VTD_ROOT_IRTES;
}

/* Taking over */

int vtd_root_ir_take_stock(unsigned int unit, u64 base, u8 *regs,
			   bool x2apic, unsigned int num_units)
{
	u32 gsts = hw_mmio_read32(regs + VTD_GSTS_REG);

	unit_no = unit;
	if (num_units > 1) {
		printk("VT-d unit %u: Linux remaps interrupts on one of %u "
		       "units; root keeps its remapping on one unit only "
		       "(boot Linux with intremap=off)\n", unit, num_units);
		return -EBUSY;
	}
	if (!(gsts & VTD_GCMD_QIE) || !(gsts & VTD_GCMD_SIRTP)) {
		printk("VT-d unit %u: Linux remaps interrupts without a queue "
		       "or a latched table (status 0x%08x)\n", unit, gsts);
		return -EBUSY;
	}
	hw_regs = regs;
	unit_base = base;
	eim = x2apic;
	view.gsts = gsts & (VTD_GCMD_QIE | VTD_GCMD_IRE | VTD_GCMD_SIRTP |
			    VTD_GCMD_SRTP);
	view.irta = hw_mmio_read64(regs + VTD_IRTA_REG);
	view.iqa = hw_mmio_read64(regs + VTD_IQA_REG);
	view.tail = (u32)(hw_mmio_read64(regs + VTD_IQT_REG) >>
			  VTD_IQ_INDEX_SHIFT) & (queue_entries() - 1);
	view.head = view.tail;
	view.fectl = hw_mmio_read32(regs + VTD_FECTL_REG) & VTD_FECTL_IM;
	view.fedata = hw_mmio_read32(regs + VTD_FEDATA_REG);
	view.feaddr = hw_mmio_read32(regs + VTD_FEADDR_REG);
	view.feuaddr = hw_mmio_read32(regs + VTD_FEUADDR_REG);
	view.iectl = hw_mmio_read32(regs + VTD_IECTL_REG) & VTD_FECTL_IM;
	view.iedata = hw_mmio_read32(regs + VTD_IEDATA_REG);
	view.ieaddr = hw_mmio_read32(regs + VTD_IEADDR_REG);
	view.ieuaddr = hw_mmio_read32(regs + VTD_IEUADDR_REG);
	active = true;
	return 0;
}

/* At enable, when root's RAM is root's: its memory can be checked. */
int vtd_root_ir_start(void)
{
	latch_table();
	if (!table_ok)
		return -EINVAL;
	check_queue();
	if (!view.queue_ok)
		return -EINVAL;
	shadow_table();
	printk("VT-d unit %u: root keeps its interrupt remapping: table at "
	       "0x%llx (%u entries, the first %u usable), queue at 0x%llx\n",
	       unit_no, (unsigned long long)table_base, table_entries,
	       VTD_ROOT_IRTES, (unsigned long long)(view.iqa & PAGE_MASK));
	return 0;
}
