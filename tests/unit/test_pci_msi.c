// SPDX-License-Identifier: GPL-2.0
/*
 * MSIs under interrupt remapping on the simulated qemu-vm machine (one
 * VT-d unit that remaps): what a device sends is judged by the simulator's
 * VT-d model, which blocks compatibility-format messages and resolves
 * remappable ones through the table the hypervisor filled.
 */
#include <criterion/criterion.h>
#include <sim/dmar.h>
#include <sim/pci_hw.h>
#include <sim/sim.h>
#include <asm/pci_msi.h>
#include "helpers.h"

#define NIC JAILHOUSE_PCI_BDF(0, 2, 0)
#define SMBUS JAILHOUSE_PCI_BDF(0, 0x1f, 3)
#define OWNER_CPU 1
#define MMCONFIG 0xb0000000ULL
#define NIC_CAP 0x50 /* 64-bit addresses: data at +12 */
#define SMBUS_CAP 0x60 /* 32-bit addresses: data at +8 */
#define MSI_ENABLE 0x0001
#define MSI_REMAPPABLE (1ULL << 4)
#define LINUX_ADDRESS 0xfee01000U /* CPU 1, physical */
#define LINUX_DATA 0x0041

static void linux_enabled_the_nic_s_msi(void)
{
	cr_assert_eq(sim_pci_add_msi_cap(NIC, NIC_CAP, true), 0);
	cr_assert_eq(sim_pci_add_msi_cap(SMBUS, SMBUS_CAP, false), 0);
	sim_pci_config_write(NIC, NIC_CAP + 4, 4, LINUX_ADDRESS);
	sim_pci_config_write(NIC, NIC_CAP + 12, 2, LINUX_DATA);
	sim_pci_config_write(NIC, NIC_CAP + 2, 2,
			     sim_pci_config_read(NIC, NIC_CAP + 2, 2) |
				     MSI_ENABLE);
}

static void setup(void)
{
	sim_before_enable_hook = linux_enabled_the_nic_s_msi;
	boot_qemu_vm();
	sim_before_enable_hook = NULL;
}

TestSuite(pci_msi, .init = setup);

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

static u32 config_read(unsigned int cpu, u16 bdf, u8 reg, unsigned int size)
{
	u32 address = 0x80000000U | (u32)bdf << 8 | (reg & 0xfc), value = 0;

	cr_assert_eq(sim_guest_pio(cpu, 0xcf8, 4, true, &address),
		     SIM_ACCESS_MMIO);
	cr_assert_eq(sim_guest_pio(cpu, 0xcfc + (reg & 3), size, false,
				   &value),
		     SIM_ACCESS_MMIO);
	return value;
}

static u32 mmconfig_read(unsigned int cpu, u16 bdf, u16 reg)
{
	u64 value = 0;

	cr_assert_eq(sim_guest_read(cpu, MMCONFIG + ((u64)bdf << 12) + reg, 4,
				    &value),
		     SIM_ACCESS_MMIO);
	return (u32)value;
}

/* The device fires: where the VT-d model delivers its message. */
static enum sim_msi_status fire(u16 bdf, struct sim_msi_result *r)
{
	u64 address;
	u32 data;

	cr_assert(sim_pci_msi_message(bdf, &address, &data),
		  "MSI is disabled in the device");
	return sim_msi(bdf, address, data, r);
}

Test(pci_msi, linux_s_msi_from_before_enable_is_remapped)
{
	struct sim_msi_result r;
	u64 address;
	u32 data;

	cr_assert(sim_pci_msi_message(NIC, &address, &data));
	cr_assert(address & MSI_REMAPPABLE, "0x%llx would be blocked",
		  (unsigned long long)address);
	cr_assert_eq(fire(NIC, &r), SIM_MSI_DELIVERED);
	cr_assert(r.remapped);
	cr_assert_eq(r.dest, 1);
	cr_assert_eq(r.vector, 0x41);
	/* Linux reads back its own message, and a single-message device. */
	cr_assert_eq(config_read(ROOT_CPU, NIC, NIC_CAP + 4, 4),
		     LINUX_ADDRESS);
	cr_assert_eq(config_read(ROOT_CPU, NIC, NIC_CAP + 12, 2), LINUX_DATA);
	cr_assert_eq(config_read(ROOT_CPU, NIC, NIC_CAP + 2, 2) & 0x7f,
		     MSI_ENABLE, "enabled, one message capable");
	cr_assert_eq(mmconfig_read(ROOT_CPU, NIC, NIC_CAP + 4), LINUX_ADDRESS,
		     "through MMCONFIG the same");
}

Test(pci_msi, root_reprogramming_goes_through_its_entry)
{
	struct sim_msi_result r;

	config_write(ROOT_CPU, NIC, NIC_CAP + 4, 4, 0xfee00000);
	config_write(ROOT_CPU, NIC, NIC_CAP + 12, 2, 0x42);
	cr_assert_eq(fire(NIC, &r), SIM_MSI_DELIVERED);
	cr_assert_eq(r.dest, 0);
	cr_assert_eq(r.vector, 0x42);
	config_write(ROOT_CPU, NIC, NIC_CAP + 2, 2, 0);
	cr_assert_not(sim_pci_msi_message(NIC, &(u64){ 0 }, &(u32){ 0 }),
		      "disabled when root disables it");
}

Test(pci_msi, a_cell_s_device_reaches_the_cell_s_cpus_only)
{
	long id = sim_cell_create_file(ROOT_CPU, BAD_CELL("pci-owner"));
	struct sim_msi_result r;

	cr_assert_gt(id, 0);
	sim_inmate_set("pci-owner", SIM_INMATE_APPROVE);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, id, 0),
		     0);
	config_write(OWNER_CPU, SMBUS, SMBUS_CAP + 4, 4, 0xfee01000);
	config_write(OWNER_CPU, SMBUS, SMBUS_CAP + 8, 2, 0x51);
	config_write(OWNER_CPU, SMBUS, SMBUS_CAP + 2, 2, MSI_ENABLE);
	cr_assert_eq(fire(SMBUS, &r), SIM_MSI_DELIVERED);
	cr_assert_eq(r.dest, OWNER_CPU);
	cr_assert_eq(r.vector, 0x51);

	/* Aimed at root's CPU 0: refused, named, and the device silent. */
	config_write(OWNER_CPU, SMBUS, SMBUS_CAP + 4, 4, 0xfee00000);
	cr_assert_not(sim_pci_msi_message(SMBUS, &(u64){ 0 }, &(u32){ 0 }));
	cr_assert(log_contains("PCI 00:1f.3 of cell \"pci-owner\": MSI to "
			       "0xfee00000 data 0x0051 kept disabled"));
	cr_assert_eq(config_read(OWNER_CPU, SMBUS, SMBUS_CAP + 4, 4),
		     0xfee00000, "the cell still reads what it wrote");

	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY, id, 0),
		     0);
	cr_assert_eq(config_read(ROOT_CPU, SMBUS, SMBUS_CAP + 2, 2) &
			     MSI_ENABLE,
		     0, "back in root, off until root programs it");
	cr_assert_eq(config_read(ROOT_CPU, SMBUS, SMBUS_CAP + 4, 4), 0,
		     "the cell's message is not shown to the next owner");
	cr_assert_eq(config_read(ROOT_CPU, SMBUS, SMBUS_CAP + 8, 2), 0);
}

/* The whole disable, not just its MSI step: root's devices are released. */
Test(pci_msi, disable_gives_linux_its_message_back)
{
	u64 address;
	u32 data;

	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_DISABLE, 0, 0), 0);
	sim_shutdown();
	cr_assert(sim_pci_msi_message(NIC, &address, &data),
		  "Linux's MSI left disabled");
	cr_assert_eq(address, LINUX_ADDRESS);
	cr_assert_eq(data, LINUX_DATA);
}

/*
 * Every device's message goes back, the first one of root's list too:
 * here the host bridge, given an MSI capability Linux enabled.
 */
#define HOST_BRIDGE JAILHOUSE_PCI_BDF(0, 0, 0)
#define BRIDGE_CAP 0x40

static void linux_enabled_msi_on_the_first_device(void)
{
	linux_enabled_the_nic_s_msi();
	cr_assert_eq(sim_pci_add_msi_cap(HOST_BRIDGE, BRIDGE_CAP, false), 0);
	sim_pci_config_write(HOST_BRIDGE, BRIDGE_CAP + 4, 4, 0xfee02000);
	sim_pci_config_write(HOST_BRIDGE, BRIDGE_CAP + 8, 2, 0x51);
	sim_pci_config_write(HOST_BRIDGE, BRIDGE_CAP + 2, 2, MSI_ENABLE);
}

Test(pci_msi, disable_gives_the_first_device_its_message_back)
{
	u64 address;
	u32 data;

	sim_shutdown();
	sim_before_enable_hook = linux_enabled_msi_on_the_first_device;
	boot_qemu_vm();
	sim_before_enable_hook = NULL;
	cr_assert(sim_pci_msi_message(HOST_BRIDGE, &address, &data));
	cr_assert(address & MSI_REMAPPABLE, "remapped while root runs");
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_DISABLE, 0, 0), 0);
	sim_shutdown();
	cr_assert(sim_pci_msi_message(HOST_BRIDGE, &address, &data));
	cr_assert_eq(address, 0xfee02000);
	cr_assert_eq(data, 0x51);
}

/*
 * The 64-bit capability's upper address word at +8, with the data at +12:
 * Linux left a nonzero upper word, which remapping cannot express, so the
 * MSI stays disabled. Root sees and writes its own word byte by byte, the
 * data register next to it stays its own, and once root clears the word
 * the hardware gets the remappable message with an upper word of 0.
 */
#define LINUX_ADDRESS_HI 0x11223344U

static void linux_left_an_upper_address_word(void)
{
	linux_enabled_the_nic_s_msi();
	sim_pci_config_write(NIC, NIC_CAP + 8, 4, LINUX_ADDRESS_HI);
}

static void setup_hi(void)
{
	sim_before_enable_hook = linux_left_an_upper_address_word;
	boot_qemu_vm();
	sim_before_enable_hook = NULL;
}

TestSuite(pci_msi_64, .init = setup_hi);

Test(pci_msi_64, upper_address_word_is_root_s_view_until_cleared)
{
	struct sim_msi_result r;
	u64 address;
	unsigned int i;
	u32 data;

	cr_assert_not(sim_pci_msi_message(NIC, &address, &data),
		      "an extended destination stays disabled");
	cr_assert(log_contains("logical or extended destination"));
	cr_assert_eq(config_read(ROOT_CPU, NIC, NIC_CAP + 8, 4),
		     LINUX_ADDRESS_HI);
	for (i = 0; i < 4; i++)
		cr_assert_eq(config_read(ROOT_CPU, NIC, NIC_CAP + 8 + i, 1),
			     (LINUX_ADDRESS_HI >> (8 * i)) & 0xff,
			     "byte %u of the upper word", i);
	cr_assert_eq(config_read(ROOT_CPU, NIC, NIC_CAP + 12, 1),
		     LINUX_DATA & 0xff, "the data register follows it");

	config_write(ROOT_CPU, NIC, NIC_CAP + 11, 1, 0x99);
	cr_assert_eq(config_read(ROOT_CPU, NIC, NIC_CAP + 8, 4),
		     (LINUX_ADDRESS_HI & 0x00ffffff) | 0x99000000);
	cr_assert_eq(config_read(ROOT_CPU, NIC, NIC_CAP + 12, 2), LINUX_DATA,
		     "a write to byte 11 leaves the data alone");

	config_write(ROOT_CPU, NIC, NIC_CAP + 8, 4, 0);
	cr_assert_eq(sim_pci_config_read(NIC, NIC_CAP + 8, 4), 0,
		     "the remappable message has no upper address bits");
	cr_assert_eq(fire(NIC, &r), SIM_MSI_DELIVERED);
	cr_assert(r.remapped);
	cr_assert_eq(r.vector, LINUX_DATA & 0xff);
}
