"""Hot reloading of layer content: a layer version whose content is a host directory.

A function using such a layer sees the directory at /opt, alone (mounted as it is) or merged
with a zip layer (a snapshot rebuilt on change), under both executors. After a save, the next
invoke runs the new layer code; the save -> new response latency is measured (and printed,
run with `-s -p no:xdist` to see it) but not asserted.
"""

from __future__ import annotations

import asyncio
import io
import json
import statistics
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.server import Daemon, start_daemon
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import invocation_service_pb2 as ipb
from lambdad.v1 import layer_service_pb2 as ls
from tests.helpers import async_wait_for
from tests.integration.support import wait_settled

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
PLACEHOLDER = "hot-reloading-hash-not-available"
APP = """\
import layermod

def handler(event, context):
    try:
        import zipmod
        zipped = zipmod.ZIP
    except ImportError:
        zipped = None
    return {"value": layermod.VALUE, "zip": zipped}
"""


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def _layer_dir(root: Path, value: str) -> Path:
    """A layer directory as a developer keeps it: python/layermod.py, readable by all."""
    (root / "python").mkdir(parents=True)
    for directory in (root, root / "python"):
        directory.chmod(0o755)
    _save(root, value)
    return root


def _save(layer: Path, value: str) -> None:
    module = layer / "python" / "layermod.py"
    module.write_text(f"VALUE = {value!r}\n")
    module.chmod(0o644)


async def _start(data_dir: Path, executor: str) -> Daemon:
    return await start_daemon(Config(data_dir=data_dir, grpc_port=0, executor=executor))


@pytest.fixture(params=["process", pytest.param("docker", marks=pytest.mark.docker)])
async def any_daemon(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Daemon]:
    """An in-process daemon with the executor of the test's parameter."""
    if request.param == "docker":
        request.getfixturevalue("runtime_images")
    running = await _start(tmp_path / "data", request.param)
    try:
        yield running
    finally:
        await running.stop(grace=0)


def _client(daemon: Daemon) -> AsyncLambdadClient:
    return AsyncLambdadClient.connect(f"127.0.0.1:{daemon.port}")


async def _invoke(client: AsyncLambdadClient, name: str) -> dict[str, object]:
    response = await client.invoke(ipb.InvokeRequest(function_name=name, payload=b"{}"))
    assert response.function_error == "", response.payload
    return dict(json.loads(response.payload))


async def _publish_hot(client: AsyncLambdadClient, name: str, directory: Path) -> str:
    published = await client.publish_layer_version(
        ls.PublishLayerVersionRequest(
            layer_name=name,
            content=ls.LayerVersionContentInput(s3_bucket="hot-reload", s3_key=str(directory)),
            compatible_runtimes=["python3.11"],
        )
    )
    version = published.layer_version
    assert version.content.code_sha256 == PLACEHOLDER
    assert version.content.code_size == 0
    assert version.content.location == directory.as_uri()
    return version.layer_version_arn


async def _create_function(client: AsyncLambdadClient, name: str, layers: list[str]) -> None:
    created = await client.create_function(
        fs.CreateFunctionRequest(
            function_name=name,
            runtime="python3.11",
            role=ROLE,
            handler="app.handler",
            code=fpb.FunctionCode(zip_file=_zip({"app.py": APP})),
            layers=layers,
        )
    )
    assert [layer.arn for layer in created.configuration.layers] == layers
    await wait_settled(client, name)


@pytest.mark.parametrize("mixed", [False, True], ids=["alone", "with-zip-layer"])
async def test_saved_layer_code_runs_on_next_invoke(
    any_daemon: Daemon, tmp_path: Path, mixed: bool
) -> None:
    layer = _layer_dir(tmp_path / "layer", "one")
    pool = any_daemon.pool
    async with _client(any_daemon) as client:
        layers = []
        if mixed:
            # Earlier in the list: the live layer's layermod.py must win over this one.
            zipped = await client.publish_layer_version(
                ls.PublishLayerVersionRequest(
                    layer_name="zipped",
                    content=ls.LayerVersionContentInput(
                        zip_file=_zip(
                            {
                                "python/layermod.py": "VALUE = 'zip'\n",
                                "python/zipmod.py": "ZIP = 1\n",
                            }
                        )
                    ),
                )
            )
            layers.append(zipped.layer_version.layer_version_arn)
        layers.append(await _publish_hot(client, "live", layer))
        await _create_function(client, "uses-live", layers)

        expected_zip = 1 if mixed else None
        assert await _invoke(client, "uses-live") == {"value": "one", "zip": expected_zip}
        assert await _invoke(client, "uses-live") == {"value": "one", "zip": expected_zip}

        # Invoke right after each save: the acquire-time check must already see it.
        loop = asyncio.get_running_loop()
        latencies = []
        for n in range(5):
            _save(layer, f"save-{n}")
            saved = loop.time()
            assert await _invoke(client, "uses-live") == {"value": f"save-{n}", "zip": expected_zip}
            latencies.append(loop.time() - saved)

        # Saved while idle: the watcher retires the warm environment in the background.
        assert pool.idle_count == 1
        await asyncio.sleep(0.3)  # the watcher is armed for the directory
        _save(layer, "watched")
        saved = loop.time()
        await async_wait_for(lambda: not pool.idle_count)
        retired_after = loop.time() - saved
        assert pool.idle_count == 0
        assert await _invoke(client, "uses-live") == {"value": "watched", "zip": expected_zip}
        watched_latency = loop.time() - saved

        # Churn in ignored directories does not restart the environment.
        (layer / "node_modules").mkdir()
        (layer / "node_modules" / "x.js").write_text("1")
        started = pool.environments_started
        assert (await _invoke(client, "uses-live"))["value"] == "watched"
        assert pool.environments_started == started

    print(
        f"\nlayer hot reload [{any_daemon.config.executor}, {'mixed' if mixed else 'alone'}]: "
        f"save -> new response: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms over {len(latencies)} saves; "
        f"watcher retired the idle environment after {retired_after * 1000:.0f} ms, "
        f"save -> response {watched_latency * 1000:.0f} ms"
    )


async def test_hot_layer_rows_and_functions_survive_a_restart(tmp_path: Path) -> None:
    layer = _layer_dir(tmp_path / "layer", "before")
    data_dir = tmp_path / "data"
    daemon = await _start(data_dir, "process")
    try:
        async with _client(daemon) as client:
            arn = await _publish_hot(client, "live", layer)
            await _create_function(client, "uses-live", [arn])
            assert (await _invoke(client, "uses-live"))["value"] == "before"
    finally:
        await daemon.stop(grace=0)

    _save(layer, "while-stopped")
    daemon = await _start(data_dir, "process")
    try:
        async with _client(daemon) as client:
            got = await client.get_layer_version_by_arn(ls.GetLayerVersionByArnRequest(arn=arn))
            assert got.layer_version.content.code_sha256 == PLACEHOLDER
            assert got.layer_version.content.location == layer.as_uri()
            assert (await _invoke(client, "uses-live"))["value"] == "while-stopped"
            _save(layer, "after")
            assert (await _invoke(client, "uses-live"))["value"] == "after"
    finally:
        await daemon.stop(grace=0)


async def test_hot_layer_rejects_relative_or_missing_directory(any_daemon: Daemon) -> None:
    async with _client(any_daemon) as client:
        for key in ("relative/dir", "/no/such/dir"):
            with pytest.raises(Exception, match="Hot reloading"):
                await client.publish_layer_version(
                    ls.PublishLayerVersionRequest(
                        layer_name="bad",
                        content=ls.LayerVersionContentInput(s3_bucket="hot-reload", s3_key=key),
                    )
                )
