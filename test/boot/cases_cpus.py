"""Boot tests for CPU start-up: caches on in every AP, an AP given up on after
it claimed the trampoline, x2APIC ids above 255 (with the QEMU that
tools/deps.sh fetches into build/, when present)."""

import qemu  # tools/qemu.py
from cases import case, boot, check_run, check_smp, SHUTDOWN_CFG

CR0_PE, CR0_WP, CR0_NW, CR0_CD, CR0_PG = 1 << 0, 1 << 16, 1 << 29, 1 << 30, 1 << 31
CR0_ON = CR0_PE | CR0_WP | CR0_PG


def check_cr0(b):
    """Every CPU runs with caching on (CD and NW clear) and paging, protection
    and write protection on: an AP leaves INIT with CD and NW set."""
    p = []
    for e in b.all("cpu_online"):
        cr0 = e.get("cr0")
        if cr0 is None:
            p.append("cpu_online without cr0: %s" % e)
        elif cr0 & (CR0_CD | CR0_NW) or cr0 & CR0_ON != CR0_ON:
            p.append("cpu %d runs with CR0 %#x (CD/NW set or PG/WP/PE clear)" % (e["cpu"], cr0))
    return p


@case
def aps_run_with_caches_enabled(d):
    b = boot(d, cfg=SHUTDOWN_CFG + "stress_ops=2000\n", mem="512M", smp=3, timeout=300)
    p = check_run(b, "512M") + check_smp(b, 3, 2000) + check_cr0(b)
    tot = b.first("stress_total") or {}
    if tot.get("cpus") != 3 or tot.get("ops") != 3 * 2000 or not tot.get("ops_per_s"):
        p.append("stress_total (what make bench reads) is %s" % tot)
    return p


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


# Two sockets of 256 cores: socket 1's cores have APIC ids 256 + core, which
# only x2APIC can address (and the interrupt remapping unit with extended
# interrupt mode is what QEMU requires for more than 255 CPUs).
X2_CORES = (0, 1, 255)
X2_TOPOLOGY = "1,sockets=2,cores=256,maxcpus=512"


def x2apic_extra():
    extra = ["-cpu", "max", "-device", "intel-iommu,intremap=on,eim=on"]
    for n in X2_CORES:
        extra += ["-device", "max-x86_64-cpu,socket-id=1,core-id=%d,thread-id=0" % n]
    return extra


@case
def x2apic_ids_above_255_come_online(d):
    """QEMU 10 (fetched by tools/deps.sh): the boot CPU plus cold-plugged CPUs
    in socket 1 come online in x2APIC mode with their 9-bit ids and run the
    stress with nothing lost; the MADT entries of the other 508 possible
    CPUs (disabled, or online-capable placeholders) are counted, not started."""
    q = qemu.qemu10()
    if not q:
        return ["QEMU 10 missing from build/qemu10 (tools/deps.sh could not fetch it:"
                " see build/qemu10/apt/*.log)"]
    cpus, ops = 1 + len(X2_CORES), 5000
    b = boot(d, cfg=SHUTDOWN_CFG + "stress_ops=%d\n" % ops, mem="512M", smp=X2_TOPOLOGY,
             extra=x2apic_extra(), timeout=400, **q)
    p = check_run(b, "512M") + check_smp(b, cpus, ops) + check_cr0(b)
    online = b.all("cpu_online")
    want = sorted([0] + [256 + n for n in X2_CORES])
    if sorted(e["apic_id"] for e in online) != want:
        p.append("APIC ids online %s, expected %s" % (sorted(e["apic_id"] for e in online), want))
    if not online or not all(e.get("x2apic") for e in online):
        p.append("not every CPU runs its APIC in x2APIC mode: %s" % online)
    acpi = b.first("acpi") or {}
    if acpi.get("cpus") != cpus or acpi.get("max_apic_id") != want[-1]:
        p.append("acpi event lists %s CPUs up to APIC id %s, expected %d up to %d"
                 % (acpi.get("cpus"), acpi.get("max_apic_id"), cpus, want[-1]))
    absent = sum(e["value"] for e in b.all("acpi_issue")
                 if e["what"] in ("madt_cpus_unusable", "madt_cpus_hotplug"))
    if absent != 512 - cpus:
        p.append("MADT entries counted as absent or hot-plug: %d, expected %d"
                 % (absent, 512 - cpus))
    return p
