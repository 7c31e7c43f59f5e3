/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's replacement for arch-x86/include/asm/hw.h: the same
 * operations, carried out on fake hardware (sim/hw.c). Keep the two headers'
 * function lists identical.
 */
#ifndef _ASM_HW_H
#define _ASM_HW_H

#include <core/types.h>

void hw_outb(u16 port, u8 value);
u8 hw_inb(u16 port);
u32 hw_inl(u16 port);
u16 hw_inw(u16 port);
void hw_outw(u16 port, u16 value);
void hw_outl(u16 port, u32 value);
unsigned int hw_this_cpu_id(void);
u64 hw_rdtsc(void);
void hw_pause(void);
int hw_wait_at_least(const volatile u32 *word, u32 target, u64 max_spins);
void hw_unblock_nmis(void);
u64 hw_rdmsr(u32 msr);
void hw_wrmsr(u32 msr, u64 value);
u8 hw_mmio_read8(const volatile void *addr);
u16 hw_mmio_read16(const volatile void *addr);
void hw_mmio_write8(volatile void *addr, u8 value);
void hw_mmio_write16(volatile void *addr, u16 value);
u32 hw_mmio_read32(const volatile void *addr);
void hw_mmio_write32(volatile void *addr, u32 value);
u64 hw_mmio_read64(const volatile void *addr);
void hw_mmio_write64(volatile void *addr, u64 value);
/* hw_vmwrite's failures: no current VMCS; field refused (SDM 30.2). */
#define HW_VMFAIL_INVALID (-1)
#define HW_VMFAIL_VALID 1

u64 hw_vmread(u32 field);
int hw_vmwrite(u32 field, u64 value);
void hw_invept(unsigned long type, u64 eptp);
void hw_flush_cache_line(const volatile void *addr);
void hw_memory_barrier(void);
void hw_cpuid(u32 leaf, u32 subleaf, u32 out[4]);
u64 hw_read_cr4(void);
void hw_write_cr4(u64 value);
u64 hw_xgetbv(u32 index);
void hw_xsetbv(u32 index, u64 value);
int hw_vmxon(u64 region_phys);
void hw_vmxoff(void);
int hw_vmclear(u64 vmcs_phys);
int hw_vmptrld(u64 vmcs_phys);
struct x86_cpu_state;
void hw_capture_cpu_state(struct x86_cpu_state *state);
struct guest_regs;
int hw_vmlaunch(const struct guest_regs *regs);
struct vmcb;
int hw_vmrun(u64 vmcb_phys, struct vmcb *vmcb, struct guest_regs *regs);
void hw_svm_take_nmi(void);
void hw_take_interrupt(void);
void hw_svm_take_interrupt(void);
void hw_svm_stgi(void);
u64 hw_host_idt(void);
void hw_resume_linux(const struct x86_cpu_state *state)
	__attribute__((noreturn));
void hw_stop_cpu(void) __attribute__((noreturn));
struct jailhouse_system;
int hw_address_space_init(const struct jailhouse_system *system);
void *hw_map_phys(u64 phys, u64 size);
void hw_unmap_phys(void *virt, u64 size);
void *hw_map_device(u64 phys, u64 size);

/* Local APIC (sim/apic_hw.c) and IOAPIC (sim/ioapic_hw.c) fakes. */
u32 hw_apic_read(volatile void *xapic, u32 offset);
void hw_apic_write(volatile void *xapic, u32 offset, u64 value);
u32 hw_ioapic_read(volatile void *regs, u32 reg);
void hw_ioapic_write(volatile void *regs, u32 reg, u32 value);
void hw_ioapic_eoi(volatile void *regs, u32 vector);

#endif
