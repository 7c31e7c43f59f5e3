/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's VT-d hardware: DMA remapping units with a register file on
 * the MMIO bus, caches that keep stale entries until software invalidates
 * them, queued invalidation, fault recording and interrupt remapping.
 *
 * The table walks here are written from the specification independently of
 * the hypervisor's page-table engine, so that tests can use them as an
 * oracle for what a device can really reach.
 *
 * Units live on the MMIO bus, which sim_phys_init() empties: call
 * sim_dmar_reset() and add units after it.
 */
#ifndef _SIM_DMAR_H
#define _SIM_DMAR_H

#include <core/types.h>

#define SIM_DMAR_MAX_UNITS 8
#define SIM_DMAR_REG_SIZE 0x1000

/* Register offsets (VT-d spec chapter 10) */
#define DMAR_VER 0x00
#define DMAR_CAP 0x08
#define DMAR_ECAP 0x10
#define DMAR_GCMD 0x18
#define DMAR_GSTS 0x1c
#define DMAR_RTADDR 0x20
#define DMAR_CCMD 0x28
#define DMAR_FSTS 0x34
#define DMAR_FECTL 0x38
#define DMAR_FEDATA 0x3c
#define DMAR_FEADDR 0x40
#define DMAR_FEUADDR 0x44
#define DMAR_IQH 0x80
#define DMAR_IQT 0x88
#define DMAR_IQA 0x90
#define DMAR_ICS 0x9c
#define DMAR_IRTA 0xb8

/* Where this model puts the register blocks that CAP/ECAP point to */
#define DMAR_MODEL_FRO 0x200 /* fault recording, CAP.FRO * 16 */
#define DMAR_MODEL_IRO 0x100 /* IVA then IOTLB, ECAP.IRO * 16 */
#define DMAR_MODEL_IVA DMAR_MODEL_IRO
#define DMAR_MODEL_IOTLB (DMAR_MODEL_IRO + 8)

/* CAP */
#define DMAR_CAP_ND_SHIFT 0
#define DMAR_CAP_CM (1ULL << 7)
#define DMAR_CAP_SAGAW_SHIFT 8
#define DMAR_CAP_SAGAW_39 (1ULL << 9) /* 3-level tables */
#define DMAR_CAP_SAGAW_48 (1ULL << 10) /* 4-level tables */
#define DMAR_CAP_MGAW_SHIFT 16
#define DMAR_CAP_FRO_SHIFT 24
#define DMAR_CAP_SLLPS_2M (1ULL << 34)
#define DMAR_CAP_SLLPS_1G (1ULL << 35)
#define DMAR_CAP_PSI (1ULL << 39)
#define DMAR_CAP_NFR_SHIFT 40
#define DMAR_CAP_MAMV_SHIFT 48

/* ECAP */
#define DMAR_ECAP_C (1ULL << 0)
#define DMAR_ECAP_QI (1ULL << 1)
#define DMAR_ECAP_IR (1ULL << 3)
#define DMAR_ECAP_EIM (1ULL << 4)
#define DMAR_ECAP_IRO_SHIFT 8

/* GCMD and GSTS share bit positions */
#define DMAR_GCMD_TE (1U << 31)
#define DMAR_GCMD_SRTP (1U << 30)
#define DMAR_GCMD_QIE (1U << 26)
#define DMAR_GCMD_IRE (1U << 25)
#define DMAR_GCMD_SIRTP (1U << 24)
#define DMAR_GCMD_CFI (1U << 23)

#define DMAR_RTADDR_TTM_MASK (3ULL << 10)

/* CCMD */
#define DMAR_CCMD_ICC (1ULL << 63)
#define DMAR_CCMD_CIRG_SHIFT 61
#define DMAR_CCMD_CAIG_SHIFT 59
#define DMAR_CCMD_SID_SHIFT 16
#define DMAR_CCMD_FM_SHIFT 32
#define DMAR_INV_GLOBAL 1ULL
#define DMAR_INV_DOMAIN 2ULL
#define DMAR_INV_DEVICE 3ULL /* context cache; "page" for the IOTLB */

/* IOTLB register */
#define DMAR_IOTLB_IVT (1ULL << 63)
#define DMAR_IOTLB_IIRG_SHIFT 60
#define DMAR_IOTLB_IAIG_SHIFT 57
#define DMAR_IOTLB_DID_SHIFT 32

/* FSTS and FECTL */
#define DMAR_FSTS_PFO (1U << 0)
#define DMAR_FSTS_PPF (1U << 1)
#define DMAR_FSTS_IQE (1U << 4)
#define DMAR_FSTS_FRI_SHIFT 8
#define DMAR_FECTL_IM (1U << 31)
#define DMAR_FECTL_IP (1U << 30)

/* Fault record, upper quadword */
#define DMAR_FRCD_F (1ULL << 63)
#define DMAR_FRCD_T_READ (1ULL << 62)
#define DMAR_FRCD_FR_SHIFT 32

#define DMAR_ICS_IWC 1U
#define DMAR_IQA_QS_MASK 7ULL
#define DMAR_IRTA_EIME (1ULL << 11)
#define DMAR_IRTA_S_MASK 0xfULL

/* Root, context and second-level entries */
#define DMAR_ROOT_P 1ULL
#define DMAR_CTX_P 1ULL
#define DMAR_CTX_FPD (1ULL << 1)
#define DMAR_CTX_TT_SHIFT 2
#define DMAR_CTX_AW_39 1ULL /* upper quadword */
#define DMAR_CTX_AW_48 2ULL
#define DMAR_CTX_DID_SHIFT 8 /* upper quadword */
#define DMAR_SL_R (1ULL << 0)
#define DMAR_SL_W (1ULL << 1)
#define DMAR_SL_PS (1ULL << 7)

/* Invalidation descriptors (128-bit) */
#define DMAR_QI_CC 0x1ULL
#define DMAR_QI_IOTLB 0x2ULL
#define DMAR_QI_IEC 0x4ULL
#define DMAR_QI_WAIT 0x5ULL
#define DMAR_QI_GRAN_SHIFT 4
#define DMAR_QI_DID_SHIFT 16
#define DMAR_QI_SID_SHIFT 32
#define DMAR_QI_IEC_INDEXED (1ULL << 4)
#define DMAR_QI_IEC_IM_SHIFT 27
#define DMAR_QI_IEC_IDX_SHIFT 32
#define DMAR_QI_WAIT_IF (1ULL << 4)
#define DMAR_QI_WAIT_SW (1ULL << 5)
#define DMAR_QI_WAIT_DATA_SHIFT 32

/* Interrupt remapping table entry */
#define DMAR_IRTE_P (1ULL << 0)
#define DMAR_IRTE_FPD (1ULL << 1)
#define DMAR_IRTE_DM (1ULL << 2)
#define DMAR_IRTE_TM (1ULL << 4)
#define DMAR_IRTE_DLM_SHIFT 5
#define DMAR_IRTE_VECTOR_SHIFT 16
#define DMAR_IRTE_DST_SHIFT 32
#define DMAR_IRTE_SQ_SHIFT 16 /* upper quadword */
#define DMAR_IRTE_SVT_SHIFT 18 /* upper quadword */
#define DMAR_SVT_NONE 0ULL
#define DMAR_SVT_SID 1ULL
#define DMAR_SVT_BUS_RANGE 2ULL

/* Remappable-format MSI address */
#define DMAR_MSI_BASE 0xfee00000ULL
#define DMAR_MSI_REMAPPABLE (1ULL << 4)
#define DMAR_MSI_SHV (1ULL << 3)

/* Fault reasons (VT-d spec appendix A) */
#define DMAR_FR_ROOT_NOT_PRESENT 0x01
#define DMAR_FR_CTX_NOT_PRESENT 0x02
#define DMAR_FR_CTX_INVALID 0x03
#define DMAR_FR_BEYOND_AW 0x04
#define DMAR_FR_WRITE 0x05
#define DMAR_FR_READ 0x06
#define DMAR_FR_SL_ACCESS 0x07
#define DMAR_FR_ROOT_ACCESS 0x08
#define DMAR_FR_CTX_ACCESS 0x09
#define DMAR_FR_ROOT_RESERVED 0x0a
#define DMAR_FR_CTX_RESERVED 0x0b
#define DMAR_FR_SL_RESERVED 0x0c
#define DMAR_FR_IR_DECODE 0x20
#define DMAR_FR_IR_INDEX 0x21
#define DMAR_FR_IR_NOT_PRESENT 0x22
#define DMAR_FR_IR_ACCESS 0x23
#define DMAR_FR_IR_RESERVED 0x24
#define DMAR_FR_IR_COMPAT 0x25
#define DMAR_FR_IR_SID 0x26

/* Adds a unit with its registers at base; returns its index or -errno. */
int sim_dmar_add_unit(u64 base);
/*
 * Whether units added from now on walk their tables coherently (ECAP.C,
 * the default). Without it they read memory as the CPU last flushed it
 * (sim_phys_device_read), as QEMU's VT-d model announces.
 */
void sim_dmar_set_coherent(bool coherent);
/* Forgets every unit, its caches, faults and device scopes. */
void sim_dmar_reset(void);
unsigned int sim_dmar_num_units(void);
/* Devices default to unit 0; this moves one to another unit. */
int sim_dmar_set_scope(unsigned int unit, u16 bdf);
/*
 * Replaces what CAP and ECAP report (e.g. to take away a feature); the model
 * honours SAGAW, SLLPS, NFR, FRO, QI, IR, EIM and IRO.
 */
void sim_dmar_set_caps(unsigned int unit, u64 cap, u64 ecap);

enum sim_dma_result {
	SIM_DMA_OK,
	SIM_DMA_ROOT_NOT_PRESENT,
	SIM_DMA_CONTEXT_NOT_PRESENT,
	SIM_DMA_CONTEXT_INVALID, /* translation type, address width */
	SIM_DMA_BEYOND_ADDRESS_WIDTH,
	SIM_DMA_SL_NOT_PRESENT, /* neither R nor W: recorded as 5h/6h */
	SIM_DMA_WRITE_DENIED,
	SIM_DMA_READ_DENIED,
	SIM_DMA_SL_RESERVED, /* reserved bits or PS where not allowed */
	SIM_DMA_TABLE_ERROR, /* a table pointer outside RAM */
	SIM_DMA_BAD_TARGET, /* translated, but no RAM there */
	SIM_DMA_ROOT_INVALID, /* reserved bits in the root entry */
};

const char *sim_dma_result_name(enum sim_dma_result result);

/*
 * A DMA read (device reads memory into buf) or write (buf into memory) of
 * len bytes by device bdf at bus address addr. Every page is translated
 * before anything is copied: a blocked request moves no data.
 */
enum sim_dma_result sim_dma(u16 bdf, u64 addr, u64 len, bool is_write,
			    void *buf);

/* What the unit recorded (or would have, when the records were full). */
struct sim_dmar_fault {
	u8 reason;
	u16 source_id;
	u64 address; /* page (bits 63:12) of a DMA fault; 0 for interrupts */
	u16 irte_index; /* interrupt faults */
	bool is_write; /* DMA faults */
	bool is_interrupt;
};

/* Faults detected by the unit, except where fault processing is off. */
unsigned long sim_dmar_fault_count(unsigned int unit);
/*
 * Fault event messages the unit sent (a fault recorded while FECTL.IM was
 * clear); the last one's address (FEUADDR:FEADDR) and data (FEDATA).
 */
unsigned long sim_dmar_fault_event(unsigned int unit, u64 *address,
				   u32 *data);
/* False if the unit has seen no fault since reset. */
bool sim_dmar_last_fault(unsigned int unit, struct sim_dmar_fault *fault);

enum sim_msi_status {
	SIM_MSI_DELIVERED,
	SIM_MSI_BLOCKED,
};

struct sim_msi_result {
	enum sim_msi_status status;
	bool remapped; /* went through an IRTE */
	u32 dest; /* APIC id: 8 bits in xAPIC mode, 32 with EIME */
	u8 vector;
	u8 delivery_mode;
	bool dest_logical;
	bool level;
	u16 index; /* interrupt_index, when remappable */
	u8 fault_reason; /* DMAR_FR_IR_*, when blocked */
};

/* An MSI write of data to addr by device bdf (or an IOAPIC's source id). */
enum sim_msi_status sim_msi(u16 bdf, u64 addr, u32 data,
			    struct sim_msi_result *out);

/* Bookkeeping for tests that check how software drives the unit. */
struct sim_dmar_stats {
	unsigned long context_invalidations;
	unsigned long iotlb_invalidations;
	unsigned long iec_invalidations;
	unsigned long wait_descriptors;
	unsigned long register_invalidations; /* via CCMD/IOTLB registers */
	unsigned long queued_descriptors;
	unsigned long cached_contexts; /* entries in the context cache now */
	unsigned long cached_translations; /* entries in the IOTLB now */
	unsigned long protocol_errors; /* misuse that hardware would punish */
};

void sim_dmar_get_stats(unsigned int unit, struct sim_dmar_stats *stats);
/* Text of the last misuse, "" if none. */
const char *sim_dmar_last_protocol_error(unsigned int unit);
/* Whether translation / interrupt remapping are on (GSTS.TES / IRES). */
bool sim_dmar_translation_enabled(unsigned int unit);
/*
 * GCMD enable bits (TE, IRE, ...) that every unit ignores from now on: the
 * status bit never follows, as with a unit that hangs.
 */
extern u32 sim_dmar_ignored_commands;
bool sim_dmar_remapping_enabled(unsigned int unit);

#endif
