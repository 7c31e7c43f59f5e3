/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypervisor log: formatted output to the debug console and into a ring
 * buffer the driver can read later. Formats: %s %c %d %u %x %lx %llx %lld
 * %llu %ld %lu %p, with optional zero padding and width (%08llx).
 */
#ifndef _CORE_PRINTK_H
#define _CORE_PRINTK_H

#include <stdarg.h>
#include <core/types.h>
#include <jailhouse/console-ring.h>

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);
int snprintk(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define CONSOLE_RING_SIZE JAILHOUSE_CONSOLE_RING_SIZE

/* The ring itself; the image header tells the driver where it is. */
extern struct jailhouse_console_ring console_buffer;

/* Copies up to size bytes of the ring starting at sequence number from;
 * returns the number copied. *next gets the sequence to continue with. */
unsigned int console_ring_read(u64 from, char *buf, unsigned int size,
			       u64 *next);
void console_putc(char c);
/* Text to the ring and the debug console, as one piece among the CPUs. */
void console_write(const char *text, unsigned int len);
void console_reset(void);

#endif
