"""`lambdad` command line: serve (daemon + gateway), gateway (alone) and images."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import signal
import sys
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

import structlog

from lambdad.daemon.config import Config
from lambdad.daemon.logging import configure_logging
from lambdad.daemon.runtime.docker_flags import DockerFlagsError, parse_docker_flags

log = structlog.get_logger(__name__)
T = TypeVar("T")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lambdad", description="A local AWS Lambda.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the daemon (gRPC) and the AWS REST gateway")
    serve.add_argument("--data-dir", help="state and code storage (LAMBDAD_DATA_DIR)")
    serve.add_argument("--grpc-host", help="gRPC bind address (default 127.0.0.1)")
    serve.add_argument("--grpc-port", type=int, help="gRPC port (default 50051)")
    serve.add_argument("--gateway-host", help="gateway bind address (default 127.0.0.1)")
    serve.add_argument("--gateway-port", type=int, help="gateway port (default 4566)")
    serve.add_argument("--region", help="region to emulate (default us-east-1)")
    serve.add_argument("--account-id", help="account id to emulate (default 000000000000)")
    serve.add_argument(
        "--strict",
        action="store_const",
        const=True,
        help="reject deprecated runtimes and non-ARN roles exactly as AWS does",
    )
    serve.add_argument(
        "--executor",
        choices=("auto", "docker", "process"),
        help="where functions run (default auto: Docker when an engine answers)",
    )
    serve.add_argument(
        "--idle-timeout", type=int, help="seconds a warm environment is kept (default 600)"
    )
    serve.add_argument("--no-gateway", action="store_true", help="run only the gRPC daemon")
    serve.add_argument("--metrics-host", help="Prometheus endpoint bind address (127.0.0.1)")
    serve.add_argument(
        "--metrics-port", type=int, help="Prometheus endpoint port (default 9464; 0: off)"
    )
    serve.add_argument("--log-format", choices=("auto", "json", "console"))
    serve.add_argument("--log-level", choices=("debug", "info", "warning", "error"))

    gateway = commands.add_parser("gateway", help="run the AWS REST gateway alone")
    gateway.add_argument("--daemon", required=True, help="HOST:PORT of the daemon's gRPC server")
    gateway.add_argument(
        "--daemon-tls", action="store_true", help="dial the daemon with TLS (system roots)"
    )
    gateway.add_argument("--daemon-ca-cert", help="PEM CA that signed the daemon's certificate")
    gateway.add_argument("--daemon-client-cert", help="PEM client certificate (daemon mTLS)")
    gateway.add_argument("--daemon-client-key", help="PEM key of --daemon-client-cert")
    gateway.add_argument(
        "--daemon-token", help="bearer token the daemon requires (default $LAMBDAD_GRPC_TOKEN)"
    )
    gateway.add_argument(
        "--strict",
        action="store_true",
        help="check a Role's pattern as AWS does (use with a daemon run with --strict)",
    )
    gateway.add_argument("--host", help="bind address (default 127.0.0.1)")
    gateway.add_argument("--port", type=int, help="port (default 4566)")
    gateway.add_argument("--log-format", choices=("auto", "json", "console"))
    gateway.add_argument("--log-level", choices=("debug", "info", "warning", "error"))

    logs = commands.add_parser("logs", help="print a function's logs (START/END/REPORT included)")
    logs.add_argument("function", metavar="FUNCTION", help="function name or ARN")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
    logs.add_argument(
        "--daemon", help="HOST:PORT of the daemon (LAMBDAD_GRPC_TARGET, else the configured one)"
    )

    invocations = commands.add_parser(
        "invocations", help="list a function's recent invocations, newest first"
    )
    invocations.add_argument("function", metavar="FUNCTION", help="function name or ARN")
    invocations.add_argument("--qualifier", help="only this version or alias")
    invocations.add_argument(
        "--max-items", type=int, default=0, help="at most this many (default: all kept)"
    )
    invocations.add_argument("--json", action="store_true", help="print JSON instead of a table")
    invocations.add_argument(
        "--daemon", help="HOST:PORT of the daemon (LAMBDAD_GRPC_TARGET, else the configured one)"
    )

    durable = commands.add_parser(
        "durable",
        help="durable executions: list, history, callback, stop, pause, resume, delete "
        "(the same commands as `lambdadctl durable`)",
    )
    durable.add_argument(
        "--daemon", help="HOST:PORT of the daemon (LAMBDAD_GRPC_TARGET, else the configured one)"
    )
    durable.add_argument("rest", nargs=argparse.REMAINDER, help="`lambdadctl durable` arguments")

    debug = commands.add_parser(
        "debug", help="run a function under a debugger (debugpy / node --inspect) or stop"
    )
    debug.add_argument("function", metavar="FUNCTION", help="function name or ARN")
    debug.add_argument("--port", type=int, default=5678, help="debugger port (default 5678)")
    debug.add_argument(
        "--wait", action="store_true", help="start the runtime only once a debugger attaches"
    )
    debug.add_argument("--off", action="store_true", help="turn debugging off")
    debug.add_argument(
        "--daemon", help="HOST:PORT of the daemon (LAMBDAD_GRPC_TARGET, else the configured one)"
    )

    images = commands.add_parser("images", help="build and list the offline runtime images")
    image_commands = images.add_subparsers(dest="images_command", required=True)
    build = image_commands.add_parser(
        "build", help="build runtime images from Debian packages (no registry needed)"
    )
    build.add_argument("runtimes", nargs="*", metavar="RUNTIME", help="AWS runtime ids (all)")
    build.add_argument("--force", action="store_true", help="rebuild images that exist")
    build.add_argument("--data-dir", help="where the rootfs cache lives (LAMBDAD_DATA_DIR)")
    build.add_argument("--mirror", help="Debian mirror (default http://deb.debian.org/debian)")
    build.add_argument("--log-format", choices=("auto", "json", "console"))
    build.add_argument("--log-level", choices=("debug", "info", "warning", "error"))
    image_commands.add_parser("list", help="list the local lambdad runtime images")
    return parser


async def _until_signalled(watched: Sequence[asyncio.Task[None]] = ()) -> BaseException | None:
    """Wait for SIGINT/SIGTERM; or for a `watched` task to end, whose error is returned."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    signalled = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({signalled, *watched}, return_when=asyncio.FIRST_COMPLETED)
    signalled.cancel()
    for task in watched:
        if task in done:
            error = None if task.cancelled() else task.exception()
            return error or RuntimeError("stopped serving")
    return None


async def _serve(config: Config, with_gateway: bool) -> int:
    """Serve until signalled (0), or until the gateway cannot serve (1: no half-started daemon)."""
    from lambdad.daemon.server import start_daemon

    daemon = await start_daemon(config)
    gateways: list[asyncio.Task[None]] = []
    if with_gateway:
        from lambdad.gateway.app import serve_gateway

        # Same process: the gateway's gRPC calls go through the in-process channel, which
        # saves ~0.5 ms per call over loopback HTTP/2 (`lambdad gateway` uses the network).
        channel = daemon.in_process_channel()
        gateways = [
            asyncio.create_task(
                serve_gateway(
                    config.gateway_host,
                    config.gateway_port,
                    channel,
                    daemon="in-process",
                    strict=config.strict,
                )
            )
        ]
        if daemon.function_gateway_host is not None:
            # Function containers reach the gateway where they reach the Runtime API.
            extra = serve_gateway(
                daemon.function_gateway_host,
                config.gateway_port,
                channel,
                daemon="in-process",
                strict=config.strict,
            )
            gateways.append(asyncio.create_task(_optional(extra, "gateway for functions")))
    _freeze_startup_heap()
    failed: BaseException | None = None
    try:
        # The main gateway is watched: a port in use must end the daemon, not leave it running
        # without the API its users were told about.
        failed = await _until_signalled(gateways[:1])
        if failed is not None:
            log.error("gateway not serving; stopping", error=str(failed))
    finally:
        log.info("shutting down")
        for gateway in gateways:
            gateway.cancel()
            with contextlib.suppress(BaseException):
                await gateway
        await daemon.stop()
    return 1 if failed is not None else 0


def _freeze_startup_heap() -> None:
    """Keep what startup allocated (modules, botocore's models, protobuf descriptors) out of GC.

    The daemon imports boto3, aiohttp, grpc and docker: ~100,000 long-lived objects that every
    full collection walks again. Under load a full collection ran every few seconds and took
    ~135 ms on this 2-core machine, all of it a pause of the event loop (every in-flight
    invoke's p99). Frozen objects are still freed by reference counting; only a cycle among
    them would stay, and what startup built lives as long as the process anyway.
    """
    gc.collect()
    gc.freeze()


async def _optional(server: Coroutine[Any, Any, None], what: str) -> None:
    """Run `server`; failing to listen is a warning, not the end of the daemon."""
    try:
        await server
    except OSError as error:
        log.warning(f"{what} not listening", error=str(error))


async def _gateway(host: str, port: int, args: argparse.Namespace) -> None:
    from lambdad.client import tls_credentials
    from lambdad.gateway.app import run_gateway

    credentials = None
    if args.daemon_tls or args.daemon_ca_cert or args.daemon_client_cert:
        credentials = tls_credentials(
            ca_cert=args.daemon_ca_cert,
            client_cert=args.daemon_client_cert,
            client_key=args.daemon_client_key,
        )
    token = args.daemon_token or os.environ.get("LAMBDAD_GRPC_TOKEN") or None
    task = asyncio.create_task(
        run_gateway(
            host, port, args.daemon, credentials=credentials, token=token, strict=args.strict
        )
    )
    try:
        await _until_signalled()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _images(args: argparse.Namespace) -> int:
    from lambdad.daemon.images.build import (
        DEBIAN_MIRROR,
        ImageBuildError,
        build_runtime_images,
        default_cache_dir,
        list_runtime_images,
    )

    if args.images_command == "list":
        infos = list_runtime_images()
        for info in infos:
            print(f"{info.runtime:<18} {info.tag:<34} {info.image_id}  {info.size_mb:>7} MB")
        if not infos:
            print("no runtime images: build them with `lambdad images build`", file=sys.stderr)
        return 0
    config = Config.from_env(
        data_dir=args.data_dir, log_format=args.log_format, log_level=args.log_level
    )
    configure_logging(config.log_format, config.log_level)
    try:
        results = build_runtime_images(
            args.runtimes,
            cache_dir=default_cache_dir(config.data_dir),
            force=args.force,
            mirror=args.mirror or DEBIAN_MIRROR,
        )
    except ImageBuildError as exc:
        print(f"lambdad images build: {exc}", file=sys.stderr)
        return 2
    for result in results:
        detail = f"  {result.error}" if result.error else ""
        print(f"{result.runtime:<18} {result.tag:<34} {result.status:<7}{detail}")
    return 1 if any(result.status == "failed" for result in results) else 0


def _logs(args: argparse.Namespace) -> int:
    from lambdad.client import LambdadClient, LambdadError
    from lambdad.v1.invocation_service_pb2 import StreamLogsRequest

    target = args.daemon or os.environ.get("LAMBDAD_GRPC_TARGET") or Config.from_env().grpc_target
    request = StreamLogsRequest(function_name=args.function, follow=args.follow)
    try:
        with LambdadClient.connect(target, token=Config.from_env().grpc_token) as client:
            for line in client.stream_logs(request):
                print(line.message, flush=True)
    except LambdadError as error:
        print(f"lambdad logs: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _invocations(args: argparse.Namespace) -> int:
    from google.protobuf.json_format import MessageToDict

    from lambdad.client import LambdadClient, LambdadError
    from lambdad.daemon.observability.table import invocation_table
    from lambdad.v1.invocation_service_pb2 import ListInvocationsRequest

    target = args.daemon or os.environ.get("LAMBDAD_GRPC_TARGET") or Config.from_env().grpc_target
    request = ListInvocationsRequest(
        function_name=args.function, qualifier=args.qualifier or "", max_items=args.max_items
    )
    try:
        with LambdadClient.connect(target, token=Config.from_env().grpc_token) as client:
            response = client.list_invocations(request)
    except LambdadError as error:
        print(f"lambdad invocations: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(MessageToDict(response).get("Invocations", []), indent=2))
    else:
        print(invocation_table(response.invocations))
    return 0


def _durable(args: argparse.Namespace) -> int:
    """`lambdad durable ...` is `lambdadctl durable ...` aimed at this host's daemon."""
    from lambdad.client import cli as ctl

    target = args.daemon or os.environ.get("LAMBDAD_GRPC_TARGET") or Config.from_env().grpc_target
    token = Config.from_env().grpc_token
    options = ["--target", target, *(["--token", token] if token else [])]
    return ctl.main([*options, "durable", *args.rest])


def _debug(args: argparse.Namespace) -> int:
    from lambdad.client import LambdadClient, LambdadError
    from lambdad.v1.function_service_pb2 import SetFunctionDebugRequest

    target = args.daemon or os.environ.get("LAMBDAD_GRPC_TARGET") or Config.from_env().grpc_target
    port = 0 if args.off else args.port
    request = SetFunctionDebugRequest(function_name=args.function, port=port, wait=args.wait)
    try:
        with LambdadClient.connect(target, token=Config.from_env().grpc_token) as client:
            response = client.set_function_debug(request)
    except LambdadError as error:
        print(f"lambdad debug: {error}", file=sys.stderr)
        return 1
    name = response.configuration.function_name
    if port:
        waiting = ", waiting for the debugger at start" if args.wait else ""
        print(f"{name}: debugger on 127.0.0.1:{port}{waiting}; timeout lifted")
    else:
        print(f"{name}: debugging off")
    return 0


def _run(main: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop: it takes about a quarter off a warm invoke through the gateway."""
    try:
        import uvloop
    except ImportError:  # an install without it still works, on asyncio's own loop
        return asyncio.run(main)
    return uvloop.run(main)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `lambdad` console script."""
    # gRPC's fork handlers are for children that go on using gRPC; ours only exec runtimes,
    # and the handlers now and then crashed a runtime at start (SIGSEGV in process mode).
    os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "0")
    args = _parser().parse_args(argv)
    if args.command == "images":
        return _images(args)
    if args.command == "logs":
        return _logs(args)
    if args.command == "debug":
        return _debug(args)
    if args.command == "invocations":
        return _invocations(args)
    if args.command == "durable":
        return _durable(args)
    if args.command == "serve":
        config = Config.from_env(
            data_dir=args.data_dir,
            grpc_host=args.grpc_host,
            grpc_port=args.grpc_port,
            gateway_host=args.gateway_host,
            gateway_port=args.gateway_port,
            region=args.region,
            account_id=args.account_id,
            strict=args.strict,
            executor=args.executor,
            environment_idle_timeout=args.idle_timeout,
            metrics_host=args.metrics_host,
            metrics_port=args.metrics_port,
            log_format=args.log_format,
            log_level=args.log_level,
        )
        try:
            parse_docker_flags(config.docker_flags or "")
        except DockerFlagsError as exc:
            print(f"lambdad: LAMBDAD_DOCKER_FLAGS: {exc}", file=sys.stderr)
            return 2
        configure_logging(config.log_format, config.log_level)
        return _run(_serve(config, with_gateway=not args.no_gateway))
    config = Config.from_env(
        gateway_host=args.host,
        gateway_port=args.port,
        log_format=args.log_format,
        log_level=args.log_level,
    )
    configure_logging(config.log_format, config.log_level)
    _run(_gateway(config.gateway_host, config.gateway_port, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
