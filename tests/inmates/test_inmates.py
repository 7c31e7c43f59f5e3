# SPDX-License-Identifier: GPL-2.0
"""The inmates on QEMU TCG without the hypervisor, booted as firmware.

What these runs show: the real-mode to long-mode entry, the UART console,
the PM timer, the local APIC timer with its interrupt and EOI, the crash
inmate's two faults, and the comm region protocol of both demos, with this
test playing the hypervisor's side through QEMU's GDB stub.

The CPU model (`qemu64`) leaves x2APIC off, so the APIC timer runs in
xAPIC mode here; under the hypervisor the same code takes x2APIC where
CPUID offers it.
"""
import re
import time

import pytest

from qemu_inmate import GdbLink, Inmate, qemu_available

pytestmark = pytest.mark.skipif(
    not qemu_available(),
    reason="qemu-system-x86_64 not installed (ci/setup installs it)")

MSG_SHUTDOWN_REQUEST = 1
MSG_RECONFIG_COMPLETED = 2
REQUEST_APPROVED = 1
REQUEST_DENIED = 2
MSG_UNKNOWN = 3
MSG_RECEIVED = 4
CELL_RUNNING = 0
CELL_RUNNING_LOCKED = 1

TIMER_LINE = re.compile(r"^Timer fired, jitter: +(-?\d+) ns, "
                        r"min: +(-?\d+) ns, max: +(-?\d+) ns$")
COUNT_LINE = re.compile(r"^tiny-demo: count (\d+) at (\d+)\.(\d{3}) s$")


@pytest.fixture
def run():
    started = []

    def start(name, **kwargs):
        inmate = Inmate(name, **kwargs)
        started.append(inmate)
        return inmate

    yield start
    for inmate in started:
        inmate.close()


def timer_lines(inmate):
    found = []
    for line in inmate.lines(1):
        m = TIMER_LINE.match(line)
        if m:
            found.append(tuple(int(x) for x in m.groups()))
    return found


def test_tiny_demo_counts_seconds_on_com2(run):
    inmate = run("tiny-demo")
    assert inmate.wait_for("Hello from tiny-demo", port=2, timeout=5)
    assert inmate.wait_for("count 4 ", port=2, timeout=10)
    runtime = inmate.elapsed()
    lines = inmate.lines(2)
    log = inmate.stop()
    counts = [COUNT_LINE.match(l) for l in lines[1:]]
    assert lines[0] == "Hello from tiny-demo"
    assert all(counts), lines
    # One line per PM timer second, stamped with that second.
    for n, m in enumerate(counts, 1):
        assert int(m.group(1)) == n
        stamp = int(m.group(2)) * 1000 + int(m.group(3))
        assert abs(stamp - n * 1000) <= 50, lines
    # The PM timer runs in step with the host: 4 counts took 4-6 s here.
    print("tiny-demo: %d counts in %.2f s of QEMU runtime"
          % (len(counts), runtime))
    assert 4.0 <= runtime < 4.0 + 2.5, (runtime, log)
    assert inmate.output(1) == ""


def test_apic_demo_timer_at_10hz_on_com1(run):
    inmate = run("apic-demo")
    assert inmate.wait_for("Timer fired", timeout=5)
    first = inmate.elapsed()
    assert inmate.wait_for("max:", timeout=5)
    time.sleep(3.0)
    ticks = timer_lines(inmate)
    out = inmate.output(1)
    inmate.stop()
    assert "apic-demo: started, reconfiguration locked" in out
    mode = re.search(r"apic-demo: (x2APIC|xAPIC), timer (\d+) kHz", out)
    assert mode, out
    print("apic-demo: %s, APIC timer %s kHz, %d ticks in %.2f s after the "
          "first at %.2f s" % (mode.group(1), mode.group(2), len(ticks),
                               inmate.elapsed() - first, first))
    assert int(mode.group(2)) > 1000
    # About 10 per second (TCG may lag a little behind the host clock).
    rate = (len(ticks) - 1) / (inmate.elapsed() - first)
    assert 7.0 <= rate <= 11.0, (rate, out)
    # Sane figures: min <= jitter <= max, min and max running extremes,
    # never early by more than 1 ms (calibration error), never late by a
    # whole period (a busy host can delay TCG by tens of milliseconds).
    lo = hi = None
    for jitter, mn, mx in ticks:
        lo = jitter if lo is None else min(lo, jitter)
        hi = jitter if hi is None else max(hi, jitter)
        assert (mn, mx) == (lo, hi), out
        assert -1000000 <= jitter < 100000000, out
    print("apic-demo: jitter min %d ns, max %d ns" % (lo, hi))


def test_crash_demo_triple_fault_ends_qemu(run):
    inmate = run("crash-demo", cmd_string="triple-fault")
    # -no-reboot turns the shutdown a triple fault causes into an exit.
    assert inmate.wait_exit(10) == 0, inmate.stop()
    lines = inmate.lines(1)
    assert lines[0] == 'crash-demo: command "triple-fault" at 0x1000'
    assert lines[-1] == "crash-demo: triple fault now", lines


def test_crash_demo_default_is_triple_fault(run):
    inmate = run("crash-demo")
    assert inmate.wait_exit(10) == 0, inmate.stop()
    assert inmate.lines(1)[-2:] == [
        'crash-demo: unknown command, doing "triple-fault"',
        "crash-demo: triple fault now"]


def test_crash_demo_wild_write(run):
    inmate = run("crash-demo", cmd_string="wild-write")
    assert inmate.wait_for("halting", timeout=10), inmate.output(1)
    lines = inmate.lines(1)
    # No hypervisor here: the store goes to unbacked space and the inmate
    # lives on. In a cell the second line must never appear.
    assert lines[1] == "crash-demo: writing to 0x3c000000, outside this cell"
    assert lines[2].startswith("crash-demo: wild write not stopped")
    assert inmate.proc.poll() is None


def test_crash_demo_exception_reported(run):
    inmate = run("crash-demo", cmd_string="exception")
    assert inmate.wait_for("Stopping this CPU.", timeout=10), inmate.output(1)
    out = inmate.output(1)
    m = re.search(r"EXCEPTION 6 \(invalid opcode\), error code 0x0 at RIP "
                  r"0x([0-9a-f]+)", out)
    assert m, out
    # The faulting instruction lies in the image at 0xf0000.
    assert 0xf0000 <= int(m.group(1), 16) < 0x100000, out
    assert "still alive" not in out
    assert inmate.proc.poll() is None


def test_apic_demo_comm_protocol(run):
    inmate = run("apic-demo", gdb=True)
    gdb = GdbLink(inmate)
    try:
        gdb.cont()
        assert inmate.wait_for("Timer fired", timeout=10)
        assert gdb.comm_state() == CELL_RUNNING_LOCKED

        reply, took = gdb.send_message(MSG_SHUTDOWN_REQUEST)
        print("apic-demo: first shutdown request answered in %.3f s" % took)
        assert reply == REQUEST_DENIED
        assert inmate.wait_for("denying the first shutdown request")
        assert gdb.comm_state() == CELL_RUNNING_LOCKED
        ticks = len(timer_lines(inmate))
        assert inmate.wait_for("Timer fired", timeout=2)
        time.sleep(0.3)
        assert len(timer_lines(inmate)) > ticks, "stopped after denial"

        reply, _ = gdb.send_message(MSG_RECONFIG_COMPLETED)
        assert reply == MSG_RECEIVED
        reply, _ = gdb.send_message(99)
        assert reply == MSG_UNKNOWN

        reply, took = gdb.send_message(MSG_SHUTDOWN_REQUEST)
        print("apic-demo: second shutdown request answered in %.3f s" % took)
        assert reply == REQUEST_APPROVED
        assert gdb.comm_state() == CELL_RUNNING
        assert inmate.wait_for("approving shutdown request")
        ticks = len(timer_lines(inmate))
        time.sleep(0.3)
        assert len(timer_lines(inmate)) == ticks, "still ticking"
    finally:
        gdb.close()


def test_tiny_demo_comm_protocol(run):
    inmate = run("tiny-demo", gdb=True)
    gdb = GdbLink(inmate)
    try:
        gdb.cont()
        assert inmate.wait_for("Hello from tiny-demo", port=2, timeout=10)
        assert gdb.comm_state() == CELL_RUNNING
        reply, _ = gdb.send_message(MSG_RECONFIG_COMPLETED)
        assert reply == MSG_RECEIVED
        reply, _ = gdb.send_message(42)
        assert reply == MSG_UNKNOWN
        reply, _ = gdb.send_message(MSG_SHUTDOWN_REQUEST)
        assert reply == REQUEST_APPROVED
        assert inmate.wait_for("shutdown requested, approving", port=2)
    finally:
        gdb.close()


def test_edu_demo_copies_by_dma_without_an_iommu(run):
    """edu-demo's device programming on bare QEMU with an edu device: the
    copy within its memory works, and with no IOMMU present the write
    outside goes through too, and reading it back brings the pattern
    (under the hypervisor the IOMMU blocks both); its MSIs reach its CPU."""
    inmate = run("edu-demo", devices=["edu,addr=0x10"])
    assert inmate.wait_for("device done", timeout=10), inmate.output(1)
    out = inmate.output(1)
    assert re.search(r"edu at 00:10\.0, registers at 0xfea00000, "
                     r"id 0x010000ed, alive", out), out
    assert re.search(r"DMA within the cell: 256 bytes 0x80000 -> device "
                     r"-> 0x90000: copied", out), out
    assert inmate.wait_for("DMA read back", timeout=10), inmate.output(1)
    assert "DMA read back from 0x1000000: the pattern: the write landed " \
        "there" in inmate.output(1), inmate.output(1)
    # Alone on the machine (APIC 0), without remapping: its MSIs come
    # straight to it, and the one to APIC 1 (no such CPU) goes nowhere.
    assert inmate.wait_for("not this cell's", timeout=10), inmate.output(1)
    assert "MSI vector 0x30 to APIC 0 (this CPU): 3 of 3 arrived" in \
        inmate.output(1), inmate.output(1)
    assert "MSI vector 0x30 to APIC 1 (not this cell's): 0 of 1 arrived" \
        in inmate.output(1), inmate.output(1)
