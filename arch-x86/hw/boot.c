// SPDX-License-Identifier: GPL-2.0
/*
 * Bring-up of the image on real hardware: self-relocation, the choice of
 * the CPU that initializes, and the meeting points of all CPUs, so that
 * either every CPU ends up running Linux as a guest or none does.
 */
#include <core/control.h>
#include <core/percpu.h>
#include <core/errno.h>
#include <core/lib.h>
#include <core/printk.h>
#include <asm/cpu_state.h>
#include <asm/hw.h>
#include <asm/boot.h>
#include <asm/hv_paging.h>
#include <asm/percpu.h>
#include <asm/stack.h>
#include <asm/vmexit.h>
#include <asm/vcpu.h>
#include <asm/vmx.h>
#include <jailhouse/header.h>

#define R_X86_64_RELATIVE 8
#define IDT_LIMIT (256 * 16 - 1)

/* Same layout as the per-CPU host GDT (asm/percpu.h), without the TSS. */
static const u64 boot_gdt[4] __attribute__((aligned(16))) = {
	[HOST_CS_SELECTOR / 8] = 0x00af9b000000ffffULL,
	[HOST_DS_SELECTOR / 8] = 0x00cf93000000ffffULL,
};

struct table_register {
	u16 limit;
	u64 base;
} __attribute__((packed));

struct elf64_rela {
	u64 offset;
	u64 info;
	s64 addend;
};

extern u8 __image_start[], __rela_start[], __rela_end[];
extern u8 vmexit_entry[], hv_stacks[];

static struct x86_cpu_state linux_state[MAX_CPUS];

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
	int err;

	/* Before anything is logged: the driver reads refusals there too. */
	hdr->console = (u64)(uintptr_t)&console_buffer - base;
	err = apply_relocations();

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

/*
 * The image is mapped in Linux's address space and in the hypervisor's, so
 * tables inside it keep working across the switch; Linux's do not.
 */
static void load_boot_tables(void)
{
	struct table_register gdt = { sizeof(boot_gdt) - 1,
				      (u64)(uintptr_t)boot_gdt };
	struct table_register idt = { IDT_LIMIT, hw_host_idt() };

	asm volatile("lgdt %0\n\t"
		     "lidt %1"
		     :
		     : "m"(gdt), "m"(idt)
		     : "memory");
	x86_reload_cs_ss(HOST_CS_SELECTOR, HOST_DS_SELECTOR);
}

void x86_leave_hv_address_space(unsigned int cpu_id)
{
	x86_load_linux_address_space(&linux_state[cpu_id]);
	x86_load_linux_idt(&linux_state[cpu_id]);
}

/*
 * Linux continues as a guest exactly where arch_entry would have returned
 * to the driver: the registers arch_entry saved on Linux's stack, the
 * return address, the stack above it, 0 in RAX. Nothing of the image may
 * run as the guest: the root cell does not map the hypervisor's memory.
 */
static void resume_as_if_returned(struct x86_cpu_state *s, u64 linux_rsp)
{
	/* arch_entry pushed RBP, RBX, R12, R13, R14, R15: R15 lowest. */
	const u64 *frame = (const u64 *)(uintptr_t)linux_rsp;

	s->regs.gp[REG_R15] = frame[0];
	s->regs.gp[REG_R14] = frame[1];
	s->regs.gp[REG_R13] = frame[2];
	s->regs.gp[REG_R12] = frame[3];
	s->regs.gp[REG_RBX] = frame[4];
	s->regs.gp[REG_RBP] = frame[5];
	s->rip = frame[6];
	s->regs.gp[REG_RSP] = linux_rsp + 7 * 8;
	s->regs.gp[REG_RAX] = 0;
}

/* The CPU's VMCS or VMCB names where its exits land: set up before. */
static void enter_cpu(unsigned int cpu_id)
{
	struct arch_per_cpu *a = &per_cpu(cpu_id)->arch;

	x86_enter_hv_address_space(cpu_id);
	a->host_rip = (u64)(uintptr_t)vmexit_entry;
	/* The exit stub pushes the guest's registers into guest_regs. */
	a->host_rsp = (u64)(uintptr_t)(&a->guest_regs + 1);
	a->exit_stack = (u64)(uintptr_t)hv_stacks +
			((u64)cpu_id + 1) * HV_STACK_SIZE;
	a->host_cr3 = hv_paging_cr3();
}

void hw_capture_cpu_state(struct x86_cpu_state *state)
{
	*state = linux_state[hw_this_cpu_id()];
}

int arch_entry_c(unsigned int cpu_id, u64 linux_rsp)
{
	struct jailhouse_header *hdr = (void *)__image_start;
	/*
	 * Built here, not in data: pointers stored in the image are only
	 * right once master_init has relocated it.
	 */
	struct hv_bringup how = { .init_system = master_init,
				  .enter_cpu = enter_cpu };
	u32 online = hdr->online_cpus;
	int err;

	if (cpu_id >= MAX_CPUS || cpu_id >= online)
		return -EINVAL;
	x86_read_cpu_state(&linux_state[cpu_id]);
	resume_as_if_returned(&linux_state[cpu_id], linux_rsp);
	load_boot_tables();

	err = hv_enable_cpu(&how, cpu_id, online);
	if (!err) {
		err = x86_cpu_activate(per_cpu(cpu_id));
		/* Only a refused entry gets here. */
		x86_abandon_launch(per_cpu(cpu_id));
	}
	x86_leave_hv_address_space(cpu_id);
	return err;
}
