// SPDX-License-Identifier: GPL-2.0
/*
 * Offline config validation: `jailhouse config check FILE...`, and the same
 * check run before `enable` and `cell create` hand a config to the driver.
 * It is the hypervisor's own validator (src/config_check.c) compiled for
 * the host, so a file that passes here fails in the hypervisor only for
 * reasons that need the running system (CPU, memory or device ownership).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <core/config_check.h>

#include "jailhouse.h"
#include "machine.h"

bool config_is_system(const struct buffer *buf)
{
	return buf->size >= JAILHOUSE_SIGNATURE_SIZE &&
	       !memcmp(buf->data, JAILHOUSE_SYSTEM_SIGNATURE,
		       JAILHOUSE_SIGNATURE_SIZE);
}

static const struct jailhouse_cell_desc *desc_of(const struct buffer *buf)
{
	if (config_is_system(buf))
		return &((const struct jailhouse_system *)buf->data)->root_cell;
	return buf->data;
}

static unsigned int comm_regions(const struct jailhouse_cell_desc *cell)
{
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(cell);
	unsigned int i, n = 0;

	for (i = 0; i < cell->num_memory_regions; i++)
		if (mem[i].flags & JAILHOUSE_MEM_COMM_REGION)
			n++;
	return n;
}

static bool hv_memory_bad(const struct jailhouse_memory *hv)
{
	return hv->size == 0 || !PAGE_ALIGNED(hv->phys_start) ||
	       !PAGE_ALIGNED(hv->size) ||
	       hv->phys_start + hv->size < hv->phys_start;
}

/*
 * Puts a refusal of the offline check into words. Unlike a refusal from
 * the hypervisor it has the config at hand and the second item of a pair,
 * so it can be more precise. The arrays are only looked at for codes that
 * the checker reports after it has made sure they lie within the buffer.
 */
static void describe_offline(char *why, size_t size, const struct buffer *buf,
			     const struct config_error *err)
{
	const char *text = config_error_text(err->code);
	const struct jailhouse_cell_desc *cell = desc_of(buf);
	struct request none = { 0 };

	switch (err->code) {
	case JAILHOUSE_CFG_ERR_MEM_EMPTY:
	case JAILHOUSE_CFG_ERR_MEM_ALIGN:
	case JAILHOUSE_CFG_ERR_MEM_OVERFLOW:
		if (config_is_system(buf) &&
		    hv_memory_bad(&((const struct jailhouse_system *)buf->data)
					   ->hypervisor_memory)) {
			snprintf(why, size, "hypervisor memory: %s", text);
			return;
		}
		break;
	case JAILHOUSE_CFG_ERR_MEM_GUEST_OVERLAP:
	case JAILHOUSE_CFG_ERR_MEM_PHYS_OVERLAP:
		snprintf(why, size, "memory regions %u and %u: %s", err->other,
			 err->item, text);
		return;
	case JAILHOUSE_CFG_ERR_PCI_DUPLICATE:
		snprintf(why, size, "PCI devices %u and %u: %s", err->other,
			 err->item, text);
		return;
	case JAILHOUSE_CFG_ERR_COMM_REGION:
		if (comm_regions(cell) == 0) {
			snprintf(why, size, "%s: the cell has none", text);
			return;
		}
		if (comm_regions(cell) > 1 && err->other != err->item) {
			snprintf(why, size, "memory regions %u and %u: %s",
				 err->other, err->item, text);
			return;
		}
		break;
	case JAILHOUSE_CFG_ERR_IRQCHIP:
		snprintf(why, size, "%u IRQ chips, at most %u: %s",
			 cell->num_irqchips, CONFIG_MAX_IRQCHIPS, text);
		return;
	case JAILHOUSE_CFG_ERR_SIZE:
		snprintf(why, size, "%s (%zu bytes)", text, buf->size);
		return;
	default:
		break;
	}
	describe_hv_error(why, size, err->code, err->item, &none);
}

/*
 * Runs the hypervisor's validator on a loaded config; on a refusal puts it
 * into words in why and returns false. *layout_ok tells whether the
 * header and the arrays lie within the buffer as declared (a refusal for
 * a later rule), so that the config may still be read.
 */
bool config_validate(const struct buffer *buf, bool system, char *why,
		     size_t size, bool *layout_ok)
{
	struct config_error err;
	bool ok;

	if (system)
		ok = config_check_system(buf->data, buf->size, &err);
	else
		ok = config_check_cell(buf->data, buf->size, &err);
	if (layout_ok)
		*layout_ok = ok || !(err.code == JAILHOUSE_CFG_ERR_TRUNCATED ||
				     err.code == JAILHOUSE_CFG_ERR_SIGNATURE ||
				     err.code == JAILHOUSE_CFG_ERR_REVISION ||
				     err.code == JAILHOUSE_CFG_ERR_ARCH ||
				     err.code == JAILHOUSE_CFG_ERR_TOO_LARGE ||
				     err.code == JAILHOUSE_CFG_ERR_SIZE);
	if (!ok)
		describe_offline(why, size, buf, &err);
	return ok;
}

/* Checks a loaded config; prints the refusal with prefix and path. */
static bool check_buffer(const char *path, const struct buffer *buf,
			 bool system, const char *prefix)
{
	char why[256];

	if (config_validate(buf, system, why, sizeof(why), NULL))
		return true;
	fprintf(stderr, "%s%s: %s\n", prefix, path, why);
	return false;
}

/*
 * Loads a config for enable (system) or cell create and checks it before
 * it goes to the driver. Returns 0 with the bytes in buf, or an exit code
 * after printing why not.
 */
int check_config_for(const char *path, bool system, struct buffer *buf)
{
	char prefix[64];
	int err = read_file(path, buf);

	if (err)
		return fail(EXIT_IO, "cannot read %s: %s", path, strerror(err));
	if (system != config_is_system(buf) &&
	    buf->size >= JAILHOUSE_SIGNATURE_SIZE &&
	    !memcmp(buf->data,
		    system ? JAILHOUSE_CELL_DESC_SIGNATURE
			   : JAILHOUSE_SYSTEM_SIGNATURE,
		    JAILHOUSE_SIGNATURE_SIZE)) {
		free(buf->data);
		return fail(EXIT_CONFIG, "%s: is a %s config, not a %s config",
			    path, system ? "cell" : "system",
			    system ? "system" : "cell");
	}
	snprintf(prefix, sizeof(prefix), "%s: ", command_name);
	if (!check_buffer(path, buf, system, prefix)) {
		free(buf->data);
		return EXIT_CONFIG;
	}
	return 0;
}

static const char config_help[] =
	"Usage: jailhouse config check FILE...\n"
	"\n"
	"Checks system and cell configs (.cell files) offline with the\n"
	"hypervisor's own validator; a file starting with JHSYST is checked\n"
	"as a system config, anything else as a cell config. Prints one line\n"
	"per file: \"FILE: valid ...\" on stdout, or \"FILE: reason\" on\n"
	"stderr naming the offending item (memory region, CPU, PIO range,\n"
	"IRQ chip, PCI device). Rules that need the running system (who\n"
	"owns a CPU, memory or device) are only checked by the hypervisor.\n"
	"\n"
	"Exit status: 0 all valid, 3 some file invalid, 1 some file could\n"
	"not be read (and none invalid), 2 usage error.\n";

static int config_check(int argc, char **argv)
{
	int i, status = 0;
	bool invalid = false;

	command_name = "jailhouse config check";
	if (argc < 1)
		return usage_error("missing FILE");
	for (i = 0; i < argc; i++)
		if (is_help(argv[i])) {
			fputs(config_help, stdout);
			return 0;
		}
	for (i = 0; i < argc; i++) {
		struct buffer buf;
		int err = read_file(argv[i], &buf);
		bool system;

		if (err) {
			fail(EXIT_IO, "cannot read %s: %s", argv[i],
			     strerror(err));
			status = EXIT_IO;
			continue;
		}
		system = config_is_system(&buf);
		if (check_buffer(argv[i], &buf, system, ""))
			printf("%s: valid %s config \"%.*s\"\n", argv[i],
			       system ? "system" : "cell",
			       JAILHOUSE_CELL_NAME_MAXLEN, desc_of(&buf)->name);
		else
			invalid = true;
		free(buf.data);
	}
	return invalid ? EXIT_CONFIG : status;
}

int cmd_config(int argc, char **argv)
{
	command_name = "jailhouse config";
	if (argc < 1)
		return usage_error(
			"missing command (check, show, create, collect)");
	if (is_help(argv[0])) {
		fputs(config_help, stdout);
		return 0;
	}
	if (!strcmp(argv[0], "check"))
		return config_check(argc - 1, argv + 1);
	if (!strcmp(argv[0], "show"))
		return config_show(argc - 1, argv + 1);
	if (!strcmp(argv[0], "create"))
		return config_create(argc - 1, argv + 1);
	if (!strcmp(argv[0], "collect"))
		return config_collect(argc - 1, argv + 1);
	return usage_error("unknown command \"%s\"", argv[0]);
}
