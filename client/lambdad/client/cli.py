"""``lambdadctl``: the lambdad command line, over gRPC with the typed `LambdadClient`.

Output is a table by default and JSON with ``--json`` (AWS's member names, the proto
``json_name``s, as the AWS CLI prints them). Exit status: 0 on success, 1 when an RPC failed
(``REASON: message`` on stderr) or the daemon is not SERVING (``health``), 2 on a usage
error, 3 when an invoked function returned an error (its error type on stderr).
"""

import argparse
import base64
import binascii
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import grpc
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc

from lambdad.client.client import LambdadClient, tls_credentials
from lambdad.client.errors import LambdadError
from lambdad.v1 import durable_execution_service_pb2 as durable_service
from lambdad.v1 import function_service_pb2 as function_service
from lambdad.v1 import invocation_service_pb2 as invocation_service
from lambdad.v1 import layer_service_pb2 as layer_service
from lambdad.v1 import url_service_pb2 as url_service

__all__ = ["DEFAULT_TARGET", "TARGET_ENV", "TOKEN_ENV", "main"]

#: Environment variable naming the daemon's gRPC address.
TARGET_ENV = "LAMBDAD_GRPC_TARGET"
#: Environment variable holding the bearer token (the daemon reads the same variable).
TOKEN_ENV = "LAMBDAD_GRPC_TOKEN"
#: Environment variables of the TLS options, for health checks in a container with TLS on.
CA_CERT_ENV = "LAMBDAD_GRPC_CA_CERT"
CLIENT_CERT_ENV = "LAMBDAD_GRPC_CLIENT_CERT"
CLIENT_KEY_ENV = "LAMBDAD_GRPC_CLIENT_KEY"
#: Address used when neither ``--target`` nor ``LAMBDAD_GRPC_TARGET`` is given.
DEFAULT_TARGET = "127.0.0.1:50051"
#: Seconds each control RPC may take unless ``--timeout`` says otherwise; invocations and
#: ``logs --follow`` wait as long as the function or the user does.
DEFAULT_RPC_TIMEOUT = 30.0

EXIT_RPC_FAILED = 1
EXIT_FUNCTION_ERROR = 3


@dataclass(frozen=True)
class Table:
    """Rows to print as aligned columns on a terminal."""

    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


@dataclass(frozen=True)
class Output:
    """A command's result: JSON for ``--json``, else ``table`` (JSON when it has none)."""

    document: Any
    table: Table | None = None


_Command = Callable[[LambdadClient, argparse.Namespace], "Output | int"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    command: _Command = args.command
    try:
        client = _connect(args)
    except (OSError, ValueError) as err:
        print(f"lambdadctl: {err}", file=sys.stderr)
        return 2
    try:
        with client:
            result = command(client, args)
    except LambdadError as err:
        print(f"{err.reason}: {err.message}", file=sys.stderr)
        return EXIT_RPC_FAILED
    except KeyboardInterrupt:
        return 130
    if isinstance(result, int):
        return result
    if args.json or result.table is None:
        print(json.dumps(result.document, indent=2, sort_keys=True))
    else:
        print(format_table(result.table), end="")
    return 0


def format_table(table: Table) -> str:
    """Left-aligned columns two spaces apart, headers in capitals; empty cells show ``-``."""
    cells = [[str(h).upper() for h in table.headers]]
    cells += [["-" if v is None or v == "" else str(v) for v in row] for row in table.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.headers))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells)
    return "".join(line.rstrip() + "\n" for line in lines)


def _connect(args: argparse.Namespace) -> LambdadClient:
    credentials = None
    if args.tls or args.ca_cert or args.client_cert or args.client_key:
        credentials = tls_credentials(
            ca_cert=args.ca_cert, client_cert=args.client_cert, client_key=args.client_key
        )
    options = []
    if args.tls_server_name:
        options.append(("grpc.ssl_target_name_override", args.tls_server_name))
    return LambdadClient.connect(
        args.target, credentials=credentials, token=args.token or None, options=options
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lambdadctl", description="Talk to a lambdad daemon over gRPC."
    )
    parser.add_argument(
        "--target",
        default=os.environ.get(TARGET_ENV, DEFAULT_TARGET),
        help=f"daemon address, host:port (default: ${TARGET_ENV} or {DEFAULT_TARGET})",
    )
    parser.add_argument("--tls", action="store_true", help="use TLS (implied by the cert options)")
    parser.add_argument(
        "--ca-cert",
        default=os.environ.get(CA_CERT_ENV) or None,
        help=f"PEM CA that signed the daemon's certificate (default: ${CA_CERT_ENV})",
    )
    parser.add_argument(
        "--client-cert",
        default=os.environ.get(CLIENT_CERT_ENV) or None,
        help=f"PEM client certificate for a daemon requiring mTLS (default: ${CLIENT_CERT_ENV})",
    )
    parser.add_argument(
        "--client-key",
        default=os.environ.get(CLIENT_KEY_ENV) or None,
        help=f"PEM private key of --client-cert (default: ${CLIENT_KEY_ENV})",
    )
    parser.add_argument(
        "--tls-server-name", help="name to verify in the daemon's certificate (default: the host)"
    )
    parser.add_argument(
        "--token",
        default=os.environ.get(TOKEN_ENV, ""),
        help=f"bearer token the daemon requires (default: ${TOKEN_ENV})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help=f"seconds to wait for each RPC (default: {DEFAULT_RPC_TIMEOUT:g}; invocations wait)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--request-id", help="sent as x-request-id, to find the call in logs")
    groups = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    functions = groups.add_parser("functions", help="functions and their versions")
    commands = functions.add_subparsers(title="commands", required=True, metavar="COMMAND")
    list_ = commands.add_parser("list", help="list functions, following every page")
    list_.add_argument(
        "--all-versions", action="store_true", help="include every published version"
    )
    list_.set_defaults(command=_list_functions)

    get = commands.add_parser("get", help="show a function's configuration, code and tags")
    get.add_argument("name", help="function name or ARN")
    get.add_argument("--qualifier", default="", help="version or alias")
    get.set_defaults(command=_get_function)

    invoke = commands.add_parser(
        "invoke", help="invoke a function; its response payload goes to stdout"
    )
    invoke.add_argument("name", help="function name or ARN")
    source = invoke.add_mutually_exclusive_group()
    source.add_argument("--payload", help="event as a JSON string")
    source.add_argument("--payload-file", help="file holding the event; - reads stdin")
    invoke.add_argument("--qualifier", default="", help="version or alias")
    invoke.add_argument(
        "--invocation-type",
        choices=("RequestResponse", "Event", "DryRun"),
        default="RequestResponse",
    )
    invoke.add_argument(
        "--log-tail", action="store_true", help="print the last 4 KB of the log to stderr"
    )
    invoke.set_defaults(command=_invoke)

    delete = commands.add_parser("delete", help="delete a function, or one published version")
    delete.add_argument("name", help="function name or ARN")
    delete.add_argument("--qualifier", default="", help="a published version to delete instead")
    delete.set_defaults(command=_delete_function)

    invocations = groups.add_parser("invocations", help="a function's recent invocations")
    invocations.add_argument("name", metavar="FUNCTION", help="function name or ARN")
    invocations.add_argument("--qualifier", default="", help="only this version or alias")
    invocations.add_argument("--max-items", type=int, default=0, help="newest N (default all)")
    invocations.set_defaults(command=_list_invocations)

    logs = groups.add_parser("logs", help="print a function's logs (START/END/REPORT included)")
    logs.add_argument("name", metavar="FUNCTION", help="function name or ARN")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
    logs.set_defaults(command=_logs)

    layers = groups.add_parser("layers", help="layers")
    layer_commands = layers.add_subparsers(title="commands", required=True, metavar="COMMAND")
    layers_list = layer_commands.add_parser("list", help="list layers and their latest version")
    layers_list.add_argument("--compatible-runtime", default="", help="only layers for it")
    layers_list.set_defaults(command=_list_layers)

    urls = groups.add_parser("urls", help="function URLs")
    url_commands = urls.add_subparsers(title="commands", required=True, metavar="COMMAND")
    urls_list = url_commands.add_parser("list", help="list function URL configs")
    urls_list.add_argument(
        "name", nargs="?", metavar="FUNCTION", help="one function (default: every function)"
    )
    urls_list.set_defaults(command=_list_urls)

    durable = groups.add_parser("durable", help="durable executions")
    durable_commands = durable.add_subparsers(title="commands", required=True, metavar="COMMAND")
    durable_list = durable_commands.add_parser("list", help="a function's durable executions")
    durable_list.add_argument("name", metavar="FUNCTION", help="function name or ARN")
    durable_list.add_argument("--qualifier", default="", help="only this version or alias")
    durable_list.add_argument("--status", action="append", default=[], help="RUNNING, FAILED...")
    durable_list.set_defaults(command=_durable_list)
    durable_history = durable_commands.add_parser("history", help="an execution's timeline")
    durable_history.add_argument("arn", metavar="EXECUTION_ARN")
    durable_history.add_argument("--data", action="store_true", help="include payloads")
    durable_history.set_defaults(command=_durable_history)
    durable_callback = durable_commands.add_parser("callback", help="complete a callback")
    durable_callback.add_argument("callback_id", metavar="CALLBACK_ID")
    outcome = durable_callback.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--result", help="succeed with this result (JSON text)")
    outcome.add_argument("--error", help="fail with this error message")
    outcome.add_argument("--heartbeat", action="store_true", help="send a heartbeat")
    durable_callback.set_defaults(command=_durable_callback)
    durable_stop = durable_commands.add_parser("stop", help="stop a running execution")
    durable_stop.add_argument("arn", metavar="EXECUTION_ARN")
    durable_stop.add_argument("--message", default="", help="the stop error's message")
    durable_stop.set_defaults(command=_durable_stop)
    durable_pause = durable_commands.add_parser("pause", help="pause a running execution")
    durable_pause.add_argument("arn", metavar="EXECUTION_ARN")
    durable_pause.add_argument("--reason", default="", help="recorded in the history")
    durable_pause.add_argument(
        "--keep-timeout",
        action="store_true",
        help="let the execution timeout run on while paused",
    )
    durable_pause.set_defaults(command=_durable_pause)
    durable_resume = durable_commands.add_parser("resume", help="resume a paused execution")
    durable_resume.add_argument("arn", metavar="EXECUTION_ARN")
    durable_resume.add_argument("--reason", default="", help="recorded in the history")
    durable_resume.set_defaults(command=_durable_resume)
    durable_delete = durable_commands.add_parser("delete", help="delete a closed execution")
    durable_delete.add_argument("arn", metavar="EXECUTION_ARN")
    durable_delete.set_defaults(command=_durable_delete)

    health = groups.add_parser(
        "health", help="exit 0 when the daemon is SERVING, 1 otherwise (grpc.health.v1)"
    )
    health.add_argument("--service", default="", help="one service (default: the server)")
    health.add_argument("--verbose", "-v", action="store_true", help="print the status")
    health.set_defaults(command=_health)
    return parser


def _timeout(args: argparse.Namespace) -> float:
    return args.timeout if args.timeout is not None else DEFAULT_RPC_TIMEOUT


def _pages(fetch: Callable[[str], tuple[Iterable[Message], str]]) -> list[Message]:
    """Every item of a paginated List RPC; ``fetch(token)`` returns (items, next token)."""
    items: list[Message] = []
    token = ""
    while True:
        page, next_token = fetch(token)
        items.extend(page)
        # Stop on a repeated token too: a daemon bug must not turn into an endless loop.
        if not next_token or next_token == token:
            return items
        token = next_token


def _list_functions(client: LambdadClient, args: argparse.Namespace) -> Output:
    def fetch(token: str) -> tuple[Iterable[Message], str]:
        page = client.list_functions(
            function_service.ListFunctionsRequest(
                function_version="ALL" if args.all_versions else "", page_token=token
            ),
            timeout=_timeout(args),
            request_id=args.request_id,
        )
        return page.functions, page.next_page_token

    functions = [MessageToDict(f) for f in _pages(fetch)]
    rows = [
        (
            f.get("FunctionName"),
            f.get("Version"),
            f.get("Runtime") or f.get("PackageType"),
            f.get("Handler"),
            f.get("State"),
            f.get("LastModified"),
        )
        for f in functions
    ]
    return Output(
        {"Functions": functions},
        Table(("name", "version", "runtime", "handler", "state", "last modified"), rows),
    )


# Configuration members shown by `functions get`, in this order.
_CONFIGURATION_FIELDS = (
    "FunctionName",
    "FunctionArn",
    "Version",
    "Runtime",
    "Handler",
    "PackageType",
    "State",
    "LastUpdateStatus",
    "MemorySize",
    "Timeout",
    "CodeSize",
    "CodeSha256",
    "Role",
    "Description",
    "LastModified",
)


def _get_function(client: LambdadClient, args: argparse.Namespace) -> Output:
    response = client.get_function(
        function_service.GetFunctionRequest(function_name=args.name, qualifier=args.qualifier),
        timeout=_timeout(args),
        request_id=args.request_id,
    )
    document = MessageToDict(response)
    config = document.get("Configuration", {})
    rows: list[tuple[object, object]] = [
        (field, config[field]) for field in _CONFIGURATION_FIELDS if field in config
    ]
    rows += [("Layer", layer.get("Arn")) for layer in config.get("Layers", [])]
    rows += [
        (f"Env {key}", value)
        for key, value in config.get("Environment", {}).get("Variables", {}).items()
    ]
    rows += [(f"Tag {key}", value) for key, value in document.get("Tags", {}).items()]
    return Output(document, Table(("field", "value"), rows))


def _delete_function(client: LambdadClient, args: argparse.Namespace) -> Output:
    client.delete_function(
        function_service.DeleteFunctionRequest(function_name=args.name, qualifier=args.qualifier),
        timeout=_timeout(args),
        request_id=args.request_id,
    )
    return Output({}, Table(("deleted",), [(args.name,)]))


def _read_payload(args: argparse.Namespace, stdin: IO[bytes]) -> bytes:
    if args.payload is not None:
        return args.payload.encode()
    if args.payload_file == "-":
        return stdin.read()
    if args.payload_file:
        with open(args.payload_file, "rb") as file:
            return file.read()
    return b""


def _invoke(client: LambdadClient, args: argparse.Namespace) -> int:
    try:
        payload = _read_payload(args, sys.stdin.buffer)
    except OSError as err:
        print(f"lambdadctl: {err}", file=sys.stderr)
        return 2
    response = client.invoke(
        invocation_service.InvokeRequest(
            function_name=args.name,
            qualifier=args.qualifier,
            invocation_type=args.invocation_type,
            log_type="Tail" if args.log_tail else "None",
            payload=payload,
        ),
        timeout=args.timeout,
        request_id=args.request_id,
    )
    if args.log_tail and response.log_result:
        tail = _decode_log(response.log_result)
        sys.stderr.write(tail if tail.endswith("\n") else tail + "\n")
        sys.stderr.flush()
    if args.json:
        document = MessageToDict(response)
        document["Payload"] = response.payload.decode(errors="replace")
        print(json.dumps(document, indent=2, sort_keys=True))
    elif response.payload:
        sys.stdout.buffer.write(response.payload)
        if sys.stdout.isatty():
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
    if response.function_error:
        print(f"{response.function_error}: {_error_type(response.payload)}", file=sys.stderr)
        return EXIT_FUNCTION_ERROR
    return 0


def _decode_log(log_result: str) -> str:
    try:
        return base64.b64decode(log_result).decode(errors="replace")
    except (binascii.Error, ValueError):
        return log_result


def _error_type(payload: bytes) -> str:
    """``errorType`` of a function error payload (``Unknown`` if it has none)."""
    try:
        body = json.loads(payload)
    except ValueError:
        return "Unknown"
    error_type = body.get("errorType") if isinstance(body, dict) else None
    return str(error_type) if error_type else "Unknown"


def _logs(client: LambdadClient, args: argparse.Namespace) -> int:
    request = invocation_service.StreamLogsRequest(function_name=args.name, follow=args.follow)
    # Following waits until interrupted, or for an explicit --timeout.
    timeout = args.timeout if args.follow else _timeout(args)
    for line in client.stream_logs(request, timeout=timeout, request_id=args.request_id):
        if args.json:
            print(json.dumps(MessageToDict(line), sort_keys=True), flush=True)
        else:
            print(line.message.rstrip("\n"), flush=True)
    return 0


def _list_layers(client: LambdadClient, args: argparse.Namespace) -> Output:
    def fetch(token: str) -> tuple[Iterable[Message], str]:
        page = client.list_layers(
            layer_service.ListLayersRequest(
                compatible_runtime=args.compatible_runtime, page_token=token
            ),
            timeout=_timeout(args),
            request_id=args.request_id,
        )
        return page.layers, page.next_page_token

    layers = [MessageToDict(layer) for layer in _pages(fetch)]
    rows = []
    for layer in layers:
        latest = layer.get("LatestMatchingVersion", {})
        runtimes = ",".join(latest.get("CompatibleRuntimes", []))
        description = latest.get("Description")
        rows.append((layer.get("LayerName"), latest.get("Version"), runtimes, description))
    return Output(
        {"Layers": layers}, Table(("name", "latest version", "runtimes", "description"), rows)
    )


def _list_urls(client: LambdadClient, args: argparse.Namespace) -> Output:
    names = [args.name] if args.name else _function_names(client, args)
    configs: list[dict[str, Any]] = []
    for name in names:

        def fetch(token: str, name: str = name) -> tuple[Iterable[Message], str]:
            page = client.list_function_url_configs(
                url_service.ListFunctionUrlConfigsRequest(function_name=name, page_token=token),
                timeout=_timeout(args),
                request_id=args.request_id,
            )
            return page.function_url_configs, page.next_page_token

        configs += [MessageToDict(c) for c in _pages(fetch)]
    rows = [
        (c.get("FunctionArn"), c.get("FunctionUrl"), c.get("AuthType"), c.get("InvokeMode"))
        for c in configs
    ]
    return Output(
        {"FunctionUrlConfigs": configs},
        Table(("function", "url", "auth type", "invoke mode"), rows),
    )


def _function_names(client: LambdadClient, args: argparse.Namespace) -> list[str]:
    def fetch(token: str) -> tuple[Iterable[Message], str]:
        page = client.list_functions(
            function_service.ListFunctionsRequest(page_token=token),
            timeout=_timeout(args),
            request_id=args.request_id,
        )
        return page.functions, page.next_page_token

    return [f.function_name for f in _pages(fetch)]  # type: ignore[attr-defined]


def _health(client: LambdadClient, args: argparse.Namespace) -> int:
    stub = health_pb2_grpc.HealthStub(client.channel)
    try:
        response = stub.Check(
            health_pb2.HealthCheckRequest(service=args.service), timeout=_timeout(args)
        )
    except grpc.RpcError as err:
        code = err.code() if isinstance(err, grpc.Call) else grpc.StatusCode.UNKNOWN
        print(f"{code.name}: {args.target}", file=sys.stderr)
        return 1
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    if args.verbose or args.json:
        print(json.dumps({"Status": status}) if args.json else status)
    if response.status != health_pb2.HealthCheckResponse.SERVING:
        if not args.verbose:
            print(status, file=sys.stderr)
        return 1
    return 0


def _list_invocations(client: LambdadClient, args: argparse.Namespace) -> Output:
    response = client.list_invocations(
        invocation_service.ListInvocationsRequest(
            function_name=args.name, qualifier=args.qualifier, max_items=args.max_items
        ),
        timeout=_timeout(args),
        request_id=args.request_id,
    )
    rows = [
        (
            item.request_id,
            item.executed_version or "-",
            item.invocation_type,
            _utc(item.start_time_ms),
            f"{item.duration_ms:.2f} ms",
            item.status,
            item.error_type,
        )
        for item in response.invocations
    ]
    headers = ("request id", "version", "type", "start", "duration", "status", "error")
    return Output(MessageToDict(response), Table(headers, rows))


def _durable_list(client: LambdadClient, args: argparse.Namespace) -> Output:
    items: list[Any] = []
    marker = ""
    while True:
        page = client.list_durable_executions_by_function(
            durable_service.ListDurableExecutionsByFunctionRequest(
                function_name=args.name,
                qualifier=args.qualifier or None,
                statuses=args.status,
                marker=marker or None,
            ),
            timeout=_timeout(args),
            request_id=args.request_id,
        )
        items += page.durable_executions
        marker = page.next_marker
        if not marker:
            break
    rows = [
        (
            _utc(int(e.start_timestamp * 1000)),
            _utc(int(e.end_timestamp * 1000)) if e.HasField("end_timestamp") else "",
            e.status,
            e.durable_execution_name,
            e.durable_execution_arn,
        )
        for e in items
    ]
    document = [MessageToDict(e) for e in items]
    return Output(document, Table(("started", "ended", "status", "name", "arn"), rows))


def _durable_history(client: LambdadClient, args: argparse.Namespace) -> Output:
    events: list[Any] = []
    marker = ""
    while True:
        page = client.get_durable_execution_history(
            durable_service.GetDurableExecutionHistoryRequest(
                durable_execution_arn=args.arn,
                include_execution_data=args.data,
                max_items=1000,
                marker=marker or None,
            ),
            timeout=_timeout(args),
            request_id=args.request_id,
        )
        events += page.events
        marker = page.next_marker
        if not marker:
            break
    start = events[0].event_timestamp if events else 0.0
    rows = []
    for item in events:
        details = MessageToDict(item)
        detail = details.get(f"{item.event_type}Details") or {}
        rows.append(
            (
                item.event_id,
                _utc(int(item.event_timestamp * 1000)),
                f"+{item.event_timestamp - start:.3f}s",
                item.event_type,
                item.name or item.id,
                json.dumps(detail, separators=(",", ":"))[:100] if detail else "",
            )
        )
    document = [MessageToDict(e) for e in events]
    headers = ("id", "time", "offset", "event", "operation", "details")
    return Output(document, Table(headers, rows))


def _durable_callback(client: LambdadClient, args: argparse.Namespace) -> Output:
    options = {"timeout": _timeout(args), "request_id": args.request_id}
    if args.heartbeat:
        client.send_durable_execution_callback_heartbeat(
            durable_service.SendDurableExecutionCallbackHeartbeatRequest(
                callback_id=args.callback_id
            ),
            **options,
        )
    elif args.error is not None:
        client.send_durable_execution_callback_failure(
            durable_service.SendDurableExecutionCallbackFailureRequest(
                callback_id=args.callback_id,
                error=durable_service.DurableErrorObject(error_message=args.error),
            ),
            **options,
        )
    else:
        client.send_durable_execution_callback_success(
            durable_service.SendDurableExecutionCallbackSuccessRequest(
                callback_id=args.callback_id, result=args.result.encode()
            ),
            **options,
        )
    return Output({"CallbackId": args.callback_id}, Table(("callback",), [(args.callback_id,)]))


def _durable_stop(client: LambdadClient, args: argparse.Namespace) -> Output:
    stopped = client.stop_durable_execution(
        durable_service.StopDurableExecutionRequest(
            durable_execution_arn=args.arn,
            error=durable_service.DurableErrorObject(error_message=args.message)
            if args.message
            else None,
        ),
        timeout=_timeout(args),
        request_id=args.request_id,
    )
    when = _utc(int(stopped.stop_timestamp * 1000))
    return Output(MessageToDict(stopped), Table(("stopped",), [(when,)]))


def _durable_pause(client: LambdadClient, args: argparse.Namespace) -> Output:
    client.pause_durable_execution(
        durable_service.PauseDurableExecutionRequest(
            durable_execution_arn=args.arn,
            reason=args.reason or None,
            execution_timeout_paused=not args.keep_timeout,
        ),
        timeout=_timeout(args),
        request_id=args.request_id,
    )
    return Output({"DurableExecutionArn": args.arn}, Table(("paused",), [(args.arn,)]))


def _durable_resume(client: LambdadClient, args: argparse.Namespace) -> Output:
    client.resume_durable_execution(
        durable_service.ResumeDurableExecutionRequest(
            durable_execution_arn=args.arn, reason=args.reason or None
        ),
        timeout=_timeout(args),
        request_id=args.request_id,
    )
    return Output({"DurableExecutionArn": args.arn}, Table(("resumed",), [(args.arn,)]))


def _durable_delete(client: LambdadClient, args: argparse.Namespace) -> Output:
    deleted = client.delete_durable_execution(
        durable_service.DeleteDurableExecutionRequest(durable_execution_arn=args.arn),
        timeout=_timeout(args),
        request_id=args.request_id,
    )
    when = _utc(int(deleted.deletion_request_timestamp * 1000))
    return Output(MessageToDict(deleted), Table(("deleted",), [(when,)]))


def _utc(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
