/* SPDX-License-Identifier: GPL-2.0 */
/* Hypervisor bring-up, management hypercalls and the hypercall dispatcher. */
#ifndef _CORE_CONTROL_H
#define _CORE_CONTROL_H

#include <core/config_check.h>
#include <core/percpu.h>
#include <core/types.h>

/*
 * Bring-up, in this order: hv_init once (pool, root cell from the system
 * config), hv_cpu_init on every CPU, hv_init_late once. The system config is
 * read in place and copied into the pool.
 */
int hv_init(const struct jailhouse_system *system, u64 system_size,
	    void *pool_virt, u64 pool_phys, u64 pool_size,
	    unsigned int cpu_count);
int hv_cpu_init(unsigned int cpu_id);
int hv_init_late(void);

/* What differs between the image's bring-up and the simulator's. */
struct hv_bringup {
	/* Run by the first CPU to arrive: hv_init with the block's layout. */
	int (*init_system)(void);
	/* Readies the calling CPU for its init once the system exists. */
	void (*enter_cpu)(unsigned int cpu_id);
};

/*
 * The enable, called on each of cpu_count CPUs with its id: the first runs
 * init_system, each then enter_cpu and hv_cpu_init, the last ready runs
 * hv_init_late. 0 on every CPU once all are ready to launch their guest;
 * else each CPU has undone what it did, the last out has freed the
 * system, and every CPU returns the first error.
 */
int hv_enable_cpu(const struct hv_bringup *how, unsigned int cpu_id,
		  unsigned int cpu_count);

/* After a successful JAILHOUSE_HC_DISABLE, on every CPU, each itself. */
void hv_cpu_exit(unsigned int cpu_id);
/* Then, once: frees everything. */
void hv_shutdown(void);

long hypercall(struct per_cpu *cpu, unsigned long code, unsigned long arg1,
	       unsigned long arg2, unsigned int cpl);

/* Forgets earlier cells' ids and errors: called at bring-up. */
void control_init(void);

long cell_create(struct per_cpu *cpu, u64 config_gpa, u64 config_size);
long cell_start(struct per_cpu *cpu, u32 id);
long cell_set_loadable(struct per_cpu *cpu, u32 id);
long cell_destroy(struct per_cpu *cpu, u32 id);
long hypervisor_disable(struct per_cpu *cpu);

/* Why the last management call was refused. */
extern struct config_error last_error;

bool hv_enabled(void);
/* A disable was accepted: every CPU is to leave the hypervisor now. */
extern volatile bool hv_disabling;

static inline bool hv_disable_pending(void)
{
	return hv_disabling;
}

/* Bring-up failed after some CPUs were already running guests: undo all. */
void hv_abort(const char *why);

#endif
