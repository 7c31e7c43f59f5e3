// SPDX-License-Identifier: GPL-2.0
/*
 * Which instruction reaches the hypervisor: VMCALL on Intel (VMX), VMMCALL
 * on AMD and Hygon (SVM). The other vendor's instruction raises #UD in the
 * cell, so the choice follows the CPU's vendor string, as the driver's does.
 */
#include <inmate.h>

/* CPUID leaf 0 spells the vendor in EBX, EDX, ECX, four bytes each. */
bool inmate_use_vmmcall;

static bool vendor_is(u32 ebx, u32 edx, u32 ecx, u32 want_ebx, u32 want_edx,
		      u32 want_ecx)
{
	return ebx == want_ebx && edx == want_edx && ecx == want_ecx;
}

void hypercall_init(void)
{
	u32 eax, ebx, ecx, edx;

	cpuid(0, &eax, &ebx, &ecx, &edx);
	inmate_use_vmmcall =
		/* "AuthenticAMD" */
		vendor_is(ebx, edx, ecx, 0x68747541, 0x69746e65, 0x444d4163) ||
		/* "HygonGenuine" */
		vendor_is(ebx, edx, ecx, 0x6f677948, 0x6e65476e, 0x656e6975);
}
