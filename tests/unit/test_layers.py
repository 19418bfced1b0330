"""Layer rules without a daemon: `/opt` merging and the Extensions API."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp

from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.extensions import ExtensionsApi, extension_files
from lambdad.daemon.runtime.opt import OptDirectories
from lambdad.daemon.runtime.runtime_api import InvocationRequest, RuntimeApiServer
from lambdad.daemon.store.blobs import BlobStore
from tests.helpers import make_zip


def _store(tmp_path: Path, *zips: bytes) -> tuple[OptDirectories, list[str]]:
    import hashlib

    blobs = BlobStore(tmp_path / "blobs")
    shas = []
    for data in zips:
        sha = hashlib.sha256(data).hexdigest()
        blobs.put(sha, data)
        shas.append(sha)
    code = CodeStore(tmp_path / "code", blobs)
    return OptDirectories(tmp_path / "opt", code), shas


async def test_opt_merges_in_order_later_layers_win(tmp_path: Path) -> None:
    first = make_zip({"python/a.py": "first", "python/shared.py": "first", "bin/tool": "1"})
    second = make_zip({"python/shared.py": "second", "python/pkg/b.py": "b", "bin": ""})
    opt, shas = _store(tmp_path, first, second)
    merged = await opt.opt_dir(shas)
    assert merged is not None
    assert (merged / "python/shared.py").read_text() == "second"
    assert (merged / "python/a.py").read_text() == "first"
    assert (merged / "python/pkg/b.py").read_text() == "b"
    assert (merged / "bin").is_file()  # a file replaces the folder of an earlier layer
    reversed_dir = await opt.opt_dir(list(reversed(shas)))
    assert reversed_dir is not None and reversed_dir != merged
    assert (reversed_dir / "python/shared.py").read_text() == "first"
    # Each layer is extracted once; merging links to the extracted files.
    assert (merged / "python/a.py").stat().st_ino == (
        tmp_path / "code" / shas[0] / "python/a.py"
    ).stat().st_ino
    assert await opt.opt_dir(shas) == merged
    assert await opt.opt_dir([]) is None
    single = await opt.opt_dir(shas[:1])
    assert single == tmp_path / "code" / shas[0]


async def test_concurrent_requests_build_one_opt_dir(tmp_path: Path) -> None:
    opt, shas = _store(tmp_path, make_zip({"a": "1"}), make_zip({"b": "2"}))
    results = await asyncio.gather(*(opt.opt_dir(shas) for _ in range(8)))
    assert len(set(results)) == 1
    assert [p.name for p in (tmp_path / "opt").iterdir()] == [results[0].name]  # type: ignore[union-attr]


def test_extension_files_are_executables_in_name_order(tmp_path: Path) -> None:
    directory = tmp_path / "extensions"
    directory.mkdir()
    for name, mode in (("b", 0o755), ("a", 0o755), ("readme", 0o644)):
        (directory / name).write_text("#!/bin/sh\n")
        (directory / name).chmod(mode)
    assert [p.name for p in extension_files(tmp_path)] == ["a", "b"]
    assert extension_files(None) == []
    assert extension_files(tmp_path / "missing") == []


async def test_extensions_api_register_invoke_shutdown() -> None:
    extensions = ExtensionsApi(1, {"functionName": "f", "functionVersion": "$LATEST"})
    server = RuntimeApiServer("127.0.0.1", extensions=extensions)
    port = await server.start()
    base = f"http://127.0.0.1:{port}/2020-01-01/extension"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{base}/register", json={"events": ["INVOKE"]}) as answer:
                assert answer.status == 403
                assert (await answer.json())["errorType"] == "Extension.InvalidExtensionName"
            async with http.post(
                f"{base}/register",
                json={"events": ["INVOKE", "SHUTDOWN"]},
                headers={"Lambda-Extension-Name": "ext"},
            ) as answer:
                assert answer.status == 200
                identifier = answer.headers["Lambda-Extension-Identifier"]
                assert await answer.json() == {"functionName": "f", "functionVersion": "$LATEST"}
            async with http.get(f"{base}/event/next") as answer:
                assert (await answer.json())["errorType"] == "Extension.MissingExtensionIdentifier"
            headers = {"Lambda-Extension-Identifier": identifier}
            # The runtime's first event waits for the extension's first poll.
            server.submit(InvocationRequest("req-1", b"{}", 3, "arn:fn"))
            runtime_next = asyncio.create_task(
                http.get(f"http://127.0.0.1:{port}/2018-06-01/runtime/invocation/next")
            )
            await asyncio.sleep(0.2)
            assert not runtime_next.done()
            event_next = asyncio.create_task(http.get(f"{base}/event/next", headers=headers))
            runtime_answer = await asyncio.wait_for(runtime_next, 5)
            assert runtime_answer.headers["Lambda-Runtime-Aws-Request-Id"] == "req-1"
            event = json.loads(await (await asyncio.wait_for(event_next, 5)).read())
            assert event["eventType"] == "INVOKE" and event["requestId"] == "req-1"
            # SHUTDOWN is delivered, and shutdown() returns once the extension polls again.
            poll = asyncio.create_task(http.get(f"{base}/event/next", headers=headers))
            await asyncio.sleep(0.1)
            shutdown = asyncio.create_task(extensions.shutdown())
            event = json.loads(await (await asyncio.wait_for(poll, 5)).read())
            assert event["eventType"] == "SHUTDOWN"
            assert event["shutdownReason"] == "spindown"
            again = asyncio.create_task(http.get(f"{base}/event/next", headers=headers))
            await asyncio.wait_for(shutdown, 5)
            again.cancel()
            async with http.post(
                f"{base}/register", json={}, headers={"Lambda-Extension-Name": "late"}
            ) as answer:
                assert (await answer.json())["errorType"] == "Extension.RegistrationClosed"
    finally:
        await server.close()


async def test_extension_shutdown_waits_for_the_poll_after_shutdown_was_delivered() -> None:
    """The poll that follows INVOKE may arrive only after shutdown() started: it is the one
    that receives SHUTDOWN, so it must not count as the extension being done (it was killed
    before it could act on SHUTDOWN)."""
    extensions = ExtensionsApi(1, {"functionName": "f", "functionVersion": "$LATEST"})
    server = RuntimeApiServer("127.0.0.1", extensions=extensions)
    port = await server.start()
    base = f"http://127.0.0.1:{port}/2020-01-01/extension"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{base}/register",
                json={"events": ["SHUTDOWN"]},
                headers={"Lambda-Extension-Name": "ext"},
            ) as answer:
                headers = {
                    "Lambda-Extension-Identifier": answer.headers["Lambda-Extension-Identifier"]
                }
            shutdown = asyncio.create_task(extensions.shutdown())
            await asyncio.sleep(0)  # SHUTDOWN is queued before the extension polls
            async with http.get(f"{base}/event/next", headers=headers) as answer:
                assert (await answer.json())["eventType"] == "SHUTDOWN"
            await asyncio.sleep(0.1)
            assert not shutdown.done()  # still acting on SHUTDOWN: not killed yet
            again = asyncio.create_task(http.get(f"{base}/event/next", headers=headers))
            await asyncio.wait_for(shutdown, 5)
            again.cancel()
    finally:
        await server.close()
