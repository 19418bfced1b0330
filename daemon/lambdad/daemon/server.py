"""Wiring only: config -> store -> registry -> servicers; health, reflection, graceful stop."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from lambdad.client.client import channel_options
from lambdad.daemon.api.capacity_providers import CapacityProviderServicer
from lambdad.daemon.api.code_signing import CodeSigningServicer
from lambdad.daemon.api.durable import DurableExecutionServicer
from lambdad.daemon.api.event_sources import EventSourceServicer
from lambdad.daemon.api.faults import FaultInterceptor, guard_handler
from lambdad.daemon.api.function_settings import FunctionSettingsServicer
from lambdad.daemon.api.functions import FunctionServicer
from lambdad.daemon.api.invocations import InvocationServicer
from lambdad.daemon.api.layers import LayerServicer
from lambdad.daemon.api.logs import LogServicer
from lambdad.daemon.api.model_checks import ModelCheckInterceptor
from lambdad.daemon.api.resource_policies import ResourcePolicyServicer
from lambdad.daemon.api.traces import TraceServicer
from lambdad.daemon.api.urls import UrlServicer
from lambdad.daemon.codesource import S3CodeSource
from lambdad.daemon.config import Config
from lambdad.daemon.domain.capacity_providers import CapacityProviderRegistry
from lambdad.daemon.domain.code_urls import CodeUrlSigner
from lambdad.daemon.domain.event_invoke_config import EventInvokeConfigRegistry
from lambdad.daemon.domain.event_sources import EventSourceMappingRegistry
from lambdad.daemon.domain.functions import FunctionRegistry
from lambdad.daemon.domain.names import Account
from lambdad.daemon.domain.provisioned import ProvisionedConcurrency
from lambdad.daemon.domain.urls import FunctionUrlRegistry
from lambdad.daemon.images.resolve import parse_image_mapping
from lambdad.daemon.inprocess import HandlerRecorder
from lambdad.daemon.observability.history import InvocationHistory
from lambdad.daemon.observability.http import MetricsServer
from lambdad.daemon.observability.metrics import LambdadMetrics
from lambdad.daemon.observability.recorder import InvocationRecorder
from lambdad.daemon.remote_layers import UpstreamLayerSource
from lambdad.daemon.runtime.capacity import CapacityGovernor, default_limits
from lambdad.daemon.runtime.code import CodeStore
from lambdad.daemon.runtime.credentials import RoleCredentials, sts_endpoint
from lambdad.daemon.runtime.docker import DockerExecutor, daemon_id_for, select_executor
from lambdad.daemon.runtime.docker_flags import parse_docker_flags
from lambdad.daemon.runtime.environment import AwsEndpoints, ExecutionEnvironment
from lambdad.daemon.runtime.executor import Executor, RuntimeReadiness
from lambdad.daemon.runtime.hot_reload import ChangeFilter
from lambdad.daemon.runtime.logs import FunctionLogs
from lambdad.daemon.runtime.opt import OptDirectories
from lambdad.daemon.runtime.pool import DEFAULT_MAX_STARTING, EnvironmentPool
from lambdad.daemon.runtime.prewarm import PrewarmPool
from lambdad.daemon.runtime.process import ProcessExecutor
from lambdad.daemon.runtime.provisioned import ProvisionedEnvironments
from lambdad.daemon.security import BearerTokenInterceptor, server_credentials, warn_if_exposed
from lambdad.daemon.services.capacity_providers import CapacityProviderStates
from lambdad.daemon.services.code_signing import CodeSigning
from lambdad.daemon.services.destinations import DestinationSender
from lambdad.daemon.services.durable import DurableExecutions, InvokeTarget
from lambdad.daemon.services.function_settings import FunctionSettings
from lambdad.daemon.services.function_urls import FunctionUrlService
from lambdad.daemon.services.functions import function_registry, layer_registry
from lambdad.daemon.services.invocations import InvocationService
from lambdad.daemon.services.logs import FunctionLogEvents
from lambdad.daemon.services.provisioned import ProvisionedReconciler
from lambdad.daemon.services.traces import TraceQueries
from lambdad.daemon.sources.aws import AwsEventSourceProbe, SourceClients
from lambdad.daemon.sources.pollers import EventSourcePollers
from lambdad.daemon.store.blobs import BlobStore
from lambdad.daemon.store.event_queue import EventQueueStore
from lambdad.daemon.store.keys import load_or_create_key
from lambdad.daemon.store.log_events import LogEventStore
from lambdad.daemon.store.state import StateStore
from lambdad.daemon.tracing.daemon_protocol import XRayDaemonListener
from lambdad.daemon.tracing.store import TraceStore
from lambdad.daemon.vpc import Ec2VpcCheck, ec2_endpoint
from lambdad.v1 import (
    capacity_provider_service_pb2,
    capacity_provider_service_pb2_grpc,
    code_signing_service_pb2,
    code_signing_service_pb2_grpc,
    durable_execution_service_pb2,
    durable_execution_service_pb2_grpc,
    event_source_service_pb2,
    event_source_service_pb2_grpc,
    function_service_pb2,
    function_service_pb2_grpc,
    function_settings_service_pb2,
    function_settings_service_pb2_grpc,
    invocation_service_pb2,
    invocation_service_pb2_grpc,
    layer_service_pb2,
    layer_service_pb2_grpc,
    log_service_pb2,
    log_service_pb2_grpc,
    resource_policy_service_pb2,
    resource_policy_service_pb2_grpc,
    trace_service_pb2,
    trace_service_pb2_grpc,
    url_service_pb2,
    url_service_pb2_grpc,
)

log = structlog.get_logger(__name__)

# How long a stopping daemon lets running RPCs finish: short, because a SIGTERM (a container
# runtime's stop, a CI job's end) is usually followed by a SIGKILL soon after, and the
# environments still have to be removed.
STOP_GRACE_S = 2.0

SERVICE_NAMES = (
    function_service_pb2.DESCRIPTOR.services_by_name["FunctionService"].full_name,
    invocation_service_pb2.DESCRIPTOR.services_by_name["InvocationService"].full_name,
    layer_service_pb2.DESCRIPTOR.services_by_name["LayerService"].full_name,
    url_service_pb2.DESCRIPTOR.services_by_name["UrlService"].full_name,
    event_source_service_pb2.DESCRIPTOR.services_by_name["EventSourceService"].full_name,
    trace_service_pb2.DESCRIPTOR.services_by_name["TraceService"].full_name,
    code_signing_service_pb2.DESCRIPTOR.services_by_name["CodeSigningService"].full_name,
    function_settings_service_pb2.DESCRIPTOR.services_by_name["FunctionSettingsService"].full_name,
    resource_policy_service_pb2.DESCRIPTOR.services_by_name["ResourcePolicyService"].full_name,
    log_service_pb2.DESCRIPTOR.services_by_name["LogService"].full_name,
    capacity_provider_service_pb2.DESCRIPTOR.services_by_name["CapacityProviderService"].full_name,
    durable_execution_service_pb2.DESCRIPTOR.services_by_name["DurableExecutionService"].full_name,
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
    metrics: MetricsServer | None = None  # None when metrics_port is 0 or was taken
    # A second address for the gateway: the Runtime API's interface, when functions run in
    # containers that cannot reach the configured (loopback) gateway address.
    function_gateway_host: str | None = None
    # The lambdad services' handlers, for the gateway `lambdad serve` runs in this process.
    handlers: HandlerRecorder | None = None
    # The X-Ray daemon UDP listener functions send segments to, and where traces are kept.
    xray: XRayDaemonListener | None = None
    traces: TraceStore | None = None
    # Keeps the provisioned concurrency targets filled with initialized environments.
    provisioned: ProvisionedReconciler | None = None
    # Function log events as CloudWatch Logs serves them (closed after the environments).
    log_events: LogEventStore | None = None
    # Capacity providers (their Pending/Deleting transitions run until stop).
    capacity_providers: CapacityProviderStates | None = None
    # Durable executions: their timers and invocations.
    durable: DurableExecutions | None = None

    def in_process_channel(self) -> grpc.aio.Channel:
        """A channel to this daemon's services that skips the network (see inprocess.py).

        Inside the process there is nothing to authenticate: no TLS, no token check.
        """
        assert self.handlers is not None
        return self.handlers.channel()  # type: ignore[return-value]

    async def stop(self, grace: float = STOP_GRACE_S) -> None:
        """Stop accepting RPCs, let running ones finish, kill environments, then close state."""
        began = time.monotonic()
        environments = self.pool.governor.running
        phases: dict[str, float] = {}

        def phase(name: str, since: float) -> float:
            now = time.monotonic()
            phases[name] = round(now - since, 2)
            return now

        mark = began
        await self.server.stop(grace)
        mark = phase("rpcs", mark)
        if self.metrics is not None:
            await self.metrics.close()
        if self.pollers is not None:
            await self.pollers.stop()
        if self.durable is not None:
            await self.durable.stop()
        await self.invocations.stop()
        if self.provisioned is not None:
            await self.provisioned.stop()
        mark = phase("invocations", mark)
        await self.pool.close()
        phase("environments", mark)
        if self.xray is not None:
            self.xray.close()
        await self.registry.stop()
        if self.capacity_providers is not None:
            await self.capacity_providers.stop()
        if self.log_events is not None:
            await self.log_events.close()
        self.state.close()
        log.info(
            "daemon stopped",
            seconds=round(time.monotonic() - began, 2),
            phases=phases,
            environments_removed=environments,
        )


async def start_daemon(config: Config) -> Daemon:
    """Build every part from `config` and start serving gRPC."""
    # Parsed before anything starts: a bad flag is a start-up error, not a failed invoke.
    docker_flags = parse_docker_flags(config.docker_flags or "")
    tls = server_credentials(config)
    warn_if_exposed(config)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    state = StateStore(config.state_path)
    blobs = BlobStore(config.blob_dir)
    endpoints = AwsEndpoints(
        gateway_port=config.gateway_port,
        gateway_host=config.gateway_host,
        other_url=config.function_aws_endpoint_url,
        enabled=config.inject_aws_endpoints,
    )
    executor = await select_executor(
        config.executor,
        daemon_id=daemon_id_for(config.data_dir),
        process_executor=lambda: ProcessExecutor(config.data_dir, endpoints=endpoints),
        docker_network=config.docker_network,
        image_mapping=parse_image_mapping(config.runtime_images or ""),
        pull_images=config.pulls_images,
        docker_flags=docker_flags,
        endpoints=endpoints,
        data_dir=config.data_dir,
    )
    traces = TraceStore(config.xray_max_traces)
    # On the Runtime API's interface: wherever functions reach the daemon, they reach this.
    xray = XRayDaemonListener(traces, executor.runtime_api_binding().bind_host, config.xray_port)
    xray_address = await xray.start()
    code_fetcher = S3CodeSource(config.s3_endpoint_url, config.region)
    layers = layer_registry(
        account=Account(config.region, config.account_id),
        state=state,
        blobs=blobs,
        code_fetcher=code_fetcher,
        remote=UpstreamLayerSource(config.layer_upstream_endpoint_url),
        hot_reload_bucket=config.hot_reload_bucket,
    )
    registry = function_registry(
        account=Account(config.region, config.account_id),
        state=state,
        blobs=blobs,
        code_fetcher=code_fetcher,
        strict=config.strict,
        min_transition_seconds=config.transition_seconds,
        layers=layers,
        preparer=RuntimeReadiness(executor),
        image_resolver=executor if isinstance(executor, DockerExecutor) else None,
        hot_reload_bucket=config.hot_reload_bucket,
        vpc_check=vpc_check(config),
    )
    await registry.start()
    code_store = CodeStore(config.data_dir / "code", blobs)
    metrics = LambdadMetrics()
    recorder = InvocationRecorder(InvocationHistory(), metrics)
    max_environments, max_memory_mb = default_limits(
        config.max_environments, config.max_environment_memory
    )
    governor: CapacityGovernor[ExecutionEnvironment] = CapacityGovernor(
        max_environments, max_memory_mb
    )
    log.info(
        "host capacity", max_environments=max_environments, max_environment_memory_mb=max_memory_mb
    )
    log_events = LogEventStore(
        config.log_events_path,
        retention_days=config.log_retention_days,
        max_events=config.log_max_events,
    )
    await log_events.open()
    function_log_events = FunctionLogEvents(
        log_events,
        region=config.region,
        account_id=config.account_id,
        retention_days=config.log_retention_days,
    )
    prewarm: PrewarmPool[Any] | None = None
    # A burst's spares: as many as the host holds, less room for `max_parallel` environments
    # of other functions to start without reclaiming one; as many starting at once as
    # invocations may start theirs. (A burst of 100 2-second invocations needs about 50
    # environments up within its first seconds, and the engine starts 3-4 containers a second
    # here: bench/README.md.)
    max_parallel = config.max_starting_environments or DEFAULT_MAX_STARTING
    max_spares = max(0, governor.max_environments - max_parallel)
    idle_timeout_s = float(config.environment_idle_timeout)
    core = None
    if config.reserve_loop_cpu and isinstance(executor, DockerExecutor | ProcessExecutor):
        core = executor.keep_loop_cpu()
    if isinstance(executor, DockerExecutor):
        prewarm = executor.enable_prewarm(
            config.prewarmed_environments,
            governor,
            config.data_dir / "prewarm",
            idle_timeout_s=idle_timeout_s,
            start_deadline_s=float(config.environment_start_timeout),
            max_spares=max_spares,
            max_parallel=max_parallel,
        )
    elif isinstance(executor, ProcessExecutor):
        prewarm = executor.enable_prewarm(
            config.prewarmed_environments,
            governor,
            idle_timeout_s=idle_timeout_s,
            max_spares=max_spares,
            max_parallel=max_parallel,
        )
    pool = EnvironmentPool(
        executor,
        code_store,
        FunctionLogs(sink=function_log_events.ingest),
        region=config.region,
        idle_timeout_s=config.environment_idle_timeout,
        output_settle_s=executor.output_latency_s,
        opt=OptDirectories(config.data_dir / "opt", code_store),
        change_filter=ChangeFilter.parse(config.hot_reload_include, config.hot_reload_exclude),
        on_report=recorder.reported,
        xray_daemon=xray_address,
        governor=governor,
        start_deadline_s=float(config.environment_start_timeout),
        credentials=role_credentials(config),
        prewarm=prewarm,
        max_starting=config.max_starting_environments or DEFAULT_MAX_STARTING,
    )
    if core is not None:
        core.in_flight_area = pool.in_flight_area  # reserved only with invocations in parallel
    metrics.watch_environments(pool.environment_states)
    metrics.watch_capacity(governor)
    await pool.start()
    code_signing = CodeSigning(account=registry.account, state=state, resolve_name=registry.resolve)
    function_settings = FunctionSettings(
        account=registry.account, state=state, resolve_name=registry.resolve
    )
    invocations = InvocationService(
        registry,
        pool,
        EventInvokeConfigRegistry(account=registry.account, state=state),
        EventQueueStore(state),
        event_retry_delays=config.retry_delays,
        event_workers=config.event_workers,
        destinations=DestinationSender(),
        recorder=recorder,
        traces=traces,
        metrics=metrics,
        recursion_setting=function_settings.recursion_setting,
    )
    await invocations.start()
    durable = DurableExecutions(
        state,
        InvokeTarget(
            run_durable=invocations.run_durable,
            run_plain=invocations.run_plain,
            resolve=invocations.resolve_target,
        ),
        time_scale=config.durable_time_scale,
    )
    invocations.durable = durable
    await durable.start()
    provisioned = ProvisionedConcurrency(registry, state, ProvisionedEnvironments(pool))
    provisioned_reconciler = ProvisionedReconciler(provisioned, registry)
    await provisioned_reconciler.start()  # starts the stored configurations' environments again

    # Same limits as lambdad's clients: ~70 MB CreateFunction messages, long error trailers.
    interceptors: list[grpc.aio.ServerInterceptor] = []
    if config.grpc_token:
        interceptors.append(BearerTokenInterceptor(config.grpc_token))
    # Any handler's unexpected exception becomes a ServiceException (api/faults.py).
    interceptors.append(FaultInterceptor())
    # gRPC callers get the model's checks in the gateway's words (api/model_checks.py).
    interceptors.append(ModelCheckInterceptor(strict=config.strict))
    server = grpc.aio.server(options=channel_options(), interceptors=interceptors)
    # Registered through the recorder so the embedded gateway can call them in process; the
    # in-process channel skips the server's interceptors, so it guards the handlers itself.
    handlers = HandlerRecorder(server, guard=guard_handler)
    code_urls = CodeUrlSigner(load_or_create_key(config.code_url_key_path))
    function_service_pb2_grpc.add_FunctionServiceServicer_to_server(
        FunctionServicer(
            registry,
            blobs,
            code_urls,
            code_signing=code_signing,
            pinned_runtime=function_settings.pinned_runtime_version,
        ),
        handlers,
    )
    layer_service_pb2_grpc.add_LayerServiceServicer_to_server(
        LayerServicer(layers, code_urls), handlers
    )
    invocation_service_pb2_grpc.add_InvocationServiceServicer_to_server(
        InvocationServicer(invocations, provisioned), handlers
    )
    durable_execution_service_pb2_grpc.add_DurableExecutionServiceServicer_to_server(
        DurableExecutionServicer(durable, registry), handlers
    )
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(
        TraceServicer(TraceQueries(traces)), handlers
    )
    log_service_pb2_grpc.add_LogServiceServicer_to_server(
        LogServicer(function_log_events), handlers
    )
    function_urls = FunctionUrlRegistry(
        functions=registry,
        url_host=config.url_host,
        url_style=config.url_style,
        url_port=config.url_port or config.gateway_port,
        credentials=config.credentials,
        strict=config.strict,
        require_invoke_function=config.url_require_invoke_function,
    )
    resource_policy_service_pb2_grpc.add_ResourcePolicyServiceServicer_to_server(
        ResourcePolicyServicer(function_urls), handlers
    )
    code_signing_service_pb2_grpc.add_CodeSigningServiceServicer_to_server(
        CodeSigningServicer(code_signing), handlers
    )
    function_settings_service_pb2_grpc.add_FunctionSettingsServiceServicer_to_server(
        FunctionSettingsServicer(function_settings), handlers
    )
    url_service_pb2_grpc.add_UrlServiceServicer_to_server(
        UrlServicer(function_urls, FunctionUrlService(function_urls, invocations)), handlers
    )
    source_clients = SourceClients()
    event_sources = EventSourceMappingRegistry(
        account=registry.account, state=state, probe=AwsEventSourceProbe(source_clients)
    )
    pollers = EventSourcePollers(event_sources, invocations, source_clients)
    await pollers.start()
    event_source_service_pb2_grpc.add_EventSourceServiceServicer_to_server(
        EventSourceServicer(event_sources), handlers
    )
    capacity_providers = CapacityProviderStates(state)
    await capacity_providers.start()
    capacity_provider_service_pb2_grpc.add_CapacityProviderServiceServicer_to_server(
        CapacityProviderServicer(
            CapacityProviderRegistry(
                account=registry.account, state=state, transitions=capacity_providers
            )
        ),
        handlers,
    )
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    address = f"{config.grpc_host}:{config.grpc_port}"
    if tls is None:
        port = server.add_insecure_port(address)
    else:
        port = server.add_secure_port(address, tls)
    await server.start()
    for name in ("", *SERVICE_NAMES):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    metrics_server = await _serve_metrics(metrics, config)
    log.info(
        "daemon serving",
        grpc=f"{config.grpc_host}:{port}",
        data_dir=str(config.data_dir),
        region=config.region,
        strict=config.strict,
        executor=executor.name,
    )
    return Daemon(
        config,
        server,
        state,
        registry,
        port,
        invocations,
        pool,
        pollers,
        metrics=metrics_server,
        function_gateway_host=_function_gateway_host(config, executor),
        handlers=handlers,
        xray=xray,
        traces=traces,
        provisioned=provisioned_reconciler,
        log_events=log_events,
        capacity_providers=capacity_providers,
        durable=durable,
    )


def vpc_check(config: Config) -> Ec2VpcCheck | None:
    """Strict mode asks an EC2 endpoint, when one is configured, about VpcConfig's ids."""
    endpoint = ec2_endpoint()
    return Ec2VpcCheck(endpoint, config.region) if config.strict and endpoint else None


def role_credentials(config: Config) -> RoleCredentials | None:
    """AssumeRole of execution roles, when an STS endpoint is configured."""
    endpoint = sts_endpoint(config.sts_endpoint_url)
    return RoleCredentials(endpoint, config.region) if endpoint else None


def _function_gateway_host(config: Config, executor: Executor) -> str | None:
    """The Runtime API's interface if containers cannot reach the gateway's own address."""
    anywhere = {"", "0.0.0.0", "::"}
    bind_host = executor.runtime_api_binding().bind_host
    if not isinstance(executor, DockerExecutor) or not config.inject_aws_endpoints:
        return None
    if config.gateway_host in anywhere or bind_host in anywhere | {config.gateway_host}:
        return None
    return bind_host


async def _serve_metrics(metrics: LambdadMetrics, config: Config) -> MetricsServer | None:
    """Start the Prometheus endpoint; a taken port costs the metrics, not the daemon."""
    if not config.metrics_port:
        return None
    server = MetricsServer(metrics, config.metrics_host, config.metrics_port)
    try:
        port = await server.start()
    except OSError as error:
        log.warning(
            "metrics endpoint not started",
            address=f"{config.metrics_host}:{config.metrics_port}",
            error=str(error),
        )
        return None
    log.info("metrics serving", metrics=f"http://{config.metrics_host}:{port}/metrics")
    return server
