#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make deb-test: the Debian package as a user meets it. make deb builds it (amd64, or the
# machine's architecture) while debootstrap makes a fresh Debian bookworm root file system
# (minbase, with man-db) in a scratch directory under /var/tmp; there apt-get installs the
# package, restartprof --version, man -w restartprof and restartprof check run (check may
# report that the chroot has no engine), and dpkg --purge must leave nothing of it: the
# file lists before the install and after the purge differ only in apt's and dpkg's own
# records, logs and caches, and no file named after restartprof is anywhere. Before that,
# lintian checks every package in build/deb (make deb DEB_ARCH=arm64|armhf made before it
# are checked too).
#
#   tests/deb-test.sh          (root; DEB_TEST_MIRROR: the Debian mirror, default deb.debian.org)
#
# The chroot's /proc, /sys and /dev are mounted in a private mount namespace of each command
# run there, so they end with it; the scratch directory is removed at the end, and only
# when nothing is mounted under it.
set -euo pipefail

fail() {
	echo "deb-test: FAIL: $*" >&2
	exit 1
}

cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot)"
for tool in debootstrap unshare chroot findmnt dpkg-parsechangelog; do
	command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh deb debtest)"
done
mirror=${DEB_TEST_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
start=$(date +%s)
arch=$(dpkg --print-architecture)
version=$(dpkg-parsechangelog -S Version)
deb=build/deb/restartprof_${version}_$arch.deb

scratch=$(mktemp -d /var/tmp/restartprof-deb-test.XXXXXX)
root=$scratch/root
boot_pid=
cleanup() {
	local rc=$? m
	if [ -n "$boot_pid" ]; then
		kill "$boot_pid" 2>/dev/null || true
		wait "$boot_pid" 2>/dev/null || true
	fi
	# Nothing should be mounted here (the mounts live in private namespaces); if anything
	# is, it is unmounted, deepest first, and the directory is kept unless that worked.
	while read -r m; do
		umount -l "$m" || true
	done < <(findmnt -rn -o TARGET | grep -F "$root/" | sort -r)
	if findmnt -rn -o TARGET | grep -qF "$root/"; then
		echo "deb-test: still mounted under $root: $scratch is kept" >&2
		rc=1
	else
		rm -rf --one-file-system "$scratch"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# in_root CMD...: CMD in the chroot, with /proc, /sys and /dev mounted for it alone.
in_root() {
	# shellcheck disable=SC2016 # expanded by the inner bash, from its arguments
	unshare --mount --propagation private -- bash -c '
		set -e
		r=$1
		shift
		mount -t proc proc "$r/proc"
		mount -t sysfs sysfs "$r/sys"
		mount --bind /dev "$r/dev"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' in_root "$root" "$@"
}

# The chroot's files (paths as seen inside it), without the mount points' contents and /tmp.
snapshot() {
	find "$root" -xdev \( -path "$root/tmp" -o -path "$root/proc" -o -path "$root/sys" \
		-o -path "$root/dev" \) -prune -o -print | sed "s|^$root||" | sort
}

# Records and caches of apt, dpkg, man-db and ld.so that any package install changes.
noise='^(/var/log/|/var/cache/(apt|debconf|man|ldconfig)(/|$)|/var/lib/apt/|/var/lib/dpkg/(status|status-old|available|lock|lock-frontend|triggers/|updates/|info/format)|/etc/ld\.so\.cache$)'

echo "deb-test: make deb, and debootstrap $suite into $root" >&2
debootstrap --variant=minbase --include=man-db "$suite" "$root" "$mirror" >"$scratch/debootstrap.log" 2>&1 &
boot_pid=$!
if ! make --no-print-directory deb >"$scratch/deb.log" 2>&1; then
	tail -n 25 "$scratch/deb.log" >&2
	fail "make deb (its last lines above)"
fi
[ -f "$deb" ] || fail "make deb made no $deb"
echo "deb-test: $deb built after $(($(date +%s) - start)) s" >&2
# Every package in build/deb (the cross-built ones too, when made before): lintian at every
# level but experimental; a tag it keeps is overridden in debian/, with its reason there.
for changes in build/deb/restartprof_"${version}"_*.changes; do
	lintian -I -E --pedantic --fail-on error,warning,info,pedantic "$changes" >"$scratch/lintian.log" 2>&1 ||
		{ cat "$scratch/lintian.log" >&2; fail "lintian $changes (its tags above)"; }
	echo "deb-test: lintian: ${changes##*/} has no tag but the overridden ones" >&2
done
if ! wait "$boot_pid"; then
	boot_pid=
	tail -n 25 "$scratch/debootstrap.log" >&2
	fail "debootstrap (its last lines above)"
fi
boot_pid=
echo "deb-test: $suite root file system ready after $(($(date +%s) - start)) s" >&2

# The package's dependencies first, so that the install below adds restartprof alone and
# the purge can be compared with the state before it.
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
in_root apt-get update -qq >"$scratch/apt.log" 2>&1 || fail "apt-get update in the chroot"
depends=$(dpkg-deb -f "$deb" Depends)
in_root apt-get satisfy -y -qq --no-install-recommends "$depends" >>"$scratch/apt.log" 2>&1 ||
	fail "apt-get satisfy '$depends' in the chroot"
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
pkgs() { in_root dpkg-query -W -f='${Package}\n' | sort; }
before_pkgs=$(pkgs)
snapshot >"$scratch/before"
[ "$(wc -l <"$scratch/before")" -gt 1000 ] || fail "the file list of the chroot is too short: $scratch/before"

in_root apt-get install -y -qq --no-install-recommends "/tmp/${deb##*/}" >>"$scratch/apt.log" 2>&1 ||
	fail "apt-get install ./${deb##*/} in the chroot (see: $(tail -n 3 "$scratch/apt.log" | tr '\n' ' '))"
rm -f "$root/tmp/${deb##*/}"
added=$(comm -13 <(echo "$before_pkgs") <(pkgs) | tr '\n' ' ')
[ "$added" = "restartprof " ] || fail "the install added packages '$added', not restartprof alone"

v=$(in_root restartprof --version) || fail "restartprof --version exited $?"
[ "$(head -n 1 <<<"$v")" = "restartprof $(cat VERSION)" ] || fail "restartprof --version said: $v"
grep -q "^arch *$arch\$" <<<"$v" || fail "restartprof --version names another architecture: $v"
page=$(in_root man -w restartprof) || fail "man -w restartprof found no page"
[ "$page" = /usr/share/man/man8/restartprof.8.gz ] || fail "man -w restartprof: '$page'"
in_root man -w restartprof-watch >/dev/null || fail "man -w restartprof-watch found no page"
rc=0
out=$(in_root restartprof check 2>&1) || rc=$?
[ "$rc" -le 1 ] || fail "restartprof check exited $rc (0 or 1 expected): $out"
for line in kernel btf privileges tracing engine run; do
	grep -q "^$line " <<<"$out" || fail "restartprof check printed no '$line' line: $out"
done
echo "deb-test: installed; --version, man -w and check (exit $rc: $(grep '^engine ' <<<"$out" |
	tr -s ' ')) work" >&2
unit=$root/lib/systemd/system/restartprof-watch.service
[ -f "$unit" ] || fail "no $unit"
[ -z "$(find "$root/etc/systemd" -name 'restartprof*' 2>/dev/null)" ] || fail "the unit was enabled"

# What watch would have written in its state directory: the purge removes it too.
mkdir -p "$root/var/lib/restartprof/results/run"
in_root dpkg --purge restartprof >>"$scratch/apt.log" 2>&1 || fail "dpkg --purge restartprof"
snapshot >"$scratch/after"
left=$(diff "$scratch/before" "$scratch/after" | sed -n 's/^[<>] //p' | grep -Ev "$noise" || true)
[ -z "$left" ] || fail "the files before the install and after the purge differ: $(head -n 20 <<<"$left")"
named=$(find "$root" -xdev -iname '*restartprof*' | head -n 20)
[ -z "$named" ] || fail "left after the purge: $named"
! in_root dpkg-query -W restartprof >/dev/null 2>&1 || fail "dpkg still knows restartprof after the purge"
echo "deb-test: purged, nothing left; $(($(date +%s) - start)) s in all"
