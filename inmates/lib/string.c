// SPDX-License-Identifier: GPL-2.0
/* The few string functions the inmates and the compiler need. */
#include <inmate.h>

void *memset(void *dst, int c, unsigned long n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, unsigned long n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

int strncmp(const char *a, const char *b, unsigned long n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

unsigned long strnlen(const char *s, unsigned long max)
{
	unsigned long n = 0;

	while (n < max && s[n])
		n++;
	return n;
}
