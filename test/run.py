#!/usr/bin/env python3
"""metaslot's test runner: host unit tests (cmocka binaries, TAP output) and
boot tests (test/boot/cases.py under QEMU/OVMF). Prints one line per failure
and per suite, and as its last line "N passed, N failed"."""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "test", "boot"))

HOST_TIMEOUT = 600


def run_host(binary):
    """One cmocka binary: (passed, failed, lines to show)."""
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
    t0 = time.time()
    try:
        cmd = [sys.executable, binary] if binary.endswith(".py") else [binary]
        p = subprocess.run(cmd, capture_output=True, text=True, env=env,
                           timeout=HOST_TIMEOUT, errors="replace")
        out, code = p.stdout + p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out, code = (e.stdout or b"").decode(errors="replace") + "\nTIMEOUT", -1
    ok = re.findall(r"^ok \d+ - (.*)$", out, re.M)
    bad = re.findall(r"^not ok \d+ - (.*)$", out, re.M)
    name = os.path.basename(binary)
    show = ["FAIL %s: %s" % (name, b) for b in bad]
    if code != 0 and not bad:
        bad = ["exit status %d" % code]
        show.append("FAIL %s: exited with status %d" % (name, code))
    if bad:
        show.append("---- output of %s ----\n%s" % (name, out[-6000:]))
    show.append("%-28s %3d passed, %d failed (%.1fs)" % (name, len(ok), len(bad),
                                                         time.time() - t0))
    return len(ok), len(bad), show


def run_boot(only, jobs):
    """The boot cases: those marked alone (cases.alone) one at a time with
    nothing beside them, then the rest `jobs` at a time."""
    import cases  # test/boot/cases.py
    selected = [c for c in cases.CASES if not only or re.search(only, c.__name__)]
    results = [0, 0]

    def tell(result):
        name, problems, seconds, logdir = result
        results[bool(problems)] += 1
        if problems:
            print("FAIL boot/%s (%.0fs): logs in %s" % (name, seconds, logdir))
            for p in problems:
                print("     - " + p)
        else:
            print("ok   boot/%s (%.0fs)" % (name, seconds))
        sys.stdout.flush()

    for c in selected:
        if getattr(c, "alone", False):
            tell(cases.run_case(c))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = [pool.submit(cases.run_case, c) for c in selected
                if not getattr(c, "alone", False)]
        for fut in concurrent.futures.as_completed(futs):
            tell(fut.result())
    return results[0], results[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", nargs="*", default=[])
    ap.add_argument("--boot", action="store_true")
    ap.add_argument("--only", default=None, help="regex over boot test names")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("BOOT_JOBS", "2")))
    args = ap.parse_args()
    passed = failed = 0
    for b in args.host:
        p, f, show = run_host(b)
        passed, failed = passed + p, failed + f
        print("\n".join(show))
        sys.stdout.flush()
    if args.boot:
        p, f = run_boot(args.only, args.jobs)
        passed, failed = passed + p, failed + f
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or passed == 0 else 0)


if __name__ == "__main__":
    main()
