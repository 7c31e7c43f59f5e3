"""The seed's demo session end to end, on both virtualization backends:
Bochs (Intel VMX with EPT) and QEMU's TCG (AMD SVM with nested paging,
no next-RIP saving), each with 4 CPUs, the real driver, image, CLI,
configs and inmates, one boot per target, every step asserted from the
serial consoles.

Order as in `make demo`: tiny-demo first (apic-demo locks reconfiguration
once it runs, so no cell could be created after it), then apic-demo; the
lock refuses other cells' destruction while reloading tiny-demo still
works; apic-demo denies its first shutdown and approves the second; fault
scenarios with crash-demo on the CPU apic-demo gave back; bad input at
the CLI; create/destroy cycles against the pool's baseline; disable with
tiny-demo still running, then enable and disable once more. Disable and
enable before any cell exists are tested right after the first enable.
Root Linux is asked to answer, on every CPU it owns, after every step.

Each step first brings the session to the state it starts from (enabled
or not, which cells run; `Session.needs`): in the full run that is where
the step before left it, so nothing is done, and a step run alone (`-k`)
sets up what it needs instead of failing on the missing chain.

Bochs boots once per run, here: its first step holds it to what the
target promises (promises.py), and it runs 3 create/destroy cycles where
QEMU runs 20 (a Bochs cycle takes 15-30 s). JAILHOUSE_E2E_CYCLES sets
QEMU's count (the nightly run, `make check-nightly`, asks for 100).

apic-demo prints through the hypervisor's console. On Bochs that is the
first serial port, the one the shell runs on: its lines may land inside a
command's output, so outputs are searched, never compared whole. On QEMU
the hypervisor has the third port to itself (configs/qemu-svm.c), since
there apic-demo's lines come ten times a second.

On qemu-svm the VT-d unit remaps DMA and interrupts (root's IOAPIC pins
and MSIs go through the hypervisor's remapping entries); on qemu-amd the
AMD-Vi unit does (root's legacy interrupts take the 8259 PIC there, see
machines.QemuAmd). edu-demo shows a device of a cell reaching its cell's
memory and nothing else, and its MSIs reaching its cell's CPU and no
other; on qemu-amd QEMU's trace of its AMD-Vi model shows the unit at work
(the fault of its page walk, the remapping entry it read).

The guests get the stack as `make install` puts it on a machine
(build/e2e/install, `make e2e-install`; conftest.installed): the CLI in
/usr/sbin, the image in /lib/firmware, configs and inmates under
/usr/share/jailhouse, the module under /lib/modules, loaded at boot by
modprobe. `make check-qemu` builds it."""

import os
import re
import time
from dataclasses import dataclass

import pytest

import promises
from conftest import boot_target, installed, note, record

SYSFS = "/sys/devices/jailhouse"
# Where `make install` (PREFIX=/usr) puts the shipped configs and inmates:
# the guests run what a user installs (conftest.installed).
SHARE = "/usr/share/jailhouse"
JITTER = re.compile(r"Timer fired, jitter: +(-?\d+) ns")
JITTER_LINE = re.compile(r"Timer fired, jitter:[^\n]*\n")
# Create/destroy cycles on the QEMU targets (the nightly run asks for 100).
E2E_CYCLES = int(os.environ.get("JAILHOUSE_E2E_CYCLES", "10"))
# The cells in the order the session creates them: apic-demo locks
# reconfiguration once it runs, so it comes last.
CELL_ORDER = ("tiny-demo", "apic-demo")


@dataclass
class Target:
    label: str  # names its figures
    machine: str  # machines.TARGETS key
    machine_args: dict
    system: str  # system config, configs/<system>.cell
    root: str  # the root cell's name in that config
    slow: int  # seconds a step may take at most
    dma_isolated: bool
    hv_port: int  # serial[hv_port] is the hypervisor's console
    ticks: int  # apic-demo ticks to measure its exits over
    edu: bool  # QEMU's DMA-capable edu device at 00:10.0, behind the IOMMU
    cycles: int  # create/destroy cycles against the pool's baseline
    iommu: str = ""  # how the hypervisor names its IOMMU unit 0 in its log
    # The system's APIC mode: in x2APIC mode apic-demo's timer and EOI
    # reach the hardware without an exit.
    x2apic: bool = False
    # Why the IOMMU model records no fault for a blocked DMA; "" if it does.
    no_dma_fault_event: str = ""


TARGETS = {
    # Bochs runs guest time about 50 times slower than the wall clock: the
    # demos' 10 Hz and 1 Hz become a line every few seconds, and a guest
    # second of following the console takes most of a minute.
    "bochs": Target(label="bochs", machine="bochs", machine_args={},
                    system="bochs-vm", root="Bochs-VM", slow=300,
                    dma_isolated=False, hv_port=0, ticks=5,
                    edu=False, cycles=3),
    "qemu-svm": Target(label="qemu-svm", machine="qemu-tcg",
                       machine_args={"edu": True, "serials": 3},
                       system="qemu-svm", root="QEMU-VM", slow=60,
                       dma_isolated=True, hv_port=2, ticks=30,
                       edu=True, cycles=E2E_CYCLES, iommu="VT-d unit 0"),
    # As real Intel servers run Linux: x2APIC, and Linux's own interrupt
    # remapping, which root keeps through the hypervisor's emulated unit.
    "qemu-x2apic": Target(label="qemu-x2apic", machine="qemu-x2apic",
                          machine_args={"edu": True, "serials": 3},
                          system="qemu-x2apic", root="QEMU-VM", slow=60,
                          dma_isolated=True, hv_port=2, ticks=30,
                          edu=True, cycles=E2E_CYCLES,
                          iommu="VT-d unit 0", x2apic=True),
    # As real AMD servers are: AMD-Vi isolates DMA and interrupts. Root's
    # legacy interrupts take the 8259 PIC (machines.QemuAmd says why).
    "qemu-amd": Target(label="qemu-amd", machine="qemu-amd",
                       machine_args={"edu": True, "serials": 3},
                       system="qemu-amd", root="QEMU-AMD", slow=60,
                       dma_isolated=True, hv_port=2, ticks=30,
                       edu=True, cycles=E2E_CYCLES, iommu="AMD-Vi unit 0",
                       no_dma_fault_event=(
                           "QEMU 10.0's amd-iommu writes no event at all: "
                           "amdvi_log_event() returns at its first check, "
                           "where amdvi_test_mask() ORs the status register "
                           "with the overflow bit instead of ANDing it "
                           "(fixed in QEMU 10.1, 'hw/i386/amd_iommu: Fix "
                           "event log generation'), so no event and no "
                           "event interrupt ever come; the read-back and "
                           "QEMU's trace of its page walk show the block")),
}


class Session:
    """A booted target and the steps of the session on it."""

    def __init__(self, machine, target):
        self.machine = machine
        self.t = target
        self.console = machine.console
        self.hv = machine.serial[target.hv_port]

    @staticmethod
    def config(name):
        """The guest's path of the installed config NAME.cell."""
        return f"{SHARE}/configs/{name}.cell"

    @staticmethod
    def inmate(name):
        return f"{SHARE}/inmates/{name}.bin"

    def system_config(self):
        return self.config(self.t.system)

    def hv_said(self, out, text):
        """The hypervisor printed text during the command that gave out."""
        if self.hv is self.console:
            assert text in out, f"no {text!r} in:\n{out}"
        else:
            self.hv.wait_for(re.escape(text), self.t.slow)

    def jh(self, args, timeout=None):
        """Runs `jailhouse ARGS` on the guest; (output, exit status).
        Where the hypervisor's console is the shell's port, apic-demo's
        jitter lines, each written whole, can land inside the tool's
        message: they are taken out before anything is matched."""
        out, rc = self.console.run(f"jailhouse {args} 2>&1",
                                   timeout or self.t.slow)
        print(f"\n# jailhouse {args}  (exit {rc})\n{out}")
        if self.hv is self.console:
            out = JITTER_LINE.sub("", out)
        return out, rc

    def ok(self, args):
        out, rc = self.jh(args)
        if rc != 0:
            kernel, _ = self.console.run("dmesg | tail -15")
            raise AssertionError(f"jailhouse {args} failed ({rc}):\n{out}"
                                 f"\n--- kernel log ---\n{kernel}")
        return out

    def enable_as_predicted(self, config):
        """`jailhouse hardware check`, then `jailhouse enable config`: the
        check's verdict (exit 0, enable would succeed; 4, it would fail)
        must be what the enable then does, and here it must succeed.
        Returns the enable's output."""
        check, rc = self.jh("hardware check", self.t.slow * 2)
        assert rc in (0, 4), f"hardware check failed ({rc}):\n{check}"
        verdict = "succeed" if rc == 0 else "fail"
        assert f"Verdict: enable would {verdict}" in check, check
        out, erc = self.jh(f"enable {config}")
        assert (erc == 0) == (rc == 0), (
            f"hardware check said enable would {verdict}, enable exited "
            f"{erc}:\n{check}\n--- enable ---\n{out}")
        assert erc == 0, out
        return out

    def refused(self, args, why):
        """The command fails, and says `why` (a regular expression)."""
        out, rc = self.jh(args)
        assert rc != 0, f"jailhouse {args} was accepted:\n{out}"
        assert re.search(why, out), f"no {why!r} in:\n{out}"
        return out

    def hv_printed(self, text, since=0):
        """text is in the hypervisor's console output (from offset
        `since` on), or shows up there soon."""
        deadline = time.monotonic() + self.t.slow
        while text not in self.hv.output[since:]:
            assert time.monotonic() < deadline, \
                f"the hypervisor never said {text!r}"
            time.sleep(0.5)

    def trace(self):
        """The emulator's trace of its IOMMU model so far; None where the
        target keeps none."""
        get = getattr(self.machine, "trace", None)
        return get() if get else None

    def traced(self, pattern, since, count=1):
        """Waits until `pattern` (a regular expression) matched `count`
        times in the emulator's trace from offset `since` on; the
        matches. None where the emulator traced nothing at all."""
        deadline = time.monotonic() + self.t.slow
        while True:
            text = self.trace()
            if not text:
                return None
            found = list(re.finditer(pattern, text[since:], re.M))
            if len(found) >= count:
                return found
            assert time.monotonic() < deadline, \
                f"{count} x {pattern!r} never traced; trace ends:\n" \
                f"{text[-2000:]}"
            time.sleep(0.5)

    def value(self, path):
        """One line read from a sysfs file, found among console noise."""
        out = self.console.check(f"echo V=$(cat {path})")
        m = re.search(r"^V=(.*)$", out, re.M)
        assert m, out
        return m.group(1)

    def online(self):
        return self.value("/sys/devices/system/cpu/online")

    def alive(self):
        """Root Linux answers on every CPU it owns, each still scheduling
        processes (so still taking its timer interrupts)."""
        out = self.console.check(
            "for c in $(seq 0 3); do taskset -c $c echo ran$c "
            "2>/dev/null; done; echo alive")
        assert re.search(r"^alive$", out, re.M), out
        ran = {int(c) for c in re.findall(r"^ran(\d)$", out, re.M)}
        assert ran == cpu_set(self.online()), out

    def serial_interrupts(self):
        """Linux's count of its console UART's interrupts, all CPUs."""
        line = self.console.check("grep ttyS0 /proc/interrupts")
        return sum(int(n) for n in line.split(":", 1)[1].split()
                   if n.isdigit())

    def linux_interrupts_arrive(self):
        """The console UART's interrupt reaches Linux (through whatever
        remapping is in force): its count grows while the shell talks."""
        before = self.serial_interrupts()
        self.console.check("echo interrupts")
        assert self.serial_interrupts() > before, \
            "Linux's serial interrupts stopped"

    def cells(self, attempts=5):
        """The cells as {name: (state, cpus)}, from sysfs: one record per
        line, taken only when every record came through whole (a line of
        apic-demo may cut into one)."""
        cmd = (f"cd {SYSFS}/cells && echo N=$(ls | wc -l) && for d in *; "
               "do echo \"C:$(cat $d/name):$(cat $d/state):"
               "$(cat $d/cpus_assigned):E\"; done; cd /")
        for _ in range(attempts):
            out = self.console.check(cmd)
            n = re.search(r"^N=(\d+)$", out, re.M)
            found = dict((m.group(1), (m.group(2), m.group(3))) for m in
                         re.finditer(r"^C:([^:\n]+):([^:\n]+):([^:\n]*):E$",
                                     out, re.M))
            if n and len(found) == int(n.group(1)):
                return found
        raise AssertionError(f"no clean list of cells in:\n{out}")

    def listed(self, name, state, cpus, attempts=5):
        """`jailhouse cell list` shows the cell with that state and CPUs."""
        row = re.compile(rf"^\d+\s+{re.escape(name)}\s+{re.escape(state)}"
                         rf"\s+{re.escape(cpus)}\s", re.M)
        for _ in range(attempts):
            out = self.ok("cell list")
            if row.search(out + " "):
                return
        raise AssertionError(f"{name} {state} {cpus} not in:\n{out}")

    def cell_id(self, name, attempts=5):
        """The cell's id from sysfs, from a record that came through whole
        (a line of apic-demo may cut into one)."""
        cmd = (f"for d in {SYSFS}/cells/*; do "
               "echo \"I:${d##*/}:$(cat $d/name):E\"; done")
        for _ in range(attempts):
            out = self.console.check(cmd)
            m = re.search(rf"^I:(\d+):{re.escape(name)}:E$", out, re.M)
            if m:
                return m.group(1)
        raise AssertionError(f"no cell {name} in sysfs:\n{out}")

    def start_cell(self, name, extra_load=""):
        self.ok(f"cell create {self.config(name)}")
        self.ok(f"cell load {name} {self.inmate(name)} -a 0xf0000"
                f"{extra_load}")
        self.ok(f"cell start {name}")

    def wait_failed(self, name):
        deadline = time.monotonic() + self.t.slow
        while self.cells()[name][0] != "failed":
            assert time.monotonic() < deadline, f"{name} never failed"
            time.sleep(1)

    def record(self, what, value):
        record(self.t.label, what, value)

    def enabled(self):
        return self.value(f"{SYSFS}/enabled") == "1"

    def needs(self, enabled=True, cells=()):
        """Brings the session to the state a step starts from: the
        hypervisor enabled (or not) and exactly `cells` besides root, each
        running. Does nothing when the steps before left it so."""
        if not enabled:
            if self.enabled():
                self.ok("disable")
            return
        if not self.enabled():
            self.ok(f"enable {self.system_config()}")
        have = {n: st for n, (st, _) in self.cells().items()
                if n != self.t.root}
        keep = {n for n, st in have.items()
                if n in cells and st.startswith("running")}
        if set(have) == keep == set(cells):
            return
        # apic-demo's lock would refuse every other change: it goes first.
        for name in sorted(set(have) - keep, key=lambda n: n != "apic-demo"):
            self.remove_cell(name)
        if "apic-demo" in keep and set(cells) - keep:
            self.remove_cell("apic-demo")
            keep.discard("apic-demo")
        for name in CELL_ORDER:
            if name in cells and name not in keep:
                self.start_cell(name)

    def remove_cell(self, name):
        """Shuts the cell down (apic-demo denies its first request) and
        destroys it."""
        for _ in range(2):
            if self.jh(f"cell shutdown {name}")[1] == 0:
                break
        self.ok(f"cell destroy {name}")


def tiny_demo_still_counts(s):
    """tiny-demo, on its own CPU all along, noticed nothing of the rest."""
    tty1 = s.machine.serial[1]
    tty1.skip()
    tty1.wait_for(r"tiny-demo: count \d+", s.t.slow)
    assert s.cells()["tiny-demo"][0] == "running"
    assert "EXCEPTION" not in tty1.output, tty1.output[-500:]


def cpu_set(text):
    """The CPUs of a list like 0-1,3."""
    cpus = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus |= set(range(int(lo), int(hi or lo) + 1))
    return cpus


@pytest.fixture(scope="module", params=list(TARGETS))
def s(request):
    t = TARGETS[request.param]
    m = boot_target(request, t.machine,
                    extra_dirs=installed(f"session-{t.label}-extra"),
                    label=t.label, **t.machine_args)
    m.console.check("dmesg -n 1")
    yield Session(m, t)
    # Bochs powers off slowly; nothing is left to check by then.
    m.kill()


def test_target_keeps_its_promises(s):
    """CPUs, virtualization extension, IOMMU and reserved block as the
    target promises (test_boot.py checks the same on the QEMU targets)."""
    promises.check_all(s.console, s.t.machine)


def test_enable(s):
    s.needs(enabled=False)
    assert s.value(f"{SYSFS}/enabled") == "0"
    start = time.monotonic()
    out = s.enable_as_predicted(s.system_config())
    enabled_at = s.machine.boot_seconds + time.monotonic() - start
    if not s.t.dma_isolated:
        s.hv_said(out, "DMA of devices is NOT isolated")
    if s.t.x2apic:
        s.hv_said(out, "root keeps its interrupt remapping")
    s.hv_said(out, "Activating hypervisor")
    assert s.value(f"{SYSFS}/enabled") == "1"
    s.record("boot to enabled", f"{enabled_at:.1f} s")
    assert "Activating hypervisor" in s.ok("console"), \
        "the console, read while the hypervisor runs"
    s.console.check("cat /proc/interrupts > /dev/null")
    assert s.online() == "0-3"
    s.alive()


def test_disable_and_enable_before_cells(s):
    """Every CPU goes back to Linux natively, the console keeps the log,
    and the hypervisor comes up again."""
    s.needs()
    out = s.ok("disable")
    s.hv_said(out, "Shutting down hypervisor")
    assert s.value(f"{SYSFS}/enabled") == "0"
    assert s.online() == "0-3"
    assert "Shutting down hypervisor" in s.ok("console")
    s.alive()
    s.ok(f"enable {s.system_config()}")
    assert s.value(f"{SYSFS}/enabled") == "1"
    s.alive()


def test_tiny_demo_prints_on_the_second_port(s):
    s.needs()
    tty1 = s.machine.serial[1]
    tty1.skip()
    start = time.monotonic()
    s.start_cell("tiny-demo")
    tty1.wait_for(r"Hello from tiny-demo\n", s.t.slow)
    s.record("tiny-demo create to first output",
             f"{time.monotonic() - start:.1f} s")
    tty1.wait_for(r"tiny-demo: count 1 at", s.t.slow)
    assert s.online() == "0-1,3", "CPU 2 left Linux"
    s.alive()


def test_apic_demo_measures_jitter(s):
    s.needs(cells=("tiny-demo",))
    s.hv.skip()
    start = time.monotonic()
    s.start_cell("apic-demo")
    s.hv.wait_for(JITTER, s.t.slow)
    s.record("apic-demo create to first jitter line",
             f"{time.monotonic() - start:.1f} s")
    for _ in range(3):
        s.hv.wait_for(JITTER, s.t.slow)
    assert s.online() == "0-1"
    s.alive()


def test_console_follows_the_running_hypervisor(s):
    """`jailhouse console -f` prints what was logged before, then what is
    logged while it runs: it is stopped once two jitter lines more than
    the console held have come. (Not after a time: on Bochs root's clock
    runs many times slower than apic-demo's, and `timeout 1` took 17 of
    apic-demo's seconds, minutes of wall time.) The file exists before
    the tool starts: a grep of a file not yet there ended the wait at
    once."""
    s.needs(cells=CELL_ORDER)
    out = s.console.check(
        "B=$(jailhouse console | grep -c 'Timer fired'); : > /tmp/follow; "
        "jailhouse console -f >> /tmp/follow & P=$!; n=0; "
        "while [ $(grep -c 'Timer fired' /tmp/follow) -lt $((B + 2)) ] "
        "&& [ $n -lt 100000 ]; do n=$((n + 1)); done; "
        "kill $P; wait $P 2>/dev/null; "
        "echo N=$(grep -c 'Created cell \"apic-demo\"' /tmp/follow) "
        "T=$(grep -c 'Timer fired' /tmp/follow) B=$B", timeout=s.t.slow)
    m = re.search(r"N=(\d+) T=(\d+) B=(\d+)", out)
    assert m, out
    assert int(m.group(1)) >= 1, "the text from before, first"
    assert int(m.group(2)) >= int(m.group(3)) + 2, \
        "then new lines as they came"


def test_cell_list(s):
    s.needs(cells=CELL_ORDER)
    s.listed(s.t.root, "running", "0-1")
    s.listed("tiny-demo", "running", "2")
    s.listed("apic-demo", "running/locked", "3")
    assert s.cells() == {s.t.root: ("running", "0-1"),
                         "tiny-demo": ("running", "2"),
                         "apic-demo": ("running/locked", "3")}


def test_apic_demo_exits_per_second(s):
    """Steady-state exits of the running apic-demo, from its statistics.
    Its jitter line goes out through the debug-console hypercall, a whole
    line per call: at most one exit per console line. In xAPIC mode the
    timer and EOI writes go through the trapped APIC page (MMIO exits); in
    x2APIC mode they are MSRs the cell reaches directly, and the console
    lines are all that is left: no other exit at all."""
    s.needs(cells=CELL_ORDER)
    stats = f"{SYSFS}/cells/{s.cell_id('apic-demo')}/statistics"
    names = ("vmexits_total", "vmexits_hypercall", "vmexits_mmio",
             "vmexits_pio", "vmexits_apic", "vmexits_msr",
             "vmexits_management", "vmexits_cpuid", "vmexits_cr",
             "vmexits_xsetbv", "vmexits_exception", "vmexits_other")
    s.hv.skip()
    mark = len(s.hv.output)
    before = {n: int(s.value(f"{stats}/{n}")) for n in names}
    t0 = time.monotonic()
    for _ in range(s.t.ticks):
        s.hv.wait_for(JITTER, s.t.slow)
    after = {n: int(s.value(f"{stats}/{n}")) for n in names}
    wall = time.monotonic() - t0
    # Each jitter line is one 100 ms tick of the cell's own clock.
    ticks = len(JITTER.findall(s.hv.output[mark:]))
    delta = {n: after[n] - before[n] for n in names}
    per_guest_s = delta["vmexits_total"] / (ticks / 10)
    detail = ", ".join(f"{n[8:]} {delta[n]}" for n in names[1:])
    mode = "x2APIC" if s.t.x2apic else "xAPIC"
    s.record(f"apic-demo exits per guest second ({mode})",
             f"{per_guest_s:.0f} ({detail} over {ticks} ticks, "
             f"{wall:.0f} s wall)")
    assert delta["vmexits_total"] > 0
    assert delta["vmexits_hypercall"] > 0, "the jitter lines are hypercalls"
    # The statistics are read just before the first line and just after
    # the last one counted: one line may fall on either side.
    assert delta["vmexits_hypercall"] <= ticks + 2, \
        f"{delta['vmexits_hypercall']} hypercalls for {ticks} console lines"
    if s.t.x2apic:
        # Counted one by one: total and hypercall may be a line apart.
        others = sum(delta[n] for n in names[2:])
        assert others == 0, f"exits besides the console lines: {detail}"


def test_reconfiguration_locked_while_apic_demo_runs(s):
    s.needs(cells=CELL_ORDER)
    locked = 'reconfiguration is locked by cell "apic-demo"'
    s.refused("cell destroy tiny-demo", re.escape(locked))
    # crash-demo wants apic-demo's CPU 3 too: the lock must be the reason.
    s.refused(f"cell create {s.config('crash-demo')}", re.escape(locked))
    assert set(s.cells()) == {s.t.root, "tiny-demo", "apic-demo"}
    s.alive()


def test_tiny_demo_reloads_and_restarts_while_locked(s):
    s.needs(cells=CELL_ORDER)
    tty1 = s.machine.serial[1]
    tty1.skip()
    s.ok(f"cell load tiny-demo {s.inmate('tiny-demo')} -a 0xf0000")
    s.ok("cell start tiny-demo")
    tty1.wait_for(r"Hello from tiny-demo\n", s.t.slow)
    assert s.cells()["tiny-demo"][0] == "running"
    s.alive()


def test_apic_demo_denies_first_shutdown_then_approves(s):
    s.needs(cells=CELL_ORDER)
    s.refused("cell shutdown apic-demo",
              re.escape('cell "apic-demo" denied the shutdown request'))
    s.hv.skip()
    s.hv.wait_for(JITTER, s.t.slow)  # still running
    s.ok("cell shutdown apic-demo")
    assert s.cells()["apic-demo"][0] == "shut down"
    s.ok("cell destroy apic-demo")
    assert "apic-demo" not in s.cells()
    assert s.online() == "0-1,3", "CPU 3 back in Linux"
    s.alive()


def test_crash_demo_triple_fault_fails_only_its_cell(s):
    s.needs(cells=("tiny-demo",))
    s.start_cell("crash-demo", " -s triple-fault -a 0x1000")
    s.wait_failed("crash-demo")
    tiny_demo_still_counts(s)
    s.alive()
    s.ok("cell destroy crash-demo")
    assert s.online() == "0-1,3"


def test_crash_demo_wild_write_is_stopped(s):
    s.needs(cells=("tiny-demo",))
    s.start_cell("crash-demo", " -s wild-write -a 0x1000")
    s.wait_failed("crash-demo")
    s.hv_printed("failed: unhandled MMIO write of 4 bytes at 0x3c000000")
    assert "wild write not stopped" not in s.hv.output
    s.alive()
    s.ok("cell destroy crash-demo")


def test_edu_dma_reaches_only_its_cells_memory(s):
    """QEMU's edu device, given to edu-demo, copies within the cell's
    memory by DMA; its write to 16 MiB (root Linux's memory, were there no
    IOMMU) is blocked by the IOMMU (VT-d or AMD-Vi) and logged with device
    and address. Root and tiny-demo keep running; the device goes back to
    root."""
    if not s.t.edu:
        pytest.skip(f"{s.t.label}: no edu device and no IOMMU here")
    s.needs(cells=("tiny-demo",))
    mark, trace_mark = len(s.hv.output), len(s.trace() or "")
    s.start_cell("edu-demo")
    s.hv_printed("edu-demo: edu at 00:10.0, registers at 0xfea00000, "
                 "id 0x010000ed, alive", mark)
    s.hv_printed("edu-demo: DMA within the cell: 256 bytes 0x80000 -> "
                 "device -> 0x90000: copied", mark)
    s.hv_printed("edu-demo: DMA read back from 0x1000000: not the "
                 "pattern: the write did not land there", mark)
    if s.t.no_dma_fault_event:
        note(s.t.label, "the IOMMU's fault line for edu-demo's DMA "
             "outside its cell", s.t.no_dma_fault_event)
        # The emulator's model, not only the cell, saw the access fail.
        walk = s.traced(r"^amdvi_page_fault .*address 0x1000000$",
                        trace_mark)
        if walk is None:
            note(s.t.label, "the page-walk fault in QEMU's trace",
                 "this QEMU traces nothing")
        else:
            print(f"\n# QEMU's trace: {walk[0].group(0)}")
    else:
        s.hv_printed(f"{s.t.iommu}: DMA write to 0x1000000 by 00:10.0 "
                     "(cell \"edu-demo\") blocked", mark)
    print("\n# hypervisor console, edu-demo's part:\n" + "\n".join(
        line for line in s.hv.output[mark:].splitlines()
        if "edu-demo" in line or s.t.iommu in line))
    tiny_demo_still_counts(s)
    s.alive()
    # Its last test, before it polls for messages: the refused MSI.
    s.hv_printed("edu-demo: MSI vector 0x30 to APIC 0 (not this cell's): 0 "
                 "of 1 arrived", mark)
    s.ok("cell shutdown edu-demo")
    s.ok("cell destroy edu-demo")
    assert s.online() == "0-1,3"


def check_amdvi_remapped_msis(s, since, count, apic_id, vector):
    """QEMU's trace shows edu's messages (00:10.0, device id 0x80) each
    looked up in its interrupt table (IntCtl 2: remap) and sent on as the
    entry says: the entry enabled, to APIC apic_id, with vector; the
    device's own data only indexes the table."""
    msi = (r"^amdvi_ir_remap_msi_req addr 0xfee00000 data 0x([0-9a-f]+) "
           r"devid 0x80\n"
           r"amdvi_ir_intctl int_ctl 0x2\n"
           r"amdvi_ir_irte_val data 0x([0-9a-f]+)\n"
           r"amdvi_ir_remap_msi \(addr 0xfee00000, data 0x\1\) -> "
           r"\(addr 0xfee([0-9a-f]{2})000, data 0x([0-9a-f]+)\)$")
    found = s.traced(msi, since, count)
    if found is None:
        note(s.t.label, "edu's messages in QEMU's remapping trace",
             "this QEMU traces nothing")
        return
    print("\n# QEMU's trace of edu's MSIs:\n" + "\n".join(
        m.group(0) for m in found))
    assert len(found) == count, [m.group(0) for m in found]
    for m in found:
        irte = int(m.group(2), 16)
        assert irte & 1, f"entry not enabled: {m.group(0)}"
        assert (irte >> 8) & 0xff == apic_id, m.group(0)
        assert (irte >> 16) & 0xff == vector, m.group(0)
        assert int(m.group(3), 16) == apic_id, m.group(0)
        assert int(m.group(4), 16) & 0xff == vector, m.group(0)


def test_edu_msi_reaches_only_its_cells_cpu(s):
    """edu-demo has its device send MSIs: three to its own CPU (CPU 3,
    APIC 3), which all arrive, through an interrupt remapping entry of
    the cell; then one aimed at CPU 0, root's, which the hypervisor
    refuses by name and keeps disabled, so nothing arrives. Root and
    tiny-demo keep running."""
    if not s.t.edu:
        pytest.skip(f"{s.t.label}: no edu device and no IOMMU here")
    s.needs(cells=("tiny-demo",))
    mark, trace_mark = len(s.hv.output), len(s.trace() or "")
    unit = s.t.iommu.split(" unit")[0]
    s.start_cell("edu-demo")
    s.hv_printed("edu-demo: MSI vector 0x30 to APIC 3 (this CPU): 3 of 3 "
                 "arrived", mark)
    s.hv_printed(f"{unit}: cell \"edu-demo\": interrupt of 00:10.0 to "
                 "APIC 0 (vector 0x30) refused: not a CPU of the cell", mark)
    s.hv_printed("PCI 00:10.0 of cell \"edu-demo\": MSI to 0xfee00000 "
                 "data 0x0030 kept disabled: interrupt remapping refused it",
                 mark)
    s.hv_printed("edu-demo: MSI vector 0x30 to APIC 0 (not this cell's): 0 "
                 "of 1 arrived", mark)
    if unit == "AMD-Vi":
        check_amdvi_remapped_msis(s, trace_mark, 3, 3, 0x30)
    print("\n# hypervisor console, edu-demo's part:\n" + "\n".join(
        line for line in s.hv.output[mark:].splitlines()
        if "edu-demo" in line or unit in line))
    tiny_demo_still_counts(s)
    s.alive()
    # Its last test, before it polls for messages: the refused MSI.
    s.hv_printed("edu-demo: MSI vector 0x30 to APIC 0 (not this cell's): 0 "
                 "of 1 arrived", mark)
    s.ok("cell shutdown edu-demo")
    s.ok("cell destroy edu-demo")
    assert s.online() == "0-1,3"


def test_bad_input_is_refused_and_changes_nothing(s):
    s.needs(cells=("tiny-demo",))
    c = s.console
    c.check(f"head -c 100 {s.config('apic-demo')} > /tmp/short.cell")
    s.refused("cell create /tmp/short.cell", r"(?i)short|size|trunc")
    s.refused(f"cell create {s.config('tiny-demo')}", r"exists")
    # tiny-demo's config under another name collides on CPU 2 and memory.
    c.check(f"cp {s.config('tiny-demo')} /tmp/twin.cell && printf tiny-twin "
            "| dd of=/tmp/twin.cell bs=1 seek=12 conv=notrunc 2>/dev/null")
    s.refused("cell create /tmp/twin.cell", r"CPU 2|3c500000")
    s.refused("cell start no-such-cell", r"no-such-cell")
    s.refused(f"cell load tiny-demo {s.inmate('tiny-demo')} -a 0x200000",
              r"(?i)loadable|outside")
    s.refused(f"cell create {s.system_config()}", r"(?i)system")
    assert set(s.cells()) == {s.t.root, "tiny-demo"}
    s.ok(f"cell load tiny-demo {s.inmate('tiny-demo')} -a 0xf0000")
    s.ok("cell start tiny-demo")
    s.alive()


def test_create_destroy_cycles_leave_the_pool_at_baseline(s):
    s.needs(cells=("tiny-demo",))
    used = f"{SYSFS}/mem_pool_used"
    baseline = s.value(used)
    start = time.monotonic()
    for _ in range(s.t.cycles):
        s.ok(f"cell create {s.config('apic-demo')}")
        s.ok("cell destroy apic-demo")
    s.record("create/destroy cycle",
             f"{(time.monotonic() - start) / s.t.cycles:.1f} s "
             f"(mean of {s.t.cycles})")
    assert s.value(used) == baseline
    assert s.online() == "0-1,3"
    s.alive()
    tiny_demo_still_counts(s)


def test_disable_with_a_cell_running(s):
    s.needs(cells=("tiny-demo",))
    out = s.ok("disable")
    s.hv_said(out, "Shutting down hypervisor")
    assert s.value(f"{SYSFS}/enabled") == "0"
    assert s.online() == "0-3", "tiny-demo's CPU back in Linux"
    s.alive()
    s.linux_interrupts_arrive()


def test_enable_and_disable_again(s):
    s.needs(enabled=False)
    s.ok(f"enable {s.system_config()}")
    assert s.value(f"{SYSFS}/enabled") == "1"
    s.alive()
    s.linux_interrupts_arrive()
    s.ok("disable")
    assert s.value(f"{SYSFS}/enabled") == "0"
    s.alive()
    s.linux_interrupts_arrive()
