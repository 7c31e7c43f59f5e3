// SPDX-License-Identifier: GPL-2.0
/*
 * Formatted hypervisor log. Every line goes to the debug console through the
 * arch layer and into a ring buffer that survives for later reading.
 */
#include <core/arch.h>
#include <core/lib.h>
#include <core/printk.h>
#include <core/spinlock.h>

/* One line at a time on the console and in the ring, whatever the CPUs. */
static spinlock_t console_lock;

struct jailhouse_console_ring console_buffer;

void console_putc(char c)
{
	u64 head = console_buffer.head;

	console_buffer.text[head % CONSOLE_RING_SIZE] = c;
	/* The driver reads without the lock: the text first, then head. */
	__atomic_store_n(&console_buffer.head, head + 1, __ATOMIC_RELEASE);
}

void console_reset(void)
{
	console_buffer.head = 0;
}

unsigned int console_ring_read(u64 from, char *buf, unsigned int size,
			       u64 *next)
{
	u64 head = console_buffer.head;
	unsigned int n = 0;

	if (head > CONSOLE_RING_SIZE && from < head - CONSOLE_RING_SIZE)
		from = head - CONSOLE_RING_SIZE;
	while (from < head && n < size)
		buf[n++] = console_buffer.text[from++ % CONSOLE_RING_SIZE];
	if (next)
		*next = from;
	return n;
}

struct out {
	char *buf;
	size_t size;
	size_t len; /* what the full text needs, even when truncated */
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_number(struct out *o, u64 value, unsigned int base,
		       bool negative, unsigned int width, char pad)
{
	char digits[24];
	unsigned int n = 0;

	do {
		unsigned int d = value % base;

		digits[n++] = d < 10 ? '0' + d : 'a' + d - 10;
		value /= base;
	} while (value);
	if (negative)
		digits[n++] = '-';
	while (width > n) {
		out_char(o, pad);
		width--;
	}
	while (n)
		out_char(o, digits[--n]);
}

static u64 fetch_unsigned(va_list *ap, unsigned int longs)
{
	if (longs)
		return va_arg(*ap, u64);
	return va_arg(*ap, unsigned int);
}

static s64 fetch_signed(va_list *ap, unsigned int longs)
{
	if (longs)
		return va_arg(*ap, s64);
	return va_arg(*ap, int);
}

static const char *format_one(struct out *o, const char *fmt, va_list *ap)
{
	unsigned int width = 0, longs = 0;
	char pad = ' ';
	const char *s;
	s64 v;

	if (*fmt == '0') {
		pad = '0';
		fmt++;
	}
	while (*fmt >= '0' && *fmt <= '9')
		width = width * 10 + (*fmt++ - '0');
	while (*fmt == 'l') {
		longs++;
		fmt++;
	}
	switch (*fmt) {
	case 'd':
		v = fetch_signed(ap, longs);
		out_number(o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, pad);
		break;
	case 'u':
		out_number(o, fetch_unsigned(ap, longs), 10, false, width, pad);
		break;
	case 'x':
		out_number(o, fetch_unsigned(ap, longs), 16, false, width, pad);
		break;
	case 'p':
		out_char(o, '0');
		out_char(o, 'x');
		out_number(o, (u64)(uintptr_t)va_arg(*ap, void *), 16, false,
			   width, pad);
		break;
	case 'c':
		out_char(o, (char)va_arg(*ap, int));
		break;
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		while (*s)
			out_char(o, *s++);
		break;
	case '%':
		out_char(o, '%');
		break;
	default:
		/* Unknown conversions are shown, not silently dropped. */
		out_char(o, '%');
		if (*fmt)
			out_char(o, *fmt);
		else
			return fmt;
	}
	return fmt + 1;
}

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	va_list copy;

	va_copy(copy, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt = format_one(&o, fmt + 1, &copy);
	}
	va_end(copy);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintk(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintk(buf, size, fmt, ap);
	va_end(ap);
	return len;
}

void printk(const char *fmt, ...)
{
	char line[256];
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	len = (unsigned int)vsnprintk(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	console_write(line, len);
}

void console_write(const char *text, unsigned int len)
{
	unsigned int i;

	spin_lock(&console_lock);
	for (i = 0; i < len; i++)
		console_putc(text[i]);
	arch_dbg_write(text, len);
	spin_unlock(&console_lock);
}
