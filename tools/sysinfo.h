/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers of what `jailhouse config create` and `hardware check` read from
 * a machine: ACPI tables (acpi.c, dmar.c, ivrs.c), PCI config space
 * (pci_config.c) and the text files of procfs and sysfs (procfs.c).
 *
 * Each parser is a pure function over a buffer and its length: it reads
 * nothing outside [buf, buf + len), trusts no length or offset in the data
 * before checking it against len, fills a fixed-size result, and on bad
 * input returns -1 with a sentence in err saying what is wrong and where
 * (an offset or a line number); the caller adds the file's name.
 */
#ifndef _TOOLS_SYSINFO_H
#define _TOOLS_SYSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ERR_LEN 200

/* Little-endian fields at any alignment; callers check the bounds. */
static inline uint16_t get16(const uint8_t *p)
{
	return p[0] | (uint16_t)p[1] << 8;
}

static inline uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static inline uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* snprintf into an ERR_LEN buffer, returning -1 for the caller. */
int parse_error(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- ACPI (acpi.c) ------------------------------------------------------ */

#define ACPI_HEADER_LEN 36

/*
 * Checks the common header: at least 36 bytes, the signature, a length
 * field that the buffer covers, a checksum summing to zero. Returns the
 * table's own length (which bounds all further parsing) or 0 with err.
 */
size_t acpi_check_table(const void *buf, size_t len, const char *sig,
			char *err);

#define MADT_MAX_CPUS 1024
#define MADT_MAX_IOAPICS 16

struct madt_cpu {
	uint32_t apic_id;
	uint32_t uid;
	bool enabled; /* enabled, or online capable */
	bool x2apic; /* from an x2APIC entry */
};

struct madt_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;
};

struct madt {
	uint64_t lapic_address;
	uint32_t flags;
	unsigned int num_cpus;
	struct madt_cpu cpus[MADT_MAX_CPUS];
	unsigned int num_ioapics;
	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
};

int acpi_parse_madt(const void *buf, size_t len, struct madt *madt, char *err);

struct fadt {
	uint32_t pm_timer_port; /* 0: none */
	bool pm_timer_32bit;
	bool from_x_field; /* X_PM_TMR_BLK gave it */
};

int acpi_parse_fadt(const void *buf, size_t len, struct fadt *fadt, char *err);

#define MCFG_MAX 16

struct mcfg_entry {
	uint64_t base;
	uint16_t segment;
	uint8_t start_bus, end_bus;
};

struct mcfg {
	unsigned int count;
	struct mcfg_entry entries[MCFG_MAX];
};

int acpi_parse_mcfg(const void *buf, size_t len, struct mcfg *mcfg, char *err);

/* ---- IOMMU units: DMAR (dmar.c) and IVRS (ivrs.c) ------------------------ */

enum iommu_kind { IOMMU_VTD, IOMMU_AMDVI };

#define IOMMU_MAX_UNITS 16
#define IOMMU_MAX_SCOPES 256
#define IOMMU_MAX_PATH 8

/* Where a scope entry points: a device, or everything behind a bridge. */
enum scope_kind {
	SCOPE_ENDPOINT = 1,
	SCOPE_BRIDGE = 2, /* the bridge and everything behind it */
	SCOPE_IOAPIC = 3,
	SCOPE_HPET = 4,
	SCOPE_RANGE = 5, /* IVRS: devids first..last */
};

struct iommu_scope {
	enum scope_kind kind;
	unsigned int unit;
	uint16_t segment;
	uint8_t start_bus;
	uint8_t path_len; /* DMAR: (device, function) hops from start_bus */
	uint8_t path[IOMMU_MAX_PATH][2];
	uint16_t first, last; /* IVRS: requester ids */
	uint8_t enum_id; /* IOAPIC or HPET id */
};

struct iommu_unit {
	enum iommu_kind kind;
	uint64_t base;
	uint32_t size;
	uint16_t segment;
	bool include_all; /* DMAR INCLUDE_PCI_ALL */
	uint8_t flags;
	uint16_t devid; /* IVRS: the unit's own requester id */
	uint16_t cap_offset;
	uint8_t ivhd_type; /* IVRS: 10h, 11h or 40h */
	uint64_t efr; /* IVRS: extended features, if given */
};

struct iommu_info {
	unsigned int num_units;
	struct iommu_unit units[IOMMU_MAX_UNITS];
	unsigned int num_scopes;
	struct iommu_scope scopes[IOMMU_MAX_SCOPES];
	uint8_t host_address_width; /* DMAR */
	uint8_t dmar_flags; /* DMAR: bit 0 INTR_REMAP, bit 1 X2APIC_OPT_OUT */
	uint32_t ivinfo; /* IVRS */
	unsigned int skipped; /* structures of other kinds, skipped */
};

int acpi_parse_dmar(const void *buf, size_t len, struct iommu_info *info,
		    char *err);
int acpi_parse_ivrs(const void *buf, size_t len, struct iommu_info *info,
		    char *err);

/* ---- PCI config space (pci_config.c) ------------------------------------- */

#define PCI_MAX_SECURE_CAPS 4

/*
 * A secure device capability (id 0Fh) is how an AMD-Vi unit shows in its
 * own function: its header at pos, the unit's register base (bit 0: the
 * firmware enabled it) at pos + 4 and pos + 8.
 */
struct pci_secure_cap {
	uint8_t pos;
	bool have_base; /* the 12 bytes lie within what was read */
	uint64_t base;
};

struct pci_caps {
	bool msi, msi_64bit, msi_maskable;
	uint8_t msi_pos; /* offset of the first MSI capability */
	unsigned int msi_vectors;
	bool msix;
	unsigned int msix_vectors;
	uint8_t msix_table_bar, msix_pba_bar;
	uint32_t msix_table_offset, msix_pba_offset;
	bool pcie;
	uint8_t pcie_type;
	bool pm;
	unsigned int num_secure;
	struct pci_secure_cap secure[PCI_MAX_SECURE_CAPS];
	unsigned int count; /* capabilities found */
};

struct pci_config {
	uint16_t vendor, device;
	uint32_t class_code; /* class, subclass, prog-if */
	uint8_t header_type; /* 0 device, 1 bridge, 2 CardBus */
	bool multifunction;
	unsigned int num_bars;
	uint32_t bars[6]; /* raw registers */
	uint8_t secondary_bus, subordinate_bus; /* bridges */
	struct pci_caps caps;
};

int pci_parse_config(const void *buf, size_t len, struct pci_config *cfg,
		     char *err);

/* ---- procfs and sysfs text (procfs.c) -------------------------------------
 */

#define RES_MAX 1024
#define RES_NAME_LEN 64

struct resource {
	uint64_t start, end; /* inclusive, as the kernel prints them */
	unsigned int depth;
	char name[RES_NAME_LEN];
};

struct resources {
	unsigned int count;
	struct resource res[RES_MAX];
};

/* /proc/iomem and /proc/ioports: "  start-end : name" lines. */
int parse_resources(const char *buf, size_t len, struct resources *res,
		    char *err);

/* "0-3,5,8-9" into a bitmap of max bits; an empty list is an error. */
int parse_cpu_list(const char *buf, size_t len, uint64_t *bitmap,
		   unsigned int max, char *err);

#define MEMMAP_MAX 8

struct memmap_arg {
	uint64_t start, size;
};

struct cmdline {
	unsigned int num_reserved; /* memmap=SIZE$START */
	struct memmap_arg reserved[MEMMAP_MAX];
	bool intel_iommu_off, amd_iommu_off, intremap_off, nox2apic;
	bool iommu_pt;
};

int parse_cmdline(const char *buf, size_t len, struct cmdline *cmd, char *err);

#define CPUINFO_MAX 1024

struct cpuinfo {
	unsigned int count;
	char vendor[16];
	char model_name[64];
	uint32_t apic_ids[CPUINFO_MAX];
	bool has_apicid;
	char flags[4096]; /* of the first processor, space separated */
};

int parse_cpuinfo(const char *buf, size_t len, struct cpuinfo *info, char *err);
bool cpuinfo_has(const struct cpuinfo *info, const char *flag);

/* A number as sysfs writes it ("0x9fbff", "4096"), whole buffer. */
int parse_sysfs_u64(const char *buf, size_t len, uint64_t *val, char *err);

/* The kernel log (kernel_log.c): what Linux says it chose and found. */
enum { KLOG_UNKNOWN, KLOG_XAPIC, KLOG_X2APIC };

struct vtd_regs {
	uint64_t cap, ecap;
	uint8_t version; /* major << 4 | minor */
};

/* The APIC mode Linux's last word on it names, KLOG_UNKNOWN if none. */
int klog_apic_mode(const char *buf, size_t len);
/* The capability registers Linux printed for the VT-d unit at base. */
bool klog_vtd_regs(const char *buf, size_t len, uint64_t base,
		   struct vtd_regs *regs);

#endif
