#!/bin/sh
# Finds the OVMF firmware Debian installs and gives one run its own fresh copy
# of the variable store (the system's copy is never written).
#
#   ovmf/ovmf.sh RUN_DIR      prints QEMU's -drive arguments, one per line,
#                             after copying the variable store into RUN_DIR
#   ovmf/ovmf.sh --keep RUN_DIR   the same, but a store already in RUN_DIR is
#                             kept (a second boot sees what the first stored)
#
# Split images (OVMF_CODE_4M.fd + OVMF_VARS_4M.fd, or the 2 MiB pair) are
# preferred; a combined OVMF.fd is copied whole, since it holds the variables.
# OVMF_CODE / OVMF_VARS in the environment override the search.
set -eu

keep=0
if [ "${1:-}" = "--keep" ]; then keep=1; shift; fi
dir=${1:?usage: ovmf/ovmf.sh [--keep] RUN_DIR}
mkdir -p "$dir"
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
