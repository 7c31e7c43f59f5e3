"""The kernel driver (driver/jailhouse.ko) in QEMU TCG, where the CPUs have
SVM but no VMX: the module loads and creates /dev/jailhouse and
/sys/devices/jailhouse, `jailhouse enable` fails cleanly with the
hypervisor's feature error while Linux keeps all its CPUs, bad firmware and
a hypervisor memory block that cannot be mapped are refused with their
reasons, and the module unloads and reloads while not enabled.

Needs `make driver image configs build/e2e/jailhouse` (make check-qemu
builds them)."""

import re
import struct

import pytest

import machines
from conftest import boot_target

BUILD = machines.BUILD
EXIT_REFUSED = 4
EXIT_NOT_ENABLED = 5
SYSFS = "/sys/devices/jailhouse"


@pytest.fixture(scope="module")
def extra_dir():
    """Module, firmware, CLI and configs; two malformed inputs."""
    out = BUILD / "e2e" / "driver-extra"
    if out.exists():
        for f in out.iterdir():
            f.unlink()
    out.mkdir(parents=True, exist_ok=True)
    for src, name in ((BUILD / "jailhouse.ko", "jailhouse.ko"),
                      (BUILD / "jailhouse.bin", "jailhouse.bin"),
                      (BUILD / "e2e" / "jailhouse", "jailhouse"),
                      (BUILD / "configs" / "qemu-vm.cell", "qemu-vm.cell"),
                      (BUILD / "configs" / "tiny-demo.cell",
                       "tiny-demo.cell")):
        assert src.exists(), f"{src} missing: run make check-qemu"
        (out / name).write_bytes(src.read_bytes())
        (out / name).chmod(src.stat().st_mode & 0o777)
    # An image with its signature broken.
    fw = bytearray((BUILD / "jailhouse.bin").read_bytes())
    fw[0:8] = b"NOTJAILH"
    (out / "badsig.bin").write_bytes(fw)
    # A valid system config whose hypervisor block lies beyond the RAM
    # (8 GiB with 1 GiB of RAM): no struct pages there, so no vmap.
    cfg = bytearray((BUILD / "configs" / "qemu-vm.cell").read_bytes())
    struct.pack_into("<Q", cfg, 16, 0x200000000)
    (out / "nomem.cell").write_bytes(cfg)
    return out


@pytest.fixture(scope="module")
def machine(request, extra_dir):
    m = boot_target(request, "qemu-tcg", extra_dirs=[extra_dir])
    # Kernel messages stay in dmesg, out of the commands' output; the
    # hypervisor writes to the UART directly and still shows.
    m.console.check("dmesg -n 1")
    return m


def jh(machine, args, timeout=120):
    """Runs the CLI; returns (output, exit status)."""
    return machine.console.run(f"jailhouse {args} 2>&1", timeout=timeout)


def assert_linux_intact(machine):
    c = machine.console
    assert c.check("echo alive") == "alive"
    assert c.check("cat /sys/devices/system/cpu/online") == "0-3"
    assert c.check(f"cat {SYSFS}/enabled") == "0"


def test_module_loads(machine):
    c = machine.console
    assert "init: insmod /lib/modules/jailhouse.ko: ok" in c.output
    assert "jailhouse: driver loaded" in c.check("dmesg | grep jailhouse:")
    assert c.check("ls -l /dev/jailhouse").startswith("crw-------")
    assert c.check(f"cat {SYSFS}/enabled") == "0"
    assert c.check(f"cat {SYSFS}/mem_pool_size") == "0"
    assert c.run(f"ls {SYSFS}/cells")[1] != 0


def test_requests_need_enable(machine):
    out, rc = jh(machine, "disable")
    assert rc == EXIT_NOT_ENABLED and "not enabled" in out, out
    assert_linux_intact(machine)


# What the image says when it refuses this machine, on its debug console
# (the same UART as Linux's). Today its VT-d check comes first: QEMU's
# intel-iommu lacks coherent page walks. Without it, the VMX check would.
# qemu-vm.cell describes an x2APIC machine; QEMU's TCG has no x2APIC.
HV_REFUSAL = r"CPU \d+: local APIC in xAPIC mode, but the config says x2APIC"


def test_refused_enable_rolls_back_every_cpu(machine):
    """The image refuses this machine for a config written for another
    (x2APIC, which TCG lacks): the entry fails on every CPU, every CPU
    rolls back, and Linux goes on with all four."""
    c = machine.console
    out, rc = jh(machine, "enable /root/qemu-vm.cell")
    assert rc == EXIT_REFUSED, out
    assert "CPU 0: CPU failed to enter the hypervisor" in out, out
    refusal = re.search(HV_REFUSAL, c.output)
    assert refusal, "no refusal from the hypervisor on the console"
    print(f"hypervisor: {refusal.group(0)}")
    dmesg = c.check("dmesg | grep 'jailhouse: enable'")
    assert re.search(r"CPU 0 entry returned -\d+ \(4 of 4 CPUs failed",
                     dmesg), dmesg
    assert_linux_intact(machine)


def test_enable_again_after_failure(machine):
    """Nothing stayed behind: the memory region is released, a second
    attempt fails the same way."""
    c = machine.console
    assert "jailhouse" not in c.check("cat /proc/iomem | grep -i jailhouse "
                                      "|| true")
    out, rc = jh(machine, "enable /root/qemu-vm.cell")
    assert rc == EXIT_REFUSED and "CPU failed" in out, out
    assert_linux_intact(machine)


def test_bad_firmware_signature(machine):
    c = machine.console
    c.check("cp /lib/firmware/jailhouse.bin /root/good.bin && "
            "cp /root/badsig.bin /lib/firmware/jailhouse.bin")
    try:
        out, rc = jh(machine, "enable /root/qemu-vm.cell")
    finally:
        c.check("cp /root/good.bin /lib/firmware/jailhouse.bin")
    assert rc == EXIT_REFUSED and "jailhouse.bin is invalid" in out, out
    assert "missing signature" in c.check("dmesg | tail -n 3")
    assert_linux_intact(machine)


def test_missing_firmware(machine):
    c = machine.console
    c.check("mv /lib/firmware/jailhouse.bin /root/good.bin")
    try:
        out, rc = jh(machine, "enable /root/qemu-vm.cell")
    finally:
        c.check("mv /root/good.bin /lib/firmware/jailhouse.bin")
    assert rc == EXIT_NOT_ENABLED and "jailhouse.bin not found" in out, out
    assert "request_firmware(jailhouse.bin) failed (-2)" in \
        c.check("dmesg | tail -n 3")
    assert_linux_intact(machine)


def test_hypervisor_memory_unmappable(machine):
    out, rc = jh(machine, "enable /root/nomem.cell")
    assert rc == EXIT_REFUSED and "memory block is not reserved" in out, out
    assert "has no struct page" in machine.console.check("dmesg | tail -n 3")
    assert_linux_intact(machine)


def test_cell_config_refused_for_enable(machine):
    out, rc = jh(machine, "enable /root/tiny-demo.cell")
    assert rc != 0 and "tiny-demo.cell" in out, out
    assert_linux_intact(machine)


def test_console_keeps_the_refusal(machine):
    """After the failed enable the hypervisor's memory is gone, but its
    console, where it said why it refused, is still readable: whole
    through sysfs, and through the device, which ends once it has all."""
    out, rc = jh(machine, "console")
    assert rc == 0, out
    assert re.search(HV_REFUSAL, out), out
    follow = machine.console.check("timeout 20 jailhouse console -f "
                                   "> /tmp/follow; echo rc=$?; "
                                   "grep -E 'local APIC' /tmp/follow")
    assert "rc=0" in follow, "console -f ends when the hypervisor is off"
    assert re.search(HV_REFUSAL, follow), follow


def test_zz_rmmod_and_reload(machine):
    c = machine.console
    assert c.run("rmmod jailhouse")[1] == 0
    assert c.run("ls /dev/jailhouse")[1] != 0
    assert c.run(f"ls {SYSFS}")[1] != 0
    assert c.run("insmod /lib/modules/jailhouse.ko")[1] == 0
    assert c.check(f"cat {SYSFS}/enabled") == "0"
    assert c.check("ls /dev/jailhouse") == "/dev/jailhouse"
