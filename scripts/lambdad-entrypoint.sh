#!/bin/sh
# Entrypoint of the lambdad image: start as root only to give the unprivileged `lambdad` user
# the Docker socket's group (its gid differs per host), then exec the command as that user, so
# SIGTERM reaches the daemon itself (a graceful stop removes the function containers).
set -eu

if [ "$(id -u)" != 0 ]; then
    exec "$@"  # started with --user: nothing to set up
fi

data_dir=${LAMBDAD_DATA_DIR:-/var/lib/lambdad}
mkdir -p "$data_dir"
# A volume created by an older image or by root: hand it over (only when needed, it may be big).
if [ "$(stat -c %U "$data_dir")" != lambdad ]; then
    chown -R lambdad:lambdad "$data_dir"
fi

engine=${DOCKER_HOST:-unix:///var/run/docker.sock}
case "$engine" in
    unix://*) socket=${engine#unix://} ;;
    *) socket="" ;;  # a TCP engine needs no group
esac
groups=lambdad
if [ -n "$socket" ] && [ -S "$socket" ]; then
    gid=$(stat -c %g "$socket")
    if [ "$gid" != 0 ]; then
        groups="lambdad,$gid"
    fi
fi
if [ -n "$socket" ] && [ -S "$socket" ] \
    && ! setpriv --reuid=lambdad --regid=lambdad --groups="$groups" test -w "$socket"; then
    # Typically a root-owned socket of mode 0660 (gid 0): only root can use it.
    echo "lambdad-entrypoint: $socket is not writable for the lambdad user; running as root" >&2
    exec "$@"
fi
exec setpriv --reuid=lambdad --regid=lambdad --groups="$groups" --inh-caps=-all \
    --no-new-privs -- "$@"
