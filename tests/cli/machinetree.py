# SPDX-License-Identifier: GPL-2.0
"""Hand-made machine trees for `jailhouse config create --root`: the files
Linux would show (procfs, sysfs, ACPI tables, PCI config space) for
machines the emulators cannot be, written from the ACPI, VT-d, AMD-Vi and
PCI specifications. Each builder returns the tree's path."""
import struct


def acpi_table(sig, body, revision=1):
    length = 36 + len(body)
    head = struct.pack("<4sIBB6s8sI4sI", sig.encode(), length, revision, 0,
                       b"JHTEST", b"MACHINE ", 1, b"JHTS", 1)
    data = bytearray(head + body)
    data[9] = (-sum(data)) & 0xff
    return bytes(data)


def madt(cpus, ioapics, lapic=0xfee00000, x2apic_from=None):
    """cpus: APIC ids; ioapics: (id, address, gsi_base)."""
    body = struct.pack("<II", lapic, 1)
    for uid, apic in enumerate(cpus):
        if x2apic_from is not None and apic >= x2apic_from:
            body += struct.pack("<BBHIII", 9, 16, 0, apic, 1, uid)
        else:
            body += struct.pack("<BBBBI", 0, 8, uid, apic, 1)
    for ioid, addr, gsi in ioapics:
        body += struct.pack("<BBBBII", 1, 12, ioid, 0, addr, gsi)
    return acpi_table("APIC", body, 3)


def fadt(pm_port=0x608):
    body = bytearray(244 - 36)
    struct.pack_into("<I", body, 76 - 36, pm_port)
    struct.pack_into("<I", body, 112 - 36, 1 << 8)
    # X_PM_TMR_BLK: port I/O, 32 bits
    struct.pack_into("<BBBBQ", body, 208 - 36, 1, 32, 0, 3, pm_port)
    return acpi_table("FACP", bytes(body), 5)


def mcfg(entries):
    body = bytes(8)
    for base, seg, sbus, ebus in entries:
        body += struct.pack("<QHBBI", base, seg, sbus, ebus, 0)
    return acpi_table("MCFG", body)


def dmar_scope(kind, bus, path, enum_id=0):
    data = struct.pack("<BBBBBB", kind, 6 + 2 * len(path), 0, 0, enum_id,
                       bus)
    for dev, fn in path:
        data += struct.pack("<BB", dev, fn)
    return data


def dmar(units, intr_remap=True):
    """units: (base, include_all, [scope bytes])."""
    body = struct.pack("<BB10s", 38, 1 if intr_remap else 0, bytes(10))
    for base, include_all, scopes in units:
        sc = b"".join(scopes)
        body += struct.pack("<HHBBHQ", 0, 16 + len(sc),
                            1 if include_all else 0, 0, 0, base) + sc
    return acpi_table("DMAR", body)


def ivrs(units, block_type=0x10):
    """units: (base, devid, [entry bytes]), or with two more items, the
    IVHD's flags byte and (type 10h) its feature reporting field or
    (later types) its image of the extended feature register."""
    body = struct.pack("<I8s", 0x203040, bytes(8))
    for unit in units:
        base, devid, entries = unit[:3]
        flags, features = unit[3:] if len(unit) > 3 else (0, 0)
        ent = b"".join(entries)
        hlen = 24 if block_type == 0x10 else 40
        head = struct.pack("<BBHHHQHHI", block_type, flags, hlen + len(ent),
                           devid, 0x40, base, 0, 0,
                           features if block_type == 0x10 else 0)
        if block_type != 0x10:
            head += struct.pack("<QQ", features, 0)
        body += head + ent
    return acpi_table("IVRS", body)


def ivhd_select(devid):
    """IVHD device entry: the one device devid."""
    return struct.pack("<BHB", 2, devid, 0)


def ivhd_range(first, last):
    """IVHD device entries: devids first to last."""
    return struct.pack("<BHBBHB", 3, first, 0, 4, last, 0)


def ivhd_ioapic(ioapic_id, devid):
    """IVHD special device entry (8 bytes): an IOAPIC and its devid."""
    return struct.pack("<BHBBHB", 0x48, 0, 0, ioapic_id, devid, 1)


def amd_iommu_function(base, msi=True):
    """The config space of an AMD-Vi unit's own function: its secure
    device (IOMMU) capability at 0x40 naming base (enabled, as firmware
    leaves it), then MSI at 0x54."""
    secure = (0x0f, struct.pack("<HIIII", 0x0103,
                                (base & 0xffffffff) | 1, base >> 32, 0, 0))
    return pci_config(0x1022, 0x1419, 0x080600,
                      caps=[secure, MSI_CAP] if msi else [secure])


def pci_config(vendor, device, cls, header=0, bars=(), bridge_buses=None,
               caps=(), size=256):
    """caps: (id, bytes after id/next) in list order."""
    cfg = bytearray(size)
    struct.pack_into("<HH", cfg, 0, vendor, device)
    struct.pack_into("<I", cfg, 8, cls << 8)
    cfg[14] = header
    for i, bar in enumerate(bars):
        struct.pack_into("<I", cfg, 16 + 4 * i, bar)
    if bridge_buses:
        cfg[24], cfg[25], cfg[26] = bridge_buses
    if caps:
        struct.pack_into("<H", cfg, 6, 1 << 4)
        pos = 0x40
        cfg[0x34] = pos
        for n, (cid, rest) in enumerate(caps):
            nxt = pos + 2 + len(rest)
            nxt = (nxt + 3) & ~3
            cfg[pos] = cid
            cfg[pos + 1] = nxt if n + 1 < len(caps) else 0
            cfg[pos + 2:pos + 2 + len(rest)] = rest
            pos = nxt
    return bytes(cfg)


MSIX_CAP = (0x11, struct.pack("<HII", 63, 0x2000 | 0, 0x3000 | 0))
MSI_CAP = (0x05, struct.pack("<HII", 0x86, 0, 0))
PCIE_CAP = (0x10, struct.pack("<H", 0x0002) + bytes(6))


def write(root, rel, data):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)


def iomem_text(entries):
    return "".join("%s%x-%x : %s\n" % ("  " * d, s, e, n)
                   for d, s, e, n in entries)


def base_tree(root, cpus=4, cmdline=None, tables=None, devices=None,
              iomem=None, memmap=None, cpuinfo_flags=None):
    """A q35-like machine with 1 GiB of RAM, 66 MiB reserved at
    0x3be00000, overridable piece by piece."""
    root.mkdir(parents=True, exist_ok=True)
    flags = cpuinfo_flags or "fpu vme de pse tsc msr pae apic svm npt"
    cpuinfo = "".join(
        "processor\t: %d\nvendor_id\t: AuthenticAMD\nmodel name\t: Test "
        "CPU\napicid\t\t: %d\nflags\t\t: %s\n\n" % (i, i, flags)
        for i in range(cpus))
    write(root, "proc/cpuinfo", cpuinfo)
    write(root, "proc/cmdline", cmdline or
          "console=ttyS0 memmap=66M$0x3be00000 intel_iommu=off "
          "intremap=off\n")
    write(root, "sys/devices/system/cpu/online",
          "0-%d\n" % (cpus - 1) if cpus > 1 else "0\n")
    write(root, "sys/devices/system/cpu/present",
          "0-%d\n" % (cpus - 1) if cpus > 1 else "0\n")
    write(root, "proc/ioports", iomem_text([
        (0, 0x0, 0xcf7, "PCI Bus 0000:00"), (1, 0x3f8, 0x3ff, "serial"),
        (1, 0x600, 0x67f, "0000:00:1f.0"), (2, 0x608, 0x60b, "ACPI PM_TMR"),
        (0, 0xcf8, 0xcff, "PCI conf1"), (0, 0xd00, 0xffff,
                                        "PCI Bus 0000:00")]))
    write(root, "proc/iomem", iomem_text(iomem or [
        (0, 0x0, 0xfff, "Reserved"), (0, 0x1000, 0x9fbff, "System RAM"),
        (0, 0x9fc00, 0x9ffff, "Reserved"),
        (0, 0xa0000, 0xbffff, "PCI Bus 0000:00"),
        (0, 0xc0000, 0xc9bff, "Video ROM"), (0, 0xf0000, 0xfffff, "Reserved"),
        (1, 0xf0000, 0xfffff, "System ROM"),
        (0, 0x100000, 0x3bdfffff, "System RAM"),
        (1, 0x1000000, 0x1ffffff, "Kernel code"),
        (0, 0x3be00000, 0x3fffffff, "Reserved"),
        (0, 0x40000000, 0xafffffff, "PCI Bus 0000:00"),
        (0, 0xb0000000, 0xbfffffff, "PCI MMCONFIG 0000 [bus 00-ff]"),
        (0, 0xc0000000, 0xfebfffff, "PCI Bus 0000:00"),
        (1, 0xfd000000, 0xfdffffff, "0000:00:01.0"),
        (0, 0xfec00000, 0xfec003ff, "IOAPIC 0"),
        (0, 0xfed00000, 0xfed003ff, "HPET 0"),
        (0, 0xfee00000, 0xfee00fff, "Local APIC")]))
    for i, (start, end, typ) in enumerate(memmap or [
            (0x0, 0x9fbff, "System RAM"), (0x9fc00, 0x9ffff, "Reserved"),
            (0xf0000, 0xfffff, "Reserved"),
            (0x100000, 0x3ffdefff, "System RAM"),
            (0x3ffdf000, 0x3fffffff, "Reserved"),
            (0xb0000000, 0xbfffffff, "Reserved")]):
        d = "sys/firmware/memmap/%d/" % i
        write(root, d + "start", "0x%x\n" % start)
        write(root, d + "end", "0x%x\n" % end)
        write(root, d + "type", typ + "\n")
    if tables is None:
        tables = {
            "APIC": madt(range(cpus), [(0, 0xfec00000, 0)]),
            "FACP": fadt(),
            "MCFG": mcfg([(0xb0000000, 0, 0, 255)]),
            "DMAR": dmar([(0xfed90000, True,
                           [dmar_scope(3, 0xff, [(0, 0)], 0)])]),
        }
    for sig, data in tables.items():
        if data is not None:
            write(root, "sys/firmware/acpi/tables/" + sig, data)
    for name, (cfg, driver) in (devices or {
            "0000:00:00.0": (pci_config(0x8086, 0x29c0, 0x060000), None),
            "0000:00:01.0": (pci_config(0x1234, 0x1111, 0x030000,
                                        bars=[0xfd000008]), "bochs-drm"),
            "0000:00:1f.0": (pci_config(0x8086, 0x2918, 0x060100, 0x80),
                             "lpc_ich")}).items():
        d = root / "sys/bus/pci/devices" / name
        write(root, "sys/bus/pci/devices/%s/config" % name, cfg)
        if driver:
            (d / "driver").symlink_to("../../../bus/pci/drivers/" + driver)
    return root


def big_server(root):
    """16 CPUs, two IOAPICs, two VT-d units (one for the graphics device
    alone, one for everything else), a PCIe bridge with two devices
    behind it, an MSI-X device, RAM above 4 GiB with a hole."""
    devices = {
        "0000:00:00.0": (pci_config(0x8086, 0x3e30, 0x060000), None),
        "0000:00:02.0": (pci_config(0x8086, 0x3e92, 0x030000,
                                    bars=[0xf0000004, 0],
                                    caps=[MSI_CAP]), "i915"),
        "0000:00:1c.0": (pci_config(0x8086, 0xa338, 0x060400, 0x81,
                                    bridge_buses=(0, 1, 1),
                                    caps=[PCIE_CAP, MSI_CAP]), "pcieport"),
        "0000:01:00.0": (pci_config(0x8086, 0x1533, 0x020000,
                                    bars=[0xf1000000, 0, 0, 0xf1100000],
                                    caps=[MSI_CAP, MSIX_CAP, PCIE_CAP]),
                         "igb"),
        "0000:01:00.1": (pci_config(0x8086, 0x1533, 0x020000, 0x80,
                                    bars=[0xf1200000],
                                    caps=[MSIX_CAP]), None),
        "0000:00:1f.0": (pci_config(0x8086, 0xa306, 0x060100, 0x80),
                         "lpc_ich"),
    }
    iomem = [
        (0, 0x0, 0xfff, "Reserved"), (0, 0x1000, 0x9efff, "System RAM"),
        (0, 0x9f000, 0xfffff, "Reserved"),
        (1, 0xf0000, 0xfffff, "System ROM"),
        (0, 0x100000, 0x3bdfffff, "System RAM"),
        (0, 0x3be00000, 0x7bdfffff, "Reserved"),
        (0, 0x7be00000, 0x7bffffff, "System RAM"),
        (0, 0x7c000000, 0x7c0fffff, "ACPI Tables"),
        (0, 0x7c100000, 0x7c1fffff, "ACPI Non-volatile Storage"),
        (0, 0x80000000, 0xdfffffff, "PCI Bus 0000:00"),
        (1, 0xe0000000, 0xefffffff, "PCI MMCONFIG 0000 [bus 00-ff]"),
        (0, 0xf0000000, 0xfebfffff, "PCI Bus 0000:00"),
        (1, 0xf0000000, 0xf0ffffff, "0000:00:02.0"),
        (1, 0xf1000000, 0xf12fffff, "PCI Bus 0000:01"),
        (2, 0xf1000000, 0xf10fffff, "0000:01:00.0"),
        (2, 0xf1100000, 0xf1103fff, "0000:01:00.0"),
        (2, 0xf1200000, 0xf12fffff, "0000:01:00.1"),
        (0, 0xfec00000, 0xfec003ff, "IOAPIC 0"),
        (0, 0xfec01000, 0xfec013ff, "IOAPIC 1"),
        (0, 0xfed00000, 0xfed003ff, "HPET 0"),
        (0, 0xfed90000, 0xfed90fff, "dmar0"),
        (0, 0xfed91000, 0xfed91fff, "dmar1"),
        (0, 0xfee00000, 0xfee00fff, "Local APIC"),
        (0, 0xfed40000, 0xfed44fff, "INT34C5:00"),
        (0, 0x100000000, 0x27fffffff, "System RAM"),
        (0, 0x300000000, 0x47fffffff, "System RAM"),
    ]
    memmap = [
        (0x0, 0x9efff, "System RAM"), (0x9f000, 0xfffff, "Reserved"),
        (0x100000, 0x7bffffff, "System RAM"),
        (0x7c000000, 0x7c0fffff, "ACPI Tables"),
        (0x7c100000, 0x7c1fffff, "ACPI Non-volatile Storage"),
        (0xe0000000, 0xefffffff, "Reserved"),
        (0x100000000, 0x27fffffff, "System RAM"),
        (0x300000000, 0x47fffffff, "System RAM"),
    ]
    tables = {
        "APIC": madt(range(16), [(0, 0xfec00000, 0), (1, 0xfec01000, 24)]),
        "FACP": fadt(0x1808),
        "MCFG": mcfg([(0xe0000000, 0, 0, 255)]),
        "DMAR": dmar([
            (0xfed90000, False, [dmar_scope(1, 0, [(2, 0)])]),
            (0xfed91000, True, [dmar_scope(3, 0xf0, [(0x1f, 0)], 0),
                                dmar_scope(3, 0xf0, [(0x1f, 1)], 1)]),
        ]),
    }
    return base_tree(root, cpus=16, devices=devices, iomem=iomem,
                     memmap=memmap, tables=tables,
                     cmdline="memmap=1G$0x3be00000 intel_iommu=off "
                     "intremap=off quiet\n",
                     cpuinfo_flags="fpu apic vmx ept x2apic")


def amd_server(root, block_type=0x11):
    """An AMD machine with two AMD-Vi units: one (IVHD devices 00:00.0 to
    00:1f.7 by a range, the IOAPIC as its special device) for bus 0, one
    (a select entry per device) for bus 1, behind a bridge. 00:14.0 and
    01:00.0 are the units' own functions; 02:00.0 lies in no unit's
    range. The second unit has performance counters and coherent table
    walks."""
    devices = {
        "0000:00:00.0": (pci_config(0x1022, 0x1480, 0x060000), None),
        "0000:00:01.0": (pci_config(0x1022, 0x1483, 0x060400, 0x81,
                                    bridge_buses=(0, 1, 2),
                                    caps=[PCIE_CAP, MSI_CAP]), "pcieport"),
        "0000:00:14.0": (amd_iommu_function(0xfd000000), None),
        "0000:00:18.0": (pci_config(0x1022, 0x1440, 0x060000, 0x80),
                         None),
        "0000:01:00.0": (amd_iommu_function(0xfd200000), None),
        "0000:01:00.1": (pci_config(0x8086, 0x1533, 0x020000,
                                    bars=[0xf1000000],
                                    caps=[MSI_CAP, MSIX_CAP, PCIE_CAP]),
                         "igb"),
        "0000:02:00.0": (pci_config(0x144d, 0xa808, 0x010802,
                                    bars=[0xf1100004, 0],
                                    caps=[MSI_CAP, PCIE_CAP]), "nvme"),
    }
    iomem = [
        (0, 0x0, 0xfff, "Reserved"), (0, 0x1000, 0x9efff, "System RAM"),
        (0, 0x9f000, 0xfffff, "Reserved"),
        (0, 0x100000, 0x3bdfffff, "System RAM"),
        (0, 0x3be00000, 0x3fffffff, "Reserved"),
        (0, 0x40000000, 0x7fffffff, "System RAM"),
        (0, 0xe0000000, 0xefffffff, "PCI MMCONFIG 0000 [bus 00-ff]"),
        (0, 0xf0000000, 0xfcffffff, "PCI Bus 0000:00"),
        (1, 0xf1000000, 0xf10fffff, "0000:01:00.1"),
        (1, 0xf1100000, 0xf1103fff, "0000:02:00.0"),
        (0, 0xfec00000, 0xfec003ff, "IOAPIC 0"),
        (0, 0xfee00000, 0xfee00fff, "Local APIC"),
    ]
    memmap = [
        (0x0, 0x9efff, "System RAM"), (0x9f000, 0xfffff, "Reserved"),
        (0x100000, 0x7fffffff, "System RAM"),
        (0xe0000000, 0xefffffff, "Reserved"),
    ]
    tables = {
        "APIC": madt(range(8), [(4, 0xfec00000, 0)]),
        "FACP": fadt(),
        "MCFG": mcfg([(0xe0000000, 0, 0, 255)]),
        "IVRS": ivrs([
            (0xfd000000, 0x00a0, [ivhd_range(0x0000, 0x00ff),
                                  ivhd_ioapic(4, 0x00a2)], 0x10, 0),
            (0xfd200000, 0x0100, [ivhd_select(0x0100),
                                  ivhd_select(0x0101)], 0x30, 1 << 9),
        ], block_type=block_type),
    }
    return base_tree(root, cpus=8, devices=devices, iomem=iomem,
                     memmap=memmap, tables=tables,
                     cmdline="memmap=66M$0x3be00000 amd_iommu=off quiet\n")


def cpu_devices(root, cpus, cpuid, msrs):
    """Captured /dev/cpu/N/cpuid and msr as sparse files: cpuid
    {(leaf, subleaf): (eax, ebx, ecx, edx)} at 16 * (leaf | subleaf << 32),
    msrs {index: value} at 8 * index (the device's offsets, one record
    each, as the tool reads a regular file in place of the device)."""
    for cpu in range(cpus):
        d = root / "dev" / "cpu" / str(cpu)
        d.mkdir(parents=True, exist_ok=True)
        with open(d / "cpuid", "wb") as f:
            for (leaf, sub), regs in cpuid.items():
                f.seek(16 * (leaf | sub << 32))
                f.write(struct.pack("<4I", *regs))
        with open(d / "msr", "wb") as f:
            for index, value in msrs.items():
                f.seek(8 * index)
                f.write(struct.pack("<Q", value))


def amd_cpu(svmdis=False, npt=True):
    cpuid = {(0, 0): (0xd, 0, 0, 0), (1, 0): (0x663, 0, 0, 0),
             (0x80000000, 0): (0x8000000a, 0, 0, 0),
             (0x80000001, 0): (0, 0, 1 << 2, 0),
             (0x8000000a, 0): (1, 16, 0, 1 if npt else 0)}
    return cpuid, {0xc0010114: (1 << 4) if svmdis else 0}


def intel_cpu(unrestricted=True, locked_off=False, x2apic=True):
    cpuid = {(0, 0): (0xd, 0, 0, 0),
             (1, 0): (0x906ea, 0, (1 << 5) | ((1 << 21) if x2apic else 0),
                      0)}
    all1 = 0xffffffff << 32
    proc2 = ((1 << 1) | (1 << 5) | ((1 << 7) if unrestricted else 0)) << 32
    msrs = {0x3a: 1 if locked_off else 5, 0x480: 0, 0x481: all1,
            0x482: all1, 0x483: all1, 0x484: all1, 0x48b: proc2,
            0x48c: (1 << 6) | (1 << 14) | (1 << 16) | (1 << 17) |
            (1 << 20) | (1 << 25) | (1 << 26) | (1 << 32)}
    return cpuid, msrs


def vtd_registers(root, base, cap, ecap, version=0x10):
    """A VT-d unit's register page in a captured dev/mem: a sparse file
    whose offset is the physical address (version, CAP at 8, ECAP at
    0x10), as the tool maps the device."""
    with open(root / "dev" / "mem", "ab") as f:
        f.truncate(max(f.tell(), base + 0x1000))
    with open(root / "dev" / "mem", "r+b") as f:
        f.seek(base)
        f.write(struct.pack("<IIQQ", version, 0, cap, ecap))


def kernel_log(root, lines):
    """A captured dev/kmsg: the records as the device hands them out
    (priority, sequence number, microseconds, flags; the text)."""
    write(root, "dev/kmsg", "".join(
        "6,%d,%d,-;%s\n" % (i, 1000 * i, text) for i, text in
        enumerate(lines)))


# What QEMU's intel-iommu model reports (eim=on, intremap=on):
# SAGAW 39+48, 2 MiB and 1 GiB pages, RWBF clear; QI, IR, EIM, no C.
QEMU_VTD_CAP = 0xd2008c222f0606
QEMU_VTD_ECAP = 0xf00f5a
