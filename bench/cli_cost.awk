# SPDX-License-Identifier: GPL-2.0-only
# The docker CLI's own cost per call, and the restart time it predicts once that is counted.
# Input lines "KEY ns": cli_inspect, cli_stop, cli_logs, cli_rm, cli_run (the CLI's wall time
# per call) and api_inspect, api_stop, api_remove, api_up (restartprof's Engine API time for the
# same work; api_up = create + attach + start of one trial). -v rp=FILE cli=FILE: the harness
# table's rows, for the two restart medians.
function row_restart(file, key,    l, f) {
	while ((getline l < file) > 0)
		if (index(l, key)) {
			split(l, f, "|")
			return f[4] + 0
		}
	return ""
}
function med(key,    A, i, n) {
	n = 0
	for (i = 1; i <= cnt[key]; i++)
		A[++n] = v[key, i]
	return n ? median(A, n) / 1e6 : ""
}
function line(what, cli, api, label,    own) {
	own = (api == "" ? cli : cli - api)
	printf "| %s | %s | %s | %s |\n", what, fmt(cli, 1), api == "" ? label : fmt(api, 1) " (" label ")", fmt(own, 1)
	return own
}
NF == 2 { v[$1, ++cnt[$1]] = $2 }
END {
	print "| call | CLI wall time | the engine's time for the same work (restartprof's API calls) | the CLI's own cost |"
	print "|---|---|---|---|"
	line("`docker inspect`", med("cli_inspect"), med("api_inspect"), "inspect")
	line("`docker stop -t 10`", med("cli_stop"), med("api_stop"), "stop")
	logs = line("`docker logs`", med("cli_logs"), "", "none: restartprof reads the attach stream")
	rm = line("`docker rm`", med("cli_rm"), med("api_remove"), "remove")
	run = line("`docker run -d`", med("cli_run"), med("api_up"), "create + attach + start")
	rp_ms = row_restart(rp, "--no-trace")
	cli_restart = row_restart(cli, "docker CLI")
	pred = cli_restart - logs - rm - run
	print ""
	print "| restart medians, ms | |"
	print "|---|---|"
	printf "| docker CLI | %s |\n", fmt(cli_restart, 1)
	printf "| docker CLI minus the own cost of the calls inside its window (logs, rm, run -d) | %s |\n", fmt(pred, 1)
	printf "| restartprof --no-trace | %s |\n", fmt(rp_ms, 1)
	printf "| difference | %s %% |\n", (rp_ms > 0 ? fmt((pred - rp_ms) / rp_ms * 100, 1) : "-")
}
