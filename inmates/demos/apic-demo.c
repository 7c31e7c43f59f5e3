// SPDX-License-Identifier: GPL-2.0
/*
 * apic-demo: the local APIC timer fires at 10 Hz; each tick's delay past
 * its due time, measured with the PM timer, is its jitter. The timer runs
 * in one-shot mode, re-armed for the next due time in every tick, so
 * calibration errors do not add up. The main loop prints one line per
 * tick and answers the comm region: reconfiguration stays locked while the
 * demo runs, the first shutdown request is denied, the next approved.
 *
 * Console: the hypervisor's debug console by default; build with
 * -DCONSOLE_PORT=0x3f8 (make APIC_DEMO_CONSOLE=0x3f8) for a UART.
 */
#include <inmate.h>

#ifndef CONSOLE_PORT
#define CONSOLE_PORT CONSOLE_HYPERCALL
#endif

INMATE_CONSOLE(CONSOLE_PORT);

#define TICK_NS (NS_PER_SEC / 10)
#define CALIBRATION_NS (10 * NS_PER_MSEC)

static u64 due_ns;
static volatile unsigned long ticks;
static volatile s64 last_jitter, min_jitter, max_jitter;

static void timer_tick(unsigned int vector)
{
	u64 now = pm_timer_read_ns();
	s64 jitter = (s64)(now - due_ns);

	(void)vector;
	if (ticks == 0 || jitter < min_jitter)
		min_jitter = jitter;
	if (ticks == 0 || jitter > max_jitter)
		max_jitter = jitter;
	last_jitter = jitter;
	ticks++;

	due_ns += TICK_NS;
	now = pm_timer_read_ns();
	apic_timer_oneshot(due_ns > now ? due_ns - now : 0);
}

static bool handle_message(u32 msg, unsigned int *shutdown_requests)
{
	switch (msg) {
	case JAILHOUSE_MSG_NONE:
		return true;
	case JAILHOUSE_MSG_SHUTDOWN_REQUEST:
		if ((*shutdown_requests)++ == 0) {
			printk("apic-demo: denying the first shutdown request, "
			       "ask again\n");
			comm_reply(JAILHOUSE_MSG_REQUEST_DENIED);
			return true;
		}
		apic_timer_stop();
		printk("apic-demo: approving shutdown request, unlocking "
		       "reconfiguration, stopping\n");
		comm_set_state(JAILHOUSE_CELL_RUNNING);
		comm_reply(JAILHOUSE_MSG_REQUEST_APPROVED);
		return false;
	case JAILHOUSE_MSG_RECONFIG_COMPLETED:
		comm_reply(JAILHOUSE_MSG_RECEIVED);
		printk("apic-demo: reconfiguration completed, acknowledged\n");
		return true;
	default:
		comm_reply(JAILHOUSE_MSG_UNKNOWN);
		printk("apic-demo: unknown message %u\n", msg);
		return true;
	}
}

void inmate_main(void)
{
	const struct jailhouse_comm_region *comm = comm_region();
	unsigned int shutdown_requests = 0;
	unsigned long printed = 0, seen;
	s64 jitter, lo, hi;
	unsigned long flags;
	u64 hz;

	comm_set_state(JAILHOUSE_CELL_RUNNING_LOCKED);
	printk("apic-demo: started, reconfiguration locked\n");
	if (!pm_timer_port()) {
		printk("apic-demo: no PM timer port in the comm region, "
		       "stopping\n");
		comm_set_state(JAILHOUSE_CELL_RUNNING);
		inmate_halt();
	}
	hz = apic_timer_calibrate(CALIBRATION_NS);
	printk("apic-demo: %s, timer %llu kHz (calibrated), %llu kHz "
	       "(hypervisor)\n",
	       apic_is_x2apic() ? "x2APIC" : "xAPIC",
	       (unsigned long long)(hz / 1000),
	       (unsigned long long)comm->apic_khz);

	irq_set_handler(APIC_TIMER_VECTOR, timer_tick);
	due_ns = pm_timer_read_ns() + TICK_NS;
	apic_timer_oneshot(TICK_NS);
	irq_enable();

	while (handle_message(comm_poll(), &shutdown_requests)) {
		seen = ticks;
		if (seen != printed) {
			flags = irq_save();
			jitter = last_jitter;
			lo = min_jitter;
			hi = max_jitter;
			irq_restore(flags);
			printk("Timer fired, jitter: %6lld ns, min: %6lld ns, "
			       "max: %6lld ns\n",
			       (long long)jitter, (long long)lo, (long long)hi);
			printed = seen;
		}
		cpu_relax();
	}
	inmate_halt();
}
