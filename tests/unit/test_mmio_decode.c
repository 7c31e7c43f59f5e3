// SPDX-License-Identifier: GPL-2.0
/*
 * The MMIO instruction decoder, checked against GNU binutils: `as` encodes
 * systematically generated MOV forms whose meaning the test knows, and
 * `objdump` decodes random encodings whose meaning the test does not know.
 * Then refusals, register write-back, and instruction fetch through guest
 * page tables built in fake RAM.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <asm/mmio_decode.h>
#include <asm/processor-flags.h>
#include <core/errno.h>
#include <sim/phys.h>

TestSuite(mmio_decode);

/* ---- running binutils ---- */

static char workdir[64];

static void require_binutils(void)
{
	if (system("as --version >/dev/null 2>&1") != 0 ||
	    system("objcopy --version >/dev/null 2>&1") != 0 ||
	    system("objdump --version >/dev/null 2>&1") != 0)
		cr_assert_fail("GNU binutils (as, objcopy, objdump) not found: "
			 "they are the oracle of these tests; run ci/setup");
	strcpy(workdir, "/tmp/mmio-decode-XXXXXX");
	cr_assert_not_null(mkdtemp(workdir), "cannot create a temp dir");
}

static void remove_workdir(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	cr_assert_eq(system(cmd), 0);
}

static u8 *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	u8 *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*size = n;
	return buf;
}

static const char *mode_name(enum x86_code_mode mode)
{
	return mode == X86_MODE_64 ? "64" : mode == X86_MODE_32 ? "32" : "16";
}

static void hex(char *out, size_t size, const u8 *bytes, unsigned int n)
{
	unsigned int i;

	out[0] = '\0';
	for (i = 0; i < n && 3 * i + 3 < size; i++)
		sprintf(out + 3 * i, "%02x ", bytes[i]);
}

/* ---- what a generated line means ---- */

struct expect {
	enum x86_code_mode mode;
	u8 width, reg_width;
	bool is_write, has_imm, high_byte, zero_ext;
	enum mmio_extend extend;
	unsigned int reg;
	u64 imm;
	char text[120];
};

struct case_list {
	struct expect *v;
	unsigned int n, cap;
	unsigned int per_mode[3];
};

static struct expect *add_case(struct case_list *l, enum x86_code_mode mode)
{
	struct expect *e;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		cr_assert_not_null(l->v);
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->mode = mode;
	l->per_mode[mode]++;
	return e;
}

static const char *const names64[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const names32[16] = {
	"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	"r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d",
};
static const char *const names16[16] = {
	"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
	"r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w",
};
static const char *const names8[16] = {
	"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
	"r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b",
};
static const char *const names8_high[4] = { "ah", "ch", "dh", "bh" };

static const char *reg_name(unsigned int reg, unsigned int width)
{
	switch (width) {
	case 1:
		return names8[reg];
	case 2:
		return names16[reg];
	case 4:
		return names32[reg];
	default:
		return names64[reg];
	}
}

static const char *ptr_name(unsigned int width)
{
	switch (width) {
	case 1:
		return "BYTE PTR";
	case 2:
		return "WORD PTR";
	case 4:
		return "DWORD PTR";
	default:
		return "QWORD PTR";
	}
}

/* A register operand of a MOV. */
struct regop {
	const char *name;
	u8 reg, width;
	bool high, rex;
};

static unsigned int gen_regops(enum x86_code_mode mode, struct regop *out)
{
	static const u8 widths[] = { 1, 2, 4, 8 };
	unsigned int nregs = mode == X86_MODE_64 ? 16 : 8;
	unsigned int nwidths = mode == X86_MODE_64 ? 4 : 3;
	unsigned int n = 0, w, r;

	for (w = 0; w < nwidths; w++)
		for (r = 0; r < nregs; r++) {
			if (widths[w] == 1 && r >= 4 && mode != X86_MODE_64)
				continue; /* 4-7 are AH..BH, added below */
			out[n++] = (struct regop){
				.name = reg_name(r, widths[w]),
				.reg = r,
				.width = widths[w],
				/* SPL..DIL exist only with a REX prefix. */
				.rex = r >= 8 || (widths[w] == 1 && r >= 4),
			};
		}
	for (r = 0; r < 4; r++)
		out[n++] = (struct regop){ .name = names8_high[r], .reg = r,
					   .width = 1, .high = true };
	return n;
}

/* A memory operand; rex when it names R8-R15 (no AH..BH with it). */
struct memop {
	char text[64];
	const char *pre; /* pseudo-prefix such as {disp32}, or "" */
	bool rex;
};

struct memop_list {
	struct memop v[640];
	unsigned int n;
};

static void add_mem(struct memop_list *l, const char *pre, bool rex,
		    const char *fmt, ...)
{
	struct memop *m;
	va_list ap;

	cr_assert_lt(l->n, ARRAY_SIZE(l->v));
	m = &l->v[l->n++];
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
	m->pre = pre;
	m->rex = rex;
}

static const char *const disps[] = { "", "+0x12", "-0x80", "+0x1234",
				     "-0x81" };
static const char *const scales[] = { "1", "2", "4", "8" };

/*
 * Every base with no, 8-bit and 32-bit displacements; SIB with every index
 * and scale over the bases that have special encodings (RSP/R12 need SIB,
 * RBP/R13 need a displacement); no base; absolute; RIP-relative; 32-bit
 * addresses (67); segment overrides; forced displacement sizes.
 */
static void gen_mem64(struct memop_list *l)
{
	static const unsigned int sib_bases[] = { 0, 4, 5, 12, 13, 15 };
	static const unsigned int no_base[] = { 0, 3, 5, 8, 12, 13, 15 };
	unsigned int b, i, s, k = 0;

	for (b = 0; b < 16; b++)
		for (i = 0; i < ARRAY_SIZE(disps); i++)
			add_mem(l, "", b >= 8, "[%s%s]", names64[b], disps[i]);
	for (b = 0; b < ARRAY_SIZE(sib_bases); b++)
		for (i = 0; i < 16; i++)
			for (s = 0; s < 4; s++) {
				if (i == 4)
					continue; /* RSP cannot be an index */
				add_mem(l, "", sib_bases[b] >= 8 || i >= 8,
					"[%s+%s*%s%s]", names64[sib_bases[b]],
					names64[i], scales[s],
					disps[k++ % ARRAY_SIZE(disps)]);
			}
	for (i = 0; i < ARRAY_SIZE(no_base); i++)
		for (s = 0; s < 4; s++)
			add_mem(l, "", no_base[i] >= 8, "[%s*%s+0x1000]",
				names64[no_base[i]], scales[s]);
	add_mem(l, "", false, "[0x12345678]");
	add_mem(l, "", false, "[rip+0x100]");
	add_mem(l, "", false, "[rip-0x8]");
	add_mem(l, "", false, "[rip]");
	add_mem(l, "", false, "[eax]");
	add_mem(l, "", false, "[esp]");
	add_mem(l, "", false, "[ebp]");
	add_mem(l, "", true, "[r12d]");
	add_mem(l, "", true, "[r13d+0x10]");
	add_mem(l, "", false, "[eax+ebx*2]");
	add_mem(l, "", true, "[r13d+r14d*8-0x80]");
	add_mem(l, "", false, "[eip+0x100]");
	add_mem(l, "", false, "[ebp+esi*4+0x12345]");
	add_mem(l, "", false, "fs:[rax]");
	add_mem(l, "", true, "gs:[r12+0x10]");
	add_mem(l, "", false, "es:[rbx+rcx*2]");
	add_mem(l, "", false, "cs:[rip+0x10]");
	add_mem(l, "", true, "gs:[r9d+0x10]");
	add_mem(l, "{disp32} ", false, "[rax+0x10]");
	add_mem(l, "{disp32} ", true, "[r12+0x1]");
	add_mem(l, "{disp32} ", false, "[rbp]");
	add_mem(l, "{disp8} ", false, "[rax]");
	add_mem(l, "{disp8} ", true, "[r12+r13*4]");
}

static void gen_mem32(struct memop_list *l)
{
	static const unsigned int sib_bases[] = { 0, 4, 5, 7 };
	unsigned int b, i, s, k = 0;

	for (b = 0; b < 8; b++)
		for (i = 0; i < ARRAY_SIZE(disps); i++)
			add_mem(l, "", false, "[%s%s]", names32[b], disps[i]);
	for (b = 0; b < ARRAY_SIZE(sib_bases); b++)
		for (i = 0; i < 8; i++)
			for (s = 0; s < 4; s++) {
				if (i == 4)
					continue;
				add_mem(l, "", false, "[%s+%s*%s%s]",
					names32[sib_bases[b]], names32[i],
					scales[s],
					disps[k++ % ARRAY_SIZE(disps)]);
			}
	for (i = 0; i < 8; i++)
		if (i != 4)
			add_mem(l, "", false, "[%s*%s-0x10]", names32[i],
				scales[i % 4]);
	add_mem(l, "", false, "[0x12345678]");
	add_mem(l, "", false, "[bx+si]");
	add_mem(l, "", false, "[bp+di+0x12]");
	add_mem(l, "", false, "[bp]");
	add_mem(l, "", false, "[si+0x1234]");
	add_mem(l, "", false, "[di-0x80]");
	add_mem(l, "", false, "[bx]");
	add_mem(l, "", false, "fs:[eax]");
	add_mem(l, "", false, "es:[ebx+0x10]");
	add_mem(l, "", false, "cs:[eax+ecx*8]");
	add_mem(l, "", false, "gs:[bp+si]");
	add_mem(l, "{disp32} ", false, "[eax+0x1]");
	add_mem(l, "{disp8} ", false, "[esi]");
}

static void gen_mem16(struct memop_list *l)
{
	static const char *const forms[] = { "bx+si", "bx+di", "bp+si",
					     "bp+di", "si", "di", "bp", "bx" };
	unsigned int f, i;

	for (f = 0; f < ARRAY_SIZE(forms); f++)
		for (i = 0; i < 4; i++)
			add_mem(l, "", false, "[%s%s]", forms[f], disps[i]);
	add_mem(l, "", false, "[0x1234]");
	add_mem(l, "", false, "[eax]");
	add_mem(l, "", false, "[esp+0x4]");
	add_mem(l, "", false, "[ebp+ecx*4+0x100]");
	add_mem(l, "", false, "[ebx*2+0x10]");
	add_mem(l, "", false, "[esi-0x80]");
	add_mem(l, "", false, "es:[bx+si]");
	add_mem(l, "", false, "fs:[di+0x10]");
	add_mem(l, "", false, "gs:[eax]");
	add_mem(l, "", false, "ss:[bx]");
}

static void gen_mov(struct case_list *l, enum x86_code_mode mode,
		    const struct regop *r, const struct memop *m,
		    bool is_write)
{
	struct expect *e = add_case(l, mode);

	if (is_write)
		snprintf(e->text, sizeof(e->text), "%smov %s %s, %s", m->pre,
			 ptr_name(r->width), m->text, r->name);
	else
		snprintf(e->text, sizeof(e->text), "%smov %s, %s %s", m->pre,
			 r->name, ptr_name(r->width), m->text);
	e->width = e->reg_width = r->width;
	e->is_write = is_write;
	e->reg = r->reg;
	e->high_byte = r->high;
	e->zero_ext = !is_write && r->width == 4 && mode == X86_MODE_64;
}

/* Immediates chosen to show truncation and sign extension. */
static void gen_imm(struct case_list *l, enum x86_code_mode mode,
		    const struct memop *m, unsigned int width,
		    unsigned int pick)
{
	static const char *const text[4][3] = {
		{ "0x5a", "0xff", "0x80" },
		{ "0x1234", "0xffff", "0x8000" },
		{ "0x12345678", "0xffffffff", "0x80000000" },
		{ "0x7fffffff", "-1", "-0x80000000" },
	};
	static const u64 value[4][3] = {
		{ 0x5a, 0xff, 0x80 },
		{ 0x1234, 0xffff, 0x8000 },
		{ 0x12345678, 0xffffffff, 0x80000000 },
		{ 0x7fffffff, ~0ULL, 0xffffffff80000000ULL },
	};
	unsigned int w = width == 1 ? 0 : width == 2 ? 1 : width == 4 ? 2 : 3;
	struct expect *e = add_case(l, mode);

	snprintf(e->text, sizeof(e->text), "%smov %s %s, %s", m->pre,
		 ptr_name(width), m->text, text[w][pick % 3]);
	e->width = e->reg_width = width;
	e->is_write = true;
	e->has_imm = true;
	e->imm = value[w][pick % 3];
}

static void gen_movx(struct case_list *l, enum x86_code_mode mode,
		     const struct memop *m, unsigned int reg, unsigned int src,
		     unsigned int dst, bool sign)
{
	struct expect *e = add_case(l, mode);
	const char *op = src == 4 ? "movsxd" : sign ? "movsx" : "movzx";

	snprintf(e->text, sizeof(e->text), "%s%s %s, %s %s", m->pre, op,
		 reg_name(reg, dst), ptr_name(src), m->text);
	e->width = src;
	e->reg_width = dst;
	e->reg = reg;
	e->extend = sign ? MMIO_EXTEND_SIGN : MMIO_EXTEND_ZERO;
	e->zero_ext = dst == 4 && mode == X86_MODE_64;
}

/* The first memory operands get every register; the rest a rotation. */
#define FULL_PRODUCT_MEMOPS 48

static void gen_movs(struct case_list *l, enum x86_code_mode mode,
		     const struct memop_list *mems)
{
	struct regop regs[68];
	unsigned int nregs = gen_regops(mode, regs);
	unsigned int i, k, n;
	const struct regop *r;

	for (i = 0; i < mems->n; i++) {
		n = i < FULL_PRODUCT_MEMOPS ? nregs : 6;
		for (k = 0; k < n; k++) {
			r = &regs[i < FULL_PRODUCT_MEMOPS ? k :
				  (i * 7 + k * 13) % nregs];
			if (r->high && mems->v[i].rex)
				continue;
			gen_mov(l, mode, r, &mems->v[i], false);
			gen_mov(l, mode, r, &mems->v[i], true);
		}
	}
}

static void gen_imms_and_movx(struct case_list *l, enum x86_code_mode mode,
			      const struct memop_list *mems)
{
	unsigned int nregs = mode == X86_MODE_64 ? 16 : 8;
	unsigned int wmax = mode == X86_MODE_64 ? 8 : 4;
	unsigned int i, w, reg;
	const struct memop *m;

	for (i = 0; i < mems->n; i++) {
		m = &mems->v[i];
		reg = (i * 5) % nregs;
		for (w = 1; w <= wmax; w *= 2)
			gen_imm(l, mode, m, w, i + w);
		for (w = 2; w <= wmax; w *= 2) {
			gen_movx(l, mode, m, reg, 1, w, i & 1);
			if (w > 2)
				gen_movx(l, mode, m, reg, 2, w, !(i & 1));
		}
		if (mode == X86_MODE_64)
			gen_movx(l, mode, m, reg, 4, 8, true);
	}
}

/* A0-A3: the accumulator and an absolute address of address size. */
static void gen_moffs(struct case_list *l, enum x86_code_mode mode)
{
	static const char *const addr[3][2] = {
		[X86_MODE_16] = { "0x1234", "0x12345678" },
		[X86_MODE_32] = { "0x12345678", "0x1234" },
		[X86_MODE_64] = { "0x1122334455667788", "0x12345678" },
	};
	static const char *const addr_prefix[3] = {
		[X86_MODE_16] = "addr32 ", [X86_MODE_32] = "addr16 ",
		[X86_MODE_64] = "addr32 ",
	};
	static const char *const op[3] = { "mov", "mov", "movabs" };
	unsigned int w, a, dir, wmax = mode == X86_MODE_64 ? 8 : 4;
	struct expect *e;

	for (w = 1; w <= wmax; w *= 2)
		for (a = 0; a < 2; a++)
			for (dir = 0; dir < 2; dir++) {
				e = add_case(l, mode);
				snprintf(e->text, sizeof(e->text),
					 dir ? "%s%s ds:%s, %s" :
					       "%s%s %s, ds:%s",
					 a ? addr_prefix[mode] : "",
					 a ? "mov" : op[mode],
					 dir ? addr[mode][a] : reg_name(0, w),
					 dir ? reg_name(0, w) : addr[mode][a]);
				e->width = e->reg_width = w;
				e->is_write = dir;
				e->reg = REG_RAX;
				e->zero_ext = !dir && w == 4 &&
					      mode == X86_MODE_64;
			}
}

static void gen_mode(struct case_list *l, enum x86_code_mode mode)
{
	static struct memop_list mems;

	mems.n = 0;
	if (mode == X86_MODE_64)
		gen_mem64(&mems);
	else if (mode == X86_MODE_32)
		gen_mem32(&mems);
	else
		gen_mem16(&mems);
	gen_movs(l, mode, &mems);
	gen_imms_and_movx(l, mode, &mems);
	gen_moffs(l, mode);
}

/*
 * One source for all modes. After each instruction its length, as the
 * assembler computed it, goes into a section of its own.
 */
static void write_source(const struct case_list *l, const char *path)
{
	static const char *const code[3] = { ".code16", ".code32", ".code64" };
	FILE *f = fopen(path, "w");
	int mode = -1;
	unsigned int i;

	cr_assert_not_null(f);
	fprintf(f, ".intel_syntax noprefix\n");
	for (i = 0; i < l->n; i++) {
		if ((int)l->v[i].mode != mode) {
			mode = l->v[i].mode;
			fprintf(f, "%s\n", code[mode]);
		}
		fprintf(f, "1: %s\n2:\n.pushsection .lens,\"a\"\n"
			   ".byte 2b-1b\n.popsection\n", l->v[i].text);
	}
	fclose(f);
}

static bool same_as_expected(const struct mmio_instruction *d,
			     const struct expect *e, unsigned int len)
{
	if (d->length != len || d->width != e->width ||
	    d->reg_width != e->reg_width || d->is_write != e->is_write ||
	    d->has_imm != e->has_imm || d->extend != e->extend ||
	    d->zero_extend_64 != e->zero_ext)
		return false;
	if (e->has_imm)
		return d->imm == e->imm;
	return d->reg == e->reg && d->high_byte == e->high_byte;
}

static unsigned int report(unsigned int bad, const char *what,
			   const char *text, const u8 *bytes,
			   unsigned int len, const struct mmio_instruction *d,
			   const char *why)
{
	char h[64];

	if (bad < 20) {
		hex(h, sizeof(h), bytes, len);
		fprintf(stderr,
			"mmio_decode: %s: '%s' [%s]: decoded len %u "
			"width %u/%u %s reg %u%s imm %#llx ext %d zx %d%s%s\n",
			what, text, h, d->length, d->width, d->reg_width,
			d->is_write ? "write" : "read", d->reg,
			d->high_byte ? "h" : "", (unsigned long long)d->imm,
			d->extend, d->zero_extend_64, why ? " refused: " : "",
			why ? why : "");
	}
	return bad + 1;
}

/* Decodes one assembled case, then the same bytes cut one short. */
static unsigned int check_case(const struct expect *e, const u8 *bytes,
			       unsigned int len, unsigned int left)
{
	struct mmio_instruction d;
	const char *why;
	unsigned int bad = 0;
	bool ok;

	ok = x86_decode_mmio(bytes, MIN(left, 15U), e->mode, &d, &why);
	if (!ok || !same_as_expected(&d, e, len))
		bad = report(bad, mode_name(e->mode), e->text, bytes, len, &d,
			     ok ? NULL : why);
	ok = x86_decode_mmio(bytes, len - 1, e->mode, &d, &why);
	if (ok || !strstr(why, "truncated"))
		bad = report(bad, "cut short", e->text, bytes, len - 1, &d,
			     ok ? NULL : why);
	return bad;
}

Test(mmio_decode, matches_gnu_as_for_every_generated_form)
{
	struct case_list l = { 0 };
	char src[96], cmd[512];
	size_t text_size, lens_size, off = 0;
	unsigned int i, bad = 0;
	u8 *text, *lens;

	require_binutils();
	gen_mode(&l, X86_MODE_64);
	gen_mode(&l, X86_MODE_32);
	gen_mode(&l, X86_MODE_16);
	snprintf(src, sizeof(src), "%s/forms.s", workdir);
	write_source(&l, src);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && as -o forms.o forms.s 2>as.log && "
		 "objcopy -O binary -j .text forms.o text.bin && "
		 "objcopy -O binary -j .lens forms.o lens.bin", workdir);
	if (system(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "head -20 '%s/as.log' >&2", workdir);
		cr_assert_eq(system(cmd), 0);
		cr_assert_fail("as refused the forms in %s (see above)",
			       workdir);
	}
	snprintf(src, sizeof(src), "%s/text.bin", workdir);
	text = read_all(src, &text_size);
	snprintf(src, sizeof(src), "%s/lens.bin", workdir);
	lens = read_all(src, &lens_size);
	cr_assert_eq(lens_size, l.n, "one length per generated line");

	for (i = 0; i < l.n; i++) {
		cr_assert_leq(off + lens[i], text_size);
		bad += check_case(&l.v[i], text + off, lens[i],
				  text_size - off);
		off += lens[i];
	}
	fprintf(stderr,
		"mmio_decode: GNU as oracle: %u forms (64-bit %u, 32-bit %u, "
		"16-bit %u), %u mismatches\n", l.n, l.per_mode[X86_MODE_64],
		l.per_mode[X86_MODE_32], l.per_mode[X86_MODE_16], bad);
	cr_assert_eq(bad, 0, "%u of %u forms differ from GNU as", bad, l.n);
	free(text);
	free(lens);
	free(l.v);
	remove_workdir();
}

/* ---- objdump decodes random encodings of the supported opcodes ---- */

#define SLOT 32 /* one encoding, then NOPs for objdump to resync */
#define RANDOM_PER_MODE 2000

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u32 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state >> 32;
}

/*
 * Random prefixes, REX, a supported opcode, a ModRM with a memory operand
 * and random bytes after it: whatever SIB, displacement or immediate they
 * turn into is for objdump to say, not for the test.
 */
static void gen_raw(enum x86_code_mode mode, u8 *slot)
{
	static const u8 seg[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	static const u16 ops[] = { 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7,
				   0xa0, 0xa1, 0xa2, 0xa3, 0x0fb6, 0x0fb7,
				   0x0fbe, 0x0fbf, 0x63 };
	unsigned int n = 0, i, npfx = rnd() % 4;
	u16 op = ops[rnd() % (ARRAY_SIZE(ops) - (mode != X86_MODE_64))];
	u8 modrm;

	for (i = 0; i < npfx; i++) {
		switch (rnd() % 3) {
		case 0:
			slot[n++] = 0x66;
			break;
		case 1:
			slot[n++] = 0x67;
			break;
		default:
			slot[n++] = seg[rnd() % ARRAY_SIZE(seg)];
		}
	}
	if (mode == X86_MODE_64 && (op == 0x63 || (rnd() & 1)))
		slot[n++] = 0x40 | (rnd() & 15) | (op == 0x63 ? 8 : 0);
	if (op > 0xff)
		slot[n++] = 0x0f;
	slot[n++] = op & 0xff;
	if (op < 0xa0 || op > 0xa3) {
		modrm = (rnd() % 3) << 6 | (rnd() & 0x3f);
		if (op == 0xc6 || op == 0xc7)
			modrm &= ~0x38;
		slot[n++] = modrm;
	}
	while (n < X86_MAX_INSN_LEN)
		slot[n++] = rnd();
	memset(slot + n, 0x90, SLOT - n);
}

struct dump_line {
	unsigned long addr;
	unsigned int len;
	char text[128];
};

/* objdump -d lines: "  addr:\t<bytes>\t<instruction>". */
static unsigned int parse_objdump(FILE *f, struct dump_line *lines,
				  unsigned int max)
{
	char buf[512], *bytes, *text, *p;
	unsigned int n = 0;

	while (n < max && fgets(buf, sizeof(buf), f)) {
		bytes = strchr(buf, '\t');
		if (!bytes || sscanf(buf, "%lx:", &lines[n].addr) != 1)
			continue;
		text = strchr(bytes + 1, '\t');
		if (text)
			*text++ = '\0';
		else
			text = "";
		lines[n].len = 0;
		for (p = bytes; *p; p++)
			if (isxdigit((unsigned char)p[0]) &&
			    isxdigit((unsigned char)p[1]) &&
			    (p[2] == ' ' || p[2] == '\0' || p[2] == '\n')) {
				lines[n].len++;
				p += 2;
			}
		snprintf(lines[n].text, sizeof(lines[n].text), "%s", text);
		p = strpbrk(lines[n].text, "#\n");
		if (p)
			*p = '\0';
		n++;
	}
	return n;
}

/* What objdump's Intel syntax says about one operand. */
struct operand {
	bool is_mem, is_reg, is_imm, high;
	unsigned int width, reg;
	u64 imm;
};

static bool lookup_reg(const char *s, struct operand *o)
{
	static const char *const *const tables[] = { names8, names16, names32,
						     names64 };
	unsigned int t, r;

	for (r = 0; r < 4; r++)
		if (!strcmp(s, names8_high[r])) {
			*o = (struct operand){ .is_reg = true, .high = true,
					       .width = 1, .reg = r };
			return true;
		}
	for (t = 0; t < 4; t++)
		for (r = 0; r < 16; r++)
			if (!strcmp(s, tables[t][r])) {
				*o = (struct operand){ .is_reg = true,
						       .width = 1U << t,
						       .reg = r };
				return true;
			}
	return false;
}

static void parse_operand(const char *s, struct operand *o)
{
	static const char *const ptrs[] = { "BYTE PTR", "WORD PTR",
					    "DWORD PTR", "QWORD PTR" };
	unsigned int i;

	memset(o, 0, sizeof(*o));
	if (lookup_reg(s, o))
		return;
	if (!strncmp(s, "0x", 2)) {
		o->is_imm = true;
		o->imm = strtoull(s, NULL, 16);
		return;
	}
	o->is_mem = true;
	for (i = 0; i < 4; i++)
		if (!strncmp(s, ptrs[i], strlen(ptrs[i])))
			o->width = 1U << i;
}

/* Mnemonic and operands of a line; prefixes such as "cs" are skipped. */
static bool split_insn(char *text, char **mnemonic, struct operand *dst,
		       struct operand *src)
{
	char *tok = text, *ops, *comma, *end;

	for (;;) {
		tok += strspn(tok, " ");
		if (!*tok)
			return false;
		end = tok + strcspn(tok, " ");
		if (!strncmp(tok, "mov", 3))
			break;
		tok = end;
	}
	ops = *end ? end + 1 : end;
	*end = '\0';
	*mnemonic = tok;
	ops += strspn(ops, " ");
	for (end = ops + strlen(ops); end > ops && end[-1] == ' '; end--)
		end[-1] = '\0';
	comma = strchr(ops, ',');
	if (!comma)
		return false;
	*comma = '\0';
	parse_operand(ops, dst);
	parse_operand(comma + 1, src);
	return true;
}

/* Everything objdump's text implies about the decoder's answer. */
static bool agrees_with_objdump(const struct mmio_instruction *d,
				struct dump_line *line)
{
	struct operand dst, src, *mem, *other;
	char *mnemonic;

	if (line->len != d->length ||
	    !split_insn(line->text, &mnemonic, &dst, &src))
		return false;
	mem = d->is_write ? &dst : &src;
	other = d->is_write ? &src : &dst;
	if (!mem->is_mem || other->is_mem)
		return false;
	if (other->is_imm)
		return d->has_imm && other->imm == d->imm &&
		       mem->width == d->width;
	if (!other->is_reg || other->reg != d->reg ||
	    other->high != d->high_byte || other->width != d->reg_width)
		return false;
	/* moffs operands carry no size: the register gives it. */
	return mem->width ? mem->width == d->width : d->width == d->reg_width;
}

static unsigned int check_random_mode(enum x86_code_mode mode,
				      const char *machine)
{
	static struct dump_line lines[RANDOM_PER_MODE * SLOT];
	static u8 image[RANDOM_PER_MODE * SLOT];
	struct mmio_instruction d;
	char path[96], cmd[256], text[128];
	unsigned int i, n, at = 0, bad = 0;
	const char *why;
	FILE *f;

	for (i = 0; i < RANDOM_PER_MODE; i++)
		gen_raw(mode, image + i * SLOT);
	snprintf(path, sizeof(path), "%s/raw%s.bin", workdir,
		 mode_name(mode));
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(image, 1, sizeof(image), f), sizeof(image));
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "objdump -D -b binary -m %s -M intel --insn-width=16 '%s'",
		 machine, path);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	n = parse_objdump(f, lines, ARRAY_SIZE(lines));
	cr_assert_eq(pclose(f), 0, "%s failed", cmd);

	for (i = 0; i < RANDOM_PER_MODE; i++) {
		while (at < n && lines[at].addr < i * SLOT)
			at++;
		cr_assert(at < n && lines[at].addr == i * SLOT,
			  "objdump lost the slot at %#x", i * SLOT);
		snprintf(text, sizeof(text), "%s", lines[at].text);
		if (!x86_decode_mmio(image + i * SLOT, 15, mode, &d, &why) ||
		    !agrees_with_objdump(&d, &lines[at]))
			bad = report(bad, mode_name(mode), text,
				     image + i * SLOT, lines[at].len, &d,
				     d.length ? NULL : why);
	}
	return bad;
}

Test(mmio_decode, agrees_with_objdump_on_random_encodings)
{
	unsigned int bad = 0;

	require_binutils();
	bad += check_random_mode(X86_MODE_64, "i386:x86-64");
	bad += check_random_mode(X86_MODE_32, "i386");
	bad += check_random_mode(X86_MODE_16, "i8086");
	fprintf(stderr,
		"mmio_decode: objdump oracle: %u random encodings, "
		"%u mismatches\n", 3 * RANDOM_PER_MODE, bad);
	cr_assert_eq(bad, 0, "%u encodings differ from objdump", bad);
	remove_workdir();
}

/* ---- hand-picked encodings: refusals and what binutils cannot judge ---- */

struct raw {
	enum x86_code_mode mode;
	u8 bytes[24];
	unsigned int n;
	const char *why; /* a substring of the refusal; NULL if accepted */
};

#define M64 X86_MODE_64
#define M32 X86_MODE_32
#define M16 X86_MODE_16
#define RAW(mode, why, ...)                                                   \
	{ mode, { __VA_ARGS__ }, sizeof((u8[]){ __VA_ARGS__ }), why }

static const struct raw refusals[] = {
	RAW(M64, "LOCK prefix on MMIO", 0xf0, 0x89, 0x00),
	RAW(M64, "LOCK prefix on MMIO", 0x66, 0xf0, 0x89, 0x00),
	RAW(M64, "F2/F3 prefix", 0xf3, 0xa5),
	RAW(M64, "F2/F3 prefix", 0xf2, 0x89, 0x00),
	RAW(M64, "unsupported opcode 0x0f 0xc3 (MOVNTI)", 0x0f, 0xc3, 0x00),
	RAW(M64, "unsupported opcode 0x0f 0xc3 (MOVNTI)", 0x48, 0x0f, 0xc3,
	    0x00),
	RAW(M64, "register-to-register form touches no memory", 0x89, 0xc0),
	RAW(M64, "register-to-register form touches no memory", 0x0f, 0xb6,
	    0xc0),
	RAW(M16, "register-to-register form touches no memory", 0x8a, 0xe0),
	RAW(M64, "register-immediate form touches no memory", 0xc7, 0xc0, 1,
	    0, 0, 0),
	RAW(M64, "not MOV", 0xc7, 0x48, 0x10, 1, 0, 0, 0),
	RAW(M64, "not MOV", 0xc6, 0xf8, 0x00),
	RAW(M64, "unsupported opcode 0xa5 (MOVS)", 0xa5),
	RAW(M64, "unsupported opcode 0xab (STOS)", 0x48, 0xab),
	RAW(M64, "unsupported opcode 0x87 (XCHG)", 0x87, 0x00),
	RAW(M64, "unsupported opcode 0x01 (ALU operation)", 0x01, 0x00),
	RAW(M64, "unsupported opcode 0x83 (ALU operation with immediate)",
	    0x83, 0x08, 0x01),
	RAW(M64, "unsupported opcode 0x85 (TEST)", 0x85, 0x00),
	RAW(M64, "unsupported opcode 0x0f 0xb1 (CMPXCHG)", 0x0f, 0xb1, 0x00),
	RAW(M64, "unsupported opcode 0x0f 0xc1 (XADD)", 0x0f, 0xc1, 0x00),
	RAW(M64, "unsupported opcode 0x0f 0x11 (MMX/SSE move)", 0x0f, 0x11,
	    0x00),
	RAW(M64, "unsupported opcode 0xc5 (VEX (AVX))", 0xc5, 0xf9, 0x7f,
	    0x00),
	RAW(M64, "unsupported opcode 0xff (INC/DEC/CALL/JMP/PUSH)", 0xff,
	    0x00),
	RAW(M64, "unsupported opcode 0x63 (MOVSXD without REX.W)", 0x63,
	    0x00),
	RAW(M32, "unsupported opcode 0x63 (ARPL)", 0x63, 0x00),
	RAW(M32, "unsupported opcode 0x40 (INC/DEC)", 0x40, 0x89, 0x00),
	RAW(M64, "unsupported opcode 0x0f 0x0b", 0x0f, 0x0b),
	RAW(M64, "unsupported opcode 0xf4", 0xf4),
	/* 14 prefixes, opcode, ModRM: 16 bytes. */
	RAW(M64, "instruction longer than 15 bytes", 0x66, 0x66, 0x66, 0x66,
	    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x89,
	    0x00),
	/* Only prefixes: the 16th byte would still be one. */
	RAW(M32, "instruction longer than 15 bytes", 0x2e, 0x2e, 0x2e, 0x2e,
	    0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
	    0x2e),
	/* Valid pieces adding up to 17 bytes. */
	RAW(M64, "instruction longer than 15 bytes", 0x26, 0x2e, 0x36, 0x66,
	    0x67, 0x48, 0xc7, 0x84, 0xa4, 1, 2, 3, 4, 5, 6, 7, 8),
	RAW(M64, "truncated", 0x8b, 0x84, 0x24, 0x00, 0x00),
	RAW(M64, "truncated", 0x66, 0x67),
	RAW(M64, "truncated", 0x48),
	RAW(M64, "truncated", 0x0f),
	RAW(M16, "truncated", 0xa1, 0x34),
};

Test(mmio_decode, refuses_with_a_reason)
{
	struct mmio_instruction d;
	const char *why;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refusals); i++) {
		const struct raw *r = &refusals[i];

		cr_assert_not(x86_decode_mmio(r->bytes, r->n, r->mode, &d,
					      &why),
			      "case %u accepted", i);
		cr_assert_not_null(why);
		cr_assert(strstr(why, r->why), "case %u: '%s', wanted '%s'",
			  i, why, r->why);
	}
	cr_assert_not(x86_decode_mmio(refusals[0].bytes, 0, M64, &d, &why));
	cr_assert(strstr(why, "truncated"), "nothing fetched: %s", why);
}

static struct mmio_instruction decode(enum x86_code_mode mode, const u8 *bytes,
				      unsigned int n)
{
	struct mmio_instruction d;
	const char *why = NULL;

	cr_assert(x86_decode_mmio(bytes, n, mode, &d, &why),
		  "refused: %s", why);
	cr_assert_null(why);
	return d;
}

#define DECODE(mode, ...)                                                     \
	decode(mode, (const u8[]){ __VA_ARGS__ },                             \
	       sizeof((u8[]){ __VA_ARGS__ }))

/*
 * Prefix rules objdump prints as separate pseudo-instructions: a REX is
 * ignored unless it directly precedes the opcode, and only the last one
 * counts (SDM vol. 2, 2.2.1). REX.W overrides 66.
 */
Test(mmio_decode, rex_placement_and_precedence)
{
	struct mmio_instruction d;

	d = DECODE(M64, 0x48, 0x66, 0x89, 0x00);
	cr_assert_eq(d.length, 4);
	cr_assert_eq(d.width, 2, "REX.W before 66 is ignored");
	d = DECODE(M64, 0x48, 0x41, 0x89, 0x00);
	cr_assert_eq(d.width, 4, "only the last REX counts");
	d = DECODE(M64, 0x44, 0x2e, 0x8b, 0x00);
	cr_assert_eq(d.reg, REG_RAX, "REX.R before a segment is ignored");
	d = DECODE(M64, 0x66, 0x48, 0x8b, 0x00);
	cr_assert_eq(d.width, 8, "REX.W wins over 66");
	d = DECODE(M64, 0x8a, 0x20);
	cr_assert(d.high_byte && d.reg == REG_RAX, "no REX: AH");
	d = DECODE(M64, 0x40, 0x8a, 0x20);
	cr_assert(!d.high_byte && d.reg == REG_RSP, "any REX: SPL");
	d = DECODE(M64, 0x66, 0x40, 0x8a, 0x20);
	cr_assert(!d.high_byte && d.reg == REG_RSP, "REX after 66 counts");
	d = DECODE(M64, 0x40, 0x66, 0x8a, 0x20);
	cr_assert(d.high_byte && d.reg == REG_RAX, "REX before 66 does not");
}

Test(mmio_decode, limits_of_the_fetched_bytes)
{
	/* Exactly 15 bytes: the longest allowed. */
	static const u8 longest[] = { 0x2e, 0x64, 0x67, 0x48, 0xc7, 0x84,
				      0x88, 0x44, 0x33, 0x22, 0x11, 0x78,
				      0x56, 0x34, 0x12 };
	struct mmio_instruction d;
	const char *why;
	u8 *pages;

	d = decode(M64, longest, sizeof(longest));
	cr_assert_eq(d.length, 15);
	cr_assert_eq(d.width, 8);
	cr_assert_eq(d.imm, 0x12345678);

	/* More than 15 available: only 15 are looked at. */
	pages = mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(pages, MAP_FAILED);
	memcpy(pages, longest, sizeof(longest));
	cr_assert(x86_decode_mmio(pages, 1000, M64, &d, &why));
	cr_assert_eq(d.length, 15);

	/* Never a byte past what was fetched: the next page traps. */
	cr_assert_eq(mprotect(pages + PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0);
	memcpy(pages + PAGE_SIZE - 7, longest + 8, 7);
	cr_assert_not(x86_decode_mmio(pages + PAGE_SIZE - 7, 7, M64, &d,
				      &why));
	memcpy(pages + PAGE_SIZE - 3, (u8[]){ 0x8b, 0x43, 0x10 }, 3);
	cr_assert(x86_decode_mmio(pages + PAGE_SIZE - 3, 3, M64, &d, &why));
	cr_assert_eq(d.length, 3);
	munmap(pages, 2 * PAGE_SIZE);
}

Test(mmio_decode, code_mode_from_cs)
{
	const u64 lma = 1ULL << 10;
	const u32 l = 1U << 13, db = 1U << 14;

	cr_assert_eq(x86_code_mode(lma, l), X86_MODE_64);
	cr_assert_eq(x86_code_mode(lma, db), X86_MODE_32, "compat mode");
	cr_assert_eq(x86_code_mode(lma, 0), X86_MODE_16);
	cr_assert_eq(x86_code_mode(0, l | db), X86_MODE_32, "L needs LMA");
	cr_assert_eq(x86_code_mode(0, 0), X86_MODE_16);
}

/* ---- register write-back ---- */

#define PATTERN 0x1122334455667788ULL

static u64 read_into(enum x86_code_mode mode, const u8 *bytes, unsigned int n,
		     u64 value)
{
	struct mmio_instruction d = decode(mode, bytes, n);
	struct guest_regs regs;
	unsigned int i;

	for (i = 0; i < NUM_GP_REGS; i++)
		regs.gp[i] = PATTERN;
	cr_assert_not(d.is_write);
	x86_mmio_apply_read(&regs, &d, value);
	for (i = 0; i < NUM_GP_REGS; i++)
		if (i != d.reg)
			cr_assert_eq(regs.gp[i], PATTERN, "reg %u changed", i);
	return regs.gp[d.reg];
}

#define READ(mode, value, ...)                                                \
	read_into(mode, (const u8[]){ __VA_ARGS__ },                          \
		  sizeof((u8[]){ __VA_ARGS__ }), value)

Test(mmio_decode, apply_read_partial_registers)
{
	/* mov al/ah/spl/r9b, [rax]: the other bytes stay. */
	cr_assert_eq(READ(M64, 0xab, 0x8a, 0x00), 0x11223344556677abULL);
	cr_assert_eq(READ(M64, 0xab, 0x8a, 0x20), 0x112233445566ab88ULL);
	cr_assert_eq(READ(M64, 0xab, 0x40, 0x8a, 0x20),
		     0x11223344556677abULL);
	cr_assert_eq(READ(M64, 0xab, 0x44, 0x8a, 0x08),
		     0x11223344556677abULL);
	/* Bits above the access width in value are ignored. */
	cr_assert_eq(READ(M64, 0xffffabcd, 0x66, 0x8b, 0x00),
		     0x112233445566abcdULL);
	/* 32-bit destination: zero-extended in 64-bit mode only. */
	cr_assert_eq(READ(M64, 0xdeadbeef, 0x8b, 0x00), 0xdeadbeefULL);
	cr_assert_eq(READ(M32, 0xdeadbeef, 0x8b, 0x00),
		     0x11223344deadbeefULL);
	cr_assert_eq(READ(M64, 0xfedcba9876543210ULL, 0x48, 0x8b, 0x00),
		     0xfedcba9876543210ULL);
	cr_assert_eq(READ(M16, 0xbeef, 0x8b, 0x07), 0x112233445566beefULL);
	cr_assert_eq(READ(M16, 0xab, 0x8a, 0x3f), 0x112233445566ab88ULL,
		     "bh in 16-bit mode");
	/* moffs: mov eax, [abs] */
	cr_assert_eq(READ(M64, 0x12345678, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8),
		     0x12345678ULL);
}

Test(mmio_decode, apply_read_ignores_writes)
{
	struct mmio_instruction d = DECODE(M64, 0x89, 0x00);
	struct guest_regs regs = { .gp = { PATTERN } };

	x86_mmio_apply_read(&regs, &d, 0);
	cr_assert_eq(regs.gp[REG_RAX], PATTERN);
}

Test(mmio_decode, apply_read_extensions)
{
	/* movzx eax, byte [rax] / movzx rax, word [rax] */
	cr_assert_eq(READ(M64, 0xff, 0x0f, 0xb6, 0x00), 0xffULL);
	cr_assert_eq(READ(M64, 0x8001, 0x48, 0x0f, 0xb7, 0x00), 0x8001ULL);
	/* movzx ax, byte [rax]: a 16-bit destination keeps the rest. */
	cr_assert_eq(READ(M64, 0x80, 0x66, 0x0f, 0xb6, 0x00),
		     0x1122334455660080ULL);
	/* movsx eax / rax / ax, byte [rax] */
	cr_assert_eq(READ(M64, 0x80, 0x0f, 0xbe, 0x00), 0xffffff80ULL);
	cr_assert_eq(READ(M64, 0x80, 0x48, 0x0f, 0xbe, 0x00),
		     0xffffffffffffff80ULL);
	cr_assert_eq(READ(M64, 0x80, 0x66, 0x0f, 0xbe, 0x00),
		     0x112233445566ff80ULL);
	cr_assert_eq(READ(M64, 0x7f, 0x48, 0x0f, 0xbe, 0x00), 0x7fULL);
	/* movsx r10d, word [rax]; movsxd rax, dword [rax] */
	cr_assert_eq(READ(M64, 0x8000, 0x44, 0x0f, 0xbf, 0x10), 0xffff8000ULL);
	cr_assert_eq(READ(M64, 0x80000000, 0x48, 0x63, 0x00),
		     0xffffffff80000000ULL);
	/* movsx ax, word [bx] in 16-bit mode (same width: a plain load) */
	cr_assert_eq(READ(M16, 0x8000, 0x0f, 0xbf, 0x07),
		     0x1122334455668000ULL);
}

static u64 write_of(enum x86_code_mode mode, const u8 *bytes, unsigned int n,
		    u64 reg_value)
{
	struct mmio_instruction d = decode(mode, bytes, n);
	struct guest_regs regs;
	unsigned int i;

	for (i = 0; i < NUM_GP_REGS; i++)
		regs.gp[i] = reg_value + i;
	cr_assert(d.is_write);
	return x86_mmio_write_value(&regs, &d);
}

#define WRITE(mode, reg_value, ...)                                           \
	write_of(mode, (const u8[]){ __VA_ARGS__ },                           \
		 sizeof((u8[]){ __VA_ARGS__ }), reg_value)

Test(mmio_decode, write_values)
{
	/* mov [rax], ecx / cx / cl / ch / r9 / r9b */
	cr_assert_eq(WRITE(M64, PATTERN, 0x89, 0x08), 0x55667789ULL);
	cr_assert_eq(WRITE(M64, PATTERN, 0x66, 0x89, 0x08), 0x7789ULL);
	cr_assert_eq(WRITE(M64, PATTERN, 0x88, 0x08), 0x89ULL);
	cr_assert_eq(WRITE(M64, PATTERN, 0x88, 0x28), 0x77ULL, "ch");
	cr_assert_eq(WRITE(M64, PATTERN, 0x4c, 0x89, 0x08), PATTERN + 9);
	cr_assert_eq(WRITE(M64, PATTERN, 0x44, 0x88, 0x08), 0x91ULL);
	/* Immediates: imm32 sign-extended for 64-bit, truncated to width. */
	cr_assert_eq(WRITE(M64, 0, 0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80),
		     0xffffffff80000000ULL);
	cr_assert_eq(WRITE(M64, 0, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80),
		     0x80000000ULL);
	cr_assert_eq(WRITE(M64, 0, 0x66, 0xc7, 0x00, 0x34, 0x12), 0x1234ULL);
	cr_assert_eq(WRITE(M64, 0, 0xc6, 0x00, 0xff), 0xffULL);
	cr_assert_eq(WRITE(M16, 0, 0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12),
		     0x12345678ULL);
	/* moffs: mov [abs], al / rax */
	cr_assert_eq(WRITE(M32, PATTERN, 0xa2, 1, 2, 3, 4), 0x88ULL);
	cr_assert_eq(WRITE(M64, PATTERN, 0x48, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8),
		     PATTERN);
}

/* ---- fetching through guest page tables built in fake RAM ---- */

#define RAM_SIZE (64ULL << 20)
#define TABLES_START 0x100000ULL
#define P 0x1ULL
#define RW 0x2ULL
#define PS 0x80ULL
#define PAT_LARGE 0x1000ULL /* bit 12 of a large-page entry: not address */
#define ADDR_MASK 0x000ffffffffff000ULL

static u64 next_table;
static unsigned int reads;

static void ram_setup(void)
{
	cr_assert_eq(sim_phys_init(RAM_SIZE), 0);
	next_table = TABLES_START;
	reads = 0;
}

static void ram_teardown(void)
{
	sim_phys_exit();
}

static int read_ram(void *arg, u64 gpa, void *buf, unsigned int len)
{
	void *p = sim_phys_ptr(gpa, len);

	(void)arg;
	reads++;
	cr_assert_eq(gpa >> 12, (gpa + len - 1) >> 12,
		     "asked to read across a page: %#llx+%u",
		     (unsigned long long)gpa, len);
	if (!p)
		return -EIO;
	memcpy(buf, p, len);
	return 0;
}

static u64 new_table(void)
{
	u64 at = next_table;

	next_table += PAGE_SIZE;
	memset(sim_phys_ptr(at, PAGE_SIZE), 0, PAGE_SIZE);
	return at;
}

/* The test's own table builder: entry size and index width per format. */
struct format {
	unsigned int entry_size, index_bits;
};

static const struct format fmt_long = { 8, 9 }, fmt_32 = { 4, 10 };

static u64 entry_addr(const struct format *f, u64 table, u64 linear,
		      int level)
{
	unsigned int shift = 12 + f->index_bits * (level - 1);

	return table + ((linear >> shift) & ((1U << f->index_bits) - 1)) *
			       f->entry_size;
}

static u64 get_entry(const struct format *f, u64 at)
{
	u64 v = 0;

	memcpy(&v, sim_phys_ptr(at, f->entry_size), f->entry_size);
	return v;
}

static void set_entry(const struct format *f, u64 at, u64 v)
{
	memcpy(sim_phys_ptr(at, f->entry_size), &v, f->entry_size);
}

/* Where the entry of a level is, following the test's own tables. */
static u64 entry_at_level(const struct format *f, u64 table, int top,
			  u64 linear, int level)
{
	for (; top > level; top--)
		table = get_entry(f, entry_addr(f, table, linear, top)) &
			ADDR_MASK;
	return entry_addr(f, table, linear, level);
}

/* Maps linear to gpa with a leaf at leaf_level, adding tables on the way. */
static void map(const struct format *f, u64 table, int level, u64 linear,
		u64 gpa, int leaf_level)
{
	u64 at, e;

	for (; level > leaf_level; level--) {
		at = entry_addr(f, table, linear, level);
		e = get_entry(f, at);
		if (!(e & P)) {
			e = new_table() | P | RW;
			set_entry(f, at, e);
		}
		table = e & ADDR_MASK;
	}
	set_entry(f, entry_addr(f, table, linear, level),
		  gpa | P | RW | (leaf_level > 1 ? PS : 0));
}

static void poke(u64 gpa, const void *bytes, unsigned int n)
{
	memcpy(sim_phys_ptr(gpa, n), bytes, n);
}

static const u8 store_imm64[] = { 0x48, 0xc7, 0x84, 0x88, 0x44, 0x33,
				  0x22, 0x11, 0x78, 0x56, 0x34, 0x12 };

Test(mmio_decode, fetch_4level_straddling_pages, .init = ram_setup,
     .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = CR0_PG, .cr4 = CR4_PAE,
				   .efer = EFER_LMA };
	const u64 rip = 0xffffffff81234ffaULL;
	struct mmio_instruction d;
	u8 buf[X86_MAX_INSN_LEN];
	const char *why;

	pg.cr3 = new_table();
	/* The second page lies below the first in guest-physical memory. */
	map(&fmt_long, pg.cr3, 4, rip, 0x200000, 1);
	map(&fmt_long, pg.cr3, 4, rip + 0x1000, 0x5000, 1);
	poke(0x200ffa, store_imm64, 6);
	poke(0x5000, store_imm64 + 6, sizeof(store_imm64) - 6);

	cr_assert_eq(x86_guest_fetch_insn(&pg, rip, buf, read_ram, NULL,
					  NULL),
		     X86_MAX_INSN_LEN);
	cr_assert_eq(memcmp(buf, store_imm64, sizeof(store_imm64)), 0);
	cr_assert(x86_decode_mmio(buf, X86_MAX_INSN_LEN, M64, &d, &why));
	cr_assert_eq(d.length, sizeof(store_imm64));
	cr_assert_eq(d.imm, 0x12345678);
	/* Two walks of four entries, and one read per page. */
	cr_assert_eq(reads, 10);
}

Test(mmio_decode, large_pages_in_long_mode, .init = ram_setup,
     .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = CR0_PG, .cr4 = CR4_PAE,
				   .efer = EFER_LMA };
	u64 gpa, at;
	u8 byte;

	pg.cr3 = new_table();
	map(&fmt_long, pg.cr3, 4, 0x7f0040000000ULL, 0x80000000ULL, 3);
	map(&fmt_long, pg.cr3, 4, 0x600000, 0x1000000, 2);
	/* PAT bit of a 2 MiB page sits in the address field's low bits. */
	at = entry_at_level(&fmt_long, pg.cr3, 4, 0x600000, 2);
	set_entry(&fmt_long, at, get_entry(&fmt_long, at) | PAT_LARGE);

	cr_assert_eq(x86_guest_translate(&pg, 0x7f0040123456ULL, &gpa,
					 read_ram, NULL, NULL),
		     0);
	cr_assert_eq(gpa, 0x80123456ULL, "1 GiB page");
	cr_assert_eq(x86_guest_translate(&pg, 0x7abcde, &gpa, read_ram, NULL,
					 NULL),
		     0);
	cr_assert_eq(gpa, 0x11abcdeULL, "2 MiB page, PAT bit not address");
	poke(0x11abcde, (u8[]){ 0x5a }, 1);
	cr_assert_eq(x86_guest_read(&pg, 0x7abcde, &byte, 1, read_ram, NULL,
				    NULL),
		     0);
	cr_assert_eq(byte, 0x5a);
}

Test(mmio_decode, faults_name_level_and_entry, .init = ram_setup,
     .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = CR0_PG, .cr4 = CR4_PAE,
				   .efer = EFER_LMA };
	struct guest_walk_fault fault;
	const u64 va = 0x400000;
	u64 gpa, pdpt, pd;

	pg.cr3 = new_table();
	cr_assert_eq(x86_guest_translate(&pg, va, &gpa, read_ram, NULL,
					 &fault),
		     -EFAULT);
	cr_assert_eq(fault.level, 4);
	cr_assert_eq(fault.gpa, pg.cr3);
	cr_assert_eq(fault.linear, va);
	cr_assert_str_eq(fault.why, "entry not present");

	map(&fmt_long, pg.cr3, 4, va, 0x3000, 1);
	pdpt = get_entry(&fmt_long, pg.cr3) & ADDR_MASK;
	pd = entry_at_level(&fmt_long, pg.cr3, 4, va, 2);
	set_entry(&fmt_long, pd, 0x12340000); /* not present */
	cr_assert_eq(x86_guest_translate(&pg, va, &gpa, read_ram, NULL,
					 &fault),
		     -EFAULT);
	cr_assert_eq(fault.level, 2);
	cr_assert_eq(fault.gpa, pd);
	cr_assert_eq(fault.entry, 0x12340000);

	cr_assert_eq(x86_guest_translate(&pg, 0x0000800000000000ULL, &gpa,
					 read_ram, NULL, &fault),
		     -EFAULT);
	cr_assert(strstr(fault.why, "canonical"));

	set_entry(&fmt_long, pg.cr3, pdpt | P | PS);
	cr_assert_eq(x86_guest_translate(&pg, va, &gpa, read_ram, NULL,
					 &fault),
		     -EINVAL);
	cr_assert_eq(fault.level, 4);

	/* A table outside RAM: the reader's error comes back. */
	pg.cr3 = RAM_SIZE + 0x1000;
	cr_assert_eq(x86_guest_translate(&pg, va, &gpa, read_ram, NULL,
					 &fault),
		     -EIO);
	cr_assert_str_eq(fault.why, "table not readable");
	cr_assert_eq(x86_guest_translate(&pg, va, &gpa, read_ram, NULL, NULL),
		     -EIO, "fault is optional");
}

Test(mmio_decode, five_level_paging, .init = ram_setup,
     .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = CR0_PG, .cr4 = CR4_PAE | CR4_LA57,
				   .efer = EFER_LMA };
	const u64 va = 0x00ff000000001234ULL; /* canonical only with LA57 */
	u64 gpa;

	pg.cr3 = new_table();
	map(&fmt_long, pg.cr3, 5, va, 0x7000, 1);
	cr_assert_eq(x86_guest_translate(&pg, va, &gpa, read_ram, NULL, NULL),
		     0);
	cr_assert_eq(gpa, 0x7234);
	pg.cr4 &= ~CR4_LA57;
	cr_assert_eq(x86_guest_translate(&pg, va, &gpa, read_ram, NULL, NULL),
		     -EFAULT);
}

Test(mmio_decode, pae_paging, .init = ram_setup, .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = CR0_PG, .cr4 = CR4_PAE };
	struct guest_walk_fault fault;
	u64 pdpt = 0x80020, pdptes[4], gpa, pd;

	/* PAE's CR3 points at a 32-byte aligned PDPT, not a page. */
	pg.cr3 = pdpt;
	memset(sim_phys_ptr(pdpt, 32), 0, 32);
	pd = new_table();
	set_entry(&fmt_long, pdpt + 3 * 8, pd | P);
	map(&fmt_long, pd, 2, 0xc0201000, 0x9000, 1);
	map(&fmt_long, pd, 2, 0xc0400000, 0x2200000, 2);

	cr_assert_eq(x86_guest_translate(&pg, 0xc0201abc, &gpa, read_ram,
					 NULL, NULL),
		     0);
	cr_assert_eq(gpa, 0x9abc);
	cr_assert_eq(x86_guest_translate(&pg, 0xc05fffff, &gpa, read_ram,
					 NULL, NULL),
		     0);
	cr_assert_eq(gpa, 0x23fffffULL, "2 MiB page");
	cr_assert_eq(x86_guest_translate(&pg, 0x40000000, &gpa, read_ram,
					 NULL, &fault),
		     -EFAULT);
	cr_assert_eq(fault.level, 3);
	cr_assert_eq(fault.gpa, pdpt + 8);

	/* The PDPTEs the CPU loaded win over what memory says now. */
	memset(pdptes, 0, sizeof(pdptes));
	pdptes[1] = pd | P;
	pg.pdptes = pdptes;
	cr_assert_eq(x86_guest_translate(&pg, 0x40201abc, &gpa, read_ram,
					 NULL, NULL),
		     0);
	cr_assert_eq(gpa, 0x9abc);
	cr_assert_eq(x86_guest_translate(&pg, 0xc0201abc, &gpa, read_ram,
					 NULL, &fault),
		     -EFAULT);
	cr_assert_eq(fault.level, 3);
}

Test(mmio_decode, legacy_32bit_paging, .init = ram_setup,
     .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = CR0_PG, .cr4 = CR4_PSE };
	u64 gpa, pde_at;

	pg.cr3 = new_table();
	map(&fmt_32, pg.cr3, 2, 0xc0001000, 0x6000, 1);
	cr_assert_eq(x86_guest_translate(&pg, 0xc0001ffe, &gpa, read_ram,
					 NULL, NULL),
		     0);
	cr_assert_eq(gpa, 0x6ffe);

	/* A 4 MiB page above 4 GiB: PA 39:32 in PDE bits 20:13 (PSE-36). */
	pde_at = entry_addr(&fmt_32, pg.cr3, 0x80000000, 2);
	set_entry(&fmt_32, pde_at, 0x00c00000 | (0x3 << 13) | P | PS);
	cr_assert_eq(x86_guest_translate(&pg, 0x80123456, &gpa, read_ram,
					 NULL, NULL),
		     0);
	cr_assert_eq(gpa, 0x300c00000ULL + 0x123456);

	/* Without CR4.PSE, PS is ignored: the PDE points at a table. */
	pg.cr4 = 0;
	set_entry(&fmt_32, pde_at, new_table() | P | PS);
	set_entry(&fmt_32,
		  entry_addr(&fmt_32, get_entry(&fmt_32, pde_at) & 0xfffff000,
			     0x80123456, 1),
		  0x8000 | P);
	cr_assert_eq(x86_guest_translate(&pg, 0x80123456, &gpa, read_ram,
					 NULL, NULL),
		     0);
	cr_assert_eq(gpa, 0x8456);
}

Test(mmio_decode, no_paging, .init = ram_setup, .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = 0 };
	u64 gpa;

	cr_assert_eq(x86_guest_translate(&pg, 0xf1234, &gpa, read_ram, NULL,
					 NULL),
		     0);
	cr_assert_eq(gpa, 0xf1234);
	cr_assert_eq(x86_guest_translate(&pg, 0x1fffffffcULL, &gpa, read_ram,
					 NULL, NULL),
		     0);
	cr_assert_eq(gpa, 0xfffffffcULL, "32-bit linear addresses wrap");
	cr_assert_eq(reads, 0);
}

Test(mmio_decode, fetch_stops_at_an_unmapped_page, .init = ram_setup,
     .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = CR0_PG, .cr4 = CR4_PAE,
				   .efer = EFER_LMA };
	struct guest_walk_fault fault;
	struct mmio_instruction d;
	u8 buf[X86_MAX_INSN_LEN];
	const char *why;

	pg.cr3 = new_table();
	map(&fmt_long, pg.cr3, 4, 0x10000, 0x4000, 1);
	/* mov eax, [rbx+0x10] fits into the last 3 bytes of the page. */
	poke(0x4ffd, (u8[]){ 0x8b, 0x43, 0x10 }, 3);
	cr_assert_eq(x86_guest_fetch_insn(&pg, 0x10ffd, buf, read_ram, NULL,
					  &fault),
		     3);
	cr_assert_eq(fault.level, 1, "the next page's fault is kept");
	cr_assert_eq(fault.linear, 0x11000);
	cr_assert(x86_decode_mmio(buf, 3, M64, &d, &why));
	cr_assert_eq(d.length, 3);

	/* One that does not fit is the decoder's refusal. */
	poke(0x4ffd, store_imm64, 3);
	cr_assert_eq(x86_guest_fetch_insn(&pg, 0x10ffd, buf, read_ram, NULL,
					  NULL),
		     3);
	cr_assert_not(x86_decode_mmio(buf, 3, M64, &d, &why));
	cr_assert(strstr(why, "truncated"));

	/* A whole instruction's worth in the page: one walk only. */
	reads = 0;
	cr_assert_eq(x86_guest_fetch_insn(&pg, 0x10000, buf, read_ram, NULL,
					  NULL),
		     X86_MAX_INSN_LEN);
	cr_assert_eq(reads, 5);

	/* Nothing readable at RIP: the walk's error. */
	cr_assert_eq(x86_guest_fetch_insn(&pg, 0x20000, buf, read_ram, NULL,
					  &fault),
		     -EFAULT);
}

Test(mmio_decode, read_across_several_pages, .init = ram_setup,
     .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = CR0_PG, .cr4 = CR4_PAE,
				   .efer = EFER_LMA };
	static u8 out[3 * 4096];
	unsigned int i;

	pg.cr3 = new_table();
	for (i = 0; i < 4; i++) {
		map(&fmt_long, pg.cr3, 4, 0x30000 + i * 0x1000,
			0x900000 - i * 0x1000, 1);
		memset(sim_phys_ptr(0x900000 - i * 0x1000, 4096), 0x10 + i,
		       4096);
	}
	cr_assert_eq(x86_guest_read(&pg, 0x30800, out, sizeof(out), read_ram,
				    NULL, NULL),
		     0);
	cr_assert_eq(out[0], 0x10);
	cr_assert_eq(out[0x7ff], 0x10);
	cr_assert_eq(out[0x800], 0x11);
	cr_assert_eq(out[0x2800], 0x13);
	cr_assert_eq(out[sizeof(out) - 1], 0x13);
}

Test(mmio_decode, data_page_outside_ram, .init = ram_setup,
     .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = CR0_PG, .cr4 = CR4_PAE,
				   .efer = EFER_LMA };
	struct guest_walk_fault fault;
	u8 buf[16];

	pg.cr3 = new_table();
	map(&fmt_long, pg.cr3, 4, 0x10000, 0x3000, 1);
	map(&fmt_long, pg.cr3, 4, 0x11000, RAM_SIZE + 0x1000, 1);
	cr_assert_eq(x86_guest_read(&pg, 0x10ff8, buf, sizeof(buf), read_ram,
				    NULL, &fault),
		     -EIO);
	cr_assert_eq(fault.level, 0);
	cr_assert_eq(fault.linear, 0x11000);
	cr_assert_eq(fault.gpa, RAM_SIZE + 0x1000);
	cr_assert_str_eq(fault.why, "page not readable");
}

/* Bit 7 of a PTE is PAT, not a page size. */
Test(mmio_decode, pat_bit_in_a_pte, .init = ram_setup, .fini = ram_teardown)
{
	struct guest_paging pg = { .cr0 = CR0_PG, .cr4 = CR4_PAE,
				   .efer = EFER_LMA };
	u64 gpa, at;

	pg.cr3 = new_table();
	map(&fmt_long, pg.cr3, 4, 0x10000, 0x3000, 1);
	at = entry_at_level(&fmt_long, pg.cr3, 4, 0x10000, 1);
	set_entry(&fmt_long, at, get_entry(&fmt_long, at) | PS);
	cr_assert_eq(x86_guest_translate(&pg, 0x10123, &gpa, read_ram, NULL,
					 NULL),
		     0);
	cr_assert_eq(gpa, 0x3123);
}

/* ---- any bytes at all: an answer, never a crash or an overlong read ---- */

Test(mmio_decode, random_bytes_get_an_answer)
{
	static const enum x86_code_mode modes[] = { M16, M32, M64 };
	struct mmio_instruction d;
	unsigned int i, j, avail, accepted = 0;
	const char *why;
	u8 buf[X86_MAX_INSN_LEN];

	for (i = 0; i < 200000; i++) {
		for (j = 0; j < sizeof(buf); j++)
			buf[j] = rnd();
		/* Bias towards the interesting opcodes after some prefixes. */
		if (i & 1)
			buf[rnd() % 4] = (u8[]){ 0x88, 0x89, 0x8a, 0x8b, 0xc6,
						 0xc7, 0xa1, 0x0f }[rnd() % 8];
		avail = rnd() % (sizeof(buf) + 1);
		why = NULL;
		if (x86_decode_mmio(buf, avail, modes[i % 3], &d, &why)) {
			cr_assert(d.length >= 1 && d.length <= avail);
			cr_assert(d.width == 1 || d.width == 2 ||
				  d.width == 4 || d.width == 8);
			cr_assert_geq(d.reg_width, d.width);
			cr_assert_lt(d.reg, NUM_GP_REGS);
			cr_assert(!d.high_byte || d.reg < 4);
			accepted++;
		} else {
			cr_assert(why && *why, "refused without a reason");
		}
	}
	cr_assert_gt(accepted, 1000, "only %u accepted", accepted);
}
