"""Relocation of what the APs run on (kernel/mem/reloc_percpu.c): every AP's
stack, per-CPU block and CPU tables leave the frames they were first given,
and the audit tests those frames like any other. The faults come from
outside the kernel: a host process holds bits stuck in the old frames
(test/boot/stuck_bits.c on a memory-backend-file), starting once the
relocated event says where they were. Also: the image and the page tables
take no frame they do not fill, and the screen draws the moved MetaSlot
array as metadata."""

import json
import os

from cases import case, boot, check_run, screendump_when_done
from cases_coverage import boot_stuck_after_relocation, check_ap_objects_moved, check_coverage_adds_up
import screen

MEM = "256M"
CPUS = 3
# the stress ends with buddy_check and the lost-frame count: both must hold
CFG = "on_finish=shutdown\naudit=quick\nstress_ops=2000\n"


def stuck_in_old_frames(moved):
    """One stuck word in CPU 1's old stack, one in CPU 2's old CPU tables
    (their IST stacks): two frames. Not the old per-CPU block: a single
    frame freed last is what the next one-frame kernel allocation may take
    (a page table) before the helper is ready; kmem_alloc_tested tests it
    then, and the audit never sees it again."""
    by_cpu = {e["cpu"]: e for e in moved}
    stack = by_cpu[1]["stack"]["parts"]["0"]
    tables = by_cpu[2]["tables"]["parts"]["0"]
    return {
        (stack["old_phys"] + stack["bytes"] - 0x148) & ~7: (1 << 7, 0),   # near the top
        (tables["old_phys"] + tables["bytes"] // 2 + 0x2a8) & ~7: (1 << 62, 1 << 1),
    }


def read_events(log, name):
    with open(log, "rb") as f:
        return [json.loads(l) for l in f.read().decode("latin-1").splitlines()
                if l.startswith('{"ev":"%s"' % name)]


@case
def bits_stuck_in_an_ap_stack_old_frames_are_found_after_relocation(d):
    """A host process holds bits stuck in the frames an AP's stack and
    another AP's CPU tables were first given, from the moment
    the relocated event says they moved (the APs run on them until then):
    the audit finds exactly those frames, poisons them and ends bad_memory,
    the APs keep running on the copies, buddy_check holds and nothing is
    lost."""
    def stuck_for(ev, log):
        moved = read_events(log, "relocated_cpu")  # all emitted before relocated
        if sorted(e["cpu"] for e in moved) != list(range(1, CPUS)):
            return "no relocated_cpu events for CPUs 1..%d: %s" % (CPUS - 1, moved)
        return stuck_in_old_frames(moved)

    b, p = boot_stuck_after_relocation(d, CFG, MEM, CPUS, stuck_for)
    return p + check_ap_objects_moved(b, CPUS)


@case
def relocation_takes_no_frame_its_objects_do_not_fill(d):
    """The kernel image and the page-table pool are mapped 4 KiB at a time,
    so each moves into one block per set bit of its page count: their new
    blocks add up to their bytes exactly (a 2.2 MiB image once took a 4 MiB
    block); the APs' objects move block for block; the moved array is drawn
    as metadata in the memory picture, not as an allocation."""
    png = os.path.join(d, "screen.png")
    sock, watch = screendump_when_done(d, png)
    b = boot(d, cfg="on_finish=halt\naudit=quick\nstress_ops=0\n", mem=MEM, smp=2, vga=True,
             monitor=sock, on_running=watch, timeout=300)
    rel = b.first("relocated") or {}
    if not rel.get("done"):
        return ["relocation not done: %s" % rel]
    p = []
    blocks = b.all("relocated_block")
    for obj in ("kernel_image", "page_tables"):
        mine = [e["bytes"] for e in blocks if e["object"] == obj]
        if sum(mine) != rel[obj]["bytes"] or len(mine) != rel[obj]["new_blocks"]:
            p.append("%s: %d bytes in blocks %s" % (obj, rel[obj]["bytes"], mine))
        if len(set(mine)) != len(mine) or any(n & (n - 1) for n in mine):
            p.append("%s: blocks are not distinct powers of two: %s" % (obj, mine))
    p += check_ap_objects_moved(b, 2)
    if not os.path.exists(png):
        return p + ["no screendump was written"]
    cells = [c for c in screen.map_cells(screen.read_png(png)) if c]
    top = (b.first("memmap") or {}).get("ram_top", 0)
    per = -(-top // len(cells)) if cells else 1
    # cells wholly inside the array's new blocks: at least bytes/per - 2
    want = rel["metaslot_array"]["bytes"] // per - 2
    if cells.count("metadata") < max(1, want):
        p.append("%d metadata cells for a %d-byte array moved (%d bytes a cell): %s"
                 % (cells.count("metadata"), rel["metaslot_array"]["bytes"], per,
                    {c: cells.count(c) for c in set(cells)}))
    return p


@case
def relocation_moves_every_ap_of_eight(d):
    """Eight CPUs: all seven APs park in the stop without a store while the
    boot CPU copies their stacks, per-CPU blocks and tables, then run on the
    copies (the audit and the stress on every CPU, nothing lost); the old
    frames are tested and the figures add up."""
    b = boot(d, cfg=CFG, mem=MEM, smp=8, vga=False, timeout=600)
    p = check_run(b, MEM) + check_ap_objects_moved(b, 8) + check_coverage_adds_up(b)
    rel = b.first("relocated") or {}
    if not rel.get("done") or rel.get("cpus") != 8:
        p.append("relocated: %s" % rel)
    cpus = sorted(e["cpu"] for e in b.all("audit_cpu") if e.get("tested_frames"))
    if cpus != list(range(8)):
        p.append("CPUs that tested frames after the move: %s" % cpus)
    sm = b.first("summary") or {}
    if sm.get("cpus") != 8 or not sm.get("frames_free_before") or sm.get("lost") != 0:
        p.append("summary: %s" % sm)
    return p
