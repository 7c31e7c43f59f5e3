/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD SVM's virtual machine control block: one 4 KiB page per CPU, the
 * control area (intercepts, exit information, event injection, nested
 * paging) at offset 0 and the guest's state save area at 0x400 (AMD64
 * APM Vol. 2, appendix B). Unlike a VMCS it is plain memory: the
 * hypervisor reads and writes it directly, in the simulator as on
 * hardware.
 */
#ifndef _ASM_VMCB_H
#define _ASM_VMCB_H

#include <core/types.h>

/* One segment in the save area; attrib is the compressed 12-bit form. */
struct vmcb_segment {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} __attribute__((packed));

struct vmcb_control {
	u16 cr_read_intercepts; /* 0x000 */
	u16 cr_write_intercepts;
	u16 dr_read_intercepts;
	u16 dr_write_intercepts;
	u32 exception_intercepts; /* 0x008 */
	u32 intercepts1; /* 0x00c */
	u32 intercepts2; /* 0x010 */
	u32 intercepts3;
	u8 reserved_018[0x03c - 0x018];
	u16 pause_filter_threshold; /* 0x03c */
	u16 pause_filter_count;
	u64 iopm_base_pa; /* 0x040 */
	u64 msrpm_base_pa; /* 0x048 */
	u64 tsc_offset; /* 0x050 */
	u32 asid; /* 0x058 */
	u8 tlb_control; /* 0x05c */
	u8 reserved_05d[3];
	u64 int_control; /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING, ... */
	u64 int_state; /* 0x068: interrupt shadow */
	u64 exit_code; /* 0x070 */
	u64 exit_info1; /* 0x078 */
	u64 exit_info2; /* 0x080 */
	u64 exit_int_info; /* 0x088 */
	u64 nested_control; /* 0x090: NP_ENABLE in bit 0 */
	u64 avic_apic_bar; /* 0x098 */
	u64 ghcb_pa; /* 0x0a0 */
	u64 event_inject; /* 0x0a8 */
	u64 n_cr3; /* 0x0b0 */
	u64 virt_ext; /* 0x0b8 */
	u32 clean_bits; /* 0x0c0 */
	u32 reserved_0c4;
	u64 next_rip; /* 0x0c8 */
	u8 bytes_fetched; /* 0x0d0 */
	u8 guest_bytes[15];
	u8 reserved_0e0[0x400 - 0x0e0];
} __attribute__((packed));

struct vmcb_save {
	struct vmcb_segment es, cs, ss, ds, fs, gs; /* 0x400 */
	struct vmcb_segment gdtr, ldtr, idtr, tr; /* 0x460 */
	u8 reserved_4a0[0x4cb - 0x4a0];
	u8 cpl; /* 0x4cb */
	u32 reserved_4cc;
	u64 efer; /* 0x4d0 */
	u8 reserved_4d8[0x548 - 0x4d8];
	u64 cr4; /* 0x548 */
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;
	u64 rip; /* 0x578 */
	u8 reserved_580[0x5d8 - 0x580];
	u64 rsp; /* 0x5d8 */
	u64 s_cet, ssp, isst_addr;
	u64 rax; /* 0x5f8 */
	u64 star, lstar, cstar, sfmask, kernel_gs_base; /* 0x600 */
	u64 sysenter_cs, sysenter_esp, sysenter_eip; /* 0x628 */
	u64 cr2; /* 0x640 */
	u8 reserved_648[0x668 - 0x648];
	u64 g_pat; /* 0x668 */
	u64 dbgctl;
	u64 br_from, br_to, last_excp_from, last_excp_to;
	u8 reserved_698[0x1000 - 0x698];
} __attribute__((packed));

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __attribute__((packed));

_Static_assert(sizeof(struct vmcb) == 4096, "a VMCB is one page");
_Static_assert(__builtin_offsetof(struct vmcb, save.rsp) == 0x5d8,
	       "save area layout");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668,
	       "save area layout");
_Static_assert(__builtin_offsetof(struct vmcb, control.next_rip) == 0xc8,
	       "control area layout");

/* intercepts1 */
#define SVM_INTERCEPT_INTR (1U << 0)
#define SVM_INTERCEPT_NMI (1U << 1)
#define SVM_INTERCEPT_SMI (1U << 2)
#define SVM_INTERCEPT_INIT (1U << 3)
#define SVM_INTERCEPT_CPUID (1U << 18)
#define SVM_INTERCEPT_INVD (1U << 22)
#define SVM_INTERCEPT_IOIO_PROT (1U << 27)
#define SVM_INTERCEPT_MSR_PROT (1U << 28)
#define SVM_INTERCEPT_SHUTDOWN (1U << 31)
/* intercepts2 */
#define SVM_INTERCEPT_VMRUN (1U << 0)
#define SVM_INTERCEPT_VMMCALL (1U << 1)
#define SVM_INTERCEPT_VMLOAD (1U << 2)
#define SVM_INTERCEPT_VMSAVE (1U << 3)
#define SVM_INTERCEPT_STGI (1U << 4)
#define SVM_INTERCEPT_CLGI (1U << 5)
#define SVM_INTERCEPT_SKINIT (1U << 6)
#define SVM_INTERCEPT_XSETBV (1U << 13)

#define SVM_NP_ENABLE (1ULL << 0)
#define SVM_TLB_FLUSH_GUEST 3

/* Event injection (and EXITINTINFO) */
#define SVM_EVENT_VALID (1ULL << 31)
#define SVM_EVENT_ERROR_VALID (1ULL << 11)
#define SVM_EVENT_TYPE_SHIFT 8
#define SVM_EVENT_TYPE_NMI 2ULL
#define SVM_EVENT_TYPE_EXCEPTION 3ULL
#define SVM_EVENT_TYPE_SOFT_INT 4ULL

/* Exit codes */
#define SVM_EXIT_CR0_WRITE 0x010
#define SVM_EXIT_EXCEPTION_BASE 0x040
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_INIT 0x063
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_IOIO 0x07b
#define SVM_EXIT_MSR 0x07c
#define SVM_EXIT_SHUTDOWN 0x07f
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_XSETBV 0x08d
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID ((u64)-1)

/* EXITINFO1 of an I/O intercept */
#define SVM_IOIO_IN (1ULL << 0)
#define SVM_IOIO_STRING (1ULL << 2)
#define SVM_IOIO_REP (1ULL << 3)
#define SVM_IOIO_SIZE_SHIFT 4 /* one-hot: 1, 2 or 4 bytes */
#define SVM_IOIO_PORT_SHIFT 16

/* EXITINFO1 of a nested page fault: the page-fault error code */
#define SVM_NPF_PRESENT (1ULL << 0)
#define SVM_NPF_WRITE (1ULL << 1)
#define SVM_NPF_FETCH (1ULL << 4)

/* The I/O and MSR permission maps the control area points at. */
#define SVM_IOPM_PAGES 3
#define SVM_MSRPM_PAGES 2

#endif
