// SPDX-License-Identifier: GPL-2.0
/*
 * The MMIO instruction decoder on arbitrary bytes, judged by GNU binutils'
 * own x86 disassembler (libopcodes, the code behind objdump), run in the
 * process. The first input byte picks the code mode, the rest are the
 * instruction bytes. Whatever the decoder accepts must be what binutils
 * reads there: the same length, a MOV of the same kind, the same register
 * or immediate, the same memory width. The register write-back may only
 * change the destination register.
 */
#define PACKAGE "jailhouse-fuzz"
#define PACKAGE_VERSION "1"
#include <dis-asm.h>
#include <stdarg.h>
#include <string.h>
#include <asm/mmio_decode.h>
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static const char *const reg_names[4][16] = {
	{ "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b",
	  "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" },
	{ "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w",
	  "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" },
	{ "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d",
	  "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" },
	{ "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9",
	  "r10", "r11", "r12", "r13", "r14", "r15" },
};
static const char *const high_names[4] = { "ah", "ch", "dh", "bh" };

struct text {
	char buf[256];
	size_t len;
};

static int collect(void *stream, const char *fmt, ...)
{
	struct text *t = stream;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len = MIN(t->len + n, sizeof(t->buf) - 1);
	return n;
}

static int collect_styled(void *stream, enum disassembler_style style,
			  const char *fmt, ...)
{
	struct text *t = stream;
	va_list ap;
	int n;

	(void)style;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len = MIN(t->len + n, sizeof(t->buf) - 1);
	return n;
}

/* One instruction at offset at: its length, its text in t (-1: none). */
static int disassemble(enum x86_code_mode mode, const u8 *bytes,
		       unsigned int n, unsigned int at, struct text *t)
{
	static const unsigned long machs[] = {
		[X86_MODE_16] = bfd_mach_i386_i8086,
		[X86_MODE_32] = bfd_mach_i386_i386,
		[X86_MODE_64] = bfd_mach_x86_64,
	};
	struct disassemble_info info;
	disassembler_ftype fn;

	memset(t, 0, sizeof(*t));
	init_disassemble_info(&info, t, collect, collect_styled);
	info.arch = bfd_arch_i386;
	info.mach = machs[mode];
	info.disassembler_options = "intel";
	info.buffer = (bfd_byte *)bytes;
	info.buffer_vma = 0;
	info.buffer_length = n;
	info.read_memory_func = buffer_read_memory;
	disassemble_init_for_target(&info);
	fn = disassembler(bfd_arch_i386, false, info.mach, NULL);
	if (!fn)
		fuzz_fail("libopcodes has no x86 disassembler");
	return fn(at, &info);
}

struct operand {
	bool is_mem, is_reg, is_imm, high;
	unsigned int width, reg;
	u64 imm;
};

static void parse_operand(const char *s, struct operand *o)
{
	static const char *const ptrs[4] = { "BYTE PTR", "WORD PTR",
					     "DWORD PTR", "QWORD PTR" };
	unsigned int w, r;

	memset(o, 0, sizeof(*o));
	for (r = 0; r < 4; r++)
		if (!strcmp(s, high_names[r])) {
			*o = (struct operand){ .is_reg = true, .high = true,
					       .width = 1, .reg = r };
			return;
		}
	for (w = 0; w < 4; w++)
		for (r = 0; r < 16; r++)
			if (!strcmp(s, reg_names[w][r])) {
				*o = (struct operand){ .is_reg = true,
						       .width = 1U << w,
						       .reg = r };
				return;
			}
	if (!strncmp(s, "0x", 2)) {
		o->is_imm = true;
		o->imm = strtoull(s, NULL, 16);
		return;
	}
	o->is_mem = true;
	for (w = 0; w < 4; w++)
		if (!strncmp(s, ptrs[w], strlen(ptrs[w])))
			o->width = 1U << w;
}

/* "cs mov    DWORD PTR [rax],0x1": mnemonic, then two operands. */
static bool split(char *text, char **mnemonic, struct operand *dst,
		  struct operand *src)
{
	char *tok = text, *end, *comma;

	/* RIP-relative operands come with "# address" after them. */
	end = strchr(text, '#');
	if (end)
		*end = '\0';
	for (end = text + strlen(text); end > text && end[-1] == ' '; end--)
		end[-1] = '\0';
	for (;;) {
		tok += strspn(tok, " ");
		if (!*tok)
			return false;
		end = tok + strcspn(tok, " ");
		if (!strncmp(tok, "mov", 3))
			break;
		tok = end;
	}
	*mnemonic = tok;
	if (!*end)
		return false;
	*end++ = '\0';
	end += strspn(end, " ");
	comma = strchr(end, ',');
	if (!comma)
		return false;
	*comma = '\0';
	parse_operand(end, dst);
	parse_operand(comma + 1, src);
	return true;
}

static enum mmio_extend extend_of(const char *mnemonic)
{
	if (!strcmp(mnemonic, "movzx"))
		return MMIO_EXTEND_ZERO;
	if (!strcmp(mnemonic, "movsx") || !strcmp(mnemonic, "movsxd"))
		return MMIO_EXTEND_SIGN;
	return MMIO_EXTEND_NONE;
}

static u64 mask(unsigned int width)
{
	return width >= 8 ? ~0ULL : (1ULL << (8 * width)) - 1;
}

static const char *disagreement(const struct mmio_instruction *d,
				char *text)
{
	struct operand dst, src, *mem, *other;
	char *mnemonic;

	if (!split(text, &mnemonic, &dst, &src))
		return "binutils reads no MOV with two operands";
	/* MOVZX ax, WORD PTR: an extension to the same width is a MOV. */
	if (d->reg_width > d->width && extend_of(mnemonic) != d->extend)
		return "another kind of MOV";
	mem = d->is_write ? &dst : &src;
	other = d->is_write ? &src : &dst;
	if (!mem->is_mem || other->is_mem)
		return "another direction";
	if (d->has_imm) {
		if (!other->is_imm || (other->imm & mask(d->width)) !=
					      (d->imm & mask(d->width)))
			return "another immediate";
	} else if (!other->is_reg || other->reg != d->reg ||
		   other->high != d->high_byte ||
		   other->width != d->reg_width) {
		return "another register";
	}
	if (mem->width ? mem->width != d->width : d->width != d->reg_width)
		return "another memory width";
	return NULL;
}

static void check_shape(const struct mmio_instruction *d, unsigned int n)
{
	if (!d->length || d->length > n || d->length > X86_MAX_INSN_LEN)
		fuzz_fail("length %u of %u bytes", d->length, n);
	if (d->width != 1 && d->width != 2 && d->width != 4 && d->width != 8)
		fuzz_fail("width %u", d->width);
	if (d->reg_width < d->width || d->reg >= NUM_GP_REGS ||
	    (d->high_byte && (d->reg > REG_RBX || d->reg_width != 1)))
		fuzz_fail("register %u of width %u", d->reg, d->reg_width);
}

/* A read writes its register and nothing else; a write changes nothing. */
static void check_write_back(const struct mmio_instruction *d, const u8 *b,
			     unsigned int n)
{
	struct guest_regs regs, before;
	unsigned int r;
	u64 value = 0;

	for (r = 0; r < NUM_GP_REGS; r++)
		regs.gp[r] = 0x0123456789abcdefULL * (r + 1);
	memcpy(&value, b, MIN(n, sizeof(value)));
	before = regs;
	x86_mmio_apply_read(&regs, d, value);
	for (r = 0; r < NUM_GP_REGS; r++)
		if (regs.gp[r] != before.gp[r] &&
		    (d->is_write || r != d->reg))
			fuzz_fail("register %u changed by %s to %u", r,
				  d->is_write ? "a write" : "a read", d->reg);
	if (!d->is_write && !d->has_imm &&
	    (regs.gp[d->reg] >> (d->high_byte ? 8 : 0) & mask(d->width)) !=
		    (value & mask(d->width)))
		fuzz_fail("register %u does not hold the value read", d->reg);
	(void)x86_mmio_write_value(&regs, d);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	enum x86_code_mode mode;
	struct mmio_instruction d;
	unsigned int n, at = 0;
	const char *why = NULL, *what;
	struct text t;
	int len;

	if (size < 2)
		return -1;
	mode = data[0] % 3;
	n = MIN(size - 1, 16);
	if (!x86_decode_mmio(data + 1, n, mode, &d, &why)) {
		if (!why || !*why)
			fuzz_fail("refused without a reason");
		return 0;
	}
	check_shape(&d, n);
	check_write_back(&d, data + 1, n);
	/* Prefixes binutils prints apart (an ignored REX) come first. */
	for (;;) {
		len = disassemble(mode, data + 1, d.length, at, &t);
		if (len <= 0)
			fuzz_fail("binutils cannot read the %u accepted bytes "
				  "(%s)", d.length, t.buf);
		if (at + len >= d.length)
			break;
		/*
		 * An operand or address size prefix binutils printed apart
		 * from the MOV (next to a stray REX) still counts on the
		 * CPU, but not in binutils' reading of the rest: no oracle.
		 */
		if (strstr(t.buf, "data16") || strstr(t.buf, "addr32") ||
		    strstr(t.buf, "addr16") || strstr(t.buf, "data32"))
			return 0;
		at += len;
	}
	if (at + len != d.length)
		fuzz_fail("length %u, binutils reads %u: %s", d.length,
			  at + len, t.buf);
	what = disagreement(&d, t.buf);
	if (what)
		fuzz_fail("%s than binutils' '%s' (mode %u, width %u, reg %u "
			  "width %u, write %d, imm %d)", what, t.buf, mode,
			  d.width, d.reg, d.reg_width, d.is_write, d.has_imm);
	return 0;
}
