# SPDX-License-Identifier: GPL-2.0-only
# One markdown row of the harness table: -v label; input "restart_ns cycle_ns [before_ns reply_ns]"
# per trial: before_ns the engine's time from the stop request to the old service's last stamp,
# reply_ns its time from the new service's first stamp to its reply to the start call
# (restartprof only; the CLI's trial has no such split).
# | label | trials | restart | cycle | outside | before the window | engine after | restartprof after |
NF >= 2 {
	n++
	R[n] = $1 / 1e6
	C[n] = $2 / 1e6
	O[n] = ($2 - $1) / 1e6
	if (NF == 4) {
		nb++
		B[nb] = $3 / 1e6
		E[nb] = $4 / 1e6
		A[nb] = ($2 - $1 - $3 - $4) / 1e6
	}
}
END {
	printf "| %s | %d | %s | %s | %s | %s | %s | %s |\n", label, n, fmt(median(R, n), 1), fmt(median(C, n), 1),
		fmt(median(O, n), 1), nb ? fmt(median(B, nb), 1) : "-", nb ? fmt(median(E, nb), 1) : "-",
		nb ? fmt(median(A, nb), 1) : "-"
}
