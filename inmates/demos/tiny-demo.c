// SPDX-License-Identifier: GPL-2.0
/*
 * tiny-demo: greets, then prints a counting line once a second, timed by
 * the PM timer, on the second UART (COM2, 0x2f8) that its cell owns. It
 * approves shutdown requests and acknowledges other messages.
 */
#include <inmate.h>

#ifndef CONSOLE_PORT
#define CONSOLE_PORT 0x2f8
#endif

INMATE_CONSOLE(CONSOLE_PORT);

static bool handle_message(u32 msg)
{
	switch (msg) {
	case JAILHOUSE_MSG_NONE:
		return true;
	case JAILHOUSE_MSG_SHUTDOWN_REQUEST:
		printk("tiny-demo: shutdown requested, approving\n");
		comm_reply(JAILHOUSE_MSG_REQUEST_APPROVED);
		return false;
	case JAILHOUSE_MSG_RECONFIG_COMPLETED:
		comm_reply(JAILHOUSE_MSG_RECEIVED);
		printk("tiny-demo: reconfiguration completed, acknowledged\n");
		return true;
	default:
		comm_reply(JAILHOUSE_MSG_UNKNOWN);
		printk("tiny-demo: unknown message %u\n", msg);
		return true;
	}
}

void inmate_main(void)
{
	unsigned long count = 0;
	u64 next, now;

	printk("Hello from tiny-demo\n");
	if (!pm_timer_port())
		printk("tiny-demo: no PM timer, cannot count seconds\n");
	next = pm_timer_read_ns() + NS_PER_SEC;
	while (handle_message(comm_poll())) {
		now = pm_timer_read_ns();
		if (pm_timer_port() && now >= next) {
			count++;
			printk("tiny-demo: count %lu at %llu.%03llu s\n", count,
			       now / NS_PER_SEC,
			       now % NS_PER_SEC / NS_PER_MSEC);
			next += NS_PER_SEC;
			/* Fell behind by more than a second: skip ahead. */
			if (next <= now)
				next = now + NS_PER_SEC;
		}
		cpu_relax();
	}
	inmate_halt();
}
