# shellcheck shell=bash
# Section 3: what restartprof itself costs the machine: CPU time and peak RSS per trial and
# per hour of --matrix, the memory its BPF maps lock, and its CPU while it waits between trials.
# Sourced by bench.sh; writes $BENCH_OUT/loader.md.

# The restartprof process under /usr/bin/time (its child), once it exists.
child_of() {
	local parent=$1 c
	for _ in $(seq 1 100); do
		c=$(pgrep -P "$parent" -x restartprof | head -1)
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.1
	done
	return 1
}

# Sums bytes_memlock of a process's maps (bpftool map show), and lists them: "name bytes".
maps_of() {
	local pid=$1 id
	for id in $(bpf_ids_of "$pid" | awk '$1 == "map" { print $2 }'); do
		bpftool map show id "$id" -j 2>/dev/null | jq -r '"\(.name) \(.bytes_memlock) \(.type) \(.max_entries)"'
	done
}

section_loader() {
	local out=$BENCH_OUT/loader md=$BENCH_OUT/loader.md tpid pid
	mkdir -p "$out"

	log "loader: a short --matrix under /usr/bin/time"
	/usr/bin/time -f "%e %U %S %M" -o "$out/matrix.time" \
		"$RP" run --docker-host "$DOCKER_HOST" -o "$out/matrix" --matrix --quick --load cpu,hdd \
		--stressors 1 --trials "$LOADER_MATRIX_N" --settle 2 --interval "$BENCH_INTERVAL" \
		2>"$out/matrix.stderr.log" >"$out/matrix.stdout.log" &
	tpid=$!
	pid=$(child_of "$tpid") || { wait "$tpid"; log "loader: restartprof did not start"; return 1; }
	# Its maps once tracing is up (the first trial row is written after it), and its RSS from
	# then on (the images are built by then), every 0.2 s until it ends.
	if wait_lines "$out/matrix/trials.csv" 2 "$pid"; then
		maps_of "$pid" | sort >"$out/maps.txt"
		while kill -0 "$pid" 2>/dev/null; do
			awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status 2>/dev/null
			sleep 0.2
		done >"$out/rss-trials.kib"
	fi
	wait "$tpid" || { log "loader: the matrix run failed"; tail -5 "$out/matrix.stderr.log" >&2; return 1; }

	log "loader: CPU while waiting ($LOADER_IDLE_S s between two trials)"
	bpf_stats_on
	local dir=$out/idle c0 c1 w0 w1 b0 b1
	rp_spawn "$dir" --trials 2 --interval "$LOADER_IDLE_S"
	pid=$RP_PID
	if wait_lines "$dir/trials.csv" 2 "$pid"; then
		sleep 3
		b0=$(bpf_sum_of "$pid")
		w0=$(now_ns)
		c0=$(proc_cpu_ns "$pid")
		sleep $((LOADER_IDLE_S - 8))
		c1=$(proc_cpu_ns "$pid")
		w1=$(now_ns)
		b1=$(bpf_sum_of "$pid")
		echo "$w0 $c0 $w1 $c1" >"$out/idle.cpu"
		echo "$b0 $b1" >"$out/idle.bpf"
	fi
	wait "$pid"
	bpf_stats_restore

	loader_table >"$md"
}

# "run_cnt run_time_ns" summed over a process's programs now.
bpf_sum_of() {
	local pid=$1 id
	for id in $(bpf_ids_of "$pid" | awk '$1 == "prog" { print $2 }'); do
		bpftool prog show id "$id" -j 2>/dev/null | jq -r '"\(.run_cnt // 0) \(.run_time_ns // 0)"'
	done | awk '{ c += $1; t += $2 } END { printf "%d %d\n", c, t }'
}

loader_table() {
	local out=$BENCH_OUT/loader wall user sys maxrss trials cells
	read -r wall user sys maxrss <"$out/matrix.time"
	trials=$(csv_cols "$out/matrix/trials.csv" status | grep -c '^ok$')
	cells=$(csv_cols "$out/matrix/trials.csv" cell | sort -u | wc -l)
	echo "## 3. Loader cost"
	echo
	echo "A short matrix, \`restartprof run --matrix --quick --load cpu,hdd --stressors 1 --trials"
	echo "$LOADER_MATRIX_N --settle 2\` ($cells cells, $trials ok trials, tracing on), under \`/usr/bin/time\`;"
	echo "the hour is extrapolated from it at its own pace (a real --matrix has 100 trials a cell and"
	echo "fewer set-ups an hour, so its CPU an hour is at most this). Maps: bpftool map show of the"
	echo "maps the process holds (its fds), while it runs. Waiting: CPU time of all its threads"
	echo "(/proc/PID/task/*/schedstat) over $((LOADER_IDLE_S - 8)) s of a $LOADER_IDLE_S s \`--interval\`, with"
	echo "the probes attached and recording off, and the kernel time of its programs meanwhile"
	echo "(bpftool prog show, kernel.bpf_stats_enabled=1)."
	echo
	echo "| measure | value | target (1 GiB Raspberry Pi) | met |"
	echo "|---|---|---|---|"
	local trss
	trss=$(sort -n "$out/rss-trials.kib" 2>/dev/null | tail -1)
	awk -v wall="$wall" -v u="$user" -v s="$sys" -v rss="$maxrss" -v n="$trials" -v trss="${trss:-0}" 'BEGIN {
		cpu = u + s
		printf "| matrix run: wall, CPU (user + sys) | %.1f s, %.2f s (%.2f + %.2f) | | |\n", wall, cpu, u, s
		printf "| CPU per trial (set-up included) | %.0f ms | | |\n", n ? cpu / n * 1000 : 0
		printf "| CPU per hour of --matrix (extrapolated) | %.0f s (%.2f %% of one core) | | |\n", cpu / wall * 3600, cpu / wall * 100
		printf "| peak RSS, whole run (images built from host files included) | %.1f MiB | < 16 MiB | %s |\n", rss / 1024, (rss / 1024 < 16 ? "yes" : "**no**")
		printf "| largest RSS once the trials run (VmRSS every 0.2 s) | %.1f MiB | < 16 MiB | %s |\n", trss / 1024, (trss / 1024 < 16 ? "yes" : "**no**")
	}'
	awk '{ t += $2 } END { printf "| BPF maps, bytes_memlock | %.2f MiB in %d maps | < 8 MiB | %s |\n", t / 1048576, NR, (t / 1048576 < 8 ? "yes" : "**no**") }' "$out/maps.txt"
	if [ -f "$out/idle.cpu" ]; then
		read -r w0 c0 w1 c1 <"$out/idle.cpu"
		read -r bc0 bt0 bc1 bt1 <"$out/idle.bpf"
		awk -v w="$((w1 - w0))" -v c="$((c1 - c0))" -v bc="$((bc1 - bc0))" -v bt="$((bt1 - bt0))" 'BEGIN {
			pct = c / w * 100
			printf "| CPU while waiting (restartprof process) | %.3f %% of one core | < 1 %% | %s |\n", pct, (pct < 1 ? "yes" : "**no**")
			printf "| its BPF programs while waiting (gate closed) | %.0f runs/s, %.0f ns/run, %.3f %% of one core | | |\n", bc / (w / 1e9), bc ? bt / bc : 0, bt / w * 100
		}'
	else
		echo "| CPU while waiting | not measured (the run failed) | < 1 % | **no** |"
	fi
	echo
	echo "The maps, largest first (name, bytes_memlock, type, max_entries):"
	echo
	echo "| map | bytes_memlock | type | max_entries |"
	echo "|---|---|---|---|"
	sort -k2,2nr "$out/maps.txt" | awk '{ printf "| %s | %d | %s | %s |\n", $1, $2, $3, $4 }'
	echo
	echo "Raw: \`$(basename "$BENCH_OUT")/loader/\` (matrix.time: wall, user, sys s, max RSS KiB)."
}
