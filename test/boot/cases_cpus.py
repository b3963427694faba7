"""Boot tests for CPU start-up: caches on in every AP, an AP given up on after
it claimed the trampoline, x2APIC ids above 255 (with the QEMU that
tools/deps.sh fetches into build/, when present)."""

from cases import case, boot, check_run, check_smp, SHUTDOWN_CFG

CR0_PE, CR0_WP, CR0_NW, CR0_CD, CR0_PG = 1 << 0, 1 << 16, 1 << 29, 1 << 30, 1 << 31


def check_cr0(b):
    """Every CPU runs with caching on (CD and NW clear) and paging, protection
    and write protection on: an AP leaves INIT with CD and NW set."""
    p = []
    for e in b.all("cpu_online"):
        cr0 = e.get("cr0")
        if cr0 is None:
            p.append("cpu_online without cr0: %s" % e)
        elif cr0 & (CR0_CD | CR0_NW) or (cr0 & (CR0_PE | CR0_WP | CR0_PG)) != (CR0_PE | CR0_WP | CR0_PG):
            p.append("cpu %d runs with CR0 %#x (CD/NW set or PG/WP/PE clear)" % (e["cpu"], cr0))
    return p


@case
def aps_run_with_caches_enabled(d):
    b = boot(d, cfg=SHUTDOWN_CFG + "stress_ops=2000\n", mem="512M", smp=3, timeout=300)
    return check_run(b, "512M") + check_smp(b, 3, 2000) + check_cr0(b)


@case
def ap_given_up_after_claiming_stays_out(d):
    """fault_test=ap_late: smp_init gives up on the first AP right after it took
    the trampoline slot. That AP must never join (its index, stack slot and
    per-CPU block are not handed to the next AP), the other APs start with
    fresh ones, and the stress on the rest loses nothing."""
    b = boot(d, cfg=SHUTDOWN_CFG + "fault_test=ap_late\nstress_ops=2000\n", mem="512M", smp=4,
             timeout=300)
    p = check_run(b, "512M") + check_smp(b, 3, 2000)
    timeouts = b.all("cpu_timeout")
    online = {e["apic_id"] for e in b.all("cpu_online")}
    if len(timeouts) != 1:
        p.append("expected one cpu_timeout, got %s" % timeouts)
    elif timeouts[0]["apic_id"] in online:
        p.append("the AP given up on came online anyway: %s" % timeouts[0])
    late = b.all("cpu_late")
    if not timeouts or [e.get("apic_id") for e in late] != [timeouts[0]["apic_id"]]:
        p.append("expected one cpu_late event for the AP given up on, got %s" % late)
    return p
