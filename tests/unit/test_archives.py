"""Deployment packages: sizes, hashes, traversal, symlinks, bombs, odd shapes and extraction
(spec §2.3, §7), checked directly and through the intake RPCs."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import stat
import sys
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from lambdad.daemon.domain.archives import (
    MAX_ENTRIES,
    MAX_NAME_BYTES,
    MAX_PATH_BYTES,
    MAX_PATH_DEPTH,
    MAX_UNZIPPED_BYTES,
    MAX_ZIPPED_BYTES,
    UNZIP_FAILED,
    inspect_zip,
)
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.runtime.code import extract_zip
from tests.helpers import make_zip
from tests.unit.archive_support import (
    BOMB_BYTES,
    EXECUTABLE,
    MALICIOUS_ZIPS,
    PRIVATE,
    SYMLINK,
    RawEntry,
    _many_entries,
    raw_zip,
    stored,
    zero_bomb_zip,
    zip_with,
)


@pytest.fixture(scope="module")
def zero_bomb() -> tuple[bytes, int]:
    return zero_bomb_zip()


def _rejected(data: bytes, **limits: int) -> LambdaError:
    with pytest.raises(LambdaError) as caught:
        inspect_zip(data, **limits)
    return caught.value


# --------------------------------------------------------------- good packages
def test_good_zip_summary() -> None:
    data = make_zip({"app.py": "def handler(e, c):\n    return e\n", "lib/util.py": "x = 1\n"})
    summary = inspect_zip(data)
    digest = hashlib.sha256(data).digest()
    assert summary.code_sha256 == base64.b64encode(digest).decode()
    assert len(summary.code_sha256) == 44
    assert summary.sha256_hex == digest.hex()
    assert summary.size == len(data)
    assert summary.unzipped_size == len("def handler(e, c):\n    return e\n") + len("x = 1\n")
    assert summary.entries == 2


def test_different_zips_have_different_hashes() -> None:
    first = inspect_zip(make_zip({"a.py": "1"}))
    second = inspect_zip(make_zip({"a.py": "2"}))
    assert first.code_sha256 != second.code_sha256


def test_empty_but_valid_zip_accepted() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w"):
        pass
    summary = inspect_zip(buffer.getvalue())
    assert (summary.entries, summary.unzipped_size) == (0, 0)


def test_directories_and_in_root_symlink_accepted() -> None:
    data = zip_with(
        ("app.py", b"print(1)\n", 0o100644 << 16),
        ("lib/", b"", (0o40755 << 16) | 0x10),
        ("lib/current", b"../app.py", SYMLINK),
        ("lib/self", b".", SYMLINK),
        ("bin/tool", b"../lib/current", SYMLINK),
    )
    assert inspect_zip(data).entries == 5


# ---------------------------------------------------------------- not a zip
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a zip at all",
        b"PK\x03\x04" + b"\x00" * 40,
        make_zip()[:-10],  # end record cut off
        make_zip()[: len(make_zip()) // 2],
        b"\x1f\x8b\x08\x00" + bytes(100),  # gzip, not zip
    ],
    ids=["empty", "text", "bare-signature", "no-end-record", "half", "gzip"],
)
def test_not_a_zip(data: bytes) -> None:
    error = _rejected(data)
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == (
        "Could not unzip uploaded file. Please check your file, then try to upload again."
    )


def test_corrupt_compressed_data() -> None:
    content = os.urandom(4096)
    data = bytearray(zip_with(("app.py", content, 0o100644 << 16)))
    # Flip bytes in the middle of the compressed body (after the 30+6 byte local header).
    for i in range(60, 90):
        data[i] ^= 0xFF
    error = _rejected(bytes(data))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == UNZIP_FAILED


def test_wrong_crc_rejected() -> None:
    entry = stored("app.py", b"print(1)\n")
    entry.crc ^= 1
    error = _rejected(raw_zip([entry]))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == UNZIP_FAILED


# -------------------------------------------------------------------- sizes
def test_zipped_size_limit_real_50_mb() -> None:
    started = time.monotonic()
    error = _rejected(bytes(MAX_ZIPPED_BYTES + 1))
    assert time.monotonic() - started < 2
    assert error.reason == Reason.REQUEST_TOO_LARGE
    assert error.message == "Zipped size must be smaller than 52428800 bytes"


def test_zipped_size_limit_keyword() -> None:
    data = make_zip({"a.py": os.urandom(2000)})
    error = _rejected(data, max_zipped=len(data) - 1)
    assert error.reason == Reason.REQUEST_TOO_LARGE
    assert error.message == f"Zipped size must be smaller than {len(data) - 1} bytes"
    assert inspect_zip(data, max_zipped=len(data)).size == len(data)


@pytest.mark.parametrize(
    ("files", "limit", "accepted"),
    [
        ({"a": b"x" * 100}, 100, True),
        ({"a": b"x" * 101}, 100, False),
        ({"a": b"x" * 60, "b": b"y" * 40}, 100, True),
        ({"a": b"x" * 60, "b": b"y" * 41}, 100, False),
        ({f"f{i}": b"z" * 10 for i in range(11)}, 100, False),
    ],
    ids=["one-at-limit", "one-over", "two-at-limit", "two-over", "many-small-over"],
)
def test_unzipped_size_limit(files: dict[str, bytes], limit: int, accepted: bool) -> None:
    data = make_zip(files)
    if accepted:
        assert inspect_zip(data, max_unzipped=limit).unzipped_size == limit
        return
    error = _rejected(data, max_unzipped=limit)
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == f"Unzipped size must be smaller than {limit} bytes"


def test_default_unzipped_limit_is_250_mb() -> None:
    assert MAX_UNZIPPED_BYTES == 262_144_000
    assert MAX_ZIPPED_BYTES == 52_428_800


# ------------------------------------------------------------------ zip bombs
def test_zip_bomb_300_mb_rejected_fast(zero_bomb: tuple[bytes, int]) -> None:
    compressed, crc = zero_bomb
    data = raw_zip(
        [RawEntry("zeros.bin", compressed, BOMB_BYTES, crc, method=zipfile.ZIP_DEFLATED)]
    )
    assert len(data) < 1_000_000
    started = time.monotonic()
    error = _rejected(data)
    assert time.monotonic() - started < 2
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == "Unzipped size must be smaller than 262144000 bytes"


def test_zip_bomb_written_by_zipfile_streaming() -> None:
    # A bomb produced by ordinary tooling (data descriptor, sizes after the data).
    buffer = io.BytesIO()
    chunk = bytes(1 << 20)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(8):
            member.write(chunk)
    error = _rejected(buffer.getvalue(), max_unzipped=5 * len(chunk))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == f"Unzipped size must be smaller than {5 * len(chunk)} bytes"


@pytest.mark.parametrize("declared", [0, 1000, 1 << 20])
def test_zip_bomb_with_lying_sizes_never_inflates(
    zero_bomb: tuple[bytes, int], declared: int
) -> None:
    """Headers claim a small size; the stream holds 300 MB. It must not be inflated."""
    compressed, crc = zero_bomb
    data = raw_zip([RawEntry("zeros.bin", compressed, declared, crc, method=zipfile.ZIP_DEFLATED)])
    started = time.monotonic()
    error = _rejected(data, max_unzipped=2 << 20)
    assert time.monotonic() - started < 2
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message.startswith(UNZIP_FAILED)


def test_zip_bomb_with_lying_sizes_and_matching_crc_yields_only_declared_bytes(
    zero_bomb: tuple[bytes, int], tmp_path: Path
) -> None:
    """Even when the CRC fits the declared prefix, no more than the declared bytes come out."""
    compressed, _ = zero_bomb
    declared = 4096
    entry = RawEntry(
        "zeros.bin", compressed, declared, zlib.crc32(bytes(declared)), method=zipfile.ZIP_DEFLATED
    )
    data = raw_zip([entry])
    try:
        summary = inspect_zip(data, max_unzipped=1 << 20)
    except LambdaError as error:
        assert error.reason == Reason.INVALID_PARAMETER_VALUE
        return
    assert summary.unzipped_size <= declared
    extract_zip(data, tmp_path / "task")
    assert (tmp_path / "task" / "zeros.bin").stat().st_size <= declared


def test_implausible_compression_ratio_rejected() -> None:
    # About 20 bytes of deflate claiming 100 MB (within the 250 MB limit): no deflate
    # stream gets beyond ~1032:1, so the entry is crafted.
    tiny = zlib.compress(bytes(1000))[2:-4]
    data = raw_zip([RawEntry("x.bin", tiny, 100 * 1024 * 1024, 0, method=zipfile.ZIP_DEFLATED)])
    error = _rejected(data)
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message.startswith(UNZIP_FAILED)
    assert "compression ratio" in error.message


def test_overlapping_entries_bomb_rejected() -> None:
    """Many central-directory entries sharing one local header (Fifield-style)."""
    content = b"A" * 1000
    first = stored("a0", content)
    # zipfile compares the local header name with the central one, so all share "a0".
    entries = [first] + [
        RawEntry("a0", content, len(content), zlib.crc32(content), offset=0) for _ in range(49)
    ]
    error = _rejected(raw_zip(entries), max_unzipped=10_000)
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message == "Unzipped size must be smaller than 10000 bytes"


# ------------------------------------------------------------- path traversal
@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "/abs/app.py",
        "../evil.py",
        "lib/../../evil.py",
        "..",
        "..\\evil.py",
        "lib\\..\\..\\evil.py",
        "\\abs\\evil.py",
        "C:/Windows/evil.py",
        "C:\\Windows\\evil.py",
    ],
)
def test_escaping_entry_names_rejected(name: str) -> None:
    error = _rejected(raw_zip([stored("app.py", b"ok"), stored(name, b"owned")]))
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message.startswith(UNZIP_FAILED + " ")
    assert "Entry" in error.message


@pytest.mark.parametrize(
    ("member", "target"),
    [
        ("link", "/etc/passwd"),
        ("link", ".."),
        ("link", "../outside"),
        ("lib/link", "../../outside"),
        ("lib/deep/link", "../../../etc"),
        ("link", "lib/../../x"),
    ],
)
def test_symlink_pointing_outside_rejected(member: str, target: str) -> None:
    data = zip_with(("app.py", b"ok", 0o100644 << 16), (member, target.encode(), SYMLINK))
    error = _rejected(data)
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message.startswith(UNZIP_FAILED + " ")
    assert "Symlink" in error.message


def test_symlink_chain_escaping_through_another_symlink_rejected() -> None:
    """`here -> .` is fine and `up -> here/..` looks fine, but `up` resolves to the parent."""
    data = zip_with(
        ("app.py", b"ok", 0o100644 << 16),
        ("here", b".", SYMLINK),
        ("up", b"here/..", SYMLINK),
    )
    error = _rejected(data)
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message.startswith(UNZIP_FAILED)


def test_regular_file_with_dotdot_content_is_not_a_link() -> None:
    # A regular file that merely contains "../../" must not be treated as a link.
    assert inspect_zip(zip_with(("notes.txt", b"../../etc/passwd", 0o100644 << 16))).entries == 1


# ------------------------------------------------------------------ extraction
def test_extract_keeps_modes(tmp_path: Path) -> None:
    data = zip_with(
        ("bootstrap", b"#!/bin/sh\necho hi\n", EXECUTABLE),
        ("secret.txt", b"s", PRIVATE),
        ("plain.txt", b"p", 0),
        ("lib/mod.py", b"x = 1\n", 0o100644 << 16),
    )
    inspect_zip(data)
    extract_zip(data, tmp_path / "task")
    root = tmp_path / "task"
    assert stat.S_IMODE((root / "bootstrap").stat().st_mode) == 0o755
    assert os.access(root / "bootstrap", os.X_OK)
    assert stat.S_IMODE((root / "secret.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((root / "plain.txt").stat().st_mode) == 0o644
    assert not os.access(root / "plain.txt", os.X_OK)
    assert (root / "lib" / "mod.py").read_bytes() == b"x = 1\n"
    assert (root / "bootstrap").read_bytes() == b"#!/bin/sh\necho hi\n"


def test_extract_recreates_in_root_symlinks(tmp_path: Path) -> None:
    data = zip_with(
        ("app.py", b"print(1)\n", 0o100644 << 16),
        ("lib/current", b"../app.py", SYMLINK),
        ("bin/", b"", (0o40755 << 16) | 0x10),
        ("bin/run", b"../lib/current", SYMLINK),
    )
    inspect_zip(data)
    root = tmp_path / "task"
    extract_zip(data, root)
    assert (root / "lib" / "current").is_symlink()
    assert os.readlink(root / "lib" / "current") == "../app.py"
    assert (root / "bin" / "run").read_bytes() == b"print(1)\n"
    assert (root / "bin").is_dir()


def test_extract_backslash_names_become_directories(tmp_path: Path) -> None:
    data = raw_zip([stored("lib\\util.py", b"u = 1\n")])
    inspect_zip(data)
    extract_zip(data, tmp_path / "task")
    assert (tmp_path / "task" / "lib" / "util.py").read_bytes() == b"u = 1\n"


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize(
    "entries",
    [
        [stored("../evil.py", b"owned")],
        [stored("a/../../evil.py", b"owned")],
        [stored("..\\evil.py", b"owned")],
        [stored("/tmp/lambdad-test-evil.py", b"owned")],
        [stored("link", b"..", SYMLINK), stored("link/evil.py", b"owned")],
        [stored("link", b"/tmp", SYMLINK), stored("link/lambdad-test-evil.py", b"owned")],
        [
            stored("here", b".", SYMLINK),
            stored("up", b"here/..", SYMLINK),
            stored("up/evil.py", b"owned"),
        ],
        [
            stored("up", b"here/..", SYMLINK),
            stored("here", b".", SYMLINK),
            stored("up/evil.py", b"owned"),
        ],
    ],
    ids=[
        "dotdot",
        "nested-dotdot",
        "backslash",
        "absolute",
        "symlink-up",
        "symlink-absolute",
        "symlink-chain",
        "symlink-chain-reordered",
    ],
)
def test_extract_writes_nothing_outside(entries: list[RawEntry], tmp_path: Path) -> None:
    """Even without inspect_zip first, extraction refuses and leaves the outside untouched."""
    sandbox = tmp_path / "sandbox"
    root = sandbox / "task"
    sandbox.mkdir()
    before = _tree(tmp_path)
    with pytest.raises(LambdaError) as caught:
        extract_zip(raw_zip(entries), root)
    assert caught.value.reason == Reason.INVALID_PARAMETER_VALUE
    after = _tree(tmp_path)
    assert {p for p in after - before if not p.startswith("sandbox/task")} == set()
    assert not Path("/tmp/lambdad-test-evil.py").exists()
    # No symlink left inside the package may lead outside it.
    for path in root.rglob("*"):
        if path.is_symlink():
            resolved = path.resolve()
            assert resolved == root.resolve() or root.resolve() in resolved.parents, path


def test_symlink_loop_rejected() -> None:
    data = zip_with(("a", b"b", SYMLINK), ("b", b"a", SYMLINK))
    error = _rejected(data)
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message.startswith(UNZIP_FAILED)


def test_overlong_symlink_target_rejected() -> None:
    data = zip_with(("link", b"a/" * 5000, SYMLINK))
    error = _rejected(data)
    assert error.reason == Reason.INVALID_PARAMETER_VALUE
    assert error.message.startswith(UNZIP_FAILED)


def test_duplicate_symlink_entries_judged_separately() -> None:
    # The second entry with the same name replaces the first; targets are not concatenated.
    # Each of "../" and ".." is fine from d/; glued together they would leave the root.
    data = raw_zip([stored("d/link", b"../", SYMLINK), stored("d/link", b"..", SYMLINK)])
    assert inspect_zip(data).entries == 2


@pytest.mark.parametrize(
    ("build", "message"),
    [pytest.param(build, message, id=name) for name, build, message in MALICIOUS_ZIPS],
)
def test_malicious_zip_refused_with_awss_message(
    build: Any, message: str, zero_bomb: tuple[bytes, int]
) -> None:
    started = time.monotonic()
    error = _rejected(build(zero_bomb))
    assert time.monotonic() - started < 5
    assert error.reason == Reason.INVALID_PARAMETER_VALUE  # InvalidParameterValueException
    assert error.message == message


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(build, message, id=name)
        for name, build, message in MALICIOUS_ZIPS
        if name != "bomb"  # extraction trusts inspect_zip's size check (it streams)
    ],
)
def test_extraction_refuses_what_intake_refuses(
    build: Any, message: str, zero_bomb: tuple[bytes, int], tmp_path: Path
) -> None:
    """A blob stored before a rule existed fails with AWS's message, never a crash."""
    with pytest.raises(LambdaError) as caught:
        extract_zip(build(zero_bomb), tmp_path / "task")
    assert caught.value.reason == Reason.INVALID_PARAMETER_VALUE
    assert caught.value.message == message
    assert list((tmp_path / "task").iterdir()) == []


def test_shapes_at_the_limits_are_extracted(tmp_path: Path) -> None:
    at_depth = "/".join(["d"] * (MAX_PATH_DEPTH - 1)) + "/app.py"  # 256 levels
    at_length = "/".join(["p" * 254] * 12) + "/" + "q" * (MAX_PATH_BYTES - 12 * 255)
    at_name = "n" * MAX_NAME_BYTES
    data = raw_zip(
        [
            stored(at_depth, b"deep = 1\n"),
            stored(at_length, b"long = 1\n"),
            stored(at_name, b"name = 1\n"),
            stored("plain", b"", 0),  # no Unix mode at all: a regular file
        ]
    )
    assert len(at_length.encode()) == MAX_PATH_BYTES
    assert inspect_zip(data).entries == 4
    extract_zip(data, tmp_path / "task")
    assert (tmp_path / "task" / at_depth).read_bytes() == b"deep = 1\n"
    assert (tmp_path / "task" / at_length).read_bytes() == b"long = 1\n"
    assert (tmp_path / "task" / at_name).read_bytes() == b"name = 1\n"


def test_extraction_does_not_recurse_per_level(tmp_path: Path) -> None:
    """256 levels under a tight recursion limit: creating directories is a loop."""
    data = raw_zip([stored("/".join(["d"] * (MAX_PATH_DEPTH - 1)) + "/app.py", b"x = 1\n")])
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        extract_zip(data, tmp_path / "task")
    finally:
        sys.setrecursionlimit(limit)
    assert (tmp_path / "task" / ("d/" * 255) / "app.py").is_file()


def test_entry_count_is_bounded_before_parsing() -> None:
    # Central-directory records are counted in the raw bytes before zipfile builds an
    # object per entry (a 50 MB zip can declare a million).
    data = _many_entries(MAX_ENTRIES + 1)
    started = time.monotonic()
    error = _rejected(data)
    assert time.monotonic() - started < 1
    assert error.message == f"{UNZIP_FAILED} More than 100000 entries."
