// SPDX-License-Identifier: GPL-2.0
/* Architecture bring-up and tear-down around the core's. */
#include <core/arch.h>
#include <core/cell.h>
#include <asm/apic.h>
#include <asm/control.h>
#include <asm/hw.h>
#include <asm/page_formats.h>
#include <asm/pci.h>
#include <asm/time.h>
#include <asm/vmexit.h>
#include <asm/vmx.h>
#include <asm/vtd.h>

#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define EPT_CAP_1G_PAGES (1ULL << 17)

int arch_init_early(const struct jailhouse_system *system)
{
	u64 ept_caps = hw_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	int err = hw_address_space_init(system);

	if (err)
		return err;
	x86_vmexit_init();
	err = x86_calibrate_tsc(system->platform_info.pm_timer_address);
	if (err)
		return err;
	/* VT-d's superpage choice follows in vtd_init, per its units. */
	page_formats_configure(ept_caps & EPT_CAP_1G_PAGES, false, false);
	err = pci_init(system);
	if (err)
		return err;
	return vtd_init(system);
}

int arch_cpu_init(struct per_cpu *cpu)
{
	int err = apic_cpu_init(cpu);

	if (err)
		return err;
	vtd_set_cpu_apic_id(cpu->cpu_id, cpu->arch.apic.id);
	return vmx_cpu_init(cpu);
}

void arch_cpu_exit(struct per_cpu *cpu)
{
	vmx_cpu_exit(cpu);
}

int arch_init_late(void)
{
	return vtd_enable();
}

void arch_shutdown(void)
{
	vtd_shutdown();
}
