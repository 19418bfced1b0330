"""Which request members each kind of event source takes, and their rules.

AWS's event source mappings read SQS, Kinesis and DynamoDB Streams (which lambdad polls),
and Amazon MSK, self-managed Apache Kafka, Amazon MQ and Amazon DocumentDB (which lambdad
stores, validates and returns, but does not poll: see `NOT_POLLED`). The members that only
apply to some kinds are checked here, once, for Create and Update.

Messages: AWS answers a member the source type does not take with
`Unsupported '<member>' parameter for given event source mapping type.` (a recorded AWS
answer, quoted through CloudFormation in aws-cdk#17934 and #19917). For the other rules AWS
publishes no wording; the `*_REQUIRED`/`*_IMMUTABLE`/... messages below are lambdad's, in
AWS's style, and say so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from lambdad.daemon.domain import validation
from lambdad.daemon.errors import LambdaError, invalid_parameter, validation_error

SQS = "sqs"
DYNAMODB = "dynamodb"
KINESIS = "kinesis"
KAFKA = "kafka"  # Amazon MSK (a cluster or VPC connection ARN)
MQ = "mq"  # Amazon MQ (a broker ARN)
DOCUMENTDB = "rds"  # Amazon DocumentDB (a cluster ARN, service "rds")
SELF_MANAGED_KAFKA = "self-managed-kafka"  # no ARN: SelfManagedEventSource names the servers
POLLED_SERVICES = (SQS, DYNAMODB, KINESIS)
KAFKA_SERVICES = (KAFKA, SELF_MANAGED_KAFKA)

SOURCE_NAMES = {
    KAFKA: "Amazon MSK",
    SELF_MANAGED_KAFKA: "self-managed Apache Kafka",
    MQ: "Amazon MQ",
    DOCUMENTDB: "Amazon DocumentDB",
}
# What LastProcessingResult shows once such a mapping has settled: AWS's own results of a
# mapping that cannot read its source start with "PROBLEM: " (e.g. "PROBLEM: Connection
# error."), so tools that look for a failing mapping see this one as not reading.
NOT_POLLED = "PROBLEM: lambdad does not poll {name} event sources; no records are read locally."

# (MappingSettings field, member name in AWS's message).
SHARD_ONLY = (
    ("parallelization_factor", "parallelizationFactor"),
    ("tumbling_window_in_seconds", "tumblingWindowInSeconds"),
)
STREAM_ONLY = (
    *SHARD_ONLY,
    ("bisect_batch_on_function_error", "bisectBatchOnFunctionError"),
    ("maximum_retry_attempts", "maximumRetryAttempts"),
    ("maximum_record_age_in_seconds", "maximumRecordAgeInSeconds"),
    ("on_failure", "destinationConfig"),
    ("function_response_types", "functionResponseTypes"),
)
# SQS takes the batch item failure reports (ReportBatchItemFailures) but none of the stream
# error handling: a queue's own redrive policy does that.
SQS_REFUSED = tuple(item for item in STREAM_ONLY if item[0] != "function_response_types")

BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS"
QUEUE_MODE, STREAM_MODE = "Queue", "Stream"
EVENT_COUNT = "EventCount"
KAFKA_ONLY_METRICS = ("ErrorCount", "KafkaMetrics")
# Provisioned mode bounds (model documentation of ProvisionedPollerConfig).
SQS_MIN_POLLERS, SQS_MAX_POLLERS = 2, 10_000
KAFKA_MAX_POLLERS = 2_000

# SourceAccessConfiguration types each source takes (model documentation of SourceAccessType).
BASIC_AUTH = "BASIC_AUTH"
VIRTUAL_HOST = "VIRTUAL_HOST"
OAUTHBEARER_AUTH = "OAUTHBEARER_AUTH"
IAM_OAUTHBEARER_AUTH = "IAM_OAUTHBEARER_AUTH"
OAUTHBEARER_AUDIENCE = "OAUTHBEARER_AUDIENCE"
# Types whose URI is a value or absent rather than a secret; IAM ones take no URI at all.
NO_URI_TYPES = ("IAM_AUTH", IAM_OAUTHBEARER_AUTH)
NEEDS_OAUTHBEARER_AUTH = (
    "OAUTHBEARER_SCOPE",
    "OAUTHBEARER_LOGICAL_CLUSTER",
    "OAUTHBEARER_IDENTITY_POOL",
)
ACCESS_TYPES: Mapping[str, frozenset[str]] = {
    KAFKA: frozenset({"SASL_SCRAM_512_AUTH", "CLIENT_CERTIFICATE_TLS_AUTH"}),
    SELF_MANAGED_KAFKA: frozenset(
        {
            BASIC_AUTH,
            "VPC_SUBNET",
            "VPC_SECURITY_GROUP",
            "SASL_SCRAM_256_AUTH",
            "SASL_SCRAM_512_AUTH",
            "CLIENT_CERTIFICATE_TLS_AUTH",
            "SERVER_ROOT_CA_CERTIFICATE",
            OAUTHBEARER_AUTH,
            OAUTHBEARER_AUDIENCE,
            *NEEDS_OAUTHBEARER_AUTH,
            *NO_URI_TYPES,
        }
    ),
    MQ: frozenset({BASIC_AUTH, VIRTUAL_HOST}),
    DOCUMENTDB: frozenset({BASIC_AUTH}),
}

# lambdad's wording (AWS publishes none for these).
TOPICS_REQUIRED = "Topics must be specified for {name} event sources."
QUEUES_REQUIRED = "Queues must be specified for Amazon MQ event sources."
BASIC_AUTH_REQUIRED = "A BASIC_AUTH SourceAccessConfiguration is required for {name} event sources."
DATABASE_REQUIRED = (
    "DocumentDBEventSourceConfig.DatabaseName must be specified for Amazon DocumentDB event "
    "sources."
)
ACCESS_TYPE_UNSUPPORTED = (
    "SourceAccessConfiguration type {type} is not supported for {name} event sources."
)
ACCESS_URI_REQUIRED = "SourceAccessConfiguration type {type} requires a URI."
ACCESS_URI_REFUSED = "SourceAccessConfiguration type {type} does not take a URI."
ACCESS_TYPE_TWICE = "SourceAccessConfiguration type {type} is given more than once."
ACCESS_NEEDS = "SourceAccessConfiguration type {type} requires {needed}."
IAM_OAUTH_ALONE = (
    "SourceAccessConfiguration type IAM_OAUTHBEARER_AUTH cannot be combined with {type}."
)
VIRTUAL_HOST_ON_UPDATE = "SourceAccessConfiguration type VIRTUAL_HOST cannot be updated."
ENDPOINTS_REQUIRED = (
    "SelfManagedEventSource.Endpoints must list KAFKA_BOOTSTRAP_SERVERS for self-managed "
    "Apache Kafka event sources."
)
BOTH_SOURCES = "Specify either EventSourceArn or SelfManagedEventSource, not both."
IMMUTABLE = "{member} of an event source mapping cannot be changed after it is created."
METRIC_KAFKA_ONLY = "Metric {metric} is only supported for Kafka event sources."
POLLERS_ORDER = "MinimumPollers must not be greater than MaximumPollers."
POLLER_GROUP_KAFKA_ONLY = "PollerGroupName is only supported for Kafka event sources."
POLLERS_WITH_SCALING = (
    "ProvisionedPollerConfig and ScalingConfig.MaximumConcurrency cannot be used together."
)
ON_SUCCESS_KAFKA_ONLY = "DestinationConfig.OnSuccess is only supported for Kafka event sources."


def unsupported(member: str) -> LambdaError:
    """AWS's answer to a member the source type does not take (member in lowerCamelCase)."""
    return invalid_parameter(
        f"Unsupported '{member}' parameter for given event source mapping type."
    )


def source_name(service: str) -> str:
    """The source's name in messages."""
    return SOURCE_NAMES.get(service, service)


def check_members(
    service: str,
    given: Mapping[str, Any],
    *,
    creating: bool,
    stored: Mapping[str, Any] | None = None,
) -> None:
    """Refuse members the source type does not take, and check those it takes.

    `given` maps member names (MappingSettings field names) to the values of a Create or
    Update request, None for absent; `stored` holds the mapping's values on Update.
    """
    name = source_name(service)
    kafka = service in KAFKA_SERVICES
    if given.get("topics") is not None and not kafka:
        raise unsupported("topics")
    if given.get("queues") is not None and service != MQ:
        raise unsupported("queues")
    if given.get("amazon_managed_kafka_config") is not None and service != KAFKA:
        raise unsupported("amazonManagedKafkaEventSourceConfig")
    if given.get("self_managed_kafka_config") is not None and service != SELF_MANAGED_KAFKA:
        raise unsupported("selfManagedKafkaEventSourceConfig")
    if given.get("document_db_config") is not None and service != DOCUMENTDB:
        raise unsupported("documentDBEventSourceConfig")
    if given.get("system_log_level") is not None and not kafka:
        raise unsupported("loggingConfig")
    if given.get("provisioned_poller_config") is not None and service not in (SQS, *KAFKA_SERVICES):
        raise unsupported("provisionedPollerConfig")
    if given.get("source_access_configurations") is not None and service in POLLED_SERVICES:
        raise unsupported("sourceAccessConfigurations")
    if given.get("maximum_concurrency") is not None and service != SQS:
        raise unsupported("scalingConfig")
    # Error handling that only streams have (model documentation of each member); Kafka
    # takes the retry and destination settings but not the shard ones.
    refused = (
        STREAM_ONLY
        if service in (MQ, DOCUMENTDB)
        else SHARD_ONLY
        if kafka
        else SQS_REFUSED
        if service == SQS
        else ()
    )
    for field_name, member in refused:
        if given.get(field_name) not in (None, ()):
            raise unsupported(member)
    if given.get("on_success") is not None and not kafka:
        raise invalid_parameter(ON_SUCCESS_KAFKA_ONLY)
    if creating:
        if kafka and not given.get("topics"):
            raise invalid_parameter(TOPICS_REQUIRED.format(name=name))
        if service == MQ and not given.get("queues"):
            raise invalid_parameter(QUEUES_REQUIRED)
        if service == DOCUMENTDB and not (given.get("document_db_config") or {}).get(
            "DatabaseName"
        ):
            raise invalid_parameter(DATABASE_REQUIRED)
        if service == SELF_MANAGED_KAFKA:
            _check_endpoints(given.get("self_managed_endpoints") or {})
    _check_metrics(given.get("metrics"), kafka)
    _check_pollers(service, given.get("provisioned_poller_config"), given, stored)
    access = given.get("source_access_configurations")
    if access is not None:
        _check_access(service, access, creating=creating)
    elif creating and service in (MQ, DOCUMENTDB):
        raise invalid_parameter(BASIC_AUTH_REQUIRED.format(name=name))
    if stored is not None:
        _check_immutable(given, stored)


def _check_endpoints(endpoints: Mapping[str, Any]) -> None:
    servers = endpoints.get(BOOTSTRAP_SERVERS)
    if set(endpoints) != {BOOTSTRAP_SERVERS} or not servers:
        raise invalid_parameter(ENDPOINTS_REQUIRED)
    for server in servers:
        if not isinstance(server, str):
            raise validation_error(
                server,
                "selfManagedEventSource.endpoints",
                "Member must satisfy constraint: [Member must be a string]",
            )


def _check_metrics(metrics: Sequence[str] | None, kafka: bool) -> None:
    if metrics is None:
        return
    for metric in metrics:
        validation.check_enum(
            metric, "metricsConfig.metrics.member", (EVENT_COUNT, *KAFKA_ONLY_METRICS)
        )
        if metric in KAFKA_ONLY_METRICS and not kafka:
            raise invalid_parameter(METRIC_KAFKA_ONLY.format(metric=metric))


def _check_pollers(
    service: str,
    config: Mapping[str, Any] | None,
    given: Mapping[str, Any],
    stored: Mapping[str, Any] | None,
) -> None:
    if config is None:
        # A concurrency limit given to a mapping already in provisioned mode.
        if stored and stored.get("provisioned_poller_config") and given.get("maximum_concurrency"):
            raise invalid_parameter(POLLERS_WITH_SCALING)
        return
    low, high = (SQS_MIN_POLLERS, SQS_MAX_POLLERS) if service == SQS else (1, KAFKA_MAX_POLLERS)
    minimum, maximum = config.get("MinimumPollers"), config.get("MaximumPollers")
    # Only MaximumPollers has an upper bound here (the model bounds MinimumPollers).
    for member, value, top in (
        ("minimumPollers", minimum, math.inf),
        ("maximumPollers", maximum, high),
    ):
        if value is not None:
            validation.check_range(value, f"provisionedPollerConfig.{member}", (low, top))
    if minimum is not None and maximum is not None and minimum > maximum:
        raise invalid_parameter(POLLERS_ORDER)
    if config.get("PollerGroupName") and service not in KAFKA_SERVICES:
        raise invalid_parameter(POLLER_GROUP_KAFKA_ONLY)
    concurrency = given.get("maximum_concurrency")
    if concurrency is None and stored is not None:
        concurrency = stored.get("maximum_concurrency")
    if service == SQS and concurrency is not None:
        raise invalid_parameter(POLLERS_WITH_SCALING)


def _check_access(
    service: str, configurations: Sequence[Mapping[str, Any]], *, creating: bool
) -> None:
    name = source_name(service)
    allowed = ACCESS_TYPES.get(service, frozenset())
    types: list[str] = []
    for configuration in configurations:
        kind = configuration.get("Type") or ""
        if kind not in allowed:
            raise invalid_parameter(ACCESS_TYPE_UNSUPPORTED.format(type=kind, name=name))
        if kind in types:
            raise invalid_parameter(ACCESS_TYPE_TWICE.format(type=kind))
        if kind == VIRTUAL_HOST and not creating:
            raise invalid_parameter(VIRTUAL_HOST_ON_UPDATE)
        uri = configuration.get("URI")
        if kind in NO_URI_TYPES and uri:
            raise invalid_parameter(ACCESS_URI_REFUSED.format(type=kind))
        if kind not in NO_URI_TYPES and not uri:
            raise invalid_parameter(ACCESS_URI_REQUIRED.format(type=kind))
        types.append(kind)
    if service in (MQ, DOCUMENTDB) and BASIC_AUTH not in types:
        raise invalid_parameter(BASIC_AUTH_REQUIRED.format(name=name))
    for kind in types:
        if kind in NEEDS_OAUTHBEARER_AUTH and OAUTHBEARER_AUTH not in types:
            raise invalid_parameter(ACCESS_NEEDS.format(type=kind, needed=OAUTHBEARER_AUTH))
        if kind == OAUTHBEARER_AUDIENCE and not {OAUTHBEARER_AUTH, IAM_OAUTHBEARER_AUTH} & set(
            types
        ):
            raise invalid_parameter(
                ACCESS_NEEDS.format(
                    type=kind, needed=f"{OAUTHBEARER_AUTH} or {IAM_OAUTHBEARER_AUTH}"
                )
            )
    if IAM_OAUTHBEARER_AUTH in types:
        if OAUTHBEARER_AUDIENCE not in types:
            raise invalid_parameter(
                ACCESS_NEEDS.format(type=IAM_OAUTHBEARER_AUTH, needed=OAUTHBEARER_AUDIENCE)
            )
        for kind in types:
            if kind.startswith("OAUTHBEARER_") and kind != OAUTHBEARER_AUDIENCE:
                raise invalid_parameter(IAM_OAUTH_ALONE.format(type=kind))


def _check_immutable(given: Mapping[str, Any], stored: Mapping[str, Any]) -> None:
    """The consumer group and consumption mode are fixed at creation (model docs)."""
    for config in ("amazon_managed_kafka_config", "self_managed_kafka_config"):
        new, old = given.get(config), stored.get(config)
        if new is None or old is None:
            continue
        for member, default in (("ConsumerGroupId", None), ("ConsumptionMode", STREAM_MODE)):
            if new.get(member) is not None and new[member] != (old.get(member) or default):
                raise invalid_parameter(IMMUTABLE.format(member=member))
