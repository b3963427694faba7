"""The screen a technician reads, read back from the framebuffer through the
QEMU monitor's screendump at several resolutions (QEMU's VGA.xres/yres: the
firmware's GOP mode, which the loader keeps): the test table with the
running test and the ETA while the audit runs, the error table naming a bit
a host process holds stuck in guest RAM (test/boot/stuck_bits.c: the audit
is not told where), and the result banner at the end. JSON events stay off
the screen unless screen_log=json."""

import os
import re
import time

from cases import case, boot, check_run
import screen  # test/boot/screen.py
from cases_mce import monitor, serial_text, wait_for
import qemu
from cases_stuck_bits import boot_with_stuck_bits

HMS = r"\d+:\d\d:\d\d"


def resolution(w, h):
    """OVMF offers the mode QEMU's VGA prefers when it is in its list (up to
    2560x1600; 4K falls back to 1280x800, so 4K is the host tests' alone);
    64 MiB of video memory holds the largest."""
    return ["-global", "VGA.xres=%d" % w, "-global", "VGA.yres=%d" % h,
            "-global", "VGA.vgamem_mb=64"]


def dump(sock, png):
    """A screendump now; True once the file is written."""
    monitor(sock, ["screendump %s -f png" % png])
    for _ in range(100):
        if os.path.exists(png) and os.path.getsize(png) > 0:
            time.sleep(0.5)
            return True
        time.sleep(0.1)
    return False


def check_size(img, w, h):
    return [] if (img.width, img.height) == (w, h) else [
        "screen is %dx%d, asked for %dx%d" % (img.width, img.height, w, h)]


def check_no_json(img):
    shown = [l for l in screen.log_lines(img) if l.startswith('{"ev"')]
    return ["JSON events on screen without screen_log=json: %s" % shown[:2]] if shown else []


def check_banner(img, text):
    r = screen.read_result(img)
    if not r or r.text != text or not r.colour_ok:
        return ["banner %r, expected %s" % (r, text)]
    return []


@case
def screen_shows_the_running_test_and_eta_at_1024x768(d):
    """Mid-audit (two passes, one CPU, 1 GiB: tens of seconds under TCG):
    the run row says pass 1 of 2 with an ETA, the table lists the quick
    patterns with one running (highlighted, its own ETA and bar) and none
    pending before a done one; at the end every test is done, pass 2/2,
    no errors, and the PASS banner is up."""
    w, h = 1024, 768
    sock = os.path.join(d, "monitor.sock")
    mid, end = os.path.join(d, "running.png"), os.path.join(d, "end.png")
    state = {}

    def watch(proc, log):
        # the first audit progress past 0 % (the ETA has a rate to go on),
        # then a refresh or two: early in pass 1 however fast the host is
        # (a fixed 4 s could land in pass 2)
        if wait_for(proc, log, '"phase":"audit","percent":', 400):
            deadline = time.time() + 300
            while proc.poll() is None and time.time() < deadline and not any(
                    e.get("phase") == "audit" and e.get("percent", 0) > 0
                    for e in qemu.events(serial_text(log)) if e.get("ev") == "progress"):
                time.sleep(0.1)
            time.sleep(0.6)
            state["mid"] = dump(sock, mid)
        if wait_for(proc, log, '"ev":"summary"', 600):
            time.sleep(2)  # the banner is drawn after the summary line
            state["end"] = dump(sock, end)
        proc.kill()

    b = boot(d, cfg="on_finish=halt\naudit=quick\npasses=2\nstress_ops=0\nbandwidth=off\n",
             mem="1G", smp=1, vga=True, monitor=sock, on_running=watch, timeout=700,
             extra=resolution(w, h))
    if not b.first("summary") or not state.get("mid") or not state.get("end"):
        return ["no summary or no screendumps (%s)" % state]
    p = []
    img = screen.read_png(mid)
    p += check_size(img, w, h) + check_no_json(img)
    t = screen.read_tests(img)
    if not t or not re.fullmatch(r"Pass 1 of 2 .* \d+%   ETA " + HMS, t.run.replace(
            screen.UNKNOWN, "#")):
        p.append("run row mid-audit: %r" % (t and t.run))
    names = [r["test"] for r in (t.tests if t else [])]
    if names != ["own_address", "mov_inv_ones_zeros"]:
        p.append("test table lists %s" % names)
    states = [r["state"] for r in (t.tests if t else [])]
    if states.count("running") != 1 or states in (["pending", "done"],):
        p.append("test states mid-audit: %s" % states)
    for r in (t.tests if t else []):
        if r["state"] == "running":
            if not re.fullmatch("eta (%s|\\?)" % HMS, r["time"]) or r["pass"] != "1/2":
                p.append("running row: %s" % r)
            if not re.search(r"\d+%$", r["progress"]):
                p.append("running row has no progress: %s" % r)
    img = screen.read_png(end)
    p += check_size(img, w, h) + check_banner(img, "PASS") + check_no_json(img)
    t = screen.read_tests(img)
    if not t or not t.run.startswith("Pass 2 of 2") or not t.run.endswith("100%   finished"):
        p.append("run row at the end: %r" % (t and t.run))
    for r in (t.tests if t else []):
        if r["state"] != "done" or r["pass"] != "2/2" or r["errors"] != "0" or \
                not re.fullmatch(r"(\d+\.\d s|%s)" % HMS, r["time"]):
            p.append("test row at the end: %s" % r)
    e = screen.read_errors(img)
    if not e or e.caption != "Errors: none" or e.rows:
        p.append("error table at the end: %s" % (e,))
    return p


# One word of a 512 MiB q35 guest, in free RAM away from the firmware (which
# sits at the top of the low memory): bit 9 held at 1, bit 33 at 0.
STUCK_ADDR, STUCK_ONES, STUCK_ZEROS = 0x10000ff8, 1 << 9, 1 << 33
STUCK_MEM = "512M"


def stuck_case(w, h):
    def fn(d):
        """The error table after a run on RAM with a bit held stuck by a host
        process: one row naming the word's address, expected and actual
        words as the bad_frame event has them, a mask of only the stuck
        bits, the pattern and CPU; the test that found it counts errors; the
        banner says BAD MEMORY."""
        sock = os.path.join(d, "monitor.sock")
        png = os.path.join(d, "screen.png")
        state = {}

        def watch(proc, log):
            if wait_for(proc, log, '"ev":"summary"', 600):
                time.sleep(2)
                state["png"] = dump(sock, png)
            proc.kill()

        b, why = boot_with_stuck_bits(
            d, {STUCK_ADDR: (STUCK_ONES, STUCK_ZEROS)}, STUCK_MEM,
            cfg="on_finish=halt\naudit=quick\nstress_ops=0\nbandwidth=off\n", smp=2, vga=True,
            monitor=sock, on_running=watch, timeout=700, extra=resolution(w, h))
        if not b:
            return [why]
        if not state.get("png"):
            return ["no screendump (summary %s)" % b.first("summary")]
        bad = b.all("bad_frame")
        if len(bad) != 1 or bad[0]["addr"] != STUCK_ADDR:
            return ["bad_frame events %s, expected one at %#x" % (bad, STUCK_ADDR)]
        ev = bad[0]
        img = screen.read_png(png)
        p = check_size(img, w, h) + check_banner(img, "BAD MEMORY") + check_no_json(img)
        e = screen.read_errors(img)
        if not e or e.caption != "Errors: 1, newest first" or len(e.rows) != 1:
            return p + ["error table: %s" % (e,)]
        r = e.rows[0]
        want = {"address": "0x%012x" % STUCK_ADDR, "expected": "%016x" % ev["expected"],
                "actual": "%016x" % ev["actual"],
                "mask": "%016x" % (ev["expected"] ^ ev["actual"]), "cpu": str(ev["cpu"])}
        got = {k: r.get(k) for k in want}
        if got != want:
            p.append("error row %s, expected %s" % (r, want))
        mask = ev["expected"] ^ ev["actual"]
        if not mask or mask & ~(STUCK_ONES | STUCK_ZEROS):
            p.append("mask %#x is not made of the stuck bits" % mask)
        if not ev["pattern"].startswith(r.get("pattern", "?")) or not r.get("pattern"):
            p.append("pattern column %r, event says %s" % (r.get("pattern"), ev["pattern"]))
        t = screen.read_tests(img)
        found = [x for x in (t.tests if t else []) if x["errors"] != "0"]
        if not found or found[0]["test"] != ev["pattern"]:
            p.append("no test row counts the error: %s" % (t and t.tests))
        return p
    fn.__name__ = "screen_error_table_shows_a_stuck_bit_at_%dx%d" % (w, h)
    return fn


case(stuck_case(800, 600))
case(stuck_case(1920, 1080))


@case
def screen_log_json_brings_the_events_back_at_2560x1600(d):
    """screen_log=json: the events are in the screen's log again (the
    summary line equal to serial's), and the header's rows hold the version,
    the elapsed time, the CPU model and the DIMM line; in the large font of
    the largest mode OVMF offers."""
    import json
    sock = os.path.join(d, "monitor.sock")
    png = os.path.join(d, "screen.png")
    state = {}

    def watch(proc, log):
        if wait_for(proc, log, '"ev":"summary"', 400):
            time.sleep(2)
            state["png"] = dump(sock, png)
        proc.kill()

    b = boot(d, cfg="on_finish=halt\naudit=off\nstress_ops=0\nscreen_log=json\n", mem="256M",
             smp=2, vga=True, monitor=sock, on_running=watch, timeout=400,
             extra=resolution(2560, 1600))
    sm = b.first("summary")
    if not sm or not state.get("png"):
        return ["no summary or no screendump"]
    img = screen.read_png(png)
    p = check_size(img, 2560, 1600) + check_banner(img, "PASS")
    shown = [l for l in screen.log_lines(img) if l.startswith('{"ev":"summary"')]
    try:
        if not shown or json.loads(shown[-1]) != sm:
            p.append("summary on screen %s != serial's %s" % (shown[-1:], sm))
    except ValueError:
        p.append("summary line on screen does not decode: %r" % shown[-1])
    rows = screen.decode_text(img, 0, 3)
    brand = (b.first("cpu_info") or {}).get("brand", "?")
    if not re.fullmatch(r" metaslot 0\.\d+   firmware: EDK II rev 0x10000 +elapsed " + HMS,
                        rows[0]):
        p.append("header row 0: %r" % rows[0])
    if not rows[1].startswith(" CPUs: 2 x %s   RAM: " % brand):
        p.append("header row 1: %r" % rows[1])
    if not rows[2].startswith(" DIMMs: 1 of 1"):
        p.append("header row 2: %r" % rows[2])
    t = screen.read_tests(img)
    if not t or t.run != "RAM test: off":
        p.append("run row with audit=off: %r" % (t and t.run))
    return p


@case
def screen_error_table_marks_machine_checks_at_1360x768(d):
    """Corrected errors put into the CPUs' banks during the audit (the QEMU
    monitor's mce command): a memory error at a frame-precise address and a
    cache error, both in the error table as MACHINE CHECK rows with their
    bank, the CPU and, for the memory error, its address; the frame it
    poisoned is not listed a second time as a pattern's find."""
    from cases_mce import mce_cmd, CE_MEM, CE_CACHE, MISC_PHYS_LINE
    # (xres=1366: QEMU shows 1360-pixel lines of a GOP mode that says 1366, so
    # every line shears; a firmware/QEMU mismatch, not a layout to test)
    w, h = 1360, 768
    sock = os.path.join(d, "monitor.sock")
    png = os.path.join(d, "screen.png")
    state = {}
    errors = [(1, 1, CE_MEM, 0x12345040), (0, 2, CE_CACHE, 0x14000000)]

    def watch(proc, log):
        if wait_for(proc, log, '"phase":"audit"', 400):
            state["monitor"] = monitor(sock, [mce_cmd(c, bk, st, 0, a, MISC_PHYS_LINE)
                                              for c, bk, st, a in errors])
        if wait_for(proc, log, '"ev":"summary"', 600):
            time.sleep(2)
            state["png"] = dump(sock, png)
        proc.kill()

    b = boot(d, cfg="on_finish=halt\naudit=quick\nstress_ops=0\nbandwidth=off\n", mem="512M",
             smp=2, vga=True, monitor=sock, on_running=watch, timeout=700,
             extra=resolution(w, h))
    if not state.get("png"):
        return ["no screendump (summary %s, monitor %r)" % (b.first("summary"),
                                                            state.get("monitor"))]
    mc = {(e["cpu"], e["bank"]): e for e in b.all("machine_check")}
    if sorted(mc) != [(0, 2), (1, 1)]:
        return ["machine_check events for %s, expected cpu 1 bank 1 and cpu 0 bank 2"
                % sorted(mc)]
    img = screen.read_png(png)
    p = check_size(img, w, h) + check_banner(img, "BAD MEMORY") + check_no_json(img)
    e = screen.read_errors(img)
    if not e or e.caption != "Errors: 2, newest first" or len(e.rows) != 2:
        return p + ["error table: %s" % (e,)]
    rows = {(r.get("cpu"), r.get("mce")): r for r in e.rows}
    for (cpu, bank, _st, addr) in errors:
        r = rows.get((str(cpu), "MACHINE CHECK corrected, bank %d" % bank))
        if not r:
            p.append("no MACHINE CHECK row for cpu %d bank %d: %s" % (cpu, bank, e.rows))
            continue
        ev = mc[(cpu, bank)]
        want_addr = "0x%012x" % ev["phys"] if "phys" in ev else "-"
        if r["address"] != want_addr or not ev["kind"].startswith(r["pattern"]):
            p.append("row %s, event %s" % (r, ev))
    return p
