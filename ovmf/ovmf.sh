#!/bin/sh
# Finds the OVMF firmware Debian installs and gives one run its own fresh copy
# of the variable store (the system's copy is never written).
#
#   ovmf/ovmf.sh RUN_DIR      prints QEMU's -drive arguments, one per line,
#                             after copying the variable store into RUN_DIR
#   ovmf/ovmf.sh --keep RUN_DIR   the same, but a store already in RUN_DIR is
#                             kept (a second boot sees what the first stored)
#   ovmf/ovmf.sh --secure-boot [--keep] RUN_DIR
#                             Secure Boot on: Debian's SMM build with the
#                             snakeoil variable store (PK, KEK and db hold the
#                             snakeoil key of /usr/share/ovmf/PkKek-1-snakeoil.*);
#                             QEMU needs -machine q35,smm=on (tools/qemu.py)
#
# Split images (OVMF_CODE_4M.fd + OVMF_VARS_4M.fd, or the 2 MiB pair) are
# preferred; a combined OVMF.fd is copied whole, since it holds the variables.
# OVMF_CODE / OVMF_VARS in the environment override the search.
set -eu

keep=0 secure=0
while :; do
	case "${1:-}" in
	--keep) keep=1; shift ;;
	--secure-boot) secure=1; shift ;;
	*) break ;;
	esac
done
dir=${1:?usage: ovmf/ovmf.sh [--secure-boot] [--keep] RUN_DIR}
mkdir -p "$dir"
if [ "$secure" = 1 ] && [ -z "${OVMF_CODE:-}" ]; then
	for d in /usr/share/OVMF /usr/share/ovmf; do
		for code in "$d/OVMF_CODE_4M.snakeoil.fd" "$d/OVMF_CODE_4M.secboot.fd"; do
			if [ -z "${OVMF_CODE:-}" ] && [ -f "$code" ] && [ -f "$d/OVMF_VARS_4M.snakeoil.fd" ]; then
				OVMF_CODE=$code OVMF_VARS=$d/OVMF_VARS_4M.snakeoil.fd
			fi
		done
	done
	if [ -z "${OVMF_CODE:-}" ]; then
		echo "ovmf: no Secure Boot firmware with the snakeoil store (Debian package ovmf)" >&2
		exit 1
	fi
	# the SMM build keeps its variables safe only with secure flash
	echo "-global"
	echo "driver=cfi.pflash01,property=secure,value=on"
fi
for d in /usr/share/OVMF /usr/share/ovmf /usr/share/qemu; do
	if [ -z "${OVMF_CODE:-}" ] && [ -f "$d/OVMF_CODE_4M.fd" ] && [ -f "$d/OVMF_VARS_4M.fd" ]; then
		OVMF_CODE=$d/OVMF_CODE_4M.fd OVMF_VARS=$d/OVMF_VARS_4M.fd
	fi
	if [ -z "${OVMF_CODE:-}" ] && [ -f "$d/OVMF_CODE.fd" ] && [ -f "$d/OVMF_VARS.fd" ]; then
		OVMF_CODE=$d/OVMF_CODE.fd OVMF_VARS=$d/OVMF_VARS.fd
	fi
	if [ -z "${OVMF_CODE:-}" ] && [ -f "$d/OVMF.fd" ]; then
		[ "$keep" = 1 ] && [ -f "$dir/OVMF.fd" ] || cp "$d/OVMF.fd" "$dir/OVMF.fd"
		echo "-drive"
		echo "if=pflash,format=raw,unit=0,file=$dir/OVMF.fd"
		exit 0
	fi
done
if [ -z "${OVMF_CODE:-}" ] || [ ! -f "$OVMF_CODE" ] || [ ! -f "${OVMF_VARS:-}" ]; then
	echo "ovmf: no OVMF firmware found (Debian package ovmf)" >&2
	exit 1
fi
if [ "$keep" = 0 ] || [ ! -f "$dir/OVMF_VARS.fd" ]; then
	cp "$OVMF_VARS" "$dir/OVMF_VARS.fd"
	chmod u+w "$dir/OVMF_VARS.fd"
fi
echo "-drive"
echo "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
echo "-drive"
echo "if=pflash,format=raw,unit=1,file=$dir/OVMF_VARS.fd"
