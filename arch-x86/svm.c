// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM: the running Linux becomes the guest of a VMCB built from its
 * own captured state, its memory seen through the cell's nested page
 * tables; disable hands that state back. #VMEXITs are read into the
 * vendor-neutral form of asm/exit.h and handled by the same code as VMX's.
 *
 * The VMCB is memory, so everything here runs unchanged in the simulator;
 * only VMRUN and the SVM MSRs go through asm/hw.h, and the simulator's
 * VMRUN applies the consistency checks of the AMD64 APM (15.5.1).
 *
 * No next-RIP saving is assumed (QEMU's TCG lacks it): instruction lengths
 * come from the exit itself (I/O) or from the fixed encodings of the
 * intercepted instructions.
 */
#include <core/cell.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/page_pool.h>
#include <core/paging.h>
#include <core/printk.h>
#include <asm/cpuid.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/msr.h>
#include <asm/page_formats.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>
#include <asm/trapnr.h>
#include <asm/vcpu.h>

#define DR6_RESET 0xffff0ff0ULL

/* The only guest ASID: each CPU runs one guest, flushed when it changes. */
#define GUEST_ASID 1

/* Encodings of the intercepted instructions that report no length. */
#define LEN_CPUID 2 /* 0f a2 */
#define LEN_RDMSR_WRMSR 2 /* 0f 32, 0f 30 */
#define LEN_VMMCALL 3 /* 0f 01 d9 */
#define LEN_XSETBV 3 /* 0f 01 d1 */

/* The MSR permission map: three 2 KiB ranges of two bits per MSR. */
#define MSRPM_RANGE 0x2000U
static const u32 msrpm_range_base[] = { 0, 0xc0000000U, 0xc0010000U };

static void report_missing(const char *name)
{
	printk("CPU %u: SVM feature missing: %s\n", hw_this_cpu_id(), name);
}

int svm_check_features(void)
{
	unsigned int missing = 0;
	u32 r[4];

	hw_cpuid(CPUID_EXT_MAX, 0, r);
	if (r[0] < CPUID_SVM_FEATURES)
		r[2] = 0;
	else
		hw_cpuid(CPUID_EXT_FEATURES, 0, r);
	if (!(r[2] & CPUID_EXT_ECX_SVM)) {
		printk("CPU %u: no SVM: this CPU cannot run the hypervisor\n",
		       hw_this_cpu_id());
		return -ENODEV;
	}
	if (hw_rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		report_missing("SVM enabled by firmware (VM_CR.SVMDIS is set)");
		missing++;
	}
	hw_cpuid(CPUID_SVM_FEATURES, 0, r);
	if (!(r[3] & CPUID_SVM_EDX_NPT)) {
		report_missing("nested paging (NPT)");
		missing++;
	}
	if (r[1] <= GUEST_ASID) {
		report_missing("a guest ASID");
		missing++;
	}
	return missing ? -EIO : 0;
}

/* Permission maps */

static void msrpm_set(u8 *msrpm, u32 msr, bool read, bool write)
{
	unsigned int n, bit;

	for (n = 0; n < ARRAY_SIZE(msrpm_range_base); n++) {
		if (msr - msrpm_range_base[n] >= MSRPM_RANGE)
			continue;
		bit = n * MSRPM_RANGE * 2 + (msr - msrpm_range_base[n]) * 2;
		if (read)
			msrpm[bit / 8] |= 1 << (bit % 8);
		if (write)
			msrpm[(bit + 1) / 8] |= 1 << ((bit + 1) % 8);
		return;
	}
	/* Outside the three ranges every access exits anyway. */
}

/*
 * The same policy as VMX's MSR bitmap: reads are native, writes exit
 * unless they only touch the CPU's own state (asm/msr.h). EFER exits both
 * ways so that SVME stays hidden, and SVM's own MSRs are nobody's.
 */
static void fill_msrpm(u8 *msrpm)
{
	unsigned int n;
	u32 msr;

	memset(msrpm, 0, SVM_MSRPM_PAGES * PAGE_SIZE);
	for (n = 0; n < ARRAY_SIZE(msrpm_range_base); n++)
		for (msr = msrpm_range_base[n];
		     msr - msrpm_range_base[n] < MSRPM_RANGE; msr++)
			if (!msr_write_passes_through(msr))
				msrpm_set(msrpm, msr, false, true);
	msrpm_set(msrpm, MSR_IA32_EFER, true, true);
	msrpm_set(msrpm, MSR_VM_CR, true, true);
	msrpm_set(msrpm, MSR_VM_HSAVE_PA, true, true);
	/* Behind the three ranges: reserved, every bit an intercept. */
	memset(msrpm + 3 * MSRPM_RANGE / 4, 0xff,
	       SVM_MSRPM_PAGES * PAGE_SIZE - 3 * MSRPM_RANGE / 4);
}

/* The VMCB */

static void write_segment(struct vmcb_segment *to,
			  const struct x86_segment *from)
{
	to->selector = from->selector;
	to->attrib = svm_access_rights_to_attrib(from->access_rights);
	to->limit = from->limit;
	to->base = from->base;
}

static void read_segment(struct x86_segment *to,
			 const struct vmcb_segment *from)
{
	to->selector = from->selector;
	to->access_rights = svm_attrib_to_access_rights(from->attrib);
	to->limit = from->limit;
	to->base = from->base;
}

static void write_table(struct vmcb_segment *to, const struct x86_dtable *t)
{
	to->selector = 0;
	to->attrib = 0;
	to->limit = t->limit;
	to->base = t->base;
}

/*
 * Intercepts: NMIs (how other CPUs kick this one), INIT (the hypervisor
 * emulates INIT/SIPI, a real one is stray), CPUID, I/O and MSRs through
 * their maps, shutdown (a triple fault), XSETBV, and every SVM
 * instruction; VMRUN must be intercepted or VMRUN itself refuses.
 */
static void write_controls(struct per_cpu *cpu)
{
	struct vmcb_control *c = &cpu->arch.vmcb->control;

	c->intercepts1 = SVM_INTERCEPT_NMI | SVM_INTERCEPT_INIT |
			 SVM_INTERCEPT_CPUID | SVM_INTERCEPT_IOIO_PROT |
			 SVM_INTERCEPT_MSR_PROT | SVM_INTERCEPT_SHUTDOWN;
	c->intercepts2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			 SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			 SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			 SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_XSETBV;
	/* #AC and #DB come back to the hypervisor: a guest must not loop. */
	c->exception_intercepts = (1U << X86_VECTOR_AC) | (1U << X86_VECTOR_DB);
	c->msrpm_base_pa = page_pool_virt2phys(&mem_pool, cpu->arch.msrpm);
	c->asid = GUEST_ASID;
	c->tlb_control = SVM_TLB_FLUSH_GUEST;
	c->nested_control = SVM_NP_ENABLE;
	c->event_inject = 0;
}

static void write_guest_state(struct vmcb_save *v,
			      const struct x86_cpu_state *s)
{
	write_segment(&v->es, &s->es);
	write_segment(&v->cs, &s->cs);
	write_segment(&v->ss, &s->ss);
	write_segment(&v->ds, &s->ds);
	write_segment(&v->fs, &s->fs);
	write_segment(&v->gs, &s->gs);
	write_segment(&v->ldtr, &s->ldtr);
	write_segment(&v->tr, &s->tr);
	write_table(&v->gdtr, &s->gdtr);
	write_table(&v->idtr, &s->idtr);
	/* The CPL is SS.DPL in every mode. */
	v->cpl = (s->ss.access_rights >> 5) & 3;
	v->efer = s->efer | EFER_SVME;
	v->cr0 = s->cr0;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	v->dr7 = s->dr7;
	v->dr6 = DR6_RESET;
	v->rflags = s->rflags;
	v->rip = s->rip;
	v->rsp = s->regs.gp[REG_RSP];
	v->rax = s->regs.gp[REG_RAX];
	v->star = s->star;
	v->lstar = s->lstar;
	v->cstar = s->cstar;
	v->sfmask = s->fmask;
	v->kernel_gs_base = s->kernel_gs_base;
	v->sysenter_cs = s->sysenter_cs;
	v->sysenter_esp = s->sysenter_esp;
	v->sysenter_eip = s->sysenter_eip;
	v->g_pat = s->pat;
	v->dbgctl = s->debugctl;
}

static void read_guest_state(struct arch_per_cpu *a)
{
	const struct vmcb_save *v = &a->vmcb->save;
	struct x86_cpu_state *s = &a->linux_state;

	s->regs = a->guest_regs;
	s->regs.gp[REG_RSP] = v->rsp;
	s->rip = v->rip;
	s->rflags = v->rflags;
	s->cr0 = v->cr0;
	s->cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->dr7 = v->dr7;
	read_segment(&s->es, &v->es);
	read_segment(&s->cs, &v->cs);
	read_segment(&s->ss, &v->ss);
	read_segment(&s->ds, &v->ds);
	read_segment(&s->fs, &v->fs);
	read_segment(&s->gs, &v->gs);
	read_segment(&s->ldtr, &v->ldtr);
	read_segment(&s->tr, &v->tr);
	s->gdtr.base = v->gdtr.base;
	s->gdtr.limit = v->gdtr.limit;
	s->idtr.base = v->idtr.base;
	s->idtr.limit = v->idtr.limit;
	s->efer = v->efer & ~EFER_SVME;
	s->pat = v->g_pat;
	s->debugctl = v->dbgctl;
	s->sysenter_cs = v->sysenter_cs;
	s->sysenter_esp = v->sysenter_esp;
	s->sysenter_eip = v->sysenter_eip;
	s->star = v->star;
	s->lstar = v->lstar;
	s->cstar = v->cstar;
	s->fmask = v->sfmask;
	s->kernel_gs_base = v->kernel_gs_base;
}

/* Entering and leaving */

static void free_page_ptr(void **page, unsigned int num)
{
	if (*page)
		page_free(&mem_pool, *page, num);
	*page = NULL;
}

static void free_svm_pages(struct arch_per_cpu *a)
{
	free_page_ptr((void **)&a->vmcb, 1);
	free_page_ptr(&a->host_save_area, 1);
	free_page_ptr(&a->msrpm, SVM_MSRPM_PAGES);
}

static int alloc_svm_pages(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;

	a->vmcb = page_alloc(&mem_pool, 1);
	a->host_save_area = page_alloc(&mem_pool, 1);
	a->msrpm = page_alloc(&mem_pool, SVM_MSRPM_PAGES);
	if (!a->vmcb || !a->host_save_area || !a->msrpm) {
		printk("CPU %u: no memory for SVM\n", cpu->cpu_id);
		free_svm_pages(a);
		return -ENOMEM;
	}
	memset(a->vmcb, 0, PAGE_SIZE);
	memset(a->host_save_area, 0, PAGE_SIZE);
	fill_msrpm(a->msrpm);
	return 0;
}

static int enable_svme(struct per_cpu *cpu)
{
	u64 efer = hw_rdmsr(MSR_IA32_EFER);

	if (efer & EFER_SVME) {
		printk("CPU %u: EFER.SVME already set: SVM is in use\n",
		       cpu->cpu_id);
		return -EBUSY;
	}
	hw_wrmsr(MSR_IA32_EFER, efer | EFER_SVME);
	hw_wrmsr(MSR_VM_HSAVE_PA, page_pool_virt2phys(&mem_pool,
						      cpu->arch.host_save_area));
	return 0;
}

static void disable_svme(void)
{
	/* Interrupts, NMIs and INIT reach the CPU again. */
	hw_svm_stgi();
	hw_wrmsr(MSR_VM_HSAVE_PA, 0);
	hw_wrmsr(MSR_IA32_EFER, hw_rdmsr(MSR_IA32_EFER) & ~EFER_SVME);
}

int svm_cpu_init(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;
	int err;

	err = svm_check_features();
	if (err)
		return err;
	hw_capture_cpu_state(&a->linux_state);
	a->guest_regs = a->linux_state.regs;
	err = alloc_svm_pages(cpu);
	if (err)
		return err;
	err = enable_svme(cpu);
	if (err) {
		free_svm_pages(a);
		return err;
	}
	write_controls(cpu);
	write_guest_state(&a->vmcb->save, &a->linux_state);
	svm_load_cell(cpu);
	a->svm_on = true;
	a->vcpu_state = VCPU_RUNNING;
	return 0;
}

int svm_cpu_activate(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;

	/* On hardware a successful VMRUN continues in Linux, not here. */
	if (hw_vmrun(page_pool_virt2phys(&mem_pool, a->vmcb), a->vmcb,
		     &a->guest_regs) == 0)
		return 0;
	printk("CPU %u: VMRUN refused the VMCB (exit code 0x%llx)\n",
	       cpu->cpu_id, (unsigned long long)a->vmcb->control.exit_code);
	svm_cpu_exit(cpu);
	return -EIO;
}

void svm_cpu_exit(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;

	if (!a->svm_on)
		return;
	read_guest_state(a);
	disable_svme();
	a->svm_on = false;
	free_svm_pages(a);
}

/* Cells */

void svm_load_cell(struct per_cpu *cpu)
{
	struct vmcb_control *c = &cpu->arch.vmcb->control;
	u64 npt = paging_root_phys(&cpu->cell->arch.cpu_paging);

	c->iopm_base_pa = page_pool_virt2phys(&mem_pool, cpu->cell->pio_bitmap);
	if (c->n_cr3 != npt)
		c->tlb_control = SVM_TLB_FLUSH_GUEST;
	c->n_cr3 = npt;
}

void svm_flush_all(struct per_cpu *cpu)
{
	cpu->arch.vmcb->control.tlb_control = SVM_TLB_FLUSH_GUEST;
}

/* Exits */

static void read_ioio_exit(struct x86_exit *exit, const struct vmcb *v)
{
	u64 info = v->control.exit_info1;
	u64 rax = exit->regs->gp[REG_RAX];

	exit->reason = X86_EXIT_PIO;
	exit->pio.size = (info >> SVM_IOIO_SIZE_SHIFT) & 7;
	exit->pio.is_write = !(info & SVM_IOIO_IN);
	exit->pio.is_string = info & SVM_IOIO_STRING;
	exit->pio.rep = info & SVM_IOIO_REP;
	exit->pio.port = info >> SVM_IOIO_PORT_SHIFT;
	exit->pio.value =
		exit->pio.is_write && !exit->pio.is_string ?
			(u32)(rax & (~0ULL >> (64 - 8 * exit->pio.size))) :
			0;
}

static void read_npf_exit(struct x86_exit *exit, const struct vmcb *v)
{
	u64 error = v->control.exit_info1;

	exit->reason = X86_EXIT_NESTED_FAULT;
	exit->fault.gpa = v->control.exit_info2;
	exit->fault.write = error & SVM_NPF_WRITE;
	exit->fault.fetch = error & SVM_NPF_FETCH;
	exit->fault.read = !exit->fault.write && !exit->fault.fetch;
	exit->fault.gla_valid = false;
}

/* EDX:EAX, the operand of WRMSR and XSETBV. */
static u64 edx_eax(const struct guest_regs *regs)
{
	return regs->gp[REG_RDX] << 32 | (u32)regs->gp[REG_RAX];
}

static void read_exception_exit(struct x86_exit *exit, const struct vmcb *v)
{
	u8 vector = v->control.exit_code - SVM_EXIT_EXCEPTION_BASE;

	exit->reason = X86_EXIT_EXCEPTION;
	exit->exception.vector = vector;
	/* Of the two intercepted, only #AC pushes an error code. */
	exit->exception.has_error_code = vector == X86_VECTOR_AC;
	exit->exception.error_code = (u32)v->control.exit_info1;
}

/*
 * The NMI that caused the exit is still pending, held off by the cleared
 * global interrupt flag: it is let through to the hypervisor's own
 * handler here, or the next VMRUN would take it again at once.
 */
static void read_nmi_exit(struct x86_exit *exit)
{
	hw_svm_take_nmi();
	exit->reason = X86_EXIT_KICK;
}

static unsigned int read_instruction_exit(struct x86_exit *exit,
					  const struct vmcb *v)
{
	struct guest_regs *regs = exit->regs;

	switch (v->control.exit_code) {
	case SVM_EXIT_CPUID:
		exit->reason = X86_EXIT_CPUID;
		return LEN_CPUID;
	case SVM_EXIT_VMMCALL:
		exit->reason = X86_EXIT_HYPERCALL;
		exit->cpl = v->save.cpl;
		exit->rax = regs->gp[REG_RAX];
		exit->rdi = regs->gp[REG_RDI];
		exit->rsi = regs->gp[REG_RSI];
		return LEN_VMMCALL;
	case SVM_EXIT_MSR:
		exit->msr.index = (u32)regs->gp[REG_RCX];
		if (v->control.exit_info1) {
			exit->reason = X86_EXIT_MSR_WRITE;
			exit->msr.value = edx_eax(regs);
		} else {
			exit->reason = X86_EXIT_MSR_READ;
		}
		return LEN_RDMSR_WRMSR;
	case SVM_EXIT_XSETBV:
		exit->reason = X86_EXIT_XSETBV;
		exit->xcr.index = (u32)regs->gp[REG_RCX];
		exit->xcr.value = edx_eax(regs);
		return LEN_XSETBV;
	case SVM_EXIT_IOIO:
		read_ioio_exit(exit, v);
		/* EXITINFO2 holds the next RIP with or without next-RIP save. */
		return v->control.exit_info2 - v->save.rip;
	default:
		exit->reason = X86_EXIT_UNHANDLED;
		return 0;
	}
}

void svm_read_exit(struct per_cpu *cpu, struct x86_exit *exit)
{
	const struct vmcb *v = cpu->arch.vmcb;
	u64 code = v->control.exit_code;

	exit->vendor_reason = (u32)code;
	exit->cpl = 0;
	exit->regs = &cpu->arch.guest_regs;
	exit->rip = v->save.rip;
	cpu->arch.vmcb->control.tlb_control = 0;
	cpu->arch.svm_insn_len = 0;

	if (code >= SVM_EXIT_EXCEPTION_BASE &&
	    code < SVM_EXIT_EXCEPTION_BASE + 32) {
		read_exception_exit(exit, v);
		return;
	}
	switch (code) {
	case SVM_EXIT_NPF:
		read_npf_exit(exit, v);
		break;
	case SVM_EXIT_NMI:
		read_nmi_exit(exit);
		break;
	case SVM_EXIT_SHUTDOWN:
		exit->reason = X86_EXIT_TRIPLE_FAULT;
		break;
	case SVM_EXIT_INIT:
		exit->reason = X86_EXIT_INIT;
		break;
	default:
		cpu->arch.svm_insn_len = read_instruction_exit(exit, v);
	}
}

void svm_advance_rip(struct per_cpu *cpu, unsigned int length)
{
	struct vmcb *v = cpu->arch.vmcb;

	v->save.rip += length;
	/* The instruction completed: a preceding STI or MOV SS is over. */
	v->control.int_state &= ~1ULL;
}

void svm_skip_instruction(struct per_cpu *cpu)
{
	svm_advance_rip(cpu, cpu->arch.svm_insn_len);
}

void svm_inject_exception(struct per_cpu *cpu, u8 vector, u32 error_code)
{
	struct vmcb *v = cpu->arch.vmcb;
	u64 event = SVM_EVENT_VALID | vector |
		    SVM_EVENT_TYPE_EXCEPTION << SVM_EVENT_TYPE_SHIFT;

	/* Real mode pushes no error codes. */
	if ((v->save.cr0 & CR0_PE) && x86_pushes_error_code(vector))
		event |= SVM_EVENT_ERROR_VALID | (u64)error_code << 32;
	v->control.event_inject = event;
}

void svm_inject_nmi(struct per_cpu *cpu)
{
	cpu->arch.vmcb->control.event_inject =
		SVM_EVENT_VALID | X86_VECTOR_NMI |
		SVM_EVENT_TYPE_NMI << SVM_EVENT_TYPE_SHIFT;
}

static const struct vmcb_segment reset_data_segment = { 0, 0x93, 0xffff, 0 };

void svm_vcpu_reset(struct per_cpu *cpu, u64 address)
{
	struct vmcb_save *v = &cpu->arch.vmcb->save;
	u64 segment = address & ~0xffffULL;

	memset(v, 0, sizeof(*v));
	v->cs = (struct vmcb_segment){ (segment >> 4) & 0xffff, 0x9b, 0xffff,
				       segment };
	v->ds = v->es = v->fs = v->gs = v->ss = reset_data_segment;
	v->tr = (struct vmcb_segment){ 0, 0x8b, 0xffff, 0 };
	v->ldtr = (struct vmcb_segment){ 0, 0x82, 0xffff, 0 };
	v->gdtr.limit = v->idtr.limit = 0xffff;
	v->rip = address & 0xffff;
	v->rflags = 0x2;
	v->cr0 = 0x10; /* ET */
	v->efer = EFER_SVME;
	v->dr6 = DR6_RESET;
	v->dr7 = 0x400;
	v->g_pat = 0x0007040600070406ULL;
	memset(&cpu->arch.guest_regs, 0, sizeof(cpu->arch.guest_regs));
	/* An event pending from before the reset must not be delivered. */
	cpu->arch.vmcb->control.event_inject = 0;
	cpu->arch.vmcb->control.int_state = 0;
}

void svm_start_at_segment(struct per_cpu *cpu, u64 base)
{
	struct vmcb_save *v = &cpu->arch.vmcb->save;

	v->cs = (struct vmcb_segment){ (base >> 4) & 0xffff, 0x9b, 0xffff,
				       base };
	v->rip = 0;
	v->rflags = 0x2;
}

/* The vendor seam (asm/vcpu.h) */

/* NPT's 1 GiB pages follow the host's paging. */
static bool svm_nested_1g_pages(void)
{
	u32 r[4];

	hw_cpuid(0x80000001, 0, r);
	return r[3] & (1U << 26);
}

static bool svm_cpu_on(const struct per_cpu *cpu)
{
	return cpu->arch.svm_on;
}

/* Nothing to record: the CPU is simply not entered. */
static void svm_set_halted(struct per_cpu *cpu, bool halted)
{
	(void)cpu;
	(void)halted;
}

static struct vmcb_save *this_save_area(void)
{
	return &per_cpu(hw_this_cpu_id())->arch.vmcb->save;
}

/*
 * SVM owns no bits of CR0 and CR4, so their shadows are the registers;
 * its own enable bit in EFER stays hidden from the guest.
 */
static u64 svm_get_reg(enum vcpu_reg reg)
{
	const struct vmcb_save *v = this_save_area();

	switch (reg) {
	case VCPU_CR0:
	case VCPU_CR0_SHADOW:
		return v->cr0;
	case VCPU_CR3:
		return v->cr3;
	case VCPU_CR4:
	case VCPU_CR4_SHADOW:
		return v->cr4;
	case VCPU_PAT:
		return v->g_pat;
	case VCPU_RIP:
		return v->rip;
	case VCPU_RSP:
		return v->rsp;
	case VCPU_CS_BASE:
		return v->cs.base;
	case VCPU_EFER:
		return v->efer & ~EFER_SVME;
	case VCPU_CS_ACCESS_RIGHTS:
		return svm_attrib_to_access_rights(v->cs.attrib);
	default:
		return 0;
	}
}

static void svm_set_reg(enum vcpu_reg reg, u64 value)
{
	struct vmcb_save *v = this_save_area();

	switch (reg) {
	case VCPU_CR0:
	case VCPU_CR0_SHADOW:
		v->cr0 = value;
		break;
	case VCPU_CR3:
		v->cr3 = value;
		break;
	case VCPU_CR4:
	case VCPU_CR4_SHADOW:
		v->cr4 = value;
		break;
	case VCPU_PAT:
		v->g_pat = value;
		break;
	case VCPU_RIP:
		v->rip = value;
		break;
	case VCPU_RSP:
		v->rsp = value;
		break;
	case VCPU_CS_BASE:
		v->cs.base = value;
		break;
	case VCPU_EFER:
		v->efer = value | EFER_SVME;
		break;
	default:
		break;
	}
}

/* The CPU follows EFER.LMA in the VMCB. */
static void svm_set_long_mode(bool on)
{
	(void)on;
}

/* The CPU reads PAE PDPTEs from guest memory: none kept here. */
static bool svm_get_pdptes(u64 pdpte[4])
{
	(void)pdpte;
	return false;
}

const struct x86_vendor_ops svm_ops = {
	.name = "SVM",
	.nested_format = &npt_format,
	.nested_1g_pages = svm_nested_1g_pages,
	.cpu_init = svm_cpu_init,
	.cpu_activate = svm_cpu_activate,
	.cpu_exit = svm_cpu_exit,
	.cpu_on = svm_cpu_on,
	.skip_instruction = svm_skip_instruction,
	.advance_rip = svm_advance_rip,
	.inject_exception = svm_inject_exception,
	.inject_nmi = svm_inject_nmi,
	.reset = svm_vcpu_reset,
	.start_at_segment = svm_start_at_segment,
	.set_halted = svm_set_halted,
	.take_interrupt = hw_svm_take_interrupt,
	.load_cell = svm_load_cell,
	.flush_all = svm_flush_all,
	.get_reg = svm_get_reg,
	.set_reg = svm_set_reg,
	.set_long_mode = svm_set_long_mode,
	.get_pdptes = svm_get_pdptes,
};
