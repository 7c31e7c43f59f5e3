// SPDX-License-Identifier: GPL-2.0
/*
 * The inmate library's comm-region helpers, compiled for the host. The
 * test maps a page at the inmate's comm region address, 0x100000, so the
 * code under test runs unchanged; the hypervisor's side is played by
 * writing and reading the page at the byte offsets the ABI documents
 * (docs/config-format.md), not through the C struct.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <inmate.h>

#define OFF_SIGNATURE 0
#define OFF_REVISION 6
#define OFF_CELL_STATE 8
#define OFF_MSG_TO_CELL 12
#define OFF_REPLY_FROM_CELL 16
#define OFF_PM_TIMER 28

static uint8_t *page;

static void map_comm_page(void)
{
	void *p =
		mmap((void *)COMM_REGION_ADDR, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	cr_assert(p == (void *)COMM_REGION_ADDR, "cannot map a page at 0x%lx",
		  COMM_REGION_ADDR);
	page = p;
	/* As the hypervisor fills it before the cell starts. */
	memcpy(page + OFF_SIGNATURE, "JHCOMM", 6);
	page[OFF_REVISION] = JAILHOUSE_COMM_REVISION;
	page[OFF_PM_TIMER] = 0x08;
	page[OFF_PM_TIMER + 1] = 0x06;
}

static void unmap_comm_page(void)
{
	munmap(page, 4096);
}

static uint32_t get32(unsigned int off)
{
	uint32_t v;

	memcpy(&v, page + off, 4);
	return v;
}

static void put32(unsigned int off, uint32_t v)
{
	memcpy(page + off, &v, 4);
}

/* The hypervisor's half of an exchange: clear the reply, post. */
static void post(uint32_t msg)
{
	put32(OFF_REPLY_FROM_CELL, JAILHOUSE_MSG_REPLY_NONE);
	put32(OFF_MSG_TO_CELL, msg);
}

TestSuite(comm, .init = map_comm_page, .fini = unmap_comm_page);

Test(comm, region_at_fixed_address)
{
	cr_assert_eq((uintptr_t)comm_region(), 0x100000);
	cr_assert(comm_region_valid());
	cr_assert_eq(comm_region()->pm_timer_address, 0x608);
}

Test(comm, signature_and_revision_checked)
{
	page[OFF_SIGNATURE + 5] = 'X';
	cr_assert_not(comm_region_valid());
	page[OFF_SIGNATURE + 5] = 'M';
	page[OFF_REVISION] = JAILHOUSE_COMM_REVISION + 1;
	cr_assert_not(comm_region_valid());
}

Test(comm, no_message_when_idle)
{
	cr_assert_eq(comm_poll(), JAILHOUSE_MSG_NONE);
}

Test(comm, pending_message_and_reply_offsets)
{
	post(JAILHOUSE_MSG_SHUTDOWN_REQUEST);
	cr_assert_eq(comm_poll(), JAILHOUSE_MSG_SHUTDOWN_REQUEST);
	comm_reply(JAILHOUSE_MSG_REQUEST_DENIED);
	cr_assert_eq(get32(OFF_REPLY_FROM_CELL), JAILHOUSE_MSG_REQUEST_DENIED);
	/* Nothing else was touched. */
	cr_assert_eq(get32(OFF_MSG_TO_CELL), JAILHOUSE_MSG_SHUTDOWN_REQUEST);
	cr_assert_eq(get32(OFF_CELL_STATE), JAILHOUSE_CELL_RUNNING);
}

Test(comm, answered_message_is_not_pending)
{
	/* Replied, but the hypervisor has not cleared the message yet. */
	post(JAILHOUSE_MSG_SHUTDOWN_REQUEST);
	comm_reply(JAILHOUSE_MSG_REQUEST_DENIED);
	cr_assert_eq(comm_poll(), JAILHOUSE_MSG_NONE);
	/* The hypervisor takes the reply and clears the message. */
	put32(OFF_MSG_TO_CELL, JAILHOUSE_MSG_NONE);
	cr_assert_eq(comm_poll(), JAILHOUSE_MSG_NONE);
	/* The next exchange is seen again. */
	post(JAILHOUSE_MSG_RECONFIG_COMPLETED);
	cr_assert_eq(comm_poll(), JAILHOUSE_MSG_RECONFIG_COMPLETED);
	comm_reply(JAILHOUSE_MSG_RECEIVED);
	cr_assert_eq(get32(OFF_REPLY_FROM_CELL), JAILHOUSE_MSG_RECEIVED);
}

Test(comm, cell_state_offset)
{
	comm_set_state(JAILHOUSE_CELL_RUNNING_LOCKED);
	cr_assert_eq(get32(OFF_CELL_STATE), JAILHOUSE_CELL_RUNNING_LOCKED);
	cr_assert_eq(get32(OFF_MSG_TO_CELL), 0);
	cr_assert_eq(get32(OFF_REPLY_FROM_CELL), 0);
	comm_set_state(JAILHOUSE_CELL_RUNNING);
	cr_assert_eq(get32(OFF_CELL_STATE), JAILHOUSE_CELL_RUNNING);
}
