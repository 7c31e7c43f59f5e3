// SPDX-License-Identifier: GPL-2.0
/*
 * The VM-entry checks of the Intel SDM (vol. 3, chapter "VM Entries":
 * checks on VMX controls, on the host-state area and on the guest-state
 * area) that apply to this hypervisor, run on the simulator's fake VMCS
 * whenever hypervisor code launches a guest. A VMCS real hardware would
 * refuse is refused here too, with a sentence naming the check.
 *
 * Left out, because this hypervisor uses none of the features they guard:
 * SMM and the dual-monitor treatment, posted interrupts, VM functions, VMCS
 * shadowing, PERF_GLOBAL_CTRL, BNDCFGS, CET and PKRS loading, sub-page
 * permissions, and MSR-load lists' contents (only their addresses).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <sim/cpu_hw.h>
#include <sim/hw_state.h>
#include <sim/vmx_checks.h>

/* VMCS field encodings (SDM vol. 3, appendix B), kept apart on purpose. */
enum {
	F_VPID = 0x0000,
	F_G_ES_SEL = 0x0800,
	F_G_CS_SEL = 0x0802,
	F_G_SS_SEL = 0x0804,
	F_G_DS_SEL = 0x0806,
	F_G_FS_SEL = 0x0808,
	F_G_GS_SEL = 0x080a,
	F_G_LDTR_SEL = 0x080c,
	F_G_TR_SEL = 0x080e,
	F_H_ES_SEL = 0x0c00,
	F_H_CS_SEL = 0x0c02,
	F_H_SS_SEL = 0x0c04,
	F_H_DS_SEL = 0x0c06,
	F_H_FS_SEL = 0x0c08,
	F_H_GS_SEL = 0x0c0a,
	F_H_TR_SEL = 0x0c0c,
	F_IO_BITMAP_A = 0x2000,
	F_IO_BITMAP_B = 0x2002,
	F_MSR_BITMAP = 0x2004,
	F_EXIT_MSR_STORE_ADDR = 0x2006,
	F_EXIT_MSR_LOAD_ADDR = 0x2008,
	F_ENTRY_MSR_LOAD_ADDR = 0x200a,
	F_PML_ADDR = 0x200e,
	F_VIRTUAL_APIC_ADDR = 0x2012,
	F_APIC_ACCESS_ADDR = 0x2014,
	F_EPTP = 0x201a,
	F_G_LINK_POINTER = 0x2800,
	F_G_DEBUGCTL = 0x2802,
	F_G_PAT = 0x2804,
	F_G_EFER = 0x2806,
	F_G_PDPTE0 = 0x280a,
	F_H_PAT = 0x2c00,
	F_H_EFER = 0x2c02,
	F_PIN_CTLS = 0x4000,
	F_PROC_CTLS = 0x4002,
	F_CR3_TARGET_COUNT = 0x400a,
	F_EXIT_CTLS = 0x400c,
	F_EXIT_MSR_STORE_COUNT = 0x400e,
	F_EXIT_MSR_LOAD_COUNT = 0x4010,
	F_ENTRY_CTLS = 0x4012,
	F_ENTRY_MSR_LOAD_COUNT = 0x4014,
	F_ENTRY_INTR_INFO = 0x4016,
	F_ENTRY_ERROR_CODE = 0x4018,
	F_ENTRY_INSN_LEN = 0x401a,
	F_TPR_THRESHOLD = 0x401c,
	F_PROC_CTLS2 = 0x401e,
	F_VM_INSN_ERROR = 0x4400,
	F_EXIT_REASON = 0x4402,
	F_G_ES_LIMIT = 0x4800,
	F_G_ES_AR = 0x4814,
	F_G_GDTR_LIMIT = 0x4810,
	F_G_IDTR_LIMIT = 0x4812,
	F_G_INTERRUPTIBILITY = 0x4824,
	F_G_ACTIVITY = 0x4826,
	F_EXIT_QUALIFICATION = 0x6400,
	F_G_CR0 = 0x6800,
	F_G_CR3 = 0x6802,
	F_G_CR4 = 0x6804,
	F_G_ES_BASE = 0x6806,
	F_G_GDTR_BASE = 0x6816,
	F_G_IDTR_BASE = 0x6818,
	F_G_DR7 = 0x681a,
	F_G_RIP = 0x681e,
	F_G_RFLAGS = 0x6820,
	F_G_PENDING_DBG = 0x6822,
	F_G_SYSENTER_ESP = 0x6824,
	F_G_SYSENTER_EIP = 0x6826,
	F_H_CR0 = 0x6c00,
	F_H_CR3 = 0x6c02,
	F_H_CR4 = 0x6c04,
	F_H_FS_BASE = 0x6c06,
	F_H_GS_BASE = 0x6c08,
	F_H_TR_BASE = 0x6c0a,
	F_H_GDTR_BASE = 0x6c0c,
	F_H_IDTR_BASE = 0x6c0e,
	F_H_SYSENTER_ESP = 0x6c10,
	F_H_SYSENTER_EIP = 0x6c12,
	F_H_RIP = 0x6c16,
};

/* Guest segment fields are spaced 2 apart in the order ES CS SS DS FS GS. */
enum seg_index {
	SEG_ES,
	SEG_CS,
	SEG_SS,
	SEG_DS,
	SEG_FS,
	SEG_GS,
	SEG_LDTR,
	SEG_TR,
	NUM_SEGS
};
static const char *const seg_names[NUM_SEGS] = { "ES", "CS", "SS",   "DS",
						 "FS", "GS", "LDTR", "TR" };

#define BIT(n) (1ULL << (n))

#define PIN_NMI_EXITING BIT(3)
#define PIN_VIRTUAL_NMIS BIT(5)
#define PIN_PREEMPTION_TIMER BIT(6)
#define PIN_POSTED_INTERRUPTS BIT(7)
#define PIN_EXT_INT_EXITING BIT(0)

#define PROC_NMI_WINDOW BIT(22)
#define PROC_TPR_SHADOW BIT(21)
#define PROC_MONITOR_TRAP BIT(27)
#define PROC_IO_BITMAPS BIT(25)
#define PROC_MSR_BITMAPS BIT(28)
#define PROC_SECONDARY BIT(31)

#define PROC2_VIRT_APIC_ACCESS BIT(0)
#define PROC2_EPT BIT(1)
#define PROC2_VIRT_X2APIC BIT(4)
#define PROC2_VPID BIT(5)
#define PROC2_UNRESTRICTED BIT(7)
#define PROC2_APIC_REG_VIRT BIT(8)
#define PROC2_VIRT_INTR_DELIVERY BIT(9)
#define PROC2_VMFUNC BIT(13)
#define PROC2_VMCS_SHADOWING BIT(14)
#define PROC2_PML BIT(17)
#define PROC2_EPT_VE BIT(18)
#define PROC2_MODE_BASED_EXEC BIT(22)

#define EXIT_HOST_64BIT BIT(9)
#define EXIT_ACK_INTERRUPT BIT(15)
#define EXIT_LOAD_PAT BIT(19)
#define EXIT_LOAD_EFER BIT(21)
#define EXIT_SAVE_PREEMPTION_TIMER BIT(22)

#define ENTRY_LOAD_DEBUG BIT(2)
#define ENTRY_IA32E_GUEST BIT(9)
#define ENTRY_SMM BIT(10)
#define ENTRY_DUAL_MONITOR BIT(11)
#define ENTRY_LOAD_PAT BIT(14)
#define ENTRY_LOAD_EFER BIT(15)

#define BASIC_TRUE_CTLS BIT(55)
#define MISC_ACTIVITY_HLT BIT(6)
#define MISC_ZERO_LEN_INJECTION BIT(30)

#define EPT_CAP_WALK_4 BIT(6)
#define EPT_CAP_WALK_5 BIT(7)
#define EPT_CAP_UC BIT(8)
#define EPT_CAP_WB BIT(14)
#define EPT_CAP_AD BIT(21)

#define EFER_VALID (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

#define RFLAGS_RESERVED (~0ULL << 22 | BIT(15) | BIT(5) | BIT(3))

#define DEBUGCTL_BTF BIT(1)
#define DEBUGCTL_RESERVED (~0ULL << 16 | 0x3cULL)

#define AR_TYPE(ar) ((ar)&0xf)
#define AR_S BIT(4)
#define AR_DPL(ar) (((ar) >> 5) & 3)
#define AR_P BIT(7)
#define AR_RESERVED_LOW 0xf00ULL
#define AR_L BIT(13)
#define AR_DB BIT(14)
#define AR_G BIT(15)
#define AR_UNUSABLE BIT(16)
#define AR_RESERVED_HIGH (~0ULL << 17 & 0xffffffffULL)

#define INTR_VALID BIT(31)
#define INTR_VECTOR(i) ((i)&0xff)
#define INTR_TYPE(i) (((i) >> 8) & 7)
#define INTR_DELIVER_ERROR BIT(11)
#define INTR_RESERVED 0x7ffff000ULL

enum intr_type {
	INTR_EXT = 0,
	INTR_NMI = 2,
	INTR_HW_EXCEPTION = 3,
	INTR_SW_INT = 4,
	INTR_PRIV_SW_EXCEPTION = 5,
	INTR_SW_EXCEPTION = 6,
	INTR_OTHER = 7,
};

#define BLOCK_STI BIT(0)
#define BLOCK_MOV_SS BIT(1)
#define BLOCK_SMI BIT(2)
#define BLOCK_NMI BIT(3)
#define BLOCK_RESERVED (~0ULL << 4 & 0xffffffffULL)

#define PENDING_DBG_BS BIT(14)
#define PENDING_DBG_RESERVED (~0ULL << 17 | BIT(15) | BIT(13) | 0xff0ULL)

enum activity { ACT_ACTIVE, ACT_HLT, ACT_SHUTDOWN, ACT_WAIT_SIPI };

static const struct sim_vmx_caps skylake = {
	.feature_control = BIT(0) | BIT(2), /* locked, VMXON outside SMX */
	/* Revision 4, 1 KiB regions, write-back, INS/OUTS info, true ctls. */
	.basic = 4 | 0x400ULL << 32 | 6ULL << 50 | BIT(54) | BIT(55),
	.pinbased_ctls = 0x7fULL << 32 | 0x16,
	.true_pinbased_ctls = 0x7fULL << 32 | 0x16,
	.procbased_ctls = 0xfff9fffeULL << 32 | 0x0401e172,
	/* The true MSR lets CR3-load and CR3-store exiting be 0. */
	.true_procbased_ctls = 0xfff9fffeULL << 32 | 0x04006172,
	/* Everything up to XSAVES but VM functions and VMCS shadowing. */
	.procbased_ctls2 = 0x00131fffULL << 32,
	.exit_ctls = 0x007fefffULL << 32 | 0x00036dff,
	.true_exit_ctls = 0x007fefffULL << 32 | 0x00036dfb,
	.entry_ctls = 0x0000dfffULL << 32 | 0x000011ff,
	.true_entry_ctls = 0x0000dfffULL << 32 | 0x000011fb,
	/* Timer at TSC/32, EFER.LMA saved, HLT and wait-for-SIPI, 4 CR3s. */
	.misc = 5 | BIT(5) | BIT(6) | BIT(8) | 4ULL << 16 | BIT(29),
	.cr0_fixed0 = 0x80000021,
	.cr0_fixed1 = 0xffffffff,
	.cr4_fixed0 = 0x2000,
	.cr4_fixed1 = 0x3767ff,
	.vmcs_enum = 0x2e,
	/*
	 * Execute-only, 4-level walk, UC and WB, 2M and 1G pages, INVEPT with
	 * single-context and all-context, A/D flags, INVVPID of all types.
	 */
	.ept_vpid_cap = BIT(0) | BIT(6) | BIT(8) | BIT(14) | BIT(16) | BIT(17) |
			BIT(20) | BIT(21) | BIT(25) | BIT(26) | BIT(32) |
			BIT(40) | BIT(41) | BIT(42) | BIT(43),
	.vmfunc = 0,
	.phys_addr_bits = 39,
	.linear_addr_bits = 48,
};

static char last_refusal[SIM_MAX_CPUS][256];

const struct sim_vmx_caps *sim_vmx_skylake_caps(void)
{
	return &skylake;
}

/* State of one run of the checks. */
struct check {
	unsigned int cpu;
	char *why;
	size_t len;
	u32 pin, proc, proc2, exit, entry;
	bool unrestricted;
	bool ia32e_guest;
};

static u64 rd(const struct check *c, u32 field)
{
	return sim_vmcs_get(c->cpu, field);
}

static u64 msr(const struct check *c, u32 index)
{
	return sim_msr_get(c->cpu, index);
}

/* Records why the entry fails; returns false so checks can end with it. */
static bool refuse(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool refuse(struct check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, c->len, fmt, ap);
	va_end(ap);
	return false;
}

static bool canonical(u64 addr)
{
	unsigned int bits = skylake.linear_addr_bits;
	s64 high = (s64)addr >> (bits - 1);

	return high == 0 || high == -1;
}

static bool beyond_phys_width(u64 addr)
{
	return (addr >> skylake.phys_addr_bits) != 0;
}

static unsigned long long ull(u64 v)
{
	return (unsigned long long)v;
}

/* Checks on VMX controls: VM-execution controls */

static bool ctls_allowed(struct check *c, const char *what, u32 value,
			 u32 cap_msr, const char *cap_name)
{
	u64 cap = msr(c, cap_msr);
	u32 must_be_1 = (u32)cap, may_be_1 = (u32)(cap >> 32);

	if ((value & must_be_1) != must_be_1)
		return refuse(c, "%s 0x%08x: bits 0x%08x must be 1 (%s)", what,
			      value, must_be_1 & ~value, cap_name);
	if (value & ~may_be_1)
		return refuse(c, "%s 0x%08x: bits 0x%08x must be 0 (%s)", what,
			      value, value & ~may_be_1, cap_name);
	return true;
}

static bool true_ctls(const struct check *c)
{
	return msr(c, MSR_IA32_VMX_BASIC) & BASIC_TRUE_CTLS;
}

/* Control names and capability MSRs; the true MSR where BASIC bit 55 says. */
struct ctls_cap {
	const char *what;
	u32 msr, true_msr;
	const char *msr_name, *true_msr_name;
};

static const struct ctls_cap pin_cap = { "pin-based controls",
					 MSR_IA32_VMX_PINBASED_CTLS,
					 MSR_IA32_VMX_TRUE_PINBASED_CTLS,
					 "IA32_VMX_PINBASED_CTLS",
					 "IA32_VMX_TRUE_PINBASED_CTLS" };
static const struct ctls_cap proc_cap = { "primary processor-based controls",
					  MSR_IA32_VMX_PROCBASED_CTLS,
					  MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
					  "IA32_VMX_PROCBASED_CTLS",
					  "IA32_VMX_TRUE_PROCBASED_CTLS" };
static const struct ctls_cap proc2_cap = { "secondary processor-based controls",
					   MSR_IA32_VMX_PROCBASED_CTLS2,
					   MSR_IA32_VMX_PROCBASED_CTLS2,
					   "IA32_VMX_PROCBASED_CTLS2",
					   "IA32_VMX_PROCBASED_CTLS2" };
static const struct ctls_cap exit_cap = {
	"VM-exit controls", MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS,
	"IA32_VMX_EXIT_CTLS", "IA32_VMX_TRUE_EXIT_CTLS"
};
static const struct ctls_cap entry_cap = { "VM-entry controls",
					   MSR_IA32_VMX_ENTRY_CTLS,
					   MSR_IA32_VMX_TRUE_ENTRY_CTLS,
					   "IA32_VMX_ENTRY_CTLS",
					   "IA32_VMX_TRUE_ENTRY_CTLS" };

static bool ctls_fit(struct check *c, const struct ctls_cap *cap, u32 value)
{
	bool t = true_ctls(c);

	return ctls_allowed(c, cap->what, value, t ? cap->true_msr : cap->msr,
			    t ? cap->true_msr_name : cap->msr_name);
}

static bool controls_against_caps(struct check *c)
{
	return ctls_fit(c, &pin_cap, c->pin) &&
	       ctls_fit(c, &proc_cap, c->proc) &&
	       ctls_fit(c, &proc2_cap, c->proc2) &&
	       ctls_fit(c, &exit_cap, c->exit) &&
	       ctls_fit(c, &entry_cap, c->entry);
}

/* A page the CPU will read, named by a control: aligned and addressable. */
static bool page_address_ok(struct check *c, const char *what, u32 field)
{
	u64 addr = rd(c, field);

	if (addr & 0xfff)
		return refuse(c, "%s 0x%llx is not 4K aligned", what,
			      ull(addr));
	if (beyond_phys_width(addr))
		return refuse(c,
			      "%s 0x%llx is beyond the physical-address "
			      "width (%u bits)",
			      what, ull(addr), skylake.phys_addr_bits);
	return true;
}

static bool bitmaps_ok(struct check *c)
{
	unsigned int max_targets = (msr(c, MSR_IA32_VMX_MISC) >> 16) & 0x1ff;
	u64 targets = rd(c, F_CR3_TARGET_COUNT);

	if (targets > max_targets)
		return refuse(c,
			      "CR3-target count %llu exceeds the %u "
			      "IA32_VMX_MISC allows",
			      ull(targets), max_targets);
	if (c->proc & PROC_IO_BITMAPS &&
	    (!page_address_ok(c, "I/O bitmap A address", F_IO_BITMAP_A) ||
	     !page_address_ok(c, "I/O bitmap B address", F_IO_BITMAP_B)))
		return false;
	if (c->proc & PROC_MSR_BITMAPS &&
	    !page_address_ok(c, "MSR bitmap address", F_MSR_BITMAP))
		return false;
	return true;
}

static bool apic_virtualization_ok(struct check *c)
{
	if (c->proc & PROC_TPR_SHADOW) {
		if (!page_address_ok(c, "virtual-APIC address",
				     F_VIRTUAL_APIC_ADDR))
			return false;
		if (!(c->proc2 & PROC2_VIRT_INTR_DELIVERY) &&
		    rd(c, F_TPR_THRESHOLD) & ~0xfULL)
			return refuse(c,
				      "TPR threshold 0x%llx: bits 31:4 "
				      "must be 0",
				      ull(rd(c, F_TPR_THRESHOLD)));
	} else if (c->proc2 & (PROC2_VIRT_X2APIC | PROC2_APIC_REG_VIRT |
			       PROC2_VIRT_INTR_DELIVERY)) {
		return refuse(c, "x2APIC, APIC-register or interrupt-delivery "
				 "virtualization without the TPR shadow");
	}
	if (c->proc2 & PROC2_VIRT_X2APIC && c->proc2 & PROC2_VIRT_APIC_ACCESS)
		return refuse(c, "virtualize x2APIC mode together with "
				 "virtualize APIC accesses");
	if (c->proc2 & PROC2_VIRT_APIC_ACCESS &&
	    !page_address_ok(c, "APIC-access address", F_APIC_ACCESS_ADDR))
		return false;
	if (c->proc2 & PROC2_VIRT_INTR_DELIVERY &&
	    !(c->pin & PIN_EXT_INT_EXITING))
		return refuse(c, "virtual-interrupt delivery without "
				 "external-interrupt exiting");
	if (c->pin & PIN_POSTED_INTERRUPTS)
		return refuse(c, "posted interrupts are not modelled");
	return true;
}

static bool nmi_controls_ok(struct check *c)
{
	if (!(c->pin & PIN_NMI_EXITING) && c->pin & PIN_VIRTUAL_NMIS)
		return refuse(c, "virtual NMIs without NMI exiting");
	if (!(c->pin & PIN_VIRTUAL_NMIS) && c->proc & PROC_NMI_WINDOW)
		return refuse(c, "NMI-window exiting without virtual NMIs");
	return true;
}

static bool eptp_ok(struct check *c)
{
	u64 eptp = rd(c, F_EPTP), caps = msr(c, MSR_IA32_VMX_EPT_VPID_CAP);
	unsigned int type = eptp & 7, walk = ((eptp >> 3) & 7) + 1;

	if (!((type == 0 && caps & EPT_CAP_UC) ||
	      (type == 6 && caps & EPT_CAP_WB)))
		return refuse(c, "EPTP 0x%llx: memory type %u not supported",
			      ull(eptp), type);
	if (!((walk == 4 && caps & EPT_CAP_WALK_4) ||
	      (walk == 5 && caps & EPT_CAP_WALK_5)))
		return refuse(c,
			      "EPTP 0x%llx: page-walk length %u not "
			      "supported",
			      ull(eptp), walk);
	if (eptp & BIT(6) && !(caps & EPT_CAP_AD))
		return refuse(c,
			      "EPTP 0x%llx: accessed and dirty flags not "
			      "supported",
			      ull(eptp));
	if (eptp & 0xf80ULL || beyond_phys_width(eptp))
		return refuse(c, "EPTP 0x%llx: reserved bits set", ull(eptp));
	return true;
}

static bool secondary_controls_ok(struct check *c)
{
	if (c->proc2 & PROC2_VPID && rd(c, F_VPID) == 0)
		return refuse(c, "VPID enabled with VPID 0");
	if (c->proc2 & PROC2_EPT && !eptp_ok(c))
		return false;
	if (c->proc2 & PROC2_UNRESTRICTED && !(c->proc2 & PROC2_EPT))
		return refuse(c, "unrestricted guest without EPT");
	if (c->proc2 & PROC2_MODE_BASED_EXEC && !(c->proc2 & PROC2_EPT))
		return refuse(c, "mode-based execute control without EPT");
	if (c->proc2 & PROC2_PML && !(c->proc2 & PROC2_EPT))
		return refuse(c, "page-modification logging without EPT");
	if (c->proc2 & PROC2_PML &&
	    !page_address_ok(c, "PML address", F_PML_ADDR))
		return false;
	if (c->proc2 & (PROC2_VMFUNC | PROC2_VMCS_SHADOWING | PROC2_EPT_VE))
		return refuse(c, "VM functions, VMCS shadowing and #VE are "
				 "not modelled");
	return true;
}

static bool execution_controls_ok(struct check *c)
{
	return controls_against_caps(c) && bitmaps_ok(c) &&
	       apic_virtualization_ok(c) && nmi_controls_ok(c) &&
	       secondary_controls_ok(c);
}

/* Checks on VMX controls: VM-exit and VM-entry controls */

static bool msr_list_ok(struct check *c, const char *what, u32 count_field,
			u32 addr_field)
{
	u64 addr = rd(c, addr_field);

	if (rd(c, count_field) == 0)
		return true;
	if (addr & 0xf || beyond_phys_width(addr))
		return refuse(c,
			      "%s address 0x%llx: not 16-byte aligned or "
			      "beyond the physical-address width",
			      what, ull(addr));
	return true;
}

static bool exit_controls_ok(struct check *c)
{
	if (!(c->pin & PIN_PREEMPTION_TIMER) &&
	    c->exit & EXIT_SAVE_PREEMPTION_TIMER)
		return refuse(c, "save VMX-preemption timer value without "
				 "the timer");
	return msr_list_ok(c, "VM-exit MSR-store", F_EXIT_MSR_STORE_COUNT,
			   F_EXIT_MSR_STORE_ADDR) &&
	       msr_list_ok(c, "VM-exit MSR-load", F_EXIT_MSR_LOAD_COUNT,
			   F_EXIT_MSR_LOAD_ADDR);
}

/* #DF, #TS, #NP, #SS, #GP, #PF and #AC push an error code. */
static bool vector_has_error_code(unsigned int vector)
{
	const u32 with_error_code = 1U << 8 | 1U << 10 | 1U << 11 | 1U << 12 |
				    1U << 13 | 1U << 14 | 1U << 17;

	return vector < 32 && (with_error_code >> vector) & 1;
}

static bool injection_vector_ok(struct check *c, u64 info)
{
	unsigned int type = INTR_TYPE(info), vector = INTR_VECTOR(info);
	bool mtf_supported =
		(msr(c, MSR_IA32_VMX_PROCBASED_CTLS) >> 32) & PROC_MONITOR_TRAP;

	/* Type 7 (other event) exists only where monitor trap flag does. */
	if (type == 1 || (type == INTR_OTHER && !mtf_supported))
		return refuse(c, "event injection 0x%08llx: reserved type %u",
			      ull(info), type);
	if (type == INTR_NMI && vector != 2)
		return refuse(c,
			      "event injection 0x%08llx: NMI with vector "
			      "%u",
			      ull(info), vector);
	if (type == INTR_HW_EXCEPTION && vector > 31)
		return refuse(c,
			      "event injection 0x%08llx: hardware "
			      "exception vector %u above 31",
			      ull(info), vector);
	if (type == INTR_OTHER && vector != 0)
		return refuse(c,
			      "event injection 0x%08llx: other event with "
			      "vector %u",
			      ull(info), vector);
	return true;
}

static bool injection_error_code_ok(struct check *c, u64 info)
{
	bool protected_mode = !c->unrestricted || rd(c, F_G_CR0) & CR0_PE;
	bool needs = protected_mode && INTR_TYPE(info) == INTR_HW_EXCEPTION &&
		     vector_has_error_code(INTR_VECTOR(info));
	bool has = info & INTR_DELIVER_ERROR;

	if (needs != has)
		return refuse(c,
			      "event injection 0x%08llx: deliver-error-code "
			      "must be %u for this event",
			      ull(info), needs);
	if (has && rd(c, F_ENTRY_ERROR_CODE) & ~0x7fffULL)
		return refuse(c,
			      "event injection error code 0x%llx: bits "
			      "31:15 must be 0",
			      ull(rd(c, F_ENTRY_ERROR_CODE)));
	return true;
}

static bool injection_length_ok(struct check *c, u64 info)
{
	unsigned int type = INTR_TYPE(info);
	u64 len = rd(c, F_ENTRY_INSN_LEN);
	u64 min = msr(c, MSR_IA32_VMX_MISC) & MISC_ZERO_LEN_INJECTION ? 0 : 1;

	if (type != INTR_SW_INT && type != INTR_PRIV_SW_EXCEPTION &&
	    type != INTR_SW_EXCEPTION)
		return true;
	if (len < min || len > 15)
		return refuse(c,
			      "event injection 0x%08llx: instruction "
			      "length %llu outside %llu..15",
			      ull(info), ull(len), ull(min));
	return true;
}

static bool injection_ok(struct check *c)
{
	u64 info = rd(c, F_ENTRY_INTR_INFO);

	if (!(info & INTR_VALID))
		return true;
	if (info & INTR_RESERVED)
		return refuse(c,
			      "event injection 0x%08llx: reserved bits "
			      "30:12 set",
			      ull(info));
	return injection_vector_ok(c, info) &&
	       injection_error_code_ok(c, info) && injection_length_ok(c, info);
}

static bool entry_controls_ok(struct check *c)
{
	if (c->entry & (ENTRY_SMM | ENTRY_DUAL_MONITOR))
		return refuse(c, "entry to SMM or deactivate dual-monitor "
				 "treatment outside SMM");
	return injection_ok(c) &&
	       msr_list_ok(c, "VM-entry MSR-load", F_ENTRY_MSR_LOAD_COUNT,
			   F_ENTRY_MSR_LOAD_ADDR);
}

/* Checks on the host-state area */

static bool fixed_bits_ok(struct check *c, const char *what, u64 value,
			  u64 fixed0, u64 fixed1)
{
	if ((value & fixed0) != fixed0)
		return refuse(c, "%s 0x%llx: bits 0x%llx must be 1", what,
			      ull(value), ull(fixed0 & ~value));
	if (value & ~fixed1)
		return refuse(c, "%s 0x%llx: bits 0x%llx must be 0", what,
			      ull(value), ull(value & ~fixed1));
	return true;
}

static bool cr0_fixed_ok(struct check *c, const char *what, u64 cr0,
			 u64 relaxed)
{
	/* CR0's upper half is reserved; FIXED1 only describes the lower. */
	return fixed_bits_ok(c, what, cr0,
			     msr(c, MSR_IA32_VMX_CR0_FIXED0) & ~relaxed,
			     (u32)msr(c, MSR_IA32_VMX_CR0_FIXED1) | relaxed);
}

static bool cr4_fixed_ok(struct check *c, const char *what, u64 cr4)
{
	return fixed_bits_ok(c, what, cr4, msr(c, MSR_IA32_VMX_CR4_FIXED0),
			     msr(c, MSR_IA32_VMX_CR4_FIXED1));
}

static bool pat_ok(struct check *c, const char *what, u64 pat)
{
	unsigned int n, type;

	for (n = 0; n < 8; n++) {
		type = (pat >> (n * 8)) & 0xff;
		if (type == 2 || type == 3 || type > 7)
			return refuse(c,
				      "%s 0x%016llx: entry %u has invalid "
				      "memory type %u",
				      what, ull(pat), n, type);
	}
	return true;
}

static bool host_registers_ok(struct check *c)
{
	u64 cr3 = rd(c, F_H_CR3), efer = rd(c, F_H_EFER);
	bool host64 = c->exit & EXIT_HOST_64BIT;

	if (!cr0_fixed_ok(c, "host CR0", rd(c, F_H_CR0), 0) ||
	    !cr4_fixed_ok(c, "host CR4", rd(c, F_H_CR4)))
		return false;
	if (beyond_phys_width(cr3))
		return refuse(c,
			      "host CR3 0x%llx is beyond the "
			      "physical-address width",
			      ull(cr3));
	if (!canonical(rd(c, F_H_SYSENTER_ESP)) ||
	    !canonical(rd(c, F_H_SYSENTER_EIP)))
		return refuse(c, "host SYSENTER_ESP/EIP not canonical");
	if (c->exit & EXIT_LOAD_PAT && !pat_ok(c, "host PAT", rd(c, F_H_PAT)))
		return false;
	if (!(c->exit & EXIT_LOAD_EFER))
		return true;
	if (efer & ~EFER_VALID)
		return refuse(c, "host EFER 0x%llx: reserved bits set",
			      ull(efer));
	if (!!(efer & EFER_LMA) != host64 || !!(efer & EFER_LME) != host64)
		return refuse(c,
			      "host EFER 0x%llx: LMA and LME must equal "
			      "host address-space size %u",
			      ull(efer), host64);
	return true;
}

static bool host_selectors_ok(struct check *c)
{
	static const u32 fields[] = { F_H_ES_SEL, F_H_CS_SEL, F_H_SS_SEL,
				      F_H_DS_SEL, F_H_FS_SEL, F_H_GS_SEL,
				      F_H_TR_SEL };
	static const char *const names[] = { "ES", "CS", "SS", "DS",
					     "FS", "GS", "TR" };
	unsigned int n;
	u64 sel;

	for (n = 0; n < ARRAY_SIZE(fields); n++) {
		sel = rd(c, fields[n]);
		if (sel & 7)
			return refuse(c,
				      "host %s selector 0x%llx: RPL and TI "
				      "must be 0",
				      names[n], ull(sel));
	}
	if (rd(c, F_H_CS_SEL) == 0)
		return refuse(c, "host CS selector is null");
	if (rd(c, F_H_TR_SEL) == 0)
		return refuse(c, "host TR selector is null");
	if (!(c->exit & EXIT_HOST_64BIT) && rd(c, F_H_SS_SEL) == 0)
		return refuse(c, "host SS selector is null for a 32-bit host");
	return true;
}

static bool host_bases_ok(struct check *c)
{
	static const u32 fields[] = { F_H_FS_BASE, F_H_GS_BASE, F_H_TR_BASE,
				      F_H_GDTR_BASE, F_H_IDTR_BASE };
	static const char *const names[] = { "FS", "GS", "TR", "GDTR", "IDTR" };
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(fields); n++)
		if (!canonical(rd(c, fields[n])))
			return refuse(c, "host %s base 0x%llx not canonical",
				      names[n], ull(rd(c, fields[n])));
	return true;
}

/* The hypervisor is a 64-bit program: it is in IA-32e mode at VM entry. */
static bool host_address_space_ok(struct check *c)
{
	u64 rip = rd(c, F_H_RIP);

	if (!(c->exit & EXIT_HOST_64BIT))
		return refuse(c, "host address-space size is 0 but the host "
				 "runs in IA-32e mode");
	if (!(rd(c, F_H_CR4) & CR4_PAE))
		return refuse(c, "host CR4.PAE must be 1 for a 64-bit host");
	if (!canonical(rip))
		return refuse(c, "host RIP 0x%llx not canonical", ull(rip));
	return true;
}

static bool host_state_ok(struct check *c)
{
	return host_address_space_ok(c) && host_registers_ok(c) &&
	       host_selectors_ok(c) && host_bases_ok(c);
}

/* Checks on the guest-state area: control and debug registers, MSRs */

static bool guest_cr_ok(struct check *c)
{
	u64 cr0 = rd(c, F_G_CR0), cr4 = rd(c, F_G_CR4), cr3 = rd(c, F_G_CR3);

	if (!cr0_fixed_ok(c, "guest CR0", cr0,
			  c->unrestricted ? CR0_PE | CR0_PG : 0) ||
	    !cr4_fixed_ok(c, "guest CR4", cr4))
		return false;
	if (cr0 & CR0_PG && !(cr0 & CR0_PE))
		return refuse(c, "guest CR0 0x%llx: PG without PE", ull(cr0));
	if (c->ia32e_guest && (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE)))
		return refuse(c,
			      "IA-32e mode guest needs CR0.PG and CR4.PAE "
			      "(CR0 0x%llx, CR4 0x%llx)",
			      ull(cr0), ull(cr4));
	if (!c->ia32e_guest && cr4 & CR4_PCIDE)
		return refuse(c, "guest CR4.PCIDE set outside IA-32e mode");
	if (beyond_phys_width(cr3))
		return refuse(c,
			      "guest CR3 0x%llx is beyond the "
			      "physical-address width",
			      ull(cr3));
	return true;
}

static bool guest_debug_ok(struct check *c)
{
	u64 debugctl = rd(c, F_G_DEBUGCTL), dr7 = rd(c, F_G_DR7);

	if (!(c->entry & ENTRY_LOAD_DEBUG))
		return true;
	if (debugctl & DEBUGCTL_RESERVED)
		return refuse(c,
			      "guest IA32_DEBUGCTL 0x%llx: reserved bits "
			      "set",
			      ull(debugctl));
	if (dr7 >> 32)
		return refuse(c, "guest DR7 0x%llx: bits 63:32 must be 0",
			      ull(dr7));
	return true;
}

static bool guest_msrs_ok(struct check *c)
{
	u64 efer = rd(c, F_G_EFER);

	if (!canonical(rd(c, F_G_SYSENTER_ESP)) ||
	    !canonical(rd(c, F_G_SYSENTER_EIP)))
		return refuse(c, "guest SYSENTER_ESP/EIP not canonical");
	if (c->entry & ENTRY_LOAD_PAT &&
	    !pat_ok(c, "guest PAT", rd(c, F_G_PAT)))
		return false;
	if (!(c->entry & ENTRY_LOAD_EFER))
		return true;
	if (efer & ~EFER_VALID)
		return refuse(c, "guest EFER 0x%llx: reserved bits set",
			      ull(efer));
	if (!!(efer & EFER_LMA) != c->ia32e_guest)
		return refuse(c,
			      "guest EFER 0x%llx: LMA must equal IA-32e "
			      "mode guest %u",
			      ull(efer), c->ia32e_guest);
	if (rd(c, F_G_CR0) & CR0_PG && !!(efer & EFER_LME) != c->ia32e_guest)
		return refuse(c,
			      "guest EFER 0x%llx: LME must equal IA-32e "
			      "mode guest %u when paging",
			      ull(efer), c->ia32e_guest);
	return true;
}

/* Checks on the guest-state area: segment registers */

struct seg {
	const char *name;
	u64 sel, base, limit, ar;
	bool usable;
};

static void read_seg(const struct check *c, enum seg_index i, struct seg *s)
{
	s->name = seg_names[i];
	s->sel = rd(c, F_G_ES_SEL + 2 * i);
	s->base = rd(c, F_G_ES_BASE + 2 * i);
	s->limit = rd(c, F_G_ES_LIMIT + 2 * i);
	s->ar = rd(c, F_G_ES_AR + 2 * i);
	s->usable = !(s->ar & AR_UNUSABLE);
}

static bool v86_seg_ok(struct check *c, const struct seg *s)
{
	if (s->base != s->sel << 4)
		return refuse(c,
			      "guest %s base 0x%llx != selector << 4 in "
			      "virtual-8086 mode",
			      s->name, ull(s->base));
	if (s->limit != 0xffff)
		return refuse(c,
			      "guest %s limit 0x%llx != 0xffff in "
			      "virtual-8086 mode",
			      s->name, ull(s->limit));
	if (s->ar != 0xf3)
		return refuse(c,
			      "guest %s access rights 0x%llx != 0xf3 in "
			      "virtual-8086 mode",
			      s->name, ull(s->ar));
	return true;
}

/* Limit and granularity must agree, and the reserved bits be clear. */
static bool seg_ar_format_ok(struct check *c, const struct seg *s)
{
	if (s->ar & AR_RESERVED_LOW || s->ar & AR_RESERVED_HIGH)
		return refuse(c,
			      "guest %s access rights 0x%llx: reserved "
			      "bits set",
			      s->name, ull(s->ar));
	if ((s->limit & 0xfff) != 0xfff && s->ar & AR_G)
		return refuse(c,
			      "guest %s access rights: G set with limit "
			      "0x%llx",
			      s->name, ull(s->limit));
	if (s->limit >> 20 && !(s->ar & AR_G))
		return refuse(c,
			      "guest %s access rights: G clear with limit "
			      "0x%llx",
			      s->name, ull(s->limit));
	return true;
}

static bool cs_ar_ok(struct check *c, const struct seg *cs,
		     const struct seg *ss)
{
	unsigned int type = AR_TYPE(cs->ar), dpl = AR_DPL(cs->ar);
	unsigned int ss_dpl = AR_DPL(ss->ar);

	if (!(type == 9 || type == 11 || type == 13 || type == 15 ||
	      (type == 3 && c->unrestricted)))
		return refuse(c, "guest CS access rights: type %u", type);
	if (!(cs->ar & AR_S) || !(cs->ar & AR_P))
		return refuse(c,
			      "guest CS access rights 0x%llx: S and P "
			      "must be 1",
			      ull(cs->ar));
	if (type == 3 && dpl != 0)
		return refuse(c,
			      "guest CS access rights: DPL %u != 0 for a "
			      "data-type CS",
			      dpl);
	if ((type == 9 || type == 11) && dpl != ss_dpl)
		return refuse(c, "guest CS access rights: DPL %u != SS.DPL %u",
			      dpl, ss_dpl);
	if ((type == 13 || type == 15) && dpl > ss_dpl)
		return refuse(c,
			      "guest CS access rights: conforming DPL %u > "
			      "SS.DPL %u",
			      dpl, ss_dpl);
	if (c->ia32e_guest && cs->ar & AR_L && cs->ar & AR_DB)
		return refuse(c, "guest CS access rights: L and D/B both set "
				 "in IA-32e mode");
	return seg_ar_format_ok(c, cs);
}

static bool ss_ar_ok(struct check *c, const struct seg *ss,
		     const struct seg *cs)
{
	unsigned int type = AR_TYPE(ss->ar), dpl = AR_DPL(ss->ar);

	if (!c->unrestricted && dpl != (ss->sel & 3))
		return refuse(c, "guest SS access rights: DPL %u != RPL %llu",
			      dpl, ull(ss->sel & 3));
	if ((AR_TYPE(cs->ar) == 3 || !(rd(c, F_G_CR0) & CR0_PE)) && dpl)
		return refuse(c,
			      "guest SS access rights: DPL %u must be 0 "
			      "in real mode or with a data-type CS",
			      dpl);
	if (!ss->usable)
		return true;
	if (type != 3 && type != 7)
		return refuse(c, "guest SS access rights: type %u", type);
	if (!(ss->ar & AR_S) || !(ss->ar & AR_P))
		return refuse(c,
			      "guest SS access rights 0x%llx: S and P "
			      "must be 1",
			      ull(ss->ar));
	return seg_ar_format_ok(c, ss);
}

static bool data_seg_ar_ok(struct check *c, const struct seg *s)
{
	unsigned int type = AR_TYPE(s->ar), dpl = AR_DPL(s->ar);

	if (!s->usable)
		return true;
	if (!(type & 1) || (type & 8 && !(type & 2)))
		return refuse(c,
			      "guest %s access rights: type %u (must be "
			      "accessed, and readable if code)",
			      s->name, type);
	if (!(s->ar & AR_S) || !(s->ar & AR_P))
		return refuse(c,
			      "guest %s access rights 0x%llx: S and P "
			      "must be 1",
			      s->name, ull(s->ar));
	if (!c->unrestricted && type <= 11 && dpl < (s->sel & 3))
		return refuse(c, "guest %s access rights: DPL %u < RPL %llu",
			      s->name, dpl, ull(s->sel & 3));
	return seg_ar_format_ok(c, s);
}

static bool tr_ok(struct check *c, const struct seg *tr)
{
	unsigned int type = AR_TYPE(tr->ar);

	if (tr->sel & 4)
		return refuse(c, "guest TR selector 0x%llx: TI must be 0",
			      ull(tr->sel));
	if (!canonical(tr->base))
		return refuse(c, "guest TR base 0x%llx not canonical",
			      ull(tr->base));
	if (!tr->usable)
		return refuse(c, "guest TR access rights: unusable");
	if (!(type == 11 || (type == 3 && !c->ia32e_guest)))
		return refuse(c,
			      "guest TR access rights: type %u is not a "
			      "busy TSS of this mode",
			      type);
	if (tr->ar & AR_S || !(tr->ar & AR_P))
		return refuse(c,
			      "guest TR access rights 0x%llx: S must be 0 "
			      "and P 1",
			      ull(tr->ar));
	return seg_ar_format_ok(c, tr);
}

static bool ldtr_ok(struct check *c, const struct seg *ldtr)
{
	if (!ldtr->usable)
		return true;
	if (ldtr->sel & 4)
		return refuse(c, "guest LDTR selector 0x%llx: TI must be 0",
			      ull(ldtr->sel));
	if (!canonical(ldtr->base))
		return refuse(c, "guest LDTR base 0x%llx not canonical",
			      ull(ldtr->base));
	if (AR_TYPE(ldtr->ar) != 2 || ldtr->ar & AR_S || !(ldtr->ar & AR_P))
		return refuse(c,
			      "guest LDTR access rights 0x%llx: must be a "
			      "present LDT (type 2, S 0)",
			      ull(ldtr->ar));
	return seg_ar_format_ok(c, ldtr);
}

static bool seg_bases_ok(struct check *c, const struct seg *segs)
{
	unsigned int i;

	if (!canonical(segs[SEG_FS].base) || !canonical(segs[SEG_GS].base))
		return refuse(c, "guest FS/GS base not canonical");
	if (segs[SEG_CS].base >> 32)
		return refuse(c, "guest CS base 0x%llx: bits 63:32 must be 0",
			      ull(segs[SEG_CS].base));
	for (i = SEG_ES; i <= SEG_DS; i++)
		if (i != SEG_CS && segs[i].usable && segs[i].base >> 32)
			return refuse(c,
				      "guest %s base 0x%llx: bits 63:32 "
				      "must be 0",
				      segs[i].name, ull(segs[i].base));
	return true;
}

static bool guest_segments_ok(struct check *c)
{
	struct seg segs[NUM_SEGS];
	unsigned int i;

	for (i = 0; i < NUM_SEGS; i++)
		read_seg(c, i, &segs[i]);
	if (!tr_ok(c, &segs[SEG_TR]) || !ldtr_ok(c, &segs[SEG_LDTR]))
		return false;
	if (rd(c, F_G_RFLAGS) & RFLAGS_VM) {
		for (i = SEG_ES; i <= SEG_GS; i++)
			if (!v86_seg_ok(c, &segs[i]))
				return false;
		return seg_bases_ok(c, segs);
	}
	if (!c->unrestricted &&
	    (segs[SEG_SS].sel & 3) != (segs[SEG_CS].sel & 3))
		return refuse(c, "guest SS selector RPL %llu != CS RPL %llu",
			      ull(segs[SEG_SS].sel & 3),
			      ull(segs[SEG_CS].sel & 3));
	if (!seg_bases_ok(c, segs) ||
	    !cs_ar_ok(c, &segs[SEG_CS], &segs[SEG_SS]) ||
	    !ss_ar_ok(c, &segs[SEG_SS], &segs[SEG_CS]))
		return false;
	for (i = SEG_ES; i <= SEG_GS; i++)
		if (i != SEG_CS && i != SEG_SS && !data_seg_ar_ok(c, &segs[i]))
			return false;
	return true;
}

/* Checks on the guest-state area: tables, RIP, RFLAGS */

static bool guest_tables_ok(struct check *c)
{
	if (!canonical(rd(c, F_G_GDTR_BASE)))
		return refuse(c, "guest GDTR base 0x%llx not canonical",
			      ull(rd(c, F_G_GDTR_BASE)));
	if (!canonical(rd(c, F_G_IDTR_BASE)))
		return refuse(c, "guest IDTR base 0x%llx not canonical",
			      ull(rd(c, F_G_IDTR_BASE)));
	if (rd(c, F_G_GDTR_LIMIT) >> 16)
		return refuse(c,
			      "guest GDTR limit 0x%llx: bits 31:16 must be "
			      "0",
			      ull(rd(c, F_G_GDTR_LIMIT)));
	if (rd(c, F_G_IDTR_LIMIT) >> 16)
		return refuse(c,
			      "guest IDTR limit 0x%llx: bits 31:16 must be "
			      "0",
			      ull(rd(c, F_G_IDTR_LIMIT)));
	return true;
}

static bool guest_rip_rflags_ok(struct check *c)
{
	u64 rip = rd(c, F_G_RIP), rflags = rd(c, F_G_RFLAGS);
	u64 info = rd(c, F_ENTRY_INTR_INFO);
	bool long_cs = c->ia32e_guest && rd(c, F_G_ES_AR + 2 * SEG_CS) & AR_L;

	if (long_cs && !canonical(rip))
		return refuse(c, "guest RIP 0x%llx not canonical", ull(rip));
	if (!long_cs && rip >> 32)
		return refuse(c,
			      "guest RIP 0x%llx: bits 63:32 must be 0 "
			      "outside 64-bit mode",
			      ull(rip));
	if (rflags & RFLAGS_RESERVED || !(rflags & RFLAGS_FIXED1))
		return refuse(c, "guest RFLAGS 0x%llx: reserved bits wrong",
			      ull(rflags));
	if (rflags & RFLAGS_VM &&
	    (c->ia32e_guest || !(rd(c, F_G_CR0) & CR0_PE)))
		return refuse(c, "guest RFLAGS.VM set in IA-32e or real mode");
	if (info & INTR_VALID && INTR_TYPE(info) == INTR_EXT &&
	    !(rflags & RFLAGS_IF))
		return refuse(c, "external interrupt injected with "
				 "RFLAGS.IF 0");
	return true;
}

/* Checks on the guest-state area: non-register state */

static bool activity_supported(const struct check *c, u64 state)
{
	return state == ACT_ACTIVE ||
	       (state <= ACT_WAIT_SIPI &&
		msr(c, MSR_IA32_VMX_MISC) & (MISC_ACTIVITY_HLT << (state - 1)));
}

/* Which events a CPU in a non-active activity state can take. */
static bool injection_fits_activity(u64 state, u64 info)
{
	unsigned int type = INTR_TYPE(info), vector = INTR_VECTOR(info);

	if (!(info & INTR_VALID) || state == ACT_ACTIVE)
		return true;
	if (state == ACT_WAIT_SIPI)
		return false;
	if (state == ACT_SHUTDOWN)
		return type == INTR_NMI ||
		       (type == INTR_HW_EXCEPTION && vector == 18);
	return type == INTR_EXT || type == INTR_NMI || type == INTR_OTHER ||
	       (type == INTR_HW_EXCEPTION && (vector == 1 || vector == 18));
}

static bool guest_activity_ok(struct check *c)
{
	u64 state = rd(c, F_G_ACTIVITY), block = rd(c, F_G_INTERRUPTIBILITY);
	unsigned int ss_dpl = AR_DPL(rd(c, F_G_ES_AR + 2 * SEG_SS));

	if (!activity_supported(c, state))
		return refuse(c, "guest activity state %llu not supported",
			      ull(state));
	if (state == ACT_HLT && ss_dpl != 0)
		return refuse(c, "guest activity state HLT with SS.DPL %u",
			      ss_dpl);
	if (state != ACT_ACTIVE && block & (BLOCK_STI | BLOCK_MOV_SS))
		return refuse(c,
			      "guest activity state %llu with blocking by "
			      "STI or MOV SS",
			      ull(state));
	if (!injection_fits_activity(state, rd(c, F_ENTRY_INTR_INFO)))
		return refuse(c,
			      "event injected into activity state %llu that "
			      "cannot take it",
			      ull(state));
	return true;
}

static bool guest_interruptibility_ok(struct check *c)
{
	u64 block = rd(c, F_G_INTERRUPTIBILITY);
	u64 info = rd(c, F_ENTRY_INTR_INFO);
	bool valid = info & INTR_VALID;

	if (block & BLOCK_RESERVED)
		return refuse(c,
			      "guest interruptibility 0x%llx: reserved bits "
			      "set",
			      ull(block));
	if ((block & (BLOCK_STI | BLOCK_MOV_SS)) == (BLOCK_STI | BLOCK_MOV_SS))
		return refuse(c, "guest interruptibility: blocking by STI and "
				 "MOV SS together");
	if (block & BLOCK_STI && !(rd(c, F_G_RFLAGS) & RFLAGS_IF))
		return refuse(c, "guest interruptibility: blocking by STI with "
				 "RFLAGS.IF 0");
	if (valid && INTR_TYPE(info) == INTR_EXT &&
	    block & (BLOCK_STI | BLOCK_MOV_SS))
		return refuse(c, "guest interruptibility: external interrupt "
				 "injected under STI or MOV SS blocking");
	if (valid && INTR_TYPE(info) == INTR_NMI && block & BLOCK_MOV_SS)
		return refuse(c, "guest interruptibility: NMI injected under "
				 "MOV SS blocking");
	if (block & BLOCK_SMI)
		return refuse(c, "guest interruptibility: blocking by SMI "
				 "outside SMM");
	if (valid && INTR_TYPE(info) == INTR_NMI && c->pin & PIN_VIRTUAL_NMIS &&
	    block & BLOCK_NMI)
		return refuse(c, "guest interruptibility: virtual NMI injected "
				 "under NMI blocking");
	return true;
}

static bool guest_pending_debug_ok(struct check *c)
{
	u64 pending = rd(c, F_G_PENDING_DBG);
	u64 block = rd(c, F_G_INTERRUPTIBILITY);
	bool tf = rd(c, F_G_RFLAGS) & RFLAGS_TF;
	bool btf = rd(c, F_G_DEBUGCTL) & DEBUGCTL_BTF;
	bool bs = pending & PENDING_DBG_BS;

	if (pending & PENDING_DBG_RESERVED)
		return refuse(c,
			      "guest pending debug exceptions 0x%llx: "
			      "reserved bits set",
			      ull(pending));
	if (!(block & (BLOCK_STI | BLOCK_MOV_SS)) &&
	    rd(c, F_G_ACTIVITY) != ACT_HLT)
		return true;
	if (bs != (tf && !btf))
		return refuse(c,
			      "guest pending debug exceptions: BS must be "
			      "%u with RFLAGS.TF %u and DEBUGCTL.BTF %u",
			      tf && !btf, tf, btf);
	return true;
}

/* With EPT, the PDPTEs of a PAE guest come from the VMCS, not memory. */
static bool guest_pdptes_ok(struct check *c)
{
	u64 cr0 = rd(c, F_G_CR0), pdpte;
	unsigned int n;

	if (!(c->proc2 & PROC2_EPT) || !(cr0 & CR0_PG) ||
	    !(rd(c, F_G_CR4) & CR4_PAE) || c->ia32e_guest)
		return true;
	for (n = 0; n < 4; n++) {
		pdpte = rd(c, F_G_PDPTE0 + 2 * n);
		if (pdpte & 1 && (pdpte & 0x1e6ULL || beyond_phys_width(pdpte)))
			return refuse(c,
				      "guest PDPTE%u 0x%llx: reserved bits "
				      "set",
				      n, ull(pdpte));
	}
	return true;
}

static bool guest_state_ok(struct check *c)
{
	return guest_cr_ok(c) && guest_debug_ok(c) && guest_msrs_ok(c) &&
	       guest_rip_rflags_ok(c) && guest_segments_ok(c) &&
	       guest_tables_ok(c) && guest_activity_ok(c) &&
	       guest_interruptibility_ok(c) && guest_pending_debug_ok(c) &&
	       guest_pdptes_ok(c);
}

/* Reporting */

static int report(struct check *c, enum sim_vmentry_result result,
		  u64 qualification)
{
	if (result == SIM_VMENTRY_BAD_GUEST) {
		sim_vmcs_set(c->cpu, F_VM_INSN_ERROR, 0);
		sim_vmcs_set(c->cpu, F_EXIT_REASON,
			     SIM_EXIT_REASON_ENTRY_FAILURE | result);
		sim_vmcs_set(c->cpu, F_EXIT_QUALIFICATION, qualification);
	} else {
		sim_vmcs_set(c->cpu, F_VM_INSN_ERROR, result);
	}
	snprintf(last_refusal[c->cpu], sizeof(last_refusal[c->cpu]), "%s",
		 c->why);
	return result;
}

static void read_controls(struct check *c)
{
	c->pin = (u32)rd(c, F_PIN_CTLS);
	c->proc = (u32)rd(c, F_PROC_CTLS);
	/* Without the activation bit the secondary controls count as 0. */
	c->proc2 = c->proc & PROC_SECONDARY ? (u32)rd(c, F_PROC_CTLS2) : 0;
	c->exit = (u32)rd(c, F_EXIT_CTLS);
	c->entry = (u32)rd(c, F_ENTRY_CTLS);
	c->unrestricted = c->proc2 & PROC2_UNRESTRICTED;
	c->ia32e_guest = c->entry & ENTRY_IA32E_GUEST;
}

int sim_vmx_check_entry(unsigned int cpu, char *why, size_t len)
{
	char scratch[256];
	struct check c = {
		.cpu = cpu,
		.why = why && len ? why : scratch,
		.len = why && len ? len : sizeof(scratch),
	};

	c.why[0] = '\0';
	read_controls(&c);
	if (!execution_controls_ok(&c) || !exit_controls_ok(&c) ||
	    !entry_controls_ok(&c))
		return report(&c, SIM_VMENTRY_BAD_CONTROLS, 0);
	if (!host_state_ok(&c))
		return report(&c, SIM_VMENTRY_BAD_HOST, 0);
	if (!guest_state_ok(&c))
		return report(&c, SIM_VMENTRY_BAD_GUEST, 0);
	if (rd(&c, F_G_LINK_POINTER) != ~0ULL) {
		/* No VMCS shadowing: any other pointer names no valid VMCS. */
		refuse(&c, "VMCS link pointer 0x%llx is not all ones",
		       ull(rd(&c, F_G_LINK_POINTER)));
		return report(&c, SIM_VMENTRY_BAD_GUEST,
			      SIM_EXIT_QUAL_BAD_LINK_POINTER);
	}
	return SIM_VMENTRY_OK;
}

static int vmentry_hook(unsigned int cpu)
{
	return sim_vmx_check_entry(cpu, NULL, 0);
}

const char *sim_vmx_last_refusal(unsigned int cpu)
{
	return last_refusal[cpu];
}

void sim_vmx_install(unsigned int cpu)
{
	const struct sim_vmx_caps *caps = &skylake;

	sim_msr_set(cpu, MSR_IA32_FEATURE_CONTROL, caps->feature_control);
	sim_msr_set(cpu, MSR_IA32_VMX_BASIC, caps->basic);
	sim_msr_set(cpu, MSR_IA32_VMX_PINBASED_CTLS, caps->pinbased_ctls);
	sim_msr_set(cpu, MSR_IA32_VMX_PROCBASED_CTLS, caps->procbased_ctls);
	sim_msr_set(cpu, MSR_IA32_VMX_EXIT_CTLS, caps->exit_ctls);
	sim_msr_set(cpu, MSR_IA32_VMX_ENTRY_CTLS, caps->entry_ctls);
	sim_msr_set(cpu, MSR_IA32_VMX_MISC, caps->misc);
	sim_msr_set(cpu, MSR_IA32_VMX_CR0_FIXED0, caps->cr0_fixed0);
	sim_msr_set(cpu, MSR_IA32_VMX_CR0_FIXED1, caps->cr0_fixed1);
	sim_msr_set(cpu, MSR_IA32_VMX_CR4_FIXED0, caps->cr4_fixed0);
	sim_msr_set(cpu, MSR_IA32_VMX_CR4_FIXED1, caps->cr4_fixed1);
	sim_msr_set(cpu, MSR_IA32_VMX_VMCS_ENUM, caps->vmcs_enum);
	sim_msr_set(cpu, MSR_IA32_VMX_PROCBASED_CTLS2, caps->procbased_ctls2);
	sim_msr_set(cpu, MSR_IA32_VMX_EPT_VPID_CAP, caps->ept_vpid_cap);
	sim_msr_set(cpu, MSR_IA32_VMX_TRUE_PINBASED_CTLS,
		    caps->true_pinbased_ctls);
	sim_msr_set(cpu, MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		    caps->true_procbased_ctls);
	sim_msr_set(cpu, MSR_IA32_VMX_TRUE_EXIT_CTLS, caps->true_exit_ctls);
	sim_msr_set(cpu, MSR_IA32_VMX_TRUE_ENTRY_CTLS, caps->true_entry_ctls);
	sim_msr_set(cpu, MSR_IA32_VMX_VMFUNC, caps->vmfunc);
	/* The CPU runs a 64-bit kernel: what the hypervisor's host state is. */
	sim_msr_set(cpu, MSR_IA32_EFER, 0xd01);
	sim_msr_set(cpu, MSR_IA32_PAT, 0x0407050600070106ULL);
	last_refusal[cpu][0] = '\0';
	sim_vmentry_hook = vmentry_hook;
}
