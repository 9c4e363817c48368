#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make man: the man pages, each generated from the one source of its facts so that the two
# cannot drift: restartprof(8) and restartprof-COMMAND(8) from the binary's own --help
# (help2man; the extra sections of restartprof(8) are in man/restartprof.h2m),
# restartprof-files(5) from docs/output.md and restartprof-rules(5) from the rules part of
# docs/causes.md (go-md2man).
#
#   scripts/man.sh BINARY OUT_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: scripts/man.sh BINARY OUT_DIR" >&2; exit 2; }
rp=$(realpath "$1") out=$2
for tool in help2man go-md2man; do
	command -v "$tool" >/dev/null || { echo "man.sh: $tool is missing (scripts/install-deps.sh build)" >&2; exit 1; }
done
version=$("$rp" version | head -1)
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# restartprof-COMMAND: a program of that name for help2man, which names the page after it.
page_of_command() {
	local cmd=$1 what=$2
	printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$rp" "$cmd" >"$work/restartprof-$cmd"
	chmod +x "$work/restartprof-$cmd"
	help2man --no-info --section=8 --name="$what" \
		--version-string="restartprof-$cmd ${version#restartprof }" \
		--output="$out/restartprof-$cmd.8" "$work/restartprof-$cmd"
}

help2man --no-info --section=8 --include=man/restartprof.h2m --version-string="$version" \
	--help-option=--help --output="$out/restartprof.8" "$rp"
# The commands and their one-line descriptions, as restartprof --help lists them.
"$rp" --help | awk '/^  [a-z]+  / && $1 != "help" && $1 != "version"' | while read -r cmd what; do
	page_of_command "$cmd" "$what"
done

# A markdown page: a go-md2man title, NAME, then the document below its own title (from the
# line that starts with FIRST, when given), its headings one level up (## becomes a section,
# ### a subsection), and its two-column tables as lists: a table at 80 columns does not fit.
# Then what go-md2man writes that mandoc and groff warn about: \fC (no such font), .PP right
# after a heading, a code line starting with a dot.
md_page() {
	local name=$1 section=$2 what=$3 from=$4 first=$5
	{
		echo "$name $section \"$date\" \"${version#restartprof }\" \"restartprof\""
		echo "=================================================="
		echo
		echo "# NAME"
		echo "$name - $what"
		echo
		[ -n "$first" ] || echo "# DESCRIPTION"
		awk -v first="$first" '
			NR == 1 && /^# / { next }
			!on && (first == "" || index($0, first) == 1) { on = 1 }
			!on { next }
			/^\|/ { rows++
				if (rows <= 2) next
				sub(/^\| */, ""); sub(/ *\|$/, ""); i = index($0, " | ")
				print "- " substr($0, 1, i - 1) ": " substr($0, i + 3); next }
			{ if (rows) print ""; rows = 0 }
			/^##/ { sub(/^#/, "") }
			{ print }' "$from"
	} | go-md2man | sed -e 's/\\fC//g' -e 's/^\.\.\./\\\&.../' |
		awk '/^\.PP$/ && prev ~ /^\.S[HS] / { next } { print; prev = $0 }' >"$out/$name.$section"
}
# Dated by the last commit (or SOURCE_DATE_EPOCH), so that a rebuild makes the same pages.
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}" +%F)
for page in "$out"/*.8; do
	sed -i "1,/^\.TH/s/^\(\.TH [^ ]* \"*[0-9]*\"*\) \"[^\"]*\"/\1 \"$date\"/" "$page"
done
md_page restartprof-files 5 "the run directory: its files and their columns" docs/output.md ""
md_page restartprof-rules 5 "the cause rules file and the remedy definitions" docs/causes.md \
	"## Cause rules"
