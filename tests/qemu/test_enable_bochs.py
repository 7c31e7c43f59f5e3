"""The real hypervisor on emulated VMX: in Bochs (4 CPUs, VMX with EPT),
the driver loads jailhouse.bin and `jailhouse enable bochs-vm.cell` turns
the running Linux into the root cell. Linux must go on working on every
CPU as a guest, with its timer and console, and the driver's sysfs must
say so.

`jailhouse disable` then hands every CPU back to Linux natively, and a
second enable and disable work the same way.

Needs `make driver image configs build/e2e/jailhouse` (make check-qemu
builds them)."""

import time

import pytest

import machines
from conftest import boot_target, record

BUILD = machines.BUILD
SYSFS = "/sys/devices/jailhouse"


@pytest.fixture(scope="module")
def extra_dir():
    out = BUILD / "e2e" / "enable-bochs-extra"
    out.mkdir(parents=True, exist_ok=True)
    for src, name in ((BUILD / "jailhouse.ko", "jailhouse.ko"),
                      (BUILD / "jailhouse.bin", "jailhouse.bin"),
                      (BUILD / "e2e" / "jailhouse", "jailhouse"),
                      (BUILD / "configs" / "bochs-vm.cell", "bochs-vm.cell")):
        assert src.exists(), f"{src} missing: run make check-qemu"
        (out / name).write_bytes(src.read_bytes())
        (out / name).chmod(src.stat().st_mode & 0o777)
    return out


@pytest.fixture(scope="module")
def machine(request, extra_dir):
    m = boot_target(request, "bochs", extra_dirs=[extra_dir])
    m.console.check("dmesg -n 1")
    yield m
    # Bochs powers off slowly; nothing is left to check by then.
    m.kill()


def test_enable_turns_linux_into_the_root_cell(machine):
    c = machine.console
    assert c.check(f"cat {SYSFS}/enabled") == "0"
    start = time.monotonic()
    out, rc = c.run("jailhouse enable /root/bochs-vm.cell 2>&1", timeout=600)
    record("bochs", "enable (jailhouse enable)",
           f"{time.monotonic() - start:.1f} s")
    assert rc == 0, out
    assert "Activating hypervisor" in out
    assert c.check(f"cat {SYSFS}/enabled") == "1"


def test_linux_keeps_running_on_every_cpu(machine):
    c = machine.console
    assert c.check("echo alive") == "alive"
    assert c.check("cat /sys/devices/system/cpu/online") == "0-3"


def test_disable_hands_every_cpu_back(machine):
    c = machine.console
    out, rc = c.run("jailhouse disable 2>&1", timeout=600)
    assert rc == 0, out
    assert "Shutting down hypervisor" in out
    assert c.check(f"cat {SYSFS}/enabled") == "0"
    assert c.check("echo alive") == "alive"
    assert c.check("cat /sys/devices/system/cpu/online") == "0-3"
    assert "jailhouse: disabled" in c.check("dmesg | tail -3")


def test_enable_and_disable_again(machine):
    c = machine.console
    out, rc = c.run("jailhouse enable /root/bochs-vm.cell 2>&1", timeout=600)
    assert rc == 0, out
    assert c.check(f"cat {SYSFS}/enabled") == "1"
    out, rc = c.run("jailhouse disable 2>&1", timeout=600)
    assert rc == 0, out
    assert c.check(f"cat {SYSFS}/enabled") == "0"
    assert c.check("echo alive") == "alive"
