"""The run record as a journal (issue 15): power cut in the middle of the
audit after a host-held stuck bit was found (QEMU killed, the OVMF variable
store file kept); the next boot with the same store says `did_not_finish`,
with the pass and pattern that were running and the bad frame; with
resume=on it leaves that pattern out. The variable is read out of the store
file (tools/ovmf_vars.py) into an efivarfs-shaped file for
tools/metaslot-lastrun, as Linux would show it, after each boot."""

import json
import os
import subprocess
import sys
import time

from cases import case, boot, check_run, read_reports, ROOT
import qemu
from cases_stuck_bits import boot_with_stuck_bits

sys.path.insert(0, os.path.join(ROOT, "tools"))
import ovmf_vars  # noqa: E402

GUID = "4d455441-534c-4f54-9a1c-3e5f7b2d4c6e"
TOOL = os.path.join(ROOT, "tools", "metaslot-lastrun")
MEM = "3G"
STUCK_WORD, STUCK_ONES = 0x23456780, 1 << 5
BAD_FRAME = STUCK_WORD & ~0xfff


def lastrun(d, tag, *args):
    """metaslot-lastrun on the variable as the store file holds it now:
    (exit status, stdout); 3 and "" when the store has no record."""
    var = os.path.join(d, "MetaslotLastRun-%s.%s" % (GUID, tag))
    if not ovmf_vars.to_efivarfs(os.path.join(d, "OVMF_VARS.fd"), "MetaslotLastRun", GUID, var):
        if os.path.exists(var):
            os.remove(var)
    p = subprocess.run([TOOL, "--file", var] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout


def fresh_store(d):
    """A fresh OVMF variable store in d: no record yet."""
    os.makedirs(d, exist_ok=True)
    subprocess.run([os.path.join(ROOT, "ovmf", "ovmf.sh"), d], check=True, capture_output=True)


def kill_when(state, pred, limit_s=1200):
    """on_running: kill QEMU (the power cut) as soon as an event satisfies
    `pred`; state gets the events up to then and the first that did."""
    def watch(proc, log):
        deadline = time.time() + limit_s
        while proc.poll() is None and time.time() < deadline:
            time.sleep(0.1)
            if not os.path.exists(log):
                continue
            with open(log, "rb") as f:
                evs = qemu.events(f.read().decode("latin-1"))
            hit = [e for e in evs if pred(e)]
            if hit:
                proc.kill()
                state["events"], state["hit"] = evs, hit[0]
                return
    return watch


def is_step_with_the_bad_frame(e):
    """A write after a pattern of the audit (a step: with passes=2 never the
    last) that holds the bad frame (the frame may also be found before the
    audit, testing a block the kernel keeps)."""
    return e.get("ev") == "journal" and e.get("what") == "step" and e.get("bad_frames", 0) >= 1


@case
def power_cut_mid_audit_is_did_not_finish_and_resume_skips_the_pattern(d):
    p = []
    # journal_spacing=0: a step write after every pattern, whatever it costs
    img = qemu.prepare_image(d, "on_finish=shutdown\naudit=quick\npasses=2\nstress_ops=0\n"
                             "journal_spacing=0\n")
    fresh_store(d)
    rc, _ = lastrun(d, "fresh")
    if rc != 3:
        p.append("a fresh variable store: metaslot-lastrun exit %d, expected 3" % rc)
    state = {}
    b1, why = boot_with_stuck_bits(d, {STUCK_WORD: (STUCK_ONES, 0)}, MEM, hold_s=1500,
                                   image=img, smp=2, vga=False, timeout=1300, keep_vars=True,
                                   on_running=kill_when(state, is_step_with_the_bad_frame))
    if not b1:
        return p + [why]
    j = state.get("hit")
    if not j:
        return p + ["boot 1: no journal write with the bad frame before it ended (%s)" % b1.result]
    # the first step write is the one after own_address in pass 1 (the frame
    # is found by then): it must name what runs next, not what is done
    if (j.get("pass"), j.get("pattern"), j.get("percent")) != (1, "mov_inv_ones_zeros", 25):
        p.append("boot 1's last write should name pass 1, mov_inv_ones_zeros, 25%%: %s" % j)
    if b1.first("summary") or b1.first("report_saved"):
        p.append("boot 1 was meant to die mid-audit, yet it finished")
    # (bad_frame events come at the end of a pass: the power may go first)
    if any(e["phys"] != BAD_FRAME for e in b1.all("bad_frame")):
        p.append("boot 1 bad_frame events: %s" % b1.all("bad_frame"))
    # what Linux would read now: the unfinished record the kernel wrote
    rc, out = lastrun(d, "boot1", "--json")
    r1 = json.loads(out) if out else {}
    if rc != 1 or r1.get("result") != "did_not_finish" or r1.get("finished") is not False or \
            r1.get("pattern") != j["pattern"] or r1.get("pass") != j["pass"] or \
            [x["phys"] for x in r1.get("bad_ranges", [])] != [BAD_FRAME]:
        p.append("metaslot-lastrun after the power cut: exit %d %s (journal said %s)" % (rc, r1, j))
    # boot 2: same store, no stuck bit, resume=on
    cfg = os.path.join(d, "second.cfg")
    with open(cfg, "w") as f:
        f.write("on_finish=shutdown\naudit=quick\nstress_ops=0\nresume=on\n")
    subprocess.run([os.path.join(ROOT, "tools", "mkimg.sh"), "--config", img, cfg], check=True)
    b2 = boot(d, image=img, mem="1G", smp=2, vga=False, keep_vars=True, timeout=600)
    p += ["boot 2: " + x for x in check_run(b2, "1G", expect_result="bad_memory")]
    last = b2.first("last_run") or {}
    if last.get("result") != "did_not_finish" or last.get("pattern") != j["pattern"] or \
            last.get("pass") != j["pass"] or last.get("first_bad_phys") != BAD_FRAME or \
            last.get("bad_frames") != 1 or last.get("run_id") != r1.get("run_id"):
        p.append("boot 2 last_run: %s (journal of boot 1: %s)" % (last, j))
    if "LAST RUN DID NOT FINISH" not in b2.serial or "is a finding" not in b2.serial:
        p.append("boot 2 does not tell the user the last run died")
    res = b2.first("resume") or {}
    if res.get("pattern") != j["pattern"] or res.get("skipped") is not True:
        p.append("boot 2 resume event: %s" % res)
    audit_line = [l for l in b2.serial.splitlines() if l.startswith("audit: quick")]
    if not audit_line or j["pattern"] in audit_line[0]:
        p.append("boot 2 still runs %s: %s" % (j["pattern"], audit_line))
    if (b2.first("known_bad") or {}).get("frames") != 1:
        p.append("boot 2 known_bad: %s" % b2.first("known_bad"))
    # the report files the loader wrote for the unfinished run
    js = [json.loads(l) for l in read_reports(img, "--json").splitlines() if l.strip()]
    died = [x for x in js if x.get("run_id") == r1.get("run_id")]
    if not died or died[0].get("result") != "did_not_finish" or \
            died[0].get("pattern") != j["pattern"] or \
            [x["phys"] for x in died[0].get("bad_ranges", [])] != [BAD_FRAME]:
        p.append("report file of the unfinished run: %s" % died)
    txt = read_reports(img, "--text")
    if "DID NOT FINISH" not in txt or "0x%012x" % BAD_FRAME not in txt:
        p.append("text report lacks DID NOT FINISH or the bad frame:\n%s" % txt)
    # and Linux after boot 2: a finished record with the skip and the journal
    saved = b2.first("report_saved") or {}
    rc, out = lastrun(d, "boot2", "--json")
    r2 = json.loads(out) if out else {}
    if rc != 2 or r2.get("run_id") != saved.get("run_id") or r2.get("finished") is not True or \
            r2.get("skipped_pattern") != j["pattern"] or r2.get("journal_writes") != \
            saved.get("writes") or r2.get("result") != "bad_memory":
        p.append("metaslot-lastrun after boot 2: exit %d %s (report_saved %s)" % (rc, r2, saved))
    rc, out = lastrun(d, "boot2")
    if rc != 2 or "BAD MEMORY" not in out:
        p.append("metaslot-lastrun text: exit %d\n%s" % (rc, out))
    rc, out = lastrun(d, "boot2", "--prometheus")
    if rc != 2 or 'metaslot_last_run_result{result="bad_memory"} 1' not in out or \
            "metaslot_bad_frames 1" not in out or "# TYPE metaslot_bad_frames gauge" not in out:
        p.append("metaslot-lastrun --prometheus: exit %d\n%s" % (rc, out))
    return p


def mce_boot(d, cfg, cmds):
    """A 512M boot with its own variable store, `cmds` sent to the monitor
    once the audit runs."""
    from cases_mce import injector
    state = {}
    fresh_store(d)
    sock, watch = injector(d, state, '"phase":"audit"', cmds)
    b = boot(d, cfg=cfg, mem="512M", smp=2, vga=False, monitor=sock, on_running=watch,
             timeout=600, keep_vars=True)
    return b, state


@case
def each_machine_check_is_journaled(d):
    """boot_services=keep (runtime calls need no swap, so a write goes out at
    once): a corrected memory error put into a bank during the audit is
    written into the record when it is found, not only at the end; the
    finished record (read as Linux would) counts it and keeps its status."""
    from cases_mce import mce_cmd, CE_MEM, MISC_PHYS_LINE
    b, st = mce_boot(d, "on_finish=shutdown\naudit=quick\npasses=2\nstress_ops=0\n"
                     "boot_services=keep\n", [mce_cmd(0, 0, CE_MEM, 0, 0x10000000, MISC_PHYS_LINE)])
    p = check_run(b, "512M", expect_result="bad_memory")
    if not st.get("serial_before") or '"ev":"audit_result"' in st["serial_before"]:
        return p + ["error not injected during the audit (monitor: %r)" % st.get("monitor")]
    names = [e["ev"] for e in b.events]
    js = [e for e in b.all("journal") if e.get("what") == "machine_check"]
    if len(js) != 1 or js[0].get("machine_check_errors") != 1:
        p.append("journal writes for the machine check: %s" % b.all("journal"))
    elif "audit_result" in names and names.index("audit_result") < \
            [i for i, e in enumerate(b.events) if e.get("what") == "machine_check"][0]:
        p.append("the machine check was journaled only after the audit")
    rc, out = lastrun(d, "end", "--json")
    r = json.loads(out) if out else {}
    m = r.get("machine_checks") or [{}]
    if rc != 2 or r.get("machine_check_errors") != 1 or int(m[0].get("status", "0"), 16) != CE_MEM \
            or m[0].get("addr") != "0x10000000" or m[0].get("cpu") != 0:
        p.append("metaslot-lastrun: exit %d %s" % (rc, r))
    rc, out = lastrun(d, "end", "--prometheus")
    if "metaslot_machine_check_errors 1" not in out:
        p.append("prometheus lacks the machine check:\n%s" % out)
    return p


def mc_stop_record(d, cfg, cpu):
    """An uncorrectable error on `cpu` raises #MC during the audit; the
    problems with the record the stop path wrote, as Linux reads it."""
    from cases_mce import mce_cmd, UC_MEM, MISC_PHYS_LINE, MCG_MCIP_EIPV
    os.makedirs(d, exist_ok=True)
    b, st = mce_boot(d, cfg, [mce_cmd(cpu, 3, UC_MEM, MCG_MCIP_EIPV, 0x10000000, MISC_PHYS_LINE)])
    p = []
    if b.result != "fail" or not b.first("machine_check_exception"):
        p.append("no #MC stop: %s %s" % (b.result, b.first("summary")))
    stop = [e for e in b.all("journal") if e.get("what") == "stop"]
    if len(stop) != 1 or stop[0].get("machine_check_errors") != 1:
        p.append("journal stop event: %s (journal_not_saved %s)"
                 % (b.all("journal"), b.all("journal_not_saved")))
    rc, out = lastrun(d, "stop", "--json")
    r = json.loads(out) if out else {}
    m = r.get("machine_checks") or [{}]
    if rc != 1 or r.get("result") != "fail" or r.get("reason") != "machine_check" or \
            r.get("finished") is not True or int(m[0].get("status", "0"), 16) != UC_MEM or \
            m[0].get("cpu") != cpu or m[0].get("bank") != 3:
        p.append("metaslot-lastrun after the #MC: exit %d %s" % (rc, r))
    return p


@case
def the_machine_check_stop_records_what_it_can(d):
    """An uncorrectable error raises #MC during the audit: the stop path
    writes the record with result fail, reason machine_check and the bank,
    which Linux then reads (exit 1): the boot CPU's #MC in the default mode,
    CPU 1's with boot_services=keep (CPU 1's in the default mode:
    cases_journal_now.py)."""
    base = "on_finish=shutdown\naudit=quick\npasses=3\nstress_ops=0\n"
    return (["cpu 0: " + x for x in mc_stop_record(os.path.join(d, "bsp"), base, 0)] +
            ["keep, cpu 1: " + x for x in mc_stop_record(os.path.join(d, "keep"),
                                                         base + "boot_services=keep\n", 1)])


@case
def first_bad_frame_is_journaled_at_once_with_boot_services_kept(d):
    """boot_services=keep: the first bad frame (an inject_fault= bit, found
    by the ordinary read-back) is written into the record while the pass
    still runs, before the audit's result; later ones wait for the next
    write. The record at the end holds both frames."""
    faults = "inject_fault=0x10000008:0x10\ninject_fault=0x12345000:0x1\n"
    fresh_store(d)
    b = boot(d, cfg="on_finish=shutdown\naudit=quick\nstress_ops=0\nboot_services=keep\n" + faults,
             mem="512M", smp=2, vga=False, keep_vars=True)
    p = check_run(b, "512M", expect_result="bad_memory")
    names = [e["ev"] for e in b.events]
    at = [i for i, e in enumerate(b.events) if e["ev"] == "journal" and e.get("what") == "bad_frame"]
    if len(at) != 1 or b.events[at[0]].get("bad_frames") not in (1, 2) or \
            "audit_result" not in names or at[0] > names.index("audit_result"):
        p.append("bad_frame journal writes %s (events %s)" % ([b.events[i] for i in at], names))
    rc, out = lastrun(d, "end", "--json")
    r = json.loads(out) if out else {}
    if rc != 2 or sorted(x["phys"] for x in r.get("bad_ranges", [])) != [0x10000000, 0x12345000]:
        p.append("metaslot-lastrun: exit %d %s" % (rc, r))
    return p
