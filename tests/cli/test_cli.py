# SPDX-License-Identifier: GPL-2.0
"""The jailhouse command-line tool, run as a program against a fake driver.

Each test builds a fake sysfs tree in a temporary directory and runs
build/jailhouse with JAILHOUSE_SYSFS and JAILHOUSE_DEVICE pointing into it.
The device is served by build/tests/cli/fake_driver.so (LD_PRELOAD), which
logs every ioctl with its arguments, saves the bytes the request pointed to
and answers with scripted errno values and refusal reasons.

The refusal codes and their texts are read from the public headers
(include/jailhouse/config-errors.h, include/jailhouse/ioctl.h) here, so the
tests do not share the tool's tables.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("JAILHOUSE_BUILD", ROOT / "build"))
CLI = BUILD / "jailhouse"
SHIM = BUILD / "tests" / "cli" / "fake_driver.so"
CELLS = BUILD / "configs"
BAD_CELLS = BUILD / "tests" / "configs"
BAD_SRC = ROOT / "tests" / "configs"

EPERM, ENOENT, EIO, E2BIG, EACCES = 1, 2, 5, 7, 13
EFAULT, EBUSY, EEXIST, ENODEV, EINVAL, ENOTTY = 14, 16, 17, 19, 22, 25

SOURCE_HV, SOURCE_DRV = 1, 2

EXIT_IO, EXIT_USAGE, EXIT_CONFIG, EXIT_REFUSED, EXIT_NOT_ENABLED = range(1, 6)


def parse_error_table(header, prefix):
    """X(NAME, errno, "text") entries of an X-macro list, in enum order."""
    text = (ROOT / "include" / "jailhouse" / header).read_text()
    text = text.replace("\\\n", " ")
    entries = re.findall(r'X\((%s\w+),\s*(\d+),\s*((?:"[^"]*"\s*)+)\)'
                         % prefix, text)
    table = {}
    for code, (name, err, texts) in enumerate(entries):
        words = "".join(re.findall(r'"([^"]*)"', texts))
        table[name] = (code, int(err), words)
    return table


CFG = parse_error_table("config-errors.h", "CFG_")
DRV = parse_error_table("ioctl.h", "DRV_")

# Codes the offline check finds from the config alone (docs/config-format.md,
# kind "static"); a refusal with one of them is "config invalid".
STATIC_CODES = {
    "CFG_ERR_TRUNCATED", "CFG_ERR_SIGNATURE", "CFG_ERR_REVISION",
    "CFG_ERR_ARCH", "CFG_ERR_SIZE", "CFG_ERR_TOO_LARGE", "CFG_ERR_NAME",
    "CFG_ERR_FLAGS", "CFG_ERR_CPU_SET_SIZE", "CFG_ERR_CPU_NONE",
    "CFG_ERR_MEM_ALIGN", "CFG_ERR_MEM_OVERFLOW", "CFG_ERR_MEM_EMPTY",
    "CFG_ERR_MEM_FLAGS", "CFG_ERR_MEM_GUEST_OVERLAP",
    "CFG_ERR_MEM_PHYS_OVERLAP", "CFG_ERR_COMM_REGION",
    "CFG_ERR_RESET_ADDRESS", "CFG_ERR_PIO_RANGE", "CFG_ERR_PCI_TYPE",
    "CFG_ERR_PCI_DUPLICATE",
}

# Broken configs in tests/configs that only the running system refuses.
DYNAMIC_FILE_CODES = {
    "CFG_ERR_CPU_NONEXISTENT", "CFG_ERR_CPU_NOT_ROOT", "CFG_ERR_CPU_CALLER",
    "CFG_ERR_MEM_HYPERVISOR", "CFG_ERR_MEM_CELL", "CFG_ERR_MEM_NOT_ROOT",
    "CFG_ERR_DUPLICATE_NAME", "CFG_ERR_PIO_CELL", "CFG_ERR_PIO_NOT_ROOT",
    "CFG_ERR_IRQCHIP", "CFG_ERR_IRQ_PIN_CELL", "CFG_ERR_IRQ_PIN_NOT_ROOT",
    "CFG_ERR_PCI_CELL", "CFG_ERR_PCI_NOT_ROOT", "CFG_ERR_PCI_IOMMU",
}

ROOT_CELL = (0, "QEMU-VM", "running", "0,2-3", "")
APIC_DEMO = (1, "apic-demo", "running/locked", "1", "")
TINY_DEMO = (2, "tiny-demo", "shut down", "3", "")


def expected_code(stem):
    first = (BAD_SRC / (stem + ".c")).read_text().splitlines()[0]
    m = re.match(r"/\* expect: (CFG_[A-Z_0-9]+) \*/", first)
    assert m, "%s.c: no expect line" % stem
    return m.group(1)


def bad_config_stems():
    return sorted(p.stem for p in BAD_SRC.glob("*.c"))


class Fake:
    """A fake sysfs tree and device, and the CLI run against them."""

    def __init__(self, tmp):
        self.sysfs = tmp / "sys"
        self.dir = tmp / "driver"
        self.device = tmp / "dev-jailhouse"
        self.dir.mkdir()
        self.tmp = tmp

    def enable(self, cells=(ROOT_CELL, APIC_DEMO, TINY_DEMO)):
        (self.sysfs / "cells").mkdir(parents=True, exist_ok=True)
        (self.sysfs / "enabled").write_text("1\n")
        (self.sysfs / "mem_pool_size").write_text("1536\n")
        (self.sysfs / "mem_pool_used").write_text("120\n")
        (self.sysfs / "console").write_text("")
        for cid, name, state, cpus, failed in cells:
            d = self.sysfs / "cells" / str(cid)
            d.mkdir()
            (d / "name").write_text(name + "\n")
            (d / "state").write_text(state + "\n")
            (d / "cpus_assigned").write_text(cpus + "\n")
            (d / "cpus_failed").write_text(failed + "\n")
        return self

    def script(self, *lines):
        (self.dir / "script").write_text(
            "".join(" ".join(str(x) for x in ln) + "\n" for ln in lines))

    def hv_refuses(self, request, code, item=0):
        num, err, _ = CFG[code]
        self.script((request, err, SOURCE_HV, num, item))

    def drv_refuses(self, request, code, item=0):
        num, err, _ = DRV[code]
        self.script((request, err, SOURCE_DRV, num, item))

    def errno_only(self, request, err):
        self.script((request, err, 0, 0, 0))

    def run(self, *args, shim=True, env=None):
        e = dict(os.environ)
        e.update(JAILHOUSE_SYSFS=str(self.sysfs),
                 JAILHOUSE_DEVICE=str(self.device),
                 FAKE_JH_DEVICE=str(self.device), FAKE_JH_DIR=str(self.dir),
                 LC_ALL="C")
        if shim:
            e["LD_PRELOAD"] = str(SHIM)
        e.update(env or {})
        return subprocess.run([str(CLI)] + [str(a) for a in args], env=e,
                              capture_output=True, text=True, timeout=30)

    def calls(self):
        """(name, {key: value}) per logged line, GET_LAST_ERROR left out."""
        log = self.dir / "log"
        if not log.exists():
            return []
        out = []
        for line in log.read_text().splitlines():
            name, *rest = line.split(" ")
            if name != "GET_LAST_ERROR":
                out.append((name, dict(kv.split("=", 1) for kv in rest)))
        return out

    def requests(self):
        return [c for c in self.calls() if c[0] != "IMAGE"]

    def blob(self, name):
        return (self.dir / name).read_bytes()


@pytest.fixture
def fake(tmp_path):
    assert CLI.exists() and SHIM.exists(), "run `make tools` first"
    return Fake(tmp_path)


@pytest.fixture
def on(fake):
    return fake.enable()


def assert_exit(res, code, *words):
    msg = "exit %d, stdout %r, stderr %r" % (res.returncode, res.stdout,
                                             res.stderr)
    assert res.returncode == code, msg
    for w in words:
        assert w in res.stderr, msg


# ---- help, version, usage ---------------------------------------------

HELP_COMMANDS = [
    [], ["enable"], ["disable"], ["console"], ["cell"], ["cell", "create"],
    ["cell", "load"], ["cell", "start"], ["cell", "shutdown"],
    ["cell", "destroy"], ["cell", "list"], ["cell", "stats"], ["config"],
    ["config", "check"], ["config", "show"], ["config", "create"],
    ["config", "collect"],
]


@pytest.mark.parametrize("cmd", HELP_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(fake, cmd, flag):
    res = fake.run(*cmd, flag)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Usage: jailhouse " + " ".join(cmd))
    assert fake.calls() == []


def test_main_help_documents_exit_codes(fake):
    out = fake.run("--help").stdout
    for line in ["1  I/O error", "2  usage error", "3  a config file",
                 "4  refused", "5  no driver"]:
        assert line in out


def test_version(fake):
    res = fake.run("--version")
    assert res.returncode == 0
    assert re.match(r"jailhouse \d+\.\d+ \(config revision 2, ioctl ABI 1\)",
                    res.stdout)


BAD_USAGE = [
    [], ["frobnicate"], ["cell"], ["cell", "frob"], ["enable"],
    ["enable", "a.cell", "b.cell"], ["disable", "now"], ["console", "-x"],
    ["cell", "create"], ["cell", "create", "a.cell", "b.cell"],
    ["cell", "load"], ["cell", "load", "apic-demo"],
    ["cell", "load", "apic-demo", "-a", "0x1000"],
    ["cell", "load", "apic-demo", "img", "-a", "zz"],
    ["cell", "load", "apic-demo", "img", "-a", "0x"],
    ["cell", "load", "apic-demo", "img", "-a", "0x1g"],
    ["cell", "load", "apic-demo", "img", "-a", "99999999999999999999999"],
    ["cell", "load", "apic-demo", "img", "-a"],
    ["cell", "load", "apic-demo", "img", "-a", "1", "-a", "2"],
    ["cell", "load", "apic-demo", "-s", "text"],
    ["cell", "load", "apic-demo", "-s", "text", "img", "-a", "1"],
    ["cell", "load", "apic-demo", "-s"],
    ["cell", "load", "apic-demo", "img", "--bogus"],
    ["cell", "start"], ["cell", "start", "apic-demo", "tiny-demo"],
    ["cell", "shutdown"], ["cell", "destroy"], ["cell", "list", "all"],
    ["cell", "stats"], ["config"], ["config", "check"], ["config", "frob"],
]


@pytest.mark.parametrize("cmd", BAD_USAGE, ids=" ".join)
def test_bad_usage(on, cmd):
    res = on.run(*cmd)
    assert_exit(res, EXIT_USAGE, "Try 'jailhouse")
    assert on.calls() == []


# ---- enable and disable -----------------------------------------------

def test_enable(on):
    cfg = CELLS / "qemu-vm.cell"
    res = on.run("enable", cfg)
    assert res.returncode == 0, res.stderr
    [(name, args)] = on.calls()
    assert name == "ENABLE"
    assert int(args["size"]) == cfg.stat().st_size
    assert args["padding"] == "0"
    assert on.blob(args["blob"]) == cfg.read_bytes()


def test_enable_refuses_cell_config(on):
    res = on.run("enable", CELLS / "apic-demo.cell")
    assert_exit(res, EXIT_CONFIG, "is a cell config, not a system config")
    assert on.calls() == []


def test_enable_refuses_broken_system_config(on, tmp_path):
    cfg = tmp_path / "short.cell"
    cfg.write_bytes((CELLS / "qemu-vm.cell").read_bytes()[:-8])
    res = on.run("enable", cfg)
    assert_exit(res, EXIT_CONFIG, "short.cell: ",
                CFG["CFG_ERR_SIZE"][2])
    assert on.calls() == []


def test_enable_missing_file(on):
    res = on.run("enable", "/nonexistent/qemu-vm.cell")
    assert_exit(res, EXIT_IO, "cannot read /nonexistent/qemu-vm.cell")
    assert on.calls() == []


def test_enable_without_driver(fake):
    res = fake.run("enable", CELLS / "qemu-vm.cell", shim=False)
    assert_exit(res, EXIT_NOT_ENABLED, "is the jailhouse module loaded?")


@pytest.mark.parametrize("code,exit_code,words", [
    ("DRV_ERR_ENABLED", EXIT_REFUSED, "the hypervisor is already enabled"),
    ("DRV_ERR_FIRMWARE", EXIT_NOT_ENABLED, "jailhouse.bin not found"),
    ("DRV_ERR_HV_MEMORY", EXIT_REFUSED, "memory block is not reserved"),
    ("DRV_ERR_CONFIG_SIZE", EXIT_CONFIG, "qemu-vm.cell: config is too"),
])
def test_enable_refused_by_driver(on, code, exit_code, words):
    on.drv_refuses("ENABLE", code)
    assert_exit(on.run("enable", CELLS / "qemu-vm.cell"), exit_code, words)


def test_enable_cpu_failure_names_cpu(on):
    on.drv_refuses("ENABLE", "DRV_ERR_CPU_ENABLE", 2)
    assert_exit(on.run("enable", CELLS / "qemu-vm.cell"), EXIT_REFUSED,
                "CPU 2: CPU failed to enter the hypervisor")


def test_disable(on):
    assert on.run("disable").returncode == 0
    assert on.requests() == [("DISABLE", {})]


def test_disable_locked(on):
    on.hv_refuses("DISABLE", "CFG_ERR_RECONFIG_LOCKED", 1)
    assert_exit(on.run("disable"), EXIT_REFUSED,
                'reconfiguration is locked by cell "apic-demo"')


def test_disable_denied(on):
    on.hv_refuses("DISABLE", "CFG_ERR_SHUTDOWN_DENIED", 1)
    assert_exit(on.run("disable"), EXIT_REFUSED,
                'cell "apic-demo" denied the shutdown request')


def test_disable_not_enabled(on):
    on.drv_refuses("DISABLE", "DRV_ERR_NOT_ENABLED")
    assert_exit(on.run("disable"), EXIT_NOT_ENABLED,
                "jailhouse is not enabled (is the jailhouse module loaded?)")


def test_disable_without_driver(fake):
    assert_exit(fake.run("disable", shim=False), EXIT_NOT_ENABLED,
                "is the jailhouse module loaded?")


def test_open_permission_denied(on):
    res = on.run("disable", env={"FAKE_JH_OPEN_ERRNO": str(EACCES)})
    assert_exit(res, EXIT_IO, "are you root?")


# ---- cell create --------------------------------------------------------

def test_cell_create(on):
    cfg = CELLS / "tiny-demo.cell"
    on.script(("CELL_CREATE", 0, 0, 0, 0, 3))
    res = on.run("cell", "create", cfg)
    assert res.returncode == 0, res.stderr
    [(name, args)] = on.calls()
    assert name == "CELL_CREATE"
    assert int(args["size"]) == cfg.stat().st_size
    assert on.blob(args["blob"]) == cfg.read_bytes()


def test_cell_create_refuses_system_config(on):
    res = on.run("cell", "create", CELLS / "qemu-vm.cell")
    assert_exit(res, EXIT_CONFIG, "is a system config, not a cell config")
    assert on.calls() == []


@pytest.mark.parametrize("code,item,words", [
    ("CFG_ERR_CPU_NOT_ROOT", 3, "CPU 3 is not owned by the root cell"),
    ("CFG_ERR_CPU_NONEXISTENT", 7, "CPU 7 does not exist"),
    ("CFG_ERR_CPU_CALLER", 0, "CPU 0 is the one issuing the request"),
    ("CFG_ERR_MEM_CELL", 0,
     "tiny-demo.cell: memory region 0: memory region overlaps another cell"),
    ("CFG_ERR_MEM_NOT_ROOT", 1, "memory region 1: memory region is not"),
    ("CFG_ERR_PIO_CELL", 2, "PIO range 2: PIO range owned by another cell"),
    ("CFG_ERR_PCI_NOT_ROOT", 0, "PCI device 0: PCI device not owned"),
    ("CFG_ERR_IRQ_PIN_CELL", 0, "IRQ chip 0: IRQ pin owned by another"),
    ("CFG_ERR_DUPLICATE_NAME", 0, 'a cell named "tiny-demo" exists already'),
    ("CFG_ERR_RECONFIG_LOCKED", 1,
     'reconfiguration is locked by cell "apic-demo"'),
    ("CFG_ERR_NO_MEMORY", 0, "hypervisor memory pool exhausted"),
])
def test_cell_create_refused(on, code, item, words):
    on.hv_refuses("CELL_CREATE", code, item)
    res = on.run("cell", "create", CELLS / "tiny-demo.cell")
    assert_exit(res, EXIT_REFUSED, words)
    assert "jailhouse cell create: " in res.stderr


def test_cell_create_static_refusal_from_hypervisor(on):
    on.hv_refuses("CELL_CREATE", "CFG_ERR_MEM_ALIGN", 2)
    res = on.run("cell", "create", CELLS / "tiny-demo.cell")
    assert_exit(res, EXIT_CONFIG, "memory region 2: memory region not page")


@pytest.mark.parametrize("stem", [s for s in bad_config_stems()
                                  if expected_code(s) in STATIC_CODES])
def test_cell_create_checks_offline_first(on, stem):
    res = on.run("cell", "create", BAD_CELLS / (stem + ".cell"))
    assert_exit(res, EXIT_CONFIG, stem + ".cell: ",
                CFG[expected_code(stem)][2])
    assert on.calls() == []


# ---- cells by name or id ------------------------------------------------

@pytest.mark.parametrize("cmd,ioctl", [("start", "CELL_START"),
                                         ("destroy", "CELL_DESTROY")])
@pytest.mark.parametrize("arg,cid,name", [("apic-demo", 1, "apic-demo"),
                                          ("1", 1, "apic-demo"),
                                          ("tiny-demo", 2, "tiny-demo"),
                                          ("2", 2, "tiny-demo"),
                                          ("0x2", 2, "tiny-demo")])
def test_cell_by_name_or_id(on, cmd, ioctl, arg, cid, name):
    res = on.run("cell", cmd, arg)
    assert res.returncode == 0, res.stderr
    assert on.requests() == [(ioctl, {"id": str(cid), "name": name,
                                        "padding": "0"})]


def test_cell_shutdown_is_load_without_images(on):
    res = on.run("cell", "shutdown", "tiny-demo")
    assert res.returncode == 0, res.stderr
    assert on.calls() == [("CELL_LOAD", {"id": "2", "name": "tiny-demo",
                                         "images": "0", "padding": "0"})]


@pytest.mark.parametrize("cmd", ["start", "shutdown", "destroy", "stats"])
def test_unknown_cell_name(on, cmd):
    assert_exit(on.run("cell", cmd, "foo"), EXIT_REFUSED,
                'no cell named "foo"')
    assert on.calls() == []


@pytest.mark.parametrize("cmd", ["start", "shutdown", "destroy"])
def test_unknown_cell_id(on, cmd):
    assert_exit(on.run("cell", cmd, "7"), EXIT_REFUSED, "no cell with id 7")
    assert on.calls() == []


def test_unknown_cell_in_load(on, tmp_path):
    img = tmp_path / "img.bin"
    img.write_bytes(b"x")
    assert_exit(on.run("cell", "load", "foo", img), EXIT_REFUSED,
                'no cell named "foo"')
    assert on.calls() == []


@pytest.mark.parametrize("cmd", [["cell", "start", "apic-demo"],
                                 ["cell", "destroy", "1"],
                                 ["cell", "shutdown", "1"],
                                 ["cell", "list"],
                                 ["cell", "stats", "apic-demo"]])
@pytest.mark.parametrize("how", ["no sysfs", "disabled"])
def test_cell_commands_not_enabled(fake, cmd, how):
    if how == "disabled":
        fake.sysfs.mkdir()
        (fake.sysfs / "enabled").write_text("0\n")
    res = fake.run(*cmd)
    assert_exit(res, EXIT_NOT_ENABLED,
                "jailhouse is not enabled (is the jailhouse module loaded?)")
    assert fake.calls() == []


def test_cell_destroy_denied(on):
    on.hv_refuses("CELL_DESTROY", "CFG_ERR_SHUTDOWN_DENIED", 1)
    res = on.run("cell", "destroy", "apic-demo")
    assert_exit(res, EXIT_REFUSED,
                'cell "apic-demo" denied the shutdown request')
    assert res.stderr.startswith("jailhouse cell destroy: ")


def test_cell_destroy_locked_by_other_cell(on):
    on.hv_refuses("CELL_DESTROY", "CFG_ERR_RECONFIG_LOCKED", 1)
    assert_exit(on.run("cell", "destroy", "tiny-demo"), EXIT_REFUSED,
                'reconfiguration is locked by cell "apic-demo"')


def test_cell_destroy_root(on):
    on.hv_refuses("CELL_DESTROY", "CFG_ERR_ROOT_CELL")
    assert_exit(on.run("cell", "destroy", "0"), EXIT_REFUSED,
                "not allowed on the root cell")


def test_cell_vanished_before_request(on):
    on.drv_refuses("CELL_START", "DRV_ERR_NO_CELL")
    assert_exit(on.run("cell", "start", "tiny-demo"), EXIT_REFUSED,
                'no cell named "tiny-demo"')


def test_shutdown_denied(on):
    on.hv_refuses("CELL_LOAD", "CFG_ERR_SHUTDOWN_DENIED", 1)
    assert_exit(on.run("cell", "shutdown", "apic-demo"), EXIT_REFUSED,
                'cell "apic-demo" denied the shutdown request')


# ---- cell load ----------------------------------------------------------

@pytest.fixture
def images(tmp_path):
    a = tmp_path / "apic-demo.bin"
    b = tmp_path / "data.bin"
    a.write_bytes(bytes(range(256)) * 17)
    b.write_bytes(b"\x00\x01second image\xff")
    return a, b


def loaded(fake):
    calls = fake.calls()
    assert calls[0][0] == "CELL_LOAD"
    return calls[0][1], [c[1] for c in calls[1:]]


def test_load_seed_command(on, images):
    a, _ = images
    res = on.run("cell", "load", "apic-demo", a, "-a", "0xf0000")
    assert res.returncode == 0, res.stderr
    head, imgs = loaded(on)
    assert head == {"id": "1", "name": "apic-demo", "images": "1",
                    "padding": "0"}
    [img] = imgs
    assert img["target"] == "0xf0000"
    assert int(img["size"]) == a.stat().st_size
    assert img["padding"] == "0"
    assert on.blob(img["blob"]) == a.read_bytes()


@pytest.mark.parametrize("opt,value,target", [
    ("-a", "0xF0000", 0xf0000), ("-a", "983040", 0xf0000),
    ("--address", "0x1000", 0x1000), ("--address=0x2000", None, 0x2000),
    ("-a", "0xffffffffffffffff", 0xffffffffffffffff), ("-a", "0", 0),
])
def test_load_address_forms(on, images, opt, value, target):
    a, _ = images
    args = [opt] if value is None else [opt, value]
    res = on.run("cell", "load", "1", a, *args)
    assert res.returncode == 0, res.stderr
    _, [img] = loaded(on)
    assert int(img["target"], 16) == target


def test_load_default_address_is_zero(on, images):
    a, _ = images
    assert on.run("cell", "load", "tiny-demo", a).returncode == 0
    _, [img] = loaded(on)
    assert img["target"] == "0x0"


def test_load_several_images_and_string(on, images):
    a, b = images
    res = on.run("cell", "load", "tiny-demo", a, "-a", "0xf0000", b,
                 "-s", "console=ttyS1 x", "-a", "0x1000", b, "--address",
                 "77")
    assert res.returncode == 0, res.stderr
    head, imgs = loaded(on)
    assert head["id"] == "2" and head["images"] == "4"
    assert [int(i["index"]) for i in imgs] == [0, 1, 2, 3]
    assert [int(i["target"], 16) for i in imgs] == [0xf0000, 0, 0x1000, 77]
    assert on.blob(imgs[0]["blob"]) == a.read_bytes()
    assert on.blob(imgs[1]["blob"]) == b.read_bytes()
    assert on.blob(imgs[2]["blob"]) == b"console=ttyS1 x\x00"
    assert int(imgs[2]["size"]) == len("console=ttyS1 x") + 1
    assert on.blob(imgs[3]["blob"]) == b.read_bytes()


def test_load_empty_image(on, tmp_path):
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert on.run("cell", "load", "1", empty, "-a", "0x10").returncode == 0
    _, [img] = loaded(on)
    assert img["size"] == "0"


def test_load_missing_image(on, images):
    a, _ = images
    res = on.run("cell", "load", "1", a, "/nonexistent.bin", "-a", "0")
    assert_exit(res, EXIT_IO, "cannot read /nonexistent.bin")
    assert on.calls() == []


def test_load_outside_loadable_memory(on, images):
    a, b = images
    on.drv_refuses("CELL_LOAD", "DRV_ERR_IMAGE_OUTSIDE", 1)
    res = on.run("cell", "load", "1", a, "-a", "0xf0000", b, "-a",
                 "0x40000000")
    assert_exit(res, EXIT_REFUSED, "image 1 (%s): image does not fit into "
                "the cell's loadable memory" % b)


def test_load_denied(on, images):
    a, _ = images
    on.hv_refuses("CELL_LOAD", "CFG_ERR_SHUTDOWN_DENIED", 1)
    assert_exit(on.run("cell", "load", "apic-demo", a, "-a", "0xf0000"),
                EXIT_REFUSED, 'cell "apic-demo" denied the shutdown request')


# ---- every refusal in words ---------------------------------------------

@pytest.mark.parametrize("code", [c for c in CFG if c != "CFG_OK"])
def test_every_hypervisor_code_in_words(on, code):
    on.hv_refuses("CELL_CREATE", code, 1)
    res = on.run("cell", "create", CELLS / "tiny-demo.cell")
    want = EXIT_CONFIG if code in STATIC_CODES else EXIT_REFUSED
    assert_exit(res, want, "jailhouse cell create: ")
    assert "unknown reason" not in res.stderr
    assert code not in res.stderr and "errno" not in res.stderr


@pytest.mark.parametrize("code", [c for c in DRV if c != "DRV_OK"])
def test_every_driver_code_in_words(on, code):
    on.drv_refuses("CELL_START", code, 0)
    res = on.run("cell", "start", "tiny-demo")
    assert res.returncode in (EXIT_CONFIG, EXIT_REFUSED, EXIT_NOT_ENABLED)
    assert "unknown driver error" not in res.stderr
    assert code not in res.stderr


@pytest.mark.parametrize("err,exit_code,words", [
    (ENODEV, EXIT_NOT_ENABLED, "jailhouse is not enabled"),
    (ENOENT, EXIT_REFUSED, 'no cell named "tiny-demo"'),
    (EINVAL, EXIT_REFUSED, "refused by the driver: Invalid argument"),
    (EBUSY, EXIT_REFUSED, "refused by the driver: Device or resource busy"),
    (EPERM, EXIT_IO, "are you root?"),
    (EFAULT, EXIT_IO, "request failed: Bad address"),
    (EIO, EXIT_IO, "request failed: Input/output error"),
    (ENOTTY, EXIT_IO, "do driver and tool versions match?"),
])
def test_errno_without_reason(on, err, exit_code, words):
    on.errno_only("CELL_START", err)
    assert_exit(on.run("cell", "start", "tiny-demo"), exit_code, words)


# ---- cell list and stats ------------------------------------------------

def test_cell_list(on):
    res = on.run("cell", "list")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["ID", "Name", "State", "Assigned", "CPUs",
                                "Failed", "CPUs"]
    assert lines[0].index("Name") == 8 and lines[0].index("State") == 32
    assert lines[0].index("Assigned") == 48
    assert lines[0].index("Failed") == 72
    assert lines[1].split() == ["0", "QEMU-VM", "running", "0,2-3"]
    assert lines[2].split() == ["1", "apic-demo", "running/locked", "1"]
    assert lines[3].split() == ["2", "tiny-demo", "shut", "down", "3"]
    assert lines[3].index("shut down") == 32
    assert on.calls() == []


def test_cell_list_sorted_by_id_with_failed_cpus(fake):
    fake.enable([(10, "ten", "failed", "2-3", "3"), ROOT_CELL,
                 (2, "two", "running", "1", "")])
    lines = fake.run("cell", "list").stdout.splitlines()
    assert [ln.split()[0] for ln in lines[1:]] == ["0", "2", "10"]
    assert lines[3].split() == ["10", "ten", "failed", "2-3", "3"]


def test_cell_stats(on):
    stats = on.sysfs / "cells" / "1" / "statistics"
    for cpu, base in [(1, 100), (3, 7)]:
        d = stats / ("cpu%d" % cpu)
        d.mkdir(parents=True)
        (d / "vmexits_total").write_text("%d\n" % (base + 5))
        (d / "vmexits_mmio").write_text("%d\n" % base)
        (d / "vmexits_hypercall").write_text("5\n")
    (stats / "vmexits_total").write_text("117\n")
    res = on.run("cell", "stats", "apic-demo")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == 'Statistics for cell "apic-demo" (id 1)'
    assert lines[2].split() == ["total", "CPU", "1", "CPU", "3"]
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[3:]}
    assert rows["vmexits_total"] == ["117", "105", "12"]
    assert rows["vmexits_mmio"] == ["107", "100", "7"]
    assert rows["vmexits_hypercall"] == ["10", "5", "5"]
    assert "vmexits_pio" not in rows


def test_cell_stats_by_id_without_statistics(on):
    res = on.run("cell", "stats", "2")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith('Statistics for cell "tiny-demo" (id 2)')


# ---- console ------------------------------------------------------------

def test_console(on):
    text = "Initializing Jailhouse hypervisor\nCreated cell \"x\"\n"
    (on.sysfs / "console").write_text(text)
    res = on.run("console")
    assert res.returncode == 0 and res.stdout == text


def test_console_follow_reads_device(on):
    text = "".join("line %d of the hypervisor console\n" % i
                   for i in range(300))
    (on.dir / "console").write_text(text)
    for flag in ["-f", "--follow"]:
        res = on.run("console", flag)
        assert res.returncode == 0, res.stderr
        assert res.stdout == text


def test_console_without_driver(fake):
    assert_exit(fake.run("console"), EXIT_NOT_ENABLED,
                "is the jailhouse module loaded?")
    assert_exit(fake.run("console", "-f", shim=False), EXIT_NOT_ENABLED,
                "is the jailhouse module loaded?")


# ---- config check -------------------------------------------------------

# The system configs, one per emulator target; every other .cell is a cell.
SYSTEM_CONFIGS = {"bochs-vm.cell", "qemu-vm.cell", "qemu-svm.cell",
                  "qemu-amd.cell", "qemu-x2apic.cell"}


def real_configs():
    return sorted(CELLS.glob("*.cell"))


def test_real_configs_exist():
    names = {p.name for p in real_configs()}
    assert SYSTEM_CONFIGS | {"apic-demo.cell", "tiny-demo.cell"} <= names


@pytest.mark.parametrize("path", real_configs(), ids=lambda p: p.name)
def test_config_check_real(fake, path):
    res = fake.run("config", "check", path, shim=False)
    assert res.returncode == 0, res.stderr
    kind = "system" if path.name in SYSTEM_CONFIGS else "cell"
    assert res.stdout.startswith("%s: valid %s config" % (path, kind))


def test_config_check_all_real_at_once(fake):
    res = fake.run("config", "check", *real_configs(), shim=False)
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.splitlines()) == len(real_configs())


@pytest.mark.parametrize("stem", bad_config_stems())
def test_config_check_broken(fake, stem):
    code = expected_code(stem)
    path = BAD_CELLS / (stem + ".cell")
    res = fake.run("config", "check", path, shim=False)
    if code == "CFG_OK" or code in DYNAMIC_FILE_CODES:
        assert res.returncode == 0, res.stderr
        assert "valid" in res.stdout
    else:
        assert_exit(res, EXIT_CONFIG, "%s: " % path, CFG[code][2])
        assert res.stdout == ""


def test_config_check_names_region(fake, tmp_path):
    # apic-demo.cell with its first non-comm memory region moved half a page.
    data = bytearray((CELLS / "apic-demo.cell").read_bytes())
    cpu_set_size = int.from_bytes(data[52:56], "little")
    regions = int.from_bytes(data[56:60], "little")
    for index in range(regions):
        off = 96 + cpu_set_size + index * 32
        if not int.from_bytes(data[off + 24:off + 32], "little") & (1 << 5):
            break
    else:
        pytest.fail("apic-demo has no RAM region")
    start = int.from_bytes(data[off:off + 8], "little") + 0x800
    data[off:off + 8] = start.to_bytes(8, "little")
    bad = tmp_path / "apic-demo.cell"
    bad.write_bytes(bytes(data))
    res = fake.run("config", "check", bad, shim=False)
    assert_exit(res, EXIT_CONFIG, "apic-demo.cell: memory region %d: "
                "memory region not page aligned" % index)


def test_config_check_mixed(fake):
    res = fake.run("config", "check", CELLS / "apic-demo.cell",
                   BAD_CELLS / "bad-mem-align.cell", CELLS / "qemu-vm.cell",
                   shim=False)
    assert res.returncode == EXIT_CONFIG
    assert len(res.stdout.splitlines()) == 2
    assert len(res.stderr.splitlines()) == 1


def test_config_check_unreadable(fake):
    res = fake.run("config", "check", CELLS / "apic-demo.cell",
                   "/nonexistent.cell", shim=False)
    assert_exit(res, EXIT_IO, "cannot read /nonexistent.cell")
    res = fake.run("config", "check", BAD_CELLS / "bad-arch.cell",
                   "/nonexistent.cell", shim=False)
    assert res.returncode == EXIT_CONFIG


def test_config_check_garbage(fake, tmp_path):
    for size in [0, 3, 200]:
        p = tmp_path / ("garbage%d.cell" % size)
        p.write_bytes(b"\xa5" * size)
        res = fake.run("config", "check", p, shim=False)
        assert res.returncode == EXIT_CONFIG
        assert res.stderr.startswith(str(p) + ": ")


def test_config_check_needs_no_driver(fake):
    # No sysfs, no device, no preload: still works.
    assert not fake.sysfs.exists()
    res = fake.run("config", "check", CELLS / "tiny-demo.cell", shim=False)
    assert res.returncode == 0


# ---- bash completion ----------------------------------------------------

COMPLETION = ROOT / "tools" / "jailhouse-completion.bash"


def complete(fake, *words):
    line = " ".join(["jailhouse"] + list(words))
    script = (
        'source "%s"\n'
        'COMP_WORDS=(%s)\n'
        'COMP_CWORD=%d\n'
        'COMP_LINE="%s"\n'
        '_jailhouse\n'
        'printf "%%s\\n" "${COMPREPLY[@]}"\n'
        % (COMPLETION, " ".join('"%s"' % w for w in ["jailhouse"] +
                                list(words)), len(words), line))
    env = dict(os.environ, JAILHOUSE_SYSFS=str(fake.sysfs))
    res = subprocess.run(["bash", "-c", script], env=env,
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    return set(res.stdout.split())


def test_completion_commands(on):
    assert complete(on, "") == {"enable", "disable", "console", "cell",
                                "config", "hardware", "--help", "--version"}
    assert complete(on, "hardware", "") == {"check", "--help"}
    assert complete(on, "cell", "st") == {"start", "stats"}
    assert complete(on, "config", "") == {"check", "show", "create",
                                         "collect", "--help"}


def test_completion_cell_names(on):
    assert complete(on, "cell", "destroy", "") == {"QEMU-VM", "apic-demo",
                                                   "tiny-demo"}
    assert complete(on, "cell", "start", "ap") == {"apic-demo"}
    assert "--address" in complete(on, "cell", "load", "apic-demo", "x.bin",
                                   "--")
    assert complete(on, "cell", "load", "apic-demo", "x.bin", "-a", "") == \
        set()


# ---- the ABI header -------------------------------------------------------

@pytest.mark.parametrize("context", [[], ["-D__KERNEL__"]],
                         ids=["user", "kernel"])
def test_ioctl_header_builds(tmp_path, context):
    src = tmp_path / "abi.c"
    src.write_text(
        "#include <jailhouse/ioctl.h>\n"
        "_Static_assert(sizeof(struct jailhouse_config_args) == 16, \"\");\n"
        "_Static_assert(sizeof(struct jailhouse_cell_id) == 40, \"\");\n"
        "_Static_assert(sizeof(struct jailhouse_preload_image) == 32, "
        "\"\");\n"
        "_Static_assert(sizeof(struct jailhouse_cell_load) == 48, \"\");\n"
        "_Static_assert(sizeof(struct jailhouse_last_error) == 16, \"\");\n"
        "unsigned long nr = JAILHOUSE_CELL_LOAD;\n")
    res = subprocess.run(["cc", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                          "-I", str(ROOT / "include"), "-c", str(src), "-o",
                          str(tmp_path / "abi.o")] + context,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
