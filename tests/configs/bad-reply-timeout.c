/* expect: CFG_ERR_REPLY_TIMEOUT */
// SPDX-License-Identifier: GPL-2.0
/*
 * Asks the hypervisor to wait a year for its replies: past the maximum a
 * config may ask for, since the requesting CPU does nothing else meanwhile.
 */
#include "cell-template.h"

static const struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
} __attribute__((packed)) config TEST_CELL_SECTION = {
	.cell = {
		TEST_CELL_IDENT,
		.name = "bad-reply-timeout",
		.msg_reply_timeout_ns = 365ULL * 24 * 3600 * 1000000000,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_LEN(config.mem_regions),
		.cpu_reset_address = TEST_RESET_ADDRESS,
	},

	/* CPU 1 */
	.cpus = { 1 << 1 },

	.mem_regions = {
		/* RAM */
		TEST_RAM(0x3c600000),
		/* comm region */
		TEST_COMM,
	},
};
