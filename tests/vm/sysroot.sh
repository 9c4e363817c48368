#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Makes a cross-build sysroot of a Debian architecture from the VM lab's private apt and prints
# the make variables that build restartprof against it:
#
#   tests/vm/sysroot.sh ARCH [--static] [PKG...]       ARCH: arm64 | armhf
#   eval make ARCH=arm "$(tests/vm/sysroot.sh armhf)"
#
# (make ARCH=arm64|arm also finds this sysroot by itself when the multiarch -dev packages are
# missing; scripts/install-deps.sh cross-ARCH makes it when the mirror cannot serve them.)
#
# Default packages: libc6-dev and the -dev packages restartprof links (libbpf, libelf, zlib,
# libcurl, json-c, libarchive, nettle, libmicrohttpd), with their dependencies, from bookworm (no security
# updates: the lab's lists are bookworm + bookworm-backports). --static adds the -dev packages
# whose archives a fully static link needs (tests/vm/README.md, "Static binaries"). Nothing on the host changes; the
# sysroot is tests/vm/cache/sysroot/ARCH/root. Use it when scripts/install-deps.sh cross-ARCH
# cannot install the multiarch packages (on this machine: armhf, whose bookworm-security index
# the mirror serves inconsistently). Needs the cross compiler (install-deps.sh cross-ARCH
# installs gcc-*-linux-gnu* first, which does not depend on the broken index).
set -euo pipefail
LAB_PROG=sysroot.sh
# shellcheck source=tests/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
arch=${1:?usage: tests/vm/sysroot.sh arm64|armhf [PKG...]}
shift
case $arch in
arm64) triple=aarch64-linux-gnu ;;
armhf) triple=arm-linux-gnueabihf ;;
*) LAB_DIE_RC=2 lab_die "unknown architecture $arch" ;;
esac
if [ "${1:-}" = --static ]; then
	shift
	# shellcheck disable=SC2086
	set -- $LAB_SYSROOT_PKGS $LAB_STATIC_PKGS "$@"
fi
d=$(lab_sysroot "$arch" "$@")
s=$d/root
printf "CC='%s' PKG_CONFIG_LIBDIR='%s' PKG_CONFIG_SYSROOT_DIR='%s'\n" "$triple-gcc --sysroot=$s" \
	"$s/usr/lib/$triple/pkgconfig:$s/usr/share/pkgconfig" "$s"
