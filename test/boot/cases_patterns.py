"""Boot tests of the standard patterns (kernel/audit/patterns/): each new
pattern, run alone, finds a bit that a host process holds stuck in the guest's
RAM (test/boot/stuck_bits.c, as in cases_stuck_bits.py) and nothing else; every
pattern of every pass ends with a pattern_done event; an audit=standard boot
runs every standard pattern with memtest86+'s shorter first pass."""

from cases import case, boot, check_run
from cases_stuck_bits import boot_with_stuck_bits, check_stuck_frames

MEM = "128M"
QUIET = "on_finish=shutdown\nstress_ops=0\nbandwidth=off\n"

# Table order (patterns.c): pattern_done events come in this order each pass.
QUICK = ["own_address", "mov_inv_ones_zeros"]
STANDARD = QUICK + ["mov_inv_random", "linux_memtest", "mov_inv_8bit", "mov_inv_walk64",
                    "block_move", "random_sequence", "modulo20", "walking_ones_address"]
# Sweeps at one iteration and per further one (the moving-inversion family).
SWEEPS = {"own_address": (2, 0), "mov_inv_ones_zeros": (6, 4), "mov_inv_random": (3, 3),
          "linux_memtest": (34, 0), "mov_inv_8bit": (48, 32), "mov_inv_walk64": (384, 256),
          "block_move": (10, 0), "random_sequence": (3, 0), "modulo20": (160, 0),
          "walking_ones_address": (1, 0)}
FULL_ITERATIONS = {"mov_inv_ones_zeros": 6, "mov_inv_random": 30, "mov_inv_8bit": 3,
                   "mov_inv_walk64": 3}

# One stuck word per pattern, in free RAM low in a 128 MiB guest (the
# boot-services copy, the kernel and the firmware sit high), with a bit held
# at 1 and another held at 0, at different bit positions and page offsets.
# Between 16 and 36 MiB: the relocation's blocks (the array's 2 MiB at 2 MiB,
# the image's 4 MiB from 36-40 MiB up, where a bad frame pushes them) are
# tested (own_address first) before anything moves in, which would find the
# bit before the pattern under test.
STUCK = {
    "mov_inv_8bit": {0x01234568: (1 << 3, 1 << 60)},
    "mov_inv_walk64": {0x01a3cff8: (1 << 41, 1 << 7)},
    "block_move": {0x02345008: (1 << 0, 1 << 63)},
    "random_sequence": {0x0167cab0: (1 << 22, 1 << 23)},
    "modulo20": {0x01345cd8: (1 << 50, 1 << 13)},
}
# Two passes where a pass is cheap: the frame poisoned in pass 1 is not
# tested again, so pass 2 finds nothing.
PASSES = {"block_move": 2, "random_sequence": 2}
# memtest86+'s iterations, and its first pass's (a third)
FIRST_ITERATIONS = {n: max(1, v // 3) for n, v in FULL_ITERATIONS.items()}


def its_default(name, k):
    """memtest86+'s iterations in pass k (1-based), 1 outside the family."""
    return (FIRST_ITERATIONS if k == 1 else FULL_ITERATIONS).get(name, 1)


def check_config_iterations(b):
    c = b.first("config") or {}
    if c.get("iterations") != FULL_ITERATIONS or c.get("first_pass_iterations") != FIRST_ITERATIONS:
        return ["config event: %s, expected iterations %s and first pass %s"
                % (c, FULL_ITERATIONS, FIRST_ITERATIONS)]
    return []


def sweeps(name, iterations):
    one, more = SWEEPS[name]
    return one + (iterations - 1) * more


def check_pattern_done(b, names, passes, iterations_of):
    """One pattern_done per pattern and pass, in table order, each with sane
    figures: bytes_swept is the pass's tested bytes times the pattern's
    sweeps (the same tested bytes for every pattern of a pass), seconds and
    ms agree, thermal says a reading or that there is none; progress events
    carry eta_s."""
    p = []
    done = b.all("pattern_done")
    got = [(e.get("pattern"), e.get("pass")) for e in done]
    want = [(n, k) for k in range(1, passes + 1) for n in names]
    if got != want:
        return ["pattern_done events %s, expected %s" % (got, want)]
    tested = {}
    for e in done:
        it = iterations_of(e["pattern"], e["pass"])
        s = sweeps(e["pattern"], it)
        if e.get("iterations") != (it if e["pattern"] in FULL_ITERATIONS else 1):
            p.append("pattern_done %s: iterations, expected %d" % (e, it))
        if not isinstance(e.get("bytes_swept"), int) or e["bytes_swept"] <= 0 \
                or e["bytes_swept"] % (4096 * s):
            p.append("pattern_done %s: bytes_swept not a multiple of %d sweeps" % (e, s))
            continue
        tested.setdefault(e["pass"], set()).add(e["bytes_swept"] // s)
        if not isinstance(e.get("ms"), int) or abs(e["seconds"] * 1000 - e["ms"]) > 500:
            p.append("pattern_done %s: seconds and ms disagree" % e)
        if not isinstance(e.get("errors"), int) or not isinstance(e.get("eta_s"), int):
            p.append("pattern_done %s: errors or eta_s missing" % e)
        if not isinstance(e.get("temp_c"), int) and e.get("thermal") != "unavailable":
            p.append("pattern_done %s: neither temp_c nor thermal unavailable" % e)
    r = b.first("audit_result") or {}
    for k, t in tested.items():
        # the audit's table (tested before it is used) is not in the passes
        if len(t) != 1 or not 0 < t.copy().pop() // 4096 <= r.get("tested_frames", 0):
            p.append("pass %d: tested bytes per sweep %s (audit_result %s)" % (k, t, r))
    prog = [e for e in b.all("progress") if e.get("phase") == "audit"]
    if not prog or any(not isinstance(e.get("eta_s"), int) for e in prog):
        p.append("audit progress events without eta_s: %s" % prog)
    elif prog[-1].get("percent") != 100 or prog[-1]["eta_s"] != 0:
        p.append("the last audit progress event: %s" % prog[-1])
    if done and done[-1].get("eta_s") != 0:
        p.append("the last pattern_done leaves %s s" % done[-1].get("eta_s"))
    return p


def stuck_boot(d, name, stuck, passes, extra=()):
    return boot_with_stuck_bits(d, stuck, MEM, smp=2, vga=False, timeout=900, extra=extra,
                                cfg=QUIET + "audit=standard\npatterns=%s\npasses=%d\n"
                                % (name, passes))


def check_simd(b, variant):
    """The simd event: the vector state enabled and the loops random_sequence
    runs (kernel/cpu/simd.c), the same on every CPU."""
    e = b.first("simd") or {}
    if e.get("random_sequence") != variant or e.get("mov_inv_walk64") != variant \
            or e.get("xcr0_differs") != 0 or not e.get("sse"):
        return ["simd event %s: expected the %s loops on every CPU" % (e, variant)]
    if variant != "scalar" and not e.get("avx"):
        return ["simd event %s: no AVX state for the %s loops" % (e, variant)]
    return []


def pattern_finds_stuck_bit(d, name, extra=(), check=None):
    """`name` alone finds its stuck bit; QEMU `extra` arguments, and
    check(boot) for more problems."""
    stuck = STUCK[name]
    passes = PASSES.get(name, 1)
    b, tail = stuck_boot(d, name, stuck, passes, extra)
    if b is None:
        return [tail]
    p = check_run(b, MEM, expect_result="bad_memory") + check_stuck_frames(b, stuck)
    p += check_config_iterations(b)
    p += check_pattern_done(b, [name], passes, lambda n, k: its_default(n, k))
    done = b.all("pattern_done")
    bad = b.all("bad_frame")
    if not done or not done[0].get("errors") or any(e.get("pattern") != name for e in bad):
        p.append("pattern_done %s / bad_frame %s: the stuck bit not counted as %s's"
                 % (done, bad, name))
    if any(e.get("errors") for e in done[1:]):
        p.append("the poisoned frame tested again after pass 1: %s" % done)
    if "repairs 0" in tail or "repairs" not in tail:
        p.append("the guest never wrote over a stuck bit: %r" % tail)
    return p + (check(b) if check else [])


@case
def mov_inv_8bit_finds_a_stuck_bit(d):
    return pattern_finds_stuck_bit(d, "mov_inv_8bit")


@case
def mov_inv_walk64_finds_a_stuck_bit(d):
    # QEMU's default CPU (qemu64) has no AVX: the scalar loops
    return pattern_finds_stuck_bit(d, "mov_inv_walk64", check=lambda b: check_simd(b, "scalar"))


@case
def block_move_finds_a_stuck_bit(d):
    return pattern_finds_stuck_bit(d, "block_move")


@case
def random_sequence_finds_a_stuck_bit(d):
    # QEMU's default CPU (qemu64) has no AVX: the scalar loops
    return pattern_finds_stuck_bit(d, "random_sequence", check=lambda b: check_simd(b, "scalar"))


@case
def modulo20_finds_a_stuck_bit(d):
    return pattern_finds_stuck_bit(d, "modulo20")


@case
def audit_standard_runs_every_standard_pattern(d):
    """audit=standard with memtest86+'s first-pass iterations (a third of a
    full pass's; the config event gives both): every standard pattern runs
    once, in table order, and clean memory stays clean. One pass: the
    walking-bit moving inversions alone are 384 sweeps even then."""
    b = boot(d, cfg=QUIET + "audit=standard\npasses=1\n", mem=MEM, smp=2, vga=False,
             timeout=900)
    p = check_run(b, MEM) + check_config_iterations(b)
    p += check_pattern_done(b, STANDARD, 1, its_default)
    r = b.first("audit_result") or {}
    if r.get("bad_frames") != 0 or r.get("passes") != 1:
        p.append("audit_result: %s" % r)
    if any(e.get("errors") for e in b.all("pattern_done")):
        p.append("clean memory: pattern_done with errors")
    return p


@case
def audit_quick_runs_each_pattern_once(d):
    """audit=quick stays quick: its two patterns run once each (iterations 1
    in every pass, whatever memtest86+ does), with their pattern_done events
    per pass."""
    b = boot(d, cfg=QUIET + "audit=quick\npasses=2\n", mem=MEM, smp=2, vga=False, timeout=600)
    p = check_run(b, MEM)
    c = b.first("config") or {}
    ones = {n: 1 for n in FULL_ITERATIONS}
    if c.get("iterations") != ones or c.get("first_pass_iterations") != ones:
        p.append("config event under audit=quick: %s" % c)
    p += check_pattern_done(b, QUICK, 2, lambda n, k: 1)
    return p
