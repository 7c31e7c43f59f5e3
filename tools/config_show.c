// SPDX-License-Identifier: GPL-2.0
/*
 * `jailhouse config show FILE...`: a .cell file (system or cell) in a form
 * a person reads. Every field of the format is printed; flags by name,
 * unknown bits as a number, so nothing in the file goes unseen.
 *
 * Nothing is read before the validator has made sure the header and the
 * arrays lie within the file (a config broken in a later rule is still
 * shown, with the validator's reason, and the command exits 3).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <core/config_check.h>

#include "jailhouse.h"

struct shown {
	const char *path;
	struct buffer buf;
	bool system;
	bool layout_ok;
	bool valid;
	char why[256];
};

static void print_size(FILE *out, uint64_t size)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB",
					     "TiB" };
	unsigned int u = 0;

	while (u < 4 && size >= 1024 && size % 1024 == 0) {
		size /= 1024;
		u++;
	}
	fprintf(out, "%" PRIu64 " %s", size, units[u]);
}

/* Names of the bits set in value; unknown ones as a hex remainder. */
static void print_flags(FILE *out, uint64_t value, const char *const *names,
			unsigned int count)
{
	bool first = true;
	unsigned int i;

	for (i = 0; i < count && i < 64; i++) {
		if (!(value & (1ULL << i)) || !names[i])
			continue;
		fprintf(out, "%s%s", first ? "" : " ", names[i]);
		value &= ~(1ULL << i);
		first = false;
	}
	if (value)
		fprintf(out, "%sunknown 0x%" PRIx64, first ? "" : " ", value);
	else if (first)
		fputs("none", out);
}

static const char *const mem_flag_names[] = {
	"read", "write",       "execute",  "dma",
	"io",	"comm-region", "loadable", "rootshared",
};

static const char *const cell_flag_names[] = {
	"passive-commreg",
	"debug-console",
};

/* A bitmap as "0-3,7"; bits counts the bits to look at. */
static void print_bit_list(FILE *out, const uint8_t *bytes, unsigned int bits,
			   unsigned int offset)
{
	unsigned int i = 0, n = 0;

	while (i < bits) {
		unsigned int start;

		if (!(bytes[i / 8] & (1u << (i % 8)))) {
			i++;
			continue;
		}
		start = i;
		while (i < bits && (bytes[i / 8] & (1u << (i % 8))))
			i++;
		fprintf(out, "%s%u", n++ ? "," : "", start + offset);
		if (i - 1 > start)
			fprintf(out, "-%u", i - 1 + offset);
	}
	if (!n)
		fputs("none", out);
}

static void print_bdf(FILE *out, uint16_t domain, uint16_t bdf)
{
	fprintf(out, "%04x:%02x:%02x.%x", domain, bdf >> 8, (bdf >> 3) & 0x1f,
		bdf & 7);
}

static void show_memory(FILE *out, const struct jailhouse_memory *mem,
			unsigned int index)
{
	fprintf(out, "    %2u: ", index);
	if (mem->flags & JAILHOUSE_MEM_COMM_REGION) {
		fprintf(out, "guest 0x%08" PRIx64, mem->virt_start);
	} else {
		fprintf(out, "0x%08" PRIx64 "-0x%08" PRIx64, mem->phys_start,
			mem->size ? mem->phys_start + mem->size - 1
				  : mem->phys_start);
		if (mem->virt_start != mem->phys_start)
			fprintf(out, " at guest 0x%08" PRIx64, mem->virt_start);
	}
	fputs(" (", out);
	print_size(out, mem->size);
	fputs(") ", out);
	print_flags(out, mem->flags, mem_flag_names,
		    sizeof(mem_flag_names) / sizeof(mem_flag_names[0]));
	fputc('\n', out);
}

static void show_irqchip(FILE *out, const struct jailhouse_irqchip *chip,
			 unsigned int index)
{
	uint8_t bytes[sizeof(chip->pin_bitmap)];

	memcpy(bytes, chip->pin_bitmap, sizeof(bytes));
	fprintf(out, "    %u: IOAPIC at 0x%08" PRIx64 ", source id 0x%04x (",
		index, chip->address, chip->id);
	print_bdf(out, 0, chip->id & 0xffff);
	fputs("), pins ", out);
	print_bit_list(out, bytes, JAILHOUSE_IRQCHIP_PINS, chip->pin_base);
	fputc('\n', out);
}

static void show_pio(FILE *out, const struct jailhouse_pio *pio,
		     unsigned int index)
{
	fprintf(out, "    %u: 0x%04x-0x%04" PRIx64 " (%u ports)\n", index,
		pio->base,
		pio->length ? (uint64_t)pio->base + pio->length - 1
			    : (uint64_t)pio->base,
		pio->length);
}

/* The cells among all shown files, other than self, that list the device. */
static void print_takers(FILE *out, const struct jailhouse_pci_device *dev,
			 const struct shown *files, unsigned int count,
			 const struct shown *self)
{
	unsigned int f, i;

	for (f = 0; f < count; f++) {
		const struct jailhouse_cell_desc *cell;
		const struct jailhouse_pci_device *pci;

		if (&files[f] == self || files[f].system || !files[f].layout_ok)
			continue;
		cell = files[f].buf.data;
		pci = jailhouse_cell_pci_devices(cell);
		for (i = 0; i < cell->num_pci_devices; i++)
			if (pci[i].domain == dev->domain &&
			    pci[i].bdf == dev->bdf)
				fprintf(out, ", taken by cell \"%.*s\"",
					JAILHOUSE_CELL_NAME_MAXLEN, cell->name);
	}
}

static void show_pci(FILE *out, const struct jailhouse_pci_device *dev,
		     unsigned int index, const char *owner,
		     const struct shown *files, unsigned int count,
		     const struct shown *self)
{
	fprintf(out, "    %u: ", index);
	print_bdf(out, dev->domain, dev->bdf);
	if (dev->type == JAILHOUSE_PCI_TYPE_DEVICE)
		fputs(" device", out);
	else if (dev->type == JAILHOUSE_PCI_TYPE_BRIDGE)
		fputs(" bridge", out);
	else
		fprintf(out, " unknown type %u", dev->type);
	fprintf(out, ", IOMMU unit %u, owner \"%s\"", dev->iommu, owner);
	if (self->system)
		print_takers(out, dev, files, count, self);
	fputc('\n', out);
}

static void show_cell(FILE *out, const struct jailhouse_cell_desc *cell,
		      bool root, const struct shown *files, unsigned int count,
		      const struct shown *self)
{
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(cell);
	const struct jailhouse_irqchip *chips = jailhouse_cell_irqchips(cell);
	const struct jailhouse_pio *pio = jailhouse_cell_pio(cell);
	const struct jailhouse_pci_device *pci =
		jailhouse_cell_pci_devices(cell);
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
	unsigned int i;

	snprintf(name, sizeof(name), "%.*s", JAILHOUSE_CELL_NAME_MAXLEN,
		 cell->name);
	fprintf(out, "%s \"%s\"\n", root ? "Root cell" : "Cell", name);
	fputs("  Flags: ", out);
	print_flags(out, cell->flags, cell_flag_names,
		    sizeof(cell_flag_names) / sizeof(cell_flag_names[0]));
	fputc('\n', out);
	fputs("  CPUs: ", out);
	print_bit_list(out, (const uint8_t *)jailhouse_cell_cpu_set(cell),
		       cell->cpu_set_size * 8, 0);
	fprintf(out, " (CPU set of %u bytes)\n", cell->cpu_set_size);
	if (!root) {
		fprintf(out, "  Reset address: 0x%" PRIx64 "\n",
			cell->cpu_reset_address);
		fputs("  Message reply timeout: ", out);
		if (cell->msg_reply_timeout_ns)
			fprintf(out, "%" PRIu64 " ns\n",
				cell->msg_reply_timeout_ns);
		else
			fputs("default (100 ms)\n", out);
	}
	fprintf(out, "  Memory regions: %u\n", cell->num_memory_regions);
	for (i = 0; i < cell->num_memory_regions; i++)
		show_memory(out, &mem[i], i);
	fprintf(out, "  IRQ chips: %u\n", cell->num_irqchips);
	for (i = 0; i < cell->num_irqchips; i++)
		show_irqchip(out, &chips[i], i);
	fprintf(out, "  Port I/O ranges: %u\n", cell->num_pio_regions);
	for (i = 0; i < cell->num_pio_regions; i++)
		show_pio(out, &pio[i], i);
	fprintf(out, "  PCI devices: %u\n", cell->num_pci_devices);
	for (i = 0; i < cell->num_pci_devices; i++)
		show_pci(out, &pci[i], i, name, files, count, self);
}

/*
 * One IOMMU unit, its fields as the format has them. A new unit type
 * adds its name and its own fields here.
 */
static void show_iommu(FILE *out, const struct jailhouse_iommu *unit,
		       unsigned int index)
{
	const char *type = unit->type == JAILHOUSE_IOMMU_INTEL ? "VT-d" :
			   unit->type == JAILHOUSE_IOMMU_AMD   ? "AMD-Vi" :
								 "unknown type";

	fprintf(out, "    %u: %s, base 0x%08" PRIx64 ", size 0x%x\n", index,
		type, unit->base, unit->size);
	if (unit->type != JAILHOUSE_IOMMU_AMD)
		return;
	fprintf(out,
		"       its PCI function %02x:%02x.%x, capability at 0x%x, "
		"MSI at 0x%x, devices %02x:%02x.%x-%02x:%02x.%x, %s walks\n",
		unit->amd_bdf >> 8, (unit->amd_bdf >> 3) & 0x1f,
		unit->amd_bdf & 7, unit->amd_base_cap, unit->amd_msi_cap,
		unit->amd_first_device >> 8,
		(unit->amd_first_device >> 3) & 0x1f,
		unit->amd_first_device & 7, unit->amd_last_device >> 8,
		(unit->amd_last_device >> 3) & 0x1f, unit->amd_last_device & 7,
		unit->amd_features & JAILHOUSE_IOMMU_AMD_COHERENT ?
			"coherent" :
			"non-coherent");
}

static void show_system(FILE *out, const struct jailhouse_system *sys,
			const struct shown *files, unsigned int count,
			const struct shown *self)
{
	const struct jailhouse_memory *hv = &sys->hypervisor_memory;
	unsigned int i, units = sys->platform_info.num_iommu_units;

	fputs("Hypervisor memory: ", out);
	fprintf(out, "0x%08" PRIx64 "-0x%08" PRIx64 " (", hv->phys_start,
		hv->phys_start + hv->size - 1);
	print_size(out, hv->size);
	fputs(")\n", out);
	fputs("Debug console: ", out);
	switch (JAILHOUSE_CON_TYPE(sys->debug_console.flags)) {
	case JAILHOUSE_CON_TYPE_NONE:
		fputs("none\n", out);
		break;
	case JAILHOUSE_CON_TYPE_8250:
		fprintf(out, "8250 UART at port 0x%" PRIx64 "\n",
			sys->debug_console.address);
		break;
	default:
		fprintf(out, "unknown type %u at 0x%" PRIx64 "\n",
			JAILHOUSE_CON_TYPE(sys->debug_console.flags),
			sys->debug_console.address);
	}
	fprintf(out, "PM timer: port 0x%x\n",
		sys->platform_info.pm_timer_address);
	fputs("APIC mode: ", out);
	if (sys->platform_info.apic_mode == JAILHOUSE_APIC_MODE_XAPIC)
		fputs("xAPIC\n", out);
	else if (sys->platform_info.apic_mode == JAILHOUSE_APIC_MODE_X2APIC)
		fputs("x2APIC\n", out);
	else
		fprintf(out, "unknown %u\n", sys->platform_info.apic_mode);
	fprintf(out, "PCI MMCONFIG: 0x%08" PRIx64 ", buses %02x-%02x\n",
		sys->platform_info.pci_mmconfig_base,
		sys->platform_info.pci_mmconfig_start_bus,
		sys->platform_info.pci_mmconfig_end_bus);
	fprintf(out, "IOMMU units: %u\n", units);
	for (i = 0; i < units && i < JAILHOUSE_MAX_IOMMU_UNITS; i++)
		show_iommu(out, &sys->platform_info.iommu_units[i], i);
	show_cell(out, &sys->root_cell, true, files, count, self);
}

static const char show_help[] =
	"Usage: jailhouse config show FILE...\n"
	"\n"
	"Prints system and cell configs (.cell files) in a form a person\n"
	"reads: the hypervisor's memory, console and platform (PM timer,\n"
	"APIC mode, MMCONFIG, IOMMU units) of a system config, and for each\n"
	"cell its flags, CPUs, memory regions with their flags, IRQ chips\n"
	"and pins, port ranges and PCI devices with their owner. Given a\n"
	"system config and cell configs together, each root PCI device also\n"
	"names the cells that take it.\n"
	"\n"
	"A file that breaks a rule of the validator is shown as far as its\n"
	"layout allows, with the reason on stderr.\n"
	"\n"
	"Exit status: 0 all shown and valid, 3 some file invalid, 1 some file\n"
	"could not be read, 2 usage error.\n";

int config_show(int argc, char **argv)
{
	struct shown *files;
	int i, status = 0;

	command_name = "jailhouse config show";
	for (i = 0; i < argc; i++)
		if (is_help(argv[i])) {
			fputs(show_help, stdout);
			return 0;
		}
	if (argc < 1)
		return usage_error("missing FILE");
	files = calloc(argc, sizeof(*files));
	if (!files)
		return fail(EXIT_IO, "out of memory");
	for (i = 0; i < argc; i++) {
		struct shown *f = &files[i];
		int err = read_file(argv[i], &f->buf);

		f->path = argv[i];
		if (err) {
			status = fail(EXIT_IO, "cannot read %s: %s", argv[i],
				      strerror(err));
			f->buf.data = NULL;
			continue;
		}
		f->system = config_is_system(&f->buf);
		f->valid = config_validate(&f->buf, f->system, f->why,
					   sizeof(f->why), &f->layout_ok);
	}
	for (i = 0; i < argc; i++) {
		struct shown *f = &files[i];

		if (!f->buf.data)
			continue;
		if (!f->valid) {
			fprintf(stderr, "%s: %s\n", f->path, f->why);
			status = EXIT_CONFIG;
		}
		if (!f->layout_ok)
			continue;
		if (i > 0)
			putchar('\n');
		printf("%s: %s config, %zu bytes%s\n", f->path,
		       f->system ? "system" : "cell", f->buf.size,
		       f->valid ? "" : ", INVALID (see stderr)");
		if (f->system)
			show_system(stdout, f->buf.data, files, argc, f);
		else
			show_cell(stdout, f->buf.data, false, files, argc, f);
	}
	for (i = 0; i < argc; i++)
		free(files[i].buf.data);
	free(files);
	return status;
}
