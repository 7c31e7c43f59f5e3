// SPDX-License-Identifier: GPL-2.0
/*
 * The seed's demo session, played on the simulator: the real hypervisor core
 * and arch-x86 code on fake hardware, driven the way the jailhouse tool will
 * drive it. Each command is shown with its outcome in words, followed by
 * what the hypervisor logged and what the cells printed.
 */
#include <stdio.h>
#include <string.h>
#include <core/cell.h>
#include <core/config_check.h>
#include <core/page_pool.h>
#include <core/printk.h>
#include <sim/sim.h>

#define ROOT 0
#define TINY_CPU 2
#define LOAD_ADDRESS 0xf0000

static u64 log_seen;

static void show_hypervisor_log(void)
{
	char text[CONSOLE_RING_SIZE + 1], *line, *next;
	unsigned int len = console_ring_read(log_seen, text, CONSOLE_RING_SIZE,
					     &log_seen);

	text[len] = '\0';
	for (line = text; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		printf("    [hypervisor] %s\n", line);
	}
}

static void outcome(long ret)
{
	long code;

	if (ret >= 0) {
		printf("  -> ok\n");
	} else {
		code = sim_hypercall(ROOT, JAILHOUSE_HC_HYPERVISOR_GET_INFO,
				     JAILHOUSE_INFO_LAST_ERROR, 0);
		printf("  -> refused: %s (errno %ld)\n",
		       config_error_text((enum jailhouse_config_error)code),
		       -ret);
	}
	show_hypervisor_log();
}

static void command(const char *text)
{
	printf("\n# jailhouse %s\n", text);
}

static long load(u32 id, const char *cell, const char *image)
{
	long ret = sim_hypercall(ROOT, JAILHOUSE_HC_CELL_SET_LOADABLE, id, 0);
	struct cell *c = cell_find_by_id(id);
	u64 base;

	if (ret || !c)
		return ret;
	/* The image lands at -a 0xf0000 of the cell's first (RAM) region. */
	base = jailhouse_cell_mem_regions(c->config)[0].phys_start;
	if (!sim_root_write(ROOT, base + LOAD_ADDRESS, image,
			    strlen(image) + 1))
		return -14;
	printf("  (%zu-byte stand-in image for %s written at 0x%x of its "
	       "RAM)\n",
	       strlen(image) + 1, cell, LOAD_ADDRESS);
	return 0;
}

static void tiny_demo_prints(const char *text)
{
	u32 c;

	sim_uart_clear(0x2f8);
	while ((c = (u8)*text++))
		sim_guest_pio(TINY_CPU, 0x2f8, 1, true, &c);
	printf("    [second serial port] %s", sim_uart_output(0x2f8));
}

static const char *state_name(long state)
{
	switch (state) {
	case JAILHOUSE_CELL_RUNNING:
		return "running";
	case JAILHOUSE_CELL_RUNNING_LOCKED:
		return "running/locked";
	case JAILHOUSE_CELL_SHUT_DOWN:
		return "shut down";
	case JAILHOUSE_CELL_FAILED:
		return "failed";
	default:
		return "?";
	}
}

static void cell_list(void)
{
	struct cell *cell;
	unsigned int cpu;

	command("cell list");
	printf("  %-4s%-18s%-16s%s\n", "ID", "Name", "State", "CPUs");
	sim_run_inmates();
	for_each_cell(cell) {
		printf("  %-4u%-18s%-16s", cell->id, cell_name(cell),
		       state_name(sim_hypercall(ROOT,
						JAILHOUSE_HC_CELL_GET_STATE,
						cell->id, 0)));
		for_each_cpu(cpu, &cell->cpus)
			printf("%u ", cpu);
		printf("\n");
	}
}

static long create(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.cell", CELL_DIR, name);
	return sim_cell_create_file(ROOT, path);
}

int main(void)
{
	unsigned long pool_start;
	long tiny, apic, ret;

	printf("Jailhouse demo session, played on the simulator: the hypervisor "
	       "core and\narch-x86 code run unchanged on simulated hardware "
	       "(qemu-vm machine, 4 CPUs,\none VT-d unit). Inmates are "
	       "scripted stand-ins until the real ones exist.\n");

	command("enable qemu-vm.cell");
	outcome(sim_boot_file(CELL_DIR "/qemu-vm.cell", 4));
	pool_start = mem_pool.used;
	sim_inmate_set("tiny-demo", SIM_INMATE_APPROVE);
	sim_inmate_set("apic-demo", SIM_INMATE_LOCK_DENY_FIRST);

	command("cell create tiny-demo.cell");
	outcome(tiny = create("tiny-demo"));
	command("cell load tiny-demo tiny-demo.bin -a 0xf0000");
	outcome(load((u32)tiny, "tiny-demo", "tiny-demo image"));
	command("cell start tiny-demo");
	outcome(sim_hypercall(ROOT, JAILHOUSE_HC_CELL_START, tiny, 0));
	tiny_demo_prints("Hello from tiny-demo!\n");

	command("cell create apic-demo.cell");
	outcome(apic = create("apic-demo"));
	command("cell load apic-demo apic-demo.bin -a 0xf0000");
	outcome(load((u32)apic, "apic-demo", "apic-demo image"));
	command("cell start apic-demo");
	outcome(sim_hypercall(ROOT, JAILHOUSE_HC_CELL_START, apic, 0));
	cell_list();

	printf("\n(apic-demo locks reconfiguration while it runs)\n");
	command("cell destroy tiny-demo");
	outcome(sim_hypercall(ROOT, JAILHOUSE_HC_CELL_DESTROY, tiny, 0));
	command("cell create pin-owner.cell");
	outcome(sim_cell_create_file(ROOT, BAD_CELL_DIR "/pin-owner.cell"));

	printf("\n(reloading an existing cell is still allowed)\n");
	command("cell load tiny-demo tiny-demo.bin -a 0xf0000");
	outcome(load((u32)tiny, "tiny-demo", "tiny-demo image, again"));
	command("cell start tiny-demo");
	outcome(sim_hypercall(ROOT, JAILHOUSE_HC_CELL_START, tiny, 0));
	tiny_demo_prints("Hello again from tiny-demo!\n");

	printf("\n(the first shutdown request to apic-demo is refused)\n");
	command("cell destroy apic-demo");
	outcome(sim_hypercall(ROOT, JAILHOUSE_HC_CELL_DESTROY, apic, 0));
	command("cell destroy apic-demo");
	outcome(sim_hypercall(ROOT, JAILHOUSE_HC_CELL_DESTROY, apic, 0));
	cell_list();

	command("disable");
	outcome(ret = sim_hypercall(ROOT, JAILHOUSE_HC_DISABLE, 0, 0));
	command("cell destroy tiny-demo");
	outcome(sim_hypercall(ROOT, JAILHOUSE_HC_CELL_DESTROY, tiny, 0));
	printf("\nHypervisor pool: %lu pages in use now, %lu right after enable "
	       "(%s).\n",
	       mem_pool.used, pool_start,
	       mem_pool.used == pool_start ? "all returned" : "LEAK");
	command("disable");
	outcome(ret = sim_hypercall(ROOT, JAILHOUSE_HC_DISABLE, 0, 0));
	if (ret == 0)
		sim_shutdown();
	printf("\nDone: %s.\n", ret == 0 && mem_pool.used == mem_pool.bitmap_pages ?
				       "Linux runs alone again, every page back" :
				       "something was left behind");
	return ret == 0 ? 0 : 1;
}
