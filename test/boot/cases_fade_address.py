"""Boot tests of the two patterns that need the kernel's help, with faults
from outside the guest (its RAM is a file on /dev/shm, memory-backend-file,
share=on):

- walking_ones_address, alone, finds a bit a host process holds stuck
  (test/boot/stuck_bits.c, spinning: the pattern reads a word back within
  microseconds of writing it) in a walked word, exactly that frame; and the
  uc_view event shows the live page-table entry and IA32_PAT made every span
  it walked uncached, on every CPU.
- bit_fade, alone, with a short bit_fade_seconds: the host sets a bit once
  while the CPUs rest after the zeros were written (timed from the
  audit_rest event), and the check after the rest finds exactly that frame;
  a control run with no decay finds nothing. Both show that the rest lasted
  bit_fade_seconds of host time with progress events telling what is left.

Guests are small (256 MiB) and the addresses sit low in free RAM: the
loader, the kernel and the boot-services copy sit high in small guests."""

import mmap
import os
import time

from cases import alone, case, boot, check_run
from cases_stuck_bits import (boot_with_stuck_bits, check_stuck_frames, file_offset, ram_args,
                              ram_file)
import qemu

MEM = "256M"
STUCK = {0x4001000: (1 << 5, 0)}      # a walked word (offset 512 words) of any block holding it
DECAY_ADDR, DECAY_MASK = 0x4000800, 1 << 9
FADE_SECONDS = 6
WALK_MEM, WALK_PASSES = "256M", 16


@alone
def walking_ones_address_finds_a_bit_stuck_in_guest_ram(d):
    # one vCPU and many short passes: each pass the stuck word is a victim
    # for well under a microsecond of TCG time, and the spinning helper must
    # run then; a busy host deschedules it now and then. Alone: the spinning
    # helper holds a host CPU at real-time priority, and another case's
    # helper woken on that CPU would wait up to the kernel's RT throttling
    # (the cause of a missed fault in CI)
    b, tail = boot_with_stuck_bits(
        d, STUCK, WALK_MEM, hold_s=600, helper_env=dict(os.environ, STUCK_BITS_RELAX_NS="0"),
        cfg="on_finish=shutdown\npatterns=walking_ones_address\npasses=%d\nstress_ops=0\n"
        "smp=1\n" % WALK_PASSES, smp=1, vga=False, timeout=400)
    if not b:
        return [tail]
    p = check_run(b, WALK_MEM, expect_result="bad_memory") + check_stuck_frames(b, STUCK)
    for e in b.all("bad_frame"):
        if e.get("pattern") != "walking_ones_address":
            p.append("found by %s, not walking_ones_address: %s" % (e.get("pattern"), e))
    uc = b.first("uc_view") or {}
    if not uc.get("spans") or uc.get("verified_uc") != uc.get("spans"):
        p.append("uc_view: spans not all read back uncached: %s" % uc)
    # the live PAT: entry 4 (the view's) UC, 2 (the framebuffer's) WC, 0, 1
    # and 3 as at power-on
    if uc.get("pat", 0) & 0xffffffffff != 0x0000010406 or uc.get("pat_index") != 4 \
            or uc.get("type") != "uc" or not uc.get("pte", 0) & (1 << 7):
        p.append("uc_view: PAT or entry not the view's UC one: %s" % uc)
    if "repairs 0" in tail or "repairs" not in tail:
        p.append("the guest never wrote over the stuck bit: %r" % tail)
    return p


def fade_watcher(path, state, decay):
    """on_running hook: the host times of the audit_rest events (from the
    serial log); with `decay`, DECAY_MASK set once in the RAM file at
    DECAY_ADDR as soon as the first rest (after the zeros) has begun."""
    def watch(proc, log):
        seen = 0
        while proc.poll() is None:
            text = open(log, "rb").read().decode("latin-1") if os.path.exists(log) else ""
            n = text.count('"ev":"audit_rest"')
            while seen < n:
                seen += 1
                state.setdefault("rest_at", []).append(time.time())
                if decay and seen == 1:
                    off = file_offset(DECAY_ADDR, os.path.getsize(path))
                    with open(path, "r+b") as f, mmap.mmap(f.fileno(), 0) as m:
                        before = int.from_bytes(m[off:off + 8], "little")
                        m[off:off + 8] = (before | DECAY_MASK).to_bytes(8, "little")
                    state["before"] = before
            if '"ev":"summary"' in text:
                state["summary_at"] = time.time()
                return
            time.sleep(0.1)
    return watch


def fade_run(d, decay):
    mem_b = qemu.parse_mem(MEM)
    state = {}
    with ram_file(mem_b) as path:
        b = boot(d, cfg="on_finish=shutdown\npatterns=bit_fade\nbit_fade_seconds=%d\n"
                 "stress_ops=0\n" % FADE_SECONDS, mem=MEM, smp=2, vga=False, timeout=400,
                 extra=ram_args(mem_b, path), on_running=fade_watcher(path, state, decay))
    p = check_run(b, MEM, expect_result="bad_memory" if decay else "pass")
    rests = b.all("audit_rest")
    if [(e.get("rest"), e.get("seconds"), e.get("cpus"), e.get("pattern")) for e in rests] != \
            [(1, FADE_SECONDS, 2, "bit_fade"), (2, FADE_SECONDS, 2, "bit_fade")]:
        p.append("audit_rest events: %s" % rests)
    if not all(e.get("halted") for e in rests):
        p.append("the CPUs spun instead of halting (the APIC timer did not count): %s" % rests)
    at = state.get("rest_at", [])
    # the first rest, as the host saw it: from one event to the next (the
    # check of zeros and the fill of ones lie between, seconds under TCG)
    if len(at) != 2 or at[1] - at[0] < FADE_SECONDS - 0.5:
        p.append("the rest did not last %d s of host time: events at %s" % (FADE_SECONDS, at))
    left = [e["rest_left_s"] for e in b.all("progress") if "rest_left_s" in e]
    if len(left) < FADE_SECONDS or max(left, default=0) > FADE_SECONDS or min(left, default=9) < 1:
        p.append("progress during the rests (rest_left_s): %s" % left)
    bad = b.all("bad_frame")
    if decay:
        want = [(DECAY_ADDR & ~0xfff, DECAY_ADDR, 0, DECAY_MASK, "bit_fade")]
        got = [(e.get("phys"), e.get("addr"), e.get("expected"), e.get("actual"), e.get("pattern"))
               for e in bad]
        if got != want:
            p.append("bad_frame events %s, expected exactly %s" % (got, want))
        if state.get("before") != 0:
            p.append("the word held %s, not the zeros bit_fade wrote, when the rest began"
                     % state.get("before"))
        r = b.first("audit_result") or {}
        if r.get("bad_frames") != 1:
            p.append("audit_result: %s" % r)
    elif bad:
        p.append("bad frames with nothing decayed: %s" % bad)
    return p


@case
def bit_fade_finds_a_bit_that_decays_during_the_rest(d):
    return fade_run(d, decay=True)


@case
def bit_fade_finds_nothing_when_nothing_decays(d):
    return fade_run(d, decay=False)
