# SPDX-License-Identifier: GPL-2.0-only
# The targets table's per-event lines, from section 2's side-by-side table (-F'|'): each attach
# point where a libbpf-tools peer runs, restartprof's ns per run against the peer's, per cell.
# Why a line is not met is the work restartprof does there that the peer does not.
BEGIN {
	why["sched_switch"] = "per off-CPU span of a followed task: its cause, waker and kernel stack (the load's tasks included); offcputime adds to one counter per stack"
	why["block_rq_complete"] = "per request: device and queue time, the issuer's role and the phase it fell in; biolatency adds to one histogram"
	why["block_rq_issue"] = "per request: the issue time and the issuer's role; biolatency keeps the issue time only"
}
/^## 2\./ { in2 = 1 }
/^## / && !/^## 2\./ { in2 = 0 }
in2 && /side by side/ { side = 1; next }
side && NF < 6 && !/^\|/ && seen { side = 0 }
side && /^\| [a-z_]+ \| / {
	seen = 1
	at = $2; cell = $3; rp = $4 + 0; peer = $6
	gsub(/ /, "", at); gsub(/ /, "", cell)
	if (peer ~ /^ *-/ || $4 ~ /-/)
		next
	name = peer; sub(/^ *[0-9]+ \(/, "", name); sub(/\).*/, "", name)
	pns = peer + 0
	if (pns <= 0)
		next
	met = rp <= pns
	printf "| 2 per event | %s, %s: restartprof against %s, ns per run | <= the peer | %d vs %d (%.2f) | %s | %s |\n",
		at, cell, name, rp, pns, rp / pns, met ? "yes" : "**no**",
		met ? "" : sprintf("%.0f %% over: %s", (rp / pns - 1) * 100, why[at])
}
