"""Boot tests: the real image under QEMU/OVMF (TCG). Each case boots once and
returns the problems it found; an empty list is a pass. Logs of every case stay
in build/test-logs/<case>/ (serial.log, qemu.cmd, qemu.stderr); the disk image
copy is removed when the case passes and kept when it fails."""

import os
import shutil
import subprocess
import time

import json
import socket

import qemu    # tools/qemu.py
import screen  # test/boot/screen.py

ROOT = qemu.ROOT
LOGS = os.path.join(ROOT, "build", "test-logs")
ACCEL = os.environ.get("BOOT_ACCEL", "tcg")
GiB, MiB = 1 << 30, 1 << 20
CASES = []

# The audit has its own cases on small memory; the others skip it so that a
# 5 GiB boot under TCG takes seconds, not minutes.
SHUTDOWN_CFG = "on_finish=shutdown\naudit=off\n"


def case(fn):
    CASES.append(fn)
    return fn


def alone(fn):
    """A case that must not share the host with another one (test/run.py
    runs it with no other case beside it): it takes a whole host CPU at
    real-time priority, which would keep other cases' helpers waiting."""
    fn.alone = True
    return case(fn)


def metadata_size_for(ram_size):
    """The seed's sizing, independently: 64 bytes per 4 KiB frame, page-rounded."""
    frames = (ram_size + 4095) // 4096
    return (frames * 64 + 4095) // 4096 * 4096


def run_case(fn):
    d = os.path.join(LOGS, fn.__name__)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    t0 = time.time()
    try:
        problems = fn(d)
    except Exception as e:  # a broken test is a failed test, with its reason
        problems = ["test raised %s: %s" % (type(e).__name__, e)]
    held = os.path.join(d, "stuck_bits.log")
    if problems and os.path.exists(held):
        # a host-held fault missed: was the holder kept off the CPU?
        with open(held) as f:
            problems.append("stuck_bits helper: %s" % f.read().strip())
    if not problems:
        for f in os.listdir(d):
            if f.endswith((".img", ".fd")):
                os.remove(os.path.join(d, f))
    return fn.__name__, problems, time.time() - t0, d


def boot(d, cfg=SHUTDOWN_CFG, timeout=180, image=None, **kw):
    img = image or qemu.prepare_image(d, cfg)
    return qemu.boot(d, img, timeout=timeout, accel=ACCEL, **kw)


def check_run(b, mem, expect_result="pass"):
    """What every normal run must show: the first events in order, metadata
    sized by metadata_size_for(ram_top), ram_top consistent with -m, and the
    summary last, matching QEMU's exit status."""
    p = []
    if b.timed_out:
        p.append("timed out after %.0fs" % b.seconds)
    names = [e["ev"] for e in b.events]
    if "_unparsable" in names:
        p.append("unparsable event line: %r" % b.first("_unparsable")["line"])
    core = [n for n in names if n in ("boot", "memmap", "metadata", "summary")]
    if core[:3] != ["boot", "memmap", "metadata"]:
        p.append("first events are %s, not boot, memmap, metadata" % core[:3])
    if not names or names[-1] != "summary":
        p.append("last event is %s, not summary" % (names[-1:] or "nothing"))
    boot_ev, mm, md, sm = (b.first(n) for n in ("boot", "memmap", "metadata", "summary"))
    if boot_ev and (not boot_ev.get("fw_vendor") or not isinstance(boot_ev.get("fw_revision"), int)
                    or not boot_ev.get("loader", "").startswith("metaslot-loader")):
        p.append("boot event incomplete: %s" % boot_ev)
    mem_b = qemu.parse_mem(mem)
    if mm and md:
        top = md["ram_top"]
        if mm["ram_top"] != top:
            p.append("memmap.ram_top %d != metadata.ram_top %d" % (mm["ram_top"], top))
        if md["bytes"] != metadata_size_for(top):
            p.append("metadata.bytes %d != metadata_size_for(%d) = %d"
                     % (md["bytes"], top, metadata_size_for(top)))
        if md["frames"] != (top + 4095) // 4096:
            p.append("metadata.frames %d does not cover ram_top %d" % (md["frames"], top))
        if md["bytes"] != md.get("bytes_in_map"):
            p.append("metadata array not in the memory map with its own type: %s" % md)
        if mem_b <= 2 * GiB and not (mem_b - 64 * MiB <= top <= mem_b):
            p.append("ram_top %#x inconsistent with -m %s" % (top, mem))
        if mem_b > 2 * GiB and not (4 * GiB < top and mem_b <= top <= mem_b + 2 * GiB):
            p.append("ram_top %#x inconsistent with -m %s (above the 4 GiB hole)" % (top, mem))
        if not (mem_b * 0.9 <= mm["ram_bytes"] <= mem_b):
            p.append("RAM in the map %d not within 90%% of -m %s" % (mm["ram_bytes"], mem))
        if mm["entries"] < 3 or sum(mm["bytes_by_type"].values()) <= 0:
            p.append("memmap event implausible: %s" % mm)
    cov, mi = b.first("coverage"), b.first("mm_init")
    if not cov or not mi:
        p.append("no coverage or mm_init event")
    else:
        if cov["ram_frames"] != (cov["usable_frames"] + cov["kernel_frames"] +
                                 cov["firmware_frames"] + cov["dropped_frames"]):
            p.append("coverage does not add up: %s" % cov)
        if mi["managed_frames"] != cov["usable_frames"]:
            p.append("allocator manages %d frames, the map has %d usable"
                     % (mi["managed_frames"], cov["usable_frames"]))
    if sm and sm.get("lost") != 0:
        p.append("summary says %s frames were lost" % sm.get("lost"))
    if sm and sm.get("result") != expect_result:
        p.append("summary result %s, expected %s (first failure: %s)"
                 % (sm.get("result"), expect_result, sm.get("first_failure")))
    if b.result != expect_result:
        p.append("QEMU exit status %s (%s), expected %s" % (b.status, b.result, expect_result))
    return p


def matrix_case(machine, mem, usb, vga):
    def fn(d):
        b = boot(d, machine=machine, mem=mem, usb=usb, vga=vga)
        p = check_run(b, mem)
        fb = (b.first("boot") or {}).get("framebuffer")
        if fb is not None and fb != vga:
            p.append("boot.framebuffer is %s with%s a VGA device" % (fb, "" if vga else "out"))
        return p
    fn.__name__ = "%s_%s_%s_%s" % (machine, mem, "usb" if usb else "disk",
                                   "vga" if vga else "headless")
    return case(fn)


for _i, (_m, _mem, _usb) in enumerate((m, mem, usb) for m in ("q35", "pc")
                                      for mem in ("128M", "1G", "5G") for usb in (False, True)):
    matrix_case(_m, _mem, _usb, vga=_i % 2 == 0)


def check_smp(b, cpus, ops):
    """Every CPU came online once, ran the stress, and nothing was lost."""
    p = []
    online = b.all("cpu_online")
    if sorted(e["cpu"] for e in online) != list(range(cpus)):
        p.append("cpu_online events for cpus %s, expected 0..%d" % ([e["cpu"] for e in online],
                                                                     cpus - 1))
    if len({e["apic_id"] for e in online}) != len(online):
        p.append("duplicate APIC ids: %s" % [e["apic_id"] for e in online])
    stress = b.all("stress")
    if sorted(e["cpu"] for e in stress) != list(range(cpus)):
        p.append("stress events for cpus %s, expected 0..%d" % ([e["cpu"] for e in stress],
                                                                 cpus - 1))
    for e in stress:
        if e["ops"] != ops or e["errors"] or e["gen_mismatch"] or e["allocs"] == 0:
            p.append("stress on cpu %d: %s" % (e["cpu"], e))
    if cpus > 1 and not any(e["handoffs"] and e["shared_refs"] for e in stress):
        p.append("no frame was handed to or shared with another CPU")
    sm = b.first("summary") or {}
    if sm.get("cpus") != cpus:
        p.append("summary.cpus %s, expected %d" % (sm.get("cpus"), cpus))
    if not sm.get("frames_free_before") or sm.get("frames_free_after") != sm.get("frames_free_before"):
        p.append("free frames before/after the stress differ: %s" % sm)
    return p


def smp_case(machine, cpus, mem="512M", ops=20000):
    def fn(d):
        b = boot(d, cfg=SHUTDOWN_CFG + "stress_ops=%d\n" % ops, machine=machine,
                 mem=mem, smp=cpus, timeout=300)
        return check_run(b, mem) + check_smp(b, cpus, ops)
    fn.__name__ = "smp_%s_%d_cpus" % (machine, cpus)
    return case(fn)


# 8 vCPUs on a 2-core host: spinlock holders get descheduled by the host, so
# the stress runs far slower per operation; fewer operations keep it short.
for _n in (1, 2, 4, 8):
    smp_case("q35", _n, ops=4000 if _n > 4 else 20000)
smp_case("pc", 4)


@case
def smp_config_limits_the_cpus(d):
    b = boot(d, cfg=SHUTDOWN_CFG + "smp=2\nstress_ops=5000\n", mem="512M", smp=4)
    return check_run(b, "512M") + check_smp(b, 2, 5000)


@case
def smp_off_runs_on_the_boot_cpu(d):
    b = boot(d, cfg=SHUTDOWN_CFG + "smp=off\nstress_ops=5000\n", mem="512M", smp=2)
    return check_run(b, "512M") + check_smp(b, 1, 5000)


@case
def config_garbage_is_reported_and_ignored(d):
    cfg = ("# comment line\n"
           "on_finish=halt\n"
           "nonsense_key=1\n"             # 3: unknown key
           "on_finish=sometimes\n"        # 4: bad value
           "just some words\n"            # 5: not key=value
           "=value\n"                     # 6: empty key
           "serial=com9\n"                # 7: bad value
           "\x01\x02binary\x7f=\xff\n"    # 8: not text
           "   on_finish = shutdown   # trailing comment\r\n")  # wins
    b = boot(d, cfg=cfg, mem="1G")
    p = check_run(b, "1G")
    got = sorted((e["line"], e["what"]) for e in b.all("config_issue"))
    want = [(3, "unknown key"), (4, "bad value"), (5, "not key=value"), (6, "empty key"),
            (7, "bad value"), (8, "not text")]
    if got != want:
        p.append("config issues %s, expected %s" % (got, want))
    c = b.first("config")
    if not c or c.get("on_finish") != "shutdown" or c.get("issues") != len(want):
        p.append("effective config wrong: %s" % c)
    return p


def wait_for_summary(proc, log, seconds):
    """Polls the serial log until the summary event appears; True if it did
    while QEMU was still running."""
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(log) and '"ev":"summary"' in open(log, "rb").read().decode("latin-1"):
            return True
        time.sleep(0.5)
    return False


def halts_after_summary(state):
    """on_running hook: records whether QEMU is still up 3 s after the
    summary (the run halts with the result on screen), then stops it."""
    def watch(proc, log):
        if wait_for_summary(proc, log, 400):
            time.sleep(3)
            state["alive_after_summary"] = proc.poll() is None
        proc.kill()
    return watch


@case
def image_as_built_runs_a_full_audit_and_halts(d):
    """The image's own METASLOT.CFG, as written to a stick: a standard audit
    (every pattern but bit fade, which rests for minutes), then the run
    halts with the result on screen."""
    state = {}
    img = qemu.prepare_image(d, None)
    b = boot(d, image=img, mem="128M", smp=2, timeout=450, on_running=halts_after_summary(state))
    p = []
    line = next((l for l in b.serial.splitlines() if l.startswith("audit: ")), "")
    if not line.startswith("audit: standard") or "linux_memtest" not in line \
            or "walking_ones_address" not in line or "bit_fade" in line:
        p.append("not a standard audit: %r" % line)
    c, sm = b.first("config") or {}, b.first("summary") or {}
    if c.get("on_finish") != "halt" or c.get("issues") != 0:
        p.append("the image's config: %s" % c)
    if sm.get("result") != "pass":
        p.append("summary: %s" % sm)
    if not state.get("alive_after_summary"):
        p.append("QEMU did not stay up after the summary (exit %s)" % b.status)
    return p


@case
def halt_without_config_file_keeps_running(d):
    """No METASLOT.CFG: defaults apply (on_finish=halt), so the VM stays up
    after the summary, showing the result."""
    img = qemu.prepare_image(d, None)
    subprocess.run(["mdel", "-i", img + "@@1M", "::/EFI/METASLOT/METASLOT.CFG"], check=True,
                   env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
    state = {}
    b = boot(d, image=img, mem="256M", timeout=200, on_running=halts_after_summary(state))
    p = []
    if not state.get("alive_after_summary"):
        p.append("QEMU did not stay up after the summary (exit %s)" % b.status)
    c, sm = b.first("config"), b.first("summary")
    if not c or c.get("file") is not False or c.get("on_finish") != "halt":
        p.append("config event should show no file and on_finish halt: %s" % c)
    if not sm or sm.get("result") != "pass":
        p.append("summary missing or not pass: %s" % sm)
    return p


@case
def reboot_goes_through_reset_system(d):
    """on_finish=reboot calls ResetSystem(cold); with -no-reboot QEMU then
    exits 0 (no isa-debug-exit result is written on this path)."""
    b = boot(d, cfg="on_finish=reboot\naudit=off\n", mem="256M")
    p = []
    sm = b.first("summary")
    if b.timed_out or b.status != 0:
        p.append("expected QEMU to exit 0 on the firmware reset, got %s (timed out: %s)"
                 % (b.status, b.timed_out))
    if not sm or sm.get("on_finish") != "reboot" or sm.get("result") != "pass":
        p.append("summary wrong: %s" % sm)
    return p


@case
def no_serial_port_does_not_hang(d):
    """Without any UART the kernel must run to the end: the exit status,
    written through isa-debug-exit, still says pass."""
    b = boot(d, mem="256M", serial=False, timeout=150)
    if b.timed_out or b.result != "pass":
        return ["no-UART run: exit status %s, timed out %s" % (b.status, b.timed_out)]
    return []


@case
def serial_off_silences_the_kernel(d):
    b = boot(d, cfg=SHUTDOWN_CFG + "serial=off\n", mem="256M")
    p = []
    if b.result != "pass":
        p.append("exit status %s (%s)" % (b.status, b.result))
    if b.first("summary") or b.first("memmap"):
        p.append("kernel events on serial despite serial=off")
    if "metaslot kernel" not in b.serial and b.first("boot"):
        p.append("boot event without the human line")
    return p


@case
def broken_kernel_stops_in_the_loader(d):
    """A truncated kernel in the loader's .kernel section: the loader reports
    it and halts (QEMU: exit status 'fail'), never returning to the
    firmware's boot menu."""
    img = qemu.prepare_image(d, SHUTDOWN_CFG)
    bad = os.path.join(d, "KERNEL.ELF")
    with open(os.path.join(ROOT, "build", "kernel.elf"), "rb") as f:
        data = f.read()
    with open(bad, "wb") as f:
        f.write(data[:100])
    efi = os.path.join(d, "BOOTX64.EFI")
    subprocess.run([os.path.join(ROOT, "tools", "pe_pack.py"), os.path.join(ROOT, "build", "loader.efi"),
                    bad, os.path.join(ROOT, "build", "sbat.csv"), efi], check=True)
    subprocess.run(["mcopy", "-o", "-i", img + "@@1M", efi, "::/EFI/BOOT/BOOTX64.EFI"],
                   check=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
    b = boot(d, image=img, mem="256M", timeout=150)
    e = b.first("loader_error")
    p = []
    if not e or "program headers" not in e.get("what", ""):
        p.append("no loader_error naming the broken ELF: %s" % e)
    if b.result != "fail":
        p.append("exit status %s (%s), expected fail" % (b.status, b.result))
    return p


def screendump_when_done(d, png):
    """on_running hook: once the summary is on serial, capture the screen
    through the QEMU monitor, then stop the VM (the run halts on its own)."""
    sock = os.path.join(d, "monitor.sock")

    def watch(proc, log):
        wait_for_summary(proc, log, 200)
        time.sleep(2)  # the result banner is drawn after the summary line
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        s.settimeout(10)
        s.recv(4096)
        s.sendall(("screendump %s -f png\n" % png).encode())
        for _ in range(100):
            if os.path.exists(png) and os.path.getsize(png) > 0:
                time.sleep(0.5)
                break
            time.sleep(0.1)
        s.close()
        proc.kill()
    return sock, watch


@case
def screen_shows_the_result_and_memory_picture(d):
    """The framebuffer, read back through screendump and decoded with the
    same font: the large result, the human result line last in the log (the
    events are not on screen by default: cases_screen.py brings them back
    with screen_log=json), and the memory picture in the legend's colours."""
    png = os.path.join(d, "screen.png")
    sock, watch = screendump_when_done(d, png)
    b = boot(d, cfg="on_finish=halt\naudit=off\nstress_ops=5000\n", mem="1G", smp=2, vga=True,
             monitor=sock, on_running=watch, timeout=260)
    p = []
    serial_sm = b.first("summary")
    if not serial_sm:
        return ["no summary on serial"]
    if not os.path.exists(png):
        return ["no screendump was written"]
    img = screen.read_png(png)
    r = screen.read_result(img)
    if r.text != "PASS" or not r.colour_ok:
        p.append("result on screen %r (colour ok: %s), serial says %s"
                 % (r.text, r.colour_ok, serial_sm["result"]))
    lines = [l for l in screen.log_lines(img) if l]
    if not lines or lines[-1] != "metaslot: result %s; halt" % serial_sm["result"]:
        p.append("last log line on screen %r, serial's result %s"
                 % (lines[-1:], serial_sm["result"]))
    if any(l.startswith('{"ev"') for l in lines):
        p.append("events on screen without screen_log=json: %s" % lines)
    colours = screen.legend_colours(img)
    want = {"free", "allocated", "firmware", "metadata", "kernel"}
    missing = sorted(w for w in want if not colours.get(w))
    if missing:
        p.append("memory picture lacks %s (saw %s)" % (missing, colours))
    return p


@case
def bench_reports_every_order_and_cpu_count(d):
    """bench=on (make bench's kernel part): a pair figure per order and a
    throughput figure per CPU count, and the run still passes."""
    b = boot(d, cfg=SHUTDOWN_CFG + "bench=on\nstress_ops=0\n", mem="512M", smp=2,
             vga=False)
    p = check_run(b, "512M")
    rows = b.all("bench")
    orders = sorted(r["order"] for r in rows if r["what"] == "pair")
    cpus = sorted(r["cpus"] for r in rows if r["what"] == "throughput")
    if orders != [0, 1, 2, 3, 4, 6, 9, 10] or cpus != [1, 2]:
        p.append("bench rows: orders %s, cpus %s" % (orders, cpus))
    if any(r.get("cycles_per_pair", 0) <= 0 for r in rows):
        p.append("a bench figure is not positive: %s" % rows)
    if b.all("stress"):
        p.append("stress ran although stress_ops=0")
    return p


def fault_case(kind, vector, smp):
    def fn(d):
        b = boot(d, cfg=SHUTDOWN_CFG + "fault_test=%s\n" % kind, mem="512M", smp=smp,
                 vga=False, timeout=200)
        p = []
        if b.result != "fail":
            p.append("exit status %s (%s), expected fail" % (b.status, b.result))
        sms = b.all("summary")
        if len(sms) != 1 or sms[0].get("result") != "fail":
            p.append("expected exactly one failing summary, got %s" % sms)
        if vector is not None:
            ex = b.first("exception")
            if not ex or ex.get("vector") not in vector or not ex.get("rip"):
                p.append("exception event %s, expected vector in %s" % (ex, vector))
            if "rax=" not in b.serial or "cr2=" not in b.serial:
                p.append("no register dump on serial")
        if b.first("panic") is None:
            p.append("no panic event")
        return p
    fn.__name__ = "fault_%s_ends_as_fail" % kind
    return case(fn)


fault_case("page_fault", [14], 1)
# the guard page faults (#PF); pushing the #PF frame on the dead stack then
# double-faults (#DF), whose handler runs on its own IST stack
fault_case("stack_overflow", [8, 14], 2)
fault_case("ap_panic", None, 4)


INJECTED = {0x10000008: 0x10, 0x12345670: 1 << 63, 0x18000ff8: 0x1}


@case
def audit_finds_injected_faults_and_poisons_them(d):
    """inject_fault in three frames: exactly those are reported, poisoned and
    named in memmap=/badram=; no poisoned frame is handed out afterwards; the
    result is bad_memory, and so is QEMU's exit status."""
    cfg = "on_finish=shutdown\naudit=quick\nstress_ops=5000\n" + "".join(
        "inject_fault=0x%x:0x%x\n" % kv for kv in INJECTED.items())
    b = boot(d, cfg=cfg, mem="512M", smp=2, vga=False)
    p = check_run(b, "512M", expect_result="bad_memory")
    frames = {a & ~0xfff for a in INJECTED}
    bad = b.all("bad_frame")
    if sorted(e["phys"] for e in bad) != sorted(frames):
        p.append("bad_frame events for %s, expected %s"
                 % ([hex(e["phys"]) for e in bad], [hex(f) for f in sorted(frames)]))
    for e in bad:
        mask = INJECTED.get(e["addr"])
        if mask is None or e["actual"] ^ e["expected"] != mask:
            p.append("bad_frame %s does not show the injected flip" % e)
    r = b.first("audit_result") or {}
    for f in frames:
        if ("4K$0x%x" % f) not in r.get("memmap_param", ""):
            p.append("memmap_param %r lacks 0x%x" % (r.get("memmap_param"), f))
        if ("0x%x,0xfffffffffffff000" % f) not in r.get("badram", ""):
            p.append("badram %r lacks 0x%x" % (r.get("badram"), f))
    if r.get("bad_frames") != 3:
        p.append("audit_result: %s" % r)
    pc = b.first("poison_check") or {}
    if pc.get("poisoned_seen") != 0 or not pc.get("allocated_all"):
        p.append("poison_check: %s" % pc)
    st = [e for e in b.all("mm_stats") if e.get("when") == "after_stress"]
    if not st or st[0]["quarantined_frames"] != 3:
        p.append("allocator quarantine after the run: %s" % (st[0] if st else None))
    sm = b.first("summary") or {}
    if sm.get("bad_frames") != 3:
        p.append("summary.bad_frames %s" % sm.get("bad_frames"))
    return p


def relocation_kept_frames(b):
    """Frames the relocation holds beyond what its objects fill, from its
    relocated_block and relocated events: each object moved into blocks of
    its own keeps their bytes past its own (the image and the page tables
    are split over exactly their pages, the boot info takes one whole
    block); the stop's control block is freed, and the APs' stacks, per-CPU
    blocks and tables move block for block (new_blocks absent: no net
    frames)."""
    rel = b.first("relocated") or {}
    kept = 0
    for name, v in rel.items():
        if isinstance(v, dict) and "old_phys" in v and v.get("new_blocks"):
            new = sum(e["bytes"] for e in b.all("relocated_block") if e["object"] == name)
            kept += max(0, new - v["bytes"])
    return kept // 4096


@case
def audit_quick_tests_every_free_frame_on_every_cpu(d):
    b = boot(d, cfg="on_finish=shutdown\naudit=quick\nstress_ops=2000\n", mem="256M", smp=4,
             vga=False)
    p = check_run(b, "256M") + check_smp(b, 4, 2000)
    mi, r = b.first("mm_init"), b.first("audit_result") or {}
    cpus = b.all("audit_cpu")
    if sorted(c["cpu"] for c in cpus) != [0, 1, 2, 3] or any(c["tested_frames"] == 0 for c in cpus):
        p.append("audit_cpu events: %s" % cpus)
    # everything free when the audit starts is tested; the kernel's own
    # allocations (CPU stacks, tables) are the only frames left out, and what
    # the relocation keeps beyond what its objects fill (the boot info's block)
    kept = relocation_kept_frames(b)
    if mi and not (mi["free_frames"] - 256 - kept <= r.get("tested_frames", 0) <= mi["free_frames"]):
        p.append("tested %s of %d free frames (relocation kept %d more)"
                 % (r.get("tested_frames"), mi["free_frames"], kept))
    if r.get("bad_frames") != 0 or r.get("memmap_param") != "" or r.get("badram") != "":
        p.append("clean memory reported bad: %s" % r)
    if r.get("untested_frames") != 0:
        p.append("free frames left untested: %s" % r)
    if not r.get("mib_per_s"):
        p.append("no MiB/s figure: %s" % r)
    prog = [e for e in b.all("progress") if e["phase"] == "audit"]
    if not prog or prog[-1]["percent"] != 100:
        p.append("audit progress events: %s" % prog)
    return p


@case
def audit_full_runs_every_pattern(d):
    # iterations=1: every pattern, the moving inversions once (the default
    # full pass repeats them: minutes under TCG)
    b = boot(d, cfg="on_finish=shutdown\naudit=full\npasses=2\niterations=1\nstress_ops=0\n"
             "bit_fade_seconds=1\n", mem="128M", smp=2, vga=False, timeout=900)
    p = check_run(b, "128M")
    r = b.first("audit_result") or {}
    if r.get("passes") != 2 or r.get("bad_frames") != 0:
        p.append("audit_result: %s" % r)
    line = next((l for l in b.serial.splitlines() if l.startswith("audit: full")), "")
    for name in ("own_address", "mov_inv_ones_zeros", "mov_inv_random", "linux_memtest",
                 "mov_inv_8bit", "mov_inv_walk64", "block_move", "random_sequence", "modulo20",
                 "walking_ones_address", "bit_fade"):
        if name not in line:
            p.append("pattern %s not run (%r)" % (name, line))
    return p


def read_reports(img, mode):
    return subprocess.run([os.path.join(ROOT, "tools", "reports.sh"), img, mode],
                          capture_output=True, text=True, check=True).stdout


@case
def reports_survive_a_reboot(d):
    """Boot 1 finds injected faults and stores its record in the variable
    store; boot 2 (same store and image, no faults) writes the report files,
    quarantines the known-bad frames before anything is allocated, and never
    hands them out; tools/reports.sh reads the files out of the image."""
    faults = "".join("inject_fault=0x%x:0x%x\n" % kv for kv in INJECTED.items())
    frames = sorted({a & ~0xfff for a in INJECTED})
    base = "on_finish=shutdown\naudit=quick\nstress_ops=2000\n"
    img = qemu.prepare_image(d, base + faults)
    b1 = boot(d, image=img, mem="512M", smp=2, vga=False)
    p = ["boot 1: " + x for x in check_run(b1, "512M", expect_result="bad_memory")]
    saved = b1.first("report_saved")
    if not saved or saved.get("bad_frames") != 3:
        p.append("boot 1 did not store its record: %s" % (saved or b1.first("report_not_saved")))
    cfg = os.path.join(d, "second.cfg")
    with open(cfg, "w") as f:
        f.write(base)
    subprocess.run([os.path.join(ROOT, "tools", "mkimg.sh"), "--config", img, cfg], check=True)
    b2 = boot(d, image=img, mem="512M", smp=2, vga=False, keep_vars=True)
    p += ["boot 2: " + x for x in check_run(b2, "512M", expect_result="bad_memory")]
    last, kb = b2.first("last_run") or {}, b2.first("known_bad") or {}
    if last.get("status") != "reports_written" or not saved or last.get("run_id") != saved["run_id"]:
        p.append("boot 2 last_run: %s (boot 1 saved %s)" % (last, saved))
    if kb.get("frames") != 3 or kb.get("ignored") != 0:
        p.append("boot 2 known_bad: %s" % kb)
    mi = b2.first("mm_init") or {}
    if mi.get("quarantined_frames") != 3:
        p.append("boot 2 did not quarantine them before use: %s" % mi)
    r2, pc = b2.first("audit_result") or {}, b2.first("poison_check") or {}
    if r2.get("bad_frames") != 0 or pc.get("poisoned_seen") != 0:
        p.append("boot 2 handed out a known-bad frame: %s %s" % (r2, pc))
    if (b2.first("summary") or {}).get("known_bad_frames") != 3:
        p.append("boot 2 summary: %s" % b2.first("summary"))
    saved2 = b2.first("report_saved") or {}
    if saved2.get("bad_frames") != 3:
        p.append("boot 2 must carry the known-bad frames into its own record: %s" % saved2)
    # the files, read with mtools
    js = [json.loads(l) for l in read_reports(img, "--json").splitlines() if l.strip()]
    txt = read_reports(img, "--text")
    if len(js) != 1 or not saved or js[0]["run_id"] != saved["run_id"]:
        p.append("JSON reports in the image: %s" % js)
    else:
        got = sorted(r["phys"] for r in js[0]["bad_ranges"])
        if got != frames or js[0]["result"] != "bad_memory":
            p.append("JSON report names %s, expected %s" % ([hex(g) for g in got],
                                                           [hex(f) for f in frames]))
    for f in frames:
        if "0x%012x" % f not in txt:
            p.append("text report lacks 0x%x:\n%s" % (f, txt))
    return p


@case
def report_folder_keeps_the_newest(d):
    """reports_keep=2: after four runs (three records written) two remain,
    the newest ones. The bad values after it change nothing, for the loader
    as for the kernel (the last valid line wins)."""
    img = qemu.prepare_image(d, SHUTDOWN_CFG + "stress_ops=0\nreports_keep=2\n"
                             "reports_keep=0\nreports_keep=3x\n")
    ids, p = [], []
    for i in range(4):
        b = boot(d, image=img, mem="128M", vga=False, keep_vars=i > 0)
        if b.result != "pass":
            p.append("boot %d: %s" % (i + 1, b.result))
        ids.append((b.first("report_saved") or {}).get("run_id"))
    listed = sorted(l for l in read_reports(img, "--list").split() if l.endswith(".json"))
    want = sorted(i + ".json" for i in ids[1:3])
    if listed != want:
        p.append("reports kept %s, expected %s" % (listed, want))
    return p


@case
def read_only_esp_is_reported_not_fatal(d):
    """A read-only stick: the loader cannot write the report files; the
    kernel says so, still quarantines the known-bad frames, and the run goes
    on."""
    faults = "inject_fault=0x10000008:0x10\n"
    img = qemu.prepare_image(d, "on_finish=shutdown\naudit=quick\nstress_ops=0\n" + faults)
    b1 = boot(d, image=img, mem="512M", vga=False, usb=True)
    b2 = boot(d, image=img, mem="512M", vga=False, keep_vars=True, readonly=True, usb=True)
    p = check_run(b2, "512M", expect_result="bad_memory")
    last, kb = b2.first("last_run") or {}, b2.first("known_bad") or {}
    if last.get("status") != "reports_not_written" or not last.get("efi_status"):
        p.append("last_run on a read-only ESP: %s" % last)
    if kb.get("frames") != 1:
        p.append("known_bad: %s" % kb)
    if b1.result != "bad_memory":
        p.append("boot 1: %s" % b1.result)
    return p


@case
def a_refused_record_is_reported_not_fatal(d):
    """The firmware refuses SetVariable: report_not_saved with its status, and
    the run still ends normally."""
    b = boot(d, cfg=SHUTDOWN_CFG + "stress_ops=0\nfault_test=report_refused\n", mem="256M",
             vga=False)
    p = check_run(b, "256M")
    e = b.first("report_not_saved")
    if not e or not e.get("efi_status") or b.first("report_saved"):
        p.append("report_not_saved: %s" % e)
    return p


@case
def boot_services_keep_holds_that_memory_back(d):
    """boot_services=keep: boot services memory is firmware's, not tested and
    not handed out; the run still passes and the coverage adds up."""
    b = boot(d, cfg="on_finish=shutdown\naudit=quick\nstress_ops=1000\nboot_services=keep\n",
             mem="256M", vga=False)
    p = check_run(b, "256M")
    mm, cov = b.first("memmap") or {}, b.first("coverage") or {}
    bt = mm.get("bytes_by_type", {})
    bs_frames = (bt.get("boot_code", 0) + bt.get("boot_data", 0)) // 4096
    if not bs_frames or cov.get("firmware_frames", 0) < bs_frames:
        p.append("boot services frames %d not all kept: %s" % (bs_frames, cov))
    return p


@case
def load_options_from_the_shell_win_over_the_file(d):
    """Started from the UEFI shell (startup.nsh) with arguments: they are the
    image's load options and win over METASLOT.CFG; the program path the shell
    passes first is dropped, and a bad option is reported like a bad line."""
    img = qemu.prepare_image(d, "on_finish=halt\naudit=full\nsmp=all\n")
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    fs = img + "@@1M"
    subprocess.run(["mmove", "-i", fs, "::/EFI/BOOT/BOOTX64.EFI", "::/EFI/METASLOT/LOADER.EFI"],
                   check=True, env=env)
    nsh = os.path.join(d, "startup.nsh")
    with open(nsh, "w") as f:
        f.write("fs0:\\EFI\\METASLOT\\LOADER.EFI on_finish=shutdown audit=off stress_ops=0 "
                "smp=off bogus_option\r\n")
    subprocess.run(["mcopy", "-i", fs, nsh, "::/startup.nsh"], check=True, env=env)
    b = boot(d, image=img, mem="256M", smp=2, vga=False, timeout=200)
    p = []
    c, sm = b.first("config") or {}, b.first("summary") or {}
    if c.get("on_finish") != "shutdown" or c.get("load_options_ignored") is not False:
        p.append("load options did not win: %s" % c)
    issues = [(e["what"], e["text"]) for e in b.all("config_issue")]
    if issues != [("not key=value", "bogus_option")]:
        p.append("config issues %s, expected only the bare word" % issues)
    if b.first("audit_result") or sm.get("cpus") != 1 or sm.get("result") != "pass":
        p.append("audit=off/smp=off not applied: summary %s" % sm)
    if b.result != "pass":
        p.append("exit status %s (%s)" % (b.status, b.result))
    return p


# Further cases live in test/boot/cases_<subject>.py; each registers with
# @case (from cases import case, boot, check_run, ...). Loaded last, so they
# see everything defined above.
def _load_more_cases():
    import glob
    import importlib
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "cases_*.py"))):
        importlib.import_module(os.path.splitext(os.path.basename(path))[0])


_load_more_cases()
