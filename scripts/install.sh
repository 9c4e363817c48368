#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make install / make uninstall: what restartprof puts on a system, and taking it away again.
#
#   scripts/install.sh install|uninstall BUILD_DIR MAN_DIR
#
# PREFIX (default /usr/local), DESTDIR (default none) and PACKAGED come from the environment.
# install writes the binary, man pages, bash completion, the systemd unit for watch, the rules and
# remedy definitions (for reading: the binary has them built in), the Prometheus files and the
# documentation, and a manifest of every file and directory it created; uninstall removes
# exactly those, files first, then each directory it made if nothing else is in it now.
# PACKAGED=1: the install is a distribution package's (debian/rules): its package manager
# lists the files, so no manifest is written and an earlier install is not looked for, and
# the package brings its own copyright file, so LICENSE is not installed as one.
set -euo pipefail

die() {
	echo "install.sh: $*" >&2
	exit 1
}

[ $# -eq 3 ] || die "usage: scripts/install.sh install|uninstall BUILD_DIR MAN_DIR"
action=$1 build=$2 mandir=$3
prefix=${PREFIX:-/usr/local}
dest=${DESTDIR:-}
case $prefix in
/*) ;;
*) die "PREFIX must be an absolute path, not '$prefix'" ;;
esac
root=$dest$prefix
packaged=${PACKAGED:-}
case $packaged in
'' | 0) packaged= ;;
1) ;;
*) die "PACKAGED must be 1 or empty, not '$packaged'" ;;
esac
manifest_rel=share/restartprof/installed-files
manifest=$root/$manifest_rel
sbindir=$prefix/sbin

# The files: source, destination under PREFIX, mode.
files() {
	echo "$build/restartprof sbin/restartprof 0755"
	local f
	for f in "$mandir"/*.[58]; do
		echo "$f share/man/man${f##*.}/${f##*/} 0644"
	done
	echo "scripts/bash-completion share/bash-completion/completions/restartprof 0644"
	echo "$build/restartprof-watch.service lib/systemd/system/restartprof-watch.service 0644"
	echo "rules/causes.rules share/restartprof/causes.rules 0644"
	echo "rules/remedies share/restartprof/remedies 0644"
	for f in dist/prometheus/*.yml; do
		echo "$f share/doc/restartprof/prometheus/${f##*/} 0644"
	done
	echo "README.md share/doc/restartprof/README.md 0644"
	for f in docs/*.md; do
		echo "$f share/doc/restartprof/${f##*/} 0644"
	done
	[ -n "$packaged" ] || echo "LICENSE share/doc/restartprof/copyright 0644"
}

# made_dirs DIR: creates DIR and each missing parent below DESTDIR, one by one, and lists
# each one made in the manifest being written (fd 3).
made_dirs() {
	local d=$1 missing=()
	while [ ! -e "$d" ] && [ ! -L "$d" ]; do
		missing=("$d" "${missing[@]}")
		d=$(dirname "$d")
	done
	if [ ! -d "$d" ] || [ -L "$d" ]; then
		die "$d is in the way: not a plain directory"
	fi
	for d in "${missing[@]}"; do
		mkdir -m 0755 "$d"
		echo "d ${d#"$dest"}" >&3
	done
}

do_install() {
	local src rel mode
	[ -x "$build/restartprof" ] || die "no $build/restartprof: run make first"
	ls "$mandir"/*.8 >/dev/null 2>&1 || die "no man pages in $mandir: run make man first"
	[ -n "$packaged" ] || [ ! -e "$manifest" ] ||
		die "restartprof is installed under $root already: make uninstall first"
	[ -z "$dest" ] || mkdir -p "$dest"
	sed "s|/usr/local/sbin/restartprof|$sbindir/restartprof|" dist/systemd/restartprof-watch.service \
		>"$build/restartprof-watch.service"
	list=$(mktemp)
	trap 'rm -f "$list"' EXIT
	exec 3>"$list"
	while read -r src rel mode; do
		[ -f "$src" ] || die "missing $src"
		made_dirs "$root/$(dirname "$rel")"
		[ ! -L "$root/$rel" ] || die "$root/$rel is a symbolic link: not writing through it"
		install -m "$mode" "$src" "$root/$rel"
		echo "f $prefix/$rel" >&3
	done < <(files)
	exec 3>&-
	if [ -n "$packaged" ]; then
		echo "installed under $root: $(grep -c '^f' "$list") files (for a package: no manifest)"
		rm -f "$list"
		return
	fi
	echo "f $prefix/$manifest_rel" >>"$list"
	install -m 0644 "$list" "$manifest"
	rm -f "$list"
	echo "installed under $root: $(grep -c '^f' "$manifest") files (listed in $manifest)"
}

# Whether a manifest entry is one install could have written: a file under PREFIX, or a
# directory under it or on the way to it.
ours() {
	local kind=$1 path=$2
	case $path in
	*/../* | */..) return 1 ;;
	"$prefix"/*) return 0 ;;
	esac
	if [ "$kind" = d ]; then
		case $prefix/ in "$path"/*) return 0 ;; esac
	fi
	return 1
}

do_uninstall() {
	local kind path dirs=() n=0
	[ -z "$packaged" ] || die "PACKAGED=1: the package manager removes a package's files"
	[ -f "$manifest" ] || die "nothing to uninstall: no $manifest"
	while read -r kind path; do
		ours "$kind" "$path" || die "$manifest names $path: not something install writes"
		case $kind in
		f)
			if [ -L "$dest$path" ]; then
				echo "install.sh: $dest$path is a symbolic link now: left alone" >&2
			elif [ -f "$dest$path" ]; then
				rm -f "$dest$path"
				n=$((n + 1))
			fi
			;;
		d) dirs=("$dest$path" "${dirs[@]}") ;;
		esac
	done <"$manifest"
	for path in "${dirs[@]}"; do
		[ -d "$path" ] && [ ! -L "$path" ] && rmdir --ignore-fail-on-non-empty "$path"
	done
	echo "removed $n files from ${dest:+$dest}$prefix"
}

case $action in
install) do_install ;;
uninstall) do_uninstall ;;
*) die "unknown action '$action': install or uninstall" ;;
esac
