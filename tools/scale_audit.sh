#!/bin/sh
# How the in-kernel audit scales with CPUs: boots the built image under
# QEMU 10's TCG (q35, one vCPU thread each) with -smp 1, 2, 4, 8, 16 and
# prints, for each, the audit's passes time from its audit_result event, as
# one JSON line:
#   {"bench":"scale_audit","smp":16,"audit_ms":...,"speedup":...,"result":"pass",...}
# speedup is the -smp 1 time over this one (goal at 16 on 16 free cores: >= 14).
#
# From the repository root. Needs only sh, coreutils, sed, awk, and
# build/qemu10 (tools/deps.sh unpacks it); no python, no mtools, no system
# QEMU or OVMF when `tools/scale_audit.sh --prepare` was run first on a
# machine that has them (it writes everything the run needs under build/):
#   build/scale/metaslot.img   the image with the run's METASLOT.CFG
#   build/qemu10/ovmf/         OVMF code and variable store
#   build/qemu10/hostlibs/     the shared libraries QEMU loads, ld-linux too
# Without --prepare the same is done at the start when the tools are there.
# QEMU runs through build/qemu10's own ld-linux when it holds one.
#
# Environment: SMPS (default "1 2 4 8 16"), MEM (default 4G), TIMEOUT
# seconds per boot (default 1800), IMAGE (default build/metaslot.img).
set -eu

ROOT=$(pwd)
Q=$ROOT/build/qemu10
OUT=$ROOT/build/scale
SMPS=${SMPS:-1 2 4 8 16}
MEM=${MEM:-4G}
TIMEOUT=${TIMEOUT:-1800}
IMAGE=${IMAGE:-$ROOT/build/metaslot.img}
CFG="on_finish=shutdown
audit=quick
stress_ops=0
"

die() { echo "scale_audit: $*" >&2; exit 1; }

[ -x "$Q/root/usr/bin/qemu-system-x86_64" ] ||
	die "no QEMU 10 in build/qemu10 (tools/deps.sh unpacks it); run from the repository root"
mkdir -p "$OUT"

# ---------------------------------------------------------------- preparing
prep_image() {
	command -v mcopy >/dev/null 2>&1 || return 1
	[ -f "$IMAGE" ] || die "no image $IMAGE (make all)"
	printf '%s' "$CFG" > "$OUT/METASLOT.CFG"
	cp --sparse=always "$IMAGE" "$OUT/metaslot.img.new"
	"$ROOT/tools/mkimg.sh" --config "$OUT/metaslot.img.new" "$OUT/METASLOT.CFG" >/dev/null
	mv "$OUT/metaslot.img.new" "$OUT/metaslot.img"
}

prep_ovmf() {
	for d in /usr/share/OVMF /usr/share/ovmf /usr/share/qemu; do
		if [ -f "$d/OVMF_CODE_4M.fd" ] && [ -f "$d/OVMF_VARS_4M.fd" ]; then
			mkdir -p "$Q/ovmf"
			cp "$d/OVMF_CODE_4M.fd" "$d/OVMF_VARS_4M.fd" "$Q/ovmf/"
			return 0
		fi
	done
	return 1
}

# every library the binary resolves here, and the dynamic loader itself
prep_libs() {
	command -v ldd >/dev/null 2>&1 || return 1
	libs=$(find "$Q/root" -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u | tr '\n' ':')
	mkdir -p "$Q/hostlibs"
	LD_LIBRARY_PATH="$libs" ldd "$Q/root/usr/bin/qemu-system-x86_64" |
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\) .*/\1/p' |
		while read -r lib; do cp -L "$lib" "$Q/hostlibs/"; done
}

if [ "${1:-}" = --prepare ]; then
	prep_image || die "cannot write the image's config here (mtools missing?)"
	prep_ovmf || die "no OVMF_CODE_4M.fd / OVMF_VARS_4M.fd on this machine"
	prep_libs || die "ldd missing"
	echo "scale_audit: build/scale/metaslot.img, build/qemu10/ovmf and build/qemu10/hostlibs ready"
	exit 0
fi
prep_image 2>/dev/null || [ -f "$OUT/metaslot.img" ] ||
	die "no build/scale/metaslot.img and no mtools to make it: run --prepare where make all ran"
[ -f "$Q/ovmf/OVMF_CODE_4M.fd" ] || prep_ovmf ||
	die "no OVMF: run --prepare on a machine with Debian's ovmf package"

# ---------------------------------------------------------------- QEMU
# libraries: build/qemu10's own first, then what --prepare copied
LIBS=$(find "$Q/root" -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u | tr '\n' ':')
[ -d "$Q/hostlibs" ] && LIBS="$LIBS$Q/hostlibs"
LDSO=$(find "$Q/hostlibs" "$Q/root" -name 'ld-linux-x86-64.so*' 2>/dev/null | head -n 1 || true)
export QEMU_MODULE_DIR="$Q/root/usr/lib/x86_64-linux-gnu/qemu"

BIN=$Q/root/usr/bin/qemu-system-x86_64

# qemu SECONDS ARGS...: QEMU 10 under `timeout`, through its own loader when
# build/qemu10 has one
qemu() {
	t=$1
	shift
	if [ -n "$LDSO" ]; then
		timeout "$t" "$LDSO" --library-path "$LIBS" "$BIN" "$@"
	else
		LD_LIBRARY_PATH="$LIBS" timeout "$t" "$BIN" "$@"
	fi
}

qemu 60 -L "$Q/root/usr/share/qemu" --version >/dev/null 2>&1 ||
	die "QEMU 10 does not start: $(qemu 60 --version 2>&1 | head -n 3)"

# a value from a one-line JSON event: field NAME of LINE (numbers, strings)
field() {
	printf '%s\n' "$2" | sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

base=""
for n in $SMPS; do
	d=$OUT/smp$n
	rm -rf "$d"
	mkdir -p "$d"
	cp --sparse=always "$OUT/metaslot.img" "$d/metaslot.img"
	cp "$Q/ovmf/OVMF_VARS_4M.fd" "$d/vars.fd"
	t0=$(date +%s)
	rc=0
	qemu "$TIMEOUT" -L "$Q/root/usr/share/qemu" \
		-machine q35 -accel tcg,thread=multi,tb-size=256 -m "$MEM" -smp "$n" \
		-nodefaults -nic none -no-reboot -display none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$Q/ovmf/OVMF_CODE_4M.fd" \
		-drive "if=pflash,format=raw,unit=1,file=$d/vars.fd" \
		-drive "if=none,id=stick,format=raw,file=$d/metaslot.img" \
		-device ide-hd,drive=stick,bus=ide.0 \
		-serial "file:$d/serial.log" >"$d/qemu.out" 2>&1 || rc=$?
	wall=$(( $(date +%s) - t0 ))
	rm -f "$d/metaslot.img"
	ev=$(grep -a '^{"ev":"audit_result"' "$d/serial.log" 2>/dev/null | tail -n 1 || true)
	sm=$(grep -a '^{"ev":"summary"' "$d/serial.log" 2>/dev/null | tail -n 1 || true)
	ms=$(field ms "$ev")
	result=$(field result "$sm")
	if [ -z "$ms" ]; then
		printf '{"bench":"scale_audit","smp":%s,"error":"no audit_result event (qemu exit %s, %ss; see %s)"}\n' \
			"$n" "$rc" "$wall" "build/scale/smp$n/serial.log"
		continue
	fi
	[ -n "$base" ] || { [ "$n" = 1 ] && base=$ms; }
	speed=$(awk -v b="${base:-0}" -v m="$ms" 'BEGIN { if (b > 0 && m > 0) printf "%.2f", b / m; else printf "null" }')
	printf '{"bench":"scale_audit","smp":%s,"mem":"%s","audit_ms":%s,"speedup":%s,"tested_frames":%s,"gbps":%s,"result":"%s","boot_s":%s}\n' \
		"$n" "$MEM" "$ms" "$speed" "$(field tested_frames "$ev")" "$(field gbps "$ev")" \
		"${result:-none}" "$wall"
done
