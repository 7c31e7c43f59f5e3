// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated CPUs running the enable together, as on hardware. The host
 * runs one of them at a time: each is a coroutine that hands the host CPU
 * on where the real one would spin (hw_wait_at_least), and the next CPU in
 * turn continues. The turns are fixed, so every run is the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>
#include <asm/hw.h>
#include <sim/hw_state.h>
#include <sim/smp.h>

/* The core's and the fakes' frames are small; VMX checks are the deepest. */
#define CPU_STACK_SIZE (2 * 1024 * 1024)

struct sim_cpu_run {
	ucontext_t context;
	void *stack;
	bool present;
	bool done;
	int result;
};

static struct {
	bool running;
	int (*entry)(unsigned int cpu);
	unsigned int live; /* CPUs started and not done */
	/*
	 * Turns in a row in which a waiting CPU found its word unchanged and
	 * ran nothing else: once every live CPU had one, nothing can change
	 * the words any more.
	 */
	unsigned int idle_turns;
	ucontext_t harness;
	struct sim_cpu_run cpu[SIM_MAX_CPUS];
} smp;

static void cpu_main(void)
{
	/* The harness names the CPU it switches to. */
	struct sim_cpu_run *run = &smp.cpu[sim_current_cpu];

	run->result = smp.entry(sim_current_cpu);
	run->done = true;
	smp.idle_turns = 0;
	/* uc_link goes back to the harness. */
}

static void start_cpu(struct sim_cpu_run *run)
{
	run->stack = malloc(CPU_STACK_SIZE);
	if (!run->stack || getcontext(&run->context)) {
		fprintf(stderr, "sim: no stack for a simulated CPU\n");
		abort();
	}
	run->context.uc_stack.ss_sp = run->stack;
	run->context.uc_stack.ss_size = CPU_STACK_SIZE;
	run->context.uc_link = &smp.harness;
	makecontext(&run->context, cpu_main, 0);
}

/* One turn of the CPU: until it waits, or until its entry returns. */
static void run_turn(unsigned int cpu)
{
	struct sim_cpu_run *run = &smp.cpu[cpu];

	sim_current_cpu = cpu;
	if (swapcontext(&smp.harness, &run->context)) {
		fprintf(stderr, "sim: cannot switch to CPU %u\n", cpu);
		abort();
	}
	if (run->done) {
		free(run->stack);
		run->stack = NULL;
		smp.live--;
	}
}

void sim_run_cpus(unsigned int cpus, u64 absent,
		  int (*entry)(unsigned int cpu), int *results)
{
	unsigned int cpu;

	smp.entry = entry;
	smp.live = 0;
	smp.idle_turns = 0;
	for (cpu = 0; cpu < cpus && cpu < SIM_MAX_CPUS; cpu++) {
		smp.cpu[cpu] = (struct sim_cpu_run){
			.present = !((absent >> cpu) & 1),
		};
		smp.cpu[cpu].done = !smp.cpu[cpu].present;
		if (smp.cpu[cpu].present) {
			start_cpu(&smp.cpu[cpu]);
			smp.live++;
		}
	}
	smp.running = true;
	for (cpu = 0; smp.live; cpu = (cpu + 1) % cpus)
		if (!smp.cpu[cpu].done)
			run_turn(cpu);
	smp.running = false;
	sim_current_cpu = 0;
	for (cpu = 0; cpu < cpus && cpu < SIM_MAX_CPUS; cpu++)
		results[cpu] = smp.cpu[cpu].present ? smp.cpu[cpu].result : 0;
}

static void yield(void)
{
	struct sim_cpu_run *run = &smp.cpu[sim_current_cpu];

	if (swapcontext(&run->context, &smp.harness)) {
		fprintf(stderr, "sim: CPU %u cannot wait\n", sim_current_cpu);
		abort();
	}
}

/*
 * A wait that nothing can end any more returns at once, as the bound would
 * have run out; the clock moves on by the time the spinning would take.
 */
int hw_wait_at_least(const volatile u32 *word, u32 target, u64 max_spins)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) < target) {
		if (!smp.running || smp.idle_turns >= smp.live) {
			sim_clock_advance(max_spins * SIM_PAUSE_NS);
			smp.idle_turns = 0;
			return -1;
		}
		smp.idle_turns++;
		yield();
		sim_clock_advance(SIM_PAUSE_NS);
	}
	smp.idle_turns = 0;
	return 0;
}
