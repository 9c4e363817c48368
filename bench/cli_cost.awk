# The docker CLI's cost per call and what it predicts for the restart time it measures.
# -v calls=FILE (ns per timed `docker inspect`), api=FILE (ns per Engine API inspect, from
# restartprof's api_calls.csv), rp=FILE and cli=FILE (harness table rows), n (calls timed).
function load(file, A,    l, k) {
	k = 0
	while ((getline l < file) > 0)
		if (l != "")
			A[++k] = l + 0
	return k
}
# The restart median (ms) of a row "| label | n | restart | cycle | outside |" whose label has key.
function row_restart(file, key,    l, f) {
	while ((getline l < file) > 0)
		if (index(l, key)) {
			split(l, f, "|")
			return f[4] + 0
		}
	return ""
}
END {
	nc = load(calls, CL)
	na = load(api, AP)
	cli_ms = median(CL, nc) / 1e6
	api_ms = median(AP, na) / 1e6
	own = cli_ms - api_ms
	rp_ms = row_restart(rp, "--no-trace")
	cli_restart = row_restart(cli, "docker CLI")
	pred = cli_restart - 3 * own
	print "| the docker CLI, per call | ms |"
	print "|---|---|"
	printf "| `docker inspect`, wall time (median of %d) | %s |\n", nc, fmt(cli_ms, 1)
	printf "| the engine's own time for that call (Engine API inspect in restartprof's api_calls.csv, median of %d) | %s |\n", na, fmt(api_ms, 1)
	printf "| the CLI's own cost per call (the difference) | %s |\n", fmt(own, 1)
	printf "| CLI restart median minus 3 calls' own cost (logs, rm and run -d fall inside its window) | %s |\n", fmt(pred, 1)
	printf "| restartprof --no-trace restart median | %s |\n", fmt(rp_ms, 1)
	printf "| the two agree within | %s %% |\n", (rp_ms > 0 ? fmt((pred - rp_ms) / rp_ms * 100, 1) : "-")
}
