"""Boot cases of the audit's speed figures (issue 19): the bandwidth event
measures every sweep kind's limit, and every audit_cpu event says its GB/s
and its ratio to the limit of the sweeps it ran. Speeds under TCG mean
nothing: presence and consistency are checked, not values."""

from cases import boot, case, check_run


@case
def audit_cpu_reports_gbps_and_ratio_to_its_limit(d):
    cfg = "on_finish=shutdown\naudit=quick\nstress_ops=0\n"
    b = boot(d, cfg=cfg, mem="256M", smp=2, vga=False, timeout=400)
    p = check_run(b, "256M")
    ram = (b.first("bandwidth") or {}).get("ram") or {}
    for k in ("write_mib_s", "write_nt_mib_s", "read_mib_s", "copy_mib_s", "rmw_mib_s"):
        if not ram.get(k, 0) > 0:
            p.append("bandwidth.ram.%s missing: %s" % (k, ram))
    cpus = b.all("audit_cpu")
    if len(cpus) != 2:
        p.append("audit_cpu events: %s" % cpus)
    for c in cpus:
        if not all(isinstance(c.get(k), float) and c[k] > 0 for k in ("gbps", "limit_gbps", "ratio")):
            p.append("audit_cpu without gbps, limit_gbps, ratio: %s" % c)
            continue
        # gbps is mib_per_s in 10^9 bytes; ratio is gbps over limit_gbps
        if abs(c["gbps"] - c["mib_per_s"] * 1048576 / 1e9) > 0.002:
            p.append("gbps %s is not mib_per_s %s" % (c["gbps"], c["mib_per_s"]))
        if abs(c["ratio"] - c["gbps"] / c["limit_gbps"]) > 0.01 + 0.01 * c["ratio"]:
            p.append("ratio %s is not gbps / limit_gbps: %s" % (c["ratio"], c))
    r = b.first("audit_result") or {}
    if not r.get("gbps", 0) > 0:
        p.append("audit_result without gbps: %s" % r)
    # the passes' wall time (tools/scale_audit.sh reads it): every byte the
    # CPUs swept, over that time, cannot beat the sum of their own rates by
    # much (they ran at once)
    if r.get("cpus") != 2 or not r.get("ms", 0) > 0:
        p.append("audit_result without cpus and ms: %s" % r)
    elif cpus and len(cpus) == 2:
        swept_mib = sum(c["tested_frames"] for c in cpus) * 4096 * 8 / 2**20  # quick: 8 sweeps
        if swept_mib / (r["ms"] / 1000) > 1.1 * sum(c["mib_per_s"] for c in cpus):
            p.append("ms %s too short for %d MiB at %s MiB/s" % (r["ms"], swept_mib, [c["mib_per_s"] for c in cpus]))
    return p
