"""Wiring only: config -> store -> registry -> servicers; health, reflection, graceful stop."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from lambdad.client.client import channel_options
from lambdad.daemon.api.event_sources import EventSourceServicer
from lambdad.daemon.api.functions import FunctionServicer
from lambdad.daemon.api.invocations import InvocationServicer
from lambdad.daemon.api.layers import LayerServicer
from lambdad.daemon.api.urls import UrlServicer
from lambdad.daemon.codesource import S3CodeSource
from lambdad.daemon.config import Config
from lambdad.daemon.domain.code_urls import CodeUrlSigner
from lambdad.daemon.domain.event_invoke_config import EventInvokeConfigRegistry
from lambdad.daemon.domain.event_sources import EventSourceMappingRegistry
from lambdad.daemon.domain.functions import FunctionRegistry
from lambdad.daemon.domain.invocations import InvocationService
from lambdad.daemon.domain.layers import LayerRegistry
from lambdad.daemon.domain.names import Account
from lambdad.daemon.domain.urls import FunctionUrlRegistry
from lambdad.daemon.images.resolve import parse_image_mapping
from lambdad.daemon.remote_layers import UpstreamLayerSource
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.docker import DockerExecutor, daemon_id_for, select_executor
from lambdad.daemon.runtime.docker_flags import parse_docker_flags
from lambdad.daemon.runtime.executor import RuntimeReadiness
from lambdad.daemon.runtime.hot_reload import ChangeFilter
from lambdad.daemon.runtime.logs import FunctionLogs
from lambdad.daemon.runtime.opt import OptDirectories
from lambdad.daemon.runtime.pool import EnvironmentPool
from lambdad.daemon.runtime.process import ProcessExecutor
from lambdad.daemon.sources.aws import AwsEventSourceProbe, SourceClients
from lambdad.daemon.sources.pollers import EventSourcePollers
from lambdad.daemon.store.blobs import BlobStore
from lambdad.daemon.store.state import StateStore
from lambdad.v1 import (
    event_source_service_pb2,
    event_source_service_pb2_grpc,
    function_service_pb2,
    function_service_pb2_grpc,
    invocation_service_pb2,
    invocation_service_pb2_grpc,
    layer_service_pb2,
    layer_service_pb2_grpc,
    url_service_pb2,
    url_service_pb2_grpc,
)

log = structlog.get_logger(__name__)

SERVICE_NAMES = (
    function_service_pb2.DESCRIPTOR.services_by_name["FunctionService"].full_name,
    invocation_service_pb2.DESCRIPTOR.services_by_name["InvocationService"].full_name,
    layer_service_pb2.DESCRIPTOR.services_by_name["LayerService"].full_name,
    url_service_pb2.DESCRIPTOR.services_by_name["UrlService"].full_name,
    event_source_service_pb2.DESCRIPTOR.services_by_name["EventSourceService"].full_name,
)


@dataclass
class Daemon:
    """A running daemon: its gRPC server and the parts it owns."""

    config: Config
    server: grpc.aio.Server
    state: StateStore
    registry: FunctionRegistry
    port: int
    invocations: InvocationService
    pool: EnvironmentPool
    pollers: EventSourcePollers | None = None

    async def stop(self, grace: float = 5.0) -> None:
        """Stop accepting RPCs, let running ones finish, kill environments, then close state."""
        await self.server.stop(grace)
        if self.pollers is not None:
            await self.pollers.stop()
        await self.invocations.stop()
        await self.pool.close()
        await self.registry.stop()
        self.state.close()
        log.info("daemon stopped")


async def start_daemon(config: Config) -> Daemon:
    """Build every part from `config` and start serving gRPC."""
    # Parsed before anything starts: a bad flag is a start-up error, not a failed invoke.
    docker_flags = parse_docker_flags(config.docker_flags or "")
    config.data_dir.mkdir(parents=True, exist_ok=True)
    state = StateStore(config.state_path)
    blobs = BlobStore(config.blob_dir)
    executor = await select_executor(
        config.executor,
        daemon_id=daemon_id_for(config.data_dir),
        process_executor=lambda: ProcessExecutor(config.data_dir),
        docker_network=config.docker_network,
        image_mapping=parse_image_mapping(config.runtime_images or ""),
        docker_flags=docker_flags,
    )
    code_fetcher = S3CodeSource(config.s3_endpoint_url, config.region)
    layers = LayerRegistry(
        account=Account(config.region, config.account_id),
        state=state,
        blobs=blobs,
        code_fetcher=code_fetcher,
        remote=UpstreamLayerSource(config.layer_upstream_endpoint_url),
    )
    registry = FunctionRegistry(
        account=Account(config.region, config.account_id),
        state=state,
        blobs=blobs,
        code_fetcher=code_fetcher,
        strict=config.strict,
        layers=layers,
        preparer=RuntimeReadiness(executor),
        image_resolver=executor if isinstance(executor, DockerExecutor) else None,
        hot_reload_bucket=config.hot_reload_bucket,
    )
    await registry.start()
    code_store = CodeStore(config.data_dir / "code", blobs)
    pool = EnvironmentPool(
        executor,
        code_store,
        FunctionLogs(),
        region=config.region,
        idle_timeout_s=config.environment_idle_timeout,
        output_settle_s=executor.output_latency_s,
        opt=OptDirectories(config.data_dir / "opt", code_store),
        change_filter=ChangeFilter.parse(config.hot_reload_include, config.hot_reload_exclude),
    )
    await pool.start()
    invocations = InvocationService(
        registry, pool, EventInvokeConfigRegistry(account=registry.account, state=state)
    )
    await invocations.start()

    # Same limits as lambdad's clients: ~70 MB CreateFunction messages, long error trailers.
    server = grpc.aio.server(options=channel_options())
    code_urls = CodeUrlSigner.from_key_file(config.data_dir / "code-url.key")
    function_service_pb2_grpc.add_FunctionServiceServicer_to_server(
        FunctionServicer(registry, blobs, code_urls), server
    )
    layer_service_pb2_grpc.add_LayerServiceServicer_to_server(
        LayerServicer(layers, code_urls), server
    )
    invocation_service_pb2_grpc.add_InvocationServiceServicer_to_server(
        InvocationServicer(invocations), server
    )
    url_service_pb2_grpc.add_UrlServiceServicer_to_server(
        UrlServicer(
            FunctionUrlRegistry(
                functions=registry,
                url_host=config.url_host,
                url_port=config.url_port or config.gateway_port,
                credentials=config.credentials,
                strict=config.strict,
                require_invoke_function=config.url_require_invoke_function,
            )
        ),
        server,
    )
    source_clients = SourceClients()
    event_sources = EventSourceMappingRegistry(
        account=registry.account, state=state, probe=AwsEventSourceProbe(source_clients)
    )
    pollers = EventSourcePollers(event_sources, invocations, source_clients)
    await pollers.start()
    event_source_service_pb2_grpc.add_EventSourceServiceServicer_to_server(
        EventSourceServicer(event_sources), server
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
        executor=executor.name,
    )
    return Daemon(config, server, state, registry, port, invocations, pool, pollers)
