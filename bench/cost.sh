# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Section 2: cost per kernel event of restartprof's BPF programs, and of the peers a user would
# reach for instead (a bpftrace script doing the same counting, Debian's libbpf-tools), all
# attached at once and measured over the same recorded trials (restartprof --prog-stats: the
# kernel's run_cnt/run_time_ns of every program on the machine, before and after each trial).
# Sourced by bench.sh; writes $BENCH_OUT/cost.md.

# The tracepoint a peer's program is attached to, from its link or its name.
#   peer_attach PROG_ID NAME
peer_attach() {
	local id=$1 name=$2 tp
	tp=$(bpftool link show -j 2>/dev/null | jq -r --argjson id "$id" \
		'.[] | select(.prog_id == $id) | .tp_name // empty' | head -1)
	if [ -z "$tp" ]; then
		tp=${name#tracepoint__}
		tp=${tp#*__}
		tp=${tp%_btf}
		tp=${tp%_raw}
	fi
	echo "$tp"
}

# Starts a peer tool in the background and records which programs are its (from its own
# fds), or why it cannot run here. Appends "tool id attach name" lines to $out/peers.txt and
# "tool|status" to $out/peers-status.txt.
start_peer() {
	local tool=$1 out=$2 pid ids n prev=-1 id
	shift 2
	"$@" >"$out/$tool.out" 2>"$out/$tool.err" &
	pid=$!
	for _ in $(seq 1 40); do
		sleep 0.25
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			local why
			why=$(grep -m1 -E 'failed|refused|denied|not permitted|No such|ERROR' "$out/$tool.err" |
				sed -e 's/^libbpf: //' -e 's/|/:/g')
			echo "$tool|cannot run here: ${why:-exited with code $? (see $tool.err)}" >>"$out/peers-status.txt"
			return 0
		fi
		n=$(bpf_ids_of "$pid" | grep -c '^prog ' || true)
		[ "$n" -gt 0 ] && [ "$n" = "$prev" ] && break
		prev=$n
	done
	track_pid "$pid"
	ids=$(bpf_ids_of "$pid" | awk '$1 == "prog" { print $2 }')
	for id in $ids; do
		local name attach
		name=$(bpftool prog show id "$id" -j 2>/dev/null | jq -r '.name')
		if [ "$tool" = bpftrace ]; then
			# bpftrace -v: "Program ID: N" lines (stdout) in the order of its "Attaching" lines.
			attach=$(paste -d' ' <(grep -o 'Program ID: [0-9]*' "$out/$tool.out" | awk '{ print $3 }') \
				<(grep -E '^Attaching ([A-Z]+|[a-z]+:.*)$' "$out/$tool.err" | awk '{ print $2 }') |
				awk -v id="$id" '$1 == id { print $2 }')
		else
			attach=$(peer_attach "$id" "$name")
		fi
		echo "$tool $id ${attach:-?} $name" >>"$out/peers.txt"
	done
	echo "$tool|running, $(echo "$ids" | wc -w) programs" >>"$out/peers-status.txt"
}

section_cost() {
	local out=$BENCH_OUT/cost md=$BENCH_OUT/cost.md cell dockerd containerd
	mkdir -p "$out"
	: >"$out/peers.txt"
	: >"$out/peers-status.txt"
	tracefs_on || log "cannot mount tracefs: bpftrace and execsnoop will not attach"
	# --prog-stats turns the statistics on itself (BPF_ENABLE_STATS); the sysctl is set too, in
	# case that fails, and restored after the section.
	bpf_stats_on
	dockerd=$(cat "$ENGINE_DIR/dockerd.pid")
	containerd=$(pgrep -P "$dockerd" -x containerd | head -1)
	log "cost: starting the peers"
	start_peer bpftrace "$out" bpftrace -v "$BENCH_DIR/peer.bt" "$dockerd" "${containerd:-0}"
	start_peer biolatency "$out" /usr/sbin/biolatency
	start_peer biosnoop "$out" /usr/sbin/biosnoop
	start_peer offcputime "$out" /usr/sbin/offcputime -p "$dockerd"
	start_peer execsnoop "$out" /usr/sbin/execsnoop
	for cell in none cpu-2 hdd-2; do
		log "cost: --prog-stats, $cell, peers attached"
		# shellcheck disable=SC2046
		rp_run "$out/$cell" --prog-stats --trials "$COST_N" --interval "$BENCH_INTERVAL" \
			$(cost_cell_args "$cell") || { stop_tracked; return 1; }
	done
	stop_tracked
	cost_tables >"$md"
}

cost_cell_args() {
	case $1 in
	cpu-2) echo "--load cpu --stressors 2" ;;
	hdd-2) echo "--load hdd --stressors 2" ;;
	esac
}

# "tool program attach trials run_cnt run_time_ns" per program and cell, from progstats.csv:
# restartprof's own rows, and the peers' by the ids recorded when they started.
cost_rows() {
	local cell=$1 csv=$BENCH_OUT/cost/$1/progstats.csv trials
	trials=$(csv_cols "$BENCH_OUT/cost/$cell/trials.csv" status | grep -c '^ok$')
	csv_cols "$csv" prog_id program type owner run_cnt run_time_ns |
		awk -v trials="$trials" -v peers="$BENCH_OUT/cost/peers.txt" '
		BEGIN { while ((getline l < peers) > 0) { split(l, f, " "); tool[f[2]] = f[1]; at[f[2]] = f[3] } }
		$4 == "restartprof" { a = $2; sub(/_(btf|raw|tp)$/, "", a); key = "restartprof " $2 " " a }
		$4 != "restartprof" && ($1 in tool) { key = tool[$1] " " $2 " " at[$1] }
		$4 != "restartprof" && !($1 in tool) { next }
		{ cnt[key] += $5; ns[key] += $6 }
		END { for (k in cnt) print k, trials, cnt[k], ns[k] }' | sort
}

# A table's header: its first columns, then two columns per cell of $cells (the caller's).
per_cell_header() {
	local first=$1 a=$2 b=$3 cell
	printf '| %s |' "$first"
	for cell in $cells; do printf ' %s %s | %s %s |' "$cell" "$a" "$cell" "$b"; done
	echo
	printf '|%s' "$(awk -F'|' '{ for (i = 1; i <= NF; i++) printf "---|" }' <<<"$first")"
	for cell in $cells; do printf -- '---|---|'; done
	echo
}

cost_tables() {
	local cells="none cpu-2 hdd-2" cell
	echo "## 2. Cost per kernel event"
	echo
	echo "Every program's run count and run time over the recorded trials (\`restartprof run"
	echo "--prog-stats\`: the kernel's bpf_prog_info counters before and after each trial, BPF"
	echo "statistics on through BPF_ENABLE_STATS), $COST_N trials per cell, with the peers attached"
	echo "at the same time and so seeing the same events: the bpftrace script"
	echo "\`bench/peer.bt\` (tracepoints only: kprobes are refused here) and Debian's libbpf-tools."
	echo "ev/trial: program runs per recorded trial (every event at that attach point, the"
	echo "program's filter included); ns/ev: run time per run. A restartprof program's name ends"
	echo "in its attach path (\`_btf\`: tp_btf)."
	echo
	echo "Peers:"
	echo
	while IFS='|' read -r tool status; do
		echo "- $tool: $status"
	done <"$BENCH_OUT/cost/peers-status.txt"
	echo
	per_cell_header "tool | program | attached to" ev/trial ns/ev
	for cell in $cells; do cost_rows "$cell" | sed "s/^/$cell /"; done |
		awk -v cells="$cells" '
		{ k = $2 " " $3 " " $4; if (!(k in seen)) { seen[k] = 1; order[++n] = k }
		  ev[k, $1] = $5 > 0 ? $6 / $5 : ""; ns[k, $1] = $6 > 0 ? $7 / $6 : "" }
		END { nc = split(cells, c, " ")
		      for (i = 1; i <= n; i++) { split(order[i], f, " ")
			printf "| %s | %s | %s |", f[1], f[2], f[3]
			for (j = 1; j <= nc; j++) printf " %s | %s |", ev[order[i], c[j]] == "" ? "-" : sprintf("%.0f", ev[order[i], c[j]]), ns[order[i], c[j]] == "" ? "-" : sprintf("%.0f", ns[order[i], c[j]])
			print "" } }'
	echo
	echo "The same attach point side by side (ns per run; a peer's program does its own work there):"
	echo
	echo "| attach point | cell | restartprof | bpftrace | libbpf-tools |"
	echo "|---|---|---|---|---|"
	for cell in $cells; do cost_rows "$cell" | sed "s/^/$cell /"; done |
		awk -v cells="$cells" '
		{ at = $4; sub(/^tracepoint:[a-z_]*:/, "", at)
		  if ($5 > 0 && $6 > 0) { ns = sprintf("%.0f", $7 / $6) } else next
		  if ($2 == "restartprof") rp[at, $1] = ns
		  else if ($2 == "bpftrace") bt[at, $1] = ns
		  else { lt[at, $1] = (lt[at, $1] != "" ? lt[at, $1] ", " : "") ns " (" $2 ")"; peer[at] = 1 }
		  if ($2 != "restartprof") peer[at] = 1 }
		END { nc = split(cells, c, " ")
		      for (at in peer) for (j = 1; j <= nc; j++) {
			k = at SUBSEP c[j]
			if (!(k in rp) && !(k in bt) && !(k in lt)) continue
			printf "| %s | %s | %s | %s | %s |\n", at, c[j], (k in rp) ? rp[k] : "-", (k in bt) ? bt[k] : "-", (k in lt) ? lt[k] : "-" } }' | sort
	echo
	echo "BPF CPU time per recorded trial, by tool (sum over its programs, microseconds):"
	echo
	per_cell_header tool us/trial "recorded ms/trial"
	for cell in $cells; do
		local rec
		rec=$(csv_cols "$BENCH_OUT/cost/$cell/progstats.csv" trial record_ns | sort -u |
			awk '{ s += $2; n++ } END { if (n) printf "%.0f", s / n / 1e6 }')
		cost_rows "$cell" | awk -v cell="$cell" -v rec="$rec" '{ t[$1] += $6; tr = $4 } END { for (k in t) print cell, k, (tr > 0 ? t[k] / tr / 1000 : 0), rec }'
	done | awk -v cells="$cells" '
		{ if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } us[$2, $1] = $3; rec[$2, $1] = $4 }
		END { nc = split(cells, c, " ")
		      for (i = 1; i <= n; i++) { printf "| %s |", order[i]
			for (j = 1; j <= nc; j++) printf " %s | %s |", (order[i], c[j]) in us ? sprintf("%.0f", us[order[i], c[j]]) : "-", (order[i], c[j]) in rec ? rec[order[i], c[j]] : "-"
			print "" } }'
	echo
	echo "Raw: \`$(basename "$BENCH_OUT")/cost/<cell>/progstats.csv\`, the peers' programs in"
	echo "\`$(basename "$BENCH_OUT")/cost/peers.txt\`, their output in \`$(basename "$BENCH_OUT")/cost/<tool>.out\`."
}
