"""Boot recipes for the end-to-end targets (see docs in tests/qemu/README.md).

    m = machines.QemuTcg(workdir, extra_dirs=[files])
    with m:
        m.boot()                       # kernel + initramfs up, shell ready
        out, rc = m.console.run("nproc")
        m.serial[1].wait_for("tiny-demo", timeout=30)
    # leaving the block powers the machine off (or kills it)

Every target boots Debian's stock kernel (scripts/fetch-kernel) with a
busybox initramfs (scripts/mkinitramfs) into which `extra_dirs` are added,
with two serial ports wired to sockets this process listens on: serial[0] is
the console (ttyS0) with a shell on it, serial[1] the second UART (ttyS1).
Files of the run (logs of both ports, the emulator's log, the initramfs, the
ISO for Bochs) stay in `workdir`.
"""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from console import Console, ConsoleError, Listener

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
READY = "JAILHOUSE-TEST-READY"

# The hypervisor and inmate memory the system configs name (configs/*.c).
MEMMAP = "memmap=66M$0x3be00000"
MEMMAP_START = 0x3be00000
MEMMAP_END = 0x3be00000 + 66 * 1024 * 1024 - 1

# Linux must leave VT-d's DMA remapping to the hypervisor (see the seed
# README). On most targets it leaves interrupt remapping too (intremap=off);
# the x2APIC target boots without that, as real machines do, and the
# hypervisor takes Linux's own remapping over (QemuX2apic).
LINUX_APPEND = f"console=ttyS0,115200 {MEMMAP} intel_iommu=off"
BASE_APPEND = f"{LINUX_APPEND} intremap=off"


def cache_dir():
    return Path(os.environ.get("JAILHOUSE_CACHE", BUILD / "cache"))


def _tool(*argv):
    res = subprocess.run([str(a) for a in argv], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed "
                           f"({res.returncode}):\n{res.stderr}")
    return res.stdout.strip()


def kernel():
    """Path of the stock Debian kernel image (downloaded once, cached)."""
    return Path(_tool(REPO / "scripts" / "fetch-kernel"))


def kernel_modules():
    """The stock kernel's modules a guest loads on demand (cpuid and msr,
    for `jailhouse hardware check`), as a tree for the initramfs's root;
    scripts/fetch-kernel keeps it beside the image."""
    path = cache_dir() / f"modules-{kernel_version()}"
    if not (path / "lib" / "modules").is_dir():
        raise RuntimeError(f"{path} missing: run scripts/fetch-kernel")
    return path


def kernel_version():
    return _tool(REPO / "scripts" / "kernel-version")


def initramfs(out, extra_dirs=()):
    """Builds the busybox initramfs with `extra_dirs` added (see
    scripts/mkinitramfs for where their files go); returns its path."""
    _tool(REPO / "scripts" / "mkinitramfs", out, *extra_dirs)
    return Path(out)


def missing_tools(*names):
    return [n for n in names if shutil.which(n) is None]


class Machine:
    """One emulated machine. Subclasses set the recipe.

    workdir is the machine's own: start() empties it. extra_dirs go into
    the initramfs (scripts/mkinitramfs); append is added to BASE_APPEND on
    the kernel command line; kernel_path and initrd_path replace the stock
    kernel and the built initramfs; serials is the number of UARTs wired
    to sockets (serial[n] is ttyS<n>; Bochs has two)."""

    name = "machine"
    cpus = 1
    base_append = BASE_APPEND
    boot_timeout = 60  # seconds from start to the shell
    # Pace console input for UARTs that drop bytes when their FIFO is full.
    input_chunk = None
    input_delay = 0.0

    def __init__(self, workdir, extra_dirs=(), append="", memory_mib=1024,
                 kernel_path=None, initrd_path=None, serials=2):
        self.workdir = Path(workdir)
        self.serials = serials
        self.extra_dirs = [Path(d) for d in extra_dirs]
        self.append = " ".join(a for a in (self.base_append, append) if a)
        self.memory_mib = memory_mib
        self.kernel_path = kernel_path
        self.initrd_path = initrd_path
        self.proc = None
        self.serial = []
        self.boot_seconds = None
        self.ready_seconds = None
        self._started = None
        self._emu_log = None

    # -- what subclasses provide -----------------------------------------

    @classmethod
    def skip_reason(cls):
        """None when this target can run here, else why not."""
        return None

    def command(self, ports):
        """The emulator's argv, given the loopback ports of the serials."""
        raise NotImplementedError

    def prepare(self):
        """Builds what the command needs (ISO, config) in workdir."""

    def feed_stdin(self):
        """What the emulator reads on stdin; None for nothing."""
        return None

    # -- lifecycle -------------------------------------------------------

    @property
    def console(self):
        return self.serial[0]

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def emulator_log_tail(self, lines=15):
        path = self.workdir / "emulator.log"
        try:
            text = path.read_text(errors="replace").rstrip("\n").split("\n")
        except OSError:
            return ""
        state = ("running" if self.alive() else
                 f"exited with {self.proc.returncode}" if self.proc else
                 "not started")
        return (f"--- {self.name}: emulator {state}; last {lines} lines of "
                f"{path} ---\n" + "\n".join(text[-lines:]) + "\n--- end ---")

    def start(self):
        """Builds the initramfs (unless given), starts the emulator and
        connects its serial ports. Returns without waiting for the boot."""
        reason = self.skip_reason()
        if reason:
            raise RuntimeError(f"{self.name} cannot run here: {reason}")
        if self.workdir.exists():
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True)
        extra = list(self.extra_dirs)
        if self.kernel_path is None:
            self.kernel_path = kernel()
            extra.insert(0, kernel_modules())
        if self.initrd_path is None:
            self.initrd_path = initramfs(self.workdir / "initrd.gz", extra)
        self.prepare()
        listeners = [Listener() for _ in range(self.serials)]
        argv = self.command([lst.port for lst in listeners])
        (self.workdir / "command").write_text(
            " ".join(map(str, argv)) + "\n")
        self._emu_log = open(self.workdir / "emulator.log", "wb")
        self._started = time.monotonic()
        stdin_data = self.feed_stdin()
        self.proc = subprocess.Popen(
            [str(a) for a in argv], cwd=self.workdir,
            stdin=subprocess.PIPE if stdin_data else subprocess.DEVNULL,
            stdout=self._emu_log, stderr=subprocess.STDOUT,
            start_new_session=True)
        if stdin_data:
            self.proc.stdin.write(stdin_data.encode())
            self.proc.stdin.close()
        try:
            for i, lst in enumerate(listeners):
                conn = lst.accept(30, self.alive)
                self.serial.append(Console(
                    conn, f"{self.name} ttyS{i}",
                    self.workdir / f"ttyS{i}.log", alive=self.alive,
                    describe=self.emulator_log_tail,
                    chunk=self.input_chunk, chunk_delay=self.input_delay))
        except ConsoleError as err:
            self.kill()
            raise ConsoleError(f"{err}\n{self.emulator_log_tail()}") from None
        return self

    def boot(self, timeout=None):
        """Starts the machine if needed and waits for the initramfs shell;
        then turns echo and prompts off so that `console.run` sees only
        what commands print. Sets boot_seconds (start to shell)."""
        if self.proc is None:
            self.start()
        timeout = timeout or self.boot_timeout
        self.console.wait_for(READY, timeout)
        self.ready_seconds = time.monotonic() - self._started
        self.console.send("stty -echo; PS1= PS2=; "
                          "printf '%s-%s\\n' JH SETUP-DONE\n")
        self.console.wait_for(r"JH-SETUP-DONE\n", 30)
        self.boot_seconds = time.monotonic() - self._started
        return self

    def shutdown(self, timeout=60):
        """Powers the guest off (draining its UARTs first) and waits for the
        emulator to exit; kills it when it does not. Returns the emulator's
        exit status."""
        if self.proc is None:
            return None
        if self.alive() and self.serial:
            try:
                self.console.send("/sbin/poweroff -f\n")
            except ConsoleError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        return self.kill()

    def kill(self):
        """Stops the emulator at once (its whole process group)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 15)
                self.proc.wait(5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, 9)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        for port in self.serial:
            port.close()
        if self._emu_log:
            self._emu_log.close()
            self._emu_log = None
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()


def _chardevs(ports):
    args = []
    for i, port in enumerate(ports):
        args += ["-chardev",
                 f"socket,id=ttyS{i},host=127.0.0.1,port={port},nodelay=on",
                 "-serial", f"chardev:ttyS{i}"]
    return args


class QemuTcg(Machine):
    """QEMU's TCG on a q35 board: AMD SVM with nested paging, 4 CPUs, an
    emulated VT-d unit with interrupt remapping. `edu=True` adds QEMU's
    `edu` PCI device (it can do DMA) at 00:EDU_SLOT.0; `iommu=False`
    leaves the VT-d unit out, `intremap=False` keeps it to DMA
    remapping, `cpu=` names another CPU model (a CPU that lacks a feature
    the hypervisor needs)."""

    name = "qemu-tcg"
    cpus = 4
    boot_timeout = 90
    EDU_SLOT = 0x10

    def __init__(self, workdir, edu=False, iommu=True, intremap=True,
                 cpu="qemu64,+svm,+npt", **kw):
        super().__init__(workdir, **kw)
        self.cpu = cpu
        self.edu = edu
        self.iommu = iommu
        self.intremap = intremap

    @classmethod
    def skip_reason(cls):
        missing = missing_tools("qemu-system-x86_64")
        return f"missing {', '.join(missing)} (run ci/setup)" if missing \
            else None

    def machine_args(self):
        # TCG needs no kernel-irqchip=split for intremap=on (that is for
        # KVM). qemu64 leaves x2APIC off: this target is the xAPIC one,
        # its interrupt remapping in xAPIC mode.
        args = ["-accel", "tcg", "-machine", "q35", "-cpu", self.cpu]
        if self.iommu and self.intremap:
            args += ["-device", "intel-iommu,intremap=on,x-buggy-eim=off"]
        elif self.iommu:
            args += ["-device", "intel-iommu,intremap=off"]
        return args

    def command(self, ports):
        argv = ["qemu-system-x86_64", *self.machine_args(),
                "-smp", str(self.cpus), "-m", f"{self.memory_mib}M",
                "-kernel", self.kernel_path, "-initrd", self.initrd_path,
                "-append", self.append,
                "-display", "none", "-monitor", "none", "-no-reboot",
                *_chardevs(ports)]
        if self.edu:
            argv += ["-device", f"edu,addr={self.EDU_SLOT:#x}"]
        return argv


class QemuAmd(QemuTcg):
    """QEMU's TCG as real AMD servers are: the qemu-tcg machine with an
    AMD-Vi unit (`amd-iommu`) in place of VT-d, remapping DMA (`pt=off`:
    QEMU 10.0 translates emulated devices' DMA only so) and interrupts
    (`intremap=on`: without it the model drops every MSI of a device whose
    device table entry enables remapping). Linux leaves the unit to the
    hypervisor (`amd_iommu=off`). With the unit present, QEMU 10.0's
    IOAPIC interrupts do not reach the CPUs, with or without the unit's
    `intremap=on` (Linux's timer check through the IOAPIC fails and the
    serial console stalls at /init): Linux runs with `noapic`, its legacy
    interrupts through the 8259 PIC, which the unit does not see.

    QEMU traces its model's page-walk faults and interrupt remappings
    into trace.log in the workdir (trace()), where its trace backend
    logs: what the unit did, seen from the emulator."""

    name = "qemu-amd"
    TRACE_EVENTS = ("amdvi_page_fault", "amdvi_ir_remap_msi_req",
                    "amdvi_ir_intctl", "amdvi_ir_irte_val",
                    "amdvi_ir_remap_msi")
    _trace_events_known = None

    def __init__(self, workdir, append="", **kw):
        super().__init__(workdir, append=" ".join(
            a for a in ("amd_iommu=off noapic", append) if a), **kw)

    @classmethod
    def can_trace(cls):
        """Whether this QEMU knows the trace events (cached)."""
        if cls._trace_events_known is None:
            try:
                res = subprocess.run(
                    ["qemu-system-x86_64", "-trace", "help"],
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    text=True, timeout=30)
                known = set(res.stdout.split())
            except (OSError, subprocess.TimeoutExpired):
                known = set()
            cls._trace_events_known = all(e in known
                                          for e in cls.TRACE_EVENTS)
        return cls._trace_events_known

    def machine_args(self):
        args = ["-accel", "tcg", "-machine", "q35",
                "-cpu", self.cpu,
                "-device", "amd-iommu,pt=off,intremap=on"]
        if self.can_trace():
            for event in self.TRACE_EVENTS:
                args += ["-trace", event]
            args += ["-D", str(self.workdir / "trace.log")]
        return args

    def trace(self):
        """QEMU's trace of its AMD-Vi model so far; '' if there is none."""
        try:
            return (self.workdir / "trace.log").read_text(errors="replace")
        except OSError:
            return ""


class QemuX2apic(QemuTcg):
    """QEMU's TCG as real Intel servers run Linux: the qemu-tcg machine
    with x2APIC in its CPUs and a VT-d unit that remaps interrupts in
    x2APIC mode (`eim=on`). Linux boots without intremap=off: it brings
    up x2APIC and its own interrupt remapping table before the hypervisor
    comes, which takes the unit over and emulates its interrupt-remapping
    interface for root."""

    name = "qemu-x2apic"
    base_append = LINUX_APPEND

    def machine_args(self):
        return ["-accel", "tcg", "-machine", "q35",
                "-cpu", "qemu64,+svm,+npt,+x2apic",
                "-device", "intel-iommu,intremap=on,eim=on"]


def _tiny_kvm_run():
    """Runs a guest of five instructions under KVM: the reset vector writes
    1 to QEMU's isa-debug-exit port, which makes QEMU exit with 3. Returns
    None when that worked, else what went wrong."""
    bios = bytearray(b"\xf4" * 65536)  # hlt everywhere
    # at 0xffff0: mov al, 1; out 0xf4, al; hlt
    bios[0xfff0:0xfff5] = b"\xb0\x01\xe6\xf4\xf4"
    path = BUILD / "kvm-probe.bin"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bios)
    try:
        res = subprocess.run(
            ["qemu-system-x86_64", "-enable-kvm", "-machine", "q35",
             "-cpu", "host", "-m", "64", "-nodefaults", "-display", "none",
             "-bios", str(path),
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=30)
    except subprocess.TimeoutExpired:
        return "a test guest under qemu -enable-kvm did not finish in 30 s"
    if res.returncode == 3:
        return None
    first = next((ln for ln in res.stdout.splitlines() if ln.strip()), "")
    return (f"a test guest under qemu -enable-kvm failed (exit "
            f"{res.returncode}: {first.strip()})")


class QemuKvm(QemuTcg):
    """Nested KVM: the host's VMX handed to a q35 guest with VT-d and
    interrupt remapping in x2APIC mode. Runs only on Intel hosts with
    kvm_intel nested=1; skip_reason() says why not elsewhere."""

    name = "qemu-kvm"
    boot_timeout = 60
    _reason = None
    _probed = False

    @classmethod
    def skip_reason(cls):
        if not cls._probed:
            cls._reason = cls._probe()
            cls._probed = True
        return cls._reason

    @staticmethod
    def _probe():
        why = []
        missing = missing_tools("qemu-system-x86_64")
        if missing:
            return f"missing {', '.join(missing)} (run ci/setup)"
        if not os.path.exists("/dev/kvm"):
            why.append("no /dev/kvm")
        elif not os.access("/dev/kvm", os.R_OK | os.W_OK):
            why.append("/dev/kvm is not readable and writable")
        try:
            flags = re.search(r"^flags\s*:(.*)$",
                              Path("/proc/cpuinfo").read_text(),
                              re.M).group(1).split()
        except (OSError, AttributeError):
            flags = []
        if "vmx" not in flags:
            vendor = "svm" if "svm" in flags else "neither vmx nor svm"
            why.append(f"the host CPU has no vmx flag (it shows {vendor})")
        nested = Path("/sys/module/kvm_intel/parameters/nested")
        if not nested.exists():
            why.append("kvm_intel is not loaded")
        elif nested.read_text().strip() not in ("Y", "1"):
            why.append("kvm_intel nested=0 (load it with nested=1)")
        if os.path.exists("/dev/kvm"):
            failed = _tiny_kvm_run()
            if failed:
                why.append(failed)
        return "nested KVM unavailable: " + "; ".join(why) if why else None

    def machine_args(self):
        # The root cell must not use KVM's paravirtual features, which the
        # hypervisor does not forward.
        return ["-enable-kvm", "-machine", "q35,kernel-irqchip=split",
                "-cpu", "host,+vmx,+x2apic,-kvm-pv-eoi,-kvm-steal-time,"
                "-kvm-asyncpf,-kvmclock",
                "-device", "intel-iommu,intremap=on,eim=on"]


class Bochs(Machine):
    """Bochs with the Skylake-X CPU model (VMX, EPT, preemption timer),
    4 CPUs (root and the seed's two demo cells at once), no IOMMU. No direct kernel boot: an isolinux ISO carries the
    kernel, the initramfs and the command line."""

    name = "bochs"
    cpus = 4
    boot_timeout = 400
    # Guest time runs ~50 times slower than the wall clock, idle or busy;
    # neither ips, clock sync=realtime nor cpu quantum=32 changed that.
    clock = "sync=none, time0=local"
    ips = 200000000
    BIOS = "/usr/share/bochs/BIOS-bochs-latest"
    VGABIOS = "/usr/share/bochs/VGABIOS-lgpl-latest"
    ISOLINUX = "/usr/lib/ISOLINUX/isolinux.bin"
    LDLINUX = "/usr/lib/syslinux/modules/bios/ldlinux.c32"

    @classmethod
    def skip_reason(cls):
        missing = missing_tools("bochs", "genisoimage")
        missing += [f for f in (cls.BIOS, cls.VGABIOS, cls.ISOLINUX,
                                cls.LDLINUX) if not os.path.exists(f)]
        return f"missing {', '.join(missing)} (run ci/setup)" if missing \
            else None

    def prepare(self):
        iso = self.workdir / "iso"
        (iso / "isolinux").mkdir(parents=True)
        shutil.copy(self.ISOLINUX, iso / "isolinux")
        shutil.copy(self.LDLINUX, iso / "isolinux")
        shutil.copy(self.kernel_path, iso / "vmlinuz")
        shutil.copy(self.initrd_path, iso / "initrd.gz")
        # isolinux takes the APPEND line literally: "$" needs no escape.
        (iso / "isolinux" / "isolinux.cfg").write_text(
            "SERIAL 0 115200\n"
            "DEFAULT linux\n"
            "PROMPT 0\n"
            "TIMEOUT 0\n"
            "LABEL linux\n"
            "  KERNEL /vmlinuz\n"
            "  INITRD /initrd.gz\n"
            f"  APPEND {self.append}\n")
        _tool("genisoimage", "-quiet", "-o", self.workdir / "boot.iso",
              "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat",
              "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
              "-R", "-J", iso)

    def bochsrc(self, ports):
        return (
            f"megs: {self.memory_mib}\n"
            f"cpu: model=corei7_skylake_x, count={self.cpus}, "
            f"ips={self.ips}\n"
            f"romimage: file={self.BIOS}\n"
            f"vgaromimage: file={self.VGABIOS}\n"
            "ata0-master: type=cdrom, path=boot.iso, status=inserted\n"
            "boot: cdrom\n"
            f"com1: enabled=1, mode=socket-client, dev=127.0.0.1:{ports[0]}\n"
            f"com2: enabled=1, mode=socket-client, dev=127.0.0.1:{ports[1]}\n"
            # Debian's build has no nogui; rfb with timeout=0 does not wait
            # for a viewer.
            "display_library: rfb, options=\"timeout=0\"\n"
            # Without these Bochs aborts in ALSA.
            "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy\n"
            "speaker: enabled=0\n"
            f"clock: {self.clock}\n"
            "log: bochs.log\n"
            "panic: action=fatal\n"
            "error: action=report\n")

    def command(self, ports):
        (self.workdir / "bochsrc").write_text(self.bochsrc(ports))
        return ["bochs", "-q", "-f", "bochsrc"]

    def feed_stdin(self):
        # Debian's Bochs has the internal debugger on: it stops at
        # <bochs:1> until told to continue. stdin is closed after that.
        return "c\n"


TARGETS = {cls.name: cls for cls in (QemuTcg, QemuAmd, QemuX2apic, Bochs,
                                     QemuKvm)}
