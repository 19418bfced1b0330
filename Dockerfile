# lambdad as a sidecar image. With a registry (the default base, packages from PyPI):
#   docker build -t lambdad .
# Without one (a base lambdad builds offline, wheels fetched by the host): scripts/build-image.sh
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY . .
# lambdad's own two wheels are always built from this source. Dependencies come from PyPI, or
# only from build/docker-wheels when scripts/build-image.sh put them there (with setuptools for
# the build: no index at all). One target directory: the final stage copies it alone, without
# pip's caches or build tools.
RUN if ls build/docker-wheels/*.whl >/dev/null 2>&1; then \
      set -- --no-index --find-links build/docker-wheels; \
    fi \
 && python3 -m pip wheel --no-cache-dir --disable-pip-version-check --no-deps "$@" \
      --wheel-dir /tmp/lambdad-wheels ./client ./daemon \
 && python3 -m pip install --no-cache-dir --disable-pip-version-check "$@" \
      --find-links /tmp/lambdad-wheels --target /opt/lambdad /tmp/lambdad-wheels/*.whl

FROM ${BASE_IMAGE}
# The daemon drops to this user (see lambdad-entrypoint.sh); the Docker socket's group is
# added at start, since its gid differs per host.
RUN groupadd --system lambdad \
 && useradd --system --gid lambdad --no-create-home --home-dir /var/lib/lambdad \
      --shell /usr/sbin/nologin lambdad \
 && mkdir -p /var/lib/lambdad \
 && chown lambdad:lambdad /var/lib/lambdad
COPY --from=build /opt/lambdad /opt/lambdad
COPY scripts/lambdad-entrypoint.sh /usr/local/bin/lambdad-entrypoint.sh
ENV PYTHONPATH=/opt/lambdad \
    PATH=/opt/lambdad/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONDONTWRITEBYTECODE=1 \
    LAMBDAD_DATA_DIR=/var/lib/lambdad \
    LAMBDAD_GRPC_HOST=0.0.0.0 \
    LAMBDAD_GATEWAY_HOST=0.0.0.0 \
    LAMBDAD_LOG_FORMAT=json \
    LAMBDAD_EXECUTOR=docker
VOLUME /var/lib/lambdad
EXPOSE 4566 50051
# gRPC health (grpc.health.v1) on the daemon's own port; exempt from the bearer token.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["lambdadctl", "health"]
ENTRYPOINT ["/usr/local/bin/lambdad-entrypoint.sh"]
CMD ["lambdad", "serve"]
