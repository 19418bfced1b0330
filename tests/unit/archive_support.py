"""Zip builders and the malicious packages the archive tests share (unit and daemon level)."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from lambdad.daemon.domain.archives import (
    MAX_ENTRIES,
    MAX_NAME_BYTES,
    MAX_PATH_DEPTH,
    UNZIP_FAILED,
)
from tests.helpers import make_zip

SYMLINK = 0o120777 << 16
EXECUTABLE = 0o100755 << 16
PRIVATE = 0o100600 << 16
BOMB_BYTES = 300 * 1024 * 1024


@dataclass
class RawEntry:
    """One member of a hand-built zip whose headers may say anything."""

    name: str
    data: bytes  # as stored (already compressed when method is DEFLATED)
    file_size: int
    crc: int
    method: int = zipfile.ZIP_STORED
    external_attr: int = 0o100644 << 16
    offset: int | None = None  # reuse another entry's local header (overlapping entries)


def stored(name: str, content: bytes, external_attr: int = 0o100644 << 16) -> RawEntry:
    return RawEntry(name, content, len(content), zlib.crc32(content), external_attr=external_attr)


def raw_zip(entries: list[RawEntry]) -> bytes:
    """Write local headers, central directory and end record exactly as given."""
    body = io.BytesIO()
    offsets: list[int] = []
    for entry in entries:
        if entry.offset is not None:
            offsets.append(entry.offset)
            continue
        offsets.append(body.tell())
        name = entry.name.encode()
        body.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0,
                entry.method,
                0,
                0x21,
                entry.crc,
                len(entry.data),
                entry.file_size,
                len(name),
                0,
            )
        )
        body.write(name)
        body.write(entry.data)
    directory_start = body.tell()
    for entry, offset in zip(entries, offsets, strict=True):
        name = entry.name.encode()
        body.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                0x031E,
                20,
                0,
                entry.method,
                0,
                0x21,
                entry.crc,
                len(entry.data),
                entry.file_size,
                len(name),
                0,
                0,
                0,
                0,
                entry.external_attr,
                offset,
            )
        )
        body.write(name)
    directory_size = body.tell() - directory_start
    # Past 65,535 a real zip needs a zip64 record; zipfile reads the whole central
    # directory regardless of this count, so a capped (lying) count suffices here.
    count = min(len(entries), 0xFFFF)
    body.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, directory_size, directory_start, 0)
    )
    return body.getvalue()


def zip_with(*entries: tuple[str, bytes, int]) -> bytes:
    """A normal zip (zipfile-written) with explicit external attributes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content, attr in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = attr
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def zero_bomb_zip() -> tuple[bytes, int]:
    """300 MB of zeros as one raw deflate stream (about 300 KB), and its CRC."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    parts = [compressor.compress(chunk) for _ in range(BOMB_BYTES // len(chunk))]
    parts.append(compressor.flush())
    crc = 0
    for _ in range(BOMB_BYTES // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    return b"".join(parts), crc


# ------------------------------------------------ shapes a file system cannot hold
FIFO = (stat.S_IFIFO | 0o644) << 16
CHAR_DEVICE = (stat.S_IFCHR | 0o600) << 16
BLOCK_DEVICE = (stat.S_IFBLK | 0o600) << 16
SOCKET = (stat.S_IFSOCK | 0o600) << 16
DEEP_PATH = "/".join(["d"] * MAX_PATH_DEPTH) + "/app.py"  # 257 levels
LONG_PATH = "/".join(["p" * 200] * 16) + "/app.py"  # 3,223 bytes, 17 levels
LONG_NAME = "n" * (MAX_NAME_BYTES + 1)


def _quoted(name: str) -> str:
    """An entry name as refusal messages quote it (long names are cut at 200 characters)."""
    return name if len(name) <= 200 else name[:200] + "..."


def _many_entries(count: int) -> bytes:
    return raw_zip([stored(f"f{i}", b"") for i in range(count)])


def _bomb(zero_bomb: tuple[bytes, int]) -> bytes:
    compressed, crc = zero_bomb
    return raw_zip(
        [RawEntry("zeros.bin", compressed, BOMB_BYTES, crc, method=zipfile.ZIP_DEFLATED)]
    )


# (id, build(zero_bomb) -> zip, exact message)
MALICIOUS_ZIPS: list[tuple[str, Any, str]] = [
    (
        "deep-path",
        lambda _: raw_zip([stored(DEEP_PATH, b"x = 1\n")]),
        f"{UNZIP_FAILED} Entry '{_quoted(DEEP_PATH)}' is nested deeper than 256 levels.",
    ),
    (
        "1000-level-path",
        lambda _: make_zip({"/".join(["d"] * 1000) + "/app.py": "x = 1\n"}),
        f"{UNZIP_FAILED} Entry '{_quoted('d/' * 1000 + 'app.py')}' is nested deeper than "
        "256 levels.",
    ),
    (
        "long-path",
        lambda _: raw_zip([stored(LONG_PATH, b"x = 1\n")]),
        f"{UNZIP_FAILED} Entry '{_quoted(LONG_PATH)}' has a path longer than 3072 bytes.",
    ),
    (
        "long-name",
        lambda _: raw_zip([stored("lib/" + LONG_NAME, b"x = 1\n")]),
        f"{UNZIP_FAILED} Entry '{_quoted('lib/' + LONG_NAME)}' has a name component longer "
        "than 255 bytes.",
    ),
    (
        "long-utf8-name",  # 128 two-byte characters: 256 bytes
        lambda _: zip_with(("é" * 128, b"x = 1\n", 0o100644 << 16)),
        f"{UNZIP_FAILED} Entry '{'é' * 128}' has a name component longer than 255 bytes.",
    ),
    (
        "many-entries",
        lambda _: _many_entries(MAX_ENTRIES + 1),
        f"{UNZIP_FAILED} More than 100000 entries.",
    ),
    (
        "symlink-outside",
        lambda _: raw_zip([stored("app.py", b"ok"), stored("link", b"../../etc", SYMLINK)]),
        f"{UNZIP_FAILED} Symlink 'link' points outside the package (../../etc).",
    ),
    (
        "fifo",
        lambda _: raw_zip([stored("app.py", b"ok"), stored("pipe", b"", FIFO)]),
        f"{UNZIP_FAILED} Entry 'pipe' is not a regular file, directory or symlink.",
    ),
    (
        "char-device",
        lambda _: raw_zip([stored("null", b"", CHAR_DEVICE)]),
        f"{UNZIP_FAILED} Entry 'null' is not a regular file, directory or symlink.",
    ),
    (
        "block-device",
        lambda _: raw_zip([stored("sda", b"", BLOCK_DEVICE)]),
        f"{UNZIP_FAILED} Entry 'sda' is not a regular file, directory or symlink.",
    ),
    (
        "socket",
        lambda _: raw_zip([stored("sock", b"", SOCKET)]),
        f"{UNZIP_FAILED} Entry 'sock' is not a regular file, directory or symlink.",
    ),
    (
        "traversal",
        lambda _: raw_zip([stored("app.py", b"ok"), stored("lib/../../evil.py", b"owned")]),
        f"{UNZIP_FAILED} Entry 'lib/../../evil.py' escapes the package root.",
    ),
    (
        "bomb",
        _bomb,
        "Unzipped size must be smaller than 262144000 bytes",
    ),
]
