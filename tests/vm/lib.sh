# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared functions of the VM lab (sourced by run.sh, lab.sh, prepare.sh, scripts/gen-vmlinux.sh).
#
# Everything the lab downloads or builds lives under $VM_CACHE (default tests/vm/cache/,
# gitignored). The host's apt configuration is never touched: the lab has an apt
# configuration, source list, package lists and archive cache of its own under
# $VM_CACHE/apt/, and kernels are unpacked with dpkg-deb -x, never installed.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LAB_DIR/../.." && pwd)
VM_CACHE=${VM_CACHE:-$LAB_DIR/cache}
LAB_MIRROR=${LAB_MIRROR:-http://deb.debian.org/debian}
LAB_SUITE=bookworm

# The kernels the lab knows: id -> "debian-arch metapackage suite".
declare -A LAB_KERNELS=(
	[amd64-6.1]="amd64 linux-image-amd64 bookworm"
	[amd64-6.12]="amd64 linux-image-amd64 bookworm-backports"
	[arm64-6.1]="arm64 linux-image-arm64 bookworm"
	[arm64-6.12]="arm64 linux-image-arm64 bookworm-backports"
	[armhf-6.1]="armhf linux-image-armmp bookworm"
	[armhf-6.12]="armhf linux-image-armmp bookworm-backports"
)
# shellcheck disable=SC2034 # used by run.sh and lab.sh
LAB_DEFAULT_KERNELS="amd64-6.1 amd64-6.12 arm64-6.1 arm64-6.12"

lab_log() { printf '%s: %s\n' "${LAB_PROG:-vm}" "$*" >&2; }
lab_die() { printf '%s: %s\n' "${LAB_PROG:-vm}" "$*" >&2; exit "${LAB_DIE_RC:-125}"; }

# Removes a build directory: unmounts anything left mounted below it (an interrupted
# debootstrap leaves proc/sys/dev mounts in its target), never crosses into another filesystem.
lab_rmtree() {
	local d=$1 m
	[ -e "$d" ] || return 0
	for m in $(findmnt -rn -o TARGET | grep -F "$d/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
	rm -rf --one-file-system "$d"
}

lab_need_root() { [ "$(id -u)" -eq 0 ] || lab_die "must run as root (debootstrap, mke2fs -d of a root-owned tree)"; }

# Installs the host tools the lab uses (Debian packages only).
lab_host_deps() {
	bash "$REPO_DIR/scripts/install-deps.sh" vm >&2 || lab_die "could not install the vm dependency group"
}

# ---------------------------------------------------------------------------------------------
# Private apt: bookworm + bookworm-backports, amd64 + arm64 + armhf, own lists and cache.

LAB_APT=$VM_CACHE/apt
lab_apt_conf() {
	local a=$LAB_APT
	[ -f "$a/apt.conf" ] && [ "$(cat "$a/recipe" 2>/dev/null)" = "$LAB_MIRROR v2" ] && return 0
	mkdir -p "$a/etc/sources.list.d" "$a/etc/preferences.d" "$a/etc/apt.conf.d" \
		"$a/state/lists/partial" "$a/cache/archives/partial"
	: >"$a/state/status"
	local key=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$a/etc/sources.list" <<-EOF
		deb [signed-by=$key] $LAB_MIRROR bookworm main
		deb [signed-by=$key] $LAB_MIRROR bookworm-backports main
	EOF
	cat >"$a/apt.conf" <<-EOF
		Dir::Etc "$a/etc";
		Dir::Etc::SourceList "$a/etc/sources.list";
		Dir::Etc::SourceParts "$a/etc/sources.list.d";
		Dir::Etc::Preferences "$a/etc/preferences";
		Dir::Etc::PreferencesParts "$a/etc/preferences.d";
		Dir::Etc::Parts "$a/etc/apt.conf.d";
		Dir::State "$a/state";
		Dir::State::status "$a/state/status";
		Dir::Cache "$a/cache";
		APT::Architecture "amd64";
		APT::Architectures { "amd64"; "arm64"; "armhf"; };
		APT::Sandbox::User "root";
		Acquire::Languages "none";
		Acquire::Retries "3";
		Acquire::GzipIndexes "true";
		Acquire::CompressionTypes::Order:: "gz";
	EOF
	echo "$LAB_MIRROR v2" >"$a/recipe"
	rm -f "$a/updated"
}

lab_apt() { APT_CONFIG=$LAB_APT/apt.conf "$@"; }

# apt-get update of the private lists, at most once a day unless forced.
lab_apt_update() {
	lab_apt_conf
	local force=${1:-}
	[ -n "$force" ] && [ -n "${LAB_APT_FORCED:-}" ] && return 0
	if [ -z "$force" ] && [ -f "$LAB_APT/updated" ] &&
		[ -n "$(find "$LAB_APT/updated" -mmin -1440 2>/dev/null)" ]; then
		return 0
	fi
	lab_log "apt-get update (lab-private lists: bookworm, bookworm-backports; amd64 arm64 armhf)"
	lab_apt apt-get -q update >"$LAB_APT/update.log" 2>&1 ||
		{ cat "$LAB_APT/update.log" >&2; lab_die "apt-get update of the lab's lists failed"; }
	touch "$LAB_APT/updated"
	[ -n "$force" ] && LAB_APT_FORCED=1
	return 0
}

# lab_apt_download DIR PKG[:ARCH][=VER]... : downloads .debs into DIR (kept: the download cache).
lab_apt_download() {
	local dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && lab_apt apt-get -q download "$@") >"$dir/.download.log" 2>&1 ||
		{ cat "$dir/.download.log" >&2; lab_die "apt-get download $* failed"; }
}

# ---------------------------------------------------------------------------------------------
# Kernels

lab_kernel_known() { [ -n "${LAB_KERNELS[$1]+x}" ]; }
lab_kernel_arch() {
	local a _
	read -r a _ <<<"${LAB_KERNELS[$1]}"
	echo "$a"
}
lab_kdir() { echo "$VM_CACHE/kernels/$1"; }

# Resolves the kernel package of a kernel id from the private lists: prints "PKG VERSION".
lab_kernel_resolve() {
	local arch meta suite dep ver
	read -r arch meta suite <<<"${LAB_KERNELS[$1]}"
	lab_apt_update
	dep=$(lab_apt apt-cache show "$meta:$arch/$suite" 2>/dev/null | sed -n 's/^Depends: *//p' | head -1 |
		tr ',' '\n' | sed -n 's/^ *\(linux-image-[^ ]*\).*/\1/p' | head -1)
	[ -n "$dep" ] || lab_die "cannot resolve $meta:$arch in $suite"
	ver=$(lab_apt apt-cache show "$dep:$arch/$suite" 2>/dev/null | sed -n 's/^Version: *//p' | head -1)
	[ -n "$ver" ] || lab_die "no version for $dep:$arch in $suite"
	echo "$dep $ver"
}

# lab_kernel_fetch ID [refresh]: makes $VM_CACHE/kernels/ID/{vmlinuz,root/,release,pkg} ready.
# The package found first is kept (no network on later runs) until refresh is asked for.
lab_kernel_fetch() {
	local id=$1 refresh=${2:-} kd arch pkg ver deb rel
	lab_kernel_known "$id" || lab_die "unknown kernel '$id' (known: ${!LAB_KERNELS[*]})"
	kd=$(lab_kdir "$id")
	arch=$(lab_kernel_arch "$id")
	if [ -z "$refresh" ] && [ -f "$kd/ready" ]; then return 0; fi
	[ -n "$refresh" ] && lab_apt_update force
	read -r pkg ver < <(lab_kernel_resolve "$id")
	if [ -f "$kd/ready" ] && [ "$(cat "$kd/pkg")" = "$pkg $ver" ]; then return 0; fi
	lab_log "$id: fetching $pkg $ver ($arch)"
	lab_apt_download "$VM_CACHE/debs" "$pkg:$arch=$ver"
	deb=$VM_CACHE/debs/${pkg}_${ver//:/%3a}_$arch.deb
	[ -f "$deb" ] || lab_die "downloaded deb for $pkg not found"
	rm -rf "$kd"
	mkdir -p "$kd/root"
	dpkg-deb -x "$deb" "$kd/root"
	rel=$(find "$kd/root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -1)
	[ -n "$rel" ] || lab_die "$deb has no modules"
	depmod -b "$kd/root" "$rel" || lab_die "depmod failed for $rel"
	ln -sf "root/boot/vmlinuz-$rel" "$kd/vmlinuz"
	echo "$rel" >"$kd/release"
	echo "$pkg $ver" >"$kd/pkg"
	basename "$deb" >"$kd/deb"
	rm -f "$deb" # unpacked in root/; apt-get download fetches it again if ever needed
	touch "$kd/ready"
	rm -f "$kd/initramfs.key"
}

# ---------------------------------------------------------------------------------------------
# busybox-static of a Debian architecture (for the initramfs)

lab_busybox() {
	local arch=$1 d=$VM_CACHE/busybox/$1
	[ -x "$d/busybox" ] && { echo "$d/busybox"; return 0; }
	lab_apt_update
	mkdir -p "$d"
	lab_apt_download "$d/deb" "busybox-static:$arch"
	dpkg-deb -x "$(find "$d/deb" -name "busybox-static_*_$arch.deb" | head -1)" "$d/x"
	cp "$d/x/bin/busybox" "$d/busybox"
	rm -rf "$d/x"
	echo "$d/busybox"
}

# ---------------------------------------------------------------------------------------------
# Initramfs: busybox + the modules that reach the root disk and the 9p shares + init.

LAB_INITRD_MODULES="virtio_pci virtio_blk virtio_rng crc32c_generic ext4 9pnet_virtio 9p"

lab_initramfs() {
	local id=$1 kd arch rel key bb tmp m line f base
	kd=$(lab_kdir "$id")
	arch=$(lab_kernel_arch "$id")
	rel=$(cat "$kd/release")
	key=$( (cat "$LAB_DIR/guest/initramfs-init" "$kd/pkg"; echo "$LAB_INITRD_MODULES") | sha256sum | cut -c1-16)
	if [ -f "$kd/initramfs.cpio.gz" ] && [ "$(cat "$kd/initramfs.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	bb=$(lab_busybox "$arch")
	tmp=$(mktemp -d "$VM_CACHE/tmp.initramfs.XXXXXX")
	mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,modules}
	cp "$bb" "$tmp/bin/busybox"
	ln -s busybox "$tmp/bin/sh"
	cp "$LAB_DIR/guest/initramfs-init" "$tmp/init"
	chmod 755 "$tmp/init"
	: >"$tmp/modules/order"
	for m in $LAB_INITRD_MODULES; do
		modprobe -d "$kd/root" -S "$rel" --show-depends "$m" 2>/dev/null | while read -r line; do
			case $line in
			insmod\ *)
				f=${line#insmod }
				f=${f%% *}
				base=$(basename "$f")
				base=${base%.xz}
				base=${base%.zst}
				grep -qx "$base" "$tmp/modules/order" && continue
				case $f in
				*.xz) xz -dc "$f" >"$tmp/modules/$base" ;;
				*.zst) zstd -qdc "$f" >"$tmp/modules/$base" ;;
				*) cp "$f" "$tmp/modules/$base" ;;
				esac
				echo "$base" >>"$tmp/modules/order"
				;;
			esac
		done
	done
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$kd/initramfs.cpio.gz.tmp"
	mv "$kd/initramfs.cpio.gz.tmp" "$kd/initramfs.cpio.gz"
	echo "$key" >"$kd/initramfs.key"
	lab_rmtree "$tmp"
}

lab_kernel_prepare() {
	lab_kernel_fetch "$1" "${2:-}"
	lab_initramfs "$1"
}

# ---------------------------------------------------------------------------------------------
# Root filesystem images: one per Debian architecture, keyed by a hash of the recipe
# (tests/vm/image/*: package list, configuration script) and the architecture.

lab_image_key() {
	local arch=$1
	(echo "$arch $LAB_SUITE $LAB_MIRROR"; cat "$LAB_DIR/image/packages" "$LAB_DIR/image/configure.sh" \
		"$LAB_DIR/image/size") | sha256sum | cut -c1-12
}
lab_image_path() { echo "$VM_CACHE/images/$1-$(lab_image_key "$1").img"; }

# A kernel id whose architecture matches, used to run an image's second stage.
lab_kernel_for_arch() {
	local id
	for id in "$1-6.1" "$1-6.12"; do lab_kernel_known "$id" && { echo "$id"; return 0; }; done
	return 1
}

lab_image() {
	local arch=$1 img tmp pkgs size log t0 foreign=() id t
	img=$(lab_image_path "$arch")
	[ -f "$img" ] && return 0
	lab_need_root
	mkdir -p "$VM_CACHE/images"
	log=${img%.img}.log
	t0=$(date +%s)
	lab_log "image $arch: building $(basename "$img") (debootstrap minbase; log: $log)"
	# Leftovers of an interrupted build of this architecture (callers hold the prepare lock;
	# images of other architectures may be in the making beside this one).
	for t in "$VM_CACHE/tmp.rootfs.$arch".*; do [ -e "$t" ] && lab_rmtree "$t"; done
	tmp=$(mktemp -d "$VM_CACHE/tmp.rootfs.$arch.XXXXXX")
	pkgs=$(grep -v '^#' "$LAB_DIR/image/packages" | xargs | tr ' ' ',')
	[ "$arch" = amd64 ] || foreign=(--foreign)
	if ! debootstrap --variant=minbase --arch="$arch" "${foreign[@]}" --include="$pkgs" \
		--components=main "$LAB_SUITE" "$tmp/root" "$LAB_MIRROR" >"$log" 2>&1; then
		tail -20 "$log" >&2
		lab_rmtree "$tmp"
		lab_die "image $arch: debootstrap failed (log: $log)"
	fi
	cp "$LAB_DIR/image/configure.sh" "$tmp/root/lab-configure.sh"
	if [ "$arch" = amd64 ]; then
		chroot "$tmp/root" /bin/sh /lab-configure.sh >>"$log" 2>&1 ||
			{ lab_rmtree "$tmp"; lab_die "image $arch: configure.sh failed (log: $log)"; }
		rm -f "$tmp/root/lab-configure.sh"
	fi
	size=$(cat "$LAB_DIR/image/size")
	rm -f "$img.tmp"
	mke2fs -q -t ext4 -L lab-root -d "$tmp/root" "$img.tmp" "$size" >>"$log" 2>&1 ||
		{ lab_rmtree "$tmp"; rm -f "$img.tmp"; lab_die "image $arch: mke2fs -d failed (log: $log)"; }
	lab_rmtree "$tmp"
	if [ "$arch" != amd64 ]; then
		# Second stage (and configure.sh) inside an emulated VM of that architecture.
		id=$(lab_kernel_for_arch "$arch") || lab_die "no kernel to run the $arch second stage"
		lab_kernel_prepare "$id"
		lab_log "image $arch: debootstrap --second-stage inside a $id VM (several minutes under TCG)"
		if ! LAB_PROG=run.sh "$LAB_DIR/run.sh" --kernel "$id" --init stage2 --disk "$img.tmp" \
			--timeout 1800 --retries 0 --log "${img%.img}.stage2" -- true >>"$log" 2>&1; then
			tail -30 "$log" >&2
			mv -f "$img.tmp" "${img%.img}.failed"
			lab_die "image $arch: second stage failed (log: $log)"
		fi
	fi
	mv "$img.tmp" "$img"
	ln -sfn "$(basename "$img")" "$VM_CACHE/images/$arch.img"
	lab_log "image $arch: ready in $(($(date +%s) - t0)) s ($(du -h "$img" | cut -f1) used of $size)"
	# Older images of the same architecture are stale recipes.
	find "$VM_CACHE/images" -maxdepth 1 -name "$arch-*.img" ! -name "$(basename "$img")" -delete
}

# ---------------------------------------------------------------------------------------------
# Cross-build sysroot of a Debian architecture, from the lab's private apt (no change to the
# host's dpkg or apt). The fallback when the multiarch -dev packages cannot be installed on the
# host (scripts/install-deps.sh cross-ARCH), e.g. when the mirror's index of that architecture
# is inconsistent. lab_sysroot ARCH [PKG...]: prints the sysroot's path.
# A package cross-built against the sysroot (scripts/deb.sh) has its dependencies found by
# dpkg-shlibdeps, which asks a dpkg database who ships each library and reads that package's
# symbols: lab_sysroot_record DEB DB ROOT writes DEB into the database DB (beside the sysroot,
# never the host's), its file list naming the files where they are on the host, under ROOT.
lab_sysroot_record() {
	local deb=$1 db=$2 root=$3 name ctl f
	name=$(dpkg-deb -f "$deb" Package)
	[ "$(dpkg-deb -f "$deb" Multi-Arch)" = same ] && name=$name:$(dpkg-deb -f "$deb" Architecture)
	{ dpkg-deb -f "$deb"; echo "Status: install ok installed"; echo; } >>"$db/status"
	dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's|^\.||' -e 's|/$||' -e "s|^|$root|" >"$db/info/$name.list"
	ctl=$(mktemp -d)
	dpkg-deb -e "$deb" "$ctl"
	for f in shlibs symbols; do
		[ -f "$ctl/$f" ] && cp "$ctl/$f" "$db/info/$name.$f"
	done
	rm -rf "$ctl"
}
LAB_SYSROOT_PKGS="libc6-dev libbpf-dev libelf-dev zlib1g-dev libcurl4-openssl-dev libjson-c-dev libarchive-dev nettle-dev libmicrohttpd-dev"
# shellcheck disable=SC2034 # used by sysroot.sh
LAB_STATIC_PKGS="libnghttp2-dev libidn2-dev libssh2-1-dev libpsl-dev libssl-dev libzstd-dev libbrotli-dev libacl1-dev liblzma-dev liblz4-dev libbz2-dev libxml2-dev libunistring-dev"
lab_sysroot() {
	local arch=$1 d key deb
	shift
	local pkgs=("$@")
	[ ${#pkgs[@]} -gt 0 ] || read -r -a pkgs <<<"$LAB_SYSROOT_PKGS"
	d=$VM_CACHE/sysroot/$arch
	key=$(echo "$arch ${pkgs[*]} dpkg links" | sha256sum | cut -c1-16)
	if [ -f "$d/key" ] && [ "$(cat "$d/key")" = "$key" ]; then echo "$d"; return 0; fi
	lab_apt_update
	rm -rf "$d"
	mkdir -p "$d/debs/partial" "$d/root"
	lab_apt apt-get install -d -y -q --no-install-recommends -o Dir::Cache::archives="$d/debs" \
		-o Debug::NoLocking=1 "${pkgs[@]/%/:$arch}" >"$d/download.log" 2>&1 ||
		{ tail "$d/download.log" >&2; lab_die "sysroot $arch: apt-get install --download-only failed"; }
	mkdir -p "$d/dpkg/info" "$d/dpkg/updates"
	printf '%s\n' "$(dpkg --print-architecture)" "$arch" >"$d/dpkg/arch"
	echo 1 >"$d/dpkg/info/format" # file lists named PACKAGE:ARCH.list for Multi-Arch: same
	for deb in "$d"/debs/*_"$arch".deb "$d"/debs/*_all.deb; do
		[ -f "$deb" ] || continue
		dpkg-deb -x "$deb" "$d/root"
		lab_sysroot_record "$deb" "$d/dpkg" "$d/root"
	done
	rm -rf "$d/debs"
	# Absolute links (usr/lib/TRIPLE/libz.so -> /lib/TRIPLE/libz.so.1) would point into the
	# host, and the linker would take the static archive beside them: keep them inside.
	find "$d/root" -type l -lname '/*' -print0 | while IFS= read -r -d '' l; do
		ln -sfnr "$d/root$(readlink "$l")" "$l"
	done
	echo "$key" >"$d/key"
	echo "$d"
}

# ---------------------------------------------------------------------------------------------
# Processes, host facts, builds

# lab_kill_tree PID [SIGNAL]: signals PID and all its descendants (children first found, then
# signalled parent-first so that none is re-parented out of reach), then waits up to 10 s for
# them to go and sends SIGKILL to what is left.
lab_kill_tree() {
	local root=$1 sig=${2:-TERM} pids=() queue=("$1") p c
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		pids+=("$p")
		for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do queue+=("$c"); done
	done
	kill -"$sig" "${pids[@]}" 2>/dev/null
	for _ in $(seq 20); do
		kill -0 "${pids[@]}" 2>/dev/null || break
		sleep 0.5
	done
	kill -KILL "${pids[@]}" 2>/dev/null
	[ "$root" ] && wait "$root" 2>/dev/null
	return 0
}

# What the host offers the lab, said once per run (LAB_HOST_REPORT holds it for summaries).
lab_host_report() {
	local kvm mem_kib disk_kib cpus q
	if [ -e /dev/kvm ]; then
		kvm="/dev/kvm present, not used (stock kernels stall under this kind of nested virtualisation; TCG)"
	else
		kvm="/dev/kvm absent (fine: the lab always uses TCG)"
	fi
	cpus=$(nproc)
	mem_kib=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo)
	mkdir -p "$VM_CACHE"
	disk_kib=$(df -Pk "$VM_CACHE" | awk 'NR == 2 {print $4}')
	q=$(qemu-system-x86_64 --version 2>/dev/null | head -1 | sed 's/^QEMU emulator version //')
	LAB_HOST_REPORT="$kvm; $cpus CPUs; $((mem_kib / 1024)) MiB available; $((disk_kib / 1024 / 1024)) GiB free for the cache; qemu ${q:-?}"
	lab_log "host: $LAB_HOST_REPORT"
	[ "$cpus" -ge 2 ] || lab_log "WARNING: one CPU: the VMs get 2 vCPUs on it and run about twice as slow"
	[ "$mem_kib" -ge $((2600 * 1024)) ] || lab_log "WARNING: less than 2.6 GiB of memory available: a 2 GiB VM may not start or may be swapped"
	[ "$disk_kib" -ge $((8 * 1024 * 1024)) ] || lab_log "WARNING: less than 8 GiB free under $VM_CACHE: building images (up to 1 GB each, 4 GiB sparse) may fail"
}

# The C compiler of a Debian architecture, installed (compiler only) when missing.
lab_cross_cc() {
	local cc
	case $1 in arm64) cc=aarch64-linux-gnu-gcc ;; armhf) cc=arm-linux-gnueabihf-gcc ;; *) return 0 ;; esac
	command -v "$cc" >/dev/null && return 0
	bash "$REPO_DIR/scripts/install-deps.sh" "cc-$1" >&2 && command -v "$cc" >/dev/null
}

lab_static_tree() {
	case $1 in amd64) echo "$REPO_DIR/build-static" ;; arm64) echo "$REPO_DIR/build-arm64-static" ;; armhf) echo "$REPO_DIR/build-arm-static" ;; esac
}

# lab_build_static ARCH: the static restartprof of a Debian architecture. amd64 links the host's
# archives (scripts/install-deps.sh build static); arm64 and armhf link a sysroot made from the
# lab's apt (tests/vm/sysroot.sh --static), which changes nothing in the host's dpkg.
lab_build_static() {
	local arch=$1 vars=() make_arch
	case $arch in
	amd64) bash "$REPO_DIR/scripts/install-deps.sh" build static >&2 || return 1 ;;
	arm64 | armhf)
		lab_cross_cc "$arch" || return 1
		bash "$REPO_DIR/scripts/install-deps.sh" build >&2 || return 1
		eval "vars=($(LAB_PROG=sysroot.sh bash "$LAB_DIR/sysroot.sh" "$arch" --static))" || return 1
		;;
	*) return 1 ;;
	esac
	make_arch=$(case $arch in amd64) echo x86 ;; arm64) echo arm64 ;; armhf) echo arm ;; esac)
	make -C "$REPO_DIR" --no-print-directory -j"$(nproc)" ARCH="$make_arch" STATIC=1 "${vars[@]}" all >&2
}

# Leftovers of an interrupted preparation: debootstrap trees (with their mounts) and half-made
# images. Only for the holder of the prepare lock.
lab_prepare_cleanup() {
	local t
	for t in "$VM_CACHE"/tmp.rootfs.* "$VM_CACHE"/tmp.initramfs.*; do
		[ -e "$t" ] && lab_rmtree "$t"
	done
	rm -f "$VM_CACHE"/images/*.img.tmp "$VM_CACHE"/kernels/*/initramfs.cpio.gz.tmp
}
