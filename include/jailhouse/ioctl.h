/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface of the jailhouse kernel driver to user space: the character
 * device /dev/jailhouse and its ioctls. Shared by the driver (driver/) and
 * the command-line tool (tools/). docs/driver-abi.md describes every call,
 * its errno values and the sysfs tree the driver provides next to it.
 *
 * Every ioctl returns 0 (JAILHOUSE_CELL_CREATE: the new cell's id) or -1
 * with errno set. After a failure, JAILHOUSE_GET_LAST_ERROR on the same
 * file descriptor tells why in a form a tool can put into words: either the
 * hypervisor's refusal (enum jailhouse_config_error and the offending item)
 * or the driver's own (enum jailhouse_driver_error below).
 *
 * All pointers are passed as __u64 so that the layout is the same for every
 * user space ABI; structures have explicit padding and no holes.
 */
#ifndef _JAILHOUSE_IOCTL_H
#define _JAILHOUSE_IOCTL_H

#include <jailhouse/types.h>
#include <jailhouse/cell-config.h>

#ifdef __KERNEL__
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

/* Bumped whenever a structure or the meaning of a call changes. */
#define JAILHOUSE_IOCTL_ABI_VERSION 1

#define JAILHOUSE_DEVICE_NAME "jailhouse"
#define JAILHOUSE_DEVICE_PATH "/dev/jailhouse"
#define JAILHOUSE_SYSFS_PATH "/sys/devices/jailhouse"

/* Most images one JAILHOUSE_CELL_LOAD may carry. */
#define JAILHOUSE_MAX_PRELOAD_IMAGES 64

/* JAILHOUSE_ENABLE and JAILHOUSE_CELL_CREATE: a config in user memory. */
struct jailhouse_config_args {
	__u64 address; /* user address of the .cell bytes */
	__u32 size; /* their length */
	__u32 padding; /* 0 */
};

/*
 * Names a cell. id >= 0 selects by id and name is ignored; id ==
 * JAILHOUSE_CELL_ID_BY_NAME selects the cell whose name equals name
 * (NUL-terminated within the field).
 */
#define JAILHOUSE_CELL_ID_BY_NAME (-1)

struct jailhouse_cell_id {
	__s32 id;
	__u32 padding; /* 0 */
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
};

/* One image copied into a cell's loadable memory. */
struct jailhouse_preload_image {
	__u64 source_address; /* user address of the bytes */
	__u64 size; /* their length; 0 is allowed and copies nothing */
	__u64 target_address; /* guest-physical address in the cell */
	__u64 padding; /* 0 */
};

/*
 * JAILHOUSE_CELL_LOAD: stops the cell (asking it for consent, like
 * shutdown), then copies the images in array order. With no images it is
 * just the shutdown: `jailhouse cell shutdown` issues it that way.
 */
struct jailhouse_cell_load {
	struct jailhouse_cell_id cell_id;
	__u32 num_preload_images;
	__u32 padding; /* 0 */
	struct jailhouse_preload_image image[];
};

/* Who refused the last failed ioctl (struct jailhouse_last_error.source). */
#define JAILHOUSE_ERROR_SOURCE_NONE 0 /* success, or the errno says it all */
#define JAILHOUSE_ERROR_SOURCE_HYPERVISOR 1 /* code: jailhouse_config_error */
#define JAILHOUSE_ERROR_SOURCE_DRIVER 2 /* code: jailhouse_driver_error */

/*
 * The outcome of the most recent ioctl on this file descriptor (other than
 * JAILHOUSE_GET_LAST_ERROR itself). After a success everything is 0. After
 * a refusal by the hypervisor the driver fills code and item from
 * JAILHOUSE_INFO_LAST_ERROR and JAILHOUSE_INFO_LAST_ERROR_ITEM.
 */
struct jailhouse_last_error {
	__s32 error; /* the positive errno the ioctl failed with, or 0 */
	__u32 source; /* JAILHOUSE_ERROR_SOURCE_* */
	__u32 code;
	__u32 item; /* CPU, region, image or cell id the code is about */
};

/*
 * Refusals the driver decides on its own, with their errno.
 * X(code name, errno, text)
 */
#define JAILHOUSE_DRIVER_ERRORS(X)                                             \
	X(DRV_OK, 0, "no error")                                               \
	X(DRV_ERR_NOT_ENABLED, 19, "the hypervisor is not enabled")           \
	X(DRV_ERR_ENABLED, 16, "the hypervisor is already enabled")           \
	X(DRV_ERR_FIRMWARE, 2, "hypervisor image jailhouse.bin not found")    \
	X(DRV_ERR_FIRMWARE_INVALID, 8,                                         \
	  "hypervisor image jailhouse.bin is invalid")                         \
	X(DRV_ERR_HV_MEMORY, 12,                                               \
	  "hypervisor memory block is not reserved or too small")             \
	X(DRV_ERR_CONFIG_SIZE, 7, "config is too large or too small")         \
	X(DRV_ERR_CPU_OFFLINE, 16, "CPU could not be taken offline")          \
	X(DRV_ERR_CPU_ONLINE, 5, "CPU could not be brought back online")      \
	X(DRV_ERR_CPU_ENABLE, 5, "CPU failed to enter the hypervisor")        \
	X(DRV_ERR_NO_CELL, 2, "no such cell")                                  \
	X(DRV_ERR_TOO_MANY_IMAGES, 7, "too many images")                      \
	X(DRV_ERR_IMAGE_OUTSIDE, 22,                                           \
	  "image does not fit into the cell's loadable memory")               \
	X(DRV_ERR_BUSY, 16, "another management request is in progress")

#define JAILHOUSE_DRV_ENUM_ENTRY(code, errno, text) JAILHOUSE_##code,
enum jailhouse_driver_error {
	JAILHOUSE_DRIVER_ERRORS(JAILHOUSE_DRV_ENUM_ENTRY)
	JAILHOUSE_DRV_NUM_ERRORS
};
#undef JAILHOUSE_DRV_ENUM_ENTRY

#define JAILHOUSE_IOCTL_MAGIC 0xb7

#define JAILHOUSE_ENABLE                                                       \
	_IOW(JAILHOUSE_IOCTL_MAGIC, 0, struct jailhouse_config_args)
#define JAILHOUSE_DISABLE _IO(JAILHOUSE_IOCTL_MAGIC, 1)
#define JAILHOUSE_CELL_CREATE                                                  \
	_IOW(JAILHOUSE_IOCTL_MAGIC, 2, struct jailhouse_config_args)
#define JAILHOUSE_CELL_LOAD                                                    \
	_IOW(JAILHOUSE_IOCTL_MAGIC, 3, struct jailhouse_cell_load)
#define JAILHOUSE_CELL_START                                                   \
	_IOW(JAILHOUSE_IOCTL_MAGIC, 4, struct jailhouse_cell_id)
#define JAILHOUSE_CELL_DESTROY                                                 \
	_IOW(JAILHOUSE_IOCTL_MAGIC, 5, struct jailhouse_cell_id)
#define JAILHOUSE_GET_LAST_ERROR                                               \
	_IOR(JAILHOUSE_IOCTL_MAGIC, 6, struct jailhouse_last_error)

#endif
