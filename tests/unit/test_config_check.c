// SPDX-License-Identifier: GPL-2.0
/*
 * Static config validation (src/config_check.c) against the built configs in
 * configs/ and tests/configs/, and against configs assembled or mutated in
 * memory.
 *
 * Every buffer handed to the checker is exactly as long as the size passed
 * with it: either an exactly-sized malloc (which ASan watches) or a copy that
 * ends right before an inaccessible page (which faults in any build). A read
 * past the end is therefore a crash, not a silent pass.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <core/config_check.h>
#include "helpers.h"

#define RAM_FLAGS                                                              \
	(JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_EXECUTE |    \
	 JAILHOUSE_MEM_LOADABLE)
#define COMM_FLAGS                                                             \
	(JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_COMM_REGION)

/* ---- loading files ---------------------------------------------------- */

struct blob {
	void *data;
	size_t size;
};

static struct blob load_file(const char *dir, const char *name)
{
	char path[512];
	struct blob b;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s (run `make configs` first)",
			   path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	cr_assert_geq(len, 0);
	rewind(f);
	b.size = len;
	/* Exactly sized, so that ASan sees any read past the end. */
	b.data = malloc(b.size ? b.size : 1);
	cr_assert_not_null(b.data);
	cr_assert_eq(fread(b.data, 1, b.size, f), b.size, "short read of %s",
		     path);
	fclose(f);
	return b;
}

static bool is_system(const void *data, size_t size)
{
	return size >= JAILHOUSE_SIGNATURE_SIZE &&
	       memcmp(data, JAILHOUSE_SYSTEM_SIGNATURE,
		      JAILHOUSE_SIGNATURE_SIZE) == 0;
}

/* Checks a buffer as a system or a cell config, by its signature. */
static enum jailhouse_config_error check_any(const void *data, size_t size,
					     struct config_error *err)
{
	bool ok;

	memset(err, 0xa5, sizeof(*err));
	if (is_system(data, size))
		ok = config_check_system(data, size, err);
	else
		ok = config_check_cell(data, size, err);
	cr_assert_eq(ok, err->code == JAILHOUSE_CFG_OK,
		     "return value and code disagree (%s)",
		     config_error_name(err->code));
	return err->code;
}

/*
 * A copy of len bytes of data that ends right where an inaccessible page
 * begins. The returned pointer is to the copy; release with guarded_free.
 */
struct guarded {
	u8 *map;
	size_t map_len;
	u8 *data;
};

static struct guarded guarded_copy(const void *data, size_t len)
{
	size_t page = sysconf(_SC_PAGESIZE);
	size_t body = (len + page - 1) / page * page;
	struct guarded g;

	g.map_len = body + page;
	g.map = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(g.map, MAP_FAILED);
	cr_assert_eq(mprotect(g.map + body, page, PROT_NONE), 0);
	g.data = g.map + body - len;
	memcpy(g.data, data, len);
	return g;
}

static void guarded_free(struct guarded *g)
{
	munmap(g->map, g->map_len);
}

/* ---- expectations in the sources of tests/configs ---------------------- */

static enum jailhouse_config_error code_by_name(const char *name)
{
	int code;

	for (code = 0; code < JAILHOUSE_CFG_NUM_ERRORS; code++)
		if (strcmp(config_error_name(code), name) == 0)
			return code;
	cr_assert_fail("unknown error name '%s'", name);
	return JAILHOUSE_CFG_NUM_ERRORS;
}

/* Reads the code from the first line, which must be "expect: CODE". */
static enum jailhouse_config_error expected_code(const char *stem)
{
	char path[512], line[256], name[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.c", BAD_CONFIG_SRC_DIR, stem);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_not_null(fgets(line, sizeof(line), f), "%s is empty", path);
	fclose(f);
	cr_assert_eq(sscanf(line, "/* expect: %63[A-Z_0-9] */", name), 1,
		     "%s: first line is not an expect comment: %s", path, line);
	cr_assert_not_null(strstr(line, " */"), "%s: malformed: %s", path,
			   line);
	return code_by_name(name);
}

/*
 * Rules that only the running system can decide: config_check must let such
 * configs through. IRQCHIP and PCI_IOMMU also have static variants (more
 * than CONFIG_MAX_IRQCHIPS chips, an index beyond JAILHOUSE_MAX_IOMMU_UNITS);
 * those are tested in memory below, the files stand for the dynamic ones.
 */
static bool code_is_dynamic(enum jailhouse_config_error code)
{
	switch (code) {
	case JAILHOUSE_CFG_ERR_CPU_NONEXISTENT:
	case JAILHOUSE_CFG_ERR_CPU_NOT_ROOT:
	case JAILHOUSE_CFG_ERR_CPU_CALLER:
	case JAILHOUSE_CFG_ERR_MEM_HYPERVISOR:
	case JAILHOUSE_CFG_ERR_MEM_CELL:
	case JAILHOUSE_CFG_ERR_MEM_NOT_ROOT:
	case JAILHOUSE_CFG_ERR_DUPLICATE_NAME:
	case JAILHOUSE_CFG_ERR_PIO_CELL:
	case JAILHOUSE_CFG_ERR_PIO_NOT_ROOT:
	case JAILHOUSE_CFG_ERR_IRQCHIP:
	case JAILHOUSE_CFG_ERR_IRQ_PIN_CELL:
	case JAILHOUSE_CFG_ERR_IRQ_PIN_NOT_ROOT:
	case JAILHOUSE_CFG_ERR_PCI_CELL:
	case JAILHOUSE_CFG_ERR_PCI_NOT_ROOT:
	case JAILHOUSE_CFG_ERR_PCI_IOMMU:
		return true;
	default:
		return false;
	}
}

struct cfg_file {
	char stem[64];
};

static void free_cfg_files(struct criterion_test_params *params)
{
	cr_free(params->params);
}

ParameterizedTestParameters(config_files, expected_code)
{
	struct cfg_file *files;
	struct dirent *ent;
	size_t n = 0, cap = 128;
	DIR *dir;

	files = cr_malloc(cap * sizeof(*files));
	dir = opendir(BAD_CONFIG_SRC_DIR);
	if (!files || !dir)
		return cr_make_param_array(struct cfg_file, files, 0,
					   free_cfg_files);
	while ((ent = readdir(dir)) && n < cap) {
		size_t len = strlen(ent->d_name);

		if (len < 3 || len - 2 >= sizeof(files[n].stem) ||
		    strcmp(ent->d_name + len - 2, ".c") != 0)
			continue;
		memcpy(files[n].stem, ent->d_name, len - 2);
		files[n].stem[len - 2] = '\0';
		n++;
	}
	closedir(dir);
	return cr_make_param_array(struct cfg_file, files, n, free_cfg_files);
}

ParameterizedTest(struct cfg_file *file, config_files, expected_code)
{
	enum jailhouse_config_error want = expected_code(file->stem);
	char cell_name[80];
	struct config_error err;
	struct blob b;

	snprintf(cell_name, sizeof(cell_name), "%s.cell", file->stem);
	b = load_file(BAD_CELL_DIR, cell_name);
	check_any(b.data, b.size, &err);
	if (code_is_dynamic(want))
		cr_expect_eq(err.code, JAILHOUSE_CFG_OK,
			     "%s: wants %s at run time but is refused "
			     "statically with %s (item %u)",
			     file->stem, config_error_name(want),
			     config_error_name(err.code), err.item);
	else
		cr_expect_eq(err.code, want,
			     "%s: expected %s, got %s (item %u)", file->stem,
			     config_error_name(want),
			     config_error_name(err.code), err.item);
	free(b.data);
}

Test(config_files, every_rule_has_a_file)
{
	static const char *const stems[] = {
		"bad-truncated", "bad-signature", "bad-revision", "bad-arch",
		"bad-size", "bad-name", "bad-flags", "bad-cpu-set-size",
		"bad-cpu-none", "bad-mem-align", "bad-mem-empty",
		"bad-mem-overflow", "bad-mem-flags", "bad-mem-guest-overlap",
		"bad-comm-region", "bad-reset-address", "bad-pio-range",
		"bad-pci-type", "bad-pci-duplicate", "bad-cpu-nonexistent",
		"bad-cpu-not-root", "bad-cpu-caller", "bad-mem-hypervisor",
		"bad-mem-cell", "bad-mem-not-root", "bad-duplicate-name",
		"bad-pio-cell", "bad-pio-not-root", "bad-irqchip",
		"bad-irq-pin-cell", "bad-irq-pin-not-root", "bad-pci-not-root",
		"bad-pci-cell", "bad-pci-iommu", "pin-owner", "pci-owner",
		"root-partial-pio",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(stems); i++) {
		enum jailhouse_config_error want = expected_code(stems[i]);
		const char *name = config_error_name(want);

		/* A bad-<rule> file is named after its rule. */
		if (strncmp(stems[i], "bad-", 4) == 0)
			cr_expect_neq(want, JAILHOUSE_CFG_OK, "%s", stems[i]);
		cr_expect_not_null(name);
	}
}

/* Each static rule refuses its file with the offending item named. */
struct item_case {
	const char *stem;
	u32 item;
	u32 other;
};

Test(config_files, items_name_the_offender)
{
	static const struct item_case cases[] = {
		{ "bad-mem-align", 0, 0 },
		{ "bad-mem-empty", 2, 0 },
		{ "bad-mem-overflow", 2, 0 },
		{ "bad-mem-flags", 1, 0 },
		{ "bad-mem-guest-overlap", 2, 0 },
		{ "bad-comm-region", 1, 0 },
		{ "bad-pio-range", 0, 0 },
		{ "bad-pci-type", 0, 0 },
		{ "bad-pci-duplicate", 1, 0 },
	};
	struct config_error err;
	char name[80];
	unsigned int i;
	struct blob b;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "%s.cell", cases[i].stem);
		b = load_file(BAD_CELL_DIR, name);
		check_any(b.data, b.size, &err);
		cr_expect_eq(err.item, cases[i].item, "%s: item %u",
			     cases[i].stem, err.item);
		cr_expect_eq(err.other, cases[i].other, "%s: other %u",
			     cases[i].stem, err.other);
		free(b.data);
	}
}

/* ---- the real configs --------------------------------------------------- */

/* The file buffer may sit anywhere: copy instead of loading through it. */
static u64 cpu_word0(const void *cell)
{
	u64 word;

	memcpy(&word, jailhouse_cell_cpu_set(cell), sizeof(word));
	return word;
}

Test(real_configs, qemu_vm_passes)
{
	struct blob b = load_file(CELL_DIR, "qemu-vm.cell");
	const struct jailhouse_system *sys = b.data;
	struct config_error err;

	cr_assert(config_check_system(b.data, b.size, &err), "%s item %u",
		  config_error_name(err.code), err.item);
	cr_expect_eq(err.code, JAILHOUSE_CFG_OK);
	cr_expect_eq(config_system_size(sys), b.size);
	cr_expect_eq(jailhouse_system_config_size(sys), b.size);
	cr_expect_eq(sys->hypervisor_memory.phys_start, 0x3be00000);
	cr_expect_eq(sys->hypervisor_memory.size, 6 << 20);
	cr_expect_eq(sys->platform_info.pm_timer_address, 0x608);
	cr_expect_eq(sys->platform_info.num_iommu_units, 1);
	cr_expect_eq(sys->platform_info.iommu_units[0].base, 0xfed90000);
	cr_expect_eq(sys->platform_info.apic_mode, JAILHOUSE_APIC_MODE_X2APIC);
	cr_expect_eq(sys->debug_console.address, 0x3f8);
	cr_expect_str_eq(sys->root_cell.name, "QEMU-VM");
	cr_expect_eq(cpu_word0(&sys->root_cell), 0xf);
	cr_expect_eq(sys->root_cell.num_pci_devices, 8);
	cr_expect_eq(jailhouse_cell_irqchips(&sys->root_cell)[0].address,
		     0xfec00000);
	/* The system config is not a cell config. */
	cr_expect_not(config_check_cell(b.data, b.size, &err));
	cr_expect_eq(err.code, JAILHOUSE_CFG_ERR_SIGNATURE);
	free(b.data);
}

/* Root gives the hypervisor, the IOAPIC, MMCONFIG and the DMAR unit away. */
Test(real_configs, qemu_vm_root_keeps_off_private_ranges)
{
	static const u64 private[][2] = {
		{ 0x3be00000, 6 << 20 }, /* hypervisor */
		{ 0xb0000000, 0x10000000 }, /* MMCONFIG */
		{ 0xfec00000, 0x1000 }, /* IOAPIC */
		{ 0xfed90000, 0x1000 }, /* DMAR */
	};
	struct blob b = load_file(CELL_DIR, "qemu-vm.cell");
	const struct jailhouse_system *sys = b.data;
	const struct jailhouse_memory *mem =
		jailhouse_cell_mem_regions(&sys->root_cell);
	unsigned int i, j;

	for (i = 0; i < sys->root_cell.num_memory_regions; i++)
		for (j = 0; j < ARRAY_SIZE(private); j++)
			cr_expect_not(ranges_overlap(mem[i].phys_start,
						     mem[i].size,
						     private[j][0],
						     private[j][1]),
				      "root region %u overlaps 0x%llx", i,
				      (unsigned long long)private[j][0]);
	free(b.data);
}

Test(real_configs, demo_cells_pass)
{
	static const char *const names[] = { "apic-demo.cell",
					     "tiny-demo.cell" };
	struct config_error err;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct blob b = load_file(CELL_DIR, names[i]);
		const struct jailhouse_cell_desc *cell = b.data;

		cr_expect(config_check_cell(b.data, b.size, &err),
			  "%s: %s item %u", names[i],
			  config_error_name(err.code), err.item);
		cr_expect_eq(config_cell_size(cell), b.size);
		cr_expect_eq(jailhouse_cell_config_size(cell), b.size);
		cr_expect_eq(cell->cpu_reset_address, 0xf0000);
		/* A cell config is not a system config. */
		cr_expect_not(config_check_system(b.data, b.size, &err));
		free(b.data);
	}
}

Test(real_configs, demo_cells_do_not_collide)
{
	struct blob a = load_file(CELL_DIR, "apic-demo.cell");
	struct blob t = load_file(CELL_DIR, "tiny-demo.cell");
	const struct jailhouse_memory *ma = jailhouse_cell_mem_regions(a.data);
	const struct jailhouse_memory *mt = jailhouse_cell_mem_regions(t.data);

	cr_expect_eq(cpu_word0(a.data), 1 << 3);
	cr_expect_eq(cpu_word0(t.data), 1 << 2);
	cr_expect_eq(ma[0].phys_start, 0x3c400000);
	cr_expect_eq(mt[0].phys_start, 0x3c500000);
	cr_expect_not(ranges_overlap(ma[0].phys_start, ma[0].size,
				     mt[0].phys_start, mt[0].size));
	cr_expect_eq(jailhouse_cell_pio(t.data)[0].base, 0x2f8);
	free(a.data);
	free(t.data);
}

/* ---- truncation --------------------------------------------------------- */

static void truncate_everywhere(const char *dir, const char *name)
{
	struct blob b = load_file(dir, name);
	size_t header = is_system(b.data, b.size) ?
				sizeof(struct jailhouse_system) :
				sizeof(struct jailhouse_cell_desc);
	struct config_error err;
	size_t len;

	for (len = 0; len < b.size; len++) {
		enum jailhouse_config_error want =
			len < header ? JAILHOUSE_CFG_ERR_TRUNCATED :
				       JAILHOUSE_CFG_ERR_SIZE;
		struct guarded g = guarded_copy(b.data, len);
		void *exact = malloc(len ? len : 1);

		/* Pick the checker by the full file: short copies lack it. */
		memcpy(exact, b.data, len);
		if (is_system(b.data, b.size))
			config_check_system(exact, len, &err);
		else
			config_check_cell(exact, len, &err);
		cr_assert_eq(err.code, want, "%s cut to %zu: %s", name, len,
			     config_error_name(err.code));
		if (is_system(b.data, b.size))
			config_check_system((void *)g.data, len, &err);
		else
			config_check_cell((void *)g.data, len, &err);
		cr_assert_eq(err.code, want, "%s cut to %zu: %s", name, len,
			     config_error_name(err.code));
		free(exact);
		guarded_free(&g);
	}
	free(b.data);
}

Test(truncation, qemu_vm)
{
	truncate_everywhere(CELL_DIR, "qemu-vm.cell");
}

Test(truncation, apic_demo)
{
	truncate_everywhere(CELL_DIR, "apic-demo.cell");
}

Test(truncation, tiny_demo)
{
	truncate_everywhere(CELL_DIR, "tiny-demo.cell");
}

Test(truncation, helper_cells)
{
	truncate_everywhere(BAD_CELL_DIR, "pin-owner.cell");
	truncate_everywhere(BAD_CELL_DIR, "pci-owner.cell");
	truncate_everywhere(BAD_CELL_DIR, "root-partial-pio.cell");
}

Test(truncation, null_buffer)
{
	struct config_error err;

	cr_expect_not(config_check_cell(NULL, 0, &err));
	cr_expect_eq(err.code, JAILHOUSE_CFG_ERR_TRUNCATED);
	cr_expect_not(config_check_system(NULL, 0, &err));
	cr_expect_eq(err.code, JAILHOUSE_CFG_ERR_TRUNCATED);
}

/* ---- huge counts -------------------------------------------------------- */

struct huge_counts {
	u32 cpu_set_size;
	u32 mem, irq, pio, pci;
	bool add; /* add to the real counts instead of replacing them */
};

/*
 * The "add" cases are chosen so that the 32-bit size computation of
 * jailhouse_cell_config_size() wraps to exactly the real file size.
 */
ParameterizedTestParameters(size_overflow, refused)
{
	static struct huge_counts cases[] = {
		{ 8, 0xffffffff, 0, 0, 0, false },
		{ 8, 0, 0xffffffff, 0, 0, false },
		{ 8, 0, 0, 0xffffffff, 0, false },
		{ 8, 0, 0, 0, 0xffffffff, false },
		{ 0xfffffff8, 2, 0, 0, 0, false },
		{ 0xfffffff8, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
		  false },
		{ 0, 1u << 27, 0, 0, 0, true },
		{ 0, 0, 1u << 27, 0, 0, true },
		{ 0, 0, 0, 1u << 29, 0, true },
		{ 0, 0, 0, 0, 1u << 29, true },
		{ 0, 1u << 26, 1u << 26, 0, 0, true },
	};

	return cr_make_param_array(struct huge_counts, cases,
				   ARRAY_SIZE(cases));
}

static void set_counts(struct jailhouse_cell_desc *cell,
		       const struct huge_counts *c)
{
	if (c->add) {
		cell->cpu_set_size += c->cpu_set_size;
		cell->num_memory_regions += c->mem;
		cell->num_irqchips += c->irq;
		cell->num_pio_regions += c->pio;
		cell->num_pci_devices += c->pci;
	} else {
		cell->cpu_set_size = c->cpu_set_size;
		cell->num_memory_regions = c->mem;
		cell->num_irqchips = c->irq;
		cell->num_pio_regions = c->pio;
		cell->num_pci_devices = c->pci;
	}
}

ParameterizedTest(struct huge_counts *c, size_overflow, refused)
{
	static const char *const files[] = { "tiny-demo.cell", "qemu-vm.cell" };
	struct config_error err;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		struct blob b = load_file(CELL_DIR, files[i]);
		struct jailhouse_cell_desc *cell = b.data;
		struct guarded g;

		if (is_system(b.data, b.size))
			cell = &((struct jailhouse_system *)b.data)->root_cell;
		set_counts(cell, c);
		g = guarded_copy(b.data, b.size);
		cr_expect_eq(check_any(g.data, b.size, &err),
			     JAILHOUSE_CFG_ERR_SIZE, "%s: %s", files[i],
			     config_error_name(err.code));
		cr_expect_eq(check_any(b.data, b.size, &err),
			     JAILHOUSE_CFG_ERR_SIZE, "%s: %s", files[i],
			     config_error_name(err.code));
		guarded_free(&g);
		free(b.data);
	}
}

Test(size_overflow, sizes_do_not_wrap)
{
	struct jailhouse_cell_desc cell = {
		.cpu_set_size = 0xfffffff8,
		.num_memory_regions = 0xffffffff,
		.num_irqchips = 0xffffffff,
		.num_pio_regions = 0xffffffff,
		.num_pci_devices = 0xffffffff,
	};
	u64 want = sizeof(cell) + 0xfffffff8ULL +
		   0xffffffffULL * (32 + 32 + 8 + 8);

	cr_expect_eq(config_cell_size(&cell), want);
}

Test(size_overflow, too_large)
{
	/* Consistent counts, just over the limit. */
	size_t size = sizeof(struct jailhouse_cell_desc) + 8 +
		      CONFIG_MAX_SIZE / sizeof(struct jailhouse_pio) *
			      sizeof(struct jailhouse_pio);
	struct jailhouse_cell_desc *cell = calloc(1, size);
	struct jailhouse_system *sys = calloc(1, size);
	struct config_error err;

	memcpy(cell->signature, JAILHOUSE_CELL_DESC_SIGNATURE,
	       JAILHOUSE_SIGNATURE_SIZE);
	cell->revision = JAILHOUSE_CONFIG_REVISION;
	cell->architecture = JAILHOUSE_ARCH_X86;
	cell->cpu_set_size = 8;
	cell->num_pio_regions = CONFIG_MAX_SIZE / sizeof(struct jailhouse_pio);
	cr_assert_eq(config_cell_size(cell), size);
	cr_expect_not(config_check_cell(cell, size, &err));
	cr_expect_eq(err.code, JAILHOUSE_CFG_ERR_TOO_LARGE);

	memcpy(sys->signature, JAILHOUSE_SYSTEM_SIGNATURE,
	       JAILHOUSE_SIGNATURE_SIZE);
	sys->revision = JAILHOUSE_CONFIG_REVISION;
	sys->architecture = JAILHOUSE_ARCH_X86;
	cr_expect_not(config_check_system(sys, size, &err));
	cr_expect_eq(err.code, JAILHOUSE_CFG_ERR_TOO_LARGE);
	free(cell);
	free(sys);
}

/* ---- cells built in memory ---------------------------------------------- */

struct cell_parts {
	struct jailhouse_cell_desc desc;
	u8 cpus[CONFIG_MAX_CPU_SET_SIZE + 8];
	struct jailhouse_memory mem[8];
	struct jailhouse_irqchip irq[CONFIG_MAX_IRQCHIPS + 2];
	struct jailhouse_pio pio[4];
	struct jailhouse_pci_device pci[4];
};

/* A valid cell shaped like the demos: CPU 1, RAM, comm region. */
static void parts_init(struct cell_parts *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->desc.signature, JAILHOUSE_CELL_DESC_SIGNATURE,
	       JAILHOUSE_SIGNATURE_SIZE);
	p->desc.revision = JAILHOUSE_CONFIG_REVISION;
	p->desc.architecture = JAILHOUSE_ARCH_X86;
	strcpy(p->desc.name, "test");
	p->desc.cpu_set_size = 8;
	p->cpus[0] = 1 << 1;
	p->desc.num_memory_regions = 2;
	p->mem[0] = (struct jailhouse_memory){
		.phys_start = 0x3c600000,
		.virt_start = 0,
		.size = 0x100000,
		.flags = RAM_FLAGS,
	};
	p->mem[1] = (struct jailhouse_memory){
		.virt_start = 0x100000,
		.size = 0x1000,
		.flags = COMM_FLAGS,
	};
	p->desc.cpu_reset_address = 0xf0000;
}

/* Lays the parts out as a config file, in an exactly-sized buffer. */
static u8 *parts_pack(const struct cell_parts *p, size_t *size)
{
	const struct jailhouse_cell_desc *d = &p->desc;
	size_t mem = d->num_memory_regions * sizeof(p->mem[0]);
	size_t irq = d->num_irqchips * sizeof(p->irq[0]);
	size_t pio = d->num_pio_regions * sizeof(p->pio[0]);
	size_t pci = d->num_pci_devices * sizeof(p->pci[0]);
	u8 *buf, *at;

	cr_assert_leq(d->cpu_set_size, sizeof(p->cpus));
	cr_assert_leq(mem, sizeof(p->mem));
	cr_assert_leq(irq, sizeof(p->irq));
	cr_assert_leq(pio, sizeof(p->pio));
	cr_assert_leq(pci, sizeof(p->pci));
	*size = sizeof(*d) + d->cpu_set_size + mem + irq + pio + pci;
	buf = malloc(*size);
	cr_assert_not_null(buf);
	at = buf;
	memcpy(at, d, sizeof(*d));
	at += sizeof(*d);
	memcpy(at, p->cpus, d->cpu_set_size);
	at += d->cpu_set_size;
	memcpy(at, p->mem, mem);
	at += mem;
	memcpy(at, p->irq, irq);
	at += irq;
	memcpy(at, p->pio, pio);
	at += pio;
	memcpy(at, p->pci, pci);
	return buf;
}

static enum jailhouse_config_error parts_check(const struct cell_parts *p,
					       struct config_error *err)
{
	size_t size;
	u8 *buf = parts_pack(p, &size);
	bool ok = config_check_cell((void *)buf, size, err);

	cr_assert_eq(ok, err->code == JAILHOUSE_CFG_OK);
	free(buf);
	return err->code;
}

#define expect_code(p, want, want_item)                                        \
	do {                                                                   \
		struct config_error e_;                                        \
		cr_expect_eq(parts_check((p), &e_), (want), "got %s item %u", \
			     config_error_name(e_.code), e_.item);             \
		cr_expect_eq(e_.item, (want_item), "%s: item %u",             \
			     config_error_name(e_.code), e_.item);             \
	} while (0)

Test(cell, template_is_valid)
{
	struct cell_parts p;
	size_t size;
	u8 *buf;

	parts_init(&p);
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	/* err may be NULL when only the verdict matters. */
	buf = parts_pack(&p, &size);
	cr_expect(config_check_cell((void *)buf, size, NULL));
	cr_expect_not(config_check_cell((void *)buf, size - 1, NULL));
	free(buf);
}

Test(cell, trailing_bytes_refused)
{
	struct cell_parts p;
	struct config_error err;
	size_t size;
	u8 *buf, *longer;

	parts_init(&p);
	buf = parts_pack(&p, &size);
	longer = calloc(1, size + 8);
	memcpy(longer, buf, size);
	cr_expect_not(config_check_cell((void *)longer, size + 8, &err));
	cr_expect_eq(err.code, JAILHOUSE_CFG_ERR_SIZE);
	free(longer);
	free(buf);
}

Test(cell, name)
{
	struct cell_parts p;

	parts_init(&p);
	memset(p.desc.name, 0, sizeof(p.desc.name));
	expect_code(&p, JAILHOUSE_CFG_ERR_NAME, 0);
	memset(p.desc.name, 'x', sizeof(p.desc.name) - 1);
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	p.desc.name[sizeof(p.desc.name) - 1] = 'x';
	expect_code(&p, JAILHOUSE_CFG_ERR_NAME, 0);
}

Test(cell, flags)
{
	struct cell_parts p;

	parts_init(&p);
	p.desc.flags = JAILHOUSE_CELL_VALID_FLAGS;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	p.desc.flags = 1u << 31;
	expect_code(&p, JAILHOUSE_CFG_ERR_FLAGS, 0);
}

/* 10 s is the limit the format documents; the default stays accepted. */
Test(cell, reply_timeout_bounded)
{
	struct cell_parts p;

	parts_init(&p);
	p.desc.msg_reply_timeout_ns = 0;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	p.desc.msg_reply_timeout_ns = 10ULL * 1000 * 1000 * 1000;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	p.desc.msg_reply_timeout_ns = 10ULL * 1000 * 1000 * 1000 + 1;
	expect_code(&p, JAILHOUSE_CFG_ERR_REPLY_TIMEOUT, 0);
	p.desc.msg_reply_timeout_ns = ~0ULL;
	expect_code(&p, JAILHOUSE_CFG_ERR_REPLY_TIMEOUT, 0);
}

Test(cell, cpu_set_size)
{
	struct cell_parts p;

	parts_init(&p);
	p.desc.cpu_set_size = 0;
	expect_code(&p, JAILHOUSE_CFG_ERR_CPU_SET_SIZE, 0);
	p.desc.cpu_set_size = 12;
	expect_code(&p, JAILHOUSE_CFG_ERR_CPU_SET_SIZE, 0);
	p.desc.cpu_set_size = CONFIG_MAX_CPU_SET_SIZE;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	p.desc.cpu_set_size = CONFIG_MAX_CPU_SET_SIZE + 8;
	expect_code(&p, JAILHOUSE_CFG_ERR_CPU_SET_SIZE, 0);
}

Test(cell, cpu_none)
{
	struct cell_parts p;

	parts_init(&p);
	p.desc.cpu_set_size = 16;
	p.cpus[0] = 0;
	expect_code(&p, JAILHOUSE_CFG_ERR_CPU_NONE, 0);
	/* A CPU in the second word counts. */
	p.cpus[15] = 0x80;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
}

Test(cell, mem_align_each_field)
{
	struct cell_parts p;

	parts_init(&p);
	p.mem[0].phys_start += 8;
	expect_code(&p, JAILHOUSE_CFG_ERR_MEM_ALIGN, 0);
	parts_init(&p);
	p.mem[0].virt_start = 0x10;
	expect_code(&p, JAILHOUSE_CFG_ERR_MEM_ALIGN, 0);
	parts_init(&p);
	p.mem[0].size = 0xff000 + 1;
	expect_code(&p, JAILHOUSE_CFG_ERR_MEM_ALIGN, 0);
	/* The comm region's physical address is not looked at. */
	parts_init(&p);
	p.mem[1].phys_start = 0x123;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	p.mem[1].virt_start = 0x100800;
	expect_code(&p, JAILHOUSE_CFG_ERR_MEM_ALIGN, 1);
}

Test(cell, mem_empty_and_overflow)
{
	struct cell_parts p;

	parts_init(&p);
	p.mem[1].size = 0;
	expect_code(&p, JAILHOUSE_CFG_ERR_MEM_EMPTY, 1);
	parts_init(&p);
	p.mem[0].phys_start = 0xfffffffffff00000ULL;
	p.mem[0].size = 0x200000;
	expect_code(&p, JAILHOUSE_CFG_ERR_MEM_OVERFLOW, 0);
	/* Ending exactly at 2^64 counts as wrapping too. */
	parts_init(&p);
	p.mem[0].virt_start = 0xfffffffffff00000ULL;
	p.desc.cpu_reset_address = 0xfffffffffff00000ULL;
	expect_code(&p, JAILHOUSE_CFG_ERR_MEM_OVERFLOW, 0);
	p.mem[0].virt_start = 0xffffffffffe00000ULL;
	p.desc.cpu_reset_address = 0xffffffffffe00000ULL;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
}

Test(cell, mem_flags)
{
	static const u64 bad_ram[] = {
		RAM_FLAGS | (1ULL << 8),
		RAM_FLAGS | (1ULL << 40),
		JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_EXECUTE,
		0,
		RAM_FLAGS | JAILHOUSE_MEM_IO,
	};
	static const u64 bad_comm_extra[] = {
		JAILHOUSE_MEM_DMA,
		JAILHOUSE_MEM_IO,
		JAILHOUSE_MEM_LOADABLE,
		JAILHOUSE_MEM_ROOTSHARED,
	};
	struct cell_parts p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_ram); i++) {
		parts_init(&p);
		p.mem[0].flags = bad_ram[i];
		expect_code(&p, JAILHOUSE_CFG_ERR_MEM_FLAGS, 0);
	}
	for (i = 0; i < ARRAY_SIZE(bad_comm_extra); i++) {
		parts_init(&p);
		p.mem[1].flags |= bad_comm_extra[i];
		expect_code(&p, JAILHOUSE_CFG_ERR_MEM_FLAGS, 1);
	}
	/* Sensible combinations pass. */
	parts_init(&p);
	p.mem[0].flags = RAM_FLAGS | JAILHOUSE_MEM_DMA |
			 JAILHOUSE_MEM_ROOTSHARED;
	p.mem[2] = (struct jailhouse_memory){
		.phys_start = 0xfed00000,
		.virt_start = 0xfed00000,
		.size = 0x1000,
		.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			 JAILHOUSE_MEM_IO,
	};
	p.desc.num_memory_regions = 3;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
}

Test(cell, guest_overlap_names_both)
{
	struct cell_parts p;
	struct config_error err;

	parts_init(&p);
	p.mem[2] = (struct jailhouse_memory){
		.phys_start = 0x3c800000,
		.virt_start = 0x200000,
		.size = 0x1000,
		.flags = JAILHOUSE_MEM_READ,
	};
	p.mem[3] = p.mem[2];
	p.mem[3].phys_start = 0x3c900000;
	p.desc.num_memory_regions = 4;
	cr_expect_eq(parts_check(&p, &err),
		     JAILHOUSE_CFG_ERR_MEM_GUEST_OVERLAP);
	cr_expect_eq(err.item, 3);
	cr_expect_eq(err.other, 2);
	/* Touching is not overlapping. */
	p.mem[3].virt_start = 0x201000;
	cr_expect_eq(parts_check(&p, &err), JAILHOUSE_CFG_OK);
	/* The comm region takes part in the check. */
	p.mem[3].virt_start = 0x100000;
	cr_expect_eq(parts_check(&p, &err),
		     JAILHOUSE_CFG_ERR_MEM_GUEST_OVERLAP);
	cr_expect_eq(err.item, 3);
	cr_expect_eq(err.other, 1);
}

Test(cell, comm_region_rules)
{
	struct cell_parts p;
	struct config_error err;

	/* Missing. */
	parts_init(&p);
	p.desc.num_memory_regions = 1;
	expect_code(&p, JAILHOUSE_CFG_ERR_COMM_REGION, 0);
	/* Missing but passive: fine. */
	p.desc.flags = JAILHOUSE_CELL_PASSIVE_COMMREG;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	/* Two of them: the second is named, the first is the other. */
	parts_init(&p);
	p.mem[2] = p.mem[1];
	p.mem[2].virt_start = 0x200000;
	p.desc.num_memory_regions = 3;
	cr_expect_eq(parts_check(&p, &err), JAILHOUSE_CFG_ERR_COMM_REGION);
	cr_expect_eq(err.item, 2);
	cr_expect_eq(err.other, 1);
	/* Not one page. */
	parts_init(&p);
	p.mem[1].size = 0x2000;
	expect_code(&p, JAILHOUSE_CFG_ERR_COMM_REGION, 1);
}

Test(cell, reset_address)
{
	struct cell_parts p;

	parts_init(&p);
	p.desc.cpu_reset_address = 0;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	p.desc.cpu_reset_address = 0xfffff;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	/* The comm region is not executable code. */
	p.desc.cpu_reset_address = 0x100000;
	expect_code(&p, JAILHOUSE_CFG_ERR_RESET_ADDRESS, 0);
	/* Nor is RAM without EXECUTE. */
	p.desc.cpu_reset_address = 0xf0000;
	p.mem[0].flags &= ~(u64)JAILHOUSE_MEM_EXECUTE;
	expect_code(&p, JAILHOUSE_CFG_ERR_RESET_ADDRESS, 0);
}

Test(cell, irqchips)
{
	struct cell_parts p;
	unsigned int i;

	parts_init(&p);
	for (i = 0; i < CONFIG_MAX_IRQCHIPS + 1; i++)
		p.irq[i] = (struct jailhouse_irqchip){
			.address = 0xfec00000 + i * 0x1000,
			.pin_bitmap = { 1 },
		};
	p.desc.num_irqchips = CONFIG_MAX_IRQCHIPS;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);
	p.desc.num_irqchips = CONFIG_MAX_IRQCHIPS + 1;
	expect_code(&p, JAILHOUSE_CFG_ERR_IRQCHIP, CONFIG_MAX_IRQCHIPS);
}

Test(cell, pio_ranges)
{
	static const struct {
		u16 base;
		u32 length;
		bool ok;
	} cases[] = {
		{ 0x2f8, 8, true },	  { 0xfff8, 8, true },
		{ 0, 0x10000, true },	  { 0xffff, 1, true },
		{ 0x2f8, 0, false },	  { 0xfff8, 9, false },
		{ 0, 0x10001, false },	  { 1, 0x10000, false },
		{ 0, 0xffffffff, false },
	};
	struct cell_parts p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		parts_init(&p);
		p.pio[0] = (struct jailhouse_pio){ .base = 0x60, .length = 1 };
		p.pio[1] = (struct jailhouse_pio){
			.base = cases[i].base,
			.length = cases[i].length,
		};
		p.desc.num_pio_regions = 2;
		if (cases[i].ok)
			expect_code(&p, JAILHOUSE_CFG_OK, 0);
		else
			expect_code(&p, JAILHOUSE_CFG_ERR_PIO_RANGE, 1);
	}
}

Test(cell, pci_devices)
{
	struct cell_parts p;
	struct config_error err;

	parts_init(&p);
	p.pci[0] = (struct jailhouse_pci_device){
		.type = JAILHOUSE_PCI_TYPE_BRIDGE,
		.bdf = JAILHOUSE_PCI_BDF(0, 0x1e, 0),
	};
	p.pci[1] = (struct jailhouse_pci_device){
		.type = JAILHOUSE_PCI_TYPE_DEVICE,
		.bdf = JAILHOUSE_PCI_BDF(1, 0, 0),
	};
	p.pci[2] = p.pci[1];
	p.pci[2].domain = 1; /* same bdf, other segment: not a duplicate */
	p.desc.num_pci_devices = 3;
	expect_code(&p, JAILHOUSE_CFG_OK, 0);

	p.pci[2].type = 0;
	expect_code(&p, JAILHOUSE_CFG_ERR_PCI_TYPE, 2);
	p.pci[2].type = JAILHOUSE_PCI_TYPE_DEVICE;
	p.pci[2].iommu = JAILHOUSE_MAX_IOMMU_UNITS;
	expect_code(&p, JAILHOUSE_CFG_ERR_PCI_IOMMU, 2);
	p.pci[2].iommu = 0;
	p.pci[2].domain = 0;
	cr_expect_eq(parts_check(&p, &err), JAILHOUSE_CFG_ERR_PCI_DUPLICATE);
	cr_expect_eq(err.item, 2);
	cr_expect_eq(err.other, 1);
}

Test(cell, header_rules_come_first)
{
	struct cell_parts p;

	/* A broken body does not hide a broken header. */
	parts_init(&p);
	p.desc.name[0] = '\0';
	p.desc.revision = 0;
	expect_code(&p, JAILHOUSE_CFG_ERR_REVISION, 0);
	p.desc.signature[0] = 'X';
	expect_code(&p, JAILHOUSE_CFG_ERR_SIGNATURE, 0);
}

/* ---- system configs mutated in memory ----------------------------------- */

static struct blob load_qemu_vm(void)
{
	return load_file(CELL_DIR, "qemu-vm.cell");
}

static struct jailhouse_memory *root_mem(struct blob *b)
{
	struct jailhouse_system *sys = b->data;

	return (struct jailhouse_memory *)jailhouse_cell_mem_regions(
		&sys->root_cell);
}

static struct jailhouse_pci_device *root_pci(struct blob *b)
{
	struct jailhouse_system *sys = b->data;

	return (struct jailhouse_pci_device *)jailhouse_cell_pci_devices(
		&sys->root_cell);
}

static enum jailhouse_config_error sys_check(struct blob *b,
					     struct config_error *err)
{
	bool ok = config_check_system(b->data, b->size, err);

	cr_assert_eq(ok, err->code == JAILHOUSE_CFG_OK);
	return err->code;
}

#define expect_sys(b, want, want_item)                                         \
	do {                                                                   \
		struct config_error e_;                                        \
		cr_expect_eq(sys_check((b), &e_), (want), "got %s item %u",   \
			     config_error_name(e_.code), e_.item);             \
		cr_expect_eq(e_.item, (want_item), "%s: item %u",             \
			     config_error_name(e_.code), e_.item);             \
	} while (0)

Test(system, header_fields)
{
	struct blob b = load_qemu_vm();
	struct jailhouse_system *sys = b.data;

	sys->signature[5] = 'X';
	expect_sys(&b, JAILHOUSE_CFG_ERR_SIGNATURE, 0);
	sys->signature[5] = 'T';
	sys->revision++;
	expect_sys(&b, JAILHOUSE_CFG_ERR_REVISION, 0);
	sys->revision--;
	sys->architecture = 0;
	expect_sys(&b, JAILHOUSE_CFG_ERR_ARCH, 0);
	sys->architecture = JAILHOUSE_ARCH_X86;
	sys->flags = 1;
	expect_sys(&b, JAILHOUSE_CFG_ERR_FLAGS, 0);
	sys->flags = 0;
	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	cr_expect(config_check_system(b.data, b.size, NULL));
	free(b.data);
}

Test(system, root_descriptor_header)
{
	struct blob b = load_qemu_vm();
	struct jailhouse_system *sys = b.data;

	sys->root_cell.signature[0] = 'X';
	expect_sys(&b, JAILHOUSE_CFG_ERR_SIGNATURE, 0);
	sys->root_cell.signature[0] = 'J';
	sys->root_cell.revision = 7;
	expect_sys(&b, JAILHOUSE_CFG_ERR_REVISION, 0);
	sys->root_cell.revision = JAILHOUSE_CONFIG_REVISION;
	sys->root_cell.architecture = 9;
	expect_sys(&b, JAILHOUSE_CFG_ERR_ARCH, 0);
	free(b.data);
}

Test(system, hypervisor_memory)
{
	struct blob b = load_qemu_vm();
	struct jailhouse_system *sys = b.data;

	sys->hypervisor_memory.size = 0;
	expect_sys(&b, JAILHOUSE_CFG_ERR_MEM_EMPTY, 0);
	sys->hypervisor_memory.size = (6 << 20) + 0x10;
	expect_sys(&b, JAILHOUSE_CFG_ERR_MEM_ALIGN, 0);
	sys->hypervisor_memory.size = 6 << 20;
	sys->hypervisor_memory.phys_start = 0x3be00800;
	expect_sys(&b, JAILHOUSE_CFG_ERR_MEM_ALIGN, 0);
	sys->hypervisor_memory.phys_start = 0xfffffffffff00000ULL;
	expect_sys(&b, JAILHOUSE_CFG_ERR_MEM_OVERFLOW, 0);
	/* Inside root's RAM: root region 2 covers 0x100000-0x3bdfffff. */
	sys->hypervisor_memory.phys_start = 0x3b000000;
	expect_sys(&b, JAILHOUSE_CFG_ERR_MEM_HYPERVISOR, 2);
	free(b.data);
}

Test(system, platform)
{
	struct blob b = load_qemu_vm();
	struct jailhouse_system *sys = b.data;

	sys->platform_info.num_iommu_units = JAILHOUSE_MAX_IOMMU_UNITS + 1;
	expect_sys(&b, JAILHOUSE_CFG_ERR_SIZE, JAILHOUSE_MAX_IOMMU_UNITS + 1);
	sys->platform_info.num_iommu_units = 1;
	sys->debug_console.flags = 7;
	expect_sys(&b, JAILHOUSE_CFG_ERR_FLAGS, 0);
	sys->debug_console.flags = JAILHOUSE_CON_TYPE_8250;
	sys->debug_console.address = 0xfffc;
	expect_sys(&b, JAILHOUSE_CFG_ERR_PIO_RANGE, 0);
	/* An 8250 has eight registers: the last one at 0xffff at most. */
	sys->debug_console.address = 0xfff9;
	expect_sys(&b, JAILHOUSE_CFG_ERR_PIO_RANGE, 0);
	sys->debug_console.address = 0xfff8;
	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	sys->debug_console.address = 0x3f8;
	sys->platform_info.apic_mode = 0;
	expect_sys(&b, JAILHOUSE_CFG_ERR_FLAGS, 0);
	sys->platform_info.apic_mode = JAILHOUSE_APIC_MODE_XAPIC;
	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	free(b.data);
}

Test(system, root_regions)
{
	struct blob b = load_qemu_vm();
	struct jailhouse_memory *mem = root_mem(&b);
	struct jailhouse_system *sys = b.data;

	/* Root is identity mapped. */
	mem[6].virt_start += 0x1000;
	expect_sys(&b, JAILHOUSE_CFG_ERR_MEM_FLAGS, 6);
	mem[6].virt_start -= 0x1000;
	/* Root is never loaded into. */
	mem[0].flags |= JAILHOUSE_MEM_LOADABLE;
	expect_sys(&b, JAILHOUSE_CFG_ERR_MEM_FLAGS, 0);
	mem[0].flags &= ~(u64)JAILHOUSE_MEM_LOADABLE;
	/* Root has no comm region. */
	mem[6].flags = COMM_FLAGS;
	expect_sys(&b, JAILHOUSE_CFG_ERR_COMM_REGION, 6);
	mem[6].flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
		       JAILHOUSE_MEM_IO;
	/* Root may not map the hypervisor. */
	mem[3].phys_start = mem[3].virt_start = 0x3c000000;
	mem[3].size = 0x400000;
	expect_sys(&b, JAILHOUSE_CFG_ERR_MEM_HYPERVISOR, 3);
	mem[3].phys_start = mem[3].virt_start = 0x3c400000;
	mem[3].size = 0x3a00000;
	/* Root's reset address is not checked. */
	sys->root_cell.cpu_reset_address = 0xdead0000;
	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	free(b.data);
}

Test(system, pci_iommu_index)
{
	struct blob b = load_qemu_vm();
	struct jailhouse_system *sys = b.data;
	struct jailhouse_pci_device *pci = root_pci(&b);

	pci[4].iommu = 1;
	expect_sys(&b, JAILHOUSE_CFG_ERR_PCI_IOMMU, 4);
	/* Without IOMMU units the index means nothing. */
	sys->platform_info.num_iommu_units = 0;
	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	free(b.data);
}

static struct blob load_qemu_amd(void)
{
	return load_file(CELL_DIR, "qemu-amd.cell");
}

Test(system, iommu_unit_types)
{
	struct blob b = load_qemu_vm();
	struct jailhouse_system *sys = b.data;
	struct jailhouse_iommu *unit = sys->platform_info.iommu_units;

	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	unit[0].type = 0;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_TYPE, 0);
	unit[0].type = 3;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_TYPE, 0);
	unit[0].type = JAILHOUSE_IOMMU_INTEL;
	/* A second unit of the other type: one driver serves all units. */
	sys->platform_info.num_iommu_units = 2;
	unit[1] = unit[0];
	unit[1].base = 0xfed91000;
	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	unit[1].type = JAILHOUSE_IOMMU_AMD;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_TYPE, 1);
	/* Entries beyond the count are not looked at. */
	sys->platform_info.num_iommu_units = 1;
	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	free(b.data);
}

Test(system, amd_unit_description)
{
	struct blob b = load_qemu_amd();
	struct jailhouse_system *sys = b.data;
	struct jailhouse_iommu *unit = &sys->platform_info.iommu_units[0];
	struct jailhouse_iommu good;

	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	good = *unit;
	unit->base = 0;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_UNIT, 0);
	unit->base = good.base + 0x800;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_UNIT, 0);
	*unit = good;
	unit->size = 0x3000;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_UNIT, 0);
	unit->base = 0xffffffffffffc000ULL;
	unit->size = 0x8000;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_UNIT, 0);
	*unit = good;
	unit->amd_base_cap = 0x3c;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_UNIT, 0);
	*unit = good;
	unit->amd_msi_cap = 0;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_UNIT, 0);
	*unit = good;
	unit->amd_first_device = 0x100;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_UNIT, 0);
	*unit = good;
	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	free(b.data);
}

Test(system, iommu_units_are_the_hypervisor_s)
{
	struct blob b = load_qemu_amd();
	struct jailhouse_system *sys = b.data;
	struct jailhouse_iommu *unit = &sys->platform_info.iommu_units[0];
	struct jailhouse_memory *mem = root_mem(&b);
	struct jailhouse_pci_device *pci = root_pci(&b);

	/* Root's HPET region stretched over the registers at 0xfed80000. */
	mem[7].size = 0x84000;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_CLAIMED, 7);
	mem[7].size = 0x1000;
	/* The unit's own PCI function in root's list. */
	unit->amd_bdf = pci[2].bdf;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_CLAIMED, 2);
	unit->amd_bdf = JAILHOUSE_PCI_BDF(0, 3, 0);
	/* A device beyond the unit's range: no unit translates it. */
	unit->amd_last_device = pci[6].bdf - 1;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_SCOPE, 6);
	unit->amd_first_device = pci[1].bdf + 1;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_SCOPE, 0);
	unit->amd_first_device = 0;
	unit->amd_last_device = 0xffff;
	expect_sys(&b, JAILHOUSE_CFG_OK, 0);
	free(b.data);
}

Test(system, vtd_registers_are_the_hypervisor_s)
{
	struct blob b = load_qemu_vm();
	struct jailhouse_memory *mem = root_mem(&b);

	/* The HPET region stretched over the VT-d unit at 0xfed90000. */
	mem[7].size = 0x91000;
	expect_sys(&b, JAILHOUSE_CFG_ERR_IOMMU_CLAIMED, 7);
	free(b.data);
}

Test(system, root_counts_beyond_file)
{
	struct blob b = load_qemu_vm();
	struct jailhouse_system *sys = b.data;

	sys->root_cell.num_pci_devices++;
	expect_sys(&b, JAILHOUSE_CFG_ERR_SIZE, 0);
	free(b.data);
}

/* ---- error tables ------------------------------------------------------- */

Test(errors, names_and_texts)
{
	int a, b;

	for (a = 0; a < JAILHOUSE_CFG_NUM_ERRORS; a++) {
		const char *name = config_error_name(a);
		const char *text = config_error_text(a);

		cr_assert_not_null(name);
		cr_assert_not_null(text);
		cr_expect_gt(strlen(name), 4, "code %d", a);
		cr_expect_gt(strlen(text), 0, "code %d", a);
		cr_expect_eq(strncmp(name, "CFG_", 4), 0, "%s", name);
		cr_expect_eq(code_by_name(name), a);
		for (b = 0; b < a; b++) {
			cr_expect_str_neq(name, config_error_name(b));
			cr_expect_str_neq(text, config_error_text(b));
		}
	}
}

Test(errors, errnos)
{
	int code;

	cr_expect_eq(config_error_errno(JAILHOUSE_CFG_OK), 0);
	for (code = 1; code < JAILHOUSE_CFG_NUM_ERRORS; code++)
		cr_expect_gt(config_error_errno(code), 0, "%s",
			     config_error_name(code));
	cr_expect_eq(config_error_errno(JAILHOUSE_CFG_ERR_SIZE), 22);
	cr_expect_eq(config_error_errno(JAILHOUSE_CFG_ERR_TOO_LARGE), 7);
	cr_expect_eq(config_error_errno(JAILHOUSE_CFG_ERR_CPU_NOT_ROOT), 16);
	cr_expect_eq(config_error_errno(JAILHOUSE_CFG_ERR_DUPLICATE_NAME), 17);
	cr_expect_str_eq(config_error_name(JAILHOUSE_CFG_ERR_MEM_CELL),
			 "CFG_ERR_MEM_CELL");
}

Test(errors, unknown_code)
{
	enum jailhouse_config_error bogus = JAILHOUSE_CFG_NUM_ERRORS;

	cr_expect_not_null(config_error_name(bogus));
	cr_expect_not_null(config_error_text(bogus));
	cr_expect_not_null(config_error_name((enum jailhouse_config_error)-1));
	cr_expect_eq(config_error_errno(bogus), 22);
}
