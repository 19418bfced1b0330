"""Deployment package (zip) checks: sizes, traversal, symlinks, zip bombs and odd shapes.

Nothing is stored until `inspect_zip` has read every entry, so a package that
fails here leaves no trace. The same rules serve function code and layers.
Shapes the file system cannot hold (very deep or very long paths, over-long names,
device or fifo entries) are refused here too, so extraction never meets them.
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

from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter

MAX_ZIPPED_BYTES = 52_428_800
MAX_UNZIPPED_BYTES = 262_144_000
MAX_ENTRIES = 100_000
# Far deeper and longer than any real package, yet below what extraction under
# /var/task or /opt can hold: PATH_MAX is 4096 bytes, NAME_MAX 255.
MAX_PATH_DEPTH = 256
MAX_PATH_BYTES = 3072
MAX_NAME_BYTES = 255
# Every central-directory record starts with this; their count bounds the entries zipfile
# would parse (and hold in memory) before we could count them.
_CENTRAL_DIRECTORY_SIGNATURE = b"PK\x01\x02"
# Regular files, directories and symlinks; 0 is an entry without Unix mode bits.
_ALLOWED_TYPES = frozenset({0, stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK})
# Deflate tops out near 1032:1; anything beyond is a crafted archive.
MAX_COMPRESSION_RATIO = 1100
READ_CHUNK = 1 << 20
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


def rejected(detail: str) -> LambdaError:
    return invalid_parameter(f"{UNZIP_FAILED} {detail}")


def is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def shown(name: str) -> str:
    """The entry name as quoted in a message: cut short, since it may be kilobytes long."""
    return name if len(name) <= 200 else f"{name[:200]}..."


def check_entry_name(name: str) -> str:
    """Return the normalised member path, or raise if it would leave the root or cannot
    exist on a file system (too deep, too long, a component over NAME_MAX)."""
    if "\x00" in name:
        raise rejected(f"Entry '{name!r}' has a NUL byte in its name.")
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        raise rejected(f"Entry '{shown(name)}' has an absolute path.")
    encoded_length = len(cleaned.encode("utf-8", "surrogateescape"))
    if encoded_length > MAX_PATH_BYTES:
        raise rejected(f"Entry '{shown(name)}' has a path longer than {MAX_PATH_BYTES} bytes.")
    parts = [part for part in cleaned.split("/") if part not in ("", ".")]
    if len(parts) > MAX_PATH_DEPTH:
        raise rejected(f"Entry '{shown(name)}' is nested deeper than {MAX_PATH_DEPTH} levels.")
    if any(len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES for part in parts):
        raise rejected(
            f"Entry '{shown(name)}' has a name component longer than {MAX_NAME_BYTES} bytes."
        )
    normal = posixpath.normpath(cleaned)
    if normal == ".." or normal.startswith("../") or "/../" in f"/{cleaned}/":
        raise rejected(f"Entry '{shown(name)}' escapes the package root.")
    return normal


def _check_entry_type(info: zipfile.ZipInfo) -> None:
    """Only regular files, directories and symlinks: a fifo or device node in a package
    is never code, and extracting one would block a reader or reach the host's devices."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind not in _ALLOWED_TYPES:
        raise rejected(
            f"Entry '{shown(info.filename)}' is not a regular file, directory or symlink."
        )


def _check_entry_count(data: bytes) -> None:
    """Refuse more than MAX_ENTRIES entries before zipfile parses (and holds) them all."""
    if data.count(_CENTRAL_DIRECTORY_SIGNATURE) > MAX_ENTRIES:
        raise rejected(f"More than {MAX_ENTRIES} entries.")


def check_symlink_target(member: str, target: str) -> None:
    if target.startswith("/"):
        raise rejected(f"Symlink '{member}' points outside the package ({target}).")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(member), target))
    if resolved == ".." or resolved.startswith("../"):
        raise rejected(f"Symlink '{member}' points outside the package ({target}).")


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
            raise rejected(f"Symlink '{member}' points outside the package ({target}).")


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
    _check_entry_count(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise invalid_parameter(UNZIP_FAILED) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise rejected(f"More than {MAX_ENTRIES} entries.")
        total = 0
        links: dict[str, str] = {}
        for info in infos:
            member = check_entry_name(info.filename)
            _check_entry_type(info)
            if info.file_size > max_unzipped or total + info.file_size > max_unzipped:
                raise invalid_parameter(f"Unzipped size must be smaller than {max_unzipped} bytes")
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
                raise rejected(f"Entry '{info.filename}' has an implausible compression ratio.")
            produced = 0
            link_target = b""
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(READ_CHUNK):
                        produced += len(chunk)
                        if total + produced > max_unzipped:
                            raise invalid_parameter(
                                f"Unzipped size must be smaller than {max_unzipped} bytes"
                            )
                        if is_symlink(info):
                            link_target += chunk
                            if len(link_target) > _MAX_LINK_TARGET:
                                raise rejected(f"Symlink '{member}' has an overlong target.")
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
            if is_symlink(info):
                links[member] = link_target.decode("utf-8", "replace")
                check_symlink_target(member, links[member])
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


def open_for_extraction(data: bytes) -> zipfile.ZipFile:
    """A stored package opened for extraction (the caller closes it), after `inspect_zip`'s
    shape checks again: a blob stored before a rule existed must fail with AWS's message, not
    crash. The extraction itself (runtime/code.py) checks each path against the disk."""
    _check_entry_count(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise rejected(f"More than {MAX_ENTRIES} entries.")
        for info in infos:
            check_entry_name(info.filename)
            _check_entry_type(info)
        links = {
            check_entry_name(info.filename): archive.read(info).decode("utf-8", "replace")
            for info in infos
            if is_symlink(info)
        }
        _check_links(links)
    except BaseException:
        archive.close()
        raise
    return archive
