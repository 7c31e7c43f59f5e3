/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMU seam: what cell memory, PCI, IOAPIC and MSI code and the exit
 * handlers need of the DMA and interrupt remapping units, whichever type
 * they are. Each unit type fills one struct iommu_ops (vtd_iommu_ops in
 * vtd.c, amdvi_iommu_ops in amd_iommu.c); arch_init_early picks one from
 * the system config, and nothing outside the type's own files names it.
 */
#ifndef _ASM_IOMMU_H
#define _ASM_IOMMU_H

#include <core/cell.h>
#include <jailhouse/cell-config.h>

/* Delivery modes a remapped interrupt may use (the APIC's encodings). */
#define IOMMU_DLM_FIXED 0
#define IOMMU_DLM_LOWEST_PRIO 1
#define IOMMU_DLM_NMI 4
#define IOMMU_DLM_EXTINT 7

/* What an interrupt source asked for, in physical destination mode. */
struct iommu_irq {
	u32 dest_apic_id;
	u8 vector;
	u8 delivery_mode; /* IOMMU_DLM_* */
	bool level; /* level-triggered (IOAPIC pins) */
};

/* The one CPU that reads the units' fault logs, on its NMI exits. */
#define IOMMU_FAULT_CPU 0

struct iommu_ops {
	const char *name;
	/* Finds the units of the system config; none: DMA not isolated. */
	int (*init)(const struct jailhouse_system *system);
	/* Translation and remapping on, once every CPU is up. */
	int (*enable)(void);
	/* The units back to Linux as it had them. */
	void (*shutdown)(void);

	/* A cell's DMA address space and its memory in it. */
	int (*cell_init)(struct cell *cell);
	void (*cell_exit)(struct cell *cell);
	int (*map_memory_region)(struct cell *cell,
				 const struct jailhouse_memory *mem);
	int (*unmap_memory_region)(struct cell *cell,
				   const struct jailhouse_memory *mem);
	int (*add_pci_device)(struct cell *cell,
			      const struct jailhouse_pci_device *dev);
	void (*remove_pci_device)(const struct jailhouse_pci_device *dev);
	/* Every change since the last commit is in force on return. */
	void (*config_commit)(struct cell *cell_added_removed);

	/* Logs and clears the recorded faults; true if there was any. */
	bool (*check_faults)(void);

	/*
	 * Interrupt remapping. Entries belong to cells; an entry accepts
	 * requests from exactly one source id of its cell and targets one CPU
	 * of it. Without remapping these succeed doing nothing.
	 */
	bool (*irq_remapping)(void);
	/* count contiguous entries for the cell: the first one, or -errno. */
	int (*alloc_irtes)(struct cell *cell, unsigned int count);
	void (*free_irtes)(struct cell *cell, unsigned int first,
			   unsigned int count);
	int (*map_interrupt)(struct cell *cell, u16 source_id,
			     unsigned int index, const struct iommu_irq *irq);
	/*
	 * The message a device sends to use entry index: VT-d names the
	 * entry in the address (data 0), AMD-Vi in the data (the address
	 * stays the APIC's).
	 */
	u64 (*msi_address)(unsigned int index);
	u32 (*msi_data)(unsigned int index);
	/*
	 * The IOAPIC redirection entry that uses entry index, from the bits
	 * the pin keeps of its own entry (vector, polarity, trigger mode,
	 * mask). VT-d: remappable format, the vector stays for EOIs; AMD-Vi:
	 * the vector field carries the index.
	 */
	u64 (*ioapic_entry)(unsigned int index, u64 pin_bits);

	/*
	 * Where root programs remapping itself (VT-d: Linux had interrupt
	 * remapping on when the hypervisor came), whether a remappable-format
	 * IOAPIC entry or MSI of root's names an entry of root's own range.
	 * NULL where the unit type never leaves remapping to root.
	 */
	bool (*root_ioapic_entry_ok)(u64 entry);
	bool (*root_msi_ok)(u64 address, u32 data);
};

extern const struct iommu_ops vtd_iommu_ops;
extern const struct iommu_ops amdvi_iommu_ops;

/* The unit type in use, from iommu_select on. */
extern const struct iommu_ops *iommu;

/* Picks the unit type the system config names. */
int iommu_select(const struct jailhouse_system *system);

static inline int iommu_init(const struct jailhouse_system *system)
{
	return iommu->init(system);
}

static inline int iommu_enable(void)
{
	return iommu->enable();
}

static inline void iommu_shutdown(void)
{
	iommu->shutdown();
}

static inline int iommu_cell_init(struct cell *cell)
{
	return iommu->cell_init(cell);
}

static inline void iommu_cell_exit(struct cell *cell)
{
	iommu->cell_exit(cell);
}

static inline int iommu_map_memory_region(struct cell *cell,
					  const struct jailhouse_memory *mem)
{
	return iommu->map_memory_region(cell, mem);
}

static inline int iommu_unmap_memory_region(struct cell *cell,
					    const struct jailhouse_memory *mem)
{
	return iommu->unmap_memory_region(cell, mem);
}

static inline int iommu_add_pci_device(struct cell *cell,
				       const struct jailhouse_pci_device *dev)
{
	return iommu->add_pci_device(cell, dev);
}

static inline void iommu_remove_pci_device(
	const struct jailhouse_pci_device *dev)
{
	iommu->remove_pci_device(dev);
}

static inline void iommu_config_commit(struct cell *cell_added_removed)
{
	iommu->config_commit(cell_added_removed);
}

static inline bool iommu_check_faults(void)
{
	return iommu->check_faults();
}

static inline bool iommu_irq_remapping(void)
{
	return iommu->irq_remapping();
}

static inline int iommu_alloc_irtes(struct cell *cell, unsigned int count)
{
	return iommu->alloc_irtes(cell, count);
}

static inline void iommu_free_irtes(struct cell *cell, unsigned int first,
				    unsigned int count)
{
	iommu->free_irtes(cell, first, count);
}

static inline int iommu_map_interrupt(struct cell *cell, u16 source_id,
				      unsigned int index,
				      const struct iommu_irq *irq)
{
	return iommu->map_interrupt(cell, source_id, index, irq);
}

static inline u64 iommu_msi_address(unsigned int index)
{
	return iommu->msi_address(index);
}

static inline u32 iommu_msi_data(unsigned int index)
{
	return iommu->msi_data(index);
}

static inline u64 iommu_ioapic_entry(unsigned int index, u64 pin_bits)
{
	return iommu->ioapic_entry(index, pin_bits);
}

static inline bool iommu_root_ioapic_entry_ok(u64 entry)
{
	return iommu->root_ioapic_entry_ok &&
	       iommu->root_ioapic_entry_ok(entry);
}

static inline bool iommu_root_msi_ok(u64 address, u32 data)
{
	return iommu->root_msi_ok && iommu->root_msi_ok(address, data);
}

#endif
