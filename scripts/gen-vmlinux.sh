#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Regenerates vmlinux/ARCH/vmlinux.h from a stock Debian kernel's own type information.
#
#   scripts/gen-vmlinux.sh ARCH [--kernel ID] [--modules "overlay ..."] [-o FILE]
#
#   ARCH       arm64 | arm | x86
#   --kernel   the VM lab's kernel id to take the types from (default: the bookworm 6.1 kernel of
#              that architecture: arm64-6.1, armhf-6.1, amd64-6.1)
#   --modules  a module whose types are added (default: overlay; "" for none): Debian builds overlayfs as a
#              module, so its types are in the module's BTF, not in vmlinux's; with them the
#              header has the same overlay types as one made from a kernel that builds it in
#   -o FILE    write there instead of vmlinux/ARCH/vmlinux.h
#   --btf FILE also write the kernel's raw BTF (vmlinux only) to FILE: for kernels without
#              /sys/kernel/btf/vmlinux (Debian armhf), a loader can be given this file instead
#              (libbpf: bpf_object_open_opts.btf_custom_path)
#
# How: the kernel .deb is fetched with the VM lab's private apt (tests/vm/lib.sh; the host's apt
# configuration is not touched, nothing is installed) and unpacked. The vmlinuz (decompressed
# if it is a compressed image) is scanned for the BTF header (magic 0xeB9F, version 1, header
# length 24); the blob it announces is cut out and dumped with `bpftool btf dump file X format c`.
# Module types: `bpftool -B VMLINUX_BTF btf dump file MOD.ko format c` prints the base types
# and the module's together, so the header is vmlinux + that one module (one module at most:
# two modules' split BTF cannot be dumped as one header by bpftool).
#
# Debian's armhf kernels (armmp, armmp-lpae; 6.1 and 6.12) are built without
# CONFIG_DEBUG_INFO_BTF: no BTF to scan for. For ARCH=arm the BTF is therefore encoded here from
# the kernel's DWARF debug information (linux-image-*-armmp-dbg, about 620 MB to download) with
# pahole -J (Debian's dwarves package), the same tool the kernel build uses for its BTF.
#
# The x86 header in the tree was made from the development machine's running 6.18 kernel
# (make vmlinux); this script can make one from Debian's 6.1 amd64 kernel instead (ARCH=x86).
set -euo pipefail
LAB_PROG=gen-vmlinux
# shellcheck source=tests/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/vm/lib.sh"

arch=${1:-}
shift || true
kernel='' modules=overlay out='' rawbtf=''
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--modules) modules=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	--btf) rawbtf=$2; shift 2 ;;
	*) LAB_DIE_RC=2 lab_die "unknown option '$1'" ;;
	esac
done
case $arch in
arm64) kernel=${kernel:-arm64-6.1} ;;
arm) kernel=${kernel:-armhf-6.1} ;;
x86) kernel=${kernel:-amd64-6.1} ;;
*) LAB_DIE_RC=2 lab_die "usage: scripts/gen-vmlinux.sh arm64|arm|x86 [--kernel ID] [--modules LIST] [-o FILE]" ;;
esac
out=${out:-$REPO_DIR/vmlinux/$arch/vmlinux.h}
# shellcheck disable=SC2086
[ "$(echo $modules | wc -w)" -le 1 ] || LAB_DIE_RC=2 lab_die "--modules takes one module"
lab_need_root
for t in bpftool depmod xz zstd; do command -v "$t" >/dev/null || lab_host_deps; done

lab_kernel_fetch "$kernel"
kd=$(lab_kdir "$kernel")
rel=$(cat "$kd/release")
work=$VM_CACHE/btf/$kernel
mkdir -p "$work"

# Decompresses a kernel image if it is compressed: tries every gzip/xz/zstd header in it and
# keeps the first one that decompresses to an ELF file (the idea of the kernel's
# scripts/extract-vmlinux).
decompress() {
	local img=$1 dst=$2 magic tool off
	for magic in '\x1f\x8b\x08' '\xfd7zXZ\x00' '\x28\xb5\x2f\xfd'; do
		case $magic in '\x1f'*) tool="gzip -dc" ;; '\xfd'*) tool="xz -dc" ;; *) tool="zstd -qdc" ;; esac
		for off in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1 | head -20); do
			tail -c +$((off + 1)) "$img" | $tool >"$dst" 2>/dev/null || true
			if [ "$(head -c 4 "$dst" | od -An -c | tr -d ' ')" = '177ELF' ]; then return 0; fi
		done
	done
	return 1
}

# Cuts the BTF blob out of a file: the first header "9f eb 01 00 18 00 00 00".
extract_btf() {
	local src=$1 dst=$2 off hdr
	off=$(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$src" | head -1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	# hdr_len type_off type_len str_off str_len (u32, little endian)
	read -r -a hdr < <(od -An -w20 -t u4 -j $((off + 4)) -N 20 --endian=little "$src")
	local a=$((hdr[1] + hdr[2])) b=$((hdr[3] + hdr[4]))
	local size=$((hdr[0] + (a > b ? a : b)))
	tail -c +$((off + 1)) "$src" | head -c "$size" >"$dst"
	lab_log "$kernel: BTF at offset $off of $(basename "$src"), $size bytes"
}

img=$kd/vmlinuz
scan=$img
if [ "$(head -c 2 "$img")" != MZ ] || [ "$arch" = x86 ]; then
	# x86 bzImage and arm zImage carry a compressed kernel.
	if decompress "$img" "$work/vmlinux.elf"; then scan=$work/vmlinux.elf; fi
fi
btf=$work/vmlinux.btf
if ! extract_btf "$scan" "$btf"; then
	grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$kd/root/boot/config-$rel" &&
		lab_die "$kernel: CONFIG_DEBUG_INFO_BTF=y but no BTF header found in $(basename "$scan")"
	lab_log "$kernel: built without CONFIG_DEBUG_INFO_BTF; encoding BTF from its DWARF (-dbg package)"
	command -v pahole >/dev/null || lab_host_deps
	read -r pkg ver <"$kd/pkg"
	darch=$(lab_kernel_arch "$kernel")
	lab_apt_update
	lab_apt_download "$VM_CACHE/debs" "$pkg-dbg:$darch=$ver"
	deb=$VM_CACHE/debs/${pkg}-dbg_${ver//:/%3a}_$darch.deb
	pats=("./usr/lib/debug/boot/vmlinux-$rel")
	for m in $modules; do pats+=("./usr/lib/debug/lib/modules/$rel/kernel/*/$m.ko"); done
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards "${pats[@]}"
	dbg=$work/usr/lib/debug
	cp "$dbg/boot/vmlinux-$rel" "$work/vmlinux.dwarf"
	pahole -J "$work/vmlinux.dwarf" >"$work/pahole.log" 2>&1 || { tail "$work/pahole.log" >&2; lab_die "pahole -J failed"; }
	btf=$work/vmlinux.dwarf
	# Module types: split BTF encoded against the vmlinux BTF above (pahole --btf_base).
	for m in $modules; do
		ko=$(find "$dbg/lib/modules/$rel" -name "$m.ko" | head -1)
		[ -n "$ko" ] || lab_die "module $m not in the -dbg package"
		cp "$ko" "$work/$m.ko"
		pahole -J --btf_base "$btf" "$work/$m.ko" >>"$work/pahole.log" 2>&1 || lab_die "pahole -J $m.ko failed"
	done
	rm -rf "${work:?}/usr" "$deb"
	lab_log "$kernel: BTF encoded from DWARF by pahole -J${modules:+ (and $modules)}"
	modules_done=1
fi

if [ -n "$rawbtf" ]; then
	if [ "$btf" = "$work/vmlinux.btf" ]; then cp "$btf" "$rawbtf"; else
		llvm-objcopy --dump-section ".BTF=$rawbtf" "$btf" /dev/null
	fi
	lab_log "wrote the raw BTF of $rel to $rawbtf ($(stat -c %s "$rawbtf") bytes)"
fi

dump=$btf base=()
for m in $modules; do
	if [ -z "${modules_done:-}" ]; then
		ko=$(modprobe -d "$kd/root" -S "$rel" --show-depends "$m" 2>/dev/null | sed -n 's/^insmod \([^ ]*\).*/\1/p' | tail -1)
		[ -n "$ko" ] || lab_die "module $m not found in $kernel"
		case $ko in
		*.xz) xz -dc "$ko" >"$work/$m.ko" ;;
		*.zst) zstd -qdc "$ko" >"$work/$m.ko" ;;
		*) cp "$ko" "$work/$m.ko" ;;
		esac
	fi
	dump="$work/$m.ko"
	base=(-B "$btf")
done
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2086
bpftool "${base[@]}" btf dump file $dump format c >"$out.tmp"
mv "$out.tmp" "$out"
lab_log "wrote $out ($(wc -l <"$out") lines) from $(cat "$kd/pkg") (${modules:+modules: $modules})"
# The intermediate files are large (the DWARF vmlinux of armhf is 240 MB).
rm -f "$work/vmlinux.dwarf" "$work/vmlinux.elf" "$work"/*.ko
