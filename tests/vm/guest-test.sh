#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# restartprof VM lab: the guest test. Runs inside a VM of tests/vm/lab.sh as root, with the
# share as the working directory and restartprof at $LAB_TREE/restartprof (the static binary
# built on the host for the VM's architecture).
#
#   1. the kernel as seen independently of restartprof: BTF, cgroup v2, docker's cgroup driver,
#      which attach types load and attach (bpfcheck/, when lab.sh provided it)
#   2. restartprof check: exit code, cgroup v2, the engine (dockerd's pid, not systemd's), the
#      path of every probe: tp_btf for the tracepoint probes, fentry for the function probes
#      where bpfcheck says fentry attaches, kprobe where it does not (arm64 6.1: ENOTSUPP);
#      the same with the trial attach skipped (the real programs' attach failure must make
#      the loader fall back), and with only raw_tp, only tracepoint (every tracepoint probe
#      loads and attaches by each)
#   3. short real runs: baseline, then --load hdd, then --load hdd again with fentry and
#      kprobes switched off; for each: exit code, every trial ok, cgroup v2 and the systemd
#      driver in run.json, actors in execs.csv, phases.csv and events.csv (the target's exec
#      is target, runc and the shims engine, dockerd's children engine, stress-ng's block I/O
#      load, kworkers kernel), no container and no tracing BPF program left behind; with the
#      sampler in use, on-CPU rows in start and every phase of 10 ms or more accounted for
#      but for under 5 %; with sched on tp_btf, under a fifth of the run-queue time without a
#      kernel stack
#   4. with GT_FALLBACK=1 (the default, or naming this kernel), the fallback gives the same picture: the same programs per actor, the same phases with
#      engine execs, the same actors per kind of kernel event (overlayfs events aside: those
#      probes have no tracepoint path)
#   5. with GT_TRY=1 (or GT_TRY naming this kernel): restartprof try load-wbps=RATE,load-fs=DIR
#      (DIR on the lab's scratch disk) on the hdd load, four trials: exit 0, the variants
#      A B B A, run.json's try section, nothing left (containers, journal, the mount), and the
#      load's write rate in the trial windows bounded in B and above that bound in A
#   6. with GT_DEB=1 (or naming this kernel), the package in deb/ (lab.sh --deb): apt installs it, its restartprof runs check and
#      a baseline, man finds its page, and dpkg --purge leaves none of its files
# Without kernel BTF (Debian's armhf kernels): check must say that tracing is impossible and
# why, run must refuse to trace and say so, and run --no-trace must work; with a BTF file in
# the share (btf/vmlinux.btf, scripts/gen-vmlinux.sh arm --btf), check --btf must trace.
#
# Output: one "ok"/"FAIL" line per assertion, the closing count; lab-facts.txt (key=value, for
# lab.sh's summary); everything restartprof wrote under gt/. Exit 0 when every assertion held.
# Environment: GT_TRIALS (trials per run, default 3), GT_STRESSORS (default 1); GT_TRY=1 or a
# list of kernels (the try section), GT_TRY_RATE (its limit, default 8M), GT_TRY_WITH (another remedy to try with it).
# GT_DEB=1 or a list of kernels: the package section. GT_FALLBACK: 1 (default) or a list of
# kernels: the hdd run on the fallback paths (4).
# shellcheck disable=SC2016 # awk programs are single-quoted on purpose
set -u
export LC_ALL=C
RP=${LAB_TREE:-$PWD/build}/restartprof
# A section's switch: 1 (every kernel), 0, or a list of kernel ids naming this one.
for_this_kernel() { [ "$1" = 1 ] || [[ " $1 " == *" ${LAB_KERNEL:-} "* ]]; }
TRIALS=${GT_TRIALS:-3}
STRESSORS=${GT_STRESSORS:-1}
out=gt
facts=lab-facts.txt
rm -rf "$out"
mkdir -p "$out"
: >"$facts"
pass=0 fail=0

fact() { echo "$1=$2" >>"$facts"; }
ok() { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
# t DESCRIPTION COMMAND...: the command's success is the assertion.
t() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
section() { printf '\n== %s\n' "$*"; }
secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# CSV queries: csvq FILE 'awk code' runs the code on every data row with v("column") giving a
# field (quoted fields with commas and doubled quotes handled); END blocks may follow.
CSV_AWK='
function csvsplit(s, a,    n, i, c, q, fld) {
	if (index(s, "\"") == 0) return split(s, a, ",")
	n = 0; fld = ""; q = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (q) {
			if (c == "\"") { if (substr(s, i + 1, 1) == "\"") { fld = fld c; i++ } else q = 0 }
			else fld = fld c
		} else if (c == "\"") q = 1
		else if (c == ",") { a[++n] = fld; fld = "" }
		else fld = fld c
	}
	a[++n] = fld
	return n
}
function v(name) { return (name in col) ? f[col[name]] : "" }
NR == 1 { nh = csvsplit($0, h); for (i = 1; i <= nh; i++) col[h[i]] = i; next }
{ delete f; csvsplit($0, f) }
'
csvq() {
	local file=$1
	shift
	[ -f "$file" ] || { echo "csvq: no $file" >&2; return 1; }
	awk "$CSV_AWK$*" "$file"
}
# The number printed by a query, compared: num_is VALUE OP NUMBER.
num_is() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN{
	if (a !~ /^-?[0-9.]+$/) exit 1
	if (op == ">") exit !(a + 0 > b + 0); if (op == ">=") exit !(a + 0 >= b + 0)
	if (op == "==") exit !(a + 0 == b + 0); if (op == "<") exit !(a + 0 < b + 0); exit 1 }'; }
json_val() { grep -o "\"$2\":\"[^\"]*\"" "$1" | head -1 | sed 's/.*:"\(.*\)"/\1/'; }

# Tracing BPF programs alive now (restartprof's are of these types; systemd's and docker's
# cgroup programs are not).
tracing_progs() { bpftool prog show 2>/dev/null | grep -cE '^[0-9]+: (tracing|kprobe|raw_tracepoint|tracepoint) '; }
run_containers() { docker ps -aq --filter label=io.restartprof.run | wc -l; }

# ---------------------------------------------------------------------------------------------
section "kernel, cgroups, engine"
uname -a
kernel=$(uname -r)
fact kernel "$kernel"
fact arch "$(uname -m)"
fact uptime_at_test "$(cut -d' ' -f1 /proc/uptime)"
[ -x "$RP" ] || { bad "restartprof binary at $RP"; fact result "no-binary"; exit 1; }
echo "$("$RP" --version 2>&1 | head -1) ($(stat -c %s "$RP") bytes)"
t "cgroup v2 mounted at /sys/fs/cgroup" test "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs
fact cgroup "$(stat -fc %T /sys/fs/cgroup | sed 's/cgroup2fs/v2/')"
have_btf=0 traced=0 rpbtf=()
[ -r /sys/kernel/btf/vmlinux ] && have_btf=1 traced=1
fact btf "$([ $have_btf = 1 ] && echo yes || echo no)"
driver=$(docker info --format '{{.CgroupDriver}}' 2>/dev/null)
t "docker answers, with the systemd cgroup driver (got '${driver:-no engine}')" test "$driver" = systemd
fact docker_cgroup_driver "${driver:-none}"

declare -A bpf=()
if [ -x bpfcheck/bpfcheck ] && mountpoint -q /sys/kernel/tracing; then
	bpfcheck/bpfcheck bpfcheck/probes.bpf.o >"$out/bpfcheck.txt" 2>&1
	cat "$out/bpfcheck.txt"
	# "fentry_vfs_read load=ok attach=-524(ENOTSUPP) hits=0 ...": one line per attach type.
	while read -r name load attach _; do
		load=${load#load=} attach=${attach#attach=}
		if [ "$load" = ok ] && [ "$attach" = ok ]; then bpf[$name]=ok; else bpf[$name]="load:$load/attach:$attach"; fi
		fact "bpf_$name" "${bpf[$name]}"
	done <"$out/bpfcheck.txt"
else
	echo "bpfcheck not available: the expectations below use the kernel's BTF only"
fi
# Whether fentry attaches on this kernel, independently of restartprof (unknown: "").
fentry_ok=${bpf[fentry_vfs_read]:-}

# ---------------------------------------------------------------------------------------------
# Probe paths in a check output: "name path" per probe.
probe_paths() { sed -n '/^probes/,/^tracing/p' "$1" | awk 'NF >= 2 && $1 != "probes" && $1 != "not" && $1 != "tracing" && $2 ~ /^(fentry|kprobe|tp_btf|raw_tp|tracepoint|perf_event|NONE)$/ {print $1, $2}'; }
path_counts() { probe_paths "$1" | awk '{n[$2]++} END{for (p in n) printf "%s%s:%d", (k++ ? "," : ""), p, n[p]}' | tr ',' '\n' | sort | paste -sd, -; }
fn_probes="veth_newlink veth_dellink br_add_if br_del_if ovl_lookup ovl_create ovl_copy_up"
declare -A fn_of=([veth_newlink]=veth_newlink [veth_dellink]=veth_dellink [br_add_if]=br_add_if
	[br_del_if]=br_del_if [ovl_lookup]=ovl_lookup [ovl_create]=ovl_create_object [ovl_copy_up]=ovl_copy_up_flags)
in_kallsyms() { grep -qE " $1([[:space:]]|$)" /proc/kallsyms; }

# check_paths FILE EXPECT_FN: asserts the paths of a check output. EXPECT_FN: fentry, kprobe
# (fentry must then be reported as failing to attach), or none (fentry and kprobe disabled).
check_paths() {
	local f=$1 want=$2 p path bad_tp=0 why
	while read -r p path; do
		case " $fn_probes " in
		*" $p "*)
			if ! in_kallsyms "${fn_of[$p]}"; then
				# Its module is not loaded (veth loads with the first container).
				t "$p: NONE, its function ${fn_of[$p]} is not in the running kernel" test "$path" = NONE
				continue
			fi
			t "$p: $want (its function is loaded)" test "$path" = "$want"
			if [ "$want" = kprobe ]; then
				why=$(sed -n "/^  $p /,/^  [a-z]/p" "$f" | grep 'not fentry:' | head -1)
				t "$p: says why not fentry (${why##*not fentry: })" grep -qE '524|ENOTSUPP|no BTF of its own' <<<"$why"
			fi
			;;
		*)
			if [ "$p" = oncpu ]; then
				# The sampler: perf_event, unless the paths given leave it out.
				local want_oncpu=NONE
				[ "$3" = tp_btf ] && want_oncpu=perf_event
				t "oncpu: $want_oncpu" test "$path" = "$want_oncpu"
				continue
			fi
			[ "$path" = "$3" ] || { bad_tp=$((bad_tp + 1)); echo "  $p: $path, expected $3"; }
			;;
		esac
	done < <(probe_paths "$f")
	t "every tracepoint probe uses $3" test $bad_tp -eq 0
}

section "restartprof check"
if [ $have_btf = 1 ]; then
	"$RP" check >"$out/check.txt" 2>&1
	rc=$?
	cat "$out/check.txt"
	t "check exits 0 (rc $rc)" test $rc -eq 0
	t "check: tracing yes" grep -q '^tracing  *yes' "$out/check.txt"
	t "check: cgroups v2" grep -q '^cgroups  *v2' "$out/check.txt"
	t "check: run can start with kernel tracing" grep -q '^run  *can start, with kernel tracing' "$out/check.txt"
	epid=$(sed -n 's/^engine .*(dockerd pid \([0-9]*\)).*/\1/p' "$out/check.txt")
	t "check: the engine's pid is dockerd's ($epid: $(cat "/proc/$epid/comm" 2>/dev/null))" \
		test "$(cat "/proc/${epid:-0}/comm" 2>/dev/null)" = dockerd
	if [ "$fentry_ok" = ok ]; then want=fentry; elif [ -n "$fentry_ok" ]; then want=kprobe; else want=fentry; fi
	fact fentry "${fentry_ok:-unknown}"
	check_paths "$out/check.txt" "$want" tp_btf
	fact paths "$(path_counts "$out/check.txt")"

	section "check with the trial attach skipped: the real programs' attach decides"
	RESTARTPROF_NO_TRIAL_ATTACH=1 "$RP" check >"$out/check-real-attach.txt" 2>&1
	sed -n '/^probes/,/^tracing/p' "$out/check-real-attach.txt" | grep -E "^  (veth|br_|ovl)|not fentry"
	check_paths "$out/check-real-attach.txt" "$want" tp_btf
	if [ "$want" = kprobe ]; then
		t "the loader reports the real attach failure" grep -q 'not fentry: loaded, but attaching' "$out/check-real-attach.txt"
	fi
	fact paths_real_attach "$(path_counts "$out/check-real-attach.txt")"

	for only in raw_tp tracepoint; do
		section "check --probe-paths $only"
		"$RP" check --probe-paths "$only" >"$out/check-$only.txt" 2>&1
		t "check --probe-paths $only: tracing yes" grep -q '^tracing  *yes' "$out/check-$only.txt"
		check_paths "$out/check-$only.txt" NONE "$only"
		fact "paths_$only" "$(path_counts "$out/check-$only.txt")"
	done
else
	"$RP" check >"$out/check.txt" 2>&1
	rc=$?
	cat "$out/check.txt"
	t "check (no BTF) exits 0: a run can start without tracing (rc $rc)" test $rc -eq 0
	t "check (no BTF): the btf line names CONFIG_DEBUG_INFO_BTF and --btf" \
		grep -qE '^btf .*CONFIG_DEBUG_INFO_BTF.*--btf' "$out/check.txt"
	t "check (no BTF): tracing no, because of the missing BTF" grep -qE '^tracing  *no: .*BTF' "$out/check.txt"
	t "check (no BTF): run can start without kernel tracing" grep -q '^run  *can start, without kernel tracing' "$out/check.txt"
	t "check: cgroups v2" grep -q '^cgroups  *v2' "$out/check.txt"
	fact paths "none(no-btf)"
	if [ -f btf/vmlinux.btf ]; then
		section "check --btf btf/vmlinux.btf"
		"$RP" check --btf btf/vmlinux.btf >"$out/check-btf.txt" 2>&1
		cat "$out/check-btf.txt"
		t "check --btf: tracing yes" grep -q '^tracing  *yes' "$out/check-btf.txt"
		t "check --btf: says why not tp_btf (no BTF of the kernel's own)" grep -q 'not tp_btf: the kernel has no BTF of its own' "$out/check-btf.txt"
		check_paths "$out/check-btf.txt" kprobe raw_tp
		if grep -q '^tracing  *yes' "$out/check-btf.txt"; then
			traced=1 rpbtf=(--btf btf/vmlinux.btf)
			sed -i '/^paths=/d' "$facts"
			fact paths "$(path_counts "$out/check-btf.txt")(--btf)"
		fi
	fi
fi

# oncpu_check NAME DIR: with the sampler in use, on-CPU rows of the engine in start, and every
# phase of 10 ms or more accounted for (waits + on CPU) but for under 5 % of its time.
oncpu_check() {
	local name=$1 d=$2 worst
	[ "$(csvq "$d/probes.csv" 'v("probe") == "oncpu" {print v("path")}')" = perf_event ] || return 0
	t "$name: waits.csv: on-CPU rows of the engine in start" \
		num_is "$(csvq "$d/waits.csv" 'v("state") == "oncpu" && v("phase") == "start" && v("actor") == "engine" {n++} END{print n + 0}')" ">" 0
	{
		csvq "$d/phases.csv" '{e[v("phase")] += v("duration_ns")} END{for (p in e) print "e", p, e[p]}'
		csvq "$d/waits.csv" '{w[v("phase")] += v("wall_ns")} END{for (p in w) print "w", p, w[p]}'
	} >"$d.accounted"
	worst=$(awk -v n="$TRIALS" '$1 == "e" {e[$2] = $3} $1 == "w" {w[$2] = $3}
		END{m = 0; mp = "-"; for (p in e) if (e[p] / n >= 10e6 && 1 - w[p] / e[p] > m) {
			m = 1 - w[p] / e[p]; mp = p }
		printf "%s %.1f", mp, 100 * m}' "$d.accounted")
	fact "${name}_unaccounted_worst" "${worst// /:}"
	t "$name: unaccounted under 5 % of every phase of 10 ms or more (worst: $worst %)" \
		num_is "${worst##* }" "<" 5
}

# runq_stack_check NAME DIR: with sched on tp_btf, under a fifth of the engine's and the
# target's run-queue time without a kernel stack (long waits after a sleep take the woken
# task's stack as it is switched in).
runq_stack_check() {
	local name=$1 d=$2 bare
	[ "$(csvq "$d/probes.csv" 'v("probe") == "sched" {print v("path")}')" = tp_btf ] || return 0
	bare=$(csvq "$d/waits.csv" 'v("state") == "runq" && (v("actor") == "engine" || v("actor") == "target") {
		t += v("offcpu_ns"); if (v("stack") == "") b += v("offcpu_ns") }
		END{printf "%.1f", t ? 100 * b / t : 100}')
	fact "${name}_runq_without_stack_pct" "$bare"
	t "$name: run-queue waits without a stack under 20 % ($bare %)" num_is "$bare" "<" 20
}

# ---------------------------------------------------------------------------------------------
# run_check NAME LOAD [ARGS...]: one run into $out/NAME and its assertions.
run_check() {
	local name=$1 load=$2 d=$out/$1 t0 rc n before after
	shift 2
	local args=(run --trials "$TRIALS" --interval 0.5 --settle 2 -o "$d" "${rpbtf[@]}" "$@")
	[ "$load" = none ] || args+=(--load "$load" --stressors "$STRESSORS")
	section "restartprof ${args[*]}"
	before=$(tracing_progs)
	t0=$(date +%s.%N)
	"$RP" "${args[@]}" >"$out/$name.log" 2>&1
	rc=$?
	fact "${name}_s" "$(secs "$t0")"
	cat "$out/$name.log"
	t "$name: exit 0 (rc $rc)" test $rc -eq 0
	n=$(csvq "$d/trials.csv" '$0 != "" && v("status") == "ok" {n++} END{print n + 0}')
	t "$name: $TRIALS trials ok ($n)" test "${n:-0}" -eq "$TRIALS"
	fact "${name}_median_s" "$(csvq "$d/summary.csv" '{printf "%.3f", v("median_s")}')"
	fact "${name}_kernel_drops" "$(csvq "$d/trials.csv" '{n += v("kernel_drops")} END{print n + 0}')"
	[ -f "$d/probes.csv" ] && fact "${name}_paths" "$(csvq "$d/probes.csv" '{n[v("path")]++}
		END{for (p in n) print p ":" n[p]}' | sort | paste -sd, -)"
	t "$name: run.json: cgroup v2, systemd driver" test \
		"$(json_val "$d/run.json" cgroup_version)/$(json_val "$d/run.json" cgroup_driver)" = 2/systemd
	after=$(tracing_progs)
	t "$name: no tracing BPF program left ($before before, $after after)" test "$after" -le "$before"
	t "$name: no container of the run left" test "$(run_containers)" -eq 0

	[ "$traced" = 1 ] && [ "${1:-}" != --no-trace ] || return 0
	# execs.csv: who ran which program.
	csvq "$d/execs.csv" '{print v("actor"), v("name")}' | sort | uniq -c >"$d.exec-actors"
	echo "programs executed per actor:"
	cat "$d.exec-actors"
	t "$name: the target's service exec'd as target, once per trial" \
		test "$(csvq "$d/execs.csv" 'v("name") == "restartprof-svc" && v("actor") == "target" {n++} END{print n + 0}')" -ge "$TRIALS"
	t "$name: no exec of the service outside target" \
		test "$(csvq "$d/execs.csv" 'v("name") == "restartprof-svc" && v("actor") != "target" {n++} END{print n + 0}')" -eq 0
	t "$name: runc exec'd as engine" \
		test "$(csvq "$d/execs.csv" 'v("name") == "runc" && v("actor") == "engine" {n++} END{print n + 0}')" -ge "$TRIALS"
	t "$name: the engine's programs (runc, shims, iptables, docker-proxy, dockerd) only as engine" \
		test "$(csvq "$d/execs.csv" 'v("name") ~ /^(runc|containerd-shim.*|iptables.*|ip6tables.*|docker-proxy|dockerd)$/ && v("actor") != "engine" {n++} END{print n + 0}')" -eq 0
	# phases.csv: per-phase columns per actor.
	t "$name: phases.csv: target_execs add up to one per trial" \
		num_is "$(csvq "$d/phases.csv" '{n += v("target_execs")} END{print n + 0}')" == "$TRIALS"
	t "$name: phases.csv: engine execs and forks in the window" \
		num_is "$(csvq "$d/phases.csv" '{n += v("engine_execs") + v("engine_forks")} END{print n + 0}')" ">" 0
	if [ "$load" = none ]; then
		t "$name: phases.csv: no load activity without load" \
			num_is "$(csvq "$d/phases.csv" '{n += v("load_bio_reqs") + v("load_execs") + v("load_forks") + v("load_iowait_ns")} END{print n + 0}')" == 0
	else
		# stress-ng's writes are mostly written back by kworkers (kernel): its own block
		# requests in the window vary from run to run; its I/O waits do not.
		t "$name: phases.csv: stress-ng's I/O (requests, iowait, blocked) counted as load" \
			num_is "$(csvq "$d/phases.csv" '{n += v("load_bio_bytes") + v("load_iowait_ns") + v("load_blocked_ns")} END{print n + 0}')" ">" 0
		fact "${name}_load_bio_bytes" "$(csvq "$d/phases.csv" '{n += v("load_bio_bytes")} END{print n + 0}')"
	fi
	# events.csv (with --events): every event's actor.
	if [ -f "$d/events.csv" ]; then
		# Kinds of event: the type, and for net events what (veth_xmit, fdb_*, veth_newlink...).
		csvq "$d/events.csv" '{print v("type") (v("type") == "net" ? "/" v("what") : ""), v("actor")}' |
			sort | uniq -c >"$d.event-actors"
		echo "kernel events per type and actor:"
		cat "$d.event-actors"
		local wrong
		wrong=$(csvq "$d/events.csv" '
			(v("comm") ~ /^stress-ng/ && v("actor") != "load") ||
			(v("comm") == "dockerd" && v("actor") != "engine") ||
			(v("comm") ~ /^containerd/ && v("actor") != "engine") ||
			(v("comm") ~ /^(kworker|jbd2)/ && v("actor") != "kernel") ||
			(v("comm") == "restartprof-svc" && v("actor") != "target") {
				print v("type"), v("comm"), v("actor"); n++ }
			END{ if (n) print n " misattributed" }' | tail -5)
		t "$name: events.csv: stress-ng=load, dockerd/containerd=engine, kworker/jbd2=kernel, the service=target${wrong:+ ($wrong)}" test -z "$wrong"
		t "$name: events.csv: the new service's listen is target" \
			test "$(csvq "$d/events.csv" 'v("type") == "listen" && v("actor") == "target" {n++} END{print n + 0}')" -ge "$TRIALS"
		# The function probes in use fire: veth and bridge ports by the engine, overlayfs calls.
		local p what
		for p in veth_newlink veth_dellink br_add_if br_del_if; do
			what=$(csvq "$d/probes.csv" 'v("probe") == "'$p'" {print v("path")}')
			[ "$what" = none ] || [ -z "$what" ] && continue
			t "$name: events.csv: $p ($what) recorded for the engine in every trial" \
				test "$(csvq "$d/events.csv" 'v("type") == "net" && v("what") == "'$p'" && v("actor") == "engine" {n++} END{print n + 0}')" -ge "$TRIALS"
		done
		what=$(csvq "$d/probes.csv" 'v("probe") == "ovl_lookup" {print v("path")}')
		if [ "$what" != none ] && [ -n "$what" ]; then
			t "$name: events.csv: overlayfs calls ($what) recorded for the engine" \
				test "$(csvq "$d/events.csv" 'v("type") == "ovl" && v("actor") == "engine" {n++} END{print n + 0}')" -gt 0
		fi
		if [ "$load" != none ]; then
			# stress-ng's block I/O: the requests it queued itself, or the pages it dirtied that
			# the kworkers wrote back (which of the two a short run sees varies from run to run).
			local own dirtied
			own=$(csvq "$d/events.csv" 'v("type") == "bio" && v("actor") == "load" {n++} END{print n + 0}')
			dirtied=$(csvq "$d/phases.csv" '{n += v("load_wb_pages")} END{print n + 0}')
			fact "${name}_load_wb_pages" "$dirtied"
			t "$name: events.csv/phases.csv: block I/O of stress-ng as load ($own requests, $dirtied pages written back)" \
				num_is "$((own + dirtied))" ">" 0
		fi
	fi
	oncpu_check "$name" "$d"
	runq_stack_check "$name" "$d"
	# The phases in which the engine exec'd in at least half of the trials.
	csvq "$d/phases.csv" '{e[v("phase")] += (v("engine_execs") > 0)}
		END{for (p in e) if (2 * e[p] >= '"$TRIALS"') print p}' | sort | paste -sd' ' - >"$d.exec-phases"
	echo "phases with engine execs in most trials: $(cat "$d.exec-phases")"
}

section "short runs"
if [ $have_btf = 1 ]; then
	run_check base none
	run_check hdd hdd --events
fi
if [ $have_btf = 1 ] && for_this_kernel "${GT_FALLBACK:-1}"; then
	run_check hdd-fallback hdd --events --no-fentry --no-kprobe

	section "the fallback against the best paths"
	grep -E ',(fentry|kprobe),' "$out/hdd-fallback/probes.csv" | sed 's/^/  /'
	t "fallback: no probe on fentry or kprobe" test "$(grep -cE '^[^,]*,[^,]*,(fentry|kprobe),' "$out/hdd-fallback/probes.csv")" -eq 0
	t "fallback: the same programs per actor (execs.csv)" \
		diff <(awk '{print $2, $3}' "$out/hdd.exec-actors") <(awk '{print $2, $3}' "$out/hdd-fallback.exec-actors")
	t "fallback: the same phases with engine execs ($(cat "$out/hdd.exec-phases") / $(cat "$out/hdd-fallback.exec-phases"))" \
		diff "$out/hdd.exec-phases" "$out/hdd-fallback.exec-phases"
	# Kinds of event per actor: one seen 5 times or more by one run must be seen by the other
	# (overlayfs calls, veth pairs and bridge ports come from function probes only).
	# Nor are stress-ng's own block requests (see above): "bio load" is not compared.
	missing=$(awk 'FNR == 1 {r++} $2 !~ /^(ovl|net\/(veth_newlink|veth_dellink|br_add_if|br_del_if))$/ && !($2 == "bio" && $3 == "load") {
			c[r, $2 " " $3] = $1; k[$2 " " $3] }
		END{for (x in k) { a = c[1, x] + 0; b = c[2, x] + 0
			if ((a >= 5 && b == 0) || (b >= 5 && a == 0)) printf "%s(%d/%d) ", x, a, b }}' \
		"$out/hdd.event-actors" "$out/hdd-fallback.event-actors")
	t "fallback: the same kinds of kernel event per actor${missing:+ (differ: $missing)}" test -z "$missing"
fi
if [ $have_btf = 0 ]; then
	run_check notrace none --no-trace
	section "run without --no-trace on a kernel without BTF"
	"$RP" run --trials 1 -o "$out/refused" >"$out/refused.log" 2>&1
	rc=$?
	cat "$out/refused.log"
	t "run without BTF refuses to trace (exit 2, rc $rc)" test $rc -eq 2
	t "run without BTF says to pass --no-trace" grep -q -- "--no-trace" "$out/refused.log"
	if [ "$traced" = 1 ]; then
		# The kernel's BTF from a file: kprobe and raw_tp programs, relocated with it.
		run_check base none
		run_check hdd hdd --events
	fi
fi

# ---------------------------------------------------------------------------------------------
# try_check RATE [REMEDY]: restartprof try load-wbps=RATE[,REMEDY] on the hdd load, four trials (A B B A), and
# whether the limit reached the load's writes: the load's bytes written in each trial's window
# (its own block requests plus the pages written back whose inode it dirtied, phases.csv) per
# second of window, A against B.
# The lab's scratch disk (run.sh), formatted and mounted at $1: 0, or 1 when there is none.
scratch_mount() {
	local d disk=''
	for d in /sys/block/vd*; do
		[ "$(cat "$d/serial" 2>/dev/null)" = lab-scratch ] && disk=/dev/${d##*/}
	done
	[ -n "$disk" ] || return 1
	mkfs.ext4 -q -F "$disk" && mkdir -p "$1" && mount "$disk" "$1" && mkdir -p "$1/load"
}

try_check() {
	local rate=$1 fs=/mnt/scratch spec d=$out/try-wbps t0 rc seq n bps dev ps per ra rb left
	t "try: the lab's scratch disk is formatted and mounted at $fs" scratch_mount "$fs" || return
	spec=load-wbps=$rate,load-fs=$fs/load${2:+,$2}
	local args=(try "$spec" --load hdd --stressors 1 --trials 4 --interval 0.5 --settle 2
		-o "$d" "${rpbtf[@]}")
	section "restartprof ${args[*]}"
	t0=$(date +%s.%N)
	"$RP" "${args[@]}" >"$out/try-wbps.log" 2>&1
	rc=$?
	fact try_wbps_s "$(secs "$t0")"
	cat "$out/try-wbps.log"
	t "try: exit 0 (rc $rc)" test $rc -eq 0
	seq=$(csvq "$d/trials.csv" '{print v("trial"), v("variant")}' | sort -n | awk '{printf "%s", $2}')
	t "try: trials.csv: variants A B B A ($seq)" test "$seq" = ABBA
	n=$(csvq "$d/trials.csv" 'v("status") == "ok" {n++} END{print n + 0}')
	t "try: trials.csv: 4 trials ok ($n)" test "${n:-0}" -eq 4
	t "try: run.json: kind try, remedies $spec, sequence ABBA per trial" test \
		"$(json_val "$d/run.json" kind)/$(json_val "$d/run.json" remedies)/$(json_val "$d/run.json" sequence)" \
		= "try/$spec/ABBA per trial"
	bps=$(grep -o '"write_bps":[0-9]*' "$d/run.json" | head -1 | cut -d: -f2)
	dev=$(json_val "$d/run.json" write_device)
	t "try: run.json: the change is a write limit of $rate/s on a block device ($bps on $dev)" \
		test "${bps:-0}:$([ -b "${dev:-/nonexistent}" ] && echo blk)" = "$(numfmt --from=iec "$rate"):blk"
	t "try: run.json: the load restarted at each switch" grep -q '"load_restarted_at_each_switch":true' "$d/run.json"
	t "try: no container of the run left" test "$(run_containers)" -eq 0
	left=$(find /run/restartprof -name 'journal*' 2>/dev/null | paste -sd' ' -)
	t "try: no journal left under /run/restartprof${left:+ ($left)}" test -z "$left"
	# Per trial: variant, load bytes written in the window, window seconds.
	ps=$(getconf PAGESIZE)
	per=$(awk 'FNR == 1 {f++} f == 1 {var[$1] = $2; next} {b[$1] += $2; s[$1] += $3}
		END{for (i in var) printf "%d %s %d %.3f\n", i, var[i], b[i], s[i] / 1e9}' \
		<(csvq "$d/trials.csv" 'v("status") == "ok" {print v("trial"), v("variant")}') \
		<(csvq "$d/phases.csv" '{print v("trial"), v("load_bio_bytes") + '"$ps"' * v("load_wb_pages"), v("duration_ns")}') |
		sort -n)
	echo "trial variant load_bytes_written window_s:"
	awk '{print "  " $0}' <<<"$per"
	# The rate of each variant: its bytes over its windows' seconds.
	ra=$(awk '$2 == "A" {b += $3; s += $4} END{if (s > 0) printf "%.0f", b / s}' <<<"$per")
	rb=$(awk '$2 == "B" {b += $3; s += $4} END{if (s > 0) printf "%.0f", b / s}' <<<"$per")
	fact try_wbps_rate "$bps"
	fact try_wbps_load_Bps_a "${ra:-}"
	fact try_wbps_load_Bps_b "${rb:-}"
	echo "load write rate in the windows: A (off) ${ra:-?} B/s, B (on, limit $bps) ${rb:-?} B/s"
	# B: writeback is counted when the flusher submits the pages, and blk-throttle holds them
	# back afterwards: a window can see up to one flusher chunk per inode (1024 pages, 4 MiB)
	# above the rate, and a trial's window lasts a few seconds; twice the rate covers that.
	t "try: B trials: the load writes at most twice the limit (${rb:-?} <= 2 x $bps B/s)" \
		num_is "$(awk -v r="${rb:-x}" -v l="$bps" 'BEGIN{print (r ~ /^[0-9]+$/ && r <= 2 * l) ? 1 : 0}')" == 1
	t "try: A trials: the load writes faster than that (${ra:-?} > 2 x $bps B/s)" \
		num_is "$(awk -v r="${ra:-x}" -v l="$bps" 'BEGIN{print (r ~ /^[0-9]+$/ && r > 2 * l) ? 1 : 0}')" == 1
	t "try: the scratch filesystem unmounts (nothing of the run holds it)" umount "$fs"
}

# restartprof try with load-wbps, where cgroup v2 lets io.max reach buffered writeback and the
# kernel records show the load's writes; with load-fs on the lab's scratch disk, as the tool
# requires (on the data-root's own filesystem every container stop would wait for the
# throttled writeback). GT_TRY: 1, or the kernels to run it on (off by default, and in CI).
# GT_TRY_RATE is the limit (the unthrottled hdd load writes 30-55 MiB/s there), GT_TRY_WITH
# another remedy of the set.
if [ "$traced" = 1 ] && for_this_kernel "${GT_TRY:-0}"; then
	try_check "${GT_TRY_RATE:-8M}" "${GT_TRY_WITH:-}"
fi

# The Debian package of this architecture, as a user installs it: apt, no network (its
# dependencies are in the image), then a baseline with the installed binary, then purge.
deb_check() {
	local deb=$1 d=$out/deb-base rc n left
	section "the Debian package: apt install ./$(basename "$deb")"
	fact deb "$(basename "$deb") $(stat -c %s "$deb")"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "./$deb" >"$out/deb-install.log" 2>&1
	rc=$?
	tail -5 "$out/deb-install.log"
	t "package: apt install exit 0 (rc $rc)" test $rc -eq 0
	[ $rc -eq 0 ] || return 0
	t "package: /usr/sbin/restartprof version names the package's version" \
		grep -q "$(dpkg-query -W -f='${Version}' restartprof | sed 's/-[^-]*$//')" <(/usr/sbin/restartprof version 2>&1)
	/usr/sbin/restartprof check >"$out/deb-check.txt" 2>&1
	rc=$?
	t "package: restartprof check exit 0 (rc $rc)" test $rc -eq 0
	/usr/sbin/restartprof run --trials 3 --interval 0.5 --settle 2 -o "$d" >"$out/deb-run.log" 2>&1
	rc=$?
	tail -3 "$out/deb-run.log"
	n=$(csvq "$d/trials.csv" '$0 != "" && v("status") == "ok" {n++} END{print n + 0}')
	t "package: a 3-trial baseline, exit 0 (rc $rc), 3 trials ok ($n)" test "$rc/${n:-0}" = 0/3
	fact deb_base_median_s "$(csvq "$d/summary.csv" '{printf "%.3f", v("median_s")}')"
	t "package: man -w restartprof finds the page" man -w restartprof
	dpkg -L restartprof | grep -v '/$' | sort >"$out/deb-files.txt"
	dpkg --purge restartprof >"$out/deb-purge.log" 2>&1
	t "package: dpkg --purge exit 0" test $? -eq 0
	left=$(while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done <"$out/deb-files.txt" | wc -l)
	t "package: none of its $(wc -l <"$out/deb-files.txt") files left after purge ($left)" test "$left" -eq 0
}
# GT_DEB: 1, or the kernels to run it on (make vmtest-ci: arm64-6.1).
if [ "$traced" = 1 ] && for_this_kernel "${GT_DEB:-0}"; then
	for deb in deb/restartprof_*.deb; do
		if [ -f "$deb" ]; then deb_check "$deb"; else bad "package: none in deb/ (lab.sh --deb)"; fi
	done
fi

section "facts"
fact tests "$pass/$((pass + fail))"
cat "$facts"
echo
echo "guest-test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
