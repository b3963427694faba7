"""Boot tests of the one-file program (issue 16): BOOTX64.EFI carries the
kernel, finds METASLOT.CFG and REPORTS next to itself (\\EFI\\METASLOT\\ as the
fallback), and starts however a boot manager starts it: as the removable-media
default, from the UEFI shell at another path, from a Boot#### entry, and from
a memory buffer without any file system."""

import os
import subprocess

import qemu
from cases import ROOT, SHUTDOWN_CFG, boot, case, check_run

MT = dict(os.environ, MTOOLS_SKIP_CHECK="1")
MEMLOAD = os.path.join(ROOT, "build", "test-efi", "memload.efi")


def esp(img, *cmd):
    """An mtools command on the image's ESP; returns (status, output)."""
    r = subprocess.run([cmd[0], "-i", img + "@@1M"] + list(cmd[1:]), env=MT,
                       capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def put(d, img, name, text, dest):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    rc, out = esp(img, "mcopy", "-o", path, dest)
    if rc:
        raise RuntimeError("mcopy %s: %s" % (dest, out))


def moved_image(d, dest="::/EFI/tools/metaslot.efi"):
    """The stick image with BOOTX64.EFI moved away (so the firmware falls
    through to the shell and its startup.nsh) to `dest`; the stick's own
    \\EFI\\METASLOT\\METASLOT.CFG (full audit, halt) stays as a decoy."""
    img = qemu.prepare_image(d, None)
    folder = dest.rsplit("/", 1)[0]
    esp(img, "mmd", folder)
    rc, out = esp(img, "mmove", "::/EFI/BOOT/BOOTX64.EFI", dest)
    if rc:
        raise RuntimeError("mmove: " + out)
    return img


def where(b, image_path, home, filesystem=True):
    """The boot event's account of where the image came from (FAT names are
    case-insensitive: a boot entry may hold the name in capitals)."""
    e = b.first("boot") or {}
    want = {"image_path": image_path.upper(), "home": home.upper(), "filesystem": filesystem}
    got = {k: e.get(k).upper() if isinstance(e.get(k), str) else e.get(k) for k in want}
    return [] if got == want else ["boot event says %s, expected %s" % (got, want)]


@case
def removable_default_path_finds_its_config_in_the_fallback(d):
    """The image as built: \\EFI\\BOOT\\BOOTX64.EFI started by the firmware's
    removable-media default; no config beside it, so \\EFI\\METASLOT\\ is home."""
    b = boot(d, mem="128M", vga=False)
    return check_run(b, "128M") + where(b, "\\EFI\\BOOT\\BOOTX64.EFI", "\\EFI\\METASLOT\\")


@case
def shell_start_from_another_path_uses_the_folder_next_to_it(d):
    """\\EFI\\tools\\metaslot.efi started from startup.nsh: its own
    METASLOT.CFG wins over \\EFI\\METASLOT\\'s, and the next boot writes the
    report files into \\EFI\\tools\\REPORTS, not \\EFI\\METASLOT\\REPORTS."""
    img = moved_image(d)
    put(d, img, "tools.cfg", "on_finish=shutdown\naudit=off\nstress_ops=1234\nsmp=off\n",
        "::/EFI/tools/METASLOT.CFG")
    put(d, img, "startup.nsh", "fs0:\\EFI\\tools\\metaslot.efi\r\n", "::/startup.nsh")
    b1 = boot(d, image=img, mem="256M", vga=False, timeout=240)
    p = ["boot 1: " + x for x in check_run(b1, "256M")]
    p += where(b1, "\\EFI\\tools\\metaslot.efi", "\\EFI\\tools\\")
    if [e.get("ops") for e in b1.all("stress")] != [1234] or not (b1.first("config") or {}).get("file"):
        p.append("the config next to the image was not the one applied: %s" % b1.all("stress"))
    saved = (b1.first("report_saved") or {}).get("run_id")
    b2 = boot(d, image=img, mem="256M", vga=False, timeout=240, keep_vars=True)
    p += ["boot 2: " + x for x in check_run(b2, "256M")]
    last = b2.first("last_run") or {}
    if not saved or last.get("status") != "reports_written" or last.get("run_id") != saved:
        p.append("boot 2 last_run %s, boot 1 saved %s" % (last, saved))
    rc, out = esp(img, "mdir", "-b", "::/EFI/tools/REPORTS")
    if rc or not saved or saved + ".json" not in out:
        p.append("no report for %s in \\EFI\\tools\\REPORTS: %s" % (saved, out))
    rc, out = esp(img, "mdir", "-b", "::/EFI/METASLOT/REPORTS")
    if rc == 0 and out.strip():
        p.append("reports went to the fallback folder too: %s" % out)
    return p


@case
def memory_buffer_start_runs_on_load_options_alone(d):
    """A boot manager that starts the image from a memory buffer
    (test/boot/memload.c: LoadImage with no device path): no file system, so
    the config comes from the load options only (the METASLOT.CFG files on
    the ESP are not read), the boot event says so, and the record stays in the
    variable: the next such start sees it (status no_filesystem) and writes
    no report file anywhere."""
    img = moved_image(d, "::/EFI/tools/payload.efi")
    put(d, img, "tools.cfg", "stress_ops=777\n", "::/EFI/tools/METASLOT.CFG")
    rc, out = esp(img, "mcopy", MEMLOAD, "::/memload.efi")
    if rc:
        return ["mcopy memload.efi: " + out]
    put(d, img, "startup.nsh", "fs0:\\memload.efi \\EFI\\tools\\payload.efi on_finish=shutdown "
        "audit=off stress_ops=300 smp=off\r\n", "::/startup.nsh")
    p, runs = [], []
    for i in range(2):
        b = boot(d, image=img, mem="256M", vga=False, timeout=240, keep_vars=i > 0)
        runs.append(b)
        p += ["boot %d: %s" % (i + 1, x) for x in check_run(b, "256M")]
        if "memload: LoadImage from a" not in b.serial:
            p.append("boot %d: memload did not load the image from a buffer" % (i + 1))
        p += ["boot %d: %s" % (i + 1, x) for x in where(b, "", "", filesystem=False)]
        c = b.first("config") or {}
        if c.get("file") is not False or [e.get("ops") for e in b.all("stress")] != [300]:
            p.append("boot %d: config not from the load options alone: %s %s"
                     % (i + 1, c, b.all("stress")))
        if "started without a file system" not in b.serial:
            p.append("boot %d: the run does not say it has no file system" % (i + 1))
        if not b.first("report_saved"):
            p.append("boot %d: record not kept in the variable: %s"
                     % (i + 1, b.first("report_not_saved")))
    saved = (runs[0].first("report_saved") or {}).get("run_id")
    last = runs[1].first("last_run") or {}
    if not saved or last.get("status") != "no_filesystem" or last.get("run_id") != saved:
        p.append("boot 2 last_run %s, boot 1 saved %s" % (last, saved))
    for folder in ("::/EFI/tools/REPORTS", "::/EFI/METASLOT/REPORTS", "::/EFI/BOOT/REPORTS"):
        rc, out = esp(img, "mdir", "-b", folder)
        if rc == 0 and out.strip():
            p.append("report files written without a file system?: %s" % out)
    return p


@case
def boot_manager_entry_starts_the_file(d):
    """A Boot#### entry made with the shell's `bcfg boot add` (as an OS
    installer or a person would), then reset; the next start (startup.nsh
    gone) runs \\EFI\\tools\\metaslot.efi from that entry."""
    img = moved_image(d)
    put(d, img, "tools.cfg", SHUTDOWN_CFG + "stress_ops=0\nsmp=off\n", "::/EFI/tools/METASLOT.CFG")
    put(d, img, "startup.nsh", "bcfg boot add 0 fs0:\\EFI\\tools\\metaslot.efi "
        "\"metaslot memory audit\"\r\nreset\r\n", "::/startup.nsh")
    b1 = boot(d, image=img, mem="256M", vga=False, timeout=200)
    p = []
    if b1.first("boot") or b1.timed_out:
        p.append("boot 1 should only add the entry and reset (timed out: %s)" % b1.timed_out)
    esp(img, "mdel", "::/startup.nsh")
    b2 = boot(d, image=img, mem="256M", vga=False, timeout=200, keep_vars=True)
    p += ["boot 2: " + x for x in check_run(b2, "256M")]
    p += ["boot 2: " + x for x in where(b2, "\\EFI\\tools\\metaslot.efi", "\\EFI\\tools\\")]
    # OVMF's boot manager names the entry it starts on the console
    if not any("starting Boot" in l and '"metaslot memory audit"' in l for l in b2.serial.splitlines()):
        p.append("boot 2 was not started from the Boot#### entry")
    return p
