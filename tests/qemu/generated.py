"""The session on a system config `jailhouse config create` wrote inside
the guest, step by step, for any target: `config collect`, `config
create` (the same bytes from the archive on the host), `config show`
against the hand-written config with every difference explained in
docs/cli.md, enable as `hardware check` predicted, the cells, disable.

test_config_create.py runs the steps on the QEMU targets, each booted
for it; test_session.py runs them at its end on Bochs, which boots once
per run."""

import base64
import dataclasses
import gzip
import re
import subprocess

import machines
from conftest import E2E_DIR
from session import Session

DOC = machines.REPO / "docs" / "cli.md"

# (regular expression of a `config show` line, phrase docs/cli.md uses),
# each kept to the target whose difference it is.
COMMON = [
    (r"^(Memory regions|PCI devices): \d+$", "count of regions"),
    (r"^0x00000000-0x0009[ef]fff .* read write execute dma$",
     "EBDA below 640 KiB"),
    (r"^0x0009f000-0x0009ffff .* read write io$", "EBDA below 640 KiB"),
    (r"^0x3c400000-0x3f(dfffff|fdefff) .* read write execute dma$",
     "memory for cells up to the firmware's tables"),
    (r"^0x3f(e0|fd)[0f]000-0x3fffffff .* read write( io)?$",
     "firmware's tables below 1 GiB"),
    (r"^0x(80000000-0xafffffff|c0000000-0xfebfffff) .* read write io$",
     "BARs instead of PCI windows"),
    (r"^0xf[de][0-9a-f]{6}-0xf[de][0-9a-f]{6} .* read write io$",
     "BARs instead of PCI windows"),
    (r"^0x(fed1c000-0xfed1ffff|fffc0000-0xffffffff) .* read write io$",
     "firmware-reserved ranges below 4 GiB"),
]


@dataclasses.dataclass
class ConfigTarget:
    session: str  # test_session.TARGETS key
    name: str  # the root cell's name, as the hand-written config has it
    console: str  # the hypervisor's UART, as config create's option says
    tables: tuple  # ACPI tables the archive must hold
    explained: list  # its own differences, besides COMMON
    blocked: str = ""  # what the hypervisor prints for edu-demo's DMA


class ConfigSession(Session):
    """The session on the config the tool wrote in the guest."""

    GENERATED = "/root/generated.cell"

    def __init__(self, machine, target, ct):
        super().__init__(machine, target)
        self.ct = ct

    def system_config(self):
        return self.GENERATED


def create_command(ct):
    return (f"config create --name {ct.name} {ct.console} "
            f"-o {ConfigSession.GENERATED}")


def show_lines(text):
    """`config show` lines without the file line and item numbers."""
    out = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or re.match(r"^\S+: (system|cell) config, ", line):
            continue
        out.add(re.sub(r"^\d+: ", "", line))
    return out


def fetch(s, path, timeout=120):
    """The bytes of a guest file, through gzip and base64 on the console
    (Bochs's UART passes a few kilobytes a second)."""
    text = s.console.check(f"echo B64; gzip -c {path} | base64; echo END",
                           timeout=timeout)
    return gzip.decompress(base64.b64decode("".join(
        text[text.index("B64\n") + 4:text.rindex("END")].split())))


def collect(s):
    """`config collect` in the guest; the archive copied to the host,
    holding the files create reads, the kernel log among them."""
    out = s.ok("config collect /tmp/machine.tar")
    assert "/tmp/machine.tar: " in out
    path = E2E_DIR / s.t.label / "machine.tar"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fetch(s, "/tmp/machine.tar", s.t.slow))
    names = subprocess.run(["tar", "tf", str(path)], capture_output=True,
                           text=True, check=True).stdout.split()
    for rel in ("proc/iomem", "proc/cmdline", "dev/kmsg",
                "sys/bus/pci/devices/0000:00:00.0/config") + tuple(
                    "sys/firmware/acpi/tables/" + t for t in s.ct.tables):
        assert rel in names, names


def create(s):
    """`config create` in the guest; the host, reading the archive,
    makes the same bytes."""
    out = s.ok(create_command(s.ct))
    assert f"system config \"{s.ct.name}\"" in out, out
    assert "note: " in out  # it says what it left out
    s.ok(f"config check {s.GENERATED}")
    guest = fetch(s, s.GENERATED, s.t.slow)
    host = E2E_DIR / s.t.label / "host.cell"
    res = subprocess.run(
        [str(machines.BUILD / "jailhouse")] + create_command(s.ct).split()
        [:-2] + ["--root", str(E2E_DIR / s.t.label / "machine.tar"),
                 "-o", str(host)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert host.read_bytes() == guest


def compare_with_hand_written(s):
    """Every line of `config show` in which the generated config and the
    hand-written one differ is one docs/cli.md explains."""
    gen = show_lines(s.ok(f"config show {s.GENERATED}"))
    hand = show_lines(s.ok(f"config show {s.config(s.t.system)}"))
    docs = DOC.read_text()
    unexplained = []
    for line in sorted(gen ^ hand):
        why = [p for r, p in COMMON + s.ct.explained if re.search(r, line)]
        if not why:
            unexplained.append(("generated" if line in gen else "hand")
                               + ": " + line)
        for phrase in why:
            assert phrase in docs, f"docs/cli.md does not explain {phrase!r}"
    print("\n# differences:\n" + "\n".join(
        ("+ " if ln in gen else "- ") + ln for ln in sorted(gen ^ hand)))
    assert not unexplained, "\n".join(unexplained)


def enable(s):
    s.needs(enabled=False)
    out = s.enable_as_predicted(s.GENERATED)
    s.hv_said(out, "Activating hypervisor")
    assert s.online() == "0-3"
    s.alive()


def edu_demo(s):
    """edu-demo's DMA confined by the IOMMU unit the tool found, its MSI
    to another cell's CPU refused."""
    s.start_cell("edu-demo")
    s.hv_printed("edu-demo: DMA within the cell: 256 bytes 0x80000 -> "
                 "device -> 0x90000: copied")
    s.hv_printed(s.ct.blocked)
    # Its last test, before it polls for messages: the refused MSI.
    s.hv_printed("edu-demo: MSI vector 0x30 to APIC 0 (not this cell's): 0 "
                 "of 1 arrived")
    s.ok("cell shutdown edu-demo")
    s.ok("cell destroy edu-demo")


def cells_then_disable(s):
    """tiny-demo on the second port, edu-demo where the target has the
    device, apic-demo's timer; the cells destroyed, the hypervisor
    disabled, Linux whole again."""
    s.needs()
    tty1 = s.machine.serial[1]
    tty1.skip()
    s.start_cell("tiny-demo")
    tty1.wait_for(r"Hello from tiny-demo\n", s.t.slow)
    if s.t.edu:
        edu_demo(s)
    s.start_cell("apic-demo")
    s.hv.wait_for(r"Timer fired, jitter", s.t.slow)
    s.alive()
    s.remove_cell("apic-demo")
    s.remove_cell("tiny-demo")
    out = s.ok("disable")
    s.hv_said(out, "Shutting down hypervisor")
    assert s.online() == "0-3"
    s.alive()


# In the order a run takes them.
STEPS = [collect, create, compare_with_hand_written, enable,
         cells_then_disable]
