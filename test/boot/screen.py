"""Read the kernel's framebuffer back from a QEMU screendump (stdlib only).

    img = screen.read_png("shot.png")      # QEMU: screendump shot.png -f png
    lines = screen.decode_text(img)        # one string per text row
    screen.legend_colours(img)             # {"free": 1234, "kernel": 56, ...}
    screen.read_result(img)                # Result("PASS", True, "0 bad frames")
    screen.read_tests(img)                 # Tests(run="Pass 1 of 1 ...", tests=[{...}])
    screen.read_errors(img)                # Errors(caption="Errors: 2, ...", rows=[{...}])

How the text grid is found: it is not searched for. The console's layout
is a pure function of the screen size (include/kernel/fbcon.h): the font is
chosen by the same rule as fbcon_choose_font(), cell (col, row) has its
top-left pixel at (col * cell_w, row * cell_h), and the diagnostic panel's
rows follow diag_compute_layout(), mirrored here by diag_layout(). A cell
is decoded by sampling one pixel per font pixel; a cell of one colour is a
space, a cell of two colours is looked up (both ways round, so any
foreground/background works) in a table of the font's glyph bitmaps built
from the same PSF file and the same code point -> glyph rule the kernel
uses; anything else (memory-map blocks, bars) reads as U+FFFD. The
self-test test/boot/test_screen_decode.py renders with the real kernel
sources and checks both sides agree."""

import collections
import importlib.util
import os
import struct
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Must match FONT_PSF / FONT_BIG_PSF in the Makefile (the same variables in
# the environment override both).
FONT_SMALL = os.environ.get("FONT_PSF",
                            "/usr/share/consolefonts/Lat15-Terminus16.psf.gz")
FONT_LARGE = os.environ.get("FONT_BIG_PSF",
                            "/usr/share/consolefonts/Lat15-Terminus32x16.psf.gz")

UNKNOWN = "\ufffd"

# Mirrors of kernel/fb/diagscreen.c.
CELL_RGB = {
    "not RAM": 0x383838, "free": 0x30b030, "allocated": 0x3070e0,
    "firmware": 0xe0a020, "metadata": 0xb050d0, "kernel": 0x20c0c0,
    "poisoned": 0xff2020, "untested": 0xd8d8d8,
}
LEGEND_ORDER = ["free", "allocated", "firmware", "metadata", "kernel",
                "poisoned", "untested", "not RAM"]
RESULT_RGB = {"PASS": 0x107010, "BAD MEMORY": 0xc05000, "FAIL": 0xb01010}
LONGEST_RESULT = 10
MIN_COLS, MIN_ROWS = 40, 20
MIN_TABLES = 4
DIAG_MAP_MAX_CELLS = 16384
SWATCH_W = 2
SLOT_PITCH = 6 + 1 + 10 + 1 + 4 + 1 + 8 + 2


def _load_psf2c():
    spec = importlib.util.spec_from_file_location(
        "psf2c", os.path.join(ROOT, "tools", "psf2c.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


psf2c = _load_psf2c()


# ---------------------------------------------------------------- PNG

class Image:
    """width x height RGB pixels; rows[y] is bytes of 3 * width."""

    def __init__(self, width, height, rows):
        if len(rows) != height or any(len(r) != 3 * width for r in rows):
            raise ValueError("rows do not match the image size")
        self.width = width
        self.height = height
        self.rows = rows

    def pixel(self, x, y):
        """0xRRGGBB at (x, y)."""
        r = self.rows[y]
        return int.from_bytes(r[3 * x:3 * x + 3], "big")


class PNGError(Exception):
    pass


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _add_bytes(x, y):
    """Bytewise (x + y) mod 256 of two equal-length byte strings, all at
    once: add the low 7 bits of each byte, then xor in the top bits."""
    n = len(x)
    lo = int.from_bytes(b"\x7f" * n, "big")
    hi = int.from_bytes(b"\x80" * n, "big")
    a = int.from_bytes(x, "big")
    b = int.from_bytes(y, "big")
    return (((a & lo) + (b & lo)) ^ ((a ^ b) & hi)).to_bytes(n, "big")


def _unfilter(data, width, height, bpp):
    stride = width * bpp
    if len(data) < height * (stride + 1):
        raise PNGError("image data truncated")
    prev = bytes(stride)
    out = []
    pos = 0
    for _y in range(height):
        ftype = data[pos]
        line = bytearray(data[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        if ftype == 0:
            pass
        elif ftype == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xff
        elif ftype == 2:  # Up
            line = bytearray(_add_bytes(bytes(line), prev))
        elif ftype == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xff
        elif ftype == 4:  # Paeth
            for i in range(stride):
                if i >= bpp:
                    a, c = line[i - bpp], prev[i - bpp]
                else:
                    a = c = 0
                line[i] = (line[i] + _paeth(a, prev[i], c)) & 0xff
        else:
            raise PNGError(f"unknown filter type {ftype}")
        prev = bytes(line)
        out.append(prev)
    return out


def read_png(source):
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG (what QEMU's
    screendump writes); `source` is a path or the file's bytes."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        with open(source, "rb") as f:
            data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise PNGError("not a PNG file")
    pos = 8
    ihdr = None
    idat = []
    while True:
        if pos + 8 > len(data):
            raise PNGError("truncated chunk header (no IEND)")
        length, ctype = struct.unpack_from(">I4s", data, pos)
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length or pos + 12 + length > len(data):
            raise PNGError(f"truncated {ctype!r} chunk")
        (crc,) = struct.unpack_from(">I", data, pos + 8 + length)
        if zlib.crc32(ctype + body) != crc:
            raise PNGError(f"bad CRC in {ctype!r} chunk")
        pos += 12 + length
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
        elif not (ctype[0] & 0x20):  # critical chunk we do not know
            raise PNGError(f"unsupported critical chunk {ctype!r}")
    if ihdr is None:
        raise PNGError("no IHDR")
    width, height, depth, colour, comp, filt, interlace = ihdr
    if depth != 8 or colour not in (2, 6):
        raise PNGError(f"only 8-bit RGB/RGBA supported (depth {depth}, "
                       f"colour type {colour})")
    if comp != 0 or filt != 0 or interlace != 0:
        raise PNGError("interlaced or unknown compression/filter method")
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise PNGError(f"bad image data: {e}")
    bpp = 3 if colour == 2 else 4
    rows = _unfilter(raw, width, height, bpp)
    if bpp == 4:  # drop alpha
        conv = []
        for r in rows:
            rgb = bytearray(width * 3)
            rgb[0::3] = r[0::4]
            rgb[1::3] = r[1::4]
            rgb[2::3] = r[2::4]
            conv.append(bytes(rgb))
        rows = conv
    return Image(width, height, rows)


def write_png(path, img, filters=(0,), alpha=False):
    """Write `img` as PNG; row y uses filters[y % len(filters)] (the
    self-test uses all five to exercise read_png)."""
    bpp = 4 if alpha else 3
    prev = bytes(img.width * bpp)
    raw = bytearray()
    for y, row in enumerate(img.rows):
        if alpha:
            line = bytearray(img.width * 4)
            line[0::4] = row[0::3]
            line[1::4] = row[1::3]
            line[2::4] = row[2::3]
            line[3::4] = b"\xff" * img.width
        else:
            line = bytearray(row)
        ftype = filters[y % len(filters)]
        if ftype == 0:
            raw.append(0)
            raw += line
            prev = bytes(line)
            continue
        out = bytearray(len(line))
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = (0, a, b, (a + b) >> 1, _paeth(a, b, c))[ftype]
            out[i] = (line[i] - pred) & 0xff
        raw.append(ftype)
        raw += out
        prev = bytes(line)

    def chunk(t, body):
        return (struct.pack(">I", len(body)) + t + body +
                struct.pack(">I", zlib.crc32(t + body)))

    ihdr = struct.pack(">IIBBBBB", img.width, img.height, 8,
                       6 if alpha else 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
                chunk(b"IDAT", zlib.compress(bytes(raw), 6)) +
                chunk(b"IEND", b""))


# ---------------------------------------------------------------- fonts, grid

_fonts = {}


def _font(path):
    if path not in _fonts:
        _fonts[path] = psf2c.load_psf(path)
    return _fonts[path]


def choose_font(width, height, small=FONT_SMALL, large=FONT_LARGE):
    """(font, scale) as fbcon_choose_font() picks them."""
    scale = 2 if (width >= 5120 or height >= 2880) else 1
    path = large if (width >= 1600 or height >= 1000) else small
    return _font(path), scale


Grid = collections.namedtuple("Grid", "font scale cell_w cell_h cols rows")

FBCON_MAX_CELLS = 32768


def grid(width, height, **fonts):
    font, scale = choose_font(width, height, **fonts)
    cw, ch = font.width * scale, font.height * scale
    cols, rows = width // cw, height // ch
    if cols and rows > FBCON_MAX_CELLS // cols:
        rows = FBCON_MAX_CELLS // cols
    return Grid(font, scale, cw, ch, cols, rows)


_tables = {}


def _glyph_table(font):
    """Glyph bitmap (tuple of row ints) -> character. Where several code
    points share a bitmap, the lowest wins (space over no-break space, ASCII
    over look-alikes); controls never show, so they never decode."""
    if id(font) not in _tables:
        table = {}
        for cp in sorted(font.unimap):
            if cp < 0x20 or 0x7f <= cp < 0xa0:
                continue
            table.setdefault(font.glyph_rows(font.glyph_index(cp)), chr(cp))
        _tables[id(font)] = table
    return _tables[id(font)]


def _decode_bits(rows_bits, font, table):
    """Char for a cell given its pixel samples (rows of colour values)."""
    counts = collections.Counter()
    for r in rows_bits:
        counts.update(r)
        if len(counts) > 2:
            return UNKNOWN
    if len(counts) == 1:
        return " "
    # Text has less ink than background: try the rarer colour as ink first,
    # so a glyph and its inverse (upper/lower half block) decode stably.
    for ink, _n in sorted(counts.items(), key=lambda kv: (kv[1], kv[0])):
        key = tuple(_row_int(r, ink) for r in rows_bits)
        ch = table.get(key)
        if ch is not None:
            return ch
    return UNKNOWN


def _row_int(samples, ink):
    v = 0
    for s in samples:
        v = (v << 1) | (s == ink)
    return v


def _cell_samples(img, x0, y0, font, step):
    """One sample per font pixel, each a 3-byte string, rows top down."""
    out = []
    for gy in range(font.height):
        row = img.rows[y0 + gy * step]
        seg = row[3 * x0:3 * (x0 + font.width * step)]
        out.append([seg[i:i + 3] for i in range(0, len(seg), 3 * step)])
    return out


def decode_text(img, first_row=0, last_row=None, **fonts):
    """Text of grid rows [first_row, last_row), right-stripped."""
    g = grid(img.width, img.height, **fonts)
    table = _glyph_table(g.font)
    last = g.rows if last_row is None else min(last_row, g.rows)
    lines = []
    for r in range(first_row, last):
        chars = []
        for c in range(g.cols):
            samples = _cell_samples(img, c * g.cell_w, r * g.cell_h, g.font,
                                    g.scale)
            chars.append(_decode_bits(samples, g.font, table))
        lines.append("".join(chars).rstrip())
    return lines


def unwrap(lines, cols):
    """Join rows the console wrapped: a row filled to the last column
    continues on the next. (A line of exactly `cols` characters followed
    by a newline looks the same; the caller's text should not care.)"""
    out = []
    joining = False
    for ln in lines:
        if joining:
            out[-1] += ln
        else:
            out.append(ln)
        joining = len(ln) == cols
    return out


def log_lines(img, **fonts):
    """The log region's rows, unwrapped: below the panel when there is one,
    otherwise the whole grid."""
    lay = diag_layout(img.width, img.height, **fonts)
    g = grid(img.width, img.height, **fonts)
    first = lay["panel_rows"] if lay["enabled"] and has_panel(img, **fonts) else 0
    return unwrap(decode_text(img, first, **fonts), g.cols)


# ---------------------------------------------------------------- diag panel

def _legend_place(cols, i):
    x, y = 1, 0
    for k, name in enumerate(LEGEND_ORDER):
        w = SWATCH_W + 1 + len(name)
        if x > 1 and x + w > cols - 1:
            x, y = 1, y + 1
        if k == i:
            return y, x
        x += w + 2


def diag_layout(width, height, **fonts):
    """Mirror of diag_compute_layout() for a width x height screen."""
    g = grid(width, height, **fonts)
    lay = {"enabled": 0, "panel_rows": 0}
    if g.cols < MIN_COLS or g.rows < MIN_ROWS:
        return lay
    clamp = lambda v, lo, hi: max(lo, min(hi, v))  # noqa: E731
    fw, fh = g.font.width, g.font.height
    log = clamp(g.rows // 6, 3, 12)
    status_rows = clamp(g.rows // 8, 5, 10)
    map_rows = clamp(g.rows // 12, 2, 10)
    legend_rows = _legend_place(g.cols, len(LEGEND_ORDER) - 1)[0] + 1
    tables_row = 4
    fixed = tables_row + 1 + map_rows + legend_rows + 1 + status_rows + 1
    if fixed + MIN_TABLES + 1 > g.rows:
        return lay
    tables_rows = (g.rows - fixed - log if g.rows - fixed > log + MIN_TABLES
                   else MIN_TABLES)
    lay.update(header_row=0, header_rows=3, run_row=3, tables_row=tables_row,
               tables_rows=tables_rows, caption_row=tables_row + tables_rows,
               map_rows=map_rows, block=g.cell_h // 2, map_x=g.cell_w,
               legend_rows=legend_rows, status_rows=status_rows)
    lay["map_row"] = lay["caption_row"] + 1
    lay["map_y"] = lay["map_row"] * g.cell_h
    lay["map_cols"] = (g.cols - 2) * g.cell_w // lay["block"]
    lay["map_lines"] = min(lay["map_rows"] * g.cell_h // lay["block"],
                           DIAG_MAP_MAX_CELLS // lay["map_cols"])
    lay["legend_row"] = lay["map_row"] + lay["map_rows"]
    lay["status_row"] = lay["legend_row"] + lay["legend_rows"] + 1
    lay["separator_row"] = lay["status_row"] + lay["status_rows"]
    lay["panel_rows"] = lay["separator_row"] + 1
    lay["log_rows"] = g.rows - lay["panel_rows"]
    lay["result_scale"] = min(8 * g.scale,
                              (lay["status_rows"] - 1) * g.cell_h // fh,
                              (g.cols - 2) * g.cell_w // (LONGEST_RESULT * fw))
    lay["bar_slots_per_row"] = g.cols // SLOT_PITCH
    lay["enabled"] = 1
    return lay


# ---------------------------------------------------------------- tables

def _columns(head):
    """[(name, start)] of a table head row: names separated by spaces."""
    cols, i = [], 0
    while i < len(head):
        if head[i] != " ":
            j = head.find(" ", i)
            j = len(head) if j < 0 else j
            cols.append((head[i:j], i))
            i = j
        else:
            i += 1
    return cols


def _split(row, cols):
    out = {}
    for k, (name, start) in enumerate(cols):
        end = cols[k + 1][1] if k + 1 < len(cols) else len(row) + 1
        out[name] = row[start:end].strip()
    return out


def _table_rows(img, **fonts):
    lay = diag_layout(img.width, img.height, **fonts)
    if not lay["enabled"]:
        return lay, []
    return lay, decode_text(img, lay["tables_row"],
                            lay["tables_row"] + lay["tables_rows"], **fonts)


# run: the run row (" Pass 1 of 2 ... ETA 0:01:00"); tests: one dict per test
# row (test, state, pass, time, errors, progress), in screen order.
Tests = collections.namedtuple("Tests", "run tests")


def read_tests(img, **fonts):
    """The run row and the test table, or None without a panel. A cell of
    the running test's bar reads as U+FFFD; its percentage follows it."""
    lay, rows = _table_rows(img, **fonts)
    if not rows:
        return None
    run = decode_text(img, lay["run_row"], lay["run_row"] + 1, **fonts)[0]
    head = rows[0]
    if not head.strip().startswith("test"):
        return Tests(run.strip(), [])
    cols = _columns(head.split("   (")[0])
    tests = []
    for r in rows[1:]:
        if r.startswith(" Errors:"):
            break
        tests.append(_split(r, cols))
    return Tests(run.strip(), tests)


# caption: the "Errors: ..." row; rows: one dict per error row (address, DIMM
# when shown, expected, actual, mask, pattern, cpu), newest first; a machine
# check has "mce" ("MACHINE CHECK corrected, bank 5") instead of the words.
Errors = collections.namedtuple("Errors", "caption rows")


def read_errors(img, **fonts):
    """The error table under the test table, or None without a panel."""
    lay, rows = _table_rows(img, **fonts)
    for i, r in enumerate(rows):
        if r.startswith(" Errors:"):
            if i + 1 >= len(rows) or not rows[i + 1].strip().startswith("address"):
                return Errors(r.strip(), [])
            cols = _columns(rows[i + 1])
            out = []
            for x in rows[i + 2:]:
                if not x.strip():
                    continue
                row = _split(x, cols)
                if "MACHINE CHECK" in x:  # one text over expected, actual, mask
                    at = dict(cols)
                    row["mce"] = x[at["expected"]:at["pattern"]].strip()
                    for k in ("expected", "actual", "mask"):
                        row.pop(k)
                out.append(row)
            return Errors(r.strip(), out)
    return None


def has_panel(img, **fonts):
    """True if the diagnostic panel is drawn: its title bar is blue."""
    lay = diag_layout(img.width, img.height, **fonts)
    return bool(lay["enabled"]) and img.pixel(0, 0) == 0x0000aa


def legend_colours(img, rect=None, **fonts):
    """{state name: pixel count} for every legend colour present in rect
    (x, y, w, h); by default the memory picture's area."""
    if rect is None:
        lay = diag_layout(img.width, img.height, **fonts)
        if not lay["enabled"]:
            return {}
        rect = (lay["map_x"], lay["map_y"], lay["map_cols"] * lay["block"],
                lay["map_lines"] * lay["block"])
    x, y, w, h = rect
    by_colour = {v.to_bytes(3, "big"): k for k, v in CELL_RGB.items()}
    counts = collections.Counter()
    for yy in range(y, min(y + h, img.height)):
        row = img.rows[yy]
        seg = row[3 * x:3 * min(x + w, img.width)]
        for i in range(0, len(seg), 3):
            name = by_colour.get(seg[i:i + 3])
            if name:
                counts[name] += 1
    return dict(counts)


def map_cells(img, **fonts):
    """State name (or None) of every memory cell, sampled at its centre."""
    lay = diag_layout(img.width, img.height, **fonts)
    if not lay["enabled"]:
        return []
    by_rgb = {v: k for k, v in CELL_RGB.items()}
    b = lay["block"]
    return [by_rgb.get(img.pixel(lay["map_x"] + (i % lay["map_cols"]) * b + b // 2,
                                 lay["map_y"] + (i // lay["map_cols"]) * b + b // 2))
            for i in range(lay["map_cols"] * lay["map_lines"])]


# text: the verdict in large type; colour_ok: the banner has that verdict's
# colour; detail: the text row under it (diag_result's detail, "" if none).
Result = collections.namedtuple("Result", "text colour_ok detail")


def read_result(img, **fonts):
    """The verdict drawn in large type, or None when there is none. The
    glyphs are centred in the status rows above the detail row, each font
    pixel a result_scale square; the text's length is found from where the
    ink is, then every glyph must match exactly."""
    lay = diag_layout(img.width, img.height, **fonts)
    if not lay["enabled"]:
        return None
    g = grid(img.width, img.height, **fonts)
    f, k = g.font, lay["result_scale"]
    table = _glyph_table(f)
    top = lay["status_row"] * g.cell_h
    band_h = (lay["status_rows"] - 1) * g.cell_h
    bg = img.pixel(0, top)
    bgb = bg.to_bytes(3, "big")
    y0 = top + (band_h - f.height * k) // 2
    grid_w = g.cols * g.cell_w
    ink = [x for x in range(grid_w)
           if any(img.rows[y][3 * x:3 * x + 3] != bgb
                  for y in range(y0, y0 + f.height * k, k))]
    if not ink:
        return None
    for n in range(1, grid_w // (f.width * k) + 1):
        x0 = (grid_w - n * f.width * k) // 2
        if x0 > ink[0] or x0 + n * f.width * k <= ink[-1]:
            continue
        text = []
        for i in range(n):
            cx = x0 + i * f.width * k
            samples = [[img.rows[y0 + gy * k + k // 2][3 * x:3 * x + 3]
                        for x in range(cx + k // 2, cx + f.width * k, k)]
                       for gy in range(f.height)]
            flat = {s for r in samples for s in r}
            if flat <= {bgb}:
                text.append(" ")
                continue
            key = tuple(sum(1 << (f.width - 1 - j) for j, s in enumerate(r)
                            if s != bgb) for r in samples)
            text.append(table.get(key, UNKNOWN))
        s = "".join(text)
        if UNKNOWN not in s and s == s.strip():
            detail_row = lay["status_row"] + lay["status_rows"] - 1
            detail = decode_text(img, detail_row, detail_row + 1, **fonts)[0]
            return Result(s, RESULT_RGB.get(s) == bg, detail.strip())
    return None
