"""Boot tests of the one-file program (issue 16): BOOTX64.EFI carries the
kernel, finds METASLOT.CFG and REPORTS next to itself (\\EFI\\METASLOT\\ as the
fallback), and starts however a boot manager starts it: as the removable-media
default, from the UEFI shell at another path, from a Boot#### entry, as a
GRUB chainloader entry, from a systemd-boot entry, and from a memory buffer
without any file system; and
Secure Boot (signed: runs; unsigned or tampered: refused by the firmware)."""

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
    \\EFI\\METASLOT\\METASLOT.CFG (standard audit, halt) stays as a decoy."""
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
    listed = subprocess.run([os.path.join(ROOT, "tools", "reports.sh"), img, "--list"],
                            capture_output=True, text=True).stdout
    if not saved or saved + ".json" not in listed:
        p.append("tools/reports.sh does not find them: %r" % listed)
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


# ---------------------------------------------------------------- Secure Boot
# Debian's SMM firmware with the snakeoil variable store: PK, KEK and db hold
# the snakeoil key that `make sign` uses by default (build/signed/).
SIGNED_IMG = os.path.join(ROOT, "build", "signed", "metaslot.img")
SIGNED_EFI = os.path.join(ROOT, "build", "signed", "BOOTX64.EFI")


def refused(proc, log, seconds=150):
    """on_running hook: stop QEMU once the firmware's boot manager reports
    that it would not load the image (or after `seconds`); with Secure Boot
    on, nothing else follows but the boot manager menu."""
    import time
    t0 = time.time()
    while proc.poll() is None and time.time() - t0 < seconds:
        time.sleep(1)
        try:
            with open(log, "rb") as f:
                text = f.read().decode("latin-1")
        except OSError:
            continue
        if "No bootable option" in text or ('{"ev":"' in text):
            time.sleep(1)
            break
    if proc.poll() is None:
        proc.kill()


def check_refused(b, what):
    p = []
    names = [e["ev"] for e in b.events]
    if names:
        p.append("%s: the loader ran under Secure Boot (events %s)" % (what, names[:3]))
    lines = [l for l in b.serial.splitlines() if "failed to load Boot" in l and "HARDDISK" in l]
    if not lines or not any(s in lines[0] for s in ("Access Denied", "Security Violation")):
        p.append("%s: no refusal from the firmware on the console: %r"
                 % (what, b.serial[-600:]))
    return p


@case
def secure_boot_runs_the_signed_file(d):
    """`make sign` (snakeoil key) output under Secure Boot: the firmware
    checks the signature, the loader says Secure Boot is on, the run passes."""
    img = qemu.prepare_image(d, SHUTDOWN_CFG + "stress_ops=2000\n", src=SIGNED_IMG)
    b = boot(d, image=img, mem="256M", vga=False, timeout=240, secure_boot=True)
    p = check_run(b, "256M")
    if (b.first("boot") or {}).get("secure_boot") is not True:
        p.append("boot event does not say Secure Boot is on: %s" % b.first("boot"))
    return p


@case
def secure_boot_refuses_unsigned_and_tampered_files(d):
    """The unsigned build, and the signed one with one byte of its kernel
    changed, are refused by the firmware: it reports the refusal and the
    loader never prints a single event."""
    import pe_pack  # tools/
    p = []
    img = qemu.prepare_image(d, SHUTDOWN_CFG)
    b = boot(d, image=img, mem="256M", vga=False, timeout=180, secure_boot=True,
             on_running=refused)
    p += check_refused(b, "unsigned")
    with open(SIGNED_EFI, "rb") as f:
        data = bytearray(f.read())
    k = next(s for s in pe_pack.sections(bytes(data)) if s["name"] == ".kernel")
    data[k["rawptr"] + 0x1234] ^= 0x01
    bad = os.path.join(d, "BOOTX64.EFI")
    with open(bad, "wb") as f:
        f.write(data)
    v = subprocess.run(["sbverify", "--cert", "/usr/share/ovmf/PkKek-1-snakeoil.pem", bad],
                       capture_output=True, text=True)
    if v.returncode == 0:
        p.append("sbverify accepts the tampered file: the byte is not covered by the hash")
    img = qemu.prepare_image(d, SHUTDOWN_CFG, src=SIGNED_IMG)
    rc, out = esp(img, "mcopy", "-o", bad, "::/EFI/BOOT/BOOTX64.EFI")
    if rc:
        return p + ["mcopy: " + out]
    b = boot(d, image=img, mem="256M", vga=False, timeout=180, secure_boot=True,
             on_running=refused)
    return p + check_refused(b, "tampered")


@case
def grub_chainloader_entry_starts_the_file(d):
    """GRUB (Debian's x86_64-efi build, grub-mkstandalone) as the removable
    default, with a menu entry like the one the package's 25_metaslot writes:
    it chainloads \\EFI\\tools\\metaslot.efi, passing its arguments as load
    options; the config next to the file applies too."""
    img = moved_image(d)
    put(d, img, "tools.cfg", "on_finish=shutdown\naudit=off\nstress_ops=555\n",
        "::/EFI/tools/METASLOT.CFG")
    cfg = os.path.join(d, "grub.cfg")
    with open(cfg, "w") as f:
        f.write('set timeout=0\nset default=metaslot\n'
                'menuentry "metaslot memory audit" --id metaslot {\n'
                '\tsearch --no-floppy --file --set=root /EFI/tools/metaslot.efi\n'
                '\tchainloader /EFI/tools/metaslot.efi smp=off\n}\n')
    grub = os.path.join(d, "grubx64.efi")
    subprocess.run(["grub-mkstandalone", "-O", "x86_64-efi", "-o", grub,
                    "--modules=part_gpt fat search chain",
                    "--locales=", "--fonts=", "--themes=",
                    "boot/grub/grub.cfg=" + cfg], check=True, capture_output=True)
    rc, out = esp(img, "mcopy", "-o", grub, "::/EFI/BOOT/BOOTX64.EFI")
    os.remove(grub)  # 3 MiB; the image keeps a copy when the test fails
    if rc:
        return ["mcopy grubx64.efi: " + out]
    b = boot(d, image=img, mem="256M", smp=2, vga=False, timeout=240)
    p = check_run(b, "256M") + where(b, "\\EFI\\tools\\metaslot.efi", "\\EFI\\tools\\")
    sm = b.first("summary") or {}
    if sm.get("cpus") != 1 or [e.get("ops") for e in b.all("stress")] != [555]:
        p.append("GRUB's argument or the file next to it not applied: %s %s"
                 % (sm, b.all("stress")))
    return p


@case
def systemd_boot_entry_starts_the_file(d):
    """systemd-boot (Debian's systemd-boot-efi) as the removable default
    with a loader entry `efi /EFI/tools/metaslot.efi` and options, the way
    the issue's boot-manager users write one."""
    img = moved_image(d)
    put(d, img, "tools.cfg", "on_finish=shutdown\naudit=off\nstress_ops=444\n",
        "::/EFI/tools/METASLOT.CFG")
    rc, out = esp(img, "mcopy", "-o", "/usr/lib/systemd/boot/efi/systemd-bootx64.efi",
                  "::/EFI/BOOT/BOOTX64.EFI")
    if rc:
        return ["mcopy systemd-bootx64.efi: " + out]
    esp(img, "mmd", "::/loader", "::/loader/entries")
    put(d, img, "loader.conf", "timeout 0\ndefault metaslot.conf\n", "::/loader/loader.conf")
    put(d, img, "metaslot.conf", "title metaslot memory audit\nefi /EFI/tools/metaslot.efi\n"
        "options smp=off\n", "::/loader/entries/metaslot.conf")
    b = boot(d, image=img, mem="256M", smp=2, vga=False, timeout=240)
    p = check_run(b, "256M") + where(b, "\\EFI\\tools\\metaslot.efi", "\\EFI\\tools\\")
    sm = b.first("summary") or {}
    if sm.get("cpus") != 1 or [e.get("ops") for e in b.all("stress")] != [444]:
        p.append("the entry's options or the file next to it not applied: %s %s"
                 % (sm, b.all("stress")))
    return p
