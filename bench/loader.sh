# SPDX-License-Identifier: GPL-2.0-only
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
	# Its RSS before the first trial (images built, BPF objects loaded), every 0.1 s.
	while kill -0 "$pid" 2>/dev/null && ! { [ -f "$out/matrix/trials.csv" ] &&
		[ "$(wc -l <"$out/matrix/trials.csv")" -ge 2 ]; }; do
		awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status 2>/dev/null
		sleep 0.1
	done >"$out/rss-setup.kib"
	# Its maps once tracing is up (the first trial row is written after it), and its RSS from
	# then on (the images are built by then), every 0.2 s until it ends.
	if wait_lines "$out/matrix/trials.csv" 2 "$pid"; then
		maps_of "$pid" | sort >"$out/maps.txt"
		# How full its maps get: entries in each hash and stack map, sampled every second.
		map_use "$pid" "$out/map-use.txt" &
		local sampler=$!
		local top=0 r
		while kill -0 "$pid" 2>/dev/null; do
			r=$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status 2>/dev/null)
			[ -n "$r" ] || break
			echo "$r"
			# Where the RSS is, at its largest: KiB per mapping (file, or anonymous).
			if [ "$r" -gt "$top" ] && rss_by_mapping "$pid" >"$out/rss-map.tmp"; then
				top=$r
				mv "$out/rss-map.tmp" "$out/rss-map.txt"
			fi
			sleep 0.2
		done >"$out/rss-trials.kib"
		wait "$sampler"
	fi
	wait "$tpid" || { log "loader: the matrix run failed"; tail -5 "$out/matrix.stderr.log" >&2; return 1; }

	# The binary a device would carry (make STATIC=1) against the dynamic one, same run.
	local bin
	: >"$out/rss-bins.txt"
	for bin in "$RP" "$ROOT/build-static/restartprof"; do
		[ -x "$bin" ] || continue
		log "loader: resident memory of $bin, baseline"
		rss_of_run "$bin" "$out/rss-$(basename "$(dirname "$bin")")" >>"$out/rss-bins.txt"
	done

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

# Samples, every second while PID lives, the entries in use of its hash, LRU and stack maps;
# writes "name most_entries_seen" lines to FILE at the end.
map_use() {
	local pid=$1 file=$2 ids id
	ids=$(bpf_ids_of "$pid" | awk '$1 == "map" { print $2 }')
	while kill -0 "$pid" 2>/dev/null; do
		for id in $ids; do
			bpftool map show id "$id" -j 2>/dev/null | jq -r 'select((.type // "") | test("hash|stack")) | .name' |
				while read -r name; do
					echo "$name $(bpftool map dump id "$id" -j 2>/dev/null | jq length)"
				done
		done
		sleep 1
	done | awk 'NF == 2 { if (!($1 in max) || $2 + 0 > max[$1]) max[$1] = $2 + 0 }
		END { for (m in max) print m, max[m] }' >"$file"
}

# Runs BIN for three baseline trials 3 s apart; prints "label largest_RSS_KiB
# largest_RSS_less_the_ring_KiB", over samples every 0.2 s from the first trial to its exit
# (the report it writes at the end included); the ring buffer's mappings are the bpf-map ones.
rss_of_run() {
	local bin=$1 dir=$2 pid
	settle
	"$bin" run --docker-host "$DOCKER_HOST" -o "$dir" --trials 3 --interval 3 \
		2>"$dir.stderr.log" >"$dir.stdout.log" &
	pid=$!
	if wait_lines "$dir/trials.csv" 2 "$pid"; then
		while kill -0 "$pid" 2>/dev/null; do
			awk '/^[0-9a-f]+-[0-9a-f]+ / { ring = $6 == "anon_inode:bpf-map" }
				/^Rss:/ { all += $2; if (ring) r += $2 } END { if (all) print all, all - r }' \
				/proc/"$pid"/smaps 2>/dev/null
			sleep 0.2
		done >"$dir.rss"
	fi
	wait "$pid"
	awk -v b="$(basename "$(dirname "$bin")")" '$1 > a { a = $1 } $2 > l { l = $2 } END { print b, a + 0, l + 0 }' "$dir.rss"
}

# "KiB mapping" of a process's resident memory, grouped by what is mapped, largest first.
rss_by_mapping() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6; if (name == "") name = "[anonymous: heap arenas, thread stacks]" }
		/^Rss:/ { rss[name] += $2 }
		END { for (n in rss) if (rss[n] > 0) print rss[n], n }' /proc/"$1"/smaps 2>/dev/null | sort -rn
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
	local trss srss
	trss=$(sort -n "$out/rss-trials.kib" 2>/dev/null | tail -1)
	srss=$(sort -n "$out/rss-setup.kib" 2>/dev/null | tail -1)
	awk -v wall="$wall" -v u="$user" -v s="$sys" -v rss="$maxrss" -v n="$trials" -v trss="${trss:-0}" \
		-v srss="${srss:-0}" 'BEGIN {
		cpu = u + s
		printf "| matrix run: wall, CPU (user + sys) | %.1f s, %.2f s (%.2f + %.2f) | | |\n", wall, cpu, u, s
		printf "| CPU per trial (set-up included) | %.0f ms | | |\n", n ? cpu / n * 1000 : 0
		printf "| CPU per hour of --matrix (extrapolated) | %.0f s (%.2f %% of one core) | | |\n", cpu / wall * 3600, cpu / wall * 100
		printf "| peak RSS, whole run (images built from host files included) | %.1f MiB | < 16 MiB | %s |\n", rss / 1024, (rss / 1024 < 16 ? "yes" : "**no**")
		printf "| largest RSS before the first trial (images built in memory, BPF objects loaded; VmRSS every 0.1 s) | %.1f MiB | | |\n", srss / 1024
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
	if [ -f "$out/rss-map.txt" ]; then
		echo "Where the resident memory is, at its largest during the trials (/proc/PID/smaps, KiB):"
		echo
		echo "| mapping | RSS KiB |"
		echo "|---|---|"
		awk '{ k = $1; $1 = ""; sub(/^ /, ""); n++
			if (n <= 10) printf "| %s | %d |\n", $0, k; else rest += k }
			END { if (rest) printf "| (the other mappings) | %d |\n", rest }' "$out/rss-map.txt"
		echo
	fi
	if [ -s "$out/rss-bins.txt" ]; then
		echo "A baseline run (3 trials, 3 s apart; RSS from /proc/PID/smaps every 0.2 s from the first"
		echo "trial to the exit, the report written at the end included) with the dynamically linked binary and the"
		echo "statically linked one a device would carry (\`make STATIC=1\`, when it builds here). The"
		echo "ring buffer is mapped twice into the process (so that a record can be read across the"
		echo "ring's end) and the kernel fills both mappings at once: RSS shows its memory twice, and"
		echo "that memory is the kernel's, counted already in the maps' bytes_memlock above."
		echo
		echo "| binary | largest RSS, MiB | largest RSS less the ring's mappings, MiB | < 16 MiB |"
		echo "|---|---|---|---|"
		awk '{ printf "| %s | %.1f | %.1f | %s |\n", ($1 == "build-static" ? "static (build-static/)" : "dynamic (build/)"), $2 / 1024, $3 / 1024, ($3 / 1024 < 16 ? "yes, less the ring" : "**no**") }' "$out/rss-bins.txt"
		echo
	fi
	echo "The maps, largest first; entries in use: the most seen in the samples taken every second"
	echo "during the matrix's trials (bpftool map dump; a lower bound of the peak, and the aggregate"
	echo "maps are emptied every 250 ms):"
	echo
	echo "| map | bytes_memlock | type | max_entries | most entries seen in use |"
	echo "|---|---|---|---|---|"
	sort -k2,2nr "$out/maps.txt" | awk -v use="$out/map-use.txt" '
		BEGIN { while ((getline l < use) > 0) { split(l, f, " "); seen[f[1]] = f[2] } }
		{ printf "| %s | %d | %s | %s | %s |\n", $1, $2, $3, $4, ($1 in seen) ? seen[$1] : "-" }'
	echo
	echo "Raw: \`$(basename "$BENCH_OUT")/loader/\` (matrix.time: wall, user, sys s, max RSS KiB)."
}
