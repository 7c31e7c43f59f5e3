// SPDX-License-Identifier: GPL-2.0
/*
 * What an INIT does to a local APIC, done by the hypervisor for the CPU
 * it resets: the hardware never sees the cell's INIT (emulated), nor a
 * reset when a CPU changes cells. Without it the new owner inherits the old
 * one's timer, LVT programming and pending interrupts -- a Linux timer
 * vector still in the IRR fires the moment an inmate enables interrupts,
 * through an IDT that has no gate for it.
 *
 * A CPU is reset when it leaves its owner (parked) and when it starts
 * for its new one. The APIC timer is measured on the first such CPU.
 *
 * The IRR cannot be written: each pending vector is taken for real with a
 * one-instruction interrupt window (the hypervisor's gate only returns)
 * and then ended with an EOI like any in-service vector.
 */
#include <core/printk.h>
#include <asm/apic.h>
#include <asm/apicdef.h>
#include <asm/hw.h>
#include <asm/vcpu.h>

#define VECTOR_REGS 8 /* 256 bits, 32 per register, 16 bytes apart */
/* After INIT: software-disabled, spurious vector 0xff. */
#define SVR_AFTER_INIT 0xff
/* Every vector once, and then some for the ones that come back at once. */
#define DRAIN_ROUNDS 300

static u32 reg_read(u32 reg)
{
	return hw_apic_read(apic_xapic_page(), reg);
}

static void reg_write(u32 reg, u32 value)
{
	hw_apic_write(apic_xapic_page(), reg, value);
}

/* The highest vector set in ISR or IRR, -1 if none. */
static int highest_vector(u32 base)
{
	int n;
	u32 bits;

	for (n = VECTOR_REGS - 1; n >= 0; n--) {
		bits = reg_read(base + n * 16);
		if (bits)
			return n * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

/* Each EOI ends the highest vector in service. */
static void end_in_service(void)
{
	while (highest_vector(APIC_ISR) >= 0)
		reg_write(APIC_EOI, 0);
}

/* The LVT entries this APIC has: LVR[23:16] is the last one's index. */
static void mask_lvts(void)
{
	unsigned int max_lvt = (reg_read(APIC_VERSION) >> 16) & 0xff;

	reg_write(APIC_LVT_TIMER, LVT_MASKED);
	reg_write(APIC_LVT_LINT0, LVT_MASKED);
	reg_write(APIC_LVT_LINT1, LVT_MASKED);
	reg_write(APIC_LVT_ERROR, LVT_MASKED);
	if (max_lvt >= 4)
		reg_write(APIC_LVT_PERF, LVT_MASKED);
	if (max_lvt >= 5)
		reg_write(APIC_LVT_THERMAL, LVT_MASKED);
	if (max_lvt >= 6)
		reg_write(APIC_LVT_CMCI, LVT_MASKED);
}

void apic_reset_hw(struct per_cpu *cpu)
{
	unsigned int round;
	int left;

	/* Only an enabled APIC delivers what its IRR holds. */
	reg_write(APIC_SVR, SVR_ENABLED | SVR_AFTER_INIT);
	reg_write(APIC_TPR, 0);
	mask_lvts();
	reg_write(APIC_TIMER_INIT, 0);
	apic_timer_measure();
	for (round = 0; round < DRAIN_ROUNDS; round++) {
		end_in_service();
		if (highest_vector(APIC_IRR) < 0)
			break;
		vcpu_take_interrupt();
	}
	left = highest_vector(APIC_IRR);
	if (left >= 0)
		printk("CPU %u: local APIC still holds vector 0x%x pending "
		       "after reset; the cell may receive it\n",
		       cpu->cpu_id, left);
	reg_write(APIC_SVR, SVR_AFTER_INIT);
}
