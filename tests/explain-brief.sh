#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Checks `restartprof explain --brief` on a run directory made elsewhere (CI has none: its
# integration test test_diagnosis makes its own runs and checks the same there):
#   tests/explain-brief.sh BINARY DIR [BASE_DIR] [CELL]
# The headline fits one screen (at most 25 lines of at most 100 columns, piped) and shows no
# detail; for CELL (default hdd-2), when its headline names create, overlay-umount-sync is
# create's top cause. Prints the headline, and what the detail says of create in CELL.
set -u
bin=$1 dir=$2 base=${3:-} cell=${4:-hdd-2}
args=(explain "$dir" --brief)
[ -n "$base" ] && args+=(--against "$base")
out=$("$bin" "${args[@]}") || { echo "FAIL: explain --brief exited $?"; exit 1; }
printf '%s\n' "$out"
fail=0
lines=$(printf '%s\n' "$out" | wc -l)
widest=$(printf '%s\n' "$out" | wc -L)
[ "$lines" -le 25 ] || { echo "FAIL: $lines lines (at most 25)"; fail=1; }
[ "$widest" -le 100 ] || { echo "FAIL: a line of $widest columns (at most 100)"; fail=1; }
if printf '%s\n' "$out" | grep -q '^== cell'; then
	echo "FAIL: --brief printed the detail"
	fail=1
fi
block=$(printf '%s\n' "$out" | awk -v c="$cell" '
	index($0, c " ") == 1 { on = 1; print; next }
	on && /^[^ ]/ { on = 0 }
	on { print }')
create=$(printf '%s\n' "$block" | grep '^  create ' || true)
if [ -z "$block" ]; then
	echo "note: no cell $cell in the headline"
elif [ -z "$create" ]; then
	echo "note: $cell's headline does not name create; the detail says:"
	full_args=(explain "$dir")
	[ -n "$base" ] && full_args+=(--against "$base")
	"$bin" "${full_args[@]}" | awk -v c="== cell $cell:" '
		index($0, c) == 1 { on = 1; next }
		on && /^== cell/ { on = 0 }
		on && /^  create [+-]/ { print; getline; if ($0 ~ /^    /) print }'
elif ! printf '%s\n' "$create" | grep -q 'top cause overlay-umount-sync '; then
	echo "FAIL: $cell's create names another cause first: $create"
	fail=1
fi
echo "$lines lines, widest $widest columns"
exit $fail
