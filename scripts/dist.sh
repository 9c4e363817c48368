#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make dist: one tarball of the static restartprof per architecture, and their SHA256SUMS.
#
#   scripts/dist.sh DIST_DIR MAN_DIR DEBARCH:BINARY:STRIP...
#
# For each DEBARCH (amd64, arm64, armhf), DIST_DIR/restartprof-VERSION-linux-DEBARCH-static.tar.gz
# holds, under a directory of the same name, the BINARY without its debug information (STRIP is
# that architecture's strip), the man pages of MAN_DIR, README.md, LICENSE, the cause rules and
# remedy definitions and the systemd unit of restartprof watch. DIST_DIR/SHA256SUMS lists the
# tarballs (sha256sum -c SHA256SUMS checks them). The same sources give the same bytes: every
# file has the time SOURCE_DATE_EPOCH (default: the last commit's), owner 0:0, fixed modes, and
# the names are sorted; gzip stores no name or time. Run from the top of the tree.
set -euo pipefail

die() {
	echo "dist.sh: $*" >&2
	exit 1
}
[ $# -ge 3 ] || die "usage: scripts/dist.sh DIST_DIR MAN_DIR DEBARCH:BINARY:STRIP..."
dist=$1 mandir=$2
shift 2
version=$(cat VERSION)
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || stat -c %Y VERSION)}
case $epoch in '' | *[!0-9]*) die "SOURCE_DATE_EPOCH '$epoch' is not a number of seconds" ;; esac
ls "$mandir"/*.8 >/dev/null 2>&1 || die "no man pages in $mandir: run make man first"

mkdir -p "$dist"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -f "$dist"/restartprof-*-static.tar.gz "$dist/SHA256SUMS"

tarballs=()
for spec in "$@"; do
	IFS=: read -r debarch bin strip <<<"$spec"
	if [ -z "$debarch" ] || [ -z "$bin" ] || [ -z "$strip" ]; then
		die "'$spec' is not DEBARCH:BINARY:STRIP"
	fi
	[ -x "$bin" ] || die "no $bin"
	name=restartprof-$version-linux-$debarch-static
	top=$work/$name
	mkdir -p "$top/man"
	"$strip" --strip-debug -o "$top/restartprof" "$bin"
	chmod 0755 "$top/restartprof"
	install -m 0644 README.md LICENSE rules/causes.rules rules/remedies \
		dist/systemd/restartprof-watch.service "$top/"
	install -m 0644 "$mandir"/*.[58] "$top/man/"
	tar -C "$work" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
		--mode='u+rwX,go+rX,go-w' --format=gnu -cf - "$name" | gzip -9n >"$dist/$name.tar.gz"
	rm -rf "$top"
	tarballs+=("$name.tar.gz")
	echo "  DIST     $dist/$name.tar.gz ($(stat -c %s "$dist/$name.tar.gz") bytes)"
done
(cd "$dist" && sha256sum "${tarballs[@]}" >SHA256SUMS)
echo "  DIST     $dist/SHA256SUMS"
