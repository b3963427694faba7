#!/bin/sh
# Writes build/metaslot.img to a USB stick, safely: the device must be named
# explicitly, must be a whole USB/removable disk with nothing mounted, and you
# confirm by typing its name. Everything on the stick is destroyed.
#
#   tools/write-usb.sh /dev/sdX [IMAGE]
set -eu

dev=${1:-}
img=${2:-build/metaslot.img}
die() { echo "write-usb: $*" >&2; exit 1; }

[ -n "$dev" ] || { echo "usage: $0 /dev/sdX [IMAGE]"; echo; \
	echo "USB and removable disks on this machine:"; \
	lsblk -d -o NAME,TRAN,RM,SIZE,MODEL | awk 'NR==1 || $2=="usb" || $3=="1"'; exit 1; }
[ -f "$img" ] || die "$img not found; run make first"
[ -b "$dev" ] || die "$dev is not a block device"
[ "$(lsblk -dno TYPE "$dev")" = disk ] || die "$dev is not a whole disk (give /dev/sdX, not a partition)"
tran=$(lsblk -dno TRAN "$dev" | tr -d ' ')
rm=$(lsblk -dno RM "$dev" | tr -d ' ')
[ "$tran" = usb ] || [ "$rm" = 1 ] || die "$dev is neither USB nor removable; refusing"
if lsblk -no MOUNTPOINT "$dev" | grep -q .; then
	die "$dev has mounted partitions; unmount them first"
fi
lsblk -o NAME,TRAN,SIZE,MODEL,SERIAL "$dev"
printf '\nEverything on %s will be destroyed. Type the device name (%s) to continue: ' "$dev" "$dev"
read -r answer
[ "$answer" = "$dev" ] || die "not confirmed; nothing written"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO dd if="$img" of="$dev" bs=4M conv=fsync status=progress
sync
echo "write-usb: done; boot the target machine from the stick (UEFI mode)."
