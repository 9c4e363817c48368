#!/usr/bin/env bash
# Installs what restartprof needs from Debian's packages, and only what is missing.
# Usage: scripts/install-deps.sh [build] [run] [test] [fuzz] [bench] [vm] [cross]   (default: build run test)
# Idempotent: a second call with everything present installs nothing and touches no apt state.
set -euo pipefail

declare -A groups=(
	[build]="make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev libcurl4-openssl-dev libjson-c-dev libarchive-dev nettle-dev"
	[run]="docker.io stress-ng gnuplot-nox iproute2 procps"
	[test]="libcmocka-dev"
	[fuzz]="libclang-rt-14-dev"
	[bench]="bpftrace libbpf-tools linux-perf"
	[vm]="qemu-system-x86 qemu-system-arm qemu-utils busybox-static debootstrap cpio e2fsprogs"
	[cross]="gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf"
)

wanted=()
[ $# -eq 0 ] && set -- build run test
for g in "$@"; do
	[ -n "${groups[$g]+x}" ] || { echo "install-deps: unknown group '$g' (known: ${!groups[*]})" >&2; exit 2; }
	read -r -a pkgs <<<"${groups[$g]}"
	wanted+=("${pkgs[@]}")
done

missing=()
for p in "${wanted[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
