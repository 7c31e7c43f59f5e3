// SPDX-License-Identifier: GPL-2.0
/*
 * Cells at run time: lookup, state, failure, and the comm-region protocol
 * through which the hypervisor asks a cell's consent.
 */
#include <core/arch.h>
#include <core/cell.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/percpu.h>
#include <core/printk.h>

struct cell root_cell;
const struct jailhouse_system *system_config;

struct cell *cell_find_by_id(u32 id)
{
	struct cell *cell;

	for_each_cell(cell)
		if (cell->id == id)
			return cell;
	return NULL;
}

unsigned int cell_count(void)
{
	unsigned int n = 0;
	struct cell *cell;

	for_each_cell(cell)
		n++;
	return n;
}

static bool comm_region_used(const struct cell *cell)
{
	return cell->comm_page &&
	       !(cell->config->flags & JAILHOUSE_CELL_PASSIVE_COMMREG);
}

u32 cell_visible_state(const struct cell *cell)
{
	/*
	 * Only the lock is taken from the cell's own report; SHUT_DOWN and
	 * FAILED are the hypervisor's to say, whatever a cell writes.
	 */
	if (cell->state == JAILHOUSE_CELL_RUNNING && comm_region_used(cell) &&
	    cell->comm_page->cell_state == JAILHOUSE_CELL_RUNNING_LOCKED)
		return JAILHOUSE_CELL_RUNNING_LOCKED;
	return cell->state;
}

static u32 cell_num_cpus(const struct cell *cell)
{
	unsigned int cpu;
	u32 n = 0;

	for_each_cpu(cpu, &cell->cpus)
		n++;
	return n;
}

void cell_comm_init(struct cell *cell, u32 state)
{
	struct jailhouse_comm_region *comm = cell->comm_page;

	cell->state = state;
	if (!comm)
		return;
	memcpy(comm->signature, JAILHOUSE_COMM_SIGNATURE,
	       sizeof(comm->signature));
	comm->revision = JAILHOUSE_COMM_REVISION;
	comm->cell_state = state;
	comm->msg_to_cell = JAILHOUSE_MSG_NONE;
	comm->reply_from_cell = JAILHOUSE_MSG_REPLY_NONE;
	comm->num_cpus = cell_num_cpus(cell);
	comm->pm_timer_address =
		system_config->platform_info.pm_timer_address;
	comm->tsc_khz = arch_tsc_khz();
	comm->apic_khz = arch_apic_timer_khz();
}

void cell_set_failed(struct cell *cell)
{
	unsigned int cpu;

	cell->state = JAILHOUSE_CELL_FAILED;
	if (cell->comm_page)
		cell->comm_page->cell_state = JAILHOUSE_CELL_FAILED;
	if (cell == &root_cell)
		return;
	for_each_cpu(cpu, &cell->cpus) {
		per_cpu(cpu)->failed = true;
		arch_park_cpu(cpu);
	}
}

void cell_cpu_failed(struct per_cpu *cpu, const char *why)
{
	struct cell *cell = cpu->cell;

	printk("CPU %u of cell \"%s\" failed: %s\n", cpu->cpu_id,
	       cell_name(cell), why);
	cpu->failed = true;
	if (cell == &root_cell) {
		/* Root keeps its other CPUs; this one stops for good. */
		arch_park_cpu(cpu->cpu_id);
		return;
	}
	cell_set_failed(cell);
}

static u64 reply_timeout_ns(const struct cell *cell)
{
	u64 timeout = cell->config->msg_reply_timeout_ns;

	return timeout ? timeout : JAILHOUSE_DEFAULT_MSG_TIMEOUT_NS;
}

int cell_send_message(struct cell *cell, u32 message)
{
	struct jailhouse_comm_region *comm = cell->comm_page;
	u64 deadline = arch_time_ns() + reply_timeout_ns(cell);
	u32 reply;

	comm->reply_from_cell = JAILHOUSE_MSG_REPLY_NONE;
	comm->msg_to_cell = message;
	while (1) {
		reply = comm->reply_from_cell;
		if (reply != JAILHOUSE_MSG_REPLY_NONE) {
			comm->msg_to_cell = JAILHOUSE_MSG_NONE;
			return (int)reply;
		}
		if (arch_time_ns() > deadline)
			break;
		arch_cpu_relax();
	}
	comm->msg_to_cell = JAILHOUSE_MSG_NONE;
	printk("Cell \"%s\" did not answer message %u within %llu ns: "
	       "marking it failed\n",
	       cell_name(cell), message,
	       (unsigned long long)reply_timeout_ns(cell));
	cell_set_failed(cell);
	return -ETIMEDOUT;
}

bool cell_shutdown_ok(struct cell *cell)
{
	int reply;

	if (cell->state != JAILHOUSE_CELL_RUNNING || !comm_region_used(cell))
		return true;
	reply = cell_send_message(cell, JAILHOUSE_MSG_SHUTDOWN_REQUEST);
	if (reply == JAILHOUSE_MSG_REQUEST_DENIED)
		return false;
	if (reply != JAILHOUSE_MSG_REQUEST_APPROVED && reply != -ETIMEDOUT)
		printk("Cell \"%s\" gave unexpected reply %d to shutdown "
		       "request: taking it as approval\n",
		       cell_name(cell), reply);
	return true;
}

bool cell_reconfig_ok(const struct cell *except, const struct cell **locker)
{
	struct cell *cell;

	for_each_non_root_cell(cell) {
		if (cell == except)
			continue;
		if (cell_visible_state(cell) ==
		    JAILHOUSE_CELL_RUNNING_LOCKED) {
			if (locker)
				*locker = cell;
			return false;
		}
	}
	return true;
}
