/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A machine's files to read: the running system, a directory copy of them
 * or a `config collect` archive (sysroot.c).
 */
#ifndef _TOOLS_SYSROOT_H
#define _TOOLS_SYSROOT_H

#include "jailhouse.h"
#include "sysinfo.h"

struct sysroot;

struct name_list {
	char **names;
	unsigned int count;
};

/*
 * path: a directory ("/" is the running system) or a tar archive; err
 * says what is wrong with it, without its name.
 */
int sysroot_open(const char *path, struct sysroot **root, char *err);
void sysroot_close(struct sysroot *root);
/* From now on, every file and link read is appended to tar. */
void sysroot_record(struct sysroot *root, struct buffer *tar);
int tar_finish(struct buffer *tar);

/* These return 0 or an errno; rel is relative to the root. */
int sysroot_read(struct sysroot *root, const char *rel, struct buffer *buf);
int sysroot_readlink(struct sysroot *root, const char *rel, char *target,
		     size_t size);
int sysroot_list(struct sysroot *root, const char *rel, struct name_list *list);
void name_list_free(struct name_list *list);

#endif
