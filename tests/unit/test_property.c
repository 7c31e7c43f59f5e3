// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded random cell layouts and create/load/start/shutdown/destroy
 * sequences, checked after every step against a model of who should own
 * what. JAILHOUSE_PROPERTY_SEED and JAILHOUSE_PROPERTY_STEPS override the
 * defaults; a failure prints the seed and step to reproduce it.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sim/dmar.h>
#include "helpers.h"

#define INMATE_RAM 0x3c400000ULL
#define INMATE_RAM_END 0x3fe00000ULL
#define INMATE_PAGES ((INMATE_RAM_END - INMATE_RAM) / 4096)
#define MAX_REGIONS 4
#define MAX_MODEL_CELLS 3
#define COMM_GPA 0x10000000ULL

struct random_cell {
	struct jailhouse_cell_desc desc;
	u64 cpus;
	struct jailhouse_memory mem[MAX_REGIONS + 1];
	struct jailhouse_pio pio[1];
	struct jailhouse_pci_device pci[1];
} __attribute__((packed));

struct model_cell {
	bool live;
	u32 id;
	bool loadable;
	bool started;
	bool denied_once;
	enum sim_inmate behaviour;
	struct random_cell cfg;
	unsigned int num_mem;
};

static struct model_cell model[MAX_MODEL_CELLS];
static u64 rng_state;
static unsigned long step;
static unsigned long seed;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 rnd_below(u64 n)
{
	return rnd() % n;
}

/* On failure, the end of the hypervisor log says what led there. */
static void dump_log_tail(void)
{
	const char *log = hv_log();
	size_t len = strlen(log);

	fprintf(stderr, "--- hypervisor log (end) ---\n%s\n---\n",
		len > 2000 ? log + len - 2000 : log);
}

#define check(cond, fmt, ...)                                                  \
	do {                                                                   \
		if (!(cond))                                                   \
			dump_log_tail();                                       \
		cr_assert(cond, fmt " (seed %lu, step %lu)", ##__VA_ARGS__,    \
			  seed, step);                                         \
	} while (0)

static unsigned int fill_regions(struct random_cell *c)
{
	static const u64 sizes[] = { 0x1000, 0x3000, 0x10000, 0x200000,
				     0x400000 };
	unsigned int n, count = 1 + (unsigned int)rnd_below(MAX_REGIONS);
	u64 guest = 0, size, phys;

	for (n = 0; n < count; n++) {
		size = sizes[rnd_below(5)];
		phys = INMATE_RAM + rnd_below((INMATE_RAM_END - INMATE_RAM -
					       size) / 0x1000) * 0x1000;
		if (rnd_below(3) == 0)
			phys &= ~0x1fffffULL;
		c->mem[n].phys_start = phys;
		c->mem[n].virt_start = guest;
		c->mem[n].size = size;
		c->mem[n].flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
				  JAILHOUSE_MEM_EXECUTE;
		if (rnd_below(2))
			c->mem[n].flags |= JAILHOUSE_MEM_DMA;
		if (rnd_below(2))
			c->mem[n].flags |= JAILHOUSE_MEM_LOADABLE;
		else if (rnd_below(6) == 0)
			c->mem[n].flags |= JAILHOUSE_MEM_ROOTSHARED;
		guest += size + 0x200000;
	}
	c->mem[count].virt_start = COMM_GPA;
	c->mem[count].size = 0x1000;
	c->mem[count].flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			      JAILHOUSE_MEM_COMM_REGION;
	return count;
}

static void random_config(struct random_cell *c, unsigned int *num_mem)
{
	static const u16 bdfs[] = { 0x0010, 0x0018, 0x00fb, 0x00fa };

	memset(c, 0, sizeof(*c));
	memcpy(c->desc.signature, JAILHOUSE_CELL_DESC_SIGNATURE, 6);
	c->desc.revision = JAILHOUSE_CONFIG_REVISION;
	c->desc.architecture = JAILHOUSE_ARCH_X86;
	snprintf(c->desc.name, sizeof(c->desc.name), "cell-%u",
		 (unsigned int)rnd_below(6));
	c->desc.cpu_set_size = 8;
	c->cpus = 1ULL << (1 + rnd_below(3));
	if (rnd_below(4) == 0)
		c->cpus |= 1ULL << (1 + rnd_below(3));
	*num_mem = fill_regions(c);
	c->desc.num_memory_regions = *num_mem + 1;
	if (rnd_below(2)) {
		c->desc.num_pio_regions = 1;
		c->pio[0].base = rnd_below(2) ? 0x2f8 : 0x3e8;
		c->pio[0].length = 8;
	}
	if (rnd_below(2)) {
		c->desc.num_pci_devices = 1;
		c->pci[0].type = JAILHOUSE_PCI_TYPE_DEVICE;
		c->pci[0].bdf = bdfs[rnd_below(4)];
	}
	c->desc.cpu_reset_address = 0;
}

/* The arrays are laid out for the maximum; squeeze them to the counts. */
static size_t pack_config(const struct random_cell *c, u8 *out)
{
	size_t len = sizeof(c->desc) + 8;

	memcpy(out, c, len);
	memcpy(out + len, c->mem,
	       c->desc.num_memory_regions * sizeof(c->mem[0]));
	len += c->desc.num_memory_regions * sizeof(c->mem[0]);
	memcpy(out + len, c->pio, c->desc.num_pio_regions * sizeof(c->pio[0]));
	len += c->desc.num_pio_regions * sizeof(c->pio[0]);
	memcpy(out + len, c->pci,
	       c->desc.num_pci_devices * sizeof(c->pci[0]));
	len += c->desc.num_pci_devices * sizeof(c->pci[0]);
	return len;
}

static bool shares(const struct jailhouse_memory *a,
		   const struct jailhouse_memory *b)
{
	return (a->flags & b->flags & JAILHOUSE_MEM_ROOTSHARED) != 0;
}

static bool regions_conflict(const struct model_cell *m,
			     const struct random_cell *c, unsigned int num_mem)
{
	unsigned int i, j;

	for (i = 0; i < num_mem; i++)
		for (j = 0; j < m->num_mem; j++)
			if (ranges_overlap(c->mem[i].phys_start, c->mem[i].size,
					   m->cfg.mem[j].phys_start,
					   m->cfg.mem[j].size) &&
			    !shares(&c->mem[i], &m->cfg.mem[j]))
				return true;
	return false;
}

/* Whether some live cell's root-shared region covers this address. */
static bool aliases_shared(u64 phys)
{
	unsigned int n, r;

	for (n = 0; n < MAX_MODEL_CELLS; n++)
		for (r = 0; model[n].live && r < model[n].num_mem; r++)
			if ((model[n].cfg.mem[r].flags &
			     JAILHOUSE_MEM_ROOTSHARED) &&
			    ranges_overlap(phys, 1, model[n].cfg.mem[r].phys_start,
					   model[n].cfg.mem[r].size))
				return true;
	return false;
}

static bool aliases_itself(const struct random_cell *c, unsigned int num_mem)
{
	unsigned int i, j;

	for (i = 1; i < num_mem; i++)
		for (j = 0; j < i; j++)
			if (ranges_overlap(c->mem[i].phys_start, c->mem[i].size,
					   c->mem[j].phys_start, c->mem[j].size))
				return true;
	return false;
}

/* What the model says of a create: would the hypervisor accept it? */
static bool model_accepts(const struct random_cell *c, unsigned int num_mem)
{
	unsigned int n;

	if (aliases_itself(c, num_mem))
		return false;
	for (n = 0; n < MAX_MODEL_CELLS; n++) {
		const struct model_cell *m = &model[n];

		if (!m->live)
			continue;
		if (m->started && m->behaviour == SIM_INMATE_LOCK_DENY_FIRST)
			return false;
		if (strcmp(m->cfg.desc.name, c->desc.name) == 0 ||
		    (m->cfg.cpus & c->cpus) || regions_conflict(m, c, num_mem))
			return false;
		if (c->desc.num_pio_regions && m->cfg.desc.num_pio_regions &&
		    c->pio[0].base == m->cfg.pio[0].base)
			return false;
		if (c->desc.num_pci_devices && m->cfg.desc.num_pci_devices &&
		    c->pci[0].bdf == m->cfg.pci[0].bdf)
			return false;
	}
	return true;
}

static struct model_cell *free_slot(void)
{
	unsigned int n;

	for (n = 0; n < MAX_MODEL_CELLS; n++)
		if (!model[n].live)
			return &model[n];
	return NULL;
}

static struct model_cell *random_live(void)
{
	unsigned int n, start = (unsigned int)rnd_below(MAX_MODEL_CELLS);

	for (n = 0; n < MAX_MODEL_CELLS; n++)
		if (model[(start + n) % MAX_MODEL_CELLS].live)
			return &model[(start + n) % MAX_MODEL_CELLS];
	return NULL;
}

static void op_create(void)
{
	struct model_cell *slot = free_slot();
	struct random_cell cfg;
	unsigned int num_mem;
	u8 packed[sizeof(cfg)];
	bool accept;
	long ret;

	if (!slot)
		return;
	random_config(&cfg, &num_mem);
	accept = model_accepts(&cfg, num_mem);
	ret = sim_cell_create(ROOT_CPU, packed, pack_config(&cfg, packed));
	check((ret > 0) == accept, "create of %s: model says %s, got %ld",
	      cfg.desc.name, accept ? "accept" : "refuse", ret);
	if (ret <= 0)
		return;
	memset(slot, 0, sizeof(*slot));
	slot->live = true;
	slot->id = (u32)ret;
	slot->cfg = cfg;
	slot->num_mem = num_mem;
	slot->behaviour = rnd_below(4) == 0 ? SIM_INMATE_DENY :
			  rnd_below(5) == 0 ? SIM_INMATE_LOCK_DENY_FIRST :
					      SIM_INMATE_APPROVE;
	sim_inmate_set(cfg.desc.name, slot->behaviour);
}

static bool someone_else_locked(const struct model_cell *except)
{
	unsigned int n;

	for (n = 0; n < MAX_MODEL_CELLS; n++)
		if (model[n].live && &model[n] != except && model[n].started &&
		    model[n].behaviour == SIM_INMATE_LOCK_DENY_FIRST)
			return true;
	return false;
}

/*
 * Whether the cell agrees to shut down. apic-demo style cells refuse once
 * per start; denying ones are talked round for the next time.
 */
static bool consents(struct model_cell *m)
{
	if (!m->started)
		return true;
	switch (m->behaviour) {
	case SIM_INMATE_DENY:
		return false;
	case SIM_INMATE_LOCK_DENY_FIRST:
		if (m->denied_once)
			return true;
		m->denied_once = true;
		return false;
	default:
		return true;
	}
}

static void op_manage(unsigned long code)
{
	struct model_cell *m = random_live();
	bool expect_ok;
	long ret;

	if (!m)
		return;
	expect_ok = true;
	if (code == JAILHOUSE_HC_CELL_DESTROY && someone_else_locked(m))
		expect_ok = false;
	else
		expect_ok = consents(m);
	ret = sim_hypercall(ROOT_CPU, code, m->id, 0);
	check((ret == 0) == expect_ok, "hypercall %lu on %s: got %ld", code,
	      m->cfg.desc.name, ret);
	if (m->started && m->behaviour == SIM_INMATE_DENY) {
		/* Talked round: it will agree next time. */
		m->behaviour = SIM_INMATE_APPROVE;
		sim_inmate_set(m->cfg.desc.name, SIM_INMATE_APPROVE);
	}
	if (ret != 0)
		return;
	if (code == JAILHOUSE_HC_CELL_DESTROY) {
		m->live = false;
	} else if (code == JAILHOUSE_HC_CELL_SET_LOADABLE) {
		m->loadable = true;
		m->started = false;
	} else {
		m->loadable = false;
		m->started = true;
		m->denied_once = false;
	}
}

/* Expected mappers of each inmate RAM page, compared with the EPTs. */
static void check_ownership(void)
{
	static u8 expected_root[INMATE_PAGES];
	unsigned int n, r, cpu;
	u64 page, gpa, hpa, off;
	u32 perms;
	bool mapped;

	memset(expected_root, 1, sizeof(expected_root));
	for (n = 0; n < MAX_MODEL_CELLS; n++) {
		struct model_cell *m = &model[n];
		struct cell *cell;

		if (!m->live)
			continue;
		cell = cell_find_by_id(m->id);
		check(cell != NULL, "cell %u vanished", m->id);
		for (cpu = 1; cpu < 4; cpu++)
			check((per_cpu(cpu)->cell == cell) ==
				      !!(m->cfg.cpus & (1ULL << cpu)),
			      "CPU %u owner", cpu);
		for (r = 0; r < m->num_mem; r++) {
			const struct jailhouse_memory *mem = &m->cfg.mem[r];
			bool to_root = (mem->flags & JAILHOUSE_MEM_ROOTSHARED) ||
				       (m->loadable &&
					(mem->flags & JAILHOUSE_MEM_LOADABLE));

			for (off = 0; off < mem->size; off += 0x1000) {
				mapped = cell_maps(cell, mem->virt_start + off,
						   &hpa, &perms);
				check(mapped && hpa == mem->phys_start + off &&
					      perms == 7,
				      "%s region %u +0x%llx", m->cfg.desc.name,
				      r, (unsigned long long)off);
				if (!to_root)
					expected_root[(mem->phys_start + off -
						       INMATE_RAM) /
						      0x1000] = 0;
			}
		}
		check(!cell_maps(cell, m->cfg.mem[m->num_mem - 1].virt_start +
					       m->cfg.mem[m->num_mem - 1].size,
				 NULL, NULL),
		      "%s maps beyond its last region", m->cfg.desc.name);
		check(cell_maps(cell, COMM_GPA, NULL, NULL), "comm region");
	}
	for (page = 0; page < INMATE_PAGES; page++) {
		gpa = INMATE_RAM + page * 0x1000;
		mapped = sim_ept_translate(ROOT_CPU, gpa, &hpa, &perms);
		check(mapped == expected_root[page],
		      "root %s 0x%llx", mapped ? "still maps" : "lost",
		      (unsigned long long)gpa);
	}
}

struct leaf_sum {
	u64 bytes;
};

static void sum_leaf(void *arg, u64 gpa, u64 hpa, u64 size, u32 perms)
{
	(void)gpa;
	(void)hpa;
	(void)perms;
	((struct leaf_sum *)arg)->bytes += size;
}

/* A cell's EPT holds its regions and nothing else. */
static void check_no_extra_mappings(void)
{
	struct leaf_sum sum;
	u64 expect;
	unsigned int n, r;

	for (n = 0; n < MAX_MODEL_CELLS; n++) {
		struct model_cell *m = &model[n];

		if (!m->live)
			continue;
		expect = 0x1000;
		for (r = 0; r < m->num_mem; r++)
			expect += m->cfg.mem[r].size;
		sum.bytes = 0;
		sim_ept_for_each_leaf(cell_eptp(cell_find_by_id(m->id)),
				      sum_leaf, &sum);
		check(sum.bytes == expect, "%s maps 0x%llx bytes, not 0x%llx",
		      m->cfg.desc.name, (unsigned long long)sum.bytes,
		      (unsigned long long)expect);
	}
}

static bool dma_ok(u16 bdf, u64 addr)
{
	u64 word = 0;

	return sim_dma(bdf, addr, sizeof(word), true, &word) == SIM_DMA_OK;
}

static bool bdf_taken(u16 bdf)
{
	unsigned int n;

	for (n = 0; n < MAX_MODEL_CELLS; n++)
		if (model[n].live && model[n].cfg.desc.num_pci_devices &&
		    model[n].cfg.pci[0].bdf == bdf)
			return true;
	return false;
}

/*
 * A cell's device reaches the cell's DMA regions and nothing else; root's
 * devices never reach memory a cell took. Checked on the VT-d model.
 */
static void check_dma(void)
{
	static const u16 root_devices[] = { 0x00fa, 0x0010 };
	unsigned int n, r, d;
	u16 bdf;

	for (n = 0; n < MAX_MODEL_CELLS; n++) {
		struct model_cell *m = &model[n];

		if (!m->live || !m->cfg.desc.num_pci_devices)
			continue;
		bdf = m->cfg.pci[0].bdf;
		for (r = 0; r < m->num_mem; r++) {
			const struct jailhouse_memory *mem = &m->cfg.mem[r];
			bool want = mem->flags & JAILHOUSE_MEM_DMA;

			check(dma_ok(bdf, mem->virt_start + mem->size - 8) ==
				      want,
			      "device %04x of %s: DMA to region %u %s", bdf,
			      m->cfg.desc.name, r,
			      want ? "blocked" : "allowed");
		}
		check(!dma_ok(bdf, COMM_GPA), "DMA into the comm region");
		check(!dma_ok(bdf, 0x200000 + INMATE_RAM), "DMA beyond regions");
	}
	for (d = 0; d < 2; d++) {
		bdf = root_devices[d];
		if (bdf_taken(bdf))
			continue;
		check(dma_ok(bdf, 0x200000), "root device %04x lost RAM", bdf);
		for (n = 0; n < MAX_MODEL_CELLS; n++) {
			struct model_cell *m = &model[n];

			if (!m->live)
				continue;
			for (r = 0; r < m->num_mem; r++)
				if (!(m->cfg.mem[r].flags &
				      JAILHOUSE_MEM_ROOTSHARED) &&
				    !aliases_shared(m->cfg.mem[r].phys_start))
					check(!dma_ok(bdf,
						      m->cfg.mem[r].phys_start),
					      "root device %04x reaches %s",
					      bdf, m->cfg.desc.name);
		}
	}
}

static bool model_empty(void)
{
	unsigned int n;

	for (n = 0; n < MAX_MODEL_CELLS; n++)
		if (model[n].live)
			return false;
	return true;
}

static unsigned long env_or(const char *name, unsigned long fallback)
{
	const char *value = getenv(name);

	return value && *value ? strtoul(value, NULL, 0) : fallback;
}

Test(property, random_lifecycles_keep_ownership_exact, .timeout = 600)
{
	unsigned long steps = env_or("JAILHOUSE_PROPERTY_STEPS", 3000);
	struct root_view baseline, now;
	unsigned long empty_checks = 0;

	seed = env_or("JAILHOUSE_PROPERTY_SEED", 20261125);
	rng_state = seed ? seed : 1;
	cr_log_info("property: seed %lu, %lu steps", seed, steps);
	boot_qemu_vm();
	take_root_view(&baseline);
	memset(model, 0, sizeof(model));

	for (step = 0; step < steps; step++) {
		switch (rnd_below(8)) {
		case 0:
		case 1:
		case 2:
			op_create();
			break;
		case 3:
			op_manage(JAILHOUSE_HC_CELL_SET_LOADABLE);
			break;
		case 4:
		case 5:
			op_manage(JAILHOUSE_HC_CELL_START);
			break;
		default:
			op_manage(JAILHOUSE_HC_CELL_DESTROY);
		}
		sim_run_inmates();
		check_ownership();
		check_no_extra_mappings();
		check_dma();
		if (model_empty()) {
			take_root_view(&now);
			assert_root_view_equal(&baseline, &now);
			empty_checks++;
		}
	}
	check(empty_checks > steps / 50,
	      "only %lu returns to an empty system", empty_checks);
}
