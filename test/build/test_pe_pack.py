#!/usr/bin/env python3
"""tools/pe_pack.py's judgement (TAP): it marks the loader NX_COMPAT only when
that is true, and packs the kernel and SBAT where the loader looks for them.
Run on the real build/loader.efi, as built and with section flags changed
the way a careless linker script would leave them."""

import os
import subprocess
import sys
import tempfile

from tap import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import pe_pack  # noqa: E402


def pack(tmp, loader, name):
    out = os.path.join(tmp, name)
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "pe_pack.py"), loader,
                        os.path.join(B, "kernel.strip.elf"), os.path.join(B, "sbat.csv"), out],
                       capture_output=True, text=True)
    with open(out, "rb") as f:
        data = f.read()
    opt, _, _ = pe_pack.headers(data)
    nx = int.from_bytes(data[opt + 70:opt + 72], "little") & pe_pack.NX_COMPAT
    return data, nx, r.stderr


with tempfile.TemporaryDirectory() as tmp:
    loader = os.path.join(B, "loader.efi")
    data, nx, err = pack(tmp, loader, "ok.efi")
    check("loader_as_built_is_nx_compat", nx and not err, err)
    secs = [s["name"] for s in pe_pack.sections(data)]
    check("sbat_then_kernel_after_the_loader", secs[-2:] == [".sbat", ".kernel"], secs)
    wx = os.path.join(tmp, "wx.efi")
    subprocess.run(["objcopy", "--set-section-flags", ".data=contents,alloc,load,data,code",
                    loader, wx], check=True)
    _, nx, err = pack(tmp, wx, "wx_out.efi")
    check("writable_executable_section_blocks_nx", not nx and ".data is writable and executable"
          in err, err)
    # .data read-only (objcopy cannot clear a PE section's write bit: edit it)
    with open(loader, "rb") as f:
        raw = bytearray(f.read())
    _, nsec, tab = pe_pack.headers(raw)
    for i in range(nsec):
        if raw[tab + 40 * i:tab + 40 * i + 8].rstrip(b"\0") == b".data":
            flags = int.from_bytes(raw[tab + 40 * i + 36:tab + 40 * i + 40], "little")
            raw[tab + 40 * i + 36:tab + 40 * i + 40] = (flags & ~pe_pack.SCN_WRITE).to_bytes(4, "little")
    # (objcopy would set the bit again when packing, so ask the check itself)
    why = pe_pack.nx_blockers(bytes(raw))
    check("relocation_into_readonly_section_blocks_nx",
          any(w.startswith("relocation at") and w.endswith(".data") for w in why), why)
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "pe_pack.py"),
                        os.path.join(tmp, "ok.efi"), os.path.join(B, "kernel.strip.elf"),
                        os.path.join(B, "sbat.csv"), os.path.join(tmp, "twice.efi")],
                       capture_output=True, text=True)
    check("refuses_to_pack_twice", r.returncode != 0 and "already has" in r.stderr, r.stderr)
finish()
