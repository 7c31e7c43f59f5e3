/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `jailhouse hardware check`'s report: one line per feature, ok or
 * missing (required items count against the verdict), and the IOMMU
 * units' part of it (hwcheck_iommu.c).
 */
#ifndef _TOOLS_HWCHECK_H
#define _TOOLS_HWCHECK_H

#include "machine.h"

struct report {
	unsigned int missing; /* required items missing */
	unsigned int unknown; /* required items that could not be read */
};

void item(struct report *r, bool ok, bool required, const char *what,
	  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A required item the files cannot tell: enable will check it. */
void unknown_item(struct report *r, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The IOMMU units of the DMAR or IVRS and what enable needs of them. */
void check_iommu_units(struct report *r, const struct machine *m,
		       const char *prefix);

#endif
