// SPDX-License-Identifier: GPL-2.0
/*
 * Requests from one CPU to another: suspend, resume, park, reset, flush.
 * The requester sets a flag in the target's per-CPU data and kicks it; the
 * target acknowledges by acting on the flag in x86_handle_requests. Nobody
 * waits forever: a CPU that does not answer is reported and given up on.
 */
#include <core/arch.h>
#include <core/cell.h>
#include <core/page_pool.h>
#include <core/printk.h>
#include <asm/apic.h>
#include <asm/control.h>
#include <asm/hw.h>
#include <asm/vcpu.h>

#define REQUEST_TIMEOUT_NS 1000000000ULL
#define REKICK_NS 1000000ULL
/*
 * A kick's NMI may arrive after its count was taken: kicks are counted
 * before they are sent, so an exit for an earlier NMI can take the count
 * of one still on its way, and an emulator may run the target late. Within
 * this long after a kick was sent, an NMI without a new count is taken for
 * such a late one, not the guest's: a guest's own NMI in that window is
 * lost, a stray one injected could kill it (an AP still in real mode).
 */
#define LATE_KICK_NS 1000000000ULL

bool x86_requests_pending(const struct per_cpu *cpu)
{
	const struct arch_per_cpu *a = &cpu->arch;

	return a->flush_request || a->park_request || a->reset_request ||
	       a->suspend_request != a->suspended || a->apic.init_request ||
	       a->apic.sipi_request;
}

bool x86_handle_requests(struct per_cpu *cpu)
{
	struct arch_per_cpu *a = &cpu->arch;

	if (a->flush_request) {
		vcpu_flush_all(cpu);
		a->flush_request = false;
	}
	if (a->park_request) {
		a->vcpu_state = VCPU_PARKED;
		vcpu_set_halted(cpu, true);
		apic_reset_hw(cpu);
		a->park_request = false;
	}
	if (a->reset_request) {
		vcpu_load_cell(cpu);
		vcpu_reset(cpu, cpu->cell->config->cpu_reset_address);
		apic_reset_hw(cpu);
		a->vcpu_state = VCPU_RUNNING;
		a->apic.wait_for_sipi = false;
		a->reset_request = false;
	}
	apic_handle_requests(cpu);
	a->suspended = a->suspend_request;
	return !a->suspended && a->vcpu_state == VCPU_RUNNING;
}

void x86_kick(unsigned int cpu_id)
{
	struct arch_per_cpu *a = &per_cpu(cpu_id)->arch;

	__atomic_store_n(&a->kick_sent_ns, arch_time_ns(), __ATOMIC_RELAXED);
	__atomic_add_fetch(&a->kicks_sent, 1, __ATOMIC_SEQ_CST);
	/*
	 * An NMI makes the target leave its guest and look at its requests.
	 * One the APIC could not send is not retried here: send_request
	 * kicks again until its own deadline.
	 */
	apic_send_ipi(cpu_id, APIC_IPI_NMI);
}

bool x86_take_kicks(struct per_cpu *cpu)
{
	u32 sent = __atomic_load_n(&cpu->arch.kicks_sent, __ATOMIC_ACQUIRE);
	struct arch_per_cpu *a = &cpu->arch;
	u64 last = __atomic_load_n(&a->kick_sent_ns, __ATOMIC_RELAXED);

	if (sent != a->kicks_seen) {
		__atomic_store_n(&a->kicks_seen, sent, __ATOMIC_RELEASE);
		return true;
	}
	return sent && arch_time_ns() - last < LATE_KICK_NS;
}

/* The target took the last kick: its NMI arrived; no need to repeat it. */
static bool kick_taken(const struct per_cpu *target)
{
	return __atomic_load_n(&target->arch.kicks_seen, __ATOMIC_ACQUIRE) ==
	       __atomic_load_n(&target->arch.kicks_sent, __ATOMIC_ACQUIRE);
}

static bool request_done(const struct arch_per_cpu *a, volatile bool *flag)
{
	if (flag == &a->suspended)
		return a->suspended == a->suspend_request;
	return !*flag;
}

/* Kicks the target and waits until the request is acknowledged. */
static void send_request(unsigned int cpu_id, volatile bool *flag)
{
	struct per_cpu *target = per_cpu(cpu_id);
	u64 now, deadline, rekick;

	if (cpu_id == hw_this_cpu_id()) {
		x86_handle_requests(target);
		return;
	}
	x86_kick(cpu_id);
	now = arch_time_ns();
	deadline = now + REQUEST_TIMEOUT_NS;
	rekick = now + REKICK_NS;
	while (!request_done(&target->arch, flag)) {
		now = arch_time_ns();
		/*
		 * A kick that lands while the target is in the hypervisor
		 * is gone; the target may then not exit again for long. One
		 * it took is not repeated: the request is on its way, and
		 * each extra NMI is one more that may arrive late.
		 */
		if (now > rekick) {
			if (!kick_taken(target))
				x86_kick(cpu_id);
			rekick = now + REKICK_NS;
		}
		if (now > deadline) {
			printk("CPU %u does not answer requests: giving it "
			       "up\n",
			       cpu_id);
			target->failed = true;
			return;
		}
		hw_pause();
	}
}

void arch_suspend_cpu(unsigned int cpu_id)
{
	struct arch_per_cpu *a = &per_cpu(cpu_id)->arch;

	a->suspend_request = true;
	send_request(cpu_id, &a->suspended);
}

void arch_resume_cpu(unsigned int cpu_id)
{
	struct arch_per_cpu *a = &per_cpu(cpu_id)->arch;

	a->suspend_request = false;
	send_request(cpu_id, &a->suspended);
}

void arch_park_cpu(unsigned int cpu_id)
{
	struct arch_per_cpu *a = &per_cpu(cpu_id)->arch;

	a->park_request = true;
	send_request(cpu_id, &a->park_request);
}

void arch_reset_cpu(unsigned int cpu_id)
{
	struct arch_per_cpu *a = &per_cpu(cpu_id)->arch;

	a->reset_request = true;
	send_request(cpu_id, &a->reset_request);
}

void x86_flush_cpus(const struct cell *cell)
{
	struct per_cpu *cpu;
	unsigned int id;

	for (id = 0; id < num_cpus(); id++) {
		cpu = per_cpu(id);
		/* CPUs not brought up yet load fresh tables when they are. */
		if (!cpu->cell || (cell && cpu->cell != cell))
			continue;
		cpu->arch.flush_request = true;
		send_request(id, &cpu->arch.flush_request);
	}
}
