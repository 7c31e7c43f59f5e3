// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instruction decoder: the MOV forms drivers use on device registers.
 *
 * One pass over the bytes, no tables: legacy prefixes, an optional REX, the
 * opcode, then ModRM/SIB/displacement (only their length matters, since the
 * exit already reports the guest-physical address) and an immediate. Each
 * supported opcode fills in width, direction and register; everything else
 * is refused with a reason the exit handler can log.
 */
#include <core/lib.h>
#include <asm/mmio_decode.h>
#include <asm/processor-flags.h>

#define REX_B 0x1
#define REX_X 0x2
#define REX_R 0x4
#define REX_W 0x8

#define CS_AR_L (1U << 13)
#define CS_AR_DB (1U << 14)

struct decoder {
	const u8 *bytes;
	unsigned int avail; /* at most X86_MAX_INSN_LEN */
	unsigned int pos; /* bytes consumed so far */
	enum x86_code_mode mode;
	u8 rex; /* 0 when none precedes the opcode */
	bool opsize_prefix; /* 66 */
	bool addrsize_prefix; /* 67 */
	const char *why;
	struct mmio_instruction *out;
};

enum x86_code_mode x86_code_mode(u64 efer, u32 cs_access_rights)
{
	if ((efer & EFER_LMA) && (cs_access_rights & CS_AR_L))
		return X86_MODE_64;
	return (cs_access_rights & CS_AR_DB) ? X86_MODE_32 : X86_MODE_16;
}

static bool refuse(struct decoder *d, const char *why)
{
	d->why = why;
	return false;
}

/*
 * Makes sure n more bytes belong to the instruction. Exceeding 15 is checked
 * first: it is a property of the encoding, whereas running out of fetched
 * bytes may only mean the next page could not be read.
 */
static bool need(struct decoder *d, unsigned int n)
{
	if (d->pos + n > X86_MAX_INSN_LEN)
		return refuse(d, "instruction longer than 15 bytes");
	if (d->pos + n > d->avail)
		return refuse(d,
			      "instruction truncated: fetched bytes end in it");
	return true;
}

static bool take_byte(struct decoder *d, u8 *byte)
{
	if (!need(d, 1))
		return false;
	*byte = d->bytes[d->pos++];
	return true;
}

static bool skip(struct decoder *d, unsigned int n)
{
	if (!need(d, n))
		return false;
	d->pos += n;
	return true;
}

/* Little-endian value of n (1, 2, 4 or 8) bytes. */
static bool take_value(struct decoder *d, unsigned int n, u64 *value)
{
	unsigned int i;

	if (!need(d, n))
		return false;
	*value = 0;
	for (i = 0; i < n; i++)
		*value |= (u64)d->bytes[d->pos + i] << (8 * i);
	d->pos += n;
	return true;
}

/* Consumes legacy prefixes and a REX; stops at the opcode. */
static bool decode_prefixes(struct decoder *d)
{
	u8 b;

	for (;;) {
		if (!need(d, 1))
			return false;
		b = d->bytes[d->pos];
		switch (b) {
		case 0xf0:
			return refuse(d, "LOCK prefix on MMIO");
		case 0xf2:
		case 0xf3:
			return refuse(d,
				      "F2/F3 prefix (REP, HLE or SSE) on MMIO");
		case 0x66:
			d->opsize_prefix = true;
			break;
		case 0x67:
			d->addrsize_prefix = true;
			break;
		/*
		 * Segment overrides only change the linear address, and the
		 * exit reports the guest-physical one.
		 */
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
		case 0x64:
		case 0x65:
			break;
		default:
			if (d->mode != X86_MODE_64 || (b & 0xf0) != 0x40)
				return true;
			d->rex = b;
			d->pos++;
			continue;
		}
		/* A REX counts only if it immediately precedes the opcode. */
		d->rex = 0;
		d->pos++;
	}
}

static unsigned int operand_size(const struct decoder *d)
{
	if (d->rex & REX_W)
		return 8;
	if (d->mode == X86_MODE_16)
		return d->opsize_prefix ? 4 : 2;
	return d->opsize_prefix ? 2 : 4;
}

static unsigned int address_size(const struct decoder *d)
{
	switch (d->mode) {
	case X86_MODE_64:
		return d->addrsize_prefix ? 4 : 8;
	case X86_MODE_32:
		return d->addrsize_prefix ? 2 : 4;
	default:
		return d->addrsize_prefix ? 4 : 2;
	}
}

/* Displacement bytes of a 16-bit ModRM memory operand (no SIB there). */
static unsigned int disp_size16(u8 mod, u8 rm)
{
	if (mod == 1)
		return 1;
	if (mod == 2 || rm == 6)
		return 2;
	return 0;
}

/*
 * Skips the rest of a memory operand after its ModRM byte. In 32/64-bit
 * addressing, rm=100 means a SIB follows and base=101 with mod=00 means no
 * base but a disp32; mod=00 rm=101 is disp32 (RIP-relative in 64-bit mode).
 * REX.B and REX.X pick other registers but never change these lengths.
 */
static bool skip_address(struct decoder *d, u8 modrm)
{
	u8 mod = modrm >> 6, rm = modrm & 7, sib;
	unsigned int disp;

	if (address_size(d) == 2)
		return skip(d, disp_size16(mod, rm));

	disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	if (rm == 4) {
		if (!take_byte(d, &sib))
			return false;
		if (mod == 0 && (sib & 7) == 5)
			disp = 4;
	} else if (mod == 0 && rm == 5) {
		disp = 4;
	}
	return skip(d, disp);
}

/* ModRM of a memory operand; refuses the register forms. */
static bool take_modrm(struct decoder *d, u8 *modrm, const char *reg_form)
{
	if (!take_byte(d, modrm))
		return false;
	if ((*modrm >> 6) == 3)
		return refuse(d, reg_form);
	return skip_address(d, *modrm);
}

/*
 * Register operand of width bytes from ModRM.reg. Without a REX prefix the
 * 8-bit numbers 4-7 are AH, CH, DH, BH (bits 15:8 of registers 0-3); with
 * any REX they are SPL, BPL, SIL, DIL.
 */
static void set_reg(struct decoder *d, u8 modrm, unsigned int width)
{
	unsigned int reg = (modrm >> 3) & 7;

	if (d->rex & REX_R)
		reg += 8;
	if (width == 1 && !d->rex && reg >= 4) {
		d->out->high_byte = true;
		reg -= 4;
	}
	d->out->reg = reg;
}

static void set_access(struct decoder *d, unsigned int width,
		       unsigned int reg_width, bool is_write)
{
	struct mmio_instruction *out = d->out;

	out->width = width;
	out->reg_width = reg_width;
	out->is_write = is_write;
	/* 32-bit results fill the whole register only in 64-bit mode. */
	out->zero_extend_64 = !is_write && reg_width == 4 &&
			      d->mode == X86_MODE_64;
}

/* 88, 89 (store) and 8A, 8B (load). */
static bool decode_mov(struct decoder *d, unsigned int width, bool is_write)
{
	u8 modrm;

	if (!take_modrm(d, &modrm,
			"register-to-register form touches no memory"))
		return false;
	set_access(d, width, width, is_write);
	set_reg(d, modrm, width);
	return true;
}

/* 0F B6/B7/BE/BF and 63: load width bytes, extend to the operand size. */
static bool decode_movx(struct decoder *d, unsigned int width,
			enum mmio_extend extend)
{
	unsigned int reg_width = operand_size(d);
	u8 modrm;

	if (!take_modrm(d, &modrm,
			"register-to-register form touches no memory"))
		return false;
	set_access(d, width, reg_width, false);
	/* The destination is at least 16 bits: never a high-byte register. */
	set_reg(d, modrm, reg_width);
	d->out->extend = width < reg_width ? extend : MMIO_EXTEND_NONE;
	return true;
}

static u64 sign_extend(u64 value, unsigned int width)
{
	unsigned int shift = 64 - 8 * width;

	return (u64)((s64)(value << shift) >> shift);
}

/* C6 /0 ib and C7 /0 iw/id: the immediate follows the memory operand. */
static bool decode_mov_imm(struct decoder *d, unsigned int width)
{
	unsigned int imm_size = MIN(width, 4U);
	struct mmio_instruction *out = d->out;
	u8 modrm;
	u64 imm;

	if (!take_byte(d, &modrm))
		return false;
	if ((modrm >> 3) & 7)
		return refuse(d,
			      "opcode 0xc6/0xc7 with ModRM.reg != 0 (not MOV)");
	if ((modrm >> 6) == 3)
		return refuse(d, "register-immediate form touches no memory");
	if (!skip_address(d, modrm) || !take_value(d, imm_size, &imm))
		return false;
	set_access(d, width, width, true);
	out->has_imm = true;
	/* A 64-bit store takes an imm32, sign-extended. */
	out->imm = width == 8 ? sign_extend(imm, 4) : imm;
	return true;
}

/* A0-A3: AL/rAX and an absolute offset as wide as the address size. */
static bool decode_moffs(struct decoder *d, u8 opcode)
{
	unsigned int width = (opcode & 1) ? operand_size(d) : 1;

	if (!skip(d, address_size(d)))
		return false;
	set_access(d, width, width, opcode & 2);
	d->out->reg = REG_RAX;
	return true;
}

static void append(char **p, char *end, const char *s)
{
	while (*s && *p < end - 1)
		*(*p)++ = *s++;
	**p = '\0';
}

static void append_hex(char **p, char *end, u8 byte)
{
	static const char digits[] = "0123456789abcdef";
	char s[5] = { '0', 'x', digits[byte >> 4], digits[byte & 15], 0 };

	append(p, end, s);
}

/*
 * "unsupported opcode 0x0f 0xc3 (MOVNTI)": the bytes the guest used, and a
 * name when the opcode is one a driver might plausibly aim at MMIO.
 */
static bool refuse_opcode(struct decoder *d, bool two_byte, u8 opcode,
			  const char *name)
{
	char *p = d->out->reason, *end = p + sizeof(d->out->reason);

	append(&p, end, "unsupported opcode ");
	if (two_byte) {
		append_hex(&p, end, 0x0f);
		append(&p, end, " ");
	}
	append_hex(&p, end, opcode);
	if (name) {
		append(&p, end, " (");
		append(&p, end, name);
		append(&p, end, ")");
	}
	return refuse(d, d->out->reason);
}

static const char *one_byte_name(u8 op, enum x86_code_mode mode)
{
	switch (op) {
	case 0x00 ... 0x3f:
		return (op & 7) < 6 ? "ALU operation" : NULL;
	case 0x40 ... 0x4f:
		return "INC/DEC"; /* REX in 64-bit mode never gets here */
	case 0x62:
		return mode == X86_MODE_64 ? "EVEX (AVX-512)" : "BOUND/EVEX";
	case 0x63:
		return mode == X86_MODE_64 ? "MOVSXD without REX.W" : "ARPL";
	case 0x80 ... 0x83:
		return "ALU operation with immediate";
	case 0x84:
	case 0x85:
		return "TEST";
	case 0x86:
	case 0x87:
		return "XCHG";
	case 0x8c:
	case 0x8e:
		return "MOV segment register";
	case 0x8f:
		return "POP";
	case 0xa4:
	case 0xa5:
		return "MOVS";
	case 0xa6:
	case 0xa7:
		return "CMPS";
	case 0xaa:
	case 0xab:
		return "STOS";
	case 0xac:
	case 0xad:
		return "LODS";
	case 0xae:
	case 0xaf:
		return "SCAS";
	case 0xc0:
	case 0xc1:
	case 0xd0 ... 0xd3:
		return "shift/rotate";
	case 0xc4:
	case 0xc5:
		return mode == X86_MODE_64 ? "VEX (AVX)" : "LES/LDS/VEX";
	case 0xd8 ... 0xdf:
		return "x87 FPU";
	case 0xf6:
	case 0xf7:
		return "TEST/NOT/NEG/MUL/DIV";
	case 0xfe:
	case 0xff:
		return "INC/DEC/CALL/JMP/PUSH";
	default:
		return NULL;
	}
}

static const char *two_byte_name(u8 op)
{
	switch (op) {
	case 0x0d:
	case 0x18:
		return "prefetch";
	case 0x10 ... 0x17:
	case 0x28 ... 0x2b:
	case 0x6e:
	case 0x6f:
	case 0x7e:
	case 0x7f:
	case 0xd6:
	case 0xe7:
		return "MMX/SSE move";
	case 0x38:
	case 0x3a:
		return "three-byte opcode";
	case 0xa3:
	case 0xab:
	case 0xb3:
	case 0xba:
	case 0xbb:
		return "bit test";
	case 0xae:
		return "CLFLUSH/FXSAVE/fence";
	case 0xb0:
	case 0xb1:
		return "CMPXCHG";
	case 0xc0:
	case 0xc1:
		return "XADD";
	case 0xc3:
		return "MOVNTI";
	case 0xc7:
		return "CMPXCHG8B/16B";
	default:
		return NULL;
	}
}

static bool decode_two_byte(struct decoder *d)
{
	u8 op;

	if (!take_byte(d, &op))
		return false;
	switch (op) {
	case 0xb6:
		return decode_movx(d, 1, MMIO_EXTEND_ZERO);
	case 0xb7:
		return decode_movx(d, 2, MMIO_EXTEND_ZERO);
	case 0xbe:
		return decode_movx(d, 1, MMIO_EXTEND_SIGN);
	case 0xbf:
		return decode_movx(d, 2, MMIO_EXTEND_SIGN);
	default:
		return refuse_opcode(d, true, op, two_byte_name(op));
	}
}

/* decode_prefixes stopped at a byte it has checked is there. */
static bool decode_opcode(struct decoder *d)
{
	u8 op = d->bytes[d->pos++];

	switch (op) {
	case 0x88:
		return decode_mov(d, 1, true);
	case 0x89:
		return decode_mov(d, operand_size(d), true);
	case 0x8a:
		return decode_mov(d, 1, false);
	case 0x8b:
		return decode_mov(d, operand_size(d), false);
	case 0xc6:
		return decode_mov_imm(d, 1);
	case 0xc7:
		return decode_mov_imm(d, operand_size(d));
	case 0xa0 ... 0xa3:
		return decode_moffs(d, op);
	case 0x0f:
		return decode_two_byte(d);
	case 0x63:
		/* MOVSXD r64, r/m32; other operand sizes have no use here. */
		if (d->mode == X86_MODE_64 && (d->rex & REX_W))
			return decode_movx(d, 4, MMIO_EXTEND_SIGN);
		/* fall through */
	default:
		return refuse_opcode(d, false, op, one_byte_name(op, d->mode));
	}
}

bool x86_decode_mmio(const u8 *bytes, unsigned int avail,
		     enum x86_code_mode mode, struct mmio_instruction *out,
		     const char **why)
{
	struct decoder d = {
		.bytes = bytes,
		.avail = MIN(avail, (unsigned int)X86_MAX_INSN_LEN),
		.mode = mode,
		.out = out,
	};

	/* The reason buffer is written only when needed. */
	memset(out, 0, offsetof(struct mmio_instruction, reason));
	out->reason[0] = '\0';
	if (!decode_prefixes(&d) || !decode_opcode(&d)) {
		*why = d.why;
		return false;
	}
	out->length = d.pos;
	*why = NULL;
	return true;
}

static u64 width_mask(unsigned int width)
{
	return width >= 8 ? ~0ULL : (1ULL << (8 * width)) - 1;
}

void x86_mmio_apply_read(struct guest_regs *regs,
			 const struct mmio_instruction *insn, u64 value)
{
	u64 *reg = &regs->gp[insn->reg];

	if (insn->is_write)
		return;
	if (insn->extend == MMIO_EXTEND_SIGN)
		value = sign_extend(value, insn->width);
	else
		value &= width_mask(insn->width);

	switch (insn->reg_width) {
	case 1:
		if (insn->high_byte)
			*reg = (*reg & ~0xff00ULL) | (value & 0xff) << 8;
		else
			*reg = (*reg & ~0xffULL) | (value & 0xff);
		break;
	case 2:
		*reg = (*reg & ~0xffffULL) | (value & 0xffff);
		break;
	case 4:
		if (insn->zero_extend_64)
			*reg = (u32)value;
		else
			*reg = (*reg & ~0xffffffffULL) | (u32)value;
		break;
	default:
		*reg = value;
	}
}

u64 x86_mmio_write_value(const struct guest_regs *regs,
			 const struct mmio_instruction *insn)
{
	u64 value;

	if (insn->has_imm)
		value = insn->imm;
	else if (insn->high_byte)
		value = regs->gp[insn->reg] >> 8;
	else
		value = regs->gp[insn->reg];
	return value & width_mask(insn->width);
}
