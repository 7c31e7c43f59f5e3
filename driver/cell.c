// SPDX-License-Identifier: GPL-2.0
/*
 * Cell requests: create (the cell's CPUs leave Linux through CPU hotplug),
 * load (images copied into the cell's loadable memory), start, destroy.
 */
#include <linux/cpu.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <jailhouse/hypercall.h>

#include "hypercall.h"
#include "jailhouse.h"

/* Size of a cell config computed without 32-bit overflow. */
static u64 cell_config_size(const struct jailhouse_cell_desc *c)
{
	return sizeof(*c) + (u64)c->cpu_set_size +
	       (u64)c->num_memory_regions * sizeof(struct jailhouse_memory) +
	       (u64)c->num_irqchips * sizeof(struct jailhouse_irqchip) +
	       (u64)c->num_pio_regions * sizeof(struct jailhouse_pio) +
	       (u64)c->num_pci_devices * sizeof(struct jailhouse_pci_device);
}

struct jailhouse_cell *jailhouse_cell_alloc(const struct jailhouse_cell_desc
					    *desc, size_t size)
{
	struct jailhouse_cell *cell;
	const u64 *set;
	unsigned int cpu;

	if (size < sizeof(*desc) || cell_config_size(desc) > size)
		return ERR_PTR(-E2BIG);
	cell = kzalloc(sizeof(*cell), GFP_KERNEL);
	if (!cell)
		return ERR_PTR(-ENOMEM);
	/* kmalloc: physically contiguous, passed to the hypervisor. */
	cell->config = kmemdup(desc, size, GFP_KERNEL);
	if (!cell->config) {
		kfree(cell);
		return ERR_PTR(-ENOMEM);
	}
	kobject_init(&cell->kobj, &jailhouse_cell_ktype);
	memcpy(cell->name, desc->name, JAILHOUSE_CELL_NAME_MAXLEN);
	cell->name[JAILHOUSE_CELL_NAME_MAXLEN] = 0;
	set = jailhouse_cell_cpu_set(cell->config);
	for (cpu = 0; cpu < desc->cpu_set_size * 8 && cpu < nr_cpu_ids; cpu++)
		if (set[cpu / 64] & (1ULL << (cpu % 64)))
			cpumask_set_cpu(cpu, &cell->cpus);
	return cell;
}

void jailhouse_cell_free(struct jailhouse_cell *cell)
{
	kobject_put(&cell->kobj);
}

struct jailhouse_cell *jailhouse_find_cell(const struct jailhouse_cell_id *id)
{
	struct jailhouse_cell *cell;

	list_for_each_entry(cell, &jailhouse_cells, entry) {
		if (id->id >= 0 && cell->id == id->id)
			return cell;
		if (id->id == JAILHOUSE_CELL_ID_BY_NAME &&
		    !strncmp(cell->name, id->name, sizeof(id->name)))
			return cell;
	}
	return NULL;
}

/* The root cell's entry: the first in the list, id 0. */
static struct jailhouse_cell *root_cell(void)
{
	struct jailhouse_cell *cell =
		list_first_entry_or_null(&jailhouse_cells,
					 struct jailhouse_cell, entry);

	return cell && cell->id == 0 ? cell : NULL;
}

static struct jailhouse_cell *get_cell(struct jailhouse_last_error *le,
				       void __user *arg,
				       struct jailhouse_cell_id *id)
{
	struct jailhouse_cell *cell;

	if (copy_from_user(id, arg, sizeof(*id))) {
		le->error = EFAULT;
		return ERR_PTR(-EFAULT);
	}
	id->name[sizeof(id->name) - 1] = 0;
	cell = jailhouse_find_cell(id);
	if (!cell) {
		if (id->id == JAILHOUSE_CELL_ID_BY_NAME)
			return ERR_PTR(jailhouse_drv_error(le,
				JAILHOUSE_DRV_ERR_NO_CELL, 0,
				"no cell named \"%s\"", id->name));
		return ERR_PTR(jailhouse_drv_error(le,
			JAILHOUSE_DRV_ERR_NO_CELL, 0, "no cell with id %d",
			id->id));
	}
	return cell;
}

/* Brings the CPUs back online; reports the first that stays offline. */
int jailhouse_cpus_online(struct jailhouse_last_error *le, cpumask_t *cpus)
{
	unsigned int cpu;
	int err, ret = 0;

	for_each_cpu(cpu, cpus) {
		err = add_cpu(cpu);
		if (err && !ret)
			ret = jailhouse_drv_error(le,
				JAILHOUSE_DRV_ERR_CPU_ONLINE, cpu,
				"CPU %u: add_cpu failed (%d), it stays "
				"offline", cpu, err);
		if (!err)
			cpumask_clear_cpu(cpu, cpus);
	}
	return ret;
}

int jailhouse_cmd_cell_create(struct jailhouse_last_error *le,
			      void __user *arg)
{
	struct jailhouse_cell_desc *config;
	struct jailhouse_cell *cell;
	struct jailhouse_last_error ignored;
	unsigned int cpu;
	u32 size;
	long ret;
	int err;

	config = jailhouse_copy_cell_config(le, arg, &size);
	if (IS_ERR(config))
		return PTR_ERR(config);
	if (cell_config_size(config) > size) {
		err = jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_CONFIG_SIZE, 0,
			"cell config \"%.*s\" says %llu bytes, got %u",
			JAILHOUSE_CELL_NAME_MAXLEN, config->name,
			cell_config_size(config), size);
		kfree(config);
		return err;
	}
	cell = jailhouse_cell_alloc(config, size);
	kfree(config);
	if (IS_ERR(cell)) {
		le->error = -PTR_ERR(cell);
		return PTR_ERR(cell);
	}

	/* CPUs that do not exist or are offline are the hypervisor's call. */
	for_each_cpu(cpu, &cell->cpus) {
		if (!cpu_online(cpu))
			continue;
		err = remove_cpu(cpu);
		if (err) {
			err = jailhouse_drv_error(le,
				JAILHOUSE_DRV_ERR_CPU_OFFLINE, cpu,
				"cell \"%s\": CPU %u could not be taken "
				"offline (%d)", cell->name, cpu, err);
			goto out_online;
		}
		cpumask_set_cpu(cpu, &cell->cpus_offlined);
	}

	ret = jailhouse_call(JAILHOUSE_HC_CELL_CREATE,
			     virt_to_phys(cell->config), size);
	if (ret <= 0) {
		err = jailhouse_hv_error(le, ret ? ret : -EIO, "cell create");
		goto out_online;
	}
	cell->id = ret;
	if (root_cell())
		cpumask_andnot(&root_cell()->cpus, &root_cell()->cpus,
			       &cell->cpus);
	list_add_tail(&cell->entry, &jailhouse_cells);
	jailhouse_sysfs_cell_add(cell);
	pr_info("jailhouse: created cell \"%s\" with id %u, CPUs %*pbl\n",
		cell->name, cell->id, cpumask_pr_args(&cell->cpus));
	return cell->id;

out_online:
	/* The original reason wins over a CPU that stays offline. */
	jailhouse_cpus_online(&ignored, &cell->cpus_offlined);
	jailhouse_cell_free(cell);
	return err;
}

/* The LOADABLE region of the cell holding [addr, addr + size), or NULL. */
static const struct jailhouse_memory *
loadable_region(const struct jailhouse_cell *cell, u64 addr, u64 size)
{
	const struct jailhouse_memory *mem =
		jailhouse_cell_mem_regions(cell->config);
	unsigned int n;

	if (addr + size < addr)
		return NULL;
	for (n = 0; n < cell->config->num_memory_regions; n++, mem++)
		if (mem->flags & JAILHOUSE_MEM_LOADABLE &&
		    addr >= mem->virt_start &&
		    addr + size <= mem->virt_start + mem->size)
			return mem;
	return NULL;
}

int jailhouse_cmd_cell_load(struct jailhouse_last_error *le,
			    void __user *arg)
{
	struct jailhouse_cell_load __user *uload = arg;
	struct jailhouse_preload_image *images = NULL;
	const struct jailhouse_memory *mem;
	struct jailhouse_cell_load load;
	struct jailhouse_cell *cell;
	unsigned int n;
	long ret;
	void *dst;
	int err = 0;

	if (copy_from_user(&load, uload, sizeof(load))) {
		le->error = EFAULT;
		return -EFAULT;
	}
	cell = get_cell(le, arg, &load.cell_id);
	if (IS_ERR(cell))
		return PTR_ERR(cell);
	if (load.num_preload_images > JAILHOUSE_MAX_PRELOAD_IMAGES)
		return jailhouse_drv_error(le,
			JAILHOUSE_DRV_ERR_TOO_MANY_IMAGES, 0,
			"cell \"%s\": %u images, at most %u allowed",
			cell->name, load.num_preload_images,
			JAILHOUSE_MAX_PRELOAD_IMAGES);
	if (load.num_preload_images) {
		images = memdup_user(uload->image, load.num_preload_images *
				     sizeof(*images));
		if (IS_ERR(images)) {
			le->error = -PTR_ERR(images);
			return PTR_ERR(images);
		}
	}
	for (n = 0; n < load.num_preload_images; n++) {
		if (!loadable_region(cell, images[n].target_address,
				     images[n].size)) {
			err = jailhouse_drv_error(le,
				JAILHOUSE_DRV_ERR_IMAGE_OUTSIDE, n,
				"cell \"%s\": image %u at 0x%llx+0x%llx is not "
				"inside one loadable region", cell->name, n,
				images[n].target_address, images[n].size);
			goto out;
		}
	}

	ret = jailhouse_call(JAILHOUSE_HC_CELL_SET_LOADABLE, cell->id, 0);
	if (ret < 0) {
		err = jailhouse_hv_error(le, ret, "cell set loadable");
		goto out;
	}

	for (n = 0; n < load.num_preload_images; n++) {
		if (!images[n].size)
			continue;
		mem = loadable_region(cell, images[n].target_address,
				      images[n].size);
		dst = memremap(mem->phys_start + images[n].target_address -
			       mem->virt_start, images[n].size, MEMREMAP_WB);
		if (!dst) {
			err = -ENOMEM;
			le->error = ENOMEM;
			pr_err("jailhouse: cell \"%s\": cannot map image %u "
			       "target memory\n", cell->name, n);
			goto out;
		}
		if (copy_from_user(dst,
				   u64_to_user_ptr(images[n].source_address),
				   images[n].size))
			err = -EFAULT;
		memunmap(dst);
		if (err) {
			le->error = EFAULT;
			goto out;
		}
	}
out:
	kfree(images);
	return err;
}

int jailhouse_cmd_cell_start(struct jailhouse_last_error *le,
			     void __user *arg)
{
	struct jailhouse_cell_id id;
	struct jailhouse_cell *cell;
	long ret;

	cell = get_cell(le, arg, &id);
	if (IS_ERR(cell))
		return PTR_ERR(cell);
	ret = jailhouse_call(JAILHOUSE_HC_CELL_START, cell->id, 0);
	if (ret < 0)
		return jailhouse_hv_error(le, ret, "cell start");
	return 0;
}

int jailhouse_cell_destroy(struct jailhouse_last_error *le,
			   struct jailhouse_cell *cell)
{
	long ret;
	int err;

	ret = jailhouse_call(JAILHOUSE_HC_CELL_DESTROY, cell->id, 0);
	if (ret < 0)
		return jailhouse_hv_error(le, ret, "cell destroy");
	if (cell->id == 0)
		return 0; /* never accepted; nothing of ours to undo */
	list_del(&cell->entry);
	if (root_cell())
		cpumask_or(&root_cell()->cpus, &root_cell()->cpus, &cell->cpus);
	pr_info("jailhouse: destroyed cell \"%s\" (id %u)\n", cell->name,
		cell->id);
	err = jailhouse_cpus_online(le, &cell->cpus_offlined);
	jailhouse_sysfs_cell_del(cell);
	return err;
}

int jailhouse_cmd_cell_destroy(struct jailhouse_last_error *le,
			       void __user *arg)
{
	struct jailhouse_cell_id id;
	struct jailhouse_cell *cell;

	cell = get_cell(le, arg, &id);
	if (IS_ERR(cell))
		return PTR_ERR(cell);
	return jailhouse_cell_destroy(le, cell);
}
