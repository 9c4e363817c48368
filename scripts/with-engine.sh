#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs a command against the system Docker engine when one answers, otherwise against a
# private engine started for it and removed afterwards.   scripts/with-engine.sh CMD [ARGS...]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sock=${DOCKER_HOST:-unix:///var/run/docker.sock}

if docker -H "$sock" version >/dev/null 2>&1; then
	echo "with-engine: using the engine at $sock" >&2
	exec "$@"
fi
# /var/tmp, not /tmp: /tmp may be a tmpfs, and an engine whose data-root sits in RAM
# shows no disk effect at all.
dir=$(mktemp -d /var/tmp/rp-engine.XXXXXX)
trap 'bash "$here/private-dockerd.sh" stop "$dir"' EXIT
trap 'exit 130' INT TERM HUP
echo "with-engine: no engine answers at $sock; starting a private one in $dir" >&2
bash "$here/private-dockerd.sh" start "$dir" || exit 1
DOCKER_HOST="unix://$dir/docker.sock" "$@"
