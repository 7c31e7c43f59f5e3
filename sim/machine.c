// SPDX-License-Identifier: GPL-2.0
/* Booting the hypervisor on fake hardware, and acting as root Linux. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <core/cell.h>
#include <core/config_check.h>
#include <core/control.h>
#include <jailhouse/hypercall.h>
#include <asm/vcpu.h>
#include <asm/vmexit.h>
#include <sim/cpu_hw.h>
#include <sim/devices.h>
#include <sim/sim.h>
#include <sim/smp.h>

void *sim_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *data = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		data = malloc(len ? (size_t)len : 1);
		if (data && fread(data, 1, (size_t)len, f) != (size_t)len) {
			free(data);
			data = NULL;
		}
		*size = (size_t)len;
	}
	fclose(f);
	return data;
}

/* What the first CPU's hv_init gets, as the image reads it from its block. */
static struct {
	const struct jailhouse_system *sys;
	size_t size;
	void *pool;
	u64 pool_phys, pool_size;
	unsigned int cpus;
} block;

/* The image's first CPU switches to the hypervisor's tables in hv_init. */
static int init_system(void)
{
	sim_cpu_on_hv_tables(sim_current_cpu);
	return hv_init(block.sys, block.size, block.pool, block.pool_phys,
		       block.pool_size, block.cpus);
}

/*
 * What the entry code leaves for vmx_cpu_init. Exits enter x86_vmexit
 * straight from the simulator, whose guest-register stack is guest_regs
 * as on hardware; the hypervisor runs inside the host process, which is
 * Linux's address space here, so host CR3 is Linux's.
 */
void sim_prepare_host_state(unsigned int cpu)
{
	struct arch_per_cpu *a = &per_cpu(cpu)->arch;

	a->host_rip = (u64)(uintptr_t)x86_vmexit;
	a->host_rsp = (u64)(uintptr_t)(&a->guest_regs + 1);
	a->host_cr3 = sim_linux_state(cpu)->cr3;
}

static void enter_cpu(unsigned int cpu)
{
	sim_cpu_on_hv_tables(cpu);
	if (cpu < MAX_CPUS)
		sim_prepare_host_state(cpu);
}

static const struct hv_bringup sim_bringup = {
	.init_system = init_system,
	.enter_cpu = enter_cpu,
};

u64 sim_enable_absent_cpus;
static int enable_results[SIM_MAX_CPUS];

int sim_enable_result(unsigned int cpu)
{
	return cpu < SIM_MAX_CPUS ? enable_results[cpu] : 0;
}

static int enable_cpu(unsigned int cpu)
{
	return hv_enable_cpu(&sim_bringup, cpu, block.cpus);
}

/* Every CPU enters its guest once all are ready, as on hardware. */
static int activate_cpus(unsigned int cpus)
{
	unsigned int cpu;
	int err = 0;

	for (cpu = 0; cpu < cpus && !err; cpu++) {
		sim_current_cpu = cpu;
		err = x86_cpu_activate(per_cpu(cpu));
	}
	sim_current_cpu = 0;
	return err;
}

/* The core's enable on every CPU at once; the first error any returned. */
static int boot_cpus(unsigned int cpus)
{
	unsigned int cpu;
	u64 absent = sim_enable_absent_cpus;

	memset(enable_results, 0, sizeof(enable_results));
	sim_enable_absent_cpus = 0;
	if (cpus == 0 || cpus > SIM_MAX_CPUS)
		return hv_enable_cpu(&sim_bringup, 0, cpus);
	sim_bringup_begin();
	sim_run_cpus(cpus, absent, enable_cpu, enable_results);
	sim_bringup_end();
	for (cpu = 0; cpu < cpus; cpu++)
		if (enable_results[cpu])
			return enable_results[cpu];
	return activate_cpus(cpus);
}

void (*sim_before_enable_hook)(void);

int sim_boot(const void *config, size_t size, unsigned int cpus)
{
	const struct jailhouse_system *sys = config;
	u64 hv_phys, hv_size, pool_phys;
	void *pool;
	int err;

	sim_hw_reset();
	sim_inmates_clear();
	err = sim_phys_init(SIM_RAM_SIZE);
	if (err)
		return err;
	sim_cpu_layer_init();
	block = (typeof(block)){ .sys = sys, .size = size, .cpus = cpus };
	if (size < sizeof(*sys))
		return boot_cpus(cpus);

	sim_pm_timer_port = sys->platform_info.pm_timer_address;
	/* Only a config the hypervisor would accept describes devices. */
	if (config_check_system(sys, size, &(struct config_error){ 0 }))
		sim_devices_attach(sys);
	if (sim_before_enable_hook)
		sim_before_enable_hook();
	hv_phys = sys->hypervisor_memory.phys_start;
	hv_size = sys->hypervisor_memory.size;
	pool_phys = hv_phys + SIM_IMAGE_SIZE;
	pool = sim_phys_ptr(pool_phys, hv_size - SIM_IMAGE_SIZE);
	if (hv_size <= SIM_IMAGE_SIZE || !pool) {
		fprintf(stderr, "sim: hypervisor memory 0x%llx+0x%llx is not "
				"in the simulated RAM\n",
			(unsigned long long)hv_phys,
			(unsigned long long)hv_size);
		return -1;
	}
	block.pool = pool;
	block.pool_phys = pool_phys;
	block.pool_size = hv_size - SIM_IMAGE_SIZE;
	return boot_cpus(cpus);
}

int sim_boot_file(const char *path, unsigned int cpus)
{
	size_t size;
	void *config = sim_read_file(path, &size);
	int err;

	if (!config) {
		fprintf(stderr, "sim: cannot read %s\n", path);
		return -1;
	}
	err = sim_boot(config, size, cpus);
	free(config);
	return err;
}

void sim_shutdown(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < num_cpus(); cpu++) {
		sim_current_cpu = cpu;
		hv_cpu_exit(cpu);
	}
	sim_current_cpu = 0;
	hv_shutdown();
	sim_idle_hook = NULL;
}

long sim_cell_create(unsigned int cpu, const void *config, size_t size)
{
	void *staging = sim_phys_ptr(SIM_STAGING_GPA, size);

	if (!staging)
		return LONG_MIN;
	memcpy(staging, config, size);
	return sim_hypercall(cpu, JAILHOUSE_HC_CELL_CREATE, SIM_STAGING_GPA,
			     size);
}

long sim_cell_create_file(unsigned int cpu, const char *path)
{
	size_t size;
	void *config = sim_read_file(path, &size);
	long ret;

	if (!config) {
		fprintf(stderr, "sim: cannot read %s\n", path);
		return LONG_MIN;
	}
	ret = sim_cell_create(cpu, config, size);
	free(config);
	return ret;
}

bool sim_root_write(unsigned int cpu, u64 gpa, const void *data, size_t len)
{
	const u8 *bytes = data;
	size_t n;

	for (n = 0; n < len; n++)
		if (sim_guest_write(cpu, gpa + n, 1, bytes[n]) !=
		    SIM_ACCESS_RAM)
			return false;
	return true;
}
