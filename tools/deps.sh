#!/bin/sh
# Installs the Debian packages that the build, the image and the tests need,
# only when one is missing; uses sudo when not root. Safe to run every time.
set -eu

PKGS="build-essential binutils gnu-efi ovmf qemu-system-x86 qemu-utils mtools fdisk \
libcmocka-dev console-setup-linux python3 pkg-config sbsigntool openssl grub-efi-amd64-bin systemd-boot-efi"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps: not root and no sudo; install these packages:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
