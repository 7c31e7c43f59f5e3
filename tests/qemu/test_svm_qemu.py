"""The hypervisor on AMD SVM for real: QEMU's TCG (SVM with nested paging,
no next-RIP saving), 4 CPUs, no VT-d unit (configs/qemu-svm.c), the real
driver, image and CLI. Enable turns the running Linux into the root cell
on every CPU, Linux keeps working as a guest, disable hands every CPU back,
and it all works a second time.

Needs `make driver image configs build/e2e/jailhouse` (make check-qemu
builds them)."""

import time

import pytest

import machines
from conftest import boot_target, record

BUILD = machines.BUILD
SYSFS = "/sys/devices/jailhouse"
FILES = ("jailhouse.ko", "jailhouse.bin", "e2e/jailhouse",
         "configs/qemu-svm.cell")


@pytest.fixture(scope="module")
def extra_dir():
    out = BUILD / "e2e" / "svm-extra"
    out.mkdir(parents=True, exist_ok=True)
    for rel in FILES:
        src = BUILD / rel
        assert src.exists(), f"{src} missing: run make check-qemu"
        dst = out / src.name
        dst.write_bytes(src.read_bytes())
        dst.chmod(src.stat().st_mode & 0o777)
    return out


@pytest.fixture(scope="module")
def machine(request, extra_dir):
    m = boot_target(request, "qemu-tcg", extra_dirs=[extra_dir], iommu=False)
    m.console.check("dmesg -n 1")
    return m


def jh(machine, args, timeout=120):
    out, rc = machine.console.run(f"jailhouse {args} 2>&1", timeout)
    print(f"\n# jailhouse {args}  (exit {rc})\n{out}")
    return out, rc


def linux_runs_on_all_cpus(machine):
    c = machine.console
    assert c.check("echo alive") == "alive"
    assert c.check("cat /sys/devices/system/cpu/online") == "0-3"
    # Every CPU still takes its timer interrupts.
    before = c.check("grep -c . /proc/interrupts")
    assert int(before) > 1


def test_enable_on_svm(machine):
    start = time.monotonic()
    out, rc = jh(machine, "enable /root/qemu-svm.cell")
    assert rc == 0, out
    assert "Activating hypervisor" in out
    assert "DMA of devices is NOT isolated" in out
    record("qemu-tcg", "boot to enabled",
           f"{machine.boot_seconds + time.monotonic() - start:.1f} s")
    assert machine.console.check(f"cat {SYSFS}/enabled") == "1"
    linux_runs_on_all_cpus(machine)


def test_linux_works_as_the_root_cell(machine):
    """Processes, timers and interrupts on every CPU, under SVM."""
    c = machine.console
    out = c.check("for cpu in 0 1 2 3; do taskset -c $cpu echo ran$cpu; done")
    for cpu in range(4):
        assert f"ran{cpu}" in out, out
    t0 = c.check("cat /proc/uptime").split()[0]
    c.check("sleep 1")
    assert float(c.check("cat /proc/uptime").split()[0]) > float(t0)


def test_disable_on_svm(machine):
    out, rc = jh(machine, "disable")
    assert rc == 0, out
    assert "Shutting down hypervisor" in out
    assert machine.console.check(f"cat {SYSFS}/enabled") == "0"
    linux_runs_on_all_cpus(machine)


def test_enable_and_disable_again(machine):
    out, rc = jh(machine, "enable /root/qemu-svm.cell")
    assert rc == 0, out
    linux_runs_on_all_cpus(machine)
    out, rc = jh(machine, "disable")
    assert rc == 0, out
    linux_runs_on_all_cpus(machine)
