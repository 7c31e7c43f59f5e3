/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What VT-d and AMD-Vi do alike: a cell's DMA regions in its IOMMU tables,
 * which cell owns which interrupt remapping entry, and whether an
 * interrupt a cell asks for may be remapped for it. Each unit type keeps
 * its own tables and entry formats; the rules are here once.
 */
#ifndef _ASM_IOMMU_COMMON_H
#define _ASM_IOMMU_COMMON_H

#include <core/arch.h>
#include <core/cell.h>
#include <core/page_pool.h>
#include <asm/iommu.h>

/* Keeps the compiler from moving table stores past an MMIO write. */
static inline void iommu_barrier(void)
{
	asm volatile("" : : : "memory");
}

/*
 * A table store the units must see. Units whose walks do not snoop the
 * caches read memory, so the store is flushed there first; each step of
 * an ordered update is published on its own.
 */
static inline void iommu_publish(const void *p, unsigned long size,
				 bool coherent)
{
	if (coherent)
		iommu_barrier();
	else
		arch_flush_for_device(p, size);
}

/* Where the unit finds a table the pool gave. */
static inline u64 iommu_phys(const void *virt)
{
	return page_pool_virt2phys(&mem_pool, virt);
}

/* A unit type's remapping entries and the cell each belongs to. */
struct iommu_irte_owners {
	const char *unit; /* "VT-d", "AMD-Vi": the log lines' prefix */
	struct cell **owner;
	unsigned int entries;
	unsigned int first; /* entries below it are never handed out */
};

/* count contiguous free entries for the cell: the first, or -errno. */
int iommu_irtes_alloc(struct iommu_irte_owners *t, struct cell *cell,
		      unsigned int count);
/* The entry is the cell's; otherwise a log line says whose it is. */
bool iommu_irte_owned(const struct iommu_irte_owners *t,
		      const struct cell *cell, unsigned int index);
/* [first, first + count) lies in the table; otherwise logged. */
bool iommu_irtes_in_table(const struct iommu_irte_owners *t,
			  const struct cell *cell, unsigned int first,
			  unsigned int count);

/*
 * The number of units the system config names: above the format's limit
 * -EINVAL, none a warning that DMA is not isolated; logged either way.
 */
int iommu_units_configured(const char *unit,
			   const struct jailhouse_system *system);

/* The domain ids of a unit type: one per cell with DMA tables. */
struct iommu_domains {
	const char *unit; /* "VT-d", "AMD-Vi": the log lines' prefix */
	u64 *map; /* a bit per id in use */
	struct cell **cell; /* the cell of each id in use */
	unsigned int limit; /* ids 1 to limit - 1; 0 is no cell's */
};

/*
 * The cell's DMA tables in fmt, flushed for the unit where its walks do
 * not snoop, and a domain id for them: 0, or -errno with nothing kept.
 */
int iommu_cell_dma_init(struct iommu_domains *d, struct cell *cell,
			const struct paging_format *fmt, bool coherent);
/* Both given back; nothing for a cell that has none. */
void iommu_cell_dma_exit(struct iommu_domains *d, struct cell *cell);

/*
 * A DMA region of the cell into its IOMMU tables (cell->arch.dma, built by
 * the core's engine in the unit type's format), or out of them. Regions
 * without JAILHOUSE_MEM_DMA, or that grant no access, are left alone.
 */
int iommu_dma_map(const char *unit, struct cell *cell,
		  const struct jailhouse_memory *mem);
int iommu_dma_unmap(struct cell *cell, const struct jailhouse_memory *mem);

/* An IOAPIC the cell's config lists has this requester id. */
bool iommu_cell_has_ioapic(const struct cell *cell, u16 source_id);
/*
 * The interrupt may reach what it names: an allowed delivery mode, a legal
 * vector, a destination the entry format holds (wide: 32 bits, else 8)
 * and a CPU of the cell. -EPERM with a log line naming source, APIC and
 * vector otherwise.
 */
int iommu_check_irq(const char *unit, const struct cell *cell, u16 source_id,
		    const struct iommu_irq *irq, bool wide);

#endif
