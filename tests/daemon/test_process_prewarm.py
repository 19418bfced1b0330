"""Pre-started runtimes (process executor): a Python function handed a waiting interpreter runs
as in one started for it (environment, sys.path, working directory, stdin), a function whose
variables change how an interpreter starts gets a fresh one exec'd, and size 0 starts nothing.
A Node.js function handed a waiting node runs as in one started for it (environment, argv,
working directory, module resolution, init errors); one whose start differs in what node reads
at its start is not handed one.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lambdad.client import AsyncLambdadClient
from lambdad.daemon.config import Config
from lambdad.daemon.server import Daemon, start_daemon
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import layer_service_pb2 as ls
from tests.helpers import async_wait_for, make_zip
from tests.integration.support import create, invoke, wait_settled

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
DUMP = """
import os, sys

def handler(event, context):
    return {
        "env": dict(os.environ),
        "path": sys.path,
        "cwd": os.getcwd(),
        "argv": sys.argv,
        "stdin": os.readlink("/proc/self/fd/0"),
        "cmdline": open("/proc/self/cmdline", "rb").read().decode().split("\\0"),
        "tmp_is_dir": os.path.isdir(os.environ["TMPDIR"]),
    }
"""
# Differ between any two environments (names, directories, ports).
PER_ENVIRONMENT = {
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "HOME",
    "TMPDIR",
    "_X_AMZN_TRACE_ID",
    "AWS_XRAY_DAEMON_ADDRESS",
    "_AWS_XRAY_DAEMON_PORT",
}


@asynccontextmanager
async def process_daemon(data_dir: Path, size: int) -> AsyncIterator[tuple[Daemon, Any]]:
    running = await start_daemon(
        Config(
            data_dir=data_dir,
            grpc_port=0,
            metrics_port=0,
            executor="process",
            prewarmed_environments=size,
        )
    )
    try:
        async with AsyncLambdadClient.connect(f"127.0.0.1:{running.port}") as client:
            yield running, client
    finally:
        await running.stop(grace=0)


async def dump(client: Any, name: str) -> dict[str, Any]:
    response = await invoke(client, name, {})
    assert not response.function_error, response.payload
    result: dict[str, Any] = json.loads(response.payload)
    return result


def comparable(answer: Mapping[str, Any], code_dir: str) -> dict[str, Any]:
    """What must match between two environments, their own code directory written as CODE."""

    def local(text: str) -> str:
        return text.replace(code_dir, "CODE")

    return {
        "env": {k: local(v) for k, v in answer["env"].items() if k not in PER_ENVIRONMENT},
        "path": [local(p) for p in answer["path"]],
        "cwd": local(answer["cwd"]),
        "argv": answer["argv"],
        "stdin": answer["stdin"],
        "tmp_is_dir": answer["tmp_is_dir"],
    }


async def test_pooled_runtime_runs_as_a_fresh_one(tmp_path: Path) -> None:
    async with process_daemon(tmp_path / "fresh", 0) as (fresh_daemon, client):
        assert fresh_daemon.pool.prewarm is None
        await create(client, "fn", RUNTIME, "app.handler", {"app.py": DUMP})
        fresh = await dump(client, "fn")
    async with process_daemon(tmp_path / "pooled", 1) as (daemon, client):
        prewarm = daemon.pool.prewarm
        assert prewarm is not None
        # The first function of the runtime makes the pool fill for its interpreter.
        await create(client, "fn", RUNTIME, "app.handler", {"app.py": DUMP})
        await async_wait_for(lambda: prewarm.waiting == 1, timeout=60)
        pooled = await dump(client, "fn")
        assert prewarm.taken == 1
        # The waiting interpreter became the runtime itself (no exec of a new one).
        assert pooled["cmdline"][1] == "-c" and fresh["cmdline"][1:3] == ["-m", "awslambdaric"]
        assert comparable(pooled, pooled["cwd"]) == comparable(fresh, fresh["cwd"])
        # A second invoke runs warm on it; the pool refilled meanwhile.
        assert (await dump(client, "fn"))["env"]["HOME"] == pooled["env"]["HOME"]
        await async_wait_for(lambda: prewarm.waiting == 1, timeout=60)


async def test_a_startup_variable_gets_a_fresh_interpreter(tmp_path: Path) -> None:
    async with process_daemon(tmp_path / "data", 1) as (daemon, client):
        prewarm = daemon.pool.prewarm
        assert prewarm is not None
        variables = {"PYTHONDONTWRITEBYTECODE": "1", "GREETING": 'it\'s "quoted"\n'}
        await create(client, "fn", RUNTIME, "app.handler", {"app.py": DUMP}, variables=variables)
        await async_wait_for(lambda: prewarm.waiting == 1, timeout=60)
        answer = await dump(client, "fn")
        assert prewarm.taken == 1
        # Exec'd by the waiting process: a fresh interpreter, with the function's variables.
        assert answer["cmdline"][1:3] == ["-m", "awslambdaric"]
        assert answer["env"]["PYTHONDONTWRITEBYTECODE"] == "1"
        assert answer["env"]["GREETING"] == variables["GREETING"]
        assert answer["stdin"] == "/dev/null"


# --- Node.js: a waiting node becomes the runtime client in-process, or is not used at all ---
NODE_RUNTIME = "nodejs20.x"
NODE_DUMP = """
const fs = require("node:fs");
const Module = require("node:module");
const dep = require("dep");
let fromLayer;
try { fromLayer = require("fromlayer"); } catch (err) { fromLayer = err.code; }

exports.handler = async () => ({
  env: { ...process.env },
  argv: process.argv,
  argv0: process.argv0,
  execArgv: process.execArgv,
  execPath: process.execPath,
  title: process.title,
  requireCache: Object.keys(require.cache),
  // Handles open (process.stderr set up or not), the output pipe's flags (non-blocking).
  handles: process._getActiveHandles().map((handle) => handle.constructor.name),
  stdoutFlags: fs.readFileSync("/proc/self/fdinfo/1", "utf8").split("\\n")[1],
  cwd: process.cwd(),
  stdin: fs.readlinkSync("/proc/self/fd/0"),
  cmdline: fs.readFileSync("/proc/self/cmdline", "utf8").split("\\0"),
  globalPaths: Module.globalPaths,
  paths: module.paths,
  dep,
  fromLayer,
  requireMain: require.main === undefined,
  date: new Date(0).toString(),
  locale: Intl.DateTimeFormat().resolvedOptions().locale,
  tmp: require("node:os").tmpdir(),
});
"""
NODE_ESM_DUMP = """
import fs from "node:fs";
import { createRequire } from "node:module";
import dep from "dep";

const require = createRequire(import.meta.url);
let fromLayer;
try { fromLayer = require("fromlayer"); } catch (err) { fromLayer = err.code; }

export const handler = async () => ({
  env: { ...process.env },
  argv: process.argv,
  cwd: process.cwd(),
  stdin: fs.readlinkSync("/proc/self/fd/0"),
  cmdline: fs.readFileSync("/proc/self/cmdline", "utf8").split("\\0"),
  url: import.meta.url,
  dep,
  fromLayer,
  date: new Date(0).toString(),
});
"""
NODE_FILES = {
    "index.js": NODE_DUMP,
    "app.mjs": NODE_ESM_DUMP,
    "broken.js": 'throw new TypeError("no config at init");\n',
    "node_modules/dep/package.json": '{"name": "dep", "main": "main.js"}',
    "node_modules/dep/main.js": 'module.exports = "dep from the package";\n',
}
# Found through NODE_PATH only (the layer's nodejs/node_modules).
NODE_LAYER = {"nodejs/node_modules/fromlayer/index.js": 'module.exports = "from the layer";\n'}
NODE_FUNCTIONS = {"cjs": "index.handler", "esm": "app.handler", "broken": "broken.handler"}
NODE_VARIABLES = {"GREETING": 'it\'s "quoted"\n', "NODE_ENV": "production"}


async def create_node(
    client: Any,
    name: str,
    handler: str,
    layer: Mapping[str, str] | None = None,
    variables: Mapping[str, str] | None = None,
) -> None:
    """A Node.js function of `NODE_FILES`, with a layer of `layer` if given, Active."""
    layers = []
    if layer is not None:
        published = await client.publish_layer_version(
            ls.PublishLayerVersionRequest(
                layer_name=f"{name}-layer",
                content=ls.LayerVersionContentInput(zip_file=make_zip(layer)),
            )
        )
        layers.append(published.layer_version.layer_version_arn)
    await create(
        client, name, NODE_RUNTIME, handler, NODE_FILES, layers=layers, variables=variables
    )


def placeheld(answer: Any, env: Mapping[str, str], data_dir: Path) -> Any:
    """`answer` with the directories of its own environment (code, layers, home, the daemon's
    data) written as placeholders, and the variables that differ between any two environments
    left out."""
    text = json.dumps(answer)
    places = {
        "CODE": env["LAMBDA_TASK_ROOT"],
        "OPT": env.get("LD_LIBRARY_PATH", "/nowhere/lib").rsplit("/", 1)[0],
        "HOME": env["HOME"],
        "DATA": str(data_dir),
    }
    for placeholder, path in places.items():
        text = text.replace(path, placeholder)
    result = json.loads(text)
    if isinstance(result, dict) and "env" in result:
        result["env"] = {k: v for k, v in result["env"].items() if k not in PER_ENVIRONMENT}
    return result


async def one_waiting(daemon: Daemon) -> None:
    """Return once the daemon's pool holds one waiting runtime (at once without a pool)."""
    prewarm = daemon.pool.prewarm
    if prewarm is not None:
        await async_wait_for(lambda: prewarm.waiting == 1, timeout=60)


async def first_answer(client: Any, name: str) -> tuple[str, Any, bool]:
    """The first invocation of `name`: its function error, payload, and whether its REPORT
    line has an Init Duration."""
    response = await invoke(client, name, {}, log_type="Tail")
    tail = base64.b64decode(response.log_result).decode()
    report = [line for line in tail.splitlines() if line.startswith("REPORT ")]
    assert len(report) == 1, tail
    return response.function_error, json.loads(response.payload), "Init Duration:" in report[0]


async def test_pooled_node_runs_as_a_fresh_one(tmp_path: Path) -> None:
    answers: dict[str, dict[str, Any]] = {}
    failures: dict[str, tuple[str, Any, bool]] = {}
    for mode, size in (("fresh", 0), ("pooled", 1)):
        async with process_daemon(tmp_path / mode, size) as (daemon, client):
            prewarm = daemon.pool.prewarm
            for kind, handler in NODE_FUNCTIONS.items():
                await create_node(client, kind, handler, NODE_LAYER, NODE_VARIABLES)
            for kind in ("cjs", "esm"):
                # Each first invocation finds a waiting node (the first create made the pool
                # fill for it, the previous take refilled it).
                await one_waiting(daemon)
                error, answer, init_reported = await first_answer(client, kind)
                assert not error and init_reported, answer
                answers[f"{mode}-{kind}"] = answer
            await one_waiting(daemon)
            failures[mode] = await first_answer(client, "broken")
            if prewarm is not None:
                assert prewarm.taken == 3
    for kind in ("cjs", "esm"):
        fresh, pooled = answers[f"fresh-{kind}"], answers[f"pooled-{kind}"]
        # The pooled one was the waiting node, which became the runtime client in-process.
        assert fresh["cmdline"][1].endswith("/clients/node/index.mjs")
        assert pooled["cmdline"][1].endswith("/clients/node/waiting.mjs")
        assert fresh["dep"] == "dep from the package" and fresh["fromLayer"] == "from the layer"
        assert fresh["env"]["NODE_PATH"] and fresh["stdin"] == "/dev/null"
        # TZ (":UTC", as AWS sets it) is one the waiting node did not start with.
        assert fresh["env"]["TZ"] == ":UTC" and "GMT+0000" in fresh["date"]
        del fresh["cmdline"], pooled["cmdline"]
        assert placeheld(pooled, pooled["env"], tmp_path / "pooled") == placeheld(
            fresh, fresh["env"], tmp_path / "fresh"
        )
    # An init error is reported alike: the same error type and message, an ended environment.
    assert failures["pooled"] == failures["fresh"]
    assert failures["fresh"][1]["errorType"] == "Runtime.ImportModuleError"


async def test_a_node_start_that_differs_at_startup_gets_a_node_of_its_own(tmp_path: Path) -> None:
    async with process_daemon(tmp_path / "data", 1) as (daemon, client):
        prewarm = daemon.pool.prewarm
        assert prewarm is not None
        # NODE_OPTIONS is read when node starts: a waiting node is not even taken for it.
        options = {"NODE_OPTIONS": "--max-old-space-size=96", "NODE_ENV": "production"}
        await create_node(client, "options", "index.handler", variables=options)
        await async_wait_for(lambda: prewarm.waiting == 1, timeout=60)
        error, answer, init_reported = await first_answer(client, "options")
        assert not error and init_reported, answer
        assert prewarm.taken == 0
        assert answer["cmdline"][1].endswith("/clients/node/index.mjs")
        assert answer["env"]["NODE_OPTIONS"] == options["NODE_OPTIONS"]
        # Nor for a function started through a wrapper.
        wrapper = {"AWS_LAMBDA_EXEC_WRAPPER": "/usr/bin/env"}
        await create_node(client, "wrapped", "index.handler", variables=wrapper)
        error, answer, init_reported = await first_answer(client, "wrapped")
        assert not error and init_reported, answer
        assert prewarm.taken == 0 and answer["env"]["AWS_LAMBDA_EXEC_WRAPPER"] == "/usr/bin/env"
        # A layer with lib/ puts a directory on the loader's path, fixed at node's start; only
        # the start sees it: the node taken is let go, the function gets a node of its own.
        with_lib = {**NODE_LAYER, "lib/README": "libraries of the layer\n"}
        await create_node(client, "libs", "index.handler", layer=with_lib)
        error, answer, init_reported = await first_answer(client, "libs")
        assert not error and init_reported, answer
        assert prewarm.taken == 1
        assert answer["cmdline"][1].endswith("/clients/node/index.mjs")
        assert answer["fromLayer"] == "from the layer"
        assert answer["env"]["LD_LIBRARY_PATH"].endswith("/lib")
        await async_wait_for(lambda: prewarm.waiting == 1, timeout=60)
        # Its next start (an update retired its environment) does not take one again.
        await client.update_function_configuration(
            fs.UpdateFunctionConfigurationRequest(
                function_name="libs",
                environment=fpb.Environment(variables={"AGAIN": "1"}),
                update_mask={"paths": ["environment"]},
            )
        )
        await wait_settled(client, "libs")
        error, answer, init_reported = await first_answer(client, "libs")
        assert not error and init_reported and answer["env"]["AGAIN"] == "1", answer
        assert prewarm.taken == 1 and prewarm.waiting == 1
