// SPDX-License-Identifier: GPL-2.0
/*
 * The jailhouse command-line tool: enable and disable the hypervisor, show
 * its console, manage cells (cell.c) and check configs offline (config.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jailhouse.h"
#include "machine.h"

static const char main_help[] =
	"Usage: jailhouse COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  enable SYSCONFIG            load and enable the hypervisor\n"
	"  disable                     destroy all cells, disable the "
	"hypervisor\n"
	"  console [-f|--follow]       print the hypervisor's console\n"
	"  cell create CELLCONFIG      create a cell\n"
	"  cell load NAME|ID IMAGE [-a ADDR]... [-s STRING -a ADDR]\n"
	"                              load images into a stopped cell\n"
	"  cell start NAME|ID          start a loaded cell\n"
	"  cell shutdown NAME|ID       stop a cell, leaving it loadable\n"
	"  cell destroy NAME|ID        destroy a cell\n"
	"  cell list                   list the cells\n"
	"  cell stats NAME|ID          show a cell's exit statistics\n"
	"  config check FILE...        check configs offline\n"
	"  config show FILE...         print configs in words\n"
	"  config create [-o FILE] [--root DIR] [options]\n"
	"                              generate this machine's system config\n"
	"  config collect FILE         pack the files create reads\n"
	"  hardware check [--root DIR] can this machine run the hypervisor?\n"
	"\n"
	"Options: --help (also after any command), --version.\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  I/O error: a file or the device could not be read or written\n"
	"  2  usage error\n"
	"  3  a config file is invalid\n"
	"  4  refused by the hypervisor or the driver, or no such cell\n"
	"  5  no driver loaded, or the hypervisor is not enabled\n"
	"\n"
	"Environment: JAILHOUSE_DEVICE (default " JAILHOUSE_DEVICE_PATH ")\n"
	"and "
	"JAILHOUSE_SYSFS (default " JAILHOUSE_SYSFS_PATH ") override\n"
	"where the driver is found.\n";

static const char enable_help[] =
	"Usage: jailhouse enable SYSCONFIG\n"
	"\n"
	"Checks the system config offline, then has the driver load the\n"
	"hypervisor image (jailhouse.bin, through the firmware loader) into\n"
	"the memory the config reserves and start it on every online CPU.\n"
	"Linux continues as the root cell.\n";

static const char disable_help[] =
	"Usage: jailhouse disable\n"
	"\n"
	"Destroys every non-root cell (each may deny its shutdown) and turns\n"
	"the hypervisor off; all resources go back to Linux.\n";

static const char console_help[] =
	"Usage: jailhouse console [-f|--follow]\n"
	"\n"
	"Prints what the hypervisor wrote to its console buffer. It is kept\n"
	"after a failed enable or a disable, to read why. With -f, prints the\n"
	"buffer and then new output as it comes, until the hypervisor is\n"
	"disabled or the command is interrupted.\n";

static int no_args(int argc, char **argv, const char *help, int *done)
{
	*done = 1;
	if (argc >= 1 && is_help(argv[0])) {
		fputs(help, stdout);
		return 0;
	}
	if (argc > 0)
		return usage_error("unexpected argument \"%s\"", argv[0]);
	*done = 0;
	return 0;
}

static int cmd_enable(int argc, char **argv)
{
	struct jailhouse_config_args args;
	struct request req = { 0 };
	struct buffer buf;
	int fd, ret;

	if (argc >= 1 && is_help(argv[0])) {
		fputs(enable_help, stdout);
		return 0;
	}
	if (argc < 1)
		return usage_error("missing SYSCONFIG");
	if (argc > 1)
		return usage_error("unexpected argument \"%s\"", argv[1]);
	ret = check_config_for(argv[0], true, &buf);
	if (ret)
		return ret;
	memset(&args, 0, sizeof(args));
	args.address = (uintptr_t)buf.data;
	args.size = buf.size;
	req.config_path = argv[0];
	ret = driver_open(&fd);
	if (!ret)
		ret = driver_request(fd, JAILHOUSE_ENABLE, &args, &req, NULL);
	free(buf.data);
	return ret;
}

static int cmd_disable(int argc, char **argv)
{
	struct request req = { 0 };
	int fd, ret, done;

	ret = no_args(argc, argv, disable_help, &done);
	if (done)
		return ret;
	ret = driver_open(&fd);
	if (ret)
		return ret;
	return driver_request(fd, JAILHOUSE_DISABLE, NULL, &req, NULL);
}

static int write_all(const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(EXIT_IO, "cannot write: %s",
				    strerror(errno));
		data += n;
		len -= n;
	}
	return 0;
}

/* Reads the device until the driver says the console ended. */
static int console_follow(void)
{
	char chunk[4096];
	ssize_t n;
	int fd, ret;

	ret = driver_open(&fd);
	if (ret)
		return ret;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENODEV)
			ret = fail(EXIT_NOT_ENABLED, "jailhouse is not enabled "
				   "(is the jailhouse module loaded?)");
		else if (n < 0)
			ret = fail(EXIT_IO, "cannot read %s: %s",
				   device_path(), strerror(errno));
		else
			ret = write_all(chunk, n);
		if (ret)
			break;
	}
	close(fd);
	return ret;
}

static int cmd_console(int argc, char **argv)
{
	struct buffer buf;
	char path[512];
	bool follow = false;
	int i, err;

	for (i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(console_help, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--follow"))
			follow = true;
		else
			return usage_error("unexpected argument \"%s\"",
					   argv[i]);
	}
	if (follow)
		return console_follow();
	snprintf(path, sizeof(path), "%s/console", sysfs_root());
	err = read_file(path, &buf);
	if (err == ENOENT || err == ENOTDIR)
		return fail(EXIT_NOT_ENABLED, "no hypervisor console "
			    "(is the jailhouse module loaded?)");
	if (err)
		return fail(EXIT_IO, "cannot read %s: %s", path,
			    strerror(err));
	err = write_all(buf.data, buf.size);
	free(buf.data);
	return err;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} cmds[] = {
		{ "enable", cmd_enable }, { "disable", cmd_disable },
		{ "console", cmd_console }, { "cell", cmd_cell },
		{ "config", cmd_config }, { "hardware", cmd_hardware },
	};
	static char name[64];
	unsigned int i;

	if (argc < 2)
		return usage_error("missing command");
	if (is_help(argv[1]) || !strcmp(argv[1], "help")) {
		fputs(main_help, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("jailhouse %s (config revision %u, ioctl ABI %u)\n",
		       JAILHOUSE_TOOL_VERSION, JAILHOUSE_CONFIG_REVISION,
		       JAILHOUSE_IOCTL_ABI_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			snprintf(name, sizeof(name), "jailhouse %s",
				 cmds[i].name);
			command_name = name;
			return cmds[i].run(argc - 2, argv + 2);
		}
	return usage_error("unknown command \"%s\"", argv[1]);
}
