/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few C library functions the core uses. The image gets them from
 * src/lib.c; the simulator from the host C library, which has the same
 * contract.
 */
#ifndef _CORE_LIB_H
#define _CORE_LIB_H

#include <core/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strnlen(const char *s, size_t max);
int strncmp(const char *a, const char *b, size_t n);

#endif
