"""Coverage: which RAM this run tested, from the kernel's own record (the
audit sets a bit per frame its patterns ran over), and why the rest was not.
The figures must add up to the firmware's map as the memmap event counted it,
type by type, reason by reason and range by range."""

import json
import os
import time

from cases import case, boot, check_run, screendump_when_done
from cases_stuck_bits import (build_helper, check_stuck_frames, ram_args, ram_file, start_helper,
                              stop_helper)
import qemu
import screen

STUCK_MEM = "256M"
# the stress ends with buddy_check and the lost-frame count: both must hold
COV_CFG = "on_finish=shutdown\naudit=quick\nstress_ops=2000\n"


def check_coverage_adds_up(b):
    p = []
    mm = b.first("memmap") or {}
    by_type = mm.get("bytes_by_type", {})
    types = b.all("coverage_type")
    ends = [e for e in b.all("coverage") if e.get("when") == "end"]
    if not types or len(ends) != 1:
        return ["coverage_type events %d, end coverage events %d" % (len(types), len(ends))]
    cov = ends[0]
    ram = tested = goal_ram = goal_tested = 0
    goal_types = {"conventional", "boot_code", "boot_data", "loader_code", "loader_data",
                  "metaslot_metadata", "metaslot_pagetable", "metaslot_trampoline",
                  "metaslot_bootinfo"}
    for t in types:
        name = t["type"]
        if t["ram_bytes"] != by_type.get(name):
            p.append("%s: %d RAM bytes, the memmap event says %s"
                     % (name, t["ram_bytes"], by_type.get(name)))
        if t["tested_bytes"] + t["untested_bytes"] != t["ram_bytes"]:
            p.append("%s: tested + untested != RAM: %s" % (name, t))
        if sum(t["untested_by_reason"].values()) != t["untested_bytes"]:
            p.append("%s: reasons do not add up to the untested bytes: %s" % (name, t))
        ram += t["ram_bytes"]
        tested += t["tested_bytes"]
        if name in goal_types:
            goal_ram += t["ram_bytes"]
            goal_tested += t["tested_bytes"]
    if len({t["type"] for t in types}) != len(types):
        p.append("a memory type reported twice: %s" % [t["type"] for t in types])
    if (ram, tested) != (cov["ram_bytes"], cov["tested_bytes"]) or ram != mm.get("ram_bytes"):
        p.append("totals: types say %d/%d, coverage %s, memmap ram_bytes %s"
                 % (ram, tested, cov, mm.get("ram_bytes")))
    if (goal_ram, goal_tested) != (cov["goal_ram_bytes"], cov["goal_tested_bytes"]):
        p.append("goal figures %d/%d do not match %s" % (goal_ram, goal_tested, cov))
    elif cov["goal_tested_ppm"] != goal_tested * 1000000 // goal_ram:
        p.append("goal_tested_ppm %d, the bytes give %d"
                 % (cov["goal_tested_ppm"], goal_tested * 1000000 // goal_ram))
    # every untested range is inside the map with its type, and they add up
    ranges = b.all("coverage_untested")
    if len(ranges) + cov.get("untested_ranges_not_listed", 0) != cov["untested_ranges"]:
        p.append("%d coverage_untested events for %s" % (len(ranges), cov))
    if not cov.get("untested_ranges_not_listed"):
        sums = {}
        for r in ranges:
            k = (r["type"], r["reason"])
            sums[k] = sums.get(k, 0) + r["bytes"]
        want = {(t["type"], why): n for t in types for why, n in t["untested_by_reason"].items()}
        if sums != want:
            p.append("untested ranges %s, by type and reason %s" % (sums, want))
    # the audit's own count: what it tested is in the record
    r = b.first("audit_result") or {}
    if tested < r.get("tested_frames", 0) * 4096 or not tested:
        p.append("tested %d bytes, the audit says %s frames" % (tested, r.get("tested_frames")))
    return p


def check_ap_objects_moved(b, cpus):
    """Every AP's stack, per-CPU block and CPU tables moved (relocated_cpu),
    at the same virtual address, to other frames, block for block (one per
    set bit of the object's page count, so no frame it does not fill); the
    old frames are the allocator's, so the audit tested them: none is in an
    untested range."""
    p = []
    rel = b.first("relocated") or {}
    moved = b.all("relocated_cpu")
    if sorted(e["cpu"] for e in moved) != list(range(1, cpus)):
        return ["relocated_cpu events for CPUs %s, want 1..%d" % ([e["cpu"] for e in moved],
                                                                    cpus - 1)]
    untested = [(r["phys"], r["phys"] + r["bytes"]) for r in b.all("coverage_untested")]
    for key, obj in (("stack", "ap_stacks"), ("percpu", "ap_percpu_blocks"),
                     ("tables", "ap_cpu_tables")):
        total = rel.get(obj, {})
        parts = [pt for e in moved for pt in e[key]["parts"].values()]
        if (total.get("count") != cpus - 1 or total.get("blocks") != len(parts)
                or total.get("bytes") != sum(e[key]["bytes"] for e in moved)):
            p.append("relocated %s: %s, relocated_cpu says otherwise" % (obj, total))
        for e in moved:
            o = e[key]
            sizes = [pt["bytes"] for pt in o["parts"].values()]
            pages = o["bytes"] // 4096
            if sum(sizes) != o["bytes"] or sorted(sizes, reverse=True) != sizes \
                    or len(sizes) != bin(pages).count("1"):
                p.append("CPU %d's %s: blocks %s for %d bytes" % (e["cpu"], key, sizes, o["bytes"]))
            for pt in o["parts"].values():
                old, new, n = pt["old_phys"], pt["new_phys"], pt["bytes"]
                if old < new + n and new < old + n:
                    p.append("CPU %d's %s did not leave its frames: %s" % (e["cpu"], key, o))
                if any(s < old + n and old < t for s, t in untested):
                    p.append("CPU %d's old %s frames left untested: %s" % (e["cpu"], key, o))
    return p


@case
def coverage_adds_up_to_the_memory_map(d):
    b = boot(d, cfg=COV_CFG, mem="256M", smp=4, vga=False, timeout=400)
    p = check_run(b, "256M") + check_coverage_adds_up(b)
    types = {t["type"]: t for t in b.all("coverage_type")}
    conv = types.get("conventional", {})
    # free RAM is tested, firmware RAM is not, each with its reason
    if conv.get("tested_bytes", 0) < conv.get("ram_bytes", 1) * 0.95:
        p.append("conventional RAM mostly untested: %s" % conv)
    rt = types.get("runtime_data", {})
    if rt.get("tested_bytes") != 0 or "runtime_services" not in rt.get("untested_by_reason", {}):
        p.append("runtime data: %s" % rt)
    # what the kernel booted in was relocated and then tested, every frame:
    # the array, the image (loader code), the page tables, the trampoline
    rel = b.first("relocated") or {}
    if not rel.get("done"):
        p.append("relocation not done: %s" % rel)
    # the moved array is mapped in 2 MiB pages (4 MiB of it here), as the
    # direct map had it
    elif (rel.get("array_bytes_in_2m_pages") != rel["metaslot_array"]["bytes"]
          or rel.get("array_first_page_bytes") != 2 << 20):
        p.append("the moved array is not in 2 MiB pages: %s" % rel)
    for name in ("metaslot_metadata", "loader_code", "metaslot_pagetable",
                 "metaslot_trampoline", "metaslot_bootinfo", "conventional", "acpi_reclaim"):
        t = types.get(name, {})
        if not t.get("ram_bytes") or t.get("untested_bytes") != 0:
            p.append("%s not wholly tested: %s" % (name, t))
    low = b.first("tested_in_place") or {}
    if (low.get("below_1mib_bytes", 0) < 512 * 1024 or low.get("bad_frames") != 0
            or low.get("acpi_reclaim_bytes") != types.get("acpi_reclaim", {}).get("ram_bytes")):
        p.append("tested in place: %s" % low)
    # OVMF leaves a boot-services page below 1 MiB: copied out, tested, put
    # back; nothing below 1 MiB stays untested
    if (not low.get("boot_services_below_1mib_bytes")
            or low.get("boot_services_pages_not_restored") != 0):
        p.append("low boot-services pages not tested and restored: %s" % low)
    below = [r for r in b.all("coverage_untested") if r["reason"] == "below_1mib"]
    if below:
        p.append("RAM below 1 MiB left untested: %s" % below)
    p += check_ap_objects_moved(b, 4)
    # the kernel's own tables (the stack and per-CPU slots', the array's)
    # moved too, one frame each
    kt = rel.get("kernel_page_tables", {})
    if not kt.get("new_blocks") or kt.get("bytes") != kt["new_blocks"] * 4096:
        p.append("kernel page tables outside the loader's pool did not move: %s" % kt)
    cov = ([e for e in b.all("coverage") if e.get("when") == "end"] or [{}])[0]
    if not cov.get("goal_met") or cov.get("goal_tested_ppm", 0) < 999000:
        p.append("goal of 99.9 %% not reached: %s" % cov)
    # more: on this machine every byte metaslot can own is tested (a block
    # the relocation looked past and never gave back once stayed out)
    if cov.get("goal_tested_bytes") != cov.get("goal_ram_bytes"):
        p.append("RAM metaslot can own left untested: %s"
                 % [r for r in b.all("coverage_untested") if r["type"] in
                    ("conventional", "boot_code", "boot_data", "loader_code", "loader_data")
                    or r["type"].startswith("metaslot_")])
    return p


def wait_for_event(log, name, proc, seconds):
    """The first `name` event in the serial log, polled every 5 ms while QEMU
    runs; None if it never came."""
    t_end = time.time() + seconds
    while time.time() < t_end and proc.poll() is None:
        try:
            with open(log, "rb") as f:
                for line in f.read().decode("latin-1").splitlines():
                    if line.startswith('{"ev":"%s"' % name):
                        try:
                            return json.loads(line)
                        except ValueError:
                            break  # a line being written: read it again
        except FileNotFoundError:
            pass
        time.sleep(0.005)
    return None


def boot_stuck_after_relocation(d, cfg, mem, smp, stuck_for):
    """Boots on RAM that is a file; once the relocated event says the move is
    done, `stuck_for(relocated_event, serial_log)` names the words to hold
    (a stuck dict as check_stuck_frames takes, or a string: why there are
    none) and a host process holds them stuck from then on (the frames are
    the kernel's until then). Returns the boot and its problems: the audit
    must find exactly those frames and end bad_memory, the stress
    (buddy_check, lost frames) run on every CPU, the guest have written over
    a stuck bit, and the coverage still add up."""
    mem_b = qemu.parse_mem(mem)
    exe = build_helper(d)
    state = {"helper": None, "stuck": None, "relocated": None}

    def on_running(proc, log):
        ev = wait_for_event(log, "relocated", proc, 600)
        state["relocated"] = ev
        if not ev or not ev.get("done"):
            return
        state["stuck"] = stuck_for(ev, log)
        if isinstance(state["stuck"], str):
            return
        h = start_helper(exe, path, mem_b, state["stuck"], 900)
        state["helper"] = h
        h.stdout.readline()  # "ready": the faults hold

    tail = ""
    with ram_file(mem_b) as path:
        try:
            b = boot(d, cfg=cfg, mem=mem, smp=smp, vga=False, timeout=600,
                     on_running=on_running, extra=ram_args(mem_b, path))
        finally:
            if state["helper"]:
                tail = stop_helper(d, state["helper"])
    if not state["relocated"] or not state["relocated"].get("done"):
        return b, ["no relocated event with done: %s" % state["relocated"]]
    if isinstance(state["stuck"], str):
        return b, [state["stuck"]]
    p = check_run(b, mem, expect_result="bad_memory")
    p += check_stuck_frames(b, state["stuck"])
    sm = b.first("summary") or {}
    if not sm.get("frames_free_before") or sm.get("cpus", smp) != smp:
        p.append("the stress (buddy_check, lost frames) did not run on every CPU: %s" % sm)
    if "repairs 0" in tail or "repairs" not in tail:
        p.append("the guest never wrote over a stuck bit: %r" % tail)
    # the finds are in the coverage record as tested, and it still adds up
    return b, p + check_coverage_adds_up(b)


@case
def bits_stuck_where_the_kernel_booted_are_found_after_relocation(d):
    """A host process holds a bit stuck inside the MetaSlot array's original
    frames and another inside the kernel image's, starting once the relocated
    event is out (the frames are the kernel's until then): the audit must find
    exactly those two frames, poison them and end bad_memory, with
    buddy_check and every end-of-run check holding."""
    def stuck_for(ev, log):
        arr, img = ev["metaslot_array"], ev["kernel_image"]
        # one word in the middle of the old array, one inside the old image
        a = (arr["old_phys"] + arr["bytes"] // 2 + 0x140) & ~7
        k = (img["old_phys"] + img["bytes"] // 3 + 0x88) & ~7
        return {a: (1 << 3, 0), k: (0, 1 << 60)}

    return boot_stuck_after_relocation(d, COV_CFG, STUCK_MEM, 2, stuck_for)[1]


@case
def screen_memory_picture_shows_untested_ram(d):
    """After the audit the memory picture marks the cells holding RAM that no
    test reached in the legend's "untested" colour, and the rest of the
    allocator's RAM as it is (free). Everything metaslot can own is tested
    by default now (the kernel's boot frames relocated, low memory tested in
    place), so fault_test=ap_late keeps some untested: with an AP given up
    on, nothing moves, and the array, the image and the page tables stay
    where they booted."""
    png = os.path.join(d, "screen.png")
    sock, watch = screendump_when_done(d, png)
    b = boot(d, cfg="on_finish=halt\naudit=quick\nstress_ops=0\nfault_test=ap_late\n",
             mem="256M", smp=3, vga=True, monitor=sock, on_running=watch, timeout=260)
    if not b.first("summary") or not os.path.exists(png):
        return ["no summary on serial or no screendump"]
    img = screen.read_png(png)
    colours = screen.legend_colours(img)
    cells = [c for c in screen.map_cells(img) if c]
    p = []
    if not colours.get("untested") or "untested" not in cells:
        p.append("no untested cell in the memory picture (saw %s)" % colours)
    if cells.count("free") < len(cells) // 2:
        p.append("tested free RAM is not most of the picture: %s" % colours)
    # what the coverage report calls untested RAM metaslot could own is at
    # least one cell; a cell shows untested only for such RAM
    untested = sum(t["untested_bytes"] for t in b.all("coverage_type")
                   if t["type"] in ("conventional", "boot_code", "boot_data", "loader_code",
                                    "loader_data", "metaslot_metadata", "metaslot_pagetable",
                                    "metaslot_trampoline", "metaslot_bootinfo"))
    if not untested:
        p.append("coverage says all of it was tested, the screen disagrees")
    return p


@case
def relocation_on_one_cpu_of_a_pc_machine(d):
    """The other chipset's map (i440fx, 128 MiB) and no AP to stop: the
    relocation still moves all three objects, the old frames are tested,
    and the figures add up."""
    b = boot(d, cfg=COV_CFG, machine="pc", mem="128M", smp=1, vga=False, timeout=400)
    p = check_run(b, "128M") + check_coverage_adds_up(b)
    rel = b.first("relocated") or {}
    if not rel.get("done") or rel.get("cpus") != 1:
        p.append("relocated: %s" % rel)
    for obj in ("metaslot_array", "kernel_image", "page_tables", "bootinfo"):
        o = rel.get(obj, {})
        if not o.get("new_blocks") or o.get("new_phys") == o.get("old_phys"):
            p.append("%s did not move: %s" % (obj, o))
    types = {t["type"]: t for t in b.all("coverage_type")}
    for name in ("metaslot_metadata", "metaslot_pagetable"):
        if types.get(name, {}).get("untested_bytes") != 0:
            p.append("%s not wholly tested: %s" % (name, types.get(name)))
    return p


@case
def nothing_moves_while_an_ap_given_up_on_may_wake(d):
    """fault_test=ap_late: an AP given up on halts on the boot page tables
    and may wake (an NMI, an SMI) on them or in the trampoline page, so the
    kernel moves nothing and leaves the trampoline page alone; the coverage
    report says why, and the run passes."""
    b = boot(d, cfg=COV_CFG + "fault_test=ap_late\n", mem="256M", smp=4, vga=False,
             timeout=400)
    p = check_run(b, "256M") + check_coverage_adds_up(b)
    rel = b.first("relocated") or {}
    if rel.get("done") is not False or rel.get("skipped") != "an_ap_was_given_up_on":
        p.append("relocated: %s" % rel)
    if not b.all("cpu_late"):
        p.append("no cpu_late event: the fault was not injected")
    types = {t["type"]: t for t in b.all("coverage_type")}
    tr = types.get("metaslot_trampoline", {})
    if tr.get("tested_bytes") != 0 or "ap_trampoline" not in tr.get("untested_by_reason", {}):
        p.append("trampoline: %s" % tr)
    md = types.get("metaslot_metadata", {})
    if md.get("tested_bytes") != 0 or "metaslot_array" not in md.get("untested_by_reason", {}):
        p.append("metadata array: %s" % md)
    return p
