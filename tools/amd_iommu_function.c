// SPDX-License-Identifier: GPL-2.0
/*
 * An AMD-Vi unit's own PCI function against its IVHD: the IOMMU
 * capability must sit where the IVHD says and name the same registers,
 * as the hypervisor checks at enable. `config create` refuses a machine
 * whose files disagree; `hardware check` lists the unit as missing.
 */
#include <inttypes.h>
#include <stdio.h>

#include "machine.h"

#define AMDVI_CAP_BASE_MASK (~0x3fffULL)

bool amdvi_function_ok(const struct machine *m, unsigned int i,
		       const struct pci_dev *d, char *why, size_t size)
{
	const struct iommu_unit *u = &m->ivrs.units[i];
	const struct pci_secure_cap *cap = NULL;
	unsigned int k;

	for (k = 0; k < d->cfg.caps.num_secure; k++)
		if (d->cfg.caps.secure[k].pos == u->cap_offset)
			cap = &d->cfg.caps.secure[k];
	if (!cap) {
		snprintf(why, size,
			 "%s/sys/bus/pci/devices/%s/config: no IOMMU "
			 "capability (id 0x0f) at 0x%x, where the IVRS's "
			 "IVHD of AMD-Vi unit %u at 0x%" PRIx64 " puts it",
			 m->root, d->name, u->cap_offset, i, u->base);
		return false;
	}
	if (!cap->have_base) {
		snprintf(why, size,
			 "%s/sys/bus/pci/devices/%s/config: IOMMU capability "
			 "at 0x%x truncated: its base address register lies "
			 "beyond the bytes read (read config space as root)",
			 m->root, d->name, cap->pos);
		return false;
	}
	if ((cap->base & AMDVI_CAP_BASE_MASK) != u->base) {
		snprintf(why, size,
			 "%s/sys/firmware/acpi/tables/IVRS: AMD-Vi unit %u at "
			 "0x%" PRIx64 ", but the capability at 0x%x of its "
			 "function (sys/bus/pci/devices/%s/config) names "
			 "registers at 0x%" PRIx64 ": the two disagree",
			 m->root, i, u->base, cap->pos, d->name,
			 (uint64_t)(cap->base & AMDVI_CAP_BASE_MASK));
		return false;
	}
	return true;
}
