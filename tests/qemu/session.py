"""The end-to-end session's targets (what each emulator is booted with
and what it can show) and `Session`, the steps' driver of a booted
target: the CLI run on its console, the hypervisor's and the cells'
output read from its serial ports, the state a step starts from set up.
test_session.py plays the seed's session with it; test_config_create.py
and test_hardware_check.py drive their own boots with it."""

import os
import re
import time
from dataclasses import dataclass

from conftest import record

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
                    edu=False, cycles=1),
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
        # every IOMMU capability read (/dev/mem or the kernel log)
        assert "  unknown  " not in check, check
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


def cpu_set(text):
    """The CPUs of a list like 0-1,3."""
    cpus = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus |= set(range(int(lo), int(hi or lo) + 1))
    return cpus
