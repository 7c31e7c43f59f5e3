// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU part of `hardware check`: each unit of the DMAR or IVRS and
 * its capabilities, against what the hypervisor's VT-d and AMD-Vi
 * drivers require at enable (the same constants).
 *
 * A VT-d unit's capability registers are read through /dev/mem (a
 * regular file under --root: the physical address is the offset) or,
 * where the kernel refuses that busy range, from the line Linux logged
 * for the unit at boot. An AMD-Vi unit is checked through its IVHD and
 * its own PCI function, as `config create` reads them.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/amd_iommu.h>
#include <asm/vtd.h>

#include "hwcheck.h"

#define PAGE_4K 4096

/*
 * 64-bit registers of the unit at base, at offsets within its first page,
 * through ROOT/dev/mem; false when the page cannot be read or reads all
 * ones (nothing decodes there).
 */
static bool read_devmem(const char *prefix, uint64_t base,
			const unsigned int *offsets, uint64_t *vals,
			unsigned int count)
{
	const volatile uint64_t *page;
	char path[4200];
	struct stat st;
	bool ok = false;
	unsigned int i;
	void *map;
	int fd;

	snprintf(path, sizeof(path), "%s/dev/mem", prefix);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	/* A captured file shorter than the page would fault on access. */
	if (fstat(fd, &st) ||
	    (S_ISREG(st.st_mode) && (uint64_t)st.st_size < base + PAGE_4K))
		goto out;
	map = mmap(NULL, PAGE_4K, PROT_READ, MAP_SHARED, fd,
		   (off_t)(base & ~(uint64_t)(PAGE_4K - 1)));
	if (map == MAP_FAILED)
		goto out;
	page = map;
	for (i = 0; i < count; i++) {
		vals[i] = page[offsets[i] / 8];
		ok |= vals[i] != ~0ULL;
	}
	munmap(map, PAGE_4K);
out:
	close(fd);
	return ok;
}

static bool read_vtd_regs(const char *prefix, uint64_t base,
			  struct vtd_regs *regs)
{
	static const unsigned int offsets[] = { 0, VTD_CAP_REG, VTD_ECAP_REG };
	uint64_t vals[3];

	if (!read_devmem(prefix, base, offsets, vals, 3) || vals[1] == ~0ULL)
		return false;
	regs->version = vals[0] & 0xff;
	regs->cap = vals[1];
	regs->ecap = vals[2];
	return true;
}

/* An item of IOMMU unit i: "KIND unit I: LABEL: DETAIL". */
static void unit_item(struct report *r, bool ok, bool required,
		      const char *kind, unsigned int i, const char *label,
		      const char *detail)
{
	char what[80];

	snprintf(what, sizeof(what), "%s unit %u: %s", kind, i, label);
	item(r, ok, required, what, "%s", detail ? detail : "");
}

static void check_vtd_regs(struct report *r, const struct machine *m,
			   unsigned int i, const struct vtd_regs *v)
{
	bool root_ir = machine_linux_remaps(m);
	bool sagaw = v->cap & (VTD_CAP_SAGAW_39 | VTD_CAP_SAGAW_48);
	const char *not_isolated = "interrupts of devices are not isolated "
				   "between cells";

	unit_item(r, sagaw, true, "VT-d", i, "3- or 4-level tables",
		  sagaw ? "CAP.SAGAW"
			: "CAP.SAGAW names neither: the hypervisor's tables "
			  "cannot be walked");
	unit_item(r, !(v->cap & VTD_CAP_RWBF), true, "VT-d", i,
		  "no write-buffer flushing",
		  v->cap & VTD_CAP_RWBF ? "CAP.RWBF is set: the hypervisor "
					  "does not flush write buffers"
					: "CAP.RWBF clear");
	unit_item(r, v->ecap & VTD_ECAP_IR, root_ir, "VT-d", i,
		  "interrupt remapping",
		  v->ecap & VTD_ECAP_IR ? "ECAP.IR" : not_isolated);
	unit_item(r, v->ecap & VTD_ECAP_QI, root_ir, "VT-d", i,
		  "queued invalidation",
		  v->ecap & VTD_ECAP_QI ? "ECAP.QI"
					: "the only way to flush the interrupt "
					  "entry cache: interrupts of devices "
					  "are not isolated between cells");
	if (machine_x2apic(m))
		unit_item(r, v->ecap & VTD_ECAP_EIM, root_ir, "VT-d", i,
			  "x2APIC destinations",
			  v->ecap & VTD_ECAP_EIM ? "ECAP.EIM" : not_isolated);
	unit_item(r, v->cap & VTD_CAP_SLLPS_2M, false, "VT-d", i, "2 MiB pages",
		  NULL);
	unit_item(r, v->cap & VTD_CAP_SLLPS_1G, false, "VT-d", i, "1 GiB pages",
		  NULL);
	unit_item(r, v->ecap & VTD_ECAP_C, false, "VT-d", i,
		  "coherent table walks",
		  v->ecap & VTD_ECAP_C ? "ECAP.C"
				       : "the hypervisor flushes its table "
					 "stores from the cache");
}

static void check_vtd_unit(struct report *r, const struct machine *m,
			   const char *prefix, unsigned int i)
{
	const struct iommu_unit *u = &m->dmar.units[i];
	struct vtd_regs v = { 0 };
	const char *source = "read through /dev/mem";

	if (!read_vtd_regs(prefix, u->base, &v)) {
		source = "as Linux's kernel log gives them";
		v = m->vtd_regs[i];
		if (!m->vtd_regs_known[i]) {
			item(r, true, false, "VT-d unit",
			     "%u at 0x%" PRIx64 ", segment %u, %s", i, u->base,
			     u->segment,
			     u->include_all ? "all other devices"
					    : "listed devices");
			unknown_item(r, "VT-d unit capabilities",
				     "unit %u: neither /dev/mem (a busy range "
				     "the kernel keeps to itself) nor the "
				     "kernel log (root's to read, and only "
				     "while its boot lines last) gave its "
				     "CAP and ECAP: enable checks them",
				     i);
			return;
		}
	}
	item(r, true, false, "VT-d unit",
	     "%u at 0x%" PRIx64 ", segment %u, %s, version %u.%u, CAP "
	     "0x%" PRIx64 ", ECAP 0x%" PRIx64 " (%s)",
	     i, u->base, u->segment,
	     u->include_all ? "all other devices" : "listed devices",
	     v.version >> 4, v.version & 0xf, v.cap, v.ecap, source);
	check_vtd_regs(r, m, i, &v);
}

static void check_amd_unit(struct report *r, const struct machine *m,
			   const char *prefix, unsigned int i)
{
	static const unsigned int efr_offset[] = { AMDVI_EXT_FEATURES };
	const struct iommu_unit *u = &m->ivrs.units[i];
	const struct pci_dev *d = machine_pci_at(m, u->segment, u->devid);
	const char *efr_source = "";
	bool efr_known = u->ivhd_type != 0x10, ga, xt;
	uint64_t efr = u->efr;
	char why[512], what[80];

	item(r, true, false, "AMD-Vi unit",
	     "%u at 0x%" PRIx64 ", its PCI function %04x:%02x:%02x.%x, "
	     "IVHD type 0x%02x, %s table walks, EFR 0x%" PRIx64,
	     i, u->base, u->segment, u->devid >> 8, (u->devid >> 3) & 0x1f,
	     u->devid & 7, u->ivhd_type,
	     u->flags & JAILHOUSE_IOMMU_AMD_COHERENT ? "coherent"
						     : "non-coherent",
	     u->efr);
	snprintf(what, sizeof(what), "AMD-Vi unit %u: its PCI function", i);
	if (!d) {
		item(r, false, false, what,
		     "%04x:%02x:%02x.%x is not in sys/bus/pci/devices: "
		     "config create leaves the unit out, its devices' DMA "
		     "is not isolated",
		     u->segment, u->devid >> 8, (u->devid >> 3) & 0x1f,
		     u->devid & 7);
		return;
	}
	if (!amdvi_function_ok(m, i, d, why, sizeof(why))) {
		item(r, false, true, what, "%s", why);
		return;
	}
	item(r, true, true, what, "%s, IOMMU capability at 0x%x", d->name,
	     u->cap_offset);
	unit_item(r, d->cfg.caps.msi, false, "AMD-Vi", i, "event interrupt",
		  d->cfg.caps.msi ? "MSI"
				  : "its function has no MSI capability: "
				    "config create leaves the unit out, its "
				    "devices' DMA is not isolated");
	if (!machine_x2apic(m))
		return;
	/* The IVHD's copy where it has one (11h, 40h), else the unit's. */
	if (!efr_known && read_devmem(prefix, u->base, efr_offset, &efr, 1)) {
		efr_known = true;
		efr_source = " (read through /dev/mem)";
	}
	ga = efr & AMDVI_EFR_GA;
	xt = efr & AMDVI_EFR_XT;
	snprintf(what, sizeof(what),
		 "AMD-Vi unit %u: x2APIC interrupt remapping", i);
	if (!efr_known) {
		item(r, false, false, what,
		     "an IVHD of type 10h carries no EFR and /dev/mem did not "
		     "give the unit's: enable reads GASup and XTSup from the "
		     "unit");
		return;
	}
	item(r, ga && xt, false, what, "EFR 0x%" PRIx64 "%s%s", efr, efr_source,
	     ga && xt ? ": GASup, XTSup"
		      : ": lacks GASup or XTSup, interrupts of devices are "
			"not isolated between cells");
}

void check_iommu_units(struct report *r, const struct machine *m,
		       const char *prefix)
{
	unsigned int i;

	if (!m->dmar.num_units && !m->ivrs.num_units)
		item(r, false, false, "IOMMU units",
		     "no DMAR or IVRS table: DMA of devices is not isolated");
	for (i = 0; i < m->dmar.num_units; i++)
		check_vtd_unit(r, m, prefix, i);
	/* config create names the DMAR's units when there are both. */
	for (i = 0; i < m->ivrs.num_units && !m->dmar.num_units; i++)
		check_amd_unit(r, m, prefix, i);
}
