# SPDX-License-Identifier: GPL-2.0
"""`jailhouse config show`, `config create`, `config collect` and
`hardware check`, run as programs on files and on captured machine trees
(tests/cli/machines/). The .cell files are read back with cellfmt, a
reader written from docs/config-format.md, not with the tool's code."""
import re
import shutil
import struct
import subprocess

import pytest

import cellfmt
import machinetree
import test_cli as base

CLI, CELLS, BAD_CELLS = base.CLI, base.CELLS, base.BAD_CELLS
EXIT_IO, EXIT_USAGE, EXIT_CONFIG = base.EXIT_IO, base.EXIT_USAGE, \
    base.EXIT_CONFIG


def run(*args, env=None, cwd=None):
    e = {"LC_ALL": "C", "PATH": "/usr/bin:/bin"}
    e.update(env or {})
    return subprocess.run([str(CLI)] + [str(a) for a in args], env=e,
                          cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def ok(*args, **kw):
    res = run(*args, **kw)
    assert res.returncode == 0, (res.stdout, res.stderr)
    return res


def bdf_text(domain, bdf):
    return "%04x:%02x:%02x.%x" % (domain, bdf >> 8, bdf >> 3 & 0x1f, bdf & 7)


def expected_lines(cfg):
    """Lines (stripped of their index) show must print for cfg."""
    lines = []
    for phys, virt, size, flags in cfg["mem"]:
        words = cellfmt.mem_flag_words(flags)
        if flags & (1 << 5):
            lines.append("guest 0x%08x (" % virt)
        else:
            text = "0x%08x-0x%08x" % (phys, phys + size - 1)
            if virt != phys:
                text += " at guest 0x%08x" % virt
            lines.append(text + " (")
        lines.append(") " + words)
    for addr, sid, _base, _bits in cfg["irqchips"]:
        lines.append("IOAPIC at 0x%08x, source id 0x%04x" % (addr, sid))
    for pbase, length in cfg["pio"]:
        lines.append("0x%04x-0x%04x (%d ports)" % (pbase, pbase + length - 1,
                                                   length))
    for typ, iommu, domain, bdf in cfg["pci"]:
        lines.append("%s %s, IOMMU unit %d, owner \"%s\"" % (
            bdf_text(domain, bdf), {1: "device", 2: "bridge"}[typ], iommu,
            cfg["name"]))
    return lines


def cpu_list(cpus):
    out, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else "%d-%d" % (cpus[i], cpus[j]))
        i = j + 1
    return ",".join(out)


# ---- config show ------------------------------------------------------------

@pytest.mark.parametrize("path", base.real_configs(), ids=lambda p: p.name)
def test_show_every_shipped_config(path):
    res = ok("config", "show", path)
    cfg = cellfmt.parse(path.read_bytes())
    out = res.stdout
    kind = "system" if cfg["system"] else "cell"
    assert out.startswith("%s: %s config, %d bytes\n" % (
        path, kind, path.stat().st_size))
    assert ('%s "%s"' % ("Root cell" if cfg["system"] else "Cell",
                         cfg["name"])) in out
    assert "CPUs: %s " % cpu_list(cfg["cpus"]) in out
    assert "Memory regions: %d\n" % len(cfg["mem"]) in out
    assert "IRQ chips: %d\n" % len(cfg["irqchips"]) in out
    assert "Port I/O ranges: %d\n" % len(cfg["pio"]) in out
    assert "PCI devices: %d\n" % len(cfg["pci"]) in out
    body = out
    for line in expected_lines(cfg):
        assert line in body, "%r not in:\n%s" % (line, out)
        body = body[body.index(line) + len(line):]
    if cfg["system"]:
        phys, _v, size, _f = cfg["hv"]
        assert "Hypervisor memory: 0x%08x-0x%08x" % (phys, phys + size - 1) \
            in out
        assert "PM timer: port 0x%x\n" % cfg["pm_timer"] in out
        assert "APIC mode: %s\n" % {1: "xAPIC", 2: "x2APIC"}[
            cfg["apic_mode"]] in out
        mm, sb, eb = cfg["mmconfig"]
        assert "PCI MMCONFIG: 0x%08x, buses %02x-%02x" % (mm, sb, eb) in out
        assert "IOMMU units: %d\n" % len(cfg["iommu"]) in out
        for i, unit in enumerate(cfg["iommu"]):
            utype, usize, ubase, bdf, cap, msi, first, last = unit
            name = {1: "VT-d", 2: "AMD-Vi"}[utype]
            assert "%d: %s, base 0x%08x, size 0x%x\n" % (
                i, name, ubase, usize) in out
            if utype == 2:
                assert "its PCI function %02x:%02x.%x, capability at 0x%x, " \
                    "MSI at 0x%x, devices %02x:%02x.%x-%02x:%02x.%x" % (
                        bdf >> 8, bdf >> 3 & 0x1f, bdf & 7, cap, msi,
                        first >> 8, first >> 3 & 0x1f, first & 7,
                        last >> 8, last >> 3 & 0x1f, last & 7) in out
        con_addr, con_flags, _ = cfg["console"]
        if con_flags & 0xf == 1:
            assert "Debug console: 8250 UART at port 0x%x\n" % con_addr \
                in out
    else:
        assert "Reset address: 0x%x\n" % cfg["reset"] in out


def test_show_several_names_takers():
    res = ok("config", "show", CELLS / "qemu-svm.cell",
             CELLS / "edu-demo.cell", CELLS / "apic-demo.cell")
    assert re.search(r'0000:00:10\.0 device, IOMMU unit 0, owner "QEMU-VM", '
                     r'taken by cell "edu-demo"\n', res.stdout)
    assert res.stdout.count("config, ") == 3


def test_show_flags_by_name():
    out = ok("config", "show", CELLS / "apic-demo.cell").stdout
    assert "comm-region" in out and "loadable" in out
    assert "Flags: debug-console" in out or "Flags: none" in out


def test_show_invalid_but_readable(tmp_path):
    # A rule broken after the layout check: shown, flagged, exit 3.
    path = BAD_CELLS / "bad-mem-align.cell"
    res = run("config", "show", path)
    assert res.returncode == EXIT_CONFIG
    assert "INVALID" in res.stdout
    assert res.stderr.startswith("%s: " % path)
    assert "not page aligned" in res.stderr


@pytest.mark.parametrize("size", [0, 5, 95, 200, 400])
def test_show_garbage(tmp_path, size):
    p = tmp_path / "g.cell"
    p.write_bytes(b"JHSYST" + b"\xff" * size if size > 100 else
                  b"\x5a" * size)
    res = run("config", "show", p)
    assert res.returncode == EXIT_CONFIG
    assert res.stdout == ""
    assert res.stderr.startswith(str(p) + ": ")


def test_show_truncated_shipped_config(tmp_path):
    data = (CELLS / "qemu-svm.cell").read_bytes()
    for cut in (1, 8, 32, len(data) - 320):
        p = tmp_path / "cut.cell"
        p.write_bytes(data[:-cut])
        res = run("config", "show", p)
        assert res.returncode == EXIT_CONFIG, cut
        assert res.stdout == ""


def test_show_unreadable():
    res = run("config", "show", "/nonexistent.cell")
    assert res.returncode == EXIT_IO
    assert "cannot read /nonexistent.cell" in res.stderr


def test_show_usage():
    assert run("config", "show").returncode == EXIT_USAGE
    assert ok("config", "show", "--help").stdout.startswith(
        "Usage: jailhouse config show")


# ---- config create ----------------------------------------------------------

MACHINES = base.ROOT / "tests" / "cli" / "machines"


def create(tmp_path, root, *opts, name="sys"):
    out = tmp_path / (name + ".cell")
    res = run("config", "create", "--root", root, "-o", out, *opts)
    return res, out


def compiled(tmp_path, csrc):
    """The .cell bytes the generated C source compiles to."""
    obj = tmp_path / "cfg.o"
    cell = tmp_path / "cfg-from-c.cell"
    subprocess.run(["cc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-I",
                    str(base.ROOT / "include"), "-c", str(csrc), "-o",
                    str(obj)], check=True, timeout=60)
    subprocess.run(["objcopy", "-O", "binary", "-j", ".cell", str(obj),
                    str(cell)], check=True, timeout=60)
    return cell.read_bytes()


def created(tmp_path, root, *opts):
    """Runs create, checks the validator and the C source, returns
    (parsed config, stderr)."""
    res, out = create(tmp_path, root, *opts)
    assert res.returncode == 0, res.stderr
    assert ok("config", "check", out).stdout.startswith(
        "%s: valid system config" % out)
    assert compiled(tmp_path, out.with_suffix(".c")) == out.read_bytes()
    return cellfmt.parse(out.read_bytes()), res.stderr


def covers(cfg, start, size):
    return any(p <= start and start + size <= p + s
               for p, _v, s, _f in cfg["mem"])


def overlaps(cfg, start, size):
    return any(p < start + size and start < p + s
               for p, _v, s, _f in cfg["mem"])


def test_create_qemu_svm_snapshot(tmp_path):
    cfg, err = created(tmp_path, MACHINES / "qemu-svm", "--name", "QEMU-VM",
                       "--console", "0x3e8")
    hand = cellfmt.parse((CELLS / "qemu-svm.cell").read_bytes())
    for key in ("hv", "console", "pm_timer", "apic_mode", "mmconfig",
                "iommu", "cpus", "irqchips", "pio", "name"):
        assert cfg[key] == hand[key], key
    # every device there is, none that is not (the hand config lists 00:03.0)
    assert {p[3] for p in cfg["pci"]} == {p[3] for p in hand["pci"]} - \
        {0x18}
    # RAM, the memory for cells, the edu device's BAR (edu-demo takes it)
    assert covers(cfg, 0x100000, 0x3bd00000)
    assert covers(cfg, 0x3c400000, 0x3fdfffff - 0x3c400000)
    assert covers(cfg, 0xfea00000, 0x100000)
    # nothing of the hypervisor, the IOAPIC, the VT-d unit, MMCONFIG
    for start, size in ((0x3be00000, 6 << 20), (0xfec00000, 0x1000),
                        (0xfed90000, 0x1000), (0xb0000000, 0x10000000),
                        (0xfee00000, 0x1000)):
        assert not overlaps(cfg, start, size), hex(start)
    assert "above 4 GiB" in err
    src = (tmp_path / "sys.c").read_text()
    assert "What could not be told" in src and "above 4 GiB" in src


def test_create_bochs_snapshot(tmp_path):
    """Bochs's CPU has x2apic, but Linux stays in xAPIC mode without
    interrupt remapping; its kernel log says so and the config follows,
    as the hand-written one is. The shell's UART stays root's."""
    snap = MACHINES / "bochs"
    assert " x2apic " in (snap / "proc/cpuinfo").read_text()
    cfg, err = created(tmp_path, snap, "--name", "Bochs-VM",
                       "--shared-console", "0x3f8")
    hand = cellfmt.parse((CELLS / "bochs-vm.cell").read_bytes())
    for key in ("hv", "console", "pm_timer", "apic_mode", "cpus", "pio",
                "name"):
        assert cfg[key] == hand[key], key
    assert cfg["apic_mode"] == 1 and "assumed from cpuinfo" not in err
    assert "no MCFG table" in err and cfg["iommu"] == []
    # the ACPI tables as they are, read/write; the cells' memory below
    assert (0x3fff0000, 0x3fff0000, 0x10000, 0x3) in cfg["mem"]
    assert covers(cfg, 0x3c400000, 0x3fff0000 - 0x3c400000)


def test_create_qemu_x2apic_snapshot(tmp_path):
    """Linux in x2APIC mode with its own interrupt remapping: its log
    says x2APIC, and so does the config, as the hand-written one."""
    cfg, err = created(tmp_path, MACHINES / "qemu-x2apic", "--name",
                       "QEMU-VM", "--console", "0x3e8")
    hand = cellfmt.parse((CELLS / "qemu-x2apic.cell").read_bytes())
    for key in ("hv", "console", "pm_timer", "apic_mode", "mmconfig",
                "iommu", "cpus", "irqchips", "pio", "name"):
        assert cfg[key] == hand[key], key
    assert cfg["apic_mode"] == 2 and "assumed from cpuinfo" not in err


def test_hardware_check_qemu_x2apic_snapshot(tmp_path):
    """The VT-d unit's CAP and ECAP from the line Linux logged for it in
    the guest (its range was busy there), held to what the hypervisor
    needs where it keeps Linux's remapping in x2APIC mode."""
    root = tmp_path / "hw"
    shutil.copytree(MACHINES / "qemu-x2apic", root)
    cpuid, msrs = machinetree.amd_cpu()
    cpuid[(1, 0)] = (0x663, 0, 1 << 21, 0)  # x2APIC, as the guest's CPU
    machinetree.cpu_devices(root, 4, cpuid, msrs)
    res = hw_check(root)
    assert res.returncode == 0, res.stdout
    for line in ("CAP 0xd2008c222f0606, ECAP 0xf00f5a (as Linux's kernel "
                 "log gives them)",
                 "ok       VT-d unit 0: interrupt remapping: ECAP.IR",
                 "ok       VT-d unit 0: queued invalidation: ECAP.QI",
                 "ok       VT-d unit 0: x2APIC destinations: ECAP.EIM",
                 "ok       interrupt remapping: Linux's own",
                 "ok       x2APIC: Linux runs in x2APIC mode",
                 "Verdict: enable would succeed\n"):
        assert line in res.stdout, res.stdout


@pytest.mark.parametrize("machine", ["qemu-svm", "qemu-amd"])
def test_create_cells_fit_generated_root(tmp_path, machine):
    # the session's cells take memory and devices root has, the devices
    # inside an AMD-Vi unit's range
    cfg, _ = created(tmp_path, MACHINES / machine, "--console", "0x3e8")
    amd = [u for u in cfg["iommu"] if u[0] == 2]
    for cell in ("apic-demo", "tiny-demo", "edu-demo", "crash-demo"):
        c = cellfmt.parse((CELLS / (cell + ".cell")).read_bytes())
        for phys, _v, size, flags in c["mem"]:
            if not flags & (1 << 5):
                assert covers(cfg, phys, size), (cell, hex(phys))
        root_pci = {(p[2], p[3]) for p in cfg["pci"]}
        assert {(p[2], p[3]) for p in c["pci"]} <= root_pci
        for p in c["pci"]:
            assert all(u[6] <= p[3] <= u[7] for u in amd), (cell, p)


def test_create_big_server(tmp_path):
    root = machinetree.big_server(tmp_path / "big")
    cfg, err = created(tmp_path, root)
    assert cfg["cpus"] == list(range(16))
    assert cfg["cpu_set_size"] == 8
    assert cfg["apic_mode"] == 2
    assert [(u[0], u[2], u[1]) for u in cfg["iommu"]] == [
        (1, 0xfed90000, 0x1000), (1, 0xfed91000, 0x1000)]
    # two IOAPICs, source ids from the DMAR scopes, pins from the GSI bases
    assert cfg["irqchips"] == [(0xfec00000, 0xf0f8, 0, (1 << 24) - 1),
                               (0xfec01000, 0xf0f9, 0, (1 << 24) - 1)]
    pci = {bdf: (typ, unit) for typ, unit, _dom, bdf in cfg["pci"]}
    assert pci[0x0010] == (1, 0)  # graphics: the first unit's own device
    assert pci[0x00e0] == (2, 1)  # the bridge
    assert pci[0x0100] == (1, 1) and pci[0x0101] == (1, 1)  # behind it
    # RAM above 4 GiB with its hole; the memory for cells
    assert covers(cfg, 0x100000000, 0x180000000)
    assert covers(cfg, 0x300000000, 0x180000000)
    assert not overlaps(cfg, 0x280000000, 0x80000000)
    assert covers(cfg, 0x3c400000, 0x7be00000 - 0x3c400000)
    # the EBDA below the legacy window, as device memory
    assert (0x9f000, 0x9f000, 0x1000, 0x13) in cfg["mem"]
    # ACPI tables readable, not executable; devices behind the bridge
    acpi = [m for m in cfg["mem"] if m[0] == 0x7c000000]
    assert acpi and acpi[0][3] == 0x3
    for bar, size in ((0xf1000000, 0x100000), (0xf1100000, 0x4000),
                      (0xf1200000, 0x100000)):
        assert covers(cfg, bar, size), hex(bar)
    assert "0000:01:00.1" in err and "no driver" in err
    assert "INT34C5:00" in err
    src = (tmp_path / "sys.c").read_text()
    assert "MSI-X 64 vectors, table BAR 0+0x2000" in src


def test_create_qemu_amd_snapshot(tmp_path):
    """The qemu-amd guest's files (collected there by the tool): its
    AMD-Vi unit as configs/qemu-amd.c describes it, read from the IVRS
    and from the unit's own PCI function."""
    cfg, err = created(tmp_path, MACHINES / "qemu-amd", "--name",
                       "QEMU-AMD", "--console", "0x3e8")
    hand = cellfmt.parse((CELLS / "qemu-amd.cell").read_bytes())
    for key in ("hv", "console", "pm_timer", "apic_mode", "mmconfig",
                "cpus", "irqchips", "pio", "name"):
        assert cfg[key] == hand[key], key
    # type, size, base, its function, capability, MSI, first device
    assert len(cfg["iommu"]) == 1
    assert cfg["iommu"][0][:7] == hand["iommu"][0][:7] == (
        2, 0x4000, 0xfed80000, 0x0018, 0x40, 0x60, 0x0000)
    # the IVHD names devices up to 00:1f.3; the hand config rounds to 1f.7
    assert cfg["iommu"][0][7] == 0x00fb and hand["iommu"][0][7] == 0x00ff
    # the IVHD's flags byte (type 11h, read as Linux does): not coherent
    assert cfg["iommu_features"] == [0x11]
    # the unit's own function is the hypervisor's; the rest are root's
    assert {p[3] for p in cfg["pci"]} == {p[3] for p in hand["pci"]}
    assert 0x0018 not in {p[3] for p in cfg["pci"]}
    assert all(p[1] == 0 for p in cfg["pci"])
    # nothing of the unit's registers for root
    assert not overlaps(cfg, 0xfed80000, 0x4000)
    assert "AMD-Vi" not in err  # nothing about the unit left unsaid
    src = (tmp_path / "sys.c").read_text()
    assert ".type = JAILHOUSE_IOMMU_AMD," in src
    assert "function 0000:00:03.0 is the hypervisor's" in src


def test_create_amd_server(tmp_path):
    root = machinetree.amd_server(tmp_path / "amd")
    cfg, err = created(tmp_path, root)
    # type, size, base, function, capability, MSI, first, last device
    assert cfg["iommu"] == [
        (2, 0x4000, 0xfd000000, 0x00a0, 0x40, 0x54, 0x0000, 0x00ff),
        (2, 0x80000, 0xfd200000, 0x0100, 0x40, 0x54, 0x0100, 0x0101)]
    assert cfg["iommu_features"] == [0x10, 0x30]
    # the IOAPIC's source id: the IVHD's special device entry
    assert cfg["irqchips"] == [(0xfec00000, 0x00a2, 0, (1 << 24) - 1)]
    pci = {bdf: (typ, unit) for typ, unit, _dom, bdf in cfg["pci"]}
    assert pci == {0x0000: (1, 0), 0x0008: (2, 0), 0x00c0: (1, 0),
                   0x0101: (1, 1)}
    # the units' functions are the hypervisor's; 02:00.0 no unit takes
    assert "0000:02:00.0: in no AMD-Vi unit's device range: left out" \
        in err
    assert not overlaps(cfg, 0xfd000000, 0x4000)
    assert not overlaps(cfg, 0xfd200000, 0x80000)
    assert "amd_iommu=off" not in err
    src = (tmp_path / "sys.c").read_text()
    assert "IVHD type 0x11, flags 0x30 (coherent)" in src


def amd_tree(tmp_path, cmdline=None, devices=None, ivrs=None):
    """amd_server with some of its parts replaced."""
    root = machinetree.amd_server(tmp_path / "amd")
    if cmdline is not None:
        (root / "proc/cmdline").write_text(cmdline)
    for name, cfg in (devices or {}).items():
        path = root / "sys/bus/pci/devices" / name / "config"
        if cfg is None:
            path.unlink()
            path.parent.rmdir()
        else:
            path.write_bytes(cfg)
    if ivrs is not None:
        (root / TABLE / "IVRS").write_bytes(ivrs)
    return root


def test_create_amd_unit_left_out_is_said(tmp_path):
    # unit 1's function without MSI, unit 0's function missing entirely
    root = amd_tree(tmp_path, cmdline="memmap=66M$0x3be00000 quiet\n",
                    devices={"0000:01:00.0": machinetree.amd_iommu_function(
                        0xfd200000, msi=False), "0000:00:14.0": None})
    cfg, err = created(tmp_path, root)
    assert cfg["iommu"] == []
    assert "AMD-Vi unit at 0xfd000000: its PCI function 0000:00:14.0 " \
        "(the IVHD's device id) is not in sys/bus/pci/devices: left out" \
        in err
    assert "AMD-Vi unit at 0xfd200000: its function 0000:01:00.0 has no " \
        "MSI capability" in err
    # no unit: every device is root's, as on a machine without IOMMU
    assert 0x0200 in {p[3] for p in cfg["pci"]}


def amd_ivrs(second_unit_ids):
    """amd_server's IVRS, its second unit selecting second_unit_ids."""
    return machinetree.ivrs([
        (0xfd000000, 0x00a0, [machinetree.ivhd_range(0x0000, 0x00ff),
                              machinetree.ivhd_ioapic(4, 0x00a2)], 0x10, 0),
        (0xfd200000, 0x0100, [machinetree.ivhd_select(i)
                              for i in second_unit_ids], 0x30, 1 << 9),
    ], block_type=0x11)


def test_create_amd_range_spans_unnamed_ids(tmp_path):
    # the second unit names 01:00.0 and 01:00.2: 01:00.1 lies between
    root = amd_tree(tmp_path, ivrs=amd_ivrs([0x0100, 0x0102]))
    cfg, err = created(tmp_path, root)
    assert cfg["iommu"][1][6:8] == (0x0100, 0x0102)
    assert (1, 1, 0, 0x0101) in cfg["pci"]
    assert "0000:01:00.1: no IVRS entry names it; it lies in the range of " \
        "AMD-Vi unit 1, which is written" in err


def test_create_amd_overlapping_units(tmp_path):
    # the second unit also names 00:1e.0, inside the first one's range
    root = amd_tree(tmp_path, ivrs=amd_ivrs([0x00f0, 0x0100, 0x0101]))
    cfg, err = created(tmp_path, root)
    assert [u[2] for u in cfg["iommu"]] == [0xfd000000]
    assert "AMD-Vi unit at 0xfd200000: its devices 00f0-0101 overlap " \
        "those of the unit at 0xfd000000" in err
    # its devices, its own function too, now lie in no unit's range
    assert "0000:01:00.1: in no AMD-Vi unit's device range: left out" in err
    assert 0x0101 not in {p[3] for p in cfg["pci"]}


def test_create_amd_without_amd_iommu_off(tmp_path):
    root = amd_tree(tmp_path, cmdline="memmap=66M$0x3be00000 quiet\n")
    cfg, err = created(tmp_path, root)
    assert len(cfg["iommu"]) == 2
    assert "lacks amd_iommu=off" in err


def test_create_missing_tables(tmp_path):
    root = machinetree.base_tree(tmp_path / "m", tables={"APIC": None})
    cfg, err = created(tmp_path, root)
    assert cfg["irqchips"] == [] and cfg["iommu"] == []
    assert cfg["pm_timer"] == 0 and cfg["mmconfig"] == (0, 0, 0)
    for words in ("no MADT", "no FADT", "no MCFG"):
        assert words in err


def test_create_options(tmp_path):
    root = machinetree.base_tree(tmp_path / "m")
    cfg, _ = created(tmp_path, root, "--hv-size", "8M", "--inmate-memory",
                     "0x3d000000:16M", "--region", "0xfe000000:0x2000:rwi",
                     "--apic-mode", "x2apic", "--name", "box")
    assert cfg["hv"][0] == 0x3be00000 and cfg["hv"][2] == 8 << 20
    assert cfg["name"] == "box" and cfg["apic_mode"] == 2
    assert (0xfe000000, 0xfe000000, 0x2000, 0x13) in cfg["mem"]
    assert covers(cfg, 0x3d000000, 16 << 20)
    assert not overlaps(cfg, 0x3c600000, 0x3d000000 - 0x3c600000)
    assert not overlaps(cfg, 0x3e000000, 0x1000000)


@pytest.mark.parametrize("log,mode,noted", [
    # Linux fell back to xAPIC for want of remapping: the flag stays
    (["x2apic: IRQ remapping doesn't support X2APIC mode"], 1, False),
    (["DMAR-IR: Enabled IRQ remapping in x2apic mode", "x2apic enabled"],
     2, False),
    (None, 2, True),  # no log to read: the flag, said
])
def test_create_apic_mode_as_linux_chose(tmp_path, log, mode, noted):
    root = machinetree.base_tree(tmp_path / "m",
                                 cpuinfo_flags="fpu apic svm x2apic")
    if log is not None:
        machinetree.kernel_log(root, log)
    cfg, err = created(tmp_path, root)
    assert cfg["apic_mode"] == mode
    assert ("x2APIC mode assumed from cpuinfo" in err) == noted, err


def test_create_shared_console(tmp_path):
    """--console takes the UART's eight ports from root; --shared-console
    leaves them to root too (the serial console Linux runs its shell
    on), both name it as the hypervisor's."""
    root = machinetree.base_tree(tmp_path / "m")
    own, _ = created(tmp_path, root, "--console", "0x3f8")
    assert own["pio"] == [(0, 0x3f8), (0x400, 0x10000 - 0x400)]
    shared, _ = created(tmp_path, root, "--shared-console", "0x3f8")
    assert shared["pio"] == [(0, 0x10000)]
    assert own["console"] == shared["console"]
    assert shared["console"][0] == 0x3f8


@pytest.mark.parametrize("opts", [
    ["--hv-size", "5000"], ["--inmate-memory", "0x3d000000"],
    ["--region", "0x1000:0x1000:wx"], ["--apic-mode", "x3apic"],
    ["--console", "0x10000"], ["--shared-console", "x"], ["--frob", "1"],
    ["--name"],
    ["--name", "x" * 32],
])
def test_create_bad_options(tmp_path, opts):
    root = machinetree.base_tree(tmp_path / "m")
    res, out = create(tmp_path, root, *opts)
    assert res.returncode == EXIT_USAGE, res.stderr
    assert not out.exists()


def corrupt(data, at):
    data = bytearray(data)
    data[at] ^= 0x55
    return bytes(data)


TABLE = "sys/firmware/acpi/tables/"
BAD_INPUT = {
    "truncated-madt": (lambda r: (r / TABLE / "APIC").write_bytes(
        machinetree.madt(range(4), [(0, 0xfec00000, 0)])[:50]),
        TABLE + "APIC", "truncated"),
    "corrupt-dmar": (lambda r: (r / TABLE / "DMAR").write_bytes(corrupt(
        (r / TABLE / "DMAR").read_bytes(), 60)), TABLE + "DMAR",
        "checksum"),
    "short-header": (lambda r: (r / TABLE / "FACP").write_bytes(b"FACP\0"),
                     TABLE + "FACP", "truncated"),
    "unknown-ivrs-type": (lambda r: (r / TABLE / "IVRS").write_bytes(
        machinetree.ivrs([(0xfd000000, 0x2, [])], block_type=0x12)),
        TABLE + "IVRS", "unknown type 0x12"),
    "missing-iomem": (lambda r: (r / "proc/iomem").unlink(), "proc/iomem",
                      "No such file"),
    "missing-pci-config": (lambda r: (
        r / "sys/bus/pci/devices/0000:00:01.0/config").unlink(),
        "sys/bus/pci/devices/0000:00:01.0/config", "No such file"),
    "short-pci-config": (lambda r: (
        r / "sys/bus/pci/devices/0000:00:01.0/config").write_bytes(
        machinetree.pci_config(1, 2, 3, caps=[machinetree.MSI_CAP])[:64]),
        "sys/bus/pci/devices/0000:00:01.0/config", "as root"),
    "memmap-over-ram": (lambda r: (r / "proc/cmdline").write_text(
        "memmap=66M$0x30000000\n"), "proc/cmdline", "overlaps System RAM"),
    "no-memmap": (lambda r: (r / "proc/cmdline").write_text("quiet\n"),
                  "proc/cmdline", "no memmap="),
    "bad-memmap": (lambda r: (r / "proc/cmdline").write_text(
        "memmap=66Q$0x30000000\n"), "proc/cmdline", "memmap="),
    "bad-iomem": (lambda r: (r / "proc/iomem").write_text(
        "00000000-zz : Reserved\n"), "proc/iomem", "line 1"),
    "bad-cpu-list": (lambda r: (r / "sys/devices/system/cpu/online")
                     .write_text("0-\n"), "sys/devices/system/cpu/online",
                     "CPU list"),
    "bad-memmap-number": (lambda r: (r / "sys/firmware/memmap/0/end")
                          .write_text("0xzz\n"),
                          "sys/firmware/memmap/0/end", "not a number"),
    "capability-loop": (lambda r: (
        r / "sys/bus/pci/devices/0000:00:01.0/config").write_bytes(
        bytes(loop_config())), "sys/bus/pci/devices/0000:00:01.0/config",
        "loops"),
}


def ivrs_bytes(root):
    return bytearray((root / TABLE / "IVRS").read_bytes())


def with_checksum(data):
    data = bytearray(data)
    data[9] = 0
    data[9] = (-sum(data)) & 0xff
    return bytes(data)


def spoil_ivrs(edit):
    """A spoiler for the amd_server tree: edit(bytearray) changes the
    IVRS, whose checksum is then made to add up again."""
    def spoil(root):
        data = ivrs_bytes(root)
        edit(data)
        (root / TABLE / "IVRS").write_bytes(with_checksum(data))
    return spoil


IVRS = TABLE + "IVRS"
UNIT_CONFIG = "sys/bus/pci/devices/0000:00:14.0/config"
# The first IVHD starts at 48: type, flags, length (2), device id (2),
# capability offset (2), base (8); its device entries start at 72.
BAD_AMD_INPUT = {
    "truncated-ivrs": (lambda r: (r / IVRS).write_bytes(
        bytes(ivrs_bytes(r)[:60])), IVRS,
        ("truncated: the header says ", " bytes, the file has 60")),
    "corrupt-ivrs": (lambda r: (r / IVRS).write_bytes(corrupt(
        bytes(ivrs_bytes(r)), 80)), IVRS, "checksum does not add up"),
    "ivhd-too-long": (spoil_ivrs(lambda d: d.__setitem__(
        slice(50, 52), (0x400).to_bytes(2, "little"))), IVRS,
        "block at offset 48 (type 0x11): length 1024 does not fit"),
    "ivhd-too-short": (spoil_ivrs(lambda d: d.__setitem__(
        slice(50, 52), (20).to_bytes(2, "little"))), IVRS,
        "IVHD at offset 48: 20 bytes, type 0x11 needs 40"),
    "ivhd-unaligned-base": (spoil_ivrs(lambda d: d.__setitem__(
        56, 0x10)), IVRS, "base 0xfd000010 is not 16 KiB aligned"),
    "unknown-device-entry": (spoil_ivrs(lambda d: d.__setitem__(88, 0x99)),
                             IVRS, "unknown type 0x99"),
    "range-never-ended": (spoil_ivrs(lambda d: d.__setitem__(92, 0)), IVRS,
                          "never ended"),
    "capability-elsewhere": (spoil_ivrs(lambda d: d.__setitem__(54, 0x48)),
                             UNIT_CONFIG, "no IOMMU capability (id 0x0f) at "
                             "0x48, where the IVRS's IVHD of AMD-Vi unit 0 "
                             "at 0xfd000000 puts it"),
    "capability-other-base": (lambda r: (r / UNIT_CONFIG).write_bytes(
        machinetree.amd_iommu_function(0xfd100000)), IVRS,
        "AMD-Vi unit 0 at 0xfd000000, but the capability at 0x40 of its "
        "function (%s) names registers at 0xfd100000" % UNIT_CONFIG),
}


def refused_input(tmp_path, root, case):
    """create on root spoilt by case (spoiler, file, words): exit 1, the
    file named with each of the words, nothing written."""
    spoil, rel, words = case
    spoil(root)
    res, out = create(tmp_path, root)
    assert res.returncode == EXIT_IO, res.stderr
    assert "%s/%s: " % (root, rel) in res.stderr, res.stderr
    for w in (words,) if isinstance(words, str) else words:
        assert w in res.stderr, res.stderr
    assert not out.exists() and not out.with_suffix(".c").exists()


@pytest.mark.parametrize("case", sorted(BAD_AMD_INPUT))
def test_create_bad_amd_input(tmp_path, case):
    refused_input(tmp_path, machinetree.amd_server(tmp_path / "amd"),
                  BAD_AMD_INPUT[case])


def loop_config():
    cfg = bytearray(machinetree.pci_config(1, 2, 3,
                                           caps=[machinetree.MSI_CAP]))
    cfg[0x41] = 0x40
    return cfg


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_create_bad_input(tmp_path, case):
    refused_input(tmp_path, machinetree.base_tree(tmp_path / "m"),
                  BAD_INPUT[case])


def test_create_unknown_root(tmp_path):
    res, out = create(tmp_path, tmp_path / "nothing")
    assert res.returncode == EXIT_IO
    assert "nothing" in res.stderr


# ---- config collect -----------------------------------------------------------

def test_collect_then_create_elsewhere(tmp_path):
    root = machinetree.big_server(tmp_path / "big")
    machinetree.kernel_log(root, ["x2apic enabled"])
    archive = tmp_path / "machine.tar"
    res = ok("config", "collect", "--root", root, archive)
    assert "%s: " % archive in res.stdout
    cfg_dir, _ = create(tmp_path, root, name="from-dir")
    cfg_tar, _ = create(tmp_path, archive, name="from-tar")
    assert cfg_dir.returncode == 0 and cfg_tar.returncode == 0, \
        cfg_tar.stderr
    assert (tmp_path / "from-dir.cell").read_bytes() == \
        (tmp_path / "from-tar.cell").read_bytes()
    # exactly the files create reads: tar lists them, links included
    names = subprocess.run(["tar", "tf", str(archive)], capture_output=True,
                           text=True, check=True).stdout.split()
    expected = sorted(str(p.relative_to(root)) for p in root.rglob("*")
                      if p.is_file() or p.is_symlink())
    assert sorted(names) == expected


def test_collect_snapshot_roundtrip(tmp_path):
    archive = tmp_path / "m.tar"
    ok("config", "collect", "--root", MACHINES / "qemu-svm", archive)
    out = tmp_path / "x"
    out.mkdir()
    subprocess.run(["tar", "xf", str(archive), "-C", str(out)], check=True)
    for p in (MACHINES / "qemu-svm").rglob("*"):
        if p.is_file():
            assert (out / p.relative_to(MACHINES / "qemu-svm")) \
                .read_bytes() == p.read_bytes()


@pytest.mark.parametrize("damage", ["cut", "checksum", "garbage"])
def test_create_from_bad_archive(tmp_path, damage):
    root = machinetree.base_tree(tmp_path / "m")
    archive = tmp_path / "m.tar"
    ok("config", "collect", "--root", root, archive)
    data = bytearray(archive.read_bytes())
    if damage == "cut":
        data = data[:1024 + 512 * 3]
    elif damage == "checksum":
        data[10] ^= 1
    else:
        data = bytearray(b"\x13" * 4096)
    archive.write_bytes(bytes(data))
    res, out = create(tmp_path, archive)
    assert res.returncode == EXIT_IO
    assert str(archive) in res.stderr
    assert not out.exists()


def test_collect_usage(tmp_path):
    assert run("config", "collect").returncode == EXIT_USAGE
    res = run("config", "collect", tmp_path / "no" / "dir.tar", "--root",
              machinetree.base_tree(tmp_path / "m"))
    assert res.returncode == EXIT_IO
    assert "cannot write" in res.stderr


# ---- hardware check --------------------------------------------------------

def hw_tree(tmp_path, cpu, vendor="AuthenticAMD", **kw):
    root = machinetree.base_tree(tmp_path / "hw", **kw)
    if vendor != "AuthenticAMD":
        text = (root / "proc/cpuinfo").read_text()
        (root / "proc/cpuinfo").write_text(
            text.replace("AuthenticAMD", vendor))
    machinetree.cpu_devices(root, 4, *cpu)
    return root


def hw_check(root):
    return run("hardware", "check", "--root", root)


def test_hardware_check_amd_ok(tmp_path):
    res = hw_check(hw_tree(tmp_path, machinetree.amd_cpu()))
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout
    assert out.count("ok       SVM\n") == 4  # every CPU read
    for line in ("ok       nested paging (NPT)", "ok       a guest ASID: 16",
                 "missing  next-RIP saving", "ok       VT-d unit: 0 at "
                 "0xfed90000", "ok       intel_iommu=off",
                 "ok       intremap=off", "ok       memmap= reservation: "
                 "66 MiB at 0x3be00000", "Verdict: enable would succeed"):
        assert line in out, out


@pytest.mark.parametrize("cpu,vendor,words", [
    (machinetree.amd_cpu(svmdis=True), "AuthenticAMD",
     "MISSING  SVM enabled by the firmware: VM_CR.SVMDIS is set"),
    (machinetree.amd_cpu(npt=False), "AuthenticAMD",
     "MISSING  nested paging (NPT)\n  ok       a guest ASID: 16 ASIDs\n"
     "  missing  NPT 2 MiB pages\n"),
    (machinetree.intel_cpu(unrestricted=False), "GenuineIntel",
     "MISSING  unrestricted guest"),
    (machinetree.intel_cpu(locked_off=True), "GenuineIntel",
     "MISSING  VMX outside SMX allowed by the firmware"),
    (machinetree.amd_cpu(), "CyrixInstead",
     "MISSING  a CPU vendor the hypervisor supports"),
])
def test_hardware_check_missing(tmp_path, cpu, vendor, words):
    res = hw_check(hw_tree(tmp_path, cpu, vendor))
    assert res.returncode == base.EXIT_REFUSED, res.stdout
    assert words in res.stdout, res.stdout
    assert "Verdict: enable would fail" in res.stdout


def test_hardware_check_intel_ok(tmp_path):
    res = hw_check(hw_tree(tmp_path, machinetree.intel_cpu(),
                           "GenuineIntel"))
    assert res.returncode == 0, res.stdout
    for line in ("ok       VMX\n", "ok       EPT\n", "ok       EPT 1 GiB "
                 "pages", "ok       VMX preemption timer", "ok       VPID",
                 "ok       x2APIC"):
        assert line in res.stdout, res.stdout


def test_hardware_check_amd_iommu(tmp_path):
    root = machinetree.amd_server(tmp_path / "hw")
    machinetree.cpu_devices(root, 8, *machinetree.amd_cpu())
    res = hw_check(root)
    assert res.returncode == 0, res.stdout
    for line in ("ok       AMD-Vi unit: 0 at 0xfd000000, its PCI function "
                 "0000:00:14.0, IVHD type 0x11, non-coherent table walks",
                 "ok       AMD-Vi unit: 1 at 0xfd200000, its PCI function "
                 "0000:01:00.0, IVHD type 0x11, coherent table walks, "
                 "EFR 0x200", "ok       amd_iommu=off"):
        assert line in res.stdout, res.stdout
    assert "intel_iommu" not in res.stdout
    (root / "proc/cmdline").write_text("memmap=66M$0x3be00000\n")
    res = hw_check(root)
    assert res.returncode == base.EXIT_REFUSED, res.stdout
    assert "MISSING  amd_iommu=off: add it" in res.stdout, res.stdout


def test_hardware_check_command_line(tmp_path):
    res = hw_check(hw_tree(tmp_path, machinetree.amd_cpu(),
                           cmdline="console=ttyS0\n"))
    assert res.returncode == base.EXIT_REFUSED
    for words in ("MISSING  memmap= reservation", "MISSING  intel_iommu=off",
                  "ok       interrupt remapping: Linux's own, kept by the "
                  "hypervisor (one VT-d unit)"):
        assert words in res.stdout, res.stdout


def test_hardware_check_linux_remapping_with_two_units(tmp_path):
    """Linux's remapping is kept on one VT-d unit only: with two, the
    check wants intremap=off, as enable does."""
    root = machinetree.big_server(tmp_path / "hw")
    machinetree.cpu_devices(root, 16, *machinetree.intel_cpu())
    text = (root / "proc/cpuinfo").read_text()
    (root / "proc/cpuinfo").write_text(
        text.replace("AuthenticAMD", "GenuineIntel"))
    assert hw_check(root).returncode == 0
    (root / "proc/cmdline").write_text("memmap=1G$0x3be00000 "
                                       "intel_iommu=off\n")
    res = hw_check(root)
    assert res.returncode == base.EXIT_REFUSED, res.stdout
    assert ("MISSING  intremap=off: add it: Linux remaps interrupts with 2 "
            "VT-d units") in res.stdout, res.stdout


def intel_tree(tmp_path, cmdline=None, x2apic=False):
    """A VT-d machine (one unit at 0xfed90000) with Intel CPUs, in x2APIC
    mode where x2apic is set (the flag in cpuinfo, no log saying
    otherwise)."""
    flags = "fpu apic vmx" + (" x2apic" if x2apic else "")
    root = machinetree.base_tree(tmp_path / "hw", cmdline=cmdline,
                                 cpuinfo_flags=flags)
    text = (root / "proc/cpuinfo").read_text()
    (root / "proc/cpuinfo").write_text(
        text.replace("AuthenticAMD", "GenuineIntel"))
    machinetree.cpu_devices(root, 4, *machinetree.intel_cpu())
    return root


def test_hardware_check_vtd_registers_through_dev_mem(tmp_path):
    root = intel_tree(tmp_path, x2apic=True)
    machinetree.vtd_registers(root, 0xfed90000, machinetree.QEMU_VTD_CAP,
                              machinetree.QEMU_VTD_ECAP)
    res = hw_check(root)
    assert res.returncode == 0, res.stdout
    for line in ("ok       VT-d unit: 0 at 0xfed90000, segment 0, all other "
                 "devices, version 1.0, CAP 0xd2008c222f0606, ECAP "
                 "0xf00f5a (read through /dev/mem)",
                 "ok       VT-d unit 0: 3- or 4-level tables: CAP.SAGAW",
                 "ok       VT-d unit 0: no write-buffer flushing: CAP.RWBF "
                 "clear",
                 "ok       VT-d unit 0: interrupt remapping: ECAP.IR",
                 "ok       VT-d unit 0: queued invalidation: ECAP.QI",
                 "ok       VT-d unit 0: x2APIC destinations: ECAP.EIM",
                 "ok       VT-d unit 0: 2 MiB pages",
                 "ok       VT-d unit 0: 1 GiB pages",
                 "missing  VT-d unit 0: coherent table walks: the "
                 "hypervisor flushes", "Verdict: enable would succeed\n"):
        assert line in res.stdout, res.stdout


@pytest.mark.parametrize("cap,ecap,cmdline,words", [
    # no page-table depth the hypervisor builds
    (machinetree.QEMU_VTD_CAP & ~(3 << 9), machinetree.QEMU_VTD_ECAP, None,
     "MISSING  VT-d unit 0: 3- or 4-level tables: CAP.SAGAW names "
     "neither"),
    (machinetree.QEMU_VTD_CAP | 1 << 4, machinetree.QEMU_VTD_ECAP, None,
     "MISSING  VT-d unit 0: no write-buffer flushing: CAP.RWBF is set"),
    # Linux's own remapping (no intremap=off) kept by the hypervisor
    # needs queued invalidation
    (machinetree.QEMU_VTD_CAP, machinetree.QEMU_VTD_ECAP & ~(1 << 1),
     "memmap=66M$0x3be00000 intel_iommu=off\n",
     "MISSING  VT-d unit 0: queued invalidation: the only way"),
])
def test_hardware_check_vtd_registers_missing(tmp_path, cap, ecap, cmdline,
                                              words):
    root = intel_tree(tmp_path, cmdline=cmdline)
    machinetree.vtd_registers(root, 0xfed90000, cap, ecap)
    res = hw_check(root)
    assert res.returncode == base.EXIT_REFUSED, res.stdout
    assert words in res.stdout, res.stdout
    assert "Verdict: enable would fail" in res.stdout


def test_hardware_check_vtd_remapping_features_optional(tmp_path):
    """With intremap=off the hypervisor remaps for the cells only, and
    runs without: interrupts not isolated, said, enable goes on."""
    root = intel_tree(tmp_path, x2apic=True)
    machinetree.vtd_registers(root, 0xfed90000, machinetree.QEMU_VTD_CAP,
                              machinetree.QEMU_VTD_ECAP & ~(1 << 4))
    res = hw_check(root)
    assert res.returncode == 0, res.stdout
    assert ("missing  VT-d unit 0: x2APIC destinations: interrupts of "
            "devices are not isolated between cells") in res.stdout


def test_hardware_check_vtd_registers_from_kernel_log(tmp_path):
    """Where /dev/mem refuses the unit's busy range, the line Linux
    logged for the unit at boot gives the registers; Linux's word on
    the APIC mode beats the CPU's flag."""
    root = intel_tree(tmp_path, x2apic=True)
    machinetree.kernel_log(root, [
        "DMAR: Host address width 39",
        "DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap d2008c222f0606 "
        "ecap f00f4a",
        "x2apic: IRQ remapping doesn't support X2APIC mode"])
    res = hw_check(root)
    assert res.returncode == 0, res.stdout
    assert ("CAP 0xd2008c222f0606, ECAP 0xf00f4a (as Linux's kernel log "
            "gives them)") in res.stdout, res.stdout
    # xAPIC mode: EIM (clear here) is not asked for
    assert "x2APIC destinations" not in res.stdout
    assert res.stdout.count("ok       x2APIC: Linux runs in xAPIC mode (the "
                            "config must say so)") == 4, res.stdout


def test_hardware_check_vtd_registers_unknown(tmp_path):
    root = intel_tree(tmp_path)
    machinetree.kernel_log(root, ["DMAR: IOMMU enabled"])
    res = hw_check(root)
    assert res.returncode == 0, res.stdout
    assert ("unknown  VT-d unit capabilities: unit 0: neither /dev/mem"
            in res.stdout), res.stdout
    assert ("Verdict: enable would succeed as far as checked, 1 required "
            "item unknown") in res.stdout


@pytest.mark.parametrize("function,words,rc", [
    # the capability not where the IVHD says
    (machinetree.pci_config(0x1022, 0x1419, 0x080600,
                            caps=[machinetree.MSI_CAP]),
     "MISSING  AMD-Vi unit 0: its PCI function: ", base.EXIT_REFUSED),
    # naming other registers than the IVHD
    (machinetree.amd_iommu_function(0xfd100000),
     "names registers at 0xfd100000: the two disagree", base.EXIT_REFUSED),
    # no MSI for its events: config create leaves it out
    (machinetree.amd_iommu_function(0xfd000000, msi=False),
     "missing  AMD-Vi unit 0: event interrupt: its function has no MSI",
     0),
])
def test_hardware_check_amd_iommu_function(tmp_path, function, words, rc):
    root = machinetree.amd_server(tmp_path / "hw")
    machinetree.cpu_devices(root, 8, *machinetree.amd_cpu())
    machinetree.write(root, "sys/bus/pci/devices/0000:00:14.0/config",
                      function)
    res = hw_check(root)
    assert res.returncode == rc, res.stdout
    assert words in res.stdout, res.stdout


def amd_x2apic_server(tmp_path, block_type=0x11):
    root = machinetree.amd_server(tmp_path / "hw", block_type)
    machinetree.cpu_devices(root, 8, *machinetree.amd_cpu())
    text = (root / "proc/cpuinfo").read_text()
    (root / "proc/cpuinfo").write_text(text.replace(" npt", " npt x2apic"))
    return root


def test_hardware_check_amd_iommu_x2apic(tmp_path):
    """In x2APIC mode the units need 128-bit remapping entries with
    32-bit destinations (EFR GASup, XTSup) to isolate interrupts."""
    res = hw_check(amd_x2apic_server(tmp_path))
    assert res.returncode == 0, res.stdout
    for line in ("ok       AMD-Vi unit 0: its PCI function: 0000:00:14.0, "
                 "IOMMU capability at 0x40",
                 "ok       AMD-Vi unit 0: event interrupt: MSI",
                 "missing  AMD-Vi unit 0: x2APIC interrupt remapping: EFR "
                 "0x0: lacks GASup or XTSup"):
        assert line in res.stdout, res.stdout


def test_hardware_check_amd_efr_from_the_unit(tmp_path):
    """An IVHD of type 10h has no copy of the EFR: it is read from the
    unit's registers (offset 0x30) through /dev/mem, or said unknown."""
    root = amd_x2apic_server(tmp_path, block_type=0x10)
    res = hw_check(root)
    assert res.returncode == 0, res.stdout
    assert ("missing  AMD-Vi unit 0: x2APIC interrupt remapping: an IVHD "
            "of type 10h carries no EFR") in res.stdout, res.stdout
    with open(root / "dev" / "mem", "wb") as f:
        f.truncate(0xfd001000)
        f.seek(0xfd000030)
        f.write(struct.pack("<Q", (1 << 7) | (1 << 2)))  # GASup, XTSup
    res = hw_check(root)
    assert ("ok       AMD-Vi unit 0: x2APIC interrupt remapping: EFR 0x84 "
            "(read through /dev/mem): GASup, XTSup") in res.stdout, \
        res.stdout
    # unit 1's page is not in the file: said, not guessed
    assert ("missing  AMD-Vi unit 1: x2APIC interrupt remapping: an IVHD "
            "of type 10h") in res.stdout


def test_hardware_check_without_devices(tmp_path):
    root = machinetree.base_tree(tmp_path / "hw")
    res = hw_check(root)
    assert res.returncode == EXIT_IO
    assert "dev/cpu/0/cpuid" in res.stderr and "modprobe" in res.stderr


def test_hardware_check_usage():
    assert run("hardware").returncode == EXIT_USAGE
    assert run("hardware", "frob").returncode == EXIT_USAGE
    assert ok("hardware", "--help").stdout.startswith(
        "Usage: jailhouse hardware check")
