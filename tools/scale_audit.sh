#!/bin/sh
# How the in-kernel audit scales with CPUs: boots the built image under
# QEMU 10's TCG (q35, one host thread per vCPU) with -smp 1, 2, 4, 8, 16 and
# prints, for each, the audit's passes time from its audit_result event, as
# one JSON line:
#   {"bench":"scale_audit","smp":16,"audit_ms":...,"speedup":...,"result":"pass",
#    "time_ms":{"grab":...,"sweep":...,"wait":...,...},"sweep_ms_min":...,
#    "sweep_ms_max":...,"patterns_ms":{"own_address":...},"journal_ms":...,...}
# speedup is the -smp 1 time over this one (goal at 16 on 16 free cores: >= 14).
# time_ms is audit_result's: where the boot CPU's time went (its steps add up
# to audit_ms; docs/audit.md, "Where the time goes"); sweep_ms_min/max the
# fastest and slowest CPU's sweeps; patterns_ms each pattern_done's ms;
# journal_ms the journal's writes after each pattern (part of time_ms.safe).
#
# From the repository root. Needs sh, coreutils, GNU find, sed, awk, gzip, tar
# and build/qemu10 (tools/deps.sh unpacks it there); nothing else when
# build/scale-kit/ is there, which `tools/scale_audit.sh --prepare` writes on
# a machine that built the image (about 43 MiB; build/qemu10 itself, 85 MiB,
# need not travel):
#   metaslot.img.gz   the image with this run's METASLOT.CFG
#   ovmf/             OVMF code and variable store (Debian's ovmf)
#   hostlibs/         the shared libraries QEMU 10 loads here, ld-linux too
#   qemu10.tar.gz     QEMU 10's x86-64 system emulator, its data files and
#                     modules, unpacked into build/qemu10 where that has none
# Where mtools and build/metaslot.img are, the image is made afresh; where
# Debian's OVMF is, it is used. Libraries: build/qemu10's own first (through
# its own ld-linux when it holds one), then the kit's.
#
# Environment: SMPS (default "1 2 4 8 16"), MEM (default 4G), TIMEOUT
# seconds per boot (default 1800), IMAGE (default build/metaslot.img),
# PREALLOC (default 1): guest RAM backed by host memory before the guest
# starts (memory-backend-ram prealloc=on, one thread per host CPU). QEMU
# otherwise maps guest RAM on its first write, so the audit's first sweep
# would also time the host kernel's page faults and zeroing, an emulator
# cost a real machine does not have; PREALLOC=0 keeps it, to compare.
# BASE_MS: the -smp 1 audit_ms that speedup divides, when SMPS has no 1
# (an earlier run's, same MEM and PREALLOC). CFG_EXTRA: more config lines
# for the run (e.g. "journal_spacing=0" to time a journal write after every
# pattern); --prepare packs them into the kit's image.
set -eu

ROOT=$(pwd)
Q=$ROOT/build/qemu10
KIT=$ROOT/build/scale-kit
OUT=$ROOT/build/scale
SMPS=${SMPS:-1 2 4 8 16}
MEM=${MEM:-4G}
TIMEOUT=${TIMEOUT:-1800}
PREALLOC=${PREALLOC:-1}
IMAGE=${IMAGE:-$ROOT/build/metaslot.img}
CFG="on_finish=shutdown
audit=quick
stress_ops=0
"
CFG="$CFG${CFG_EXTRA:+$CFG_EXTRA
}"

die() { echo "scale_audit: $*" >&2; exit 1; }

if [ ! -x "$Q/root/usr/bin/qemu-system-x86_64" ] && [ -f "$KIT/qemu10.tar.gz" ]; then
	mkdir -p "$Q/root"
	gzip -dc "$KIT/qemu10.tar.gz" | tar -x -C "$Q/root" || die "cannot unpack $KIT/qemu10.tar.gz"
fi

[ -x "$Q/root/usr/bin/qemu-system-x86_64" ] ||
	die "no QEMU 10 in build/qemu10 (tools/deps.sh unpacks it); run from the repository root"
mkdir -p "$OUT"

# ---------------------------------------------------------------- the image and firmware
# build/metaslot.img with this run's config, into $OUT/metaslot.img
make_image() {
	command -v mcopy >/dev/null 2>&1 && [ -f "$IMAGE" ] || return 1
	printf '%s' "$CFG" > "$OUT/METASLOT.CFG"
	cp --sparse=always "$IMAGE" "$OUT/metaslot.img.new"
	"$ROOT/tools/mkimg.sh" --config "$OUT/metaslot.img.new" "$OUT/METASLOT.CFG" >/dev/null
	mv "$OUT/metaslot.img.new" "$OUT/metaslot.img"
}

# Debian's OVMF into DIR
copy_ovmf() {
	for d in /usr/share/OVMF /usr/share/ovmf /usr/share/qemu; do
		if [ -f "$d/OVMF_CODE_4M.fd" ] && [ -f "$d/OVMF_VARS_4M.fd" ]; then
			mkdir -p "$1"
			cp "$d/OVMF_CODE_4M.fd" "$d/OVMF_VARS_4M.fd" "$1/"
			return 0
		fi
	done
	return 1
}

qemu_libdirs() {
	find "$Q" -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u | tr '\n' ':'
}

if [ "${1:-}" = --prepare ]; then
	make_image || die "cannot make the image here (make all; mtools)"
	rm -rf "$KIT"
	mkdir -p "$KIT/hostlibs"
	gzip -c "$OUT/metaslot.img" > "$KIT/metaslot.img.gz"
	copy_ovmf "$KIT/ovmf" || die "no OVMF_CODE_4M.fd / OVMF_VARS_4M.fd here (Debian's ovmf)"
	command -v ldd >/dev/null 2>&1 || die "ldd missing"
	LD_LIBRARY_PATH=$(qemu_libdirs) ldd "$Q/root/usr/bin/qemu-system-x86_64" |
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\) .*/\1/p' |
		while read -r lib; do cp -L "$lib" "$KIT/hostlibs/"; done
	(cd "$Q/root" && tar -c usr/bin/qemu-system-x86_64 usr/share/qemu \
		$(find usr/lib -type d -name qemu 2>/dev/null)) | gzip -c > "$KIT/qemu10.tar.gz"
	echo "scale_audit: build/scale-kit ready ($(du -sh "$KIT" | cut -f1)); carry it with the tree"
	exit 0
fi
if ! make_image 2>/dev/null; then
	[ -f "$KIT/metaslot.img.gz" ] ||
		die "no image: run tools/scale_audit.sh --prepare where make all ran, carry build/scale-kit"
	gzip -dc "$KIT/metaslot.img.gz" > "$OUT/metaslot.img"
fi
FW=$KIT/ovmf
[ -f "$FW/OVMF_CODE_4M.fd" ] || { FW=$OUT/ovmf; copy_ovmf "$FW"; } ||
	die "no OVMF: run --prepare on a machine with Debian's ovmf, carry build/scale-kit"

# ---------------------------------------------------------------- QEMU
LIBS=$(qemu_libdirs)
[ -d "$KIT/hostlibs" ] && LIBS="$LIBS$KIT/hostlibs"
LDSO=$(find "$Q" "$KIT/hostlibs" -name 'ld-linux-x86-64.so*' 2>/dev/null | head -n 1 || true)
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

# a number from LINE, null when absent (an older image's events)
num() {
	v=$(field "$1" "$2")
	printf '%s' "${v:-null}"
}

# the flat object NAME of LINE, braces included ({} when absent)
object() {
	o=$(printf '%s\n' "$2" | sed -n "s/.*\"$1\":\({[^{}]*}\).*/\1/p")
	printf '%s' "${o:-{\}}"
}

# {"pattern":ms,...} from the pattern_done events of FILE (every pass added)
patterns_ms() {
	grep -a '^{"ev":"pattern_done"' "$1" 2>/dev/null |
		sed -n 's/.*"pattern":"\([^"]*\)".*"ms":\([0-9]*\).*/\1 \2/p' |
		awk '{ if (!($1 in ms)) order[n++] = $1; ms[$1] += $2 }
		     END { printf "{"; for (i = 0; i < n; i++) printf "%s\"%s\":%d", i ? "," : "", order[i], ms[order[i]]; printf "}" }'
}

# ms of the journal's writes at the safe points (its "step" events' us)
journal_ms() {
	grep -a '^{"ev":"journal","what":"step"' "$1" 2>/dev/null |
		sed -n 's/.*"us":\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { printf "%d", s / 1000 }'
}

base=${BASE_MS:-}
for n in $SMPS; do
	# one folder per configuration: a later run with other MEM or PREALLOC
	# keeps this one's serial.log
	name=$MEM-smp$n
	[ "$PREALLOC" = 0 ] && name=$name-noprealloc
	d=$OUT/$name
	rm -rf "$d"
	mkdir -p "$d"
	cp --sparse=always "$OUT/metaslot.img" "$d/metaslot.img"
	cp "$FW/OVMF_VARS_4M.fd" "$d/vars.fd"
	ram="-machine q35"
	[ "$PREALLOC" = 0 ] ||
		ram="-machine q35,memory-backend=ram -object memory-backend-ram,id=ram,size=$MEM,prealloc=on,prealloc-threads=$(nproc)"
	t0=$(date +%s)
	rc=0
	# shellcheck disable=SC2086 # $ram: several arguments, no spaces in them
	qemu "$TIMEOUT" -L "$Q/root/usr/share/qemu" $ram \
		-accel tcg,thread=multi,tb-size=256 -m "$MEM" -smp "$n" \
		-nodefaults -nic none -no-reboot -display none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$FW/OVMF_CODE_4M.fd" \
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
			"$n" "$rc" "$wall" "build/scale/$name/serial.log"
		continue
	fi
	[ -n "$base" ] || { [ "$n" = 1 ] && base=$ms; }
	speed=$(awk -v b="${base:-0}" -v m="$ms" 'BEGIN { if (b > 0 && m > 0) printf "%.2f", b / m; else printf "null" }')
	printf '{"bench":"scale_audit","smp":%s,"mem":"%s","prealloc":%s,"audit_ms":%s,"speedup":%s,"tested_frames":%s,"gbps":%s,"result":"%s","boot_s":%s,"time_ms":%s,"sweep_ms_min":%s,"sweep_ms_max":%s,"patterns_ms":%s,"journal_ms":%s}\n' \
		"$n" "$MEM" "$PREALLOC" "$ms" "$speed" "$(field tested_frames "$ev")" "$(field gbps "$ev")" \
		"${result:-none}" "$wall" "$(object time_ms "$ev")" "$(num sweep_ms_min "$ev")" \
		"$(num sweep_ms_max "$ev")" "$(patterns_ms "$d/serial.log")" \
		"$(journal_ms "$d/serial.log")"
done
