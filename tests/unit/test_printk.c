// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's own formatter and log ring. */
#include <criterion/criterion.h>
#include <string.h>
#include "helpers.h"

static const char *fmt(const char *f, ...)
{
	static char buf[128];
	va_list ap;

	va_start(ap, f);
	vsnprintk(buf, sizeof(buf), f, ap);
	va_end(ap);
	return buf;
}

Test(printk, conversions)
{
	cr_assert_str_eq(fmt("%d|%u|%x", -42, 42U, 0xbeefU), "-42|42|beef");
	cr_assert_str_eq(fmt("%lld|%llu", -9000000000LL, 18446744073709551615ULL),
			 "-9000000000|18446744073709551615");
	cr_assert_str_eq(fmt("%08llx|%4u|%-", 0x3be00000ULL, 7U),
			 "3be00000|   7|%-");
	cr_assert_str_eq(fmt("%s %c %%", "cell", 'X'), "cell X %");
	cr_assert_str_eq(fmt("%s", (char *)NULL), "(null)");
	cr_assert_str_eq(fmt("%p", (void *)0x1000), "0x1000");
	cr_assert_str_eq(fmt("%lx %ld %lu", 0xffUL, -1L, 5UL), "ff -1 5");
	cr_assert_str_eq(fmt("%q"), "%q", "unknown conversions are visible");
}

Test(printk, truncation_reports_the_full_length)
{
	char small[8];

	cr_assert_eq(snprintk(small, sizeof(small), "%s", "0123456789"), 10);
	cr_assert_str_eq(small, "0123456");
	cr_assert_eq(snprintk(small, 0, "abc"), 3);
}

Test(printk, ring_keeps_the_newest_text)
{
	char out[CONSOLE_RING_SIZE];
	unsigned int i, n;
	u64 next;

	console_reset();
	for (i = 0; i < CONSOLE_RING_SIZE + 100; i++)
		console_putc((char)('a' + i % 26));
	n = console_ring_read(0, out, sizeof(out), &next);
	cr_assert_eq(n, CONSOLE_RING_SIZE);
	cr_assert_eq(next, CONSOLE_RING_SIZE + 100);
	cr_assert_eq(out[0], (char)('a' + 100 % 26), "oldest text dropped");
	n = console_ring_read(next - 3, out, sizeof(out), &next);
	cr_assert_eq(n, 3);
	cr_assert_eq(console_ring_read(next, out, sizeof(out), NULL), 0);
}
