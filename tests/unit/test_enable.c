// SPDX-License-Identifier: GPL-2.0
/*
 * The enable as every CPU runs it (hv_enable_cpu): who initializes, the
 * meeting points, and the rollback after a failure at each step on each
 * CPU. The machine after a failed enable is judged by the simulator's
 * hardware, not by the hypervisor's own view of it.
 */
#include <criterion/criterion.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/vmcb.h>
#include <sim/cpu_hw.h>
#include <sim/dmar.h>
#include <sim/hw_state.h>
#include <sim/apic_hw.h>
#include <sim/svm_checks.h>
#include <sim/vmx_checks.h>
#include "helpers.h"

#define IOAPIC_BASE 0xfec00000ULL
#define CR4_VMXE (1ULL << 13)
/* Linux's entries before the enable: vector 0x31 and 0x32 to CPU 1. */
#define LINUX_PIN_ENTRY(pin) (0x0100000000000030ULL + (pin))
#define LINUX_PINS 3

static void linux_programs_ioapic(void)
{
	unsigned int pin;

	for (pin = 1; pin < LINUX_PINS; pin++)
		sim_ioapic_set_entry(IOAPIC_BASE, pin, LINUX_PIN_ENTRY(pin));
}

static void setup(void)
{
	sim_before_enable_hook = linux_programs_ioapic;
}

TestSuite(enable, .init = setup);

static u64 cr4_of(unsigned int cpu)
{
	unsigned int caller = sim_current_cpu;
	u64 cr4;

	sim_current_cpu = cpu;
	cr4 = hw_read_cr4();
	sim_current_cpu = caller;
	return cr4;
}

static void assert_cpu_untouched(unsigned int cpu)
{
	cr_assert_not(sim_cpu_in_vmx_operation(cpu), "CPU %u in VMX", cpu);
	cr_assert_eq(cr4_of(cpu) & CR4_VMXE, 0, "CPU %u has CR4.VMXE", cpu);
	cr_assert_eq(sim_msr_get(cpu, MSR_IA32_EFER) & EFER_SVME, 0,
		     "CPU %u has EFER.SVME", cpu);
	cr_assert_eq(sim_cpu_launches(cpu), 0, "CPU %u ran a guest", cpu);
}

/* What Linux finds when enable returns err on each of cpus CPUs. */
static void assert_rolled_back(int err, unsigned int cpus)
{
	unsigned int cpu, pin;

	cr_assert_lt(err, 0);
	for (cpu = 0; cpu < cpus; cpu++) {
		cr_assert_eq(sim_enable_result(cpu), err,
			     "CPU %u returned %d, not %d\n%s", cpu,
			     sim_enable_result(cpu), err, hv_log());
		assert_cpu_untouched(cpu);
	}
	cr_assert_not(hv_enabled());
	/* The log must not print through a config in freed pool pages. */
	cr_assert_null(system_config, "the freed system config is still in use");
	/* Every table the hypervisor built came out of the pool. */
	cr_assert_eq(mem_pool.used, mem_pool.bitmap_pages,
		     "%lu pool pages still used", mem_pool.used);
	cr_assert_not(sim_dmar_translation_enabled(0));
	cr_assert_not(sim_dmar_remapping_enabled(0));
	for (pin = 1; pin < LINUX_PINS; pin++)
		cr_assert_eq(sim_ioapic_entry(IOAPIC_BASE, pin),
			     LINUX_PIN_ENTRY(pin), "IOAPIC pin %u changed",
			     pin);
}

static void assert_enabled(unsigned int cpus)
{
	unsigned int cpu;

	cr_assert(hv_enabled());
	for (cpu = 0; cpu < cpus; cpu++) {
		cr_assert_eq(sim_enable_result(cpu), 0);
		cr_assert(sim_cpu_in_vmx_operation(cpu));
		cr_assert_eq(sim_cpu_launches(cpu), 1);
	}
}

Test(enable, succeeds_on_every_cpu)
{
	boot_qemu_vm();
	assert_enabled(QEMU_VM_CPUS);
	cr_assert(sim_dmar_translation_enabled(0));
	cr_assert(log_contains("Initializing hypervisor: 4 CPUs"));
	cr_assert(log_contains("Activating hypervisor"));
}

Test(enable, succeeds_with_cpus_outside_the_root_cell)
{
	cr_assert_eq(sim_boot_file(QEMU_VM_CELL, 8), 0, "%s", hv_log());
	assert_enabled(8);
}

Test(enable, first_init_failure_reaches_every_cpu)
{
	struct jailhouse_system *sys;
	size_t size;

	sys = sim_read_file(QEMU_VM_CELL, &size);
	cr_assert_not_null(sys);
	sys->hypervisor_memory.size = SIM_IMAGE_SIZE + 4 * 4096;
	cr_assert_eq(sim_boot(sys, size, QEMU_VM_CPUS), -ENOMEM);
	assert_rolled_back(-ENOMEM, QEMU_VM_CPUS);
	free(sys);
}

/*
 * The one-CPU init running out of pool at every step it can: whatever it
 * built up to there goes back.
 */
Test(enable, first_init_failure_at_every_pool_size)
{
	struct jailhouse_system *sys;
	unsigned int pages;
	size_t size;
	int err;

	sys = sim_read_file(QEMU_VM_CELL, &size);
	cr_assert_not_null(sys);
	for (pages = 1;; pages++) {
		sys->hypervisor_memory.size = SIM_IMAGE_SIZE + pages * 4096ULL;
		err = sim_boot(sys, size, QEMU_VM_CPUS);
		if (!err)
			break;
		/* A pool of a page or two has no room for its own bitmap. */
		cr_assert(err == -ENOMEM || err == -EINVAL, "%u pages: %d\n%s",
			  pages, err, hv_log());
		assert_rolled_back(err, QEMU_VM_CPUS);
	}
	assert_enabled(QEMU_VM_CPUS);
	free(sys);
}

Test(enable, cpu_init_failure_on_each_cpu)
{
	unsigned int k;
	int err;

	for (k = 0; k < QEMU_VM_CPUS; k++) {
		sim_vmxon_refused_cpus = 1ULL << k;
		err = sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS);
		cr_assert_neq(err, 0, "VMXON refused on CPU %u", k);
		assert_rolled_back(err, QEMU_VM_CPUS);
	}
	sim_vmxon_refused_cpus = 0;
	boot_qemu_vm();
	assert_enabled(QEMU_VM_CPUS);
}

static unsigned int svm_disabled_cpu;

static void firmware_disables_svm(void)
{
	linux_programs_ioapic();
	sim_msr_set(svm_disabled_cpu, MSR_VM_CR, VM_CR_SVMDIS);
}

Test(enable, svm_cpu_init_failure_on_each_cpu)
{
	unsigned int k;
	int err;

	sim_cpu_model = SIM_CPU_AMD;
	sim_before_enable_hook = firmware_disables_svm;
	for (k = 0; k < QEMU_VM_CPUS; k++) {
		svm_disabled_cpu = k;
		err = sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS);
		cr_assert_eq(err, -EIO, "SVM disabled on CPU %u: %d\n%s", k,
			     err, hv_log());
		assert_rolled_back(err, QEMU_VM_CPUS);
	}
}

Test(enable, late_init_failure_reaches_every_cpu)
{
	int err;

	sim_dmar_ignored_commands = DMAR_GCMD_IRE;
	err = sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS);
	cr_assert_eq(err, -EIO, "%d\n%s", err, hv_log());
	cr_assert(log_contains("enabling failed"));
	assert_rolled_back(err, QEMU_VM_CPUS);
}

/* Boots qemu-vm, which must fail with want and leave the machine as it was. */
static void assert_boot_fails(int want)
{
	int err = sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS);

	cr_assert_eq(err, want, "%d\n%s", err, hv_log());
	assert_rolled_back(err, QEMU_VM_CPUS);
}

Test(enable, late_init_failure_before_translation)
{
	sim_dmar_ignored_commands = DMAR_GCMD_TE;
	assert_boot_fails(-EIO);
}

/*
 * A CPU that never enters (a broken driver) must not keep the others: they
 * give up at the bound with a named error, out of VMX operation. The late
 * init never ran, so the hardware outside the CPUs was not changed; the
 * pool stays as it is and goes back to Linux with the memory.
 */
Test(enable, missing_cpu_times_out_on_the_others)
{
	unsigned int cpu;
	int err;

	sim_enable_absent_cpus = 1ULL << 2;
	err = sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS);
	cr_assert_eq(err, -ETIMEDOUT, "%d\n%s", err, hv_log());
	cr_assert(log_contains("enable timed out waiting for the other CPUs"));
	for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		if (cpu != 2)
			cr_assert_eq(sim_enable_result(cpu), -ETIMEDOUT);
		assert_cpu_untouched(cpu);
	}
	cr_assert_not(hv_enabled());
	cr_assert_not(sim_dmar_translation_enabled(0));
}

Test(enable, the_meeting_is_ready_for_the_next_enable)
{
	sim_vmxon_refused_cpus = 1ULL << 3;
	cr_assert_neq(sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS), 0);
	sim_vmxon_refused_cpus = 0;
	boot_qemu_vm();
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_DISABLE, 0, 0), 0);
	sim_shutdown();
	boot_qemu_vm();
	assert_enabled(QEMU_VM_CPUS);
}

/*
 * The CPU-count limit: per_cpu_data has MAX_CPUS entries, one more must
 * be refused before anything is claimed, on the entry path and in
 * hv_init, and the next enable must find the CPUs' meeting untouched.
 */
Test(enable, one_cpu_beyond_the_limit_is_refused_before_anything)
{
	size_t size;
	struct jailhouse_system *sys = sim_read_file(QEMU_VM_CELL, &size);

	cr_assert_not_null(sys);
	cr_assert_eq(sim_boot(sys, size, MAX_CPUS + 1), -ERANGE);
	cr_assert_not(hv_enabled());
	cr_assert_eq(hv_init(sys, size, NULL, 0, 0, MAX_CPUS + 1), -ERANGE,
		     "hv_init checks the count before it touches the pool");
	cr_assert_eq(hv_init(sys, size, NULL, 0, 0, 0), -ERANGE);
	free(sys);
	boot_qemu_vm();
	assert_enabled(QEMU_VM_CPUS);
}

/*
 * An IOAPIC the hypervisor cannot map (its address beyond what the
 * device area reaches): the enable fails with -ENOMEM on every CPU and
 * rolls back, rather than reading its registers through NULL. Found by
 * the system config fuzzer.
 */
Test(enable, unmappable_ioapic_fails_the_enable)
{
	struct jailhouse_system *sys;
	struct jailhouse_irqchip *chip;
	size_t size;

	sys = sim_read_file(QEMU_VM_CELL, &size);
	cr_assert_not_null(sys);
	chip = (struct jailhouse_irqchip *)jailhouse_cell_irqchips(
		&sys->root_cell);
	chip[0].address = 1ULL << 62;
	cr_assert_eq(sim_boot(sys, size, QEMU_VM_CPUS), -ENOMEM, "%s",
		     hv_log());
	assert_rolled_back(-ENOMEM, QEMU_VM_CPUS);
	cr_assert(log_contains("IOAPIC at 0x4000000000000000 cannot be "
			       "mapped"));
	free(sys);
}

/* ---- each refusal of the SVM setup stops it and rolls back ---- */

static void (*amd_cpuid)(u32 leaf, u32 subleaf, u32 out[4]);

static void amd_cpuid_without_svm(u32 leaf, u32 subleaf, u32 out[4])
{
	amd_cpuid(leaf, subleaf, out);
	if (leaf == 0x80000001)
		out[2] &= ~(1U << 2);
}

static void firmware_hides_svm(void)
{
	linux_programs_ioapic();
	amd_cpuid = sim_cpuid_hook;
	sim_cpuid_hook = amd_cpuid_without_svm;
}

static void tsc_stands_still(void)
{
	linux_programs_ioapic();
	sim_tsc_counts = false;
}

/*
 * Every bounded wait measures its time with the TSC: one that stands still
 * would make them endless, so the calibration fails the enable.
 */
Test(enable, a_tsc_that_stands_still_fails_the_enable)
{
	sim_before_enable_hook = tsc_stands_still;
	assert_boot_fails(-EIO);
}

Test(enable, amd_cpu_without_svm_is_refused)
{
	int err;

	sim_cpu_model = SIM_CPU_AMD;
	sim_before_enable_hook = firmware_hides_svm;
	err = sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS);
	cr_assert_eq(err, -ENODEV, "%d\n%s", err, hv_log());
	assert_rolled_back(err, QEMU_VM_CPUS);
	cr_assert(log_contains("no SVM: this CPU cannot run the hypervisor"));
}

static void other_hypervisor_on_cpu_2(void)
{
	linux_programs_ioapic();
	sim_msr_set(2, MSR_IA32_EFER,
		    sim_msr_get(2, MSR_IA32_EFER) | EFER_SVME);
}

Test(enable, svm_in_use_by_another_hypervisor_is_refused)
{
	unsigned int cpu;
	int err;

	sim_cpu_model = SIM_CPU_AMD;
	sim_before_enable_hook = other_hypervisor_on_cpu_2;
	err = sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS);
	cr_assert_eq(err, -EBUSY, "%d\n%s", err, hv_log());
	cr_assert(log_contains("CPU 2: EFER.SVME already set"));
	cr_assert_not(hv_enabled());
	cr_assert_eq(mem_pool.used, mem_pool.bitmap_pages,
		     "%lu pool pages still used", mem_pool.used);
	for (cpu = 0; cpu < QEMU_VM_CPUS; cpu++) {
		cr_assert_eq(sim_enable_result(cpu), -EBUSY);
		cr_assert_eq(sim_cpu_launches(cpu), 0);
		/* CPU 2's SVME is the other hypervisor's: left as it was. */
		cr_assert_eq(!!(sim_msr_get(cpu, MSR_IA32_EFER) & EFER_SVME),
			     cpu == 2, "CPU %u's EFER.SVME", cpu);
	}
}

Test(enable, svm_init_failure_at_every_pool_size)
{
	struct jailhouse_system *sys;
	unsigned int pages;
	size_t size;
	int err;

	sim_cpu_model = SIM_CPU_AMD;
	sys = sim_read_file(QEMU_VM_CELL, &size);
	cr_assert_not_null(sys);
	for (pages = 1;; pages++) {
		sys->hypervisor_memory.size = SIM_IMAGE_SIZE + pages * 4096ULL;
		err = sim_boot(sys, size, QEMU_VM_CPUS);
		if (!err)
			break;
		cr_assert(err == -ENOMEM || err == -EINVAL, "%u pages: %d\n%s",
			  pages, err, hv_log());
		assert_rolled_back(err, QEMU_VM_CPUS);
	}
	cr_assert(hv_enabled());
	free(sys);
}

/*
 * MMCONFIG covers buses 0 to its end bus only: a root device beyond it is
 * reached through the configuration ports, never through an address past
 * the mapped window. Found by the system config fuzzer.
 */
Test(enable, devices_beyond_mmconfig_s_end_bus_use_the_ports)
{
	struct jailhouse_system *sys;
	struct jailhouse_pci_device *dev;
	size_t size;

	sys = sim_read_file(QEMU_VM_CELL, &size);
	cr_assert_not_null(sys);
	sys->platform_info.pci_mmconfig_end_bus = 0;
	dev = (struct jailhouse_pci_device *)jailhouse_cell_pci_devices(
		&sys->root_cell);
	cr_assert_eq(dev[3].bdf, JAILHOUSE_PCI_BDF(0, 3, 0));
	dev[3].bdf = JAILHOUSE_PCI_BDF(1, 0, 0);
	cr_assert_eq(sim_boot(sys, size, QEMU_VM_CPUS), 0, "%s", hv_log());
	assert_enabled(QEMU_VM_CPUS);
	free(sys);
}

/*
 * The hypervisor writes into pages it took from its pool and nowhere else
 * of it: what Linux left in the rest of the reserved memory is still there
 * after the enable, on either vendor.
 */
#define LINUX_LEFTOVER 0xa5
static const struct jailhouse_system *leftover_sys;

static void linux_leaves_its_bytes(void)
{
	u64 start = leftover_sys->hypervisor_memory.phys_start + SIM_IMAGE_SIZE;
	u64 size = leftover_sys->hypervisor_memory.size - SIM_IMAGE_SIZE;
	void *pool = sim_phys_ptr(start, size);

	linux_programs_ioapic();
	cr_assert_not_null(pool);
	memset(pool, LINUX_LEFTOVER, size);
}

static bool page_taken(unsigned long page)
{
	return (mem_pool.bitmap[page / 64] >> (page % 64)) & 1;
}

static void assert_free_pages_untouched(enum sim_cpu_model model)
{
	static u8 leftover[PAGE_SIZE];
	struct jailhouse_system *sys;
	unsigned long page, untouched = 0;
	size_t size;
	int err;

	memset(leftover, LINUX_LEFTOVER, sizeof(leftover));
	sim_cpu_model = model;
	sys = sim_read_file(QEMU_VM_CELL, &size);
	cr_assert_not_null(sys);
	leftover_sys = sys;
	sim_before_enable_hook = linux_leaves_its_bytes;
	err = sim_boot(sys, size, QEMU_VM_CPUS);
	cr_assert_eq(err, 0, "%d\n%s", err, hv_log());
	for (page = mem_pool.bitmap_pages; page < mem_pool.pages; page++) {
		if (page_taken(page))
			continue;
		cr_assert_eq(memcmp(mem_pool.base + page * PAGE_SIZE,
				    leftover, PAGE_SIZE),
			     0, "free pool page %lu written", page);
		untouched++;
	}
	cr_assert_gt(untouched, 0, "no free page to look at");
	free(sys);
}

Test(enable, vmx_writes_no_page_it_did_not_take)
{
	assert_free_pages_untouched(SIM_CPU_INTEL);
}

Test(enable, svm_writes_no_page_it_did_not_take)
{
	assert_free_pages_untouched(SIM_CPU_AMD);
}
