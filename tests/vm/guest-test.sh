#!/bin/bash
# restartprof VM lab: placeholder guest test (runs inside the VM, cwd = the share).
# The project's real guest test (restartprof check + short runs) replaces it; lab.sh runs
# whatever --cmd says. Facts for the lab's summary go to lab-facts.txt as key=value lines.
#
# Checks: kernel, cgroup v2, BTF, LSMs, the engine (docker info + one container from local
# files, when dockerd runs), and which BPF attach types load+attach+fire (bpfcheck).
set -u
facts=lab-facts.txt
: >"$facts"
fail=0
fact() { echo "$1=$2" >>"$facts"; }
section() { printf '\n== %s\n' "$*"; }

section uname
uname -a
fact kernel "$(uname -r)"
fact arch "$(uname -m)"
fact init "${LAB_INIT:-?}"
fact uptime_at_test "$(cut -d' ' -f1 /proc/uptime)"

section cgroup
cat /proc/self/cgroup
fs=$(stat -fc %T /sys/fs/cgroup)
echo "/sys/fs/cgroup: $fs"
[ "$fs" = cgroup2fs ] && fact cgroup v2 || { fact cgroup "v1($fs)"; fail=1; }

section btf
if ls -la /sys/kernel/btf/vmlinux; then fact btf yes; else fact btf no; fail=1; fi
section lsm
cat /sys/kernel/security/lsm 2>/dev/null && echo
fact lsm "$(cat /sys/kernel/security/lsm 2>/dev/null)"

section docker
if docker info >/dev/null 2>&1; then
	docker info 2>&1 | grep -E 'Server Version|Storage Driver|Cgroup|Security Options|apparmor|seccomp|Kernel Version'
	fact docker_cgroup_driver "$(docker info --format '{{.CgroupDriver}}')"
	fact docker_cgroup_version "$(docker info --format '{{.CgroupVersion}}')"
	# An image from the guest's own files (no registry), one container run, timed.
	d=$(mktemp -d)
	mkdir -p "$d/bin"
	cp /bin/dash "$d/bin/sh"
	for l in $(ldd /bin/dash | grep -o '/[^ ]*'); do mkdir -p "$d$(dirname "$l")"; cp -L "$l" "$d$l"; done
	tar -C "$d" -c . | docker import - lab/sh:1 >/dev/null
	t0=$(date +%s.%N)
	if out=$(docker run --rm lab/sh:1 /bin/sh -c 'read -r c </proc/self/cgroup; echo "$c"' 2>&1); then
		echo "container cgroup: $out"
		fact docker_run "ok($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2fs", b-a}'))"
	else
		echo "docker run failed: $out"
		fact docker_run failed
		fail=1
	fi
	rm -rf "$d"
elif [ "${LAB_INIT:-}" = light ]; then
	echo "no dockerd under the light init (start it by hand if the test needs it)"
	fact docker_run skipped
else
	docker info 2>&1 | tail -3
	fact docker_run "no-engine"
	fail=1
fi

section bpf
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
if [ -x bpfcheck/bpfcheck ]; then
	bpfcheck/bpfcheck bpfcheck/probes.bpf.o | tee bpfcheck.out
	while read -r name load attach hits rest; do
		load=${load#load=} attach=${attach#attach=} hits=${hits#hits=}
		if [ "$load" = ok ] && [ "$attach" = ok ]; then v="ok"; elif [ "$load" = ok ]; then v="attach:$attach"; else v="load:$load"; fi
		fact "bpf_$name" "$v"
	done <bpfcheck.out
else
	echo "bpfcheck not in the share (lab.sh builds it)"
fi
bpftool version 2>/dev/null | head -1

section facts
cat "$facts"
exit $fail
