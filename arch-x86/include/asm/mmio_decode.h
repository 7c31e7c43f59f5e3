/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding the instruction behind a trapped MMIO access, and fetching its
 * bytes through the guest's own page tables.
 *
 * A nested-paging violation tells the hypervisor the guest-physical address
 * but not the access width, the register or the value: those come from the
 * instruction. Only the MOV family that device drivers use for MMIO is
 * accepted; anything else (read-modify-write, string, vector or locked
 * instructions) is refused with a reason, and the caller fails the cell
 * rather than guess.
 */
#ifndef _ASM_MMIO_DECODE_H
#define _ASM_MMIO_DECODE_H

#include <core/types.h>
#include <asm/cpu_state.h>
#include <asm/guest_paging.h>

/* Default operand and address size of the code segment the guest runs in. */
enum x86_code_mode {
	X86_MODE_16, /* real mode, virtual-8086, 16-bit protected (CS.D=0) */
	X86_MODE_32, /* 32-bit protected or compatibility mode (CS.D=1) */
	X86_MODE_64, /* long mode with CS.L=1 */
};

/* How a load narrower than its destination register fills the rest. */
enum mmio_extend {
	MMIO_EXTEND_NONE, /* plain MOV: memory and register are as wide */
	MMIO_EXTEND_ZERO, /* MOVZX */
	MMIO_EXTEND_SIGN, /* MOVSX, MOVSXD */
};

struct mmio_instruction {
	u8 length; /* bytes to skip over RIP when the access is emulated */
	u8 width; /* bytes accessed in memory: 1, 2, 4 or 8 */
	u8 reg_width; /* bytes of the register operand: >= width */
	bool is_write;
	/* A store of an immediate: imm holds it, reg means nothing. */
	bool has_imm;
	/*
	 * reg names the 8-bit register AH, CH, DH or BH as bits 15:8 of
	 * REG_RAX..REG_RBX; only possible without a REX prefix.
	 */
	bool high_byte;
	/* A 4-byte register write clears bits 63:32 (64-bit mode only). */
	bool zero_extend_64;
	enum mmio_extend extend;
	enum x86_reg reg;
	u64 imm; /* sign-extended to reg_width for the 64-bit imm32 form */
	/* Room for a refusal that names bytes; *why may point here. */
	char reason[64];
};

/*
 * The code mode from the guest's EFER.LMA and its CS access rights (VMX
 * layout: L is bit 13, D/B bit 14).
 */
enum x86_code_mode x86_code_mode(u64 efer, u32 cs_access_rights);

/*
 * Decodes one instruction from bytes[0..avail) (at most 15 are looked at).
 * False, with *why set (to a constant or to out->reason), for anything that
 * is not a supported memory MOV or does not fit.
 */
bool x86_decode_mmio(const u8 *bytes, unsigned int avail,
		     enum x86_code_mode mode, struct mmio_instruction *out,
		     const char **why);

/* Puts a value read from MMIO into the destination register. */
void x86_mmio_apply_read(struct guest_regs *regs,
			 const struct mmio_instruction *insn, u64 value);
/* The value a write instruction stores, truncated to its width. */
u64 x86_mmio_write_value(const struct guest_regs *regs,
			 const struct mmio_instruction *insn);

#endif
