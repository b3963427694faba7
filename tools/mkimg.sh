#!/bin/sh
# Builds metaslot's bootable GPT disk image without root or loop devices:
# sfdisk writes the partition table, mtools formats and fills the EFI system
# partition (FAT32) in place.
#
#   tools/mkimg.sh IMAGE BOOTX64.EFI METASLOT.CFG   build an image
#   tools/mkimg.sh --config IMAGE METASLOT.CFG      replace its config
#
# Layout: 64 MiB disk; partition 1 (ESP) from 1 MiB to just before the backup
# GPT; \EFI\BOOT\BOOTX64.EFI (the removable-media path every UEFI PC boots;
# the kernel travels inside it) and \EFI\METASLOT\METASLOT.CFG (the folder the
# loader falls back to when none sits next to it; REPORTS goes there too).
set -eu

ESP_OFFSET=1M            # mtools' @@offset of the ESP
IMG_MIB=64
START=2048               # sectors
export MTOOLS_SKIP_CHECK=1

die() { echo "mkimg: $*" >&2; exit 1; }

if [ "${1:-}" = "--config" ]; then
	[ $# -eq 3 ] || die "usage: $0 --config IMAGE METASLOT.CFG"
	[ -f "$2" ] && [ -f "$3" ] || die "missing image or config file"
	mcopy -o -i "$2@@$ESP_OFFSET" "$3" ::/EFI/METASLOT/METASLOT.CFG
	exit 0
fi

[ $# -eq 3 ] || die "usage: $0 IMAGE BOOTX64.EFI METASLOT.CFG"
img=$1 loader=$2 cfg=$3
for f in "$loader" "$cfg"; do [ -f "$f" ] || die "missing $f"; done
command -v sfdisk >/dev/null || die "sfdisk not found (Debian package fdisk)"
command -v mformat >/dev/null || die "mformat not found (Debian package mtools)"

tmp="$img.tmp"
rm -f "$tmp"
truncate -s ${IMG_MIB}M "$tmp"
total=$((IMG_MIB * 2048))
# the backup GPT takes the last 33 sectors; keep the ESP clear of it
size=$((total - START - 34))
sfdisk -q "$tmp" <<EOT
label: gpt
first-lba: $START
start=$START, size=$size, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI System"
EOT
# -T: the FAT's size in sectors; without it mformat assumes the whole disk
mformat -i "$tmp@@$ESP_OFFSET" -F -T "$size" -v METASLOT ::
mmd -i "$tmp@@$ESP_OFFSET" ::/EFI ::/EFI/BOOT ::/EFI/METASLOT
mcopy -i "$tmp@@$ESP_OFFSET" "$loader" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$tmp@@$ESP_OFFSET" "$cfg" ::/EFI/METASLOT/METASLOT.CFG
mv "$tmp" "$img"
