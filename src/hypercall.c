// SPDX-License-Identifier: GPL-2.0
/* The hypercall dispatcher: who may call what, and the information calls. */
#include <core/arch.h>
#include <core/cell.h>
#include <core/control.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/page_pool.h>
#include <core/printk.h>
#include <core/root_memory.h>

static long hypervisor_get_info(unsigned long type)
{
	switch (type) {
	case JAILHOUSE_INFO_MEM_POOL_SIZE:
		return (long)mem_pool.pages;
	case JAILHOUSE_INFO_MEM_POOL_USED:
		return (long)mem_pool.used;
	case JAILHOUSE_INFO_NUM_CELLS:
		return cell_count();
	case JAILHOUSE_INFO_LAST_ERROR:
		return last_error.code;
	case JAILHOUSE_INFO_LAST_ERROR_ITEM:
		return last_error.item;
	default:
		return -EINVAL;
	}
}

static long cell_get_state(struct per_cpu *caller, unsigned long id)
{
	struct cell *cell = cell_find_by_id((u32)id);

	if (id > 0xffffffffUL || !cell)
		return -ENOENT;
	/* A non-root cell may only ask about itself. */
	if (caller->cell != &root_cell && caller->cell != cell)
		return -EPERM;
	return cell_visible_state(cell);
}

static long cpu_get_info(struct per_cpu *caller, unsigned long cpu_id,
			 unsigned long type)
{
	struct per_cpu *cpu;

	if (cpu_id >= num_cpus())
		return -EINVAL;
	cpu = per_cpu(cpu_id);
	if (caller->cell != &root_cell && caller->cell != cpu->cell)
		return -EPERM;
	if (type == JAILHOUSE_CPU_INFO_STATE)
		return cpu->failed ? JAILHOUSE_CPU_FAILED :
				     JAILHOUSE_CPU_RUNNING;
	if (type >= JAILHOUSE_CPU_INFO_STAT_BASE &&
	    type - JAILHOUSE_CPU_INFO_STAT_BASE < JAILHOUSE_NUM_CPU_STATS)
		/* Counters wrap at LONG_MAX, never turning into errors. */
		return (long)(cpu->stats[type - JAILHOUSE_CPU_INFO_STAT_BASE] &
			      0x7fffffffffffffffULL);
	return -EINVAL;
}

static bool may_use_console(const struct cell *cell)
{
	return cell == &root_cell ||
	       (cell->config->flags & JAILHOUSE_CELL_DEBUG_CONSOLE);
}

static long debug_console_putc(struct per_cpu *caller, unsigned long c)
{
	char ch = (char)c;

	if (!may_use_console(caller->cell))
		return -EPERM;
	console_write(&ch, 1);
	return 0;
}

/* A whole line in one exit, in one piece on the console. */
static long debug_console_write(struct per_cpu *caller, unsigned long gpa,
				unsigned long len)
{
	char text[JAILHOUSE_CONSOLE_WRITE_MAX];

	if (!may_use_console(caller->cell))
		return -EPERM;
	if (len > sizeof(text))
		return -EINVAL;
	if (copy_from_cell(caller->cell, gpa, text, len))
		return -EFAULT;
	console_write(text, (unsigned int)len);
	return 0;
}

#define CONSOLE_PAGE_NEXT 8
#define CONSOLE_PAGE_COUNT 16
#define CONSOLE_PAGE_TEXT 24
#define CONSOLE_CHUNK 256

_Static_assert(__builtin_offsetof(struct jailhouse_console_page, next) ==
			       CONSOLE_PAGE_NEXT &&
		       __builtin_offsetof(struct jailhouse_console_page,
					  count) == CONSOLE_PAGE_COUNT &&
		       __builtin_offsetof(struct jailhouse_console_page,
					  text) == CONSOLE_PAGE_TEXT &&
		       sizeof(struct jailhouse_console_page) == PAGE_SIZE,
	       "the console page is one page");

/* The ring from the caller's position into its page, a chunk at a time. */
static long console_read(struct per_cpu *caller, unsigned long gpa)
{
	char chunk[CONSOLE_CHUNK];
	unsigned int n;
	u32 count = 0;
	u64 from;

	if (caller->cell != &root_cell)
		return -EPERM;
	if (gpa & ~PAGE_MASK)
		return -EINVAL;
	/* The whole page up front: each copy below then succeeds. */
	if (!root_may_write(gpa, PAGE_SIZE) ||
	    copy_from_root(gpa, &from, sizeof(from)))
		return -EFAULT;
	do {
		n = console_ring_read(from, chunk,
				      MIN(sizeof(chunk),
					  JAILHOUSE_CONSOLE_PAGE_TEXT - count),
				      &from);
		copy_to_root(gpa + CONSOLE_PAGE_TEXT + count, chunk, n);
		count += n;
	} while (n && count < JAILHOUSE_CONSOLE_PAGE_TEXT);
	copy_to_root(gpa + CONSOLE_PAGE_NEXT, &from, sizeof(from));
	copy_to_root(gpa + CONSOLE_PAGE_COUNT, &count, sizeof(count));
	return 0;
}

static bool is_management(unsigned long code)
{
	return code <= JAILHOUSE_HC_CELL_DESTROY;
}

long hypercall(struct per_cpu *cpu, unsigned long code, unsigned long arg1,
	       unsigned long arg2, unsigned int cpl)
{
	cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_HYPERCALL]++;
	if (cpl != 0) {
		printk("CPU %u: hypercall %lu from CPL %u refused\n",
		       cpu->cpu_id, code, cpl);
		return -EPERM;
	}
	if (is_management(code)) {
		if (cpu->cell != &root_cell)
			return -EPERM;
		cpu->stats[JAILHOUSE_CPU_STAT_VMEXITS_MANAGEMENT]++;
	}
	/* Cell ids are 32 bits; a wider value must not alias a real cell. */
	if (code >= JAILHOUSE_HC_CELL_START && code <= JAILHOUSE_HC_CELL_DESTROY &&
	    arg1 > 0xffffffffUL)
		return -ENOENT;
	switch (code) {
	case JAILHOUSE_HC_DISABLE:
		return hypervisor_disable(cpu);
	case JAILHOUSE_HC_CELL_CREATE:
		return cell_create(cpu, arg1, arg2);
	case JAILHOUSE_HC_CELL_START:
		return cell_start(cpu, (u32)arg1);
	case JAILHOUSE_HC_CELL_SET_LOADABLE:
		return cell_set_loadable(cpu, (u32)arg1);
	case JAILHOUSE_HC_CELL_DESTROY:
		return cell_destroy(cpu, (u32)arg1);
	case JAILHOUSE_HC_HYPERVISOR_GET_INFO:
		if (cpu->cell != &root_cell)
			return -EPERM;
		return hypervisor_get_info(arg1);
	case JAILHOUSE_HC_CELL_GET_STATE:
		return cell_get_state(cpu, arg1);
	case JAILHOUSE_HC_CPU_GET_INFO:
		return cpu_get_info(cpu, arg1, arg2);
	case JAILHOUSE_HC_DEBUG_CONSOLE_PUTC:
		return debug_console_putc(cpu, arg1);
	case JAILHOUSE_HC_CONSOLE_READ:
		return console_read(cpu, arg1);
	case JAILHOUSE_HC_DEBUG_CONSOLE_WRITE:
		return debug_console_write(cpu, arg1, arg2);
	default:
		return -ENOSYS;
	}
}
