/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's AMD-Vi hardware, beside the VT-d model (sim/dmar.h):
 * units with their registers on the MMIO bus and their PCI function (IOMMU
 * and MSI capabilities) on the fake PCI bus, a device table lookup, the
 * I/O page walk, interrupt remapping tables, the command buffer and the
 * event log.
 *
 * Walks are written from the AMD IOMMU specification's entry layouts,
 * independently of the hypervisor's page-table engine, so tests can use
 * them as an oracle for what a device really reaches. Device table
 * entries, translations and interrupt entries are cached until a command
 * invalidates them. Units that are not coherent read their tables as the
 * CPU last flushed them (sim_phys_device_read).
 *
 * Where the specification leaves a choice, the model takes the strict
 * one and says so: a device table entry with V clear passes DMA and
 * interrupts untranslated; one with V set and TV clear also passes DMA
 * untranslated (a driver must block with TV set, mode 0, no IR/IW); page
 * tables do not skip levels and have no non-default page sizes (next
 * level 7); guest translation and guest interrupt mode are refused as
 * reserved.
 */
#ifndef _SIM_AMD_IOMMU_H
#define _SIM_AMD_IOMMU_H

#include <core/types.h>
#include <sim/dmar.h>

#define SIM_AMDVI_MAX_UNITS 8
#define SIM_AMDVI_REG_SIZE 0x4000

/* Register offsets */
#define SIM_AMDVI_DEV_TABLE_BASE 0x0000
#define SIM_AMDVI_CMD_BUF_BASE 0x0008
#define SIM_AMDVI_EVT_LOG_BASE 0x0010
#define SIM_AMDVI_CONTROL 0x0018
#define SIM_AMDVI_EXCL_BASE 0x0020
#define SIM_AMDVI_EXCL_LIMIT 0x0028
#define SIM_AMDVI_EXT_FEATURES 0x0030
#define SIM_AMDVI_CMD_BUF_HEAD 0x2000
#define SIM_AMDVI_CMD_BUF_TAIL 0x2008
#define SIM_AMDVI_EVT_LOG_HEAD 0x2010
#define SIM_AMDVI_EVT_LOG_TAIL 0x2018
#define SIM_AMDVI_STATUS 0x2020

/* Control */
#define SIM_AMDVI_CTRL_IOMMU_EN (1ULL << 0)
#define SIM_AMDVI_CTRL_EVT_LOG_EN (1ULL << 2)
#define SIM_AMDVI_CTRL_EVT_INT_EN (1ULL << 3)
#define SIM_AMDVI_CTRL_CMD_BUF_EN (1ULL << 12)
#define SIM_AMDVI_CTRL_GA_EN (1ULL << 17)
#define SIM_AMDVI_CTRL_XT_EN (1ULL << 50)

/* Extended features */
#define SIM_AMDVI_EFR_PREF (1ULL << 0)
#define SIM_AMDVI_EFR_XT (1ULL << 2)
#define SIM_AMDVI_EFR_IA (1ULL << 6)
#define SIM_AMDVI_EFR_GA (1ULL << 7)

/* Status */
#define SIM_AMDVI_STATUS_EVT_OVERFLOW (1ULL << 0)
#define SIM_AMDVI_STATUS_EVT_INT (1ULL << 1)
#define SIM_AMDVI_STATUS_COMP_WAIT_INT (1ULL << 2)
#define SIM_AMDVI_STATUS_EVT_RUN (1ULL << 3)
#define SIM_AMDVI_STATUS_CMD_RUN (1ULL << 4)

/* Event codes and IO_PAGE_FAULT flags */
#define SIM_AMDVI_EVT_ILLEGAL_DTE 0x1
#define SIM_AMDVI_EVT_IO_PAGE_FAULT 0x2
#define SIM_AMDVI_EVT_DEV_TAB_HW_ERROR 0x3
#define SIM_AMDVI_EVT_PAGE_TAB_HW_ERROR 0x4
#define SIM_AMDVI_EVT_ILLEGAL_COMMAND 0x5
#define SIM_AMDVI_EVT_FLAG_I (1U << 3)
#define SIM_AMDVI_EVT_FLAG_PR (1U << 4)
#define SIM_AMDVI_EVT_FLAG_RW (1U << 5)
#define SIM_AMDVI_EVT_FLAG_PE (1U << 6)
#define SIM_AMDVI_EVT_FLAG_RZ (1U << 7)

/*
 * Adds a unit: registers at base, its PCI function bdf with the IOMMU
 * capability at base_cap (registers enabled at base, as firmware leaves
 * them) and a 64-bit MSI capability at msi_cap, translating device ids
 * first..last. Returns its index or -errno.
 */
int sim_amdvi_add_unit(u64 base, u16 bdf, u8 base_cap, u8 msi_cap,
		       u16 first, u16 last);
/* Whether units added from now on read their tables coherently. */
void sim_amdvi_set_coherent(bool coherent);
/* Forgets every unit, its caches and events. */
void sim_amdvi_reset(void);
unsigned int sim_amdvi_num_units(void);
/* Replaces the extended feature register (e.g. to take IA or XT away). */
void sim_amdvi_set_efr(unsigned int unit, u64 efr);
/* Units stop fetching commands (a hung unit): waits never complete. */
extern bool sim_amdvi_stall_commands;

enum sim_amdvi_result {
	SIM_AMDVI_OK, /* reached memory (translated or not) */
	SIM_AMDVI_BLOCKED, /* the device entry grants no access */
	SIM_AMDVI_NOT_PRESENT, /* no page table entry for the address */
	SIM_AMDVI_WRITE_DENIED,
	SIM_AMDVI_READ_DENIED,
	SIM_AMDVI_RESERVED, /* reserved bits or a next level we refuse */
	SIM_AMDVI_ILLEGAL_DTE, /* the device table entry is malformed */
	SIM_AMDVI_BEYOND_TABLE, /* device id past the device table */
	SIM_AMDVI_TABLE_ERROR, /* a table outside RAM */
	SIM_AMDVI_BAD_TARGET, /* translated, but no RAM there */
	SIM_AMDVI_NOT_INTERRUPT, /* sim_amdvi_msi outside 0xfee00000 */
};

const char *sim_amdvi_result_name(enum sim_amdvi_result result);

/*
 * A DMA read (memory into buf) or write (buf into memory) of len bytes by
 * device devid at bus address addr. Every page is translated before
 * anything is copied: a blocked request moves no data.
 */
enum sim_amdvi_result sim_amdvi_dma(u16 devid, u64 addr, u64 len,
				    bool is_write, void *buf);

struct sim_amdvi_irq {
	enum sim_msi_status status;
	bool remapped; /* went through an interrupt table entry */
	u32 dest; /* APIC id: 8 bits, 32 with 128-bit entries and XTEn */
	u8 vector;
	u8 delivery_mode;
	bool dest_logical;
	u16 index; /* the entry used, when remapped */
	enum sim_amdvi_result why; /* when blocked */
};

/* An interrupt message of devid: data written to addr. */
enum sim_msi_status sim_amdvi_msi(u16 devid, u64 addr, u32 data,
				  struct sim_amdvi_irq *out);

/* What the unit wrote to its event log (or would have, when full). */
struct sim_amdvi_event {
	u8 code;
	u16 devid;
	u16 domain;
	u16 flags;
	u64 address;
};

/*
 * Logs an event as given (and announces it), as a unit that encodes its
 * events its own way would: QEMU 10's model sets I in the page faults of
 * DMA and leaves RW clear.
 */
void sim_amdvi_inject_event(unsigned int unit,
			    const struct sim_amdvi_event *event);
unsigned long sim_amdvi_event_count(unsigned int unit);
bool sim_amdvi_last_event(unsigned int unit, struct sim_amdvi_event *event);
/*
 * Event interrupts the unit sent through its MSI capability, and the last
 * one's address and data.
 */
unsigned long sim_amdvi_interrupts(unsigned int unit, u64 *address,
				   u32 *data);

struct sim_amdvi_stats {
	unsigned long commands;
	unsigned long completion_waits;
	unsigned long dte_invalidations;
	unsigned long page_invalidations;
	unsigned long irt_invalidations;
	unsigned long all_invalidations;
	unsigned long cached_dtes; /* entries cached now */
	unsigned long cached_translations;
	unsigned long cached_irtes;
	unsigned long events_lost; /* log full or off */
	unsigned long protocol_errors; /* misuse that hardware would punish */
};

void sim_amdvi_get_stats(unsigned int unit, struct sim_amdvi_stats *stats);
/* Text of the last misuse, "" if none. */
const char *sim_amdvi_last_protocol_error(unsigned int unit);
bool sim_amdvi_enabled(unsigned int unit);
u64 sim_amdvi_control(unsigned int unit);

#endif
