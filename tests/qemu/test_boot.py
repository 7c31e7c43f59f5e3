"""The harness itself, on the QEMU targets (Bochs keeps the same promises
inside its one boot, in test_session.py): the stock kernel boots with the
initramfs, the guest sees the CPUs and virtualization features the target
promises, the hypervisor's memory block is reserved, a module built against
the installed headers loads, files land where mkinitramfs says, the second
UART reaches the host, and the machine powers off with its last words."""

import shutil
import subprocess
import time

import pytest

import machines
import promises
from conftest import boot_target, record

# Bochs boots once per run, for the session (test_session.py), which holds
# it to the same promises; booting it here too cost minutes. qemu-amd's
# and qemu-x2apic's promises are checked in their sessions too.
TARGETS = [name for name in promises.EXPECT
           if name not in ("bochs", "qemu-amd", "qemu-x2apic")]

HELLO_SRC = machines.REPO / "tests" / "qemu" / "hello"


@pytest.fixture(scope="session")
def extra_dir():
    """Files for the initramfs, one of each kind mkinitramfs places."""
    ver = machines.kernel_version()
    headers = f"/usr/src/linux-headers-{ver}"
    out = machines.BUILD / "e2e" / "extra"
    mod = machines.BUILD / "e2e" / "hello-module"
    for d in (out, mod):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    for f in ("jh_hello.c", "Kbuild"):
        shutil.copy(HELLO_SRC / f, mod)
    res = subprocess.run(["make", "-s", "-C", headers, f"M={mod}",
                          "modules"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    assert res.returncode == 0, (
        f"building the probe module against {headers} failed "
        f"(ci/setup installs the headers):\n{res.stdout}")
    shutil.copy(mod / "jh_hello.ko", out)
    (out / "jailhouse-probe.bin").write_bytes(b"JHFW")
    (out / "probe.cell").write_bytes(b"JHCELL")
    (out / "probe-inmate.bin").write_bytes(b"JHINMATE")
    tool = out / "jh-probe"
    tool.write_text("#!/bin/sh\necho jh-probe ran with \"$@\"\n")
    tool.chmod(0o755)
    (out / "etc" / "init.d").mkdir(parents=True)
    (out / "etc" / "init.d" / "50-probe.sh").write_text(
        "echo probe hook ran\n")
    return out


@pytest.fixture(scope="module", params=TARGETS)
def machine(request, extra_dir):
    return boot_target(request, request.param, extra_dirs=[extra_dir])


@pytest.fixture
def expect(machine):
    return promises.EXPECT[machine.name]


def test_cpus(machine, expect):
    promises.check_cpus(machine.console, expect)


def test_virtualization_flags(machine, expect):
    promises.check_virtualization_flags(machine.console, expect)


def test_iommu_unit(machine, expect):
    promises.check_iommu_unit(machine.console, expect)


def test_memmap_reserved(machine):
    promises.check_memmap_reserved(machine.console)


def test_module_from_extra_dir_loads(machine):
    """A module built against the installed headers is loaded by init."""
    boot_log = machine.console.output
    assert "init: insmod /lib/modules/jh_hello.ko: ok" in boot_log
    assert "jh_hello: loaded into" in machine.console.check(
        "dmesg | grep jh_hello")
    assert machine.console.check("cat /proc/modules").startswith("jh_hello")


def test_extra_files_placed(machine):
    c = machine.console
    assert c.check("cat /lib/firmware/jailhouse-probe.bin") == "JHFW"
    assert c.check("cat /root/probe.cell") == "JHCELL"
    assert c.check("cat /root/probe-inmate.bin") == "JHINMATE"
    assert c.check("jh-probe a b") == "jh-probe ran with a b"
    assert c.check("command -v jh-probe") == "/usr/sbin/jh-probe"
    assert "probe hook ran" in c.output


def test_run_reports_exit_status_and_output(machine):
    c = machine.console
    assert c.run("false") == ("", 1)
    assert c.run("sh -c 'echo out; echo err >&2; exit 7'") == ("out\nerr", 7)
    assert c.run("printf 'a\\nb\\n'") == ("a\nb", 0)
    # A long line arrives whole (Bochs' UART takes input a byte at a time).
    long = "x" * 300
    assert c.run(f"echo {long} | wc -c") == ("301", 0)


def test_second_serial_port(machine):
    """What the guest writes to ttyS1 (tiny-demo's port) reaches the host
    on serial[1]."""
    t = time.monotonic()
    machine.console.check("echo second-port-works > /dev/ttyS1")
    machine.serial[1].wait_for("second-port-works", 60)
    record(machine.name, "second UART round trip",
           f"{time.monotonic() - t:.2f} s")


def test_timeout_names_pattern_and_shows_tail(machine):
    with pytest.raises(machines.ConsoleError) as err:
        machine.console.wait_for("never-printed-pattern", 1)
    msg = str(err.value)
    assert "never-printed-pattern" in msg and "last 40 lines" in msg


def test_zz_poweroff_keeps_last_words(machine):
    """Runs last: a kilobyte written just before power-off, still queued in
    the tty when poweroff starts, reaches the host, and the emulator exits
    by itself."""
    t = time.monotonic()
    machine.console.send("seq 1000 1300 | tr '\\n' ' '; "
                         "echo last-words-before-poweroff; poweroff -f\n")
    machine.console.wait_for("1299 1300 last-words-before-poweroff\n", 60)
    machine.proc.wait(120)
    record(machine.name, "poweroff to emulator exit",
           f"{time.monotonic() - t:.1f} s")
