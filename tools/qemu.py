#!/usr/bin/env python3
"""Boots metaslot's image under QEMU/OVMF: one launcher for `make run` and the
boot tests.

    python3 tools/qemu.py run     # make run: serial on this terminal

Environment for `run`: SMP (default 2), MEM (default 1G), MACHINE (q35|pc),
ACCEL (tcg; kvm is an opt-in for machines where it works), USB=1 to attach the
image as a USB stick, DISPLAY (a window when set), IMAGE (default
build/metaslot.img), CONFIG (default config/run.cfg), QEMU10=1 to run the
QEMU 10 that tools/deps.sh unpacks into build/qemu10 (x2APIC under TCG).

Exit status of QEMU: the kernel writes its result to isa-debug-exit, so QEMU
exits 1 (pass), 3 (bad memory) or 5 (fail); 0 means no result was written (a
triple fault with -no-reboot, a reboot, or a firmware shutdown)."""

import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXIT_CODES = {1: "pass", 3: "bad_memory", 5: "fail"}


def parse_mem(mem):
    """'128M', '5G', '1024' (MiB) -> bytes."""
    m = str(mem).strip().upper()
    mult = 1 << 20
    if m.endswith("G"):
        mult, m = 1 << 30, m[:-1]
    elif m.endswith("M"):
        m = m[:-1]
    return int(m) * mult


def prepare_image(run_dir, config_text, src=None):
    """A private copy of the image with its own METASLOT.CFG."""
    os.makedirs(run_dir, exist_ok=True)
    src = src or os.path.join(ROOT, "build", "metaslot.img")
    img = os.path.join(run_dir, "metaslot.img")
    subprocess.run(["cp", "--sparse=always", src, img], check=True)
    if config_text is not None:
        cfg = os.path.join(run_dir, "METASLOT.CFG")
        with open(cfg, "w") as f:
            f.write(config_text)
        subprocess.run([os.path.join(ROOT, "tools", "mkimg.sh"), "--config", img, cfg],
                       check=True)
    return img


def firmware_args(run_dir, keep_vars=False, secure_boot=False):
    cmd = ([os.path.join(ROOT, "ovmf", "ovmf.sh")] + (["--keep"] if keep_vars else []) +
           (["--secure-boot"] if secure_boot else []) + [run_dir])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [a for a in out.split("\n") if a]


QEMU10_ROOT = os.path.join(ROOT, "build", "qemu10", "root")


def qemu10():
    """The QEMU 10 that tools/deps.sh unpacks into build/qemu10 (its TCG has
    x2APIC, 7.2's has not), as keyword arguments for boot()/command(), or
    None when it is not there."""
    binary = os.path.join(QEMU10_ROOT, "usr", "bin", "qemu-system-x86_64")
    if not os.access(binary, os.X_OK):
        return None
    env = dict(os.environ, QEMU_MODULE_DIR=os.path.join(QEMU10_ROOT, "usr", "lib",
                                                        "x86_64-linux-gnu", "qemu"))
    libpath = os.path.join(os.path.dirname(QEMU10_ROOT), ".libpath")
    if os.path.exists(libpath):
        with open(libpath) as f:
            extra_libs = f.read().strip()
        if extra_libs:
            env["LD_LIBRARY_PATH"] = extra_libs
    return {"binary": binary, "env": env,
            "data_dirs": [os.path.join(QEMU10_ROOT, "usr", "share", "qemu")]}


def command(image, run_dir, machine="q35", mem="1G", smp=1, usb=False, vga=True,
            serial=None, display=False, accel="tcg", monitor=None, extra=(), keep_vars=False,
            readonly=False, secure_boot=False, binary="qemu-system-x86_64", data_dirs=()):
    # Secure Boot: the firmware's SMM build needs SMM (q35 only)
    machine = machine + ",smm=on" if secure_boot else machine
    cmd = [binary] + [a for d in data_dirs for a in ("-L", d)]
    cmd += ["-machine", machine, "-accel", accel, "-m", str(mem),
            "-smp", str(smp), "-nodefaults", "-nic", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    cmd += firmware_args(run_dir, keep_vars, secure_boot)
    cmd += ["-drive", "if=none,id=stick,format=raw,file=" + image +
            (",readonly=on" if readonly else "")]
    if usb:
        cmd += ["-device", "qemu-xhci,id=xhci", "-device", "usb-storage,bus=xhci.0,drive=stick"]
    else:
        cmd += ["-device", "ide-hd,drive=stick,bus=ide.0"]
    if vga:
        cmd += ["-device", "VGA"]
    cmd += ["-display", "gtk" if display else "none"]
    cmd += ["-serial", serial] if serial else []
    if monitor:
        cmd += ["-monitor", "unix:%s,server,nowait" % monitor]
    return cmd + list(extra)


def events(text):
    """The JSON events of a serial log: lines that begin with {"ev":" ."""
    out = []
    for line in text.splitlines():
        line = line.strip("\r\x00")
        i = line.find('{"ev":"')
        if i != 0:
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"ev": "_unparsable", "line": line})
    return out


class Boot:
    """The outcome of one boot: exit status, serial text, events."""

    def __init__(self, status, serial, timed_out, seconds):
        self.status, self.serial, self.timed_out, self.seconds = status, serial, timed_out, seconds
        self.events = events(serial)

    def first(self, ev):
        return next((e for e in self.events if e.get("ev") == ev), None)

    def all(self, ev):
        return [e for e in self.events if e.get("ev") == ev]

    @property
    def result(self):
        return EXIT_CODES.get(self.status, "no result")


def boot(run_dir, image, timeout=120, serial=True, on_running=None, env=None, **kw):
    """Boots and waits for QEMU to exit (or `timeout` seconds). `on_running`,
    if given, is called as on_running(proc, serial_path) once QEMU runs and may
    stop it early. `env`: QEMU's environment (default: ours); with `binary`
    and `data_dirs` (see command), what qemu10() returns."""
    log = os.path.join(run_dir, "serial.log")
    if os.path.exists(log):
        os.remove(log)
    cmd = command(image, run_dir, serial=("file:" + log) if serial else None, **kw)
    with open(os.path.join(run_dir, "qemu.cmd"), "w") as f:
        f.write(" ".join(cmd) + "\n")
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(run_dir, "qemu.stderr"), "w"), env=env)
    timed_out = False
    try:
        if on_running:
            on_running(proc, log)
        proc.wait(timeout=max(1, timeout - (time.time() - t0)))
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.kill()
        proc.wait()
    text = ""
    if os.path.exists(log):
        with open(log, "rb") as f:
            text = f.read().decode("latin-1")
    return Boot(proc.returncode, text, timed_out, time.time() - t0)


def run_main():
    image = os.environ.get("IMAGE", os.path.join(ROOT, "build", "metaslot.img"))
    cfg = os.environ.get("CONFIG", os.path.join(ROOT, "config", "run.cfg"))
    run_dir = os.path.join(ROOT, "build", "run")
    if not os.path.exists(image):
        sys.exit("qemu.py: %s missing; run make first" % image)
    with open(cfg) as f:
        img = prepare_image(run_dir, f.read(), src=image)
    display = bool(os.environ.get("DISPLAY")) and not os.environ.get("NO_WINDOW")
    q = {}
    if os.environ.get("QEMU10") == "1":
        q = qemu10()
        if not q:
            sys.exit("qemu.py: QEMU10=1 but build/qemu10 has no QEMU; run make deps")
    env = q.pop("env", None)
    cmd = command(img, run_dir, machine=os.environ.get("MACHINE", "q35"),
                  mem=os.environ.get("MEM", "1G"), smp=os.environ.get("SMP", "2"),
                  usb=os.environ.get("USB") == "1", serial="stdio", display=display,
                  accel=os.environ.get("ACCEL", "tcg"), **q)
    print("metaslot: " + " ".join(cmd), file=sys.stderr)
    status = subprocess.call(cmd, env=env)
    result = EXIT_CODES.get(status, "no result")
    print("\nmetaslot: QEMU exited with status %d: %s" % (status, result), file=sys.stderr)
    sys.exit({"pass": 0, "bad_memory": 2}.get(result, 1))


def bench_main():
    """make bench, kernel part: boot with bench=on on SMP CPUs (default: this
    machine's core count) and print the benchmark events as a table."""
    run_dir = os.path.join(ROOT, "build", "bench")
    smp = int(os.environ.get("SMP", str(os.cpu_count() or 1)))
    img = prepare_image(run_dir, "on_finish=shutdown\nbench=on\nstress_ops=0\n")
    b = boot(run_dir, img, timeout=600, smp=smp, mem=os.environ.get("MEM", "1G"),
             vga=False, accel=os.environ.get("ACCEL", "tcg"))
    rows = b.all("bench")
    if b.result != "pass" or not rows:
        sys.exit("bench: kernel run failed (%s); see %s/serial.log" % (b.result, run_dir))
    print("kernel benchmark (accel %s, %d CPUs; under TCG the CPU is emulated, so"
          " cycles are emulated cycles)" % (os.environ.get("ACCEL", "tcg"), smp))
    print("%-12s %6s %14s %14s" % ("what", "order", "cycles/pair", "ns/pair"))
    for r in rows:
        if r["what"] == "pair":
            print("%-12s %6d %14d %14d" % ("pair", r["order"], r["cycles_per_pair"],
                                            r["ns_per_pair"]))
    print("%-12s %6s %14s %14s %10s" % ("what", "cpus", "pairs/s", "cycles/pair", "speedup"))
    for r in rows:
        if r["what"] == "throughput":
            print("%-12s %6d %14d %14d %9.2fx" % ("throughput", r["cpus"], r["pairs_per_s"],
                                                  r["cycles_per_pair"], r["speedup_x100"] / 100))
    for r in rows:
        print(json.dumps(r))


if __name__ == "__main__":
    if sys.argv[1:] == ["run"]:
        run_main()
    if sys.argv[1:] == ["bench"]:
        bench_main()
        sys.exit(0)
    sys.exit(__doc__)
