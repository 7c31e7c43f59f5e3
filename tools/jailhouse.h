/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared declarations of the jailhouse command-line tool.
 */
#ifndef _TOOLS_JAILHOUSE_H
#define _TOOLS_JAILHOUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jailhouse/ioctl.h>

#define JAILHOUSE_TOOL_VERSION "0.1"

/* Exit codes, one per class of failure (documented in --help). */
#define EXIT_IO 1 /* a file or the device could not be read or written */
#define EXIT_USAGE 2 /* the command line is wrong */
#define EXIT_CONFIG 3 /* a config file is invalid */
#define EXIT_REFUSED 4 /* the hypervisor or driver refused; unknown cell */
#define EXIT_NOT_ENABLED 5 /* no driver, or the hypervisor is not enabled */

/* "jailhouse cell load" and so on, for messages. */
extern const char *command_name;

/* util.c */
int fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool is_help(const char *arg);

struct buffer {
	void *data;
	size_t size;
};

int read_file(const char *path, struct buffer *buf);
bool parse_u64(const char *s, uint64_t *val);
bool parse_uint(const char *s, unsigned int *val);

/* sysfs.c */
#define CELL_TEXT_MAX 256

struct cell_info {
	unsigned int id;
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
	char state[32];
	char cpus_assigned[CELL_TEXT_MAX];
	char cpus_failed[CELL_TEXT_MAX];
};

const char *sysfs_root(void);
int sysfs_read(const char *rel, char *buf, size_t size);
int sysfs_check_enabled(void);
int sysfs_cells(struct cell_info **cells, unsigned int *count);
bool sysfs_cell_name(unsigned int id, char *name, size_t size);
int resolve_cell(const char *arg, struct cell_info *cell);

/* What a failed request was about, for putting its refusal into words. */
struct request {
	const char *config_path; /* enable, cell create */
	const char *cell_name; /* cell commands; for create the new name */
	const char *const *image_names; /* cell load */
	unsigned int num_images;
};

/* reason.c */
void describe_hv_error(char *buf, size_t size, unsigned int code,
		       unsigned int item, const struct request *req);
void describe_drv_error(char *buf, size_t size, unsigned int code,
			unsigned int item, const struct request *req);
bool hv_error_is_static(unsigned int code);
bool hv_error_about_config(unsigned int code);

/* driver.c */
const char *device_path(void);
int driver_open(int *fd);
int driver_request(int fd, unsigned long request, void *arg,
		   const struct request *req, long *result);

/* config.c */
int check_config_for(const char *path, bool system, struct buffer *buf);
bool config_is_system(const struct buffer *buf);
bool config_validate(const struct buffer *buf, bool system, char *why,
		     size_t size, bool *layout_ok);
int cmd_config(int argc, char **argv);

/* config_show.c */
int config_show(int argc, char **argv);

/* cell.c */
int cmd_cell(int argc, char **argv);

#endif
