// SPDX-License-Identifier: GPL-2.0
/* The simulated machine's devices and CPU model, set up from a config. */
#include <stdio.h>
#include <sim/amd_iommu.h>
#include <sim/apic_hw.h>
#include <sim/devices.h>
#include <sim/dmar.h>
#include <sim/hw_state.h>
#include <sim/pci_hw.h>
#include <sim/svm_checks.h>
#include <sim/vmx_checks.h>

static int add_iommu_unit(const struct jailhouse_iommu *unit)
{
	if (unit->type != JAILHOUSE_IOMMU_AMD)
		return sim_dmar_add_unit(unit->base);
	sim_amdvi_set_coherent(unit->amd_features &
			       JAILHOUSE_IOMMU_AMD_COHERENT);
	return sim_amdvi_add_unit(unit->base, unit->amd_bdf,
				  unit->amd_base_cap, unit->amd_msi_cap,
				  unit->amd_first_device,
				  unit->amd_last_device);
}

void sim_devices_attach(const struct jailhouse_system *system)
{
	unsigned int n, cpu;

	for (cpu = 0; cpu < SIM_MAX_CPUS; cpu++)
		if (sim_cpu_model == SIM_CPU_AMD)
			sim_svm_install(cpu);
		else
			sim_vmx_install(cpu);
	sim_apic_hw_attach(system);
	sim_ioapic_attach(system);
	sim_dmar_reset();
	sim_pci_reset();
	for (n = 0; n < system->root_cell.num_pci_devices; n++)
		sim_pci_add_device(jailhouse_cell_pci_devices(
					   &system->root_cell)[n].bdf);
	if (system->platform_info.pci_mmconfig_base)
		sim_pci_attach_mmconfig(system->platform_info.pci_mmconfig_base,
					system->platform_info
						.pci_mmconfig_end_bus);
	sim_amdvi_reset();
	for (n = 0; n < system->platform_info.num_iommu_units &&
		    n < JAILHOUSE_MAX_IOMMU_UNITS;
	     n++)
		if (add_iommu_unit(&system->platform_info.iommu_units[n]) < 0)
			fprintf(stderr, "sim: no room for IOMMU unit %u\n", n);
}
