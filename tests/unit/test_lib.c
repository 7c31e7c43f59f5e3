// SPDX-License-Identifier: GPL-2.0
/*
 * src/lib.c, the image's own memcpy, memset, memcmp, strnlen and strncmp,
 * compiled freestanding as the image compiles it, its symbols renamed to
 * jh_* (objcopy --prefix-symbols), against the host C library as oracle:
 * every length up to 80 at every alignment, and random buffers.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

void *jh_memcpy(void *dst, const void *src, size_t n);
void *jh_memset(void *dst, int c, size_t n);
int jh_memcmp(const void *a, const void *b, size_t n);
size_t jh_strnlen(const char *s, size_t max);
int jh_strncmp(const char *a, const char *b, size_t n);

#define BUF 160
#define MAX_LEN 80

static unsigned long long rng = 0x2545f4914f6cdd1dULL;

static unsigned char rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned char)(rng >> 24);
}

static void fill(unsigned char *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

Test(lib, memcpy_copies_exactly_n_bytes)
{
	unsigned char src[BUF], a[BUF], b[BUF];
	size_t n, off;

	for (off = 0; off < 8; off++)
		for (n = 0; n <= MAX_LEN; n++) {
			fill(src, BUF);
			fill(a, BUF);
			memcpy(b, a, BUF);
			cr_assert_eq(jh_memcpy(a + off, src + 3, n), a + off);
			memcpy(b + off, src + 3, n);
			cr_assert_arr_eq(a, b, BUF, "offset %zu, length %zu",
					 off, n);
		}
}

Test(lib, memset_sets_exactly_n_bytes)
{
	unsigned char a[BUF], b[BUF];
	size_t n, off;
	int c;

	for (off = 0; off < 8; off++)
		for (n = 0; n <= MAX_LEN; n++) {
			c = (int)rnd() | (n & 1 ? 0x100 : 0);
			fill(a, BUF);
			memcpy(b, a, BUF);
			cr_assert_eq(jh_memset(a + off, c, n), a + off);
			memset(b + off, c, n);
			cr_assert_arr_eq(a, b, BUF, "offset %zu, length %zu",
					 off, n);
		}
}

Test(lib, memcmp_orders_as_unsigned_bytes)
{
	unsigned char a[BUF], b[BUF];
	size_t n, at;

	for (n = 0; n <= MAX_LEN; n++) {
		fill(a, BUF);
		memcpy(b, a, BUF);
		cr_assert_eq(jh_memcmp(a, b, n), 0, "equal, length %zu", n);
		for (at = 0; at < n; at++) {
			b[at] = a[at] ^ (unsigned char)(1U << (rnd() % 8));
			cr_assert_eq(sign(jh_memcmp(a, b, n)),
				     sign(memcmp(a, b, n)),
				     "differ at %zu of %zu", at, n);
			/* A difference past n does not count. */
			cr_assert_eq(jh_memcmp(a, b, at), 0);
			b[at] = a[at];
		}
	}
	a[0] = 0x01;
	b[0] = 0xff;
	cr_assert_lt(jh_memcmp(a, b, 1), 0, "0x01 < 0xff: bytes are unsigned");
}

Test(lib, strnlen_stops_at_nul_or_max)
{
	char s[BUF];
	size_t len, max;

	for (len = 0; len < MAX_LEN; len++) {
		memset(s, 'x', sizeof(s));
		s[len] = '\0';
		for (max = 0; max <= MAX_LEN; max++)
			cr_assert_eq(jh_strnlen(s, max), strnlen(s, max),
				     "length %zu, max %zu", len, max);
	}
}

Test(lib, strncmp_agrees_with_the_c_library)
{
	char a[BUF], b[BUF];
	unsigned int i;
	size_t n, la, lb;

	for (i = 0; i < 20000; i++) {
		la = rnd() % 12;
		lb = rnd() % 12;
		fill((unsigned char *)a, BUF);
		memcpy(b, a, BUF);
		/* Small alphabets make equal prefixes and ties likely. */
		for (n = 0; n < la; n++)
			a[n] = (char)("ab\x80\xff"[rnd() % 4]);
		for (n = 0; n < lb; n++)
			b[n] = (char)("ab\x80\xff"[rnd() % 4]);
		a[la] = '\0';
		b[lb] = '\0';
		n = rnd() % 16;
		cr_assert_eq(sign(jh_strncmp(a, b, n)), sign(strncmp(a, b, n)),
			     "'%s' '%s' %zu", a, b, n);
	}
	cr_assert_eq(jh_strncmp("abc", "abd", 2), 0);
	cr_assert_eq(jh_strncmp("ab", "ab\0x", 4), 0, "nothing after NUL");
	cr_assert_lt(jh_strncmp("a", "\xff", 1), 0, "chars are unsigned");
}
