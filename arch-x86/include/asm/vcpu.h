/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPU vendor seam: what the exit handlers, the CPU control code and the
 * bring-up need of the virtual CPU, whether Intel VMX (a VMCS, read and
 * written through VMREAD/VMWRITE) or AMD SVM (a VMCB in memory) keeps it.
 * Each extension fills one struct x86_vendor_ops (vmx_ops in vmx.c,
 * svm_ops in svm.c); x86_detect_vendor picks one at enable, and nothing
 * outside vmx.c, svm.c and their entry code names either extension.
 */
#ifndef _ASM_VCPU_H
#define _ASM_VCPU_H

#include <core/paging.h>
#include <core/percpu.h>
#include <asm/trapnr.h>

/* Guest registers the handlers use, wherever the vendor keeps them. */
enum vcpu_reg {
	VCPU_CR0,
	VCPU_CR0_SHADOW, /* CR0 as the guest reads it */
	VCPU_CR3,
	VCPU_CR4,
	VCPU_CR4_SHADOW, /* CR4 as the guest reads it */
	VCPU_PAT,
	VCPU_RIP,
	VCPU_RSP,
	VCPU_CS_BASE,
	VCPU_EFER, /* as the guest sees it: SVM's own enable bit hidden */
	VCPU_CS_ACCESS_RIGHTS, /* in the VMX layout, read only */
	VCPU_NUM_REGS,
};

struct x86_vendor_ops {
	const char *name;
	/* The cells' nested page tables: EPT or NPT. */
	const struct paging_format *nested_format;
	/* Whether nested paging may map 1 GiB pages on this CPU. */
	bool (*nested_1g_pages)(void);

	/* Into and out of the extension's operation, on the calling CPU. */
	int (*cpu_init)(struct per_cpu *cpu);
	/* Enters the guest; returns only if the CPU refused it. */
	int (*cpu_activate)(struct per_cpu *cpu);
	void (*cpu_exit)(struct per_cpu *cpu);
	/* Between cpu_init and cpu_exit. */
	bool (*cpu_on)(const struct per_cpu *cpu);

	void (*skip_instruction)(struct per_cpu *cpu);
	void (*advance_rip)(struct per_cpu *cpu, unsigned int length);
	void (*inject_exception)(struct per_cpu *cpu, u8 vector, u32 error);
	void (*inject_nmi)(struct per_cpu *cpu);
	/* The power-on/INIT register state, starting at address in real mode. */
	void (*reset)(struct per_cpu *cpu, u64 address);
	/* Real mode at segment:0, as a SIPI's vector names it. */
	void (*start_at_segment)(struct per_cpu *cpu, u64 base);
	/* The CPU stays in the hypervisor (parked, or waiting for a SIPI). */
	void (*set_halted)(struct per_cpu *cpu, bool halted);
	/* Lets one interrupt pending at this CPU's local APIC be taken. */
	void (*take_interrupt)(void);
	/* Loads the nested page tables and I/O bitmap of the CPU's cell. */
	void (*load_cell)(struct per_cpu *cpu);
	/* Drops every cached translation of the nested page tables. */
	void (*flush_all)(struct per_cpu *cpu);

	/* The current CPU's guest registers. */
	u64 (*get_reg)(enum vcpu_reg reg);
	void (*set_reg)(enum vcpu_reg reg, u64 value);
	/* The guest runs in IA-32e mode from the next entry on, or not. */
	void (*set_long_mode)(bool on);
	/*
	 * PAE paging outside long mode: the PDPTEs the CPU loaded, where it
	 * keeps them. False where it reads them from guest memory.
	 */
	bool (*get_pdptes)(u64 pdpte[4]);
};

extern const struct x86_vendor_ops vmx_ops;
extern const struct x86_vendor_ops svm_ops;

/* The extension in use, from x86_detect_vendor on. */
extern const struct x86_vendor_ops *x86_vendor;

/*
 * Picks the extension from the CPU's vendor: SVM on AMD (and Hygon), VMX
 * everywhere else. Called once before any CPU is set up.
 */
void x86_detect_vendor(void);

/*
 * Enters the guest built by arch_cpu_init on the calling CPU; returns only
 * if the CPU refused it (the reason in the log, the CPU back to Linux).
 */
static inline int x86_cpu_activate(struct per_cpu *cpu)
{
	return x86_vendor->cpu_activate(cpu);
}

static inline void vcpu_skip_instruction(struct per_cpu *cpu)
{
	x86_vendor->skip_instruction(cpu);
}

static inline void vcpu_advance_rip(struct per_cpu *cpu, unsigned int length)
{
	x86_vendor->advance_rip(cpu, length);
}

static inline void vcpu_reinject(struct per_cpu *cpu, u8 vector, u32 error)
{
	x86_vendor->inject_exception(cpu, vector, error);
}

static inline void vcpu_inject_gp(struct per_cpu *cpu)
{
	vcpu_reinject(cpu, X86_VECTOR_GP, 0);
}

static inline void vcpu_inject_ud(struct per_cpu *cpu)
{
	vcpu_reinject(cpu, X86_VECTOR_UD, 0);
}

static inline void vcpu_inject_nmi(struct per_cpu *cpu)
{
	x86_vendor->inject_nmi(cpu);
}

static inline void vcpu_reset(struct per_cpu *cpu, u64 address)
{
	x86_vendor->reset(cpu, address);
}

static inline void vcpu_set_halted(struct per_cpu *cpu, bool halted)
{
	x86_vendor->set_halted(cpu, halted);
}

static inline void vcpu_take_interrupt(void)
{
	x86_vendor->take_interrupt();
}

static inline void vcpu_start_at_segment(struct per_cpu *cpu, u64 base)
{
	x86_vendor->start_at_segment(cpu, base);
}

static inline void vcpu_load_cell(struct per_cpu *cpu)
{
	x86_vendor->load_cell(cpu);
}

static inline void vcpu_flush_all(struct per_cpu *cpu)
{
	x86_vendor->flush_all(cpu);
}

#define VCPU_ACCESSORS(name, reg)                                              \
	static inline u64 vcpu_get_##name(void)                                \
	{                                                                      \
		return x86_vendor->get_reg(reg);                               \
	}                                                                      \
	static inline void vcpu_set_##name(u64 value)                          \
	{                                                                      \
		x86_vendor->set_reg(reg, value);                               \
	}
VCPU_ACCESSORS(cr0, VCPU_CR0)
VCPU_ACCESSORS(cr0_shadow, VCPU_CR0_SHADOW)
VCPU_ACCESSORS(cr3, VCPU_CR3)
VCPU_ACCESSORS(cr4, VCPU_CR4)
VCPU_ACCESSORS(cr4_shadow, VCPU_CR4_SHADOW)
VCPU_ACCESSORS(pat, VCPU_PAT)
VCPU_ACCESSORS(rip, VCPU_RIP)
VCPU_ACCESSORS(rsp, VCPU_RSP)
VCPU_ACCESSORS(cs_base, VCPU_CS_BASE)
VCPU_ACCESSORS(efer, VCPU_EFER)

static inline u64 vcpu_get_cs_access_rights(void)
{
	return x86_vendor->get_reg(VCPU_CS_ACCESS_RIGHTS);
}

static inline void vcpu_set_long_mode(bool on)
{
	x86_vendor->set_long_mode(on);
}

static inline bool vcpu_get_pdptes(u64 pdpte[4])
{
	return x86_vendor->get_pdptes(pdpte);
}

#endif
