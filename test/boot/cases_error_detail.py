"""The audit's error detail against bits a host process holds stuck in guest
RAM (the method of cases_stuck_bits.py, on a small guest): per bad frame the
failing bit mask, the count of bad reads and the patterns that saw them; in
audit_result the bits over all errors, the lowest and highest bad address,
the bad reads per pattern and Windows' bad-page list. Every figure is checked
against what the host held, which the audit was never told."""

from cases import case, check_run
from cases_stuck_bits import boot_with_stuck_bits, check_stuck_frames

MEM = "512M"
QUICK = {"own_address", "mov_inv_ones_zeros"}

# guest physical word -> (bits stuck at 1, bits stuck at 0): free RAM of a
# 512 MiB guest (where the inject_fault case of cases.py puts its faults).
# own_address writes a word's own address, so it sees a stuck bit only where
# the address holds the other value: bit 5 of 0x10000010 (0, stuck at 1), not
# bit 40 or 63 (0, stuck at 0); mov_inv_ones_zeros writes 0s and 1s and sees
# every one.
STUCK = {
    0x10000010: (1 << 5, 0),
    0x10000ff0: (0, 1 << 40),
    0x12345678: (0, 1 << 63),
    0x18000ff8: (0x3, 0),
}


def own_address_sees(addr, ones, zeros):
    return bool(~addr & ones or addr & zeros)


def check_error_detail(b, stuck):
    p = []
    frames = {}
    for a, (ones, zeros) in stuck.items():
        fr = frames.setdefault(a & ~0xfff, {"bits": 0, "words": 0, "own": False})
        fr["bits"] |= ones | zeros
        fr["words"] += 1
        fr["own"] |= own_address_sees(a, ones, zeros)
    for e in b.all("bad_frame"):
        want = frames.get(e.get("phys"))
        if want is None:
            continue  # check_stuck_frames names it
        pats = set(filter(None, e.get("patterns", "").split(",")))
        if int(e.get("bits", "0"), 16) != want["bits"]:
            p.append("bad_frame %#x: bits %s, the host held %#x" % (e["phys"], e.get("bits"),
                                                                    want["bits"]))
        # a word is read back 5 times by the quick patterns; each stuck word
        # shows in at least one of them
        if not isinstance(e.get("errors"), int) or not want["words"] <= e["errors"] <= 5 * want["words"]:
            p.append("bad_frame %#x: errors %s, want %d..%d (stuck words, their reads)"
                     % (e["phys"], e.get("errors"), want["words"], 5 * want["words"]))
        need = {"mov_inv_ones_zeros"} | ({"own_address"} if want["own"] else set())
        if not need <= pats or not pats <= QUICK:
            p.append("bad_frame %#x: patterns %r, want %s (and only quick ones)"
                     % (e["phys"], e.get("patterns"), sorted(need)))
        if e.get("pattern") not in pats:
            p.append("bad_frame %#x: first finder %r not among patterns %r"
                     % (e["phys"], e.get("pattern"), e.get("patterns")))
    r = b.first("audit_result") or {}
    allbits = 0
    for w in frames.values():
        allbits |= w["bits"]
    if int(r.get("bits", "0"), 16) != allbits:
        p.append("audit_result bits %s, the host held %#x" % (r.get("bits"), allbits))
    if r.get("lowest_bad") != hex(min(stuck)) or r.get("highest_bad") != hex(max(stuck)):
        p.append("audit_result lowest/highest %s..%s, want %#x..%#x"
                 % (r.get("lowest_bad"), r.get("highest_bad"), min(stuck), max(stuck)))
    per = r.get("pattern_errors", {})
    frame_errors = sum(e.get("errors", 0) for e in b.all("bad_frame"))
    if set(per) != QUICK or sum(per.values()) != r.get("errors") or r.get("errors") != frame_errors:
        p.append("audit_result errors %s, pattern_errors %s, the bad_frame events' %d"
                 % (r.get("errors"), per, frame_errors))
    want_win = " ".join("0x%x" % (f >> 12) for f in sorted(frames))
    if r.get("windows_badmemorylist") != want_win or "windows_pages_omitted" in r:
        p.append("windows_badmemorylist %r, want %r" % (r.get("windows_badmemorylist"), want_win))
    return p


@case
def error_detail_names_the_bits_the_host_held(d):
    b, why = boot_with_stuck_bits(d, STUCK, MEM, cfg="on_finish=shutdown\naudit=quick\n"
                                  "stress_ops=0\n", smp=2, vga=False, timeout=600)
    if not b:
        return [why]
    return (check_run(b, MEM, expect_result="bad_memory") + check_stuck_frames(b, STUCK)
            + check_error_detail(b, STUCK))
