#!/bin/sh
# Build the lambdad daemon image without a registry: the base is lambdad's own Debian image
# (`lambdad images build python3.11` imports it from debootstrap), and the dependency wheels
# are fetched by this host's pip, so the image build needs no network. Usage: scripts/build-image.sh [TAG]
# (BASE_IMAGE overrides the base; with a registry, plain `docker build -t lambdad .` works).
set -eu
cd "$(dirname "$0")/.."
tag=${1:-lambdad:latest}
base=${BASE_IMAGE:-lambdad/debian:bookworm}

if ! docker image inspect "$base" >/dev/null 2>&1; then
    lambdad images build python3.11  # imports lambdad/debian:bookworm on the way
fi
# Dependency wheels for the base's Python (3.11, as this host's: its wheels fit), plus
# setuptools and wheel for building lambdad's own wheels in the image without an index.
# Fetched again only when a pyproject.toml changed.
wheels=build/docker-wheels
stamp="$wheels/.deps-2-$(cat client/pyproject.toml daemon/pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    rm -rf "$wheels"
    python3 -m pip wheel --quiet --disable-pip-version-check --wheel-dir "$wheels" \
        ./client ./daemon "setuptools>=68" wheel
    rm -f "$wheels"/lambdad-*.whl "$wheels"/lambdad_client-*.whl  # built in the image
    touch "$stamp"
fi
docker build --build-arg BASE_IMAGE="$base" -t "$tag" .
