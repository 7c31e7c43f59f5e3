// SPDX-License-Identifier: GPL-2.0
/*
 * What runs between the entry code and the program: hypercall flavour,
 * console, IDT, the comm region's platform facts (PM timer port), local
 * APIC.
 */
#include <inmate.h>

void inmate_lib_main(void);
void inmate_lib_main(void)
{
	const struct jailhouse_comm_region *comm = comm_region();

	hypercall_init();
	console_init();
	irq_init();
	if (comm_region_valid())
		pm_timer_init(comm->pm_timer_address);
	else
		printk("inmate: no comm region at 0x%lx, no PM timer\n",
		       COMM_REGION_ADDR);
	apic_init();
	inmate_main();
}
