#!/usr/bin/env python3
"""Checks of the built artefacts that no boot would notice at once (TAP):
kernel.elf is linked in the higher half and uses no SSE/MMX register outside
the patterns' *_avx2/*_avx512 loops (the kernel saves none on interrupts),
BOOTX64.EFI is a PE32+ EFI application for x86-64 that carries the kernel in a .kernel section and shim's SBAT metadata
in .sbat, marked NX_COMPAT with no section both writable and executable, and
the image has a GPT with one EFI system partition holding the loader and the
config (the loader is the whole program: no KERNEL.ELF beside it)."""

import os
import re
import subprocess
import sys

from tap import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import pe_pack  # noqa: E402  (the PE reader the build uses)


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


kernel = os.path.join(B, "kernel.elf")
hdr = run("readelf", "-hlW", kernel)
entry = int(re.search(r"Entry point address:\s+0x([0-9a-f]+)", hdr).group(1), 16)
loads = [int(m, 16) for m in re.findall(r"LOAD\s+0x[0-9a-f]+\s+0x([0-9a-f]+)", hdr)]
check("kernel_linked_at_minus_2GiB", loads and min(loads) == 0xffffffff80000000,
      "LOAD vaddrs %s" % [hex(x) for x in loads])
check("kernel_entry_in_higher_half", entry >= 0xffffffff80000000, hex(entry))
dis = run("objdump", "-d", kernel)
# Vector registers only in functions named *_avx2 / *_avx512 (random_sequence's
# and mov_inv_walk64's vector loops, kernel/simd.h); everything else, interrupt paths included, is
# built -mgeneral-regs-only and must stay so.
simd, fn, vector_fns = [], "", set()
for line in dis.splitlines():
    m = re.match(r"[0-9a-f]+ <([^>]+)>:$", line)
    if m:
        fn = m.group(1)
    elif re.search(r"%(x|y|z)mm\d|%mm\d|%k[0-7]\b", line):
        if re.search(r"_avx(2|512)(\.\w+)*$", fn):
            vector_fns.add(fn)
        else:
            simd.append("%s: %s" % (fn, line))
check("kernel_uses_no_sse_or_mmx_outside_vector_loops", not simd, "\n".join(simd[:5]))
check("vector_loops_in_kernel",
      {"fill_avx2", "check_avx2", "fill_avx512", "check_avx512", "up_avx2", "down_avx2",
       "up_avx512", "down_avx512"} <= vector_fns, sorted(vector_fns))

efi = os.path.join(B, "BOOTX64.EFI")
with open(efi, "rb") as f:
    data = f.read()
pe = int.from_bytes(data[0x3c:0x40], "little")
machine = int.from_bytes(data[pe + 4:pe + 6], "little")
magic = int.from_bytes(data[pe + 24:pe + 26], "little")
subsystem = int.from_bytes(data[pe + 24 + 68:pe + 24 + 70], "little")
check("loader_is_pe32plus_x86_64_efi_app",
      data[:2] == b"MZ" and data[pe:pe + 4] == b"PE\0\0" and machine == 0x8664 and
      magic == 0x20b and subsystem == 10,
      "machine %#x magic %#x subsystem %d" % (machine, magic, subsystem))
secs = {s["name"]: s for s in pe_pack.sections(data)}


def section_bytes(name):
    s = secs.get(name)
    return data[s["rawptr"]:s["rawptr"] + s["vsize"]] if s else b""


with open(os.path.join(B, "kernel.strip.elf"), "rb") as f:
    check("loader_carries_the_kernel_section", section_bytes(".kernel") == f.read(),
          "sections %s" % sorted(secs))
sbat = section_bytes(".sbat").decode("ascii", "replace").splitlines()
check("sbat_section_in_shim_format",
      len(sbat) == 2 and sbat[0] == "sbat,1,SBAT Version,sbat,1,"
      "https://github.com/rhboot/shim/blob/main/SBAT.md" and
      re.fullmatch(r"metaslot,\d+,metaslot,metaslot,[^,]+,[^,]+", sbat[1]) is not None, sbat)
wx = [n for n, s in secs.items()
      if s["flags"] & pe_pack.SCN_EXEC and s["flags"] & pe_pack.SCN_WRITE]
check("no_section_writable_and_executable", not wx, wx)
opt = pe + 24
check("loader_is_nx_compat",
      int.from_bytes(data[opt + 70:opt + 72], "little") & pe_pack.NX_COMPAT != 0,
      "DllCharacteristics %#x" % int.from_bytes(data[opt + 70:opt + 72], "little"))

img = os.path.join(B, "metaslot.img")
parts = run("sfdisk", "-d", img)
esp = re.findall(r"start=\s*(\d+), size=\s*(\d+), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B", parts)
check("image_has_one_efi_system_partition", len(esp) == 1 and "label: gpt" in parts, parts)
if esp:
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    fs = "%s@@%d" % (img, int(esp[0][0]) * 512)
    for path in ("::/EFI/BOOT/BOOTX64.EFI", "::/EFI/METASLOT/METASLOT.CFG"):
        ok = subprocess.run(["mdir", "-i", fs, path], env=env, capture_output=True).returncode == 0
        check("image_holds_" + path.split("/")[-1].lower().replace(".", "_"), ok, path)
    ok = subprocess.run(["mdir", "-i", fs, "::/EFI/METASLOT/KERNEL.ELF"], env=env,
                        capture_output=True).returncode != 0
    check("image_has_no_separate_kernel_file", ok, "KERNEL.ELF still on the ESP")
    # the FAT must end before the backup GPT (33 sectors at the end)
    size = os.path.getsize(img) // 512
    check("esp_clear_of_backup_gpt", int(esp[0][0]) + int(esp[0][1]) <= size - 33,
          "%s of %d sectors" % (esp[0], size))

finish()
