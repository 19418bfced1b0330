#!/bin/sh
# Build the example's images without a registry: lambdad's image on lambdad's own Debian base
# (scripts/build-image.sh), and this example's image from wheels built on this host.
# Then `docker-compose up` as usual (it finds the images built here).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export BASE_IMAGE=${BASE_IMAGE:-lambdad/debian:bookworm}
"$here/../../scripts/build-image.sh" "${LAMBDAD_IMAGE:-lambdad:latest}"
if ! ls "$here"/wheels/*.whl >/dev/null 2>&1; then  # fetched once; delete them to refresh
    python3 -m pip wheel --quiet --disable-pip-version-check --wheel-dir "$here/wheels" \
        boto3 "moto[server]"
fi
docker build --build-arg BASE_IMAGE="$BASE_IMAGE" -t "${EXAMPLE_IMAGE:-lambdad-example:latest}" \
    "$here"
