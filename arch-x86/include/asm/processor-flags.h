/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bits of the control registers, EFER and RFLAGS (SDM volume 3, 2.5 and
 * 2.2.1; AMD's APM volume 2 for EFER.SVME), one name each.
 */
#ifndef _ASM_PROCESSOR_FLAGS_H
#define _ASM_PROCESSOR_FLAGS_H

#define CR0_PE (1ULL << 0)
#define CR0_TS (1ULL << 3)
#define CR0_WP (1ULL << 16)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31)

#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define CR4_LA57 (1ULL << 12)
#define CR4_VMXE (1ULL << 13)
#define CR4_PCIDE (1ULL << 17)
#define CR4_OSXSAVE (1ULL << 18)

#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)
#define EFER_SVME (1ULL << 12)

#define RFLAGS_FIXED1 (1ULL << 1)
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_VM (1ULL << 17)

#endif
