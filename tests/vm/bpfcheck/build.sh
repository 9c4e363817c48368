#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# restartprof VM lab: builds bpfcheck (static, for a Debian architecture) and probes.bpf.o.
#   tests/vm/bpfcheck/build.sh ARCH OUTDIR      ARCH: amd64 | arm64 | armhf
# The loader is linked statically (libbpf.a, libelf.a, libz.a from the -dev packages of ARCH:
# the native ones, the multiarch ones of scripts/install-deps.sh cross-ARCH, or else a sysroot
# made by tests/vm/sysroot.sh).
set -euo pipefail
arch=$1 out=$2
src=$(cd "$(dirname "$0")" && pwd)
case $arch in
amd64) cc=gcc triple=x86_64-linux-gnu ;;
arm64) cc=aarch64-linux-gnu-gcc triple=aarch64-linux-gnu ;;
armhf) cc=arm-linux-gnueabihf-gcc triple=arm-linux-gnueabihf ;;
*) echo "bpfcheck/build.sh: unknown arch $arch" >&2; exit 2 ;;
esac
mkdir -p "$out"
if [ "$out/probes.bpf.o" -ot "$src/probes.bpf.c" ] || [ ! -f "$out/probes.bpf.o" ]; then
	incs=$(clang -v -E - </dev/null 2>&1 | sed -n '/<...> search starts/,/End of search list/ s| \(/.*\)|-idirafter \1|p')
	# shellcheck disable=SC2086
	clang -g -O2 -target bpf -mcpu=v3 -Wall -Werror $incs -c "$src/probes.bpf.c" -o "$out/probes.bpf.o"
fi
if [ "$out/bpfcheck" -ot "$src/bpfcheck.c" ] || [ ! -f "$out/bpfcheck" ]; then
	sysroot=()
	if [ ! -f "/usr/lib/$triple/libbpf.a" ]; then
		# No multiarch -dev packages of ARCH on the host: a sysroot from the lab's apt.
		[ "$arch" != amd64 ] || { echo "bpfcheck/build.sh: libbpf.a missing (scripts/install-deps.sh build)" >&2; exit 1; }
		sysroot=("--sysroot=$(LAB_PROG=sysroot.sh bash -c '. "$1/lib.sh"; lab_sysroot "$2"' _ "$src/.." "$arch")/root")
	fi
	"$cc" "${sysroot[@]}" -O2 -Wall -Wextra -Werror -static "$src/bpfcheck.c" -o "$out/bpfcheck" -lbpf -lelf -lz
fi
