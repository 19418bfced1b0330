"""Helpers shared by the integration tests (in-process daemons, typed clients)."""

from __future__ import annotations

import asyncio

from lambdad.client import AsyncLambdadClient
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as fs


async def wait_settled(client: AsyncLambdadClient, name: str) -> fpb.FunctionConfiguration:
    """The function's configuration once it is Active (or Failed) and no update is running."""
    for _ in range(1200):
        got = await client.get_function_configuration(
            fs.GetFunctionConfigurationRequest(function_name=name)
        )
        config = got.configuration
        if config.state in {"Active", "Failed"} and config.last_update_status != "InProgress":
            return config
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} never settled")
