#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs integration tests against a private Docker engine started for them (never the system
# one) and real BPF programs; removes the engine afterwards.   run-integration.sh OUT TEST...
# ENGINE=podman: against a private Podman service instead (scripts/private-podman.sh); tests
# that halt and resume the engine (harness_engine) need Docker's.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$1
shift
if [ "$(id -u)" -ne 0 ]; then
	echo "integration: these tests drive a real engine and load BPF programs: run them as root" >&2
	exit 1
fi
# /var/tmp, not /tmp: /tmp may be a tmpfs, and an engine whose data-root sits in RAM
# shows no disk effect at all.
case ${ENGINE:-docker} in
docker) engine=private-dockerd.sh sock=docker.sock ;;
podman) engine=private-podman.sh sock=podman.sock ;;
*) echo "integration: ENGINE must be docker or podman, not '$ENGINE'" >&2; exit 2 ;;
esac
dir=$(mktemp -d /var/tmp/rp-engine.XXXXXX)
trap 'bash "$here/../scripts/$engine" stop "$dir"' EXIT
bash "$here/../scripts/$engine" start "$dir" || exit 1
export DOCKER_HOST="unix://$dir/$sock"
export RP_ENGINE_SCRIPT="scripts/$engine"
export RESTARTPROF="$out/restartprof"
export RP_ENGINE_DIR="$dir"
pass=0 fail=0
for t in "$@"; do
	echo "== $t" >&2
	t0=$SECONDS
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t" >&2; fi
	echo "== $t: $((SECONDS - t0)) s" >&2
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
