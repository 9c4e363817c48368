#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: what restartprof costs, measured side by side in one run on this machine, into
# bench/results.md (bench/README.md says what each table measures and how).
#
#   bench/bench.sh [--quick] [--only LIST] [--wait-quiet SECONDS] [--results FILE]
#
# --quick        tiny trial counts, to try the bench out (results into bench/work/results.md)
# --only LIST    sections to run, comma-separated: perturb,stacks,cost,loader,harness,headroom,watch
# --wait-quiet S wait up to S seconds for a quiet machine (no qemu, 1-min load average < 0.5)
# --results FILE where the tables go (default bench/results.md; with --quick bench/work/results.md)
#
# Starts a private Docker engine of its own (scripts/private-dockerd.sh; never the system one)
# and removes it, with everything else it started or changed, however it ends. Root only.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
BENCH_OUT=$BENCH_DIR/work
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
# One file per section (section_NAME); bench/stacks.sh is another thing: make bench-stacks.
for s in perturb stack_cost cost loader harness headroom; do
	# shellcheck disable=SC1090
	. "$BENCH_DIR/$s.sh"
done

quick=
only=perturb,stacks,cost,loader,harness,headroom,watch
wait_quiet=0
results=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--only) only=$2; shift ;;
	--wait-quiet) wait_quiet=$2; shift ;;
	--results) results=$2; shift ;;
	*) die "unknown argument '$1' (see the head of bench/bench.sh)" ;;
	esac
	shift
done
[ -n "$results" ] || results=$([ -n "$quick" ] && echo "$BENCH_OUT/results.md" || echo "$BENCH_DIR/results.md")

# Sizes: the full bench takes about an hour here; --quick about 5 minutes.
if [ -n "$quick" ]; then
	: "${PERTURB_N_NONE:=6}" "${PERTURB_N_HDD:=4}" "${STACKS_N:=2}" "${COST_N:=2}" \
		"${LOADER_MATRIX_N:=1}" "${LOADER_IDLE_S:=12}" "${HARNESS_N:=3}" "${HARNESS_BLOCKS:=1}" \
		"${HARNESS_CALLS:=5}" "${HEADROOM_N:=1}" "${HEADROOM_RATES:=5000 0}" "${WATCH_SOAK_N:=40}" \
		"${WATCH_IDLE_S:=10}" "${ONCPU_COST_N:=4}"
fi
: "${PERTURB_N_NONE:=100}" "${PERTURB_N_HDD:=50}" "${STACKS_N:=10}" "${COST_N:=10}" \
	"${LOADER_MATRIX_N:=3}" "${LOADER_IDLE_S:=30}" "${HARNESS_N:=15}" "${HARNESS_BLOCKS:=2}" \
	"${HARNESS_CALLS:=20}" "${HEADROOM_N:=2}" "${HEADROOM_RATES:=2000 5000 10000 20000 40000 0}" \
	"${BENCH_INTERVAL:=0.5}" "${WATCH_SOAK_N:=1000}" "${ONCPU_COST_N:=20}" \
	"${WATCH_IDLE_S:=30}"

# 7. The watch soak (bench/watch_soak.sh): its table into watch.md, its targets into the summary;
# then watch's cost on a busy machine and against unwatched restarts (bench/watch_cost.sh).
section_watch() {
	rm -f "$BENCH_OUT/watch.md"
	# A soak that measured but missed its marks says so in its lines of the targets table; the
	# section fails only when it measured nothing.
	# The binary a device would carry, when there is one: the soak's memory is measured on it.
	local soak_rp=$RP
	[ -x "$ROOT/build-static/restartprof" ] && soak_rp=$ROOT/build-static/restartprof
	RP=$soak_rp DOCKER=$DOCKER bash "$BENCH_DIR/watch_soak.sh" -n "$WATCH_SOAK_N" \
		--idle "$WATCH_IDLE_S" --out "$BENCH_OUT/watch" --md "$BENCH_OUT/watch.md" ||
		[ -s "$BENCH_OUT/watch.md" ] || return 1
	RP=$RP DOCKER=$DOCKER bash "$BENCH_DIR/watch_cost.sh" --out "$BENCH_OUT/watch-cost" \
		--md "$BENCH_OUT/watch-cost.md" || return 1
	{ echo; cat "$BENCH_OUT/watch-cost.md"; } >>"$BENCH_OUT/watch.md"
}

RP=$ROOT/build/restartprof
STORM=$ROOT/build/bench/storm
# Debian's CLI, the engine's own version, when there is one.
DOCKER=$(command -v /usr/bin/docker || command -v docker || true)

[ "$(id -u)" -eq 0 ] || die "run as root (a private engine, BPF programs, sysctl)"
[ -x "$RP" ] || die "no $RP: make first (make bench does)"
[ -x "$STORM" ] || die "no $STORM: make build/bench/storm first (make bench does)"
for tool in bpftool jq bpftrace dockerd "$DOCKER" /usr/bin/time stress-ng; do
	command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh bench run)"
done

ENGINE_DIR=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_tracked
	bpf_stats_restore
	tracefs_restore
	if [ -n "$ENGINE_DIR" ]; then
		log "stopping the private engine"
		bash "$ROOT/scripts/private-dockerd.sh" stop "$ENGINE_DIR"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

if [ "$wait_quiet" -gt 0 ] && ! machine_quiet; then
	log "waiting up to $wait_quiet s for a quiet machine: $(machine_state)"
	end=$((SECONDS + wait_quiet))
	while [ $SECONDS -lt $end ] && ! machine_quiet; do sleep 30; done
fi
state_start=$(machine_state)
quiet_start=$(machine_quiet && echo quiet || echo busy)
log "machine: $state_start ($quiet_start)"

rm -rf "$BENCH_OUT"
mkdir -p "$BENCH_OUT"
ENGINE_DIR=$(mktemp -d /tmp/rp-bench.XXXXXX)
bash "$ROOT/scripts/private-dockerd.sh" start "$ENGINE_DIR" || die "the private engine did not start"
export DOCKER_HOST="unix://$ENGINE_DIR/docker.sock"
start_s=$SECONDS
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

failed=()
for s in perturb stacks cost loader harness headroom watch; do
	case ",$only," in *",$s,"*) ;; *) continue ;; esac
	log "== $s"
	"section_$s" || { failed+=("$s"); log "section $s failed"; }
	stop_tracked
	bpf_stats_restore
done
state_end=$(machine_state)
quiet_end=$(machine_quiet && echo quiet || echo busy)
minutes=$(((SECONDS - start_s + 30) / 60))

# "ms name ms": CPU per trial of restartprof's programs in a cell of table 2 (runs times ns per
# run, summed), the largest program and its share.
progs_cpu() {
	[ -f "$BENCH_OUT/cost.md" ] || return 0
	awk -F'|' -v cell="$1" 'NF == 11 && $2 ~ /^ restartprof / {
		c = cell == "none" ? 5 : cell == "cpu-2" ? 7 : 9; x = ($c + 0) * ($(c + 1) + 0); t += x
		if (x > top) { top = x; name = $3; gsub(/ /, "", name) } }
		END { if (t) printf "%.1f %s %.1f\n", t / 1e6, name, top / 1e6 }' "$BENCH_OUT/cost.md"
}

# Watch's own CPU per restart in the soak (its threads over the restarts made), ms.
watch_cpu_per_restart() {
	[ -f "$BENCH_OUT/watch.md" ] || return 0
	awk -F'|' 'NF == 15 && $2 + 0 > 0 && $7 + 0 > 0 { printf "%.0f\n", ($14 / 100) * $6 * 1000 / $2; exit }' "$BENCH_OUT/watch.md"
}

# Why a restart is slower: CPU the kernel spends on restartprof's behalf (WHAT, MS a restart),
# against the restart without it (MEDIAN_B ms) and the slowdown measured (the interval's lower
# end LOW); OWN_MS: watch's own threads too.
why_slower() {
	local what=$1 ms=$2 med=$3 low=$4 own=${5:-}
	[ -n "$ms" ] && [ -n "$med" ] || return 0
	awk -v what="$what" -v ms="$ms" -v med="$med" -v low="$low" -v own="$own" 'BEGIN {
		share = 100 * ms / med; slow = 100 * (low - 1)
		printf "; why: %s, %.1f %% of the median restart without (B)", what, share
		if (own != "") { share += 100 * own / med; printf ", and watch'"'"'s own threads %s ms a restart (the soak, table 7)", own }
		printf "; were all of it on the restart'"'"'s path, %.1f %%", share
		if (slow > share + 0.5) printf ": the rest of the %.1f %% measured is not in that run time", slow
		else if (slow < share - 0.5) printf ", more than the %.1f %% measured", slow
		else printf ", about the %.1f %% measured", slow }'
}

# Table 1's why: the programs' CPU in that cell of table 2.
why_traced() {
	local ms name top
	read -r ms name top <<<"$(progs_cpu "$1")"
	[ -n "${ms:-}" ] || return 0
	why_slower "restartprof's programs run $ms ms of CPU a restart (table 2, $1; $name $top ms of it)" "$ms" "$2" "$3" "${4:-}"
}

# Table 6b's why: the stack capture's CPU a trial (table 6a).
why_stacks() {
	local us
	us=$(awk -F'|' -v c="$1" '$2 == " " c " " && NF == 9 { print $8 + 0; exit }' "$BENCH_OUT/stacks.md" 2>/dev/null)
	[ -n "$us" ] || return 0
	why_slower "capturing the stacks takes $(awk -v u="$us" 'BEGIN { printf "%.1f", u / 1000 }') ms of CPU a restart (table 6a, $1)" \
		"$(awk -v u="$us" 'BEGIN { print u / 1000 }')" "$2" "$3"
}

# "median_b ci_low" of an A/B row: the restart without (ms) and the interval's lower end; of
# the perturbation's TABLE and CELL, of watch's cost.
ab_fig() { awk -F'|' '{ split($8, ci, "-"); print $5 + 0, ci[1] + 0; exit }'; }
perturb_fig() { awk -v s="^## $1\\." -v c="$2" '/^## / { t = $0 ~ s } t && $0 ~ "^\\| " c " "' "$BENCH_OUT/perturb.md" | ab_fig; }
watch_fig() { grep '^| restart, watched' "$BENCH_OUT/watch-cost.md" | ab_fig; }

# The targets of every table, from the tables themselves.
summary() {
	echo "| table | what | target | value | met | why |"
	echo "|---|---|---|---|---|---|"
	[ -f "$BENCH_OUT/perturb.md" ] &&
		awk -F'|' -v w1n="$(why_traced none $(perturb_fig 1 none))" -v w1h="$(why_traced hdd-2 $(perturb_fig 1 hdd-2))" \
			-v w6n="$(why_stacks none $(perturb_fig 6b none))" -v w6h="$(why_stacks hdd-2 $(perturb_fig 6b hdd-2))" '
		/^## 1\./ { t = "1 tracing on/off" } /^## 6b\./ { t = "6b stacks on/off" } /^## 6c\./ { t = "6c samples on/off" }
		/^\| (none|hdd-2) / { gsub(/ /, "", $2)
			why = ""
			if ($13 ~ /not met/ && t ~ /^1 /) why = $2 == "none" ? w1n : w1h
			if ($13 ~ /not met/ && t ~ /^6b /) why = $2 == "none" ? w6n : w6h
			printf "| %s | %s, paired A/B, 95 %% CI | upper end <= 1.02 | %s (%s ) |%s |%s%s |\n", t, $2, $7, $8, $12, $13, why }' "$BENCH_OUT/perturb.md"
	[ -f "$BENCH_OUT/loader.md" ] && awk -F'|' '
		$4 ~ /</ && $5 != "" { printf "| 3 loader | %s | %s | %s | %s | %s |\n", $2, $4, $3, $5, $6 }
		$2 ~ /allowed spike/ { printf "| 3 loader | %s | %s | %s | | |\n", $2, $4, $3 }' "$BENCH_OUT/loader.md"
	[ -f "$BENCH_OUT/cost.md" ] && awk -F'|' -f "$BENCH_DIR/cost_targets.awk" "$BENCH_OUT/cost.md"
	[ -f "$BENCH_OUT/harness.md" ] && awk -F'|' '
		NF == 10 && $2 ~ /restartprof --no-trace/ { untraced = $9 + 0 }
		NF == 10 && $2 ~ /restartprof \(tracing\)/ { traced = $9 + 0; reply = $8 + 0; found = 1 }
		END { if (!found) exit
			met = traced < 20
			printf "| 4 harness | restartprof'"'"'s own time after the window, per trial, traced (from the engine'"'"'s reply to the start call) | < 20 ms | %.1f ms (untraced %.1f; the engine'"'"'s reply before it %.1f) | %s | %s |\n",
				traced, untraced, reply, met ? "yes" : "**no**",
				met ? "" : sprintf("%.1f ms over: the trial'"'"'s kernel records converted, attributed and symbolized before the next trial starts", traced - 20) }' "$BENCH_OUT/harness.md"
	[ -f "$BENCH_OUT/watch/summary.md" ] && cat "$BENCH_OUT/watch/summary.md"
	[ -f "$BENCH_OUT/watch-cost.md" ] && awk -F'|' -v why="$(why_traced none $(watch_fig) "$(watch_cpu_per_restart)")" '
		/^\| restart, watched/ {
			printf "| 7 watch cost | restart time, watched / not, paired ABBA, 95 %% CI | upper end <= 1.02 | %s (%s ) |%s |%s%s |\n", $7, $8, $12, $13, ($13 ~ /not met/ ? why : "") }' "$BENCH_OUT/watch-cost.md"
	for s in "${failed[@]}"; do echo "| $s | the section failed (see bench/work) | | | **no** | |"; done
}

{
	echo "# restartprof: what it costs"
	echo
	echo "Written by \`make bench\` (bench/bench.sh$([ -n "$quick" ] && echo ' --quick')) on $started, $minutes min. Every"
	echo "figure below comes from the commands named with it; the raw data stay in \`bench/work/\`."
	echo "Compare figures of one run only."
	echo
	echo "## Machine"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| kernel | $(uname -srm) |"
	echo "| CPU | $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores |"
	echo "| memory | $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
	echo "| engine data-root | $(findmnt -n -o FSTYPE,SOURCE --target "$ENGINE_DIR" | tr -s ' ' ' ') |"
	echo "| engine | dockerd $(dockerd --version | awk '{ print $3 }' | tr -d ,), private (scripts/private-dockerd.sh) |"
	echo "| restartprof | $("$RP" --version 2>/dev/null | head -1) |"
	echo "| tools | $(bpftool version | head -1), bpftrace $(bpftrace --version | awk '{ print $2 }'), libbpf-tools $(dpkg-query -W -f='${Version}' libbpf-tools 2>/dev/null), docker CLI $("$DOCKER" version --format '{{.Client.Version}}' 2>/dev/null) |"
	echo "| machine at start | $state_start: $quiet_start |"
	echo "| machine at end | $state_end: $quiet_end |"
	echo
	echo "Quiet means no qemu-system process and a 1-minute load average under 0.5; a busy machine's"
	echo "figures are noisier than they need be (the noise columns say how much)."
	echo
	echo "## Targets"
	echo
	summary
	echo
	for s in perturb stacks cost loader harness headroom watch; do
		if [ -f "$BENCH_OUT/$s.md" ]; then
			cat "$BENCH_OUT/$s.md"
			echo
		fi
	done
} >"$results.tmp"
mv "$results.tmp" "$results" || die "cannot write $results"
log "results in $results"
[ ${#failed[@]} -eq 0 ] || die "failed sections: ${failed[*]}"
