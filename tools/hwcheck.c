// SPDX-License-Identifier: GPL-2.0
/*
 * `jailhouse hardware check`: can this machine run the hypervisor?
 *
 * Reads CPUID and MSRs through the kernel's cpuid and msr devices
 * (/dev/cpu/N/cpuid: 16 bytes at offset leaf | subleaf << 32;
 * /dev/cpu/N/msr: 8 bytes at the MSR's index), loading the modules when
 * the devices are missing, and the ACPI tables and command line as
 * `config create` does. Every online CPU is read. The required features
 * are the ones the hypervisor's own checks refuse to run without
 * (vmx_check_features, svm_check_features), taken from the same headers;
 * the others are listed for information. Exits 0 only when nothing
 * required is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asm/cpuid.h>
#include <asm/msr-index.h>
#include <asm/vmcs.h>
#include <asm/vmx_features.h>

#include "hwcheck.h"

#define EPT_CAP_2M_PAGES (1ULL << 16)
#define VPID_CAP_INVVPID (1ULL << 32)
#define CPUID_EXT_EDX_PDPE1GB (1U << 26)
#define CPUID_SVM_EDX_NRIPS (1U << 3)

struct cpu_dev {
	unsigned int cpu;
	int cpuid_fd, msr_fd;
	/*
	 * A regular file in place of a device (a captured CPU under --root)
	 * holds one record per key, at key times the record's size: its
	 * records cannot overlap as the device's offsets do.
	 */
	bool captured;
};

void item(struct report *r, bool ok, bool required, const char *what,
	  const char *fmt, ...)
{
	va_list ap;

	if (!ok && required)
		r->missing++;
	printf("  %-8s %s", ok ? "ok" : required ? "MISSING" : "missing", what);
	if (fmt && fmt[0]) {
		fputs(": ", stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
}

void unknown_item(struct report *r, const char *what, const char *fmt, ...)
{
	va_list ap;

	r->unknown++;
	printf("  %-8s %s: ", "unknown", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static bool cpuid(const struct cpu_dev *d, uint32_t leaf, uint32_t sub,
		  uint32_t r[4])
{
	off_t off =
		(off_t)((uint64_t)sub << 32 | leaf) * (d->captured ? 16 : 1);

	memset(r, 0, 16);
	return pread(d->cpuid_fd, r, 16, off) == 16;
}

/* An MSR; false when the CPU does not have it (the read faults). */
static bool rdmsr(const struct cpu_dev *d, uint32_t msr, uint64_t *val)
{
	*val = 0;
	return pread(d->msr_fd, val, 8, (off_t)msr * (d->captured ? 8 : 1)) ==
	       8;
}

static bool msr_has(const struct cpu_dev *d, uint32_t msr, uint64_t bits)
{
	uint64_t v;

	return rdmsr(d, msr, &v) && (v & bits) == bits;
}

#define REQUIRED(msr, bits, name) { msr, bits, name },

/* Exactly what the hypervisor's own check requires (asm/vmx_features.h). */
static const struct {
	uint32_t msr;
	uint64_t bits;
	const char *name;
} vmx_required[] = {
	VMX_CONTROL_FEATURES(REQUIRED)
	VMX_SECONDARY_FEATURES(REQUIRED)
	VMX_EPT_FEATURES(REQUIRED)
};

static void check_vmx(struct report *r, const struct cpu_dev *d)
{
	uint32_t regs[4];
	uint64_t control;
	unsigned int i;

	cpuid(d, 1, 0, regs);
	item(r, regs[2] & CPUID1_ECX_VMX, true, "VMX",
	     regs[2] & CPUID1_ECX_VMX ? ""
				      : "CPUID.1:ECX.VMX is 0 (enable VT-x in "
					"the firmware setup; under a "
					"hypervisor, nested VMX)");
	if (!(regs[2] & CPUID1_ECX_VMX))
		return;
	rdmsr(d, MSR_IA32_FEATURE_CONTROL, &control);
	item(r,
	     !(control & FEATURE_CONTROL_LOCKED) ||
		     (control & FEATURE_CONTROL_VMXON_OUTSIDE_SMX),
	     true, "VMX outside SMX allowed by the firmware",
	     "IA32_FEATURE_CONTROL 0x%" PRIx64 "%s", control,
	     (control & FEATURE_CONTROL_LOCKED) &&
			     !(control & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)
		     ? " is locked without it: enable VT-x in the firmware "
		       "setup"
		     : "");
	for (i = 0; i < sizeof(vmx_required) / sizeof(vmx_required[0]); i++)
		item(r, msr_has(d, vmx_required[i].msr, vmx_required[i].bits),
		     true, vmx_required[i].name, NULL);
	item(r, msr_has(d, MSR_IA32_VMX_EPT_VPID_CAP, EPT_CAP_2M_PAGES), false,
	     "EPT 2 MiB pages", NULL);
	item(r, msr_has(d, MSR_IA32_VMX_EPT_VPID_CAP, EPT_CAP_1G_PAGES), false,
	     "EPT 1 GiB pages", NULL);
	item(r,
	     msr_has(d, MSR_IA32_VMX_PROCBASED_CTLS2,
		     VMX_ALLOWED1(PROC2_ENABLE_VPID)) &&
		     msr_has(d, MSR_IA32_VMX_EPT_VPID_CAP, VPID_CAP_INVVPID),
	     false, "VPID", "not used: TLBs are flushed on cell switches");
}

static void check_svm(struct report *r, const struct cpu_dev *d)
{
	uint32_t regs[4], ext[4];
	uint64_t vmcr = 0;
	bool svm, msr_ok, npt;

	cpuid(d, CPUID_EXT_MAX, 0, regs);
	if (regs[0] >= CPUID_EXT_FEATURES)
		cpuid(d, CPUID_EXT_FEATURES, 0, ext);
	else
		memset(ext, 0, sizeof(ext));
	svm = regs[0] >= CPUID_SVM_FEATURES && (ext[2] & CPUID_EXT_ECX_SVM);
	item(r, svm, true, "SVM",
	     svm ? ""
		 : "CPUID 8000_0001:ECX.SVM is 0 (enable SVM in the "
		   "firmware setup; under a hypervisor, nested SVM)");
	if (!svm)
		return;
	msr_ok = rdmsr(d, MSR_VM_CR, &vmcr);
	item(r, msr_ok && !(vmcr & VM_CR_SVMDIS), true,
	     "SVM enabled by the firmware",
	     !msr_ok ? "VM_CR cannot be read"
	     : vmcr & VM_CR_SVMDIS
		     ? "VM_CR.SVMDIS is set: enable SVM in the firmware setup"
		     : "");
	cpuid(d, CPUID_SVM_FEATURES, 0, regs);
	npt = regs[3] & CPUID_SVM_EDX_NPT;
	item(r, npt, true, "nested paging (NPT)", NULL);
	item(r, regs[1] > 1, true, "a guest ASID", "%u ASIDs", regs[1]);
	item(r, npt, false, "NPT 2 MiB pages", npt ? "always with NPT" : "");
	item(r, ext[3] & CPUID_EXT_EDX_PDPE1GB, false, "NPT 1 GiB pages", NULL);
	item(r, regs[3] & CPUID_SVM_EDX_NRIPS, false, "next-RIP saving",
	     regs[3] & CPUID_SVM_EDX_NRIPS ? ""
					   : "not needed: the hypervisor "
					     "decodes instruction lengths");
}

/* /dev/cpu/N/{cpuid,msr}; loads the modules once on the live system. */
static int open_cpu(const char *root, unsigned int cpu, struct cpu_dev *d,
		    bool live)
{
	static bool loaded;
	char path[4200];
	int tries;

	d->cpu = cpu;
	for (tries = 0; tries < 2; tries++) {
		snprintf(path, sizeof(path), "%s/dev/cpu/%u/cpuid", root, cpu);
		d->cpuid_fd = open(path, O_RDONLY);
		snprintf(path, sizeof(path), "%s/dev/cpu/%u/msr", root, cpu);
		d->msr_fd = open(path, O_RDONLY);
		if (d->cpuid_fd >= 0 && d->msr_fd >= 0) {
			struct stat st;

			d->captured =
				!fstat(d->cpuid_fd, &st) && S_ISREG(st.st_mode);
			return 0;
		}
		if (d->cpuid_fd >= 0)
			close(d->cpuid_fd);
		if (d->msr_fd >= 0)
			close(d->msr_fd);
		if (!live || loaded)
			break;
		loaded = true;
		if (!fork()) {
			execlp("modprobe", "modprobe", "-q", "-a", "cpuid",
			       "msr", (char *)NULL);
			_exit(127);
		}
		wait(NULL);
	}
	return fail(EXIT_IO,
		    "cannot read %s/dev/cpu/%u/cpuid and msr: %s "
		    "(load the cpuid and msr modules: modprobe cpuid msr; "
		    "run as root)",
		    root, cpu, strerror(errno));
}

/*
 * Linux's own interrupt remapping (no intremap=off, the DMAR offering it):
 * root keeps it on a machine with one VT-d unit; with several, each of
 * Linux's units has its own table and enable refuses them.
 */
static void check_linux_remapping(struct report *r, const struct machine *m)
{
	if (!machine_linux_remaps(m)) {
		item(r, true, true, "intremap=off", NULL);
		return;
	}
	if (m->dmar.num_units == 1) {
		item(r, true, true, "interrupt remapping",
		     "Linux's own, kept by the hypervisor (one VT-d unit)");
		return;
	}
	item(r, false, true, "intremap=off",
	     "add it: Linux remaps interrupts with %u VT-d units, the "
	     "hypervisor keeps Linux's remapping on one unit only",
	     m->dmar.num_units);
}

static const char hw_help[] =
	"Usage: jailhouse hardware check [--root DIR]\n"
	"\n"
	"Lists every feature `jailhouse enable` needs on this CPU's vendor,\n"
	"each ok or MISSING with what to do: VMX with EPT, unrestricted\n"
	"guest and the preemption timer (Intel) or SVM with nested paging\n"
	"(AMD), the firmware not having them locked off, the IOMMU units of\n"
	"the ACPI tables and the kernel command-line options the hypervisor\n"
	"relies on (a memmap= reservation; intel_iommu=off with VT-d, and\n"
	"intremap=off where Linux would remap with several VT-d units;\n"
	"amd_iommu=off with AMD-Vi). Optional features (large pages,\n"
	"VPID, x2APIC) are listed as ok or missing. CPUID and MSRs are read\n"
	"through /dev/cpu/N/cpuid and /dev/cpu/N/msr of every online CPU\n"
	"(the cpuid and msr modules are loaded if needed; run as root).\n"
	"--root reads all files below DIR.\n"
	"\n"
	"Exit status: 0 enable would succeed, 4 something required is\n"
	"missing, 1 a file could not be read, 2 usage error.\n";

int cmd_hardware(int argc, char **argv)
{
	const char *root = "/", *prefix;
	struct report r = { 0 };
	struct machine *m;
	struct cpu_dev d;
	unsigned int cpu, i;
	bool intel, amd;
	int ret;

	command_name = "jailhouse hardware";
	if (argc >= 1 && is_help(argv[0])) {
		fputs(hw_help, stdout);
		return 0;
	}
	if (argc < 1 || strcmp(argv[0], "check"))
		return usage_error(argc < 1 ? "missing command (check)"
					    : "unknown command \"%s\"",
				   argv[0]);
	command_name = "jailhouse hardware check";
	for (i = 1; i < (unsigned int)argc; i++) {
		if (is_help(argv[i])) {
			fputs(hw_help, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--root") && i + 1 < (unsigned int)argc)
			root = argv[++i];
		else
			return usage_error("unexpected argument \"%s\"",
					   argv[i]);
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return fail(EXIT_IO, "out of memory");
	ret = read_machine(root, m);
	if (ret)
		goto out;
	prefix = strcmp(root, "/") ? root : "";
	intel = !strcmp(m->cpuinfo.vendor, "GenuineIntel");
	amd = !strcmp(m->cpuinfo.vendor, "AuthenticAMD") ||
	      !strcmp(m->cpuinfo.vendor, "HygonGenuine");
	printf("CPU: %s%s%s, %u online\n", m->cpuinfo.vendor,
	       m->cpuinfo.model_name[0] ? ", " : "", m->cpuinfo.model_name,
	       m->num_online);
	for (cpu = 0; cpu <= m->max_cpu; cpu++) {
		uint32_t regs[4];

		if (!(m->online[cpu / 64] & (1ULL << (cpu % 64))))
			continue;
		ret = open_cpu(prefix, cpu, &d, !strcmp(root, "/"));
		if (ret)
			goto out;
		printf("CPU %u:\n", cpu);
		if (intel)
			check_vmx(&r, &d);
		else if (amd)
			check_svm(&r, &d);
		else
			item(&r, false, true,
			     "a CPU vendor the hypervisor "
			     "supports",
			     "\"%s\" is neither Intel nor AMD",
			     m->cpuinfo.vendor);
		cpuid(&d, 1, 0, regs);
		item(&r, regs[2] & CPUID1_ECX_X2APIC, false, "x2APIC", "%s",
		     !(regs[2] & CPUID1_ECX_X2APIC) ? "xAPIC mode is used"
		     : machine_x2apic(m)
			     ? "Linux runs in x2APIC mode (the config must "
			       "say so)"
			     : "Linux runs in xAPIC mode (the config must say "
			       "so)");
		close(d.cpuid_fd);
		close(d.msr_fd);
	}
	printf("IOMMU:\n");
	check_iommu_units(&r, m, prefix);
	printf("Kernel command line:\n");
	if (m->cmdline.num_reserved)
		item(&r, true, true, "memmap= reservation",
		     "%" PRIu64 " MiB at 0x%" PRIx64,
		     m->cmdline.reserved[0].size >> 20,
		     m->cmdline.reserved[0].start);
	else
		item(&r, false, true, "memmap= reservation",
		     "add memmap=SIZE$START (e.g. memmap=66M$0x3be00000) "
		     "and name it in the system config");
	if (m->dmar.num_units) {
		item(&r, m->cmdline.intel_iommu_off, true, "intel_iommu=off",
		     m->cmdline.intel_iommu_off ? ""
						: "add it: the hypervisor "
						  "refuses a unit Linux "
						  "translates with");
		check_linux_remapping(&r, m);
	}
	if (m->ivrs.num_units)
		item(&r, m->cmdline.amd_iommu_off, true, "amd_iommu=off",
		     m->cmdline.amd_iommu_off ? ""
					      : "add it: the hypervisor "
						"refuses a unit Linux "
						"translates with");
	if (r.missing)
		printf("Verdict: enable would fail, %u required item%s "
		       "missing\n",
		       r.missing, r.missing > 1 ? "s" : "");
	else if (r.unknown)
		printf("Verdict: enable would succeed as far as checked, "
		       "%u required item%s unknown\n",
		       r.unknown, r.unknown > 1 ? "s" : "");
	else
		printf("Verdict: enable would succeed\n");
	ret = r.missing ? EXIT_REFUSED : 0;
out:
	free(m);
	return ret;
}
