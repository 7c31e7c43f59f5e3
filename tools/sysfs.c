// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the driver's sysfs tree (docs/driver-abi.md): whether the
 * hypervisor is enabled, and the cells with their names, states and CPUs.
 * JAILHOUSE_SYSFS overrides the location, for tests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jailhouse.h"

const char *sysfs_root(void)
{
	const char *env = getenv("JAILHOUSE_SYSFS");

	return env && *env ? env : JAILHOUSE_SYSFS_PATH;
}

/*
 * Reads an attribute (path relative to the root) without its trailing
 * newline. Returns 0 or a negative errno.
 */
int sysfs_read(const char *rel, char *buf, size_t size)
{
	char path[512];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", sysfs_root(), rel);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -errno;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	buf[len] = '\0';
	return 0;
}

/* 0 when enabled; otherwise prints why not and returns the exit code. */
int sysfs_check_enabled(void)
{
	char val[16];
	int err = sysfs_read("enabled", val, sizeof(val));

	if (err == -ENOENT || err == -ENOTDIR || (!err && strcmp(val, "1")))
		return fail(EXIT_NOT_ENABLED, "jailhouse is not enabled "
			    "(is the jailhouse module loaded?)");
	if (err)
		return fail(EXIT_IO, "cannot read %s/enabled: %s",
			    sysfs_root(), strerror(-err));
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct cell_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void read_cell_attr(unsigned int id, const char *attr, char *buf,
			   size_t size)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "cells/%u/%s", id, attr);
	if (sysfs_read(rel, buf, size))
		buf[0] = '\0';
}

/*
 * All cells, sorted by id. Returns 0, or an exit code after printing why.
 * The caller frees *cells.
 */
int sysfs_cells(struct cell_info **cells, unsigned int *count)
{
	struct cell_info *list = NULL, *c;
	unsigned int n = 0, id;
	struct dirent *ent;
	char path[512];
	DIR *dir;
	int err;

	err = sysfs_check_enabled();
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/cells", sysfs_root());
	dir = opendir(path);
	if (!dir)
		return fail(EXIT_IO, "cannot read %s: %s", path,
			    strerror(errno));
	while ((ent = readdir(dir))) {
		if (!parse_uint(ent->d_name, &id) ||
		    strspn(ent->d_name, "0123456789") != strlen(ent->d_name))
			continue;
		c = realloc(list, (n + 1) * sizeof(*list));
		if (!c) {
			closedir(dir);
			free(list);
			return fail(EXIT_IO, "out of memory");
		}
		list = c;
		c = &list[n++];
		c->id = id;
		read_cell_attr(id, "name", c->name, sizeof(c->name));
		read_cell_attr(id, "state", c->state, sizeof(c->state));
		read_cell_attr(id, "cpus_assigned", c->cpus_assigned,
			       sizeof(c->cpus_assigned));
		read_cell_attr(id, "cpus_failed", c->cpus_failed,
			       sizeof(c->cpus_failed));
	}
	closedir(dir);
	if (n)
		qsort(list, n, sizeof(*list), by_id);
	*cells = list;
	*count = n;
	return 0;
}

bool sysfs_cell_name(unsigned int id, char *name, size_t size)
{
	read_cell_attr(id, "name", name, size);
	return name[0] != '\0';
}

/*
 * A cell given on the command line: a number is an id, anything else a
 * name. Returns 0, or an exit code after printing why not.
 */
int resolve_cell(const char *arg, struct cell_info *cell)
{
	struct cell_info *cells;
	unsigned int n, i, id;
	bool numeric = parse_uint(arg, &id);
	int err;

	err = sysfs_cells(&cells, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (numeric ? cells[i].id == id : !strcmp(cells[i].name, arg))
			break;
	if (i < n)
		*cell = cells[i];
	free(cells);
	if (i < n)
		return 0;
	if (numeric)
		return fail(EXIT_REFUSED, "no cell with id %u", id);
	return fail(EXIT_REFUSED, "no cell named \"%s\"", arg);
}
