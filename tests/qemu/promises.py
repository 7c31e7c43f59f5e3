"""What each target promises the hypervisor, and the checks that hold a
booted machine to it: CPU count, virtualization extension on every CPU,
the VT-d unit (or its absence), the reserved hypervisor block.

test_boot.py checks the QEMU targets with them; Bochs, slow to boot, is
checked once, inside the session it boots for (test_session.py)."""

import re

import machines

EXPECT = {
    "qemu-tcg": {"cpus": 4, "virt": "svm", "virt_extra": "npt",
                 "iommu": "vt-d"},
    "qemu-amd": {"cpus": 4, "virt": "svm", "virt_extra": "npt",
                 "iommu": "amd-vi"},
    "qemu-x2apic": {"cpus": 4, "virt": "svm", "virt_extra": "npt",
                    "iommu": "vt-d", "linux_remaps": True},
    "bochs": {"cpus": 4, "virt": "vmx", "virt_extra": "ept",
              "iommu": None},
    "qemu-kvm": {"cpus": 4, "virt": "vmx", "virt_extra": "ept",
                 "iommu": "vt-d"},
}


def check_cpus(console, expect):
    assert console.check("nproc") == str(expect["cpus"])


def check_virtualization_flags(console, expect):
    """Every CPU shows the virtualization extension in its flags line (not
    counting the separate "vmx flags" lines)."""
    flag = expect["virt"]
    count = console.check(f"grep -c '^flags.*\\<{flag}\\>' /proc/cpuinfo")
    assert count == str(expect["cpus"])
    if flag == "vmx":
        vmx_flags = console.check("grep -m1 '^vmx flags' /proc/cpuinfo")
        assert expect["virt_extra"] in vmx_flags.split()
    else:
        extra = console.check(
            f"grep -c '^flags.*\\<{expect['virt_extra']}\\>' /proc/cpuinfo")
        assert extra == str(expect["cpus"])


def check_iommu_unit(console, expect):
    """The VT-d targets have one unit at 0xfed90000 (DMAR), qemu-amd one
    AMD-Vi unit (IVRS), Bochs none."""
    dmesg, _ = console.run("dmesg | grep -i -E 'dmar|ivrs'")
    if expect["iommu"] == "vt-d":
        assert re.search(r"ACPI: DMAR ", dmesg), dmesg
        assert re.search(r"DRHD base: 0x0*fed90000", dmesg), dmesg
    else:
        assert "ACPI: DMAR" not in dmesg
    assert bool(re.search(r"ACPI: IVRS ", dmesg)) == \
        (expect["iommu"] == "amd-vi"), dmesg


def check_apic_mode(console, expect):
    """The x2APIC target: Linux runs its APICs in x2APIC mode and owns the
    unit's interrupt remapping before the hypervisor comes; every other
    target boots with intremap=off, in xAPIC mode (Bochs, qemu-tcg,
    qemu-amd) or x2APIC without Linux's remapping (qemu-kvm)."""
    dmesg, _ = console.run("dmesg | grep -E 'x2apic|DMAR-IR'")
    remaps = "DMAR-IR: Enabled IRQ remapping in x2apic mode" in dmesg
    assert remaps == expect.get("linux_remaps", False), dmesg
    if remaps:
        assert "x2apic enabled" in dmesg, dmesg


def iomem(console):
    """Top-level /proc/iomem entries as (start, end, name)."""
    entries = []
    for line in console.check("cat /proc/iomem").split("\n"):
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) : (.*)$", line)
        if m:
            entries.append((int(m.group(1), 16), int(m.group(2), 16),
                            m.group(3)))
    return entries


def check_memmap_reserved(console):
    """memmap=66M$0x3be00000 took effect: the block starts a reserved
    region and no System RAM overlaps it."""
    entries = iomem(console)
    start, end = machines.MEMMAP_START, machines.MEMMAP_END
    assert any(s == start and name == "Reserved" for s, _, name in entries), \
        entries
    overlap = [(hex(s), hex(e), n) for s, e, n in entries
               if n == "System RAM" and s <= end and e >= start]
    assert not overlap, f"System RAM inside the reserved block: {overlap}"
    cmdline = console.check("cat /proc/cmdline")
    assert machines.MEMMAP in cmdline.split()


def check_all(console, name):
    """Every promise of target `name`, in one go."""
    expect = EXPECT[name]
    check_cpus(console, expect)
    check_virtualization_flags(console, expect)
    check_iommu_unit(console, expect)
    check_apic_mode(console, expect)
    check_memmap_reserved(console)
