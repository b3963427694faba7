#!/usr/bin/env python3
"""Makes the one-file program: the loader's PE image (gnu-efi's objcopy output)
plus two sections of its own, added with objcopy after the last section:

    .sbat    shim's SBAT metadata (CSV), what shim and fwupd read for revocation
    .kernel  the kernel ELF; the loader finds this section in its own image
             through the loaded image protocol (efi/pe_section.c)

Both are real sections (initialised, readonly data), so an Authenticode
signature over the file (sbsign) measures the kernel too. Then, if no section
is both writable and executable and every relocation the loader applies to
itself lands in a writable section, the image is marked NX_COMPAT (the
firmware may then map data non-executable and code read-only).

    tools/pe_pack.py LOADER.EFI KERNEL.ELF SBAT.CSV OUT.EFI
"""

import os
import struct
import subprocess
import sys

SCN_EXEC, SCN_WRITE = 0x20000000, 0x80000000
NX_COMPAT = 0x0100
R_X86_64_RELATIVE = 8


def die(msg):
    sys.exit("pe_pack: " + msg)


def headers(data):
    """(offset of the optional header, number of sections, section table offset)."""
    if data[:2] != b"MZ":
        die("not a PE image (no MZ)")
    pe = struct.unpack_from("<I", data, 0x3c)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        die("not a PE image (no PE signature)")
    nsec, opt_size = struct.unpack_from("<H", data, pe + 6)[0], struct.unpack_from("<H", data, pe + 20)[0]
    return pe + 24, nsec, pe + 24 + opt_size


def sections(data):
    _, nsec, tab = headers(data)
    out = []
    for i in range(nsec):
        name, vsize, va, rawsize, rawptr = struct.unpack_from("<8sIIII", data, tab + 40 * i)
        flags = struct.unpack_from("<I", data, tab + 40 * i + 36)[0]
        out.append(dict(name=name.rstrip(b"\0").decode(), vsize=vsize, va=va, rawsize=rawsize,
                        rawptr=rawptr, flags=flags))
    return out


def pe_checksum(data, csum_off):
    """The PE checksum (16-bit one's-complement sum of the file, CheckSum
    itself read as zero, plus the length): firmware ignores it, tools show it."""
    buf = bytearray(data)
    buf[csum_off:csum_off + 4] = b"\0\0\0\0"
    if len(buf) % 2:
        buf += b"\0"
    s = 0
    for (w,) in struct.iter_unpack("<H", bytes(buf)):
        s += w
        s = (s & 0xffff) + (s >> 16)
    return ((s & 0xffff) + (s >> 16)) + len(data)


def nx_blockers(data):
    """Why the image cannot be NX_COMPAT (empty list: it can)."""
    secs = sections(data)
    why = []
    opt, _, _ = headers(data)
    if struct.unpack_from("<I", data, opt + 32)[0] != 4096:
        why.append("SectionAlignment is not 4096")
    for s in secs:
        if s["flags"] & SCN_EXEC and s["flags"] & SCN_WRITE:
            why.append("section %s is writable and executable" % s["name"])
        if s["va"] % 4096:
            why.append("section %s is not page aligned" % s["name"])
    # gnu-efi's _relocate patches the image from .rela at start-up: every
    # target must be writable, or a firmware mapping code read-only faults
    rela = next((s for s in secs if s["name"] == ".rela"), None)
    if rela:
        raw = data[rela["rawptr"]:rela["rawptr"] + rela["vsize"]]
        for off, info, _ in struct.iter_unpack("<QQq", raw[:len(raw) // 24 * 24]):
            if info & 0xffffffff == 0:
                continue
            home = next((s for s in secs if s["va"] <= off < s["va"] + s["vsize"]), None)
            if not home or not home["flags"] & SCN_WRITE:
                why.append("relocation at %#x patches %s" % (off, home and home["name"]))
    return why


def main(argv):
    if len(argv) != 5:
        die("usage: tools/pe_pack.py LOADER.EFI KERNEL.ELF SBAT.CSV OUT.EFI")
    loader, kernel, sbat, out = argv[1:]
    with open(loader, "rb") as f:
        data = f.read()
    names = [s["name"] for s in sections(data)]
    if ".kernel" in names or ".sbat" in names:
        die("%s already has a .kernel or .sbat section" % loader)
    end = max(s["va"] + max(s["vsize"], s["rawsize"]) for s in sections(data))
    sbat_va = (end + 4095) // 4096 * 4096
    kernel_va = (sbat_va + os.path.getsize(sbat) + 4095) // 4096 * 4096
    flags = "contents,alloc,load,readonly,data"
    tmp = out + ".tmp"
    # --strip-all: the COFF symbol table objcopy carries over is dead weight
    # the firmware never reads, and sbsign sees it as a gap after the sections
    subprocess.run(["objcopy", "--strip-all",
                    "--add-section", ".sbat=" + sbat, "--change-section-vma", ".sbat=%#x" % sbat_va,
                    "--set-section-flags", ".sbat=" + flags,
                    "--add-section", ".kernel=" + kernel,
                    "--change-section-vma", ".kernel=%#x" % kernel_va,
                    "--set-section-flags", ".kernel=" + flags, loader, tmp], check=True)
    with open(tmp, "rb") as f:
        data = bytearray(f.read())
    os.remove(tmp)
    why = nx_blockers(data)
    opt, _, _ = headers(data)
    if why:
        print("pe_pack: not NX_COMPAT: " + "; ".join(why), file=sys.stderr)
    else:
        dllc = struct.unpack_from("<H", data, opt + 70)[0]
        struct.pack_into("<H", data, opt + 70, dllc | NX_COMPAT)
    struct.pack_into("<I", data, opt + 64, pe_checksum(data, opt + 64))
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main(sys.argv)
