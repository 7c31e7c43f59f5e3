// SPDX-License-Identifier: GPL-2.0
/*
 * Local APIC and its timer (Intel SDM vol. 3A, chapter 11).
 *
 * x2APIC mode when CPUID.1:ECX[21] offers it: register n is MSR 0x800 + n.
 * Otherwise xAPIC mode: register n at offset n * 16 of the APIC page, whose
 * address IA32_APIC_BASE holds (the inmate's page tables map it uncached).
 * The timer counts down from the initial count at the bus clock divided by
 * the divide configuration (1 here); its LVT entry selects one-shot or
 * periodic mode and the vector.
 */
#include <inmate.h>

#define CPUID_1_ECX_X2APIC (1U << 21)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ULL
#define APIC_SVR_VECTOR_MASK 0xffU
#define X2APIC_MSR_BASE 0x800

static bool x2apic;
static volatile u32 *xapic_page;
static u64 timer_khz;
/* LVT timer value last written; re-arming the same mode skips it. */
static u32 timer_lvt = APIC_LVT_MASKED;

bool apic_is_x2apic(void)
{
	return x2apic;
}

u32 apic_read(unsigned int reg)
{
	if (x2apic)
		return (u32)rdmsr(X2APIC_MSR_BASE + reg);
	return xapic_page[reg * 4];
}

void apic_write(unsigned int reg, u32 value)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + reg, value);
	else
		xapic_page[reg * 4] = value;
}

void apic_eoi(void)
{
	apic_write(APIC_REG_EOI, 0);
}

void apic_init(void)
{
	u32 eax, ebx, ecx, edx;
	u64 base;

	cpuid(1, &eax, &ebx, &ecx, &edx);
	x2apic = ecx & CPUID_1_ECX_X2APIC;
	base = rdmsr(MSR_IA32_APIC_BASE);
	if (x2apic) {
		/* Disabled -> x2APIC is not a valid step: enable first. */
		if (!(base & APIC_BASE_EN))
			wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
		if (!(base & APIC_BASE_EXTD))
			wrmsr(MSR_IA32_APIC_BASE,
			      base | APIC_BASE_EN | APIC_BASE_EXTD);
	} else {
		if (!(base & APIC_BASE_EN))
			wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
		xapic_page = (volatile u32 *)(base & APIC_BASE_ADDR_MASK);
	}
	apic_write(APIC_REG_TPR, 0);
	apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | (APIC_SPURIOUS_VECTOR &
						    APIC_SVR_VECTOR_MASK));
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	timer_lvt = APIC_LVT_MASKED;
	apic_write(APIC_REG_TIMER_DIVIDE, APIC_DIVIDE_BY_1);
}

/*
 * Reads the timer's current count between two PM timer reads; the time of
 * the count is their midpoint. A pair further apart than max_ns (an SMI,
 * an emulator or hypervisor preempting us) is retried, a few times.
 */
static void sample(u32 *count, u64 *ns, u64 max_ns)
{
	unsigned int tries = 0;
	u64 before, after;

	do {
		before = pm_timer_read_ns();
		*count = apic_read(APIC_REG_TIMER_CURRENT);
		after = pm_timer_read_ns();
	} while (after - before > max_ns && ++tries < 10);
	*ns = before + (after - before) / 2;
}

u64 apic_timer_calibrate(u64 window_ns)
{
	unsigned long flags;
	u64 t0, t1, hz;
	u32 c0, c1;

	flags = irq_save();
	apic_write(APIC_REG_TIMER_DIVIDE, APIC_DIVIDE_BY_1);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_VECTOR);
	timer_lvt = APIC_LVT_MASKED | APIC_TIMER_VECTOR;
	apic_write(APIC_REG_TIMER_INIT, 0xffffffff);
	sample(&c0, &t0, window_ns / 1000);
	while (pm_timer_read_ns() - t0 < window_ns)
		cpu_relax();
	sample(&c1, &t1, window_ns / 1000);
	apic_write(APIC_REG_TIMER_INIT, 0);
	irq_restore(flags);

	if (t1 <= t0)
		return 0;
	/* c0 - c1 < 2^32, so the product stays below 2^62. */
	hz = (u64)(c0 - c1) * NS_PER_SEC / (t1 - t0);
	timer_khz = hz / 1000;
	return hz;
}

u64 apic_timer_hz(void)
{
	return timer_khz * 1000;
}

static u32 ns_to_count(u64 ns)
{
	u64 count = ns * timer_khz / NS_PER_MSEC;

	if (count == 0)
		return 1;
	return count > 0xffffffffULL ? 0xffffffffU : (u32)count;
}

/*
 * The divide configuration stays at 1 from apic_init() on. A one-shot
 * re-arm in the same mode is a single write (initial count), which keeps
 * register accesses, and so traps under a hypervisor, to a minimum.
 */
static void timer_start(u32 mode, u64 ns)
{
	u32 lvt = mode | APIC_TIMER_VECTOR;

	if (lvt != timer_lvt) {
		apic_write(APIC_REG_LVT_TIMER, lvt);
		timer_lvt = lvt;
	}
	apic_write(APIC_REG_TIMER_INIT, ns_to_count(ns));
}

void apic_timer_oneshot(u64 ns)
{
	timer_start(APIC_LVT_TIMER_ONESHOT, ns);
}

void apic_timer_periodic(u64 ns)
{
	timer_start(APIC_LVT_TIMER_PERIODIC, ns);
}

void apic_timer_stop(void)
{
	timer_lvt = APIC_LVT_MASKED | APIC_TIMER_VECTOR;
	apic_write(APIC_REG_LVT_TIMER, timer_lvt);
	apic_write(APIC_REG_TIMER_INIT, 0);
}
