// SPDX-License-Identifier: GPL-2.0
/* What both IOMMU unit types do alike (see asm/iommu_common.h). */
#include <core/errno.h>
#include <core/page_pool.h>
#include <core/paging.h>
#include <core/printk.h>
#include <asm/apic.h>
#include <asm/iommu_common.h>

int iommu_units_configured(const char *unit,
			   const struct jailhouse_system *system)
{
	unsigned int n = system->platform_info.num_iommu_units;

	if (n > JAILHOUSE_MAX_IOMMU_UNITS) {
		printk("%s: %u units configured, at most %u supported\n", unit,
		       n, JAILHOUSE_MAX_IOMMU_UNITS);
		return -EINVAL;
	}
	if (n == 0)
		printk("WARNING: no %s unit configured: DMA of devices is "
		       "NOT isolated between cells\n", unit);
	return (int)n;
}

static int alloc_domain_id(struct iommu_domains *d)
{
	unsigned int id;

	for (id = 1; id < d->limit; id++)
		if (!(d->map[id / 64] & (1ULL << (id % 64)))) {
			d->map[id / 64] |= 1ULL << (id % 64);
			return id;
		}
	return -1;
}

static void free_domain_id(struct iommu_domains *d, u16 id)
{
	d->map[id / 64] &= ~(1ULL << (id % 64));
	d->cell[id] = NULL;
}

int iommu_cell_dma_init(struct iommu_domains *d, struct cell *cell,
			const struct paging_format *fmt, bool coherent)
{
	int id = alloc_domain_id(d), err;

	if (id < 0) {
		printk("%s: no free domain id for cell \"%s\"\n", d->unit,
		       cell_name(cell));
		return -ENOMEM;
	}
	err = paging_create(&cell->arch.dma, fmt, &mem_pool);
	if (err) {
		free_domain_id(d, id);
		return err;
	}
	if (!coherent)
		paging_set_noncoherent(&cell->arch.dma);
	cell->arch.domain_id = id;
	d->cell[id] = cell;
	return 0;
}

void iommu_cell_dma_exit(struct iommu_domains *d, struct cell *cell)
{
	if (!cell->arch.dma.root)
		return;
	paging_destroy(&cell->arch.dma);
	free_domain_id(d, cell->arch.domain_id);
	cell->arch.domain_id = 0;
}

static u32 dma_flags(const struct jailhouse_memory *mem)
{
	u32 flags = 0;

	if (mem->flags & JAILHOUSE_MEM_READ)
		flags |= PAGE_FLAG_READ;
	if (mem->flags & JAILHOUSE_MEM_WRITE)
		flags |= PAGE_FLAG_WRITE;
	return flags;
}

int iommu_dma_map(const char *unit, struct cell *cell,
		  const struct jailhouse_memory *mem)
{
	u32 flags = dma_flags(mem);
	int err;

	if (!(mem->flags & JAILHOUSE_MEM_DMA) || !flags)
		return 0;
	err = paging_map(&cell->arch.dma, mem->virt_start, mem->phys_start,
			 mem->size, flags);
	if (err)
		printk("%s: cell \"%s\": cannot map DMA region 0x%llx "
		       "(size 0x%llx): error %d\n", unit, cell_name(cell),
		       (unsigned long long)mem->virt_start,
		       (unsigned long long)mem->size, err);
	return err;
}

int iommu_dma_unmap(struct cell *cell, const struct jailhouse_memory *mem)
{
	if (!(mem->flags & JAILHOUSE_MEM_DMA))
		return 0;
	return paging_unmap(&cell->arch.dma, mem->virt_start, mem->size);
}

/* Entries [first, first + count) are all free, or the first taken one. */
static unsigned int free_run(const struct iommu_irte_owners *t,
			     unsigned int first, unsigned int count)
{
	unsigned int n;

	for (n = 0; n < count; n++)
		if (t->owner[first + n])
			break;
	return n;
}

int iommu_irtes_alloc(struct iommu_irte_owners *t, struct cell *cell,
		      unsigned int count)
{
	unsigned int first, n;

	if (count == 0 || count > t->entries)
		return -EINVAL;
	for (first = t->first; first + count <= t->entries; first += n + 1) {
		n = free_run(t, first, count);
		if (n < count)
			continue;
		for (n = 0; n < count; n++)
			t->owner[first + n] = cell;
		return first;
	}
	printk("%s: cell \"%s\": no %u free interrupt remapping entries\n",
	       t->unit, cell_name(cell), count);
	return -ENOMEM;
}

bool iommu_irte_owned(const struct iommu_irte_owners *t,
		      const struct cell *cell, unsigned int index)
{
	if (index < t->entries && t->owner[index] == cell)
		return true;
	if (index < t->entries && t->owner[index])
		printk("%s: cell \"%s\": IRTE %u belongs to cell \"%s\"\n",
		       t->unit, cell_name(cell), index,
		       cell_name(t->owner[index]));
	else
		printk("%s: cell \"%s\": IRTE %u is not allocated to it\n",
		       t->unit, cell_name(cell), index);
	return false;
}

bool iommu_irtes_in_table(const struct iommu_irte_owners *t,
			  const struct cell *cell, unsigned int first,
			  unsigned int count)
{
	if (first < t->entries && count <= t->entries - first)
		return true;
	printk("%s: cell \"%s\": cannot free IRTEs %u+%u\n", t->unit,
	       cell_name(cell), first, count);
	return false;
}

bool iommu_cell_has_ioapic(const struct cell *cell, u16 source_id)
{
	const struct jailhouse_irqchip *chip =
		jailhouse_cell_irqchips(cell->config);
	unsigned int n;

	for (n = 0; n < cell->config->num_irqchips; n++)
		if (chip[n].id == source_id)
			return true;
	return false;
}

static int refuse_irq(const char *unit, const struct cell *cell,
		      u16 source_id, const struct iommu_irq *irq,
		      const char *why)
{
	printk("%s: cell \"%s\": interrupt of %02x:%02x.%x to APIC %u "
	       "(vector 0x%x) refused: %s\n", unit, cell_name(cell),
	       source_id >> 8, (source_id >> 3) & 0x1f, source_id & 7,
	       irq->dest_apic_id, irq->vector, why);
	return -EPERM;
}

int iommu_check_irq(const char *unit, const struct cell *cell, u16 source_id,
		    const struct iommu_irq *irq, bool wide)
{
	int cpu = cpu_of_apic_id(irq->dest_apic_id);
	/* ExtINT asks the 8259 for the vector: root's chip. */
	bool extint = irq->delivery_mode == IOMMU_DLM_EXTINT &&
		      cell == &root_cell;

	if (irq->delivery_mode != IOMMU_DLM_FIXED &&
	    irq->delivery_mode != IOMMU_DLM_LOWEST_PRIO &&
	    irq->delivery_mode != IOMMU_DLM_NMI && !extint)
		return refuse_irq(unit, cell, source_id, irq,
				  "delivery mode not allowed");
	/* The local APIC drops vectors 0-15 as illegal. */
	if (irq->delivery_mode != IOMMU_DLM_NMI && !extint && irq->vector < 16)
		return refuse_irq(unit, cell, source_id, irq,
				  "illegal vector");
	/* No xAPIC CPU can have such an id: the format's limit first. */
	if (!wide && irq->dest_apic_id > 0xff)
		return refuse_irq(unit, cell, source_id, irq,
				  "beyond 8-bit xAPIC destinations");
	if (cpu < 0 || !cpu_set_test(&cell->cpus, cpu))
		return refuse_irq(unit, cell, source_id, irq,
				  "not a CPU of the cell");
	return 0;
}
