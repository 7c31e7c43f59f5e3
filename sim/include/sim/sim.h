/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenario API of the simulator: boot the hypervisor on fake hardware from a
 * system config, act as root Linux (hypercalls, staging configs in its RAM)
 * and as guests (memory, MMIO, port I/O, faults), and look at the hardware
 * state the hypervisor programmed through independent decoders.
 */
#ifndef _SIM_SIM_H
#define _SIM_SIM_H

#include <stddef.h>
#include <core/types.h>
#include <sim/hw_state.h>
#include <sim/phys.h>

/* Fake RAM size: covers the 1 GiB machines of the configs. */
#define SIM_RAM_SIZE (1ULL << 30)
/* Where root Linux keeps a config while asking for a cell (in its RAM). */
#define SIM_STAGING_GPA 0x01000000ULL
/* The hypervisor image's share of its memory block; the rest is the pool. */
#define SIM_IMAGE_SIZE (256 * 1024ULL)

void *sim_read_file(const char *path, size_t *size);

/*
 * The core's enable (hv_enable_cpu) on every CPU, then each CPU's launch.
 * 0 or the first -errno a CPU returned.
 */
int sim_boot(const void *system_config, size_t size, unsigned int cpus);
/* What hv_enable_cpu returned on the CPU at the last boot. */
int sim_enable_result(unsigned int cpu);
/* CPUs that never enter at the next boot (the others must time out). */
extern u64 sim_enable_absent_cpus;
/*
 * Between these, device registers are reachable only by CPUs marked as
 * running on the hypervisor's page tables (the others would page-fault).
 */
void sim_bringup_begin(void);
void sim_bringup_end(void);
void sim_cpu_on_hv_tables(unsigned int cpu);
/* Host RIP, RSP and CR3 of a CPU, as the entry code sets them on hardware. */
void sim_prepare_host_state(unsigned int cpu);
/*
 * Called by sim_boot once the devices are attached, before the hypervisor
 * comes: what Linux or the firmware programmed earlier (set to NULL after).
 */
extern void (*sim_before_enable_hook)(void);
int sim_boot_file(const char *path, unsigned int cpus);
/* Frees what the hypervisor still holds (after a successful disable). */
void sim_shutdown(void);

long sim_hypercall(unsigned int cpu, unsigned long code, unsigned long arg1,
		   unsigned long arg2);
long sim_hypercall_cpl(unsigned int cpu, unsigned int cpl, unsigned long code,
		       unsigned long arg1, unsigned long arg2);
/* Copies a config into root RAM and issues JAILHOUSE_HC_CELL_CREATE. */
long sim_cell_create(unsigned int cpu, const void *config, size_t size);
long sim_cell_create_file(unsigned int cpu, const char *path);
/* Root writes an image into a loadable region (identity-mapped in root). */
bool sim_root_write(unsigned int cpu, u64 gpa, const void *data, size_t len);

enum sim_access {
	SIM_ACCESS_RAM, /* went to memory the cell may touch */
	SIM_ACCESS_MMIO, /* trapped and emulated by the hypervisor */
	SIM_ACCESS_FAULT, /* trapped and refused: the CPU's cell failed */
	SIM_CPU_STOPPED, /* the CPU runs no guest code (parked, suspended) */
};

enum sim_access sim_guest_read(unsigned int cpu, u64 gpa, unsigned int size,
			       u64 *value);
enum sim_access sim_guest_write(unsigned int cpu, u64 gpa, unsigned int size,
				u64 value);
enum sim_access sim_guest_pio(unsigned int cpu, u16 port, unsigned int size,
			      bool is_write, u32 *value);
enum sim_access sim_guest_triple_fault(unsigned int cpu);
/*
 * An access the EPT refused, as VMX reports it: only the address and the
 * direction. The hypervisor fetches and decodes the instruction at the
 * guest's RIP itself.
 */
enum sim_access sim_guest_ept_violation(unsigned int cpu, u64 gpa,
					bool is_write);
/* Any exit, as the vendor layer would hand it over (regs may be NULL). */
struct x86_exit;
enum sim_access sim_guest_exit(unsigned int cpu, struct x86_exit *exit);
bool sim_cpu_runs_guest(unsigned int cpu);
/* How often the hypervisor reset the CPU into its cell's start address. */
unsigned long sim_cpu_resets(unsigned int cpu);

/*
 * The oracle: walks the EPT that the CPU's VMCS points at (the nested
 * page tables of its VMCB on SVM), with the simulator's own decoder.
 * perms gets bit 0 read, 1 write, 2 execute.
 */
bool sim_ept_translate(unsigned int cpu, u64 gpa, u64 *hpa, u32 *perms);
bool sim_ept_walk(u64 eptp, u64 gpa, u64 *hpa, u32 *perms);
typedef void (*sim_ept_leaf_fn)(void *arg, u64 gpa, u64 hpa, u64 size,
				u32 perms);
/* The same for SVM's nested page tables, rooted at n_cr3. */
bool sim_npt_walk(u64 n_cr3, u64 gpa, u64 *hpa, u32 *perms);
/* Calls fn for every leaf (mapped page of any size) of an EPT. */
void sim_ept_for_each_leaf(u64 eptp, sim_ept_leaf_fn fn, void *arg);
void sim_npt_for_each_leaf(u64 n_cr3, sim_ept_leaf_fn fn, void *arg);
/* Where the CPU's guest runs now (VMCS or VMCB). */
u64 sim_guest_rip(unsigned int cpu);
u64 sim_guest_cs_base(unsigned int cpu);

/*
 * Whether the CPU's I/O bitmaps (VMCS) or I/O permission map (VMCB) let
 * this port through untrapped.
 */
bool sim_pio_passes(unsigned int cpu, u16 port);

/* Scripted inmates: how a cell's first CPU answers comm-region messages. */
enum sim_inmate {
	SIM_INMATE_NONE, /* runs nothing: never answers */
	SIM_INMATE_APPROVE, /* approves shutdown, acknowledges the rest */
	SIM_INMATE_DENY, /* denies every shutdown request */
	/* apic-demo: locks reconfiguration, denies the first request. */
	SIM_INMATE_LOCK_DENY_FIRST,
	SIM_INMATE_GARBAGE, /* answers with nonsense and a bogus state */
};
void sim_inmate_set(const char *cell_name, enum sim_inmate behaviour);
void sim_inmates_clear(void);
/* Lets running inmates act once, as if time passed on their CPUs. */
void sim_run_inmates(void);
unsigned int sim_inmate_requests_seen(const char *cell_name);

#endif
