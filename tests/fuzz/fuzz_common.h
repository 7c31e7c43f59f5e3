/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzzers compare between two moments: the machine as the
 * simulator's decoders see it (nested page tables, I/O bitmaps, DMA through
 * the VT-d model), and who owns each CPU. A difference aborts the fuzzer,
 * so libFuzzer keeps the input that caused it.
 */
#ifndef _FUZZ_COMMON_H
#define _FUZZ_COMMON_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <core/cell.h>
#include <sim/sim.h>

#define ROOT_CPU 0
#define QEMU_VM_CPUS 4
#define QEMU_VM_CELL CELL_DIR "/qemu-vm.cell"
#define TINY_DEMO_CELL CELL_DIR "/tiny-demo.cell"
#define APIC_DEMO_CELL CELL_DIR "/apic-demo.cell"

/* A root device that stays with root in every config the fuzzers use. */
#define ROOT_DEVICE 0x00fa

struct cell_view {
	u32 id;
	u32 state;
	u64 ept_hash; /* every leaf of the cell's nested tables, exactly */
	u64 cpus;
};

struct machine_view {
	u64 root_ept_hash;
	u64 root_ept_bytes;
	u64 io_hash; /* the I/O bitmaps a root CPU runs with, as bytes */
	u64 dma_hash; /* what a root device reaches, sampled per 2 MiB */
	u64 root_cpus;
	u64 pins[2];
	unsigned long pool_used;
	unsigned int num_cells;
	struct cell_view cells[8];
};

#define fuzz_fail(fmt, ...)                                                   \
	do {                                                                  \
		fprintf(stderr, "FUZZ INVARIANT: " fmt "\n", ##__VA_ARGS__);  \
		fuzz_dump_log();                                              \
		abort();                                                      \
	} while (0)

void fuzz_dump_log(void);
void *fuzz_read_file(const char *path, size_t *size);
void fuzz_boot(void);
void fuzz_take_view(struct machine_view *view);
/* Aborts naming the first difference. */
void fuzz_expect_view(const struct machine_view *want,
		      const struct machine_view *got, const char *when);
/* Whether a cell's nested tables map gpa (hpa and perms optional). */
bool fuzz_cell_maps(const struct cell *cell, u64 gpa, u64 *hpa, u32 *perms);
/*
 * The property test's ownership rules for every live cell, read from the
 * cell's own config: each region mapped at its place with its rights,
 * root keeps no page of a cell's private regions, the cell's CPUs are its
 * own, and nothing is mapped past the regions.
 */
void fuzz_check_ownership(void);

#endif
