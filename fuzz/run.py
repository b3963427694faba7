#!/usr/bin/env python3
"""Runs libFuzzer harnesses (build/fuzz/bin/NAME, from fuzz/NAME.c) one at a
time, each for --seconds: writes its seed corpus (the harness's fuzz_seeds)
to build/fuzz/seeds/NAME, grows build/fuzz/corpus/NAME, keeps crashes in
build/fuzz/crashes/NAME/ and a minimised copy of each (minimized-*). Prints
one line per harness (executions, coverage, crashes) and, last,
"N passed, N failed". --tap prints TAP instead (make test's smoke test)."""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "fuzz")
ARTIFACTS = ("crash-", "leak-", "timeout-", "oom-", "slow-unit-")


def dictionary(name):
    """fuzz/NAME.dict, or the file a 'fuzz-dict: FILE' comment in fuzz/NAME.c names."""
    own = os.path.join(ROOT, "fuzz", name + ".dict")
    if os.path.exists(own):
        return own
    with open(os.path.join(ROOT, "fuzz", name + ".c")) as f:
        m = re.search(r"fuzz-dict:\s*(\S+)", f.read())
    return os.path.join(ROOT, "fuzz", m.group(1)) if m else None


def stats(out):
    """(executions, coverage, features, corpus) from libFuzzer's output."""
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", out)
    lines = re.findall(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)", out, re.M)
    cov = ft = corp = 0
    if lines:
        _, cov, ft, corp = (int(x) for x in lines[-1])
    return (int(execs[-1]) if execs else 0), cov, ft, corp


def minimise(binary, crash, seconds):
    """A minimised copy of a crash next to it; its path, or None."""
    dest = os.path.join(os.path.dirname(crash), "minimized-" + os.path.basename(crash))
    subprocess.run([binary, "-minimize_crash=1", "-max_total_time=%d" % seconds,
                    "-exact_artifact_path=" + dest, crash],
                   cwd=ROOT, capture_output=True, timeout=seconds + 60)
    return dest if os.path.exists(dest) else None


def run_one(binary, seconds, log):
    name = os.path.basename(binary)
    seeds = os.path.join(OUT, "seeds", name)
    corpus = os.path.join(OUT, "corpus", name)
    crashes = os.path.join(OUT, "crashes", name)
    if not os.access(binary, os.X_OK):
        return name, False, "%-12s FAIL  not built" % name, "make fuzz-build"
    shutil.rmtree(seeds, ignore_errors=True)
    for d in (seeds, corpus, crashes):
        os.makedirs(d, exist_ok=True)
    p = subprocess.run([binary], cwd=ROOT, env=dict(os.environ, FUZZ_SEED_DIR=seeds),
                       capture_output=True, text=True)
    if p.returncode != 0:
        return name, False, "seeds failed: " + (p.stdout + p.stderr).strip()[-500:], None
    cmd = [binary, "-max_total_time=%d" % seconds, "-print_final_stats=1",
           "-timeout=10", "-rss_limit_mb=2048", "-artifact_prefix=" + crashes + "/",
           corpus, seeds]
    d = dictionary(name)
    if d:
        cmd.insert(1, "-dict=" + d)
    t0 = time.time()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, errors="replace",
                       timeout=seconds * 2 + 120)
    out = p.stdout + p.stderr
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n" + out)
    new = [c for c in sorted(glob.glob(os.path.join(crashes, "*")))
           if os.path.basename(c).startswith(ARTIFACTS) and os.path.getmtime(c) >= t0 - 1]
    minimised = [minimise(binary, c, min(60, max(10, seconds))) for c in new]
    execs, cov, ft, corp = stats(out)
    ok = p.returncode == 0 and not new and execs > 0
    line = "%-12s %-4s %10d execs  cov %5d  ft %6d  corpus %5d  crashes %d  (%.0fs)" % (
        name, "ok" if ok else "FAIL", execs, cov, ft, corp, len(new), time.time() - t0)
    detail = None
    if not ok:
        detail = "log %s; crashes: %s" % (log, ", ".join(m or c for c, m in zip(new, minimised))
                                          or "none kept (exit status %d)" % p.returncode)
    return name, ok, line, detail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args()
    os.makedirs(os.path.join(OUT, "logs"), exist_ok=True)
    passed = failed = 0
    if a.tap:
        print("1..%d" % len(a.binaries))
    for i, b in enumerate(a.binaries, 1):
        log = os.path.join(OUT, "logs", os.path.basename(b) + ".log")
        name, ok, line, detail = run_one(os.path.abspath(b), a.seconds, log)
        passed, failed = passed + ok, failed + (not ok)
        if a.tap:
            print("%s %d - fuzz %s" % ("ok" if ok else "not ok", i, line))
            if detail:
                print("# " + detail)
        else:
            print(line + ("\n     " + detail if detail else ""))
        sys.stdout.flush()
    if not a.tap:
        print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
