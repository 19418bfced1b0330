#!/bin/sh
# Make a Docker engine available for the integration tests (idempotent):
# install docker.io and debootstrap when missing, start dockerd in the background when no
# socket answers, then wait up to 60 s for `docker info`. Exits non-zero if no engine comes up.
set -eu

SOCKET=/var/run/docker.sock
LOG=${DOCKERD_LOG:-/tmp/dockerd.log}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  echo "start-docker: installing docker.io and debootstrap"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq docker.io debootstrap
fi

if docker info >/dev/null 2>&1; then
  echo "start-docker: engine already running"
  exit 0
fi

# A dockerd that is already starting is waited for, not started twice.
if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "start-docker: starting dockerd (log: $LOG)"
  as_root sh -c "nohup dockerd >'$LOG' 2>&1 &"
fi

waited=0
while [ "$waited" -lt 60 ]; do
  if [ -S "$SOCKET" ] && docker info >/dev/null 2>&1; then
    echo "start-docker: engine ready after ${waited}s"
    exit 0
  fi
  sleep 1
  waited=$((waited + 1))
done

echo "start-docker: no Docker engine after 60 s; last lines of $LOG:" >&2
tail -n 20 "$LOG" >&2 2>/dev/null || true
exit 1
