// SPDX-License-Identifier: GPL-2.0
/*
 * Scripted inmates. Each acts on its cell's first CPU, only while that CPU
 * runs guest code, and reaches its comm region only through guest memory
 * accesses, so the hypervisor's mappings are exercised as a real inmate
 * would.
 */
#include <stddef.h>
#include <string.h>
#include <core/cell.h>
#include <sim/sim.h>

#define MAX_INMATES 16

struct inmate {
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
	enum sim_inmate behaviour;
	int cpu_seen;
	unsigned long resets_seen;
	unsigned int denials;
	unsigned int requests;
};

static struct inmate inmates[MAX_INMATES];
static unsigned int num_inmates;

#define COMM_FIELD(f) offsetof(struct jailhouse_comm_region, f)

static struct inmate *find_inmate(const char *name)
{
	unsigned int n;

	for (n = 0; n < num_inmates; n++)
		if (strcmp(inmates[n].name, name) == 0)
			return &inmates[n];
	return NULL;
}

void sim_inmate_set(const char *cell_name, enum sim_inmate behaviour)
{
	struct inmate *m = find_inmate(cell_name);

	if (!m && num_inmates < MAX_INMATES) {
		m = &inmates[num_inmates++];
		memset(m, 0, sizeof(*m));
		m->cpu_seen = -1;
		strncpy(m->name, cell_name, sizeof(m->name) - 1);
	}
	if (m)
		m->behaviour = behaviour;
	sim_idle_hook = sim_run_inmates;
}

void sim_inmates_clear(void)
{
	num_inmates = 0;
	sim_idle_hook = NULL;
}

unsigned int sim_inmate_requests_seen(const char *cell_name)
{
	struct inmate *m = find_inmate(cell_name);

	return m ? m->requests : 0;
}

static bool comm_region_gpa(const struct cell *cell, u64 *gpa)
{
	const struct jailhouse_memory *mem =
		jailhouse_cell_mem_regions(cell->config);
	unsigned int n;

	for (n = 0; n < cell->config->num_memory_regions; n++)
		if (mem[n].flags & JAILHOUSE_MEM_COMM_REGION) {
			*gpa = mem[n].virt_start;
			return true;
		}
	return false;
}

static int first_cpu(const struct cell *cell)
{
	unsigned int cpu;

	for_each_cpu(cpu, &cell->cpus)
		return (int)cpu;
	return -1;
}

static u32 answer(struct inmate *m, u32 message, unsigned int cpu, u64 comm)
{
	if (m->behaviour == SIM_INMATE_GARBAGE) {
		sim_guest_write(cpu, comm + COMM_FIELD(cell_state), 4, 99);
		return 77;
	}
	if (message != JAILHOUSE_MSG_SHUTDOWN_REQUEST)
		return JAILHOUSE_MSG_RECEIVED;
	switch (m->behaviour) {
	case SIM_INMATE_DENY:
		return JAILHOUSE_MSG_REQUEST_DENIED;
	case SIM_INMATE_LOCK_DENY_FIRST:
		if (m->denials++ == 0)
			return JAILHOUSE_MSG_REQUEST_DENIED;
		sim_guest_write(cpu, comm + COMM_FIELD(cell_state), 4,
				JAILHOUSE_CELL_RUNNING);
		return JAILHOUSE_MSG_REQUEST_APPROVED;
	default:
		return JAILHOUSE_MSG_REQUEST_APPROVED;
	}
}

static void on_start(struct inmate *m, unsigned int cpu, u64 comm)
{
	m->denials = 0;
	if (m->behaviour == SIM_INMATE_LOCK_DENY_FIRST)
		sim_guest_write(cpu, comm + COMM_FIELD(cell_state), 4,
				JAILHOUSE_CELL_RUNNING_LOCKED);
}

static void step(struct inmate *m, struct cell *cell)
{
	u64 comm, message = 0, reply = 0;
	int cpu = first_cpu(cell);

	if (cpu < 0 || !comm_region_gpa(cell, &comm) ||
	    !sim_cpu_runs_guest((unsigned int)cpu))
		return;
	/* Every reset starts the program afresh, as on a real CPU. */
	if (m->cpu_seen != cpu ||
	    m->resets_seen != sim_cpu_resets((unsigned int)cpu)) {
		m->cpu_seen = cpu;
		m->resets_seen = sim_cpu_resets((unsigned int)cpu);
		on_start(m, (unsigned int)cpu, comm);
	}
	if (m->behaviour == SIM_INMATE_NONE)
		return;
	sim_guest_read((unsigned int)cpu, comm + COMM_FIELD(msg_to_cell), 4,
		       &message);
	sim_guest_read((unsigned int)cpu, comm + COMM_FIELD(reply_from_cell), 4,
		       &reply);
	if (message == JAILHOUSE_MSG_NONE ||
	    reply != JAILHOUSE_MSG_REPLY_NONE)
		return;
	m->requests++;
	sim_guest_write((unsigned int)cpu, comm + COMM_FIELD(reply_from_cell),
			4, answer(m, (u32)message, (unsigned int)cpu, comm));
}

void sim_run_inmates(void)
{
	struct inmate *m;
	struct cell *cell;

	for_each_non_root_cell(cell) {
		m = find_inmate(cell_name(cell));
		if (m)
			step(m, cell);
	}
}
