#!/usr/bin/env python3
"""tools/metaslot-lastrun against records lib/record.c encoded itself
(test/lib/record_sample.c, built here from the same sources as the kernel):
its JSON equals the C codec's report file for each, its exit status follows
the result, its text and Prometheus outputs say what the record holds; no
record is 3, a broken one is 1. (The boot tests check it against records the
kernel wrote: test/boot/cases_journal.py.)"""

import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test", "build"))
from tap import check, finish  # noqa: E402

TOOL = os.path.join(ROOT, "tools", "metaslot-lastrun")
WANT = {"pass": 0, "bad_memory": 2, "fail": 1, "did_not_finish": 1, "v1": 2}


def run(*args):
    p = subprocess.run([TOOL] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def prom_ok(text):
    """Every sample has HELP and TYPE before it; names and values well formed."""
    seen = set()
    for line in text.splitlines():
        m = re.match(r"# (HELP|TYPE) (\w+) ", line)
        if m:
            seen.add((m.group(1), m.group(2)))
            continue
        m = re.match(r'^(\w+)(\{(\w+="(?:[^"\\]|\\.)*",?)*\})? (-?\d+(\.\d+)?)$', line)
        if not m or ("HELP", m.group(1)) not in seen or ("TYPE", m.group(1)) not in seen:
            return False
    return True


def sample(text, name, labels=""):
    m = re.search(r"^%s%s (\S+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    return m and float(m.group(1))


def main():
    with tempfile.TemporaryDirectory() as d:
        exe = os.path.join(d, "record_sample")
        subprocess.run(["cc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-I" + ROOT + "/include",
                        os.path.join(ROOT, "test/lib/record_sample.c"),
                        os.path.join(ROOT, "lib/record.c"), os.path.join(ROOT, "lib/fmt.c"),
                        "-o", exe], check=True)
        subprocess.run([exe, d], check=True)
        check("the tool is executable", os.access(TOOL, os.X_OK))
        for name, code in WANT.items():
            var = os.path.join(d, name + ".var")
            with open(os.path.join(d, name + ".json")) as f:
                c_json = json.load(f)
            rc, out, err = run("--file", var, "--json")
            got = json.loads(out) if rc in (0, 1, 2) and out else {}
            check("%s: --json equals lib/record.c's report" % name, got == c_json,
                  "tool %s\nC    %s\n%s" % (got, c_json, err))
            check("%s: exit status %d" % (name, code), rc == code, "got %d" % rc)
            rc, out, _ = run("--file", var)
            check("%s: text names the result" % name, rc == code and
                  c_json["result"].upper().replace("_", " ") in out, out)
            rc, out, _ = run("--file", var, "--prometheus")
            check("%s: prometheus is well formed" % name, rc == code and prom_ok(out), out)
            check("%s: metaslot_last_run_result" % name,
                  sample(out, "metaslot_last_run_result", '{result="%s"}' % c_json["result"]) == 1
                  and out.count("metaslot_last_run_result{") == 4, out)
            check("%s: metaslot_bad_frames" % name,
                  sample(out, "metaslot_bad_frames") == c_json["bad_frames"], out)
            check("%s: metaslot_last_run_timestamp_seconds" % name,
                  sample(out, "metaslot_last_run_timestamp_seconds") == 1795803300, out)
            if c_json["record_version"] == 2:
                check("%s: metaslot_machine_check_errors" % name,
                      sample(out, "metaslot_machine_check_errors") ==
                      c_json["machine_check_errors"], out)
        rc, out, _ = run("--file", os.path.join(d, "did_not_finish.var"))
        check("did_not_finish: text says what was running and what to do",
              "pass 1 of 2, pattern mov_inv_ones_zeros, at 37%" in out and "is a finding" in out
              and "0x000023456000" in out and "resume=on" in out, out)
        rc, out, _ = run("--file", os.path.join(d, "nothing-here"))
        check("no record: exit 3", rc == 3, "rc %d" % rc)
        rc, out, _ = run("--file", os.path.join(d, "nothing-here"), "--prometheus")
        check("no record: prometheus says so", rc == 3 and prom_ok(out) and
              sample(out, "metaslot_last_run_present") == 0, out)
        with open(os.path.join(d, "did_not_finish.var"), "rb") as f:
            good = f.read()
        broken = os.path.join(d, "broken.var")
        for what, data in (("cut short", good[:-1]), ("bad magic", good[:4] + b"X" + good[5:]),
                           ("attributes only", good[:4])):
            with open(broken, "wb") as f:
                f.write(data)
            rc, out, err = run("--file", broken, "--json")
            want = 3 if what == "attributes only" else 1
            check("%s: exit %d, nothing on stdout but the no-record line" % (what, want),
                  rc == want and (want == 3 or not out), "rc %d out %r err %r" % (rc, out, err))
    finish()


main()
