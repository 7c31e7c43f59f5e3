// SPDX-License-Identifier: GPL-2.0
/* Enabling the hypervisor: what it refuses, and what disable gives back. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"

Test(boot, cell_config_is_not_a_system_config)
{
	cr_assert_eq(sim_boot_file(TINY_DEMO_CELL, QEMU_VM_CPUS), -EINVAL);
	cr_assert(log_contains("System config refused: config is shorter than "
			       "its header"));
	cr_assert_not(hv_enabled());
}

Test(boot, root_cell_naming_offline_cpus_is_refused)
{
	cr_assert_eq(sim_boot_file(QEMU_VM_CELL, 2), -EINVAL);
	cr_assert(log_contains("root cell names CPU 2, only 2 are online"));
	cr_assert_not(hv_enabled());
}

Test(boot, cpu_count_out_of_range_is_refused)
{
	cr_assert_eq(sim_boot_file(QEMU_VM_CELL, 0), -ERANGE);
	cr_assert_eq(sim_boot_file(QEMU_VM_CELL, MAX_CPUS + 1), -ERANGE);
}

Test(boot, truncated_system_config_is_refused)
{
	size_t size;
	void *sys = sim_read_file(QEMU_VM_CELL, &size);

	cr_assert_not_null(sys);
	cr_assert_eq(sim_boot(sys, size - 8, QEMU_VM_CPUS), -EINVAL);
	cr_assert_eq(sim_boot(sys, 16, QEMU_VM_CPUS), -EINVAL);
	free(sys);
}

Test(boot, pool_too_small_for_root_fails_cleanly)
{
	struct jailhouse_system *sys;
	size_t size;

	sys = sim_read_file(QEMU_VM_CELL, &size);
	cr_assert_not_null(sys);
	sys->hypervisor_memory.size = SIM_IMAGE_SIZE + 4 * 4096;
	cr_assert_eq(sim_boot(sys, size, QEMU_VM_CPUS), -ENOMEM);
	cr_assert_not(hv_enabled());
	cr_assert_eq(mem_pool.used, mem_pool.bitmap_pages,
		     "what the init took before it failed went back");
	free(sys);
}

Test(boot, disable_returns_every_page_and_the_machine_boots_again)
{
	boot_qemu_vm();
	cr_assert(hv_enabled());
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_DISABLE, 0, 0), 0);
	sim_shutdown();
	cr_assert_not(hv_enabled());
	cr_assert_eq(mem_pool.used, mem_pool.bitmap_pages);
	cr_assert_null(system_config, "the freed system config is still in use");
	boot_qemu_vm();
	cr_assert_eq(sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL), 1,
		     "a second enable starts with fresh cell ids");
}
