#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make deb: restartprof's Debian package, built by dpkg-buildpackage -b (debian/) in a
# temporary copy of the tree, so that the tree gains nothing but the results, in build/deb/:
# restartprof_VERSION_ARCH.deb, restartprof-dbgsym_VERSION_ARCH.deb, .buildinfo, .changes.
#
#   scripts/deb.sh            (DEB_ARCH from the environment: make deb DEB_ARCH=arm64)
#
# DEB_ARCH: amd64, arm64 or armhf (default: the machine's). Another architecture than the
# machine's is cross-built: dpkg-buildpackage -a DEB_ARCH with the build profiles cross and
# nocheck; its build dependencies are scripts/install-deps.sh cross-DEB_ARCH. The copy holds
# the files git tracks and the untracked ones it does not ignore, as the work tree has them
# (outside a git tree: everything but the build output).
set -euo pipefail

die() {
	echo "deb: $*" >&2
	exit 1
}

cd "$(dirname "$0")/.."
for tool in dpkg-buildpackage dh dpkg-parsechangelog fakeroot; do
	command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh deb)"
done
native=$(dpkg --print-architecture)
arch=${DEB_ARCH:-$native}
case $arch in
amd64 | arm64 | armhf) ;;
*) die "DEB_ARCH must be amd64, arm64 or armhf, not '$arch'" ;;
esac
upstream=$(cat VERSION)
version=$(dpkg-parsechangelog -S Version)
[ "${version%-*}" = "$upstream" ] ||
	die "debian/changelog is at $version, VERSION says $upstream: add a changelog entry (dch -v $upstream-1)"

out=build/deb
work=$(mktemp -d "${TMPDIR:-/tmp}/restartprof-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/restartprof-$upstream
mkdir "$src"

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# The binary's version line names the commit; the copy has no .git to ask.
	GIT_DESCRIBE=$(git describe --always --dirty)
	[[ $GIT_DESCRIBE =~ ^[A-Za-z0-9._+-]+$ ]] || die "unexpected git describe output '$GIT_DESCRIBE'"
	export GIT_DESCRIBE
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			# A tracked file deleted in the work tree is not part of it.
			if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
		done | tar -c --null --no-recursion -T - | tar -x -C "$src"
else
	tar -c --exclude=./build --exclude='./build-*' --exclude=./results --exclude=./tests/vm/cache \
		--exclude=./bench/work . | tar -x -C "$src"
fi

opts=(-b -us -uc)
if [ "$arch" != "$native" ]; then
	opts+=(-a "$arch" "-Pcross,nocheck")
	export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }nocheck"
	# Without the target's -dev packages (a mirror that cannot serve them: install-deps.sh
	# made a sysroot instead), the build uses that sysroot, and dpkg-shlibdeps the dpkg
	# database made beside it (debian/rules); dpkg cannot check build dependencies it has not
	# installed, so -d.
	sysroot=$PWD/tests/vm/cache/sysroot/$arch
	if ! dpkg-query -W -f='${Status}\n' "libcurl4-openssl-dev:$arch" 2>/dev/null | grep -q 'ok installed' &&
		[ -f "$sysroot/dpkg/info/format" ]; then
		echo "deb: the $arch -dev packages are not installed: building against $sysroot" >&2
		export SYSROOT=$sysroot/root DEB_SYSROOT_ADMINDIR=$sysroot/dpkg
		opts+=(-d)
	fi
fi
echo "deb: dpkg-buildpackage ${opts[*]} in $src" >&2
(cd "$src" && dpkg-buildpackage "${opts[@]}") || die "dpkg-buildpackage failed for $arch (its output is above)"

mkdir -p "$out"
rm -f "$out"/restartprof_*_"$arch".* "$out"/restartprof-dbgsym_*_"$arch".*
shopt -s nullglob
results=("$work"/*.deb "$work"/*.ddeb "$work"/*.buildinfo "$work"/*.changes)
[ ${#results[@]} -gt 0 ] || die "dpkg-buildpackage made no package"
mv "${results[@]}" "$out"/
deb=$out/restartprof_${version}_$arch.deb
[ -f "$deb" ] || die "no $deb among what dpkg-buildpackage made"
echo "deb: $deb ($(du -k "$deb" | cut -f1) KiB)"
