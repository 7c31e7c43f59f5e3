// SPDX-License-Identifier: GPL-2.0
/*
 * Cell configs from root: each input is handed to the running hypervisor
 * by a real CELL_CREATE, with tiny-demo running beside it. A refusal must
 * leave root, the pool and tiny-demo exactly as they were; an accepted
 * cell must own what its config says, and its destroy must bring the
 * machine back to the same state.
 */
#include <string.h>
#include <core/config_check.h>
#include <jailhouse/hypercall.h>
#include "fuzz_common.h"

static struct machine_view baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	long id;

	(void)argc;
	(void)argv;
	fuzz_boot();
	id = sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL);
	if (id <= 0 || sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, id, 0))
		fuzz_fail("tiny-demo does not start: %ld", id);
	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);
	sim_run_inmates();
	fuzz_take_view(&baseline);
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct machine_view now;
	long id, ret;

	/* The staging area in root RAM holds configs up to 1 MiB. */
	if (size > CONFIG_MAX_SIZE + 1)
		return -1;
	id = sim_cell_create(ROOT_CPU, data, size);
	if (id > 0) {
		fuzz_check_ownership();
		if (size < sizeof(struct jailhouse_cell_desc))
			fuzz_fail("a %zu-byte config was accepted", size);
		ret = sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_DESTROY, id, 0);
		if (ret)
			fuzz_fail("destroy of new cell %ld: %ld", id, ret);
	}
	fuzz_take_view(&now);
	fuzz_expect_view(&baseline, &now,
			 id > 0 ? "after create and destroy" :
				  "after a refused create");
	return 0;
}
