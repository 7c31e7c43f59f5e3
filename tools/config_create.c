// SPDX-License-Identifier: GPL-2.0
/*
 * `jailhouse config create`: the system config of the machine it runs on
 * (or of a copy of its files, --root), written as commented C source and
 * as the .cell binary, checked with the hypervisor's own validator.
 * `jailhouse config collect`: the files create reads, in one tar archive.
 *
 * How the root cell's memory is laid out (docs/cli.md says it for users):
 * the physical address space is described by ranges of a kind, each with
 * a priority; where ranges overlap the higher priority wins, and adjacent
 * pieces of the same kind and label become one region. RAM is rounded
 * inwards to pages, everything else outwards.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <core/config_check.h>

#include "machine.h"

#define PAGE 0x1000ULL
#define DEFAULT_HV_SIZE (6ULL << 20)
#define FOUR_GIB (1ULL << 32)
#define MAX_RANGES 1024
#define MAX_USER_REGIONS 16
#define DEFAULT_IOAPIC_PINS 24

enum kind {
	/* mapped for root */
	K_LEGACY, /* VGA window, ROMs, BIOS: R/W + IO */
	K_IO, /* BARs and platform devices: R/W + IO */
	K_RAM, /* System RAM: RWX + DMA */
	K_FW_RES, /* firmware "Reserved": R/W + IO */
	K_FW_ACPI, /* ACPI tables and NVS: R/W */
	K_INMATE, /* reserved RAM for cells: RWX + DMA, root's until taken */
	/* not mapped */
	K_UNUSED, /* reserved RAM left over */
	K_HV, /* the hypervisor's memory */
	K_DEVICE, /* IOAPIC, local APIC, IOMMU, MMCONFIG: the hypervisor's */
	K_USER, /* --region */
};

static const struct {
	unsigned int prio;
	uint64_t flags; /* 0: not mapped */
} kinds[] = {
	[K_LEGACY] = { 30, JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				   JAILHOUSE_MEM_IO },
	[K_IO] = { 40, JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			       JAILHOUSE_MEM_IO },
	[K_RAM] = { 50, JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_DMA },
	[K_FW_RES] = { 60, JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				   JAILHOUSE_MEM_IO },
	[K_FW_ACPI] = { 61, JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE },
	[K_INMATE] = { 130, JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				    JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_DMA },
	[K_UNUSED] = { 120, 0 },
	[K_HV] = { 140, 0 },
	[K_DEVICE] = { 150, 0 },
	[K_USER] = { 200, 0 },
};

struct range {
	uint64_t start, end; /* [start, end) */
	enum kind kind;
	uint64_t flags; /* K_USER */
	char label[80];
};

struct region {
	uint64_t start, end;
	uint64_t flags;
	char label[80];
};

struct options {
	const char *output;
	const char *root;
	const char *name;
	uint64_t hv_size;
	bool inmate_given;
	uint64_t inmate_start, inmate_size;
	int apic_mode; /* 0: from the CPU */
	int console; /* -1: none */
	bool console_shared; /* root keeps its ports as well */
	unsigned int num_user;
	struct range user[MAX_USER_REGIONS];
};

struct plan {
	struct machine *m;
	const struct options *opt;
	uint64_t hv_start, hv_size, inmate_start, inmate_end;
	unsigned int num_ranges;
	struct range *ranges;
	unsigned int num_regions;
	struct region *regions;
	unsigned int num_chips;
	struct jailhouse_irqchip chips[CONFIG_MAX_IRQCHIPS];
	char chip_label[CONFIG_MAX_IRQCHIPS][80];
	unsigned int num_pio;
	struct jailhouse_pio pio[2];
	unsigned int num_pci;
	struct jailhouse_pci_device *pci;
	char (*pci_label)[160];
	unsigned int num_units;
	struct jailhouse_iommu units[JAILHOUSE_MAX_IOMMU_UNITS];
	char unit_label[JAILHOUSE_MAX_IOMMU_UNITS][160];
	uint16_t unit_segment[JAILHOUSE_MAX_IOMMU_UNITS];
	int unit_of_dmar[IOMMU_MAX_UNITS]; /* DMAR unit -> index, -1 */
	uint16_t pm_timer;
	uint8_t apic_mode;
	uint64_t mmcfg_base;
	uint8_t mmcfg_start, mmcfg_end;
};

static void add_range(struct plan *p, uint64_t start, uint64_t end,
		      enum kind kind, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add_range(struct plan *p, uint64_t start, uint64_t end,
		      enum kind kind, const char *fmt, ...)
{
	struct range *r;
	va_list ap;

	if (kind == K_RAM || kind == K_INMATE) {
		start = (start + PAGE - 1) & ~(PAGE - 1);
		end &= ~(PAGE - 1);
	} else {
		start &= ~(PAGE - 1);
		end = end > UINT64_MAX - PAGE ? end & ~(PAGE - 1)
					      : (end + PAGE - 1) & ~(PAGE - 1);
	}
	if (end <= start || p->num_ranges == MAX_RANGES)
		return;
	r = &p->ranges[p->num_ranges++];
	r->start = start;
	r->end = end;
	r->kind = kind;
	r->flags = 0;
	va_start(ap, fmt);
	vsnprintf(r->label, sizeof(r->label), fmt, ap);
	va_end(ap);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The ranges flattened into regions: highest priority wins per piece. */
static int flatten(struct plan *p)
{
	uint64_t *cuts = malloc(2 * p->num_ranges * sizeof(*cuts));
	unsigned int n = 0, i, j;

	p->regions = calloc(2 * p->num_ranges + 1, sizeof(*p->regions));
	if (!cuts || !p->regions) {
		free(cuts);
		return -1;
	}
	for (i = 0; i < p->num_ranges; i++) {
		cuts[n++] = p->ranges[i].start;
		cuts[n++] = p->ranges[i].end;
	}
	qsort(cuts, n, sizeof(*cuts), cmp_u64);
	for (i = 0; i + 1 < n; i++) {
		const struct range *best = NULL;
		uint64_t flags;

		if (cuts[i] == cuts[i + 1])
			continue;
		for (j = 0; j < p->num_ranges; j++) {
			const struct range *r = &p->ranges[j];

			if (r->start <= cuts[i] && r->end >= cuts[i + 1] &&
			    (!best ||
			     kinds[r->kind].prio > kinds[best->kind].prio))
				best = r;
		}
		if (!best)
			continue;
		flags = best->kind == K_USER ? best->flags
					     : kinds[best->kind].flags;
		if (!flags)
			continue;
		if (p->num_regions &&
		    p->regions[p->num_regions - 1].end == cuts[i] &&
		    p->regions[p->num_regions - 1].flags == flags &&
		    !strcmp(p->regions[p->num_regions - 1].label,
			    best->label)) {
			p->regions[p->num_regions - 1].end = cuts[i + 1];
			continue;
		}
		p->regions[p->num_regions].start = cuts[i];
		p->regions[p->num_regions].end = cuts[i + 1];
		p->regions[p->num_regions].flags = flags;
		snprintf(p->regions[p->num_regions].label,
			 sizeof(p->regions[0].label), "%s", best->label);
		p->num_regions++;
	}
	free(cuts);
	return 0;
}

static bool name_is_bdf(const char *s)
{
	unsigned int a, b, c, d;
	char tail;

	return strlen(s) == 12 &&
	       sscanf(s, "%4x:%2x:%2x.%1x%c", &a, &b, &c, &d, &tail) == 4;
}

static const struct pci_dev *pci_by_name(const struct machine *m,
					 const char *name)
{
	unsigned int i;

	for (i = 0; i < m->num_pci; i++)
		if (!strcmp(m->pci[i].name, name))
			return &m->pci[i];
	return NULL;
}

static bool in_reservation(const struct plan *p, uint64_t start, uint64_t end)
{
	const struct cmdline *c = &p->m->cmdline;
	unsigned int i;

	for (i = 0; i < c->num_reserved; i++)
		if (start < c->reserved[i].start + c->reserved[i].size &&
		    c->reserved[i].start < end)
			return true;
	return false;
}

/* Hypervisor and inmate memory from the memmap= reservation. */
static int plan_reservation(struct plan *p)
{
	struct machine *m = p->m;
	const struct cmdline *c = &m->cmdline;
	const struct memmap_arg *res = NULL;
	uint64_t rstart, rend;
	unsigned int i;

	for (i = 0; i < c->num_reserved && !res; i++)
		if (c->reserved[i].size >= p->opt->hv_size)
			res = &c->reserved[i];
	if (!res)
		return fail(EXIT_IO,
			    "%s/proc/cmdline: no memmap=SIZE$START "
			    "reservation of at least %" PRIu64 " MiB for "
			    "the hypervisor (reserve one, e.g. "
			    "memmap=66M$0x3be00000, and reboot)",
			    m->root, p->opt->hv_size >> 20);
	rstart = res->start;
	rend = res->start + res->size;
	if (rstart & (PAGE - 1) || rend & (PAGE - 1))
		return fail(EXIT_IO,
			    "%s/proc/cmdline: memmap= reservation "
			    "0x%" PRIx64 "-0x%" PRIx64 " is not page aligned",
			    m->root, rstart, rend - 1);
	for (i = 0; i < m->iomem.count; i++) {
		const struct resource *r = &m->iomem.res[i];

		if (r->depth == 0 && !strcmp(r->name, "System RAM") &&
		    r->start < rend && rstart <= r->end)
			return fail(EXIT_IO,
				    "%s/proc/cmdline: memmap= "
				    "reservation 0x%" PRIx64 "-0x%" PRIx64
				    " overlaps System RAM 0x%" PRIx64
				    "-0x%" PRIx64 " of proc/iomem: Linux "
				    "uses that memory (was the $ escaped "
				    "away on the way to the kernel?)",
				    m->root, rstart, rend - 1, r->start,
				    r->end);
	}
	p->hv_start = rstart;
	p->hv_size = p->opt->hv_size;
	add_range(p, p->hv_start, p->hv_start + p->hv_size, K_HV, "hypervisor");
	for (i = 0; i < m->num_fw; i++) {
		const struct fw_range *f = &m->fw[i];

		if (strcmp(f->type, "System RAM") &&
		    f->start < rstart + p->hv_size && rstart <= f->end)
			return fail(EXIT_IO,
				    "%s/sys/firmware/memmap: the "
				    "hypervisor's 0x%" PRIx64 "-0x%" PRIx64
				    " would cover firmware range 0x%" PRIx64
				    "-0x%" PRIx64 " (%s)",
				    m->root, rstart, rstart + p->hv_size - 1,
				    f->start, f->end, f->type);
	}
	if (p->opt->inmate_given) {
		p->inmate_start = p->opt->inmate_start;
		p->inmate_end = p->opt->inmate_start + p->opt->inmate_size;
		if (p->inmate_start < rstart + p->hv_size ||
		    p->inmate_end > rend)
			return fail(EXIT_USAGE,
				    "--inmate-memory 0x%" PRIx64 "-0x%" PRIx64
				    " is not inside the "
				    "reservation 0x%" PRIx64 "-0x%" PRIx64
				    " after the hypervisor",
				    p->inmate_start, p->inmate_end - 1,
				    rstart + p->hv_size, rend - 1);
		add_range(p, p->inmate_start, p->inmate_end, K_INMATE,
			  "memory for cells (--inmate-memory)");
	}
	/* The rest of the reservation that is RAM: cells' memory, or left. */
	for (i = 0; i < m->num_fw; i++) {
		const struct fw_range *f = &m->fw[i];
		uint64_t s = f->start, e = f->end + 1;

		if (strcmp(f->type, "System RAM"))
			continue;
		if (s < rstart + p->hv_size)
			s = rstart + p->hv_size;
		if (e > rend)
			e = rend;
		if (s >= e)
			continue;
		if (p->opt->inmate_given) {
			add_range(p, s, e, K_UNUSED, "reserved, unused");
			continue;
		}
		add_range(p, s, e, K_INMATE, "memory for cells");
		if (!p->inmate_end) {
			p->inmate_start = (s + PAGE - 1) & ~(PAGE - 1);
			p->inmate_end = e & ~(PAGE - 1);
		}
	}
	if (!m->have_memmap)
		machine_note(m,
			     "no sys/firmware/memmap: what of the "
			     "reservation is RAM cannot be told; it is left "
			     "out past the hypervisor (give --inmate-memory)");
	return 0;
}

static void plan_memory(struct plan *p)
{
	struct machine *m = p->m;
	bool legacy = false;
	unsigned int i, j;

	for (i = 0; i < m->num_fw; i++) {
		const struct fw_range *f = &m->fw[i];

		if (!strcmp(f->type, "System RAM"))
			add_range(p, f->start, f->end + 1, K_RAM, "RAM");
		else if (f->start >= FOUR_GIB)
			machine_note(m,
				     "firmware range 0x%" PRIx64 "-0x%" PRIx64
				     " (%s) above 4 GiB: what it is cannot be "
				     "told, left out (add it with --region)",
				     f->start, f->end, f->type);
		else if (!strncmp(f->type, "ACPI", 4))
			add_range(p, f->start, f->end + 1, K_FW_ACPI, "%s",
				  f->type);
		else if (f->start < 0x100000 && f->end >= 0xa0000) {
			legacy = true;
			add_range(p, f->start, 0xa0000, K_FW_RES,
				  "firmware: %s", f->type);
		} else if (!in_reservation(p, f->start, f->end + 1) ||
			   strcmp(f->type, "Reserved"))
			add_range(p, f->start, f->end + 1, K_FW_RES,
				  "firmware: %s", f->type);
		else
			add_range(p, f->start, f->end + 1, K_FW_RES,
				  "firmware: %s, inside the reservation",
				  f->type);
	}
	for (i = 0; i < m->iomem.count; i++) {
		const struct resource *r = &m->iomem.res[i];
		const struct pci_dev *d;

		if (r->depth == 0 && !strcmp(r->name, "System RAM")) {
			if (!m->have_memmap)
				add_range(p, r->start, r->end + 1, K_RAM,
					  "RAM");
			continue;
		}
		if (name_is_bdf(r->name)) {
			d = pci_by_name(m, r->name);
			add_range(p, r->start, r->end + 1, K_IO, "%s%s%s%s",
				  r->name, d ? " (" : "",
				  d ? (d->driver[0] ? d->driver : "no driver")
				    : "",
				  d ? ")" : "");
			continue;
		}
		if (r->depth)
			continue;
		if (r->start < 0x100000 && r->end >= 0xa0000) {
			legacy = true;
		} else if (!strncmp(r->name, "HPET", 4)) {
			add_range(p, r->start, r->end + 1, K_IO, "%s", r->name);
		} else if (!strncmp(r->name, "IOAPIC", 6) ||
			   !strcmp(r->name, "Local APIC") ||
			   !strncmp(r->name, "dmar", 4) ||
			   !strncmp(r->name, "amd_iommu", 9) ||
			   !strncmp(r->name, "PCI MMCONFIG", 12)) {
			add_range(p, r->start, r->end + 1, K_DEVICE, "%s",
				  r->name);
		} else if (!strncmp(r->name, "PCI Bus", 7) ||
			   !strcasecmp(r->name, "Reserved") ||
			   !strncmp(r->name, "ACPI", 4)) {
			/* windows: their devices' BARs are mapped above;
			 * reserved and ACPI ranges come from the firmware */
		} else {
			bool known = false;

			for (j = 0; j < p->num_ranges && !known; j++)
				known = p->ranges[j].start <= r->start &&
					p->ranges[j].end > r->end;
			if (!known)
				machine_note(m,
					     "iomem region 0x%" PRIx64
					     "-0x%" PRIx64 " \"%s\": unknown, "
					     "left out (add it with --region "
					     "if Linux needs it)",
					     r->start, r->end, r->name);
		}
	}
	if (legacy)
		add_range(p, 0xa0000, 0x100000, K_LEGACY,
			  "VGA window, option ROMs, BIOS area");
	/* The devices the hypervisor keeps, from ACPI. */
	if (m->have_madt) {
		add_range(p, m->madt.lapic_address,
			  m->madt.lapic_address + PAGE, K_DEVICE, "local APIC");
		for (i = 0; i < m->madt.num_ioapics; i++)
			add_range(p, m->madt.ioapics[i].address,
				  m->madt.ioapics[i].address + PAGE, K_DEVICE,
				  "IOAPIC");
	}
	for (i = 0; i < m->dmar.num_units; i++)
		add_range(p, m->dmar.units[i].base,
			  m->dmar.units[i].base + m->dmar.units[i].size,
			  K_DEVICE, "VT-d unit");
	for (i = 0; i < m->ivrs.num_units; i++)
		add_range(p, m->ivrs.units[i].base,
			  m->ivrs.units[i].base + m->ivrs.units[i].size,
			  K_DEVICE, "AMD-Vi unit");
	for (i = 0; i < m->mcfg.count; i++) {
		const struct mcfg_entry *e = &m->mcfg.entries[i];

		add_range(p, e->base + ((uint64_t)e->start_bus << 20),
			  e->base + (((uint64_t)e->end_bus + 1) << 20),
			  K_DEVICE, "MMCONFIG");
	}
	for (i = 0; i < p->opt->num_user && p->num_ranges < MAX_RANGES; i++)
		p->ranges[p->num_ranges++] = p->opt->user[i];
}

/* The VT-d unit in charge of a device, or -1. */
static int dmar_unit_of(const struct machine *m, const struct pci_dev *d)
{
	const struct iommu_info *info = &m->dmar;
	unsigned int i, h, k;

	for (i = 0; i < info->num_scopes; i++) {
		const struct iommu_scope *s = &info->scopes[i];
		unsigned int bus = s->start_bus;
		const struct pci_dev *hit = NULL;

		if (s->segment != d->domain ||
		    (s->kind != SCOPE_ENDPOINT && s->kind != SCOPE_BRIDGE))
			continue;
		for (h = 0; h < s->path_len; h++) {
			hit = NULL;
			for (k = 0; k < m->num_pci; k++)
				if (m->pci[k].domain == s->segment &&
				    m->pci[k].bus == bus &&
				    m->pci[k].dev == s->path[h][0] &&
				    m->pci[k].fn == s->path[h][1])
					hit = &m->pci[k];
			if (!hit)
				break;
			if (h + 1 < s->path_len) {
				if (hit->cfg.header_type != 1)
					break;
				bus = hit->cfg.secondary_bus;
			}
		}
		if (!hit || h < s->path_len)
			continue;
		if (hit == d)
			return s->unit;
		if (s->kind == SCOPE_BRIDGE && hit->cfg.header_type == 1 &&
		    d->bus >= hit->cfg.secondary_bus &&
		    d->bus <= hit->cfg.subordinate_bus)
			return s->unit;
	}
	for (i = 0; i < info->num_units; i++)
		if (info->units[i].include_all &&
		    info->units[i].segment == d->domain)
			return i;
	return -1;
}

static uint16_t bdf_of(const struct pci_dev *d)
{
	return d->bus << 8 | d->dev << 3 | d->fn;
}

/* Whether an IVRS device entry names the device. */
static bool ivrs_names(const struct machine *m, const struct pci_dev *d)
{
	uint16_t id = bdf_of(d);
	unsigned int i;

	for (i = 0; i < m->ivrs.num_scopes; i++) {
		const struct iommu_scope *s = &m->ivrs.scopes[i];

		if ((s->kind == SCOPE_ENDPOINT || s->kind == SCOPE_RANGE) &&
		    s->segment == d->domain && id >= s->first && id <= s->last)
			return true;
	}
	return false;
}

/* The span of the device ids an IVHD's entries name; false for none. */
static bool ivrs_span(const struct iommu_info *info, unsigned int unit,
		      uint16_t *first, uint16_t *last)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < info->num_scopes; i++) {
		const struct iommu_scope *s = &info->scopes[i];

		if (s->unit != unit ||
		    (s->kind != SCOPE_ENDPOINT && s->kind != SCOPE_RANGE))
			continue;
		if (!any || s->first < *first)
			*first = s->first;
		if (!any || s->last > *last)
			*last = s->last;
		any = true;
	}
	return any;
}

/* The AMD-Vi unit of the config whose range holds the device, or -1. */
static int amd_unit_of(const struct plan *p, const struct pci_dev *d)
{
	uint16_t id = bdf_of(d);
	unsigned int i;

	for (i = 0; i < p->num_units; i++)
		if (p->unit_segment[i] == d->domain &&
		    id >= p->units[i].amd_first_device &&
		    id <= p->units[i].amd_last_device)
			return i;
	return -1;
}

/* Whether the device is the own PCI function of an AMD-Vi unit. */
static bool is_amd_unit_function(const struct plan *p, const struct pci_dev *d)
{
	unsigned int i;

	for (i = 0; i < p->num_units; i++)
		if (p->units[i].type == JAILHOUSE_IOMMU_AMD &&
		    p->unit_segment[i] == d->domain &&
		    p->units[i].amd_bdf == bdf_of(d))
			return true;
	return false;
}

static void plan_vtd_units(struct plan *p)
{
	struct machine *m = p->m;
	unsigned int i;

	for (i = 0; i < m->dmar.num_units; i++) {
		const struct iommu_unit *u = &m->dmar.units[i];

		if (p->num_units == JAILHOUSE_MAX_IOMMU_UNITS) {
			machine_note(m,
				     "VT-d unit at 0x%" PRIx64 ": more than "
				     "%u units, left out",
				     u->base, JAILHOUSE_MAX_IOMMU_UNITS);
			continue;
		}
		p->unit_of_dmar[i] = p->num_units;
		p->unit_segment[p->num_units] = u->segment;
		p->units[p->num_units].type = JAILHOUSE_IOMMU_INTEL;
		p->units[p->num_units].base = u->base;
		p->units[p->num_units].size = u->size;
		snprintf(p->unit_label[p->num_units], sizeof(p->unit_label[0]),
			 "VT-d unit, segment %u%s", u->segment,
			 u->include_all ? ", all devices not listed elsewhere"
					: "");
		p->num_units++;
	}
	if (machine_linux_remaps(m) && m->dmar.num_units > 1)
		machine_note(m, "the kernel command line lacks intremap=off: "
				"Linux will remap interrupts with several "
				"units, and enable keeps Linux's remapping on "
				"one unit only");
	if (m->have_dmar && !m->cmdline.intel_iommu_off)
		machine_note(m, "the kernel command line lacks "
				"intel_iommu=off: Linux will own the VT-d "
				"units and enable refuses them");
}

/*
 * One AMD-Vi unit of the IVRS: 1 when added, 0 when left out (noted),
 * or an exit code when the files contradict each other.
 */
static int plan_amd_unit(struct plan *p, unsigned int i)
{
	struct machine *m = p->m;
	const struct iommu_unit *u = &m->ivrs.units[i];
	const struct pci_dev *d = machine_pci_at(m, u->segment, u->devid);
	struct jailhouse_iommu *out = &p->units[p->num_units];
	uint16_t first = 0, last = 0;
	char why[512];
	unsigned int k;

	if (p->num_units == JAILHOUSE_MAX_IOMMU_UNITS) {
		machine_note(m,
			     "AMD-Vi unit at 0x%" PRIx64 ": more than %u "
			     "units, left out; its devices' DMA is not "
			     "isolated",
			     u->base, JAILHOUSE_MAX_IOMMU_UNITS);
		return 0;
	}
	if (!d) {
		machine_note(m,
			     "AMD-Vi unit at 0x%" PRIx64 ": its PCI function "
			     "%04x:%02x:%02x.%x (the IVHD's device id) is not "
			     "in sys/bus/pci/devices: left out, its devices' "
			     "DMA is not isolated",
			     u->base, u->segment, u->devid >> 8,
			     (u->devid >> 3) & 0x1f, u->devid & 7);
		return 0;
	}
	if (!amdvi_function_ok(m, i, d, why, sizeof(why)))
		return -fail(EXIT_IO, "%s", why);
	if (!d->cfg.caps.msi) {
		machine_note(m,
			     "AMD-Vi unit at 0x%" PRIx64 ": its function %s "
			     "has no MSI capability, through which the "
			     "hypervisor takes its events: left out, its "
			     "devices' DMA is not isolated",
			     u->base, d->name);
		return 0;
	}
	if (!ivrs_span(&m->ivrs, i, &first, &last)) {
		machine_note(m,
			     "AMD-Vi unit at 0x%" PRIx64 ": its IVHD names no "
			     "device, left out",
			     u->base);
		return 0;
	}
	for (k = 0; k < p->num_units; k++)
		if (p->unit_segment[k] == u->segment &&
		    first <= p->units[k].amd_last_device &&
		    p->units[k].amd_first_device <= last) {
			machine_note(m,
				     "AMD-Vi unit at 0x%" PRIx64 ": its "
				     "devices %04x-%04x overlap those of the "
				     "unit at 0x%" PRIx64 " (a config gives "
				     "each device one unit): left out",
				     u->base, first, last, p->units[k].base);
			return 0;
		}
	memset(out, 0, sizeof(*out));
	out->type = JAILHOUSE_IOMMU_AMD;
	out->base = u->base;
	out->size = u->size;
	out->amd_bdf = u->devid;
	out->amd_base_cap = u->cap_offset;
	out->amd_msi_cap = d->cfg.caps.msi_pos;
	out->amd_first_device = first;
	out->amd_last_device = last;
	out->amd_features = u->flags;
	p->unit_segment[p->num_units] = u->segment;
	snprintf(p->unit_label[p->num_units], sizeof(p->unit_label[0]),
		 "AMD-Vi unit, IVHD type 0x%02x, flags 0x%02x (%s); its "
		 "function %s is the hypervisor's, not root's",
		 u->ivhd_type, u->flags,
		 u->flags & JAILHOUSE_IOMMU_AMD_COHERENT ? "coherent"
							 : "not coherent",
		 d->name);
	p->num_units++;
	return 1;
}

/*
 * The units the config names, all of one type: the VT-d units of the
 * DMAR, or else the AMD-Vi units of the IVRS, each with its own PCI
 * function read for the capability and MSI offsets the hypervisor uses.
 */
static int plan_iommu(struct plan *p)
{
	struct machine *m = p->m;
	unsigned int i;
	bool amd = false;
	int ret;

	for (i = 0; i < IOMMU_MAX_UNITS; i++)
		p->unit_of_dmar[i] = -1;
	plan_vtd_units(p);
	if (m->dmar.num_units && m->ivrs.num_units) {
		machine_note(m,
			     "both DMAR and IVRS name IOMMU units: the config "
			     "names units of one type, the IVRS's %u left out",
			     m->ivrs.num_units);
		return 0;
	}
	for (i = 0; i < m->ivrs.num_units; i++) {
		ret = plan_amd_unit(p, i);
		if (ret < 0)
			return -ret;
		amd |= ret > 0;
	}
	if (amd && !m->cmdline.amd_iommu_off)
		machine_note(m, "the kernel command line lacks amd_iommu=off: "
				"Linux will own the AMD-Vi units and enable "
				"refuses them");
	return 0;
}

static void caps_text(char *buf, size_t size, const struct pci_dev *d)
{
	const struct pci_caps *c = &d->cfg.caps;
	size_t n = 0;

	buf[0] = '\0';
	if (c->msi)
		n += snprintf(buf + n, size - n, ", MSI %u vector%s%s",
			      c->msi_vectors, c->msi_vectors > 1 ? "s" : "",
			      c->msi_64bit ? " 64-bit" : "");
	if (c->msix && n < size)
		n += snprintf(buf + n, size - n,
			      ", MSI-X %u vectors, table BAR %u+0x%x",
			      c->msix_vectors, c->msix_table_bar,
			      c->msix_table_offset);
	if (c->pcie && n < size)
		snprintf(buf + n, size - n, ", PCIe");
}

static int plan_pci(struct plan *p)
{
	struct machine *m = p->m;
	unsigned int i;

	p->pci = calloc(m->num_pci + 1, sizeof(*p->pci));
	p->pci_label = calloc(m->num_pci + 1, sizeof(*p->pci_label));
	if (!p->pci || !p->pci_label)
		return -1;
	for (i = 0; i < m->num_pci; i++) {
		const struct pci_dev *d = &m->pci[i];
		struct jailhouse_pci_device *out = &p->pci[p->num_pci];
		int unit = -1;
		char caps[96];

		out->type = d->cfg.header_type == 1 ? JAILHOUSE_PCI_TYPE_BRIDGE
						    : JAILHOUSE_PCI_TYPE_DEVICE;
		out->domain = d->domain;
		out->bdf = bdf_of(d);
		if (p->num_units && p->units[0].type == JAILHOUSE_IOMMU_AMD) {
			if (is_amd_unit_function(p, d))
				continue;
			unit = amd_unit_of(p, d);
			if (unit < 0) {
				machine_note(m,
					     "%s: in no AMD-Vi unit's device "
					     "range: left out of root (the "
					     "hypervisor refuses a device no "
					     "unit translates)",
					     d->name);
				continue;
			}
			if (!ivrs_names(m, d))
				machine_note(m,
					     "%s: no IVRS entry names it; it "
					     "lies in the range of AMD-Vi unit "
					     "%d, which is written",
					     d->name, unit);
		} else if (m->have_dmar) {
			int dmar = dmar_unit_of(m, d);

			unit = dmar >= 0 ? p->unit_of_dmar[dmar] : -1;
		} else if (m->have_ivrs && !ivrs_names(m, d)) {
			machine_note(m, "%s: no IVRS entry names it", d->name);
		}
		if (p->num_units && unit < 0) {
			machine_note(m,
				     "%s: no IOMMU unit in charge of it "
				     "(DMAR): its DMA is not remapped; unit 0 "
				     "written",
				     d->name);
			unit = 0;
		}
		out->iommu = unit < 0 ? 0 : unit;
		if (!d->driver[0])
			machine_note(m,
				     "%s (%04x:%04x, class %06x) has no "
				     "driver: listed for root with its BARs, "
				     "what else it needs cannot be told",
				     d->name, d->cfg.vendor, d->cfg.device,
				     d->cfg.class_code);
		caps_text(caps, sizeof(caps), d);
		snprintf(p->pci_label[p->num_pci], sizeof(p->pci_label[0]),
			 "%s %04x:%04x class %06x, %s%s%s", d->name,
			 d->cfg.vendor, d->cfg.device, d->cfg.class_code,
			 d->driver[0] ? "driver " : "no driver", d->driver,
			 caps);
		p->num_pci++;
	}
	if (!m->num_pci)
		machine_note(m, "no PCI devices in sys/bus/pci/devices");
	return 0;
}

/* The IOAPIC's PCI source id, from the IOMMU tables; -1 if none says. */
static int ioapic_source_id(const struct machine *m, uint8_t id)
{
	unsigned int i;

	for (i = 0; i < m->dmar.num_scopes; i++) {
		const struct iommu_scope *s = &m->dmar.scopes[i];

		if (s->kind == SCOPE_IOAPIC && s->enum_id == id &&
		    s->path_len == 1)
			return s->start_bus << 8 | s->path[0][0] << 3 |
			       s->path[0][1];
	}
	for (i = 0; i < m->ivrs.num_scopes; i++) {
		const struct iommu_scope *s = &m->ivrs.scopes[i];

		if (s->kind == SCOPE_IOAPIC && s->enum_id == id)
			return s->first;
	}
	return -1;
}

static void plan_irqchips(struct plan *p)
{
	struct machine *m = p->m;
	struct madt_ioapic sorted[MADT_MAX_IOAPICS];
	unsigned int i, j, n = m->madt.num_ioapics;

	if (!m->have_madt) {
		machine_note(m, "no MADT (APIC table): no IOAPIC known, root "
				"gets no IRQ chip");
		return;
	}
	memcpy(sorted, m->madt.ioapics, n * sizeof(sorted[0]));
	for (i = 1; i < n; i++)
		for (j = i;
		     j > 0 && sorted[j].gsi_base < sorted[j - 1].gsi_base;
		     j--) {
			struct madt_ioapic t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		struct jailhouse_irqchip *c;
		unsigned int pins, k;
		int sid;

		if (p->num_chips == CONFIG_MAX_IRQCHIPS) {
			machine_note(m,
				     "IOAPIC %u at 0x%x: more than %u, left "
				     "out",
				     sorted[i].id, sorted[i].address,
				     CONFIG_MAX_IRQCHIPS);
			continue;
		}
		if (i + 1 < n && sorted[i + 1].gsi_base > sorted[i].gsi_base) {
			pins = sorted[i + 1].gsi_base - sorted[i].gsi_base;
			if (pins > JAILHOUSE_IRQCHIP_PINS)
				pins = JAILHOUSE_IRQCHIP_PINS;
			snprintf(p->chip_label[p->num_chips],
				 sizeof(p->chip_label[0]),
				 "IOAPIC %u, GSIs %u-%u", sorted[i].id,
				 sorted[i].gsi_base,
				 sorted[i].gsi_base + pins - 1);
		} else {
			pins = DEFAULT_IOAPIC_PINS;
			snprintf(p->chip_label[p->num_chips],
				 sizeof(p->chip_label[0]),
				 "IOAPIC %u, GSIs from %u; %u pins assumed",
				 sorted[i].id, sorted[i].gsi_base, pins);
			machine_note(m,
				     "IOAPIC %u: ACPI does not give its pin "
				     "count (its version register does); %u "
				     "assumed",
				     sorted[i].id, pins);
		}
		c = &p->chips[p->num_chips++];
		c->address = sorted[i].address;
		sid = ioapic_source_id(m, sorted[i].id);
		if (sid < 0) {
			sid = 0;
			if (p->num_units)
				machine_note(m,
					     "IOAPIC %u: no IOMMU table "
					     "names its source id: 0 written, "
					     "interrupt remapping cannot match "
					     "it",
					     sorted[i].id);
		}
		c->id = sid;
		c->pin_base = 0;
		for (k = 0; k < pins; k++)
			c->pin_bitmap[k / 64] |= 1ULL << (k % 64);
	}
}

/* The mode Linux runs its APICs in: the hypervisor requires the same. */
static uint8_t linux_apic_mode(struct machine *m)
{
	if (!machine_x2apic(m))
		return JAILHOUSE_APIC_MODE_XAPIC;
	if (m->linux_apic_mode == KLOG_X2APIC)
		return JAILHOUSE_APIC_MODE_X2APIC;
	machine_note(m,
		     "x2APIC mode assumed from cpuinfo: the kernel log %s "
		     "whether Linux chose it (--apic-mode decides)",
		     m->have_klog ? "does not say"
				  : "(dev/kmsg, root's to read) would tell");
	return JAILHOUSE_APIC_MODE_X2APIC;
}

static void plan_platform(struct plan *p)
{
	struct machine *m = p->m;
	unsigned int i;
	bool listed = false;

	if (m->have_fadt && m->fadt.pm_timer_port) {
		p->pm_timer = m->fadt.pm_timer_port;
	} else {
		machine_note(m,
			     "%s: no PM timer port; 0 written (the "
			     "hypervisor and inmates need one to measure time)",
			     m->have_fadt ? "FADT names none" : "no FADT");
	}
	for (i = 0; i < m->ioports.count && p->pm_timer; i++)
		if (strstr(m->ioports.res[i].name, "PM_TMR") &&
		    m->ioports.res[i].start == p->pm_timer)
			listed = true;
	if (p->pm_timer && !listed)
		machine_note(m,
			     "PM timer port 0x%x of the FADT is not in "
			     "proc/ioports",
			     p->pm_timer);
	p->apic_mode = p->opt->apic_mode ? p->opt->apic_mode : linux_apic_mode(m);
	if (!m->have_mcfg || !m->mcfg.count) {
		machine_note(m, "no MCFG table: no MMCONFIG window; PCI config "
				"space only through ports 0xcf8/0xcfc");
	} else {
		const struct mcfg_entry *e = &m->mcfg.entries[0];

		p->mmcfg_base = e->base;
		p->mmcfg_start = e->start_bus;
		p->mmcfg_end = e->end_bus;
		for (i = 1; i < m->mcfg.count; i++)
			machine_note(
				m,
				"MMCONFIG window of segment %u at 0x%" PRIx64
				": only one window can be named, "
				"left out",
				m->mcfg.entries[i].segment,
				m->mcfg.entries[i].base);
	}
	if (m->have_madt) {
		unsigned int enabled = 0;

		for (i = 0; i < m->madt.num_cpus; i++)
			enabled += m->madt.cpus[i].enabled;
		if (enabled != m->num_online)
			machine_note(m,
				     "MADT lists %u usable CPUs, %u are "
				     "online: the config takes the online "
				     "ones",
				     enabled, m->num_online);
	}
}

static void plan_pio(struct plan *p)
{
	int con = p->opt->console;

	if (con < 0 || p->opt->console_shared) {
		p->pio[0].base = 0;
		p->pio[0].length = 0x10000;
		p->num_pio = 1;
		return;
	}
	/* Root gets every port but the hypervisor console's eight. */
	if (con > 0) {
		p->pio[p->num_pio].base = 0;
		p->pio[p->num_pio++].length = con;
	}
	if (con + 8 < 0x10000) {
		p->pio[p->num_pio].base = con + 8;
		p->pio[p->num_pio++].length = 0x10000 - (con + 8);
	}
}

/* ---- output ------------------------------------------------------------- */

static size_t cpu_set_size(const struct machine *m)
{
	return (m->max_cpu / 64 + 1) * 8;
}

static void *build_binary(const struct plan *p, size_t *size)
{
	const struct machine *m = p->m;
	size_t cpus = cpu_set_size(m);
	size_t total = sizeof(struct jailhouse_system) + cpus +
		       p->num_regions * sizeof(struct jailhouse_memory) +
		       p->num_chips * sizeof(struct jailhouse_irqchip) +
		       p->num_pio * sizeof(struct jailhouse_pio) +
		       p->num_pci * sizeof(struct jailhouse_pci_device);
	struct jailhouse_system *sys = calloc(1, total);
	struct jailhouse_cell_desc *root;
	uint8_t *at;
	unsigned int i;

	if (!sys)
		return NULL;
	memcpy(sys->signature, JAILHOUSE_SYSTEM_SIGNATURE, 6);
	sys->revision = JAILHOUSE_CONFIG_REVISION;
	sys->architecture = JAILHOUSE_ARCH_X86;
	sys->hypervisor_memory.phys_start = p->hv_start;
	sys->hypervisor_memory.size = p->hv_size;
	if (p->opt->console >= 0) {
		sys->debug_console.address = p->opt->console;
		sys->debug_console.flags = JAILHOUSE_CON_TYPE_8250;
	}
	sys->platform_info.pm_timer_address = p->pm_timer;
	sys->platform_info.apic_mode = p->apic_mode;
	sys->platform_info.num_iommu_units = p->num_units;
	sys->platform_info.pci_mmconfig_base = p->mmcfg_base;
	sys->platform_info.pci_mmconfig_start_bus = p->mmcfg_start;
	sys->platform_info.pci_mmconfig_end_bus = p->mmcfg_end;
	memcpy(sys->platform_info.iommu_units, p->units, sizeof(p->units));
	root = &sys->root_cell;
	memcpy(root->signature, JAILHOUSE_CELL_DESC_SIGNATURE, 6);
	root->revision = JAILHOUSE_CONFIG_REVISION;
	root->architecture = JAILHOUSE_ARCH_X86;
	snprintf(root->name, sizeof(root->name), "%s", p->opt->name);
	root->cpu_set_size = cpus;
	root->num_memory_regions = p->num_regions;
	root->num_irqchips = p->num_chips;
	root->num_pio_regions = p->num_pio;
	root->num_pci_devices = p->num_pci;
	at = (uint8_t *)(sys + 1);
	memcpy(at, m->online, cpus);
	at += cpus;
	for (i = 0; i < p->num_regions;
	     i++, at += sizeof(struct jailhouse_memory)) {
		struct jailhouse_memory mem = {
			.phys_start = p->regions[i].start,
			.virt_start = p->regions[i].start,
			.size = p->regions[i].end - p->regions[i].start,
			.flags = p->regions[i].flags,
		};

		memcpy(at, &mem, sizeof(mem));
	}
	memcpy(at, p->chips, p->num_chips * sizeof(p->chips[0]));
	at += p->num_chips * sizeof(p->chips[0]);
	memcpy(at, p->pio, p->num_pio * sizeof(p->pio[0]));
	at += p->num_pio * sizeof(p->pio[0]);
	memcpy(at, p->pci, p->num_pci * sizeof(p->pci[0]));
	*size = total;
	return sys;
}

static void c_flags(FILE *f, uint64_t flags)
{
	static const char *const names[] = {
		"READ", "WRITE",       "EXECUTE",  "DMA",
		"IO",	"COMM_REGION", "LOADABLE", "ROOTSHARED",
	};
	bool first = true;
	unsigned int i;

	for (i = 0; i < 8; i++)
		if (flags & (1ULL << i)) {
			fprintf(f, "%sJAILHOUSE_MEM_%s", first ? "" : " | ",
				names[i]);
			first = false;
		}
}

static void c_comment_line(FILE *f, const char *text)
{
	/* one note per line; no comment terminator can come through */
	const char *s;

	fputs(" *  - ", f);
	for (s = text; *s; s++)
		fputc(s[0] == '*' && s[1] == '/' ? '+' : s[0], f);
	fputc('\n', f);
}

static void write_c_unit(FILE *f, const struct jailhouse_iommu *u,
			 const char *label)
{
	fprintf(f,
		"\t\t\t\t/* %s */\n"
		"\t\t\t\t{\n"
		"\t\t\t\t\t.type = JAILHOUSE_IOMMU_%s,\n"
		"\t\t\t\t\t.base = 0x%" PRIx64 ",\n"
		"\t\t\t\t\t.size = 0x%x,\n",
		label, u->type == JAILHOUSE_IOMMU_AMD ? "AMD" : "INTEL",
		u->base, u->size);
	if (u->type == JAILHOUSE_IOMMU_AMD)
		fprintf(f,
			"\t\t\t\t\t.amd_bdf = 0x%x,\n"
			"\t\t\t\t\t.amd_base_cap = 0x%x,\n"
			"\t\t\t\t\t.amd_msi_cap = 0x%x,\n"
			"\t\t\t\t\t.amd_first_device = 0x%x,\n"
			"\t\t\t\t\t.amd_last_device = 0x%x,\n"
			"\t\t\t\t\t.amd_features = 0x%x,\n",
			u->amd_bdf, u->amd_base_cap, u->amd_msi_cap,
			u->amd_first_device, u->amd_last_device,
			u->amd_features);
	fputs("\t\t\t\t},\n", f);
}

static int write_c(FILE *f, const struct plan *p)
{
	const struct machine *m = p->m;
	size_t cpus = cpu_set_size(m);
	unsigned int i;

	fprintf(f,
		"// SPDX-License-Identifier: GPL-2.0\n/*\n"
		" * System config generated by `jailhouse config create` "
		"from %s.\n"
		" * CPU: %s%s%s, %u online\n"
		" * Hypervisor: 0x%" PRIx64 "-0x%" PRIx64 ", memory for "
		"cells: 0x%" PRIx64 "-0x%" PRIx64 "\n *\n",
		m->root, m->cpuinfo.vendor, m->cpuinfo.model_name[0] ? " " : "",
		m->cpuinfo.model_name, m->num_online, p->hv_start,
		p->hv_start + p->hv_size - 1, p->inmate_start,
		p->inmate_end ? p->inmate_end - 1 : 0);
	if (m->num_notes) {
		fputs(" * What could not be told, and was left out or "
		      "assumed:\n",
		      f);
		for (i = 0; i < m->num_notes; i++)
			c_comment_line(f, m->notes[i]);
	} else {
		fputs(" * Nothing was left out.\n", f);
	}
	fputs(" */\n#include <jailhouse/cell-config.h>\n\n", f);
	fprintf(f,
		"static const struct {\n"
		"\tstruct jailhouse_system header;\n"
		"\t__u64 cpus[%zu];\n"
		"\tstruct jailhouse_memory mem_regions[%u];\n"
		"\tstruct jailhouse_irqchip irqchips[%u];\n"
		"\tstruct jailhouse_pio pio_regions[%u];\n"
		"\tstruct jailhouse_pci_device pci_devices[%u];\n"
		"} __attribute__((packed)) config "
		"__attribute__((section(\".cell\"), used)) = {\n",
		cpus / 8, p->num_regions, p->num_chips, p->num_pio, p->num_pci);
	fprintf(f,
		"\t.header = {\n"
		"\t\t.signature = JAILHOUSE_SYSTEM_SIGNATURE,\n"
		"\t\t.revision = JAILHOUSE_CONFIG_REVISION,\n"
		"\t\t.architecture = JAILHOUSE_ARCH_X86,\n"
		"\t\t.hypervisor_memory = {\n"
		"\t\t\t.phys_start = 0x%" PRIx64 ",\n"
		"\t\t\t.size = 0x%" PRIx64 ",\n"
		"\t\t},\n",
		p->hv_start, p->hv_size);
	if (p->opt->console >= 0)
		fprintf(f,
			"\t\t/* %s */\n"
			"\t\t.debug_console = {\n"
			"\t\t\t.address = 0x%x,\n"
			"\t\t\t.flags = JAILHOUSE_CON_TYPE_8250,\n"
			"\t\t},\n",
			p->opt->console_shared
				? "root keeps this UART's ports too"
				: "root's port ranges leave this UART out",
			p->opt->console);
	else
		fputs("\t\t/* no debug console: `jailhouse console` reads "
		      "the log */\n",
		      f);
	fprintf(f,
		"\t\t.platform_info = {\n"
		"\t\t\t.pm_timer_address = 0x%x,\n"
		"\t\t\t.apic_mode = JAILHOUSE_APIC_MODE_%s,\n"
		"\t\t\t.num_iommu_units = %u,\n"
		"\t\t\t.pci_mmconfig_base = 0x%" PRIx64 ",\n"
		"\t\t\t.pci_mmconfig_start_bus = 0x%x,\n"
		"\t\t\t.pci_mmconfig_end_bus = 0x%x,\n",
		p->pm_timer,
		p->apic_mode == JAILHOUSE_APIC_MODE_X2APIC ? "X2APIC" : "XAPIC",
		p->num_units, p->mmcfg_base, p->mmcfg_start, p->mmcfg_end);
	if (p->num_units) {
		fputs("\t\t\t.iommu_units = {\n", f);
		for (i = 0; i < p->num_units; i++)
			write_c_unit(f, &p->units[i], p->unit_label[i]);
		fputs("\t\t\t},\n", f);
	}
	fputs("\t\t},\n", f);
	fprintf(f,
		"\t\t.root_cell = {\n"
		"\t\t\t.signature = JAILHOUSE_CELL_DESC_SIGNATURE,\n"
		"\t\t\t.revision = JAILHOUSE_CONFIG_REVISION,\n"
		"\t\t\t.architecture = JAILHOUSE_ARCH_X86,\n"
		"\t\t\t.name = \"%s\",\n"
		"\t\t\t.cpu_set_size = sizeof(config.cpus),\n"
		"\t\t\t.num_memory_regions = %u,\n"
		"\t\t\t.num_irqchips = %u,\n"
		"\t\t\t.num_pio_regions = %u,\n"
		"\t\t\t.num_pci_devices = %u,\n"
		"\t\t},\n\t},\n\n",
		p->opt->name, p->num_regions, p->num_chips, p->num_pio,
		p->num_pci);
	fputs("\t.cpus = {", f);
	for (i = 0; i < cpus / 8; i++)
		fprintf(f, "%s0x%" PRIx64, i ? ", " : " ", m->online[i]);
	fputs(" },\n\n\t.mem_regions = {\n", f);
	for (i = 0; i < p->num_regions; i++) {
		const struct region *r = &p->regions[i];

		fprintf(f,
			"\t\t/* 0x%" PRIx64 "-0x%" PRIx64 ": %s */\n"
			"\t\t{\n"
			"\t\t\t.phys_start = 0x%" PRIx64 ",\n"
			"\t\t\t.virt_start = 0x%" PRIx64 ",\n"
			"\t\t\t.size = 0x%" PRIx64 ",\n"
			"\t\t\t.flags = ",
			r->start, r->end - 1, r->label, r->start, r->start,
			r->end - r->start);
		c_flags(f, r->flags);
		fputs(",\n\t\t},\n", f);
	}
	fputs("\t},\n\n\t.irqchips = {\n", f);
	for (i = 0; i < p->num_chips; i++)
		fprintf(f,
			"\t\t/* %s */\n"
			"\t\t{\n"
			"\t\t\t.address = 0x%" PRIx64 ",\n"
			"\t\t\t.id = 0x%x,\n"
			"\t\t\t.pin_base = %u,\n"
			"\t\t\t.pin_bitmap = { 0x%" PRIx64 ", 0x%" PRIx64
			" },\n"
			"\t\t},\n",
			p->chip_label[i], p->chips[i].address, p->chips[i].id,
			p->chips[i].pin_base, p->chips[i].pin_bitmap[0],
			p->chips[i].pin_bitmap[1]);
	fputs("\t},\n\n\t.pio_regions = {\n", f);
	for (i = 0; i < p->num_pio; i++)
		fprintf(f, "\t\t{ .base = 0x%x, .length = 0x%x },\n",
			p->pio[i].base, p->pio[i].length);
	fputs("\t},\n\n\t.pci_devices = {\n", f);
	for (i = 0; i < p->num_pci; i++)
		fprintf(f,
			"\t\t/* %s */\n"
			"\t\t{\n"
			"\t\t\t.type = JAILHOUSE_PCI_TYPE_%s,\n"
			"\t\t\t.iommu = %u,\n"
			"\t\t\t.domain = 0x%x,\n"
			"\t\t\t.bdf = 0x%x,\n"
			"\t\t},\n",
			p->pci_label[i],
			p->pci[i].type == JAILHOUSE_PCI_TYPE_BRIDGE ? "BRIDGE"
								    : "DEVICE",
			p->pci[i].iommu, p->pci[i].domain, p->pci[i].bdf);
	fputs("\t},\n};\n", f);
	return ferror(f) ? -1 : 0;
}

/* ---- options ------------------------------------------------------------- */

static const char create_help[] =
	"Usage: jailhouse config create [-o FILE] [--root DIR|ARCHIVE]\n"
	"                               [--name NAME] [--hv-size SIZE]\n"
	"                               [--inmate-memory START:SIZE]\n"
	"                               [--console PORT | "
	"--shared-console PORT]\n"
	"                               [--apic-mode xapic|x2apic]\n"
	"                               [--region START:SIZE:FLAGS]...\n"
	"\n"
	"Writes the system config of this machine as FILE (the .cell binary,\n"
	"default sysconfig.cell) and as C source beside it (FILE with .c for\n"
	".cell), after running the hypervisor's validator on it. It reads\n"
	"/proc/iomem, /proc/ioports, /proc/cpuinfo, /proc/cmdline,\n"
	"/sys/devices/system/cpu/online, /sys/firmware/memmap, the PCI\n"
	"devices' config space in /sys/bus/pci/devices and the ACPI tables\n"
	"APIC, FACP, MCFG, DMAR and IVRS, and the kernel log (/dev/kmsg);\n"
	"--root reads them from a copy of those files, or from the archive\n"
	"`config collect` wrote.\n"
	"\n"
	"The hypervisor takes the first SIZE (--hv-size, default 6M) of the\n"
	"memmap=SIZE$START reservation on the kernel command line; the RAM\n"
	"after it stays root's for cells to take, unless --inmate-memory\n"
	"names the part. --console gives the hypervisor an 8250 UART that\n"
	"root then does not get (default: none); --shared-console one that\n"
	"root keeps (its serial console, say: the two write to it in turn).\n"
	"--apic-mode overrides the mode Linux's kernel log (else cpuinfo)\n"
	"names. --region adds a root region over anything else; FLAGS are\n"
	"letters r w x d (DMA) i (I/O).\n"
	"SIZE and START take K, M and G suffixes.\n"
	"\n"
	"What the files do not tell (a device without a driver, a region of\n"
	"unknown kind, a missing table) is said on stderr and in a comment\n"
	"at the top of the C source. Bad input names the file and what is\n"
	"wrong, and writes no config.\n"
	"\n"
	"Exit status: 0 written, 1 a file missing or malformed, 2 usage\n"
	"error, 3 the generated config fails the validator.\n";

static bool parse_size(const char *s, uint64_t *val)
{
	char *end;
	uint64_t v, mul = 1;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || s[0] == '-')
		return false;
	if (*end == 'K' || *end == 'k')
		mul = 1ULL << 10;
	else if (*end == 'M' || *end == 'm')
		mul = 1ULL << 20;
	else if (*end == 'G' || *end == 'g')
		mul = 1ULL << 30;
	if (mul > 1)
		end++;
	if (*end || (v && mul > UINT64_MAX / v))
		return false;
	*val = v * mul;
	return true;
}

/* "START:SIZE" (both page aligned); rest gets what follows a 2nd ':'. */
static bool parse_span(const char *arg, uint64_t *start, uint64_t *size,
		       const char **rest)
{
	char buf[128], *colon, *colon2;

	if (strlen(arg) >= sizeof(buf))
		return false;
	strcpy(buf, arg);
	colon = strchr(buf, ':');
	if (!colon)
		return false;
	*colon = '\0';
	colon2 = strchr(colon + 1, ':');
	if (colon2)
		*colon2 = '\0';
	if (rest)
		*rest = colon2 ? arg + (colon2 - buf) + 1 : NULL;
	else if (colon2)
		return false;
	return parse_size(buf, start) && parse_size(colon + 1, size) && *size &&
	       !(*start & (PAGE - 1)) && !(*size & (PAGE - 1)) &&
	       *start + *size > *start;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	int i;

	memset(opt, 0, sizeof(*opt));
	opt->output = "sysconfig.cell";
	opt->root = "/";
	opt->name = "RootCell";
	opt->hv_size = DEFAULT_HV_SIZE;
	opt->console = -1;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t x;

		if (is_help(a)) {
			fputs(create_help, stdout);
			return -1;
		}
		if (!v)
			return usage_error("%s: needs a value, or unexpected "
					   "argument",
					   a);
		i++;
		if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			opt->output = v;
		} else if (!strcmp(a, "--root")) {
			opt->root = v;
		} else if (!strcmp(a, "--name")) {
			if (!v[0] || strlen(v) > JAILHOUSE_CELL_NAME_MAXLEN ||
			    strpbrk(v, "\"\\\n"))
				return usage_error(
					"--name: 1 to %u characters, "
					"no quotes or backslashes",
					JAILHOUSE_CELL_NAME_MAXLEN);
			opt->name = v;
		} else if (!strcmp(a, "--hv-size")) {
			if (!parse_size(v, &x) || !x || x & (PAGE - 1))
				return usage_error("--hv-size: \"%s\" is not a "
						   "page-aligned size",
						   v);
			opt->hv_size = x;
		} else if (!strcmp(a, "--inmate-memory")) {
			if (!parse_span(v, &opt->inmate_start,
					&opt->inmate_size, NULL))
				return usage_error("--inmate-memory: \"%s\" is "
						   "not START:SIZE, page "
						   "aligned",
						   v);
			opt->inmate_given = true;
		} else if (!strcmp(a, "--console") ||
			   !strcmp(a, "--shared-console")) {
			if (!parse_size(v, &x) || x > 0xfff8)
				return usage_error("%s: \"%s\" is not a UART "
						   "port",
						   a, v);
			opt->console = x;
			opt->console_shared = !strcmp(a, "--shared-console");
		} else if (!strcmp(a, "--apic-mode")) {
			if (!strcmp(v, "xapic"))
				opt->apic_mode = JAILHOUSE_APIC_MODE_XAPIC;
			else if (!strcmp(v, "x2apic"))
				opt->apic_mode = JAILHOUSE_APIC_MODE_X2APIC;
			else
				return usage_error("--apic-mode: xapic or "
						   "x2apic, not \"%s\"",
						   v);
		} else if (!strcmp(a, "--region")) {
			struct range *r = &opt->user[opt->num_user];
			const char *fl;
			uint64_t size;

			if (opt->num_user == MAX_USER_REGIONS)
				return usage_error("--region: at most %u",
						   MAX_USER_REGIONS);
			if (!parse_span(v, &r->start, &size, &fl) || !fl ||
			    !fl[0] || strspn(fl, "rwxdi") != strlen(fl) ||
			    !strchr(fl, 'r'))
				return usage_error("--region: \"%s\" is not "
						   "START:SIZE:FLAGS (page "
						   "aligned; flags of rwxdi, "
						   "with r)",
						   v);
			r->end = r->start + size;
			r->kind = K_USER;
			r->flags =
				(strchr(fl, 'r') ? JAILHOUSE_MEM_READ : 0) |
				(strchr(fl, 'w') ? JAILHOUSE_MEM_WRITE : 0) |
				(strchr(fl, 'x') ? JAILHOUSE_MEM_EXECUTE : 0) |
				(strchr(fl, 'd') ? JAILHOUSE_MEM_DMA : 0) |
				(strchr(fl, 'i') ? JAILHOUSE_MEM_IO : 0);
			snprintf(r->label, sizeof(r->label), "--region %.60s",
				 v);
			opt->num_user++;
		} else {
			return usage_error("unknown option \"%s\"", a);
		}
	}
	return 0;
}

/* FILE.cell -> FILE.c; anything else gets .c appended. */
static void c_path(const char *out, char *buf, size_t size)
{
	size_t n = strlen(out);

	if (n > 5 && !strcmp(out + n - 5, ".cell"))
		snprintf(buf, size, "%.*s.c", (int)(n - 5), out);
	else
		snprintf(buf, size, "%s.c", out);
}

static int write_outputs(const struct options *opt, const struct plan *p,
			 const void *bin, size_t size)
{
	char cpath[4096];
	FILE *f;
	int bad;

	c_path(opt->output, cpath, sizeof(cpath));
	f = fopen(opt->output, "wb");
	if (!f)
		return fail(EXIT_IO, "cannot write %s: %s", opt->output,
			    strerror(errno));
	bad = fwrite(bin, 1, size, f) != size;
	bad |= fclose(f) != 0;
	if (bad) {
		unlink(opt->output);
		return fail(EXIT_IO, "cannot write %s", opt->output);
	}
	f = fopen(cpath, "w");
	if (!f) {
		unlink(opt->output);
		return fail(EXIT_IO, "cannot write %s: %s", cpath,
			    strerror(errno));
	}
	bad = write_c(f, p);
	bad |= fclose(f) != 0;
	if (bad) {
		unlink(opt->output);
		unlink(cpath);
		return fail(EXIT_IO, "cannot write %s", cpath);
	}
	printf("%s, %s: system config \"%s\", %u memory regions, %u IRQ "
	       "chips, %u PCI devices, %u IOMMU units, %u CPUs; %u notes\n",
	       opt->output, cpath, opt->name, p->num_regions, p->num_chips,
	       p->num_pci, p->num_units, p->m->num_online, p->m->num_notes);
	return 0;
}

int read_machine(const char *rootpath, struct machine *m)
{
	struct raw_files files;
	struct sysroot *root;
	char err[ERR_LEN];
	int ret;

	if (sysroot_open(rootpath, &root, err)) {
		sysroot_close(root);
		return fail(EXIT_IO, "%s: %s", rootpath, err);
	}
	ret = machine_read_files(root, &files);
	sysroot_close(root);
	if (ret) {
		raw_files_free(&files);
		return fail(EXIT_IO, "reading %s: %s", rootpath, strerror(ret));
	}
	m->root = strcmp(rootpath, "/") ? rootpath : "";
	ret = machine_parse(&files, m);
	raw_files_free(&files);
	return ret;
}

int config_create(int argc, char **argv)
{
	struct options opt;
	struct machine *m;
	struct plan p;
	char why[256];
	struct buffer bin;
	int ret;
	unsigned int i;

	command_name = "jailhouse config create";
	ret = parse_options(argc, argv, &opt);
	if (ret)
		return ret < 0 ? 0 : ret;
	m = calloc(1, sizeof(*m));
	memset(&p, 0, sizeof(p));
	p.ranges = calloc(MAX_RANGES, sizeof(*p.ranges));
	if (!m || !p.ranges) {
		free(m);
		free(p.ranges);
		return fail(EXIT_IO, "out of memory");
	}
	p.m = m;
	p.opt = &opt;
	ret = read_machine(opt.root, m);
	if (!ret)
		ret = plan_reservation(&p);
	if (!ret) {
		plan_memory(&p);
		ret = plan_iommu(&p);
	}
	if (!ret) {
		plan_irqchips(&p);
		plan_platform(&p);
		plan_pio(&p);
		if (plan_pci(&p) || flatten(&p))
			ret = fail(EXIT_IO, "out of memory");
	}
	if (!ret) {
		bin.data = build_binary(&p, &bin.size);
		if (!bin.data) {
			ret = fail(EXIT_IO, "out of memory");
		} else if (!config_validate(&bin, true, why, sizeof(why),
					    NULL)) {
			ret = fail(EXIT_CONFIG,
				   "the generated config fails "
				   "the validator: %s (nothing written)",
				   why);
		} else {
			for (i = 0; i < m->num_notes; i++)
				fprintf(stderr, "%s: note: %s\n", command_name,
					m->notes[i]);
			ret = write_outputs(&opt, &p, bin.data, bin.size);
		}
		free(bin.data);
	}
	free(p.ranges);
	free(p.regions);
	free(p.pci);
	free(p.pci_label);
	free(m);
	return ret;
}

/* ---- collect ------------------------------------------------------------- */

static const char collect_help[] =
	"Usage: jailhouse config collect FILE\n"
	"\n"
	"Packs the files `config create` reads on this machine into the tar\n"
	"archive FILE, to create the config on another machine with\n"
	"`jailhouse config create --root FILE`. Run it as root: the ACPI\n"
	"tables and the PCI devices' full config space are root's to read.\n"
	"Files the machine does not have (an ACPI table, a driver link) are\n"
	"left out, as create would find them missing here.\n"
	"\n"
	"Exit status: 0 written, 1 a file could not be read or written,\n"
	"2 usage error.\n";

int config_collect(int argc, char **argv)
{
	struct buffer tar = { NULL, 0 };
	struct raw_files files;
	struct sysroot *root;
	const char *from = "/";
	char err[ERR_LEN];
	FILE *f;
	int i, ret;
	const char *out = NULL;

	command_name = "jailhouse config collect";
	for (i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(collect_help, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--root") && i + 1 < argc)
			from = argv[++i];
		else if (!out && argv[i][0] != '-')
			out = argv[i];
		else
			return usage_error("unexpected argument \"%s\"",
					   argv[i]);
	}
	if (!out)
		return usage_error("missing FILE");
	if (sysroot_open(from, &root, err)) {
		sysroot_close(root);
		return fail(EXIT_IO, "%s: %s", from, err);
	}
	sysroot_record(root, &tar);
	ret = machine_read_files(root, &files);
	sysroot_close(root);
	if (!ret)
		ret = tar_finish(&tar);
	if (ret) {
		raw_files_free(&files);
		free(tar.data);
		return fail(EXIT_IO, "reading %s: %s", from, strerror(ret));
	}
	for (i = 0; i < (int)files.count; i++) {
		const struct raw_file *r = &files.files[i];

		if (r->err && r->err != ENOENT)
			fprintf(stderr, "%s: %s/%s: %s (left out)\n",
				command_name, strcmp(from, "/") ? from : "",
				r->rel, strerror(r->err));
	}
	raw_files_free(&files);
	f = fopen(out, "wb");
	if (f) {
		bool bad = fwrite(tar.data, 1, tar.size, f) != tar.size;

		if (fclose(f) || bad)
			f = NULL;
	}
	if (!f) {
		ret = fail(EXIT_IO, "cannot write %s: %s", out,
			   strerror(errno));
		unlink(out);
	} else {
		printf("%s: %zu bytes\n", out, tar.size);
	}
	free(tar.data);
	return ret;
}
