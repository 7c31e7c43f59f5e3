// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for the jailhouse driver, preloaded (LD_PRELOAD) into the CLI
 * by tests/cli/test_cli.py. It intercepts open, ioctl and read on one path
 * and leaves every other file alone.
 *
 * Environment:
 *   FAKE_JH_DEVICE      the path that stands for /dev/jailhouse
 *   FAKE_JH_DIR         a directory for the files below
 *   FAKE_JH_OPEN_ERRNO  if set, opening the device fails with this errno
 *
 * Files in FAKE_JH_DIR:
 *   log      written: one line per ioctl, "NAME key=value ...", and one
 *            "IMAGE ..." line per image of a CELL_LOAD
 *   PID-N-*.bin  written: the bytes a request pointed to (config, images)
 *   script   read: lines "NAME ERRNO SOURCE CODE ITEM [RET]"; each ioctl
 *            of that NAME consumes the next line: ERRNO 0 succeeds with
 *            RET, anything else fails and is what JAILHOUSE_GET_LAST_ERROR
 *            tells afterwards. Requests without a line succeed with 0.
 *   console  read: what read() on the device returns before end of file
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jailhouse/ioctl.h>

#define MAX_SCRIPT 64

struct script_line {
	char name[32];
	int error;
	unsigned int source, code, item;
	long ret;
	int used;
};

static struct script_line script[MAX_SCRIPT];
static int script_lines = -1;
static int fake_fd = -1;
static int call_count;
static struct jailhouse_last_error last;
static FILE *console_file;

static const char *dir_file(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("FAKE_JH_DIR");

	snprintf(buf, size, "%s/%s", dir ? dir : ".", name);
	return buf;
}

static void load_script(void)
{
	char path[512], line[256];
	FILE *f;

	script_lines = 0;
	f = fopen(dir_file("script", path, sizeof(path)), "r");
	if (!f)
		return;
	while (script_lines < MAX_SCRIPT && fgets(line, sizeof(line), f)) {
		struct script_line *s = &script[script_lines];

		s->ret = 0;
		if (sscanf(line, "%31s %d %u %u %u %ld", s->name, &s->error,
			   &s->source, &s->code, &s->item, &s->ret) >= 5)
			script_lines++;
	}
	fclose(f);
}

static struct script_line *next_result(const char *name)
{
	int i;

	if (script_lines < 0)
		load_script();
	for (i = 0; i < script_lines; i++)
		if (!script[i].used && !strcmp(script[i].name, name)) {
			script[i].used = 1;
			return &script[i];
		}
	return NULL;
}

static void log_line(const char *fmt, ...)
{
	char path[512];
	va_list ap;
	FILE *f = fopen(dir_file("log", path, sizeof(path)), "a");

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

/* Saves size bytes at a user address; returns the file's name. */
static const char *save_blob(const char *what, __u64 address, __u64 size,
			     char *name, size_t name_size)
{
	char path[512];
	FILE *f;

	snprintf(name, name_size, "%d-%d-%s.bin", (int)getpid(), call_count,
		 what);
	f = fopen(dir_file(name, path, sizeof(path)), "wb");
	if (!f)
		return "-";
	if (size)
		fwrite((const void *)(uintptr_t)address, 1, size, f);
	fclose(f);
	return name;
}

static void log_config(const char *name, const struct jailhouse_config_args *a)
{
	char blob[64];

	log_line("%s size=%u padding=%u blob=%s", name, a->size, a->padding,
		 save_blob("config", a->address, a->size, blob, sizeof(blob)));
}

static void log_cell_id(const char *name, const struct jailhouse_cell_id *id)
{
	log_line("%s id=%d name=%.*s padding=%u", name, id->id,
		 (int)sizeof(id->name), id->name, id->padding);
}

static void log_load(const struct jailhouse_cell_load *load)
{
	char what[32], blob[64];
	__u32 i;

	log_line("CELL_LOAD id=%d name=%.*s images=%u padding=%u",
		 load->cell_id.id, (int)sizeof(load->cell_id.name),
		 load->cell_id.name, load->num_preload_images,
		 load->padding | load->cell_id.padding);
	for (i = 0; i < load->num_preload_images; i++) {
		const struct jailhouse_preload_image *img = &load->image[i];

		snprintf(what, sizeof(what), "image%u", i);
		log_line("IMAGE index=%u size=%llu target=0x%llx padding=%llu "
			 "blob=%s", i, (unsigned long long)img->size,
			 (unsigned long long)img->target_address,
			 (unsigned long long)img->padding,
			 save_blob(what, img->source_address, img->size, blob,
				   sizeof(blob)));
	}
}

static const char *request_name(unsigned long request)
{
	switch (request) {
	case JAILHOUSE_ENABLE:
		return "ENABLE";
	case JAILHOUSE_DISABLE:
		return "DISABLE";
	case JAILHOUSE_CELL_CREATE:
		return "CELL_CREATE";
	case JAILHOUSE_CELL_LOAD:
		return "CELL_LOAD";
	case JAILHOUSE_CELL_START:
		return "CELL_START";
	case JAILHOUSE_CELL_DESTROY:
		return "CELL_DESTROY";
	case JAILHOUSE_GET_LAST_ERROR:
		return "GET_LAST_ERROR";
	default:
		return NULL;
	}
}

static int fake_ioctl(unsigned long request, void *arg)
{
	const char *name = request_name(request);
	struct script_line *res;

	call_count++;
	if (!name) {
		log_line("UNKNOWN request=0x%lx", request);
		errno = ENOTTY;
		return -1;
	}
	switch (request) {
	case JAILHOUSE_GET_LAST_ERROR:
		log_line("GET_LAST_ERROR");
		memcpy(arg, &last, sizeof(last));
		return 0;
	case JAILHOUSE_ENABLE:
	case JAILHOUSE_CELL_CREATE:
		log_config(name, arg);
		break;
	case JAILHOUSE_CELL_LOAD:
		log_load(arg);
		break;
	case JAILHOUSE_CELL_START:
	case JAILHOUSE_CELL_DESTROY:
		log_cell_id(name, arg);
		break;
	default:
		log_line("%s", name);
	}
	memset(&last, 0, sizeof(last));
	res = next_result(name);
	if (!res)
		return 0;
	if (res->error == 0)
		return res->ret;
	last.error = res->error;
	last.source = res->source;
	last.code = res->code;
	last.item = res->item;
	errno = res->error;
	return -1;
}

static int is_device(const char *path)
{
	const char *dev = getenv("FAKE_JH_DEVICE");

	return dev && path && !strcmp(path, dev);
}

static int open_device(void)
{
	int (*real_open)(const char *, int, ...) = dlsym(RTLD_NEXT, "open");
	const char *err = getenv("FAKE_JH_OPEN_ERRNO");

	if (err) {
		errno = atoi(err);
		return -1;
	}
	fake_fd = real_open("/dev/null", O_RDWR);
	return fake_fd;
}

int open(const char *path, int flags, ...)
{
	int (*real_open)(const char *, int, ...) = dlsym(RTLD_NEXT, "open");
	mode_t mode = 0;
	va_list ap;

	if (is_device(path))
		return open_device();
	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	int (*real_open)(const char *, int, ...) = dlsym(RTLD_NEXT, "open64");
	mode_t mode = 0;
	va_list ap;

	if (is_device(path))
		return open_device();
	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return real_open(path, flags, mode);
}

int ioctl(int fd, unsigned long request, ...)
{
	int (*real_ioctl)(int, unsigned long, ...) = dlsym(RTLD_NEXT, "ioctl");
	void *arg;
	va_list ap;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd >= 0 && fd == fake_fd)
		return fake_ioctl(request, arg);
	return real_ioctl(fd, request, arg);
}

ssize_t read(int fd, void *buf, size_t count)
{
	ssize_t (*real_read)(int, void *, size_t) = dlsym(RTLD_NEXT, "read");
	char path[512];

	if (fd < 0 || fd != fake_fd)
		return real_read(fd, buf, count);
	if (!console_file)
		console_file = fopen(dir_file("console", path, sizeof(path)),
				     "rb");
	if (!console_file)
		return 0;
	/* Small pieces, as a driver handing out console output would. */
	return fread(buf, 1, count < 7 ? count : 7, console_file);
}
