"""TAP output for the script tests of test/build: check() records, finish()
prints the plan and the results and exits with the verdict."""

import sys

results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))


def finish():
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            print("# " + detail.replace("\n", "\n# "))
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)
