// SPDX-License-Identifier: GPL-2.0
/* The hypervisor log on an 8250 UART, by port I/O. */
#include <core/arch.h>
#include <core/cell.h>
#include <asm/hw.h>

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20
/* A dead UART must not hang the hypervisor: give up after this many polls. */
#define UART_POLL_LIMIT 100000

static void uart_putc(u16 port, char c)
{
	unsigned int polls = 0;

	while (!(hw_inb(port + UART_LSR) & UART_LSR_THRE) &&
	       polls++ < UART_POLL_LIMIT)
		hw_pause();
	hw_outb(port + UART_THR, (u8)c);
}

void arch_dbg_write(const char *text, unsigned int len)
{
	u16 port;

	if (!system_config ||
	    JAILHOUSE_CON_TYPE(system_config->debug_console.flags) !=
		    JAILHOUSE_CON_TYPE_8250)
		return;
	port = (u16)system_config->debug_console.address;
	while (len--) {
		if (*text == '\n')
			uart_putc(port, '\r');
		uart_putc(port, *text++);
	}
}
