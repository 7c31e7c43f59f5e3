// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated cell create+destroy round trips of a 256 MiB cell with eight
 * memory regions, on the qemu-vm machine: the whole management path (config
 * copy and checks, EPT and VT-d tables, root unmap and remap, flushes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <core/cell.h>
#include <core/page_pool.h>
#include <sim/sim.h>

#define REGIONS 8
#define REGION_SIZE (32ULL << 20)
#define CELL_BASE 0x10000000ULL
#define TARGET_PER_SECOND 50000.0

static struct {
	struct jailhouse_cell_desc desc;
	u64 cpus;
	struct jailhouse_memory mem[REGIONS + 1];
	struct jailhouse_pci_device pci[1];
} __attribute__((packed)) cfg;

static void build_config(void)
{
	unsigned int n;

	memcpy(cfg.desc.signature, JAILHOUSE_CELL_DESC_SIGNATURE, 6);
	cfg.desc.revision = JAILHOUSE_CONFIG_REVISION;
	cfg.desc.architecture = JAILHOUSE_ARCH_X86;
	strcpy(cfg.desc.name, "bench");
	cfg.desc.cpu_set_size = 8;
	cfg.desc.num_memory_regions = REGIONS + 1;
	cfg.desc.num_pci_devices = 1;
	cfg.cpus = 1ULL << 1;
	for (n = 0; n < REGIONS; n++) {
		cfg.mem[n].phys_start = CELL_BASE + n * REGION_SIZE;
		cfg.mem[n].virt_start = n * REGION_SIZE;
		cfg.mem[n].size = REGION_SIZE;
		cfg.mem[n].flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				   JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_DMA |
				   JAILHOUSE_MEM_LOADABLE;
	}
	cfg.mem[REGIONS].virt_start = REGIONS * REGION_SIZE;
	cfg.mem[REGIONS].size = 0x1000;
	cfg.mem[REGIONS].flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				 JAILHOUSE_MEM_COMM_REGION;
	cfg.pci[0].type = JAILHOUSE_PCI_TYPE_DEVICE;
	cfg.pci[0].bdf = JAILHOUSE_PCI_BDF(0, 0x1f, 3);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	unsigned long n, used_before;
	double start, elapsed, rate;
	long id;

	if (sim_boot_file(CELL_DIR "/qemu-vm.cell", 4)) {
		fprintf(stderr, "bench: boot failed\n");
		return 1;
	}
	build_config();
	used_before = mem_pool.used;
	start = now();
	for (n = 0; n < rounds; n++) {
		id = sim_cell_create(0, &cfg, sizeof(cfg));
		if (id <= 0 ||
		    sim_hypercall(0, JAILHOUSE_HC_CELL_DESTROY, id, 0) != 0) {
			fprintf(stderr, "bench: round %lu failed (%ld)\n", n,
				id);
			return 1;
		}
	}
	elapsed = now() - start;
	rate = rounds / elapsed;
	printf("cell: create+destroy of a 256 MiB cell, %u regions: %.0f "
	       "round trips/s (%lu rounds, %.1f us each); target >= %.0f: "
	       "%s\n",
	       REGIONS, rate, rounds, elapsed * 1e6 / rounds, TARGET_PER_SECOND,
	       rate >= TARGET_PER_SECOND ? "met" : "NOT MET");
	printf("cell: pool pages in use before %lu, after %lu\n", used_before,
	       mem_pool.used);
	return rate >= TARGET_PER_SECOND && mem_pool.used == used_before ? 0 :
									   1;
}
