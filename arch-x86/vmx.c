// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX: the running Linux becomes the guest of a VMCS built from its
 * own captured state, so it continues unaware; disable hands that state
 * back. VM exits are read into the vendor-neutral form of asm/exit.h.
 *
 * Everything here goes through asm/hw.h, so it runs unchanged in the
 * simulator, whose fake VMCS applies the SDM's VM-entry checks.
 */
#include <core/cell.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/page_pool.h>
#include <core/paging.h>
#include <core/printk.h>
#include <asm/control.h>
#include <asm/cpuid.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/msr.h>
#include <asm/page_formats.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <asm/vcpu.h>
#include <asm/vmcs.h>
#include <asm/vmx.h>
#include <asm/vmx_features.h>

/* The MSR bitmap's four 1 KiB quarters (SDM "MSR-Bitmap Address"). */
#define MSR_BITMAP_HIGH_BASE 0xc0000000U
#define MSR_BITMAP_RANGE 0x2000U
#define MSR_BITMAP_READ_HIGH 0x400
#define MSR_BITMAP_WRITE 0x800

#define TSS_AVAILABLE_64 0x9ULL
#define SEG_PRESENT (1ULL << 47)

/* Selector, limit, access-rights and base fields of one guest segment. */
struct segment_fields {
	u32 selector, limit, access_rights, base;
	size_t offset; /* of its struct x86_segment in struct x86_cpu_state */
};

#define SEGMENT(name, reg)                                               \
	{                                                                \
		VMCS_GUEST_##name##_SELECTOR, VMCS_GUEST_##name##_LIMIT, \
			VMCS_GUEST_##name##_AR_BYTES,                    \
			VMCS_GUEST_##name##_BASE,                        \
			offsetof(struct x86_cpu_state, reg)              \
	}

static const struct segment_fields guest_segments[] = {
	SEGMENT(ES, es), SEGMENT(CS, cs), SEGMENT(SS, ss),     SEGMENT(DS, ds),
	SEGMENT(FS, fs), SEGMENT(GS, gs), SEGMENT(LDTR, ldtr), SEGMENT(TR, tr),
};

/*
 * The hypervisor's IDT. Empty until the entry code installs its handlers:
 * an exception in the hypervisor before that stops the CPU.
 */

/* Features: what the hypervisor cannot run without. */

struct vmx_feature {
	u32 msr;
	u64 bits; /* all must be set */
	const char *name;
};

#define VMX_FEATURE_ENTRY(msr, bits, name) { msr, bits, name },

static const struct vmx_feature control_features[] = {
	VMX_CONTROL_FEATURES(VMX_FEATURE_ENTRY)
};

static const struct vmx_feature secondary_features[] = {
	VMX_SECONDARY_FEATURES(VMX_FEATURE_ENTRY)
};

static const struct vmx_feature ept_features[] = {
	VMX_EPT_FEATURES(VMX_FEATURE_ENTRY)
};

static void report_missing(const char *name)
{
	printk("CPU %u: VMX feature missing: %s\n", hw_this_cpu_id(), name);
}

/*
 * Counts and reports the features of a table the CPU lacks. A table whose
 * MSR does not exist (readable false) is missing as a whole: reading it
 * would fault on hardware.
 */
static unsigned int missing_features(const struct vmx_feature *table,
				     unsigned int num, bool readable)
{
	unsigned int n, missing = 0;

	for (n = 0; n < num; n++) {
		if (readable &&
		    (hw_rdmsr(table[n].msr) & table[n].bits) == table[n].bits)
			continue;
		report_missing(table[n].name);
		missing++;
	}
	return missing;
}

static bool cpu_has_vmx(void)
{
	u32 regs[4];

	hw_cpuid(1, 0, regs);
	return regs[2] & CPUID1_ECX_VMX;
}

static bool vmx_locked_off(void)
{
	u64 control = hw_rdmsr(MSR_IA32_FEATURE_CONTROL);

	return control & FEATURE_CONTROL_LOCKED &&
	       !(control & FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
}

/* Whether the CPU allows any of the controls to be 1. */
static bool allowed1(u32 msr, u32 ctls)
{
	return hw_rdmsr(msr) & VMX_ALLOWED1(ctls);
}

int vmx_check_features(void)
{
	bool secondary, ept_caps;
	unsigned int missing = 0;

	if (!cpu_has_vmx()) {
		report_missing("VMX (CPUID.1:ECX.VMX is 0)");
		return -ENODEV;
	}
	if (vmx_locked_off()) {
		report_missing("VMX outside SMX (locked off in "
			       "IA32_FEATURE_CONTROL by the firmware)");
		missing++;
	}
	secondary =
		allowed1(MSR_IA32_VMX_PROCBASED_CTLS, PROC_ACTIVATE_SECONDARY);
	/* The EPT/VPID capability MSR exists if either feature does. */
	ept_caps = secondary && allowed1(MSR_IA32_VMX_PROCBASED_CTLS2,
					 PROC2_ENABLE_EPT | PROC2_ENABLE_VPID);
	missing += missing_features(control_features,
				    ARRAY_SIZE(control_features), true);
	missing += missing_features(secondary_features,
				    ARRAY_SIZE(secondary_features), secondary);
	missing += missing_features(ept_features, ARRAY_SIZE(ept_features),
				    ept_caps);
	return missing ? -EIO : 0;
}

/* Controls: what the hypervisor wants, adjusted to what the CPU allows. */

static bool true_controls(void)
{
	return hw_rdmsr(MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS;
}

/*
 * Bits the CPU requires are set, bits it does not support are cleared;
 * vmx_check_features made sure the required ones survive.
 */
static u32 adjust_controls(u32 msr, u32 true_msr, u32 wanted)
{
	u64 cap = hw_rdmsr(true_msr && true_controls() ? true_msr : msr);

	return (wanted | (u32)cap) & (u32)(cap >> 32);
}

static const char *vm_instruction_error_text(u64 error)
{
	switch (error) {
	case 4:
		return "VMLAUNCH with a VMCS that is not clear";
	case 7:
		return "invalid control fields";
	case 8:
		return "invalid host-state fields";
	case 12:
		return "VMCS component not supported";
	case 13:
		return "VMCS component is read-only";
	default:
		return "see the SDM's list of VM-instruction errors";
	}
}

/*
 * A VMWRITE fails for a field this CPU lacks or does not let software
 * write, or without a current VMCS: nothing that changes while the VMCS
 * stays current. Setup and reset write every field the exit path ever
 * writes, through here, and vmx_cpu_init refuses the CPU if one failed;
 * so the exit path's own writes, to those fields of the same VMCS,
 * cannot fail, and it skips the check (its instruction budget is tight).
 */
static void vmcs_write(struct per_cpu *cpu, u32 field, u64 value)
{
	int err = hw_vmwrite(field, value);

	if (!err)
		return;
	cpu->arch.vmcs_write_failed = true;
	if (err == HW_VMFAIL_INVALID) {
		printk("CPU %u: VMWRITE of field 0x%x failed: no current "
		       "VMCS\n", cpu->cpu_id, field);
		return;
	}
	err = hw_vmread(VMCS_VM_INSTRUCTION_ERROR);
	printk("CPU %u: VMWRITE of field 0x%x failed: VM-instruction error "
	       "%d (%s)\n", cpu->cpu_id, field, err,
	       vm_instruction_error_text(err));
}

static void write_controls(struct per_cpu *cpu, bool ia32e_guest)
{
	/* RDTSCP, INVPCID and XSAVES run natively where the CPU has them. */
	u32 proc2 = PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST |
		    PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID |
		    PROC2_ENABLE_XSAVES;
	u32 exit = EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_DEBUG_CTLS |
		   EXIT_ACK_INTERRUPT | EXIT_SAVE_PAT | EXIT_LOAD_PAT |
		   EXIT_SAVE_EFER | EXIT_LOAD_EFER;
	u32 entry = ENTRY_LOAD_DEBUG_CTLS | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER |
		    (ia32e_guest ? ENTRY_IA32E_MODE_GUEST : 0);

	/* NMIs are how other CPUs kick this one; the timer is armed later. */
	vmcs_write(cpu, VMCS_PIN_BASED_CTLS,
		   adjust_controls(MSR_IA32_VMX_PINBASED_CTLS,
				   MSR_IA32_VMX_TRUE_PINBASED_CTLS,
				   PIN_NMI_EXITING));
	vmcs_write(cpu, VMCS_PROC_BASED_CTLS,
		   adjust_controls(MSR_IA32_VMX_PROCBASED_CTLS,
				   MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
				   PROC_ACTIVATE_SECONDARY |
					   PROC_USE_IO_BITMAPS |
					   PROC_USE_MSR_BITMAPS));
	vmcs_write(cpu, VMCS_SECONDARY_CTLS,
		   adjust_controls(MSR_IA32_VMX_PROCBASED_CTLS2, 0, proc2));
	vmcs_write(cpu, VMCS_EXIT_CTLS,
		   adjust_controls(MSR_IA32_VMX_EXIT_CTLS,
				   MSR_IA32_VMX_TRUE_EXIT_CTLS, exit));
	vmcs_write(cpu, VMCS_ENTRY_CTLS,
		   adjust_controls(MSR_IA32_VMX_ENTRY_CTLS,
				   MSR_IA32_VMX_TRUE_ENTRY_CTLS, entry));
	/* #AC and #DB come back to the hypervisor: a guest must not loop. */
	vmcs_write(cpu, VMCS_EXCEPTION_BITMAP,
		   (1U << X86_VECTOR_AC) | (1U << X86_VECTOR_DB));
	vmcs_write(cpu, VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(cpu, VMCS_ENTRY_INTR_INFO, 0);
	/* Written by injections only, but proven writable here. */
	vmcs_write(cpu, VMCS_ENTRY_INSTRUCTION_LEN, 0);
	vmcs_write(cpu, VMCS_ENTRY_EXCEPTION_ERROR_CODE, 0);
	vmcs_write(cpu, VMCS_PREEMPTION_TIMER_VALUE, 0);
}

static void msr_bitmap_slot(u32 msr, unsigned int *quarter, u32 *index)
{
	if (msr < MSR_BITMAP_RANGE) {
		*quarter = 0;
		*index = msr;
	} else {
		*quarter = MSR_BITMAP_READ_HIGH;
		*index = msr - MSR_BITMAP_HIGH_BASE;
	}
}

/* Only for MSRs inside the two ranges the bitmap covers. */
static void pass_msr_write(u8 *bitmap, u32 msr)
{
	unsigned int quarter;
	u32 index;

	msr_bitmap_slot(msr, &quarter, &index);
	bitmap[MSR_BITMAP_WRITE + quarter + index / 8] &= ~(1 << (index % 8));
}

static void intercept_msr(u8 *bitmap, u32 msr, bool read, bool write)
{
	unsigned int quarter;
	u32 index;

	if (msr < MSR_BITMAP_RANGE) {
		quarter = 0;
		index = msr;
	} else if (msr - MSR_BITMAP_HIGH_BASE < MSR_BITMAP_RANGE) {
		quarter = MSR_BITMAP_READ_HIGH;
		index = msr - MSR_BITMAP_HIGH_BASE;
	} else {
		return; /* outside the bitmap every access exits anyway */
	}
	if (read)
		bitmap[quarter + index / 8] |= 1 << (index % 8);
	if (write)
		bitmap[MSR_BITMAP_WRITE + quarter + index / 8] |=
			1 << (index % 8);
}

/*
 * Guests read most MSRs natively; the VMX capabilities and feature control
 * exit, since cells are not meant to see VMX. Writes exit unless they only
 * touch the CPU's own state (asm/msr.h): the policy in msr.c decides.
 */
static void fill_msr_bitmap(u8 *bitmap)
{
	u32 msr;

	memset(bitmap + MSR_BITMAP_WRITE, 0xff, 2 * MSR_BITMAP_RANGE / 8);
	for (msr = 0; msr < MSR_BITMAP_RANGE; msr++)
		if (msr_write_passes_through(msr))
			pass_msr_write(bitmap, msr);
	for (msr = MSR_BITMAP_HIGH_BASE;
	     msr < MSR_BITMAP_HIGH_BASE + MSR_BITMAP_RANGE; msr++)
		if (msr_write_passes_through(msr))
			pass_msr_write(bitmap, msr);
	for (msr = MSR_VMX_FIRST; msr <= MSR_VMX_LAST; msr++)
		intercept_msr(bitmap, msr, true, true);
	intercept_msr(bitmap, MSR_IA32_FEATURE_CONTROL, true, true);
}

/* Host state: the hypervisor's own, loaded on every VM exit. */

static u64 tss_descriptor_low(u64 base, u32 limit)
{
	return (limit & 0xffffULL) | (base & 0xffffffULL) << 16 |
	       TSS_AVAILABLE_64 << 40 | SEG_PRESENT |
	       ((u64)(limit >> 16) & 0xf) << 48 | (base >> 24 & 0xff) << 56;
}

static void build_host_gdt(struct arch_per_cpu *a)
{
	u64 tss = (u64)(uintptr_t)&a->host_tss;

	memset(a->host_gdt, 0, sizeof(a->host_gdt));
	memset(&a->host_tss, 0, sizeof(a->host_tss));
	/* No I/O permission bitmap: the offset points past the limit. */
	a->host_tss.io_bitmap_offset = sizeof(a->host_tss);
	a->host_gdt[HOST_CS_SELECTOR / 8] = 0x00af9b000000ffffULL;
	a->host_gdt[HOST_DS_SELECTOR / 8] = 0x00cf93000000ffffULL;
	a->host_gdt[HOST_TR_SELECTOR / 8] =
		tss_descriptor_low(tss, sizeof(a->host_tss) - 1);
	a->host_gdt[HOST_TR_SELECTOR / 8 + 1] = tss >> 32;
}

static void write_host_state(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;

	build_host_gdt(a);
	vmcs_write(cpu, VMCS_HOST_CR0, a->linux_state.cr0);
	vmcs_write(cpu, VMCS_HOST_CR3, a->host_cr3);
	vmcs_write(cpu, VMCS_HOST_CR4, hw_read_cr4());
	vmcs_write(cpu, VMCS_HOST_CS_SELECTOR, HOST_CS_SELECTOR);
	vmcs_write(cpu, VMCS_HOST_SS_SELECTOR, HOST_DS_SELECTOR);
	vmcs_write(cpu, VMCS_HOST_DS_SELECTOR, HOST_DS_SELECTOR);
	vmcs_write(cpu, VMCS_HOST_ES_SELECTOR, HOST_DS_SELECTOR);
	vmcs_write(cpu, VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write(cpu, VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write(cpu, VMCS_HOST_TR_SELECTOR, HOST_TR_SELECTOR);
	vmcs_write(cpu, VMCS_HOST_FS_BASE, 0);
	/* GS points at the CPU's own data, for the exit path to find it. */
	vmcs_write(cpu, VMCS_HOST_GS_BASE, (u64)(uintptr_t)cpu);
	vmcs_write(cpu, VMCS_HOST_TR_BASE, (u64)(uintptr_t)&a->host_tss);
	vmcs_write(cpu, VMCS_HOST_GDTR_BASE, (u64)(uintptr_t)a->host_gdt);
	vmcs_write(cpu, VMCS_HOST_IDTR_BASE, hw_host_idt());
	vmcs_write(cpu, VMCS_HOST_SYSENTER_CS, 0);
	vmcs_write(cpu, VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write(cpu, VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write(cpu, VMCS_HOST_EFER, hw_rdmsr(MSR_IA32_EFER));
	vmcs_write(cpu, VMCS_HOST_PAT, hw_rdmsr(MSR_IA32_PAT));
	vmcs_write(cpu, VMCS_HOST_RSP, a->host_rsp);
	vmcs_write(cpu, VMCS_HOST_RIP, a->host_rip);
}

/* Guest state: Linux as it called the hypervisor. */

static const struct x86_segment *segment_of(const struct x86_cpu_state *s,
					    const struct segment_fields *f)
{
	return (const struct x86_segment *)((const u8 *)s + f->offset);
}

static void write_guest_segments(struct per_cpu *cpu,
				 const struct x86_cpu_state *s)
{
	const struct x86_segment *seg;
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(guest_segments); n++) {
		seg = segment_of(s, &guest_segments[n]);
		vmcs_write(cpu, guest_segments[n].selector, seg->selector);
		vmcs_write(cpu, guest_segments[n].limit, seg->limit);
		vmcs_write(cpu, guest_segments[n].access_rights,
			   seg->access_rights);
		vmcs_write(cpu, guest_segments[n].base, seg->base);
	}
}

/*
 * Bits VMX fixes (CR0.NE, CR4.VMXE) are forced in the guest's register but
 * owned by the hypervisor: the guest reads its own values from the shadow
 * and any write that would change an owned bit, or set a bit the CPU does
 * not support, exits instead of going unnoticed.
 */
static void write_guest_control_registers(struct per_cpu *cpu,
					  const struct x86_cpu_state *s)
{
	/* Unrestricted guest: PE and PG are the guest's own business. */
	u64 cr0_fixed0 = hw_rdmsr(MSR_IA32_VMX_CR0_FIXED0) & ~(CR0_PE | CR0_PG);
	u64 cr0_fixed1 = (u32)hw_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	u64 cr4_fixed0 = hw_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	u64 cr4_fixed1 = hw_rdmsr(MSR_IA32_VMX_CR4_FIXED1);

	vmcs_write(cpu, VMCS_GUEST_CR0, (s->cr0 | cr0_fixed0) & cr0_fixed1);
	vmcs_write(cpu, VMCS_CR0_GUEST_HOST_MASK, cr0_fixed0 | ~cr0_fixed1);
	vmcs_write(cpu, VMCS_CR0_READ_SHADOW, s->cr0);
	vmcs_write(cpu, VMCS_GUEST_CR3, s->cr3);
	vmcs_write(cpu, VMCS_GUEST_CR4, (s->cr4 | cr4_fixed0) & cr4_fixed1);
	vmcs_write(cpu, VMCS_CR4_GUEST_HOST_MASK, cr4_fixed0 | ~cr4_fixed1);
	vmcs_write(cpu, VMCS_CR4_READ_SHADOW, s->cr4);
}

/* With EPT, a PAE guest's PDPTEs come from the VMCS, not from its CR3. */
static void write_guest_pdptes(struct per_cpu *cpu,
			       const struct x86_cpu_state *s)
{
	const u64 *pdpte;
	unsigned int n;

	if (!(s->cr0 & CR0_PG) || !(s->cr4 & CR4_PAE) || s->efer & EFER_LMA)
		return;
	pdpte = hw_map_phys(s->cr3 & 0xffffffe0ULL, 4 * sizeof(u64));
	for (n = 0; n < 4; n++)
		vmcs_write(cpu, VMCS_GUEST_PDPTE0 + 2 * n, pdpte[n]);
	hw_unmap_phys((void *)pdpte, 4 * sizeof(u64));
}

static void write_guest_state(struct per_cpu *cpu,
			      const struct x86_cpu_state *s)
{
	write_guest_control_registers(cpu, s);
	write_guest_pdptes(cpu, s);
	write_guest_segments(cpu, s);
	vmcs_write(cpu, VMCS_GUEST_DR7, s->dr7);
	vmcs_write(cpu, VMCS_GUEST_RSP, s->regs.gp[REG_RSP]);
	vmcs_write(cpu, VMCS_GUEST_RIP, s->rip);
	vmcs_write(cpu, VMCS_GUEST_RFLAGS, s->rflags);
	vmcs_write(cpu, VMCS_GUEST_GDTR_BASE, s->gdtr.base);
	vmcs_write(cpu, VMCS_GUEST_GDTR_LIMIT, s->gdtr.limit);
	vmcs_write(cpu, VMCS_GUEST_IDTR_BASE, s->idtr.base);
	vmcs_write(cpu, VMCS_GUEST_IDTR_LIMIT, s->idtr.limit);
	vmcs_write(cpu, VMCS_GUEST_DEBUGCTL, s->debugctl);
	vmcs_write(cpu, VMCS_GUEST_PAT, s->pat);
	vmcs_write(cpu, VMCS_GUEST_EFER, s->efer);
	vmcs_write(cpu, VMCS_GUEST_SYSENTER_CS, s->sysenter_cs);
	vmcs_write(cpu, VMCS_GUEST_SYSENTER_ESP, s->sysenter_esp);
	vmcs_write(cpu, VMCS_GUEST_SYSENTER_EIP, s->sysenter_eip);
	vmcs_write(cpu, VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(cpu, VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(cpu, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	/* No shadow VMCS: the link pointer must be all ones. */
	vmcs_write(cpu, VMCS_LINK_POINTER, ~0ULL);
}

static void write_vmcs(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;

	write_controls(cpu, a->linux_state.efer & EFER_LMA);
	vmcs_write(cpu, VMCS_MSR_BITMAP,
		   page_pool_virt2phys(&mem_pool, a->msr_bitmap));
	write_host_state(cpu);
	write_guest_state(cpu, &a->linux_state);
	/* The cell's EPT and I/O bitmaps. */
	vmx_load_cell(cpu);
}

/* Entering and leaving VMX operation. */

static int enable_vmxe(struct per_cpu *cpu, u64 cr4)
{
	u64 fixed0 = hw_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	u64 fixed1 = hw_rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	u64 control = hw_rdmsr(MSR_IA32_FEATURE_CONTROL);
	u64 new_cr4 = cr4 | CR4_VMXE;

	if (cr4 & CR4_VMXE) {
		printk("CPU %u: CR4.VMXE already set: VMX is in use\n",
		       cpu->cpu_id);
		return -EBUSY;
	}
	if ((new_cr4 & fixed0) != fixed0 || new_cr4 & ~fixed1) {
		printk("CPU %u: CR4 0x%llx does not fit VMX's fixed bits\n",
		       cpu->cpu_id, (unsigned long long)new_cr4);
		return -EIO;
	}
	/* Firmware left it unlocked: allow VMXON and lock it that way. */
	if (!(control & FEATURE_CONTROL_LOCKED))
		hw_wrmsr(MSR_IA32_FEATURE_CONTROL,
			 control | FEATURE_CONTROL_LOCKED |
				 FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
	hw_write_cr4(new_cr4);
	return 0;
}

static void free_page_ptr(void **page)
{
	if (*page)
		page_free(&mem_pool, *page, 1);
	*page = NULL;
}

static void free_vmx_pages(struct arch_per_cpu *a)
{
	free_page_ptr(&a->vmxon_region);
	free_page_ptr(&a->vmcs);
	free_page_ptr(&a->msr_bitmap);
}

static int alloc_vmx_pages(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;
	u32 revision = hw_rdmsr(MSR_IA32_VMX_BASIC) & VMX_BASIC_REVISION_MASK;

	a->vmxon_region = page_alloc(&mem_pool, 1);
	a->vmcs = page_alloc(&mem_pool, 1);
	a->msr_bitmap = page_alloc(&mem_pool, 1);
	if (!a->vmxon_region || !a->vmcs || !a->msr_bitmap) {
		printk("CPU %u: no memory for VMX\n", cpu->cpu_id);
		free_vmx_pages(a);
		return -ENOMEM;
	}
	/* Both regions start with the revision the CPU expects. */
	*(u32 *)a->vmxon_region = revision;
	*(u32 *)a->vmcs = revision;
	fill_msr_bitmap(a->msr_bitmap);
	return 0;
}

static int enter_vmx_operation(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;
	u64 vmcs = page_pool_virt2phys(&mem_pool, a->vmcs);

	if (hw_vmxon(page_pool_virt2phys(&mem_pool, a->vmxon_region))) {
		printk("CPU %u: VMXON failed\n", cpu->cpu_id);
		return -EIO;
	}
	if (hw_vmclear(vmcs) || hw_vmptrld(vmcs)) {
		printk("CPU %u: VMCLEAR or VMPTRLD of the VMCS failed\n",
		       cpu->cpu_id);
		hw_vmxoff();
		return -EIO;
	}
	return 0;
}

static void leave_vmx_operation(struct arch_per_cpu *a)
{
	hw_vmclear(page_pool_virt2phys(&mem_pool, a->vmcs));
	hw_vmxoff();
	a->vmx_on = false;
}

/*
 * Hardware reports a refused VM entry as VMfailValid (controls, host
 * state: VM-instruction error) or as an exit with bit 31 of the exit
 * reason (guest state); the simulator returns both from hw_vmlaunch.
 */
static int launch(struct per_cpu *cpu)
{
	u64 error, reason;

	if (hw_vmlaunch(&cpu->arch.guest_regs) == 0)
		return 0;
	error = hw_vmread(VMCS_VM_INSTRUCTION_ERROR);
	if (error) {
		printk("CPU %u: VM entry refused: VM-instruction error %llu "
		       "(%s)\n",
		       cpu->cpu_id, (unsigned long long)error,
		       vm_instruction_error_text(error));
		return -EIO;
	}
	reason = hw_vmread(VMCS_EXIT_REASON);
	printk("CPU %u: VM entry failed: invalid guest state (exit reason "
	       "0x%llx, qualification %llu)\n",
	       cpu->cpu_id, (unsigned long long)reason,
	       (unsigned long long)hw_vmread(VMCS_EXIT_QUALIFICATION));
	return -EIO;
}

/*
 * The entry code (the simulator in its place) says where exits land, on
 * which stack and with which page tables; a 0 would send the first exit
 * into nothing, so the CPU is refused instead.
 */
static int check_host_state(const struct per_cpu *cpu)
{
	const struct arch_per_cpu *a = &cpu->arch;
	const char *missing = !a->host_rip ? "RIP" :
			      !a->host_rsp ? "RSP" :
			      !a->host_cr3 ? "CR3" : NULL;

	if (!missing)
		return 0;
	printk("CPU %u: no host %s from the entry code\n", cpu->cpu_id,
	       missing);
	return -EINVAL;
}

int vmx_cpu_init(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;
	u64 cr4 = hw_read_cr4();
	int err;

	err = check_host_state(cpu);
	if (err)
		return err;
	err = vmx_check_features();
	if (err)
		return err;
	hw_capture_cpu_state(&a->linux_state);
	a->guest_regs = a->linux_state.regs;
	err = enable_vmxe(cpu, cr4);
	if (err)
		return err;
	err = alloc_vmx_pages(cpu);
	if (err)
		goto restore_cr4;
	err = enter_vmx_operation(cpu);
	if (err)
		goto free_pages;
	a->vmcs_write_failed = false;
	write_vmcs(cpu);
	if (a->vmcs_write_failed) {
		err = -EIO;
		goto leave_vmx;
	}
	a->vmx_on = true;
	a->vcpu_state = VCPU_RUNNING;
	return 0;

leave_vmx:
	leave_vmx_operation(a);
free_pages:
	free_vmx_pages(a);
restore_cr4:
	hw_write_cr4(cr4);
	return err;
}

int vmx_cpu_activate(struct per_cpu *cpu)
{
	/* On hardware a successful launch continues in Linux, not here. */
	int err = launch(cpu);

	if (err)
		vmx_cpu_exit(cpu);
	return err;
}

/* Leaving: Linux gets back what it has become as a guest. */

/* A control register as the guest sees it: owned bits from the shadow. */
static u64 guest_view(u32 reg, u32 shadow, u32 mask)
{
	u64 owned = hw_vmread(mask);

	return (hw_vmread(reg) & ~owned) | (hw_vmread(shadow) & owned);
}

static void read_guest_segments(struct x86_cpu_state *s)
{
	struct x86_segment *seg;
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(guest_segments); n++) {
		seg = (struct x86_segment *)((u8 *)s +
					     guest_segments[n].offset);
		seg->selector = hw_vmread(guest_segments[n].selector);
		seg->limit = hw_vmread(guest_segments[n].limit);
		seg->access_rights = hw_vmread(guest_segments[n].access_rights);
		seg->base = hw_vmread(guest_segments[n].base);
	}
}

/*
 * The system-call MSRs and the swapped GS base never leave the CPU on an
 * exit: what the CPU holds now is what Linux last wrote, which is not what
 * it held at enable. KERNEL_GS_BASE above all: it is the kernel's per-CPU
 * base whenever the CPU last exited from a process, and a stale value
 * there breaks the first SWAPGS after the resume.
 */
static void read_unswitched_msrs(struct x86_cpu_state *s)
{
	s->star = hw_rdmsr(MSR_IA32_STAR);
	s->lstar = hw_rdmsr(MSR_IA32_LSTAR);
	s->cstar = hw_rdmsr(MSR_IA32_CSTAR);
	s->fmask = hw_rdmsr(MSR_IA32_FMASK);
	s->kernel_gs_base = hw_rdmsr(MSR_IA32_KERNEL_GS_BASE);
}

static void read_guest_state(struct arch_per_cpu *a)
{
	struct x86_cpu_state *s = &a->linux_state;

	s->regs = a->guest_regs;
	s->regs.gp[REG_RSP] = hw_vmread(VMCS_GUEST_RSP);
	s->rip = hw_vmread(VMCS_GUEST_RIP);
	s->rflags = hw_vmread(VMCS_GUEST_RFLAGS);
	s->cr0 = guest_view(VMCS_GUEST_CR0, VMCS_CR0_READ_SHADOW,
			    VMCS_CR0_GUEST_HOST_MASK);
	s->cr3 = hw_vmread(VMCS_GUEST_CR3);
	s->cr4 = guest_view(VMCS_GUEST_CR4, VMCS_CR4_READ_SHADOW,
			    VMCS_CR4_GUEST_HOST_MASK);
	s->dr7 = hw_vmread(VMCS_GUEST_DR7);
	read_guest_segments(s);
	s->gdtr.base = hw_vmread(VMCS_GUEST_GDTR_BASE);
	s->gdtr.limit = hw_vmread(VMCS_GUEST_GDTR_LIMIT);
	s->idtr.base = hw_vmread(VMCS_GUEST_IDTR_BASE);
	s->idtr.limit = hw_vmread(VMCS_GUEST_IDTR_LIMIT);
	s->efer = hw_vmread(VMCS_GUEST_EFER);
	s->pat = hw_vmread(VMCS_GUEST_PAT);
	s->debugctl = hw_vmread(VMCS_GUEST_DEBUGCTL);
	s->sysenter_cs = hw_vmread(VMCS_GUEST_SYSENTER_CS);
	s->sysenter_esp = hw_vmread(VMCS_GUEST_SYSENTER_ESP);
	s->sysenter_eip = hw_vmread(VMCS_GUEST_SYSENTER_EIP);
	read_unswitched_msrs(s);
}

void vmx_cpu_exit(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;

	if (!a->vmx_on)
		return;
	read_guest_state(a);
	leave_vmx_operation(a);
	hw_write_cr4(a->linux_state.cr4 & ~CR4_VMXE);
	free_vmx_pages(a);
}

/* VM exits */

static void read_pio_exit(struct x86_exit *exit, u64 qualification)
{
	u64 rax = exit->regs->gp[REG_RAX];

	exit->reason = X86_EXIT_PIO;
	exit->pio.size = (qualification & 7) + 1;
	exit->pio.is_write = !(qualification & (1 << 3));
	exit->pio.is_string = qualification & (1 << 4);
	exit->pio.rep = qualification & (1 << 5);
	exit->pio.port = qualification >> 16;
	exit->pio.value = exit->pio.is_write && !exit->pio.is_string ?
		(u32)(rax & (~0ULL >> (64 - 8 * exit->pio.size))) : 0;
}

static void read_ept_exit(struct x86_exit *exit, u64 qualification)
{
	exit->reason = X86_EXIT_NESTED_FAULT;
	exit->fault.gpa = hw_vmread(VMCS_GUEST_PHYSICAL_ADDRESS);
	exit->fault.read = qualification & (1 << 0);
	exit->fault.write = qualification & (1 << 1);
	exit->fault.fetch = qualification & (1 << 2);
	exit->fault.gla_valid = qualification & (1 << 7);
	exit->fault.gla = exit->fault.gla_valid ?
		hw_vmread(VMCS_GUEST_LINEAR_ADDRESS) : 0;
}

static void read_cr_exit(struct x86_exit *exit, u64 qualification)
{
	exit->reason = X86_EXIT_CR_ACCESS;
	exit->cr.cr = qualification & 0xf;
	exit->cr.access = (qualification >> 4) & 3;
	exit->cr.gpr = (qualification >> 8) & 0xf;
	exit->cr.lmsw_source = qualification >> 16;
	/* RSP is not among the saved registers: it lives in the VMCS. */
	if (exit->cr.access == X86_CR_MOV_TO)
		exit->cr.value = exit->cr.gpr == REG_RSP ?
					 hw_vmread(VMCS_GUEST_RSP) :
					 exit->regs->gp[exit->cr.gpr];
}

/* EDX:EAX, the operand of WRMSR and XSETBV. */
static u64 edx_eax(const struct guest_regs *regs)
{
	return regs->gp[REG_RDX] << 32 | (u32)regs->gp[REG_RAX];
}

/*
 * The NMI reached the hypervisor, so the guest was not blocking NMIs; an
 * emulated CPU (Bochs) saves the state as blocking all the same. Left so,
 * a guest that never executes IRET (an inmate polling, a CPU Linux took
 * offline) would never see another kick.
 */
static void guest_nmis_unblocked(void)
{
	u64 state = hw_vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if (state & INTERRUPTIBILITY_BLOCKING_BY_NMI)
		hw_vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			   state & ~INTERRUPTIBILITY_BLOCKING_BY_NMI);
}

static void read_exception_exit(struct x86_exit *exit)
{
	u64 info = hw_vmread(VMCS_EXIT_INTR_INFO);
	unsigned int type =
		(info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

	/* An NMI is how another CPU kicks this one. */
	if (type == INTR_TYPE_NMI) {
		hw_unblock_nmis();
		guest_nmis_unblocked();
		exit->reason = X86_EXIT_KICK;
		return;
	}
	exit->reason = X86_EXIT_EXCEPTION;
	exit->exception.vector = info & INTR_INFO_VECTOR_MASK;
	exit->exception.has_error_code = info & INTR_INFO_DELIVER_ERROR_CODE;
	exit->exception.error_code =
		exit->exception.has_error_code ?
			hw_vmread(VMCS_EXIT_INTR_ERROR_CODE) :
			0;
}

static void read_simple_exit(struct x86_exit *exit, u32 basic,
			     u64 qualification)
{
	struct guest_regs *regs = exit->regs;

	switch (basic) {
	case EXIT_REASON_VMCALL:
		exit->reason = X86_EXIT_HYPERCALL;
		/* SS.DPL is the CPL in every mode (SDM "Guest Segment
		 * Registers"). */
		exit->cpl = (hw_vmread(VMCS_GUEST_SS_AR_BYTES) >> 5) & 3;
		exit->rax = regs->gp[REG_RAX];
		exit->rdi = regs->gp[REG_RDI];
		exit->rsi = regs->gp[REG_RSI];
		break;
	case EXIT_REASON_CPUID:
		exit->reason = X86_EXIT_CPUID;
		break;
	case EXIT_REASON_RDMSR:
	case EXIT_REASON_WRMSR:
		exit->reason = basic == EXIT_REASON_RDMSR ? X86_EXIT_MSR_READ
							  : X86_EXIT_MSR_WRITE;
		exit->msr.index = (u32)regs->gp[REG_RCX];
		if (basic == EXIT_REASON_WRMSR)
			exit->msr.value = edx_eax(regs);
		break;
	case EXIT_REASON_XSETBV:
		exit->reason = X86_EXIT_XSETBV;
		exit->xcr.index = (u32)regs->gp[REG_RCX];
		exit->xcr.value = edx_eax(regs);
		break;
	case EXIT_REASON_PREEMPTION_TIMER:
		exit->reason = X86_EXIT_PREEMPTION_TIMER;
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		exit->reason = X86_EXIT_TRIPLE_FAULT;
		break;
	case EXIT_REASON_INIT:
		exit->reason = X86_EXIT_INIT;
		break;
	case EXIT_REASON_SIPI:
		exit->reason = X86_EXIT_SIPI;
		exit->sipi_vector = qualification & 0xff;
		break;
	default:
		exit->reason = X86_EXIT_UNHANDLED;
	}
}

void vmx_read_exit(struct per_cpu *cpu, struct x86_exit *exit)
{
	u32 reason = hw_vmread(VMCS_EXIT_REASON);
	u32 basic = reason & EXIT_REASON_BASIC_MASK;
	struct guest_regs *regs = &cpu->arch.guest_regs;

	/*
	 * No clearing of the whole exit on this hot path: each reader below
	 * fills what the handler of its exit reads.
	 */
	exit->vendor_reason = reason;
	exit->cpl = 0;
	exit->regs = regs;
	/* RSP stays in the VMCS: only the few handlers that need it read it. */
	exit->rip = hw_vmread(VMCS_GUEST_RIP);

	if (unlikely(reason & EXIT_REASON_ENTRY_FAILURE)) {
		exit->reason = X86_EXIT_UNHANDLED;
		return;
	}
	/* The qualification is read only by the exits that need it. */
	switch (basic) {
	case EXIT_REASON_CPUID:
		exit->reason = X86_EXIT_CPUID;
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		read_pio_exit(exit, hw_vmread(VMCS_EXIT_QUALIFICATION));
		break;
	case EXIT_REASON_EPT_VIOLATION:
		read_ept_exit(exit, hw_vmread(VMCS_EXIT_QUALIFICATION));
		break;
	case EXIT_REASON_CR_ACCESS:
		read_cr_exit(exit, hw_vmread(VMCS_EXIT_QUALIFICATION));
		break;
	case EXIT_REASON_EXCEPTION_NMI:
		read_exception_exit(exit);
		break;
	case EXIT_REASON_SIPI:
		read_simple_exit(exit, basic,
				 hw_vmread(VMCS_EXIT_QUALIFICATION));
		break;
	default:
		read_simple_exit(exit, basic, 0);
	}
}

void vmx_advance_rip(struct per_cpu *cpu, unsigned int length)
{
	u64 block = hw_vmread(VMCS_GUEST_INTERRUPTIBILITY);

	(void)cpu;
	hw_vmwrite(VMCS_GUEST_RIP, hw_vmread(VMCS_GUEST_RIP) + length);
	/* The instruction completed: a preceding STI or MOV SS is over. */
	if (block & (GUEST_INTR_BLOCK_STI | GUEST_INTR_BLOCK_MOV_SS))
		hw_vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			   block & ~(GUEST_INTR_BLOCK_STI |
				     GUEST_INTR_BLOCK_MOV_SS));
}

void vmx_skip_instruction(struct per_cpu *cpu)
{
	vmx_advance_rip(cpu, (unsigned int)hw_vmread(VMCS_EXIT_INSTRUCTION_LEN));
}

void vmx_inject_exception(struct per_cpu *cpu, u8 vector, u32 error_code)
{
	bool protected_mode = hw_vmread(VMCS_GUEST_CR0) & CR0_PE;
	u32 info = INTR_INFO_VALID | vector;

	(void)cpu;
	/* #BP and #OF are traps of an instruction: it must be skipped. */
	if (vector == X86_VECTOR_BP || vector == X86_VECTOR_OF) {
		info |= INTR_TYPE_SW_EXCEPTION << INTR_INFO_TYPE_SHIFT;
		hw_vmwrite(VMCS_ENTRY_INSTRUCTION_LEN,
			   hw_vmread(VMCS_EXIT_INSTRUCTION_LEN));
	} else {
		info |= INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT;
	}
	/* Real mode pushes no error codes. */
	if (protected_mode && x86_pushes_error_code(vector)) {
		info |= INTR_INFO_DELIVER_ERROR_CODE;
		/* Error codes are 15 bits wide on entry (SDM). */
		hw_vmwrite(VMCS_ENTRY_EXCEPTION_ERROR_CODE,
			   error_code & 0x7fff);
	}
	hw_vmwrite(VMCS_ENTRY_INTR_INFO, info);
}

/* The state INIT leaves, with VMX's fixed bits (SDM "Initialization"). */
static const struct x86_segment reset_data_segment = { 0, 0, 0xffff, 0x93 };

void vmx_inject_nmi(struct per_cpu *cpu)
{
	(void)cpu;
	hw_vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID |
						 INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT |
						 2);
}

void vmx_vcpu_reset(struct per_cpu *cpu, u64 address)
{
	struct x86_cpu_state s;
	u64 segment = address & ~0xffffULL;

	memset(&s, 0, sizeof(s));
	s.rip = address & 0xffff;
	s.rflags = 0x2;
	s.cr0 = 0x10; /* ET */
	s.dr7 = 0x400;
	s.pat = 0x0007040600070406ULL;
	s.cs = (struct x86_segment){ (segment >> 4) & 0xffff, segment, 0xffff,
				     0x9b };
	s.ds = s.es = s.fs = s.gs = s.ss = reset_data_segment;
	s.tr = (struct x86_segment){ 0, 0, 0xffff, 0x8b };
	s.ldtr = (struct x86_segment){ 0, 0, 0xffff, 0x82 };
	s.gdtr.limit = s.idtr.limit = 0xffff;
	memset(&cpu->arch.guest_regs, 0, sizeof(cpu->arch.guest_regs));
	write_guest_state(cpu, &s);
	vmcs_write(cpu, VMCS_ENTRY_CTLS,
		   hw_vmread(VMCS_ENTRY_CTLS) & ~ENTRY_IA32E_MODE_GUEST);
	/* An event pending from before the reset must not be delivered. */
	vmcs_write(cpu, VMCS_ENTRY_INTR_INFO, 0);
}

void vmx_load_cell(struct per_cpu *cpu)
{
	struct cell *cell = cpu->cell;
	u64 eptp = paging_root_phys(&cell->arch.cpu_paging) | EPTP_MEMTYPE_WB |
		   EPTP_WALK_LENGTH_4;
	u64 io_bitmap = page_pool_virt2phys(&mem_pool, cell->pio_bitmap);

	vmcs_write(cpu, VMCS_EPT_POINTER, eptp);
	vmcs_write(cpu, VMCS_IO_BITMAP_A, io_bitmap);
	vmcs_write(cpu, VMCS_IO_BITMAP_B, io_bitmap + PAGE_SIZE);
	if (cpu->arch.eptp_loaded != eptp)
		hw_invept(INVEPT_SINGLE_CONTEXT, eptp);
	cpu->arch.eptp_loaded = eptp;
}

void vmx_start_at_segment(struct per_cpu *cpu, u64 base)
{
	(void)cpu;
	hw_vmwrite(VMCS_GUEST_CS_SELECTOR, base >> 4);
	hw_vmwrite(VMCS_GUEST_CS_BASE, base);
	hw_vmwrite(VMCS_GUEST_CS_LIMIT, 0xffff);
	hw_vmwrite(VMCS_GUEST_CS_AR_BYTES, 0x9b);
	hw_vmwrite(VMCS_GUEST_RIP, 0);
	hw_vmwrite(VMCS_GUEST_RFLAGS, 0x2);
	hw_vmwrite(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
}

/* The vendor seam (asm/vcpu.h) */

static bool vmx_nested_1g_pages(void)
{
	return hw_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) & EPT_CAP_1G_PAGES;
}

static bool vmx_cpu_on(const struct per_cpu *cpu)
{
	return cpu->arch.vmx_on;
}

/* A halted guest stays halted should the CPU enter it by mistake. */
static void vmx_set_halted(struct per_cpu *cpu, bool halted)
{
	(void)cpu;
	hw_vmwrite(VMCS_GUEST_ACTIVITY_STATE,
		   halted ? GUEST_ACTIVITY_HLT : GUEST_ACTIVITY_ACTIVE);
}

static void vmx_flush_all(struct per_cpu *cpu)
{
	(void)cpu;
	hw_invept(INVEPT_ALL_CONTEXTS, 0);
}

static const u32 vmcs_field_of[VCPU_NUM_REGS] = {
	[VCPU_CR0] = VMCS_GUEST_CR0,
	[VCPU_CR0_SHADOW] = VMCS_CR0_READ_SHADOW,
	[VCPU_CR3] = VMCS_GUEST_CR3,
	[VCPU_CR4] = VMCS_GUEST_CR4,
	[VCPU_CR4_SHADOW] = VMCS_CR4_READ_SHADOW,
	[VCPU_PAT] = VMCS_GUEST_PAT,
	[VCPU_RIP] = VMCS_GUEST_RIP,
	[VCPU_RSP] = VMCS_GUEST_RSP,
	[VCPU_CS_BASE] = VMCS_GUEST_CS_BASE,
	[VCPU_EFER] = VMCS_GUEST_EFER,
	[VCPU_CS_ACCESS_RIGHTS] = VMCS_GUEST_CS_AR_BYTES,
};

static u64 vmx_get_reg(enum vcpu_reg reg)
{
	return hw_vmread(vmcs_field_of[reg]);
}

static void vmx_set_reg(enum vcpu_reg reg, u64 value)
{
	hw_vmwrite(vmcs_field_of[reg], value);
}

/* VMX must be told; the CPU does not follow EFER.LMA by itself. */
static void vmx_set_long_mode(bool on)
{
	u64 ctls = hw_vmread(VMCS_ENTRY_CTLS);

	hw_vmwrite(VMCS_ENTRY_CTLS, on ? ctls | ENTRY_IA32E_MODE_GUEST :
					 ctls & ~(u64)ENTRY_IA32E_MODE_GUEST);
}

static bool vmx_get_pdptes(u64 pdpte[4])
{
	unsigned int n;

	for (n = 0; n < 4; n++)
		pdpte[n] = hw_vmread(VMCS_GUEST_PDPTE0 + 2 * n);
	return true;
}

const struct x86_vendor_ops vmx_ops = {
	.name = "VMX",
	.nested_format = &ept_format,
	.nested_1g_pages = vmx_nested_1g_pages,
	.cpu_init = vmx_cpu_init,
	.cpu_activate = vmx_cpu_activate,
	.cpu_exit = vmx_cpu_exit,
	.cpu_on = vmx_cpu_on,
	.skip_instruction = vmx_skip_instruction,
	.advance_rip = vmx_advance_rip,
	.inject_exception = vmx_inject_exception,
	.inject_nmi = vmx_inject_nmi,
	.reset = vmx_vcpu_reset,
	.start_at_segment = vmx_start_at_segment,
	.set_halted = vmx_set_halted,
	.take_interrupt = hw_take_interrupt,
	.load_cell = vmx_load_cell,
	.flush_all = vmx_flush_all,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.set_long_mode = vmx_set_long_mode,
	.get_pdptes = vmx_get_pdptes,
};
