#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make install-test: make install into a scratch DESTDIR (PREFIX /usr), the installed binary
# run, its man pages found by man, its bash completion working; a second install refused;
# then make uninstall, which must leave the scratch directory empty.
set -uo pipefail

fail() {
	echo "install-test: FAIL: $*" >&2
	exit 1
}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install DESTDIR="$dest" PREFIX=/usr >/dev/null || fail "make install"
rp=$dest/usr/sbin/restartprof
[ -x "$rp" ] || fail "no $rp"
"$rp" version | grep -q '^restartprof ' || fail "$rp version"
for page in restartprof.8 restartprof-run.8 restartprof-watch.8 restartprof-files.5 restartprof-rules.5; do
	f=$(MANPATH=$dest/usr/share/man man -w "${page%.*}" 2>/dev/null)
	[ "$f" = "$dest/usr/share/man/man${page##*.}/$page" ] || fail "man -w ${page%.*}: '$f'"
done
grep -q "^ExecStart=/usr/sbin/restartprof watch" "$dest/usr/lib/systemd/system/restartprof-watch.service" ||
	fail "the unit's ExecStart does not name the installed binary"
# The completion, as bash-completion loads it: `restartprof run --tr<TAB>` from run's --help.
comp=$(PATH=$dest/usr/sbin:$PATH bash -c '. /usr/share/bash-completion/bash_completion; . "$1"
	COMP_WORDS=(restartprof run --tr) COMP_CWORD=2 COMP_LINE="restartprof run --tr"
	COMP_POINT=${#COMP_LINE}; _restartprof restartprof --tr run 2>/dev/null; echo "${COMPREPLY[*]}"' \
	_ "$dest/usr/share/bash-completion/completions/restartprof")
[ "$comp" = "--trials=" ] || fail "bash completion of 'restartprof run --tr': '$comp'"
[ -f "$dest/usr/share/restartprof/causes.rules" ] || fail "no causes.rules"
n=$(grep -c '^f' "$dest/usr/share/restartprof/installed-files")
[ "$n" -eq "$(find "$dest" -type f | wc -l)" ] || fail "the manifest lists $n files, $dest holds others"
make -s install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1 && fail "a second install over the first was not refused"
make -s uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null || fail "make uninstall"
left=$(find "$dest" -mindepth 1 | head -5)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "install-test: $n files installed under $dest/usr and removed, nothing left"
