# SPDX-License-Identifier: GPL-2.0-only
# One markdown row of the harness table: -v label; input "restart_ns cycle_ns" per trial.
# | label | trials | median restart ms | median cycle ms | median (cycle - restart) ms |
NF == 2 { n++; R[n] = $1 / 1e6; C[n] = $2 / 1e6; O[n] = ($2 - $1) / 1e6 }
END {
	printf "| %s | %d | %s | %s | %s |\n", label, n, fmt(median(R, n), 1), fmt(median(C, n), 1),
		fmt(median(O, n), 1)
}
