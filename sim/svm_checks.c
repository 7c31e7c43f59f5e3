// SPDX-License-Identifier: GPL-2.0
/*
 * AMD CPUs for the simulator: CPUID identity and VMRUN's consistency
 * checks on the VMCB (AMD64 APM Vol. 2, "Canonicalization and Consistency
 * Checks"), read through offsets of this file's own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sim/cpu_hw.h>
#include <sim/hw_state.h>
#include <sim/phys.h>
#include <sim/svm_checks.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

enum sim_cpu_model sim_cpu_model = SIM_CPU_INTEL;

/* VMCB offsets (APM Vol. 2, appendix B). */
#define C_INTERCEPTS2 0x010
#define C_IOPM_BASE 0x040
#define C_MSRPM_BASE 0x048
#define C_ASID 0x058
#define C_EXIT_CODE 0x070
#define C_NP_CONTROL 0x090
#define C_EVENT_INJECT 0x0a8
#define C_N_CR3 0x0b0
#define S_CS_ATTRIB 0x412
#define S_EFER 0x4d0
#define S_CR4 0x548
#define S_CR3 0x550
#define S_CR0 0x558
#define S_DR7 0x560
#define S_DR6 0x568

#define PHYS_ADDR_BITS 48
#define VMEXIT_INVALID (~0ULL)

/* VMXE, SMXE, bit 15 and everything from bit 25 up: not AMD's. */
#define CR4_RESERVED (0xfffffffffe000000ULL | (7ULL << 13))
/* SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR, TCE are defined. */
#define EFER_RESERVED (~0xfd01ULL)
#define CS_ATTR_L (1U << 9)
#define CS_ATTR_D (1U << 10)

static char last_refusal[SIM_MAX_CPUS][160];
static unsigned long nmis_taken[SIM_MAX_CPUS];
/* Cleared by a VMRUN that entered (its #VMEXITs leave GIF clear). */
static bool gif_set[SIM_MAX_CPUS];

static u64 field(const u8 *vmcb, unsigned int offset, unsigned int size)
{
	u64 value = 0;

	memcpy(&value, vmcb + offset, size);
	return value;
}

static bool beyond_phys(u64 addr)
{
	return addr >> PHYS_ADDR_BITS;
}

static int refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int check_control_registers(const u8 *v, char *why, size_t len)
{
	u64 cr0 = field(v, S_CR0, 8), cr3 = field(v, S_CR3, 8);
	u64 cr4 = field(v, S_CR4, 8), efer = field(v, S_EFER, 8);
	u16 cs = field(v, S_CS_ATTRIB, 2);
	bool long_paging = (efer & EFER_LME) && (cr0 & CR0_PG);

	if (!(efer & EFER_SVME))
		return refuse(why, len, "guest EFER 0x%llx: SVME clear",
			      (unsigned long long)efer);
	if (efer & EFER_RESERVED)
		return refuse(why, len, "guest EFER 0x%llx: reserved bits set",
			      (unsigned long long)efer);
	if ((cr0 & CR0_NW) && !(cr0 & CR0_CD))
		return refuse(why, len, "guest CR0 0x%llx: NW without CD",
			      (unsigned long long)cr0);
	if (cr0 >> 32)
		return refuse(why, len, "guest CR0 0x%llx: bits 63:32 set",
			      (unsigned long long)cr0);
	if (long_paging && beyond_phys(cr3))
		return refuse(why, len, "guest CR3 0x%llx: reserved bits set",
			      (unsigned long long)cr3);
	if (cr4 & CR4_RESERVED)
		return refuse(why, len, "guest CR4 0x%llx: reserved bits set",
			      (unsigned long long)cr4);
	if (field(v, S_DR6, 8) >> 32 || field(v, S_DR7, 8) >> 32)
		return refuse(why, len, "guest DR6 or DR7: bits 63:32 set");
	if (long_paging && !(cr4 & CR4_PAE))
		return refuse(why, len, "long mode paging without CR4.PAE");
	if (long_paging && !(cr0 & CR0_PE))
		return refuse(why, len, "long mode paging without CR0.PE");
	if (long_paging && (cs & CS_ATTR_L) && (cs & CS_ATTR_D))
		return refuse(why, len, "CS.L and CS.D both set in long mode");
	return 0;
}

static int check_event(u64 event, char *why, size_t len)
{
	unsigned int type = (event >> 8) & 7, vector = event & 0xff;

	if (!(event >> 31 & 1))
		return 0;
	if (type == 1 || type > 4)
		return refuse(why, len, "event injection type %u reserved",
			      type);
	if (type == 3 && (vector == 2 || vector > 31))
		return refuse(why, len,
			      "exception vector %u cannot be injected", vector);
	return 0;
}

static int check_controls(const u8 *v, char *why, size_t len)
{
	if (!(field(v, C_INTERCEPTS2, 4) & 1))
		return refuse(why, len, "VMRUN is not intercepted");
	if (!field(v, C_ASID, 4))
		return refuse(why, len, "guest ASID 0 is the host's");
	if (beyond_phys(field(v, C_IOPM_BASE, 8) + 3 * 4096 - 1))
		return refuse(why, len, "I/O permission map beyond physical "
					"addresses");
	if (beyond_phys(field(v, C_MSRPM_BASE, 8) + 2 * 4096 - 1))
		return refuse(why, len, "MSR permission map beyond physical "
					"addresses");
	if ((field(v, C_NP_CONTROL, 8) & 1) &&
	    beyond_phys(field(v, C_N_CR3, 8)))
		return refuse(why, len, "nested CR3 0x%llx: reserved bits set",
			      (unsigned long long)field(v, C_N_CR3, 8));
	return check_event(field(v, C_EVENT_INJECT, 8), why, len);
}

int sim_svm_check_vmrun(unsigned int cpu, u64 vmcb_phys, char *why,
			size_t len)
{
	u8 *v;

	if (!(sim_msr_get(cpu, MSR_IA32_EFER) & EFER_SVME))
		return refuse(why, len, "VMRUN with the host's EFER.SVME clear");
	if (vmcb_phys & 0xfff)
		return refuse(why, len, "VMCB at 0x%llx not page aligned",
			      (unsigned long long)vmcb_phys);
	if (!sim_msr_get(cpu, MSR_VM_HSAVE_PA))
		return refuse(why, len, "no host save area (VM_HSAVE_PA 0)");
	v = sim_phys_ptr(vmcb_phys, 4096);
	if (check_controls(v, why, len) || check_control_registers(v, why, len))
		return -1;
	return 0;
}

static int vmrun_hook(unsigned int cpu, u64 vmcb_phys)
{
	u8 *v;

	if (sim_svm_check_vmrun(cpu, vmcb_phys, last_refusal[cpu],
				sizeof(last_refusal[cpu])) == 0) {
		gif_set[cpu] = false;
		return 0;
	}
	if (!(vmcb_phys & 0xfff)) {
		v = sim_phys_ptr(vmcb_phys, 4096);
		*(u64 *)(v + C_EXIT_CODE) = VMEXIT_INVALID;
	}
	return -1;
}

const char *sim_svm_last_refusal(unsigned int cpu)
{
	return last_refusal[cpu];
}

/* An EPYC-like CPU as QEMU's TCG shows it: SVM with NPT, no NRIPS. */
static void amd_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	memset(out, 0, 4 * sizeof(u32));
	switch (leaf) {
	case 0:
		out[0] = 0xd;
		out[1] = 0x68747541; /* "Auth" */
		out[3] = 0x69746e65; /* "enti" */
		out[2] = 0x444d4163; /* "cAMD" */
		break;
	case 1:
		/* Intel's leaf without VMX: APIC id, x2APIC, XSAVE. */
		sim_intel_cpuid(leaf, subleaf, out);
		out[0] = 0x800f12;
		out[2] &= ~(1U << 5);
		break;
	case 0xd:
		sim_intel_cpuid(leaf, subleaf, out);
		break;
	case 0x80000000:
		out[0] = 0x8000000a;
		break;
	case 0x80000001:
		out[2] = 1U << 2; /* SVM */
		out[3] = (1U << 20) | (1U << 26) | (1U << 29); /* NX 1G LM */
		break;
	case 0x8000000a:
		out[0] = 1;
		out[1] = 16; /* ASIDs */
		out[3] = 1U << 0; /* NPT */
		break;
	}
}

void sim_svm_install(unsigned int cpu)
{
	sim_msr_set(cpu, MSR_IA32_EFER, 0xd01);
	sim_msr_set(cpu, MSR_IA32_PAT, 0x0407050600070106ULL);
	sim_msr_set(cpu, MSR_VM_CR, 0);
	last_refusal[cpu][0] = '\0';
	nmis_taken[cpu] = 0;
	gif_set[cpu] = true;
	sim_cpuid_hook = amd_cpuid;
	sim_vmrun_hook = vmrun_hook;
}

void hw_svm_stgi(void)
{
	gif_set[sim_current_cpu] = true;
}

bool sim_svm_gif(unsigned int cpu)
{
	return gif_set[cpu];
}

void hw_svm_take_nmi(void)
{
	nmis_taken[sim_current_cpu]++;
}

unsigned long sim_svm_nmis_taken(unsigned int cpu)
{
	return nmis_taken[cpu];
}
