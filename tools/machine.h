/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A machine as `config create` and `hardware check` see it: the files
 * they read (machine.c reads them all first, so that `config collect`
 * can pack exactly those), then what the parsers made of them.
 */
#ifndef _TOOLS_MACHINE_H
#define _TOOLS_MACHINE_H

#include "sysroot.h"

#define MAX_PCI 512
#define MAX_FW_RANGES 256
#define MAX_NOTES 128
#define NOTE_LEN 240
#define MACHINE_MAX_CPUS 1024

struct raw_file {
	char rel[128];
	struct buffer buf;
	int err; /* errno of the read, 0 if read */
	bool is_link;
	char link[256];
};

struct raw_files {
	unsigned int count;
	struct raw_file *files;
};

struct fw_range {
	uint64_t start, end; /* inclusive */
	char type[48];
};

struct pci_dev {
	uint16_t domain;
	uint8_t bus, dev, fn;
	char name[16]; /* "0000:00:1f.2" */
	struct pci_config cfg;
	char driver[64]; /* "" when none is bound */
};

struct machine {
	const char *root; /* for messages */
	struct resources iomem, ioports;
	struct cpuinfo cpuinfo;
	uint64_t online[MACHINE_MAX_CPUS / 64];
	unsigned int num_online, max_cpu;
	struct cmdline cmdline;
	unsigned int num_fw;
	struct fw_range fw[MAX_FW_RANGES];
	bool have_memmap;
	bool have_madt, have_fadt, have_mcfg, have_dmar, have_ivrs;
	struct madt madt;
	struct fadt fadt;
	struct mcfg mcfg;
	struct iommu_info dmar, ivrs;
	unsigned int num_pci;
	struct pci_dev pci[MAX_PCI];
	/* From the kernel log, when it could be read (KLOG_*). */
	bool have_klog;
	int linux_apic_mode;
	bool vtd_regs_known[IOMMU_MAX_UNITS];
	struct vtd_regs vtd_regs[IOMMU_MAX_UNITS];
	unsigned int num_notes;
	char notes[MAX_NOTES][NOTE_LEN];
};

/* Reads every file create needs; missing optional ones are recorded. */
int machine_read_files(struct sysroot *root, struct raw_files *files);
void raw_files_free(struct raw_files *files);
/*
 * Parses what was read into m. On bad input prints "ROOT/FILE: what is
 * wrong" and returns an exit code; notes what it cannot tell in m.
 */
int machine_parse(const struct raw_files *files, struct machine *m);
void machine_note(struct machine *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Whether Linux runs its APICs in x2APIC mode: the CPU's x2apic flag
 * (without nox2apic) is not enough, Linux without interrupt remapping
 * stays in xAPIC mode and keeps the flag; the kernel log decides where
 * it says, else the flag does.
 */
bool machine_x2apic(const struct machine *m);
/* Linux remaps interrupts with the DMAR's units (offered, no intremap=off). */
bool machine_linux_remaps(const struct machine *m);
/* The device at domain:bdf, NULL if there is none. */
const struct pci_dev *machine_pci_at(const struct machine *m, uint16_t domain,
				     uint16_t bdf);
/*
 * Whether AMD-Vi unit i's function d carries the IOMMU capability where
 * the IVHD says, naming the same registers; if not, why
 * (amd_iommu_function.c).
 */
bool amdvi_function_ok(const struct machine *m, unsigned int i,
		       const struct pci_dev *d, char *why, size_t size);

/* Opens the root, reads and parses; 0 or an exit code, said. */
int read_machine(const char *rootpath, struct machine *m);

int config_create(int argc, char **argv);
int cmd_hardware(int argc, char **argv);
int config_collect(int argc, char **argv);

#endif
