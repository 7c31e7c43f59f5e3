// SPDX-License-Identifier: GPL-2.0
/*
 * A cell's address spaces on x86: the nested page tables its CPUs walk (EPT
 * or NPT) and the IOMMU tables its devices walk, both built by the core's
 * page-table engine.
 */
#include <core/arch.h>
#include <core/cell.h>
#include <core/page_pool.h>
#include <asm/apic.h>
#include <asm/control.h>
#include <asm/hw.h>
#include <asm/ioapic.h>
#include <asm/page_formats.h>
#include <asm/pci.h>
#include <asm/pci_msi.h>
#include <asm/vcpu.h>
#include <asm/iommu.h>

static u32 page_flags_of(u64 mem_flags)
{
	u32 flags = 0;

	if (mem_flags & JAILHOUSE_MEM_READ)
		flags |= PAGE_FLAG_READ;
	if (mem_flags & JAILHOUSE_MEM_WRITE)
		flags |= PAGE_FLAG_WRITE;
	if (mem_flags & JAILHOUSE_MEM_EXECUTE)
		flags |= PAGE_FLAG_EXEC;
	if (mem_flags & JAILHOUSE_MEM_IO)
		flags |= PAGE_FLAG_DEVICE;
	return flags;
}

int arch_cell_create(struct cell *cell)
{
	int err = paging_create(&cell->arch.cpu_paging,
				x86_vendor->nested_format, &mem_pool);

	if (err)
		return err;
	err = iommu_cell_init(cell);
	if (err)
		goto out_paging;
	err = pci_cell_init(cell);
	if (err)
		goto out_iommu;
	err = apic_cell_init(cell);
	if (err)
		goto out_pci;
	err = ioapic_cell_init(cell);
	if (err)
		goto out_apic;
	return 0;

out_apic:
	apic_cell_exit(cell);
out_pci:
	pci_cell_exit(cell);
out_iommu:
	iommu_cell_exit(cell);
out_paging:
	paging_destroy(&cell->arch.cpu_paging);
	return err;
}

void arch_cell_destroy(struct cell *cell)
{
	ioapic_cell_exit(cell);
	apic_cell_exit(cell);
	pci_cell_exit(cell);
	iommu_cell_exit(cell);
	paging_destroy(&cell->arch.cpu_paging);
}

int arch_map_memory_region(struct cell *cell,
			   const struct jailhouse_memory *mem)
{
	int err = paging_map(&cell->arch.cpu_paging, mem->virt_start,
			     mem->phys_start, mem->size,
			     page_flags_of(mem->flags));

	if (err)
		return err;
	return iommu_map_memory_region(cell, mem);
}

int arch_unmap_memory_region(struct cell *cell,
			     const struct jailhouse_memory *mem)
{
	struct jailhouse_memory dma_view = *mem;
	int err = paging_unmap(&cell->arch.cpu_paging, mem->virt_start, mem->size);

	if (err)
		return err;
	/*
	 * Whatever the caller's flags say, devices must lose the range too:
	 * the root may have had DMA where the new cell has none.
	 */
	dma_view.flags |= JAILHOUSE_MEM_DMA;
	return iommu_unmap_memory_region(cell, &dma_view);
}

bool arch_translate_gpa(struct cell *cell, u64 gpa, u64 *hpa, u32 *flags)
{
	return paging_walk(&cell->arch.cpu_paging, gpa, hpa, flags, NULL);
}

void arch_config_commit(struct cell *cell_added_removed)
{
	/* Root's tables change with every reconfiguration: flush everyone. */
	x86_flush_cpus(NULL);
	iommu_config_commit(cell_added_removed);
	/* Pins and CPUs may have changed hands. */
	ioapic_reassign_pins(cell_added_removed);
}

int arch_pci_assign_device(struct cell *cell,
			   const struct jailhouse_pci_device *dev)
{
	return iommu_add_pci_device(cell, dev);
}

void arch_pci_release_device(struct cell *cell,
			     const struct jailhouse_pci_device *dev)
{
	(void)cell;
	msi_device_released(dev->bdf);
	iommu_remove_pci_device(dev);
}

void *arch_map_phys(u64 phys, u64 size)
{
	return hw_map_phys(phys, size);
}

void arch_unmap_phys(void *virt, u64 size)
{
	hw_unmap_phys(virt, size);
}
