// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to the driver through /dev/jailhouse (JAILHOUSE_DEVICE overrides
 * the path, for tests): opening it, issuing a request and, when the request
 * fails, asking the driver why and saying so in words.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "jailhouse.h"

const char *device_path(void)
{
	const char *env = getenv("JAILHOUSE_DEVICE");

	return env && *env ? env : JAILHOUSE_DEVICE_PATH;
}

/* Opens the device; returns 0, or an exit code after printing why not. */
int driver_open(int *fd)
{
	const char *path = device_path();

	*fd = open(path, O_RDWR | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	switch (errno) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return fail(EXIT_NOT_ENABLED, "cannot open %s: %s "
			    "(is the jailhouse module loaded?)", path,
			    strerror(errno));
	case EACCES:
	case EPERM:
		return fail(EXIT_IO, "cannot open %s: %s (are you root?)",
			    path, strerror(errno));
	default:
		return fail(EXIT_IO, "cannot open %s: %s", path,
			    strerror(errno));
	}
}

/* A failure the driver gave no reason for: the errno alone. */
static int report_errno(int err, const struct request *req)
{
	switch (err) {
	case ENODEV:
		return fail(EXIT_NOT_ENABLED, "jailhouse is not enabled "
			    "(is the jailhouse module loaded?)");
	case ENOENT:
		if (req->cell_name && !req->config_path)
			return fail(EXIT_REFUSED, "no cell named \"%s\"",
				    req->cell_name);
		return fail(EXIT_REFUSED, "refused: %s", strerror(err));
	case EPERM:
	case EACCES:
		return fail(EXIT_IO, "%s (are you root?)", strerror(err));
	case ENOTTY:
		return fail(EXIT_IO, "the driver does not know this request "
			    "(do driver and tool versions match?)");
	case EINVAL:
	case EBUSY:
	case EEXIST:
	case E2BIG:
		return fail(EXIT_REFUSED, "refused by the driver: %s",
			    strerror(err));
	default:
		return fail(EXIT_IO, "request failed: %s", strerror(err));
	}
}

static int report_hv(const struct jailhouse_last_error *le,
		     const struct request *req)
{
	int code = hv_error_is_static(le->code) ? EXIT_CONFIG : EXIT_REFUSED;
	char why[256];

	describe_hv_error(why, sizeof(why), le->code, le->item, req);
	if (req->config_path && hv_error_about_config(le->code))
		return fail(code, "%s: %s", req->config_path, why);
	return fail(code, "%s", why);
}

static int report_drv(const struct jailhouse_last_error *le,
		      const struct request *req)
{
	int code = EXIT_REFUSED;
	char why[256];

	switch (le->code) {
	case JAILHOUSE_DRV_ERR_NOT_ENABLED:
	case JAILHOUSE_DRV_ERR_FIRMWARE:
		code = EXIT_NOT_ENABLED;
		break;
	case JAILHOUSE_DRV_ERR_CONFIG_SIZE:
		code = EXIT_CONFIG;
		break;
	}
	describe_drv_error(why, sizeof(why), le->code, le->item, req);
	if (req->config_path && le->code == JAILHOUSE_DRV_ERR_CONFIG_SIZE)
		return fail(code, "%s: %s", req->config_path, why);
	return fail(code, "%s", why);
}

/*
 * Issues one ioctl. Returns 0 (and the ioctl's value in *result if result
 * is given), or an exit code after printing why the request failed.
 */
int driver_request(int fd, unsigned long request, void *arg,
		   const struct request *req, long *result)
{
	struct jailhouse_last_error le;
	int ret = ioctl(fd, request, arg);
	int err = errno;

	if (ret >= 0) {
		if (result)
			*result = ret;
		return 0;
	}
	memset(&le, 0, sizeof(le));
	if (ioctl(fd, JAILHOUSE_GET_LAST_ERROR, &le) < 0 || le.error != err)
		le.source = JAILHOUSE_ERROR_SOURCE_NONE;
	switch (le.source) {
	case JAILHOUSE_ERROR_SOURCE_HYPERVISOR:
		return report_hv(&le, req);
	case JAILHOUSE_ERROR_SOURCE_DRIVER:
		return report_drv(&le, req);
	default:
		return report_errno(err, req);
	}
}
