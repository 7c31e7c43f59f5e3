// SPDX-License-Identifier: GPL-2.0
#include <criterion/criterion.h>
#include <string.h>
#include <asm/vmcb.h>
#include <asm/vcpu.h>
#include <asm/vmcs.h>
#include "helpers.h"

void boot_qemu_vm(void)
{
	int err = sim_boot_file(QEMU_VM_CELL, QEMU_VM_CPUS);

	cr_assert_eq(err, 0, "boot of qemu-vm failed: %d\n%s", err, hv_log());
}

u64 cell_eptp(const struct cell *cell)
{
	return paging_root_phys(&cell->arch.cpu_paging) | EPTP_MEMTYPE_WB |
	       EPTP_WALK_LENGTH_4;
}

bool cell_maps(const struct cell *cell, u64 gpa, u64 *hpa, u32 *perms)
{
	if (x86_vendor == &svm_ops)
		return sim_npt_walk(paging_root_phys(&cell->arch.cpu_paging), gpa, hpa,
				    perms);
	return sim_ept_walk(cell_eptp(cell), gpa, hpa, perms);
}

static u64 mix(u64 h, u64 v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static void hash_leaf(void *arg, u64 gpa, u64 hpa, u64 size, u32 perms)
{
	struct root_view *view = arg;
	u64 page;

	/* Per 4K page, so page sizes do not matter, only what is reached. */
	for (page = 0; page < size; page += 0x1000)
		view->ept_hash += mix(mix(mix(0, gpa + page), hpa + page),
				      perms);
	view->ept_bytes += size;
}

bool pio_access_allowed(const struct cell *cell, u16 port, unsigned int size)
{
	return pio_range_allowed(cell->pio_bitmap, port, size);
}

/* A root CPU runs with the bitmap pages ROOT_CPU's guest sees. */
static void assert_same_io_bitmaps(unsigned int cpu)
{
	const struct arch_per_cpu *a = &per_cpu(cpu)->arch;

	if (a->svm_on) {
		cr_assert_eq(a->vmcb->control.iopm_base_pa,
			     per_cpu(ROOT_CPU)->arch.vmcb->control.iopm_base_pa,
			     "CPU %u: another I/O permission map", cpu);
		return;
	}
	cr_assert_eq(sim_vmcs_get(cpu, VMCS_IO_BITMAP_A),
		     sim_vmcs_get(ROOT_CPU, VMCS_IO_BITMAP_A),
		     "CPU %u: another I/O bitmap A", cpu);
	cr_assert_eq(sim_vmcs_get(cpu, VMCS_IO_BITMAP_B),
		     sim_vmcs_get(ROOT_CPU, VMCS_IO_BITMAP_B),
		     "CPU %u: another I/O bitmap B", cpu);
}

void take_root_view(struct root_view *view)
{
	unsigned int cpu, port;

	memset(view, 0, sizeof(*view));
	if (x86_vendor == &svm_ops)
		sim_npt_for_each_leaf(paging_root_phys(&root_cell.arch.cpu_paging),
				      hash_leaf, view);
	else
		sim_ept_for_each_leaf(cell_eptp(&root_cell), hash_leaf, view);
	/* The I/O bitmaps a root CPU's VMCS or VMCB names, as decoded. */
	for (port = 0; port < 0x10000; port++)
		view->pio_hash = mix(view->pio_hash,
				     sim_pio_passes(ROOT_CPU, (u16)port));
	for (cpu = 0; cpu < num_cpus(); cpu++)
		if (per_cpu(cpu)->cell == &root_cell) {
			view->cpus |= 1U << cpu;
			/* A parked CPU loads root's bitmaps when it starts. */
			if (sim_cpu_runs_guest(cpu))
				assert_same_io_bitmaps(cpu);
		}
	view->pool_used = mem_pool.used;
	view->pins[0] = root_cell.irq_pins[0][0];
	view->pins[1] = root_cell.irq_pins[0][1];
}

void assert_root_view_equal(const struct root_view *a,
			    const struct root_view *b)
{
	cr_assert_eq(a->ept_bytes, b->ept_bytes,
		     "root maps 0x%llx bytes, expected 0x%llx",
		     (unsigned long long)b->ept_bytes,
		     (unsigned long long)a->ept_bytes);
	cr_assert_eq(a->ept_hash, b->ept_hash, "root's EPT differs");
	cr_assert_eq(a->pio_hash, b->pio_hash, "root's ports differ");
	cr_assert_eq(a->cpus, b->cpus, "root's CPUs 0x%x, expected 0x%x",
		     b->cpus, a->cpus);
	cr_assert_eq(a->pins[0], b->pins[0], "root's IRQ pins differ");
	cr_assert_eq(a->pins[1], b->pins[1], "root's IRQ pins differ");
	cr_assert_eq(a->pool_used, b->pool_used,
		     "pool uses %lu pages, expected %lu", b->pool_used,
		     a->pool_used);
}

long info(unsigned long what)
{
	return sim_hypercall(ROOT_CPU, JAILHOUSE_HC_HYPERVISOR_GET_INFO, what,
			     0);
}

long cell_state(u32 id)
{
	return sim_hypercall(ROOT_CPU, JAILHOUSE_HC_CELL_GET_STATE, id, 0);
}

const char *hv_log(void)
{
	static char text[CONSOLE_RING_SIZE + 1];
	unsigned int len = console_ring_read(0, text, CONSOLE_RING_SIZE, NULL);

	text[len] = '\0';
	return text;
}

bool log_contains(const char *text)
{
	return strstr(hv_log(), text) != NULL;
}

unsigned int log_count(const char *text)
{
	const char *p = hv_log();
	unsigned int n = 0;

	while ((p = strstr(p, text))) {
		n++;
		p += strlen(text);
	}
	return n;
}

struct cell *cell_by_name(const char *name)
{
	struct cell *cell;

	for_each_cell(cell)
		if (strcmp(cell_name(cell), name) == 0)
			return cell;
	return NULL;
}

#define ERROR_NAME(code, err_no, text) [JAILHOUSE_##code] = #code,

const char *config_error_name(enum jailhouse_config_error code)
{
	static const char *const names[JAILHOUSE_CFG_NUM_ERRORS] = {
		JAILHOUSE_CONFIG_ERRORS(ERROR_NAME)
	};

	if ((unsigned int)code >= JAILHOUSE_CFG_NUM_ERRORS)
		return "CFG_ERR_UNKNOWN";
	return names[code];
}
