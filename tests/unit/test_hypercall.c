// SPDX-License-Identifier: GPL-2.0
/* The hypercall interface: permissions, information calls, console. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <core/printk.h>
#include <sim/phys.h>
#include "helpers.h"

#define TINY_CPU 2
#define APIC_CPU 3

static void setup(void)
{
	boot_qemu_vm();
}

TestSuite(hypercall, .init = setup);

static void start_both(void)
{
	sim_inmate_set("apic-demo", SIM_INMATE_APPROVE);
	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);
	cr_assert_eq(sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL), 1);
	cr_assert_eq(sim_cell_create_file(ROOT_CPU, APIC_DEMO_CELL), 2);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, 1, 0), 0);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, 2, 0), 0);
}

Test(hypercall, unknown_numbers_get_enosys)
{
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_COUNT, 0, 0),
		     -ENOSYS);
	cr_assert_eq(sim_hypercall(ROOT_CPU, ~0UL, 0, 0), -ENOSYS);
}

Test(hypercall, user_mode_callers_are_refused)
{
	cr_assert_eq(sim_hypercall_cpl(ROOT_CPU, 3, JAILHOUSE_HC_DISABLE, 0, 0),
		     -EPERM);
	cr_assert_eq(sim_hypercall_cpl(ROOT_CPU, 3,
				       JAILHOUSE_HC_HYPERVISOR_GET_INFO,
				       JAILHOUSE_INFO_NUM_CELLS, 0),
		     -EPERM);
	cr_assert(log_contains("hypercall 0 from CPL 3 refused"));
	cr_assert(hv_enabled(), "nothing was disabled");
}

Test(hypercall, non_root_cells_cannot_manage)
{
	start_both();
	cr_assert_eq(sim_hypercall(TINY_CPU, JAILHOUSE_HC_CELL_DESTROY, 2, 0),
		     -EPERM);
	cr_assert_eq(sim_hypercall(TINY_CPU, JAILHOUSE_HC_DISABLE, 0, 0),
		     -EPERM);
	cr_assert_eq(sim_hypercall(TINY_CPU, JAILHOUSE_HC_CELL_CREATE,
				   0x1000, 0),
		     -EPERM);
	cr_assert_eq(sim_hypercall(TINY_CPU, JAILHOUSE_HC_HYPERVISOR_GET_INFO,
				   JAILHOUSE_INFO_MEM_POOL_USED, 0),
		     -EPERM);
	cr_assert_eq(info(JAILHOUSE_INFO_NUM_CELLS), 3, "nothing changed");
}

Test(hypercall, cells_see_only_their_own_state)
{
	start_both();
	cr_assert_eq(sim_hypercall(TINY_CPU, JAILHOUSE_HC_CELL_GET_STATE, 1, 0),
		     JAILHOUSE_CELL_RUNNING);
	cr_assert_eq(sim_hypercall(TINY_CPU, JAILHOUSE_HC_CELL_GET_STATE, 2, 0),
		     -EPERM);
	cr_assert_eq(sim_hypercall(TINY_CPU, JAILHOUSE_HC_CPU_GET_INFO,
				   TINY_CPU, JAILHOUSE_CPU_INFO_STATE),
		     JAILHOUSE_CPU_RUNNING);
	cr_assert_eq(sim_hypercall(TINY_CPU, JAILHOUSE_HC_CPU_GET_INFO,
				   APIC_CPU, JAILHOUSE_CPU_INFO_STATE),
		     -EPERM);
	cr_assert_eq(cell_state(9), -ENOENT);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CPU_GET_INFO, 64,
				   JAILHOUSE_CPU_INFO_STATE),
		     -EINVAL);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CPU_GET_INFO, 0,
				   999),
		     -EINVAL);
}

Test(hypercall, pool_and_cell_information)
{
	long size = info(JAILHOUSE_INFO_MEM_POOL_SIZE);
	long used = info(JAILHOUSE_INFO_MEM_POOL_USED);

	cr_assert_eq(size, (long)((6 * 1024 * 1024 - SIM_IMAGE_SIZE) / 4096));
	cr_assert_gt(used, 0);
	cr_assert_lt(used, size);
	cr_assert_eq(sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL), 1);
	cr_assert_gt(info(JAILHOUSE_INFO_MEM_POOL_USED), used);
	cr_assert_eq(info(JAILHOUSE_INFO_NUM_CELLS), 2);
	cr_assert_eq(info(99), -EINVAL);
}

Test(hypercall, exit_statistics_count_by_reason)
{
	long before, after;

	before = sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CPU_GET_INFO, ROOT_CPU,
			       JAILHOUSE_CPU_INFO_STAT_BASE +
				       JAILHOUSE_CPU_STAT_VMEXITS_HYPERCALL);
	info(JAILHOUSE_INFO_NUM_CELLS);
	info(JAILHOUSE_INFO_NUM_CELLS);
	after = sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CPU_GET_INFO, ROOT_CPU,
			      JAILHOUSE_CPU_INFO_STAT_BASE +
				      JAILHOUSE_CPU_STAT_VMEXITS_HYPERCALL);
	/* Two info calls and the first statistics query. */
	cr_assert_eq(after - before, 3);
	cr_assert_geq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CPU_GET_INFO,
				    ROOT_CPU,
				    JAILHOUSE_CPU_INFO_STAT_BASE +
					    JAILHOUSE_CPU_STAT_VMEXITS_TOTAL),
		      after);
}

Test(hypercall, debug_console_only_where_permitted)
{
	start_both();
	sim_uart_clear(0x3f8);
	/* apic-demo's config permits the console, tiny-demo's does not. */
	cr_assert_eq(sim_hypercall(APIC_CPU, JAILHOUSE_HC_DEBUG_CONSOLE_PUTC,
				   'A', 0),
		     0);
	cr_assert_eq(sim_hypercall(TINY_CPU, JAILHOUSE_HC_DEBUG_CONSOLE_PUTC,
				   'T', 0),
		     -EPERM);
	cr_assert_str_eq(sim_uart_output(0x3f8), "A");
}

/* apic-demo's RAM: guest 0 is host 0x3c400000 (configs/apic-demo.c). */
#define APIC_DEMO_RAM 0x3c400000ULL
#define APIC_DEMO_RAM_SIZE 0x100000ULL
/* Its comm region follows the RAM; nothing is mapped after it. */
#define APIC_DEMO_COMM_END 0x101000ULL

static void put_in_apic_demo(u64 gpa, const char *text)
{
	memcpy(sim_phys_ptr(APIC_DEMO_RAM + gpa, strlen(text)), text,
	       strlen(text));
}

Test(hypercall, console_write_prints_a_line_in_one_exit)
{
	const char *line = "Timer fired, jitter: 42 ns\n";
	long exits;

	start_both();
	sim_uart_clear(0x3f8);
	put_in_apic_demo(0x2000, line);
	exits = sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CPU_GET_INFO, APIC_CPU,
			      JAILHOUSE_CPU_INFO_STAT_BASE +
				      JAILHOUSE_CPU_STAT_VMEXITS_HYPERCALL);
	cr_assert_eq(sim_hypercall(APIC_CPU, JAILHOUSE_HC_DEBUG_CONSOLE_WRITE,
				   0x2000, strlen(line)),
		     0);
	/* The UART console ends lines as terminals want them. */
	cr_assert_str_eq(sim_uart_output(0x3f8),
			 "Timer fired, jitter: 42 ns\r\n");
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CPU_GET_INFO,
				   APIC_CPU,
				   JAILHOUSE_CPU_INFO_STAT_BASE +
					   JAILHOUSE_CPU_STAT_VMEXITS_HYPERCALL),
		     exits + 1);
	/* The longest line allowed, up to the last byte of the cell's RAM. */
	cr_assert_eq(sim_hypercall(APIC_CPU, JAILHOUSE_HC_DEBUG_CONSOLE_WRITE,
				   APIC_DEMO_RAM_SIZE -
					   JAILHOUSE_CONSOLE_WRITE_MAX,
				   JAILHOUSE_CONSOLE_WRITE_MAX),
		     0);
}

Test(hypercall, console_write_refuses_what_is_not_the_callers_text)
{
	start_both();
	put_in_apic_demo(0x2000, "text");
	sim_uart_clear(0x3f8);
	/* Beyond the limit, across the end of its memory, in root's memory. */
	cr_assert_eq(sim_hypercall(APIC_CPU, JAILHOUSE_HC_DEBUG_CONSOLE_WRITE,
				   0x2000, JAILHOUSE_CONSOLE_WRITE_MAX + 1),
		     -EINVAL);
	cr_assert_eq(sim_hypercall(APIC_CPU, JAILHOUSE_HC_DEBUG_CONSOLE_WRITE,
				   APIC_DEMO_COMM_END - 2, 4),
		     -EFAULT);
	cr_assert_eq(sim_hypercall(APIC_CPU, JAILHOUSE_HC_DEBUG_CONSOLE_WRITE,
				   0x01000000, 4),
		     -EFAULT);
	cr_assert_eq(sim_hypercall(APIC_CPU, JAILHOUSE_HC_DEBUG_CONSOLE_WRITE,
				   ~0UL - 1, 4),
		     -EFAULT);
	/* A cell without the console flag. */
	cr_assert_eq(sim_hypercall(TINY_CPU, JAILHOUSE_HC_DEBUG_CONSOLE_WRITE,
				   0x2000, 4),
		     -EPERM);
	cr_assert_str_eq(sim_uart_output(0x3f8), "");
	/* Nothing to write is no error. */
	cr_assert_eq(sim_hypercall(APIC_CPU, JAILHOUSE_HC_DEBUG_CONSOLE_WRITE,
				   0x2000, 0),
		     0);
}

Test(hypercall, console_read_refuses_a_page_of_device_memory)
{
	/*
	 * qemu-vm's root maps device memory read-write: the hypervisor must
	 * not reach it through its RAM window.
	 */
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CONSOLE_READ,
				   0xfed00000, 0),
		     -EFAULT);
}

Test(hypercall, oversized_config_is_refused_by_size)
{
	size_t size;
	struct jailhouse_cell_desc *cfg = sim_read_file(TINY_DEMO_CELL, &size);

	cr_assert_not_null(cfg);
	cfg->num_memory_regions = 0x10000000;
	cr_assert_eq(sim_cell_create(ROOT_CPU, cfg, size), -E2BIG);
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_TOO_LARGE);
	memcpy(cfg->signature, "NOTJH!", 6);
	cr_assert_eq(sim_cell_create(ROOT_CPU, cfg, size), -EINVAL);
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_SIGNATURE,
		     "a wrong file is named as such, whatever its counts");
	free(cfg);
}

/*
 * With every pool size from "just boots" to "the cell fits", creation fails
 * at a different step; each time root and the pool must be as before.
 */
Test(hypercall, pool_exhaustion_rolls_back_at_every_step)
{
	struct jailhouse_system *sys;
	struct root_view before, after;
	unsigned int pages, failures = 0;
	size_t size;
	long ret = -ENOMEM;

	sys = sim_read_file(QEMU_VM_CELL, &size);
	cr_assert_not_null(sys);
	for (pages = 8; pages < 400 && ret == -ENOMEM; pages++) {
		sys->hypervisor_memory.size = SIM_IMAGE_SIZE + pages * 4096ULL;
		if (sim_boot(sys, size, QEMU_VM_CPUS) != 0)
			continue;
		take_root_view(&before);
		ret = sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL);
		if (ret != -ENOMEM)
			break;
		failures++;
		cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
			     JAILHOUSE_CFG_ERR_NO_MEMORY);
		take_root_view(&after);
		assert_root_view_equal(&before, &after);
	}
	cr_assert_eq(ret, 1, "tiny-demo never fit (last result %ld)", ret);
	cr_assert_gt(failures, 5, "only %u failure points exercised",
		     failures);
	free(sys);
}

/* A page of root's RAM for the console hypercall (root maps it 1:1). */
#define CONSOLE_GPA 0x02000000ULL

static struct jailhouse_console_page *console_page(u64 from)
{
	struct jailhouse_console_page *page =
		sim_phys_ptr(CONSOLE_GPA, sizeof(*page));

	memset(page, 0xaa, sizeof(*page));
	page->from = from;
	return page;
}

static long console_read(unsigned int cpu, u64 gpa)
{
	return sim_hypercall(cpu, JAILHOUSE_HC_CONSOLE_READ, gpa, 0);
}

Test(hypercall, root_reads_the_console_while_enabled)
{
	struct jailhouse_console_page *page = console_page(0);
	u64 next;

	cr_assert_eq(console_read(ROOT_CPU, CONSOLE_GPA), 0);
	cr_assert_gt(page->count, 0);
	cr_assert_eq(page->next, page->count, "nothing was lost yet");
	cr_assert(memmem(page->text, page->count, "Activating hypervisor",
			 21), "%.*s", (int)page->count, page->text);

	next = page->next;
	console_page(next);
	cr_assert_eq(console_read(ROOT_CPU, CONSOLE_GPA), 0);
	cr_assert_eq(page->count, 0, "nothing new");
	cr_assert_eq(page->next, next);

	cr_assert_eq(sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL), 1);
	console_page(next);
	cr_assert_eq(console_read(ROOT_CPU, CONSOLE_GPA), 0);
	cr_assert_eq(page->next, next + page->count);
	cr_assert(memmem(page->text, page->count, "Created cell \"tiny-demo\"",
			 24), "only what is new: %.*s", (int)page->count,
		  page->text);
	cr_assert_not(memmem(page->text, page->count, "Activating", 10));
}

Test(hypercall, console_text_older_than_the_ring_is_skipped)
{
	struct jailhouse_console_page *page;

	for (int i = 0; i < 400; i++)
		printk("filling the ring with line %d of 400\n", i);
	page = console_page(0);
	cr_assert_eq(console_read(ROOT_CPU, CONSOLE_GPA), 0);
	cr_assert_eq(page->count, JAILHOUSE_CONSOLE_PAGE_TEXT, "a full page");
	cr_assert_gt(page->next - page->count, 0, "the oldest text is gone");
	cr_assert_eq(page->next - page->count,
		     console_buffer.head - JAILHOUSE_CONSOLE_RING_SIZE,
		     "it starts at the oldest byte the ring keeps");
}

Test(hypercall, console_read_is_root_s_and_checks_its_buffer)
{
	struct jailhouse_console_page *page = console_page(0);

	start_both();
	cr_assert_eq(console_read(TINY_CPU, CONSOLE_GPA), -EPERM);
	cr_assert_eq(console_read(ROOT_CPU, CONSOLE_GPA + 8), -EINVAL,
		     "not page aligned");
	cr_assert_eq(console_read(ROOT_CPU, 0x3be00000), -EFAULT,
		     "the hypervisor's own memory");
	cr_assert_eq(console_read(ROOT_CPU, 0x3c500000), -EFAULT,
		     "tiny-demo's memory");
	cr_assert_eq(page->count, 0xaaaaaaaa, "nothing written anywhere");
	cr_assert(hv_enabled());
}

/*
 * Root maps device memory too (PCI MMIO, the VGA window): a config or a
 * console page there would make the hypervisor read or write device
 * registers as if they were RAM. Found by the hypercall fuzzer.
 */
Test(hypercall, root_buffers_in_device_memory_are_refused)
{
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_CREATE,
				   0x80000000, 0x1000), -EINVAL);
	cr_assert_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_TRUNCATED);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_CREATE,
				   0xa0000, 0x1000), -EINVAL);
	cr_assert_eq(console_read(ROOT_CPU, 0x80000000), -EFAULT,
		     "PCI MMIO");
	cr_assert_eq(console_read(ROOT_CPU, 0xa0000), -EFAULT, "VGA window");
	cr_assert_eq(console_read(ROOT_CPU, 0xfed00000), -EFAULT, "HPET");
	cr_assert(hv_enabled());
}
