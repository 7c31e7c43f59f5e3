// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated AMD machine (configs/qemu-amd.c: SVM CPUs, one AMD-Vi unit)
 * booted as a whole: devices do DMA and send interrupts through the AMD-Vi
 * model, cells and root program them through their configuration space
 * and the IOAPIC, and what goes wrong is refused by name or blocked and
 * logged.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <asm/amd_iommu.h>
#include <asm/exit.h>
#include <asm/iommu.h>
#include <asm/pci_msi.h>
#include <sim/amd_iommu.h>
#include <sim/apic_hw.h>
#include <sim/pci_hw.h>
#include <sim/svm_checks.h>
#include "helpers.h"

#define QEMU_AMD_CELL CELL_DIR "/qemu-amd.cell"
#define SYS_CELL_DIR BAD_CELL_DIR "/"

#define IOMMU_BASE 0xfed80000ULL
#define IOMMU_FN JAILHOUSE_PCI_BDF(0, 3, 0)
#define IOMMU_MSI_CTRL 0x62 /* its MSI capability at 0x60 */
#define NIC JAILHOUSE_PCI_BDF(0, 2, 0)
#define EDU JAILHOUSE_PCI_BDF(0, 0x10, 0)
#define LPC JAILHOUSE_PCI_BDF(0, 0x1f, 0)
#define IOAPIC_SID JAILHOUSE_PCI_BDF(0, 0x14, 0)
#define IOAPIC_BASE 0xfec00000ULL
#define NIC_CAP 0x50
#define LPC_CAP 0x60
#define EDU_CAP 0x70
#define MSI_ENABLE 0x0001
#define LINUX_ADDRESS 0xfee01000U /* CPU 1, physical */
#define LINUX_DATA 0x0041
#define ROOT_PIN 4
#define LEVEL_PIN 9
#define LINUX_ENTRY ((1ULL << 56) | 0x33)
#define LINUX_LEVEL_ENTRY ((1ULL << 15) | (1ULL << 13) | 0x39)

#define ROOT_RAM 0x01000000ULL
#define CELL_RAM 0x3c600000ULL
#define CELL_CPU 2

/* A cell on CPU 2 with 1 MiB of DMA-able RAM and the edu device. */
static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
	struct jailhouse_pci_device pci_devices[1];
} __attribute__((packed)) dma_cell = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.architecture = JAILHOUSE_ARCH_X86,
		.name = "dma-cell",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG,
		.cpu_set_size = 8,
		.num_memory_regions = 2,
		.num_pci_devices = 1,
		.cpu_reset_address = 0xf0000,
	},
	.cpus = { 1 << CELL_CPU },
	.mem_regions = {
		{
			.phys_start = CELL_RAM,
			.virt_start = 0,
			.size = 0x100000,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				 JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_DMA,
		},
		{
			.phys_start = CELL_RAM + 0x100000,
			.virt_start = 0x100000,
			.size = 0x1000,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				 JAILHOUSE_MEM_EXECUTE,
		},
	},
	.pci_devices = {
		{ .type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = EDU },
	},
};

/* What Linux left programmed before the hypervisor came. */
static void linux_before_enable(void)
{
	cr_assert_eq(sim_pci_add_msi_cap(NIC, NIC_CAP, true), 0);
	cr_assert_eq(sim_pci_add_msi_cap(LPC, LPC_CAP, false), 0);
	cr_assert_eq(sim_pci_add_msi_cap(EDU, EDU_CAP, true), 0);
	sim_pci_config_write(NIC, NIC_CAP + 4, 4, LINUX_ADDRESS);
	sim_pci_config_write(NIC, NIC_CAP + 12, 2, LINUX_DATA);
	sim_pci_config_write(NIC, NIC_CAP + 2, 2,
			     sim_pci_config_read(NIC, NIC_CAP + 2, 2) |
				     MSI_ENABLE);
	sim_ioapic_set_entry(IOAPIC_BASE, ROOT_PIN, LINUX_ENTRY);
	sim_ioapic_set_entry(IOAPIC_BASE, LEVEL_PIN, LINUX_LEVEL_ENTRY);
}

static int boot_amd(enum sim_cpu_model model, const char *path,
		    void (*linux_hook)(void))
{
	int err;

	sim_cpu_model = model;
	sim_before_enable_hook = linux_hook;
	err = sim_boot_file(path, QEMU_VM_CPUS);
	sim_before_enable_hook = NULL;
	return err;
}

static void setup(void)
{
	int err = boot_amd(SIM_CPU_AMD, QEMU_AMD_CELL, linux_before_enable);

	cr_assert_eq(err, 0, "boot of qemu-amd failed: %d\n%s", err, hv_log());
}

static void teardown(void)
{
	sim_cpu_model = SIM_CPU_INTEL;
}

TestSuite(amdvi_machine, .init = setup, .fini = teardown);
TestSuite(amdvi_refused, .fini = teardown);

#define expect_log(text)                                                       \
	cr_expect(log_contains(text), "log lacks \"%s\":\n%s", text, hv_log())

static void config_write(unsigned int cpu, u16 bdf, u8 reg,
			 unsigned int size, u32 value)
{
	u32 address = 0x80000000U | (u32)bdf << 8 | (reg & 0xfc);

	cr_assert_eq(sim_guest_pio(cpu, 0xcf8, 4, true, &address),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_guest_pio(cpu, 0xcfc + (reg & 3), size, true,
				   &value),
		     SIM_ACCESS_MMIO);
}

/* The device fires: where the AMD-Vi model delivers its message. */
static enum sim_msi_status fire(u16 bdf, struct sim_amdvi_irq *r)
{
	u64 address;
	u32 data;

	cr_assert(sim_pci_msi_message(bdf, &address, &data),
		  "MSI is disabled in the device");
	return sim_amdvi_msi(bdf, address, data, r);
}

static long create_dma_cell(void)
{
	long id = sim_cell_create(ROOT_CPU, &dma_cell, sizeof(dma_cell));

	cr_assert_gt(id, 0, "create: %ld\n%s", id, hv_log());
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, id, 0),
		     0);
	return id;
}

/* An NMI on CPU 0, as the unit's event interrupt delivers it. */
static void nmi_to_cpu0(void)
{
	struct x86_exit exit = { .reason = X86_EXIT_KICK };

	sim_guest_exit(ROOT_CPU, &exit);
}

Test(amdvi_machine, the_amd_machine_runs_on_amd_vi)
{
	cr_expect_eq(iommu, &amdvi_iommu_ops);
	cr_expect(sim_amdvi_enabled(0));
	cr_expect(amdvi_irq_remapping());
	cr_expect_eq(sim_amdvi_last_protocol_error(0)[0], '\0', "%s",
		     sim_amdvi_last_protocol_error(0));
}

Test(amdvi_machine, root_s_devices_reach_root_s_memory_only)
{
	struct sim_amdvi_event e;
	u32 v = 0x1234;

	/* Device 00:10.0 writes to X: root's RAM is X, the hypervisor not. */
	cr_assert_eq(sim_amdvi_dma(EDU, ROOT_RAM, 4, true, &v), SIM_AMDVI_OK);
	cr_expect_eq(*(u32 *)sim_phys_ptr(ROOT_RAM, 4), 0x1234);
	cr_expect_eq(sim_amdvi_dma(EDU, 0x3be00000, 4, true, &v),
		     SIM_AMDVI_NOT_PRESENT);
	cr_assert(sim_amdvi_last_event(0, &e));
	cr_expect_eq(e.devid, EDU);
	cr_expect_eq(e.address, 0x3be00000);
	/* Root's device memory is no DMA target; unlisted devices nothing. */
	cr_expect_eq(sim_amdvi_dma(EDU, 0xfed00000, 4, false, &v),
		     SIM_AMDVI_NOT_PRESENT);
	cr_expect_eq(sim_amdvi_dma(JAILHOUSE_PCI_BDF(0, 7, 0), ROOT_RAM, 4,
				   false, &v),
		     SIM_AMDVI_BLOCKED);
	cr_expect_eq(sim_amdvi_dma(IOMMU_FN, ROOT_RAM, 4, false, &v),
		     SIM_AMDVI_BLOCKED);
}

Test(amdvi_machine, a_cell_s_device_reaches_exactly_its_dma_regions)
{
	u32 v = 0xab;

	create_dma_cell();
	cr_assert_eq(sim_amdvi_dma(EDU, 0x1000, 4, true, &v), SIM_AMDVI_OK);
	cr_expect_eq(*(u32 *)sim_phys_ptr(CELL_RAM + 0x1000, 4), 0xab);
	/* The comm page and the region without DMA: the CPUs' alone. */
	cr_expect_eq(sim_amdvi_dma(EDU, 0x100000, 4, false, &v),
		     SIM_AMDVI_NOT_PRESENT);
	/* Root's memory, by its bus address, is gone for the device. */
	cr_expect_eq(sim_amdvi_dma(EDU, ROOT_RAM, 4, false, &v),
		     SIM_AMDVI_NOT_PRESENT);
	/* And root's devices lost the cell's memory. */
	cr_expect_eq(sim_amdvi_dma(NIC, CELL_RAM, 4, false, &v),
		     SIM_AMDVI_NOT_PRESENT);

	nmi_to_cpu0();
	expect_log("AMD-Vi unit 0: DMA read from 0x100000 by 00:10.0 (cell "
		   "\"dma-cell\") blocked: no translation for the address");
	expect_log("AMD-Vi unit 0: DMA read from 0x3c600000 by 00:02.0 (cell "
		   "\"QEMU-AMD\") blocked");
}

Test(amdvi_machine, destroyed_cell_s_device_and_memory_go_back_to_root)
{
	long id = create_dma_cell();
	u32 v = 0x99;

	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY, id, 0),
		     0);
	cr_expect_eq(sim_amdvi_dma(EDU, CELL_RAM, 4, true, &v), SIM_AMDVI_OK);
	cr_expect_eq(sim_amdvi_dma(NIC, CELL_RAM, 4, false, &v),
		     SIM_AMDVI_OK);
	cr_expect_eq(sim_amdvi_dma(EDU, 0x1000, 4, false, &v), SIM_AMDVI_OK,
		     "root's memory at root's addresses again");
}

Test(amdvi_machine, linux_s_msi_from_before_enable_is_remapped)
{
	struct sim_amdvi_irq r;
	u64 address;
	u32 data;

	cr_assert(sim_pci_msi_message(NIC, &address, &data));
	cr_expect_eq(address, 0xfee00000ULL, "the address stays the APIC's");
	cr_assert_eq(fire(NIC, &r), SIM_MSI_DELIVERED);
	cr_expect(r.remapped);
	cr_expect_eq(r.index, data, "the data names the entry");
	cr_expect_eq(r.dest, 1);
	cr_expect_eq(r.vector, 0x41);
}

Test(amdvi_machine, root_s_device_sends_vector_v_to_cpu_c)
{
	struct sim_amdvi_irq r;

	/* Device 00:1f.0 sends vector 0x45 to CPU 3 (APIC id 3). */
	config_write(ROOT_CPU, LPC, LPC_CAP + 4, 4, 0xfee03000);
	config_write(ROOT_CPU, LPC, LPC_CAP + 8, 2, 0x45);
	config_write(ROOT_CPU, LPC, LPC_CAP + 2, 2, MSI_ENABLE);
	cr_assert_eq(fire(LPC, &r), SIM_MSI_DELIVERED);
	cr_expect(r.remapped);
	cr_expect_eq(r.dest, 3);
	cr_expect_eq(r.vector, 0x45);
	/* A message without its entry: refused by the unit. */
	cr_expect_eq(sim_amdvi_msi(LPC, 0xfee03000, 0x45, &r),
		     SIM_MSI_BLOCKED);
}

Test(amdvi_machine, msi_aimed_at_a_foreign_cpu_stays_disabled)
{
	struct sim_amdvi_irq r;
	u64 address;
	u32 data;

	create_dma_cell();
	/* The cell aims its device at root's CPU 1. */
	config_write(CELL_CPU, EDU, EDU_CAP + 4, 4, 0xfee01000);
	config_write(CELL_CPU, EDU, EDU_CAP + 12, 2, 0x51);
	config_write(CELL_CPU, EDU, EDU_CAP + 2, 2, MSI_ENABLE);
	cr_expect_not(sim_pci_msi_message(EDU, &address, &data));
	expect_log("PCI 00:10.0 of cell \"dma-cell\": MSI to 0xfee01000 data "
		   "0x0051 kept disabled: interrupt remapping refused it");
	expect_log("AMD-Vi: cell \"dma-cell\": interrupt of 00:10.0 to APIC 1 "
		   "(vector 0x51) refused: not a CPU of the cell");
	/* Aimed at its own CPU it goes through, to that CPU only. */
	config_write(CELL_CPU, EDU, EDU_CAP + 4, 4, 0xfee02000);
	cr_assert_eq(fire(EDU, &r), SIM_MSI_DELIVERED);
	cr_expect_eq(r.dest, CELL_CPU);
	cr_expect_eq(r.vector, 0x51);
	/* A forged message naming root's entry of another device: refused. */
	cr_assert(sim_pci_msi_message(NIC, &address, &data));
	cr_expect_eq(sim_amdvi_msi(EDU, address, data, &r), SIM_MSI_BLOCKED);
}

Test(amdvi_machine, ioapic_pins_are_converted_and_keep_their_eoi)
{
	struct sim_amdvi_irq r;
	u64 entry = sim_ioapic_entry(IOAPIC_BASE, ROOT_PIN);
	u64 level = sim_ioapic_entry(IOAPIC_BASE, LEVEL_PIN);
	u32 vector;

	/* The vector field names the entry, destination 0, fixed. */
	cr_expect_eq(entry & ~0xffULL & ~(1ULL << 12), 0,
		     "0x%llx: nothing but the index", (unsigned long long)entry);
	cr_assert_eq(sim_amdvi_msi(IOAPIC_SID, 0xfee00000, entry & 0xff, &r),
		     SIM_MSI_DELIVERED);
	cr_expect(r.remapped);
	cr_expect_eq(r.dest, 1);
	cr_expect_eq(r.vector, 0x33);
	cr_expect_eq(level & ((1ULL << 15) | (1ULL << 13)),
		     (1ULL << 15) | (1ULL << 13), "trigger and polarity kept");
	/* Root ends its level interrupt by its vector; the chip, by index. */
	cr_assert_eq(sim_guest_write(ROOT_CPU, IOAPIC_BASE + 0x40, 4, 0x39),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_ioapic_eois(IOAPIC_BASE, &vector), 1);
	cr_expect_eq(vector, level & 0xff);
}

Test(amdvi_machine, root_cannot_touch_the_unit_s_capability)
{
	u32 base_lo = sim_pci_config_read(IOMMU_FN, 0x44, 4);

	config_write(ROOT_CPU, IOMMU_FN, 0x44, 4, 0xfe000001);
	cr_expect_eq(sim_pci_config_read(IOMMU_FN, 0x44, 4), base_lo,
		     "the registers stay where they are");
	config_write(ROOT_CPU, IOMMU_FN, IOMMU_MSI_CTRL, 2, 0);
	cr_expect(sim_pci_config_read(IOMMU_FN, IOMMU_MSI_CTRL, 2) & MSI_ENABLE,
		  "events still announced");
}

Test(amdvi_machine, events_reach_cpu0_as_an_nmi_and_are_logged)
{
	u64 address;
	u32 data, v;

	cr_expect_eq(sim_amdvi_dma(JAILHOUSE_PCI_BDF(0, 7, 0), ROOT_RAM, 4,
				   true, &v),
		     SIM_AMDVI_BLOCKED);
	cr_assert_eq(sim_amdvi_interrupts(0, &address, &data), 1);
	cr_expect_eq(address, 0xfee00000ULL, "to APIC 0");
	cr_expect_eq(data, 0x400, "NMI delivery, no vector taken");
	nmi_to_cpu0();
	expect_log("AMD-Vi unit 0: DMA write to 0x1000000 by 00:07.0 (no cell) "
		   "blocked: access not permitted");
	cr_expect_eq(amdvi_event_count(), 1);
}

Test(amdvi_machine, disable_gives_linux_its_interrupts_back)
{
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_DISABLE, 0, 0), 0);
	sim_shutdown();
	cr_expect_not(sim_amdvi_enabled(0));
	cr_expect_eq(sim_amdvi_control(0), 0);
	cr_expect_eq(sim_ioapic_entry(IOAPIC_BASE, ROOT_PIN), LINUX_ENTRY);
	cr_expect_eq(sim_ioapic_entry(IOAPIC_BASE, LEVEL_PIN),
		     LINUX_LEVEL_ENTRY);
	cr_expect_not(sim_pci_config_read(IOMMU_FN, IOMMU_MSI_CTRL, 2) & MSI_ENABLE,
		      "the unit's event interrupt off");
	cr_expect_eq(mem_pool.used, mem_pool.bitmap_pages);
}

Test(amdvi_machine, msi_shutdown_gives_linux_its_message_back)
{
	u64 address;
	u32 data;

	msi_shutdown();
	cr_assert(sim_pci_msi_message(NIC, &address, &data));
	cr_expect_eq(address, LINUX_ADDRESS);
	cr_expect_eq(data, LINUX_DATA);
}

/* Configs the enable refuses, each by its reason. */

Test(amdvi_refused, amd_vi_beside_an_intel_cpu)
{
	cr_expect_eq(boot_amd(SIM_CPU_INTEL, QEMU_AMD_CELL, NULL), -EINVAL);
	expect_log("System config refused: IOMMU unit of unknown type, mixed "
		   "types, or wrong for the CPU (item 0): AMD-Vi unit on a CPU "
		   "without SVM");
	cr_expect_eq(last_error.code, JAILHOUSE_CFG_ERR_IOMMU_TYPE);
}

Test(amdvi_refused, vt_d_beside_an_amd_cpu_is_fine)
{
	cr_expect_eq(boot_amd(SIM_CPU_AMD, QEMU_VM_CELL, NULL), 0);
	cr_expect_eq(iommu, &vtd_iommu_ops);
}

static void expect_refused(const char *name,
			   enum jailhouse_config_error code, u32 item)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s.cell", SYS_CELL_DIR, name);
	cr_expect_eq(boot_amd(SIM_CPU_AMD, path, NULL), -config_error_errno(code),
		     "%s", name);
	cr_expect_eq(last_error.code, code, "%s: %s", name,
		     config_error_name(last_error.code));
	cr_expect_eq(last_error.item, item, "%s", name);
	expect_log(config_error_text(code));
}

Test(amdvi_refused, system_configs_breaking_an_iommu_rule)
{
	expect_refused("sys-iommu-mixed", JAILHOUSE_CFG_ERR_IOMMU_TYPE, 1);
	expect_refused("sys-iommu-unit", JAILHOUSE_CFG_ERR_IOMMU_UNIT, 0);
	expect_refused("sys-iommu-claimed", JAILHOUSE_CFG_ERR_IOMMU_CLAIMED, 2);
	expect_refused("sys-iommu-scope", JAILHOUSE_CFG_ERR_IOMMU_SCOPE, 4);
}

Test(amdvi_machine, a_device_is_one_cell_s_only)
{
	long id = create_dma_cell();
	struct {
		struct jailhouse_cell_desc cell;
		__u64 cpus[1];
		struct jailhouse_memory mem_regions[2];
		struct jailhouse_pci_device pci_devices[1];
	} __attribute__((packed)) second;

	memcpy(&second, &dma_cell, sizeof(second));
	strcpy(second.cell.name, "second");
	second.cpus[0] = 1 << 3;
	second.mem_regions[0].phys_start = CELL_RAM + 0x200000;
	second.mem_regions[1].phys_start = CELL_RAM + 0x300000;
	cr_expect_eq(sim_cell_create(ROOT_CPU, &second, sizeof(second)),
		     -config_error_errno(JAILHOUSE_CFG_ERR_PCI_CELL));
	cr_expect_eq(info(JAILHOUSE_INFO_LAST_ERROR),
		     JAILHOUSE_CFG_ERR_PCI_CELL);
	/* The device stays the first cell's, for DMA and interrupts. */
	cr_expect_eq(sim_amdvi_dma(EDU, 0x1000, 4, false, &(u32){ 0 }),
		     SIM_AMDVI_OK);
	cr_expect_eq(cell_state((u32)id), JAILHOUSE_CELL_RUNNING);
}

Test(amdvi_machine, a_cell_writing_the_unit_s_registers_fails_alone)
{
	long id = create_dma_cell();
	u64 control = sim_amdvi_control(0);

	cr_expect_eq(sim_guest_write(CELL_CPU, IOMMU_BASE + 0x18, 8, 0),
		     SIM_ACCESS_FAULT);
	cr_expect_eq(sim_amdvi_control(0), control, "the unit runs on");
	cr_expect_eq(cell_state((u32)id), JAILHOUSE_CELL_FAILED);
	cr_expect_eq(sim_amdvi_dma(NIC, ROOT_RAM, 4, false, &(u32){ 0 }),
		     SIM_AMDVI_OK, "root's devices unaffected");
}
