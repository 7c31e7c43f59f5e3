// SPDX-License-Identifier: GPL-2.0
/*
 * The IPIs of a cell, checked before any reaches the hardware.
 *
 * A guest's ICR write is decoded (SDM: delivery mode, destination mode,
 * shorthand), its destination resolved to CPUs, and each CPU that belongs to
 * the sender's cell gets its own physical-destination IPI from the
 * hypervisor. Logical destinations and broadcasts are never handed to the
 * hardware: xAPIC logical ids are whatever each guest programmed and may
 * match CPUs of other cells. INIT and SIPI are never sent at all; they park
 * and restart the target through the per-CPU requests.
 */
#include <core/cell.h>
#include <core/errno.h>
#include <core/printk.h>
#include <asm/apic.h>
#include <asm/apicdef.h>
#include <asm/control.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/vcpu.h>
#include <asm/vmcs.h>

/* Bits the SDM reserves; the xAPIC's delivery status is read-only. */
#define ICR_RESERVED_X2APIC 0xfff33000U
#define ICR_RESERVED_XAPIC 0xfff32000U

enum delivery_mode {
	DLVR_FIXED = 0,
	DLVR_LOWEST = 1,
	DLVR_SMI = 2,
	DLVR_NMI = 4,
	DLVR_INIT = 5,
	DLVR_STARTUP = 6,
};

enum shorthand { SH_NONE, SH_SELF, SH_ALL, SH_OTHERS };

enum refusal {
	RF_RESERVED,
	RF_MODE,
	RF_SMI,
	RF_VECTOR,
	RF_SHORTHAND,
	RF_NO_CPU,
	RF_NONE = -1,
};

static const char *const refusal_text[] = {
	[RF_RESERVED] = "reserved bits set",
	[RF_MODE] = "reserved delivery mode",
	[RF_SMI] = "SMIs are not for cells",
	[RF_VECTOR] = "vectors 0-15 are illegal",
	[RF_SHORTHAND] = "delivery mode not valid with this shorthand",
	[RF_NO_CPU] = "no such CPU",
};

static const char *const mode_text[8] = {
	"fixed", "lowest-priority", "SMI", "reserved",
	"NMI",	 "INIT",	    "SIPI", "reserved",
};

/* The xAPIC's register page, mapped once; NULL in x2APIC mode. */
static volatile void *xapic_page;
/*
 * The CPU-to-APIC-id table: ids as each CPU's APIC reported them at
 * apic_cpu_init, valid for the CPUs in known_cpus. Everything that turns a
 * CPU into a destination or back (IPIs, IOAPIC pins, remapping entries,
 * VT-d fault events) asks here.
 */
static u32 apic_ids[MAX_CPUS];
static u64 known_cpus;
/* CPUs whose stuck ICR was logged already: a kick is repeated each ms. */
static u64 icr_stuck_logged;

_Static_assert(MAX_CPUS <= 64, "known_cpus and logged_targets are u64");

bool apic_x2apic_mode(void)
{
	return system_config->platform_info.apic_mode ==
	       JAILHOUSE_APIC_MODE_X2APIC;
}

volatile void *apic_xapic_page(void)
{
	return xapic_page;
}

int apic_cpu_init(struct per_cpu *cpu)
{
	u64 base = hw_rdmsr(MSR_IA32_APIC_BASE);
	bool x2apic = apic_x2apic_mode();
	struct apic_per_cpu *a = &cpu->arch.apic;
	u32 id;

	if (!(base & APIC_BASE_EN) || !!(base & APIC_BASE_EXTD) != x2apic) {
		printk("CPU %u: local APIC %s, but the config says %s\n",
		       cpu->cpu_id,
		       !(base & APIC_BASE_EN)	? "disabled" :
		       (base & APIC_BASE_EXTD) ? "in x2APIC mode" :
						 "in xAPIC mode",
		       x2apic ? "x2APIC" : "xAPIC");
		return -ENODEV;
	}
	if (!x2apic && (base & APIC_BASE_ADDR) != XAPIC_BASE) {
		printk("CPU %u: local APIC moved to 0x%llx, not supported\n",
		       cpu->cpu_id,
		       (unsigned long long)(base & APIC_BASE_ADDR));
		return -ENODEV;
	}
	if (!x2apic && !xapic_page)
		xapic_page = hw_map_device(XAPIC_BASE, PAGE_SIZE);
	/* Without its page, a NULL one would mean x2APIC MSRs: #GP. */
	if (!x2apic && !xapic_page) {
		printk("CPU %u: local APIC page not mapped\n", cpu->cpu_id);
		return -ENOMEM;
	}

	id = hw_apic_read(xapic_page, APIC_ID);
	if (!x2apic) {
		id >>= 24;
		a->ldr = hw_apic_read(xapic_page, APIC_LDR);
		a->dfr = hw_apic_read(xapic_page, APIC_DFR);
	}
	apic_ids[cpu->cpu_id] = id;
	/* Other CPUs may look the table up: the id is in before the bit. */
	__atomic_fetch_or(&known_cpus, 1ULL << cpu->cpu_id, __ATOMIC_RELEASE);
	return 0;
}

static bool apic_id_known(unsigned int cpu_id)
{
	return cpu_id < MAX_CPUS &&
	       ((__atomic_load_n(&known_cpus, __ATOMIC_ACQUIRE) >> cpu_id) & 1);
}

u32 apic_id_of(unsigned int cpu_id)
{
	return apic_id_known(cpu_id) ? apic_ids[cpu_id] : APIC_ID_NONE;
}

int cpu_of_apic_id(u32 apic_id)
{
	u64 cpus = __atomic_load_n(&known_cpus, __ATOMIC_ACQUIRE);
	unsigned int cpu;

	for (; cpus; cpus &= cpus - 1) {
		cpu = __builtin_ctzll(cpus);
		if (apic_ids[cpu] == apic_id)
			return (int)cpu;
	}
	return -1;
}

/* xAPIC: one IPI at a time, the last must have left the ICR first. */
static int wait_icr_idle(void)
{
	unsigned int polls;

	for (polls = 0; polls < APIC_ICR_IDLE_POLLS; polls++) {
		if (!(hw_apic_read(xapic_page, APIC_ICR) & ICR_BUSY))
			return 0;
		hw_pause();
	}
	return -ETIMEDOUT;
}

static void report_stuck_icr(unsigned int target, u32 icr_low)
{
	unsigned int self = hw_this_cpu_id();
	u64 bit = 1ULL << self;

	if (__atomic_fetch_or(&icr_stuck_logged, bit, __ATOMIC_RELAXED) & bit)
		return;
	printk("CPU %u: local APIC ICR still busy after %u polls: %s IPI "
	       "(vector 0x%x) to CPU %u not sent\n",
	       self, APIC_ICR_IDLE_POLLS, mode_text[(icr_low >> 8) & 7],
	       icr_low & ICR_VECTOR, target);
}

/*
 * Kept out of line: the x2APIC path, taken on every IPI exit, then needs
 * no registers saved for the wait and the log line.
 */
static __attribute__((noinline)) int send_xapic(unsigned int target,
						 u32 icr_low)
{
	if (wait_icr_idle()) {
		report_stuck_icr(target, icr_low);
		return -ETIMEDOUT;
	}
	/* The destination first: writing the low word sends. */
	hw_apic_write(xapic_page, APIC_ICR_HIGH, apic_ids[target] << 24);
	hw_apic_write(xapic_page, APIC_ICR, icr_low);
	return 0;
}

/*
 * apic_send_ipi to a CPU known to have told its id: the guest's IPIs, whose
 * targets come from the table, skip the check on their exit path.
 */
static inline int send_to_known(unsigned int target, u32 icr_low)
{
	if (xapic_page)
		return send_xapic(target, icr_low | ICR_ASSERT);
	/* The x2APIC's ICR has no delivery status: one WRMSR sends. */
	hw_apic_write(NULL, APIC_ICR,
		      (u64)apic_ids[target] << 32 | icr_low | ICR_ASSERT);
	return 0;
}

int apic_send_ipi(unsigned int target, u32 icr_low)
{
	if (unlikely(!apic_id_known(target)))
		return -ENODEV;
	return send_to_known(target, icr_low);
}

bool apic_logical_match(const struct per_cpu *cpu, u32 dest)
{
	u32 id = apic_id_of(cpu->cpu_id), ldr;

	if (apic_x2apic_mode()) {
		/* The hardware derives the LDR: cluster id:16, one bit:16. */
		return (id >> 4) == (dest >> 16) &&
		       ((dest & 0xffff) >> (id & 0xf)) & 1;
	}
	ldr = cpu->arch.apic.ldr >> 24;
	if ((cpu->arch.apic.dfr >> 28) == 0xf)
		return ldr & dest;
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
}

/* Logging refusals once per target and reason, until the cell changes. */
static struct apic_per_cpu *log_state(struct per_cpu *sender)
{
	struct apic_per_cpu *a = &sender->arch.apic;

	/* Ids are never reused, cell structures may be. */
	if (a->log_cell_id != sender->cell->id) {
		a->log_cell_id = sender->cell->id;
		a->logged_targets = 0;
		a->logged_reasons = 0;
	}
	return a;
}

static void refuse_ipi(struct per_cpu *sender, enum refusal why, u32 icr,
		       u32 dest)
{
	struct apic_per_cpu *a = log_state(sender);

	if (a->logged_reasons & (1U << why))
		return;
	a->logged_reasons |= 1U << why;
	printk("IPI from CPU %u of cell \"%s\" refused: %s (%s, vector 0x%x, "
	       "ICR 0x%08x, destination 0x%x)\n",
	       sender->cpu_id, cell_name(sender->cell), refusal_text[why],
	       mode_text[(icr >> 8) & 7], icr & ICR_VECTOR, icr, dest);
}

static void drop_foreign(struct per_cpu *sender, unsigned int target, u32 icr)
{
	struct apic_per_cpu *a = log_state(sender);

	if ((a->logged_targets >> target) & 1)
		return;
	a->logged_targets |= 1ULL << target;
	printk("IPI from CPU %u of cell \"%s\" to CPU %u of cell \"%s\" "
	       "dropped: %s, vector 0x%x\n",
	       sender->cpu_id, cell_name(sender->cell), target,
	       cell_name(per_cpu(target)->cell), mode_text[(icr >> 8) & 7],
	       icr & ICR_VECTOR);
}

/* Checks against the SDM's table of valid ICR combinations. */
static enum refusal icr_refusal(u32 icr)
{
	u32 reserved = apic_x2apic_mode() ? ICR_RESERVED_X2APIC :
					    ICR_RESERVED_XAPIC;
	unsigned int mode = (icr >> 8) & 7, shorthand = (icr >> 18) & 3;

	if (icr & reserved)
		return RF_RESERVED;
	if (mode == DLVR_SMI)
		return RF_SMI;
	if (mode == 3 || mode == 7)
		return RF_MODE;
	if ((mode == DLVR_FIXED || mode == DLVR_LOWEST) &&
	    (icr & ICR_VECTOR) < 16)
		return RF_VECTOR;
	if ((shorthand == SH_SELF || shorthand == SH_ALL) && mode != DLVR_FIXED)
		return RF_SHORTHAND;
	if (shorthand == SH_OTHERS && mode == DLVR_LOWEST)
		return RF_SHORTHAND;
	return RF_NONE;
}

/* Hands a request to the target; the release orders its arguments. */
static void request(const struct cell *cell, unsigned int target,
		    volatile bool *flag)
{
	struct apic_per_cpu *a = &per_cpu(target)->arch.apic;

	a->request_cell_id = cell->id;
	__atomic_store_n(flag, true, __ATOMIC_RELEASE);
	/* The sender's own exit path looks at its requests on the way out. */
	if (target != hw_this_cpu_id())
		x86_kick(target);
}

void apic_deliver_init(const struct cell *cell, unsigned int target)
{
	request(cell, target, &per_cpu(target)->arch.apic.init_request);
}

void apic_deliver_sipi(const struct cell *cell, unsigned int target,
		       u8 vector)
{
	per_cpu(target)->arch.apic.sipi_vector = vector;
	request(cell, target, &per_cpu(target)->arch.apic.sipi_request);
}

/* INIT: the CPU's reset state, halted until a SIPI says where to go. */
static void enter_wait_for_sipi(struct per_cpu *cpu)
{
	vcpu_reset(cpu, 0);
	apic_reset_hw(cpu);
	cpu->arch.apic.wait_for_sipi = true;
	cpu->arch.vcpu_state = VCPU_PARKED;
	vcpu_set_halted(cpu, true);
}

static void start_at_vector(struct per_cpu *cpu)
{
	u64 base = (u64)cpu->arch.apic.sipi_vector << 12;

	cpu->arch.apic.wait_for_sipi = false;
	vcpu_load_cell(cpu);
	vcpu_start_at_segment(cpu, base);
	cpu->arch.vcpu_state = VCPU_RUNNING;
}

void apic_handle_requests(struct per_cpu *cpu)
{
	struct apic_per_cpu *a = &cpu->arch.apic;
	/* Sent before the CPU changed cells: void, it is not theirs now. */
	bool valid = a->request_cell_id == cpu->cell->id && !cpu->failed;

	if (a->init_request) {
		a->init_request = false;
		if (valid)
			enter_wait_for_sipi(cpu);
	}
	if (a->sipi_request) {
		a->sipi_request = false;
		/* Only a CPU in wait-for-SIPI starts; Linux sends two. */
		if (valid && a->wait_for_sipi &&
		    cpu->arch.vcpu_state == VCPU_PARKED)
			start_at_vector(cpu);
	}
}

/*
 * Hands one IPI of the sender's cell to a target of that cell. False once
 * the IPI needs no further targets.
 */
static bool deliver(const struct cell *cell, unsigned int target, u32 icr)
{
	unsigned int mode = (icr >> 8) & 7;
	u32 vector = icr & ICR_VECTOR;

	switch (mode) {
	case DLVR_INIT:
		apic_deliver_init(cell, target);
		return true;
	case DLVR_STARTUP:
		apic_deliver_sipi(cell, target, (u8)vector);
		return true;
	case DLVR_NMI:
		send_to_known(target, APIC_IPI_NMI);
		return true;
	case DLVR_LOWEST:
		/* Any one CPU of the set may take it: the first will. */
		send_to_known(target, APIC_IPI_FIXED | vector);
		return false;
	default:
		send_to_known(target, APIC_IPI_FIXED | vector);
		return true;
	}
}

/*
 * CPUs the destination names, whoever owns them. True if it names them
 * explicitly, false for shorthands and broadcasts, which a cell may use
 * and which simply end at its own CPUs.
 */
static bool resolve(const struct per_cpu *sender, u32 icr, u32 dest,
		    u64 *targets)
{
	u32 broadcast = apic_x2apic_mode() ? 0xffffffff : 0xff;
	u64 cpus = known_cpus;
	unsigned int cpu;

	switch ((icr >> 18) & 3) {
	case SH_SELF:
		*targets = 1ULL << sender->cpu_id;
		return false;
	case SH_ALL:
		*targets = known_cpus;
		return false;
	case SH_OTHERS:
		*targets = known_cpus & ~(1ULL << sender->cpu_id);
		return false;
	}
	if (dest == broadcast) {
		*targets = known_cpus;
		return false;
	}
	*targets = 0;
	for (; cpus; cpus &= cpus - 1) {
		cpu = __builtin_ctzll(cpus);
		if (icr & ICR_LOGICAL ? apic_logical_match(per_cpu(cpu), dest) :
					apic_ids[cpu] == dest)
			*targets |= 1ULL << cpu;
	}
	return true;
}

static bool is_init_deassert(u32 icr)
{
	return ((icr >> 8) & 7) == DLVR_INIT && !(icr & ICR_ASSERT) &&
	       (icr & ICR_LEVEL);
}

/* The one way a guest's ICR write leaves the hypervisor. */
static void send_ipi(struct per_cpu *sender, u32 icr, u32 dest)
{
	u64 own = sender->cell->cpus.bits[0], targets;
	enum refusal why = icr_refusal(icr);
	unsigned int cpu;
	bool named;

	if (why != RF_NONE) {
		refuse_ipi(sender, why, icr, dest);
		return;
	}
	/* INIT level de-assert: no effect since the Pentium 4. */
	if (is_init_deassert(icr))
		return;
	named = resolve(sender, icr, dest, &targets);
	if (!targets && named && !(icr & ICR_LOGICAL)) {
		refuse_ipi(sender, RF_NO_CPU, icr, dest);
		return;
	}
	for (; targets; targets &= targets - 1) {
		cpu = __builtin_ctzll(targets);
		if (!((own >> cpu) & 1)) {
			if (named)
				drop_foreign(sender, cpu, icr);
			continue;
		}
		if (!deliver(sender->cell, cpu, icr))
			break;
	}
}

/* x2APIC registers a guest may read, by MSR number - 0x800. */
static bool x2apic_readable(u32 reg)
{
	switch (reg) {
	case APIC_ID / 16:
	case APIC_VERSION / 16:
	case APIC_TPR / 16:
	case APIC_PPR / 16:
	case APIC_LDR / 16:
	case APIC_SVR / 16:
	case APIC_ESR / 16:
	case APIC_LVT_CMCI / 16:
	case APIC_TIMER_DIVIDE / 16:
		return true;
	}
	/* ISR, TMR, IRR; LVT timer up to the current count. */
	return (reg >= 0x10 && reg <= 0x27) || (reg >= 0x32 && reg <= 0x39);
}

bool x2apic_handle_msr_write(struct per_cpu *cpu, u32 msr, u64 value)
{
	if (msr != X2APIC_MSR(APIC_ICR) || !apic_x2apic_mode())
		return false;
	cpu->arch.apic.icr_low = (u32)value;
	cpu->arch.apic.icr_high = (u32)(value >> 32);
	send_ipi(cpu, (u32)value, (u32)(value >> 32));
	return true;
}

bool x2apic_handle_msr_read(struct per_cpu *cpu, u32 msr, u64 *value)
{
	u32 reg = msr - X2APIC_MSR_FIRST;

	if (msr < X2APIC_MSR_FIRST || msr > X2APIC_MSR_LAST ||
	    !apic_x2apic_mode())
		return false;
	if (msr == X2APIC_MSR(APIC_ICR)) {
		*value = (u64)cpu->arch.apic.icr_high << 32 |
			 cpu->arch.apic.icr_low;
		return true;
	}
	if (!x2apic_readable(reg))
		return false;
	*value = hw_apic_read(NULL, reg * 16);
	return true;
}

/* xAPIC registers whose writes only affect the writing CPU. */
static bool xapic_local_write(u32 reg)
{
	switch (reg) {
	case APIC_TPR:
	case APIC_EOI:
	case APIC_SVR:
	case APIC_ESR:
	case APIC_LVT_CMCI:
	case APIC_TIMER_INIT:
	case APIC_TIMER_DIVIDE:
		return true;
	}
	return reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR;
}

static bool xapic_readable(u32 reg)
{
	switch (reg) {
	case APIC_ID:
	case APIC_VERSION:
	case APIC_TPR:
	case APIC_APR:
	case APIC_PPR:
	case APIC_LDR:
	case APIC_DFR:
	case APIC_SVR:
	case APIC_ESR:
	case APIC_LVT_CMCI:
	case APIC_TIMER_DIVIDE:
		return true;
	}
	/* ISR, TMR, IRR; the LVT up to the timer's current count. */
	return (reg >= 0x100 && reg <= 0x270) ||
	       (reg >= APIC_LVT_TIMER && reg <= APIC_TIMER_CURRENT);
}

static u32 xapic_read(struct per_cpu *cpu, u32 reg)
{
	if (reg == APIC_ICR)
		return cpu->arch.apic.icr_low;
	if (reg == APIC_ICR_HIGH)
		return cpu->arch.apic.icr_high;
	return xapic_readable(reg) ? hw_apic_read(xapic_page, reg) : 0;
}

static void xapic_write(struct per_cpu *cpu, u32 reg, u32 value)
{
	struct apic_per_cpu *a = &cpu->arch.apic;

	switch (reg) {
	case APIC_ICR:
		a->icr_low = value & ~ICR_RESERVED_XAPIC & ~ICR_BUSY;
		send_ipi(cpu, value & ~ICR_BUSY, a->icr_high >> 24);
		return;
	case APIC_ICR_HIGH:
		/* Kept here: the hypervisor's own IPIs use the real one. */
		a->icr_high = value & 0xff000000;
		return;
	case APIC_LDR:
		a->ldr = value;
		break;
	case APIC_DFR:
		a->dfr = value;
		break;
	default:
		/* The id and read-only registers stay as they are. */
		if (!xapic_local_write(reg))
			return;
	}
	hw_apic_write(xapic_page, reg, value);
}

/* A trapped access to the xAPIC page, on the CPU that made it. */
static enum mmio_result xapic_access(void *arg, struct mmio_access *access)
{
	struct per_cpu *cpu = per_cpu(hw_this_cpu_id());
	u32 reg = (u32)access->address;

	(void)arg;
	/* Registers sit at 16-byte steps and take 32-bit accesses only. */
	if (access->size != 4 || (reg & 0xf))
		return MMIO_ERROR;
	if (access->is_write)
		xapic_write(cpu, reg, (u32)access->value);
	else
		access->value = xapic_read(cpu, reg);
	return MMIO_HANDLED;
}

int apic_cell_init(struct cell *cell)
{
	/* Root comes first, before any CPU: forget an earlier enable. */
	if (cell == &root_cell) {
		known_cpus = 0;
		icr_stuck_logged = 0;
		xapic_page = NULL;
	}
	if (apic_x2apic_mode())
		return 0;
	return mmio_region_register(cell, XAPIC_BASE, PAGE_SIZE, xapic_access,
				    cell);
}

void apic_cell_exit(struct cell *cell)
{
	if (!apic_x2apic_mode())
		mmio_region_unregister(cell, XAPIC_BASE);
}
