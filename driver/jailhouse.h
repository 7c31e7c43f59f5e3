/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces of the jailhouse driver's parts. */
#ifndef _JAILHOUSE_DRIVER_H
#define _JAILHOUSE_DRIVER_H

#include <linux/cpumask.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>

#include <jailhouse/cell-config.h>
#include <jailhouse/ioctl.h>

struct jailhouse_cell {
	struct list_head entry;
	u32 id;
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
	/* Copy of the config (for the root: the root part of the system). */
	struct jailhouse_cell_desc *config;
	cpumask_t cpus;
	/* CPUs Linux took offline for it and must bring back. */
	cpumask_t cpus_offlined;
	/* cells/<id>; its release frees the cell. */
	struct kobject kobj;
	struct kobject *stats_kobj;
	struct kobject **cpu_kobj; /* statistics/cpu<N>, by CPU */
	bool sysfs_added;
};

extern struct mutex jailhouse_lock;
extern bool jailhouse_enabled;
extern struct list_head jailhouse_cells;

/* Fills the per-file record and logs one line; returns the negative errno. */
int jailhouse_drv_error(struct jailhouse_last_error *le,
			enum jailhouse_driver_error code, u32 item,
			const char *fmt, ...) __printf(4, 5);
int jailhouse_hv_error(struct jailhouse_last_error *le, long ret,
		       const char *what);

extern const struct kobj_type jailhouse_cell_ktype;

void *jailhouse_copy_cell_config(struct jailhouse_last_error *le,
				 void __user *arg, u32 *size);

/* cell.c */
struct jailhouse_cell *jailhouse_cell_alloc(const struct jailhouse_cell_desc *,
					    size_t size);
void jailhouse_cell_free(struct jailhouse_cell *cell);
struct jailhouse_cell *jailhouse_find_cell(const struct jailhouse_cell_id *id);
int jailhouse_cmd_cell_create(struct jailhouse_last_error *le,
			      void __user *arg);
int jailhouse_cmd_cell_load(struct jailhouse_last_error *le,
			    void __user *arg);
int jailhouse_cmd_cell_start(struct jailhouse_last_error *le,
			     void __user *arg);
int jailhouse_cmd_cell_destroy(struct jailhouse_last_error *le,
			       void __user *arg);
int jailhouse_cell_destroy(struct jailhouse_last_error *le,
			   struct jailhouse_cell *cell);
int jailhouse_cpus_online(struct jailhouse_last_error *le, cpumask_t *cpus);

/* sysfs.c */
/* console.c: the hypervisor's console ring (callers hold jailhouse_lock) */
void jailhouse_console_attach(const void *image, u64 core_size);
void jailhouse_console_detach(void);
void jailhouse_console_free(void);
bool jailhouse_console_live(void);
/* Copies from sequence *pos on (the oldest byte held if older), advances
 * *pos; returns the bytes copied, 0 when there is nothing new. */
size_t jailhouse_console_read(u64 *pos, char *buf, size_t size);

int jailhouse_sysfs_init(struct device *dev);
void jailhouse_sysfs_exit(void);
int jailhouse_sysfs_cell_add(struct jailhouse_cell *cell);
void jailhouse_sysfs_cell_del(struct jailhouse_cell *cell);

#endif
