// SPDX-License-Identifier: GPL-2.0
/*
 * Where `config create` reads a machine from: the running system ("/"), a
 * copy of its files in a directory (--root DIR), or the archive `config
 * collect` wrote (--root FILE.tar). Paths are relative to that root
 * ("proc/iomem"). Reading the running system can record every file and
 * link it reads into a tar archive: that is `config collect`, so the
 * archive holds exactly the files create reads.
 *
 * The archive is POSIX ustar: 512-byte headers (name, octal size, type,
 * link name, checksum), data padded to 512 bytes, two zero blocks at the
 * end. The reader checks every header's checksum and that each member's
 * data lies within the file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysroot.h"

#define BLOCK 512
#define MAX_FILE (4u << 20)
#define MAX_MEMBERS 8192

struct member {
	char name[260];
	char type; /* '0' file, '2' symlink, '5' directory */
	const uint8_t *data;
	size_t size;
	char link[101];
};

struct sysroot {
	char dir[4096]; /* a directory, "" for an archive */
	struct buffer archive;
	struct member *members;
	unsigned int num_members;
	struct buffer *record; /* tar being written, or NULL */
};

static uint64_t octal(const uint8_t *p, size_t n, bool *ok)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < n && p[i] == ' ')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (v >> 60)
			*ok = false;
		v = v << 3 | (p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != '\0')
			*ok = false;
	return v;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static int index_archive(struct sysroot *root, char *err)
{
	const uint8_t *p = root->archive.data;
	size_t len = root->archive.size, off = 0;

	if (len % BLOCK)
		return snprintf(err, ERR_LEN,
				"not a tar archive: %zu bytes is "
				"not a multiple of 512",
				len),
		       -1;
	root->members = calloc(MAX_MEMBERS, sizeof(*root->members));
	if (!root->members)
		return snprintf(err, ERR_LEN, "out of memory"), -1;
	while (off + BLOCK <= len) {
		const uint8_t *h = p + off;
		struct member *m;
		unsigned int sum = 0, i;
		bool ok = true;
		uint64_t size, stored;

		if (all_zero(h, BLOCK))
			break;
		for (i = 0; i < BLOCK; i++)
			sum += (i >= 148 && i < 156) ? ' ' : h[i];
		stored = octal(h + 148, 8, &ok);
		if (!ok || stored != sum)
			return snprintf(err, ERR_LEN,
					"header at offset %zu: "
					"checksum wrong (not a tar archive, or "
					"corrupt)",
					off),
			       -1;
		size = octal(h + 124, 12, &ok);
		if (!ok || size > len - off - BLOCK)
			return snprintf(err, ERR_LEN,
					"member at offset %zu: "
					"size runs past the end (truncated)",
					off),
			       -1;
		if (root->num_members == MAX_MEMBERS)
			return snprintf(err, ERR_LEN, "more than %u members",
					MAX_MEMBERS),
			       -1;
		m = &root->members[root->num_members++];
		if (h[345] && !memcmp(h + 257, "ustar", 5))
			snprintf(m->name, sizeof(m->name), "%.155s/%.100s",
				 (const char *)h + 345, (const char *)h);
		else
			snprintf(m->name, sizeof(m->name), "%.100s",
				 (const char *)h);
		while (!strncmp(m->name, "./", 2))
			memmove(m->name, m->name + 2, strlen(m->name) - 1);
		i = strlen(m->name);
		while (i && m->name[i - 1] == '/')
			m->name[--i] = '\0';
		m->type = h[156] ? h[156] : '0';
		m->data = h + BLOCK;
		m->size = size;
		snprintf(m->link, sizeof(m->link), "%.100s",
			 (const char *)h + 157);
		off += BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
	}
	return 0;
}

int sysroot_open(const char *path, struct sysroot **out, char *err)
{
	struct sysroot *root = calloc(1, sizeof(*root));
	struct stat st;
	int e;

	if (!root)
		return snprintf(err, ERR_LEN, "out of memory"), -1;
	*out = root;
	if (stat(path, &st))
		return snprintf(err, ERR_LEN, "%s", strerror(errno)), -1;
	if (S_ISDIR(st.st_mode)) {
		snprintf(root->dir, sizeof(root->dir), "%s",
			 strcmp(path, "/") ? path : "");
		return 0;
	}
	e = read_file(path, &root->archive);
	if (e)
		return snprintf(err, ERR_LEN, "%s", strerror(e)), -1;
	return index_archive(root, err);
}

void sysroot_close(struct sysroot *root)
{
	if (!root)
		return;
	free(root->archive.data);
	free(root->members);
	free(root);
}

void sysroot_record(struct sysroot *root, struct buffer *tar)
{
	root->record = tar;
}

static struct member *find(struct sysroot *root, const char *rel)
{
	unsigned int i;

	for (i = 0; i < root->num_members; i++)
		if (!strcmp(root->members[i].name, rel))
			return &root->members[i];
	return NULL;
}

/* Appends a member to a tar being written; 0 or an errno. */
static int tar_add(struct buffer *tar, const char *name, char type,
		   const void *data, size_t size, const char *link)
{
	size_t need = BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
	size_t name_len = strlen(name), split = 0;
	unsigned int sum = 0, i;
	uint8_t *h;
	char *grown;

	if (name_len > 100) {
		/* prefix/name split at a slash: prefix <= 155, name <= 100 */
		for (split = name_len - 1; split > 0; split--)
			if (name[split] == '/' && split <= 155 &&
			    name_len - split - 1 <= 100)
				break;
		if (!split)
			return ENAMETOOLONG;
	}
	if (link && strlen(link) > 100)
		return ENAMETOOLONG;
	grown = realloc(tar->data, tar->size + need);
	if (!grown)
		return ENOMEM;
	tar->data = grown;
	h = (uint8_t *)grown + tar->size;
	memset(h, 0, need);
	if (split) {
		memcpy(h, name + split + 1, name_len - split - 1);
		memcpy(h + 345, name, split);
	} else {
		memcpy(h, name, name_len);
	}
	snprintf((char *)h + 100, 8, "%07o", type == '5' ? 0755 : 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = type;
	if (link)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	if (size)
		memcpy(h + BLOCK, data, size);
	tar->size += need;
	return 0;
}

int tar_finish(struct buffer *tar)
{
	char *grown = realloc(tar->data, tar->size + 2 * BLOCK);

	if (!grown)
		return ENOMEM;
	tar->data = grown;
	memset(grown + tar->size, 0, 2 * BLOCK);
	tar->size += 2 * BLOCK;
	return 0;
}

/*
 * A file of the running system or a directory copy, bounded. The kernel
 * log device hands out one record per read, the whole of one or EINVAL
 * (hence the headroom), says EAGAIN at its end instead of 0 and EPIPE
 * where records were overwritten under the reader (read on from there).
 */
#define READ_HEADROOM 8192

static int read_bounded(const char *path, struct buffer *buf)
{
	size_t cap = 2 * READ_HEADROOM, len = 0;
	char *data = malloc(cap);
	int fd = open(path, O_RDONLY | O_NONBLOCK), e = 0;

	if (fd < 0 || !data) {
		e = fd < 0 ? errno : ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < READ_HEADROOM) {
			char *bigger;

			if (cap >= MAX_FILE) {
				e = EFBIG;
				goto out;
			}
			bigger = realloc(data, cap * 2);
			if (!bigger) {
				e = ENOMEM;
				goto out;
			}
			data = bigger;
			cap *= 2;
		}
		n = read(fd, data + len, cap - len);
		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			e = errno;
			goto out;
		}
		if (n == 0)
			break;
		len += n;
	}
out:
	if (fd >= 0)
		close(fd);
	if (e) {
		free(data);
		return e;
	}
	buf->data = data;
	buf->size = len;
	return 0;
}

int sysroot_read(struct sysroot *root, const char *rel, struct buffer *buf)
{
	char path[8192];
	struct member *m;
	int e;

	if (root->members) {
		m = find(root, rel);
		if (!m)
			return ENOENT;
		if (m->type != '0')
			return EISDIR;
		buf->data = malloc(m->size ? m->size : 1);
		if (!buf->data)
			return ENOMEM;
		memcpy(buf->data, m->data, m->size);
		buf->size = m->size;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", root->dir, rel);
	e = read_bounded(path, buf);
	if (!e && root->record) {
		e = tar_add(root->record, rel, '0', buf->data, buf->size, NULL);
		if (e)
			free(buf->data);
	}
	return e;
}

int sysroot_readlink(struct sysroot *root, const char *rel, char *target,
		     size_t size)
{
	char path[8192];
	struct member *m;
	ssize_t n;

	if (root->members) {
		m = find(root, rel);
		if (!m)
			return ENOENT;
		if (m->type != '2')
			return EINVAL;
		snprintf(target, size, "%s", m->link);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", root->dir, rel);
	n = readlink(path, target, size - 1);
	if (n < 0)
		return errno;
	target[n] = '\0';
	if (root->record)
		return tar_add(root->record, rel, '2', NULL, 0, target);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_name(struct name_list *list, const char *name, size_t len)
{
	unsigned int i;
	char **grown;

	for (i = 0; i < list->count; i++)
		if (strlen(list->names[i]) == len &&
		    !strncmp(list->names[i], name, len))
			return 0;
	grown = realloc(list->names, (list->count + 1) * sizeof(char *));
	if (!grown)
		return ENOMEM;
	list->names = grown;
	list->names[list->count] = strndup(name, len);
	if (!list->names[list->count])
		return ENOMEM;
	list->count++;
	return 0;
}

int sysroot_list(struct sysroot *root, const char *rel, struct name_list *list)
{
	size_t plen = strlen(rel);
	unsigned int i;
	int e = 0;

	list->names = NULL;
	list->count = 0;
	if (root->members) {
		bool found = false;

		for (i = 0; i < root->num_members && !e; i++) {
			const char *n = root->members[i].name, *slash;

			if (strncmp(n, rel, plen) || n[plen] != '/')
				continue;
			found = true;
			n += plen + 1;
			slash = strchr(n, '/');
			e = add_name(list, n,
				     slash ? (size_t)(slash - n) : strlen(n));
		}
		if (!found && !e)
			e = ENOENT;
	} else {
		char path[8192];
		struct dirent *d;
		DIR *dir;

		snprintf(path, sizeof(path), "%s/%s", root->dir, rel);
		dir = opendir(path);
		if (!dir)
			return errno;
		while (!e && (d = readdir(dir)))
			if (d->d_name[0] != '.')
				e = add_name(list, d->d_name,
					     strlen(d->d_name));
		closedir(dir);
	}
	if (e) {
		name_list_free(list);
		return e;
	}
	qsort(list->names, list->count, sizeof(char *), cmp_names);
	return 0;
}

void name_list_free(struct name_list *list)
{
	unsigned int i;

	for (i = 0; i < list->count; i++)
		free(list->names[i]);
	free(list->names);
	list->names = NULL;
	list->count = 0;
}
