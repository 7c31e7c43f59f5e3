"""Fixtures of the end-to-end suite.

`installed(dirname)` gives the extra directories of a guest that runs the
stack as `make install` puts it on a machine (build/e2e/install, which
`make e2e-install` writes), its module loaded at boot.

`boot_target(request, name, extra_dirs=..., **machine_args)` boots one
target for a test module and powers it off at the module's end; a target
that cannot run here is skipped with its reason. Every boot's time is
collected and printed at the end of the run, figures that several targets
recorded side by side; so are the notes of what a target could not show
(`note`), each with its reason. `stage_build_files(dirname, files)` copies build
outputs into a fresh extra directory for the initramfs.

Knobs, for local iteration only (never set by make):
    JAILHOUSE_E2E_SKIP_BOCHS=1   skip the Bochs target (says so when it does)
    JAILHOUSE_E2E_TARGETS=a,b    run only these targets
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machines  # noqa: E402

E2E_DIR = machines.BUILD / "e2e"
INSTALLED = E2E_DIR / "install"

# (target, what, seconds or skip reason) in the order they happened
_timings = []
_skips = {}
# (target, what it cannot show, why) in the order they were noted
_notes = []


def target_skip_reason(name):
    only = os.environ.get("JAILHOUSE_E2E_TARGETS")
    if only and name not in only.split(","):
        return f"JAILHOUSE_E2E_TARGETS={only} leaves {name} out"
    if name == "bochs" and os.environ.get("JAILHOUSE_E2E_SKIP_BOCHS") == "1":
        return "JAILHOUSE_E2E_SKIP_BOCHS=1 set: Bochs skipped on request"
    return machines.TARGETS[name].skip_reason()


def stage_build_files(dirname, files):
    """A fresh build/e2e/DIRNAME holding the build outputs FILES (paths
    relative to build/), modes kept; fails naming the first one missing."""
    out = E2E_DIR / dirname
    if out.exists():
        for f in out.iterdir():
            if f.is_file():
                f.unlink()
    out.mkdir(parents=True, exist_ok=True)
    for rel in files:
        src = machines.BUILD / rel
        assert src.exists(), f"{src} missing: run make check-qemu"
        dst = out / src.name
        dst.write_bytes(src.read_bytes())
        dst.chmod(src.stat().st_mode & 0o777)
    return out


def installed(dirname, modules=("jailhouse",)):
    """Extra directories for an initramfs that holds what `make install`
    (PREFIX=/usr, module for the guests' kernel) installs, with
    build/e2e/DIRNAME naming in /etc/modules the modules its /init loads
    with modprobe at boot, as a distribution's boot does."""
    assert (INSTALLED / "usr" / "sbin" / "jailhouse").exists(), \
        f"{INSTALLED} missing: run make check-qemu (or make e2e-install)"
    out = E2E_DIR / dirname
    shutil.rmtree(out, ignore_errors=True)
    (out / "etc").mkdir(parents=True)
    (out / "etc" / "modules").write_text("".join(m + "\n" for m in modules))
    return [INSTALLED, out]


def boot_target(request, name, extra_dirs=(), label=None, **machine_args):
    """Boots target `name` in build/e2e/<label or name>/<test module>/ and
    returns the Machine with its shell ready; shuts it down when the
    requesting fixture's scope ends. `label` names the figures it records
    (a target booted with other machine arguments)."""
    reason = target_skip_reason(name)
    if reason:
        _skips[name] = reason
        pytest.skip(f"{name}: {reason}")
    module = Path(str(request.node.fspath)).stem
    label = label or name
    workdir = E2E_DIR / label / module
    machine = machines.TARGETS[name](workdir, extra_dirs=extra_dirs,
                                     **machine_args)

    def fin():
        machine.shutdown()

    request.addfinalizer(fin)
    machine.boot()
    _timings.append((label, f"boot to shell ({module})",
                     f"{machine.boot_seconds:.1f} s"))
    print(f"\n{label}: boot to shell {machine.boot_seconds:.1f} s "
          f"(ready marker at {machine.ready_seconds:.1f} s)")
    return machine


def record(name, what, value):
    """Adds a figure to the summary printed at the end of the run."""
    _timings.append((name, what, value))


def note(name, what, why):
    """Prints, now and in the summary at the end of the run, what a test
    could not assert on target `name` and why: a skip within a test that
    otherwise ran."""
    print(f"\n{name}: not asserted: {what}: {why}")
    if (name, what, why) not in _notes:
        _notes.append((name, what, why))


def pytest_report_header(config):
    try:
        ver = machines.kernel_version()
    except RuntimeError as err:
        ver = f"unknown ({err})"
    return [f"kernel: Debian linux-image-{ver} (scripts/fetch-kernel)"]


def pytest_terminal_summary(terminalreporter):
    if not _timings and not _skips and not _notes:
        return
    tr = terminalreporter
    tr.section("end-to-end figures")
    for name, what, value in _timings:
        tr.write_line(f"{name:9} {what}: {value}")
    for name, reason in _skips.items():
        tr.write_line(f"{name:9} skipped: {reason}")
    for name, what, why in _notes:
        tr.write_line(f"{name:9} not asserted: {what}: {why}")
    side_by_side(tr)


def side_by_side(tr):
    """The figures more than one target recorded, one row each."""
    targets, table = [], {}
    for name, what, value in _timings:
        if name not in targets:
            targets.append(name)
        table.setdefault(what, {})[name] = value
    rows = [(what, by) for what, by in table.items() if len(by) > 1]
    if not rows:
        return
    cols = [t for t in targets if any(t in by for _, by in rows)]
    tr.section("side by side")
    tr.write_line(" | ".join(["figure"] + cols))
    for what, by in rows:
        tr.write_line(" | ".join([what] + [by.get(t, "-") for t in cols]))

