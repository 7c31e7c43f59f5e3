"""`jailhouse hardware check` where enable must fail: the qemu-svm machine
with a CPU that has SVM but no nested paging. The check runs in the guest
(it loads the stock kernel's cpuid and msr modules itself), names what is
missing and exits 4; enable with the target's own config is then refused
by the hypervisor for the same reason. test_session.py holds every
target's check to the enable that succeeds there.

Needs what `make check-qemu` builds."""

import pytest

from conftest import boot_target, installed
from session import TARGETS, Session

EXIT_REFUSED = 4


@pytest.fixture(scope="module")
def s(request):
    t = TARGETS["qemu-svm"]
    m = boot_target(request, t.machine,
                    extra_dirs=installed("hardware-check-extra"),
                    label="qemu-svm-no-npt", cpu="qemu64,+svm",
                    **t.machine_args)
    m.console.check("dmesg -n 1")
    yield Session(m, t)
    m.kill()


def test_check_and_enable_agree_on_a_cpu_without_npt(s):
    check, rc = s.jh("hardware check")
    assert rc == EXIT_REFUSED, check
    assert check.count("MISSING  nested paging (NPT)") == 4, check
    assert "Verdict: enable would fail, 4 required items missing" in check
    assert s.console.check("ls /dev/cpu/0") == "cpuid  msr", \
        "the tool loaded the modules"
    out, erc = s.jh(f"enable {s.config('qemu-svm')}")
    assert erc == EXIT_REFUSED, out
    s.hv_printed("SVM feature missing: nested paging (NPT)")
    assert s.online() == "0-3"
    s.alive()
