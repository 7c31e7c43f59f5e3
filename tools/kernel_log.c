// SPDX-License-Identifier: GPL-2.0
/*
 * What Linux's kernel log says that no other file does: the APIC mode it
 * chose (the CPU's x2apic flag stays in cpuinfo when Linux falls back to
 * xAPIC for want of interrupt remapping) and each VT-d unit's capability
 * registers (Linux prints them once per unit at boot; the registers
 * themselves are a busy MMIO range /dev/mem will not hand out).
 *
 * The input is /dev/kmsg as read (records "prio,seq,time,flags;text"
 * with continuation lines) or `dmesg` text: both are searched line by
 * line for the phrases, so either works.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sysinfo.h"

typedef void line_fn(const char *line, void *ctx);

static void each_line(const char *buf, size_t len, line_fn *fn, void *ctx)
{
	char line[512];
	size_t start = 0, i, n;

	for (i = 0; i <= len; i++) {
		if (i < len && buf[i] != '\n')
			continue;
		n = i - start;
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, buf + start, n);
		line[n] = '\0';
		fn(line, ctx);
		start = i + 1;
	}
}

static void apic_line(const char *line, void *ctx)
{
	int *mode = ctx;

	if (strstr(line, "x2apic enabled") ||
	    strstr(line, "APIC routing to cluster x2apic") ||
	    strstr(line, "APIC routing to physical x2apic") ||
	    strstr(line, "x2apic: enabled by BIOS"))
		*mode = KLOG_X2APIC;
	else if (strstr(line, "doesn't support X2APIC mode") ||
		 strstr(line, "x2apic: disabled") ||
		 strstr(line, "x2apic disabled"))
		*mode = KLOG_XAPIC;
}

int klog_apic_mode(const char *buf, size_t len)
{
	int mode = KLOG_UNKNOWN;

	each_line(buf, len, apic_line, &mode);
	return mode;
}

struct vtd_search {
	uint64_t base;
	struct vtd_regs *regs;
	bool found;
};

static void vtd_line(const char *line, void *ctx)
{
	struct vtd_search *s = ctx;
	const char *p = strstr(line, "reg_base_addr ");
	unsigned long long base, cap, ecap;
	unsigned int major, minor;

	if (!p ||
	    sscanf(p, "reg_base_addr %llx ver %u:%u cap %llx ecap %llx", &base,
		   &major, &minor, &cap, &ecap) != 5 ||
	    base != s->base)
		return;
	s->regs->cap = cap;
	s->regs->ecap = ecap;
	s->regs->version = major << 4 | minor;
	s->found = true;
}

bool klog_vtd_regs(const char *buf, size_t len, uint64_t base,
		   struct vtd_regs *regs)
{
	struct vtd_search s = { .base = base, .regs = regs };

	each_line(buf, len, vtd_line, &s);
	return s.found;
}
