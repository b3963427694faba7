#!/bin/sh
# Prints metaslot's saved reports straight from an image or a USB stick, with
# mtools (no mount, no root for an image file).
#
#   tools/reports.sh build/metaslot.img        list the reports and print them
#   tools/reports.sh /dev/sdX --json           the JSON reports only
#   tools/reports.sh IMAGE --list              file names only
#
# The EFI system partition is found through the GPT (sfdisk), so a stick
# written with tools/write-usb.sh and one set up by hand both work. The
# reports are in REPORTS next to metaslot's config: \EFI\METASLOT\REPORTS on
# the stick image, else the first \EFI\<folder>\REPORTS that exists (the
# .efi installed elsewhere keeps them in its own folder).
set -eu

src=${1:?usage: tools/reports.sh IMAGE|DEVICE [--json|--text|--list]}
mode=${2:---text}
export MTOOLS_SKIP_CHECK=1
die() { echo "reports: $*" >&2; exit 1; }

[ -r "$src" ] || die "cannot read $src (a device may need sudo)"
command -v mtype >/dev/null || die "mtools not installed"
# start sector of the EFI system partition (type C12A7328-...), else partition 1
start=$(sfdisk -d "$src" 2>/dev/null | awk -F'[=,]' '
	/type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B/ { for (i = 1; i < NF; i++) if ($i ~ /start/) { print $(i+1) + 0; exit } }')
[ -n "$start" ] || start=$(sfdisk -d "$src" 2>/dev/null | awk -F'[=,]' '/start=/ { print $2 + 0; exit }')
[ -n "$start" ] || die "$src has no partition table"
fs="$src@@$((start * 512))"
dir=::/EFI/METASLOT/REPORTS
if ! mdir -b -i "$fs" "$dir" >/dev/null 2>&1; then
	for d in $(mdir -b -i "$fs" ::/EFI 2>/dev/null); do
		if mdir -b -i "$fs" "${d%/}/REPORTS" >/dev/null 2>&1; then dir=${d%/}/REPORTS; break; fi
	done
fi
files=$(mdir -b -i "$fs" "$dir" 2>/dev/null | sed 's|.*/||' | sort) || true
[ -n "$files" ] || { echo "no reports in $src"; exit 0; }
case "$mode" in
--list) echo "$files" ;;
--json) for f in $files; do case "$f" in *.json) mtype -i "$fs" "$dir/$f" ;; esac; done ;;
--text) for f in $files; do case "$f" in *.txt) mtype -i "$fs" "$dir/$f" | tr -d '\r'; echo ;; esac; done ;;
*) die "unknown option $mode" ;;
esac
