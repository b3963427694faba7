#!/usr/bin/env python3
"""make test's smoke test of the fuzz harnesses (fuzz/, docs/fuzz.md): each
built harness (build/fuzz/bin/*) writes its seeds and fuzzes a few seconds
(FUZZ_SMOKE_SECONDS, default 3); TAP, one line per harness. A harness that no
longer builds is missing here and fails make itself."""

import glob
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
names = [os.path.basename(f)[:-2] for f in sorted(glob.glob(os.path.join(ROOT, "fuzz", "*.c")))]
bins = [os.path.join(ROOT, "build", "fuzz", "bin", n) for n in names]
missing = [b for b in bins if not os.path.exists(b)]
if missing:
    print("1..1\nnot ok 1 - fuzz harnesses not built: %s (make fuzz-build)" % ", ".join(missing))
    sys.exit(1)
sys.exit(subprocess.run([sys.executable, os.path.join(ROOT, "fuzz", "run.py"), "--tap",
                         "--seconds", os.environ.get("FUZZ_SMOKE_SECONDS", "3")] + bins).returncode)
