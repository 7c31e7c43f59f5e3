/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC registers (SDM volume 3, chapter 11): their offsets in the
 * xAPIC page, the x2APIC MSR of each, and the fields of the ICR, LVT and
 * SVR. The APIC base MSR and its bits are in asm/msr-index.h.
 */
#ifndef _ASM_APICDEF_H
#define _ASM_APICDEF_H

#define XAPIC_BASE 0xfee00000ULL

/* Offsets in the xAPIC page, 16 bytes apart. */
#define APIC_ID 0x20
#define APIC_VERSION 0x30
#define APIC_TPR 0x80
#define APIC_APR 0x90
#define APIC_PPR 0xa0
#define APIC_EOI 0xb0
#define APIC_LDR 0xd0
#define APIC_DFR 0xe0
#define APIC_SVR 0xf0
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_LVT_CMCI 0x2f0
#define APIC_ICR 0x300
#define APIC_ICR_HIGH 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERF 0x340
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0
#define APIC_SELF_IPI 0x3f0 /* x2APIC only */

/* x2APIC mode: the register at xAPIC offset reg is an MSR. */
#define X2APIC_MSR_FIRST 0x800
#define X2APIC_MSR_LAST 0x8ff
#define X2APIC_MSR(reg) (X2APIC_MSR_FIRST + (reg) / 16)

#define SVR_ENABLED (1U << 8)
#define LVT_MASKED (1U << 16)

/* Interrupt command register, low half (the destination is the high one). */
#define ICR_VECTOR 0xffU
#define ICR_FIXED (0U << 8)
#define ICR_LOWEST (1U << 8)
#define ICR_SMI (2U << 8)
#define ICR_NMI (4U << 8)
#define ICR_INIT (5U << 8)
#define ICR_STARTUP (6U << 8)
#define ICR_LOGICAL (1U << 11)
#define ICR_BUSY (1U << 12) /* xAPIC only */
#define ICR_ASSERT (1U << 14)
#define ICR_LEVEL (1U << 15)
#define ICR_SELF (1U << 18)
#define ICR_ALL (2U << 18)
#define ICR_OTHERS (3U << 18)

#endif
