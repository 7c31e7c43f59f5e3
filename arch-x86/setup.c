// SPDX-License-Identifier: GPL-2.0
/* Architecture bring-up and tear-down around the core's. */
#include <core/arch.h>
#include <core/cell.h>
#include <asm/apic.h>
#include <asm/control.h>
#include <asm/hw.h>
#include <asm/ioapic.h>
#include <asm/msr-index.h>
#include <asm/page_formats.h>
#include <asm/pci.h>
#include <asm/pci_msi.h>
#include <asm/time.h>
#include <asm/vmexit.h>
#include <asm/iommu.h>
#include <asm/vcpu.h>
#include <asm/vtd.h>

const struct x86_vendor_ops *x86_vendor = &vmx_ops;

/* "AuthenticAMD" and "HygonGenuine" in EBX, EDX, ECX of leaf 0. */
#define AMD_EBX 0x68747541
#define HYGON_EBX 0x6f677948

void x86_detect_vendor(void)
{
	u32 r[4];

	hw_cpuid(0, 0, r);
	x86_vendor = r[1] == AMD_EBX || r[1] == HYGON_EBX ? &svm_ops : &vmx_ops;
}

const struct iommu_ops *iommu = &vtd_iommu_ops;

/*
 * The system config's units are DMAR units (VT-d): the one type its format
 * describes so far. A second type names itself in the config's unit
 * entries and is chosen here, for all units alike.
 */
int iommu_select(const struct jailhouse_system *system)
{
	(void)system;
	iommu = &vtd_iommu_ops;
	return 0;
}

int arch_init_early(const struct jailhouse_system *system)
{
	int err = hw_address_space_init(system);

	if (err)
		return err;
	x86_detect_vendor();
	x86_vmexit_init();
	err = x86_calibrate_tsc(system->platform_info.pm_timer_address);
	if (err)
		return err;
	/* The IOMMU's superpage choice follows in iommu_init, per its units. */
	page_formats_configure(x86_vendor->nested_1g_pages(), false, false);
	err = pci_init(system);
	if (err)
		return err;
	err = iommu_select(system);
	if (err)
		return err;
	return iommu_init(system);
}

int arch_cpu_init(struct per_cpu *cpu)
{
	int err = apic_cpu_init(cpu);

	if (err)
		return err;
	return x86_vendor->cpu_init(cpu);
}

void arch_cpu_exit(struct per_cpu *cpu)
{
	x86_vendor->cpu_exit(cpu);
}

int arch_init_late(void)
{
	/* Every CPU knows its APIC id by now: remapping entries can name it. */
	ioapic_remap_root_pins();
	msi_remap_root_devices();
	return iommu_enable();
}

void arch_shutdown(void)
{
	ioapic_shutdown();
	msi_shutdown();
	iommu_shutdown();
}
