#!/usr/bin/env python3
"""make bench, stress part: the all-core allocator stress at -smp 2 and at
-smp 8 on this machine, total operations per second from the kernel's
stress_total event. CI machines boot -smp 8 on 2 host cores: when vCPUs
outnumber host cores the host deschedules lock holders and waiters, and a
lock that hands itself to a descheduled CPU stalls everyone. The figure to
watch is the ratio (goal: -smp 8 at least a quarter of -smp 2).

Environment: STRESS_OPS (operations per CPU, default 200000: shorter runs
last a few ms and one host time slice decides the figure), STRESS_SMP
(default "2 8"), MEM (default 512M), ACCEL (default tcg)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import qemu  # noqa: E402


def one(smp, ops):
    run_dir = os.path.join(qemu.ROOT, "build", "bench-stress-%d" % smp)
    img = qemu.prepare_image(run_dir, "on_finish=shutdown\naudit=off\nstress_ops=%d\n" % ops)
    b = qemu.boot(run_dir, img, timeout=600, smp=smp, mem=os.environ.get("MEM", "512M"),
                  vga=False, accel=os.environ.get("ACCEL", "tcg"))
    tot = b.first("stress_total")
    if b.result != "pass" or not tot:
        sys.exit("bench-stress: -smp %d run failed (%s, %.0fs); see %s/serial.log"
                 % (smp, b.result, b.seconds, run_dir))
    return tot, b.seconds


def main():
    ops = int(os.environ.get("STRESS_OPS", "200000"))
    smps = [int(s) for s in os.environ.get("STRESS_SMP", "2 8").split()]
    print("stress throughput (accel %s, %d host cores, %d ops per CPU)"
          % (os.environ.get("ACCEL", "tcg"), os.cpu_count() or 1, ops))
    print("%6s %12s %12s %12s %10s" % ("vcpus", "total ops", "wall ms", "ops/s", "boot s"))
    rows = []
    for smp in smps:
        tot, secs = one(smp, ops)
        rows.append(tot)
        print("%6d %12d %12d %12d %10.0f" % (tot["cpus"], tot["ops"], tot["us"] // 1000,
                                             tot["ops_per_s"], secs))
    if len(rows) >= 2 and rows[0]["ops_per_s"]:
        print("ratio ops/s at -smp %d vs -smp %d: %.3f (goal >= 0.25)"
              % (rows[-1]["cpus"], rows[0]["cpus"], rows[-1]["ops_per_s"] / rows[0]["ops_per_s"]))


if __name__ == "__main__":
    main()
