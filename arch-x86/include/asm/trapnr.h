/* SPDX-License-Identifier: GPL-2.0 */
/* Exception vectors (SDM volume 3, table 6-1), one name each. */
#ifndef _ASM_TRAPNR_H
#define _ASM_TRAPNR_H

#define X86_VECTOR_DB 1
#define X86_VECTOR_NMI 2
#define X86_VECTOR_BP 3
#define X86_VECTOR_OF 4
#define X86_VECTOR_UD 6
#define X86_VECTOR_GP 13
#define X86_VECTOR_AC 17

#endif
