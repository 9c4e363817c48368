#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make man-lint: every man page in DIR lints clean with mandoc (-T lint, warnings and up) and
# renders without a warning from man (groff).
#
#   tests/man-lint.sh DIR
set -uo pipefail

dir=${1:?usage: tests/man-lint.sh DIR}
bad=0 n=0
for page in "$dir"/*.[58]; do
	n=$((n + 1))
	out=$(mandoc -T lint -W warning "$page" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		bad=$((bad + 1))
		continue
	fi
	out=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
	if [ -n "$out" ]; then
		echo "$page: man: $out"
		bad=$((bad + 1))
	fi
done
[ "$n" -gt 0 ] || { echo "man-lint: no man pages in $dir"; exit 1; }
echo "man-lint: $n pages, $bad with warnings"
[ "$bad" -eq 0 ]
