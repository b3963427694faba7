#!/usr/bin/env python3
"""Checks of the built artefacts that no boot would notice at once (TAP):
kernel.elf is linked in the higher half and uses no SSE/MMX register (the
kernel saves none on interrupts), BOOTX64.EFI is a PE32+ EFI application for
x86-64, and the image has a GPT with one EFI system partition holding the
three files."""

import os
import re
import subprocess

from tap import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.path.join(ROOT, "build")


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
simd = [l for l in dis.splitlines() if re.search(r"%(x|y|z)mm\d|%mm\d", l)]
check("kernel_uses_no_sse_or_mmx", not simd, "\n".join(simd[:5]))

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

img = os.path.join(B, "metaslot.img")
parts = run("sfdisk", "-d", img)
esp = re.findall(r"start=\s*(\d+), size=\s*(\d+), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B", parts)
check("image_has_one_efi_system_partition", len(esp) == 1 and "label: gpt" in parts, parts)
if esp:
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    fs = "%s@@%d" % (img, int(esp[0][0]) * 512)
    for path in ("::/EFI/BOOT/BOOTX64.EFI", "::/EFI/METASLOT/KERNEL.ELF",
                 "::/EFI/METASLOT/METASLOT.CFG"):
        ok = subprocess.run(["mdir", "-i", fs, path], env=env, capture_output=True).returncode == 0
        check("image_holds_" + path.split("/")[-1].lower().replace(".", "_"), ok, path)
    # the FAT must end before the backup GPT (33 sectors at the end)
    size = os.path.getsize(img) // 512
    check("esp_clear_of_backup_gpt", int(esp[0][0]) + int(esp[0][1]) <= size - 33,
          "%s of %d sectors" % (esp[0], size))

finish()
