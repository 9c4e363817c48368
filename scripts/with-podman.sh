#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs a command against a private Podman API service started for it and removed afterwards
# (scripts/private-podman.sh); the Podman counterpart of with-engine.sh, except that it never
# uses a service already running: the machine's own Podman state is not touched.
#   scripts/with-podman.sh CMD [ARGS...]      (DOCKER_HOST points at the service for CMD)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# /var/tmp, not /tmp: /tmp may be a tmpfs, and an engine whose storage sits in RAM
# shows no disk effect at all.
dir=$(mktemp -d /var/tmp/rp-podman.XXXXXX)
trap 'bash "$here/private-podman.sh" stop "$dir"' EXIT
trap 'exit 130' INT TERM HUP
echo "with-podman: starting a private Podman service in $dir" >&2
bash "$here/private-podman.sh" start "$dir" || exit 1
DOCKER_HOST="unix://$dir/podman.sock" "$@"
