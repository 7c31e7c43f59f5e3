// SPDX-License-Identifier: GPL-2.0
/*
 * The IVRS table: AMD-Vi units (IVHD blocks) and the devices each is in
 * charge of (device entries). Layout from AMD's IOMMU specification
 * (48882), section 5.2. The same unit may be described by IVHD blocks of
 * type 10h, 11h and 40h; as Linux does, the highest type present is read
 * and the others are skipped. Memory definitions (IVMD, 20h-22h) are
 * skipped and counted; any other block type is refused, since what it
 * describes cannot be told.
 */
#include <string.h>

#include "sysinfo.h"

#define IVRS_HEADER_LEN 48

static int add_scope(struct iommu_info *info, enum scope_kind kind,
		     unsigned int unit, uint16_t segment, uint16_t first,
		     uint16_t last, uint8_t id, char *err)
{
	struct iommu_scope *s;

	if (info->num_scopes == IOMMU_MAX_SCOPES)
		return parse_error(err, "more than %u device entries",
				   IOMMU_MAX_SCOPES);
	s = &info->scopes[info->num_scopes++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->unit = unit;
	s->segment = segment;
	s->first = first;
	s->last = last;
	s->enum_id = id;
	return 0;
}

static int parse_entries(const uint8_t *p, size_t off, size_t end,
			 struct iommu_info *info, unsigned int unit,
			 uint16_t segment, char *err)
{
	bool in_range = false;
	uint16_t range_start = 0;

	while (off < end) {
		uint8_t type = p[off];
		size_t elen;
		uint16_t devid;

		if (type == 0xf0) {
			if (end - off < 22)
				return parse_error(err,
						   "ACPI HID entry at "
						   "offset %zu: truncated",
						   off);
			elen = 22 + p[off + 21];
		} else if (type < 0x40) {
			elen = 4;
		} else if (type < 0x80) {
			elen = 8;
		} else {
			return parse_error(err,
					   "device entry at offset %zu: "
					   "unknown type 0x%02x",
					   off, type);
		}
		if (elen > end - off)
			return parse_error(err,
					   "device entry at offset %zu "
					   "(type 0x%02x): truncated",
					   off, type);
		devid = get16(p + off + 1);
		switch (type) {
		case 1: /* all devices */
			if (add_scope(info, SCOPE_RANGE, unit, segment, 0,
				      0xffff, 0, err))
				return -1;
			break;
		case 2: /* select */
		case 0x42: /* alias select */
		case 0x46: /* extended select */
			if (add_scope(info, SCOPE_ENDPOINT, unit, segment,
				      devid, devid, 0, err))
				return -1;
			break;
		case 3: /* start of range */
		case 0x43:
		case 0x47:
			if (in_range)
				return parse_error(err,
						   "device entry at "
						   "offset %zu: range "
						   "inside a range",
						   off);
			in_range = true;
			range_start = devid;
			break;
		case 4: /* end of range */
			if (!in_range || devid < range_start)
				return parse_error(err,
						   "device entry at "
						   "offset %zu: end of a "
						   "range not started",
						   off);
			in_range = false;
			if (add_scope(info, SCOPE_RANGE, unit, segment,
				      range_start, devid, 0, err))
				return -1;
			break;
		case 0x48: /* special device: IOAPIC or HPET */
			if (p[off + 7] == 1 || p[off + 7] == 2) {
				uint16_t id = get16(p + off + 5);

				if (add_scope(info,
					      p[off + 7] == 1 ? SCOPE_IOAPIC
							      : SCOPE_HPET,
					      unit, segment, id, id, p[off + 4],
					      err))
					return -1;
			}
			break;
		default: /* padding, ACPI HID devices, others */
			break;
		}
		off += elen;
	}
	if (in_range)
		return parse_error(err, "a range of devices is never ended");
	return 0;
}

/*
 * The unit's registers: the 16 KiB its base register aligns, or 512 KiB
 * where it has performance counters (they lie from 40000h on). Type 10h
 * says so in its feature reporting field (counter banks, bits 16:13, and
 * counters per bank, bits 22:17), the later types in their image of the
 * extended feature register (PCSup, bit 9).
 */
static uint32_t ivhd_register_size(const uint8_t *ivhd, uint8_t type)
{
	bool counters;

	if (type == 0x10)
		counters = (get32(ivhd + 20) >> 13 & 0xf) &&
			   (get32(ivhd + 20) >> 17 & 0x3f);
	else
		counters = get64(ivhd + 24) & (1ULL << 9);
	return counters ? 0x80000 : 0x4000;
}

int acpi_parse_ivrs(const void *buf, size_t len, struct iommu_info *info,
		    char *err)
{
	const uint8_t *p = buf;
	size_t end = acpi_check_table(buf, len, "IVRS", err), off;
	uint8_t pick = 0;

	if (!end)
		return -1;
	memset(info, 0, sizeof(*info));
	if (end < IVRS_HEADER_LEN)
		return parse_error(err,
				   "truncated: %zu bytes, the IVRS "
				   "header has %u",
				   end, IVRS_HEADER_LEN);
	info->ivinfo = get32(p + 36);
	/* First pass: block bounds, types, and the IVHD type to read. */
	for (off = IVRS_HEADER_LEN; off < end;) {
		uint8_t type;
		uint16_t blen;

		if (end - off < 4)
			return parse_error(err,
					   "block at offset %zu: "
					   "truncated",
					   off);
		type = p[off];
		blen = get16(p + off + 2);
		if (blen < 4 || blen > end - off)
			return parse_error(err,
					   "block at offset %zu (type "
					   "0x%02x): length %u does not "
					   "fit",
					   off, type, blen);
		if (type == 0x10 || type == 0x11 || type == 0x40) {
			size_t hlen = type == 0x10 ? 24 : 40;

			if (blen < hlen)
				return parse_error(err,
						   "IVHD at offset %zu: %u "
						   "bytes, type 0x%02x needs "
						   "%zu",
						   off, blen, type, hlen);
			if (type > pick)
				pick = type;
		} else if (type < 0x20 || type > 0x22) {
			return parse_error(err,
					   "block at offset %zu: unknown "
					   "type 0x%02x (neither an IOMMU "
					   "unit nor a memory "
					   "definition)",
					   off, type);
		}
		off += blen;
	}
	for (off = IVRS_HEADER_LEN; off < end;) {
		uint8_t type = p[off];
		uint16_t blen = get16(p + off + 2);
		size_t hlen = type == 0x10 ? 24 : 40;
		struct iommu_unit *u;

		if (type != pick) {
			info->skipped++;
			off += blen;
			continue;
		}
		if (info->num_units == IOMMU_MAX_UNITS)
			return parse_error(err, "more than %u IVHD units",
					   IOMMU_MAX_UNITS);
		u = &info->units[info->num_units];
		memset(u, 0, sizeof(*u));
		u->kind = IOMMU_AMDVI;
		u->flags = p[off + 1];
		u->devid = get16(p + off + 4);
		u->cap_offset = get16(p + off + 6);
		u->base = get64(p + off + 8);
		u->segment = get16(p + off + 16);
		u->ivhd_type = type;
		if (type != 0x10)
			u->efr = get64(p + off + 24);
		u->size = ivhd_register_size(p + off, type);
		if (!u->base || (u->base & 0x3fff))
			return parse_error(err,
					   "IVHD at offset %zu: base "
					   "0x%llx is not 16 KiB aligned",
					   off, (unsigned long long)u->base);
		if (parse_entries(p, off + hlen, off + blen, info,
				  info->num_units, u->segment, err))
			return -1;
		info->num_units++;
		off += blen;
	}
	return 0;
}
