#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The first screen of a run's report.html as a user sees it, through headless Chromium
# (Debian's chromium: scripts/install-deps.sh test). The run directory is only read: the report
# is written again into a scratch directory by the restartprof given (default build/restartprof).
#   scripts/report-screenshot.sh RUN_DIR OUT.png [RESTARTPROF]
# docs/report.png is made this way from a run of
#   restartprof run --matrix --quick --load hdd --stressors 2 --trials 5
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 RUN_DIR OUT.png [RESTARTPROF]" >&2; exit 2; }
run=$1 out=$2 bin=${3:-build/restartprof}
scratch=$(mktemp -d /var/tmp/rp-screenshot.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
"$bin" report "$run" -o "$scratch/report" -q
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
	--user-data-dir="$scratch/profile" --window-size=1400,900 --virtual-time-budget=5000 \
	--screenshot="$out" "file://$scratch/report/report.html" 2>/dev/null
echo "report-screenshot: $out"
