"""Boot tests of machine checks (kernel/cpu/mce.c): errors are put into the
vCPUs' MCA banks from outside, with the QEMU monitor's
`mce CPU BANK STATUS MCG_STATUS ADDR MISC` (TCG models 10 banks per CPU and
MCG_CAP.SER_P), while the kernel runs; the kernel has to find them itself.

MCi_STATUS words used (Intel SDM vol. 3B 16.3.2.2, MCACOD 16.9):
  0x8c00004000010090  VAL|MISCV|ADDRV, corrected count 1, memory controller
                      read, channel 0 (a Xeon E5's real corrected ECC error)
  0x8c00004000000135  the same flags, a cache-hierarchy L1 data read error
  0xbe00000000010090  VAL|UC|EN|MISCV|ADDRV|PCC, memory read: uncorrectable
MCi_MISC 0x86: address mode 010 (physical), LSB 6 (a cache line)."""

import os
import socket
import time

from cases import case, boot, check_run, ROOT
import qemu

CE_MEM = 0x8c00004000010090
CE_CACHE = 0x8c00004000000135
UC_MEM = 0xbe00000000010090
MISC_PHYS_LINE = (2 << 6) | 6
MCG_MCIP_EIPV = 0x6


def serial_text(log):
    if not os.path.exists(log):
        return ""
    with open(log, "rb") as f:
        return f.read().decode("latin-1")


def wait_for(proc, log, needle, seconds):
    """Polls the serial log until `needle` appears; True if it did while QEMU
    was still running."""
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        if needle in serial_text(log):
            return True
        time.sleep(0.2)
    return False


def monitor(sock_path, commands, seconds=30, burst=False):
    """Sends HMP commands one by one (burst: all in one write, so they land
    within milliseconds of each other); returns the monitor's replies."""
    deadline = time.time() + seconds
    while not os.path.exists(sock_path) and time.time() < deadline:
        time.sleep(0.05)
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    s.settimeout(5)
    out = b""
    try:
        out += s.recv(4096)
        if burst:
            s.sendall("".join(c + "\n" for c in commands).encode())
            commands = []
            time.sleep(0.5)
            try:
                out += s.recv(65536)
            except socket.timeout:
                pass
        for c in commands:
            s.sendall((c + "\n").encode())
            time.sleep(0.2)
            try:
                out += s.recv(65536)
            except socket.timeout:
                pass
    finally:
        s.close()
    return out.decode("latin-1", "replace")


def mce_cmd(cpu, bank, status, mcg_status, addr, misc):
    return "mce %d %d 0x%x 0x%x 0x%x 0x%x" % (cpu, bank, status, mcg_status, addr, misc)


def injector(d, state, wait_needle, commands, wait_seconds=300, burst=False):
    """on_running hook: once `wait_needle` is on serial, inject `commands`
    and note what the kernel had already printed (to prove the timing)."""
    sock = os.path.join(d, "monitor.sock")

    def watch(proc, log):
        if wait_needle is None or wait_for(proc, log, wait_needle, wait_seconds):
            state["serial_before"] = serial_text(log)
            state["monitor"] = monitor(sock, commands, burst=burst)
            with open(os.path.join(d, "monitor.log"), "w") as f:
                f.write(state["monitor"])
    return sock, watch


def reg(v):
    """Registers are hex strings in the events (bit 63 would not survive a
    double); decode them for comparison."""
    return int(v, 16) if isinstance(v, str) else v


def by_bank(b):
    out = {}
    for e in b.all("machine_check"):
        e = dict(e, **{k: reg(e[k]) for k in ("status", "addr", "misc") if k in e})
        out[(e["cpu"], e["bank"])] = e
    return out


# (cpu, bank, status, addr, misc): expected action, phys
CORRECTED = [
    ((0, 0, CE_MEM, 0x10000000, MISC_PHYS_LINE), "poisoned", 0x10000000),
    ((1, 1, CE_MEM | 1, 0x12345040, MISC_PHYS_LINE), "poisoned", 0x12345040),
    ((0, 2, CE_CACHE, 0x14000000, MISC_PHYS_LINE), "logged", 0x14000000),
    ((0, 3, CE_MEM, 0x16000000, (1 << 6) | 6), "logged", None),      # linear address
    ((1, 4, CE_MEM, 0x18000000, (2 << 6) | 20), "address_too_coarse", 0x18000000),
    ((0, 5, CE_MEM, 0x8000000000, MISC_PHYS_LINE), "beyond_ram", 0x8000000000),  # < 2^40
    ((1, 6, CE_MEM, 0xfffffffffffff000, MISC_PHYS_LINE), "logged", None),  # beyond the width
]
POISONED = sorted({phys & ~0xfff for _, act, phys in CORRECTED if act == "poisoned"})


@case
def mce_corrected_memory_errors_poison_their_frames(d):
    """Corrected errors put into both CPUs' banks during the audit: the two
    memory errors at frame-precise physical addresses are found by polling,
    their frames poisoned and named in memmap=/badram=, the run ends
    bad_memory; a cache error, a linear address, a 1 MiB-coarse address, an
    address beyond RAM and one beyond the physical width are reported and
    poison nothing."""
    state = {}
    cmds = [mce_cmd(c, bk, st, 0, a, m) for (c, bk, st, a, m), _, _ in CORRECTED]
    # all at once: one at a time took 1.4 s, past half of a fast host's pass
    sock, watch = injector(d, state, '"phase":"audit"', cmds, burst=True)
    b = boot(d, cfg="on_finish=shutdown\naudit=quick\npasses=2\nstress_ops=2000\n",
             mem="512M", smp=2, vga=False, monitor=sock, on_running=watch, timeout=600)
    p = check_run(b, "512M", expect_result="bad_memory")
    before = state.get("serial_before", "")
    if not before or '"ev":"audit_result"' in before:
        return p + ["errors not injected during the audit (monitor: %r)" % state.get("monitor")]
    if "Error" in state.get("monitor", "") or "disabled" in state.get("monitor", ""):
        p.append("monitor refused an injection: %r" % state["monitor"])
    seen = by_bank(b)
    for (cpu, bank, st, addr, misc), action, phys in CORRECTED:
        e = seen.get((cpu, bank))
        if not e:
            p.append("no machine_check event for cpu %d bank %d" % (cpu, bank))
            continue
        want = {"status": st, "addr": addr, "misc": misc, "corrected": True,
                "stale": False, "action": action}
        bad = {k: (e.get(k), v) for k, v in want.items() if e.get(k) != v}
        if phys is not None and e.get("phys") != phys & ~((1 << e.get("lsb", 0)) - 1):
            bad["phys"] = (e.get("phys"), phys)
        if phys is None and "phys" in e:
            bad["phys"] = (e.get("phys"), None)
        if e.get("memory") != ((st & 0xef80) == 0x80):
            bad["memory"] = e.get("memory")
        if bad:
            p.append("machine_check cpu %d bank %d: (got, want) %s" % (cpu, bank, bad))
    if len(b.all("machine_check")) != len(CORRECTED):
        p.append("%d machine_check events for %d errors"
                 % (len(b.all("machine_check")), len(CORRECTED)))
    names = [e["ev"] for e in b.events]
    if "audit_result" in names and any(names.index("audit_result") < i for i, n in
                                       enumerate(names) if n == "machine_check"):
        p.append("a machine_check event came after audit_result: %s" % names)
    # found by the time-based poll while the pass runs (injected at 0%), not
    # only by the poll at the pass's end
    mid = next((i for i, e in enumerate(b.events) if e["ev"] == "progress" and
                e.get("phase") == "audit" and 50 <= e.get("percent", 0) < 100), None)
    late = [i for i, n in enumerate(names) if n == "machine_check" and mid is not None and i > mid]
    if late:
        p.append("%d machine_check events only after the pass was half done" % len(late))
    bad_frames = b.all("bad_frame")
    if sorted(e["phys"] for e in bad_frames) != POISONED or \
            any(e.get("pattern") != "machine_check" for e in bad_frames):
        p.append("bad_frame events %s, expected %s from machine_check"
                 % ([(hex(e["phys"]), e.get("pattern")) for e in bad_frames],
                    [hex(f) for f in POISONED]))
    r = b.first("audit_result") or {}
    for f in POISONED:
        if ("4K$0x%x" % f) not in r.get("memmap_param", ""):
            p.append("memmap_param %r lacks 0x%x" % (r.get("memmap_param"), f))
        if ("0x%x,0xfffffffffffff000" % f) not in r.get("badram", ""):
            p.append("badram %r lacks 0x%x" % (r.get("badram"), f))
    st = [e for e in b.all("mm_stats") if e.get("when") == "after_stress"]
    if not st or st[0].get("quarantined_frames") != len(POISONED):
        p.append("allocator quarantine after the run: %s" % (st[0] if st else None))
    pc = b.first("poison_check") or {}
    if pc.get("poisoned_seen") != 0:
        p.append("poison_check: %s" % pc)
    sm = b.first("summary") or {}
    if sm.get("bad_frames") != len(POISONED):
        p.append("summary.bad_frames %s, expected %d" % (sm.get("bad_frames"), len(POISONED)))
    rs = b.first("report_saved") or {}
    if rs.get("bad_frames") != len(POISONED):
        p.append("saved record has %s bad frames: %s" % (rs.get("bad_frames"), rs))
    mp = b.first("mca_polls") or {}
    if mp.get("errors") != len(CORRECTED) or mp.get("polls", 0) < 4:
        p.append("mca_polls: %s" % mp)
    mca = b.first("mca") or {}
    if not mca.get("present") or mca.get("banks") != 10 or mca.get("address_mode") != "intel_ser":
        p.append("mca event: %s" % mca)
    return p


@case
def mce_uncorrected_error_stops_cleanly(d):
    """An uncorrectable memory error raises #MC during the audit: the handler
    reports the bank and the exception, stops every CPU and ends the run as
    fail with reason machine_check (QEMU's fail status, not a triple fault)."""
    state = {}
    cmd = mce_cmd(1, 3, UC_MEM, MCG_MCIP_EIPV, 0x10000000, MISC_PHYS_LINE)
    sock, watch = injector(d, state, '"phase":"audit"', [cmd])
    b = boot(d, cfg="on_finish=shutdown\naudit=quick\npasses=3\nstress_ops=2000\n",
             mem="512M", smp=2, vga=False, monitor=sock, on_running=watch, timeout=600)
    p = []
    if b.timed_out:
        p.append("timed out after %.0fs" % b.seconds)
    before = state.get("serial_before", "")
    if not before or '"ev":"audit_result"' in before:
        return p + ["error not injected during the audit (monitor: %r)" % state.get("monitor")]
    if b.result != "fail":
        p.append("QEMU exit status %s (%s), expected fail (0 = triple fault)"
                 % (b.status, b.result))
    e = by_bank(b).get((1, 3))
    want = {"status": UC_MEM, "corrected": False, "memory": True, "phys": 0x10000000,
            "kind": "memory_controller", "action": "stopped", "stale": False}
    if not e or any(e.get(k) != v for k, v in want.items()):
        p.append("machine_check for cpu 1 bank 3: %s, expected %s" % (e, want))
    x = b.first("machine_check_exception") or {}
    if reg(x.get("mcg_status")) != MCG_MCIP_EIPV:
        p.append("mcg_status %s, expected the injected 0x%x" % (x.get("mcg_status"),
                                                                MCG_MCIP_EIPV))
    if x.get("cpu") != 1 or not x.get("mcip") or not x.get("eipv") or \
            x.get("banks_with_errors") != 1:
        p.append("machine_check_exception: %s" % x)
    names = [e["ev"] for e in b.events]
    sms = b.all("summary")
    if len(sms) != 1 or names[-1] != "summary" or sms[0].get("result") != "fail" or \
            sms[0].get("reason") != "machine_check":
        p.append("summaries %s (last event %s), expected one fail/machine_check last"
                 % (sms, names[-1:]))
    if "MACHINE CHECK on cpu 1" not in b.serial:
        p.append("no human MACHINE CHECK line on serial")
    if b.first("audit_result"):
        p.append("the audit went on after the #MC")
    return p


@case
def mce_stale_banks_are_reported_as_such(d):
    """Corrected memory errors put into the banks while the firmware runs,
    before the kernel starts: the kernel logs them as stale (left from before
    this run), clears them, does not poison their frames, and the run passes."""
    state = {}
    cmds = [mce_cmd(0, 1, CE_MEM, 0, 0x10000000, MISC_PHYS_LINE),
            mce_cmd(1, 2, CE_MEM, 0, 0x12345000, MISC_PHYS_LINE)]
    sock, watch = injector(d, state, None, cmds)
    b = boot(d, cfg="on_finish=shutdown\naudit=quick\nstress_ops=2000\n", mem="512M",
             smp=2, vga=False, monitor=sock, on_running=watch, timeout=600)
    p = check_run(b, "512M")
    if "serial_before" not in state:
        return p + ["nothing injected (monitor: %r)" % state.get("monitor")]
    if '{"ev":"boot"' in state["serial_before"]:
        return p + ["the kernel had started before the injection"]
    seen = by_bank(b)
    for cpu, bank, addr in ((0, 1, 0x10000000), (1, 2, 0x12345000)):
        e = seen.get((cpu, bank))
        if not e or e.get("stale") is not True or e.get("action") != "stale" or \
                e.get("phys") != addr or e.get("corrected") is not True:
            p.append("cpu %d bank %d: %s, expected a stale corrected error at 0x%x"
                     % (cpu, bank, e, addr))
    if len(b.all("machine_check")) != 2:
        p.append("machine_check events: %s (a stale bank must be cleared, reported once)"
                 % b.all("machine_check"))
    if b.all("bad_frame") or (b.first("summary") or {}).get("bad_frames"):
        p.append("a stale error counted as this run's bad frame: %s" % b.all("bad_frame"))
    names = [e["ev"] for e in b.events]
    if "audit_result" in names and any(i > names.index("audit_result")
                                       for i, n in enumerate(names) if n == "machine_check"):
        p.append("stale errors reported after the audit: %s" % names)
    return p


def uncorrected_on_screen(d, stop_in=None):
    """Injects an uncorrectable error into CPU 0 during the audit, with the
    machine stopped first (gdbstub breakpoint) at the start of the function
    `stop_in` if given, and reads the screen after the stop."""
    import screen  # test/boot/screen.py
    import gdbstub
    state, png = {}, os.path.join(d, "screen.png")
    sock = os.path.join(d, "monitor.sock")
    gdb_sock = os.path.join(d, "gdb.sock")
    cmd = mce_cmd(0, 2, UC_MEM, MCG_MCIP_EIPV, 0x10000000, MISC_PHYS_LINE)
    where = None
    if stop_in:
        where = gdbstub.symbols(os.path.join(ROOT, "build", "kernel.elf")).get(stop_in)
        if not where:
            return ["no symbol %s in build/kernel.elf" % stop_in]

    def hold_cpu0_in(proc):
        """Stops the guest with CPU 0 at `where`; the stub stays attached
        (the guest paused) until detached."""
        stub = gdbstub.Stub(gdb_sock)
        stub.break_at(where[0])
        for _ in range(20):
            stop = stub.run_until_stop(60)
            if stop is None or proc.poll() is not None:
                break
            rip = stub.register(16)
            state.setdefault("stops", []).append((stop, rip))
            if "thread:p01.01" in stop or "thread:01" in stop:
                stub.clear(where[0])
                return stub
        stub.detach()
        return None

    def watch(proc, log):
        if not wait_for(proc, log, '"phase":"audit"', 300):
            return
        state["serial_before"] = serial_text(log)
        stub = hold_cpu0_in(proc) if where else None
        if where and not stub:
            state["held"] = False
            proc.kill()
            return
        monitor(sock, [cmd])  # injected while paused: taken at `where`
        if stub:
            stub.detach()
        if wait_for(proc, log, '"ev":"summary"', 120):
            time.sleep(2)  # the verdict is drawn after the summary line
            monitor(sock, ["screendump %s -f png" % png])
            for _ in range(100):
                if os.path.exists(png) and os.path.getsize(png) > 0:
                    time.sleep(0.5)
                    break
                time.sleep(0.1)
        proc.kill()

    extra = ["-gdb", "unix:%s,server=on,wait=off" % gdb_sock] if where else []
    b = boot(d, cfg="on_finish=halt\naudit=quick\npasses=3\nstress_ops=0\n", mem="512M",
             smp=2, vga=True, monitor=sock, on_running=watch, timeout=400, extra=extra)
    if state.get("held") is False:
        return ["CPU 0 never stopped in %s: %s" % (stop_in, state.get("stops"))]
    mx = b.first("machine_check_exception") or {}
    if where:
        rip = reg(mx.get("rip", "0"))
        if not (where[0] <= rip < where[1]) or mx.get("in_console") is not True:
            return ["#MC taken at rip 0x%x in_console %s, not inside %s [0x%x, 0x%x) with "
                    "the console held" % (rip, mx.get("in_console"), stop_in, *where)]
    sm = b.first("summary") or {}
    if sm.get("result") != "fail" or sm.get("reason") != "machine_check":
        return ["summary %s, expected fail/machine_check" % sm]
    if not os.path.exists(png):
        return ["no screendump was written"]
    img = screen.read_png(png)
    p = []
    r = screen.read_result(img)
    if not r or r.text != "FAIL":
        p.append("verdict on screen %r, expected FAIL" % (r and r.text))
    lines = screen.log_lines(img)
    if not any(l.startswith("MACHINE CHECK on cpu 0") for l in lines):
        p.append("no MACHINE CHECK line on screen; last lines %s" % lines[-6:])
    e = screen.read_errors(img)  # the error table, drawn with every CPU stopped
    rows = [r for r in (e.rows if e else [])
            if r.get("mce") == "MACHINE CHECK UNCORRECTED, bank 2"]
    if len(rows) != 1 or rows[0]["address"] != "0x%012x" % 0x10000000 or rows[0]["cpu"] != "0":
        p.append("error table lacks the uncorrected error: %s" % (e,))
    return p


@case
def mce_uncorrected_error_is_on_the_screen(d):
    """What a technician sees after an uncorrectable error (on_finish=halt):
    the FAIL verdict, the MACHINE CHECK line and the error's row in the error
    table on the framebuffer, read back through the monitor's screendump."""
    return uncorrected_on_screen(d)


@case
def mce_during_a_screen_redraw_is_on_the_screen(d):
    """The same error taken while CPU 0 is inside the screen's redraw, holding
    the console lock: QEMU's gdbstub stops the guest with CPU 0 at the first
    instruction of panel_header (called only under the lock), the error is
    injected while it is stopped, and the #MC comes right there
    (in_console). The handler must still put its lines and the verdict on
    the screen, not on serial alone."""
    return uncorrected_on_screen(d, stop_in="panel_header")


@case
def mce_during_the_stress_is_bad_memory_not_a_lost_frame(d):
    """A corrected memory error on a frame while the all-core stress runs: the
    frame is poisoned and leaves the free lists for the quarantine, so the
    stress's lost-frame check counts it as withheld, not lost; the run ends
    bad_memory, not fail."""
    state = {}
    frame = 0x10000000
    sock, watch = injector(d, state, '"phase":"stress"',
                           [mce_cmd(0, 0, CE_MEM, 0, frame, MISC_PHYS_LINE)])
    # long enough (seconds under TCG) that the injection lands mid-stress
    b = boot(d, cfg="on_finish=shutdown\naudit=off\nstress_ops=3000000\n",
             mem="512M", smp=2, vga=False, monitor=sock, on_running=watch, timeout=600)
    p = check_run(b, "512M", expect_result="bad_memory")
    before = state.get("serial_before", "")
    if not before or '"ev":"stress"' in before:
        return p + ["error not injected during the stress (monitor: %r)" % state.get("monitor")]
    if [e.get("phys") for e in b.all("bad_frame")] != [frame]:
        p.append("bad_frame events %s, expected 0x%x" % (b.all("bad_frame"), frame))
    failed = [e.get("what") for e in b.all("check_failed")]
    if failed:
        p.append("checks failed: %s" % failed)
    sm = b.first("summary") or {}
    if sm.get("lost") != 0 or sm.get("poisoned_during_stress") != 1:
        p.append("summary: lost %s, poisoned_during_stress %s" %
                 (sm.get("lost"), sm.get("poisoned_during_stress")))
    return p
