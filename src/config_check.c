// SPDX-License-Identifier: GPL-2.0
/*
 * Static validation of cell and system configurations.
 *
 * Everything here looks at one config buffer and nothing else: no cells, no
 * CPUs, no memory ownership. Rules that need the running system (is the CPU
 * free, does root own this range, ...) belong to the cell lifecycle code.
 *
 * The first broken rule wins; the order below is part of the contract, since
 * tests and tools rely on a broken config always giving the same answer:
 *
 *   header:  TRUNCATED, SIGNATURE, REVISION, ARCH, TOO_LARGE, SIZE
 *   system:  FLAGS, root descriptor header, hypervisor memory, platform
 *   cell:    NAME, FLAGS, CPU_SET_SIZE, CPU_NONE, memory regions (one by one,
 *            then pairs, then the comm region count), RESET_ADDRESS,
 *            IRQ chips, PIO ranges, PCI devices
 *   system:  root regions against the hypervisor, PCI IOMMU indexes, the
 *            IOMMU units' own registers and PCI functions, device ranges
 *
 * The buffer is never read past size: the header is only touched once size
 * covers it, and the arrays only once the size the header declares (computed
 * in 64 bits, so huge counts cannot wrap it) equals size. No field is assumed
 * to be aligned.
 */
#include <core/config_check.h>
#include <core/lib.h>

static bool fail(struct config_error *err, enum jailhouse_config_error code,
		 u32 item, u32 other)
{
	err->code = code;
	err->item = item;
	err->other = other;
	return false;
}

static bool ok(struct config_error *err)
{
	err->code = JAILHOUSE_CFG_OK;
	err->item = 0;
	err->other = 0;
	return true;
}

u64 config_cell_size(const struct jailhouse_cell_desc *cell)
{
	return sizeof(*cell) + (u64)cell->cpu_set_size +
	       (u64)cell->num_memory_regions * sizeof(struct jailhouse_memory) +
	       (u64)cell->num_irqchips * sizeof(struct jailhouse_irqchip) +
	       (u64)cell->num_pio_regions * sizeof(struct jailhouse_pio) +
	       (u64)cell->num_pci_devices * sizeof(struct jailhouse_pci_device);
}

u64 config_system_size(const struct jailhouse_system *system)
{
	return sizeof(*system) - sizeof(system->root_cell) +
	       config_cell_size(&system->root_cell);
}

/* Signature, revision and architecture of a cell descriptor. */
static bool check_desc_header(const struct jailhouse_cell_desc *cell,
			      struct config_error *err)
{
	if (memcmp(cell->signature, JAILHOUSE_CELL_DESC_SIGNATURE,
		   JAILHOUSE_SIGNATURE_SIZE) != 0)
		return fail(err, JAILHOUSE_CFG_ERR_SIGNATURE, 0, 0);
	if (cell->revision != JAILHOUSE_CONFIG_REVISION)
		return fail(err, JAILHOUSE_CFG_ERR_REVISION, 0, 0);
	if (cell->architecture != JAILHOUSE_ARCH_X86)
		return fail(err, JAILHOUSE_CFG_ERR_ARCH, 0, 0);
	return true;
}

static bool cpu_set_empty(const struct jailhouse_cell_desc *cell)
{
	const u8 *set = (const u8 *)cell + sizeof(*cell);
	u32 n;

	for (n = 0; n < cell->cpu_set_size; n++)
		if (set[n])
			return false;
	return true;
}

static bool range_wraps(u64 start, u64 size)
{
	return start + size < start;
}

static bool mem_flags_valid(u64 flags, bool root)
{
	const u64 not_with_comm = JAILHOUSE_MEM_DMA | JAILHOUSE_MEM_IO |
				  JAILHOUSE_MEM_LOADABLE |
				  JAILHOUSE_MEM_ROOTSHARED;

	if (flags & ~(u64)JAILHOUSE_MEM_VALID_FLAGS)
		return false;
	/* Write- or execute-only mappings cannot be built on every CPU. */
	if (!(flags & JAILHOUSE_MEM_READ))
		return false;
	if ((flags & JAILHOUSE_MEM_COMM_REGION) && (flags & not_with_comm))
		return false;
	/* Images are loaded into RAM, not into device memory. */
	if ((flags & JAILHOUSE_MEM_IO) && (flags & JAILHOUSE_MEM_LOADABLE))
		return false;
	/* Root is never loaded and has nobody to share with. */
	if (root &&
	    (flags & (JAILHOUSE_MEM_LOADABLE | JAILHOUSE_MEM_ROOTSHARED)))
		return false;
	return true;
}

static bool check_one_region(const struct jailhouse_memory *mem, u32 i,
			     bool root, struct config_error *err)
{
	bool comm = mem->flags & JAILHOUSE_MEM_COMM_REGION;

	if (mem->size == 0)
		return fail(err, JAILHOUSE_CFG_ERR_MEM_EMPTY, i, 0);
	/* The comm region's phys_start is ignored: the page is the pool's. */
	if (!PAGE_ALIGNED(mem->size) || !PAGE_ALIGNED(mem->virt_start) ||
	    (!comm && !PAGE_ALIGNED(mem->phys_start)))
		return fail(err, JAILHOUSE_CFG_ERR_MEM_ALIGN, i, 0);
	if (range_wraps(mem->virt_start, mem->size) ||
	    (!comm && range_wraps(mem->phys_start, mem->size)))
		return fail(err, JAILHOUSE_CFG_ERR_MEM_OVERFLOW, i, 0);
	if (root && comm)
		return fail(err, JAILHOUSE_CFG_ERR_COMM_REGION, i, 0);
	if (!mem_flags_valid(mem->flags, root))
		return fail(err, JAILHOUSE_CFG_ERR_MEM_FLAGS, i, 0);
	/* Root keeps the physical layout it booted with. */
	if (root && mem->virt_start != mem->phys_start)
		return fail(err, JAILHOUSE_CFG_ERR_MEM_FLAGS, i, 0);
	if (comm && mem->size != PAGE_SIZE)
		return fail(err, JAILHOUSE_CFG_ERR_COMM_REGION, i, 0);
	return true;
}

static bool check_mem_regions(const struct jailhouse_cell_desc *cell,
			      bool root, struct config_error *err)
{
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(cell);
	u32 n = cell->num_memory_regions;
	u32 comm_index = 0;
	bool have_comm = false;
	u32 i, j;

	for (i = 0; i < n; i++) {
		if (!check_one_region(&mem[i], i, root, err))
			return false;
		if (!(mem[i].flags & JAILHOUSE_MEM_COMM_REGION))
			continue;
		if (have_comm)
			return fail(err, JAILHOUSE_CFG_ERR_COMM_REGION, i,
				    comm_index);
		have_comm = true;
		comm_index = i;
	}

	/* Sizes are known not to wrap from here on. */
	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (ranges_overlap(mem[i].virt_start, mem[i].size,
					   mem[j].virt_start, mem[j].size))
				return fail(err,
					    JAILHOUSE_CFG_ERR_MEM_GUEST_OVERLAP,
					    i, j);
	/*
	 * Two regions of one cell aliasing the same memory would make its
	 * ownership ambiguous: loading one would expose the other to root.
	 */
	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (!((mem[i].flags | mem[j].flags) &
			      JAILHOUSE_MEM_COMM_REGION) &&
			    ranges_overlap(mem[i].phys_start, mem[i].size,
					   mem[j].phys_start, mem[j].size))
				return fail(err,
					    JAILHOUSE_CFG_ERR_MEM_PHYS_OVERLAP,
					    i, j);

	if (!root && !have_comm &&
	    !(cell->flags & JAILHOUSE_CELL_PASSIVE_COMMREG))
		return fail(err, JAILHOUSE_CFG_ERR_COMM_REGION, 0, 0);
	return true;
}

static bool check_reset_address(const struct jailhouse_cell_desc *cell,
				struct config_error *err)
{
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(cell);
	u64 addr = cell->cpu_reset_address;
	u32 i;

	for (i = 0; i < cell->num_memory_regions; i++) {
		if (!(mem[i].flags & JAILHOUSE_MEM_EXECUTE) ||
		    (mem[i].flags & JAILHOUSE_MEM_COMM_REGION))
			continue;
		if (addr >= mem[i].virt_start &&
		    addr - mem[i].virt_start < mem[i].size)
			return true;
	}
	return fail(err, JAILHOUSE_CFG_ERR_RESET_ADDRESS, 0, 0);
}

static bool check_pio(const struct jailhouse_cell_desc *cell,
		      struct config_error *err)
{
	const struct jailhouse_pio *pio = jailhouse_cell_pio(cell);
	u32 i;

	for (i = 0; i < cell->num_pio_regions; i++)
		if (pio[i].length == 0 ||
		    (u64)pio[i].base + pio[i].length > 0x10000)
			return fail(err, JAILHOUSE_CFG_ERR_PIO_RANGE, i, 0);
	return true;
}

static bool check_pci(const struct jailhouse_cell_desc *cell,
		      struct config_error *err)
{
	const struct jailhouse_pci_device *dev =
		jailhouse_cell_pci_devices(cell);
	u32 i, j;

	for (i = 0; i < cell->num_pci_devices; i++) {
		if (dev[i].type != JAILHOUSE_PCI_TYPE_DEVICE &&
		    dev[i].type != JAILHOUSE_PCI_TYPE_BRIDGE)
			return fail(err, JAILHOUSE_CFG_ERR_PCI_TYPE, i, 0);
		if (dev[i].iommu >= JAILHOUSE_MAX_IOMMU_UNITS)
			return fail(err, JAILHOUSE_CFG_ERR_PCI_IOMMU, i, 0);
		for (j = 0; j < i; j++)
			if (dev[i].domain == dev[j].domain &&
			    dev[i].bdf == dev[j].bdf)
				return fail(err,
					    JAILHOUSE_CFG_ERR_PCI_DUPLICATE,
					    i, j);
	}
	return true;
}

/* Everything after the header; the arrays are known to lie within size. */
static bool check_cell_body(const struct jailhouse_cell_desc *cell, bool root,
			    struct config_error *err)
{
	size_t len = strnlen(cell->name, sizeof(cell->name));

	if (len == 0 || len == sizeof(cell->name))
		return fail(err, JAILHOUSE_CFG_ERR_NAME, 0, 0);
	if (cell->flags & ~(u32)JAILHOUSE_CELL_VALID_FLAGS)
		return fail(err, JAILHOUSE_CFG_ERR_FLAGS, 0, 0);
	if (cell->msg_reply_timeout_ns > JAILHOUSE_MAX_MSG_TIMEOUT_NS)
		return fail(err, JAILHOUSE_CFG_ERR_REPLY_TIMEOUT, 0, 0);
	if (cell->cpu_set_size == 0 || cell->cpu_set_size % 8 != 0 ||
	    cell->cpu_set_size > CONFIG_MAX_CPU_SET_SIZE)
		return fail(err, JAILHOUSE_CFG_ERR_CPU_SET_SIZE, 0, 0);
	if (cpu_set_empty(cell))
		return fail(err, JAILHOUSE_CFG_ERR_CPU_NONE, 0, 0);
	if (!check_mem_regions(cell, root, err))
		return false;
	if (!root && !check_reset_address(cell, err))
		return false;
	if (cell->num_irqchips > CONFIG_MAX_IRQCHIPS)
		return fail(err, JAILHOUSE_CFG_ERR_IRQCHIP, CONFIG_MAX_IRQCHIPS,
			    0);
	if (!check_pio(cell, err))
		return false;
	return check_pci(cell, err);
}

bool config_check_cell(const struct jailhouse_cell_desc *cell, u64 size,
		       struct config_error *err)
{
	struct config_error dummy;

	if (!err)
		err = &dummy;
	if (!cell || size < sizeof(*cell))
		return fail(err, JAILHOUSE_CFG_ERR_TRUNCATED, 0, 0);
	if (!check_desc_header(cell, err))
		return false;
	if (size > CONFIG_MAX_SIZE)
		return fail(err, JAILHOUSE_CFG_ERR_TOO_LARGE, 0, 0);
	if (config_cell_size(cell) != size)
		return fail(err, JAILHOUSE_CFG_ERR_SIZE, 0, 0);
	if (!check_cell_body(cell, false, err))
		return false;
	return ok(err);
}

static bool check_hypervisor_memory(const struct jailhouse_memory *hv,
				    struct config_error *err)
{
	if (hv->size == 0)
		return fail(err, JAILHOUSE_CFG_ERR_MEM_EMPTY, 0, 0);
	if (!PAGE_ALIGNED(hv->phys_start) || !PAGE_ALIGNED(hv->size))
		return fail(err, JAILHOUSE_CFG_ERR_MEM_ALIGN, 0, 0);
	if (range_wraps(hv->phys_start, hv->size))
		return fail(err, JAILHOUSE_CFG_ERR_MEM_OVERFLOW, 0, 0);
	return true;
}

/*
 * What the AMD-Vi driver needs of a unit: a register block that holds the
 * command buffer and event log pointers (0x2000-0x2027), capabilities in
 * the capability part of a config space, and a device range.
 */
static bool amd_unit_valid(const struct jailhouse_iommu *unit)
{
	return unit->base && PAGE_ALIGNED(unit->base) &&
	       unit->size >= JAILHOUSE_IOMMU_AMD_MIN_SIZE &&
	       !range_wraps(unit->base, unit->size) &&
	       unit->amd_base_cap >= 0x40 && unit->amd_msi_cap >= 0x40 &&
	       unit->amd_first_device <= unit->amd_last_device;
}

/* One known type for every unit: each type has its own driver. */
static bool check_iommu_units(const struct jailhouse_system *system,
			      struct config_error *err)
{
	const struct jailhouse_iommu *unit = system->platform_info.iommu_units;
	u32 i;

	for (i = 0; i < system->platform_info.num_iommu_units; i++) {
		if (unit[i].type != JAILHOUSE_IOMMU_INTEL &&
		    unit[i].type != JAILHOUSE_IOMMU_AMD)
			return fail(err, JAILHOUSE_CFG_ERR_IOMMU_TYPE, i, 0);
		if (unit[i].type != unit[0].type)
			return fail(err, JAILHOUSE_CFG_ERR_IOMMU_TYPE, i, 0);
		if (unit[i].type == JAILHOUSE_IOMMU_AMD &&
		    !amd_unit_valid(&unit[i]))
			return fail(err, JAILHOUSE_CFG_ERR_IOMMU_UNIT, i, 0);
	}
	return true;
}

static bool check_platform(const struct jailhouse_system *system,
			   struct config_error *err)
{
	u32 con_type = system->debug_console.flags;
	u8 apic_mode = system->platform_info.apic_mode;

	/* More units than the fixed array holds: contents beyond the size. */
	if (system->platform_info.num_iommu_units > JAILHOUSE_MAX_IOMMU_UNITS)
		return fail(err, JAILHOUSE_CFG_ERR_SIZE,
			    system->platform_info.num_iommu_units, 0);
	if (!check_iommu_units(system, err))
		return false;
	if (con_type != JAILHOUSE_CON_TYPE_NONE &&
	    con_type != JAILHOUSE_CON_TYPE_8250)
		return fail(err, JAILHOUSE_CFG_ERR_FLAGS, 0, 0);
	if (con_type == JAILHOUSE_CON_TYPE_8250 &&
	    system->debug_console.address > 0x10000 - 8)
		return fail(err, JAILHOUSE_CFG_ERR_PIO_RANGE, 0, 0);
	if (apic_mode != JAILHOUSE_APIC_MODE_XAPIC &&
	    apic_mode != JAILHOUSE_APIC_MODE_X2APIC)
		return fail(err, JAILHOUSE_CFG_ERR_FLAGS, 0, 0);
	return true;
}

/*
 * The units are the hypervisor's: no root region over their registers,
 * and on AMD-Vi, where the unit is a PCI function, not that function
 * either (its capability relocates the registers and routes its events).
 * Every device sits in the range of the unit it names.
 */
static bool check_root_against_units(const struct jailhouse_system *system,
				     struct config_error *err)
{
	const struct jailhouse_iommu *unit = system->platform_info.iommu_units;
	const struct jailhouse_cell_desc *root = &system->root_cell;
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(root);
	const struct jailhouse_pci_device *dev =
		jailhouse_cell_pci_devices(root);
	u32 units = system->platform_info.num_iommu_units;
	u32 i, u;

	for (u = 0; u < units; u++)
		for (i = 0; i < root->num_memory_regions; i++)
			if (ranges_overlap(mem[i].phys_start, mem[i].size,
					   unit[u].base, unit[u].size))
				return fail(err, JAILHOUSE_CFG_ERR_IOMMU_CLAIMED,
					    i, u);
	if (unit[0].type != JAILHOUSE_IOMMU_AMD)
		return true;
	for (i = 0; i < root->num_pci_devices; i++) {
		for (u = 0; u < units; u++)
			if (dev[i].bdf == unit[u].amd_bdf)
				return fail(err, JAILHOUSE_CFG_ERR_IOMMU_CLAIMED,
					    i, u);
		u = dev[i].iommu;
		if (dev[i].bdf < unit[u].amd_first_device ||
		    dev[i].bdf > unit[u].amd_last_device)
			return fail(err, JAILHOUSE_CFG_ERR_IOMMU_SCOPE, i, u);
	}
	return true;
}

static bool check_root_specific(const struct jailhouse_system *system,
				struct config_error *err)
{
	const struct jailhouse_cell_desc *root = &system->root_cell;
	const struct jailhouse_memory *hv = &system->hypervisor_memory;
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(root);
	const struct jailhouse_pci_device *dev =
		jailhouse_cell_pci_devices(root);
	u32 units = system->platform_info.num_iommu_units;
	u32 i;

	for (i = 0; i < root->num_memory_regions; i++)
		if (ranges_overlap(mem[i].phys_start, mem[i].size,
				   hv->phys_start, hv->size))
			return fail(err, JAILHOUSE_CFG_ERR_MEM_HYPERVISOR, i,
				    0);
	if (units == 0)
		return true;
	for (i = 0; i < root->num_pci_devices; i++)
		if (dev[i].iommu >= units)
			return fail(err, JAILHOUSE_CFG_ERR_PCI_IOMMU, i, 0);
	return check_root_against_units(system, err);
}

bool config_check_system(const struct jailhouse_system *system, u64 size,
			 struct config_error *err)
{
	struct config_error dummy;

	if (!err)
		err = &dummy;
	if (!system || size < sizeof(*system))
		return fail(err, JAILHOUSE_CFG_ERR_TRUNCATED, 0, 0);
	if (memcmp(system->signature, JAILHOUSE_SYSTEM_SIGNATURE,
		   JAILHOUSE_SIGNATURE_SIZE) != 0)
		return fail(err, JAILHOUSE_CFG_ERR_SIGNATURE, 0, 0);
	if (system->revision != JAILHOUSE_CONFIG_REVISION)
		return fail(err, JAILHOUSE_CFG_ERR_REVISION, 0, 0);
	if (system->architecture != JAILHOUSE_ARCH_X86)
		return fail(err, JAILHOUSE_CFG_ERR_ARCH, 0, 0);
	if (size > CONFIG_MAX_SIZE)
		return fail(err, JAILHOUSE_CFG_ERR_TOO_LARGE, 0, 0);
	if (config_system_size(system) != size)
		return fail(err, JAILHOUSE_CFG_ERR_SIZE, 0, 0);
	/* No system-wide flags are defined yet. */
	if (system->flags != 0)
		return fail(err, JAILHOUSE_CFG_ERR_FLAGS, 0, 0);
	if (!check_desc_header(&system->root_cell, err))
		return false;
	if (!check_hypervisor_memory(&system->hypervisor_memory, err))
		return false;
	if (!check_platform(system, err))
		return false;
	if (!check_cell_body(&system->root_cell, true, err))
		return false;
	if (!check_root_specific(system, err))
		return false;
	return ok(err);
}

#define ERROR_TEXT(code, err_no, text) [JAILHOUSE_##code] = text,
#define ERROR_ERRNO(code, err_no, text) [JAILHOUSE_##code] = err_no,

static const char *const error_texts[JAILHOUSE_CFG_NUM_ERRORS] = {
	JAILHOUSE_CONFIG_ERRORS(ERROR_TEXT)
};
static const u16 error_errnos[JAILHOUSE_CFG_NUM_ERRORS] = {
	JAILHOUSE_CONFIG_ERRORS(ERROR_ERRNO)
};

static bool code_known(enum jailhouse_config_error code)
{
	return (unsigned int)code < JAILHOUSE_CFG_NUM_ERRORS;
}

const char *config_error_text(enum jailhouse_config_error code)
{
	return code_known(code) ? error_texts[code] : "unknown config error";
}

int config_error_errno(enum jailhouse_config_error code)
{
	/* EINVAL for anything the table does not know. */
	return code_known(code) ? error_errnos[code] : 22;
}
