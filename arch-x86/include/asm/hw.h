/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Privileged operations of the x86 hypervisor: the only place where the image
 * touches hardware. sim/include/asm/hw.h declares the same functions with
 * fake hardware behind them; nothing above this header differs between the
 * two builds.
 */
#ifndef _ASM_HW_H
#define _ASM_HW_H

#include <core/types.h>
#include <asm/apicdef.h>

static inline void hw_outb(u16 port, u8 value)
{
	asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline u8 hw_inb(u16 port)
{
	u8 value;

	asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline u64 hw_rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

static inline void hw_pause(void)
{
	asm volatile("pause" : : : "memory");
}

/*
 * Spins until another CPU raised *word to target: 0, or -1 after max_spins
 * pauses. Acquire, so what the raising CPU wrote before is visible.
 */
static inline int hw_wait_at_least(const volatile u32 *word, u32 target,
				   u64 max_spins)
{
	u64 spins;

	for (spins = 0; spins < max_spins; spins++) {
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) >= target)
			return 0;
		hw_pause();
	}
	return -1;
}

/*
 * A VM exit caused by an NMI leaves NMIs blocked until the next IRET:
 * an IRET to the next instruction ends the blocking, so that the next
 * kick reaches this CPU again.
 */
static inline void hw_unblock_nmis(void)
{
	unsigned long rsp, sel;

	asm volatile("mov %%rsp, %0\n\t"
		     "mov %%ss, %k1\n\t"
		     "pushq %1\n\t"
		     "pushq %0\n\t"
		     "pushfq\n\t"
		     "mov %%cs, %k1\n\t"
		     "pushq %1\n\t"
		     "lea 1f(%%rip), %0\n\t"
		     "pushq %0\n\t"
		     "iretq\n"
		     "1:"
		     : "=&r"(rsp), "=&r"(sel)
		     :
		     : "memory");
}

static inline u64 hw_rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void hw_wrmsr(u32 msr, u64 value)
{
	asm volatile("wrmsr"
		     :
		     : "c"(msr), "a"((u32)value), "d"((u32)(value >> 32))
		     : "memory");
}

static inline u8 hw_mmio_read8(const volatile void *addr)
{
	return *(const volatile u8 *)addr;
}

static inline u16 hw_mmio_read16(const volatile void *addr)
{
	return *(const volatile u16 *)addr;
}

static inline void hw_mmio_write8(volatile void *addr, u8 value)
{
	*(volatile u8 *)addr = value;
}

static inline void hw_mmio_write16(volatile void *addr, u16 value)
{
	*(volatile u16 *)addr = value;
}

static inline u32 hw_mmio_read32(const volatile void *addr)
{
	return *(const volatile u32 *)addr;
}

static inline void hw_mmio_write32(volatile void *addr, u32 value)
{
	*(volatile u32 *)addr = value;
}

static inline u64 hw_mmio_read64(const volatile void *addr)
{
	return *(const volatile u64 *)addr;
}

static inline void hw_mmio_write64(volatile void *addr, u64 value)
{
	*(volatile u64 *)addr = value;
}

/* hw_vmwrite's failures: no current VMCS; field refused (SDM 30.2). */
#define HW_VMFAIL_INVALID (-1)
#define HW_VMFAIL_VALID 1

static inline u64 hw_vmread(u32 field)
{
	u64 value;

	asm volatile("vmread %1, %0" : "=rm"(value) : "r"((u64)field) : "cc");
	return value;
}

/*
 * 0 on success, HW_VMFAIL_INVALID without a current VMCS, HW_VMFAIL_VALID
 * when the CPU refused the field (the VM-instruction error says why). The
 * flags are outputs the compiler tests only where a caller looks at the
 * result: the exit path's writes, which ignore it, pay nothing.
 */
static inline int hw_vmwrite(u32 field, u64 value)
{
	bool invalid, valid;

	asm volatile("vmwrite %2, %3"
		     : "=@ccc"(invalid), "=@ccz"(valid)
		     : "rm"(value), "r"((u64)field));
	return invalid ? HW_VMFAIL_INVALID : valid ? HW_VMFAIL_VALID : 0;
}

static inline void hw_invept(unsigned long type, u64 eptp)
{
	struct {
		u64 eptp, reserved;
	} desc = { eptp, 0 };

	asm volatile("invept (%0), %1" : : "r"(&desc), "r"(type) : "memory");
}

/* Makes memory writes visible to non-coherent IOMMU table walks. */
/* Every earlier load, store and CLFLUSH is done before any later one. */
static inline void hw_memory_barrier(void)
{
	asm volatile("mfence" : : : "memory");
}

static inline void hw_flush_cache_line(const volatile void *addr)
{
	asm volatile("clflush %0" : "+m"(*(volatile char *)addr));
}

static inline void hw_outw(u16 port, u16 value)
{
	asm volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline void hw_outl(u16 port, u32 value)
{
	asm volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline u16 hw_inw(u16 port)
{
	u16 value;

	asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline u32 hw_inl(u16 port)
{
	u32 value;

	asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline void hw_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	asm volatile("cpuid"
		     : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
		     : "a"(leaf), "c"(subleaf));
}

static inline u64 hw_read_cr4(void)
{
	u64 value;

	asm volatile("mov %%cr4, %0" : "=r"(value));
	return value;
}

static inline void hw_write_cr4(u64 value)
{
	asm volatile("mov %0, %%cr4" : : "r"(value) : "memory");
}

static inline u64 hw_xgetbv(u32 index)
{
	u32 lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return (u64)hi << 32 | lo;
}

static inline void hw_xsetbv(u32 index, u64 value)
{
	asm volatile("xsetbv"
		     :
		     : "c"(index), "a"((u32)value), "d"((u32)(value >> 32)));
}

/* VMX instructions: 0 on success, -1 when the CPU refuses (CF or ZF). */
static inline int hw_vmx_result(u8 failed)
{
	return failed ? -1 : 0;
}

static inline int hw_vmxon(u64 region_phys)
{
	u8 failed;

	asm volatile("vmxon %1; setna %0"
		     : "=q"(failed)
		     : "m"(region_phys)
		     : "cc", "memory");
	return hw_vmx_result(failed);
}

static inline void hw_vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

static inline int hw_vmclear(u64 vmcs_phys)
{
	u8 failed;

	asm volatile("vmclear %1; setna %0"
		     : "=q"(failed)
		     : "m"(vmcs_phys)
		     : "cc", "memory");
	return hw_vmx_result(failed);
}

static inline int hw_vmptrld(u64 vmcs_phys)
{
	u8 failed;

	asm volatile("vmptrld %1; setna %0"
		     : "=q"(failed)
		     : "m"(vmcs_phys)
		     : "cc", "memory");
	return hw_vmx_result(failed);
}

/*
 * The local APIC of the executing CPU, addressed by xAPIC register offset
 * (0x20 id, 0xd0 LDR, 0x300 ICR, ...). xapic is its register page as the
 * hypervisor mapped it in xAPIC mode, or NULL in x2APIC mode, where offset o
 * is MSR X2APIC_MSR(o). Callers pass only registers that exist in the mode
 * the APIC runs in: a wrong one faults in the hypervisor. Writes take 64
 * bits for the x2APIC's ICR (destination in the upper half); xAPIC
 * registers are 32 bits wide. Only raw accesses: waiting for the ICR and
 * what an IPI means are apic.c's.
 */
static inline u32 hw_apic_read(volatile void *xapic, u32 offset)
{
	if (!xapic)
		return (u32)hw_rdmsr(X2APIC_MSR(offset));
	return hw_mmio_read32((volatile u8 *)xapic + offset);
}

static inline void hw_apic_write(volatile void *xapic, u32 offset, u64 value)
{
	if (!xapic)
		hw_wrmsr(X2APIC_MSR(offset), value);
	else
		hw_mmio_write32((volatile u8 *)xapic + offset, (u32)value);
}

/*
 * An IOAPIC's registers through its select/window pair (82093AA: IOREGSEL
 * at 0x00, IOWIN at 0x10, EOI at 0x40); regs is its mapped register page.
 * Selecting and accessing is two steps: callers serialize them.
 */
static inline u32 hw_ioapic_read(volatile void *regs, u32 reg)
{
	hw_mmio_write32(regs, reg);
	return hw_mmio_read32((volatile u8 *)regs + 0x10);
}

static inline void hw_ioapic_write(volatile void *regs, u32 reg, u32 value)
{
	hw_mmio_write32(regs, reg);
	hw_mmio_write32((volatile u8 *)regs + 0x10, value);
}

/* Ends a level-triggered interrupt of this vector at the IOAPIC. */
static inline void hw_ioapic_eoi(volatile void *regs, u32 vector)
{
	hw_mmio_write32((volatile u8 *)regs + 0x40, vector);
}

/*
 * Opens the interrupt window for one instruction: an interrupt pending at
 * the local APIC is taken (the hypervisor's gate for vectors 32-255 only
 * returns) and lands in the ISR, where the caller ends it.
 */
static inline void hw_take_interrupt(void)
{
	asm volatile("sti\n\tnop\n\tcli" : : : "memory");
}

/* The same under SVM, where the cleared global interrupt flag holds it. */
static inline void hw_svm_take_interrupt(void)
{
	asm volatile("stgi\n\tsti\n\tnop\n\tcli\n\tclgi" : : : "memory");
}

/*
 * Lets an NMI held pending by the cleared global interrupt flag through to
 * the hypervisor's handler (STGI, then CLGI again).
 */
static inline void hw_svm_take_nmi(void)
{
	asm volatile("stgi\n\tclgi" : : : "memory");
}

/*
 * Sets the global interrupt flag, which every #VMEXIT clears: Linux, or
 * a CPU waiting for Linux's INIT, would otherwise never see an interrupt,
 * NMI or INIT again once SVM is off. Needs EFER.SVME still set.
 */
static inline void hw_svm_stgi(void)
{
	asm volatile("stgi" : : : "memory");
}

/* The state Linux left, captured by the entry code for this CPU. */
struct x86_cpu_state;
void hw_capture_cpu_state(struct x86_cpu_state *state);
/*
 * Enters the guest of the current VMCS. Returns only if the CPU refused the
 * VM entry (-1; VM_INSTRUCTION_ERROR tells why); exits arrive at the host
 * RIP the VMCS names.
 */
struct guest_regs;
int hw_vmlaunch(const struct guest_regs *regs);
/*
 * Enters the guest of the VMCB (at vmcb_phys, mapped at vmcb) with these
 * registers, RAX taken from the VMCB, and stays in the VMRUN loop of the
 * entry code from then on. Returns only if VMRUN refused the VMCB at this
 * first entry (-1, exit code VMEXIT_INVALID in the VMCB).
 */
struct vmcb;
int hw_vmrun(u64 vmcb_phys, struct vmcb *vmcb, struct guest_regs *regs);

/*
 * The hypervisor's interrupt descriptor table, filled on first use: NMIs
 * (kicks) return at once, exceptions stop the CPU with a log line.
 */
u64 hw_host_idt(void);

/*
 * Continues Linux natively on this CPU from its saved state (VMX already
 * left): Linux's page tables, descriptor tables, MSRs and registers.
 */
void hw_resume_linux(const struct x86_cpu_state *state)
	__attribute__((noreturn));

/*
 * Halts this CPU for good, out of VMX operation and with interrupts off,
 * for a CPU Linux has not been running on: Linux's INIT and SIPI restart
 * it when Linux brings it online.
 */
void hw_stop_cpu(void) __attribute__((noreturn));

struct jailhouse_system;
/*
 * Builds the hypervisor's own page tables and switches the calling CPU to
 * them; from then on hw_map_phys and hw_map_device work.
 */
int hw_address_space_init(const struct jailhouse_system *system);

/* Id of the CPU executing this code, kept by the entry code. */
unsigned int hw_this_cpu_id(void);
/*
 * Temporary access to RAM outside the hypervisor block, valid until this
 * CPU's next hw_map_phys.
 */
void *hw_map_phys(u64 phys, u64 size);
void hw_unmap_phys(void *virt, u64 size);
/* Lasting uncached mapping of device registers. */
void *hw_map_device(u64 phys, u64 size);

#endif
