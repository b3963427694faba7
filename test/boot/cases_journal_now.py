"""The journal written at once in the default mode (issue 15's rest): with
boot_services=free a runtime call trades boot-services memory that other
CPUs are testing, so the writer parks every other CPU at a safe point first
(kernel/smp/park.c). The first bad frame (a host-held stuck bit) is in the
record before the pattern that found it is over, and a QEMU killed right
then leaves it in the variable store; an uncorrectable #MC on CPU 1 and a
panic on an AP mid-audit leave the record failed, with the reason. Each
record is read out of the OVMF store file as Linux would read it."""

import json
import os

from cases import case, boot, check_run
import qemu
from cases_stuck_bits import boot_with_stuck_bits
from cases_journal import fresh_store, kill_when, lastrun, mc_stop_record, mce_boot

MEM = "1G"
STUCK_WORD, STUCK_ONES = 0x23456780, 1 << 5
BAD_FRAME = STUCK_WORD & ~0xfff
CPUS = 4  # the finder parks three others
QUICK = "on_finish=shutdown\naudit=quick\npasses=2\nstress_ops=0\n"


def is_bad_frame_write(e):
    return e.get("ev") in ("journal", "journal_deferred") and e.get("what") == "bad_frame"


@case
def journal_now_first_bad_frame_mid_pattern(d):
    """Default boot_services=free, a host-held stuck bit, 4 CPUs: the journal
    write for the first bad frame comes before the pattern_done of the
    pattern that found it (the other three CPUs parked meanwhile); QEMU killed right
    after it leaves a record that says the run did not finish and names the
    frame, read from the store now and by the next boot's last_run."""
    p = []
    fresh_store(d)
    img = qemu.prepare_image(d, QUICK)
    st = {}
    b1, why = boot_with_stuck_bits(d, {STUCK_WORD: (STUCK_ONES, 0)}, MEM, hold_s=1500,
                                   image=img, smp=CPUS, vga=False, timeout=1300, keep_vars=True,
                                   on_running=kill_when(st, is_bad_frame_write))
    if not b1:
        return [why]
    j = st.get("hit")
    if not j:
        return ["boot 1: no journal write for the bad frame (%s, last events %s)"
                % (b1.result, [e["ev"] for e in b1.events[-8:]])]
    if j["ev"] != "journal" or j.get("parked") != CPUS - 1 or j.get("bad_frames", 0) < 1 or \
            "park_us" not in j:
        p.append("the bad frame's write: %s (want journal, parked %d, the frame counted)"
                 % (j, CPUS - 1))
    evs = st["events"]
    with open(os.path.join(d, "boot1.events"), "w") as f:  # boot 2 replaces serial.log
        f.write("".join(json.dumps(e) + "\n" for e in evs))
    at = evs.index(j)
    # the pattern that found it is still running: no pattern_done with its
    # errors yet, and the write names it as running
    found = [e for e in evs[:at] if e.get("ev") == "pattern_done" and e.get("errors")]
    if found:
        p.append("pattern_done with the errors came before the write: %s" % found)
    if any(e.get("ev") == "journal_deferred" for e in evs):
        p.append("a write was deferred: %s" % [e for e in evs if e.get("ev") == "journal_deferred"])
    rc, out = lastrun(d, "cut", "--json")
    r = json.loads(out) if out else {}
    if rc != 1 or r.get("result") != "did_not_finish" or r.get("finished") is not False or \
            [x["phys"] for x in r.get("bad_ranges", [])] != [BAD_FRAME] or \
            r.get("pattern") != j.get("pattern") or r.get("pass") != j.get("pass"):
        p.append("metaslot-lastrun after the power cut: exit %d %s (the write: %s)" % (rc, r, j))
    # the next boot reads it in mm_init (last_run): no need to let it finish
    st2 = {}
    b2 = boot(d, image=img, mem="512M", smp=1, vga=False, keep_vars=True, timeout=600,
              on_running=kill_when(st2, lambda e: e.get("ev") in ("last_run", "summary")))
    last = b2.first("last_run") or {}
    if last.get("result") != "did_not_finish" or last.get("first_bad_phys") != BAD_FRAME or \
            last.get("bad_frames") != 1 or last.get("pattern") != j.get("pattern") or \
            last.get("run_id") != r.get("run_id"):
        p.append("boot 2 last_run: %s (the write: %s)" % (last, j))
    return p


@case
def journal_now_machine_check_mid_pattern(d):
    """Default boot_services=free: a corrected memory error put into CPU 1's
    bank during the audit is written when that CPU polls it (the boot CPU
    parked), not at the next pattern's end."""
    from cases_mce import mce_cmd, CE_MEM, MISC_PHYS_LINE
    fresh_store(d)
    b, st = mce_boot(d, QUICK, [mce_cmd(1, 0, CE_MEM, 0, 0x10000000, MISC_PHYS_LINE)])
    p = check_run(b, "512M", expect_result="bad_memory")
    if not st.get("serial_before") or '"ev":"audit_result"' in st["serial_before"]:
        return p + ["error not injected during the audit (monitor: %r)" % st.get("monitor")]
    js = [e for e in b.all("journal") if e.get("what") == "machine_check"]
    if len(js) != 1 or js[0].get("machine_check_errors") != 1 or js[0].get("parked") != 1:
        p.append("journal writes for the machine check: %s (deferred %s)"
                 % (b.all("journal"), b.all("journal_deferred")))
    else:
        # between two pattern writes, not carried by the second
        i = b.events.index(js[0])
        nxt = [e for e in b.events[i:] if e.get("ev") == "journal" and e.get("what") == "step"]
        if nxt and nxt[0].get("carries"):
            p.append("the next step write carries it: %s" % nxt[0])
    rc, out = lastrun(d, "end", "--json")
    r = json.loads(out) if out else {}
    m = r.get("machine_checks") or [{}]
    if rc != 2 or r.get("machine_check_errors") != 1 or m[0].get("cpu") != 1:
        p.append("metaslot-lastrun: exit %d %s" % (rc, r))
    return p


@case
def journal_now_mc_stop_on_cpu1(d):
    """Default boot_services=free: an uncorrected error raises #MC on CPU 1
    during the audit; the stop path writes the record from that CPU (fail,
    reason machine_check, the bank), as Linux then reads it."""
    return mc_stop_record(d, QUICK.replace("passes=2", "passes=3"), 1)


@case
def journal_now_panic_mid_audit(d):
    """fault_test=audit_panic: CPU 1 panics after its first span of the
    audit (boot_services=free); the record says fail, reason panic, where
    the running one said did_not_finish before."""
    fresh_store(d)
    b = boot(d, cfg=QUICK + "fault_test=audit_panic\n", mem="512M", smp=2, vga=False,
             keep_vars=True, timeout=600)
    p = []
    pe = b.first("panic") or {}
    if b.result != "fail" or "in the middle of the audit" not in pe.get("msg", "") or \
            (b.first("summary") or {}).get("reason") != "panic":
        p.append("no panic mid-audit: %s %s %s" % (b.result, pe, b.first("summary")))
    stop = [e for e in b.all("journal") if e.get("what") == "stop"]
    if len(stop) != 1 or stop[0].get("reason") != "panic" or \
            b.first("journal_not_saved"):
        p.append("journal stop event: %s (not saved: %s)"
                 % (b.all("journal"), b.all("journal_not_saved")))
    starts = [i for i, e in enumerate(b.events) if e.get("ev") == "journal"]
    if not pe or not starts or b.events.index(pe) < starts[0]:
        p.append("the panic did not come after the journal started")
    rc, out = lastrun(d, "panic", "--json")
    r = json.loads(out) if out else {}
    if rc != 1 or r.get("result") != "fail" or r.get("reason") != "panic" or \
            r.get("finished") is not True:
        p.append("metaslot-lastrun after the panic: exit %d %s" % (rc, r))
    rc, out = lastrun(d, "panic", "--prometheus")
    if 'metaslot_last_run_result{result="fail"} 1' not in out:
        p.append("prometheus after the panic: exit %d\n%s" % (rc, out))
    return p


@case
def journal_steps_spaced_by_their_cost_findings_at_once(d):
    """journal_spacing=1000: a step write only when the record is 1000 times
    older than a write costs, which a 1 GiB quick audit never reaches: no
    safe point stops the CPUs for a write, every pattern_done says
    journal false, yet the first bad frame (a host-held stuck bit) is
    written at once, and the final record has it. The default (20) and 0
    (every pattern) are in the scaling and power-cut cases."""
    fresh_store(d)
    img = qemu.prepare_image(d, QUICK + "journal_spacing=1000\n")
    b, why = boot_with_stuck_bits(d, {STUCK_WORD: (STUCK_ONES, 0)}, MEM, hold_s=1500,
                                  image=img, smp=2, vga=False, timeout=1300, keep_vars=True)
    if not b:
        return [why]
    p = check_run(b, MEM, expect_result="bad_memory")
    if (b.first("config") or {}).get("journal_spacing") != 1000:
        p.append("config event: %s" % b.first("config"))
    done = b.all("pattern_done")
    if len(done) != 4 or any(e.get("journal") is not False for e in done):
        p.append("pattern_done (2 patterns, 2 passes, none journaled): %s" % done)
    whats = [e.get("what") for e in b.all("journal")]
    if whats != ["start", "bad_frame"] or b.first("journal_deferred"):
        p.append("journal writes %s (want start and bad_frame), deferred %s"
                 % (whats, b.all("journal_deferred")))
    saved = b.first("report_saved") or {}
    if saved.get("writes") != 3:
        p.append("report_saved: %s (want 3 writes: start, bad_frame, final)" % saved)
    rc, out = lastrun(d, "end", "--json")
    r = json.loads(out) if out else {}
    if rc != 2 or [x["phys"] for x in r.get("bad_ranges", [])] != [BAD_FRAME]:
        p.append("metaslot-lastrun: exit %d %s" % (rc, r))
    return p
