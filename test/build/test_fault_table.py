#!/usr/bin/env python3
"""docs/audit.md's pattern x fault-class table is what the fault-model test
finds now (TAP): runs build/host/test_fault_models with FAULT_TABLE in a
temporary folder and compares with tools/fault_table.py. Part of `make test`,
not of `make unit`: a pattern added since the doc was generated makes this
fail until `make docs` is run, while test_fault_models itself (in `make
unit`) only fails when a pattern stops catching what the doc says it does."""

import os
import subprocess
import sys
import tempfile

from tap import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "build", "host", "test_fault_models")

with tempfile.TemporaryDirectory() as d:
    table = os.path.join(d, "fault_table.md")
    run = subprocess.run([BIN], cwd=ROOT, capture_output=True, text=True,
                         env=dict(os.environ, FAULT_TABLE=table))
    check("the fault-model test runs and writes its table", os.path.exists(table),
          "exit %d\n%s" % (run.returncode, (run.stdout + run.stderr)[-3000:]))
    if os.path.exists(table):
        diff = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "fault_table.py"),
                               "diff", table, os.path.join(ROOT, "docs", "audit.md")],
                              capture_output=True, text=True)
        check("docs/audit.md holds the table the test produces (else: make docs)",
              diff.returncode == 0, diff.stdout + diff.stderr)
finish()
