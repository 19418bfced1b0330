"""Deployment package (zip) checks: sizes, traversal, symlinks and zip bombs.

Nothing is stored until `inspect_zip` has read every entry, so a package that
fails here leaves no trace. The same rules serve function code and layers.
"""

from __future__ import annotations

import base64
import hashlib
import io
import posixpath
import stat
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter

MAX_ZIPPED_BYTES = 52_428_800
MAX_UNZIPPED_BYTES = 262_144_000
MAX_ENTRIES = 100_000
# Deflate tops out near 1032:1; anything beyond is a crafted archive.
MAX_COMPRESSION_RATIO = 1100
_READ_CHUNK = 1 << 20
_MAX_LINK_HOPS = 40  # the kernel's limit when following symlinks
_MAX_LINK_TARGET = 4096  # PATH_MAX
UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."


@dataclass(frozen=True)
class ZipSummary:
    """What AWS reports about a package, plus what we need to store it."""

    sha256_hex: str
    code_sha256: str  # base64 of the SHA-256 digest, as AWS shows it
    size: int
    unzipped_size: int
    entries: int


def code_sha256(data: bytes) -> str:
    """AWS's CodeSha256: base64(SHA-256(bytes))."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _rejected(detail: str) -> LambdaError:
    return invalid_parameter(f"{UNZIP_FAILED} {detail}")


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _check_entry_name(name: str) -> str:
    """Return the normalised member path, or raise if it would leave the root."""
    if "\x00" in name:
        raise _rejected(f"Entry '{name!r}' has a NUL byte in its name.")
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        raise _rejected(f"Entry '{name}' has an absolute path.")
    normal = posixpath.normpath(cleaned)
    if normal == ".." or normal.startswith("../") or "/../" in f"/{cleaned}/":
        raise _rejected(f"Entry '{name}' escapes the package root.")
    return normal


def _check_symlink_target(member: str, target: str) -> None:
    if target.startswith("/"):
        raise _rejected(f"Symlink '{member}' points outside the package ({target}).")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(member), target))
    if resolved == ".." or resolved.startswith("../"):
        raise _rejected(f"Symlink '{member}' points outside the package ({target}).")


def _escapes_root(path: str, links: Mapping[str, str]) -> bool:
    """True if `path`, followed through the package's own symlinks, leaves the root.

    Each link looks harmless on its own (`here -> .`, `up -> here/..`), but the
    kernel resolves `up` through `here`, so chains are walked component by
    component. Loops count as escaping (they cannot be extracted sensibly).
    """
    pending = path.split("/")
    resolved: list[str] = []
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return True
            resolved.pop()
            continue
        resolved.append(part)
        target = links.get("/".join(resolved))
        if target is None:
            continue
        hops += 1
        if hops > _MAX_LINK_HOPS or target.startswith("/"):
            return True
        resolved.pop()
        pending[:0] = target.split("/")
    return False


def _check_links(links: Mapping[str, str]) -> None:
    for member, target in links.items():
        if _escapes_root(member, links):
            raise _rejected(f"Symlink '{member}' points outside the package ({target}).")


def inspect_zip(
    data: bytes,
    *,
    max_zipped: int = MAX_ZIPPED_BYTES,
    max_unzipped: int = MAX_UNZIPPED_BYTES,
) -> ZipSummary:
    """Validate a package completely (decompressing every entry) and summarise it.

    Declared sizes can lie, so the unzipped limit is enforced on the bytes
    actually produced, which also catches overlapping-entry bombs.
    """
    if len(data) > max_zipped:
        raise LambdaError(
            Reason.REQUEST_TOO_LARGE,
            f"Zipped size must be smaller than {max_zipped} bytes",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise invalid_parameter(UNZIP_FAILED) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _rejected(f"More than {MAX_ENTRIES} entries.")
        total = 0
        links: dict[str, str] = {}
        for info in infos:
            member = _check_entry_name(info.filename)
            if info.file_size > max_unzipped or total + info.file_size > max_unzipped:
                raise invalid_parameter(f"Unzipped size must be smaller than {max_unzipped} bytes")
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
                raise _rejected(f"Entry '{info.filename}' has an implausible compression ratio.")
            produced = 0
            link_target = b""
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(_READ_CHUNK):
                        produced += len(chunk)
                        if total + produced > max_unzipped:
                            raise invalid_parameter(
                                f"Unzipped size must be smaller than {max_unzipped} bytes"
                            )
                        if _is_symlink(info):
                            link_target += chunk
                            if len(link_target) > _MAX_LINK_TARGET:
                                raise _rejected(f"Symlink '{member}' has an overlong target.")
            except LambdaError:
                raise
            except (
                zipfile.BadZipFile,
                NotImplementedError,
                RuntimeError,
                OSError,
                EOFError,
                zlib.error,
            ):
                raise invalid_parameter(UNZIP_FAILED) from None
            if _is_symlink(info):
                links[member] = link_target.decode("utf-8", "replace")
                _check_symlink_target(member, links[member])
            total += produced
        _check_links(links)
    digest = hashlib.sha256(data).digest()
    return ZipSummary(
        sha256_hex=digest.hex(),
        code_sha256=base64.b64encode(digest).decode(),
        size=len(data),
        unzipped_size=total,
        entries=len(infos),
    )


def extract_zip(data: bytes, destination: Path) -> None:
    """Extract a package that passed `inspect_zip`, keeping modes and in-root symlinks."""
    destination.mkdir(parents=True, exist_ok=True)
    root = destination.resolve()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        links = {
            _check_entry_name(info.filename): archive.read(info).decode("utf-8", "replace")
            for info in archive.infolist()
            if _is_symlink(info)
        }
        _check_links(links)
        for info in archive.infolist():
            member = _check_entry_name(info.filename)
            target = (root / member).resolve() if member != "." else root
            if target != root and root not in target.parents:
                raise _rejected(f"Entry '{info.filename}' escapes the package root.")
            mode = info.external_attr >> 16
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if _is_symlink(info):
                link = archive.read(info).decode()
                _check_symlink_target(member, link)
                if target.is_symlink() or target.exists():
                    target.unlink()
                target.symlink_to(link)
                continue
            with archive.open(info) as source, open(target, "wb") as sink:
                while chunk := source.read(_READ_CHUNK):
                    sink.write(chunk)
            # Keep executable bits (bootstrap scripts); default to rw-r--r--.
            target.chmod((mode & 0o777) | 0o444 if mode & 0o777 else 0o644)
