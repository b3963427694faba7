#!/usr/bin/env python3
"""The Debian package (make deb), installed into a temporary root with
dpkg -x (TAP): the files and their modes, the control fields, and the GRUB
entry that /etc/grub.d/25_metaslot writes, run against a stand-in for
GRUB's grub-mkconfig_lib (GRUB itself is not needed to build or test;
the stand-in answers the three questions the script asks GRUB: which
device, which path on it, how to reach it)."""

import glob
import gzip
import os
import stat
import subprocess
import tempfile

from tap import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.path.join(ROOT, "build")

# grub-mkconfig_lib's interface as 25_metaslot uses it
FAKE_LIB = r'''
grub_probe="$pkgdatadir/grub-probe"
make_system_path_relative_to_its_root() { echo "${1#$FAKE_ROOT}"; }
prepare_grub_to_access_device() {
	echo "insmod part_gpt"
	echo "insmod ext2"
	echo "search --no-floppy --fs-uuid --set=root 0123-4567 # $1"
}
grub_add_tab() { sed -e "s/^/	/"; }
gettext_printf() { fmt=$1; shift; printf "$fmt" "$@"; }
'''

EXPECTED_ENTRY = '''if [ "x$grub_platform" = xefi ]; then
	menuentry "metaslot memory audit" --class memtest --id metaslot {
		insmod part_gpt
		insmod ext2
		search --no-floppy --fs-uuid --set=root 0123-4567 # /dev/sda2
		chainloader "/usr/lib/metaslot/metaslot.efi"
	}
fi
'''


def grub_script(tmp, root, efivars=True, efi=None):
    lib = os.path.join(tmp, "grub")
    os.makedirs(lib, exist_ok=True)
    with open(os.path.join(lib, "grub-mkconfig_lib"), "w") as f:
        f.write(FAKE_LIB)
    probe = os.path.join(lib, "grub-probe")
    with open(probe, "w") as f:
        f.write("#!/bin/sh\necho /dev/sda2\n")
    os.chmod(probe, 0o755)
    sysfs = os.path.join(tmp, "sys-firmware-efi")
    os.makedirs(sysfs, exist_ok=True)
    env = dict(os.environ, pkgdatadir=lib, FAKE_ROOT=root,
               METASLOT_EFI=efi or os.path.join(root, "usr/lib/metaslot/metaslot.efi"),
               METASLOT_EFIVARS=sysfs if efivars else os.path.join(tmp, "absent"))
    return subprocess.run([os.path.join(root, "etc/grub.d/25_metaslot")], env=env,
                          capture_output=True, text=True)


debs = sorted(glob.glob(os.path.join(B, "metaslot_*_amd64.deb")))
check("make_deb_built_a_package", len(debs) == 1, "%s" % debs)
if debs:
    deb = debs[0]
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "root")
        subprocess.run(["dpkg", "-x", deb, root], check=True)
        info = subprocess.run(["dpkg-deb", "-f", deb, "Package", "Architecture", "Depends"],
                              capture_output=True, text=True, check=True).stdout
        check("control_names_the_package",
              "Package: metaslot" in info and "Architecture: amd64" in info and "mtools" in info,
              info)
        efi = os.path.join(root, "usr/lib/metaslot/metaslot.efi")
        with open(os.path.join(B, "BOOTX64.EFI"), "rb") as a:
            same = os.path.exists(efi) and open(efi, "rb").read() == a.read()
        check("installs_the_one_file_program", same, efi)

        def mode(p):
            return stat.S_IMODE(os.lstat(os.path.join(root, p)).st_mode)
        for path, m in (("etc/grub.d/25_metaslot", 0o755), ("usr/bin/metaslot-reports", 0o755),
                        ("usr/bin/metaslot-lastrun", 0o755),
                        ("usr/share/man/man8/metaslot.8.gz", 0o644),
                        ("usr/share/doc/metaslot/copyright", 0o644),
                        ("usr/share/doc/metaslot/changelog.Debian.gz", 0o644)):
            ok = os.path.exists(os.path.join(root, path)) and mode(path) == m
            check("installs_" + path.split("/")[-1].replace(".", "_").replace("-", "_"), ok,
                  "%s mode %s" % (path, oct(mode(path)) if os.path.exists(os.path.join(root, path)) else "missing"))
        with gzip.open(os.path.join(root, "usr/share/man/man8/metaslot.8.gz"), "rt") as f:
            check("man_page_is_troff", f.readline().startswith(".TH METASLOT 8"))
        conf = subprocess.run(["dpkg-deb", "--ctrl-tarfile", deb], capture_output=True).stdout
        check("grub_script_is_a_conffile", b"conffiles" in conf)

        r = grub_script(tmp, root)
        check("grub_entry_on_uefi_machines", r.returncode == 0 and r.stdout == EXPECTED_ENTRY,
              "status %d\n%s\n%s" % (r.returncode, r.stdout, r.stderr))
        check("grub_script_says_what_it_found", "Found metaslot memory audit" in r.stderr, r.stderr)
        r = grub_script(tmp, root, efivars=False)
        check("no_grub_entry_on_bios_machines", r.returncode == 0 and r.stdout == "", r.stdout)
        r = grub_script(tmp, root, efi=os.path.join(root, "usr/lib/metaslot/absent.efi"))
        check("no_grub_entry_without_the_program", r.returncode == 0 and r.stdout == "", r.stdout)
        r = subprocess.run([os.path.join(root, "usr/bin/metaslot-reports"),
                            os.path.join(B, "metaslot.img"), "--list"], capture_output=True, text=True)
        check("metaslot_reports_runs_from_the_package", r.returncode == 0, r.stderr)
        r = subprocess.run([os.path.join(root, "usr/bin/metaslot-lastrun"), "--file",
                            os.path.join(tmp, "no-such-variable"), "--prometheus"],
                           capture_output=True, text=True)
        check("metaslot_lastrun_runs_from_the_package",
              r.returncode == 3 and "metaslot_last_run_present 0" in r.stdout, r.stderr)
finish()
