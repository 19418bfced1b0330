"""Daemon configuration: one frozen dataclass, read from LAMBDAD_* variables and flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


def default_data_dir(env: Mapping[str, str]) -> Path:
    """`$XDG_DATA_HOME/lambdad`, else `~/.local/share/lambdad`."""
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lambdad"


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    """Everything that can be configured; documented in the README's table."""

    data_dir: Path
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50051
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 4566
    # Prometheus endpoint of the daemon (`/metrics`); port 0 turns it off.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464
    region: str = "us-east-1"
    account_id: str = "000000000000"
    # Fail on deprecated runtimes and non-ARN roles exactly as AWS does.
    strict: bool = False
    # Milliseconds a create, update or publish stays Pending/InProgress at least, so that a
    # second update sent at once is refused as on AWS (where it takes a second or more);
    # -1 = 1000 in strict mode, 0 otherwise.
    min_transition_ms: int = -1
    # STS endpoint where a function's role is assumed for its environments' credentials
    # (AWS_ACCESS_KEY_ID, ...); None = AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL if set, else
    # environments get static placeholder credentials (real AWS STS is never called).
    sts_endpoint_url: str | None = None
    # S3-compatible endpoint for Code.S3Bucket/S3Key; None = botocore's usual lookup.
    s3_endpoint_url: str | None = None
    # "auto" (console on a TTY, JSON otherwise), "json" or "console".
    log_format: str = "auto"
    log_level: str = "info"
    # "auto" (Docker when an engine answers, else local processes), "docker" or "process".
    executor: str = "auto"
    # Seconds a warm execution environment waits for its next invocation before it is removed.
    environment_idle_timeout: int = 600
    # How many execution environments may exist at once on this host (all functions; the
    # account concurrency AWS reports stays 1,000); 0 = 32 per CPU core.
    max_environments: int = 0
    # Ceiling (MB) on the sum of the MemorySize of the environments that exist at once;
    # 0 = half of the host's memory (its cgroup limit, if lower).
    max_environment_memory: int = 0
    # Pre-initialized environments (Docker): containers per runtime image started ahead of
    # need, waiting for a function's code, so a first invoke skips the container start; each
    # holds a capacity slot (the first reclaimed) and 1-11 MB of memory; only images in use are
    # filled; 0 disables them (see the README for how such a container differs from a fresh one).
    prewarmed_environments: int = 2
    # While the daemon's event loop is busy (most of a CPU for seconds, invocations in parallel)
    # on a host with 2 CPUs or more, runtimes run on the CPUs the loop does not
    # (runtime/daemon_core.py; Docker: when the daemon runs on the engine's host and sees its
    # containers' processes).
    reserve_loop_cpu: bool = True
    # How many environments may be starting at once (all functions); invocations beyond wait
    # for one released meanwhile or a start slot; 0 = 4 per CPU core.
    max_starting_environments: int = 0
    # Seconds an environment may take to start (container created and started) before it is
    # removed and its invocation retried once, then failed with ServiceException.
    environment_start_timeout: int = 30
    # Docker network for environments when the daemon itself runs in a container.
    docker_network: str | None = None
    # Runtime -> image overrides, `python3.12=repo/py:3.12,nodejs20.x=repo/node:20`; runtimes
    # without a local lambdad image and without an override use AWS's public base images.
    runtime_images: str | None = None
    # When images are pulled from a registry: "missing" (an image the engine does not have:
    # AWS's base image of a runtime, a function's ImageUri) or "never", for machines that must
    # stay offline (only local images run; a missing one is an error naming it).
    image_pull: str = "missing"
    # The FunctionUrl lambdad hands out: "path" (`http://<url_host>:<port>/lambda-url/<id>/`,
    # which every HTTP client resolves) or "host" (`http://<id>.lambda-url.<region>.<url_host>:
    # <port>/`, AWS's shape; `*.localhost` resolves in curl and browsers only). The gateway
    # serves both forms either way.
    url_style: str = "path"
    # Host name in FunctionUrl; use a name other containers resolve to the gateway when URLs
    # are handed to them (a compose service name).
    url_host: str = "localhost"
    # Port in FunctionUrl; 0 means gateway_port (set it when the gateway is published elsewhere).
    url_port: int = 0
    # `ACCESS_KEY:SECRET[,ACCESS_KEY:SECRET...]` accepted on AWS_IAM function URLs (SigV4).
    iam_credentials: str = "test:test"
    # Strict mode only: NONE URLs also need the public lambda:InvokeFunction statement
    # (AWS's rule for URLs created since October 2025).
    url_require_invoke_function: bool = False
    # Lambda endpoint that layer versions of other accounts are fetched from; None = real
    # AWS Lambda in the layer ARN's region (credentials from boto3's standard chain).
    layer_upstream_endpoint_url: str | None = None
    # Code.S3Bucket that means "S3Key is a host directory to run in place" (hot reloading,
    # LocalStack's convention); empty disables it.
    hot_reload_bucket: str = "hot-reload"
    # Comma-separated globs (relative to a hot-reload directory) whose changes restart
    # environments; None = everything except node_modules/**, .git/**, __pycache__/**.
    hot_reload_include: str | None = None
    hot_reload_exclude: str | None = None
    # Extra `docker run` flags for every function container (LocalStack's LAMBDA_DOCKER_FLAGS
    # syntax: -v, -p, -e, --add-host, --dns, --ulimit); validated by runtime/docker_flags.py.
    docker_flags: str | None = None
    # UDP port of the X-Ray daemon listener (AWS_XRAY_DAEMON_ADDRESS of functions), on the
    # Runtime API's interface; 0 = a free port (AWS uses 2000; a fixed port would collide
    # between daemons on one machine).
    xray_port: int = 0
    # How many traces are kept in memory (the oldest is dropped first).
    xray_max_traces: int = 1000
    # Function log events (CloudWatch Logs API, `logs.db` in the data directory): days an
    # event is kept, and how many events are kept at most (the oldest go first); 0 = no bound.
    log_retention_days: int = 7
    log_max_events: int = 500_000
    # Seconds before the 1st, 2nd, ... retry of a failed Event invocation (the last repeats);
    # AWS waits about a minute, then two. Tests shorten them, e.g. `1,2`.
    event_retry_delays: str = "60,120"
    # Event invocations run at once from the durable queue (at most).
    event_workers: int = 32
    # Give functions AWS_ENDPOINT_URL_LAMBDA (the gateway as they reach it) and
    # AWS_ENDPOINT_URL, so their SDK calls never reach real AWS by accident.
    inject_aws_endpoints: bool = True
    # AWS_ENDPOINT_URL of functions (services other than Lambda, e.g. `http://s3:9000`);
    # None = the gateway as well.
    function_aws_endpoint_url: str | None = None
    # gRPC TLS: PEM certificate chain and key of the server; None serves plaintext.
    grpc_tls_cert: str | None = None
    grpc_tls_key: str | None = None
    # PEM CA bundle; when set, gRPC clients must present a certificate it signed (mTLS).
    grpc_tls_client_ca: str | None = None
    # Bearer token every gRPC call except grpc.health.v1 must send (`authorization` metadata).
    grpc_token: str | None = None
    # Local time control of durable executions (a lambdad extension): waits, step retry
    # delays and callback timeouts last this many times their requested length; 0 skips them,
    # 0.001 turns a day into under 90 seconds. Execution timeouts are not scaled.
    durable_time_scale: float = 1.0

    @property
    def grpc_target(self) -> str:
        """Address clients dial to reach the gRPC server."""
        host = "127.0.0.1" if self.grpc_host in {"0.0.0.0", "::", ""} else self.grpc_host
        return f"{host}:{self.grpc_port}"

    @property
    def pulls_images(self) -> bool:
        """`image_pull` as a switch; an unknown value is refused at start."""
        policy = self.image_pull.strip().lower()
        if policy not in {"missing", "never"}:
            raise ValueError(
                f"LAMBDAD_IMAGE_PULL must be missing or never, not {self.image_pull!r}"
            )
        return policy == "missing"

    @property
    def transition_seconds(self) -> float:
        """`min_transition_ms` resolved (strict mode's default is AWS's second)."""
        if self.min_transition_ms >= 0:
            return self.min_transition_ms / 1000
        return 1.0 if self.strict else 0.0

    @property
    def retry_delays(self) -> tuple[float, ...]:
        """`event_retry_delays` as seconds."""
        return tuple(float(item) for item in self.event_retry_delays.split(",") if item.strip())

    @property
    def credentials(self) -> dict[str, str]:
        """`iam_credentials` as access key id -> secret key."""
        pairs = (item.partition(":") for item in self.iam_credentials.split(",") if item.strip())
        return {key.strip(): secret.strip() for key, _, secret in pairs}

    @property
    def state_path(self) -> Path:
        """The SQLite database."""
        return self.data_dir / "state.db"

    @property
    def code_url_key_path(self) -> Path:
        """HMAC key that signs code download locations."""
        return self.data_dir / "code-url.key"

    @property
    def log_events_path(self) -> Path:
        """The SQLite database of function log events."""
        return self.data_dir / "logs.db"

    @property
    def blob_dir(self) -> Path:
        """The content-addressed blob store."""
        return self.data_dir / "blobs"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Defaults, then LAMBDAD_<FIELD> variables, then explicit (non-None) overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {"data_dir": default_data_dir(env)}
        for item in fields(cls):
            raw = env.get(f"LAMBDAD_{item.name.upper()}")
            if raw is None or raw == "":
                continue
            if item.name == "data_dir":
                values[item.name] = Path(raw)
            elif item.type == "int":
                values[item.name] = int(raw)
            elif item.type == "bool":
                values[item.name] = _flag(raw)
            elif item.type == "float":
                values[item.name] = float(raw)
            else:
                values[item.name] = raw
        config = cls(**values)
        chosen = {k: v for k, v in overrides.items() if v is not None}
        if "data_dir" in chosen:
            chosen["data_dir"] = Path(chosen["data_dir"])
        return replace(config, **chosen)
