// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables as Linux exports them under /sys/firmware/acpi/tables: the
 * common header, MADT (APIC ids, IOAPICs), FADT (the PM timer) and MCFG
 * (MMCONFIG windows). Layouts from the ACPI specification, 6.x.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sysinfo.h"

int parse_error(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ERR_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

size_t acpi_check_table(const void *buf, size_t len, const char *sig, char *err)
{
	const uint8_t *p = buf;
	uint32_t length, i;
	uint8_t sum = 0;

	if (len < ACPI_HEADER_LEN) {
		parse_error(err,
			    "truncated: %zu bytes, the ACPI header alone "
			    "has %u",
			    len, ACPI_HEADER_LEN);
		return 0;
	}
	if (memcmp(p, sig, 4)) {
		parse_error(err, "signature is \"%.4s\", not \"%s\"",
			    (const char *)p, sig);
		return 0;
	}
	length = get32(p + 4);
	if (length < ACPI_HEADER_LEN) {
		parse_error(err,
			    "header gives a length of %u bytes, less "
			    "than the header",
			    length);
		return 0;
	}
	if (length > len) {
		parse_error(err,
			    "truncated: the header says %u bytes, the "
			    "file has %zu",
			    length, len);
		return 0;
	}
	for (i = 0; i < length; i++)
		sum += p[i];
	if (sum) {
		parse_error(err,
			    "checksum does not add up (sum 0x%02x, "
			    "corrupt table)",
			    sum);
		return 0;
	}
	return length;
}

int acpi_parse_madt(const void *buf, size_t len, struct madt *madt, char *err)
{
	const uint8_t *p = buf;
	size_t end = acpi_check_table(buf, len, "APIC", err), off;

	if (!end)
		return -1;
	memset(madt, 0, sizeof(*madt));
	if (end < 44)
		return parse_error(err,
				   "truncated: %zu bytes, the MADT's "
				   "fixed part has 44",
				   end);
	madt->lapic_address = get32(p + 36);
	madt->flags = get32(p + 40);
	for (off = 44; off < end;) {
		uint8_t type, elen;

		if (end - off < 2)
			return parse_error(err,
					   "entry at offset %zu: "
					   "truncated",
					   off);
		type = p[off];
		elen = p[off + 1];
		if (elen < 2 || elen > end - off)
			return parse_error(err,
					   "entry at offset %zu (type "
					   "%u): length %u does not fit",
					   off, type, elen);
		switch (type) {
		case 0: /* processor local APIC */
		case 9: /* processor local x2APIC */
			if (elen < (type ? 16 : 8))
				return parse_error(err,
						   "entry at offset %zu: "
						   "local APIC entry of "
						   "%u bytes",
						   off, elen);
			if (madt->num_cpus == MADT_MAX_CPUS)
				return parse_error(err,
						   "more than %u local "
						   "APICs",
						   MADT_MAX_CPUS);
			if (type == 0) {
				madt->cpus[madt->num_cpus].uid = p[off + 2];
				madt->cpus[madt->num_cpus].apic_id = p[off + 3];
				madt->cpus[madt->num_cpus].enabled =
					get32(p + off + 4) & 3;
			} else {
				madt->cpus[madt->num_cpus].apic_id =
					get32(p + off + 4);
				madt->cpus[madt->num_cpus].enabled =
					get32(p + off + 8) & 3;
				madt->cpus[madt->num_cpus].uid =
					get32(p + off + 12);
				madt->cpus[madt->num_cpus].x2apic = true;
			}
			madt->num_cpus++;
			break;
		case 1: /* I/O APIC */
			if (elen < 12)
				return parse_error(err,
						   "entry at offset %zu: "
						   "IOAPIC entry of %u "
						   "bytes",
						   off, elen);
			if (madt->num_ioapics == MADT_MAX_IOAPICS)
				return parse_error(err, "more than %u IOAPICs",
						   MADT_MAX_IOAPICS);
			madt->ioapics[madt->num_ioapics].id = p[off + 2];
			madt->ioapics[madt->num_ioapics].address =
				get32(p + off + 4);
			madt->ioapics[madt->num_ioapics].gsi_base =
				get32(p + off + 8);
			madt->num_ioapics++;
			break;
		case 5: /* local APIC address override */
			if (elen < 12)
				return parse_error(err,
						   "entry at offset %zu: "
						   "address override of "
						   "%u bytes",
						   off, elen);
			madt->lapic_address = get64(p + off + 4);
			break;
		default: /* overrides, NMIs, others: not needed */
			break;
		}
		off += elen;
	}
	return 0;
}

/* FADT offsets: PM_TMR_BLK 76, PM_TMR_LEN 91, flags 112, X_PM_TMR_BLK 208. */
int acpi_parse_fadt(const void *buf, size_t len, struct fadt *fadt, char *err)
{
	const uint8_t *p = buf;
	size_t end = acpi_check_table(buf, len, "FACP", err);

	if (!end)
		return -1;
	memset(fadt, 0, sizeof(*fadt));
	if (end < 116)
		return parse_error(err,
				   "truncated: %zu bytes, a FADT has at "
				   "least 116",
				   end);
	fadt->pm_timer_port = get32(p + 76);
	fadt->pm_timer_32bit = get32(p + 112) & (1u << 8);
	/* X_PM_TMR_BLK, a generic address structure; 1 = system I/O. */
	if (end >= 220 && get64(p + 212)) {
		if (p[208] != 1)
			return parse_error(err,
					   "X_PM_TMR_BLK is in address "
					   "space %u, not port I/O",
					   p[208]);
		if (get64(p + 212) > 0xffff)
			return parse_error(err,
					   "X_PM_TMR_BLK port 0x%llx is "
					   "above 0xffff",
					   (unsigned long long)get64(p + 212));
		fadt->pm_timer_port = get64(p + 212);
		fadt->from_x_field = true;
	}
	if (fadt->pm_timer_port > 0xffff)
		return parse_error(err, "PM_TMR_BLK port 0x%x is above 0xffff",
				   fadt->pm_timer_port);
	return 0;
}

int acpi_parse_mcfg(const void *buf, size_t len, struct mcfg *mcfg, char *err)
{
	const uint8_t *p = buf;
	size_t end = acpi_check_table(buf, len, "MCFG", err), off;

	if (!end)
		return -1;
	memset(mcfg, 0, sizeof(*mcfg));
	if (end < 44 || (end - 44) % 16)
		return parse_error(err,
				   "length %zu is not 44 plus a multiple "
				   "of 16 (truncated or corrupt)",
				   end);
	for (off = 44; off < end; off += 16) {
		struct mcfg_entry *e;

		if (mcfg->count == MCFG_MAX)
			return parse_error(err, "more than %u MMCONFIG windows",
					   MCFG_MAX);
		e = &mcfg->entries[mcfg->count++];
		e->base = get64(p + off);
		e->segment = get16(p + off + 8);
		e->start_bus = p[off + 10];
		e->end_bus = p[off + 11];
		if (e->end_bus < e->start_bus)
			return parse_error(err,
					   "window at offset %zu: end bus "
					   "%02x below start bus %02x",
					   off, e->end_bus, e->start_bus);
		if (e->base & 0xfffff)
			return parse_error(err,
					   "window at offset %zu: base "
					   "0x%llx not 1 MiB aligned",
					   off, (unsigned long long)e->base);
	}
	return 0;
}
