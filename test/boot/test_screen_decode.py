#!/usr/bin/env python3
"""Self-test of test/boot/screen.py without QEMU: the real kernel console
and panel sources (kernel/fb/) are built into a host program
(test/boot/fbrender.c), which renders scripted screens; this test writes
them as PNG with every filter type, decodes them with screen.py and checks
text, memory-map colours, the large verdict, and that the Python mirror of
the layout agrees with the C one at every common resolution. Also checks
that tools/psf2c.py rejects bad fonts. Prints TAP; exit status 1 on failure.

    python3 test/boot/test_screen_decode.py [-k NAME] [--keep DIR]"""

import argparse
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import screen  # noqa: E402

CC = os.environ.get("CC", "gcc")
WORK = None      # temp dir, set in main
FBRENDER = None  # built host program

STATES = ["not RAM", "free", "allocated", "firmware", "metadata", "kernel",
          "poisoned", "untested"]  # enum diag_cell order


# ---------------------------------------------------------------- helpers

def hexs(s):
    return (s.encode() if isinstance(s, str) else s).hex() or "-"


def build():
    global FBRENDER
    font_c = os.path.join(WORK, "font.c")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "psf2c.py"),
                    font_c, f"font_small={screen.FONT_SMALL}",
                    f"font_large={screen.FONT_LARGE}"], check=True)
    FBRENDER = os.path.join(WORK, "fbrender")
    # the drawing code of kernel/fb/ (pure), not screen.c, its kernel glue
    srcs = [os.path.join(HERE, "fbrender.c")] + \
        [os.path.join(ROOT, "kernel", "fb", f)
         for f in ("diagscreen.c", "panels.c", "fbtext.c", "fbcon.c", "fbdraw.c",
                   "font.c")] + [font_c]
    subprocess.run([CC, "-std=gnu11", "-O1", "-g", "-Wall", "-Wextra",
                    "-Werror", "-I" + os.path.join(ROOT, "include"),
                    "-DMETASLOT_HOST=1", "-fsanitize=address,undefined",
                    "-fno-sanitize-recover=all", *srcs, "-o", FBRENDER],
                   check=True)


def render(w, h, script, stride=None, name="shot", image=True):
    """Run fbrender; returns (Image or None, info dict)."""
    ppm = os.path.join(WORK, name + ".ppm") if image else "-"
    p = subprocess.run([FBRENDER, str(w), str(h), str(stride or w), ppm],
                       input="\n".join(script) + "\n", capture_output=True,
                       text=True)
    if p.returncode:
        raise AssertionError(f"fbrender failed: {p.stderr}")
    info = json.loads(p.stdout)
    img = read_ppm(ppm) if image else None
    return img, info


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    m = re.match(rb"P6\n(\d+) (\d+)\n255\n", data)
    w, h = int(m.group(1)), int(m.group(2))
    pix = data[m.end():]
    return screen.Image(w, h, [pix[y * 3 * w:(y + 1) * 3 * w]
                               for y in range(h)])


def png_roundtrip(img, name, filters=(0,), alpha=False):
    path = os.path.join(WORK, name + ".png")
    screen.write_png(path, img, filters=filters, alpha=alpha)
    return screen.read_png(path)


def console_model(text, cols, rows):
    """Rows the console shows after writing `text` (no tabs, no \\r) into
    an empty log of `rows` rows: wrap at cols, keep the newest rows."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    out = []
    for line in text.split("\n"):
        if not line:
            out.append("")
        while line:
            out.append(line[:cols])
            line = line[cols:]
    return [r.rstrip() for r in out[-rows:]]


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def check_eq(got, want, what):
    if got != want:
        raise AssertionError(f"{what}:\n  got  {got!r}\n  want {want!r}")


# ---------------------------------------------------------------- tests

def test_png_filters_and_alpha():
    w, h = 37, 23
    rows = [bytes(((x * 7 + y * 13) ^ (x * y)) & 0xff for x in range(3 * w))
            for y in range(h)]
    img = screen.Image(w, h, rows)
    for alpha in (False, True):
        for filters in ((0,), (1,), (2,), (3,), (4,), (0, 1, 2, 3, 4)):
            back = png_roundtrip(img, "rt", filters, alpha)
            check_eq(back.rows, img.rows, f"filters {filters} alpha {alpha}")


def test_png_rejects_garbage():
    img = screen.Image(2, 2, [b"\x00" * 6, b"\xff" * 6])
    path = os.path.join(WORK, "bad.png")
    screen.write_png(path, img)
    data = bytearray(open(path, "rb").read())
    data[20] ^= 1  # inside IHDR: CRC no longer matches
    for bad in (bytes(data), b"GIF89a", bytes(open(path, "rb").read())[:40]):
        try:
            screen.read_png(bad)
        except screen.PNGError:
            continue
        raise AssertionError("accepted a broken PNG")
    # Interlaced: refused rather than misread.
    good = bytearray(open(path, "rb").read())
    ihdr = bytearray(good[16:29])
    ihdr[12] = 1
    good[16:29] = ihdr
    good[29:33] = struct.pack(">I", __import__("zlib").crc32(b"IHDR" + bytes(ihdr)))
    try:
        screen.read_png(bytes(good))
        raise AssertionError("accepted an interlaced PNG")
    except screen.PNGError:
        pass


def test_psf2c_rejects_bad_fonts():
    real = gzip.decompress(open(screen.FONT_SMALL, "rb").read())
    psf2 = gzip.decompress(open(screen.FONT_LARGE, "rb").read())
    cases = {
        "magic": b"hello, not a font",
        "psf1-truncated": real[:1000],
        "psf1-table-truncated": real[:-7],
        "psf2-truncated": psf2[:100],
        "psf2-bad-charsize": psf2[:20] + struct.pack("<I", 63) + psf2[24:],
        "gzip-garbage": b"\x1f\x8b" + b"\x00" * 30,
        # No unicode table and too few glyphs for ASCII.
        "psf1-no-ascii": b"\x36\x04\x00\x10" + bytes(16 * 256)[:16 * 0x30],
    }
    for name, data in cases.items():
        src = os.path.join(WORK, name + ".psf")
        out = os.path.join(WORK, name + ".c")
        with open(src, "wb") as f:
            f.write(data)
        p = subprocess.run([sys.executable,
                            os.path.join(ROOT, "tools", "psf2c.py"), out,
                            f"font_small={src}"], capture_output=True,
                           text=True)
        check(p.returncode != 0, f"psf2c accepted {name}")
        check("psf2c:" in p.stderr, f"psf2c gave no reason for {name}")
        check(not os.path.exists(out), f"psf2c left {out} behind")


def test_layout_matches_kernel():
    sizes = [(320, 200), (640, 480), (720, 400), (800, 600), (1024, 768),
             (1280, 720), (1280, 800), (1280, 1024), (1366, 768), (1440, 900),
             (1600, 900), (1680, 1050), (1920, 1080), (1920, 1200),
             (2560, 1440), (2560, 1600), (3840, 2160), (5120, 2880),
             (7680, 4320)]
    for w, h in sizes:
        _, info = render(w, h, ["diag"], image=False)
        g = screen.grid(w, h)
        check_eq((info["font"], info["scale"], info["cell_w"], info["cell_h"],
                  info["cols"], info["rows"]),
                 (g.font.name, g.scale, g.cell_w, g.cell_h, g.cols, g.rows),
                 f"grid at {w}x{h}")
        lay = screen.diag_layout(w, h)
        if not lay["enabled"]:
            check_eq(info["layout"]["enabled"], 0, f"panel at {w}x{h}")
            continue
        check_eq(info["layout"], lay, f"layout at {w}x{h}")
        check_eq(info["panel_rows"], lay["panel_rows"], f"panel at {w}x{h}")


def test_log_text_640x480_all_filters():
    g = screen.grid(640, 480)
    text = "metaslot kernel: console up\n"
    text += '\x1b[2m{"ev":"boot","cpus":4}\x1b[0m\n'
    text += "caf\u00e9 \u00fcber na\u00efve\n"
    text += "\x1b[1;31mred and bold\x1b[0m then \x1b[44mon blue\x1b[0m\n"
    text += ("0123456789" * 21) + "\n"  # wraps over three rows
    text += "\n"
    for i in range(40):  # scrolls
        text += f"line {i:02d}: " + "abcdefghijklmnopqrstuvwxyz"[: i % 27] + "\n"
    text += '{"ev":"summary","result":"pass","frames":123456}'
    img, info = render(640, 480, ["write " + hexs(text)], name="log640")
    img = png_roundtrip(img, "log640", filters=(0, 1, 2, 3, 4))
    check_eq(screen.decode_text(img), console_model(text, g.cols, g.rows),
             "decoded rows")
    check_eq(screen.log_lines(img)[-1],
             '{"ev":"summary","result":"pass","frames":123456}', "last line")
    # Before scrolling: the non-ASCII and coloured lines.
    first = text.split("line 00")[0]
    img, _ = render(640, 480, ["write " + hexs(first)], name="log640b")
    img = png_roundtrip(img, "log640b", alpha=True)
    got = screen.decode_text(img)
    check_eq(got[:6], console_model(first, g.cols, g.rows)[:6], "first rows")
    check_eq(screen.unwrap(got, g.cols)[4], "0123456789" * 21, "unwrapped")


def diag_script(cpus, result, detail, log):
    pattern = bytes(range(len(STATES))) + bytes([1] * 5) + bytes([2] * 3)
    s = ["write " + hexs("before the panel\n"), "diag",
         "header %d %d %d %s %s %s %s %d" % (cpus, 8 << 30, 96 << 20,
                                             hexs("EDK II 1.0"), hexs("0.1"), "-", "-", 75),
         "map %d %s" % (64 << 20, pattern.hex())]
    for c in range(cpus):
        s.append("progress %d %d %s" % (c, (c * 37) % 101, hexs("stress")))
    s.append("cell 3 6")
    s.append("write " + hexs(log))
    if result is not None:
        s.append("result %d %s" % (result, hexs(detail) if detail else "-"))
    return s, pattern


def check_diag(w, h, cpus, result, text, stride=None, detail="0 bad frames"):
    g = screen.grid(w, h)
    log = "".join(f"audit pass {i}\n" for i in range(60))
    log += ('{"ev":"summary","result":"%s","bad_frames":0,"note":"%s"}'
            % (text.lower() if text else "none", "x" * 150))
    script, pattern = diag_script(cpus, result, detail, log)
    img, info = render(w, h, script, stride=stride, name=f"diag{w}")
    img = png_roundtrip(img, f"diag{w}", filters=(0, 2, 4))
    lay = screen.diag_layout(w, h)
    check(screen.has_panel(img), "panel not found")
    rows = screen.decode_text(img, 0, lay["panel_rows"])
    check(rows[0].startswith(" metaslot 0.1   firmware: EDK II 1.0"),
          f"header row 0: {rows[0]!r}")
    check(rows[0].endswith("elapsed 0:01:15"), f"header row 0: {rows[0]!r}")
    check_eq(rows[1], " CPUs: %d   RAM: 8.0 GiB   metadata: 96.0 MiB" % cpus,
             "header row 1")
    check_eq(rows[lay["caption_row"]], " Physical memory, one cell = 64.0 MiB", "caption")
    legend = " ".join(rows[lay["legend_row"]:lay["legend_row"] + lay["legend_rows"]])
    for name in screen.LEGEND_ORDER:
        check(name in legend, f"legend lacks {name}: {legend!r}")
    colours = screen.legend_colours(img)
    check_eq(sorted(colours), sorted(screen.CELL_RGB), "map colours")
    cells = screen.map_cells(img)
    want = [STATES[pattern[i % len(pattern)]] for i in range(len(cells))]
    want[3] = "poisoned"
    check_eq(cells, want, "map cells")
    if result is None:
        detailed = cpus <= lay["bar_slots_per_row"] * lay["status_rows"]
        want = " cpu0 " if detailed else " one bar per CPU: stress"
        check(rows[lay["status_row"]].startswith(want),
              f"status row: {rows[lay['status_row']]!r}")
    r = screen.read_result(img)
    if text is None:
        check_eq(r, None, "result before the end")
    else:
        check_eq(r, screen.Result(text, True, detail or ""), "large result")
    logl = screen.log_lines(img)
    check(logl[-1].startswith('{"ev":"summary"') and logl[-1].endswith('x"}'),
          f"summary line: {logl[-1]!r}")
    check_eq(json.loads(logl[-1])["note"], "x" * 150, "summary json")
    check_eq(logl[-2], "audit pass 59", "log above the summary")


def test_diag_1024x768_pass():
    check_diag(1024, 768, 4, 0, "PASS")


def test_diag_640x480_bad_memory_compact_bars():
    check_diag(640, 480, 40, 1, "BAD MEMORY")


def test_diag_800x600_fail_padded_stride():
    check_diag(800, 600, 2, 2, "FAIL", stride=832, detail=None)


def test_diag_1920x1080_large_font_running():
    check_diag(1920, 1080, 8, None, None)


def test_diag_640x480_running_compact_bars():
    check_diag(640, 480, 40, None, None)


def test_diag_1920x1080_large_font_pass():
    check_diag(1920, 1080, 8, 0, "PASS")


TEST_NAMES = ["own_address", "mov_inv_ones_zeros", "mov_inv_random", "linux_memtest",
              "bit_fade", "block_move"]


def tables_script(running, nerr):
    s = ["diag", "header 2 %d %d %s %s %s %s 5" % (
        1 << 30, 16 << 20, hexs("EDK II"), hexs("0.1"), hexs("QEMU CPU"),
        hexs("DIMMs: 1 of 1, 1024 MiB RAM"))]
    for i, n in enumerate(TEST_NAMES):
        state = 2 if i < running else 1 if i == running else 0
        s.append("test %s %d %d 60 %d %d %d" % (hexs(n), state, 1 if i <= running else 0,
                                                 1500 + i * 1000, 42 if i == running else -1,
                                                 3 if i == 1 else 0))
    s.append("tests 1 1 0 1 2 30 125")
    for i in range(nerr):  # newest first; the second one a machine check
        mce = i == 1
        s.append("error %d 1 %d %s %d %d %s %d 1 5" % (
            1 if mce else 0, 0x23456780 + 0x1000 * i, hexs("DIMM 0") if i % 2 == 0 else "-",
            0xffffffffffffffff, 0xffffffffffffffff ^ (1 << i),
            hexs("memory_controller" if mce else "mov_inv_ones_zeros"), i % 2))
    s.append("errors %d" % nerr)
    return s


def check_tables(w, h, nerr):
    running = 3
    img, _ = render(w, h, tables_script(running, nerr), name=f"tables{w}")
    img = png_roundtrip(img, f"tables{w}")
    lay = screen.diag_layout(w, h)
    t = screen.read_tests(img)
    check(t is not None, "no test table")
    check(t.run.startswith("Pass 1 of 2"), f"run row {t.run!r}")
    check(t.run.endswith("30%   ETA 0:02:05"), f"run row {t.run!r}")
    names = [r["test"] for r in t.tests]
    start = TEST_NAMES.index(names[0]) if names and names[0] in TEST_NAMES else -1
    check_eq(names, TEST_NAMES[start:start + len(names)], f"tests at {w}x{h}")
    check(len(names) == min(len(TEST_NAMES), lay["tables_rows"] - 4), f"rows {names}")
    for r in t.tests:
        i = TEST_NAMES.index(r["test"])
        want = "done" if i < running else "running" if i == running else "pending"
        check_eq(r["state"], want, f"state of {r['test']}")
        if i < running:
            check_eq(r["time"], "%d.5 s" % (1 + i), f"time of {r['test']}")
        if i == running:
            check_eq(r["time"], "eta 0:00:42", "running test's ETA")
            check(r["progress"].endswith("60%"), f"progress {r['progress']!r}")
        check_eq(r["errors"], "3" if i == 1 else "0", f"errors of {r['test']}")
    e = screen.read_errors(img)
    check(e is not None, "no error table")
    fits = lay["tables_rows"] - 1 - len(names) - 2
    shown = min(nerr, fits)
    more = "; %d more not shown" % (nerr - shown) if nerr > shown else ""
    check_eq(e.caption, "Errors: %d, newest first%s" % (nerr, more), "error caption")
    check_eq(len(e.rows), shown, "error rows")
    for i, r in enumerate(e.rows):
        check_eq(r["address"], "0x%012x" % (0x23456780 + 0x1000 * i), "address")
        if i == 1:
            check_eq(r.get("mce"), "MACHINE CHECK corrected, bank 5", "machine check row")
            check_eq(r["pattern"], "memory_controller", "machine check kind")
            continue
        check_eq(r["mask"], "%016x" % (1 << i), "mask")
        check_eq(r["actual"], "%016x" % (0xffffffffffffffff ^ (1 << i)), "actual")
        check("mov_inv_ones_zeros".startswith(r["pattern"]), f"pattern {r}")
        if "DIMM" in r:
            check_eq(r["DIMM"], "DIMM 0" if i % 2 == 0 else "?", "DIMM")


def test_tables_at_odd_sizes():
    for w, h in [(800, 600), (1000, 700), (1366, 768), (1920, 1080), (3840, 2160)]:
        check_tables(w, h, 2)
        check_tables(w, h, 40)


def test_no_panel_no_result():
    img, _ = render(1024, 768, ["write " + hexs("just a log\n")], name="nopanel")
    check(not screen.has_panel(img), "phantom panel")
    check_eq(screen.read_result(img), None, "phantom result")
    check_eq(screen.log_lines(img)[0], "just a log", "log")


TESTS = [(n, f) for n, f in globals().items() if n.startswith("test_")]


def main():
    global WORK
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", help="run tests whose name contains this")
    ap.add_argument("--keep", help="keep images and the build in this dir")
    args = ap.parse_args()
    WORK = args.keep or tempfile.mkdtemp(prefix="screen-decode-")
    os.makedirs(WORK, exist_ok=True)
    tests = [(n, f) for n, f in TESTS if not args.k or args.k in n]
    failed = 0
    try:
        build()
        print(f"1..{len(tests)}")
        for i, (name, fn) in enumerate(tests, 1):
            try:
                fn()
                print(f"ok {i} - {name}")
            except Exception:
                failed += 1
                print(f"not ok {i} - {name}")
                for ln in traceback.format_exc().splitlines():
                    print("# " + ln)
            sys.stdout.flush()
    finally:
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
