// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/devices/jailhouse: enabled, pool usage, console, and per cell its
 * name, state, CPUs and exit statistics (docs/driver-abi.md). Values that
 * the hypervisor owns are read by hypercall at each access.
 *
 * Cell attributes take no lock: a cell's directory is removed (which waits
 * for readers in flight) before its cell is destroyed or the hypervisor is
 * disabled, so a reader never issues a hypercall without a hypervisor.
 */
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include <jailhouse/console-ring.h>
#include <jailhouse/hypercall.h>

#include "hypercall.h"

#include "jailhouse.h"

static struct device *root_dev;
static struct kobject *cells_kobj;

static ssize_t enabled_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", jailhouse_enabled);
}

static ssize_t pool_show(char *buf, unsigned long what)
{
	long val = 0;

	/* Never removed: the lock keeps the hypervisor from going away. */
	if (mutex_lock_interruptible(&jailhouse_lock))
		return -EINTR;
	if (jailhouse_enabled)
		val = jailhouse_call(JAILHOUSE_HC_HYPERVISOR_GET_INFO, what, 0);
	mutex_unlock(&jailhouse_lock);
	if (val < 0)
		return val;
	return sysfs_emit(buf, "%ld\n", val);
}

static ssize_t mem_pool_size_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return pool_show(buf, JAILHOUSE_INFO_MEM_POOL_SIZE);
}

static ssize_t mem_pool_used_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return pool_show(buf, JAILHOUSE_INFO_MEM_POOL_USED);
}

static DEVICE_ATTR_RO(enabled);
static DEVICE_ATTR_RO(mem_pool_size);
static DEVICE_ATTR_RO(mem_pool_used);

/* The whole ring, oldest byte first (a binary attribute: read at once). */
static ssize_t console_read(struct file *filp, struct kobject *kobj,
			    struct bin_attribute *attr, char *buf, loff_t off,
			    size_t count)
{
	u64 pos = 0;
	size_t n;
	char *all;

	all = kmalloc(JAILHOUSE_CONSOLE_RING_SIZE, GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	if (mutex_lock_interruptible(&jailhouse_lock)) {
		kfree(all);
		return -ERESTARTSYS;
	}
	n = jailhouse_console_read(&pos, all, JAILHOUSE_CONSOLE_RING_SIZE);
	mutex_unlock(&jailhouse_lock);
	if (off >= n)
		n = 0;
	else
		n = min_t(size_t, count, n - off);
	memcpy(buf, all + off, n);
	kfree(all);
	return n;
}

static BIN_ATTR_RO(console, JAILHOUSE_CONSOLE_RING_SIZE);

static struct attribute *root_attrs[] = {
	&dev_attr_enabled.attr,
	&dev_attr_mem_pool_size.attr,
	&dev_attr_mem_pool_used.attr,
	NULL,
};

static struct bin_attribute *root_bin_attrs[] = {
	&bin_attr_console,
	NULL,
};

static const struct attribute_group root_group = {
	.attrs = root_attrs,
	.bin_attrs = root_bin_attrs,
};

/* -- cells/<id> -------------------------------------------------------- */

static struct jailhouse_cell *to_cell(struct kobject *kobj)
{
	return container_of(kobj, struct jailhouse_cell, kobj);
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_cell(kobj)->name);
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	static const char *const names[] = {
		[JAILHOUSE_CELL_RUNNING] = "running",
		[JAILHOUSE_CELL_RUNNING_LOCKED] = "running/locked",
		[JAILHOUSE_CELL_SHUT_DOWN] = "shut down",
		[JAILHOUSE_CELL_FAILED] = "failed",
	};
	long state = jailhouse_call(JAILHOUSE_HC_CELL_GET_STATE,
				    to_cell(kobj)->id, 0);

	if (state < 0)
		return state;
	if (state >= ARRAY_SIZE(names))
		return sysfs_emit(buf, "unknown (%ld)\n", state);
	return sysfs_emit(buf, "%s\n", names[state]);
}

static ssize_t cpus_assigned_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%*pbl\n",
			  cpumask_pr_args(&to_cell(kobj)->cpus));
}

static ssize_t cpus_failed_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct jailhouse_cell *cell = to_cell(kobj);
	cpumask_var_t failed;
	unsigned int cpu;
	ssize_t len;

	if (!zalloc_cpumask_var(&failed, GFP_KERNEL))
		return -ENOMEM;
	for_each_cpu(cpu, &cell->cpus)
		if (jailhouse_call(JAILHOUSE_HC_CPU_GET_INFO, cpu,
				   JAILHOUSE_CPU_INFO_STATE) ==
		    JAILHOUSE_CPU_FAILED)
			cpumask_set_cpu(cpu, failed);
	len = sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(failed));
	free_cpumask_var(failed);
	return len;
}

static struct kobj_attribute cell_name_attr = __ATTR_RO(name);
static struct kobj_attribute cell_state_attr = __ATTR_RO(state);
static struct kobj_attribute cell_cpus_assigned_attr =
	__ATTR_RO(cpus_assigned);
static struct kobj_attribute cell_cpus_failed_attr = __ATTR_RO(cpus_failed);

static struct attribute *cell_attrs[] = {
	&cell_name_attr.attr,
	&cell_state_attr.attr,
	&cell_cpus_assigned_attr.attr,
	&cell_cpus_failed_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(cell);

static void cell_release(struct kobject *kobj)
{
	struct jailhouse_cell *cell = to_cell(kobj);

	kfree(cell->cpu_kobj);
	kfree(cell->config);
	kfree(cell);
}

const struct kobj_type jailhouse_cell_ktype = {
	.release = cell_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = cell_groups,
};

/* -- cells/<id>/statistics[/cpu<N>] ------------------------------------ */

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf);

#define STAT_ATTR(n) __ATTR(n, 0444, stat_show, NULL)
static struct kobj_attribute stat_attrs[JAILHOUSE_NUM_CPU_STATS] = {
	STAT_ATTR(vmexits_total), STAT_ATTR(vmexits_mmio),
	STAT_ATTR(vmexits_pio), STAT_ATTR(vmexits_hypercall),
	STAT_ATTR(vmexits_management), STAT_ATTR(vmexits_cpuid),
	STAT_ATTR(vmexits_msr), STAT_ATTR(vmexits_cr),
	STAT_ATTR(vmexits_xsetbv), STAT_ATTR(vmexits_exception),
	STAT_ATTR(vmexits_apic), STAT_ATTR(vmexits_other),
};

static struct attribute *stat_attr_list[JAILHOUSE_NUM_CPU_STATS + 1];

static const struct attribute_group stat_group = {
	.attrs = stat_attr_list,
};

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	unsigned long stat = JAILHOUSE_CPU_INFO_STAT_BASE + (attr - stat_attrs);
	struct jailhouse_cell *cell;
	unsigned int cpu;
	u64 sum = 0;
	long val;

	if (!strncmp(kobject_name(kobj), "cpu", 3)) {
		/* statistics/cpu<N>: one CPU */
		if (kstrtouint(kobject_name(kobj) + 3, 10, &cpu))
			return -EINVAL;
		val = jailhouse_call(JAILHOUSE_HC_CPU_GET_INFO, cpu, stat);
		if (val < 0)
			return val;
		return sysfs_emit(buf, "%ld\n", val);
	}
	cell = to_cell(kobj->parent);
	for_each_cpu(cpu, &cell->cpus) {
		val = jailhouse_call(JAILHOUSE_HC_CPU_GET_INFO, cpu, stat);
		if (val < 0)
			return val;
		sum += val;
	}
	return sysfs_emit(buf, "%llu\n", sum);
}

static int add_statistics(struct jailhouse_cell *cell)
{
	unsigned int cpu;
	char name[16];
	int err;

	cell->stats_kobj = kobject_create_and_add("statistics", &cell->kobj);
	if (!cell->stats_kobj)
		return -ENOMEM;
	err = sysfs_create_group(cell->stats_kobj, &stat_group);
	if (err)
		return err;
	cell->cpu_kobj = kcalloc(nr_cpu_ids, sizeof(*cell->cpu_kobj),
				 GFP_KERNEL);
	if (!cell->cpu_kobj)
		return -ENOMEM;
	for_each_cpu(cpu, &cell->cpus) {
		snprintf(name, sizeof(name), "cpu%u", cpu);
		cell->cpu_kobj[cpu] = kobject_create_and_add(name,
							     cell->stats_kobj);
		if (!cell->cpu_kobj[cpu])
			return -ENOMEM;
		err = sysfs_create_group(cell->cpu_kobj[cpu], &stat_group);
		if (err)
			return err;
	}
	return 0;
}

static void del_statistics(struct jailhouse_cell *cell)
{
	unsigned int cpu;

	if (cell->cpu_kobj)
		for_each_cpu(cpu, &cell->cpus)
			kobject_put(cell->cpu_kobj[cpu]);
	kobject_put(cell->stats_kobj);
	cell->stats_kobj = NULL;
}

/*
 * A cell whose directory cannot be created still works; the failure is
 * logged and `cell list` will not show it.
 */
int jailhouse_sysfs_cell_add(struct jailhouse_cell *cell)
{
	int err;

	if (!cells_kobj) {
		cells_kobj = kobject_create_and_add("cells", &root_dev->kobj);
		if (!cells_kobj)
			goto fail;
	}
	err = kobject_add(&cell->kobj, cells_kobj, "%u", cell->id);
	if (err)
		goto fail;
	cell->sysfs_added = true;
	if (add_statistics(cell))
		goto fail;
	return 0;
fail:
	pr_err("jailhouse: cannot create sysfs entries of cell %u\n",
	       cell->id);
	return -ENOMEM;
}

/* Removes the cell's directory (waiting for readers) and frees it. */
void jailhouse_sysfs_cell_del(struct jailhouse_cell *cell)
{
	bool root = cell->id == 0;

	del_statistics(cell);
	if (cell->sysfs_added)
		kobject_del(&cell->kobj);
	kobject_put(&cell->kobj);
	if (root && cells_kobj) {
		kobject_put(cells_kobj);
		cells_kobj = NULL;
	}
}

int jailhouse_sysfs_init(struct device *misc_dev)
{
	unsigned int n;
	int err;

	for (n = 0; n < JAILHOUSE_NUM_CPU_STATS; n++)
		stat_attr_list[n] = &stat_attrs[n].attr;
	root_dev = root_device_register("jailhouse");
	if (IS_ERR(root_dev))
		return PTR_ERR(root_dev);
	err = sysfs_create_group(&root_dev->kobj, &root_group);
	if (err) {
		root_device_unregister(root_dev);
		return err;
	}
	return 0;
}

void jailhouse_sysfs_exit(void)
{
	sysfs_remove_group(&root_dev->kobj, &root_group);
	root_device_unregister(root_dev);
}
