"""Which image runs a runtime: lambdad's offline image, else a configurable mapping.

Resolution order for an AWS runtime id:
1. `lambdad/runtime:<runtime>` when it exists locally (built by `lambdad images build`);
2. the mapped image -- by default AWS's public base image, e.g. python3.12 ->
   `public.ecr.aws/lambda/python:3.12` -- when it exists locally or can be pulled;
3. for a deprecated Python runtime without either (e.g. python3.8, which AWS no longer
   publishes and lambdad cannot build), the local `lambdad/runtime:python3.x` closest in
   version, with a warning;
4. otherwise a LambdaError naming the command that builds the image.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping

import docker
import docker.errors
import structlog

from lambdad.daemon.domain.validation import DEPRECATED_RUNTIMES
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.images.build import RUNTIME_IMAGES, RUNTIME_REPOSITORY

log = structlog.get_logger(__name__)

DEFAULT_REGISTRY = "public.ecr.aws/lambda"
# A failed pull is not retried for this long: without a reachable registry every attempt
# would otherwise cost a DNS/connection timeout on each CreateFunction or cold start.
PULL_RETRY_AFTER_S = 300.0


def aws_base_image(runtime: str, registry: str = DEFAULT_REGISTRY) -> str:
    """AWS's public base image for `runtime` (python3.12 -> .../python:3.12)."""
    if match := re.fullmatch(r"(python|ruby)(\d+\.\d+)", runtime):
        return f"{registry}/{match[1]}:{match[2]}"
    if match := re.fullmatch(r"nodejs(\d+)\.x", runtime):
        return f"{registry}/nodejs:{match[1]}"
    if match := re.fullmatch(r"(java|dotnet)(\d+)(?:\.(al2))?", runtime):
        version = f"{match[2]}.{match[3]}" if match[3] else match[2]
        return f"{registry}/{match[1]}:{version}"
    if runtime == "provided":
        return f"{registry}/provided:alami"
    if match := re.fullmatch(r"provided\.(al2023|al2)", runtime):
        return f"{registry}/provided:{match[1]}"
    return f"{registry}/{runtime}:latest"


def parse_image_mapping(text: str) -> dict[str, str]:
    """`python3.12=repo/py:3.12,nodejs20.x=repo/node:20` -> a runtime -> image mapping."""
    mapping: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        runtime, sep, image = item.partition("=")
        if not sep or not runtime.strip() or not image.strip():
            raise ValueError(f"bad runtime image mapping {item!r}: expected RUNTIME=IMAGE")
        mapping[runtime.strip()] = image.strip()
    return mapping


class RuntimeImages:
    """Resolves AWS runtime ids to local image references (blocking; call via a thread)."""

    def __init__(
        self,
        client: docker.DockerClient,
        mapping: Mapping[str, str] | None = None,
        *,
        registry: str = DEFAULT_REGISTRY,
        pull: bool = True,
    ) -> None:
        self._client = client
        self._mapping = dict(mapping or {})
        self._registry = registry
        self._pull = pull
        self._failed_pulls: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def pulls(self) -> bool:
        """Whether images missing from the engine may be pulled from a registry."""
        return self._pull

    def local_image(self, runtime: str) -> str:
        """`lambdad/runtime:<runtime>`, whether or not it exists."""
        return f"{RUNTIME_REPOSITORY}:{runtime}"

    def fallback_image(self, runtime: str) -> str:
        """The configured image for `runtime`, AWS's public base image by default."""
        return self._mapping.get(runtime) or aws_base_image(runtime, self._registry)

    def _present(self, ref: str) -> bool:
        try:
            self._client.images.get(ref)
        except docker.errors.ImageNotFound:
            return False
        return True

    def _try_pull(self, ref: str) -> bool:
        with self._lock:
            failed_at = self._failed_pulls.get(ref)
            if failed_at is not None and time.monotonic() - failed_at < PULL_RETRY_AFTER_S:
                return False
        log.info("pulling runtime image", image=ref)
        try:
            self._client.images.pull(ref)
        except docker.errors.DockerException as exc:
            log.warning("runtime image pull failed", image=ref, error=str(exc).splitlines()[0])
            with self._lock:
                self._failed_pulls[ref] = time.monotonic()
            return False
        return True

    def resolve(self, runtime: str) -> str:
        """The image to run `runtime` with, or a LambdaError saying how to get one."""
        local = self.local_image(runtime)
        if self._present(local):
            return local
        fallback = self.fallback_image(runtime)
        if self._present(fallback) or (self._pull and self._try_pull(fallback)):
            return fallback
        if substitute := self._closest_python(runtime):
            log.warning(
                "no image for this runtime; running it on the closest local Python image",
                runtime=runtime,
                image=substitute,
            )
            return substitute
        raise LambdaError(Reason.INVALID_PARAMETER_VALUE, self.missing_message(runtime))

    def _closest_python(self, runtime: str) -> str | None:
        """The local `lambdad/runtime:python3.x` nearest in version to `runtime` (newer on ties)."""
        wanted = re.fullmatch(r"python3\.(\d+)", runtime)
        if wanted is None or runtime not in DEPRECATED_RUNTIMES:
            return None
        minors = []
        for image in self._client.images.list(name=RUNTIME_REPOSITORY):
            for tag in image.tags:
                if match := re.fullmatch(rf"{re.escape(RUNTIME_REPOSITORY)}:python3\.(\d+)", tag):
                    minors.append(int(match[1]))
        if not minors:
            return None
        target = int(wanted[1])
        best = min(minors, key=lambda minor: (abs(minor - target), -minor))
        return f"{RUNTIME_REPOSITORY}:python3.{best}"

    def missing_message(self, runtime: str) -> str:
        """What to do when no image for `runtime` is available."""
        fallback = self.fallback_image(runtime)
        if runtime in RUNTIME_IMAGES:
            return (
                f"No container image for runtime {runtime}: run `lambdad images build {runtime}` "
                f"to build {self.local_image(runtime)} offline, or make {fallback} available to "
                "Docker (docker pull / docker load)."
            )
        return (
            f"No container image for runtime {runtime}: lambdad cannot build it offline "
            f"(`lambdad images build` covers {', '.join(RUNTIME_IMAGES)}); make {fallback} "
            "available to Docker (docker pull / docker load), map the runtime to another image, "
            "or use the process executor."
        )
