// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a machine for `config create`: first every file (so that
 * `config collect` records exactly these), then the parsers over them.
 *
 * Required: proc/iomem, proc/ioports, proc/cpuinfo, proc/cmdline,
 * sys/devices/system/cpu/online and, for each PCI device listed in
 * sys/bus/pci/devices, its config. Optional, each absence noted in the
 * generated config: sys/firmware/memmap, the ACPI tables APIC, FACP,
 * MCFG, DMAR and IVRS, a device's driver link, the kernel log (dev/kmsg,
 * root's to read; an archive holds what it gave).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

static const char *const fixed_files[] = {
	"proc/iomem",
	"proc/ioports",
	"proc/cpuinfo",
	"proc/cmdline",
	"sys/devices/system/cpu/online",
	"sys/devices/system/cpu/present",
	"sys/firmware/acpi/tables/APIC",
	"sys/firmware/acpi/tables/FACP",
	"sys/firmware/acpi/tables/MCFG",
	"sys/firmware/acpi/tables/DMAR",
	"sys/firmware/acpi/tables/IVRS",
	"dev/kmsg",
};

#define MEMMAP_DIR "sys/firmware/memmap"
#define PCI_DIR "sys/bus/pci/devices"

static struct raw_file *add_file(struct raw_files *files, const char *rel)
{
	struct raw_file *grown, *f;

	grown = realloc(files->files, (files->count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	files->files = grown;
	f = &files->files[files->count++];
	memset(f, 0, sizeof(*f));
	snprintf(f->rel, sizeof(f->rel), "%s", rel);
	return f;
}

static int read_one(struct sysroot *root, struct raw_files *files,
		    const char *rel, bool link)
{
	struct raw_file *f = add_file(files, rel);

	if (!f)
		return ENOMEM;
	f->is_link = link;
	if (link)
		f->err = sysroot_readlink(root, rel, f->link, sizeof(f->link));
	else
		f->err = sysroot_read(root, rel, &f->buf);
	return f->err == ENOMEM ? ENOMEM : 0;
}

int machine_read_files(struct sysroot *root, struct raw_files *files)
{
	static const char *const fw_fields[] = { "start", "end", "type" };
	static const char *const pci_files[] = { "config" };
	struct name_list list;
	char rel[128];
	unsigned int i, j;
	int e;

	files->count = 0;
	files->files = NULL;
	for (i = 0; i < sizeof(fixed_files) / sizeof(fixed_files[0]); i++)
		if ((e = read_one(root, files, fixed_files[i], false)))
			return e;
	if (!sysroot_list(root, MEMMAP_DIR, &list)) {
		for (i = 0; i < list.count; i++)
			for (j = 0; j < 3; j++) {
				snprintf(rel, sizeof(rel), "%s/%.16s/%s",
					 MEMMAP_DIR, list.names[i],
					 fw_fields[j]);
				if ((e = read_one(root, files, rel, false)))
					goto out;
			}
		name_list_free(&list);
	}
	if (!sysroot_list(root, PCI_DIR, &list)) {
		for (i = 0; i < list.count; i++) {
			for (j = 0; j < 1; j++) {
				snprintf(rel, sizeof(rel), "%s/%.16s/%s",
					 PCI_DIR, list.names[i], pci_files[j]);
				if ((e = read_one(root, files, rel, false)))
					goto out;
			}
			snprintf(rel, sizeof(rel), "%s/%.16s/driver", PCI_DIR,
				 list.names[i]);
			if ((e = read_one(root, files, rel, true)))
				goto out;
		}
		name_list_free(&list);
	}
	return 0;
out:
	name_list_free(&list);
	return e;
}

void raw_files_free(struct raw_files *files)
{
	unsigned int i;

	for (i = 0; i < files->count; i++)
		free(files->files[i].buf.data);
	free(files->files);
	files->files = NULL;
	files->count = 0;
}

void machine_note(struct machine *m, const char *fmt, ...)
{
	va_list ap;

	if (m->num_notes == MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(m->notes[m->num_notes++], NOTE_LEN, fmt, ap);
	va_end(ap);
}

bool machine_x2apic(const struct machine *m)
{
	return cpuinfo_has(&m->cpuinfo, "x2apic") && !m->cmdline.nox2apic &&
	       m->linux_apic_mode != KLOG_XAPIC;
}

bool machine_linux_remaps(const struct machine *m)
{
	return m->have_dmar && (m->dmar.dmar_flags & 1) &&
	       !m->cmdline.intremap_off;
}

const struct pci_dev *machine_pci_at(const struct machine *m, uint16_t domain,
				     uint16_t bdf)
{
	unsigned int i;

	for (i = 0; i < m->num_pci; i++) {
		const struct pci_dev *d = &m->pci[i];

		if (d->domain == domain &&
		    (d->bus << 8 | d->dev << 3 | d->fn) == bdf)
			return d;
	}
	return NULL;
}

static const struct raw_file *find(const struct raw_files *files,
				   const char *rel)
{
	unsigned int i;

	for (i = 0; i < files->count; i++)
		if (!strcmp(files->files[i].rel, rel))
			return &files->files[i];
	return NULL;
}

/* A file that must be there; NULL after saying why not. */
static const struct raw_file *need(const struct raw_files *files,
				   const struct machine *m, const char *rel)
{
	const struct raw_file *f = find(files, rel);

	if (!f || f->err) {
		fail(EXIT_IO, "%s/%s: %s", m->root, rel,
		     strerror(f ? f->err : ENOENT));
		return NULL;
	}
	return f;
}

/* An optional file: NULL when absent (not an error). */
static const struct raw_file *want(const struct raw_files *files,
				   const char *rel)
{
	const struct raw_file *f = find(files, rel);

	return f && !f->err ? f : NULL;
}

static int bad(const struct machine *m, const char *rel, const char *why)
{
	return fail(EXIT_IO, "%s/%s: %s", m->root, rel, why);
}

static int parse_fw_map(const struct raw_files *files, struct machine *m)
{
	char err[ERR_LEN], prefix[64];
	unsigned int i;

	for (i = 0; i < files->count; i++) {
		const struct raw_file *f = &files->files[i], *g;
		struct fw_range *r;
		char rel[160];
		const char *slash;
		size_t n;

		if (strncmp(f->rel, MEMMAP_DIR "/", sizeof(MEMMAP_DIR)) ||
		    !(slash = strrchr(f->rel, '/')) || strcmp(slash, "/start"))
			continue;
		m->have_memmap = true;
		n = slash - f->rel;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)n, f->rel);
		if (m->num_fw == MAX_FW_RANGES)
			return bad(m, MEMMAP_DIR, "too many ranges");
		r = &m->fw[m->num_fw];
		snprintf(rel, sizeof(rel), "%s/start", prefix);
		if (!(g = need(files, m, rel)))
			return EXIT_IO;
		if (parse_sysfs_u64(g->buf.data, g->buf.size, &r->start, err))
			return bad(m, rel, err);
		snprintf(rel, sizeof(rel), "%s/end", prefix);
		if (!(g = need(files, m, rel)))
			return EXIT_IO;
		if (parse_sysfs_u64(g->buf.data, g->buf.size, &r->end, err))
			return bad(m, rel, err);
		if (r->end < r->start)
			return bad(m, rel, "range ends before it starts");
		snprintf(rel, sizeof(rel), "%s/type", prefix);
		if (!(g = need(files, m, rel)))
			return EXIT_IO;
		n = g->buf.size;
		while (n && (((char *)g->buf.data)[n - 1] == '\n'))
			n--;
		if (!n || n >= sizeof(r->type) || memchr(g->buf.data, '\0', n))
			return bad(m, rel, "not a memory type name");
		memcpy(r->type, g->buf.data, n);
		r->type[n] = '\0';
		m->num_fw++;
	}
	return 0;
}

static bool parse_bdf(const char *s, struct pci_dev *d)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	if (sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) != 4 ||
	    dev > 31 || fn > 7 || strlen(s) != 12)
		return false;
	d->domain = dom;
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	snprintf(d->name, sizeof(d->name), "%04x:%02x:%02x.%x", dom, bus, dev,
		 fn);
	return true;
}

static int parse_pci(const struct raw_files *files, struct machine *m)
{
	char err[ERR_LEN];
	unsigned int i;

	for (i = 0; i < files->count; i++) {
		const struct raw_file *f = &files->files[i], *link;
		char rel[160], name[32];
		const char *slash;
		struct pci_dev *d;

		if (strncmp(f->rel, PCI_DIR "/", sizeof(PCI_DIR)) ||
		    !(slash = strrchr(f->rel, '/')) || strcmp(slash, "/config"))
			continue;
		snprintf(name, sizeof(name), "%.*s",
			 (int)(slash - f->rel - sizeof(PCI_DIR)),
			 f->rel + sizeof(PCI_DIR));
		if (m->num_pci == MAX_PCI)
			return bad(m, PCI_DIR,
				   "more PCI devices than supported");
		d = &m->pci[m->num_pci];
		memset(d, 0, sizeof(*d));
		if (!parse_bdf(name, d))
			return bad(m, f->rel,
				   "directory name is not a PCI "
				   "address (DDDD:BB:DD.F)");
		if (f->err)
			return bad(m, f->rel, strerror(f->err));
		if (pci_parse_config(f->buf.data, f->buf.size, &d->cfg, err))
			return bad(m, f->rel, err);
		snprintf(rel, sizeof(rel), "%s/%s/driver", PCI_DIR, name);
		link = want(files, rel);
		if (link) {
			const char *base = strrchr(link->link, '/');

			snprintf(d->driver, sizeof(d->driver), "%.63s",
				 base ? base + 1 : link->link);
		}
		m->num_pci++;
	}
	return 0;
}

static int madt(const void *buf, size_t len, struct machine *m, char *err)
{
	return acpi_parse_madt(buf, len, &m->madt, err);
}

static int fadt(const void *buf, size_t len, struct machine *m, char *err)
{
	return acpi_parse_fadt(buf, len, &m->fadt, err);
}

static int mcfg(const void *buf, size_t len, struct machine *m, char *err)
{
	return acpi_parse_mcfg(buf, len, &m->mcfg, err);
}

static int dmar(const void *buf, size_t len, struct machine *m, char *err)
{
	return acpi_parse_dmar(buf, len, &m->dmar, err);
}

static int ivrs(const void *buf, size_t len, struct machine *m, char *err)
{
	return acpi_parse_ivrs(buf, len, &m->ivrs, err);
}

static int parse_table(const struct raw_files *files, struct machine *m,
		       const char *sig, bool *have,
		       int (*parse)(const void *, size_t, struct machine *,
				    char *))
{
	char rel[64], err[ERR_LEN];
	const struct raw_file *f;

	snprintf(rel, sizeof(rel), "sys/firmware/acpi/tables/%s", sig);
	f = want(files, rel);
	if (!f)
		return 0;
	if (parse(f->buf.data, f->buf.size, m, err))
		return bad(m, rel, err);
	*have = true;
	return 0;
}

static void parse_kernel_log(const struct raw_files *files,
			     struct machine *m)
{
	const struct raw_file *f = want(files, "dev/kmsg");
	unsigned int i;

	if (!f)
		return;
	m->have_klog = true;
	m->linux_apic_mode = klog_apic_mode(f->buf.data, f->buf.size);
	for (i = 0; i < m->dmar.num_units; i++)
		m->vtd_regs_known[i] =
			klog_vtd_regs(f->buf.data, f->buf.size,
				      m->dmar.units[i].base, &m->vtd_regs[i]);
}

int machine_parse(const struct raw_files *files, struct machine *m)
{
	const struct raw_file *f;
	char err[ERR_LEN];
	unsigned int i;
	int ret;

	if (!(f = need(files, m, "proc/iomem")))
		return EXIT_IO;
	if (parse_resources(f->buf.data, f->buf.size, &m->iomem, err))
		return bad(m, f->rel, err);
	if (!(f = need(files, m, "proc/ioports")))
		return EXIT_IO;
	if (parse_resources(f->buf.data, f->buf.size, &m->ioports, err))
		return bad(m, f->rel, err);
	if (!(f = need(files, m, "proc/cpuinfo")))
		return EXIT_IO;
	if (parse_cpuinfo(f->buf.data, f->buf.size, &m->cpuinfo, err))
		return bad(m, f->rel, err);
	if (!(f = need(files, m, "proc/cmdline")))
		return EXIT_IO;
	if (parse_cmdline(f->buf.data, f->buf.size, &m->cmdline, err))
		return bad(m, f->rel, err);
	if (!(f = need(files, m, "sys/devices/system/cpu/online")))
		return EXIT_IO;
	if (parse_cpu_list(f->buf.data, f->buf.size, m->online,
			   MACHINE_MAX_CPUS, err))
		return bad(m, f->rel, err);
	for (i = 0; i < MACHINE_MAX_CPUS; i++)
		if (m->online[i / 64] & (1ULL << (i % 64))) {
			m->num_online++;
			m->max_cpu = i;
		}
	if ((ret = parse_fw_map(files, m)))
		return ret;
	if ((ret = parse_pci(files, m)))
		return ret;
	if ((ret = parse_table(files, m, "APIC", &m->have_madt, madt)) ||
	    (ret = parse_table(files, m, "FACP", &m->have_fadt, fadt)) ||
	    (ret = parse_table(files, m, "MCFG", &m->have_mcfg, mcfg)) ||
	    (ret = parse_table(files, m, "DMAR", &m->have_dmar, dmar)) ||
	    (ret = parse_table(files, m, "IVRS", &m->have_ivrs, ivrs)))
		return ret;
	parse_kernel_log(files, m);
	return 0;
}
