// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI PM timer (ACPI spec, "Power Management Timer"): a free-running
 * counter at 3.579545 MHz read from a 32-bit I/O port. Only its low 24 bits
 * are counted on here (the FADT may promise 32, but 24 always hold). Each
 * read adds the ticks since the previous read, modulo 2^24, to a 64-bit
 * sum, so time keeps growing across wraps as long as reads come at least
 * once per wrap period (2^24 / 3.579545 MHz = 4.69 s).
 */
#include <inmate.h>

static u16 port;
static u32 last;
static u64 ticks;

void pm_timer_init(u16 pm_port)
{
	port = pm_port;
	ticks = 0;
	last = port ? inl(port) & PM_TIMER_MASK : 0;
}

u16 pm_timer_port(void)
{
	return port;
}

u64 pm_timer_ticks_to_ns(u64 t)
{
	/* Split so that t * 10^9 cannot overflow for long runs. */
	return t / PM_TIMER_HZ * NS_PER_SEC +
	       t % PM_TIMER_HZ * NS_PER_SEC / PM_TIMER_HZ;
}

u64 pm_timer_read_ns(void)
{
	unsigned long flags;
	u32 now;
	u64 sum;

	if (!port)
		return 0;
	flags = irq_save();
	now = inl(port) & PM_TIMER_MASK;
	ticks += (now - last) & PM_TIMER_MASK;
	last = now;
	sum = ticks;
	irq_restore(flags);
	return pm_timer_ticks_to_ns(sum);
}

void delay_ns(u64 ns)
{
	u64 start = pm_timer_read_ns();

	if (!port)
		return;
	while (pm_timer_read_ns() - start < ns)
		cpu_relax();
}
