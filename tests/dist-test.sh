#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make dist-test: the checks of make dist and of the cross builds' prerequisite check.
#
#   tests/dist-test.sh DIST_DIR NATIVE_DEBARCH MAN_DIR     (after make dist; run by make dist-test)
#   DIST_ARCHS: those make dist was given, if not its default
#
# 1. A cross or static build whose compiler is missing (CROSS_CC or CC naming no program) stops
#    at once: non-zero exit, one line on stderr naming scripts/install-deps.sh, nothing built.
# 2. SHA256SUMS lists the native tarball and sha256sum -c passes; each tarball holds exactly
#    the expected files, owned by 0:0, with one time; `file` finds its binary statically linked
#    for the right architecture.
# 3. The native tarball's binary runs `restartprof version`: the VERSION, arch and "static".
# 4. make dist again into another directory gives the same bytes.
set -euo pipefail

fail() {
	echo "dist-test: FAIL: $*" >&2
	exit 1
}
[ $# -eq 3 ] || fail "usage: tests/dist-test.sh DIST_DIR NATIVE_DEBARCH MAN_DIR"
dist=$1 native=$2 mandir=$3
version=$(cat VERSION)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Sub-makes of our own, not of the make that runs this test.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"; }

# 1. The one-line stop.
check_stop() {
	local want=$1 rc=0 err
	shift
	mk -s OUT="$tmp/out" "$@" all >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
	err=$(cat "$tmp/stderr")
	[ "$rc" -ne 0 ] || fail "make $* exited 0"
	[ "$(wc -l <"$tmp/stderr")" -eq 1 ] || fail "make $*: not one line on stderr: $err"
	[ ! -s "$tmp/stdout" ] || fail "make $* printed: $(cat "$tmp/stdout")"
	case $err in
	*"run  sudo scripts/install-deps.sh build $want "*) ;;
	*) fail "make $*: the line does not name install-deps.sh build $want: $err" ;;
	esac
	[ ! -e "$tmp/out" ] || fail "make $* built something in $tmp/out"
	echo "dist-test: ok: make $* stops: ${err#*\*\*\* }"
}
check_stop cross-arm64 ARCH=arm64 CROSS_CC="$tmp/no-such-gcc"
check_stop "cross-armhf static-armhf" ARCH=arm STATIC=1 CROSS_CC="$tmp/no-such-gcc"
check_stop static STATIC=1 CC="$tmp/no-such-gcc"

# 2. SHA256SUMS and the tarballs.
[ -f "$dist/SHA256SUMS" ] || fail "no $dist/SHA256SUMS (make dist)"
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "sha256sum -c $dist/SHA256SUMS"
grep -q "  restartprof-$version-linux-$native-static.tar.gz\$" "$dist/SHA256SUMS" ||
	fail "SHA256SUMS lists no $native tarball"
while read -r _ tarball; do
	name=${tarball%.tar.gz}
	debarch=${name#restartprof-"$version"-linux-}
	debarch=${debarch%-static}
	{
		echo "$name"
		for f in LICENSE README.md causes.rules man remedies restartprof restartprof-watch.service; do
			echo "$name/$f"
		done
		for f in "$mandir"/*.[58]; do echo "$name/man/${f##*/}"; done
	} | sort >"$tmp/want"
	tar -tzf "$dist/$tarball" | sed 's|/$||' | sort >"$tmp/got"
	diff "$tmp/want" "$tmp/got" >"$tmp/diff" || fail "$tarball: contents differ: $(cat "$tmp/diff")"
	owners=$(tar --numeric-owner -tvzf "$dist/$tarball" | awk '{print $2}' | sort -u)
	[ "$owners" = 0/0 ] || fail "$tarball: owners $owners"
	times=$(tar -tvzf "$dist/$tarball" | awk '{print $4, $5}' | sort -u | wc -l)
	[ "$times" -eq 1 ] || fail "$tarball: $times different file times"
	mkdir -p "$tmp/x/$debarch"
	tar -C "$tmp/x/$debarch" -xzf "$dist/$tarball"
	case $debarch in
	amd64) arch='x86-64' ;;
	arm64) arch='ARM aarch64' ;;
	armhf) arch='32-bit LSB .*ARM, EABI5' ;;
	*) fail "$tarball: unknown architecture $debarch" ;;
	esac
	desc=$(file -b "$tmp/x/$debarch/$name/restartprof")
	if ! grep -q "$arch" <<<"$desc" || ! grep -q 'statically linked' <<<"$desc"; then
		fail "$tarball: the binary is: $desc"
	fi
	echo "dist-test: ok: $tarball ($(stat -c %s "$dist/$tarball") bytes): $(wc -l <"$tmp/got") entries, $desc" |
		cut -c1-160
done <"$dist/SHA256SUMS"

# 3. The native binary runs.
rp=$tmp/x/$native/restartprof-$version-linux-$native-static/restartprof
out=$("$rp" version) || fail "$rp version failed"
grep -qx "restartprof $version" <<<"$out" || fail "version: $out"
grep -qx "arch *$native" <<<"$out" || fail "version names another architecture: $out"
grep -qx "build *static" <<<"$out" || fail "version does not say static: $out"
echo "dist-test: ok: the $native binary: $(tr -s ' \n' ' ' <<<"$out")"

# 4. The same bytes again.
mk -s dist DIST_DIR="$tmp/again" ${DIST_ARCHS:+DIST_ARCHS="$DIST_ARCHS"} >/dev/null
cmp -s "$dist/SHA256SUMS" "$tmp/again/SHA256SUMS" || fail "a second make dist gave other bytes"
echo "dist-test: ok: a second make dist gives the same SHA256SUMS"
echo "dist-test: all passed"
