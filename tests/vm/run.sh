#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# restartprof VM lab: boot one stock Debian kernel under qemu (TCG) and run a command inside.
#
#   tests/vm/run.sh --kernel ID [--share DIR] [options] -- CMD [ARG...]
#
#   ID        amd64-6.1 | amd64-6.12 | arm64-6.1 | arm64-6.12   (also armhf-6.1, armhf-6.12)
#   --share DIR       host directory shared read-write with the guest at /mnt/share (9p);
#                     CMD runs with /mnt/share as its working directory (/ without a share)
#   --init MODE       systemd (default): full systemd, cgroup v2, docker.service started with the
#                     systemd cgroup driver before CMD runs (from lab-run.service);
#                     light: a shell script is PID 1, cgroup v2 and tracefs/bpffs mounted, no
#                     systemd and no dockerd (about 15 s faster to the command)
#   --no-docker       with systemd: mask docker/containerd (faster when CMD needs no engine)
#   --env NAME=VALUE  export NAME in the guest (repeatable)
#   --timeout SEC     wall-time limit of one attempt, boot included (default 900)
#   --deadline EPOCH  no attempt runs past this time (date +%s): an attempt's limit is cut to
#                     it, and no retry starts with less than 2 minutes left (lab.sh --budget)
#   --retries N       attempts after a lab failure (timeout, kernel crash, no result; default 1);
#                     a command that ran and exited non-zero is never retried
#   --mem MIB, --smp N   guest size (default 2048, 2)
#   --log DIR         keep console.log, output, result of the run here
#                     (default tests/vm/cache/runs/<time>-<ID>/, the last 30 are kept)
#   --append ARGS     extra kernel command-line arguments
#   --quiet           do not copy the guest's output to stdout as it comes (still in --log)
#   --disk IMG        (lab-internal) boot IMG read-write instead of the cached image, no -snapshot
# The guest also gets an empty 4 GiB disk, serial lab-scratch (/sys/block/vdX/serial), made
# sparse for each attempt and removed after it.
#
# CMD is run by bash as given (run.sh -- sh -c 'a; b' for a shell line). Its output (stdout and
# stderr together) is printed on stdout while it runs. Exit code: CMD's own, or 125 for a lab
# failure (kernel oops/panic, timeout, qemu error, no result), explained in one line on stderr
# starting with "run.sh: LAB FAILURE:". A kernel oops reported while CMD still completed is
# printed as a warning ("run.sh: WARNING: guest kernel ...") and recorded in the result file.
#
# One VM at a time: runs queue on a lock (tests/vm/cache/vm.lock). /dev/kvm is never used.
# qemu options are comma-separated lists inside array elements; on_signal is called by trap.
# shellcheck disable=SC2054,SC2317
set -uo pipefail
LAB_PROG=run.sh
# shellcheck source=tests/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kernel='' share='' init=systemd docker=1 timeout=900 retries=1 mem=2048 smp=2 logdir='' append='' quiet='' disk='' deadline=''
limit=900
envs=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--share) share=$2; shift 2 ;;
	--init) init=$2; shift 2 ;;
	--no-docker) docker=0; shift ;;
	--env) envs+=("$2"); shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--deadline) deadline=$2; shift 2 ;;
	--retries) retries=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--log) logdir=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--disk) disk=$2; shift 2 ;;
	--) shift; break ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) lab_die "unknown option '$1' (see --help)" ;;
	esac
done
[ -n "$kernel" ] || lab_die "--kernel is required (${LAB_DEFAULT_KERNELS// /, })"
lab_kernel_known "$kernel" || lab_die "unknown kernel '$kernel' (known: ${!LAB_KERNELS[*]})"
case $init in systemd | light | stage2) ;; *) lab_die "--init must be systemd or light" ;; esac
[ $# -gt 0 ] || lab_die "no command given (… -- CMD [ARG...])"
if [ -n "$share" ]; then
	[ -d "$share" ] || lab_die "--share $share is not a directory"
	share=$(cd "$share" && pwd)
fi
lab_need_root
arch=$(lab_kernel_arch "$kernel")
case $arch in
amd64) qemu=(qemu-system-x86_64 -machine pc -cpu max) console=ttyS0 ;;
arm64) qemu=(qemu-system-aarch64 -machine virt -cpu max,pauth-impdef=on) console=ttyAMA0 ;;
armhf) qemu=(qemu-system-arm -machine virt,highmem=off -cpu cortex-a15) console=ttyAMA0 ;;
esac
lab_host_deps

# Stopped from outside (Ctrl-C, lab.sh interrupted, a CI timeout): qemu goes with us.
qpid='' tailpid='' preparing='' scratch=''
on_signal() {
	trap - INT TERM HUP
	[ -n "$qpid" ] && lab_kill_tree "$qpid" TERM
	[ -n "$tailpid" ] && kill "$tailpid" 2>/dev/null
	[ -n "$scratch" ] && rm -f "$scratch"
	[ -n "$preparing" ] && lab_prepare_cleanup
	lab_log "interrupted: $kernel VM stopped"
	exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

# Kernel, initramfs and image (built on first use, cached; see lib.sh).
mkdir -p "$VM_CACHE"
exec 8>"$VM_CACHE/prepare.lock"
if [ -z "${LAB_PREPARE_LOCKED:-}" ]; then
	flock 8
	export LAB_PREPARE_LOCKED=1
	preparing=1
fi
lab_kernel_prepare "$kernel"
kd=$(lab_kdir "$kernel")
if [ -n "$disk" ]; then
	img=$disk snapshot=()
else
	lab_image "$arch"
	img=$(lab_image_path "$arch") snapshot=(-snapshot)
fi
flock -u 8
preparing=''

if [ -z "$logdir" ]; then
	mkdir -p "$VM_CACHE/runs"
	logdir=$VM_CACHE/runs/$(date +%Y%m%d-%H%M%S)-$kernel-$$
	# shellcheck disable=SC2012
	ls -1d "$VM_CACHE"/runs/*/ 2>/dev/null | head -n -30 | xargs -r rm -rf
fi
mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)

kargs="console=$console panic=-1 oops=panic lab.init=$init $append"
[ "$init" = systemd ] && [ $docker = 0 ] &&
	kargs="$kargs systemd.mask=docker.service systemd.mask=docker.socket systemd.mask=containerd.service"

# One attempt: boots the VM with a fresh lab share $1; sets status, reason, rc.
attempt() {
	local ctl=$1 qrc crash
	rm -rf "$ctl"
	mkdir -p "$ctl"
	cp "$LAB_DIR/guest/guest-run" "$LAB_DIR/guest/guest-init" "$ctl/"
	{
		printf 'export LAB_KERNEL=%q LAB_ARCH=%q LAB_INIT=%q\n' "$kernel" "$arch" "$init"
		for e in "${envs[@]}"; do printf 'export %q\n' "$e"; done
	} >"$ctl/env"
	{ printf 'exec'; printf ' %q' "${CMD[@]}"; echo; } >"$ctl/cmd"
	: >"$ctl/output"
	# A second, empty disk (sparse, gone with the attempt) for tests that need a filesystem
	# apart from the root's: the guest finds it by its serial, lab-scratch.
	scratch=$ctl.scratch
	truncate -s 4G "$scratch"
	local dev=(
		-drive "file=$img,if=none,id=hd0,format=raw,cache=unsafe,discard=unmap" -device virtio-blk-pci,drive=hd0
		-drive "file=$scratch,if=none,id=hd1,format=raw,cache=unsafe,discard=unmap"
		-device virtio-blk-pci,drive=hd1,serial=lab-scratch
		-fsdev "local,id=lab,path=$ctl,security_model=none" -device virtio-9p-pci,fsdev=lab,mount_tag=lab
		-device virtio-rng-pci
	)
	[ -n "$share" ] && dev+=(-fsdev "local,id=share,path=$share,security_model=none"
		-device virtio-9p-pci,fsdev=share,mount_tag=share)
	dev+=(-fsdev "local,id=modules,path=$kd/root/lib/modules,security_model=none,readonly=on"
		-device virtio-9p-pci,fsdev=modules,mount_tag=modules)

	timeout --kill-after=15 "$limit" "${qemu[@]}" -accel tcg,thread=multi -smp "$smp" -m "$mem" \
		-nic none -display none -monitor none -no-reboot "${snapshot[@]}" \
		-serial "file:$ctl/console.log" \
		-kernel "$kd/vmlinuz" -initrd "$kd/initramfs.cpio.gz" -append "$kargs" \
		"${dev[@]}" </dev/null >"$ctl/qemu.log" 2>&1 &
	qpid=$!
	if [ -z "$quiet" ]; then
		tail -n +1 -F --pid=$qpid -s 0.5 "$ctl/output" 2>/dev/null &
		tailpid=$!
	fi
	wait $qpid
	qrc=$?
	qpid=''
	rm -f "$scratch"
	scratch=''
	[ -n "$quiet" ] || wait "$tailpid" 2>/dev/null
	tailpid=
	crash=$(grep -a -m1 -E 'Kernel panic - not syncing|Internal error: Oops|BUG: unable to handle|general protection fault|Unable to handle kernel|Oops: |kernel BUG at|BUG: soft lockup|detected stall|hung_task_panic' "$ctl/console.log" 2>/dev/null | tr -d '\r' | sed 's/^\[[ 0-9.]*\] //')
	boot=$(cat "$ctl/uptime-start" 2>/dev/null || echo -)
	cmdtime=-
	[ -f "$ctl/uptime-end" ] && [ "$boot" != - ] &&
		cmdtime=$(awk -v a="$boot" -v b="$(cat "$ctl/uptime-end")" 'BEGIN{printf "%.1f", b-a}')
	oops=$crash
	if [ -f "$ctl/rc" ]; then
		rc=$(cat "$ctl/rc")
		status=ok reason=
		return 0
	fi
	rc=125 status=lab-error
	if [ -n "$crash" ]; then
		status=crash reason="guest kernel crashed: $crash"
	elif [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
		status=timeout reason="timeout after ${limit} s ($(grep -a -c . "$ctl/console.log" 2>/dev/null || echo 0) console lines; last: $(grep -a . "$ctl/console.log" 2>/dev/null | tail -1 | tr -d '\r' | cut -c1-120))"
	elif [ $qrc -ne 0 ]; then
		reason="qemu exited $qrc: $(tail -1 "$ctl/qemu.log")"
	elif grep -q -a 'lab-init: ERROR' "$ctl/console.log" 2>/dev/null; then
		reason=$(grep -a -m1 'lab-init: ERROR' "$ctl/console.log" | tr -d '\r' | sed 's/^.*lab-init: //')
	else
		reason="guest powered off without a result (see $ctl/console.log)"
	fi
	return 1
}

CMD=("$@")
exec 9>"$VM_CACHE/vm.lock"
flock 9
T0=$SECONDS
n=0
while :; do
	n=$((n + 1))
	limit=$timeout
	if [ -n "$deadline" ]; then
		left=$((deadline - $(date +%s)))
		[ "$left" -lt "$limit" ] && limit=$left
		if [ "$limit" -lt 120 ]; then
			# Reached only before a first attempt or after a failed one.
			n=$((n - 1))
			[ $n -gt 0 ] || { status=lab-error boot=- cmdtime=- oops=''; }
			rc=125 reason="${reason:+$reason; }the lab's deadline leaves ${left} s: no attempt started"
			break
		fi
	fi
	attempt "$logdir/attempt-$n" && break
	if [ $n -gt "$retries" ]; then break; fi
	lab_log "attempt $n on $kernel failed ($reason); retrying"
done
flock -u 9
total=$((SECONDS - T0))
[ $n -gt 0 ] && ln -sfn "attempt-$n" "$logdir/last"
{
	echo "kernel=$kernel"
	echo "init=$init"
	echo "status=$status"
	echo "rc=$rc"
	echo "attempts=$n"
	echo "wall=$total"
	echo "boot=$boot"
	echo "cmdtime=$cmdtime"
	echo "reason=$reason"
	echo "oops=$oops"
	echo "release=$(cat "$kd/release")"
} >"$logdir/result"
if [ "$status" = ok ]; then
	[ -n "$oops" ] && lab_log "WARNING: guest kernel reported: $oops (the command completed; console: $logdir/last/console.log)"
	lab_log "$kernel ($init): rc=$rc; command started at guest uptime ${boot} s, ran ${cmdtime} s; wall ${total} s, $n attempt(s) (log: $logdir)"
	exit "$rc"
fi
lab_log "LAB FAILURE: $kernel ($init): $reason [after $n attempt(s), ${total} s; log: $logdir/last]"
exit 125
