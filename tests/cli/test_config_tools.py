# SPDX-License-Identifier: GPL-2.0
"""`jailhouse config show`, `config create`, `config collect` and
`hardware check`, run as programs on files and on captured machine trees
(tests/cli/machines/). The .cell files are read back with cellfmt, a
reader written from docs/config-format.md, not with the tool's code."""
import re
import subprocess

import pytest

import cellfmt
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
        for i, (ubase, usize) in enumerate(cfg["iommu"]):
            assert "%d: base 0x%08x, size 0x%x\n" % (i, ubase, usize) in out
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
