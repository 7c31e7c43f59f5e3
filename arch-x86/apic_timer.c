// SPDX-License-Identifier: GPL-2.0
/*
 * The rate of the local APIC timer's input clock, which cells learn from
 * their comm region (apic_khz) instead of each calibrating it.
 *
 * Measured once, against the TSC-based hypervisor clock, on the first CPU
 * whose APIC is nobody's: one being reset for a cell (apic_reset_hw). The
 * APICs of CPUs Linux runs on are never touched for this -- Linux's timer
 * is using them.
 */
#include <core/arch.h>
#include <asm/apic.h>
#include <asm/apicdef.h>
#include <asm/hw.h>

#define DIVIDE_BY_1 0xb
#define WINDOW_NS 1000000ULL /* 1 ms: 0.1% with a 1 us clock */

static u64 timer_khz;

u64 arch_apic_timer_khz(void)
{
	return timer_khz;
}

static u32 current_count(void)
{
	return hw_apic_read(apic_xapic_page(), APIC_TIMER_CURRENT);
}

/* Leaves the timer masked and stopped, as apic_reset_hw wants it. */
void apic_timer_measure(void)
{
	volatile void *page = apic_xapic_page();
	u64 t0, t1;
	u32 c0, c1;

	if (timer_khz)
		return;
	hw_apic_write(page, APIC_LVT_TIMER, LVT_MASKED);
	hw_apic_write(page, APIC_TIMER_DIVIDE, DIVIDE_BY_1);
	hw_apic_write(page, APIC_TIMER_INIT, 0xffffffff);
	t0 = arch_time_ns();
	c0 = current_count();
	do {
		hw_pause();
		t1 = arch_time_ns();
	} while (t1 - t0 < WINDOW_NS);
	c1 = current_count();
	hw_apic_write(page, APIC_TIMER_INIT, 0);
	/* A count that ran out gives no figure rather than a wrong one. */
	if (t1 > t0 && c1 > 0 && c0 > c1)
		timer_khz = (u64)(c0 - c1) * 1000000ULL / (t1 - t0);
}
