// SPDX-License-Identifier: GPL-2.0
/*
 * Bring-up of the image on real hardware: self-relocation, the choice of
 * the CPU that initializes, and the meeting points of all CPUs, so that
 * either every CPU ends up running Linux as a guest or none does.
 */
#include <core/control.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/printk.h>
#include <asm/cpu_state.h>
#include <asm/hw.h>
#include <asm/boot.h>
#include <asm/vmx.h>
#include <jailhouse/header.h>

#define R_X86_64_RELATIVE 8

struct elf64_rela {
	u64 offset;
	u64 info;
	s64 addend;
};

extern u8 __image_start[], __rela_start[], __rela_end[];
extern u8 arch_entry_resume[];

static struct x86_cpu_state linux_state[MAX_CPUS];
static u32 master_claimed;
static volatile u32 master_done;
static volatile int init_error;
static volatile u32 cpus_prepared;
static volatile u32 late_done;

static int apply_relocations(void)
{
	u64 base = (u64)(uintptr_t)__image_start;
	struct elf64_rela *r;

	for (r = (void *)__rela_start; r < (struct elf64_rela *)__rela_end;
	     r++) {
		if ((r->info & 0xffffffff) != R_X86_64_RELATIVE)
			return -ENOEXEC;
		*(u64 *)(uintptr_t)(base + r->offset) = base + (u64)r->addend;
	}
	return 0;
}

static int master_init(void)
{
	struct jailhouse_header *hdr = (void *)__image_start;
	const struct jailhouse_system *sys =
		(void *)(__image_start + hdr->core_size);
	u64 base = (u64)(uintptr_t)__image_start, sys_size, used;
	int err = apply_relocations();

	if (err)
		return err;
	sys_size = config_system_size(sys);
	if (sys_size > sys->hypervisor_memory.size)
		return -EINVAL;
	used = hdr->core_size + ((sys_size + PAGE_SIZE - 1) & PAGE_MASK);
	if (used >= sys->hypervisor_memory.size)
		return -ENOMEM;
	return hv_init(sys, sys_size, (void *)(uintptr_t)(base + used),
		       sys->hypervisor_memory.phys_start + used,
		       sys->hypervisor_memory.size - used, hdr->online_cpus);
}

static void wait_until(volatile u32 *value, u32 target)
{
	while (__atomic_load_n(value, __ATOMIC_ACQUIRE) < target &&
	       !init_error)
		hw_pause();
}

static void record_error(int err)
{
	if (err)
		__atomic_compare_exchange_n((int *)&init_error, &(int){ 0 },
					    err, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
}

void hw_capture_cpu_state(struct x86_cpu_state *state)
{
	*state = linux_state[hw_this_cpu_id()];
}

int arch_entry_c(unsigned int cpu_id, u64 linux_rsp)
{
	struct jailhouse_header *hdr = (void *)__image_start;
	u32 online = hdr->online_cpus;
	int err;

	if (cpu_id >= MAX_CPUS || cpu_id >= online)
		return -EINVAL;
	x86_read_cpu_state(&linux_state[cpu_id]);
	linux_state[cpu_id].rip = (u64)(uintptr_t)arch_entry_resume;
	linux_state[cpu_id].regs.gp[REG_RSP] = linux_rsp;

	if (__atomic_exchange_n(&master_claimed, 1, __ATOMIC_SEQ_CST) == 0) {
		record_error(master_init());
		__atomic_store_n(&master_done, 1, __ATOMIC_RELEASE);
	}
	wait_until(&master_done, 1);
	if (!init_error)
		x86_enter_hv_address_space(cpu_id);

	err = init_error ? 0 : hv_cpu_init(cpu_id);
	record_error(err);
	/* The last CPU to get ready finishes the bring-up for all. */
	if (__atomic_add_fetch(&cpus_prepared, 1, __ATOMIC_SEQ_CST) ==
	    online) {
		if (!init_error)
			record_error(hv_init_late());
		__atomic_store_n(&late_done, 1, __ATOMIC_RELEASE);
	}
	wait_until(&late_done, 1);
	if (init_error) {
		x86_leave_hv_address_space(cpu_id);
		return init_error;
	}
	return vmx_cpu_activate(per_cpu(cpu_id));
}
