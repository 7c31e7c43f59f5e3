// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <asm/vcpu.h>
#include <asm/vmcb.h>
#include <asm/vmcs.h>
#include <core/config_check.h>
#include <core/page_pool.h>
#include <core/printk.h>
#include <sim/dmar.h>
#include "fuzz_common.h"

/* Root's inmate RAM in qemu-vm, where cells take their memory from. */
#define INMATE_RAM 0x3c400000ULL
#define INMATE_RAM_END 0x3fe00000ULL

void fuzz_dump_log(void)
{
	static char text[CONSOLE_RING_SIZE + 1];
	unsigned int len = console_ring_read(0, text, CONSOLE_RING_SIZE, NULL);

	text[len] = '\0';
	fprintf(stderr, "--- hypervisor log (end) ---\n%s\n---\n",
		len > 3000 ? text + len - 3000 : text);
}

void *fuzz_read_file(const char *path, size_t *size)
{
	void *data = sim_read_file(path, size);

	if (!data) {
		fprintf(stderr, "fuzz: cannot read %s (run make configs)\n",
			path);
		exit(1);
	}
	return data;
}

void fuzz_boot(void)
{
	int err = sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS);

	if (err) {
		fuzz_dump_log();
		fprintf(stderr, "fuzz: boot of qemu-vm failed: %d\n", err);
		exit(1);
	}
}

static u64 mix(u64 h, u64 v)
{
	return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

struct leaf_sum {
	u64 hash;
	u64 bytes;
};

/* Leaf by leaf: after a destroy, root's tables must fold back exactly. */
static void hash_leaf(void *arg, u64 gpa, u64 hpa, u64 size, u32 perms)
{
	struct leaf_sum *sum = arg;

	sum->hash += mix(mix(mix(mix(0, gpa), hpa), size), perms);
	sum->bytes += size;
}

static bool on_svm(void)
{
	return x86_vendor == &svm_ops;
}

/* The nested tables a CPU runs with, as its VMCS or VMCB names them. */
static u64 cpu_tables(unsigned int cpu)
{
	if (on_svm())
		return per_cpu(cpu)->arch.vmcb->control.n_cr3;
	return sim_vmcs_get(cpu, VMCS_EPT_POINTER);
}

static void walk_tables(u64 root, struct leaf_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (on_svm())
		sim_npt_for_each_leaf(root, hash_leaf, sum);
	else
		sim_ept_for_each_leaf(root, hash_leaf, sum);
}

static u64 cell_tables(const struct cell *cell)
{
	u64 root = paging_root_phys(&cell->arch.cpu_paging);

	return on_svm() ? root : root | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4;
}

bool fuzz_cell_maps(const struct cell *cell, u64 gpa, u64 *hpa, u32 *perms)
{
	if (on_svm())
		return sim_npt_walk(cell_tables(cell), gpa, hpa, perms);
	return sim_ept_walk(cell_tables(cell), gpa, hpa, perms);
}

static u64 hash_bytes(u64 h, const u8 *p, size_t len)
{
	size_t n;

	for (n = 0; n < len; n += 8) {
		u64 word;

		memcpy(&word, p + n, 8);
		h = mix(h, word);
	}
	return h;
}

static u64 io_hash(unsigned int cpu)
{
	const u8 *bitmap;

	if (on_svm()) {
		bitmap = sim_phys_ptr(per_cpu(cpu)->arch.vmcb->control
					      .iopm_base_pa, 3 * 4096);
		return bitmap ? hash_bytes(1, bitmap, 3 * 4096) : 0;
	}
	bitmap = sim_phys_ptr(sim_vmcs_get(cpu, VMCS_IO_BITMAP_A), 4096);
	if (!bitmap)
		return 0;
	return hash_bytes(hash_bytes(2, bitmap, 4096),
			  sim_phys_ptr(sim_vmcs_get(cpu, VMCS_IO_BITMAP_B),
				       4096), 4096);
}

static u64 dma_hash(void)
{
	u64 addr, word, h = 3;

	for (addr = INMATE_RAM; addr < INMATE_RAM_END; addr += 0x200000) {
		word = 0;
		h = mix(h, sim_dma(ROOT_DEVICE, addr, 8, false, &word));
	}
	/* RAM below, where root's own devices work. */
	for (addr = 0; addr < 0x1000000; addr += 0x100000)
		h = mix(h, sim_dma(ROOT_DEVICE, addr, 8, false, &word));
	return h;
}

void fuzz_take_view(struct machine_view *view)
{
	struct leaf_sum sum;
	struct cell *cell;
	unsigned int cpu, n = 0;

	memset(view, 0, sizeof(*view));
	walk_tables(cpu_tables(ROOT_CPU), &sum);
	view->root_ept_hash = sum.hash;
	view->root_ept_bytes = sum.bytes;
	view->io_hash = io_hash(ROOT_CPU);
	view->dma_hash = dma_hash();
	for (cpu = 0; cpu < num_cpus(); cpu++)
		if (per_cpu(cpu)->cell == &root_cell)
			view->root_cpus |= 1ULL << cpu;
	view->pins[0] = root_cell.irq_pins[0][0];
	view->pins[1] = root_cell.irq_pins[0][1];
	view->pool_used = mem_pool.used;
	for_each_non_root_cell(cell) {
		struct cell_view *c = &view->cells[n];

		if (n == sizeof(view->cells) / sizeof(view->cells[0]))
			fuzz_fail("more cells than a view holds");
		c->id = cell->id;
		c->state = cell->state;
		walk_tables(cell_tables(cell), &sum);
		c->ept_hash = sum.hash;
		for (cpu = 0; cpu < num_cpus(); cpu++)
			if (per_cpu(cpu)->cell == cell)
				c->cpus |= 1ULL << cpu;
		n++;
	}
	view->num_cells = n;
}

void fuzz_expect_view(const struct machine_view *want,
		      const struct machine_view *got, const char *when)
{
	unsigned int n;

	if (got->root_ept_bytes != want->root_ept_bytes)
		fuzz_fail("%s: root maps 0x%llx bytes, expected 0x%llx", when,
			  (unsigned long long)got->root_ept_bytes,
			  (unsigned long long)want->root_ept_bytes);
	if (got->root_ept_hash != want->root_ept_hash)
		fuzz_fail("%s: root's nested tables differ", when);
	if (got->io_hash != want->io_hash)
		fuzz_fail("%s: root's I/O bitmaps differ", when);
	if (got->dma_hash != want->dma_hash)
		fuzz_fail("%s: root's device reaches other memory", when);
	if (got->root_cpus != want->root_cpus)
		fuzz_fail("%s: root's CPUs 0x%llx, expected 0x%llx", when,
			  (unsigned long long)got->root_cpus,
			  (unsigned long long)want->root_cpus);
	if (got->pins[0] != want->pins[0] || got->pins[1] != want->pins[1])
		fuzz_fail("%s: root's IOAPIC pins differ", when);
	if (got->pool_used != want->pool_used)
		fuzz_fail("%s: pool uses %lu pages, expected %lu", when,
			  got->pool_used, want->pool_used);
	if (got->num_cells != want->num_cells)
		fuzz_fail("%s: %u cells, expected %u", when, got->num_cells,
			  want->num_cells);
	for (n = 0; n < got->num_cells; n++) {
		const struct cell_view *g = &got->cells[n], *w = &want->cells[n];

		if (g->id != w->id || g->state != w->state)
			fuzz_fail("%s: cell %u in state %u, expected cell %u "
				  "in state %u", when, g->id, g->state, w->id,
				  w->state);
		if (g->ept_hash != w->ept_hash)
			fuzz_fail("%s: cell %u's nested tables differ", when,
				  g->id);
		if (g->cpus != w->cpus)
			fuzz_fail("%s: cell %u has CPUs 0x%llx, expected 0x%llx",
				  when, g->id, (unsigned long long)g->cpus,
				  (unsigned long long)w->cpus);
	}
}

/* Pages of a region worth walking: all of a small one, samples of a big one. */
static u64 next_offset(u64 off, u64 size)
{
	if (size <= 0x100000 || off + 0x1000 >= size ||
	    off + 0x10000 >= size)
		return off + 0x1000;
	if (off < 0x10000)
		return off + 0x1000;
	return off + 0x10000 < size - 0x1000 ? off + 0x10000 : size - 0x1000;
}

static bool root_keeps(const struct cell *cell,
		       const struct jailhouse_memory *mem)
{
	if (mem->flags &
	    (JAILHOUSE_MEM_COMM_REGION | JAILHOUSE_MEM_ROOTSHARED))
		return true;
	return cell->loadable && (mem->flags & JAILHOUSE_MEM_LOADABLE);
}

static void check_cell(const struct cell *cell)
{
	const struct jailhouse_cell_desc *cfg = cell->config;
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(cfg);
	const u8 *cpus = (const u8 *)jailhouse_cell_cpu_set(cfg);
	struct leaf_sum sum;
	u64 off, hpa, expect = 0;
	unsigned int n, cpu;
	u32 perms;

	for (cpu = 0; cpu < num_cpus(); cpu++) {
		bool listed = cpu / 8 < cfg->cpu_set_size &&
			      (cpus[cpu / 8] & (1U << (cpu % 8)));

		if (listed != (per_cpu(cpu)->cell == cell))
			fuzz_fail("cell %s: CPU %u %s", cfg->name, cpu,
				  listed ? "not its own" : "taken");
	}
	for (n = 0; n < cfg->num_memory_regions; n++) {
		u32 want = mem[n].flags & 7;

		if (!want)
			continue;
		expect += mem[n].size;
		for (off = 0; off < mem[n].size;
		     off = next_offset(off, mem[n].size)) {
			if (!fuzz_cell_maps(cell, mem[n].virt_start + off,
					    &hpa, &perms) ||
			    perms != want ||
			    (!(mem[n].flags & JAILHOUSE_MEM_COMM_REGION) &&
			     hpa != mem[n].phys_start + off))
				fuzz_fail("cell %s: region %u +0x%llx not "
					  "mapped as configured", cfg->name, n,
					  (unsigned long long)off);
			if (root_keeps(cell, &mem[n]))
				continue;
			if (sim_ept_translate(ROOT_CPU,
					      mem[n].phys_start + off, NULL,
					      NULL))
				fuzz_fail("cell %s: root still maps region %u "
					  "+0x%llx", cfg->name, n,
					  (unsigned long long)off);
		}
	}
	walk_tables(cell_tables(cell), &sum);
	if (sum.bytes != expect)
		fuzz_fail("cell %s maps 0x%llx bytes, its regions 0x%llx",
			  cfg->name, (unsigned long long)sum.bytes,
			  (unsigned long long)expect);
}

void fuzz_check_ownership(void)
{
	struct cell *cell;
	unsigned int cpu;

	for_each_non_root_cell(cell)
		check_cell(cell);
	for (cpu = 0; cpu < num_cpus(); cpu++) {
		struct cell *owner = per_cpu(cpu)->cell;
		bool found = owner == &root_cell;

		for_each_non_root_cell(cell)
			found |= cell == owner;
		if (!found)
			fuzz_fail("CPU %u belongs to no live cell", cpu);
	}
}
