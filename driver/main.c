// SPDX-License-Identifier: GPL-2.0
/*
 * jailhouse.ko: loads the hypervisor image into the memory block reserved on
 * the kernel command line, enters it on every online CPU and issues the
 * management hypercalls for the jailhouse tool. docs/driver-abi.md is the
 * contract with user space; include/jailhouse/header.h the one with the
 * image.
 */
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/firmware.h>
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/special_insns.h>

#include <jailhouse/config-errors.h>
#include <jailhouse/header.h>
#include <jailhouse/hypercall.h>

#include "hypercall.h"
#include "jailhouse.h"

#define JAILHOUSE_FIRMWARE "jailhouse.bin"
#define MAX_CONFIG_SIZE (1024 * 1024)

DEFINE_MUTEX(jailhouse_lock);
bool jailhouse_enabled;
LIST_HEAD(jailhouse_cells);
bool jailhouse_use_vmmcall;

static struct miscdevice jailhouse_misc;

/* The mapped hypervisor memory block while enabled. */
static void *hv_mem;
static struct page **hv_pages;
static unsigned long hv_num_pages;
static struct resource *hv_res;
static int (*hv_entry)(unsigned int cpu_id);
static int entry_result[NR_CPUS];

static const int drv_errno[] = {
#define DRV_ERRNO(code, err, text) err,
	JAILHOUSE_DRIVER_ERRORS(DRV_ERRNO)
#undef DRV_ERRNO
};

int jailhouse_drv_error(struct jailhouse_last_error *le,
			enum jailhouse_driver_error code, u32 item,
			const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("jailhouse: %pV\n", &vaf);
	va_end(args);

	le->error = drv_errno[code];
	le->source = JAILHOUSE_ERROR_SOURCE_DRIVER;
	le->code = code;
	le->item = item;
	return -drv_errno[code];
}

/*
 * After a refused hypercall: reads the hypervisor's reason while the caller
 * still holds the lock, so no other request can overwrite it.
 */
int jailhouse_hv_error(struct jailhouse_last_error *le, long ret,
		       const char *what)
{
	long code = jailhouse_call(JAILHOUSE_HC_HYPERVISOR_GET_INFO,
				   JAILHOUSE_INFO_LAST_ERROR, 0);
	long item = jailhouse_call(JAILHOUSE_HC_HYPERVISOR_GET_INFO,
				   JAILHOUSE_INFO_LAST_ERROR_ITEM, 0);

	le->error = -ret;
	if (code > 0) {
		le->source = JAILHOUSE_ERROR_SOURCE_HYPERVISOR;
		le->code = code;
		le->item = item >= 0 ? item : 0;
	} else {
		le->source = JAILHOUSE_ERROR_SOURCE_NONE;
		le->code = 0;
		le->item = 0;
	}
	pr_err("jailhouse: %s refused by the hypervisor: error %ld, "
	       "reason code %ld, item %ld\n", what, ret, code, item);
	return ret;
}

static void enter_hypervisor(void *unused)
{
	entry_result[smp_processor_id()] = hv_entry(smp_processor_id());
}

/*
 * Makes the calling CPU take a VM exit: CPUID is intercepted
 * unconditionally by VMX and by the hypervisor's SVM setup. Used after a
 * successful JAILHOUSE_HC_DISABLE, which makes each CPU leave on its next
 * exit, so that no CPU still runs hypervisor code when
 * its memory is unmapped.
 */
static void take_exit(void *unused)
{
	unsigned int eax = 0, ebx, ecx = 0, edx;

	native_cpuid(&eax, &ebx, &ecx, &edx);
}

/*
 * vmap() maps without execute permission whatever protection it is given
 * (since Linux 5.8 it applies pgprot_nx), and none of the interfaces that
 * could map or flip pages executable is exported to modules (set_memory_x,
 * __vmalloc_node_range, module_alloc). So the driver clears NX in the PTEs
 * of its own fresh vmap area itself, walking the kernel half of the page
 * tables from CR3 (shared by every address space on x86-64). This runs right
 * after vmap and before the first access, so no TLB holds an entry for the
 * new mapping; a stale one from an earlier user of the addresses would only
 * cause a spurious fault, which the x86 fault handler resolves by itself.
 */
static pte_t *kernel_pte(unsigned long addr)
{
	pgd_t *pgd = (pgd_t *)__va(__read_cr3() & PAGE_MASK) +
		     pgd_index(addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	if (pgd_none(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_large(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_none(*pmd) || pmd_large(*pmd))
		return NULL;
	return pte_offset_kernel(pmd, addr);
}

static int allow_execution(void *start, unsigned long pages)
{
	unsigned long addr = (unsigned long)start, n;
	pte_t *pte;

	for (n = 0; n < pages; n++, addr += PAGE_SIZE) {
		pte = kernel_pte(addr);
		if (!pte || !pte_present(*pte))
			return -EFAULT;
		set_pte(pte, pte_mkexec(*pte));
	}
	return 0;
}

static void unmap_hv_memory(void)
{
	jailhouse_console_detach();
	if (hv_mem)
		vunmap(hv_mem);
	hv_mem = NULL;
	kvfree(hv_pages);
	hv_pages = NULL;
	if (hv_res)
		release_mem_region(hv_res->start, resource_size(hv_res));
	hv_res = NULL;
}

static int map_hv_memory(struct jailhouse_last_error *le,
			 const struct jailhouse_memory *mem, size_t needed)
{
	unsigned long pfn, i;

	if (mem->phys_start & ~PAGE_MASK || mem->size & ~PAGE_MASK ||
	    mem->size < needed)
		return jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_HV_MEMORY, 0,
			"hypervisor memory 0x%llx+0x%llx is unaligned or "
			"smaller than the 0x%zx bytes image and config need",
			mem->phys_start, mem->size, needed);
	if (region_intersects(mem->phys_start, mem->size,
			      IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT)
		return jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_HV_MEMORY, 0,
			"hypervisor memory 0x%llx+0x%llx overlaps System RAM "
			"(reserve it with memmap=SIZE$ADDR)",
			mem->phys_start, mem->size);
	hv_res = request_mem_region(mem->phys_start, mem->size,
				    "jailhouse hypervisor");
	if (!hv_res)
		return jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_HV_MEMORY, 0,
			"hypervisor memory 0x%llx+0x%llx is in use by "
			"something else (see /proc/iomem)",
			mem->phys_start, mem->size);

	hv_num_pages = mem->size >> PAGE_SHIFT;
	hv_pages = kvmalloc_array(hv_num_pages, sizeof(*hv_pages),
				  GFP_KERNEL);
	if (!hv_pages) {
		unmap_hv_memory();
		le->error = ENOMEM;
		pr_err("jailhouse: no memory for the page list\n");
		return -ENOMEM;
	}
	pfn = mem->phys_start >> PAGE_SHIFT;
	for (i = 0; i < hv_num_pages; i++) {
		if (!pfn_valid(pfn + i)) {
			unmap_hv_memory();
			return jailhouse_drv_error(le,
				JAILHOUSE_DRV_ERR_HV_MEMORY, 0,
				"hypervisor memory page 0x%lx has no struct "
				"page: cannot map it executable with vmap",
				(pfn + i) << PAGE_SHIFT);
		}
		hv_pages[i] = pfn_to_page(pfn + i);
	}
	hv_mem = vmap(hv_pages, hv_num_pages, VM_MAP, PAGE_KERNEL_EXEC);
	if (!hv_mem) {
		unmap_hv_memory();
		return jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_HV_MEMORY, 0,
			"vmap of the hypervisor memory (%lu pages) failed",
			hv_num_pages);
	}
	if (allow_execution(hv_mem, hv_num_pages)) {
		unmap_hv_memory();
		return jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_HV_MEMORY, 0,
			"hypervisor memory: no 4 KiB page table entries found "
			"for the vmap area, cannot make it executable");
	}
	return 0;
}

static int check_firmware(struct jailhouse_last_error *le,
			  const struct firmware *fw)
{
	const struct jailhouse_header *hdr = (const void *)fw->data;

	if (fw->size < sizeof(*hdr) ||
	    memcmp(hdr->signature, JAILHOUSE_IMAGE_SIGNATURE,
		   sizeof(hdr->signature)))
		return jailhouse_drv_error(le,
			JAILHOUSE_DRV_ERR_FIRMWARE_INVALID, 0,
			"%s: missing signature %s", JAILHOUSE_FIRMWARE,
			JAILHOUSE_IMAGE_SIGNATURE);
	if (hdr->core_size & ~PAGE_MASK || hdr->core_size < fw->size ||
	    hdr->core_size > MAX_CONFIG_SIZE * 64ULL)
		return jailhouse_drv_error(le,
			JAILHOUSE_DRV_ERR_FIRMWARE_INVALID, 0,
			"%s: core size 0x%llx is not page aligned or smaller "
			"than the file (0x%zx bytes)", JAILHOUSE_FIRMWARE,
			hdr->core_size, fw->size);
	if (hdr->entry < sizeof(*hdr) || hdr->entry >= fw->size)
		return jailhouse_drv_error(le,
			JAILHOUSE_DRV_ERR_FIRMWARE_INVALID, 0,
			"%s: entry offset 0x%llx is outside the image",
			JAILHOUSE_FIRMWARE, hdr->entry);
	if (hdr->max_cpus < num_online_cpus())
		return jailhouse_drv_error(le,
			JAILHOUSE_DRV_ERR_FIRMWARE_INVALID, 0,
			"%s supports %u CPUs, %u are online",
			JAILHOUSE_FIRMWARE, hdr->max_cpus,
			num_online_cpus());
	return 0;
}

static void *copy_config(struct jailhouse_last_error *le, void __user *arg,
			 size_t min_size, u32 *size_out)
{
	struct jailhouse_config_args args;
	void *config;

	if (copy_from_user(&args, arg, sizeof(args))) {
		le->error = EFAULT;
		return ERR_PTR(-EFAULT);
	}
	if (args.size < min_size || args.size > MAX_CONFIG_SIZE)
		return ERR_PTR(jailhouse_drv_error(le,
			JAILHOUSE_DRV_ERR_CONFIG_SIZE, 0,
			"config of %u bytes: at least %zu, at most %u allowed",
			args.size, min_size, MAX_CONFIG_SIZE));
	/* Physically contiguous: a cell's config is passed by address. */
	config = kmalloc(args.size, GFP_KERNEL);
	if (!config) {
		le->error = ENOMEM;
		return ERR_PTR(-ENOMEM);
	}
	if (copy_from_user(config, u64_to_user_ptr(args.address),
			   args.size)) {
		kfree(config);
		le->error = EFAULT;
		return ERR_PTR(-EFAULT);
	}
	*size_out = args.size;
	return config;
}

void *jailhouse_copy_cell_config(struct jailhouse_last_error *le,
				 void __user *arg, u32 *size)
{
	return copy_config(le, arg, sizeof(struct jailhouse_cell_desc), size);
}

static int online_cpus_contiguous(void)
{
	unsigned int n = num_online_cpus();

	return n > 0 && cpumask_last(cpu_online_mask) == n - 1;
}

static int cmd_enable(struct jailhouse_last_error *le, void __user *arg)
{
	struct jailhouse_system *config;
	const struct firmware *fw;
	struct jailhouse_header *hdr;
	struct jailhouse_cell *root;
	u32 size, cfg_size;
	unsigned int cpu, failed = 0, nfail = 0;
	int err, first_err = 0;

	if (jailhouse_enabled)
		return jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_ENABLED, 0,
					   "enable: already enabled");
	config = copy_config(le, arg, sizeof(*config), &size);
	if (IS_ERR(config))
		return PTR_ERR(config);
	if (memcmp(config->signature, JAILHOUSE_SYSTEM_SIGNATURE,
		   JAILHOUSE_SIGNATURE_SIZE)) {
		kfree(config);
		le->error = EINVAL;
		pr_err("jailhouse: enable: not a system config "
		       "(signature)\n");
		return -EINVAL;
	}
	cfg_size = jailhouse_system_config_size(config);
	if (cfg_size > size) {
		kfree(config);
		return jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_CONFIG_SIZE,
			0, "system config says %u bytes, got %u", cfg_size,
			size);
	}

	err = request_firmware(&fw, JAILHOUSE_FIRMWARE,
			       jailhouse_misc.this_device);
	if (err) {
		kfree(config);
		return jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_FIRMWARE, 0,
			"request_firmware(%s) failed (%d)",
			JAILHOUSE_FIRMWARE, err);
	}
	err = check_firmware(le, fw);
	if (err)
		goto out_fw;
	hdr = (struct jailhouse_header *)fw->data;

	root = jailhouse_cell_alloc(&config->root_cell,
				    size - offsetof(struct jailhouse_system,
						    root_cell));
	if (IS_ERR(root)) {
		err = PTR_ERR(root);
		le->error = -err;
		goto out_fw;
	}
	root->id = 0;

	err = map_hv_memory(le, &config->hypervisor_memory,
			    hdr->core_size + size);
	if (err)
		goto out_root;

	memcpy(hv_mem, fw->data, fw->size);
	memset(hv_mem + fw->size, 0, hdr->core_size - fw->size);
	memcpy(hv_mem + hdr->core_size, config, size);
	hv_entry = hv_mem + hdr->entry;
	jailhouse_use_vmmcall =
		boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
		boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;

	cpus_read_lock();
	if (!online_cpus_contiguous()) {
		cpus_read_unlock();
		err = jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_CPU_ENABLE,
			cpumask_last(cpu_online_mask),
			"enable: online CPUs are not 0..%u; bring them online "
			"first", num_online_cpus() - 1);
		goto out_unmap;
	}
	((struct jailhouse_header *)hv_mem)->online_cpus = num_online_cpus();
	for_each_online_cpu(cpu)
		entry_result[cpu] = -EIO;
	/*
	 * All CPUs enter at once: the image's CPUs wait for each other. The
	 * calls run with interrupts off (IPI context, and locally too).
	 */
	on_each_cpu(enter_hypervisor, NULL, 1);
	jailhouse_console_attach(hv_mem, hdr->core_size);
	for_each_online_cpu(cpu) {
		if (entry_result[cpu] && !nfail++) {
			failed = cpu;
			first_err = entry_result[cpu];
		}
	}
	/*
	 * CPUs that did launch before another failed leave at their next
	 * exit: provoke it on each before the memory goes away.
	 */
	if (nfail)
		on_each_cpu(take_exit, NULL, 1);
	cpumask_copy(&root->cpus, cpu_online_mask);
	cpus_read_unlock();

	if (nfail) {
		err = jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_CPU_ENABLE,
			failed, "enable: CPU %u entry returned %d (%u of %u "
			"CPUs failed, all rolled back); the hypervisor's "
			"console says why", failed, first_err, nfail,
			num_online_cpus());
		goto out_unmap;
	}

	jailhouse_enabled = true;
	__module_get(THIS_MODULE);
	list_add_tail(&root->entry, &jailhouse_cells);
	jailhouse_sysfs_cell_add(root);
	pr_info("jailhouse: enabled on %u CPUs, hypervisor at 0x%llx "
		"mapped at %px\n", num_online_cpus(),
		config->hypervisor_memory.phys_start, hv_mem);
	release_firmware(fw);
	kfree(config);
	return 0;

out_unmap:
	unmap_hv_memory();
out_root:
	jailhouse_cell_free(root);
out_fw:
	release_firmware(fw);
	kfree(config);
	return err;
}

static int cmd_disable(struct jailhouse_last_error *le)
{
	struct jailhouse_cell *cell, *tmp, *root = NULL;
	long ret;
	int err;

	if (!jailhouse_enabled)
		return jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_NOT_ENABLED,
					   0, "disable: not enabled");
	/* Cells are kept in id order (create appends, ids grow). */
	list_for_each_entry_safe(cell, tmp, &jailhouse_cells, entry) {
		if (cell->id == 0) {
			root = cell;
			continue;
		}
		err = jailhouse_cell_destroy(le, cell);
		if (err)
			return err;
	}

	cpus_read_lock();
	ret = jailhouse_call(JAILHOUSE_HC_DISABLE, 0, 0);
	if (ret) {
		cpus_read_unlock();
		return jailhouse_hv_error(le, ret, "disable");
	}
	/*
	 * This CPU has left. Every other one leaves at its next exit: make
	 * each take one before the memory goes away. on_each_cpu waits for
	 * all.
	 */
	on_each_cpu(take_exit, NULL, 1);
	cpus_read_unlock();

	jailhouse_enabled = false;
	if (root) {
		list_del(&root->entry);
		jailhouse_sysfs_cell_del(root);
	}
	unmap_hv_memory();
	module_put(THIS_MODULE);
	pr_info("jailhouse: disabled\n");
	return 0;
}

static long jailhouse_ioctl(struct file *file, unsigned int ioctl,
			    unsigned long arg)
{
	struct jailhouse_last_error *le = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	if (ioctl == JAILHOUSE_GET_LAST_ERROR)
		return copy_to_user(uarg, le, sizeof(*le)) ? -EFAULT : 0;

	if (mutex_lock_interruptible(&jailhouse_lock))
		return -EINTR;
	memset(le, 0, sizeof(*le));
	if (ioctl != JAILHOUSE_ENABLE && ioctl != JAILHOUSE_DISABLE &&
	    ioctl != JAILHOUSE_CELL_CREATE && ioctl != JAILHOUSE_CELL_LOAD &&
	    ioctl != JAILHOUSE_CELL_START && ioctl != JAILHOUSE_CELL_DESTROY) {
		ret = -ENOTTY;
		le->error = ENOTTY;
	} else if (ioctl != JAILHOUSE_ENABLE && !jailhouse_enabled) {
		ret = jailhouse_drv_error(le, JAILHOUSE_DRV_ERR_NOT_ENABLED,
					  0, "request 0x%x: not enabled",
					  ioctl);
	} else {
		switch (ioctl) {
		case JAILHOUSE_ENABLE:
			ret = cmd_enable(le, uarg);
			break;
		case JAILHOUSE_DISABLE:
			ret = cmd_disable(le);
			break;
		case JAILHOUSE_CELL_CREATE:
			ret = jailhouse_cmd_cell_create(le, uarg);
			break;
		case JAILHOUSE_CELL_LOAD:
			ret = jailhouse_cmd_cell_load(le, uarg);
			break;
		case JAILHOUSE_CELL_START:
			ret = jailhouse_cmd_cell_start(le, uarg);
			break;
		default:
			ret = jailhouse_cmd_cell_destroy(le, uarg);
			break;
		}
	}
	if (ret < 0 && !le->error)
		le->error = -ret;
	mutex_unlock(&jailhouse_lock);
	return ret;
}

/* Per open file: the last error (first, ioctls use it) and console spot. */
struct jailhouse_file {
	struct jailhouse_last_error le;
	u64 console_pos;
};

static int jailhouse_open(struct inode *inode, struct file *file)
{
	file->private_data = kzalloc(sizeof(struct jailhouse_file),
				     GFP_KERNEL);
	return file->private_data ? 0 : -ENOMEM;
}

static int jailhouse_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

#define CONSOLE_POLL_MS 100

/*
 * Console output from this file's position on. Waits while the hypervisor
 * runs and has nothing new (the ring has no interrupt to wake readers, so
 * it is polled); end of file once it is disabled and all was read.
 */
static ssize_t jailhouse_read(struct file *file, char __user *buf,
			      size_t size, loff_t *ppos)
{
	struct jailhouse_file *jf = file->private_data;
	size_t n, chunk = min_t(size_t, size, PAGE_SIZE);
	bool live;
	char *kbuf;

	kbuf = kmalloc(chunk, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	for (;;) {
		if (mutex_lock_interruptible(&jailhouse_lock)) {
			n = -ERESTARTSYS;
			break;
		}
		n = jailhouse_console_read(&jf->console_pos, kbuf, chunk);
		live = jailhouse_console_live();
		mutex_unlock(&jailhouse_lock);
		if (n || !live)
			break;
		if (file->f_flags & O_NONBLOCK) {
			n = -EAGAIN;
			break;
		}
		if (msleep_interruptible(CONSOLE_POLL_MS)) {
			n = -ERESTARTSYS;
			break;
		}
	}
	if ((ssize_t)n > 0 && copy_to_user(buf, kbuf, n))
		n = -EFAULT;
	kfree(kbuf);
	return n;
}

static const struct file_operations jailhouse_fops = {
	.owner = THIS_MODULE,
	.open = jailhouse_open,
	.release = jailhouse_release,
	.read = jailhouse_read,
	.unlocked_ioctl = jailhouse_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice jailhouse_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = JAILHOUSE_DEVICE_NAME,
	.fops = &jailhouse_fops,
	.mode = 0600,
};

static int __init jailhouse_init(void)
{
	int err;

	err = misc_register(&jailhouse_misc);
	if (err) {
		pr_err("jailhouse: cannot register /dev/%s (%d)\n",
		       JAILHOUSE_DEVICE_NAME, err);
		return err;
	}
	err = jailhouse_sysfs_init(jailhouse_misc.this_device);
	if (err) {
		pr_err("jailhouse: cannot create %s (%d)\n",
		       JAILHOUSE_SYSFS_PATH, err);
		misc_deregister(&jailhouse_misc);
		return err;
	}
	pr_info("jailhouse: driver loaded (ioctl ABI %d)\n",
		JAILHOUSE_IOCTL_ABI_VERSION);
	return 0;
}

static void __exit jailhouse_exit(void)
{
	jailhouse_sysfs_exit();
	misc_deregister(&jailhouse_misc);
	jailhouse_console_free();
	pr_info("jailhouse: driver unloaded\n");
}

module_init(jailhouse_init);
module_exit(jailhouse_exit);

MODULE_DESCRIPTION("Loader and management interface of the jailhouse "
		   "partitioning hypervisor");
MODULE_LICENSE("GPL");
MODULE_FIRMWARE(JAILHOUSE_FIRMWARE);
