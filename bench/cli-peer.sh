#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The paper's protocol done by hand with the docker CLI, as a peer of restartprof's driver:
# per trial `docker stop`, `docker logs` (the old service's last stamp), `docker rm`,
# `docker run -d`, then `docker logs` until the new service has printed its first stamp.
# Restart time = new start stamp - old term stamp (the services' own clocks, as restartprof's
# default). Same service image (restartprof-svc, left in the engine by a restartprof run), same
# port publishing (127.0.0.1, ephemeral host port) and grace (10 s) as restartprof's defaults.
#
#   bench/cli-peer.sh TRIALS OUT.csv      (DOCKER_HOST: the engine; DOCKER: the CLI, default docker)
#
# OUT.csv: trial, restart_ns, cycle_ns (whole trial, the polling included), then the wall time
# of each step: stop_ns, logs_ns, rm_ns, run_ns, wait_ns (polling for the stamp), polls.
set -euo pipefail

trials=${1:?usage: cli-peer.sh TRIALS OUT.csv}
out=${2:?usage: cli-peer.sh TRIALS OUT.csv}
docker=${DOCKER:-docker}
label=io.restartprof.bench=cli-peer
name=rp-bench-cli

image=$("$docker" images --format '{{.Repository}}:{{.Tag}}' restartprof-svc | head -1)
[ -n "$image" ] || { echo "cli-peer: no restartprof-svc image in the engine (run restartprof once)" >&2; exit 1; }

cleanup() { "$docker" ps -aq --filter "label=$label" | xargs -r "$docker" rm -f >/dev/null 2>&1 || true; }
trap cleanup EXIT

now() { date +%s%N; }

# The last stamp of KIND (start, ready, term) a container printed, as integer ns; empty if none.
stamp() {
	"$docker" logs "$1" 2>&1 | awk -v k="$2" '$1 == "restartprof-svc" && $2 == k { s = $3 } END { if (s != "") { sub(/\./, "", s); print s } }'
}

run() {
	"$docker" run -d --name "$1" --label "$label" -p 127.0.0.1::8080 "$image" >/dev/null
}

# Polls the logs until the stamp is there; prints "stamp polls".
wait_stamp() {
	local s="" polls=0 end=$((SECONDS + 30))
	while [ -z "$s" ] && [ $SECONDS -lt $end ]; do
		s=$(stamp "$1" start)
		polls=$((polls + 1))
	done
	[ -n "$s" ] || { echo "cli-peer: $1 printed no start stamp in 30 s" >&2; return 1; }
	echo "$s $polls"
}

cleanup
old=$name-0
run "$old"
wait_stamp "$old" >/dev/null
echo "trial,restart_ns,cycle_ns,stop_ns,logs_ns,rm_ns,run_ns,wait_ns,polls" >"$out"
for i in $(seq 1 "$trials"); do
	new=$name-$i
	t0=$(now)
	"$docker" stop -t 10 "$old" >/dev/null
	t1=$(now)
	term=$(stamp "$old" term)
	t2=$(now)
	"$docker" rm "$old" >/dev/null
	t3=$(now)
	run "$new"
	t4=$(now)
	read -r start polls < <(wait_stamp "$new")
	t5=$(now)
	[ -n "$term" ] || { echo "cli-peer: trial $i: the old service printed no term stamp" >&2; exit 1; }
	echo "$i,$((start - term)),$((t5 - t0)),$((t1 - t0)),$((t2 - t1)),$((t3 - t2)),$((t4 - t3)),$((t5 - t4)),$polls" >>"$out"
	old=$new
done
