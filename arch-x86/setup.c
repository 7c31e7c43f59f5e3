// SPDX-License-Identifier: GPL-2.0
/* Architecture bring-up and tear-down around the core's. */
#include <core/arch.h>
#include <core/cell.h>
#include <core/config_check.h>
#include <core/control.h>
#include <core/errno.h>
#include <core/printk.h>
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

static int refuse_iommu_type(unsigned int unit, const char *why)
{
	last_error = (struct config_error){
		.code = JAILHOUSE_CFG_ERR_IOMMU_TYPE, .item = unit,
	};
	printk("System config refused: %s (item %u): %s\n",
	       config_error_text(JAILHOUSE_CFG_ERR_IOMMU_TYPE), unit, why);
	return -EINVAL;
}

/*
 * The config names the units' type; the validator saw to it that all are
 * of one kind. The CPU vendor matters only where no machine could have
 * that pairing: VT-d beside AMD CPUs is what QEMU's q35 with intel-iommu
 * and SVM is (this project's qemu-svm target), but an AMD-Vi unit exists
 * only in AMD chipsets, so beside a VMX CPU the config was written for
 * another machine.
 */
int iommu_select(const struct jailhouse_system *system)
{
	const struct jailhouse_iommu *unit = system->platform_info.iommu_units;

	iommu = &vtd_iommu_ops;
	if (system->platform_info.num_iommu_units == 0 ||
	    unit[0].type == JAILHOUSE_IOMMU_INTEL)
		return 0;
	if (unit[0].type != JAILHOUSE_IOMMU_AMD)
		return refuse_iommu_type(0, "unknown unit type");
	if (x86_vendor != &svm_ops)
		return refuse_iommu_type(0, "AMD-Vi unit on a CPU without SVM");
	iommu = &amdvi_iommu_ops;
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

void arch_return_root_interrupts(void)
{
	msi_shutdown();
}

void arch_shutdown(void)
{
	ioapic_shutdown();
	iommu_shutdown();
}
