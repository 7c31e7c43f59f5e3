// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's VM-entry checks: a VMCS written by hand for a 64-bit Linux
 * guest must pass, and every family of checks must refuse a VMCS with one
 * field broken, naming the check and reporting it as hardware would.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <asm/cpu_state.h>
#include <asm/hw.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <sim/cpu_hw.h>
#include <sim/hw_state.h>
#include <sim/vmx_checks.h>

#define CPU 1

/* Field encodings (SDM appendix B), written out here for the test alone. */
enum {
	VPID = 0x0000,
	G_ES_SEL = 0x0800,
	G_CS_SEL = 0x0802,
	G_SS_SEL = 0x0804,
	G_DS_SEL = 0x0806,
	G_FS_SEL = 0x0808,
	G_GS_SEL = 0x080a,
	G_LDTR_SEL = 0x080c,
	G_TR_SEL = 0x080e,
	H_ES_SEL = 0x0c00,
	H_CS_SEL = 0x0c02,
	H_SS_SEL = 0x0c04,
	H_DS_SEL = 0x0c06,
	H_FS_SEL = 0x0c08,
	H_GS_SEL = 0x0c0a,
	H_TR_SEL = 0x0c0c,
	IO_BITMAP_A = 0x2000,
	IO_BITMAP_B = 0x2002,
	MSR_BITMAP = 0x2004,
	EXIT_MSR_LOAD_ADDR = 0x2008,
	EPTP = 0x201a,
	LINK_POINTER = 0x2800,
	G_DEBUGCTL = 0x2802,
	G_PAT = 0x2804,
	G_EFER = 0x2806,
	G_PDPTE0 = 0x280a,
	H_PAT = 0x2c00,
	H_EFER = 0x2c02,
	PIN = 0x4000,
	PROC = 0x4002,
	CR3_TARGETS = 0x400a,
	EXIT = 0x400c,
	EXIT_MSR_LOAD_COUNT = 0x4010,
	ENTRY = 0x4012,
	ENTRY_INFO = 0x4016,
	ENTRY_ERROR = 0x4018,
	ENTRY_LEN = 0x401a,
	PROC2 = 0x401e,
	INSN_ERROR = 0x4400,
	EXIT_REASON = 0x4402,
	G_ES_LIMIT = 0x4800,
	G_CS_LIMIT = 0x4802,
	G_SS_LIMIT = 0x4804,
	G_DS_LIMIT = 0x4806,
	G_FS_LIMIT = 0x4808,
	G_GS_LIMIT = 0x480a,
	G_LDTR_LIMIT = 0x480c,
	G_TR_LIMIT = 0x480e,
	G_GDTR_LIMIT = 0x4810,
	G_IDTR_LIMIT = 0x4812,
	G_ES_AR = 0x4814,
	G_CS_AR = 0x4816,
	G_SS_AR = 0x4818,
	G_DS_AR = 0x481a,
	G_FS_AR = 0x481c,
	G_GS_AR = 0x481e,
	G_LDTR_AR = 0x4820,
	G_TR_AR = 0x4822,
	G_INTERRUPTIBILITY = 0x4824,
	G_ACTIVITY = 0x4826,
	G_SYSENTER_CS = 0x482a,
	QUALIFICATION = 0x6400,
	G_CR0 = 0x6800,
	G_CR3 = 0x6802,
	G_CR4 = 0x6804,
	G_ES_BASE = 0x6806,
	G_CS_BASE = 0x6808,
	G_SS_BASE = 0x680a,
	G_DS_BASE = 0x680c,
	G_FS_BASE = 0x680e,
	G_GS_BASE = 0x6810,
	G_LDTR_BASE = 0x6812,
	G_TR_BASE = 0x6814,
	G_GDTR_BASE = 0x6816,
	G_IDTR_BASE = 0x6818,
	G_DR7 = 0x681a,
	G_RSP = 0x681c,
	G_RIP = 0x681e,
	G_RFLAGS = 0x6820,
	G_PENDING_DBG = 0x6822,
	G_SYSENTER_ESP = 0x6824,
	G_SYSENTER_EIP = 0x6826,
	H_CR0 = 0x6c00,
	H_CR3 = 0x6c02,
	H_CR4 = 0x6c04,
	H_FS_BASE = 0x6c06,
	H_GS_BASE = 0x6c08,
	H_TR_BASE = 0x6c0a,
	H_GDTR_BASE = 0x6c0c,
	H_IDTR_BASE = 0x6c0e,
	H_SYSENTER_ESP = 0x6c10,
	H_SYSENTER_EIP = 0x6c12,
	H_RSP = 0x6c14,
	H_RIP = 0x6c16,
};

#define BIT(n) (1ULL << (n))
#define GOOD_PIN (0x16 | BIT(3) | BIT(6))
#define GOOD_PROC (0x04006172 | BIT(25) | BIT(28) | BIT(31))
#define GOOD_PROC2 (BIT(1) | BIT(7))
#define GOOD_EXIT                                                     \
	(0x00036dfb | BIT(2) | BIT(9) | BIT(15) | BIT(18) | BIT(19) | \
	 BIT(20) | BIT(21))
#define GOOD_ENTRY (0x000011fb | BIT(2) | BIT(9) | BIT(14) | BIT(15))
#define GOOD_EPTP (0x103000 | 6 | 3 << 3)
#define UNUSABLE 0x10000

/* The VMCS under test is composed directly, without VMXON or VMPTRLD. */
static void w(u32 field, u64 value)
{
	sim_vmcs_set(sim_current_cpu, field, value);
}

static u64 r(u32 field)
{
	return hw_vmread(field);
}

static void write_segment(u32 sel, const struct x86_segment *s)
{
	/* Selector, limit, access rights and base fields share an index. */
	unsigned int index = sel - G_ES_SEL;

	w(sel, s->selector);
	w(G_ES_LIMIT + index, s->limit);
	w(G_ES_AR + index, s->access_rights);
	w(G_ES_BASE + index, s->base);
}

/* The guest-state area for a CPU state captured from Linux. */
static void write_guest(const struct x86_cpu_state *s)
{
	w(G_CR0, s->cr0);
	w(G_CR3, s->cr3);
	w(G_CR4, s->cr4 | CR4_VMXE);
	w(G_DR7, s->dr7);
	w(G_RSP, s->regs.gp[REG_RSP]);
	w(G_RIP, s->rip);
	w(G_RFLAGS, s->rflags);
	write_segment(G_ES_SEL, &s->es);
	write_segment(G_CS_SEL, &s->cs);
	write_segment(G_SS_SEL, &s->ss);
	write_segment(G_DS_SEL, &s->ds);
	write_segment(G_FS_SEL, &s->fs);
	write_segment(G_GS_SEL, &s->gs);
	write_segment(G_LDTR_SEL, &s->ldtr);
	write_segment(G_TR_SEL, &s->tr);
	w(G_GDTR_BASE, s->gdtr.base);
	w(G_GDTR_LIMIT, s->gdtr.limit);
	w(G_IDTR_BASE, s->idtr.base);
	w(G_IDTR_LIMIT, s->idtr.limit);
	w(G_DEBUGCTL, s->debugctl);
	w(G_PAT, s->pat);
	w(G_EFER, s->efer);
	w(G_SYSENTER_CS, s->sysenter_cs);
	w(G_SYSENTER_ESP, s->sysenter_esp);
	w(G_SYSENTER_EIP, s->sysenter_eip);
	w(G_ACTIVITY, 0);
	w(G_INTERRUPTIBILITY, 0);
	w(G_PENDING_DBG, 0);
	w(LINK_POINTER, ~0ULL);
}

static void write_host(void)
{
	w(H_CR0, 0x80050033);
	w(H_CR3, 0x200000);
	w(H_CR4, 0x3606f0 | CR4_VMXE);
	w(H_CS_SEL, 0x08);
	w(H_SS_SEL, 0x10);
	w(H_DS_SEL, 0x10);
	w(H_ES_SEL, 0x10);
	w(H_FS_SEL, 0);
	w(H_GS_SEL, 0);
	w(H_TR_SEL, 0x18);
	w(H_FS_BASE, 0);
	w(H_GS_BASE, 0xffffffffc0200000ULL);
	w(H_TR_BASE, 0xffffffffc0201000ULL);
	w(H_GDTR_BASE, 0xffffffffc0202000ULL);
	w(H_IDTR_BASE, 0xffffffffc0203000ULL);
	w(H_SYSENTER_ESP, 0);
	w(H_SYSENTER_EIP, 0);
	w(H_EFER, 0xd01);
	w(H_PAT, 0x0007040600070406ULL);
	w(H_RSP, 0xffffffffc0210000ULL);
	w(H_RIP, 0xffffffffc0100000ULL);
}

static void write_controls(void)
{
	w(PIN, GOOD_PIN);
	w(PROC, GOOD_PROC);
	w(PROC2, GOOD_PROC2);
	w(EXIT, GOOD_EXIT);
	w(ENTRY, GOOD_ENTRY);
	w(CR3_TARGETS, 0);
	w(IO_BITMAP_A, 0x100000);
	w(IO_BITMAP_B, 0x101000);
	w(MSR_BITMAP, 0x102000);
	w(EPTP, GOOD_EPTP);
	w(ENTRY_INFO, 0);
}

/* A VMCS for the simulator's 64-bit Linux, as a hypervisor would build it. */
static void write_good_vmcs(void)
{
	write_controls();
	write_host();
	write_guest(sim_linux_state(CPU));
}

static char why[256];

static int check(void)
{
	return sim_vmx_check_entry(CPU, why, sizeof(why));
}

static void setup(void)
{
	sim_hw_reset();
	sim_vmx_install(CPU);
	sim_current_cpu = CPU;
	write_good_vmcs();
}

static void teardown(void)
{
	sim_current_cpu = 0;
}

TestSuite(vmx_checks, .init = setup, .fini = teardown);

#define assert_refused(expected, text)                                        \
	do {                                                                  \
		int _r = check();                                             \
		cr_assert_eq(_r, expected, "entry gave %d (%s), expected %d", \
			     _r, why, expected);                              \
		cr_assert(strstr(why, text), "reason '%s' lacks '%s'", why,   \
			  text);                                              \
	} while (0)

/* Breaks one field of a good VMCS, checks the refusal, restores it. */
#define assert_field_refused(field, value, expected, text) \
	do {                                               \
		write_good_vmcs();                         \
		w(field, value);                           \
		assert_refused(expected, text);            \
		write_good_vmcs();                         \
	} while (0)

#define CTL SIM_VMENTRY_BAD_CONTROLS
#define HOST SIM_VMENTRY_BAD_HOST
#define GUEST SIM_VMENTRY_BAD_GUEST

Test(vmx_checks, good_vmcs_passes)
{
	int r = check();

	cr_assert_eq(r, 0, "good VMCS refused: %s", why);
	cr_assert_str_empty(sim_vmx_last_refusal(CPU));
}

Test(vmx_checks, hw_vmlaunch_runs_the_checks)
{
	hw_write_cr4(hw_read_cr4() | CR4_VMXE);
	cr_assert_eq(hw_vmxon(0x1000), 0);
	cr_assert_eq(hw_vmptrld(0x2000), 0);
	cr_assert_eq(hw_vmlaunch(NULL), 0, "refused: %s",
		     sim_vmx_last_refusal(CPU));
	cr_assert_eq(sim_cpu_launches(CPU), 1);

	w(H_CS_SEL, 0);
	cr_assert_eq(hw_vmlaunch(NULL), -1);
	cr_assert_eq(sim_cpu_launches(CPU), 1);
	cr_assert_eq(r(INSN_ERROR), 8);
	cr_assert_str_eq(sim_vmx_last_refusal(CPU), "host CS selector is null");
}

Test(vmx_checks, install_writes_the_capability_msrs)
{
	const struct sim_vmx_caps *caps = sim_vmx_skylake_caps();

	cr_assert_eq(sim_msr_get(CPU, MSR_IA32_VMX_BASIC), caps->basic);
	cr_assert(caps->basic & BIT(55), "true controls");
	cr_assert_eq(sim_msr_get(CPU, MSR_IA32_VMX_EPT_VPID_CAP),
		     caps->ept_vpid_cap);
	cr_assert_eq(sim_msr_get(CPU, MSR_IA32_VMX_PROCBASED_CTLS2) >> 32 &
			     (BIT(1) | BIT(5) | BIT(7)),
		     BIT(1) | BIT(5) | BIT(7), "EPT, VPID, unrestricted");
	cr_assert_eq(sim_msr_get(CPU, MSR_IA32_VMX_CR4_FIXED0), CR4_VMXE);
	cr_assert_eq(sim_msr_get(CPU, MSR_IA32_FEATURE_CONTROL), 5);
}

Test(vmx_checks, controls_against_capability_msrs)
{
	assert_field_refused(PIN, 0x48, CTL,
			     "pin-based controls 0x00000048: bits 0x00000016 "
			     "must be 1 (IA32_VMX_TRUE_PINBASED_CTLS)");
	assert_field_refused(PIN, GOOD_PIN | BIT(7), CTL,
			     "bits 0x00000080 must be 0");
	assert_field_refused(PROC, GOOD_PROC | BIT(17), CTL,
			     "primary processor-based controls");
	assert_field_refused(EXIT, GOOD_EXIT | BIT(12), CTL,
			     "VM-exit controls");
	assert_field_refused(ENTRY, GOOD_ENTRY & ~BIT(0), CTL,
			     "VM-entry controls");
	assert_field_refused(PROC2, GOOD_PROC2 | BIT(14), CTL,
			     "secondary processor-based controls");
}

Test(vmx_checks, legacy_capability_msrs_without_true_controls)
{
	sim_msr_set(CPU, MSR_IA32_VMX_BASIC,
		    sim_vmx_skylake_caps()->basic & ~BIT(55));
	/* CR3-load/store exiting may only be 0 under the true MSRs. */
	assert_refused(CTL, "must be 1 (IA32_VMX_PROCBASED_CTLS)");
	w(PROC, GOOD_PROC | BIT(15) | BIT(16));
	w(EXIT, GOOD_EXIT | BIT(2));
	cr_assert_eq(check(), 0, "%s", why);
}

Test(vmx_checks, removed_capability_is_refused)
{
	u64 caps2 = sim_msr_get(CPU, MSR_IA32_VMX_PROCBASED_CTLS2);

	sim_msr_set(CPU, MSR_IA32_VMX_PROCBASED_CTLS2, caps2 & ~(BIT(7) << 32));
	assert_refused(CTL, "secondary processor-based controls 0x00000082: "
			    "bits 0x00000080 must be 0");
}

Test(vmx_checks, secondary_controls_ignored_without_activation)
{
	w(PROC, GOOD_PROC & ~BIT(31));
	w(PROC2, 0xffffffff);
	cr_assert_eq(check(), 0, "%s", why);
}

Test(vmx_checks, cr3_targets_and_bitmaps)
{
	assert_field_refused(CR3_TARGETS, 5, CTL,
			     "CR3-target count 5 exceeds the 4");
	assert_field_refused(IO_BITMAP_A, 0x100800, CTL,
			     "I/O bitmap A address 0x100800 is not 4K aligned");
	assert_field_refused(IO_BITMAP_B, BIT(40), CTL,
			     "I/O bitmap B address 0x10000000000 is beyond the "
			     "physical-address width");
	assert_field_refused(MSR_BITMAP, 0x102004, CTL,
			     "MSR bitmap address 0x102004 is not 4K aligned");

	/* Unused bitmaps are not looked at. */
	w(PROC, GOOD_PROC & ~(BIT(25) | BIT(28)));
	w(IO_BITMAP_A, 0x123);
	w(MSR_BITMAP, 0x456);
	cr_assert_eq(check(), 0, "%s", why);
}

Test(vmx_checks, ept_pointer)
{
	assert_field_refused(EPTP, (GOOD_EPTP & ~7ULL) | 1, CTL,
			     "memory type 1 not supported");
	assert_field_refused(EPTP, (GOOD_EPTP & ~0x38ULL) | 4 << 3, CTL,
			     "page-walk length 5 not supported");
	assert_field_refused(EPTP, GOOD_EPTP | BIT(7), CTL, "reserved bits");
	assert_field_refused(EPTP, GOOD_EPTP | BIT(45), CTL, "reserved bits");
	w(EPTP, GOOD_EPTP | BIT(6));
	cr_assert_eq(check(), 0, "A/D flags are supported: %s", why);
	sim_msr_set(CPU, MSR_IA32_VMX_EPT_VPID_CAP,
		    sim_vmx_skylake_caps()->ept_vpid_cap & ~BIT(21));
	assert_refused(CTL, "accessed and dirty flags not supported");
}

Test(vmx_checks, unrestricted_guest_needs_ept)
{
	assert_field_refused(PROC2, BIT(7), CTL,
			     "unrestricted guest without EPT");
}

Test(vmx_checks, vpid_nmi_and_apic_controls)
{
	assert_field_refused(PROC2, GOOD_PROC2 | BIT(5), CTL,
			     "VPID enabled with VPID 0");
	w(VPID, 1);
	w(PROC2, GOOD_PROC2 | BIT(5));
	cr_assert_eq(check(), 0, "%s", why);

	assert_field_refused(PIN, (GOOD_PIN & ~BIT(3)) | BIT(5), CTL,
			     "virtual NMIs without NMI exiting");
	assert_field_refused(PROC, GOOD_PROC | BIT(22), CTL,
			     "NMI-window exiting without virtual NMIs");
	assert_field_refused(PROC2, GOOD_PROC2 | BIT(4), CTL,
			     "without the TPR shadow");
}

Test(vmx_checks, preemption_timer_save_needs_timer)
{
	w(EXIT, GOOD_EXIT | BIT(22));
	cr_assert_eq(check(), 0, "%s", why);
	w(PIN, GOOD_PIN & ~BIT(6));
	assert_refused(CTL, "save VMX-preemption timer value without");
}

Test(vmx_checks, exit_and_entry_controls)
{
	w(EXIT_MSR_LOAD_COUNT, 1);
	w(EXIT_MSR_LOAD_ADDR, 0x3008);
	assert_refused(CTL, "VM-exit MSR-load address 0x3008");
	write_good_vmcs();
	w(EXIT_MSR_LOAD_COUNT, 0);
	assert_field_refused(ENTRY, GOOD_ENTRY | BIT(10), CTL, "entry to SMM");
	assert_field_refused(EXIT, GOOD_EXIT & ~BIT(9), HOST,
			     "host address-space size is 0");
}

#define INJECT(type, vector) (BIT(31) | (type) << 8 | (vector))

Test(vmx_checks, event_injection)
{
	w(ENTRY_INFO, INJECT(3, 6));
	cr_assert_eq(check(), 0, "#UD injection: %s", why);
	w(ENTRY_INFO, INJECT(3, 13) | BIT(11));
	w(ENTRY_ERROR, 0x10);
	cr_assert_eq(check(), 0, "#GP injection: %s", why);

	assert_field_refused(ENTRY_INFO, INJECT(1, 32), CTL, "reserved type 1");
	assert_field_refused(ENTRY_INFO, INJECT(2, 3), CTL,
			     "NMI with vector 3");
	assert_field_refused(ENTRY_INFO, INJECT(3, 32), CTL,
			     "hardware exception vector 32 above 31");
	assert_field_refused(ENTRY_INFO, INJECT(3, 13), CTL,
			     "deliver-error-code must be 1");
	assert_field_refused(ENTRY_INFO, INJECT(3, 6) | BIT(11), CTL,
			     "deliver-error-code must be 0");
	assert_field_refused(ENTRY_INFO, INJECT(3, 6) | BIT(20), CTL,
			     "reserved bits 30:12");
	w(ENTRY_INFO, INJECT(3, 14) | BIT(11));
	w(ENTRY_ERROR, 0x8000);
	assert_refused(CTL, "error code 0x8000: bits 31:15 must be 0");
	write_good_vmcs();
	w(ENTRY_INFO, INJECT(4, 0x80));
	w(ENTRY_LEN, 0);
	assert_refused(CTL, "instruction length 0 outside 1..15");
	w(ENTRY_LEN, 2);
	cr_assert_eq(check(), 0, "INT 0x80 injection: %s", why);
}

Test(vmx_checks, real_mode_injection_has_no_error_code)
{
	const struct x86_segment real_cs = { 0xf000, 0xf0000, 0xffff, 0x9b };

	w(G_CR0, 0x30 | BIT(5));
	w(ENTRY, GOOD_ENTRY & ~BIT(9));
	w(G_EFER, 0);
	w(G_CR4, CR4_VMXE);
	write_segment(G_CS_SEL, &real_cs);
	w(G_SS_AR, 0x93);
	w(G_SS_SEL, 0);
	w(G_SS_LIMIT, 0xffff);
	w(G_TR_AR, 0x8b);
	w(G_RIP, 0xfff0);
	w(G_RFLAGS, 2);
	cr_assert_eq(check(), 0, "real-mode guest: %s", why);
	w(ENTRY_INFO, INJECT(3, 13));
	cr_assert_eq(check(), 0, "#GP in real mode: %s", why);
}

Test(vmx_checks, host_control_registers_and_msrs)
{
	assert_field_refused(H_CR0, 0x80050032, HOST,
			     "host CR0 0x80050032: bits 0x1 must be 1");
	assert_field_refused(H_CR0, 0x80050033 | BIT(32), HOST,
			     "bits 0x100000000 must be 0");
	assert_field_refused(H_CR4, 0x3606f0, HOST,
			     "host CR4 0x3606f0: bits 0x2000 must be 1");
	assert_field_refused(H_CR4, 0x3606f0 | CR4_VMXE | BIT(12), HOST,
			     "bits 0x1000 must be 0");
	assert_field_refused(H_CR3, BIT(39), HOST,
			     "host CR3 0x8000000000 is beyond");
	assert_field_refused(H_SYSENTER_EIP, BIT(47), HOST,
			     "host SYSENTER_ESP/EIP not canonical");
	assert_field_refused(H_PAT, 0x0007040600070402ULL, HOST,
			     "host PAT 0x0007040600070402: entry 0 has invalid "
			     "memory type 2");
	assert_field_refused(H_EFER, 0x101, HOST,
			     "host EFER 0x101: LMA and LME must equal host "
			     "address-space size 1");
	assert_field_refused(H_EFER, 0xd01 | BIT(3), HOST,
			     "host EFER 0xd09: reserved bits set");

	/* Fields the exit does not load are not checked. */
	w(EXIT, GOOD_EXIT & ~(BIT(19) | BIT(21)));
	w(H_PAT, 0x02);
	w(H_EFER, BIT(3));
	cr_assert_eq(check(), 0, "%s", why);
}

Test(vmx_checks, host_segments_and_address_space)
{
	assert_field_refused(H_SS_SEL, 0x13, HOST,
			     "host SS selector 0x13: RPL and TI must be 0");
	assert_field_refused(H_FS_SEL, 0x4, HOST,
			     "host FS selector 0x4: RPL and TI must be 0");
	assert_field_refused(H_CS_SEL, 0, HOST, "host CS selector is null");
	assert_field_refused(H_TR_SEL, 0, HOST, "host TR selector is null");
	assert_field_refused(H_GS_BASE, 0x0000800000000000ULL, HOST,
			     "host GS base 0x800000000000 not canonical");
	assert_field_refused(H_IDTR_BASE, 0xfff0800000000000ULL, HOST,
			     "host IDTR base");
	assert_field_refused(H_RIP, 0x8000000000000000ULL, HOST,
			     "host RIP 0x8000000000000000 not canonical");
	assert_field_refused(H_CR4, (0x3606f0 | CR4_VMXE) & ~BIT(5), HOST,
			     "host CR4.PAE must be 1");
}

Test(vmx_checks, guest_control_registers)
{
	assert_field_refused(G_CR4, 0x3606f0, GUEST,
			     "guest CR4 0x3606f0: bits 0x2000 must be 1");
	assert_field_refused(G_CR0, 0x80050033 & ~BIT(5), GUEST,
			     "guest CR0 0x80050013: bits 0x20 must be 1");
	assert_field_refused(G_CR0, 0x80050032, GUEST, "PG without PE");
	assert_field_refused(G_CR4, (0x3606f0 & ~BIT(5)) | CR4_VMXE, GUEST,
			     "IA-32e mode guest needs CR0.PG and CR4.PAE");
	assert_field_refused(G_CR3, BIT(40), GUEST,
			     "guest CR3 0x10000000000 is beyond");

	/* Without unrestricted guest, PE and PG are fixed to 1. */
	w(PROC2, BIT(1));
	w(G_CR0, 0x80050032);
	assert_refused(GUEST, "guest CR0 0x80050032: bits 0x1 must be 1");
}

Test(vmx_checks, guest_pcide_needs_ia32e)
{
	w(ENTRY, GOOD_ENTRY & ~BIT(9));
	w(G_EFER, 0x901);
	w(G_CS_AR, 0xc09b);
	assert_refused(GUEST, "guest CR4.PCIDE set outside IA-32e mode");
}

Test(vmx_checks, guest_debug_registers_and_msrs)
{
	assert_field_refused(G_DR7, BIT(32) | 0x400, GUEST,
			     "guest DR7 0x100000400: bits 63:32 must be 0");
	assert_field_refused(G_DEBUGCTL, BIT(4), GUEST,
			     "guest IA32_DEBUGCTL 0x10: reserved bits set");
	assert_field_refused(G_SYSENTER_ESP, 0x0000900000000000ULL, GUEST,
			     "guest SYSENTER_ESP/EIP not canonical");
	assert_field_refused(G_PAT, 0x0407050600070108ULL, GUEST,
			     "guest PAT 0x0407050600070108: entry 0 has "
			     "invalid memory type 8");
	assert_field_refused(G_EFER, 0x901, GUEST,
			     "guest EFER 0x901: LMA must equal IA-32e mode "
			     "guest 1");
	assert_field_refused(G_EFER, 0xc01, GUEST,
			     "guest EFER 0xc01: LME must equal IA-32e mode "
			     "guest 1 when paging");
	assert_field_refused(G_EFER, 0xd01 | BIT(12), GUEST,
			     "guest EFER 0x1d01: reserved bits set");

	w(ENTRY, GOOD_ENTRY & ~BIT(2));
	w(G_DR7, BIT(32));
	cr_assert_eq(check(), 0, "debug state not loaded: %s", why);
}

Test(vmx_checks, guest_failure_reported_as_entry_failure_exit)
{
	w(INSN_ERROR, 7);
	w(G_CR4, 0x3606f0);
	cr_assert_eq(check(), GUEST);
	cr_assert_eq(r(EXIT_REASON), 0x80000021);
	cr_assert_eq(r(QUALIFICATION), 0);
	cr_assert_eq(r(INSN_ERROR), 0,
		     "cleared so a caller tells the failures apart");
}

Test(vmx_checks, guest_segment_access_rights)
{
	assert_field_refused(G_CS_AR, 0xa0fb, GUEST,
			     "guest CS access rights: DPL 3 != SS.DPL 0");
	assert_field_refused(G_CS_AR, 0xa0df, GUEST,
			     "guest CS access rights: conforming DPL 2 > "
			     "SS.DPL 0");
	assert_field_refused(G_CS_AR, 0xa091, GUEST,
			     "guest CS access rights: type 1");
	assert_field_refused(G_CS_AR, 0xa01b, GUEST, "S and P must be 1");
	assert_field_refused(G_CS_AR, 0xe09b, GUEST,
			     "L and D/B both set in IA-32e mode");
	assert_field_refused(G_SS_AR, 0xc09b, GUEST,
			     "guest SS access rights: type 11");
	assert_field_refused(G_DS_AR, 0xc092, GUEST,
			     "guest DS access rights: type 2");
	assert_field_refused(G_ES_AR, 0xc099, GUEST,
			     "guest ES access rights: type 9");
	assert_field_refused(G_FS_AR, 0xc013, GUEST,
			     "guest FS access rights 0xc013: S and P must be "
			     "1");
	assert_field_refused(G_GS_AR, 0xc193, GUEST,
			     "guest GS access rights 0xc193: reserved bits");
	assert_field_refused(G_SS_AR, 0xc0093, GUEST, "reserved bits set");

	/* Unusable segments are not checked beyond that bit. */
	w(G_DS_AR, UNUSABLE | 0x7);
	cr_assert_eq(check(), 0, "%s", why);
}

Test(vmx_checks, guest_segment_privilege_without_unrestricted_guest)
{
	w(PROC2, BIT(1));
	w(G_CS_AR, 0xa0fb);
	w(G_SS_AR, 0xc0f3);
	assert_refused(GUEST, "guest SS access rights: DPL 3 != RPL 0");
	w(G_CS_SEL, 0x33);
	assert_refused(GUEST, "guest SS selector RPL 0 != CS RPL 3");
	w(G_SS_SEL, 0x2b);
	cr_assert_eq(check(), 0, "user-mode guest: %s", why);

	write_good_vmcs();
	w(PROC2, BIT(1));
	w(G_DS_SEL, 0x2b);
	w(G_DS_AR, 0xc093);
	w(G_DS_LIMIT, 0xffffffff);
	assert_refused(GUEST, "guest DS access rights: DPL 0 < RPL 3");
	w(PROC2, GOOD_PROC2);
	cr_assert_eq(check(), 0, "unrestricted guest: %s", why);
}

Test(vmx_checks, guest_segment_limits_and_bases)
{
	assert_field_refused(G_SS_LIMIT, 0xffff0, GUEST,
			     "guest SS access rights: G set with limit "
			     "0xffff0");
	assert_field_refused(G_CS_AR, 0x209b, GUEST,
			     "guest CS access rights: G clear with limit "
			     "0xffffffff");
	assert_field_refused(G_FS_BASE, 0x0000800000000000ULL, GUEST,
			     "guest FS/GS base not canonical");
	assert_field_refused(G_CS_BASE, BIT(32), GUEST,
			     "guest CS base 0x100000000: bits 63:32 must be 0");
	w(G_SS_BASE, BIT(32));
	assert_refused(GUEST, "guest SS base 0x100000000");
	w(G_SS_AR, UNUSABLE);
	cr_assert_eq(check(), 0, "unusable SS: %s", why);
}

Test(vmx_checks, guest_tr_and_ldtr)
{
	assert_field_refused(G_TR_AR, UNUSABLE | 0x8b, GUEST,
			     "guest TR access rights: unusable");
	assert_field_refused(G_TR_AR, 0x83, GUEST,
			     "guest TR access rights: type 3");
	assert_field_refused(G_TR_AR, 0x9b, GUEST, "S must be 0 and P 1");
	assert_field_refused(G_TR_SEL, 0x44, GUEST,
			     "guest TR selector 0x44: TI must be 0");
	assert_field_refused(G_TR_BASE, 0x0000800000000000ULL, GUEST,
			     "guest TR base 0x800000000000 not canonical");
	assert_field_refused(G_LDTR_AR, 0x83, GUEST,
			     "guest LDTR access rights 0x83");
	w(G_LDTR_SEL, 0x50);
	w(G_LDTR_AR, 0x82);
	w(G_LDTR_LIMIT, 0xff);
	cr_assert_eq(check(), 0, "usable LDT: %s", why);
}

Test(vmx_checks, guest_descriptor_tables)
{
	assert_field_refused(G_GDTR_LIMIT, 0x10000, GUEST,
			     "guest GDTR limit 0x10000: bits 31:16 must be 0");
	assert_field_refused(G_IDTR_LIMIT, 0x10fff, GUEST, "guest IDTR limit");
	assert_field_refused(G_GDTR_BASE, 0x0000800000000000ULL, GUEST,
			     "guest GDTR base 0x800000000000 not canonical");
	assert_field_refused(G_IDTR_BASE, 0xff00000000000000ULL, GUEST,
			     "guest IDTR base");
}

Test(vmx_checks, guest_rip_and_rflags)
{
	assert_field_refused(G_RIP, 0x0000800000000000ULL, GUEST,
			     "guest RIP 0x800000000000 not canonical");
	assert_field_refused(G_RFLAGS, 0, GUEST,
			     "guest RFLAGS 0x0: reserved bits wrong");
	assert_field_refused(G_RFLAGS, 0x8002, GUEST, "guest RFLAGS 0x8002");
	assert_field_refused(G_RFLAGS, 0x20002, GUEST,
			     "guest RFLAGS.VM set in IA-32e or real mode");
	assert_field_refused(ENTRY_INFO, INJECT(0, 0x30), GUEST,
			     "external interrupt injected with RFLAGS.IF 0");

	/* A compatibility-mode CS makes RIP 32 bits wide. */
	w(G_CS_AR, 0xc09b);
	assert_refused(GUEST, "guest RIP 0xffffffffc0001000: bits 63:32 must "
			      "be 0 outside 64-bit mode");
}

Test(vmx_checks, guest_activity_state)
{
	assert_field_refused(G_ACTIVITY, 2, GUEST,
			     "guest activity state 2 not supported");
	assert_field_refused(G_ACTIVITY, 4, GUEST,
			     "guest activity state 4 not supported");
	w(G_ACTIVITY, 1);
	cr_assert_eq(check(), 0, "HLT: %s", why);
	w(G_RFLAGS, 0x202);
	w(G_INTERRUPTIBILITY, 1);
	assert_refused(GUEST, "guest activity state 1 with blocking by STI");
	write_good_vmcs();
	w(G_ACTIVITY, 3);
	cr_assert_eq(check(), 0, "wait-for-SIPI: %s", why);
	w(ENTRY_INFO, INJECT(2, 2));
	assert_refused(GUEST, "event injected into activity state 3");
}

Test(vmx_checks, guest_hlt_needs_ss_dpl_0)
{
	w(G_CS_SEL, 0x33);
	w(G_CS_AR, 0xa0fb);
	w(G_SS_SEL, 0x2b);
	w(G_SS_AR, 0xc0f3);
	cr_assert_eq(check(), 0, "user mode: %s", why);
	w(G_ACTIVITY, 1);
	assert_refused(GUEST, "guest activity state HLT with SS.DPL 3");
}

Test(vmx_checks, guest_interruptibility_state)
{
	assert_field_refused(G_INTERRUPTIBILITY, BIT(5), GUEST,
			     "guest interruptibility 0x20: reserved bits set");
	assert_field_refused(G_INTERRUPTIBILITY, 1, GUEST,
			     "blocking by STI with RFLAGS.IF 0");
	assert_field_refused(G_INTERRUPTIBILITY, 4, GUEST,
			     "blocking by SMI outside SMM");
	w(G_RFLAGS, 0x202);
	w(G_INTERRUPTIBILITY, 3);
	assert_refused(GUEST, "blocking by STI and MOV SS together");
	w(G_INTERRUPTIBILITY, 2);
	cr_assert_eq(check(), 0, "MOV SS blocking: %s", why);
	w(ENTRY_INFO, INJECT(0, 0x30));
	assert_refused(GUEST, "external interrupt injected under STI or MOV "
			      "SS blocking");
	w(ENTRY_INFO, INJECT(2, 2));
	assert_refused(GUEST, "NMI injected under MOV SS blocking");
}

Test(vmx_checks, guest_pending_debug_exceptions)
{
	assert_field_refused(G_PENDING_DBG, BIT(4), GUEST,
			     "guest pending debug exceptions 0x10: reserved");
	w(G_PENDING_DBG, BIT(14));
	cr_assert_eq(check(), 0, "BS alone: %s", why);
	/* Single-stepping over STI leaves a pending single-step trap. */
	w(G_RFLAGS, 0x302);
	w(G_INTERRUPTIBILITY, 1);
	cr_assert_eq(check(), 0, "TF with BS: %s", why);
	w(G_PENDING_DBG, 0);
	assert_refused(GUEST, "BS must be 1 with RFLAGS.TF 1");
}

Test(vmx_checks, vmcs_link_pointer)
{
	w(LINK_POINTER, 0);
	cr_assert_eq(check(), GUEST);
	cr_assert(strstr(why, "VMCS link pointer 0x0 is not all ones"), "%s",
		  why);
	cr_assert_eq(r(EXIT_REASON), 0x80000021);
	cr_assert_eq(r(QUALIFICATION), SIM_EXIT_QUAL_BAD_LINK_POINTER);
}

/* A 32-bit protected-mode kernel: what a 32-bit Linux would leave. */
static void write_protected_mode_guest(void)
{
	const struct x86_segment cs = { 0x60, 0, 0xffffffff, 0xc09b };
	const struct x86_segment ss = { 0x68, 0, 0xffffffff, 0xc093 };
	const struct x86_segment user = { 0x7b, 0, 0xffffffff, 0xc0f3 };
	const struct x86_segment tr = { 0x80, 0xc1b00000, 0x206b, 0x8b };

	w(ENTRY, GOOD_ENTRY & ~BIT(9));
	w(G_CR0, 0x80050033);
	w(G_CR4, 0x690 | CR4_VMXE);
	w(G_EFER, 0);
	write_segment(G_CS_SEL, &cs);
	write_segment(G_SS_SEL, &ss);
	write_segment(G_DS_SEL, &user);
	write_segment(G_ES_SEL, &user);
	write_segment(G_TR_SEL, &tr);
	w(G_RIP, 0xc1000000);
	w(G_GDTR_BASE, 0xc1a00000);
	w(G_IDTR_BASE, 0xc1a01000);
}

Test(vmx_checks, protected_mode_guest_passes)
{
	write_protected_mode_guest();
	cr_assert_eq(check(), 0, "32-bit kernel: %s", why);
	w(G_TR_AR, 0x83);
	cr_assert_eq(check(), 0, "16-bit busy TSS outside IA-32e: %s", why);
}

Test(vmx_checks, pae_guest_pdptes)
{
	write_protected_mode_guest();
	w(G_CR4, 0x6b0 | CR4_VMXE);
	w(G_PDPTE0 + 2, 0x5001);
	cr_assert_eq(check(), 0, "%s", why);
	w(G_PDPTE0 + 4, 0x6003);
	assert_refused(GUEST, "guest PDPTE2 0x6003: reserved bits set");
}

Test(vmx_checks, virtual_8086_segments)
{
	const struct x86_segment v86 = { 0x1234, 0x12340, 0xffff, 0xf3 };

	write_protected_mode_guest();
	w(G_RFLAGS, 0x20002);
	write_segment(G_CS_SEL, &v86);
	write_segment(G_SS_SEL, &v86);
	write_segment(G_DS_SEL, &v86);
	write_segment(G_ES_SEL, &v86);
	write_segment(G_FS_SEL, &v86);
	write_segment(G_GS_SEL, &v86);
	w(G_RIP, 0x100);
	cr_assert_eq(check(), 0, "virtual-8086 mode: %s", why);
	w(G_DS_BASE, 0x12300);
	assert_refused(GUEST, "guest DS base 0x12300 != selector << 4");
}
