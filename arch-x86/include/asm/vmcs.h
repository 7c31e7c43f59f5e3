/* SPDX-License-Identifier: GPL-2.0 */
/* VMCS field encodings used by the hypervisor (Intel SDM, appendix B). */
#ifndef _ASM_VMCS_H
#define _ASM_VMCS_H

#define VMCS_IO_BITMAP_A 0x00002000
#define VMCS_IO_BITMAP_B 0x00002002
#define VMCS_EPT_POINTER 0x0000201a
#define VMCS_GUEST_CS_SELECTOR 0x00000802
#define VMCS_GUEST_CS_LIMIT 0x00004802
#define VMCS_GUEST_CS_AR_BYTES 0x00004816
#define VMCS_GUEST_ACTIVITY_STATE 0x00004826
#define VMCS_GUEST_CS_BASE 0x00006808
#define VMCS_GUEST_RSP 0x0000681c
#define VMCS_GUEST_RIP 0x0000681e
#define VMCS_GUEST_RFLAGS 0x00006820

#define GUEST_ACTIVITY_ACTIVE 0
#define GUEST_ACTIVITY_HLT 1
#define GUEST_ACTIVITY_WAIT_SIPI 3

/* EPT pointer: write-back paging structures, 4-level walk. */
#define EPTP_MEMTYPE_WB 6
#define EPTP_WALK_LENGTH_4 (3 << 3)

#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXTS 2

#endif
