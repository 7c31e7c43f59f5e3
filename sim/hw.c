// SPDX-License-Identifier: GPL-2.0
/*
 * The privileged-instruction layer of the simulator: what asm/hw.h promises,
 * done on fake hardware.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/hw.h>
#include <asm/vmcs.h>
#include <sim/cpu_hw.h>
#include <sim/hw_state.h>
#include <sim/pci_hw.h>
#include <sim/phys.h>

unsigned int sim_current_cpu;
u16 sim_pm_timer_port;
void (*sim_kick_handler)(unsigned int cpu);
void (*sim_idle_hook)(void);

static u64 clock_ns;

struct uart {
	u16 port;
	unsigned int len;
	char text[SIM_UART_BUF];
};

static struct uart uarts[] = { { .port = 0x3f8 }, { .port = 0x2f8 } };

/*
 * A VMCS field encoding has 15 significant bits; every field of every CPU
 * gets its own slot, plus a bit saying whether it was ever written.
 */
#define VMCS_SLOTS (1 << 15)
struct fake_vmcs {
	u64 value[VMCS_SLOTS];
	u64 written[VMCS_SLOTS / 64];
};
static struct fake_vmcs *vmcs[SIM_MAX_CPUS];

#define MAX_MSRS 64
struct fake_msrs {
	unsigned int num;
	u32 index[MAX_MSRS];
	u64 value[MAX_MSRS];
};
static struct fake_msrs msrs[SIM_MAX_CPUS];
static unsigned long invept_count[SIM_MAX_CPUS];

/*
 * Pointers handed out for device windows are tagged, non-canonical
 * addresses: dereferencing one by mistake faults, hw_mmio_* decode them.
 */
#define MMIO_TAG 0xd000000000000000ULL
#define MMIO_TAG_MASK 0xf000000000000000ULL

u64 sim_clock_ns(void)
{
	return clock_ns;
}

void sim_clock_advance(u64 ns)
{
	clock_ns += ns;
}

static struct uart *uart_at(u16 port)
{
	unsigned int i;

	for (i = 0; i < sizeof(uarts) / sizeof(uarts[0]); i++)
		if (port >= uarts[i].port && port < uarts[i].port + 8)
			return &uarts[i];
	return NULL;
}

const char *sim_uart_output(u16 port)
{
	struct uart *u = uart_at(port);

	return u ? u->text : "";
}

void sim_uart_clear(u16 port)
{
	struct uart *u = uart_at(port);

	if (u) {
		u->len = 0;
		u->text[0] = '\0';
	}
}

void hw_outb(u16 port, u8 value)
{
	struct uart *u = uart_at(port);
	u32 wide = value;

	if (sim_pci_port_access(port, 1, true, &wide))
		return;
	/* Transmit holding register; other UART registers are accepted. */
	if (u && port == u->port && u->len + 1 < SIM_UART_BUF) {
		u->text[u->len++] = (char)value;
		u->text[u->len] = '\0';
	}
}

u8 hw_inb(u16 port)
{
	struct uart *u = uart_at(port);
	u32 wide;

	if (sim_pci_port_access(port, 1, false, &wide))
		return (u8)wide;
	/* Line status: transmitter always empty. */
	if (u && port == u->port + 5)
		return 0x60;
	return 0xff;
}

u16 hw_inw(u16 port)
{
	u32 wide;

	if (sim_pci_port_access(port, 2, false, &wide))
		return (u16)wide;
	return 0xffff;
}

void hw_outw(u16 port, u16 value)
{
	u32 wide = value;

	sim_pci_port_access(port, 2, true, &wide);
}

void hw_outl(u16 port, u32 value)
{
	sim_pci_port_access(port, 4, true, &value);
}

u32 hw_inl(u16 port)
{
	u32 wide;

	if (sim_pci_port_access(port, 4, false, &wide))
		return wide;
	if (sim_pm_timer_port && port == sim_pm_timer_port)
		return (u32)(clock_ns * SIM_PM_TIMER_HZ / 1000000000ULL) &
		       0xffffff;
	return 0xffffffff;
}

unsigned int hw_this_cpu_id(void)
{
	return sim_current_cpu;
}

bool sim_tsc_counts = true;

u64 hw_rdtsc(void)
{
	return sim_tsc_counts ? clock_ns * SIM_TSC_KHZ / 1000000ULL : 42;
}

static unsigned long nmi_unblocks[SIM_MAX_CPUS];

void hw_unblock_nmis(void)
{
	nmi_unblocks[sim_current_cpu]++;
}

unsigned long sim_nmi_unblocks(unsigned int cpu)
{
	return nmi_unblocks[cpu];
}

void hw_pause(void)
{
	static bool in_hook;

	clock_ns += SIM_PAUSE_NS;
	/* Inmates may trap into the hypervisor, which may spin again. */
	if (sim_idle_hook && !in_hook) {
		in_hook = true;
		sim_idle_hook();
		in_hook = false;
	}
}

u64 sim_msr_get(unsigned int cpu, u32 msr)
{
	struct fake_msrs *m = &msrs[cpu];
	unsigned int i;

	for (i = 0; i < m->num; i++)
		if (m->index[i] == msr)
			return m->value[i];
	return 0;
}

/*
 * The capability MSRs VMWRITE consults, kept aside as they are set: a
 * search of the MSR store on every VMWRITE would slow every benchmark.
 */
#define MSR_VMX_MISC 0x485
#define MSR_VMX_VMCS_ENUM 0x48a
static u64 vmx_misc[SIM_MAX_CPUS], vmx_vmcs_enum[SIM_MAX_CPUS];

void sim_msr_set(unsigned int cpu, u32 msr, u64 value)
{
	struct fake_msrs *m = &msrs[cpu];
	unsigned int i;

	if (msr == MSR_VMX_MISC)
		vmx_misc[cpu] = value;
	if (msr == MSR_VMX_VMCS_ENUM)
		vmx_vmcs_enum[cpu] = value;
	for (i = 0; i < m->num; i++)
		if (m->index[i] == msr) {
			m->value[i] = value;
			return;
		}
	if (m->num == MAX_MSRS) {
		fprintf(stderr, "sim: MSR store of CPU %u full\n", cpu);
		abort();
	}
	m->index[m->num] = msr;
	m->value[m->num++] = value;
}

u64 hw_rdmsr(u32 msr)
{
	return sim_msr_get(sim_current_cpu, msr);
}

void hw_wrmsr(u32 msr, u64 value)
{
	sim_msr_set(sim_current_cpu, msr, value);
}

static bool is_mmio_window(const volatile void *addr)
{
	return ((uintptr_t)addr & MMIO_TAG_MASK) == MMIO_TAG;
}

/*
 * During an enable, a CPU reaches device registers only once it runs on the
 * hypervisor's page tables: in Linux's, where the image starts, the
 * hypervisor's device area is not mapped and the access page-faults.
 */
static bool bringup_running;
static u64 cpus_on_hv_tables;

void sim_bringup_begin(void)
{
	bringup_running = true;
	cpus_on_hv_tables = 0;
}

void sim_bringup_end(void)
{
	bringup_running = false;
}

void sim_cpu_on_hv_tables(unsigned int cpu)
{
	cpus_on_hv_tables |= 1ULL << cpu;
}

static void check_device_reachable(u64 phys)
{
	if (!bringup_running || (cpus_on_hv_tables >> sim_current_cpu) & 1)
		return;
	fprintf(stderr, "sim: CPU %u reached device registers at 0x%llx while "
			"still on Linux's page tables: a page fault on "
			"hardware\n",
		sim_current_cpu, (unsigned long long)phys);
	abort();
}

static u64 window_access(const volatile void *addr, unsigned int size,
			 bool is_write, u64 value)
{
	u64 phys = (uintptr_t)addr & ~MMIO_TAG_MASK;

	check_device_reachable(phys);

	if (!sim_mmio_bus_access(phys, size, is_write, &value)) {
		fprintf(stderr, "sim: no device at MMIO address 0x%llx\n",
			(unsigned long long)phys);
		abort();
	}
	return value;
}

u8 hw_mmio_read8(const volatile void *addr)
{
	if (is_mmio_window(addr))
		return (u8)window_access(addr, 1, false, 0);
	return *(const volatile u8 *)addr;
}

u16 hw_mmio_read16(const volatile void *addr)
{
	if (is_mmio_window(addr))
		return (u16)window_access(addr, 2, false, 0);
	return *(const volatile u16 *)addr;
}

void hw_mmio_write8(volatile void *addr, u8 value)
{
	if (is_mmio_window(addr))
		window_access(addr, 1, true, value);
	else
		*(volatile u8 *)addr = value;
}

void hw_mmio_write16(volatile void *addr, u16 value)
{
	if (is_mmio_window(addr))
		window_access(addr, 2, true, value);
	else
		*(volatile u16 *)addr = value;
}

u32 hw_mmio_read32(const volatile void *addr)
{
	if (is_mmio_window(addr))
		return (u32)window_access(addr, 4, false, 0);
	return *(const volatile u32 *)addr;
}

void hw_mmio_write32(volatile void *addr, u32 value)
{
	if (is_mmio_window(addr))
		window_access(addr, 4, true, value);
	else
		*(volatile u32 *)addr = value;
}

u64 hw_mmio_read64(const volatile void *addr)
{
	if (is_mmio_window(addr))
		return window_access(addr, 8, false, 0);
	return *(const volatile u64 *)addr;
}

void hw_mmio_write64(volatile void *addr, u64 value)
{
	if (is_mmio_window(addr))
		window_access(addr, 8, true, value);
	else
		*(volatile u64 *)addr = value;
}

static struct fake_vmcs *vmcs_of(unsigned int cpu)
{
	if (!vmcs[cpu]) {
		vmcs[cpu] = calloc(1, sizeof(*vmcs[cpu]));
		if (!vmcs[cpu])
			abort();
	}
	return vmcs[cpu];
}

u64 sim_vmcs_get(unsigned int cpu, u32 field)
{
	return vmcs_of(cpu)->value[field & (VMCS_SLOTS - 1)];
}

bool sim_vmcs_is_set(unsigned int cpu, u32 field)
{
	unsigned int slot = field & (VMCS_SLOTS - 1);

	return (vmcs_of(cpu)->written[slot / 64] >> (slot % 64)) & 1;
}

void sim_vmcs_clear(unsigned int cpu)
{
	if (vmcs[cpu])
		memset(vmcs[cpu], 0, sizeof(*vmcs[cpu]));
}

u64 hw_vmread(u32 field)
{
	return sim_vmcs_get(sim_current_cpu, field);
}

/* What the hardware itself stores: VM exits, refused entries, VMfail. */
void sim_vmcs_set(unsigned int cpu, u32 field, u64 value)
{
	struct fake_vmcs *v = vmcs_of(cpu);
	unsigned int slot = field & (VMCS_SLOTS - 1);

	v->value[slot] = value;
	v->written[slot / 64] |= 1ULL << (slot % 64);
}

/* A field the simulated CPUs lack, on top of the encoding rules. */
static bool field_removed;
static u32 removed_field;

void sim_vmcs_remove_field(u32 field)
{
	field_removed = true;
	removed_field = field;
}

#define VMCS_FIELD_RESERVED 0xffff9000U /* bits 31:15 and 12 */
#define VMCS_FIELD_HIGH 1U
#define VMCS_FIELD_INDEX(f) (((f) >> 1) & 0x1ff)
#define VMCS_FIELD_TYPE(f) (((f) >> 10) & 3)
#define VMCS_FIELD_WIDTH(f) (((f) >> 13) & 3)
#define VMCS_TYPE_EXIT_INFO 1
#define VMCS_WIDTH_64 1
#define VMX_MISC_VMWRITE_ANY (1ULL << 29)
#define VMX_ERROR_UNSUPPORTED_FIELD 12
#define VMX_ERROR_READ_ONLY_FIELD 13

/*
 * SDM appendix B: reserved encoding bits clear, the high half only of a
 * 64-bit field, no index beyond the one IA32_VMX_VMCS_ENUM reports.
 */
static bool field_supported(unsigned int cpu, u32 field)
{
	u64 max_index = VMCS_FIELD_INDEX(vmx_vmcs_enum[cpu]);

	if (field & VMCS_FIELD_RESERVED ||
	    (field & VMCS_FIELD_HIGH &&
	     VMCS_FIELD_WIDTH(field) != VMCS_WIDTH_64))
		return false;
	if (field_removed && field == removed_field)
		return false;
	return VMCS_FIELD_INDEX(field) <= max_index;
}

/*
 * VMWRITE as the SDM describes it (vol. 3, "VMWRITE"): VMfailInvalid
 * without a current VMCS, VMfailValid with error 12 for a field the CPU
 * lacks and 13 for an exit-information field unless IA32_VMX_MISC allows
 * writing those.
 */
int hw_vmwrite(u32 field, u64 value)
{
	unsigned int cpu = sim_current_cpu;
	u32 error = 0;

	if (!sim_cpu_has_current_vmcs(cpu))
		return HW_VMFAIL_INVALID;
	if (!field_supported(cpu, field))
		error = VMX_ERROR_UNSUPPORTED_FIELD;
	else if (VMCS_FIELD_TYPE(field) == VMCS_TYPE_EXIT_INFO &&
		 !(vmx_misc[cpu] & VMX_MISC_VMWRITE_ANY))
		error = VMX_ERROR_READ_ONLY_FIELD;
	if (error) {
		sim_vmcs_set(cpu, VMCS_VM_INSTRUCTION_ERROR, error);
		return HW_VMFAIL_VALID;
	}
	sim_vmcs_set(cpu, field, value);
	return 0;
}

void hw_invept(unsigned long type, u64 eptp)
{
	(void)type;
	(void)eptp;
	invept_count[sim_current_cpu]++;
}

unsigned long sim_invept_count(unsigned int cpu)
{
	return invept_count[cpu];
}

void hw_flush_cache_line(const volatile void *addr)
{
	/*
	 * CLFLUSH translates its address like a load: the page at 0 is in
	 * no address space of the hypervisor's, a flush there faults.
	 */
	if ((uintptr_t)addr < PAGE_SIZE) {
		fprintf(stderr, "sim: #PF: CLFLUSH of %p on CPU %u\n",
			(const void *)addr, sim_current_cpu);
		abort();
	}
	sim_phys_flush_line(sim_phys_addr((const void *)addr));
}

void hw_memory_barrier(void)
{
	__sync_synchronize();
}

/*
 * On hardware this is a temporary per-CPU window for RAM: device registers
 * mapped through it would move under the caller at the next use. Refuse
 * them here so the mistake fails a test, not a machine.
 */
void *hw_map_phys(u64 phys, u64 size)
{
	void *ram = sim_phys_ptr(phys, size);

	if (!ram) {
		fprintf(stderr, "sim: hw_map_phys(0x%llx) is not RAM: device "
				"registers need hw_map_device\n",
			(unsigned long long)phys);
		abort();
	}
	return ram;
}

void *hw_map_device(u64 phys, u64 size)
{
	void *ram = sim_phys_ptr(phys, size);

	if (ram)
		return ram;
	/* Beyond what a tag can carry: no mapping, as the image fails it. */
	if ((phys | (phys + size - 1)) & MMIO_TAG_MASK || phys + size < phys)
		return NULL;
	return (void *)(uintptr_t)(MMIO_TAG | phys);
}

void hw_unmap_phys(void *virt, u64 size)
{
	(void)virt;
	(void)size;
}

void sim_hw_reset(void)
{
	unsigned int i;

	clock_ns = 0;
	sim_tsc_counts = true;
	sim_current_cpu = 0;
	sim_pm_timer_port = 0;
	field_removed = false;
	for (i = 0; i < sizeof(uarts) / sizeof(uarts[0]); i++)
		sim_uart_clear(uarts[i].port);
	sim_cpu_hw_reset();
	sim_pci_reset();
	for (i = 0; i < SIM_MAX_CPUS; i++) {
		sim_vmcs_clear(i);
		msrs[i].num = 0;
		vmx_misc[i] = vmx_vmcs_enum[i] = 0;
		invept_count[i] = 0;
		nmi_unblocks[i] = 0;
	}
}
