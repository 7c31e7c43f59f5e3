// SPDX-License-Identifier: GPL-2.0
/*
 * Text files of procfs and sysfs: /proc/iomem and /proc/ioports, CPU lists
 * (/sys/devices/system/cpu/online), /proc/cmdline, /proc/cpuinfo and the
 * numbers of /sys/firmware/memmap. The buffers are not NUL-terminated;
 * every line is handled within its bounds, and fields too long for their
 * result are refused rather than cut.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sysinfo.h"

/* The next line of [*pos, len): its start and length, without the '\n'. */
static bool next_line(const char *buf, size_t len, size_t *pos,
		      const char **line, size_t *llen)
{
	const char *nl;

	if (*pos >= len)
		return false;
	*line = buf + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*llen = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *llen + (nl ? 1 : 0);
	return true;
}

/* Hex digits at s[*i..n); at least one, at most 16. */
static bool hex_field(const char *s, size_t n, size_t *i, uint64_t *val)
{
	size_t start = *i;

	*val = 0;
	while (*i < n && isxdigit((unsigned char)s[*i])) {
		if (*i - start == 16)
			return false;
		*val = *val << 4 |
		       (uint64_t)(isdigit((unsigned char)s[*i])
					  ? s[*i] - '0'
					  : (tolower((unsigned char)s[*i]) -
					     'a' + 10));
		(*i)++;
	}
	return *i > start;
}

int parse_resources(const char *buf, size_t len, struct resources *res,
		    char *err)
{
	const char *line;
	size_t pos = 0, n;
	unsigned int lineno = 0;

	memset(res, 0, sizeof(*res));
	while (next_line(buf, len, &pos, &line, &n)) {
		struct resource *r;
		size_t i = 0, name_len;

		lineno++;
		if (n == 0)
			continue;
		while (i < n && line[i] == ' ')
			i++;
		if (res->count == RES_MAX)
			return parse_error(err, "line %u: more than %u entries",
					   lineno, RES_MAX);
		r = &res->res[res->count];
		r->depth = i / 2;
		if (!hex_field(line, n, &i, &r->start) || i >= n ||
		    line[i] != '-')
			return parse_error(err,
					   "line %u: no \"start-end\" "
					   "range",
					   lineno);
		i++;
		if (!hex_field(line, n, &i, &r->end))
			return parse_error(err, "line %u: no end of range",
					   lineno);
		if (r->end < r->start)
			return parse_error(err,
					   "line %u: range ends before it "
					   "starts",
					   lineno);
		if (n - i < 3 || memcmp(line + i, " : ", 3))
			return parse_error(err,
					   "line %u: no \" : \" before the "
					   "name",
					   lineno);
		i += 3;
		name_len = n - i;
		if (name_len >= RES_NAME_LEN)
			name_len = RES_NAME_LEN - 1;
		memcpy(r->name, line + i, name_len);
		r->name[name_len] = '\0';
		res->count++;
	}
	return 0;
}

int parse_cpu_list(const char *buf, size_t len, uint64_t *bitmap,
		   unsigned int max, char *err)
{
	size_t i = 0;
	unsigned int count = 0;

	memset(bitmap, 0, (max + 63) / 64 * 8);
	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	while (i < len) {
		unsigned long first = 0, last, c;
		size_t start = i;

		while (i < len && isdigit((unsigned char)buf[i]) &&
		       first < 1u << 20)
			first = first * 10 + (buf[i++] - '0');
		if (i == start)
			return parse_error(err,
					   "CPU list: a number expected "
					   "at character %zu",
					   i + 1);
		last = first;
		if (i < len && buf[i] == '-') {
			start = ++i;
			last = 0;
			while (i < len && isdigit((unsigned char)buf[i]) &&
			       last < 1u << 20)
				last = last * 10 + (buf[i++] - '0');
			if (i == start || last < first)
				return parse_error(err,
						   "CPU list: bad range at "
						   "character %zu",
						   i);
		}
		if (last >= max)
			return parse_error(err,
					   "CPU list: CPU %lu, at most %u "
					   "supported",
					   last, max);
		for (c = first; c <= last; c++, count++)
			bitmap[c / 64] |= 1ULL << (c % 64);
		if (i < len && buf[i] != ',')
			return parse_error(err,
					   "CPU list: unexpected '%c' at "
					   "character %zu",
					   buf[i], i + 1);
		if (i < len)
			i++;
	}
	if (!count)
		return parse_error(err, "CPU list is empty");
	return 0;
}

/* "66M" and the like: a number (0x hex or decimal) with K, M, G or T. */
static bool size_field(const char *s, size_t n, size_t *i, uint64_t *val)
{
	uint64_t v = 0, mul = 1;
	size_t start;

	if (n - *i > 2 && s[*i] == '0' &&
	    (s[*i + 1] == 'x' || s[*i + 1] == 'X')) {
		*i += 2;
		if (!hex_field(s, n, i, &v))
			return false;
	} else {
		start = *i;
		while (*i < n && isdigit((unsigned char)s[*i])) {
			if (v > (UINT64_MAX - 9) / 10)
				return false;
			v = v * 10 + (s[(*i)++] - '0');
		}
		if (*i == start)
			return false;
	}
	if (*i < n) {
		switch (toupper((unsigned char)s[*i])) {
		case 'K':
			mul = 1ULL << 10;
			break;
		case 'M':
			mul = 1ULL << 20;
			break;
		case 'G':
			mul = 1ULL << 30;
			break;
		case 'T':
			mul = 1ULL << 40;
			break;
		}
		if (mul > 1)
			(*i)++;
	}
	if (v && mul > UINT64_MAX / v)
		return false;
	*val = v * mul;
	return true;
}

/* One memmap= value: SIZE$START, SIZE@START, SIZE#START, SIZE!START... */
static int parse_memmap(const char *s, size_t n, struct cmdline *cmd, char *err)
{
	size_t i = 0;

	while (i < n) {
		uint64_t size, start;
		char kind;

		if (!size_field(s, n, &i, &size))
			return parse_error(err,
					   "memmap=%.*s: no size at "
					   "character %zu",
					   (int)n, s, i + 1);
		if (i >= n || s[i] == ',') {
			/* memmap=SIZE limits memory: not a reservation */
			i++;
			continue;
		}
		kind = s[i++];
		if (kind == '\\' && i < n && s[i] == '$')
			kind = s[i++];
		if (!size_field(s, n, &i, &start))
			return parse_error(err, "memmap=%.*s: no start address",
					   (int)n, s);
		if (kind == '$') {
			if (!size || start + size < start)
				return parse_error(err,
						   "memmap=%.*s: empty or "
						   "wrapping range",
						   (int)n, s);
			if (cmd->num_reserved == MEMMAP_MAX)
				return parse_error(err,
						   "more than %u memmap= "
						   "reservations",
						   MEMMAP_MAX);
			cmd->reserved[cmd->num_reserved].start = start;
			cmd->reserved[cmd->num_reserved].size = size;
			cmd->num_reserved++;
		}
		if (i < n && s[i] != ',')
			return parse_error(err, "memmap=%.*s: unexpected '%c'",
					   (int)n, s, s[i]);
		i++;
	}
	return 0;
}

static bool word_is(const char *w, size_t n, const char *what)
{
	return strlen(what) == n && !memcmp(w, what, n);
}

int parse_cmdline(const char *buf, size_t len, struct cmdline *cmd, char *err)
{
	size_t i = 0;

	memset(cmd, 0, sizeof(*cmd));
	while (i < len) {
		size_t start, n;
		const char *w;

		while (i < len && isspace((unsigned char)buf[i]))
			i++;
		start = i;
		while (i < len && !isspace((unsigned char)buf[i]))
			i++;
		w = buf + start;
		n = i - start;
		if (n > 7 && !memcmp(w, "memmap=", 7)) {
			if (parse_memmap(w + 7, n - 7, cmd, err))
				return -1;
		} else if (word_is(w, n, "intel_iommu=off")) {
			cmd->intel_iommu_off = true;
		} else if (word_is(w, n, "amd_iommu=off")) {
			cmd->amd_iommu_off = true;
		} else if (word_is(w, n, "intremap=off")) {
			cmd->intremap_off = true;
		} else if (word_is(w, n, "nox2apic")) {
			cmd->nox2apic = true;
		} else if (word_is(w, n, "iommu=pt")) {
			cmd->iommu_pt = true;
		}
	}
	return 0;
}

/* "key<tabs>: value" into key and value; false for other lines. */
static bool cpuinfo_field(const char *line, size_t n, const char **key,
			  size_t *klen, const char **val, size_t *vlen)
{
	const char *colon = memchr(line, ':', n);

	if (!colon)
		return false;
	*key = line;
	*klen = colon - line;
	while (*klen && isspace((unsigned char)line[*klen - 1]))
		(*klen)--;
	*val = colon + 1;
	*vlen = n - (colon + 1 - line);
	while (*vlen && isspace((unsigned char)**val)) {
		(*val)++;
		(*vlen)--;
	}
	return true;
}

static int copy_field(char *dst, size_t size, const char *val, size_t vlen,
		      const char *what, unsigned int lineno, char *err)
{
	if (vlen >= size)
		return parse_error(err,
				   "line %u: %s of %zu characters, at "
				   "most %zu",
				   lineno, what, vlen, size - 1);
	memcpy(dst, val, vlen);
	dst[vlen] = '\0';
	return 0;
}

int parse_cpuinfo(const char *buf, size_t len, struct cpuinfo *info, char *err)
{
	const char *line, *key, *val;
	size_t pos = 0, n, klen, vlen;
	unsigned int lineno = 0, apicids = 0;

	memset(info, 0, sizeof(*info));
	while (next_line(buf, len, &pos, &line, &n)) {
		lineno++;
		if (!cpuinfo_field(line, n, &key, &klen, &val, &vlen))
			continue;
		if (word_is(key, klen, "processor")) {
			if (info->count == CPUINFO_MAX)
				return parse_error(err,
						   "line %u: more than %u "
						   "processors",
						   lineno, CPUINFO_MAX);
			info->count++;
		} else if (info->count == 0) {
			continue;
		} else if (word_is(key, klen, "apicid")) {
			size_t i = 0;
			uint64_t id = 0;

			while (i < vlen && isdigit((unsigned char)val[i]) &&
			       id <= 0xffffffffu)
				id = id * 10 + (val[i++] - '0');
			if (!i || i != vlen || id > 0xffffffffu)
				return parse_error(err,
						   "line %u: apicid is not "
						   "a number",
						   lineno);
			info->apic_ids[info->count - 1] = id;
			apicids++;
		} else if (info->count > 1) {
			continue;
		} else if (word_is(key, klen, "vendor_id")) {
			if (copy_field(info->vendor, sizeof(info->vendor), val,
				       vlen, "vendor_id", lineno, err))
				return -1;
		} else if (word_is(key, klen, "model name")) {
			if (copy_field(info->model_name,
				       sizeof(info->model_name), val, vlen,
				       "model name", lineno, err))
				return -1;
		} else if (word_is(key, klen, "flags")) {
			if (copy_field(info->flags, sizeof(info->flags), val,
				       vlen, "flags", lineno, err))
				return -1;
		}
	}
	if (!info->count)
		return parse_error(err, "no \"processor\" entry");
	info->has_apicid = apicids == info->count;
	return 0;
}

bool cpuinfo_has(const struct cpuinfo *info, const char *flag)
{
	size_t n = strlen(flag);
	const char *p = info->flags;

	while ((p = strstr(p, flag))) {
		if ((p == info->flags || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

int parse_sysfs_u64(const char *buf, size_t len, uint64_t *val, char *err)
{
	size_t i = 0;

	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	if (len > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		i = 2;
		if (!hex_field(buf, len, &i, val) || i != len)
			return parse_error(err, "\"%.*s\" is not a number",
					   (int)(len > 40 ? 40 : len), buf);
		return 0;
	}
	*val = 0;
	for (; i < len; i++) {
		if (!isdigit((unsigned char)buf[i]) ||
		    *val > (UINT64_MAX - 9) / 10)
			return parse_error(err, "\"%.*s\" is not a number",
					   (int)(len > 40 ? 40 : len), buf);
		*val = *val * 10 + (buf[i] - '0');
	}
	if (!len)
		return parse_error(err, "empty, a number expected");
	return 0;
}
