"""Coverage: which RAM this run tested, from the kernel's own record (the
audit sets a bit per frame its patterns ran over), and why the rest was not.
The figures must add up to the firmware's map as the memmap event counted it,
type by type, reason by reason and range by range."""

from cases import case, boot, check_run

COV_CFG = "on_finish=shutdown\naudit=quick\nstress_ops=0\n"


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


@case
def coverage_adds_up_to_the_memory_map(d):
    b = boot(d, cfg=COV_CFG, mem="256M", smp=2, vga=False, timeout=400)
    p = check_run(b, "256M") + check_coverage_adds_up(b)
    types = {t["type"]: t for t in b.all("coverage_type")}
    conv = types.get("conventional", {})
    # free RAM is tested, firmware RAM is not, each with its reason
    if conv.get("tested_bytes", 0) < conv.get("ram_bytes", 1) * 0.95:
        p.append("conventional RAM mostly untested: %s" % conv)
    rt = types.get("runtime_data", {})
    if rt.get("tested_bytes") != 0 or "runtime_services" not in rt.get("untested_by_reason", {}):
        p.append("runtime data: %s" % rt)
    return p
