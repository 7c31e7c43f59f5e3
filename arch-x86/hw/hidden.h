/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forced into every object of the image: all symbols are local to it, so
 * position-independent code reaches them RIP-relative, without a GOT that
 * would need relocating before the relocation code itself could run.
 */
#pragma GCC visibility push(hidden)
