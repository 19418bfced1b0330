"""Invoke rules (InvocationService) on a real FunctionRegistry and a fake executor."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lambdad.daemon.domain.event_invoke_config import EventInvokeConfigRegistry
from lambdad.daemon.domain.functions import CodeInput, FunctionRegistry, NewFunction
from lambdad.daemon.domain.model import FunctionVersion
from lambdad.daemon.domain.names import Account
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.logs import FunctionLogs
from lambdad.daemon.runtime.pool import EnvironmentPool
from lambdad.daemon.services.functions import function_registry
from lambdad.daemon.services.invocations import Invocation, InvocationService
from lambdad.daemon.store.blobs import BlobStore
from lambdad.daemon.store.event_queue import EventQueueStore
from lambdad.daemon.store.state import StateStore
from tests.helpers import async_wait_for, make_zip
from tests.unit.pool_fakes import FakeExecutor

ARN = "arn:aws:lambda:us-east-1:000000000000:function"


class HeldPreparer:
    """Keeps new functions Pending until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.release.set()

    async def prepare(self, config: FunctionVersion) -> None:
        await self.release.wait()


@dataclass
class World:
    registry: FunctionRegistry
    service: InvocationService
    preparer: HeldPreparer

    async def create(self, name: str = "f") -> None:
        await self.registry.create_function(
            NewFunction(
                function_name=name,
                role="arn:aws:iam::000000000000:role/r",
                code=CodeInput(zip_file=make_zip()),
                runtime="python3.12",
                handler="app.handler",
            )
        )
        if self.preparer.release.is_set():

            async def active() -> bool:
                return (await self.registry.get_configuration(name)).config.state == "Active"

            await async_wait_for(active)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    state = StateStore(tmp_path / "state.db")
    blobs = BlobStore(tmp_path / "blobs")
    preparer = HeldPreparer()
    registry = function_registry(
        account=Account("us-east-1", "000000000000"),
        state=state,
        blobs=blobs,
        code_fetcher=None,  # type: ignore[arg-type]
        preparer=preparer,
    )
    await registry.start()
    pool = EnvironmentPool(
        FakeExecutor(),  # type: ignore[arg-type]
        CodeStore(tmp_path / "code", blobs),
        FunctionLogs(),
        region="us-east-1",
    )
    await pool.start()
    service = InvocationService(
        registry,
        pool,
        EventInvokeConfigRegistry(account=registry.account, state=state),
        EventQueueStore(state),
        event_retry_delays=(),
    )
    await service.start()
    try:
        yield World(registry, service, preparer)
    finally:
        preparer.release.set()
        await service.stop()
        await pool.close()
        await registry.stop()
        state.close()


async def rejected(world: World, **fields: object) -> LambdaError:
    with pytest.raises(LambdaError) as caught:
        await world.service.invoke(Invocation(**{"function_name": "f", **fields}))  # type: ignore[arg-type]
    return caught.value


async def test_pending_function_is_a_conflict(world: World) -> None:
    world.preparer.release.clear()
    await world.create()
    error = await rejected(world)
    assert error.reason is Reason.RESOURCE_CONFLICT
    assert error.message == (
        "The operation cannot be performed at this time. The function is currently in the "
        "following state: Pending"
    )


@pytest.mark.parametrize(
    ("fields", "reason", "message"),
    [
        (
            {"function_name": "nope"},
            Reason.FUNCTION_NOT_FOUND,
            f"Function not found: {ARN}:nope:$LATEST",
        ),
        ({"qualifier": "7"}, Reason.FUNCTION_NOT_FOUND, f"Function not found: {ARN}:f:7"),
        ({"qualifier": "live"}, Reason.FUNCTION_NOT_FOUND, f"Function not found: {ARN}:f:live"),
        (
            {"payload": b"x" * 6_291_457},
            Reason.REQUEST_TOO_LARGE,
            "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
        ),
        (
            {"payload": b"x" * 1_048_577, "invocation_type": "Event"},
            Reason.REQUEST_TOO_LARGE,
            "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)",
        ),
        (
            {"payload": b'{"\x87'},
            Reason.INVALID_REQUEST_CONTENT,
            "Could not parse request body into json: Could not parse payload into json: "
            "Invalid UTF-8 start byte 0x87\n at [Source: REDACTED "
            "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 3]",
        ),
        (
            {"invocation_type": "Sometimes"},
            Reason.VALIDATION,
            "1 validation error detected: Value 'Sometimes' at 'invocationType' failed to "
            "satisfy constraint: Member must satisfy enum value set: "
            "[RequestResponse, Event, DryRun]",
        ),
        (
            {"log_type": "All"},
            Reason.VALIDATION,
            "1 validation error detected: Value 'All' at 'logType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [None, Tail]",
        ),
        (
            {"client_context": "not base64!"},
            Reason.INVALID_REQUEST_CONTENT,
            "Client context must be a valid Base64-encoded JSON object.",
        ),
    ],
    ids=[
        "unknown-function",
        "unknown-version",
        "unknown-alias",
        "too-large",
        "event-too-large",
        "not-utf8",
        "bad-invocation-type",
        "bad-log-type",
        "bad-client-context",
    ],
)
async def test_rejections(
    world: World, fields: dict[str, object], reason: Reason, message: str
) -> None:
    await world.create()
    error = await rejected(world, **fields)
    assert (error.reason, error.message) == (reason, message)


async def test_not_json_message(world: World) -> None:
    await world.create()
    error = await rejected(world, payload=b"{oops")
    assert error.message.startswith(
        "Could not parse request body into json: Could not parse payload into json: "
        "Unexpected character ('o' (code 111)): expected a valid value"
    )


async def test_types_and_request_id(world: World) -> None:
    await world.create()
    context = base64.b64encode(json.dumps({"custom": {}}).encode()).decode()
    ran = await world.service.invoke(
        Invocation("f", payload=b"", request_id="rid-1", client_context=context)
    )
    assert (ran.status_code, ran.request_id, ran.executed_version) == (200, "rid-1", "$LATEST")
    assert ran.result is not None and ran.result.payload == b"{}"  # empty body = {}
    dry = await world.service.invoke(Invocation("f", invocation_type="DryRun"))
    assert (dry.status_code, dry.result) == (204, None)
    queued = await world.service.invoke(Invocation("f", invocation_type="Event"))
    assert (queued.status_code, queued.result) == (202, None)


async def test_concurrency_store_and_deleted_function(world: World) -> None:
    await world.create()
    assert await world.service.get_function_concurrency("f") is None
    assert await world.service.put_function_concurrency("f", 5) == 5
    assert await world.service.get_function_concurrency(f"{ARN}:f") == 5
    details = await world.registry.get_function("f")
    assert details.reserved_concurrency == 5
    assert (await world.registry.account_settings()).unreserved_concurrency == 995
    await world.service.delete_function_concurrency("f")
    assert await world.service.get_function_concurrency("f") is None
    with pytest.raises(LambdaError) as caught:
        await world.service.put_function_concurrency("gone", 1)
    assert caught.value.message == f"Function not found: {ARN}:gone:$LATEST"
