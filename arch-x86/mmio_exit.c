// SPDX-License-Identifier: GPL-2.0
/*
 * An access to memory the cell does not map: find out what the instruction
 * wanted (fetched through the guest's own page tables, decoded), let the
 * emulated device answer, and complete the instruction for the guest.
 */
#include <core/arch.h>
#include <core/cell.h>
#include <core/errno.h>
#include <core/lib.h>
#include <asm/exit.h>
#include <asm/mmio_decode.h>
#include <asm/vcpu.h>

/* Instruction bytes come from the cell's own RAM, nothing else. */
static int read_cell_ram(void *arg, u64 gpa, void *buf, unsigned int len)
{
	struct cell *cell = arg;
	u32 flags;
	void *src;
	u64 hpa;

	if (!arch_translate_gpa(cell, gpa, &hpa, &flags) ||
	    !(flags & PAGE_FLAG_READ) || (flags & PAGE_FLAG_DEVICE))
		return -EFAULT;
	src = arch_map_phys(hpa, len);
	if (!src)
		return -EFAULT;
	memcpy(buf, src, len);
	arch_unmap_phys(src, len);
	return 0;
}

static void guest_paging_now(struct guest_paging *pg, u64 pdptes[4])
{
	pg->cr0 = vcpu_get_cr0();
	pg->cr3 = vcpu_get_cr3();
	pg->cr4 = vcpu_get_cr4();
	pg->efer = vcpu_get_efer();
	vcpu_get_pdptes(pdptes);
	pg->pdptes = pdptes;
}

static u64 linear_rip(enum x86_code_mode mode, u64 rip)
{
	if (mode == X86_MODE_64)
		return rip;
	return (vcpu_get_cs_base() + rip) & 0xffffffffULL;
}

static bool fetch_and_decode(struct per_cpu *cpu, struct x86_exit *exit,
			     struct mmio_instruction *insn)
{
	enum x86_code_mode mode =
		x86_code_mode(vcpu_get_efer(), vcpu_get_cs_access_rights());
	struct guest_walk_fault fault;
	u8 bytes[X86_MAX_INSN_LEN];
	struct guest_paging pg;
	const char *why;
	u64 pdptes[4];
	int got;

	guest_paging_now(&pg, pdptes);
	got = x86_guest_fetch_insn(&pg, linear_rip(mode, exit->rip), bytes,
				   read_cell_ram, cpu->cell, &fault);
	if (got < 0) {
		x86_fail_cpu(cpu, exit,
			     "MMIO at 0x%llx: instruction at rip 0x%llx not "
			     "readable (%s)",
			     (unsigned long long)exit->fault.gpa,
			     (unsigned long long)exit->rip, fault.why);
		return false;
	}
	if (!x86_decode_mmio(bytes, (unsigned int)got, mode, insn, &why)) {
		x86_fail_cpu(cpu, exit, "MMIO at 0x%llx from rip 0x%llx: %s",
			     (unsigned long long)exit->fault.gpa,
			     (unsigned long long)exit->rip, why);
		return false;
	}
	if (insn->is_write != exit->fault.write) {
		x86_fail_cpu(cpu, exit,
			     "MMIO at 0x%llx: instruction at rip 0x%llx does "
			     "not match the access",
			     (unsigned long long)exit->fault.gpa,
			     (unsigned long long)exit->rip);
		return false;
	}
	return true;
}

bool x86_handle_nested_fault(struct per_cpu *cpu, struct x86_exit *exit)
{
	struct guest_regs *regs = exit->regs;
	struct mmio_instruction insn;

	regs->gp[REG_RSP] = vcpu_get_rsp();
	if (!fetch_and_decode(cpu, exit, &insn))
		return false;
	exit->mmio.address = exit->fault.gpa;
	exit->mmio.size = insn.width;
	exit->mmio.is_write = insn.is_write;
	exit->mmio.value = insn.is_write ? x86_mmio_write_value(regs, &insn) :
					   0;
	if (!x86_dispatch_mmio(cpu, exit))
		return false;
	if (!insn.is_write) {
		x86_mmio_apply_read(regs, &insn, exit->mmio.value);
		if (insn.reg == REG_RSP && !insn.has_imm)
			vcpu_set_rsp(regs->gp[REG_RSP]);
	}
	vcpu_advance_rip(cpu, insn.length);
	return true;
}
