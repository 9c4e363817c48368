#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs what restartprof needs from Debian's packages, and only what is missing.
# Usage: scripts/install-deps.sh [build] [run] [test] [man] [fuzz] [bench] [static] [vm] [cc-arm64] [cc-armhf]
#                                [cross] [cross-arm64] [cross-armhf] [static-arm64] [static-armhf]
#                                [deb] [debtest] [podman]
#        (default: build run test; cross = cross-arm64 + cross-armhf)
# static: the archives `make STATIC=1` links besides those of build. cc-ARCH: the cross compiler
# only (the VM lab links cross builds against a sysroot of its own, tests/vm/sysroot.sh).
# cross-ARCH: the cross compiler and the target's multiarch -dev packages (make ARCH=arm64).
# static-ARCH: static's packages for the target (make ARCH=arm64 STATIC=1 needs cross-ARCH too).
# Where the mirror cannot serve a foreign architecture's packages consistently, cross-ARCH and
# static-ARCH make a sysroot of that architecture instead (tests/vm/sysroot.sh), which make
# ARCH=... finds by itself (docs/devices.md).
# deb: Debian's packaging tools (make deb); debtest: what make deb-test needs besides them (a
# bookworm root file system made by debootstrap).
# test's prometheus brings promtool (tests/promtool.sh) and the server the watch tests start on
# a loopback port of their own; its libc6-dbg names the C library's and ld.so's frames
# (tests/integration/test_usyms_real.c). Where systemd runs, Debian also enables prometheus.service
# (`systemctl disable --now prometheus` if that is not wanted).
# podman: Debian's Podman 4.3 and what scripts/with-podman.sh runs it with: runc (crun 1.8
# refuses a hybrid cgroup hierarchy), conmon, netavark and aardvark-dns (its network backend;
# the CNI plugins come with podman), iptables for netavark's rules (make test: test_podman).
# Idempotent: a second call with everything present installs nothing and touches no apt state.
set -euo pipefail

declare -A groups=(
	[build]="make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev libcurl4-openssl-dev libjson-c-dev libarchive-dev nettle-dev libmicrohttpd-dev"
	[run]="docker.io stress-ng gnuplot-nox iproute2 procps"
	[test]="libcmocka-dev clang-format chromium prometheus help2man go-md2man mandoc man-db bash-completion libc6-dbg"
	[man]="help2man go-md2man mandoc man-db"
	[fuzz]="libclang-rt-14-dev"
	[bench]="bpftrace libbpf-tools linux-perf jq time"
	[vm]="qemu-system-x86 qemu-system-arm qemu-utils busybox-static debootstrap cpio e2fsprogs kmod xz-utils zstd debian-archive-keyring dwarves clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev"
	[static]="libnghttp2-dev libidn2-dev libssh2-1-dev libpsl-dev libssl-dev libzstd-dev libbrotli-dev libacl1-dev liblzma-dev liblz4-dev libbz2-dev libxml2-dev libunistring-dev"
	[cc-arm64]="gcc-aarch64-linux-gnu"
	[cc-armhf]="gcc-arm-linux-gnueabihf"
	[cross-arm64]="gcc-aarch64-linux-gnu"
	[cross-armhf]="gcc-arm-linux-gnueabihf"
	[deb]="debhelper dpkg-dev fakeroot lintian"
	[debtest]="debootstrap debian-archive-keyring"
	[podman]="podman conmon runc crun netavark aardvark-dns containernetworking-plugins iptables curl"
)
# Cross builds (make ARCH=arm64 / ARCH=arm) link against Debian's multiarch -dev packages of the
# target architecture, which is how Debian documents cross-building: the architecture is added
# to dpkg (dpkg --add-architecture) and the -dev packages are installed as pkg:arm64 / pkg:armhf.
cross_dev="libbpf-dev libelf-dev zlib1g-dev libcurl4-openssl-dev libjson-c-dev libarchive-dev nettle-dev libmicrohttpd-dev"
for a in arm64 armhf; do
	for p in $cross_dev; do groups[cross-$a]+=" $p:$a"; done
	groups[static-$a]=
	for p in ${groups[static]}; do groups[static-$a]+=" $p:$a"; done
done
groups[cross]="${groups[cross-arm64]} ${groups[cross-armhf]}"

wanted=()
[ $# -eq 0 ] && set -- build run test
for g in "$@"; do
	[ -n "${groups[$g]+x}" ] || { echo "install-deps: unknown group '$g' (known: ${!groups[*]})" >&2; exit 2; }
	read -r -a pkgs <<<"${groups[$g]}"
	wanted+=("${pkgs[@]}")
done

# Installed for the architecture asked for (pkg:arch), or else the native one (or 'all'):
# with a foreign architecture added, an unqualified name can match several packages.
native=$(dpkg --print-architecture)
installed() {
	local name=${1%%:*} arch=$native
	case $1 in *:*) arch=${1##*:} ;; esac
	dpkg-query -W -f='${Status} ${Architecture}\n' "$name" 2>/dev/null | grep -qE "^install ok installed ($arch|all)\$"
}
# A foreign architecture whose packages come from the sysroot made below (the mirror could not
# serve them) has them there: remove tests/vm/cache/sysroot/ARCH to try the mirror again.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
in_sysroot() {
	local arch=${1##*:} triple
	case $1 in *:arm64) triple=aarch64-linux-gnu ;; *:armhf) triple=arm-linux-gnueabihf ;; *) return 1 ;; esac
	local lib=$repo/tests/vm/cache/sysroot/$arch/root/usr/lib/$triple
	[ -f "$lib/pkgconfig/libcurl.pc" ] && [ -f "$lib/libnghttp2.a" ]
}
missing=()
for p in "${wanted[@]}"; do
	installed "$p" || in_sysroot "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive

update() {
	# A mirror caught mid-sync fails one index (seen: bookworm-security armhf); the install
	# that follows still fails loudly if that index was needed.
	apt-get update -qq || echo "install-deps: apt-get update reported errors (above); trying the install anyway" >&2
}
install() { apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }

# Native packages first, then one batch per foreign architecture, so that a foreign
# architecture the mirror cannot serve consistently does not block the rest.
batch=()
declare -A foreign=()
for p in "${missing[@]}"; do
	case $p in
	*:"$native" | *:all) batch+=("$p") ;;
	*:*) foreign[${p##*:}]+=" $p" ;;
	*) batch+=("$p") ;;
	esac
done
update
[ ${#batch[@]} -eq 0 ] || install "${batch[@]}"

failed=()
for a in "${!foreign[@]}"; do
	added=
	if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
		echo "install-deps: dpkg --add-architecture $a (for the cross-build -dev packages)" >&2
		dpkg --add-architecture "$a"
		added=1
		update
	fi
	# shellcheck disable=SC2086
	if ! install ${foreign[$a]}; then
		failed+=("$a")
		echo "install-deps: could not install the $a packages:${foreign[$a]}" >&2
		# apt treats each Release as one transaction: a broken $a index of one suite leaves that
		# whole suite's lists stale (security updates included). Undo what this run added.
		if [ -n "$added" ] && [ -z "$(dpkg-query -W -f='${Package}\n' "*:$a" 2>/dev/null)" ]; then
			echo "install-deps: dpkg --remove-architecture $a (undoing the change above)" >&2
			dpkg --remove-architecture "$a"
			update
		fi
	fi
done
# What the multiarch packages would have given, from a sysroot instead: tests/vm/sysroot.sh
# unpacks the -dev packages (static's included) of bookworm into tests/vm/cache/sysroot/ARCH
# with the VM lab's private apt, and make ARCH=... finds that sysroot by itself.
still=()
for a in "${failed[@]}"; do
	echo "install-deps: making a sysroot of $a instead: tests/vm/sysroot.sh $a --static" >&2
	if bash "$repo/tests/vm/sysroot.sh" "$a" --static >/dev/null; then
		echo "install-deps: the $a build uses that sysroot (make finds it by itself)" >&2
	else
		still+=("$a")
	fi
done
if [ ${#still[@]} -gt 0 ]; then
	echo "install-deps: FAILED for architecture(s): ${still[*]} (see the errors above)" >&2
	exit 1
fi
