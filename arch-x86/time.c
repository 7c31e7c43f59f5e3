// SPDX-License-Identifier: GPL-2.0
/*
 * Time for timeouts: the TSC, calibrated once against the ACPI PM timer,
 * whose rate (3.579545 MHz) is fixed by the ACPI specification.
 */
#include <core/arch.h>
#include <core/errno.h>
#include <core/printk.h>
#include <asm/hw.h>
#include <asm/time.h>

#define PM_TIMER_HZ 3579545ULL
#define PM_TIMER_MASK 0xffffffULL
/* About one millisecond of PM timer ticks. */
#define CALIBRATION_TICKS 3580ULL
#define CALIBRATION_POLL_LIMIT 100000000ULL

static u64 tsc_khz;

u64 arch_tsc_khz(void)
{
	return tsc_khz;
}

int x86_calibrate_tsc(u16 pm_timer_port)
{
	u64 polls = 0, pm_start, pm_now, elapsed = 0, tsc_start, tsc_end;

	if (!pm_timer_port) {
		printk("No PM timer in the system config: cannot measure the "
		       "TSC rate\n");
		return -ENODEV;
	}
	pm_start = hw_inl(pm_timer_port) & PM_TIMER_MASK;
	tsc_start = hw_rdtsc();
	while (elapsed < CALIBRATION_TICKS) {
		if (polls++ > CALIBRATION_POLL_LIMIT) {
			printk("PM timer at port 0x%x does not advance\n",
			       pm_timer_port);
			return -EIO;
		}
		hw_pause();
		pm_now = hw_inl(pm_timer_port) & PM_TIMER_MASK;
		elapsed = (pm_now - pm_start) & PM_TIMER_MASK;
	}
	tsc_end = hw_rdtsc();
	tsc_khz = (tsc_end - tsc_start) * PM_TIMER_HZ / (elapsed * 1000);
	if (!tsc_khz)
		return -EIO;
	return 0;
}

u64 arch_time_ns(void)
{
	u64 tsc = hw_rdtsc();

	if (!tsc_khz)
		return 0;
	/* Split so the multiplication cannot overflow for years of uptime. */
	return tsc / tsc_khz * 1000000ULL + tsc % tsc_khz * 1000000ULL / tsc_khz;
}

void arch_cpu_relax(void)
{
	hw_pause();
}

/*
 * The TSC may not be calibrated yet when CPUs meet (the first one does it
 * meanwhile), so the bound counts pauses: seconds on any CPU, a pause
 * taking 10 to 150 cycles.
 */
#define MEETING_SPIN_LIMIT (1ULL << 31)

bool arch_wait_at_least(const volatile u32 *word, u32 target)
{
	return hw_wait_at_least(word, target, MEETING_SPIN_LIMIT) == 0;
}
