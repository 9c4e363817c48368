#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Checks the fleet's Prometheus files with promtool: the configuration (dist/prometheus/
# scrape.yml, which loads rules.yml), the rules, and the rules' unit tests (rules_test.yml).
# promtool is Debian's prometheus package (scripts/install-deps.sh test): missing is a failure.
set -euo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../dist/prometheus" && pwd)
if ! command -v promtool >/dev/null; then
	echo "promtool: not found (Debian's prometheus package: scripts/install-deps.sh test)" >&2
	exit 1
fi
fail=0
run() {
	local out
	if out=$("$@" 2>&1); then
		echo "promtool: ok: ${*:2}"
	else
		printf '%s\n' "$out" >&2
		echo "promtool: FAILED: $*" >&2
		fail=1
	fi
}
cd "$dir"
run promtool check config scrape.yml
run promtool check rules rules.yml
run promtool test rules rules_test.yml
exit $fail
