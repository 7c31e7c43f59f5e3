// SPDX-License-Identifier: GPL-2.0
/* The MMIO region registry and dispatch, alone and from a guest access. */
#include <criterion/criterion.h>
#include <string.h>
#include "helpers.h"

/* A cell with an empty registry; root's holds the hypervisor's own. */
static struct cell scratch;

static void setup(void)
{
	boot_qemu_vm();
	memset(&scratch, 0, sizeof(scratch));
}

TestSuite(mmio, .init = setup);

struct probe {
	u64 last_offset;
	u64 stored;
	unsigned int calls;
	bool refuse;
};

static enum mmio_result probe_handler(void *arg, struct mmio_access *a)
{
	struct probe *p = arg;

	p->calls++;
	p->last_offset = a->address;
	if (p->refuse)
		return MMIO_ERROR;
	if (a->is_write)
		p->stored = a->value;
	else
		a->value = p->stored + a->address;
	return MMIO_HANDLED;
}

static enum mmio_result access(u64 address, bool write, u64 *value)
{
	struct mmio_access a = { .address = address, .size = 4,
				 .is_write = write, .value = *value };
	enum mmio_result r = mmio_handle_access(&scratch, &a);

	*value = a.value;
	return r;
}

Test(mmio, dispatch_by_region_with_offsets)
{
	struct probe p1 = { 0 }, p2 = { 0 };
	u64 v = 0x55;

	cr_assert_eq(mmio_region_register(&scratch, 0x1000, 0x100,
					  probe_handler, &p1), 0);
	cr_assert_eq(mmio_region_register(&scratch, 0x1100, 0x100,
					  probe_handler, &p2), 0,
		     "adjacent regions are fine");
	cr_assert_eq(access(0x1104, true, &v), MMIO_HANDLED);
	cr_assert_eq(p2.stored, 0x55);
	cr_assert_eq(p2.last_offset, 4);
	cr_assert_eq(p1.calls, 0);
	v = 0;
	cr_assert_eq(access(0x10fc, false, &v), MMIO_HANDLED);
	cr_assert_eq(v, 0xfc);
	cr_assert_eq(access(0x10fe, false, &v), MMIO_UNHANDLED,
		     "an access straddling two regions is not emulated");
	cr_assert_eq(access(0x0ffc, false, &v), MMIO_UNHANDLED);
	cr_assert_eq(access(0x1200, false, &v), MMIO_UNHANDLED);
	p1.refuse = true;
	cr_assert_eq(access(0x1000, false, &v), MMIO_ERROR);
}

Test(mmio, overlaps_and_bad_ranges_are_refused)
{
	/* Root starts with the regions arch-x86 emulates (the IOAPIC). */
	struct probe p = { 0 };

	cr_assert_eq(mmio_region_register(&scratch, 0x1000, 0x100,
					  probe_handler, &p), 0);
	cr_assert_eq(mmio_region_register(&scratch, 0x10ff, 0x10,
					  probe_handler, &p), -EEXIST);
	cr_assert_eq(mmio_region_register(&scratch, 0x0f00, 0x101,
					  probe_handler, &p), -EEXIST);
	cr_assert_eq(mmio_region_register(&scratch, 0x0f00, 0x1000,
					  probe_handler, &p), -EEXIST,
		     "a region covering another overlaps it");
	cr_assert_eq(mmio_region_register(&scratch, 0x5000, 0,
					  probe_handler, &p), -EINVAL);
	cr_assert_eq(mmio_region_register(&scratch, ~0ULL - 4, 0x10,
					  probe_handler, &p), -EINVAL);
	cr_assert_eq(mmio_region_register(&scratch, 0x5000, 0x10, NULL, &p),
		     -EINVAL);
	cr_assert_eq(scratch.mmio.num, 1);
	cr_assert_eq(mmio_region_unregister(&scratch, 0x1001), -ENOENT);
	cr_assert_eq(mmio_region_unregister(&scratch, 0x1000), 0);
	cr_assert_eq(scratch.mmio.num, 0);
}

Test(mmio, registry_grows_sorted_and_reports_exhaustion)
{
	static struct probe probes[600];
	unsigned int n, i;
	unsigned long used;
	u64 v;
	void *hog[4096];
	unsigned int hogged = 0;

	/* From an empty registry: drop what arch-x86 registered at boot. */
	mmio_cell_exit(&root_cell);
	used = mem_pool.used;

	/* Registered in scrambled order; lookups must find every one. */
	for (i = 0; i < 600; i++) {
		n = (i * 7919) % 600;
		cr_assert_eq(mmio_region_register(&scratch, 0x100000 + n * 0x40,
						  0x40, probe_handler,
						  &probes[n]), 0);
	}
	for (n = 0; n < 600; n++) {
		probes[n].stored = n * 0x1000;
		v = 0;
		cr_assert_eq(access(0x100000 + n * 0x40 + 8, false, &v),
			     MMIO_HANDLED);
		cr_assert_eq(v, n * 0x1000 + 8);
	}
	for (n = 1; n < scratch.mmio.num; n++)
		cr_assert_lt(scratch.mmio.regions[n - 1].start,
			     scratch.mmio.regions[n].start);

	/* Fill the pool; growth must fail loudly and keep what exists. */
	while (hogged < 4096 && (hog[hogged] = page_alloc(&mem_pool, 1)))
		hogged++;
	for (i = scratch.mmio.num; i < scratch.mmio.capacity; i++)
		cr_assert_eq(mmio_region_register(&scratch, 0x900000 + i * 0x40,
						  0x40, probe_handler,
						  &probes[0]), 0);
	cr_assert_eq(mmio_region_register(&scratch, 0x800000, 0x40,
					  probe_handler, &probes[0]), -ENOMEM);
	cr_assert_eq(scratch.mmio.num, scratch.mmio.capacity);
	v = 0;
	cr_assert_eq(access(0x100000 + 599 * 0x40, false, &v), MMIO_HANDLED);
	while (hogged)
		page_free(&mem_pool, hog[--hogged], 1);
	mmio_cell_exit(&scratch);
	cr_assert_eq(mem_pool.used, used, "registry pages not returned");
}

Test(mmio, guest_access_to_a_registered_region_is_emulated)
{
	struct probe p = { .stored = 0x1000 };
	struct cell *tiny;
	u64 value = 0;

	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);
	cr_assert_eq(sim_cell_create_file(ROOT_CPU, TINY_DEMO_CELL), 1);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_START, 1, 0), 0);
	tiny = cell_by_name("tiny-demo");
	cr_assert_eq(mmio_region_register(tiny, 0xfee00000, 0x1000,
					  probe_handler, &p), 0);
	cr_assert_eq(sim_guest_read(2, 0xfee00030, 4, &value), SIM_ACCESS_MMIO);
	cr_assert_eq(value, 0x1030);
	cr_assert_eq(sim_guest_write(2, 0xfee000b0, 4, 0), SIM_ACCESS_MMIO);
	cr_assert_eq(p.last_offset, 0xb0);
	cr_assert_eq(sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CPU_GET_INFO, 2,
				   JAILHOUSE_CPU_INFO_STAT_BASE +
					   JAILHOUSE_CPU_STAT_VMEXITS_MMIO),
		     2);
}
