"""Fixtures of the end-to-end suite.

`boot_target(request, name, extra_dirs=..., **machine_args)` boots one
target for a test module and powers it off at the module's end; a target
that cannot run here is skipped with its reason. Every boot's time is
collected and printed at the end of the run.

Knobs, for local iteration only (never set by make):
    JAILHOUSE_E2E_SKIP_BOCHS=1   skip the Bochs target (says so when it does)
    JAILHOUSE_E2E_TARGETS=a,b    run only these targets
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machines  # noqa: E402

E2E_DIR = machines.BUILD / "e2e"

# (target, what, seconds or skip reason) in the order they happened
_timings = []
_skips = {}


def target_skip_reason(name):
    only = os.environ.get("JAILHOUSE_E2E_TARGETS")
    if only and name not in only.split(","):
        return f"JAILHOUSE_E2E_TARGETS={only} leaves {name} out"
    if name == "bochs" and os.environ.get("JAILHOUSE_E2E_SKIP_BOCHS") == "1":
        return "JAILHOUSE_E2E_SKIP_BOCHS=1 set: Bochs skipped on request"
    return machines.TARGETS[name].skip_reason()


def boot_target(request, name, extra_dirs=(), **machine_args):
    """Boots target `name` in build/e2e/<name>/<test module>/ and returns
    the Machine with its shell ready; shuts it down when the requesting
    fixture's scope ends."""
    reason = target_skip_reason(name)
    if reason:
        _skips[name] = reason
        pytest.skip(f"{name}: {reason}")
    module = Path(str(request.node.fspath)).stem
    workdir = E2E_DIR / name / module
    machine = machines.TARGETS[name](workdir, extra_dirs=extra_dirs,
                                     **machine_args)

    def fin():
        machine.shutdown()

    request.addfinalizer(fin)
    machine.boot()
    _timings.append((name, f"boot to shell ({module})",
                     f"{machine.boot_seconds:.1f} s"))
    print(f"\n{name}: boot to shell {machine.boot_seconds:.1f} s "
          f"(ready marker at {machine.ready_seconds:.1f} s)")
    return machine


def record(name, what, value):
    """Adds a figure to the summary printed at the end of the run."""
    _timings.append((name, what, value))


def pytest_report_header(config):
    try:
        ver = machines.kernel_version()
    except RuntimeError as err:
        ver = f"unknown ({err})"
    return [f"kernel: Debian linux-image-{ver} (scripts/fetch-kernel)"]


def pytest_terminal_summary(terminalreporter):
    if not _timings and not _skips:
        return
    tr = terminalreporter
    tr.section("end-to-end figures")
    for name, what, value in _timings:
        tr.write_line(f"{name:9} {what}: {value}")
    for name, reason in _skips.items():
        tr.write_line(f"{name:9} skipped: {reason}")

