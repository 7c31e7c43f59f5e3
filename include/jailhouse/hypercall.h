/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypercall interface and comm region.
 *
 * Convention (x86): the caller executes VMCALL (Intel) or VMMCALL (AMD) at
 * CPL 0 with the hypercall number in RAX and up to two arguments in RDI and
 * RSI. The result comes back in RAX: >= 0 on success, a negative errno value
 * (Linux numbering, see errno.h in the driver) on failure.
 */
#ifndef _JAILHOUSE_HYPERCALL_H
#define _JAILHOUSE_HYPERCALL_H

#include <jailhouse/types.h>

/* Management: root cell, CPL 0 only. */
#define JAILHOUSE_HC_DISABLE 0
/* arg1: guest-phys address of the config, arg2: its size in bytes */
#define JAILHOUSE_HC_CELL_CREATE 1
#define JAILHOUSE_HC_CELL_START 2 /* arg1: cell id */
#define JAILHOUSE_HC_CELL_SET_LOADABLE 3 /* arg1: cell id */
#define JAILHOUSE_HC_CELL_DESTROY 4 /* arg1: cell id */
/* Information. */
#define JAILHOUSE_HC_HYPERVISOR_GET_INFO 5 /* arg1: JAILHOUSE_INFO_* */
#define JAILHOUSE_HC_CELL_GET_STATE 6 /* arg1: cell id */
#define JAILHOUSE_HC_CPU_GET_INFO 7 /* arg1: cpu id, arg2: JAILHOUSE_CPU_INFO_* */
/* Console: any cell with JAILHOUSE_CELL_DEBUG_CONSOLE. */
#define JAILHOUSE_HC_DEBUG_CONSOLE_PUTC 8 /* arg1: character */
/* arg1: root guest-physical address of a struct jailhouse_console_page */
#define JAILHOUSE_HC_CONSOLE_READ 9
/*
 * arg1: guest-physical address of text in the caller's RAM, arg2: its
 * length, at most JAILHOUSE_CONSOLE_WRITE_MAX: a whole line in one exit.
 */
#define JAILHOUSE_HC_DEBUG_CONSOLE_WRITE 10
#define JAILHOUSE_HC_COUNT 11

#define JAILHOUSE_CONSOLE_WRITE_MAX 256

/*
 * JAILHOUSE_HC_CONSOLE_READ (root only): the hypervisor's console ring
 * while it runs, a page of root's memory at a time, page aligned. The
 * caller sets from (0 for the oldest text kept); the hypervisor fills
 * text with what it logged from there on, count bytes, and next, the
 * position to ask for next time. Text older than the ring holds is gone:
 * then next - count > from.
 */
#define JAILHOUSE_CONSOLE_PAGE_TEXT (4096 - 24)

struct jailhouse_console_page {
	__u64 from;
	__u64 next;
	__u32 count;
	__u32 padding;
	char text[JAILHOUSE_CONSOLE_PAGE_TEXT];
} __attribute__((packed));

/* JAILHOUSE_HC_HYPERVISOR_GET_INFO */
#define JAILHOUSE_INFO_MEM_POOL_SIZE 0 /* pages */
#define JAILHOUSE_INFO_MEM_POOL_USED 1 /* pages */
#define JAILHOUSE_INFO_NUM_CELLS 2
#define JAILHOUSE_INFO_LAST_ERROR 3 /* enum jailhouse_config_error */
#define JAILHOUSE_INFO_LAST_ERROR_ITEM 4 /* index of the offending item */

/* JAILHOUSE_HC_CPU_GET_INFO */
#define JAILHOUSE_CPU_INFO_STATE 0
#define JAILHOUSE_CPU_INFO_STAT_BASE 1000 /* + JAILHOUSE_CPU_STAT_* */

#define JAILHOUSE_CPU_RUNNING 0
#define JAILHOUSE_CPU_FAILED 2

/* Per-CPU exit statistics, by reason. */
#define JAILHOUSE_CPU_STAT_VMEXITS_TOTAL 0
#define JAILHOUSE_CPU_STAT_VMEXITS_MMIO 1
#define JAILHOUSE_CPU_STAT_VMEXITS_PIO 2
#define JAILHOUSE_CPU_STAT_VMEXITS_HYPERCALL 3
#define JAILHOUSE_CPU_STAT_VMEXITS_MANAGEMENT 4
#define JAILHOUSE_CPU_STAT_VMEXITS_CPUID 5
#define JAILHOUSE_CPU_STAT_VMEXITS_MSR 6
#define JAILHOUSE_CPU_STAT_VMEXITS_CR 7
#define JAILHOUSE_CPU_STAT_VMEXITS_XSETBV 8
#define JAILHOUSE_CPU_STAT_VMEXITS_EXCEPTION 9
#define JAILHOUSE_CPU_STAT_VMEXITS_APIC 10
#define JAILHOUSE_CPU_STAT_VMEXITS_OTHER 11
#define JAILHOUSE_NUM_CPU_STATS 12

/* Cell states, written to the comm region by the cell (RUNNING and
 * RUNNING_LOCKED) or by the hypervisor (SHUT_DOWN, FAILED). */
#define JAILHOUSE_CELL_RUNNING 0
#define JAILHOUSE_CELL_RUNNING_LOCKED 1
#define JAILHOUSE_CELL_SHUT_DOWN 2
#define JAILHOUSE_CELL_FAILED 3

/* Messages from the hypervisor to a cell. */
#define JAILHOUSE_MSG_NONE 0
#define JAILHOUSE_MSG_SHUTDOWN_REQUEST 1
#define JAILHOUSE_MSG_RECONFIG_COMPLETED 2

/* Replies from a cell. */
#define JAILHOUSE_MSG_REPLY_NONE 0
#define JAILHOUSE_MSG_REQUEST_APPROVED 1
#define JAILHOUSE_MSG_REQUEST_DENIED 2
#define JAILHOUSE_MSG_UNKNOWN 3
#define JAILHOUSE_MSG_RECEIVED 4

#define JAILHOUSE_COMM_SIGNATURE "JHCOMM"
#define JAILHOUSE_COMM_REVISION 1

/*
 * One page, mapped into the cell at its JAILHOUSE_MEM_COMM_REGION address.
 * The hypervisor writes msg_to_cell after clearing reply_from_cell; the cell
 * answers by writing reply_from_cell. The cell reports RUNNING or
 * RUNNING_LOCKED in cell_state.
 */
struct jailhouse_comm_region {
	char signature[6];
	__u16 revision;
	volatile __u32 cell_state;
	volatile __u32 msg_to_cell;
	volatile __u32 reply_from_cell;
	__u32 flags;
	/* Platform facts an inmate needs, filled in by the hypervisor. */
	__u32 num_cpus;
	__u16 pm_timer_address;
	__u16 padding;
	__u64 tsc_khz;
	__u64 apic_khz;
} __attribute__((packed));

#endif
