/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error numbers returned by hypercalls (negated). Values follow Linux so the
 * driver can pass them to user space unchanged; the core has no libc.
 */
#ifndef _CORE_ERRNO_H
#define _CORE_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ERANGE 34
#define ENOSYS 38
#define ETIMEDOUT 110
#define EADDRINUSE 98
#define EOVERFLOW 75

#endif
