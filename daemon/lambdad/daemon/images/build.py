"""`lambdad images build`: runtime base images built offline from Debian packages.

No image registry is needed. For each Debian suite a minimal rootfs is made with
`debootstrap` once (cached as a tarball under the data dir), `docker import`ed as
`lambdad/debian:<suite>`, then given the layout of AWS's Lambda base images
(`/lambda-entrypoint.sh`, `/var/runtime`, `/var/task`, `/opt`, user `sbx_user1051`)
as `lambdad/runtime-layout:<suite>`. Every runtime image of a suite is a thin layer
on that shared base:

- python: `awslambdaric` and boto3 with their dependencies, `pip download`ed on the host
  and installed inside with `pip install --no-index`;
- nodejs: lambdad's Node.js runtime client (`runtime/clients/node/index.mjs`);
- provided: a `/var/runtime/bootstrap` that runs the function's own `bootstrap`.

Runtimes that support durable functions on AWS (python3.13+, nodejs22.x+) also get what AWS's
managed runtimes ship for them, in a layer of their own on top: AWS's Durable Execution SDK
(with the boto3 it needs, whose model knows the durable execution API) in `/var/runtime`.
"""

from __future__ import annotations

import contextlib
import hashlib
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

import docker
import docker.errors
import structlog

log = structlog.get_logger(__name__)

RUNTIME_REPOSITORY = "lambdad/runtime"
DEBIAN_REPOSITORY = "lambdad/debian"
LAYOUT_REPOSITORY = "lambdad/runtime-layout"
# Images carry no `dev.lambdad.managed` label: containers inherit image labels, and that one
# marks the containers lambdad owns (and removes).
LABEL_RUNTIME = "dev.lambdad.runtime"
LABEL_IMAGE_KIND = "dev.lambdad.image"
LABEL_ROOTFS = "dev.lambdad.rootfs"
# Digest of the files lambdad puts into a runtime image (entrypoint, bootstrap, runtime
# client): an image built from older files is rebuilt, not reused.
LABEL_ASSETS = "dev.lambdad.assets"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
# One package set per suite, shared by every runtime of the suite (one base, many thin images).
ROOTFS_PACKAGES = ("python3", "python3-pip", "ca-certificates", "curl", "nodejs")
# Left out of the rootfs tarball: caches and documentation nobody reads in a sandbox.
ROOTFS_PRUNE = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
)
# What the Python runtime images get in /var/runtime: the runtime client, and boto3 as AWS's
# Python base images ship it (a function's own boto3 in /var/task comes first on sys.path).
PYTHON_RUNTIME_PACKAGES = ("awslambdaric", "boto3")
NODE_CLIENT = Path(__file__).resolve().parent.parent / "runtime" / "clients" / "node" / "index.mjs"


@dataclass(frozen=True)
class RuntimeImage:
    """One AWS runtime id and the Debian suite that provides its language version."""

    runtime: str
    family: str  # "python", "nodejs" or "provided"
    suite: str
    python_version: str | None = None
    node_major: str | None = None
    # Packages AWS's managed runtime adds for this runtime (PyPI or npm names), installed
    # into /var/runtime by `Dockerfile.<family>-extras` on top of the family's image.
    extra_packages: tuple[str, ...] = ()

    @property
    def tag(self) -> str:
        """The local image reference, `lambdad/runtime:<runtime>`."""
        return f"{RUNTIME_REPOSITORY}:{self.runtime}"


# AWS's Python and Node.js runtimes that support durable functions include its Durable
# Execution SDK (and, for Python, a boto3 whose model has the durable execution API).
PYTHON_DURABLE_SDK = ("aws-durable-execution-sdk-python",)
# `@latest` by name: npm on a host with an older Node.js than the SDK's engines (>= 22) would
# otherwise pick the newest version whose engines that host satisfies (a placeholder).
NODE_DURABLE_SDK = ("@aws/durable-execution-sdk-js@latest",)

# The runtimes whose language version some Debian release ships.
RUNTIME_IMAGES: Mapping[str, RuntimeImage] = {
    image.runtime: image
    for image in (
        RuntimeImage("python3.11", "python", "bookworm", python_version="3.11"),
        RuntimeImage("nodejs18.x", "nodejs", "bookworm", node_major="18"),
        RuntimeImage("provided.al2", "provided", "bookworm"),
        RuntimeImage("provided.al2023", "provided", "bookworm"),
        RuntimeImage(
            "python3.13",
            "python",
            "trixie",
            python_version="3.13",
            extra_packages=PYTHON_DURABLE_SDK,
        ),
        RuntimeImage("nodejs20.x", "nodejs", "trixie", node_major="20"),
        # Debian 14 (forky, testing) ships Node.js 24: the newest runtime lambdad builds, and
        # the one AWS's durable JS SDK (Node >= 22) runs on.
        RuntimeImage(
            "nodejs24.x", "nodejs", "forky", node_major="24", extra_packages=NODE_DURABLE_SDK
        ),
    )
}
# Suites the host's debootstrap may predate: the script of the suite they derive from.
DEBOOTSTRAP_SCRIPTS = {"forky": "sid"}


class ImageBuildError(Exception):
    """A step of an image build failed; the message says which and why."""


@dataclass(frozen=True)
class BuildResult:
    """What `build_runtime_images` did for one runtime."""

    runtime: str
    tag: str
    status: str  # "built", "exists" or "failed"
    seconds: float
    error: str | None = None


def default_cache_dir(data_dir: Path) -> Path:
    """Where rootfs tarballs are kept between builds."""
    return data_dir / "images"


def docker_arch() -> str:
    """Debian's name for this machine's architecture."""
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        machine, machine
    )


def _pip_platforms() -> list[str]:
    machine = "aarch64" if docker_arch() == "arm64" else "x86_64"
    # Debian bookworm has glibc 2.36, trixie 2.41: any manylinux up to 2_28 fits both.
    return [
        f"manylinux_2_28_{machine}",
        f"manylinux_2_17_{machine}",
        f"manylinux2014_{machine}",
        f"manylinux1_{machine}",
    ]


def _stream(step: str, stream: IO[str], out: IO[str]) -> None:
    for line in stream:
        out.write(f"[{step}] {line.rstrip()}\n")
        out.flush()


def _run(step: str, argv: Sequence[str], out: IO[str]) -> None:
    """Run a command, streaming its output prefixed with the step name."""
    log.info("running", step=step, command=" ".join(argv[:3]) + (" ..." if len(argv) > 3 else ""))
    with subprocess.Popen(
        list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    ) as proc:
        assert proc.stdout is not None
        _stream(step, proc.stdout, out)
        code = proc.wait()
    if code != 0:
        raise ImageBuildError(f"{step}: `{argv[0]}` exited with status {code}")


def _mounts_under(path: Path) -> list[str]:
    prefix = str(path.resolve())
    found: list[str] = []
    with contextlib.suppress(OSError), open("/proc/mounts") as mounts:
        for line in mounts:
            target = line.split()[1]
            if target == prefix or target.startswith(prefix + "/"):
                found.append(target)
    return found


def _remove_tree(path: Path) -> None:
    # An interrupted debootstrap can leave /proc or /sys mounted inside the target: unmount
    # them first, or rmtree would descend into the host's /proc.
    for target in sorted(_mounts_under(path), key=len, reverse=True):
        subprocess.run(["umount", "-l", target], check=False)
    if _mounts_under(path):
        raise ImageBuildError(f"cannot remove {path}: something is still mounted under it")
    shutil.rmtree(path, ignore_errors=True)


def rootfs_key(suite: str) -> str:
    """Identifies a rootfs by suite, architecture and package set (so a change rebuilds it)."""
    digest = hashlib.sha256(",".join(sorted(ROOTFS_PACKAGES)).encode()).hexdigest()[:12]
    return f"debian-{suite}-{docker_arch()}-{digest}"


def ensure_rootfs(
    suite: str, cache_dir: Path, *, mirror: str = DEBIAN_MIRROR, out: IO[str] = sys.stderr
) -> Path:
    """The cached rootfs tarball of `suite`; debootstrap it first if it is not there."""
    tarball = cache_dir / f"{rootfs_key(suite)}.tar"
    if tarball.is_file():
        log.info("rootfs cached", suite=suite, path=str(tarball))
        return tarball
    if shutil.which("debootstrap") is None:
        raise ImageBuildError(
            "debootstrap is not installed (apt-get install debootstrap); it builds the Debian "
            "rootfs of the offline runtime images"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f"rootfs-{suite}-", dir=cache_dir))
    try:
        target = work / "root"
        log.info("debootstrap", suite=suite, packages=",".join(ROOTFS_PACKAGES), mirror=mirror)
        _run(
            f"debootstrap {suite}",
            [
                "debootstrap",
                "--variant=minbase",
                f"--arch={docker_arch()}",
                f"--include={','.join(ROOTFS_PACKAGES)}",
                suite,
                str(target),
                mirror,
                *_debootstrap_script(suite),
            ],
            out,
        )
        for relative in ROOTFS_PRUNE:
            pruned = target / relative
            if pruned.is_dir():
                for child in pruned.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
        partial = work / "rootfs.tar"
        _run(
            f"tar {suite}",
            ["tar", "--numeric-owner", "--xattrs", "-C", str(target), "-cf", str(partial), "."],
            out,
        )
        partial.replace(tarball)
    finally:
        _remove_tree(work)
    log.info(
        "rootfs ready",
        suite=suite,
        path=str(tarball),
        size_mb=round(tarball.stat().st_size / 2**20),
        seconds=round(time.monotonic() - started, 1),
    )
    return tarball


def _debootstrap_script(suite: str) -> list[str]:
    """The script argument for a suite this debootstrap has no script of its own for."""
    scripts = Path("/usr/share/debootstrap/scripts")
    derived = DEBOOTSTRAP_SCRIPTS.get(suite)
    if derived is None or (scripts / suite).exists() or not (scripts / derived).exists():
        return []
    return [str(scripts / derived)]


def _image_labels(client: docker.DockerClient, ref: str) -> dict[str, str] | None:
    try:
        image = client.images.get(ref)
    except docker.errors.ImageNotFound:
        return None
    return dict(image.labels or {})


def ensure_debian_base(
    client: docker.DockerClient,
    suite: str,
    cache_dir: Path,
    *,
    force: bool = False,
    mirror: str = DEBIAN_MIRROR,
    out: IO[str] = sys.stderr,
) -> str:
    """`lambdad/debian:<suite>`, imported from the cached rootfs when missing or stale."""
    ref = f"{DEBIAN_REPOSITORY}:{suite}"
    key = rootfs_key(suite)
    labels = _image_labels(client, ref)
    if not force and labels is not None and labels.get(LABEL_ROOTFS) == key:
        log.info("base image exists", image=ref)
        return ref
    tarball = ensure_rootfs(suite, cache_dir, mirror=mirror, out=out)
    log.info("docker import", image=ref, rootfs=str(tarball))
    client.api.import_image_from_file(
        str(tarball),
        repository=DEBIAN_REPOSITORY,
        tag=suite,
        changes=[
            f"LABEL {LABEL_IMAGE_KIND}=debian {LABEL_ROOTFS}={key}",
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            'CMD ["/bin/sh"]',
        ],
    )
    return ref


def _asset(name: str) -> str:
    return resources.files("lambdad.daemon.images").joinpath("assets", name).read_text()


def _docker_build(
    client: docker.DockerClient,
    context: Path,
    dockerfile: str,
    tag: str,
    buildargs: Mapping[str, str],
    labels: Mapping[str, str],
    step: str,
    out: IO[str],
) -> None:
    log.info("docker build", image=tag, dockerfile=dockerfile)
    stream: Iterator[dict[str, Any]] = client.api.build(
        path=str(context),
        dockerfile=dockerfile,
        tag=tag,
        buildargs=dict(buildargs),
        labels=dict(labels),
        pull=False,  # every FROM is a local image
        rm=True,
        forcerm=True,
        decode=True,
    )
    for chunk in stream:
        if "error" in chunk:
            raise ImageBuildError(f"{step}: docker build failed: {chunk['error'].strip()}")
        text = chunk.get("stream")
        if text:
            for line in str(text).splitlines():
                if line.strip():
                    out.write(f"[{step}] {line}\n")
            out.flush()


def _download_wheels(
    python_version: str,
    dest: Path,
    out: IO[str],
    packages: Sequence[str] = PYTHON_RUNTIME_PACKAGES,
    *,
    deps: bool = True,
) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--dest",
        str(dest),
    ]
    for tag in _pip_platforms():
        argv += ["--platform", tag]
    if not deps:
        argv.append("--no-deps")
    _run(f"pip download (python{python_version})", [*argv, *packages], out)


def _download_node_packages(packages: Sequence[str], dest: Path, out: IO[str]) -> None:
    """`npm install` the packages (and their dependencies) into `dest`/node_modules."""
    if shutil.which("npm") is None:
        raise ImageBuildError(
            f"npm is not installed; it fetches {', '.join(packages)} for the Node.js image"
        )
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "package.json").write_text('{"private": true}\n')
    _run(
        "npm install",
        [
            "npm",
            "install",
            "--prefix",
            str(dest),
            "--omit=dev",
            "--no-audit",
            "--no-fund",
            "--no-package-lock",
            *packages,
        ],
        out,
    )


def ensure_layout_base(
    client: docker.DockerClient,
    suite: str,
    cache_dir: Path,
    *,
    force: bool = False,
    mirror: str = DEBIAN_MIRROR,
    out: IO[str] = sys.stderr,
) -> str:
    """`lambdad/runtime-layout:<suite>`: the Debian base with AWS's base-image layout."""
    debian = ensure_debian_base(client, suite, cache_dir, force=force, mirror=mirror, out=out)
    ref = f"{LAYOUT_REPOSITORY}:{suite}"
    with tempfile.TemporaryDirectory(prefix="lambdad-layout-") as tmp:
        context = Path(tmp)
        (context / "Dockerfile.layout").write_text(_asset("Dockerfile.layout"))
        (context / "lambda-entrypoint.sh").write_text(_asset("lambda-entrypoint.sh"))
        # Always (re)built: the docker build cache makes this instant when nothing changed.
        _docker_build(
            client,
            context,
            "Dockerfile.layout",
            ref,
            {"BASE": debian},
            {LABEL_IMAGE_KIND: "layout"},
            f"layout {suite}",
            out,
        )
    return ref


def build_runtime_image(
    client: docker.DockerClient, image: RuntimeImage, layout: str, out: IO[str] = sys.stderr
) -> None:
    """Build `lambdad/runtime:<runtime>` on the suite's layout base."""
    step = f"build {image.runtime}"
    with tempfile.TemporaryDirectory(prefix=f"lambdad-{image.runtime}-") as tmp:
        context = Path(tmp)
        dockerfile = f"Dockerfile.{image.family}"
        (context / dockerfile).write_text(_asset(dockerfile))
        bootstrap = _asset(f"bootstrap.{image.family}").format(
            python_version=image.python_version, node_major=image.node_major
        )
        (context / "bootstrap").write_text(bootstrap)
        if image.family == "python":
            assert image.python_version is not None
            _download_wheels(image.python_version, context / "wheels", out)
        elif image.family == "nodejs":
            if not NODE_CLIENT.is_file():
                raise ImageBuildError(
                    f"{step}: the Node.js runtime client {NODE_CLIENT} is missing from this "
                    "installation"
                )
            (context / "node-ric").mkdir()
            shutil.copy2(NODE_CLIENT, context / "node-ric" / "index.mjs")
        labels = {
            LABEL_IMAGE_KIND: "runtime",
            LABEL_RUNTIME: image.runtime,
            LABEL_ASSETS: assets_digest(image),
        }
        # With extras to come, the first stage carries no assets label: if adding them fails,
        # the image is not taken for current and the next build starts over.
        first = {k: v for k, v in labels.items() if k != LABEL_ASSETS or not image.extra_packages}
        _docker_build(client, context, dockerfile, image.tag, {"BASE": layout}, first, step, out)
        if image.extra_packages:
            _build_extras(client, image, labels, out)


def _build_extras(
    client: docker.DockerClient, image: RuntimeImage, labels: Mapping[str, str], out: IO[str]
) -> None:
    """Add the runtime's extra packages in a layer on top of the image just built."""
    step = f"extras {image.runtime}"
    dockerfile = f"Dockerfile.{image.family}-extras"
    base = str(client.images.get(image.tag).id)
    with tempfile.TemporaryDirectory(prefix=f"lambdad-{image.runtime}-extras-") as tmp:
        context = Path(tmp)
        (context / dockerfile).write_text(_asset(dockerfile))
        if image.family == "python":
            assert image.python_version is not None
            _download_wheels(
                image.python_version, context / "wheels", out, image.extra_packages, deps=False
            )
        else:
            _download_node_packages(image.extra_packages, context / "extras", out)
        _docker_build(
            client,
            context,
            dockerfile,
            image.tag,
            {"BASE": base, "PACKAGES": " ".join(image.extra_packages)},
            labels,
            step,
            out,
        )


def assets_digest(image: RuntimeImage) -> str:
    """Digest of every lambdad file that goes into `image`."""
    digest = hashlib.sha256()
    names = ["Dockerfile.layout", "lambda-entrypoint.sh", f"Dockerfile.{image.family}"]
    names.append(f"bootstrap.{image.family}")
    if image.extra_packages:
        names.append(f"Dockerfile.{image.family}-extras")
    for name in names:
        digest.update(_asset(name).encode())
    if image.extra_packages:
        digest.update(" ".join(image.extra_packages).encode())
    if image.family == "nodejs" and NODE_CLIENT.is_file():
        digest.update(NODE_CLIENT.read_bytes())
    return digest.hexdigest()[:16]


def image_current(client: docker.DockerClient, image: RuntimeImage) -> bool:
    """True if `image` exists and was built from this installation's files."""
    labels = _image_labels(client, image.tag)
    return labels is not None and labels.get(LABEL_ASSETS) == assets_digest(image)


def image_exists(client: docker.DockerClient, ref: str) -> bool:
    """True if the engine has `ref` locally."""
    return _image_labels(client, ref) is not None


def select_runtimes(names: Iterable[str]) -> list[RuntimeImage]:
    """The RuntimeImages for `names` (all of them when empty); unknown names are an error."""
    chosen = list(names)
    if not chosen:
        return list(RUNTIME_IMAGES.values())
    unknown = [name for name in chosen if name not in RUNTIME_IMAGES]
    if unknown:
        raise ImageBuildError(
            f"no offline image for {', '.join(unknown)}; lambdad builds: "
            + ", ".join(RUNTIME_IMAGES)
        )
    return [RUNTIME_IMAGES[name] for name in dict.fromkeys(chosen)]


def build_runtime_images(
    runtimes: Iterable[str] = (),
    *,
    cache_dir: Path,
    force: bool = False,
    client: docker.DockerClient | None = None,
    mirror: str = DEBIAN_MIRROR,
    out: IO[str] = sys.stderr,
) -> list[BuildResult]:
    """Build the offline runtime images (all when `runtimes` is empty); skip existing ones.

    A failure of one suite (say, the mirror lacks it) does not stop the others; the results
    say what failed and why.
    """
    selected = select_runtimes(runtimes)
    owned = client is None
    engine = client or docker.from_env(timeout=600)
    results: list[BuildResult] = []
    superseded = _image_ids(engine, selected) if force else {}
    try:
        by_suite: dict[str, list[RuntimeImage]] = {}
        for image in selected:
            by_suite.setdefault(image.suite, []).append(image)
        for suite, images in by_suite.items():
            todo = [image for image in images if force or not image_current(engine, image)]
            for image in images:
                if image not in todo:
                    log.info("image exists", image=image.tag, hint="--force rebuilds it")
                    results.append(BuildResult(image.runtime, image.tag, "exists", 0.0))
            if not todo:
                continue
            suite_started = time.monotonic()
            try:
                layout = ensure_layout_base(
                    engine, suite, cache_dir, force=force, mirror=mirror, out=out
                )
            except (ImageBuildError, docker.errors.DockerException, OSError) as exc:
                log.error("base image failed", suite=suite, error=str(exc))
                results += [
                    BuildResult(image.runtime, image.tag, "failed", 0.0, str(exc)) for image in todo
                ]
                continue
            log.info(
                "base image ready", suite=suite, seconds=round(time.monotonic() - suite_started)
            )
            for image in todo:
                started = time.monotonic()
                try:
                    build_runtime_image(engine, image, layout, out)
                except (ImageBuildError, docker.errors.DockerException, OSError) as exc:
                    log.error("image failed", image=image.tag, error=str(exc))
                    results.append(
                        BuildResult(
                            image.runtime, image.tag, "failed", time.monotonic() - started, str(exc)
                        )
                    )
                    continue
                seconds = time.monotonic() - started
                log.info("image built", image=image.tag, seconds=round(seconds, 1))
                results.append(BuildResult(image.runtime, image.tag, "built", seconds))
        if superseded:
            _remove_superseded(engine, superseded)
    finally:
        if owned:
            engine.close()
    return results


def _image_ids(client: docker.DockerClient, images: Iterable[RuntimeImage]) -> dict[str, str]:
    """tag -> image id of the runtime, layout and Debian images a forced build replaces."""
    suites = {image.suite for image in images}
    # Children first: an image with children cannot be removed.
    tags = [image.tag for image in images]
    tags += [f"{LAYOUT_REPOSITORY}:{suite}" for suite in suites]
    tags += [f"{DEBIAN_REPOSITORY}:{suite}" for suite in suites]
    found: dict[str, str] = {}
    for tag in tags:
        with contextlib.suppress(docker.errors.ImageNotFound):
            found[tag] = str(client.images.get(tag).id)
    return found


def _remove_superseded(client: docker.DockerClient, old: Mapping[str, str]) -> None:
    # Only images a rebuild replaced (new id) and nothing else uses: not forced, so an image
    # still tagged elsewhere, a parent, or one a container runs is kept.
    for tag, image_id in old.items():
        with contextlib.suppress(docker.errors.DockerException):
            if str(client.images.get(tag).id) == image_id:
                continue
            client.images.remove(image_id, force=False)
            log.info("removed superseded image", tag=tag, image=image_id[:19])


@dataclass(frozen=True)
class ImageInfo:
    """A local runtime image, for `lambdad images list`."""

    runtime: str
    tag: str
    image_id: str
    size_mb: float
    created: str


def list_runtime_images(client: docker.DockerClient | None = None) -> list[ImageInfo]:
    """The local `lambdad/runtime:*` images."""
    owned = client is None
    engine = client or docker.from_env(timeout=30)
    try:
        found: list[ImageInfo] = []
        for image in engine.images.list(filters={"label": f"{LABEL_RUNTIME}"}):
            attrs = image.attrs
            for tag in image.tags:
                if not tag.startswith(f"{RUNTIME_REPOSITORY}:"):
                    continue
                found.append(
                    ImageInfo(
                        runtime=(image.labels or {}).get(LABEL_RUNTIME, tag.split(":", 1)[1]),
                        tag=tag,
                        image_id=image.short_id.removeprefix("sha256:"),
                        size_mb=round(attrs.get("Size", 0) / 2**20, 1),
                        created=str(attrs.get("Created", ""))[:19],
                    )
                )
        return sorted(found, key=lambda info: info.runtime)
    finally:
        if owned:
            engine.close()
