// SPDX-License-Identifier: GPL-2.0
/* The simulated machine's devices and CPU model, set up from a config. */
#include <stdio.h>
#include <sim/devices.h>
#include <sim/dmar.h>
#include <sim/hw_state.h>
#include <sim/vmx_checks.h>

void sim_devices_attach(const struct jailhouse_system *system)
{
	unsigned int n, cpu;

	for (cpu = 0; cpu < SIM_MAX_CPUS; cpu++)
		sim_vmx_install(cpu);
	sim_dmar_reset();
	for (n = 0; n < system->platform_info.num_iommu_units &&
		    n < JAILHOUSE_MAX_IOMMU_UNITS;
	     n++)
		if (sim_dmar_add_unit(system->platform_info.iommu_units[n].base) <
		    0)
			fprintf(stderr, "sim: no room for IOMMU unit %u\n", n);
}
