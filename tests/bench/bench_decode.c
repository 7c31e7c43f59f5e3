// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO decoder benchmark: decodes per second over the instructions drivers
 * really use on device registers. Pass an iteration count to keep a run
 * short under callgrind (instructions per decode = total / decodes).
 * Then the whole path an EPT violation takes: fetching the bytes through
 * 4-level guest tables in fake RAM, and decoding them. Fails (exit 1) if
 * anything is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <asm/mmio_decode.h>
#include <sim/phys.h>

struct sample {
	const char *what;
	enum x86_code_mode mode;
	u8 bytes[X86_MAX_INSN_LEN];
};

static const struct sample samples[] = {
	/* Linux writel/readl on an ioremapped register */
	{ "mov [rdi+0x300], esi", X86_MODE_64,
	  { 0x89, 0xb7, 0x00, 0x03, 0x00, 0x00 } },
	{ "mov eax, [rdi+0x20]", X86_MODE_64, { 0x8b, 0x47, 0x20 } },
	{ "movzx eax, byte [rdx]", X86_MODE_64, { 0x0f, 0xb6, 0x02 } },
	{ "mov qword [r12+rax*8+0x10], rcx", X86_MODE_64,
	  { 0x49, 0x89, 0x4c, 0xc4, 0x10 } },
	{ "mov dword [rip+0x1000], 0x1", X86_MODE_64,
	  { 0xc7, 0x05, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 } },
	/* inmate on the xAPIC: absolute addresses, 32-bit code */
	{ "mov [0xfee000b0], eax", X86_MODE_32,
	  { 0xa3, 0xb0, 0x00, 0xe0, 0xfe } },
	{ "mov word [bx+si+0x10], ax", X86_MODE_16, { 0x89, 0x40, 0x10 } },
};

#define DEFAULT_ROUNDS 2000000UL

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Guest tables for one 4 KiB code page at RIP, in fake RAM. */
#define GUEST_RIP 0xffffffff81000123ULL
#define CODE_GPA 0x10000ULL

static u64 build_guest_tables(void)
{
	const u64 tables = 0x1000, p_rw = 0x3;
	unsigned int level;
	u64 *entry;

	for (level = 4; level >= 1; level--) {
		entry = sim_phys_ptr(tables * (5 - level) +
				     ((GUEST_RIP >> (3 + 9 * level)) & 511) * 8,
				     8);
		*entry = (level > 1 ? tables * (6 - level) : CODE_GPA) | p_rw;
	}
	return tables;
}

static int read_fake_ram(void *arg, u64 gpa, void *buf, unsigned int len)
{
	void *p = sim_phys_ptr(gpa, len);

	(void)arg;
	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

/* Fetch through the guest's tables, then decode: the exit path's share. */
static int bench_fetch(unsigned long rounds)
{
	struct guest_paging pg = { .cr0 = 1ULL << 31, .cr4 = 1ULL << 5,
				   .efer = 1ULL << 10 };
	struct mmio_instruction insn;
	u8 buf[X86_MAX_INSN_LEN];
	unsigned long r, sum = 0;
	const char *why;
	double t;
	int n;

	if (sim_phys_init(16 << 20))
		return 1;
	pg.cr3 = build_guest_tables();
	memcpy(sim_phys_ptr(CODE_GPA + (GUEST_RIP & 0xfff), 6),
	       samples[0].bytes, 6);
	t = now();
	for (r = 0; r < rounds; r++) {
		n = x86_guest_fetch_insn(&pg, GUEST_RIP, buf, read_fake_ram,
					 NULL, NULL);
		if (n <= 0 || !x86_decode_mmio(buf, n, X86_MODE_64, &insn,
					       &why)) {
			printf("fetch: FAIL: %d bytes fetched\n", n);
			return 1;
		}
		sum += insn.length;
	}
	t = now() - t;
	printf("fetch+decode: %lu in %.3f s: %.1f ns each (checksum %lu)\n",
	       rounds, t, t / rounds * 1e9, sum);
	sim_phys_exit();
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) :
					  DEFAULT_ROUNDS;
	unsigned long r, decodes = 0, sum = 0;
	struct mmio_instruction insn;
	const char *why;
	unsigned int i;
	double t;

	for (i = 0; i < ARRAY_SIZE(samples); i++)
		if (!x86_decode_mmio(samples[i].bytes, X86_MAX_INSN_LEN,
				     samples[i].mode, &insn, &why)) {
			printf("decode: FAIL: %s: %s\n", samples[i].what, why);
			return 1;
		}

	t = now();
	for (r = 0; r < rounds; r++)
		for (i = 0; i < ARRAY_SIZE(samples); i++) {
			x86_decode_mmio(samples[i].bytes, X86_MAX_INSN_LEN,
					samples[i].mode, &insn, &why);
			/* Keeps the work from being optimized away. */
			sum += insn.length;
			decodes++;
		}
	t = now() - t;

	printf("decode: %lu decodes of %zu driver MMIO forms in %.3f s: "
	       "%.1f M decodes/s, %.1f ns/decode (checksum %lu)\n",
	       decodes, ARRAY_SIZE(samples), t, decodes / t / 1e6,
	       t / decodes * 1e9, sum);
	return bench_fetch(rounds);
}
