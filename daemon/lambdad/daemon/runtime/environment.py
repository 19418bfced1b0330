"""`ExecutionEnvironment`: one runtime process, its Runtime API, and its invocations.

An environment runs one invocation at a time. It starts on its first
invocation, or ahead of it (`warm_up`); its first invocation reports the init (a cold
start: Init Duration in REPORT, the init output), and it is broken -- never
reused -- once its process died, timed out or failed init. Failures come back
as AWS reports them: the runtime's own error body, `Sandbox.Timedout`,
`Runtime.ExitError`, `Runtime.OutOfMemory`, `Function.ResponseSizeTooLarge`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import math
import secrets
import signal
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from lambdad.daemon.domain.model import FunctionVersion
from lambdad.daemon.runtime.executor import (
    LABEL_ENVIRONMENT,
    LABEL_FUNCTION,
    LABEL_MANAGED,
    LABEL_VERSION,
    EnvironmentSpec,
    EnvironmentStartTimeout,
    Executor,
    RuntimeProcess,
    RuntimeStartError,
)
from lambdad.daemon.runtime.extensions import ExtensionsApi, extension_files
from lambdad.daemon.runtime.logs import FunctionLogs, LogLine
from lambdad.daemon.runtime.peers import ConnectionOwner
from lambdad.daemon.runtime.runtime_api import (
    InvocationRequest,
    ResponseStream,
    RuntimeApiServer,
)
from lambdad.daemon.tracing.daemon_protocol import DaemonAddress
from lambdad.daemon.tracing.segments import Span

log = structlog.get_logger(__name__)

LOG_TAIL_BYTES = 4096
# Init has its own budget in AWS (10 s), on top of the function's timeout.
INIT_TIMEOUT_S = 10.0
# How long the executor may take to create and start the runtime process (a container under a
# loaded engine can take seconds; one that takes this long is considered stuck).
START_DEADLINE_S = 30.0
UNHANDLED = "Unhandled"
# How many quiet-output checks an invocation of a multi-concurrency environment waits at
# most before its log is framed (others may never let the output go quiet).
MAX_SETTLE_ROUNDS = 20
# Go's names for signals, as AWS prints them ("signal: killed").
_SIGNAL_NAMES = {
    signal.SIGKILL: "killed",
    signal.SIGTERM: "terminated",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted",
    signal.SIGINT: "interrupt",
    signal.SIGBUS: "bus error",
    signal.SIGILL: "illegal instruction",
    signal.SIGFPE: "floating point exception",
}


def reserved_variables(config: FunctionVersion, *, region: str, log_stream: str) -> dict[str, str]:
    """The function's variables plus the reserved ones of an AWS execution environment."""
    runtime = config.runtime or ""
    variables = dict(config.environment)
    variables.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": config.name,
            "AWS_LAMBDA_FUNCTION_VERSION": config.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": config.logging_config.get(
                "LogGroup", f"/aws/lambda/{config.name}"
            ),
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "LAMBDA_TASK_ROOT": "/var/task",
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "TZ": ":UTC",
            # Placeholder credentials: SDKs inside the function need some to sign with.
            "AWS_ACCESS_KEY_ID": "lambdad",
            "AWS_SECRET_ACCESS_KEY": "lambdad",
            "AWS_SESSION_TOKEN": "lambdad",
        }
    )
    if config.handler:
        variables["_HANDLER"] = config.handler
    if runtime and not runtime.startswith("provided"):
        variables["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{runtime}"
    if config.capacity_provider_config:
        # Lambda Managed Instances: the runtime client polls this many events at once.
        variables["AWS_LAMBDA_MAX_CONCURRENCY"] = str(config.max_concurrency)
    # Managed Instances log in JSON only (a function stored before lambdad enforced it too).
    if config.logging_config.get("LogFormat") == "JSON" or config.capacity_provider_config:
        variables["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        # The JSON format's application level is INFO unless set (as LoggingConfig shows).
        level = config.logging_config.get("ApplicationLogLevel") or "INFO"
        variables["AWS_LAMBDA_LOG_LEVEL"] = level
    return variables


def platform_record(kind: str, at_ms: int, record: Mapping[str, Any]) -> str:
    """One platform line in the JSON log format: `{"time", "type", "record"}`."""
    moment = datetime.fromtimestamp(at_ms / 1000, UTC)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return json.dumps({"time": stamp, "type": kind, "record": record})


@dataclass(frozen=True)
class AwsEndpoints:
    """The SDK endpoints injected into functions, so AWS calls stay local.

    Executors add `variables(host)` beneath the spec's variables (a function's own
    Environment wins); `host` is how the function reaches the daemon's machine.
    """

    gateway_port: int
    gateway_host: str = "127.0.0.1"
    other_url: str | None = None  # AWS_ENDPOINT_URL; None = the gateway
    enabled: bool = True

    @property
    def local_host(self) -> str:
        """The gateway's address for a process on the daemon's machine."""
        wildcard = self.gateway_host in {"", "0.0.0.0", "::", "localhost"}
        return "127.0.0.1" if wildcard else self.gateway_host

    def variables(self, host: str) -> dict[str, str]:
        """AWS_ENDPOINT_URL_LAMBDA (the gateway at `host`) and AWS_ENDPOINT_URL."""
        if not self.enabled:
            return {}
        gateway = f"http://{host}:{self.gateway_port}"
        return {"AWS_ENDPOINT_URL_LAMBDA": gateway, "AWS_ENDPOINT_URL": self.other_url or gateway}


def new_log_stream(version: str) -> str:
    """`YYYY/MM/DD/[<version>]<32 hex>`, as AWS names log streams."""
    return f"{datetime.now(UTC):%Y/%m/%d}/[{version}]{secrets.token_hex(16)}"


def build_spec(
    config: FunctionVersion,
    *,
    region: str,
    code_dir: Path | None,
    opt_dir: Path | None = None,
    labels: Mapping[str, str] | None = None,
) -> EnvironmentSpec:
    """The EnvironmentSpec of a new environment for `config`."""
    environment_id = uuid.uuid4().hex
    return EnvironmentSpec(
        environment_id=environment_id,
        function_name=config.name,
        function_version=config.version,
        package_type=config.package_type,
        runtime=config.runtime,
        handler=config.handler,
        code_dir=code_dir,
        opt_dir=opt_dir,
        image_uri=config.code.resolved_image_uri or config.code.image_uri or None,
        image_config=config.image_config,
        memory_mb=config.memory_size,
        ephemeral_storage_mb=config.ephemeral_storage,
        timeout_s=config.timeout,
        architecture=(config.architectures or ["x86_64"])[0],
        max_concurrency=config.max_concurrency,
        variables=reserved_variables(
            config, region=region, log_stream=new_log_stream(config.version)
        ),
        labels={
            LABEL_MANAGED: "true",
            LABEL_FUNCTION: config.name,
            LABEL_VERSION: config.version,
            LABEL_ENVIRONMENT: environment_id,
            **(labels or {}),
        },
    )


@dataclass(frozen=True)
class InvocationResult:
    """The outcome of one invocation as Invoke reports it."""

    request_id: str
    payload: bytes
    executed_version: str
    function_error: str | None = None  # "Unhandled" when the function failed
    error_type: str | None = None  # the runtime's or the platform's error type
    log_tail: bytes = b""  # last 4 KB of the invocation's log (with LogType Tail)
    content_type: str = "application/json"
    stream: ResponseStream | None = None
    # When the environment worked on it (X-Ray segments): init on cold starts, the run once
    # the runtime had the event.
    init_span: Span | None = None
    run_span: Span | None = None


@dataclass(frozen=True)
class InvocationReport:
    """The figures of one invocation's REPORT line, handed to `on_report` once it is framed."""

    function_name: str
    version: str
    request_id: str
    start_time: float  # epoch seconds, when the function got the event
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int  # 0 when the executor cannot tell
    init_duration_ms: float | None  # cold starts only
    function_error: str | None
    error_type: str | None


def _error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def exit_reason(code: int | None) -> str:
    """AWS's wording for a runtime exit: `exit status 3`, `signal: killed`, or no reason."""
    if code is None or code == 0:
        return "Runtime exited without providing a reason"
    if code < 0:
        try:
            name = _SIGNAL_NAMES.get(signal.Signals(-code), signal.Signals(-code).name.lower())
        except ValueError:
            name = str(-code)
        return f"Runtime exited with error: signal: {name}"
    return f"Runtime exited with error: exit status {code}"


@dataclass
class _Window:
    """Where an invocation's output starts and (once the next one starts) ends."""

    request_id: str
    start: int
    end: int | None = None


# Failures the Runtime API itself detects; the environment is reset after them.
_RESET_AFTER = frozenset({"Function.ResponseSizeTooLarge", "Runtime.InvalidResponseModeHeader"})


class InitializationFailed(Exception):
    """An environment initialized ahead of need did not become ready; `error_type` says why."""

    def __init__(self, error_type: str) -> None:
        super().__init__(error_type)
        self.error_type = error_type


class ExecutionEnvironment:
    """One runtime process with its own Runtime API server; one invocation at a time."""

    def __init__(
        self,
        spec: EnvironmentSpec,
        executor: Executor,
        logs: FunctionLogs,
        *,
        output_settle_s: float = 0.005,
        on_report: Callable[[InvocationReport], None] | None = None,
        xray_daemon: DaemonAddress | None = None,
        start_deadline_s: float = START_DEADLINE_S,
    ) -> None:
        self.spec = spec
        self._start_deadline_s = start_deadline_s
        self._executor = executor
        self._logs = logs
        self._on_report = on_report
        self._xray_daemon = xray_daemon
        self._settle_s = output_settle_s
        self._api: RuntimeApiServer | None = None
        self._process: RuntimeProcess | None = None
        self._exit: asyncio.Task[int] | None = None
        self._reader: asyncio.Task[None] | None = None
        # Output lines; `_base` is the absolute index of `_output[0]` (consumed lines are cut).
        self._output: list[str] = []
        # When each line of `_output` arrived (epoch ms): the lines' CloudWatch timestamps.
        self._output_ms: list[int] = []
        self._base = 0
        self._window: _Window | None = None
        # Multi-concurrency: the open window of each invocation, and how many output lines
        # (absolute index) have been written to the function's log already.
        self._windows: dict[str, _Window] = {}
        self._logged = 0
        # Invocations the pool has given this environment and not yet taken back.
        self.active = 0
        # Multi-concurrency: timed-out invocations whose runtime worker still runs them (AWS's
        # managed-instance runtimes do not stop them); each keeps a worker busy until it answers.
        self.lingering = 0
        self._finishing: set[asyncio.Task[str]] = set()
        self._init_ms: float | None = None
        self._init_started = 0.0  # epoch seconds
        self._start_error: RuntimeStartError | None = None
        self._ready: asyncio.Task[bool] | None = None
        # The start of the runtime (`start`): shared by whoever needs it first.
        self._starting: asyncio.Future[None] | None = None
        # The first invocation reports the init (Init Duration, init output), unless the
        # environment was initialized for provisioned concurrency.
        self._init_reported = False
        self.broken = False
        self.closed = False
        self.invocations = 0
        self.last_used = time.monotonic()

    @property
    def usable(self) -> bool:
        """False once broken, closed, or its process has exited."""
        return not (self.broken or self.closed or (self._exit is not None and self._exit.done()))

    @property
    def max_concurrency(self) -> int:
        """Invocations this environment runs at once."""
        return self.spec.max_concurrency

    @property
    def environment_id(self) -> str:
        """The spec's environment id (also in container labels and directory names)."""
        return self.spec.environment_id

    # ----------------------------------------------------------------- lifecycle
    async def _start(self) -> None:
        binding = self._executor.runtime_api_binding()
        extensions = ExtensionsApi(
            len(extension_files(self.spec.opt_dir)),
            {
                "functionName": self.spec.function_name,
                "functionVersion": self.spec.function_version,
                "handler": self.spec.handler or "",
            },
        )
        self._api = RuntimeApiServer(binding.bind_host, extensions=extensions, restricted=True)
        port = await self._api.start()
        spec = self.spec
        if self._xray_daemon is not None:
            # Beneath the function's variables: AWS lets a function override these.
            xray = self._xray_daemon.for_environment(binding.advertised_host)
            spec = dataclasses.replace(spec, variables={**xray, **spec.variables})
        started = time.monotonic()
        self._init_started = time.time()
        try:
            # The executor removes what it created when the deadline cancels it.
            async with asyncio.timeout(self._start_deadline_s):
                self._process = await self._executor.start(
                    spec, f"{binding.advertised_host}:{port}"
                )
        except TimeoutError:
            self.broken = True
            raise EnvironmentStartTimeout(self._start_deadline_s) from None
        except RuntimeStartError as error:
            self._start_error = error
            return
        except BaseException:
            self.broken = True  # never reused; the pool closes it
            raise
        # Only this environment's process may poll for, and answer, its invocations.
        process = self._process
        self._api.set_owner(process if isinstance(process, ConnectionOwner) else None)
        self._exit = asyncio.create_task(self._process.wait())
        self._reader = asyncio.create_task(self._read_output(self._process))
        self._ready = asyncio.create_task(self._api.ready.wait())
        self._ready.add_done_callback(
            lambda _: setattr(self, "_init_ms", (time.monotonic() - started) * 1000)
        )

    async def _read_output(self, process: RuntimeProcess) -> None:
        async for line in process.output():
            self._output_ms.append(int(time.time() * 1000))
            self._output.append(line)

    async def start(self) -> None:
        """Start the runtime process (once: later callers wait for the same start)."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._start())
        await asyncio.shield(self._starting)

    async def warm_up(self, timeout_s: float = INIT_TIMEOUT_S) -> None:
        """Start the runtime and wait (at most `timeout_s`) until its init is over: ready,
        failed or exited. Failures are not raised: the invocation that uses the environment
        reports them, as it would have had it started the runtime itself."""
        await self.start()
        if self._start_error is not None or self._api is None or self._exit is None:
            return
        ready = asyncio.ensure_future(self._api.ready.wait())
        over: set[asyncio.Future[Any]] = {ready, self._exit, self._api.init_error}
        try:
            await asyncio.wait(
                over,
                timeout=timeout_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            ready.cancel()

    async def close(self) -> None:
        """Kill the process and stop the Runtime API (idempotent)."""
        if self.closed:
            return
        self.closed = True
        self.broken = True
        if self._starting is not None and not self._starting.done():
            # The executor removes what it created when its start is cancelled.
            self._starting.cancel()
            with contextlib.suppress(BaseException):
                await self._starting
        if self._finishing:
            await asyncio.gather(*self._finishing, return_exceptions=True)
        if self._api is not None and self._exit is not None and not self._exit.done():
            await self._api.extensions.shutdown()
        if self._process is not None:
            try:
                await self._process.kill()
            except Exception:
                log.exception("killing runtime process failed", environment=self.environment_id)
        for task in (self._reader, self._exit, self._ready):
            if task is not None and not task.done():
                task.cancel()
        if self._api is not None:
            await self._api.close()

    async def initialize(self) -> None:
        """Start the runtime and run its init now, ahead of any invocation.

        For provisioned concurrency: the first invocation then finds a warm runtime (no Init
        Duration in its REPORT). Raises `InitializationFailed` with the reason when the
        runtime could not start, failed its init or exceeded the init budget.
        """
        self._init_reported = True  # provisioned: no invocation reports this init
        await self.start()
        if self._start_error is not None:
            self.broken = True
            raise InitializationFailed(self._start_error.error_type)
        assert self._api is not None and self._exit is not None
        ready = asyncio.ensure_future(self._api.ready.wait())
        waiting: set[asyncio.Future[Any]] = {ready, self._exit, self._api.init_error}
        done, _ = await asyncio.wait(
            waiting, timeout=INIT_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED
        )
        if ready in done:
            return
        ready.cancel()
        self.broken = True
        if self._api.init_error.done():
            raise InitializationFailed(self._api.init_error.result().error_type)
        if self._exit.done():
            raise InitializationFailed("Runtime.ExitError")
        raise InitializationFailed("Sandbox.Timedout")

    # ---------------------------------------------------------------- invocation
    async def invoke(self, request: InvocationRequest, *, tail: bool = False) -> InvocationResult:
        """Run one invocation; failures of the function come back in the result."""
        self.invocations += 1
        # The first invocation reports the init (of concurrent ones, only the first).
        cold = not self._init_reported
        self._init_reported = True
        await self.start()  # at once when it has started (a failed start raises again)
        assert self._api is not None
        api = self._api
        request_id = request.request_id
        if self._start_error is not None:
            self.broken = True
            error = self._start_error
            message = f"RequestId: {request_id} Error: {error.message}"
            return await self._finish(
                request,
                started=time.monotonic(),
                payload=_error_payload(error.error_type, message),
                error_type=error.error_type,
                extra_log=[message, error.error_type],
                tail=tail,
                cold=cold,
            )
        assert self._exit is not None and self._process is not None
        # The invocation's output window opens when the runtime is handed the event, not when
        # this task next runs: on a busy loop the handler's first lines can be read before.
        outcome = api.submit(request, on_delivered=lambda: self._mark_start(request))
        started = time.monotonic()
        delivered = api.delivered(request_id)
        init_error = api.init_error
        await _first_done((delivered, self._exit, init_error), INIT_TIMEOUT_S + request.timeout_s)
        if not delivered.done():
            api.forget(request_id)
            if self._fails_alone() and api.ready.is_set() and not init_error.done():
                # Every worker stayed busy: this invocation fails, the others go on.
                return await self._timed_out(request, started, tail=tail, cold=cold, kill=False)
            self.broken = True
            if init_error.done():
                failure = init_error.result()
                await self._kill_quietly()
                return await self._finish(
                    request,
                    started=started,
                    payload=failure.payload,
                    error_type=failure.error_type,
                    extra_log=[],
                    tail=tail,
                    cold=cold,
                )
            if self._exit.done():
                return await self._exited(request, started, tail=tail, cold=cold)
            return await self._timed_out(request, started, tail=tail, cold=cold)
        started = time.monotonic()
        await _first_done((outcome, self._exit), request.timeout_s)
        if outcome.done() and not outcome.cancelled():
            answer = outcome.result()
            if answer.error_type in _RESET_AFTER:
                # The runtime client cannot go on after these (awslambdaric exits); AWS resets.
                self.broken = True
                await self._kill_quietly()
            return await self._finish(
                request,
                started=started,
                payload=answer.payload,
                error_type=answer.error_type,
                extra_log=[],
                tail=tail,
                cold=cold,
                content_type=answer.content_type,
                stream=answer.stream,
            )
        if self._fails_alone():
            # Lambda Managed Instances: the timed-out invocation fails alone; its worker goes
            # on running it (AWS does not stop the code), the environment and the other
            # invocations in it go on.
            if api.abandon(request_id, self._worker_freed):
                self.lingering += 1
            return await self._timed_out(request, started, tail=tail, cold=cold, kill=False)
        api.forget(request_id)
        self.broken = True
        if self._exit.done():
            return await self._exited(request, started, tail=tail, cold=cold)
        return await self._timed_out(request, started, tail=tail, cold=cold)

    def _fails_alone(self) -> bool:
        """Whether a timeout fails only its own invocation (a multi-concurrency environment
        whose runtime is still running)."""
        return self.max_concurrency > 1 and self._exit is not None and not self._exit.done()

    def _worker_freed(self) -> None:
        self.lingering = max(0, self.lingering - 1)

    @property
    def _written(self) -> int:
        return self._base + len(self._output)

    def _mark_start(self, request: InvocationRequest) -> None:
        if self.max_concurrency > 1:
            # Invocations overlap: each window only opens; output is logged once, by the
            # first invocation to finish after it was written.
            self._windows[request.request_id] = _Window(request.request_id, self._written)
            return
        # Output from here on belongs to this invocation; the previous one's ends here (its
        # framing may still be waiting for late lines, which now count for this one).
        if self._window is not None and self._window.end is None:
            self._window.end = self._written
        self._window = _Window(request.request_id, self._written)

    async def _kill_quietly(self) -> None:
        if self._process is not None:
            with contextlib.suppress(Exception):
                await self._process.kill()

    async def _exited(
        self, request: InvocationRequest, started: float, *, tail: bool, cold: bool
    ) -> InvocationResult:
        assert self._exit is not None and self._process is not None
        code = self._exit.result()
        oom = await self._process.out_of_memory()
        if oom:
            error_type = "Runtime.OutOfMemory"
            reason = "Runtime exited with error: signal: killed"
        else:
            error_type = "Runtime.ExitError"
            reason = exit_reason(code)
        message = f"RequestId: {request.request_id} Error: {reason}"
        if self._reader is not None:  # the process is gone: all its output can be read
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._reader), 1)
        return await self._finish(
            request,
            started=started,
            payload=_error_payload(error_type, message),
            error_type=error_type,
            extra_log=[message, error_type],
            tail=tail,
            cold=cold,
        )

    async def _timed_out(
        self,
        request: InvocationRequest,
        started: float,
        *,
        tail: bool,
        cold: bool,
        kill: bool = True,
    ) -> InvocationResult:
        seconds = f"{request.timeout_s:.2f}"
        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        if kill:
            await self._kill_quietly()
        return await self._finish(
            request,
            started=started,
            payload=_error_payload(
                "Sandbox.Timedout",
                f"RequestId: {request.request_id} Error: Task timed out after {seconds} seconds",
            ),
            error_type="Sandbox.Timedout",
            extra_log=[f"{stamp} {request.request_id} Task timed out after {seconds} seconds"],
            tail=tail,
            cold=cold,
        )

    async def _finish(
        self,
        request: InvocationRequest,
        *,
        started: float,
        payload: bytes,
        error_type: str | None,
        extra_log: list[str],
        tail: bool,
        cold: bool,
        content_type: str = "application/json",
        stream: ResponseStream | None = None,
    ) -> InvocationResult:
        duration_ms = (time.monotonic() - started) * 1000
        ended = time.time()
        init_span = None
        if cold and self._init_ms is not None and self._init_started:
            init_span = Span(self._init_started, self._init_started + self._init_ms / 1000)
        self.last_used = time.monotonic()
        result = InvocationResult(
            request_id=request.request_id,
            payload=payload,
            executed_version=self.spec.function_version,
            function_error=UNHANDLED if error_type else None,
            error_type=error_type,
            content_type=content_type,
            stream=stream,
            init_span=init_span,
            run_span=Span(ended - duration_ms / 1000, ended),
        )
        concurrent = self.max_concurrency > 1
        window = self._windows.get(request.request_id) if concurrent else self._window
        if window is not None and window.request_id != request.request_id:
            window = None  # it never reached the runtime
        framing = self._frame_logs(
            request, duration_ms, extra_log, cold, window, result, time.time()
        )
        if tail:
            text = await framing
            encoded = text.encode()
            return _with_tail(result, encoded[-LOG_TAIL_BYTES:])
        task = asyncio.create_task(framing)
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)
        return result

    async def _frame_logs(
        self,
        request: InvocationRequest,
        duration_ms: float,
        extra: list[str],
        cold: bool,
        window: _Window | None,
        result: InvocationResult | None = None,
        ended: float = 0.0,
    ) -> str:
        """Wait for the invocation's output to arrive, then keep it framed as AWS frames it."""
        if not self.broken:
            # Output written just before the response may still be in the pipe.
            seen = -1
            # Concurrent invocations keep writing: then stop waiting after a bounded while.
            rounds = 0 if self.max_concurrency == 1 else MAX_SETTLE_ROUNDS
            while seen != self._written and (window is None or window.end is None):
                seen = self._written
                await asyncio.sleep(self._settle_s)
                rounds -= 1
                if rounds == 0:
                    break
        elif self._reader is not None:  # killed or exited: read what it wrote, briefly
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._reader), 1)
        if self.max_concurrency > 1:
            before, during, before_ms, during_ms = self._take_concurrent_output(
                request.request_id, window
            )
        else:
            if window is None:  # never reached the runtime: everything is init output
                start = end = self._written
            else:
                start = window.start
                if window.end is None:
                    window.end = self._written
                end = window.end
            before = self._output[: start - self._base] if cold or window is None else []
            during = self._output[start - self._base : end - self._base]
            before_ms = self._output_ms[: len(before)]
            during_ms = self._output_ms[start - self._base : end - self._base]
            if self._window is None or self._window is window:
                del self._output[: end - self._base]
                del self._output_ms[: end - self._base]
                self._base = end
        memory = None
        if self._process is not None and not self.closed:
            with contextlib.suppress(Exception):
                memory = await self._process.max_memory_used_mb()
        billed_ms = max(1, math.ceil(duration_ms))
        init_ms = self._init_ms if cold else None
        report = (
            f"REPORT RequestId: {request.request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {billed_ms} ms\t"
            f"Memory Size: {self.spec.memory_mb} MB\t"
            f"Max Memory Used: {memory or 0} MB\t"
        )
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        if self._on_report is not None:
            self._report(
                InvocationReport(
                    function_name=self.spec.function_name,
                    version=self.spec.function_version,
                    request_id=request.request_id,
                    start_time=(ended or time.time()) - duration_ms / 1000,
                    duration_ms=duration_ms,
                    billed_duration_ms=billed_ms,
                    memory_size_mb=self.spec.memory_mb,
                    max_memory_used_mb=memory or 0,
                    init_duration_ms=init_ms,
                    function_error=result.function_error if result else None,
                    error_type=result.error_type if result else None,
                )
            )
        # Each line at the time it was written: START when the invocation began, END and
        # REPORT when it ended (or after its last line, which may arrive a little later).
        finished_ms = int((ended or time.time()) * 1000)
        began_ms = finished_ms - round(duration_ms)
        ends_ms = max([finished_ms, *during_ms])
        start_line = f"START RequestId: {request.request_id} Version: {self.spec.function_version}"
        end_line = f"END RequestId: {request.request_id}"
        if self.spec.variables.get("AWS_LAMBDA_LOG_FORMAT") == "JSON":
            # LoggingConfig.LogFormat JSON: the platform's lines are JSON records too.
            status = "success"
            if result is not None and result.error_type == "Sandbox.Timedout":
                status = "timeout"  # the Telemetry API's status of a timed-out invocation
            elif result is not None and result.function_error:
                status = "error"
            metrics: dict[str, Any] = {
                "durationMs": round(duration_ms, 2),
                "billedDurationMs": billed_ms,
                "memorySizeMB": self.spec.memory_mb,
                "maxMemoryUsedMB": memory or 0,
            }
            if init_ms is not None:
                metrics["initDurationMs"] = round(init_ms, 2)
            start_line = platform_record(
                "platform.start",
                began_ms,
                {"requestId": request.request_id, "version": self.spec.function_version},
            )
            end_line = platform_record(
                "platform.runtimeDone", ends_ms, {"requestId": request.request_id, "status": status}
            )
            report = platform_record(
                "platform.report",
                ends_ms,
                {"requestId": request.request_id, "metrics": metrics, "status": status},
            )
        lines = [*before, start_line, *during, *extra, end_line, report]
        times = [*before_ms, began_ms, *during_ms, *([ends_ms] * (len(extra) + 2))]
        group = self.spec.variables.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        stream = self.spec.variables.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._logs.append(
            LogLine(
                self.spec.function_name,
                self.spec.function_version,
                request.request_id,
                text,
                at_ms,
                group,
                stream,
            )
            for text, at_ms in zip(lines, times, strict=True)
        )
        return "".join(f"{line}\n" for line in lines)

    def _take_concurrent_output(
        self, request_id: str, window: _Window | None
    ) -> tuple[list[str], list[str], list[int], list[int]]:
        """(before START, after START, and their arrival times): the output not logged yet.

        Overlapping invocations' lines cannot be told apart (AWS's managed-instance runtimes
        tag them with the request id in the JSON log format); each line is logged once, in
        the frame of the first invocation that finishes after it was written.
        """
        self._windows.pop(request_id, None)
        end = self._written
        start = window.start if window is not None else end
        logged = self._logged
        if logged < start:
            before = self._output[logged - self._base : start - self._base]
            before_ms = self._output_ms[logged - self._base : start - self._base]
        else:
            before, before_ms = [], []
        during = self._output[max(logged, start) - self._base : end - self._base]
        during_ms = self._output_ms[max(logged, start) - self._base : end - self._base]
        self._logged = max(logged, end)
        del self._output[: self._logged - self._base]
        del self._output_ms[: self._logged - self._base]
        self._base = self._logged
        return before, during, before_ms, during_ms

    def _report(self, report: InvocationReport) -> None:
        assert self._on_report is not None
        try:
            self._on_report(report)
        except Exception:  # metrics and history must never cost an invocation its log
            log.exception("invocation report not recorded", request_id=report.request_id)


async def _first_done(futures: tuple[asyncio.Future[Any], ...], timeout_s: float) -> None:
    """Wait until one of `futures` is done or `timeout_s` has passed; the caller then asks
    each whether it is done.

    `asyncio.wait` for the invoke path's two waits: it needs no task and no sets, which took
    ~30 us of the daemon's CPU per invoke (a quarter of what it spent in asyncio).
    """
    for future in futures:
        if future.done():
            return
    waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def wake(_: object = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    for future in futures:
        future.add_done_callback(wake)
    timer = asyncio.get_running_loop().call_later(timeout_s, wake)
    try:
        await waiter
    finally:
        timer.cancel()
        for future in futures:
            future.remove_done_callback(wake)


def _with_tail(result: InvocationResult, tail: bytes) -> InvocationResult:
    return dataclasses.replace(result, log_tail=tail)
