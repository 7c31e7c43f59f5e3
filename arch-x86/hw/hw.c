// SPDX-License-Identifier: GPL-2.0
/*
 * The image's privileged operations that are more than one instruction:
 * reading the CPU state Linux left, the hypervisor's own address space and
 * mapping foreign memory. sim/ provides the same functions on fake
 * hardware. IPIs are apic.c's, through the raw APIC accessors of asm/hw.h.
 */
#include <core/cell.h>
#include <core/errno.h>
#include <core/printk.h>
#include <asm/apicdef.h>
#include <asm/boot.h>
#include <asm/cpu_state.h>
#include <asm/hv_paging.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/stack.h>
#include <jailhouse/header.h>

/* The window for foreign memory sits this far above the block. */
#define REMAP_GAP (1ULL << 30)

extern u8 __image_start[], hv_stacks[];

unsigned int hw_this_cpu_id(void)
{
	u64 rsp;

	/* Each CPU runs on its own slot of hv_stacks. */
	asm volatile("mov %%rsp, %0" : "=r"(rsp));
	return (unsigned int)((rsp - (u64)(uintptr_t)hv_stacks) >>
			      HV_STACK_SHIFT);
}

static void invlpg(u64 virt)
{
	asm volatile("invlpg (%0)" : : "r"(virt) : "memory");
}

void *hw_map_phys(u64 phys, u64 size)
{
	unsigned int cpu = hw_this_cpu_id(), page;
	void *virt = hv_paging_map_window(cpu, phys, size);

	for (page = 0; virt && page < HV_REMAP_PAGES; page++)
		invlpg(hv_paging_window_base(cpu) + page * PAGE_SIZE);
	return virt;
}

void hw_unmap_phys(void *virt, u64 size)
{
	(void)virt;
	(void)size;
}

void *hw_map_device(u64 phys, u64 size)
{
	return hv_paging_map_device(phys, size);
}

static void write_cr3(u64 value)
{
	asm volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

int hw_address_space_init(const struct jailhouse_system *system)
{
	struct jailhouse_header *hdr = (void *)__image_start;
	u64 base = (u64)(uintptr_t)__image_start;
	u64 size = system->hypervisor_memory.size;
	int err;

	err = hv_paging_init(base, system->hypervisor_memory.phys_start, size,
			     (base + size + REMAP_GAP) & ~(REMAP_GAP - 1),
			     hdr->online_cpus);
	if (err)
		return err;
	write_cr3(hv_paging_cr3());
	return 0;
}

void x86_enter_hv_address_space(unsigned int cpu_id)
{
	(void)cpu_id;
	write_cr3(hv_paging_cr3());
}

static u16 read_selector_cs(void)
{
	u16 v;

	asm volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

#define READ_SELECTOR(name, reg)                                               \
	static u16 read_selector_##name(void)                                  \
	{                                                                      \
		u16 v;                                                         \
		asm volatile("mov %%" #reg ", %0" : "=r"(v));                  \
		return v;                                                      \
	}
READ_SELECTOR(ds, ds)
READ_SELECTOR(es, es)
READ_SELECTOR(ss, ss)
READ_SELECTOR(fs, fs)
READ_SELECTOR(gs, gs)

/* VMX access-rights layout from LAR's result; null selectors unusable. */
static void describe_segment(struct x86_segment *seg, u16 selector)
{
	u32 ar = 0, limit = 0;
	u8 valid;

	seg->selector = selector;
	seg->base = 0;
	if (!(selector & ~3)) {
		seg->limit = 0;
		seg->access_rights = 0x10000;
		return;
	}
	asm volatile("lar %2, %0; setz %1"
		     : "=r"(ar), "=q"(valid)
		     : "rm"((u32)selector));
	asm volatile("lsl %1, %0" : "=r"(limit) : "rm"((u32)selector));
	seg->limit = limit;
	seg->access_rights = valid ? (ar >> 8) & 0xf0ff : 0x10000;
}

static u64 system_descriptor_base(const struct x86_dtable *gdt, u16 sel)
{
	const u32 *d = (const u32 *)(uintptr_t)(gdt->base + (sel & ~7));

	return (d[0] >> 16) | (u64)(d[1] & 0xff) << 16 |
	       (u64)(d[1] & 0xff000000) | (u64)d[2] << 32;
}

static void read_tables(struct x86_cpu_state *s)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) table;
	u16 tr, ldtr;

	asm volatile("sgdt %0" : "=m"(table));
	s->gdtr.base = table.base;
	s->gdtr.limit = table.limit;
	asm volatile("sidt %0" : "=m"(table));
	s->idtr.base = table.base;
	s->idtr.limit = table.limit;
	asm volatile("str %0" : "=r"(tr));
	asm volatile("sldt %0" : "=r"(ldtr));
	describe_segment(&s->tr, tr);
	if (tr & ~3)
		s->tr.base = system_descriptor_base(&s->gdtr, tr);
	describe_segment(&s->ldtr, ldtr);
	if (ldtr & ~3)
		s->ldtr.base = system_descriptor_base(&s->gdtr, ldtr);
}

static void read_msrs(struct x86_cpu_state *s)
{
	s->efer = hw_rdmsr(MSR_IA32_EFER);
	s->pat = hw_rdmsr(MSR_IA32_PAT);
	s->debugctl = hw_rdmsr(MSR_IA32_DEBUGCTL);
	s->sysenter_cs = hw_rdmsr(MSR_IA32_SYSENTER_CS);
	s->sysenter_esp = hw_rdmsr(MSR_IA32_SYSENTER_ESP);
	s->sysenter_eip = hw_rdmsr(MSR_IA32_SYSENTER_EIP);
	s->star = hw_rdmsr(MSR_IA32_STAR);
	s->lstar = hw_rdmsr(MSR_IA32_LSTAR);
	s->cstar = hw_rdmsr(MSR_IA32_CSTAR);
	s->fmask = hw_rdmsr(MSR_IA32_FMASK);
	s->kernel_gs_base = hw_rdmsr(MSR_IA32_KERNEL_GS_BASE);
	s->fs.base = hw_rdmsr(MSR_IA32_FS_BASE);
	s->gs.base = hw_rdmsr(MSR_IA32_GS_BASE);
}

void x86_read_cpu_state(struct x86_cpu_state *s)
{
	asm volatile("mov %%cr0, %0" : "=r"(s->cr0));
	asm volatile("mov %%cr3, %0" : "=r"(s->cr3));
	asm volatile("mov %%cr4, %0" : "=r"(s->cr4));
	asm volatile("mov %%dr7, %0" : "=r"(s->dr7));
	asm volatile("pushf; pop %0" : "=r"(s->rflags));
	describe_segment(&s->cs, read_selector_cs());
	describe_segment(&s->ds, read_selector_ds());
	describe_segment(&s->es, read_selector_es());
	describe_segment(&s->ss, read_selector_ss());
	describe_segment(&s->fs, read_selector_fs());
	describe_segment(&s->gs, read_selector_gs());
	read_tables(s);
	read_msrs(s);
}
