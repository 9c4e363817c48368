#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs each fuzzer for a bounded time over its corpus in tests/fuzz/corpus/NAME (read only:
# new inputs go to a scratch directory), FUZZ_JOBS at a time (default: one per CPU). Prints
# executions per harness and one closing line.   tests/fuzz/run.sh SECONDS FUZZER...
set -u
seconds=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
lanes=${FUZZ_JOBS:-$(nproc)}
results=$(mktemp -d /tmp/rp-fuzz-results.XXXXXX)
trap 'rm -rf "$results"' EXIT

# One harness; its verdict goes to $results/NAME (ok or failed).
fuzz_one() {
	local f=$1 name scratch log execs
	name=$(basename "$f")
	scratch=$(mktemp -d /tmp/rp-fuzz.XXXXXX)
	log="$scratch/log"
	# -rss_limit_mb keeps a leak from eating the machine; -timeout catches hangs.
	if "$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$scratch/" \
		"$scratch" "$here/corpus/${name#fuzz_}" >"$log" 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
		echo "fuzz: $name: ${execs:-?} executions in ${seconds}s, no crash"
		echo ok >"$results/$name"
	else
		{
			echo "fuzz: $name FAILED; its log:"
			tail -40 "$log"
		} >&2
		mkdir -p "$here/../../build-fuzz/artifacts" && cp "$scratch"/crash-* "$scratch"/oom-* \
			"$scratch"/timeout-* "$scratch"/leak-* "$here/../../build-fuzz/artifacts/" 2>/dev/null
		echo failed >"$results/$name"
	fi
	rm -rf "$scratch"
}

for f in "$@"; do
	while [ "$(jobs -rp | wc -l)" -ge "$lanes" ]; do
		wait -n
	done
	fuzz_one "$f" &
done
wait
pass=$(grep -lx ok "$results"/* 2>/dev/null | wc -l)
fail=$(($# - pass))
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
