// SPDX-License-Identifier: GPL-2.0
/*
 * The inmate library's printf, compiled for the host and compared with
 * the host C library's snprintf on the conversions the inmates use.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <inmate.h>

static char console[256];
static unsigned int console_len;

static unsigned int flushes;

/* printk's output lands here instead of a UART. */
void console_putc(char c)
{
	if (console_len + 1 < sizeof(console))
		console[console_len++] = c;
}

void console_flush(void)
{
	flushes++;
}

/* The hypervisor's console gets what printk produced in one piece. */
Test(printk, flushes_once_at_its_end)
{
	console_len = 0;
	flushes = 0;
	printk("tick %u", 7U);
	cr_assert_eq(console_len, 6);
	cr_assert_eq(memcmp(console, "tick 7", 6), 0);
	cr_assert_eq(flushes, 1);
}

#define SAME(...)                                                       \
	do {                                                            \
		char want[128], got[128];                               \
		int n_want = snprintf(want, sizeof(want), __VA_ARGS__); \
		int n_got = snprintk(got, sizeof(got), __VA_ARGS__);    \
		cr_assert_str_eq(got, want);                            \
		cr_assert_eq(n_got, n_want);                            \
	} while (0)

Test(printk, integers)
{
	SAME("%d %i %u", -42, 7, 3000000000U);
	SAME("%ld %lu %lld %llu", -1L, ~0UL, -9223372036854775807LL - 1,
	     18446744073709551615ULL);
	SAME("%x %X %lx %llx", 0xbeefU, 0xbeefU, 0x123456789abUL, 0ULL);
	SAME("%zu", (size_t)12345);
}

Test(printk, widths_and_padding)
{
	SAME("[%6d] [%-6d] [%06d] [%06d]", 42, 42, 42, -42);
	SAME("[%6lld] [%6lld]", 1234LL, -1234567LL);
	SAME("[%03llu]", 7ULL);
	SAME("[%*d] [%-*s]", 5, 1, 4, "ab");
	SAME("[%2d]", 12345);
}

Test(printk, strings_chars_pointers)
{
	SAME("%s|%10s|%-10s|%c|%%", "abc", "right", "left", 'x');
	SAME("%p", (void *)0xf0000UL);
}

Test(printk, truncation)
{
	char buf[8];
	int n = snprintk(buf, sizeof(buf), "%s", "0123456789");

	cr_assert_eq(n, 10);
	cr_assert_str_eq(buf, "0123456");
}

Test(printk, to_console)
{
	console_len = 0;
	printk("Timer fired, jitter: %6lld ns\n", 1234LL);
	console[console_len] = '\0';
	cr_assert_str_eq(console, "Timer fired, jitter:   1234 ns\n");
}
