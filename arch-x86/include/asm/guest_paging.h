/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading guest memory by linear address, through the guest's own page
 * tables (none, 32-bit, PAE, 4- and 5-level): how the hypervisor fetches the
 * instruction behind an exit. Table entries and bytes are read through a
 * callback, so that the caller decides how guest-physical memory is reached
 * (the cell's EPT in the image, fake RAM in the simulator).
 */
#ifndef _ASM_GUEST_PAGING_H
#define _ASM_GUEST_PAGING_H

#include <core/types.h>

/* Architectural limit: longer encodings raise #GP on the CPU. */
#define X86_MAX_INSN_LEN 15

/*
 * Guest-physical memory as the hypervisor may read it (in the image: through
 * the cell's EPT). 0 or a negative error; never asked to cross a 4 KiB page.
 */
typedef int (*guest_phys_reader)(void *arg, u64 gpa, void *buf,
				 unsigned int len);

/* The guest's paging mode, as its control registers say. */
struct guest_paging {
	u64 cr0, cr3, cr4, efer;
	/*
	 * PAE paging: the four PDPTEs the CPU loaded with CR3 (VMCS guest
	 * PDPTE fields under EPT), which may differ from memory. NULL reads
	 * them from memory.
	 */
	const u64 *pdptes;
};

/* Why a walk stopped: what a log line needs. */
struct guest_walk_fault {
	u64 linear; /* the address being translated */
	u64 gpa; /* of the entry (or data) that could not be used */
	u64 entry; /* its value, when it was read */
	/* 5..1: PML5E..PTE (4-level: PML4E, PDPTE, PDE, PTE); 0: data */
	int level;
	const char *why;
};

/*
 * Translates a linear address: -EFAULT for a non-present entry or a
 * non-canonical address, -EINVAL for a reserved large-page bit, or the
 * reader's error. fault may be NULL.
 */
int x86_guest_translate(const struct guest_paging *pg, u64 linear, u64 *gpa,
			guest_phys_reader read_phys, void *arg,
			struct guest_walk_fault *fault);
/* Reads len bytes at a linear address, page by page; 0 or as above. */
int x86_guest_read(const struct guest_paging *pg, u64 linear, void *buf,
		   unsigned int len, guest_phys_reader read_phys, void *arg,
		   struct guest_walk_fault *fault);
/*
 * Fetches up to 15 instruction bytes at a linear address, stopping early
 * where the next page cannot be read (the decoder then says whether the
 * instruction fits). The number of bytes, or the error for the first one.
 */
int x86_guest_fetch_insn(const struct guest_paging *pg, u64 linear,
			 u8 buf[X86_MAX_INSN_LEN], guest_phys_reader read_phys,
			 void *arg, struct guest_walk_fault *fault);

#endif
