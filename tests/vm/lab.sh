#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# restartprof VM lab: run the guest test on each kernel, one VM per kernel, and summarise.
#
#   tests/vm/lab.sh [--kernels "amd64-6.1 amd64-6.12 arm64-6.1 arm64-6.12"] [--init systemd|light]
#                   [--build] [--cmd 'CMD']... [--env NAME=VALUE]... [--out DIR]
#                   [--tree-amd64 DIR] [--tree-arm64 DIR] [--tree-armhf DIR] [--deb DIR]
#                   [--timeout SEC] [--retries N] [--budget SEC] [--prepare-only] [--refresh]
#
# --build first builds the static restartprof of each architecture the kernels need
# (make STATIC=1; ARCH=arm64 / ARCH=arm with a sysroot from the lab's apt, tests/vm/sysroot.sh)
# into build-static/, build-arm64-static/, build-arm-static/ (the default trees).
# For each kernel, a share directory is made with:
#   build/restartprof the binary of that architecture from its tree (a note if absent)
#   guest-test.sh     the guest test (restartprof check, short runs, their CSVs' actors)
#   bpfcheck/         bpfcheck + probes.bpf.o for that architecture (attach types, independently)
#   deb/              with --deb DIR: the packages of that architecture from DIR
#                     (restartprof_*_ARCH.deb, make deb DEB_ARCH=ARCH), which the guest test
#                     installs with apt, runs and purges
#   btf/vmlinux.btf   for a kernel without BTF, its BTF made from its debug package, when
#                     scripts/gen-vmlinux.sh left one in the cache (cache/btf/ID/vmlinux.btf)
# and the VM runs the commands (default: 'bash guest-test.sh'; each --cmd replaces the
# defaults, runs by bash -c, cwd = the share) one after the other in one boot. Environment in
# the guest: LAB_KERNEL, LAB_ARCH, LAB_INIT, LAB_TREE=/mnt/share/build, and each --env.
#
# Results: DIR (default tests/vm/cache/lab/<time>/, symlink tests/vm/cache/lab/last; the last
# 10 are kept):
#   summary.tsv, summary.md       one row per kernel: status, exit code, the guest test's
#                                 assertions, probe paths, restart medians (baseline, hdd, hdd
#                                 with the fallback paths), VM wall time, attempts, and every
#                                 key=value fact the guest test left in lab-facts.txt
#   <kernel>/share/               the share after the run (command logs in lab-out/, the
#                                 guest test's check outputs and run directories in gt/)
#   <kernel>/run/                 run.sh's log: console.log, output, result of each attempt
# Exit code: 0 when every command passed on every kernel, 1 when a command failed,
# 125 when the lab itself failed on some kernel (crash, timeout), 2 on a usage error,
# 130/143 when interrupted (the VM is stopped first).
#
# --timeout bounds one VM attempt (default 900 s), --retries the attempts after a lab failure
# (default 1). --budget SEC bounds the whole lab, preparation included: no VM attempt runs past
# it, and a kernel with no time left is reported as a lab failure (CI: make vmtest-ci).
#
# --prepare-only fetches kernels and builds images and bpfcheck, then stops. --refresh first
# asks the lab's apt lists for the newest kernel packages (otherwise the cached ones are used).
#
# Environment: VMLAB_KERNELS (default kernel list), VM_CACHE (cache directory).
# shellcheck disable=SC2317 # on_signal and prepare_all are called by trap and bg
set -uo pipefail
LAB_PROG=lab.sh
# shellcheck source=tests/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kernels=${VMLAB_KERNELS:-$LAB_DEFAULT_KERNELS} init=systemd out='' timeout=900 retries=1 prepare_only='' refresh='' build='' deadline=() debs=''
cmds=()
envs=()
declare -A tree=([amd64]=$REPO_DIR/build-static [arm64]=$REPO_DIR/build-arm64-static [armhf]=$REPO_DIR/build-arm-static)
while [ $# -gt 0 ]; do
	case $1 in
	--kernels) kernels=$2; shift 2 ;;
	--init) init=$2; shift 2 ;;
	--cmd) cmds+=("$2"); shift 2 ;;
	--env) envs+=(--env "$2"); shift 2 ;;
	--build) build=1; shift ;;
	--out) out=$2; shift 2 ;;
	--tree-amd64) tree[amd64]=$2; shift 2 ;;
	--tree-arm64) tree[arm64]=$2; shift 2 ;;
	--tree-armhf) tree[armhf]=$2; shift 2 ;;
	--deb) debs=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--retries) retries=$2; shift 2 ;;
	--budget) deadline=(--deadline "$(($(date +%s) + $2))"); shift 2 ;;
	--prepare-only) prepare_only=1; shift ;;
	--refresh) refresh=1; shift ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) LAB_DIE_RC=2 lab_die "unknown option '$1' (see --help)" ;;
	esac
done
[ ${#cmds[@]} -gt 0 ] || cmds=("bash guest-test.sh")
for k in $kernels; do lab_kernel_known "$k" || LAB_DIE_RC=2 lab_die "unknown kernel '$k'"; done
lab_need_root
lab_host_deps

T0=$SECONDS
lab_host_report

# Interrupted (Ctrl-C, a CI timeout): the VM, a build or an image in the making is stopped
# with the lab, and what a preparation left half-done is removed (mounts included).
child='' preparing=
on_signal() {
	trap - INT TERM HUP
	lab_log "interrupted: stopping ${child:+process tree $child and }the lab"
	[ -n "$child" ] && lab_kill_tree "$child" TERM
	[ -n "$preparing" ] && lab_prepare_cleanup
	exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP
# Runs "$@" in the background and waits: a signal is handled at once, not when it returns.
bg() {
	local rc
	"$@" &
	child=$!
	wait "$child"
	rc=$?
	child=
	return $rc
}

archs=$(for k in $kernels; do lab_kernel_arch "$k"; done | sort -u)
if [ -n "$build" ]; then
	for a in $archs; do
		tb=$SECONDS
		bg lab_build_static "$a" || lab_die "the static restartprof for $a could not be built"
		lab_log "built $(lab_static_tree "$a")/restartprof in $((SECONDS - tb)) s"
	done
fi

# Everything is fetched and built first, so that the VM times below are VM times only. The
# kernels one after another (they share the lab's apt lists), then each architecture's image at
# once: arm64's second stage under TCG is the long pole, amd64's debootstrap fits beside it.
prepare_all() {
	local k a pids=() rc=0 p
	for k in $kernels; do lab_kernel_prepare "$k" "$refresh"; done
	for a in $archs; do
		lab_image "$a" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=$?; done
	return $rc
}
mkdir -p "$VM_CACHE"
exec 8>"$VM_CACHE/prepare.lock"
flock 8
export LAB_PREPARE_LOCKED=1
preparing=1
bg prepare_all || exit $?
preparing=
unset LAB_PREPARE_LOCKED
flock -u 8
for a in $archs; do
	lab_cross_cc "$a" || lab_die "no C compiler for $a"
	bg bash "$LAB_DIR/bpfcheck/build.sh" "$a" "$VM_CACHE/bpfcheck/$a" || lab_log "bpfcheck for $a could not be built"
done
prep=$((SECONDS - T0))
lab_log "prepared $kernels in ${prep} s"
[ -n "$prepare_only" ] && exit 0

if [ -z "$out" ]; then
	out=$VM_CACHE/lab/$(date +%Y%m%d-%H%M%S)
	mkdir -p "$out"
	ln -sfn "$(basename "$out")" "$VM_CACHE/lab/last"
	# shellcheck disable=SC2012
	ls -1d "$VM_CACHE"/lab/2*/ 2>/dev/null | head -n -10 | xargs -r rm -rf --one-file-system
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The command list, run in the guest by one script.
mkcmds() {
	echo '#!/bin/bash'
	echo '# Generated by tests/vm/lab.sh: the guest commands, one after the other.'
	echo 'mkdir -p lab-out; : >lab-out/cmds.tsv; worst=0; i=0'
	local c
	for c in "${cmds[@]}"; do
		# shellcheck disable=SC2016 # the guest's own variables, written literally
		printf 'i=$((i+1)); c=%q\n' "$c"
		# shellcheck disable=SC2016,SC2028 # written literally for the guest
		echo 'echo "#### lab: command $i: $c"; t0=$(date +%s.%N)
bash -c "$c" 2>&1 | tee "lab-out/cmd-$i.log"; rc=${PIPESTATUS[0]}
t=$(awk -v a="$t0" -v b="$(date +%s.%N)" "BEGIN{printf \"%.1f\", b-a}")
printf "%s\t%s\t%s\t%s\n" "$i" "$rc" "$t" "$c" >>lab-out/cmds.tsv
echo "#### lab: command $i exited $rc after ${t} s"; [ "$rc" -ne 0 ] && worst=$rc'
	done
	# shellcheck disable=SC2016
	echo 'exit $worst'
}

printf 'kernel\tstatus\trc\tboot_s\twall_s\tattempts\tcommands\tfacts\n' >"$out/summary.tsv"
overall=0
for k in $kernels; do
	a=$(lab_kernel_arch "$k")
	kd=$out/$k
	rm -rf "$kd"
	mkdir -p "$kd/share"
	s=$kd/share
	if [ -x "${tree[$a]}/restartprof" ]; then
		mkdir -p "$s/build"
		cp "${tree[$a]}/restartprof" "$s/build/"
	else
		lab_log "$k: no restartprof at ${tree[$a]}/restartprof (build it: lab.sh --build; the guest gets none)"
	fi
	cp "$LAB_DIR/guest-test.sh" "$s/"
	if [ -n "$debs" ]; then
		mkdir -p "$s/deb"
		find "$debs" -maxdepth 1 -name "restartprof_*_$a.deb" -exec cp {} "$s/deb/" \;
	fi
	[ -d "$VM_CACHE/bpfcheck/$a" ] && cp -r "$VM_CACHE/bpfcheck/$a" "$s/bpfcheck"
	if [ -f "$VM_CACHE/btf/$k/vmlinux.btf" ] && [ "$a" = armhf ]; then
		mkdir -p "$s/btf"
		cp "$VM_CACHE/btf/$k/vmlinux.btf" "$s/btf/"
	fi
	mkcmds >"$s/lab-cmds.sh"
	lab_log "$k: booting ($init), ${#cmds[@]} command(s)"
	bg "$LAB_DIR/run.sh" --kernel "$k" --init "$init" --share "$s" --log "$kd/run" --timeout "$timeout" \
		--retries "$retries" "${deadline[@]}" --env LAB_TREE=/mnt/share/build "${envs[@]}" -- bash lab-cmds.sh
	rc=$?
	# The kept results stay small: the binary copy goes (it is in the tree), restartprof's
	# events.csv files are gzipped (8x): a four-kernel run keeps about 55 MB instead of 141.
	rm -f "$s/build/restartprof"
	find "$s" -name events.csv -size +1M -exec gzip -9 {} +
	status=$(sed -n 's/^status=//p' "$kd/run/result")
	boot=$(sed -n 's/^boot=//p' "$kd/run/result")
	wall=$(sed -n 's/^wall=//p' "$kd/run/result")
	att=$(sed -n 's/^attempts=//p' "$kd/run/result")
	reason=$(sed -n 's/^reason=//p' "$kd/run/result")
	oops=$(sed -n 's/^oops=//p' "$kd/run/result")
	cmdsum=$(awk -F'\t' '{printf "%s#%s:rc=%s,%ss", (NR>1?" ":""), $1, $2, $3}' "$s/lab-out/cmds.tsv" 2>/dev/null)
	facts=$(grep -v '^$' "$s/lab-facts.txt" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')
	[ -n "$reason" ] && facts="reason=$reason $facts"
	[ -n "$oops" ] && facts="oops=$oops $facts"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$status" "$rc" "$boot" "$wall" "$att" "$cmdsum" "$facts" >>"$out/summary.tsv"
	if [ "$status" != ok ]; then overall=125; elif [ "$rc" -ne 0 ] && [ $overall -eq 0 ]; then overall=1; fi
done
total=$((SECONDS - T0))

# One fact of a summary row's facts field ("-" when absent).
fact_of() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1 | grep . || echo -; }
{
	echo "# VM lab summary ($(date -u +%Y-%m-%dT%H:%MZ), init $init)"
	echo
	# shellcheck disable=SC2016 # Markdown backquotes
	echo "Total wall time ${total} s (preparation ${prep} s). Commands: $(printf '`%s` ' "${cmds[@]}")"
	echo "Host: $LAB_HOST_REPORT"
	echo
	echo "| kernel | status | exit | assertions | probe paths (check) | fentry (bpfcheck) | paths in the hdd run | baseline median (s) | hdd median (s) | hdd median, fallback paths (s) | uptime at commands (s) | VM wall (s) | attempts |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	tail -n +2 "$out/summary.tsv" | while IFS=$'\t' read -r k st rc b w at _ f; do
		echo "| $k | $st | $rc | $(fact_of "$f" tests) | $(fact_of "$f" paths) | $(fact_of "$f" fentry) | $(fact_of "$f" hdd_paths) | $(fact_of "$f" base_median_s) | $(fact_of "$f" hdd_median_s) | $(fact_of "$f" hdd-fallback_median_s) | $b | $w | $at |"
	done
	echo
	echo "Commands (exit code, seconds) and every fact per kernel:"
	echo
	tail -n +2 "$out/summary.tsv" | while IFS=$'\t' read -r k _ _ _ _ _ cs f; do
		echo "- **$k**: $cs; $f"
	done
} >"$out/summary.md"
cat "$out/summary.md"
lab_log "results in $out (exit $overall)"
exit $overall
