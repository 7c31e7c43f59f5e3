// SPDX-License-Identifier: GPL-2.0
/*
 * The DMAR table: Intel VT-d remapping units (DRHD structures) and the
 * devices each is in charge of (device scopes). Layout from Intel's VT-d
 * specification, chapter 8. Other structures (RMRR, ATSR, RHSA, ANDD,
 * SATC) are skipped by their length and counted.
 */
#include <string.h>

#include "sysinfo.h"

#define DMAR_HEADER_LEN 48
#define DRHD_HEADER_LEN 16

static int parse_scopes(const uint8_t *p, size_t off, size_t end,
			struct iommu_info *info, unsigned int unit,
			uint16_t segment, char *err)
{
	while (off < end) {
		struct iommu_scope *s;
		uint8_t type, slen, hops, i;

		if (end - off < 6)
			return parse_error(err,
					   "device scope at offset %zu: "
					   "truncated",
					   off);
		type = p[off];
		slen = p[off + 1];
		if (slen < 6 || slen > end - off || (slen - 6) % 2)
			return parse_error(err,
					   "device scope at offset %zu: "
					   "length %u does not fit",
					   off, slen);
		hops = (slen - 6) / 2;
		if (type < SCOPE_ENDPOINT || type > SCOPE_HPET) {
			/* ACPI namespace devices and future kinds */
			off += slen;
			continue;
		}
		if (hops == 0 || hops > IOMMU_MAX_PATH)
			return parse_error(err,
					   "device scope at offset %zu: "
					   "path of %u hops",
					   off, hops);
		if (info->num_scopes == IOMMU_MAX_SCOPES)
			return parse_error(err, "more than %u device scopes",
					   IOMMU_MAX_SCOPES);
		s = &info->scopes[info->num_scopes++];
		memset(s, 0, sizeof(*s));
		s->kind = type;
		s->unit = unit;
		s->segment = segment;
		s->enum_id = p[off + 4];
		s->start_bus = p[off + 5];
		s->path_len = hops;
		for (i = 0; i < hops; i++) {
			s->path[i][0] = p[off + 6 + 2 * i];
			s->path[i][1] = p[off + 7 + 2 * i];
			if (s->path[i][0] > 31 || s->path[i][1] > 7)
				return parse_error(err,
						   "device scope at "
						   "offset %zu: device "
						   "%u function %u",
						   off, s->path[i][0],
						   s->path[i][1]);
		}
		off += slen;
	}
	return 0;
}

int acpi_parse_dmar(const void *buf, size_t len, struct iommu_info *info,
		    char *err)
{
	const uint8_t *p = buf;
	size_t end = acpi_check_table(buf, len, "DMAR", err), off;

	if (!end)
		return -1;
	memset(info, 0, sizeof(*info));
	if (end < DMAR_HEADER_LEN)
		return parse_error(err,
				   "truncated: %zu bytes, the DMAR "
				   "header has %u",
				   end, DMAR_HEADER_LEN);
	info->host_address_width = p[36] + 1;
	info->dmar_flags = p[37];
	for (off = DMAR_HEADER_LEN; off < end;) {
		uint16_t type, slen;

		if (end - off < 4)
			return parse_error(err,
					   "structure at offset %zu: "
					   "truncated",
					   off);
		type = get16(p + off);
		slen = get16(p + off + 2);
		if (slen < 4 || slen > end - off)
			return parse_error(err,
					   "structure at offset %zu (type "
					   "%u): length %u does not fit",
					   off, type, slen);
		if (type == 0) {
			struct iommu_unit *u;

			if (slen < DRHD_HEADER_LEN)
				return parse_error(err,
						   "DRHD at offset %zu: "
						   "%u bytes, at least "
						   "%u needed",
						   off, slen, DRHD_HEADER_LEN);
			if (info->num_units == IOMMU_MAX_UNITS)
				return parse_error(err,
						   "more than %u DRHD "
						   "units",
						   IOMMU_MAX_UNITS);
			u = &info->units[info->num_units];
			memset(u, 0, sizeof(*u));
			u->kind = IOMMU_VTD;
			u->flags = p[off + 4];
			u->include_all = p[off + 4] & 1;
			/* Size: 2^N pages of registers (0 in older tables). */
			if (p[off + 5] > 8)
				return parse_error(err,
						   "DRHD at offset %zu: "
						   "register size 2^%u "
						   "pages",
						   off, p[off + 5]);
			u->size = 0x1000u << p[off + 5];
			u->segment = get16(p + off + 6);
			u->base = get64(p + off + 8);
			if (!u->base || (u->base & 0xfff))
				return parse_error(err,
						   "DRHD at offset %zu: "
						   "base 0x%llx is not a "
						   "page address",
						   off,
						   (unsigned long long)u->base);
			if (parse_scopes(p, off + DRHD_HEADER_LEN, off + slen,
					 info, info->num_units, u->segment,
					 err))
				return -1;
			info->num_units++;
		} else {
			info->skipped++;
		}
		off += slen;
	}
	return 0;
}
