// SPDX-License-Identifier: GPL-2.0
/*
 * crash-demo: misbehaves on purpose, for the hypervisor's fault tests.
 *
 * What it does comes from a command string at guest-physical 0x1000
 * (`jailhouse cell load CELL crash-demo.bin -a 0xf0000 -s CMD -a 0x1000`),
 * or from CRASH_DEFAULT at build time when no known command is there:
 *   triple-fault  load an IDT with limit 0 and raise #UD: the #UD, #GP and
 *                 #DF cannot be delivered, so the CPU shuts down
 *   wild-write    store to 0x3c000000, far outside the cell's 1 MiB (it
 *                 reports whether the store came back, which it must not
 *                 under the hypervisor)
 *   silent        run without ever answering the comm region
 *   exception     raise #UD through the library's IDT, which reports it
 *                 and stops the CPU (a fault the cell handles itself)
 */
#include <inmate.h>

#ifndef CONSOLE_PORT
#define CONSOLE_PORT CONSOLE_HYPERCALL
#endif
#ifndef CRASH_DEFAULT
#define CRASH_DEFAULT "triple-fault"
#endif

INMATE_CONSOLE(CONSOLE_PORT);

#define WILD_WRITE_ADDR 0x3c000000UL
#define WILD_WRITE_VALUE 0x0badc0deU

static void triple_fault(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	printk("crash-demo: triple fault now\n");
	asm volatile("lidt %0; ud2" : : "m"(no_idt));
}

static void wild_write(void)
{
	volatile u32 *target = (volatile u32 *)WILD_WRITE_ADDR;
	u32 seen;

	printk("crash-demo: writing to 0x%lx, outside this cell\n",
	       WILD_WRITE_ADDR);
	*target = WILD_WRITE_VALUE;
	seen = *target;
	printk("crash-demo: wild write not stopped, read back 0x%x\n", seen);
}

static void exception(void)
{
	printk("crash-demo: invalid opcode now\n");
	asm volatile("ud2");
}

static void silent(void)
{
	printk("crash-demo: running, never answering messages\n");
	for (;;)
		cpu_relax();
}

/* Copies a printable string from the command address, if there is one. */
static void read_command(char *cmd, unsigned long size)
{
	const volatile char *src = (const volatile char *)INMATE_CMDLINE_ADDR;
	unsigned long n;

	for (n = 0; n + 1 < size; n++) {
		if (src[n] < ' ' || src[n] > '~')
			break;
		cmd[n] = src[n];
	}
	cmd[n] = '\0';
}

static bool run(const char *cmd)
{
	if (strncmp(cmd, "triple-fault", INMATE_CMDLINE_SIZE) == 0)
		triple_fault();
	else if (strncmp(cmd, "wild-write", INMATE_CMDLINE_SIZE) == 0)
		wild_write();
	else if (strncmp(cmd, "silent", INMATE_CMDLINE_SIZE) == 0)
		silent();
	else if (strncmp(cmd, "exception", INMATE_CMDLINE_SIZE) == 0)
		exception();
	else
		return false;
	return true;
}

void inmate_main(void)
{
	char cmd[INMATE_CMDLINE_SIZE + 1];

	read_command(cmd, sizeof(cmd));
	printk("crash-demo: command \"%s\" at 0x%lx\n", cmd,
	       INMATE_CMDLINE_ADDR);
	if (!run(cmd)) {
		printk("crash-demo: unknown command, doing \"%s\"\n",
		       CRASH_DEFAULT);
		run(CRASH_DEFAULT);
	}
	printk("crash-demo: still alive, halting\n");
	inmate_halt();
}
