// SPDX-License-Identifier: GPL-2.0
/* PCI configuration space through ports and MMCONFIG, per cell. */
#include <criterion/criterion.h>
#include <sim/pci_hw.h>
#include "helpers.h"

#define MMCONFIG 0xb0000000ULL
#define SMBUS JAILHOUSE_PCI_BDF(0, 0x1f, 3)
#define AHCI JAILHOUSE_PCI_BDF(0, 0x1f, 2)
#define ABSENT JAILHOUSE_PCI_BDF(0, 0x1e, 0)
#define OWNER_CPU 1

static void setup(void)
{
	boot_qemu_vm();
}

TestSuite(pci, .init = setup);

static u32 id_of(u16 bdf)
{
	return SIM_PCI_VENDOR | (u32)(SIM_PCI_DEVICE_BASE + bdf) << 16;
}

static u32 port_read(unsigned int cpu, u16 bdf, u8 reg, unsigned int size)
{
	u32 address = 0x80000000U | (u32)bdf << 8 | (reg & 0xfc), value = 0;

	cr_assert_eq(sim_guest_pio(cpu, 0xcf8, 4, true, &address),
		     SIM_ACCESS_MMIO, "0xcf8 must trap");
	cr_assert_eq(sim_guest_pio(cpu, 0xcfc + (reg & 3), size, false,
				   &value),
		     SIM_ACCESS_MMIO);
	return value;
}

static u64 mmconfig_read(unsigned int cpu, u16 bdf, u16 reg,
			 unsigned int size)
{
	u64 value = 0;

	cr_assert_eq(sim_guest_read(cpu, MMCONFIG + ((u64)bdf << 12) + reg,
				    size, &value),
		     SIM_ACCESS_MMIO);
	return value;
}

Test(pci, root_sees_its_devices_and_nothing_else)
{
	cr_assert_not(sim_pio_passes(ROOT_CPU, 0xcf8),
		      "root's 'all ports' must not include the config ports");
	cr_assert_not(sim_pio_passes(ROOT_CPU, 0xcfc));
	cr_assert_eq(port_read(ROOT_CPU, AHCI, 0, 4), id_of(AHCI));
	cr_assert_eq(port_read(ROOT_CPU, AHCI, 2, 2), SIM_PCI_DEVICE_BASE + AHCI);
	cr_assert_eq(port_read(ROOT_CPU, ABSENT, 0, 4), 0xffffffff);
	cr_assert_eq(mmconfig_read(ROOT_CPU, SMBUS, 0, 4), id_of(SMBUS));
	cr_assert_eq(mmconfig_read(ROOT_CPU, SMBUS, 3, 1),
		     (SIM_PCI_DEVICE_BASE + SMBUS) >> 8);
	cr_assert_eq(mmconfig_read(ROOT_CPU, ABSENT, 0, 4), 0xffffffff);
}

Test(pci, assigned_device_moves_to_the_cell_and_back)
{
	long id = sim_cell_create_file(ROOT_CPU, BAD_CELL("pci-owner"));
	u32 address = 0x80000000U | AHCI << 8 | 0x10, data = 1;

	cr_assert_gt(id, 0);
	cr_assert_eq(port_read(ROOT_CPU, SMBUS, 0, 4), 0xffffffff,
		     "root lost the SMBus controller");
	cr_assert_eq(mmconfig_read(ROOT_CPU, SMBUS, 0, 4), 0xffffffff);
	sim_inmate_set("pci-owner", SIM_INMATE_APPROVE);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, id, 0),
		     0);
	cr_assert_eq(port_read(OWNER_CPU, SMBUS, 0, 4), id_of(SMBUS));
	cr_assert_eq(mmconfig_read(OWNER_CPU, SMBUS, 0, 4), id_of(SMBUS));
	cr_assert_eq(mmconfig_read(OWNER_CPU, AHCI, 0, 4), 0xffffffff,
		     "the cell does not see root's devices");
	/* A write to a foreign device is dropped and logged. */
	cr_assert_eq(sim_guest_write(OWNER_CPU, MMCONFIG + ((u64)AHCI << 12) +
							0x10,
				     4, 0xdead0000),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_pci_config_read(AHCI, 0x10, 4), 0);
	cr_assert_eq(sim_guest_pio(OWNER_CPU, 0xcf8, 4, true, &address),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_guest_pio(OWNER_CPU, 0xcfc, 4, true, &data),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_pci_config_read(AHCI, 0x10, 4), 0);
	cr_assert(log_contains("config write of 00:1f.2 refused"));

	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY, id, 0),
		     0);
	cr_assert_eq(port_read(ROOT_CPU, SMBUS, 0, 4), id_of(SMBUS),
		     "root has it back");
}

Test(pci, each_cpu_has_its_own_address_latch)
{
	u32 a = 0x80000000U | AHCI << 8, b = 0x80000000U | SMBUS << 8, v = 0;

	cr_assert_eq(sim_guest_pio(0, 0xcf8, 4, true, &a), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_guest_pio(1, 0xcf8, 4, true, &b), SIM_ACCESS_MMIO);
	cr_assert_eq(sim_guest_pio(0, 0xcfc, 4, false, &v), SIM_ACCESS_MMIO);
	cr_assert_eq(v, id_of(AHCI), "CPU 1's address did not leak");
	cr_assert_eq(sim_guest_pio(1, 0xcf8, 4, false, &v), SIM_ACCESS_MMIO);
	cr_assert_eq(v, b);
}

Test(pci, nobody_resets_the_machine_through_0xcf9)
{
	u32 reset = 0x6;

	cr_assert_eq(sim_guest_pio(ROOT_CPU, 0xcf9, 1, true, &reset),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_pci_reset_requests(), 0);
	cr_assert(log_contains("machine reset through port 0xcf9 ignored"));
	cr_assert(sim_cpu_runs_guest(ROOT_CPU));
}

Test(pci, unaligned_or_wide_mmconfig_access_fails_the_cpu)
{
	u64 value;

	cr_assert_eq(sim_guest_read(2, MMCONFIG + ((u64)AHCI << 12), 8, &value),
		     SIM_ACCESS_FAULT);
	cr_assert(log_contains("refused MMIO read of 8 bytes at 0xb00fa000"));
	cr_assert(sim_cpu_runs_guest(ROOT_CPU), "other root CPUs go on");
}
