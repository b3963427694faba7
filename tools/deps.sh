#!/bin/sh
# Installs the Debian packages that the build, the image and the tests need,
# only when one is missing; uses sudo when not root. Then fetches QEMU 10
# into build/qemu10/ (see fetch_qemu10). Safe to run every time: each part
# returns at once when its work is already done.
# `tools/deps.sh fuzz` adds what `make fuzz` (and `make test`'s fuzz smoke
# test) need: clang, its libFuzzer/sanitizer runtimes (a Recommends of
# clang's, so named here) and llvm-symbolizer for readable crash stacks.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)

PKGS="build-essential binutils gnu-efi ovmf qemu-system-x86 qemu-utils mtools fdisk \
libcmocka-dev console-setup-linux python3 pkg-config sbsigntool openssl grub-efi-amd64-bin systemd-boot-efi"
if [ "${1:-}" = fuzz ]; then
	PKGS="$PKGS clang libclang-rt-dev llvm"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# Installs what is missing (the system's apt, sudo when not root).
install_missing() {
	[ -z "$missing" ] && return 0
	echo "deps: installing:$missing"
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null 2>&1; then
			echo "deps: not root and no sudo; install these packages:$missing" >&2
			return 1
		fi
		SUDO="sudo"
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -q --no-install-recommends $missing
}

# QEMU 10 from Debian's bookworm-backports, unpacked under build/qemu10/root:
# QEMU 7.2's TCG has no x2APIC, so only this one boots the x2APIC / APIC ids
# above 255 tests (test/boot/cases_cpus.py; tools/qemu.py qemu10()). apt runs
# with a private sources list, lists and cache under build/qemu10/apt, so the
# system's apt configuration and dpkg database stay as they were; nothing is
# installed, the .debs are only unpacked (dpkg -x). Packages the binary needs
# that this system lacks are fetched and unpacked alongside. A failure here
# is reported, not fatal: those boot tests then fail saying why.
QEMU10="$ROOT/build/qemu10"
QEMU10_PKGS="qemu-system-x86 qemu-system-common qemu-system-data"

fetch_qemu10() {
	[ -f "$QEMU10/.complete" ] && return 0
	command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 || return 1
	echo "deps: fetching QEMU 10 from bookworm-backports into build/qemu10"
	rm -rf "$QEMU10"
	mkdir -p "$QEMU10/apt/lists/partial" "$QEMU10/apt/cache/archives/partial" \
		"$QEMU10/debs" "$QEMU10/root"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	for suite in bookworm bookworm-backports; do
		echo "deb [signed-by=$key] http://deb.debian.org/debian $suite main"
	done > "$QEMU10/apt/sources.list"
	set -- -q -o Dir::Etc::sourcelist="$QEMU10/apt/sources.list" \
		-o Dir::Etc::sourceparts=- -o Dir::State::Lists="$QEMU10/apt/lists" \
		-o Dir::Cache="$QEMU10/apt/cache" -o Debug::NoLocking=1
	apt-get "$@" update >"$QEMU10/apt/update.log" 2>&1 || return 1
	want=""
	for p in $QEMU10_PKGS; do
		want="$want $p/bookworm-backports"
	done
	# first-level dependencies this system does not have (libraries, mostly)
	deps=$(apt-cache "$@" show qemu-system-x86/bookworm-backports \
		qemu-system-common/bookworm-backports |
		sed -n 's/^Depends: //p' | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/:any//; s/ //g' |
		grep -v '^qemu-system-' | sort -u)
	for p in $deps; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			want="$want $p"
	done
	# shellcheck disable=SC2086
	(cd "$QEMU10/debs" && apt-get "$@" download $want) >"$QEMU10/apt/download.log" 2>&1 ||
		return 1
	for d in "$QEMU10"/debs/*.deb; do
		dpkg -x "$d" "$QEMU10/root" || return 1
	done
	bin="$QEMU10/root/usr/bin/qemu-system-x86_64"
	libs=$(find "$QEMU10/root" -name 'lib*.so*' -printf '%h\n' | sort -u | tr '\n' ':')
	if LD_LIBRARY_PATH="$libs" ldd "$bin" | grep -q 'not found'; then
		LD_LIBRARY_PATH="$libs" ldd "$bin" | grep 'not found' >&2
		return 1
	fi
	QEMU_MODULE_DIR="$QEMU10/root/usr/lib/x86_64-linux-gnu/qemu" LD_LIBRARY_PATH="$libs" \
		"$bin" --version | head -n 1 | sed 's/^/deps: /'
	echo "$libs" > "$QEMU10/.libpath"
	rm -rf "$QEMU10/debs" "$QEMU10/apt/cache" "$QEMU10/apt/lists"  # unpacked: 100 MiB less
	touch "$QEMU10/.complete"
}

install_missing
fetch_qemu10 || echo "deps: could not fetch QEMU 10 (see build/qemu10/apt/*.log);" \
	"the x2APIC boot tests will fail" >&2
