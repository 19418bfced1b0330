"""Wiring only: config -> store -> registry -> servicers; health, reflection, graceful stop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from lambdad.daemon.api.functions import FunctionServicer
from lambdad.daemon.codesource import S3CodeSource
from lambdad.daemon.config import Config
from lambdad.daemon.domain.functions import FunctionRegistry
from lambdad.daemon.domain.names import Account
from lambdad.daemon.store.blobs import BlobStore
from lambdad.daemon.store.state import StateStore
from lambdad.v1 import function_service_pb2, function_service_pb2_grpc

log = structlog.get_logger(__name__)

SERVICE_NAMES = (function_service_pb2.DESCRIPTOR.services_by_name["FunctionService"].full_name,)


@dataclass
class Daemon:
    """A running daemon: its gRPC server and the parts it owns."""

    config: Config
    server: grpc.aio.Server
    state: StateStore
    registry: FunctionRegistry
    port: int

    async def stop(self, grace: float = 5.0) -> None:
        """Stop accepting RPCs, let running ones finish, then close state."""
        await self.server.stop(grace)
        await self.registry.stop()
        self.state.close()
        log.info("daemon stopped")


async def start_daemon(config: Config) -> Daemon:
    """Build every part from `config` and start serving gRPC."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    state = StateStore(config.state_path)
    blobs = BlobStore(config.blob_dir)
    registry = FunctionRegistry(
        account=Account(config.region, config.account_id),
        state=state,
        blobs=blobs,
        code_fetcher=S3CodeSource(config.s3_endpoint_url, config.region),
        strict=config.strict,
    )
    await registry.start()

    server = grpc.aio.server(
        options=[
            # CreateFunction carries up to ~70 MB of base64 zip through the gateway.
            ("grpc.max_receive_message_length", 80 * 1024 * 1024),
            ("grpc.max_send_message_length", 80 * 1024 * 1024),
        ]
    )
    function_service_pb2_grpc.add_FunctionServiceServicer_to_server(
        FunctionServicer(registry), server
    )
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    port = server.add_insecure_port(f"{config.grpc_host}:{config.grpc_port}")
    await server.start()
    for name in ("", *SERVICE_NAMES):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info(
        "daemon serving",
        grpc=f"{config.grpc_host}:{port}",
        data_dir=str(config.data_dir),
        region=config.region,
        strict=config.strict,
    )
    return Daemon(config, server, state, registry, port)


async def serve_forever(daemon: Daemon, stop: asyncio.Event) -> None:
    """Serve until `stop` is set, then shut down gracefully."""
    await stop.wait()
    await daemon.stop()
