# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Section 3: what restartprof itself costs the machine: CPU time and peak RSS per trial and
# per hour of --matrix, the memory its BPF maps lock, and its CPU while it waits between trials.
# Sourced by bench.sh; writes $BENCH_OUT/loader.md.

# The restartprof process under /usr/bin/time (its child), once it exists.
child_of() {
	local parent=$1 c
	for _ in $(seq 1 500); do
		c=$(pgrep -P "$parent" -x restartprof | head -1)
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.01
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

# Samples a process's memory until it ends, one line a sample:
#   t_s vmrss_kib private_kib children_kib stage btf_parses children
# t_s from its start; private_kib: smaps_rollup's Private_Clean + Private_Dirty; children_kib:
# the VmRSS of its children summed (it forks nothing but gnuplot, for the report's figures),
# "children" their names, comma-separated, or "-". Stage, from its stderr (ERRFILE, read as it
# grows; run with RESTARTPROF_DEBUG set, it holds libbpf's own lines) and run.json in DIR:
#   0 start-up, before libbpf's first line: images built, the tracer starting
#   1 the tracer opening: from libbpf's first line to "kernel tracing with"
#   2 the trials (run.json "running")
#   3 after them: symbols written, the tracer closed, the report (its figures by gnuplot)
# btf_parses: the "loading kernel BTF" lines seen so far (a parse of /sys/kernel/btf/vmlinux
# each). Every ${MEM_FAST_S}s in stages 0, 1 and 3, every ${MEM_SLOW_S}s in the trials; at each
# new largest VmRSS or private of a stage, /proc/PID/smaps by mapping appended to OUT.maps
# ("sample_number rss_kib private_kib mapping" lines; the sample number is the line of
# OUT.samples), so that the largest sample of any stage has its mappings.
#   mem_sample PID ERRFILE DIR OUT   (DIR empty for a process that writes no run directory)
: "${MEM_FAST_S:=0.01}" "${MEM_SLOW_S:=0.2}"
mem_sample() {
	local pid=$1 errfile=$2 dir=$3 out=$4
	local t0=$EPOCHREALTIME stage=0 btf=0 line part='' efd k v rss priv n=0 top_rss=() top_priv=()
	local kids kid kid_rss names state now
	: >"$out.maps"
	exec {efd}<"$errfile"
	while [ -r "/proc/$pid/status" ]; do
		# New lines on its stderr (a line cut at the end of the file waits for its rest).
		while IFS= read -r -u "$efd" line; do
			line=$part$line
			part=''
			case $line in
			*"loading kernel BTF"*) btf=$((btf + 1)) ;;
			esac
			case $line in
			libbpf:*) [ $stage -eq 0 ] && stage=1 ;;
			*"kernel tracing with"* | *"measuring without kernel tracing"*) [ $stage -lt 2 ] && stage=2 ;;
			esac
		done
		part=$part$line
		rss=
		while read -r k v _; do
			[ "$k" = VmRSS: ] && { rss=$v; break; }
		done <"/proc/$pid/status" 2>/dev/null
		[ -n "$rss" ] || break
		priv=0
		while read -r k v _; do
			case $k in Private_Clean: | Private_Dirty:) priv=$((priv + v)) ;; esac
		done <"/proc/$pid/smaps_rollup" 2>/dev/null
		kids=0 names=-
		if [ $stage -ge 2 ]; then
			if [ $stage -eq 2 ] && [ -n "$dir" ] && [ -f "$dir/run.json" ]; then
				state=$(<"$dir/run.json")
				case $state in *'"state":"running"'*) ;; *) stage=3 ;; esac
			fi
			for kid in $(pgrep -P "$pid"); do
				kid_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$kid/status" 2>/dev/null)
				[ -n "$kid_rss" ] || continue
				kids=$((kids + kid_rss))
				[ "$names" = - ] && names='' || names=$names,
				names=$names$(cat "/proc/$kid/comm" 2>/dev/null)
			done
		fi
		now=$EPOCHREALTIME
		now=$((${now/./} - ${t0/./}))
		printf '%d.%06d %s %s %s %s %s %s\n' $((now / 1000000)) $((now % 1000000)) "$rss" "$priv" \
			"$kids" "$stage" "$btf" "$names"
		n=$((n + 1))
		if [ "$rss" -gt "${top_rss[$stage]:-0}" ] || [ "$priv" -gt "${top_priv[$stage]:-0}" ]; then
			[ "$rss" -gt "${top_rss[$stage]:-0}" ] && top_rss[stage]=$rss
			[ "$priv" -gt "${top_priv[$stage]:-0}" ] && top_priv[stage]=$priv
			smaps_by_mapping "$pid" | sed "s/^/$n /" >>"$out.maps"
		fi
		if [ $stage -eq 2 ]; then sleep "$MEM_SLOW_S"; else sleep "$MEM_FAST_S"; fi
	done >"$out.samples"
	exec {efd}<&-
}

# "rss_kib private_kib mapping" of a process's memory, grouped by what is mapped (a file, or
# [heap], [stack], anon_inode:bpf-map...; anonymous mappings as [anonymous]), largest first.
smaps_by_mapping() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6; if (name == "") name = "[anonymous]" }
		/^Rss:/ { rss[name] += $2 }
		/^Private_(Clean|Dirty):/ { priv[name] += $2 }
		END { for (n in rss) if (rss[n] > 0) print rss[n], priv[n] + 0, n }' /proc/"$1"/smaps 2>/dev/null | sort -rn
}

# Runs a restartprof command under /usr/bin/time ("wall user sys maxrss_kib" into OUT.time),
# its stdout and stderr into OUT.stdout and OUT.stderr, with mem_sample on it into OUT.*;
# RESTARTPROF_DEBUG is set, for libbpf's lines (the stage markers). 0 if it exited 0.
#   mem_run OUT DIR BIN ARGS...
MEM_MAPS=
mem_run() {
	local out=$1 dir=$2 tpid pid side="" rc
	shift 2
	: >"$out.stderr"
	RESTARTPROF_DEBUG=1 /usr/bin/time -f "%e %U %S %M" -o "$out.time" "$@" \
		>"$out.stdout" 2>"$out.stderr" &
	tpid=$!
	pid=$(child_of "$tpid") || { wait "$tpid"; log "loader: $* did not start"; return 1; }
	# With MEM_MAPS set: its maps once tracing is up (the first trial row is written after
	# it) into that file, and how full they get into its .use (map_use), beside the run.
	if [ -n "${MEM_MAPS:-}" ]; then
		{ wait_lines "$dir/trials.csv" 2 "$pid" && maps_of "$pid" | sort >"$MEM_MAPS" &&
			map_use "$pid" "$MEM_MAPS.use"; } &
		side=$!
	fi
	mem_sample "$pid" "$out.stderr" "$dir" "$out"
	wait "$tpid"
	rc=$?
	[ -z "$side" ] || wait "$side"
	return $rc
}

section_loader() {
	local out=$BENCH_OUT/loader md=$BENCH_OUT/loader.md pid bin name
	mkdir -p "$out"

	# The whole of what the issue measures, with the binary a device would carry (make
	# STATIC=1) and the dynamic one: a short matrix (its report written at its end), then
	# explain on its run directory. The dynamic run also gives the CPU and the maps.
	: >"$out/builds.txt"
	for bin in "$RP" "$ROOT/build-static/restartprof"; do
		[ -x "$bin" ] || { log "loader: no $bin (make STATIC=1), not measured"; continue; }
		name=$(basename "$(dirname "$bin")")
		settle
		log "loader: $name: a short --matrix and its report, memory sampled"
		# Its maps (dynamic run only): see mem_run.
		MEM_MAPS=$([ "$bin" = "$RP" ] && echo "$out/maps.txt")
		mem_run "$out/$name-run" "$out/$name-matrix" "$bin" run --docker-host "$DOCKER_HOST" \
			-o "$out/$name-matrix" --matrix --quick --load cpu,hdd --stressors 1 \
			--trials "$LOADER_MATRIX_N" --settle 2 --interval "$BENCH_INTERVAL" ||
			{ log "loader: the $name matrix run failed"; tail -5 "$out/$name-run.stderr" >&2; return 1; }
		MEM_MAPS=
		log "loader: $name: explain of that run, memory sampled"
		mem_run "$out/$name-explain" "" "$bin" explain "$out/$name-matrix" ||
			{ log "loader: $name explain failed"; tail -5 "$out/$name-explain.stderr" >&2; return 1; }
		echo "$name" >>"$out/builds.txt"
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

# "run_cnt run_time_ns" summed over a process's programs now.
bpf_sum_of() {
	local pid=$1 id
	for id in $(bpf_ids_of "$pid" | awk '$1 == "prog" { print $2 }'); do
		bpftool prog show id "$id" -j 2>/dev/null | jq -r '"\(.run_cnt // 0) \(.run_time_ns // 0)"'
	done | awk '{ c += $1; t += $2 } END { printf "%d %d\n", c, t }'
}

# A figure of FILE.fig (bench/mem.awk's "key value" lines); 0 when absent.
fig() { awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }' "$1.fig"; }

# "| what | value | < 16 MiB | met | why |" with the margin: VALUE in KiB; WHY said only
# when the target is missed.
target_row() {
	awk -v what="$1" -v v="$2" -v detail="$3" -v why="${4:-}" 'BEGIN {
		d = 16 - v / 1024
		printf "| %s | %.1f MiB%s | < 16 MiB | %s | %s |\n", what, v / 1024, detail,
			(d > 0 ? sprintf("yes, %.1f MiB under", d) : sprintf("**no**, %.1f MiB over", -d)), (d > 0 ? "" : why) }'
}

# Where a sample's memory is, from its mappings (maps_at): COL 2 resident, 3 private; MiB.
mem_parts() {
	maps_at "$1" "$2" | awk -v c="$3" '
		{ k = $4 ~ /^\[heap\]$/ ? "heap" : $4 ~ /\/restartprof$/ ? "bin" : $4 ~ /\.so/ ? "lib" : $4 ~ /bpf-map/ ? "ring" : "rest"; m[k] += $c }
		END { printf "heap %.1f MiB, ", m["heap"] / 1024
			if (m["bin"]) printf "the binary'"'"'s own pages %.1f, ", m["bin"] / 1024
			if (m["lib"]) printf "the shared libraries'"'"' %.1f (no other process maps them here), ", m["lib"] / 1024
			if (m["ring"] >= 64) printf "the BPF ring buffer %.1f (the kernel'"'"'s memory, mapped twice; counted again in the BPF maps), ", m["ring"] / 1024
			printf "the rest %.1f", m["rest"] / 1024 }'
}

# Why the maps take what they take: the three largest, and what a stack map needs.
maps_why() {
	sort -k2,2nr "$1" | head -3 | awk -v use="$1.use" '
		BEGIN { while ((getline l < use) > 0) { split(l, f, " "); seen[f[1]] = f[2] } }
		{ printf "%s%s %.1f MiB (%s%s%s)", (NR > 1 ? ", " : "the largest: "), $1, $2 / 1048576, $3, ($3 == "ringbuf" ? "" : ", " $4 " entries"),
			($1 in seen) ? sprintf(", at most %d seen in use", seen[$1]) : "" }
		END { printf "; a stack map keeps one stack a hash bucket and drops a stack whose bucket another holds, so it has many more buckets than stacks: with a tenth of them taken, about one new stack in ten is dropped" }'
}

# Stage names of mem_sample.
stage_name() { case $1 in 0) echo start-up ;; 1) echo "the tracer opening" ;; 2) echo trials ;; *) echo report ;; esac; }

# The mappings of OUT.maps at sample N, or at the last one before it that has them (a process
# that is exiting has an empty smaps): "N rss_kib private_kib name" lines.
maps_at() { awk -v n="$2" 'NR == FNR { if ($1 <= n + 0 && $1 > m) m = $1; next } $1 == m' "$1.maps" "$1.maps"; }

# The shared libraries among them: "rss_kib private_kib name".
libs_at() { maps_at "$@" | awk '$4 ~ /\.so/ { print $2, $3, $4 }'; }

loader_table() {
	local out=$BENCH_OUT/loader wall user sys trials cells b f run ex
	read -r wall user sys _ <"$out/build-run.time"
	trials=$(csv_cols "$out/build-matrix/trials.csv" status | grep -c '^ok$')
	cells=$(csv_cols "$out/build-matrix/trials.csv" cell | sort -u | wc -l)
	for f in "$out"/*-run.samples "$out"/*-explain.samples; do
		awk -f "$BENCH_DIR/mem.awk" "$f" >"${f%.samples}.fig"
	done
	echo "## 3. Loader cost"
	echo
	echo "What the issue measures: a whole \`restartprof run --matrix --quick --load cpu,hdd --stressors 1"
	echo "--trials $LOADER_MATRIX_N --settle 2\` ($cells cells, $trials ok trials, tracing on; the report, with its"
	echo "diagnosis, written at its end), then \`restartprof explain\` of its run directory, once with the"
	echo "static binary a device would carry (\`make STATIC=1\`, build-static/) and once with the dynamic"
	echo "one (build/), each under \`/usr/bin/time\` (its maximum RSS is the largest of the process and of"
	echo "the children it waited for: gnuplot). Sampled from outside (bench/loader.sh mem_sample): VmRSS"
	echo "(/proc/PID/status) and private memory (/proc/PID/smaps_rollup Private_Clean + Private_Dirty) of"
	echo "the restartprof process, and the VmRSS of its children (gnuplot, the only thing it forks) apart;"
	echo "every $MEM_SLOW_S s during the trials, as fast as the sampler goes (every $MEM_FAST_S s asked) before"
	echo "and after them. Both runs have RESTARTPROF_DEBUG=1, so that libbpf's own lines mark on stderr"
	echo "when the tracer's opening starts and ends: the window of libbpf's parses of the kernel BTF, the"
	echo "one spike the issue allows, which starts with the tracer's own parse (before libbpf's lines)."
	echo "The hour of CPU is extrapolated from the dynamic run at its own pace (a real --matrix has 100"
	echo "trials a cell and fewer set-ups an hour, so its CPU an hour is at most this)."
	echo
	echo "| measure | value | target (1 GiB Raspberry Pi) | met | why not |"
	echo "|---|---|---|---|---|"
	awk -v wall="$wall" -v u="$user" -v s="$sys" -v n="$trials" 'BEGIN {
		cpu = u + s
		printf "| matrix run, dynamic build: wall, CPU (user + sys) | %.1f s, %.2f s (%.2f + %.2f) | | | |\n", wall, cpu, u, s
		printf "| CPU per trial (set-up and report included) | %.0f ms | | | |\n", n ? cpu / n * 1000 : 0
		printf "| CPU per hour of --matrix (extrapolated) | %.0f s (%.2f %% of one core) | | | |\n", cpu / wall * 3600, cpu / wall * 100
	}'
	for b in build-static build; do
		grep -qx "$b" "$out/builds.txt" 2>/dev/null || continue
		run=$out/$b-run ex=$out/$b-explain
		local label where rx ex_t libs
		label=$([ "$b" = build-static ] && echo "static build" || echo "dynamic build")
		read -r _ _ _ rx <"$run.time"
		read -r _ _ _ ex_t <"$ex.time"
		if [ "$b" = build-static ]; then
			where="; in the $(stage_name "$(fig "$run" out_rss_stage)"); explain's: $(awk -v k="$(fig "$ex" peak_rss)" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
			target_row "$label: peak VmRSS, sampled, run and explain, the tracer's opening aside" \
				"$(printf '%s\n%s\n' "$(fig "$run" out_rss)" "$(fig "$ex" peak_rss)" | sort -n | tail -1)" "$where" \
				"the run's, resident: $(mem_parts "$run" "$(fig "$run" out_rss_n)" 2) MiB"
			target_row "$label: /usr/bin/time's maximum RSS, run and explain (the opening and gnuplot included)" \
				"$(printf '%s\n%s\n' "$rx" "$ex_t" | sort -n | tail -1)" \
				"$(awk -v a="$rx" -v b="$ex_t" 'BEGIN { printf " (run %.1f, explain %.1f)", a / 1024, b / 1024 }')" \
				"$(awk -v k="$(fig "$run" kids_rss)" -v o="$(fig "$run" open_rss)" 'BEGIN {
					printf "the largest of the process and of the children it waited for: gnuplot drawing the figures (at least %.1f MiB, sampled), restartprof in the allowed spike (%.1f MiB)", k / 1024, o / 1024 }')"
		else
			libs=$(libs_at "$run" "$(fig "$run" out_priv_n)" | awk '{ p += $2 } END { print p + 0 }')
			where="; in the $(stage_name "$(fig "$run" out_priv_stage)"); explain's: $(awk -v k="$(fig "$ex" peak_priv)" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
			target_row "$label: peak private memory (smaps_rollup Private_*), sampled, run and explain, the tracer's opening aside" \
				"$(printf '%s\n%s\n' "$(fig "$run" out_priv)" "$(fig "$ex" peak_priv)" | sort -n | tail -1)" "$where" \
				"the run's, private: $(mem_parts "$run" "$(fig "$run" out_priv_n)" 3) MiB; less the libraries: the next line"
			target_row "$label: the same less the shared libraries' pages counted private (no other process maps them here; named below)" \
				"$(( $(fig "$run" out_priv) - libs ))" "; run only, at its peak"
			awk -v r="$(fig "$run" peak_rss)" -v a="$rx" -v b="$ex_t" 'BEGIN {
				printf "| dynamic build: peak VmRSS sampled (libraries included); /usr/bin/time'"'"'s maximum, run and explain | %.1f MiB; %.1f, %.1f MiB | | | |\n", r / 1024, a / 1024, b / 1024 }'
		fi
		awk -v l="$label" -v b0="$(fig "$run" before_rss)" -v o="$(fig "$run" open_rss)" -v a="$(fig "$run" after_rss)" \
			-v p0="$(fig "$run" before_priv)" -v po="$(fig "$run" open_priv)" -v pa="$(fig "$run" after_priv)" \
			-v n="$(fig "$run" parses)" -v s="$(fig "$run" open_s)" -v g="$(fig "$run" gap_fast_s)" 'BEGIN {
			printf "| %s: the kernel BTF parses while the tracer opens (the allowed spike): VmRSS before, largest, after (private) | %.1f, %.1f, %.1f MiB (%.1f, %.1f, %.1f): +%.1f MiB over %.2f s, sampled every %.3f s; libbpf parsed it %d times, the tracer once before | stated | | |\n",
				l, b0 / 1024, o / 1024, a / 1024, p0 / 1024, po / 1024, pa / 1024, (o - b0) / 1024, s, g, n }'
		awk -v l="$label" -v k="$(fig "$run" kids_rss)" -v nm="$(fig "$run" kids_names)" 'BEGIN {
			printf "| %s: its children (%s), largest VmRSS sampled, apart | %.1f MiB | | | |\n", l, nm, k / 1024 }'
	done
	awk -v why="$(maps_why "$out/maps.txt")" '{ t += $2 } END { m = t / 1048576 < 8
		printf "| BPF maps, bytes_memlock | %.2f MiB in %d maps | < 8 MiB | %s | %s |\n", t / 1048576, NR,
			(m ? "yes" : sprintf("**no**, %.2f MiB over", t / 1048576 - 8)), (m ? "" : why) }' "$out/maps.txt"
	if [ -f "$out/idle.cpu" ]; then
		read -r w0 c0 w1 c1 <"$out/idle.cpu"
		read -r bc0 bt0 bc1 bt1 <"$out/idle.bpf"
		awk -v w="$((w1 - w0))" -v c="$((c1 - c0))" -v bc="$((bc1 - bc0))" -v bt="$((bt1 - bt0))" 'BEGIN {
			pct = c / w * 100
			printf "| CPU while waiting (restartprof process) | %.3f %% of one core | < 1 %% | %s | |\n", pct, (pct < 1 ? "yes" : "**no**")
			printf "| its BPF programs while waiting (gate closed) | %.0f runs/s, %.0f ns/run, %.3f %% of one core | | | |\n", bc / (w / 1e9), bc ? bt / bc : 0, bt / w * 100
		}'
	else
		echo "| CPU while waiting | not measured (the run failed) | < 1 % | **no** | the run failed |"
	fi
	echo
	if grep -qx build "$out/builds.txt" 2>/dev/null; then
		echo "The shared libraries of the dynamic build, at the peak of its private memory outside the"
		echo "tracer's opening, or at the last sample before it whose smaps could be read (/proc/PID/smaps,"
		echo "KiB; private: the pages no other process maps now):"
		echo
		echo "| library | resident KiB | private KiB |"
		echo "|---|---|---|"
		libs_at "$out/build-run" "$(fig "$out/build-run" out_priv_n)" | sort -rn |
			awk '{ printf "| %s | %d | %d |\n", $3, $1, $2; r += $1; p += $2 }
				END { printf "| (all %d) | %d | %d |\n", NR, r, p }'
		echo
	fi
	for b in build-static build; do
		grep -qx "$b" "$out/builds.txt" 2>/dev/null || continue
		f=$out/$b-run
		echo "Where the memory of the $([ "$b" = build-static ] && echo static || echo dynamic) run is at its peak outside the tracer's opening (or the last"
		echo "sample before it whose /proc/PID/smaps could be read; KiB; the"
		echo "ring buffer, anon_inode:bpf-map, is mapped twice and shared, the kernel's memory; the rest of"
		echo "the mappings summed in the last line):"
		echo
		echo "| mapping | resident KiB | private KiB |"
		echo "|---|---|---|"
		maps_at "$f" "$(fig "$f" "$([ "$b" = build-static ] && echo out_rss_n || echo out_priv_n)")" | awk '{
			if (++k <= 8) printf "| %s | %d | %d |\n", $4, $2, $3; else { r += $2; p += $3 } }
			END { if (k > 8) printf "| (%d others) | %d | %d |\n", k - 8, r, p }'
		echo
	done
	echo "The maps, largest first; entries in use: the most seen in the samples taken every second"
	echo "during the matrix's trials (bpftool map dump; a lower bound of the peak, and the aggregate"
	echo "maps are emptied every 250 ms):"
	echo
	echo "| map | bytes_memlock | type | max_entries | most entries seen in use |"
	echo "|---|---|---|---|---|"
	sort -k2,2nr "$out/maps.txt" | awk -v use="$out/maps.txt.use" '
		BEGIN { while ((getline l < use) > 0) { split(l, f, " "); seen[f[1]] = f[2] } }
		{ printf "| %s | %d | %s | %s | %s |\n", $1, $2, $3, $4, ($1 in seen) ? seen[$1] : "-" }'
	echo
	echo "Raw: \`$(basename "$BENCH_OUT")/loader/\` (NAME-run.time and NAME-explain.time: wall, user, sys s, max RSS KiB; NAME-run.samples: t_s, VmRSS, private, children KiB, stage, BTF parses, children; .maps: the mappings at each largest sample of a stage)."
}
