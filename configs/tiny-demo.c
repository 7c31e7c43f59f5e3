// SPDX-License-Identifier: GPL-2.0
/*
 * Cell config for the tiny demo, which talks on QEMU's second serial port.
 *
 * It runs on CPU 2 (apic-demo has 3, root keeps 0 and 1) and takes the
 * second MiB of root's inmate area, 0x3c500000, right after apic-demo's, so
 * both demos fit side by side. As with apic-demo the RAM appears at
 * guest-physical 0, the image is loaded at 0xf0000 where the CPU starts, and
 * the comm region follows at guest 0x100000.
 *
 * It answers the hypervisor's messages within a second: tiny-demo polls
 * for them all the time, but an emulator on a busy host can stall its CPU
 * for longer than the default 100 ms, and a cell that misses the deadline
 * is marked failed.
 *
 * The only ports it owns are COM2's eight registers at 0x2f8; those leave
 * root while the cell exists. No debug console: the UART is its output.
 */
#include <jailhouse/cell-config.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
	struct jailhouse_pio pio_regions[1];
} __attribute__((packed)) config __attribute__((section(".cell"), used)) = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.architecture = JAILHOUSE_ARCH_X86,
		.name = "tiny-demo",
		.flags = 0,
		.msg_reply_timeout_ns = 1000000000ULL,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.num_pio_regions = ARRAY_LEN(config.pio_regions),
		.cpu_reset_address = 0xf0000,
	},

	/* CPU 2 */
	.cpus = { 1 << 2 },

	.mem_regions = {
		/* RAM */
		{
			.phys_start = 0x3c500000,
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

	.pio_regions = {
		/* COM2 */
		{ .base = 0x2f8, .length = 8 },
	},
};
