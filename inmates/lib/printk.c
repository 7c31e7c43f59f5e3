// SPDX-License-Identifier: GPL-2.0
/*
 * printk and snprintk: a small printf. Conversions d i u x X p s c and %%,
 * flags '-' (left-justify) and '0' (zero-pad), a field width (digits or
 * '*'), length modifiers l, ll and z. Enough for the demos' reports.
 */
#include <stdarg.h>
#include <inmate.h>

struct sink {
	char *buf; /* NULL: straight to the console */
	unsigned long size;
	unsigned long len; /* characters produced, stored or not */
};

static void put(struct sink *s, char c)
{
	if (!s->buf)
		console_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_padded(struct sink *s, const char *str, unsigned long len,
		       int width, bool left, char pad, bool negative)
{
	int fill = width - (int)len - (negative ? 1 : 0);

	/* With zero padding the sign goes before the zeros. */
	if (negative && pad == '0')
		put(s, '-');
	while (!left && fill-- > 0)
		put(s, pad);
	if (negative && pad != '0')
		put(s, '-');
	while (len--)
		put(s, *str++);
	while (left && fill-- > 0)
		put(s, ' ');
}

static unsigned long format_number(char *end, unsigned long long v,
				   unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	do {
		*--p = digits[v % base];
		v /= base;
	} while (v);
	return (unsigned long)(end - p);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	char num[24];
	unsigned long long v;
	unsigned long len;
	const char *str;
	bool left, negative;
	int width, lng;
	char pad, c;

	while ((c = *fmt++)) {
		if (c != '%') {
			put(s, c);
			continue;
		}
		left = false;
		pad = ' ';
		width = 0;
		lng = 0;
		negative = false;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		if (left)
			pad = ' ';
		c = *fmt++;
		switch (c) {
		case 'd':
		case 'i':
			if (lng >= 2)
				v = (unsigned long long)va_arg(ap, long long);
			else if (lng == 1)
				v = (unsigned long long)va_arg(ap, long);
			else
				v = (unsigned long long)va_arg(ap, int);
			if ((long long)v < 0) {
				negative = true;
				v = -v;
			}
			len = format_number(num + sizeof(num), v, 10, false);
			put_padded(s, num + sizeof(num) - len, len, width, left,
				   pad, negative);
			break;
		case 'u':
		case 'x':
		case 'X':
			if (lng >= 2)
				v = va_arg(ap, unsigned long long);
			else if (lng == 1)
				v = va_arg(ap, unsigned long);
			else
				v = va_arg(ap, unsigned int);
			len = format_number(num + sizeof(num), v,
					    c == 'u' ? 10 : 16, c == 'X');
			put_padded(s, num + sizeof(num) - len, len, width, left,
				   pad, false);
			break;
		case 'p':
			v = (unsigned long)va_arg(ap, void *);
			len = format_number(num + sizeof(num), v, 16, false);
			put(s, '0');
			put(s, 'x');
			put_padded(s, num + sizeof(num) - len, len, width - 2,
				   left, pad, false);
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			len = strnlen(str, 1UL << 20);
			put_padded(s, str, len, width, left, ' ', false);
			break;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			put_padded(s, num, 1, width, left, ' ', false);
			break;
		case '%':
			put(s, '%');
			break;
		case '\0':
			return;
		default:
			/* Unknown: show it as written. */
			put(s, '%');
			put(s, c);
			break;
		}
	}
}

int printk(const char *fmt, ...)
{
	struct sink s = { .buf = NULL };
	va_list ap;

	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	console_flush();
	return (int)s.len;
}

int snprintk(char *buf, unsigned long size, const char *fmt, ...)
{
	struct sink s = { .buf = buf, .size = size };
	va_list ap;

	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}
