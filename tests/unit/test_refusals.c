// SPDX-License-Identifier: GPL-2.0
/*
 * Every broken config under tests/configs, handed to the running hypervisor
 * by root: refused with its own reason and one log line, and root and the
 * pool exactly as before. The expected reason is read from the
 * "expect:" line of each config's source.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <core/config_check.h>
#include "helpers.h"

struct refusal_case {
	char name[64];
};

/* Cells that must exist for a rule about the running system to bite. */
static const char *const prerequisites[][3] = {
	{ "bad-irq-pin-cell", "pin-owner", NULL },
	{ "bad-pci-cell", "pci-owner", NULL },
};

static enum jailhouse_config_error expected_code(const char *name)
{
	char path[256], line[256], *start, *end;
	enum jailhouse_config_error code;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.c", BAD_CONFIG_SRC_DIR, name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_not_null(fgets(line, sizeof(line), f));
	fclose(f);
	start = strstr(line, "expect: ");
	cr_assert_not_null(start, "%s has no expect line", path);
	start += strlen("expect: ");
	end = strchr(start, ' ');
	if (end)
		*end = '\0';
	for (code = 0; code < JAILHOUSE_CFG_NUM_ERRORS; code++)
		if (strcmp(config_error_name(code), start) == 0 ||
		    (strncmp(config_error_name(code), "JAILHOUSE_", 10) == 0 &&
		     strcmp(config_error_name(code) + 10, start) == 0))
			return code;
	cr_assert_fail("%s: unknown code %s", path, start);
	return 0;
}

static const char *system_for(const char *name)
{
	if (strcmp(name, "bad-pio-not-root") == 0)
		return BAD_CELL("root-partial-pio");
	return QEMU_VM_CELL;
}

/* Creates the cells a case needs; returns how many it created. */
static long create_prerequisites(const char *name)
{
	unsigned int n;

	if (strcmp(name, "bad-pio-not-root") == 0)
		return 0;
	for (n = 0; n < sizeof(prerequisites) / sizeof(prerequisites[0]); n++)
		if (strcmp(prerequisites[n][0], name) == 0) {
			char path[256];

			snprintf(path, sizeof(path), "%s/%s.cell",
				 BAD_CELL_DIR, prerequisites[n][1]);
			cr_assert_gt(sim_cell_create_file(ROOT_CPU, path), 0,
				     "prerequisite %s", path);
			return 1;
		}
	cr_assert_gt(sim_cell_create_file(ROOT_CPU, APIC_DEMO_CELL), 0);
	cr_assert_gt(sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL), 0);
	return 2;
}

#define MAX_CASES 64

static size_t list_cases(struct refusal_case *cases)
{
	struct dirent *entry;
	size_t count = 0, len;
	DIR *dir = opendir(BAD_CONFIG_SRC_DIR);

	if (!dir)
		return 0;
	while ((entry = readdir(dir)) && count < MAX_CASES) {
		len = strlen(entry->d_name);
		if (strncmp(entry->d_name, "bad-", 4) != 0 || len < 3 ||
		    strcmp(entry->d_name + len - 2, ".c") != 0)
			continue;
		snprintf(cases[count].name, sizeof(cases[count].name), "%.*s",
			 (int)(len - 2), entry->d_name);
		count++;
	}
	closedir(dir);
	return count;
}

ParameterizedTestParameters(refusals, each_broken_config)
{
	static struct refusal_case cases[MAX_CASES];
	size_t count = list_cases(cases);

	cr_assert_gt(count, 0, "no broken configs in %s", BAD_CONFIG_SRC_DIR);
	return cr_make_param_array(struct refusal_case, cases, count);
}

ParameterizedTest(struct refusal_case *c, refusals, each_broken_config)
{
	enum jailhouse_config_error want = expected_code(c->name);
	struct root_view before, after;
	char path[256];
	size_t log_before;
	long ret, cells;

	cr_assert_eq(sim_boot_file(system_for(c->name), QEMU_VM_CPUS), 0);
	/* Root and the prerequisites: the refused cell adds none. */
	cells = 1 + create_prerequisites(c->name);
	take_root_view(&before);
	log_before = strlen(hv_log());

	snprintf(path, sizeof(path), "%s/%s.cell", BAD_CELL_DIR, c->name);
	ret = sim_cell_create_file(ROOT_CPU, path);
	cr_assert_eq(ret, -config_error_errno(want),
		     "%s: returned %ld, want %d (%s)", c->name, ret,
		     -config_error_errno(want), config_error_name(want));
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR), want,
		     "%s: reason %s, want %s", c->name,
		     config_error_name(info(JAILHOUSE_INFO_LAST_ERROR)),
		     config_error_name(want));
	cr_assert(strstr(hv_log() + log_before, config_error_text(want)),
		  "%s: log does not say \"%s\":\n%s", c->name,
		  config_error_text(want), hv_log() + log_before);

	take_root_view(&after);
	assert_root_view_equal(&before, &after);
	/* And the next valid command works. */
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_HYPERVISOR_GET_INFO,
				   JAILHOUSE_INFO_NUM_CELLS, 0),
		     cells);
}

Test(refusals, every_rule_has_a_broken_config)
{
	static const enum jailhouse_config_error not_from_files[] = {
		JAILHOUSE_CFG_OK,
		JAILHOUSE_CFG_ERR_TOO_LARGE,
		JAILHOUSE_CFG_ERR_RECONFIG_LOCKED,
		JAILHOUSE_CFG_ERR_NO_MEMORY,
		JAILHOUSE_CFG_ERR_CELL_ID,
		JAILHOUSE_CFG_ERR_ROOT_CELL,
		JAILHOUSE_CFG_ERR_SHUTDOWN_DENIED,
		JAILHOUSE_CFG_ERR_IOMMU,
		JAILHOUSE_CFG_ERR_CELLS_EXIST,
		/* System config rules: tests/configs/sys-iommu-*.c, at enable. */
		JAILHOUSE_CFG_ERR_IOMMU_TYPE,
		JAILHOUSE_CFG_ERR_IOMMU_UNIT,
		JAILHOUSE_CFG_ERR_IOMMU_CLAIMED,
		JAILHOUSE_CFG_ERR_IOMMU_SCOPE,
	};
	bool covered[JAILHOUSE_CFG_NUM_ERRORS] = { false };
	static struct refusal_case cases[MAX_CASES];
	size_t count = list_cases(cases);
	unsigned int n, code;

	cr_assert_gt(count, 20);
	for (n = 0; n < count; n++)
		covered[expected_code(cases[n].name)] = true;
	for (n = 0; n < sizeof(not_from_files) / sizeof(not_from_files[0]);
	     n++)
		covered[not_from_files[n]] = true;
	for (code = 0; code < JAILHOUSE_CFG_NUM_ERRORS; code++)
		cr_expect(covered[code], "no broken config for %s",
			  config_error_name(code));
}

/* The log line names the offending range to its last byte. */
Test(refusals, overlap_with_the_hypervisor_names_the_exact_range)
{
	cr_assert_eq(sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS), 0);
	cr_assert_lt(sim_cell_create_file(ROOT_CPU,
					  BAD_CELL("bad-mem-hypervisor")), 0);
	cr_assert(log_contains("(0x3c000000-0x3c0fffff)"), "%s", hv_log());
}
