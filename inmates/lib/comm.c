// SPDX-License-Identifier: GPL-2.0
/*
 * The comm region protocol, cell side (see include/jailhouse/hypercall.h).
 *
 * The hypervisor clears reply_from_cell, then writes msg_to_cell, and
 * waits for an answer; once it has one it clears msg_to_cell. So a message
 * is pending only while the reply is still REPLY_NONE: the reply is read
 * first, then the message (x86 keeps loads in order, the fields are
 * volatile), and a message already answered is never handled twice.
 */
#include <inmate.h>

_Static_assert(offsetof(struct jailhouse_comm_region, revision) == 6,
	       "comm region layout");
_Static_assert(offsetof(struct jailhouse_comm_region, cell_state) == 8,
	       "comm region layout");
_Static_assert(offsetof(struct jailhouse_comm_region, msg_to_cell) == 12,
	       "comm region layout");
_Static_assert(offsetof(struct jailhouse_comm_region, reply_from_cell) == 16,
	       "comm region layout");
_Static_assert(offsetof(struct jailhouse_comm_region, pm_timer_address) == 28,
	       "comm region layout");
_Static_assert(offsetof(struct jailhouse_comm_region, apic_khz) == 40,
	       "comm region layout");

struct jailhouse_comm_region *comm_region(void)
{
	return (struct jailhouse_comm_region *)COMM_REGION_ADDR;
}

bool comm_region_valid(void)
{
	const struct jailhouse_comm_region *comm = comm_region();

	return strncmp(comm->signature, JAILHOUSE_COMM_SIGNATURE,
		       sizeof(comm->signature)) == 0 &&
	       comm->revision == JAILHOUSE_COMM_REVISION;
}

u32 comm_poll(void)
{
	struct jailhouse_comm_region *comm = comm_region();

	if (comm->reply_from_cell != JAILHOUSE_MSG_REPLY_NONE)
		return JAILHOUSE_MSG_NONE;
	return comm->msg_to_cell;
}

void comm_reply(u32 reply)
{
	comm_region()->reply_from_cell = reply;
}

void comm_set_state(u32 state)
{
	comm_region()->cell_state = state;
}
