// SPDX-License-Identifier: GPL-2.0
/*
 * A PCI device's configuration space as sysfs gives it
 * (/sys/bus/pci/devices/D:B:D.F/config): 64 bytes to an unprivileged
 * reader, 256 (conventional) or 4096 (PCI Express) to root. Reads the
 * header, the BAR registers and the capability list (MSI, MSI-X, PCI
 * Express, power management, and the secure device capability through
 * which an AMD-Vi unit names its registers); the list is walked with a
 * bound and a loop check, every pointer checked against the length.
 */
#include <string.h>

#include "sysinfo.h"

#define CAP_PM 0x01
#define CAP_MSI 0x05
#define CAP_SECURE 0x0f
#define CAP_PCIE 0x10
#define CAP_MSIX 0x11

static void read_msi(const uint8_t *p, size_t pos, struct pci_caps *caps)
{
	uint16_t ctrl = get16(p + pos + 2);

	if (caps->msi)
		return;
	caps->msi = true;
	caps->msi_pos = pos;
	caps->msi_vectors = 1u << ((ctrl >> 1) & 7);
	caps->msi_64bit = ctrl & (1 << 7);
	caps->msi_maskable = ctrl & (1 << 8);
}

static void read_msix(const uint8_t *p, size_t pos, struct pci_caps *caps)
{
	uint16_t ctrl = get16(p + pos + 2);
	uint32_t table = get32(p + pos + 4), pba = get32(p + pos + 8);

	caps->msix = true;
	caps->msix_vectors = (ctrl & 0x7ff) + 1;
	caps->msix_table_bar = table & 7;
	caps->msix_table_offset = table & ~7u;
	caps->msix_pba_bar = pba & 7;
	caps->msix_pba_offset = pba & ~7u;
}

static void read_secure(const uint8_t *p, size_t len, size_t pos,
			struct pci_caps *caps)
{
	struct pci_secure_cap *s;

	if (caps->num_secure == PCI_MAX_SECURE_CAPS)
		return;
	s = &caps->secure[caps->num_secure++];
	s->pos = pos;
	s->have_base = pos + 12 <= len;
	s->base = s->have_base ? get32(p + pos + 4) |
					 (uint64_t)get32(p + pos + 8) << 32
			       : 0;
}

static int walk_caps(const uint8_t *p, size_t len, uint8_t first,
		     struct pci_caps *caps, char *err)
{
	uint8_t seen[256 / 8] = { 0 };
	unsigned int pos = first & ~3u;

	while (pos) {
		uint8_t id;

		if (pos < 0x40)
			return parse_error(err,
					   "capability pointer 0x%02x "
					   "points into the header",
					   pos);
		if (pos + 2 > len)
			return parse_error(err,
					   "capability at 0x%02x lies "
					   "beyond the %zu bytes read "
					   "(read config space as root)",
					   pos, len);
		if (seen[pos / 8] & (1u << (pos % 8)))
			return parse_error(err,
					   "capability list loops at "
					   "0x%02x",
					   pos);
		seen[pos / 8] |= 1u << (pos % 8);
		id = p[pos];
		switch (id) {
		case CAP_MSI:
			if (pos + 4 > len)
				return parse_error(err,
						   "MSI capability at "
						   "0x%02x truncated",
						   pos);
			read_msi(p, pos, caps);
			break;
		case CAP_MSIX:
			if (pos + 12 > len)
				return parse_error(err,
						   "MSI-X capability at "
						   "0x%02x truncated",
						   pos);
			read_msix(p, pos, caps);
			break;
		case CAP_PCIE:
			if (pos + 4 > len)
				return parse_error(err,
						   "PCI Express capability "
						   "at 0x%02x truncated",
						   pos);
			caps->pcie = true;
			caps->pcie_type = (p[pos + 2] >> 4) & 0xf;
			break;
		case CAP_PM:
			caps->pm = true;
			break;
		case CAP_SECURE:
			read_secure(p, len, pos, caps);
			break;
		default:
			break;
		}
		caps->count++;
		pos = p[pos + 1] & ~3u;
	}
	return 0;
}

int pci_parse_config(const void *buf, size_t len, struct pci_config *cfg,
		     char *err)
{
	const uint8_t *p = buf;
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	if (len < 64)
		return parse_error(err,
				   "truncated: %zu bytes, the header has "
				   "64",
				   len);
	cfg->vendor = get16(p);
	cfg->device = get16(p + 2);
	if (cfg->vendor == 0xffff || cfg->vendor == 0)
		return parse_error(err, "vendor id 0x%04x: no device",
				   cfg->vendor);
	cfg->class_code = get32(p + 8) >> 8;
	cfg->header_type = p[14] & 0x7f;
	cfg->multifunction = p[14] & 0x80;
	switch (cfg->header_type) {
	case 0:
		cfg->num_bars = 6;
		break;
	case 1:
		cfg->num_bars = 2;
		cfg->secondary_bus = p[25];
		cfg->subordinate_bus = p[26];
		if (cfg->subordinate_bus < cfg->secondary_bus)
			return parse_error(err,
					   "bridge: subordinate bus %02x "
					   "below secondary bus %02x",
					   cfg->subordinate_bus,
					   cfg->secondary_bus);
		break;
	case 2:
		cfg->num_bars = 1;
		break;
	default:
		return parse_error(err, "unknown header type %u",
				   cfg->header_type);
	}
	for (i = 0; i < cfg->num_bars; i++)
		cfg->bars[i] = get32(p + 16 + 4 * i);
	/* Status bit 4: a capability list exists. */
	if (!(get16(p + 6) & (1 << 4)))
		return 0;
	return walk_caps(p, len, p[cfg->header_type == 2 ? 0x14 : 0x34],
			 &cfg->caps, err);
}
