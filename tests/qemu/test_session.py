"""The seed's demo session end to end, on both virtualization backends:
Bochs (Intel VMX with EPT) and QEMU's TCG (AMD SVM with nested paging,
no next-RIP saving), each with 4 CPUs, the real driver, image, CLI,
configs and inmates, one boot per target, every step asserted from the
serial consoles.

Order as in `make demo`: tiny-demo first (apic-demo locks reconfiguration
once it runs, so no cell could be created after it), then apic-demo; the
lock refuses other cells' destruction while reloading tiny-demo still
works; apic-demo denies its first shutdown and approves the second; fault
scenarios with crash-demo on the CPU apic-demo gave back; bad input at
the CLI; create/destroy cycles against the pool's baseline; disable with
tiny-demo still running, then enable and disable once more. Disable and
enable before any cell exists are tested right after the first enable.
Root Linux is asked to answer, on every CPU it owns, after every step.

Each step first brings the session to the state it starts from (enabled
or not, which cells run; `Session.needs`): in the full run that is where
the step before left it, so nothing is done, and a step run alone (`-k`)
sets up what it needs instead of failing on the missing chain.

Bochs boots once per run, here: its first step holds it to what the
target promises (promises.py), it runs 1 create/destroy cycle where
QEMU runs 10 (a Bochs cycle takes 15-30 s), leaves following the console
to QEMU, and after its session it
runs `config collect` and `config create` in the guest and the cells on
the config they wrote (generated.py; test_config_create.py boots the
QEMU targets for that). JAILHOUSE_E2E_CYCLES sets
QEMU's count (the nightly run, `make check-nightly`, asks for 100).

apic-demo prints through the hypervisor's console. On Bochs that is the
first serial port, the one the shell runs on: its lines may land inside a
command's output, so outputs are searched, never compared whole. On QEMU
the hypervisor has the third port to itself (configs/qemu-svm.c), since
there apic-demo's lines come ten times a second.

On qemu-svm the VT-d unit remaps DMA and interrupts (root's IOAPIC pins
and MSIs go through the hypervisor's remapping entries); on qemu-amd the
AMD-Vi unit does (root's legacy interrupts take the 8259 PIC there, see
machines.QemuAmd). edu-demo shows a device of a cell reaching its cell's
memory and nothing else, and its MSIs reaching its cell's CPU and no
other; on qemu-amd QEMU's trace of its AMD-Vi model shows the unit at work
(the fault of its page walk, the remapping entry it read).

The guests get the stack as `make install` puts it on a machine
(build/e2e/install, `make e2e-install`; conftest.installed): the CLI in
/usr/sbin, the image in /lib/firmware, configs and inmates under
/usr/share/jailhouse, the module under /lib/modules, loaded at boot by
modprobe. `make check-qemu` builds it."""

import re
import time
from dataclasses import replace

import pytest

import generated
import promises
from conftest import boot_target, installed, note
from session import CELL_ORDER, JITTER, SYSFS, TARGETS, Session

def tiny_demo_still_counts(s):
    """tiny-demo, on its own CPU all along, noticed nothing of the rest."""
    tty1 = s.machine.serial[1]
    tty1.skip()
    tty1.wait_for(r"tiny-demo: count \d+", s.t.slow)
    assert s.cells()["tiny-demo"][0] == "running"
    assert "EXCEPTION" not in tty1.output, tty1.output[-500:]


@pytest.fixture(scope="module", params=list(TARGETS))
def s(request):
    t = TARGETS[request.param]
    m = boot_target(request, t.machine,
                    extra_dirs=installed(f"session-{t.label}-extra"),
                    label=t.label, **t.machine_args)
    m.console.check("dmesg -n 1")
    yield Session(m, t)
    # Bochs powers off slowly; nothing is left to check by then.
    m.kill()


def test_target_keeps_its_promises(s):
    """CPUs, virtualization extension, IOMMU and reserved block as the
    target promises (test_boot.py checks the same on the QEMU targets)."""
    promises.check_all(s.console, s.t.machine)


def test_enable(s):
    s.needs(enabled=False)
    assert s.value(f"{SYSFS}/enabled") == "0"
    start = time.monotonic()
    out = s.enable_as_predicted(s.system_config())
    enabled_at = s.machine.boot_seconds + time.monotonic() - start
    if not s.t.dma_isolated:
        s.hv_said(out, "DMA of devices is NOT isolated")
    if s.t.x2apic:
        s.hv_said(out, "root keeps its interrupt remapping")
    s.hv_said(out, "Activating hypervisor")
    assert s.value(f"{SYSFS}/enabled") == "1"
    s.record("boot to enabled", f"{enabled_at:.1f} s")
    assert "Activating hypervisor" in s.ok("console"), \
        "the console, read while the hypervisor runs"
    s.console.check("cat /proc/interrupts > /dev/null")
    assert s.online() == "0-3"
    s.alive()


def test_disable_and_enable_before_cells(s):
    """Every CPU goes back to Linux natively, the console keeps the log,
    and the hypervisor comes up again."""
    s.needs()
    out = s.ok("disable")
    s.hv_said(out, "Shutting down hypervisor")
    assert s.value(f"{SYSFS}/enabled") == "0"
    assert s.online() == "0-3"
    assert "Shutting down hypervisor" in s.ok("console")
    s.alive()
    s.ok(f"enable {s.system_config()}")
    assert s.value(f"{SYSFS}/enabled") == "1"
    s.alive()


def test_tiny_demo_prints_on_the_second_port(s):
    s.needs()
    tty1 = s.machine.serial[1]
    tty1.skip()
    start = time.monotonic()
    s.start_cell("tiny-demo")
    tty1.wait_for(r"Hello from tiny-demo\n", s.t.slow)
    s.record("tiny-demo create to first output",
             f"{time.monotonic() - start:.1f} s")
    tty1.wait_for(r"tiny-demo: count 1 at", s.t.slow)
    assert s.online() == "0-1,3", "CPU 2 left Linux"
    s.alive()


def test_apic_demo_measures_jitter(s):
    s.needs(cells=("tiny-demo",))
    s.hv.skip()
    start = time.monotonic()
    s.start_cell("apic-demo")
    s.hv.wait_for(JITTER, s.t.slow)
    s.record("apic-demo create to first jitter line",
             f"{time.monotonic() - start:.1f} s")
    for _ in range(3):
        s.hv.wait_for(JITTER, s.t.slow)
    assert s.online() == "0-1"
    s.alive()


def test_console_follows_the_running_hypervisor(s):
    """`jailhouse console -f` prints what was logged before, then what is
    logged while it runs: it is stopped once two jitter lines more than
    the console held have come. (Not after a time: on Bochs root's clock
    runs many times slower than apic-demo's, and `timeout 1` took 17 of
    apic-demo's seconds, minutes of wall time.) The file exists before
    the tool starts: a grep of a file not yet there ended the wait at
    once."""
    if s.t.machine == "bochs":
        pytest.skip("bochs: the console is the same code on every target "
                    "and the QEMU targets follow it; two of apic-demo's "
                    "lines take about a minute of Bochs's wall time")
    s.needs(cells=CELL_ORDER)
    out = s.console.check(
        "B=$(jailhouse console | grep -c 'Timer fired'); : > /tmp/follow; "
        "jailhouse console -f >> /tmp/follow & P=$!; n=0; "
        "while [ $(grep -c 'Timer fired' /tmp/follow) -lt $((B + 2)) ] "
        "&& [ $n -lt 100000 ]; do n=$((n + 1)); done; "
        "kill $P; wait $P 2>/dev/null; "
        "echo N=$(grep -c 'Created cell \"apic-demo\"' /tmp/follow) "
        "T=$(grep -c 'Timer fired' /tmp/follow) B=$B", timeout=s.t.slow)
    m = re.search(r"N=(\d+) T=(\d+) B=(\d+)", out)
    assert m, out
    assert int(m.group(1)) >= 1, "the text from before, first"
    assert int(m.group(2)) >= int(m.group(3)) + 2, \
        "then new lines as they came"


def test_cell_list(s):
    s.needs(cells=CELL_ORDER)
    s.listed(s.t.root, "running", "0-1")
    s.listed("tiny-demo", "running", "2")
    s.listed("apic-demo", "running/locked", "3")
    assert s.cells() == {s.t.root: ("running", "0-1"),
                         "tiny-demo": ("running", "2"),
                         "apic-demo": ("running/locked", "3")}


def test_apic_demo_exits_per_second(s):
    """Steady-state exits of the running apic-demo, from its statistics.
    Its jitter line goes out through the debug-console hypercall, a whole
    line per call: at most one exit per console line. In xAPIC mode the
    timer and EOI writes go through the trapped APIC page (MMIO exits); in
    x2APIC mode they are MSRs the cell reaches directly, and the console
    lines are all that is left: no other exit at all."""
    s.needs(cells=CELL_ORDER)
    stats = f"{SYSFS}/cells/{s.cell_id('apic-demo')}/statistics"
    names = ("vmexits_total", "vmexits_hypercall", "vmexits_mmio",
             "vmexits_pio", "vmexits_apic", "vmexits_msr",
             "vmexits_management", "vmexits_cpuid", "vmexits_cr",
             "vmexits_xsetbv", "vmexits_exception", "vmexits_other")
    s.hv.skip()
    mark = len(s.hv.output)
    before = {n: int(s.value(f"{stats}/{n}")) for n in names}
    t0 = time.monotonic()
    for _ in range(s.t.ticks):
        s.hv.wait_for(JITTER, s.t.slow)
    after = {n: int(s.value(f"{stats}/{n}")) for n in names}
    wall = time.monotonic() - t0
    # Each jitter line is one 100 ms tick of the cell's own clock.
    ticks = len(JITTER.findall(s.hv.output[mark:]))
    delta = {n: after[n] - before[n] for n in names}
    per_guest_s = delta["vmexits_total"] / (ticks / 10)
    detail = ", ".join(f"{n[8:]} {delta[n]}" for n in names[1:])
    mode = "x2APIC" if s.t.x2apic else "xAPIC"
    s.record(f"apic-demo exits per guest second ({mode})",
             f"{per_guest_s:.0f} ({detail} over {ticks} ticks, "
             f"{wall:.0f} s wall)")
    assert delta["vmexits_total"] > 0
    assert delta["vmexits_hypercall"] > 0, "the jitter lines are hypercalls"
    # The statistics are read just before the first line and just after
    # the last one counted: one line may fall on either side.
    assert delta["vmexits_hypercall"] <= ticks + 2, \
        f"{delta['vmexits_hypercall']} hypercalls for {ticks} console lines"
    if s.t.x2apic:
        # Counted one by one: total and hypercall may be a line apart.
        others = sum(delta[n] for n in names[2:])
        assert others == 0, f"exits besides the console lines: {detail}"


def test_reconfiguration_locked_while_apic_demo_runs(s):
    s.needs(cells=CELL_ORDER)
    locked = 'reconfiguration is locked by cell "apic-demo"'
    s.refused("cell destroy tiny-demo", re.escape(locked))
    # crash-demo wants apic-demo's CPU 3 too: the lock must be the reason.
    s.refused(f"cell create {s.config('crash-demo')}", re.escape(locked))
    assert set(s.cells()) == {s.t.root, "tiny-demo", "apic-demo"}
    s.alive()


def test_tiny_demo_reloads_and_restarts_while_locked(s):
    s.needs(cells=CELL_ORDER)
    tty1 = s.machine.serial[1]
    tty1.skip()
    s.ok(f"cell load tiny-demo {s.inmate('tiny-demo')} -a 0xf0000")
    s.ok("cell start tiny-demo")
    tty1.wait_for(r"Hello from tiny-demo\n", s.t.slow)
    assert s.cells()["tiny-demo"][0] == "running"
    s.alive()


def test_apic_demo_denies_first_shutdown_then_approves(s):
    s.needs(cells=CELL_ORDER)
    s.refused("cell shutdown apic-demo",
              re.escape('cell "apic-demo" denied the shutdown request'))
    s.hv.skip()
    s.hv.wait_for(JITTER, s.t.slow)  # still running
    s.ok("cell shutdown apic-demo")
    assert s.cells()["apic-demo"][0] == "shut down"
    s.ok("cell destroy apic-demo")
    assert "apic-demo" not in s.cells()
    assert s.online() == "0-1,3", "CPU 3 back in Linux"
    s.alive()


def test_crash_demo_triple_fault_fails_only_its_cell(s):
    s.needs(cells=("tiny-demo",))
    s.start_cell("crash-demo", " -s triple-fault -a 0x1000")
    s.wait_failed("crash-demo")
    tiny_demo_still_counts(s)
    s.alive()
    s.ok("cell destroy crash-demo")
    assert s.online() == "0-1,3"


def test_crash_demo_wild_write_is_stopped(s):
    s.needs(cells=("tiny-demo",))
    s.start_cell("crash-demo", " -s wild-write -a 0x1000")
    s.wait_failed("crash-demo")
    s.hv_printed("failed: unhandled MMIO write of 4 bytes at 0x3c000000")
    assert "wild write not stopped" not in s.hv.output
    s.alive()
    s.ok("cell destroy crash-demo")


def test_edu_dma_reaches_only_its_cells_memory(s):
    """QEMU's edu device, given to edu-demo, copies within the cell's
    memory by DMA; its write to 16 MiB (root Linux's memory, were there no
    IOMMU) is blocked by the IOMMU (VT-d or AMD-Vi) and logged with device
    and address. Root and tiny-demo keep running; the device goes back to
    root."""
    if not s.t.edu:
        pytest.skip(f"{s.t.label}: no edu device and no IOMMU here")
    s.needs(cells=("tiny-demo",))
    mark, trace_mark = len(s.hv.output), len(s.trace() or "")
    s.start_cell("edu-demo")
    s.hv_printed("edu-demo: edu at 00:10.0, registers at 0xfea00000, "
                 "id 0x010000ed, alive", mark)
    s.hv_printed("edu-demo: DMA within the cell: 256 bytes 0x80000 -> "
                 "device -> 0x90000: copied", mark)
    s.hv_printed("edu-demo: DMA read back from 0x1000000: not the "
                 "pattern: the write did not land there", mark)
    if s.t.no_dma_fault_event:
        note(s.t.label, "the IOMMU's fault line for edu-demo's DMA "
             "outside its cell", s.t.no_dma_fault_event)
        # The emulator's model, not only the cell, saw the access fail.
        walk = s.traced(r"^amdvi_page_fault .*address 0x1000000$",
                        trace_mark)
        if walk is None:
            note(s.t.label, "the page-walk fault in QEMU's trace",
                 "this QEMU traces nothing")
        else:
            print(f"\n# QEMU's trace: {walk[0].group(0)}")
    else:
        s.hv_printed(f"{s.t.iommu}: DMA write to 0x1000000 by 00:10.0 "
                     "(cell \"edu-demo\") blocked", mark)
    print("\n# hypervisor console, edu-demo's part:\n" + "\n".join(
        line for line in s.hv.output[mark:].splitlines()
        if "edu-demo" in line or s.t.iommu in line))
    tiny_demo_still_counts(s)
    s.alive()
    # Its last test, before it polls for messages: the refused MSI.
    s.hv_printed("edu-demo: MSI vector 0x30 to APIC 0 (not this cell's): 0 "
                 "of 1 arrived", mark)
    s.ok("cell shutdown edu-demo")
    s.ok("cell destroy edu-demo")
    assert s.online() == "0-1,3"


def check_amdvi_remapped_msis(s, since, count, apic_id, vector):
    """QEMU's trace shows edu's messages (00:10.0, device id 0x80) each
    looked up in its interrupt table (IntCtl 2: remap) and sent on as the
    entry says: the entry enabled, to APIC apic_id, with vector; the
    device's own data only indexes the table."""
    msi = (r"^amdvi_ir_remap_msi_req addr 0xfee00000 data 0x([0-9a-f]+) "
           r"devid 0x80\n"
           r"amdvi_ir_intctl int_ctl 0x2\n"
           r"amdvi_ir_irte_val data 0x([0-9a-f]+)\n"
           r"amdvi_ir_remap_msi \(addr 0xfee00000, data 0x\1\) -> "
           r"\(addr 0xfee([0-9a-f]{2})000, data 0x([0-9a-f]+)\)$")
    found = s.traced(msi, since, count)
    if found is None:
        note(s.t.label, "edu's messages in QEMU's remapping trace",
             "this QEMU traces nothing")
        return
    print("\n# QEMU's trace of edu's MSIs:\n" + "\n".join(
        m.group(0) for m in found))
    assert len(found) == count, [m.group(0) for m in found]
    for m in found:
        irte = int(m.group(2), 16)
        assert irte & 1, f"entry not enabled: {m.group(0)}"
        assert (irte >> 8) & 0xff == apic_id, m.group(0)
        assert (irte >> 16) & 0xff == vector, m.group(0)
        assert int(m.group(3), 16) == apic_id, m.group(0)
        assert int(m.group(4), 16) & 0xff == vector, m.group(0)


def test_edu_msi_reaches_only_its_cells_cpu(s):
    """edu-demo has its device send MSIs: three to its own CPU (CPU 3,
    APIC 3), which all arrive, through an interrupt remapping entry of
    the cell; then one aimed at CPU 0, root's, which the hypervisor
    refuses by name and keeps disabled, so nothing arrives. Root and
    tiny-demo keep running."""
    if not s.t.edu:
        pytest.skip(f"{s.t.label}: no edu device and no IOMMU here")
    s.needs(cells=("tiny-demo",))
    mark, trace_mark = len(s.hv.output), len(s.trace() or "")
    unit = s.t.iommu.split(" unit")[0]
    s.start_cell("edu-demo")
    s.hv_printed("edu-demo: MSI vector 0x30 to APIC 3 (this CPU): 3 of 3 "
                 "arrived", mark)
    s.hv_printed(f"{unit}: cell \"edu-demo\": interrupt of 00:10.0 to "
                 "APIC 0 (vector 0x30) refused: not a CPU of the cell", mark)
    s.hv_printed("PCI 00:10.0 of cell \"edu-demo\": MSI to 0xfee00000 "
                 "data 0x0030 kept disabled: interrupt remapping refused it",
                 mark)
    s.hv_printed("edu-demo: MSI vector 0x30 to APIC 0 (not this cell's): 0 "
                 "of 1 arrived", mark)
    if unit == "AMD-Vi":
        check_amdvi_remapped_msis(s, trace_mark, 3, 3, 0x30)
    print("\n# hypervisor console, edu-demo's part:\n" + "\n".join(
        line for line in s.hv.output[mark:].splitlines()
        if "edu-demo" in line or unit in line))
    tiny_demo_still_counts(s)
    s.alive()
    # Its last test, before it polls for messages: the refused MSI.
    s.hv_printed("edu-demo: MSI vector 0x30 to APIC 0 (not this cell's): 0 "
                 "of 1 arrived", mark)
    s.ok("cell shutdown edu-demo")
    s.ok("cell destroy edu-demo")
    assert s.online() == "0-1,3"


def test_bad_input_is_refused_and_changes_nothing(s):
    s.needs(cells=("tiny-demo",))
    c = s.console
    c.check(f"head -c 100 {s.config('apic-demo')} > /tmp/short.cell")
    s.refused("cell create /tmp/short.cell", r"(?i)short|size|trunc")
    s.refused(f"cell create {s.config('tiny-demo')}", r"exists")
    # tiny-demo's config under another name collides on CPU 2 and memory.
    c.check(f"cp {s.config('tiny-demo')} /tmp/twin.cell && printf tiny-twin "
            "| dd of=/tmp/twin.cell bs=1 seek=12 conv=notrunc 2>/dev/null")
    s.refused("cell create /tmp/twin.cell", r"CPU 2|3c500000")
    s.refused("cell start no-such-cell", r"no-such-cell")
    s.refused(f"cell load tiny-demo {s.inmate('tiny-demo')} -a 0x200000",
              r"(?i)loadable|outside")
    s.refused(f"cell create {s.system_config()}", r"(?i)system")
    assert set(s.cells()) == {s.t.root, "tiny-demo"}
    s.ok(f"cell load tiny-demo {s.inmate('tiny-demo')} -a 0xf0000")
    s.ok("cell start tiny-demo")
    s.alive()


def test_create_destroy_cycles_leave_the_pool_at_baseline(s):
    s.needs(cells=("tiny-demo",))
    used = f"{SYSFS}/mem_pool_used"
    baseline = s.value(used)
    start = time.monotonic()
    for _ in range(s.t.cycles):
        s.ok(f"cell create {s.config('apic-demo')}")
        s.ok("cell destroy apic-demo")
    s.record("create/destroy cycle",
             f"{(time.monotonic() - start) / s.t.cycles:.1f} s "
             f"(mean of {s.t.cycles})")
    assert s.value(used) == baseline
    assert s.online() == "0-1,3"
    s.alive()
    tiny_demo_still_counts(s)


def test_disable_with_a_cell_running(s):
    s.needs(cells=("tiny-demo",))
    out = s.ok("disable")
    s.hv_said(out, "Shutting down hypervisor")
    assert s.value(f"{SYSFS}/enabled") == "0"
    assert s.online() == "0-3", "tiny-demo's CPU back in Linux"
    s.alive()
    s.linux_interrupts_arrive()


def test_enable_and_disable_again(s):
    s.needs(enabled=False)
    s.ok(f"enable {s.system_config()}")
    assert s.value(f"{SYSFS}/enabled") == "1"
    s.alive()
    s.linux_interrupts_arrive()
    s.ok("disable")
    assert s.value(f"{SYSFS}/enabled") == "0"
    s.alive()
    s.linux_interrupts_arrive()


# ---- Bochs on the config `config create` wrote in the guest -------------
#
# The QEMU targets boot for these steps in test_config_create.py; Bochs
# boots once per run, so they run here, after the session, on the same
# guest (generated.py holds the steps). Bochs's UART 0x3f8 carries the
# shell: the hypervisor shares it with root, as bochs-vm.c does.

BOCHS = pytest.mark.parametrize("s", ["bochs"], indirect=True)


@pytest.fixture(scope="module")
def gs(s):
    """The session on the generated config (label bochs-config)."""
    ct = generated.ConfigTarget(
        session="bochs", name="Bochs-VM", console="--shared-console 0x3f8",
        tables=("APIC", "FACP"),
        explained=[
            (r"^PCI MMCONFIG: 0x00000000, buses 00-(00|ff)$",
             "Bochs has no MCFG"),
            (r"^0x3c400000-0x3f(dfffff|feffff) .* read write execute dma$",
             "Bochs's ACPI tables"),
            (r"^0x3f(e00000|ff0000)-0x3fffffff .* read write$",
             "Bochs's ACPI tables"),
            (r"^0x80000000-0xfebfffff .* read write io$", "Bochs's PCI hole"),
            (r"^IOAPIC at 0xfec00000, source id 0x(0000|ff00) ",
             "IOAPIC's source id without an IOMMU"),
            (r"^0000:00:0(1\.2|2\.0) device", "00:01.2 and 00:02.0"),
        ])
    return generated.ConfigSession(
        s.machine, replace(s.t, label="bochs-config"), ct)


@BOCHS
@pytest.mark.parametrize("step", generated.STEPS,
                         ids=[f.__name__ for f in generated.STEPS])
def test_bochs_on_generated_config(s, gs, step):
    step(gs)
