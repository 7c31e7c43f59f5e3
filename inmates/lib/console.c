// SPDX-License-Identifier: GPL-2.0
/*
 * Console output: an 8250/16550 UART, or the hypervisor's debug console.
 *
 * UART registers (offsets from the base port): 0 THR (write) / divisor low
 * with LCR.DLAB, 1 IER / divisor high with LCR.DLAB, 2 FCR, 3 LCR, 4 MCR,
 * 5 LSR. The line is set to 115200 baud (divisor 1 of the 1.8432 MHz
 * clock divided by 16), 8 data bits, no parity, one stop bit, FIFOs on,
 * interrupts off. Transmission polls LSR.THRE before each write to THR.
 */
#include <inmate.h>

#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_FCR_ENABLE_CLEAR 0x07
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR_THRE 0x20

#define UART_DIVISOR_115200 1
/* Far beyond one character time at any sane rate: do not hang forever. */
#define UART_POLL_LIMIT 1000000

void uart_init(u16 base)
{
	outb(0, base + UART_IER);
	outb(UART_LCR_DLAB, base + UART_LCR);
	outb(UART_DIVISOR_115200 & 0xff, base + UART_DLL);
	outb(UART_DIVISOR_115200 >> 8, base + UART_DLM);
	outb(UART_LCR_8N1, base + UART_LCR);
	outb(UART_FCR_ENABLE_CLEAR, base + UART_FCR);
	outb(UART_MCR_DTR_RTS, base + UART_MCR);
}

void uart_putc(u16 base, char c)
{
	unsigned int n = 0;

	while (!(inb(base + UART_LSR) & UART_LSR_THRE) && n++ < UART_POLL_LIMIT)
		cpu_relax();
	outb((u8)c, base + UART_THR);
}

void console_init(void)
{
	if (inmate_console_port != CONSOLE_HYPERCALL)
		uart_init(inmate_console_port);
}

/*
 * Text on its way to the hypervisor's console. The page tables map memory
 * 1:1, so its address is the guest-physical one the hypercall wants.
 */
static char line[JAILHOUSE_CONSOLE_WRITE_MAX];
static unsigned int line_len;

void console_flush(void)
{
	if (inmate_console_port != CONSOLE_HYPERCALL || !line_len)
		return;
	jailhouse_call(JAILHOUSE_HC_DEBUG_CONSOLE_WRITE,
		       (unsigned long)(uintptr_t)line, line_len);
	line_len = 0;
}

void console_putc(char c)
{
	if (inmate_console_port == CONSOLE_HYPERCALL) {
		line[line_len++] = c;
		if (c == '\n' || line_len == sizeof(line))
			console_flush();
		return;
	}
	if (c == '\n')
		uart_putc(inmate_console_port, '\r');
	uart_putc(inmate_console_port, c);
}

void console_write(const char *s)
{
	while (*s)
		console_putc(*s++);
	console_flush();
}
