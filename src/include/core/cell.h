/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CORE_CELL_H
#define _CORE_CELL_H

#include <core/cpuset.h>
#include <core/mmio.h>
#include <core/types.h>
#include <jailhouse/cell-config.h>
#include <jailhouse/hypercall.h>
#include <asm/cell.h>

#define MAX_IRQCHIPS 8
/*
 * One bit per port, set = trapped. A third page, all set, follows the
 * 64K ports: SVM's I/O permission map checks bits past the last port for
 * accesses that wrap around it.
 */
#define PIO_BITMAP_PAGES 3

struct cell {
	struct cell *next;
	u32 id;
	/*
	 * The hypervisor's own view: RUNNING, SHUT_DOWN or FAILED. Whether a
	 * running cell has locked reconfiguration is read from its comm region.
	 */
	u32 state;
	const struct jailhouse_cell_desc *config; /* private copy, pool pages */
	unsigned long config_pages;
	struct cpu_set cpus;
	struct jailhouse_comm_region *comm_page; /* NULL for root */
	bool loadable;
	u8 *pio_bitmap;
	u64 irq_pins[MAX_IRQCHIPS][JAILHOUSE_IRQCHIP_PINS / 64];
	struct mmio_registry mmio;
	struct arch_cell arch;
};

extern struct cell root_cell;
extern const struct jailhouse_system *system_config;

#define for_each_cell(c) for ((c) = &root_cell; (c); (c) = (c)->next)
#define for_each_non_root_cell(c) for ((c) = root_cell.next; (c); (c) = (c)->next)

static inline const char *cell_name(const struct cell *cell)
{
	return cell->config->name;
}

struct cell *cell_find_by_id(u32 id);
unsigned int cell_count(void);
/* The state tools see: RUNNING_LOCKED is reported from the comm region. */
u32 cell_visible_state(const struct cell *cell);

/* Marks the cell of a CPU that could not go on as failed and parks it. */
void cell_cpu_failed(struct per_cpu *cpu, const char *why);

/*
 * Sends a message through the comm region and waits for the reply, at most
 * the cell's reply timeout. A cell that stays silent is marked failed and
 * -ETIMEDOUT returned; otherwise the reply (JAILHOUSE_MSG_*).
 */
int cell_send_message(struct cell *cell, u32 message);
/*
 * Asks a running cell to shut down. True if it approved, was not running,
 * uses no comm region, or did not answer (and is now failed).
 */
bool cell_shutdown_ok(struct cell *cell);
/* True if no running cell other than except has locked reconfiguration. */
bool cell_reconfig_ok(const struct cell *except, const struct cell **locker);
void cell_set_failed(struct cell *cell);
void cell_comm_init(struct cell *cell, u32 state);

/* Port I/O permissions: one bit per port, set = trapped (denied). */
u8 *pio_bitmap_alloc(void);
void pio_bitmap_free(u8 *bitmap);
void pio_set_range(u8 *bitmap, u32 base, u32 length, bool allowed);
bool pio_range_allowed(const u8 *bitmap, u32 base, u32 length);

#endif
