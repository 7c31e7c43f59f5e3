// SPDX-License-Identifier: GPL-2.0
/*
 * Cell config for crash-demo, the inmate that misbehaves on purpose for the
 * fault scenarios of the end-to-end suite.
 *
 * It takes CPU 3, like apic-demo, so the two never run at once; its RAM is
 * the third MiB of root's inmate area, 0x3c600000, so it never overlaps
 * apic-demo's or tiny-demo's either. The RAM appears at guest-physical 0,
 * the image is loaded at 0xf0000 where the CPU starts, the command string
 * goes to 0x1000, and the comm region follows at guest 0x100000. It prints
 * through the hypervisor's debug console.
 */
#include <jailhouse/cell-config.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
} __attribute__((packed)) config __attribute__((section(".cell"), used)) = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.architecture = JAILHOUSE_ARCH_X86,
		.name = "crash-demo",
		.flags = JAILHOUSE_CELL_DEBUG_CONSOLE,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.cpu_reset_address = 0xf0000,
	},

	/* CPU 3 */
	.cpus = { 1 << 3 },

	.mem_regions = {
		/* RAM */
		{
			.phys_start = 0x3c600000,
			.virt_start = 0,
			.size = 0x100000,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				 JAILHOUSE_MEM_EXECUTE |
				 JAILHOUSE_MEM_LOADABLE,
		},
		/* comm region */
		{
			.virt_start = 0x100000,
			.size = 0x1000,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				 JAILHOUSE_MEM_COMM_REGION,
		},
	},
};
