// SPDX-License-Identifier: GPL-2.0
/*
 * `jailhouse cell ...`: create, load, start, shutdown, destroy, list and
 * stats. Cells are named by name or numeric id; names are turned into ids
 * through sysfs before the request goes to the driver.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jailhouse/hypercall.h>

#include "jailhouse.h"

static const char cell_help[] =
	"Usage: jailhouse cell COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  create CELLCONFIG           create a cell from a .cell file\n"
	"  load NAME|ID IMAGE [-a ADDR] [IMAGE [-a ADDR]]...\n"
	"       [-s STRING -a ADDR]    stop the cell and load images into it\n"
	"  start NAME|ID               start the cell's CPUs\n"
	"  shutdown NAME|ID            stop the cell, leaving it loadable\n"
	"  destroy NAME|ID             destroy the cell\n"
	"  list                        list the cells\n"
	"  stats NAME|ID               show per-CPU exit statistics\n"
	"\n"
	"A cell is named by its name or by its numeric id (see `cell list`).\n"
	"Run `jailhouse cell COMMAND --help` for details.\n";

static const char create_help[] =
	"Usage: jailhouse cell create CELLCONFIG\n"
	"\n"
	"Checks CELLCONFIG offline (as `jailhouse config check` does), then\n"
	"asks the hypervisor to create the cell. Its CPUs leave Linux, its\n"
	"memory, ports and devices leave the root cell. The new cell is\n"
	"stopped and loadable; continue with `cell load` and `cell start`.\n";

static const char load_help[] =
	"Usage: jailhouse cell load NAME|ID IMAGE [-a|--address ADDR]\n"
	"                           [IMAGE [-a ADDR]]... [-s|--string STRING "
	"-a ADDR]\n"
	"\n"
	"Stops the cell (the cell may deny that) and copies each IMAGE file,\n"
	"or STRING with its terminating NUL, into the cell's loadable memory\n"
	"at guest-physical address ADDR (decimal or 0x-prefixed hex; 0 when\n"
	"-a is left out, required after -s). Images are loaded in the given\n"
	"order. Start the cell afterwards with `cell start`.\n";

static const char start_help[] =
	"Usage: jailhouse cell start NAME|ID\n"
	"\n"
	"Starts all CPUs of the cell at its reset address.\n";

static const char shutdown_help[] =
	"Usage: jailhouse cell shutdown NAME|ID\n"
	"\n"
	"Asks the cell for consent and stops it; it stays created and\n"
	"loadable. A cell may deny the request.\n";

static const char destroy_help[] =
	"Usage: jailhouse cell destroy NAME|ID\n"
	"\n"
	"Asks the cell for consent, stops and destroys it; its CPUs, memory\n"
	"and devices go back to the root cell and its CPUs back to Linux.\n";

static const char list_help[] =
	"Usage: jailhouse cell list\n"
	"\n"
	"Lists the cells, root included: ID, name, state (running,\n"
	"running/locked, shut down, failed), assigned and failed CPUs.\n";

static const char stats_help[] =
	"Usage: jailhouse cell stats NAME|ID\n"
	"\n"
	"Shows the VM exits of each CPU of the cell, by reason, and their\n"
	"totals, as the hypervisor counted them.\n";

/* Names of the statistics, in JAILHOUSE_CPU_STAT_* order. */
static const char *const stat_names[JAILHOUSE_NUM_CPU_STATS] = {
	"vmexits_total",	"vmexits_mmio",	     "vmexits_pio",
	"vmexits_hypercall",	"vmexits_management", "vmexits_cpuid",
	"vmexits_msr",		"vmexits_cr",	     "vmexits_xsetbv",
	"vmexits_exception",	"vmexits_apic",	     "vmexits_other",
};

/* Handles --help and the argument count of a one-cell command. */
static int one_arg(int argc, char **argv, const char *help, int *done,
		   const char *what)
{
	*done = 1;
	if (argc >= 1 && is_help(argv[0])) {
		fputs(help, stdout);
		return 0;
	}
	if (argc < 1)
		return usage_error("missing %s", what);
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	*done = 0;
	return 0;
}

static int cell_create(int argc, char **argv)
{
	struct jailhouse_config_args args;
	struct request req = { 0 };
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
	struct buffer buf;
	int fd, ret, done;

	ret = one_arg(argc, argv, create_help, &done, "CELLCONFIG");
	if (done)
		return ret;
	ret = check_config_for(argv[0], false, &buf);
	if (ret)
		return ret;
	memcpy(name, ((struct jailhouse_cell_desc *)buf.data)->name,
	       sizeof(name));
	name[sizeof(name) - 1] = '\0';
	req.config_path = argv[0];
	req.cell_name = name;
	memset(&args, 0, sizeof(args));
	args.address = (uintptr_t)buf.data;
	args.size = buf.size;
	ret = driver_open(&fd);
	if (!ret)
		ret = driver_request(fd, JAILHOUSE_CELL_CREATE, &args, &req,
				     NULL);
	free(buf.data);
	return ret;
}

/* Resolves the cell, opens the device and issues one cell-id request. */
static int simple_cell_request(const char *arg, unsigned long request)
{
	struct jailhouse_cell_id id;
	struct request req = { 0 };
	struct cell_info cell;
	int fd, ret;

	ret = resolve_cell(arg, &cell);
	if (ret)
		return ret;
	memset(&id, 0, sizeof(id));
	id.id = cell.id;
	memcpy(id.name, cell.name, sizeof(id.name));
	req.cell_name = cell.name;
	ret = driver_open(&fd);
	if (ret)
		return ret;
	return driver_request(fd, request, &id, &req, NULL);
}

static int cell_start(int argc, char **argv)
{
	int ret, done;

	ret = one_arg(argc, argv, start_help, &done, "NAME|ID");
	if (done)
		return ret;
	return simple_cell_request(argv[0], JAILHOUSE_CELL_START);
}

static int cell_destroy(int argc, char **argv)
{
	int ret, done;

	ret = one_arg(argc, argv, destroy_help, &done, "NAME|ID");
	if (done)
		return ret;
	return simple_cell_request(argv[0], JAILHOUSE_CELL_DESTROY);
}

/* An image on the command line: a file or a string, and where it goes. */
struct image_arg {
	const char *file; /* NULL for a string */
	const char *string;
	uint64_t address;
	bool have_address;
};

static bool option_value(char **argv, int argc, int *i, const char *shrt,
			 const char *lng, const char **val)
{
	size_t n = strlen(lng);

	if (!strcmp(argv[*i], shrt) || !strcmp(argv[*i], lng)) {
		*val = *i + 1 < argc ? argv[++*i] : NULL;
		return true;
	}
	if (!strncmp(argv[*i], lng, n) && argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return true;
	}
	return false;
}

/* Parses IMAGE [-a ADDR] and -s STRING -a ADDR; returns 0 or EXIT_USAGE. */
static int parse_images(int argc, char **argv, struct image_arg *img,
			unsigned int *count)
{
	const char *val;
	unsigned int n = 0;
	int i;

	for (i = 0; i < argc; i++) {
		if (option_value(argv, argc, &i, "-a", "--address", &val)) {
			if (!val)
				return usage_error("-a needs an address");
			if (n == 0)
				return usage_error("-a %s comes before any "
						   "image", val);
			if (img[n - 1].have_address)
				return usage_error("image %u has two "
						   "addresses", n - 1);
			if (!parse_u64(val, &img[n - 1].address))
				return usage_error("invalid address \"%s\"",
						   val);
			img[n - 1].have_address = true;
			continue;
		}
		if (n > 0 && img[n - 1].string && !img[n - 1].have_address)
			return usage_error("-s needs an address (-a ADDR)");
		if (n == JAILHOUSE_MAX_PRELOAD_IMAGES)
			return usage_error("more than %u images",
					   JAILHOUSE_MAX_PRELOAD_IMAGES);
		memset(&img[n], 0, sizeof(img[n]));
		if (option_value(argv, argc, &i, "-s", "--string", &val)) {
			if (!val)
				return usage_error("-s needs a string");
			img[n++].string = val;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("unknown option \"%s\"", argv[i]);
		img[n++].file = argv[i];
	}
	if (n == 0)
		return usage_error("missing IMAGE");
	if (img[n - 1].string && !img[n - 1].have_address)
		return usage_error("-s needs an address (-a ADDR)");
	*count = n;
	return 0;
}

static int load_images(const char *cell_arg, struct image_arg *img,
		       unsigned int n)
{
	struct jailhouse_cell_load *load;
	const char *names[JAILHOUSE_MAX_PRELOAD_IMAGES];
	struct request req = { 0 };
	struct cell_info cell;
	struct buffer buf;
	unsigned int i, loaded = 0;
	int fd, ret, err;

	ret = resolve_cell(cell_arg, &cell);
	if (ret)
		return ret;
	load = calloc(1, sizeof(*load) + n * sizeof(load->image[0]));
	if (!load)
		return fail(EXIT_IO, "out of memory");
	load->cell_id.id = cell.id;
	memcpy(load->cell_id.name, cell.name, sizeof(load->cell_id.name));
	load->num_preload_images = n;
	for (i = 0; i < n; i++, loaded++) {
		struct jailhouse_preload_image *pi = &load->image[i];

		if (img[i].file) {
			names[i] = img[i].file;
			err = read_file(img[i].file, &buf);
			if (err) {
				ret = fail(EXIT_IO, "cannot read %s: %s",
					   img[i].file, strerror(err));
				goto out;
			}
			pi->source_address = (uintptr_t)buf.data;
			pi->size = buf.size;
		} else {
			names[i] = "string";
			pi->source_address = (uintptr_t)img[i].string;
			pi->size = strlen(img[i].string) + 1;
		}
		pi->target_address = img[i].address;
	}
	req.cell_name = cell.name;
	req.image_names = names;
	req.num_images = n;
	ret = driver_open(&fd);
	if (!ret)
		ret = driver_request(fd, JAILHOUSE_CELL_LOAD, load, &req, NULL);
out:
	for (i = 0; i < loaded; i++)
		if (img[i].file)
			free((void *)(uintptr_t)load->image[i].source_address);
	free(load);
	return ret;
}

static int cell_load(int argc, char **argv)
{
	struct image_arg img[JAILHOUSE_MAX_PRELOAD_IMAGES];
	unsigned int n = 0;
	int i, ret;

	for (i = 0; i < argc; i++)
		if (is_help(argv[i])) {
			fputs(load_help, stdout);
			return 0;
		}
	if (argc < 1)
		return usage_error("missing NAME|ID");
	ret = parse_images(argc - 1, argv + 1, img, &n);
	if (ret)
		return ret;
	return load_images(argv[0], img, n);
}

static int cell_shutdown(int argc, char **argv)
{
	struct jailhouse_cell_load load;
	struct request req = { 0 };
	struct cell_info cell;
	int fd, ret, done;

	ret = one_arg(argc, argv, shutdown_help, &done, "NAME|ID");
	if (done)
		return ret;
	ret = resolve_cell(argv[0], &cell);
	if (ret)
		return ret;
	memset(&load, 0, sizeof(load));
	load.cell_id.id = cell.id;
	memcpy(load.cell_id.name, cell.name, sizeof(load.cell_id.name));
	req.cell_name = cell.name;
	ret = driver_open(&fd);
	if (ret)
		return ret;
	return driver_request(fd, JAILHOUSE_CELL_LOAD, &load, &req, NULL);
}

static int cell_list(int argc, char **argv)
{
	struct cell_info *cells;
	unsigned int n, i;
	int ret;

	if (argc >= 1 && is_help(argv[0])) {
		fputs(list_help, stdout);
		return 0;
	}
	if (argc > 0)
		return usage_error("unexpected argument \"%s\"", argv[0]);
	ret = sysfs_cells(&cells, &n);
	if (ret)
		return ret;
	printf("%-8s%-24s%-16s%-24s%s\n", "ID", "Name", "State",
	       "Assigned CPUs", "Failed CPUs");
	for (i = 0; i < n; i++)
		printf("%-8u%-24s%-16s%-24s%s\n", cells[i].id, cells[i].name,
		       cells[i].state, cells[i].cpus_assigned,
		       cells[i].cpus_failed);
	free(cells);
	return 0;
}

static int by_number(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a;
	unsigned int y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* The CPUs with a statistics/cpuN directory, sorted. */
static unsigned int stat_cpus(unsigned int id, unsigned int *cpus,
			      unsigned int max)
{
	struct dirent *ent;
	unsigned int n = 0;
	char path[512];
	DIR *dir;

	snprintf(path, sizeof(path), "%s/cells/%u/statistics", sysfs_root(),
		 id);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((ent = readdir(dir)) && n < max)
		if (!strncmp(ent->d_name, "cpu", 3) &&
		    strspn(ent->d_name + 3, "0123456789") ==
			    strlen(ent->d_name + 3) &&
		    ent->d_name[3] && parse_uint(ent->d_name + 3, &cpus[n]))
			n++;
	closedir(dir);
	qsort(cpus, n, sizeof(cpus[0]), by_number);
	return n;
}

static bool read_stat(unsigned int id, const char *sub, const char *name,
		      unsigned long long *val)
{
	char rel[128], text[32];
	char *end;

	snprintf(rel, sizeof(rel), "cells/%u/statistics/%s%s", id, sub, name);
	if (sysfs_read(rel, text, sizeof(text)) || !text[0])
		return false;
	*val = strtoull(text, &end, 10);
	return *end == '\0';
}

static int cell_stats(int argc, char **argv)
{
	unsigned int cpus[64], n, i, s;
	unsigned long long val, sum;
	struct cell_info cell;
	char sub[16];
	int ret, done;

	ret = one_arg(argc, argv, stats_help, &done, "NAME|ID");
	if (done)
		return ret;
	ret = resolve_cell(argv[0], &cell);
	if (ret)
		return ret;
	n = stat_cpus(cell.id, cpus, 64);
	printf("Statistics for cell \"%s\" (id %u)\n\n", cell.name, cell.id);
	printf("%-22s%14s", "", "total");
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "CPU %u", cpus[i]);
		printf("%14s", sub);
	}
	printf("\n");
	for (s = 0; s < JAILHOUSE_NUM_CPU_STATS; s++) {
		char cells[64][24];
		bool any = false;

		sum = 0;
		for (i = 0; i < n; i++) {
			snprintf(sub, sizeof(sub), "cpu%u/", cpus[i]);
			if (read_stat(cell.id, sub, stat_names[s], &val)) {
				snprintf(cells[i], sizeof(cells[i]), "%llu",
					 val);
				sum += val;
				any = true;
			} else {
				snprintf(cells[i], sizeof(cells[i]), "-");
			}
		}
		if (read_stat(cell.id, "", stat_names[s], &val))
			sum = val;
		else if (!any)
			continue;
		printf("%-22s%14llu", stat_names[s], sum);
		for (i = 0; i < n; i++)
			printf("%14s", cells[i]);
		printf("\n");
	}
	return 0;
}

int cmd_cell(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} cmds[] = {
		{ "create", cell_create },     { "load", cell_load },
		{ "start", cell_start },       { "shutdown", cell_shutdown },
		{ "destroy", cell_destroy },   { "list", cell_list },
		{ "stats", cell_stats },
	};
	static char name[64];
	unsigned int i;

	command_name = "jailhouse cell";
	if (argc < 1)
		return usage_error("missing command");
	if (is_help(argv[0])) {
		fputs(cell_help, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[0], cmds[i].name)) {
			snprintf(name, sizeof(name), "jailhouse cell %s",
				 cmds[i].name);
			command_name = name;
			return cmds[i].run(argc - 1, argv + 1);
		}
	return usage_error("unknown command \"%s\"", argv[0]);
}
