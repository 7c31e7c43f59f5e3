// SPDX-License-Identifier: GPL-2.0
/*
 * Cell config for the APIC timer demo: one CPU, 1 MiB of RAM, the comm region
 * and the hypervisor's debug console.
 *
 * CPU 3 is the highest of the qemu-vm's four; tiny-demo takes CPU 2 and root
 * keeps 0 and 1. The RAM is the first MiB of root's inmate area
 * (0x3c400000), seen by the cell at guest-physical 0 so that the inmate runs
 * with the classic PC layout: its image is loaded at 0xf0000 and the CPU
 * starts there, inside this region. The comm region sits right behind the
 * RAM at guest 0x100000.
 *
 * The demo measures its timer against the ACPI PM timer, whose port every
 * cell may read without listing it, so it needs no I/O ports at all. It
 * prints through the debug-console hypercall instead of owning a UART.
 * It answers the hypervisor's messages within a second: it polls for them
 * all the time, but an emulator on a busy host can stall its CPU for
 * longer than the default 100 ms.
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
		.name = "apic-demo",
		.flags = JAILHOUSE_CELL_DEBUG_CONSOLE,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.cpu_reset_address = 0xf0000,
		.msg_reply_timeout_ns = 1000000000ULL,
	},

	/* CPU 3 */
	.cpus = { 1 << 3 },

	.mem_regions = {
		/* RAM */
		{
			.phys_start = 0x3c400000,
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
