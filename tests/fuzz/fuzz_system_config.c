// SPDX-License-Identifier: GPL-2.0
/*
 * System configs: each input is checked by the validator as the CLI does
 * (config_check_system), then the simulated machine is enabled with it on
 * four CPUs. A config the validator refuses must be refused by the enable
 * too. A refused enable must reach every CPU with the same error and leave
 * the machine as Linux had it (no CPU in VMX or SVM, every pool page free,
 * the IOMMU off); an accepted one must disable again with the same
 * result. Invariants broken abort, so libFuzzer keeps the input.
 */
#include <string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <core/config_check.h>
#include <core/control.h>
#include <core/page_pool.h>
#include <jailhouse/hypercall.h>
#include <sim/cpu_hw.h>
#include <sim/dmar.h>
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static bool windows_overlap(u64 a, u64 a_size, u64 b, u64 b_size)
{
	return a < b + b_size && b < a + a_size;
}

/*
 * Whether the simulated machine can hold the IOMMU units the config
 * names: real hardware has them where the firmware says, the simulator
 * puts a unit at each base unless another device is there already.
 */
static bool sim_can_build(const struct jailhouse_system *sys)
{
	const struct jailhouse_iommu *u = sys->platform_info.iommu_units;
	u32 n, m, units = sys->platform_info.num_iommu_units;
	u64 mmcfg = sys->platform_info.pci_mmconfig_base;

	for (n = 0; n < units && n < JAILHOUSE_MAX_IOMMU_UNITS; n++) {
		if (u[n].base & 0xfff || u[n].base >= 1ULL << 46 ||
		    windows_overlap(u[n].base, 0x1000, 0xfec00000, 0x200000) ||
		    (mmcfg && windows_overlap(u[n].base, 0x1000, mmcfg,
					      256ULL << 20)))
			return false;
		for (m = 0; m < n; m++)
			if (windows_overlap(u[n].base, 0x1000, u[m].base,
					    0x1000))
				return false;
	}
	return true;
}

static void expect_linux_alone(unsigned int cpus, const char *when)
{
	unsigned int cpu, unit;

	if (hv_enabled())
		fuzz_fail("%s: the hypervisor is still enabled", when);
	for (cpu = 0; cpu < cpus; cpu++) {
		if (sim_cpu_in_vmx_operation(cpu))
			fuzz_fail("%s: CPU %u still in VMX", when, cpu);
		if (sim_msr_get(cpu, MSR_IA32_EFER) & EFER_SVME)
			fuzz_fail("%s: CPU %u has EFER.SVME", when, cpu);
	}
	if (mem_pool.used != mem_pool.bitmap_pages)
		fuzz_fail("%s: %lu pool pages still used", when,
			  mem_pool.used - mem_pool.bitmap_pages);
	for (unit = 0; unit < sim_dmar_num_units(); unit++)
		if (sim_dmar_translation_enabled(unit) ||
		    sim_dmar_remapping_enabled(unit))
			fuzz_fail("%s: IOMMU unit %u still on", when, unit);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const struct jailhouse_system *sys = (const void *)data;
	struct config_error err = { 0 };
	unsigned int cpu;
	bool valid;
	void *copy;
	int ret;

	if (size < sizeof(*sys) || size > 65536)
		return -1;
	/* Aligned as the driver's copy is. */
	copy = malloc(size);
	memcpy(copy, data, size);
	sys = copy;
	valid = config_check_system(sys, size, &err);
	if (!valid && (err.code == 0 ||
		       err.code >= JAILHOUSE_CFG_NUM_ERRORS))
		fuzz_fail("refused without a reason (%d)", err.code);
	/* The simulator itself needs the hypervisor's block in its RAM. */
	if (!sim_can_build(sys) || sys->hypervisor_memory.size <= SIM_IMAGE_SIZE ||
	    sys->hypervisor_memory.phys_start >= SIM_RAM_SIZE ||
	    sys->hypervisor_memory.size > SIM_RAM_SIZE -
					  sys->hypervisor_memory.phys_start) {
		free(copy);
		return 0;
	}
	ret = sim_boot(sys, size, QEMU_VM_CPUS);
	if (ret == 0 && !valid)
		fuzz_fail("enabled with a config the validator refuses "
			  "(error %d, item %u)", err.code, err.item);
	if (ret) {
		for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++)
			if (sim_enable_result(cpu) != ret)
				fuzz_fail("CPU %u returned %d, CPU 0 %d", cpu,
					  sim_enable_result(cpu), ret);
		expect_linux_alone(QEMU_VM_CPUS, "after a refused enable");
		free(copy);
		return 0;
	}
	fuzz_check_ownership();
	ret = sim_hypercall(ROOT_CPU, JAILHOUSE_HC_DISABLE, 0, 0);
	if (ret)
		fuzz_fail("disable failed: %d", ret);
	sim_shutdown();
	expect_linux_alone(QEMU_VM_CPUS, "after disable");
	free(copy);
	return 0;
}
