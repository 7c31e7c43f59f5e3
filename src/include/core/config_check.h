/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of a configuration on its own, without looking at the state of the
 * running system. Built into the hypervisor and, for `jailhouse config
 * check`, into the host tools.
 */
#ifndef _CORE_CONFIG_CHECK_H
#define _CORE_CONFIG_CHECK_H

#include <core/types.h>
#include <jailhouse/cell-config.h>
#include <jailhouse/config-errors.h>

struct config_error {
	enum jailhouse_config_error code;
	u32 item; /* index of the offending region, CPU, range or device */
	u32 other; /* second item, e.g. the other region of an overlap */
};

/* Largest config accepted, in bytes (CFG_ERR_TOO_LARGE above). */
#define CONFIG_MAX_SIZE (1024 * 1024)
/* Largest CPU set a config may carry, in bytes (1024 CPUs). */
#define CONFIG_MAX_CPU_SET_SIZE 128
/* Most IRQ chips one config may list. */
#define CONFIG_MAX_IRQCHIPS 8

/*
 * Bytes a config claims to span, from its header alone. Computed in 64 bits
 * so that no count can wrap it; callers that must map a config before
 * checking it use these instead of jailhouse_*_config_size().
 */
u64 config_cell_size(const struct jailhouse_cell_desc *cell);
u64 config_system_size(const struct jailhouse_system *system);

/* A cell config of size bytes. */
bool config_check_cell(const struct jailhouse_cell_desc *cell, u64 size,
		       struct config_error *err);
/* A system config of size bytes, including its root cell. */
bool config_check_system(const struct jailhouse_system *system, u64 size,
			 struct config_error *err);

const char *config_error_text(enum jailhouse_config_error code);
int config_error_errno(enum jailhouse_config_error code);

/* Highest memory region end, used to reject regions that wrap. */
static inline bool mem_region_wraps(const struct jailhouse_memory *mem)
{
	return mem->phys_start + mem->size < mem->phys_start ||
	       mem->virt_start + mem->size < mem->virt_start;
}

static inline bool ranges_overlap(u64 a_start, u64 a_size, u64 b_start,
				  u64 b_size)
{
	return a_start < b_start + b_size && b_start < a_start + a_size;
}

#endif
