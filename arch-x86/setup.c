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
#include <asm/vcpu.h>
#include <asm/vtd.h>

#define EPT_CAP_1G_PAGES (1ULL << 17)

enum x86_vendor x86_vendor;

/* "AuthenticAMD" and "HygonGenuine" in EBX, EDX, ECX of leaf 0. */
#define AMD_EBX 0x68747541
#define HYGON_EBX 0x6f677948

void x86_detect_vendor(void)
{
	u32 r[4];

	hw_cpuid(0, 0, r);
	x86_vendor = r[1] == AMD_EBX || r[1] == HYGON_EBX ? X86_SVM : X86_VMX;
}

/* EPT's 1G pages are a VMX capability; NPT's follow the host's paging. */
static bool nested_1g_pages(void)
{
	u32 r[4];

	if (vcpu_is_svm()) {
		hw_cpuid(0x80000001, 0, r);
		return r[3] & (1U << 26);
	}
	return hw_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) & EPT_CAP_1G_PAGES;
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
	/* VT-d's superpage choice follows in vtd_init, per its units. */
	page_formats_configure(nested_1g_pages(), false, false);
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
	return vcpu_is_svm() ? svm_cpu_init(cpu) : vmx_cpu_init(cpu);
}

int x86_cpu_activate(struct per_cpu *cpu)
{
	return vcpu_is_svm() ? svm_cpu_activate(cpu) : vmx_cpu_activate(cpu);
}

void arch_cpu_exit(struct per_cpu *cpu)
{
	if (vcpu_is_svm())
		svm_cpu_exit(cpu);
	else
		vmx_cpu_exit(cpu);
}

int arch_init_late(void)
{
	/* Every CPU knows its APIC id by now: remapping entries can name it. */
	ioapic_remap_root_pins();
	msi_remap_root_devices();
	return vtd_enable();
}

void arch_shutdown(void)
{
	ioapic_shutdown();
	msi_shutdown();
	vtd_shutdown();
}
