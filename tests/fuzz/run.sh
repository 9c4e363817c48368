#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs each fuzzer for a bounded time over its corpus in tests/fuzz/corpus/NAME (read only:
# new inputs go to a scratch directory). Prints executions per harness and one closing line.
set -u
seconds=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0
for f in "$@"; do
	name=$(basename "$f")
	scratch=$(mktemp -d /tmp/rp-fuzz.XXXXXX)
	log="$scratch/log"
	# -rss_limit_mb keeps a leak from eating the machine; -timeout catches hangs.
	if "$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$scratch/" \
		"$scratch" "$here/corpus/${name#fuzz_}" >"$log" 2>&1; then
		pass=$((pass + 1))
		execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
		echo "fuzz: $name: ${execs:-?} executions in ${seconds}s, no crash"
	else
		fail=$((fail + 1))
		echo "fuzz: $name FAILED; its log:" >&2
		tail -40 "$log" >&2
		mkdir -p "$here/../../build-fuzz/artifacts" && cp "$scratch"/crash-* "$scratch"/oom-* \
			"$scratch"/timeout-* "$scratch"/leak-* "$here/../../build-fuzz/artifacts/" 2>/dev/null
	fi
	rm -rf "$scratch"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
