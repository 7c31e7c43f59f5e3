// SPDX-License-Identifier: GPL-2.0
/*
 * Messages, file loading and number parsing for the command-line tool.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jailhouse.h"

const char *command_name = "jailhouse";

/* Prints "jailhouse CMD: message" to stderr and returns code. */
int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", command_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", command_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", command_name);
	return EXIT_USAGE;
}

bool is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Reads a whole regular file; returns 0 or an errno. */
int read_file(const char *path, struct buffer *buf)
{
	size_t cap = 4096, len = 0;
	char *data = malloc(cap);
	FILE *f = fopen(path, "rb");
	int err = 0;

	if (!f || !data) {
		err = f ? ENOMEM : errno;
		goto out;
	}
	for (;;) {
		size_t n = fread(data + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
		if (len == cap) {
			char *bigger = realloc(data, cap * 2);

			if (!bigger) {
				err = ENOMEM;
				goto out;
			}
			data = bigger;
			cap *= 2;
		}
	}
	if (ferror(f))
		err = errno ? errno : EIO;
out:
	if (f)
		fclose(f);
	if (err) {
		free(data);
		return err;
	}
	buf->data = data;
	buf->size = len;
	return 0;
}

/* Decimal, or hexadecimal with 0x; nothing else, no trailing characters. */
bool parse_u64(const char *s, uint64_t *val)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!((s[0] >= '0' && s[0] <= '9') ||
	      (base == 16 && strchr("abcdefABCDEF", s[0]) && s[0])))
		return false;
	errno = 0;
	*val = strtoull(s, &end, base);
	return errno == 0 && *end == '\0';
}

bool parse_uint(const char *s, unsigned int *val)
{
	uint64_t v;

	if (!parse_u64(s, &v) || v > 0xffffffffu)
		return false;
	*val = v;
	return true;
}
