#!/usr/bin/env python3
"""Embed PSF console fonts (Debian console-setup, PSF1 or PSF2, gzipped or not)
in the kernel as C arrays matching include/kernel/font.h.

    psf2c.py OUT.c NAME=FONT.psf.gz [NAME=FONT.psf.gz ...]

Each NAME becomes `const struct font NAME`. The parser is also imported by
test/boot/screen.py, so the boot test decodes the screen with exactly the
glyphs and the code point -> glyph choice the kernel uses. Any malformed
font is a build error: a console that silently shows garbage is worse than
a failed build."""

import gzip
import os
import re
import struct
import sys

PSF1_MAGIC = b"\x36\x04"
PSF1_MODE512 = 0x01
PSF1_MODEHASTAB = 0x02
PSF1_MODEHASSEQ = 0x04
PSF1_SEPARATOR = 0xFFFF
PSF1_STARTSEQ = 0xFFFE

PSF2_MAGIC = b"\x72\xb5\x4a\x86"
PSF2_HAS_UNICODE_TABLE = 0x01
PSF2_SEPARATOR = 0xFF
PSF2_STARTSEQ = 0xFE


class FontError(Exception):
    pass


class Font:
    """A parsed PSF font.

    glyphs: list of bytes, each height * bytes_per_row, rows top to bottom,
            most significant bit = leftmost pixel.
    unimap: dict code point -> glyph index (first glyph wins when a font maps
            a code point twice, as the kernel's table does)."""

    def __init__(self, name, width, height, glyphs, unimap, has_table):
        self.name = name
        self.width = width
        self.height = height
        self.bytes_per_row = (width + 7) // 8
        self.glyphs = glyphs
        self.unimap = unimap
        self.has_table = has_table
        self.replacement = unimap.get(0xFFFD, unimap.get(ord("?")))

    def glyph_index(self, cp):
        """Same rule as font_glyph_index() in kernel/fb/font.c."""
        return self.unimap.get(cp, self.replacement)

    def glyph_rows(self, index):
        """Rows of glyph `index` as ints, bit (width-1) = leftmost pixel."""
        g = self.glyphs[index]
        bpr = self.bytes_per_row
        shift = bpr * 8 - self.width
        return tuple(int.from_bytes(g[r * bpr:(r + 1) * bpr], "big") >> shift
                     for r in range(self.height))


def _read(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise FontError(f"{path}: {e.strerror}")
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise FontError(f"{path}: bad gzip data: {e}")
    return data


def _parse_psf1(path, data):
    if len(data) < 4:
        raise FontError(f"{path}: truncated PSF1 header")
    mode, height = data[2], data[3]
    count = 512 if mode & PSF1_MODE512 else 256
    if height == 0:
        raise FontError(f"{path}: PSF1 glyph height 0")
    end = 4 + count * height
    if len(data) < end:
        raise FontError(f"{path}: PSF1 glyph data truncated "
                        f"({len(data)} bytes, need {end})")
    glyphs = [data[4 + i * height:4 + (i + 1) * height] for i in range(count)]
    unimap = {}
    has_table = bool(mode & (PSF1_MODEHASTAB | PSF1_MODEHASSEQ))
    if has_table:
        pos = end
        for g in range(count):
            in_seq = False
            while True:
                if pos + 2 > len(data):
                    raise FontError(f"{path}: PSF1 unicode table truncated "
                                    f"at glyph {g}")
                (u,) = struct.unpack_from("<H", data, pos)
                pos += 2
                if u == PSF1_SEPARATOR:
                    break
                if u == PSF1_STARTSEQ:
                    in_seq = True  # combining sequences: not drawable by us
                elif not in_seq:
                    unimap.setdefault(u, g)
    return 8, height, glyphs, unimap, has_table


def _parse_psf2(path, data):
    if len(data) < 32:
        raise FontError(f"{path}: truncated PSF2 header")
    (_magic, version, hdr, flags, count, charsize, height,
     width) = struct.unpack_from("<8I", data, 0)
    if version != 0:
        raise FontError(f"{path}: PSF2 version {version} unknown")
    if width == 0 or height == 0 or count == 0 or hdr < 32:
        raise FontError(f"{path}: PSF2 header nonsense: {width}x{height}, "
                        f"{count} glyphs, header {hdr} bytes")
    if width > 64 or height > 128 or count > 65535:
        raise FontError(f"{path}: PSF2 font too large for the console "
                        f"({width}x{height}, {count} glyphs)")
    if charsize != height * ((width + 7) // 8):
        raise FontError(f"{path}: PSF2 charsize {charsize} does not match "
                        f"{width}x{height}")
    end = hdr + count * charsize
    if len(data) < end:
        raise FontError(f"{path}: PSF2 glyph data truncated "
                        f"({len(data)} bytes, need {end})")
    glyphs = [data[hdr + i * charsize:hdr + (i + 1) * charsize]
              for i in range(count)]
    unimap = {}
    has_table = bool(flags & PSF2_HAS_UNICODE_TABLE)
    if has_table:
        pos = end
        for g in range(count):
            stop = data.find(bytes([PSF2_SEPARATOR]), pos)
            if stop < 0:
                raise FontError(f"{path}: PSF2 unicode table truncated "
                                f"at glyph {g}")
            entry = data[pos:stop]
            pos = stop + 1
            single = entry.split(bytes([PSF2_STARTSEQ]), 1)[0]
            try:
                text = single.decode("utf-8")
            except UnicodeDecodeError:
                raise FontError(f"{path}: PSF2 unicode table: bad UTF-8 "
                                f"for glyph {g}")
            for ch in text:
                unimap.setdefault(ord(ch), g)
    return width, height, glyphs, unimap, has_table


def load_psf(path):
    """Parse a PSF1/PSF2 font (optionally gzipped); raise FontError."""
    data = _read(path)
    if data[:2] == PSF1_MAGIC:
        parsed = _parse_psf1(path, data)
    elif data[:4] == PSF2_MAGIC:
        parsed = _parse_psf2(path, data)
    else:
        raise FontError(f"{path}: not a PSF1 or PSF2 font "
                        f"(magic {data[:4].hex()})")
    width, height, glyphs, unimap, has_table = parsed
    if not has_table:
        # No table: assume the glyph order is the code page's, which for
        # every console font agrees with ASCII in 0x20..0x7e.
        unimap = {i: i for i in range(min(len(glyphs), 256))}
    missing = [chr(c) for c in range(0x20, 0x7F) if c not in unimap]
    if missing:
        raise FontError(f"{path}: no glyph for printable ASCII "
                        f"{''.join(missing)!r}")
    name = re.sub(r"\.psf(u)?(\.gz)?$", "", os.path.basename(path))
    return Font(name, width, height, glyphs, unimap, has_table)


def emit_c(fonts):
    """C source for [(c_name, Font)]: see include/kernel/font.h."""
    out = ["/* Generated by tools/psf2c.py: do not edit. */",
           "#include <stdint.h>",
           "#include <kernel/font.h>", ""]
    for cname, f in fonts:
        bpg = f.height * f.bytes_per_row
        out.append(f"/* {f.name}: {f.width}x{f.height}, {len(f.glyphs)} "
                   f"glyphs, one glyph per line */")
        out.append(f"static const uint8_t {cname}_glyphs[{len(f.glyphs)} * "
                   f"{bpg}] = {{")
        for i, g in enumerate(f.glyphs):
            out.append("\t" + ",".join(f"0x{b:02x}" for b in g) +
                       f", /* {i} */")
        out.append("};")
        latin1 = [f.glyph_index(cp) for cp in range(256)]
        out.append(f"static const uint16_t {cname}_latin1[256] = {{")
        for i in range(0, 256, 16):
            out.append("\t" + ", ".join(str(g) for g in latin1[i:i + 16]) +
                       ",")
        out.append("};")
        high = sorted((cp, g) for cp, g in f.unimap.items() if cp >= 256)
        if high:
            out.append(f"static const struct font_unimap {cname}_unimap"
                       f"[{len(high)}] = {{")
            for cp, g in high:
                out.append(f"\t{{ 0x{cp:04x}, {g} }},")
            out.append("};")
        unimap = f"{cname}_unimap" if high else "0"
        out += [f"const struct font {cname} = {{",
                f"\t.name = \"{f.name}\",",
                f"\t.width = {f.width},",
                f"\t.height = {f.height},",
                f"\t.bytes_per_row = {f.bytes_per_row},",
                f"\t.bytes_per_glyph = {bpg},",
                f"\t.glyph_count = {len(f.glyphs)},",
                f"\t.glyphs = {cname}_glyphs,",
                f"\t.latin1 = {cname}_latin1,",
                f"\t.unimap = {unimap},",
                f"\t.unimap_count = {len(high)},",
                f"\t.replacement = {f.replacement},",
                "};", ""]
    return "\n".join(out)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    out_path = argv[1]
    fonts = []
    for arg in argv[2:]:
        cname, sep, path = arg.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", cname):
            print(f"psf2c: bad argument {arg!r}, want NAME=FONT.psf.gz",
                  file=sys.stderr)
            return 2
        try:
            fonts.append((cname, load_psf(path)))
        except FontError as e:
            print(f"psf2c: {e}", file=sys.stderr)
            return 1
    # Write then rename: an interrupted run never leaves a half file that
    # make would take as up to date.
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        f.write(emit_c(fonts))
    os.replace(tmp, out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
