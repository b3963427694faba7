#!/bin/sh
# Instructions per operation of the mm/ hot paths, counted by callgrind inside
# bench_cg_loop only (bench_mm --callgrind FIGURE). Prints a table line and a
# JSON line per figure; says so and exits 0 when valgrind is missing.
# Usage: callgrind.sh BINARY [ENV-LABEL]
set -eu
bin=$1
env=${2:-call}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "callgrind: valgrind not installed, no instruction counts"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# figure, operations inside bench_cg_loop (pairs, or 2 x frames for bulk)
for spec in order0_pair:100000 order9_pair:10000 bulk:200000; do
	fig=${spec%%:*}
	ops=${spec#*:}
	valgrind --tool=callgrind --collect-atstart=no --toggle-collect=bench_cg_loop \
		--callgrind-out-file="$tmp/$fig.out" "$bin" --callgrind "$fig" >/dev/null 2>"$tmp/$fig.err" || {
		cat "$tmp/$fig.err" >&2
		exit 1
	}
	ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p; s/^summary: *\([0-9]*\).*/\1/p' "$tmp/$fig.out" | head -n 1)
	per=$(awk -v ir="$ir" -v n="$ops" 'BEGIN { printf "%.1f", ir / n }')
	name=$fig
	[ "$fig" = bulk ] && name=order0_bulk
	echo "| $name: $per instructions per $( [ "$fig" = bulk ] && echo op || echo pair ) (callgrind, $ir in $ops)"
	echo "{\"bench\":\"$name\",\"env\":\"$env\",\"threads\":1,\"zeroed\":false,\"instructions\":$per}"
done
