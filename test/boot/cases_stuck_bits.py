"""Boot tests with faults no software injected: the guest's RAM is a file on
/dev/shm (memory-backend-file, share=on) and a host process
(test/boot/stuck_bits.c, built here) holds chosen bits stuck at 1 and at 0
while the guest runs, from before the firmware starts. The audit has no
inject_fault= and no idea where they are: it must find exactly those frames,
below and above 4 GiB, and nothing else, and keep them out of circulation."""

import contextlib
import os
import subprocess
import tempfile

from cases import case, boot, check_run, GiB, ROOT
import qemu

HELPER_SRC = os.path.join(ROOT, "test", "boot", "stuck_bits.c")
MEM = "3G"  # > 2.75 GiB: q35 puts 2 GiB below the 4 GiB hole, the rest above it

# guest physical word -> (bits stuck at 1, bits stuck at 0). Free RAM on a
# 3 GiB q35 guest under OVMF, away from the firmware's and the loader's own
# memory (the top of the low 2 GiB); two words share one frame.
STUCK = {
    0x23456780: (1 << 5, 0),
    0x23456f00: (1 << 12, 0),
    0x40001ff8: (0, 1 << 63),
    0x108000ff8: (1 << 0, 1 << 40),
    0x130000000: (0, 0x00ff000000000000),
}


def file_offset(addr, mem_bytes):
    """Where a guest physical address lives in the RAM file on q35: RAM below
    the 4 GiB hole is the file's first `low` bytes, RAM from 4 GiB up follows."""
    low = 2 * GiB if mem_bytes > 0xb0000000 else min(mem_bytes, 0xb0000000)
    if addr < low:
        return addr
    if addr < 4 * GiB or addr - 4 * GiB >= mem_bytes - low:
        raise ValueError("%#x is not RAM in a %d-byte q35 guest" % (addr, mem_bytes))
    return low + (addr - 4 * GiB)


def build_helper(d):
    exe = os.path.join(d, "stuck_bits")
    subprocess.run(["cc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", HELPER_SRC,
                    "-o", exe], check=True)
    return exe


@contextlib.contextmanager
def ram_file(mem_b):
    """The guest's RAM as a file on /dev/shm, sparse (pages appear as the
    guest touches them); yields its path, removes it afterwards."""
    fd, path = tempfile.mkstemp(prefix="metaslot-ram-", dir="/dev/shm")
    try:
        os.ftruncate(fd, mem_b)
        os.close(fd)
        yield path
    finally:
        os.remove(path)


def ram_args(mem_b, path):
    """QEMU's arguments that make `path` the guest's RAM (q35)."""
    return ["-object", "memory-backend-file,id=ram,size=%d,mem-path=%s,share=on" % (mem_b, path),
            "-machine", "memory-backend=ram"]


def start_helper(exe, path, mem_b, stuck, hold_s, env=None):
    """stuck_bits holding `stuck` (guest physical word -> (bits at 1, bits at
    0)) in the RAM file for at most hold_s seconds."""
    args = ["%d:%d:%d" % (file_offset(a, mem_b), one, zero)
            for a, (one, zero) in sorted(stuck.items())]
    return subprocess.Popen([exe, path, str(hold_s)] + args, stdout=subprocess.PIPE, text=True,
                            env=env)


def stop_helper(d, helper):
    """Stops the helper; its last words (how often it repaired a bit the
    guest wrote over) are returned and kept in stuck_bits.log."""
    helper.terminate()
    tail = helper.communicate(timeout=30)[0]
    with open(os.path.join(d, "stuck_bits.log"), "w") as f:
        f.write(tail)
    return tail


def boot_with_stuck_bits(d, stuck, mem, hold_s=None, helper_env=None, extra=(), **kw):
    """Boots (cases.boot, with `kw`) on RAM that is a file a host process holds
    `stuck` in from before the firmware starts. Returns (the boot, the
    helper's last words), or (None, why) when the helper did not start."""
    mem_b = qemu.parse_mem(mem)
    exe = build_helper(d)
    with ram_file(mem_b) as path:
        helper = start_helper(exe, path, mem_b, stuck, hold_s or kw.get("timeout", 900),
                              helper_env)
        try:
            if helper.stdout.readline().strip() != "ready":
                return None, "stuck_bits did not start (exit %s)" % helper.wait()
            b = boot(d, mem=mem, extra=list(extra) + ram_args(mem_b, path), **kw)
        finally:
            tail = stop_helper(d, helper)
    return b, tail


def check_stuck_frames(b, stuck):
    """bad_frame events for exactly the frames holding stuck words, each
    showing only stuck bits, at their stuck values; the frames poisoned and
    never handed out again; bad_memory as the summary's and QEMU's result."""
    p = []
    frames = sorted({a & ~0xfff for a in stuck})
    bad = b.all("bad_frame")
    got = sorted(e["phys"] for e in bad)
    if got != frames:
        p.append("bad_frame events for %s, expected exactly %s"
                 % ([hex(g) for g in got], [hex(f) for f in frames]))
    for e in bad:
        ones, zeros = stuck.get(e.get("addr"), (None, None))
        if ones is None:
            p.append("bad_frame names word %#x, not a stuck one: %s" % (e.get("addr", 0), e))
            continue
        diff = e["actual"] ^ e["expected"]
        if not diff or diff & ~(ones | zeros):
            p.append("bad_frame %s: bits %#x differ, the stuck ones are %#x"
                     % (e, diff, ones | zeros))
        if e["actual"] & ones != ones or e["actual"] & zeros:
            p.append("bad_frame %s: actual does not hold the stuck values (1: %#x, 0: %#x)"
                     % (e, ones, zeros))
    r = b.first("audit_result") or {}
    if r.get("bad_frames") != len(frames):
        p.append("audit_result: %s" % r)
    for f in frames:
        if ("4K$0x%x" % f) not in r.get("memmap_param", ""):
            p.append("memmap_param %r lacks 0x%x" % (r.get("memmap_param"), f))
    st = [e for e in b.all("mm_stats") if e.get("when") == "after_audit"]
    if not st or st[0]["quarantined_frames"] != len(frames) or st[0]["poisoned"] != len(frames):
        p.append("allocator after the audit (want %d poisoned and quarantined): %s"
                 % (len(frames), st[0] if st else None))
    pc = b.first("poison_check") or {}
    if pc.get("poisoned_seen") != 0 or not pc.get("allocated_all"):
        p.append("poison_check: %s" % pc)
    sm = b.first("summary") or {}
    if sm.get("bad_frames") != len(frames):
        p.append("summary.bad_frames %s, expected %d" % (sm.get("bad_frames"), len(frames)))
    return p


@case
def audit_finds_bits_stuck_in_guest_ram(d):
    b, tail = boot_with_stuck_bits(d, STUCK, MEM, cfg="on_finish=shutdown\naudit=quick\n"
                                   "stress_ops=0\n", smp=2, vga=False, timeout=900)
    if not b:
        return [tail]
    p = check_run(b, MEM, expect_result="bad_memory") + check_stuck_frames(b, STUCK)
    if "repairs 0" in tail or "repairs" not in tail:
        p.append("the guest never wrote over a stuck bit: %r" % tail)
    return p
