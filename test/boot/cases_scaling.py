"""Boot cases of how the audit phase spends its time across CPUs (issue 19,
scaling): audit_result's time_ms adds up to the phase, and the journal's
trade of boot-services memory at each safe point is shared by every CPU
(bssave.h, bs_swap_part) and leaves that memory bit for bit as it was.
Each pattern that can runs in slices a CPU done with its own share may take
from another's (passes.c): every slice runs once, and a CPU made slow
(fault_test=slow_cpu) ends up with fewer.
Times under TCG mean nothing: shares and sums are checked, not speeds."""

from cases import boot, case, check_run


@case
def journal_trade_is_shared_by_every_cpu_and_time_adds_up(d):
    # journal_spacing=0: a safe point with a write after each pattern
    cfg = "on_finish=shutdown\naudit=quick\nstress_ops=0\njournal_spacing=0\n"
    # 3 CPUs: the checksum's chunks do not divide evenly among them
    b = boot(d, cfg=cfg, mem="256M", smp=3, vga=False, timeout=400)
    p = check_run(b, "256M")
    sv, rs = b.first("bs_save") or {}, b.first("bs_restore") or {}
    if not sv.get("saved") or not sv.get("bytes"):
        p.append("nothing saved, nothing to trade: %s" % sv)
    # a runtime call that found the memory not as saved says so at once
    if rs.get("when") == "runtime_call" or not rs.get("matches") or \
            rs.get("checksum") != sv.get("checksum"):
        p.append("bs_restore: %s (saved %s)" % (rs, sv))
    steps = [e for e in b.all("journal") if e.get("what") == "step"]
    if len(steps) != 2 or b.first("journal_not_saved"):
        p.append("journal writes after each of the 2 patterns: %s, not saved: %s"
                 % (steps, b.first("journal_not_saved")))
    if [e.get("journal") for e in b.all("pattern_done")] != [True, True]:
        p.append("pattern_done journal: %s" % [e.get("journal") for e in b.all("pattern_done")])
    cpus = b.all("audit_cpu")
    if len(cpus) != 3:
        p.append("audit_cpu events: %s" % cpus)
    for c in cpus:
        t = c.get("time_ms") or {}
        # each CPU traded a third of tens of MiB twice per safe point; a CPU
        # that only waited would show microseconds
        if not t.get("safe", 0) > 1.0 or not t.get("sweep", 0) > 0:
            p.append("cpu %s did no share of the trade or no sweep: %s" % (c.get("cpu"), t))
    r = b.first("audit_result") or {}
    t = r.get("time_ms") or {}
    steps_ms = sum(t.values())
    want = ("grab", "sweep", "wait", "mark", "free", "share", "safe", "join", "serial")
    if sorted(t) != sorted(want):
        p.append("audit_result time_ms keys %s, not %s" % (sorted(t), sorted(want)))
    elif abs(steps_ms - r.get("ms", 0)) > 5 + 0.02 * r.get("ms", 0):
        p.append("time_ms adds up to %.1f ms, the phase took %s ms: %s"
                 % (steps_ms, r.get("ms"), t))
    p += swept_adds_up(b)
    lo, hi = r.get("sweep_ms_min", 0), r.get("sweep_ms_max", 0)
    if not 0 < lo <= t.get("sweep", 0) <= hi:
        p.append("sweep_ms_min/max %s/%s against the boot CPU's %s"
                 % (r.get("sweep_ms_min"), r.get("sweep_ms_max"), t.get("sweep")))
    return p


def swept_adds_up(b):
    """Every slice ran exactly once: the CPUs' bytes add up to the patterns'."""
    cpus = sum(c.get("bytes_swept", 0) for c in b.all("audit_cpu"))
    pats = sum(e.get("bytes_swept", 0) for e in b.all("pattern_done"))
    return [] if cpus == pats and cpus else \
        ["audit_cpu bytes_swept add up to %d, pattern_done's to %d" % (cpus, pats)]


@case
def slices_of_a_slow_cpu_go_to_the_others(d):
    """fault_test=slow_cpu: the last CPU waits 2 ms after every span of the
    audit. Its slices of each pattern (own_address's write phase and its
    check phase, mov_inv_ones_zeros) are taken by the CPUs that are done with
    theirs, every slice still runs exactly once, and the run passes with
    every frame tested."""
    cfg = "on_finish=shutdown\naudit=quick\npasses=2\nstress_ops=0\nfault_test=slow_cpu\n"
    # 1 GiB: each share holds its 8 slices of at least 32 MiB
    b = boot(d, cfg=cfg, mem="1G", smp=3, vga=False, timeout=600)
    p = check_run(b, "1G") + swept_adds_up(b)
    cpus = sorted(b.all("audit_cpu"), key=lambda c: c.get("cpu", 0))
    if len(cpus) != 3:
        return p + ["audit_cpu events: %s" % cpus]
    slow, fast = cpus[2], cpus[:2]
    # no slice under twice the last-level cache, nor under 32 MiB
    # (audit_slices.h); QEMU's caches give 32 MiB, 8 slices of each share
    ci, r = b.first("cpu_info") or {}, b.first("audit_result") or {}
    llc = ci.get("l3") or ci.get("l2", 0)
    slice_min = max(32, 2 * llc >> 20)
    if r.get("slice_min_mib") != slice_min:
        p.append("slice_min_mib %s with caches %s: not %d" % (r.get("slice_min_mib"), ci, slice_min))
    # per share (tested_frames counts both passes' shares, the same size):
    # as many slices as hold slice_min, 1 to 8; 3 patterns' worth per pass
    # (own_address's 2 phases and mov_inv_ones_zeros), 2 passes
    want = sum(6 * max(1, min(8, (c.get("tested_frames", 0) // 2 * 4096 >> 20) // slice_min))
               for c in cpus)
    if sum(c.get("slices", 0) for c in cpus) != want:
        p.append("slices run %s, not %d" % ([c.get("slices") for c in cpus], want))
    if slow.get("slices_taken") or not sum(c.get("slices_taken", 0) for c in fast):
        p.append("slices taken from others' shares %s: the fast CPUs must take the slow "
                 "one's" % [c.get("slices_taken") for c in cpus])
    if not slow.get("slices", 0) < min(c.get("slices", 0) for c in fast):
        p.append("the slow CPU ran %s slices, the others %s"
                 % (slow.get("slices"), [c.get("slices") for c in fast]))
    return p
