"""The members each kind of event source takes (event_source_kinds.check_members), as a table."""

from __future__ import annotations

from typing import Any

import pytest

from lambdad.daemon.domain.event_source_kinds import (
    DOCUMENTDB,
    DYNAMODB,
    KAFKA,
    KINESIS,
    MQ,
    SELF_MANAGED_KAFKA,
    SQS,
    check_members,
)
from lambdad.daemon.errors import LambdaError, Reason

SECRET = "arn:aws:secretsmanager:us-east-1:000000000000:secret:s"
BASIC = {"Type": "BASIC_AUTH", "URI": SECRET}
SERVERS = {"KAFKA_BOOTSTRAP_SERVERS": ["k:9092"]}
UNSUPPORTED = "Unsupported '{}' parameter for given event source mapping type."

# (source, members of a Create request, error message or None for accepted)
CREATE_CASES: list[tuple[str, dict[str, Any], str | None]] = [
    (KAFKA, {"topics": ("t1",)}, None),
    (KAFKA, {}, "Topics must be specified for Amazon MSK event sources."),
    (
        SELF_MANAGED_KAFKA,
        {"self_managed_endpoints": SERVERS},
        "Topics must be specified for self-managed Apache Kafka event sources.",
    ),
    (SELF_MANAGED_KAFKA, {"topics": ("t1",), "self_managed_endpoints": SERVERS}, None),
    (
        SELF_MANAGED_KAFKA,
        {"topics": ("t1",), "self_managed_endpoints": {"OTHER": ["k:9092"]}},
        "SelfManagedEventSource.Endpoints must list KAFKA_BOOTSTRAP_SERVERS for self-managed "
        "Apache Kafka event sources.",
    ),
    (MQ, {"queues": ("q",), "source_access_configurations": (BASIC,)}, None),
    (
        MQ,
        {"source_access_configurations": (BASIC,)},
        "Queues must be specified for Amazon MQ event sources.",
    ),
    (
        MQ,
        {"queues": ("q",)},
        "A BASIC_AUTH SourceAccessConfiguration is required for Amazon MQ event sources.",
    ),
    (
        MQ,
        {"queues": ("q",), "source_access_configurations": ({"Type": "VIRTUAL_HOST", "URI": "/"},)},
        "A BASIC_AUTH SourceAccessConfiguration is required for Amazon MQ event sources.",
    ),
    (
        MQ,
        {"queues": ("q",), "source_access_configurations": (BASIC, BASIC)},
        "SourceAccessConfiguration type BASIC_AUTH is given more than once.",
    ),
    (
        DOCUMENTDB,
        {"document_db_config": {"DatabaseName": "db"}, "source_access_configurations": (BASIC,)},
        None,
    ),
    (
        DOCUMENTDB,
        {"document_db_config": {}, "source_access_configurations": (BASIC,)},
        "DocumentDBEventSourceConfig.DatabaseName must be specified for Amazon DocumentDB "
        "event sources.",
    ),
    (SQS, {"topics": ("t1",)}, UNSUPPORTED.format("topics")),
    (KINESIS, {"queues": ("q",)}, UNSUPPORTED.format("queues")),
    (DYNAMODB, {"system_log_level": "INFO"}, UNSUPPORTED.format("loggingConfig")),
    (
        MQ,
        {"queues": ("q",), "source_access_configurations": (BASIC,), "system_log_level": "INFO"},
        UNSUPPORTED.format("loggingConfig"),
    ),
    (SQS, {"source_access_configurations": ()}, UNSUPPORTED.format("sourceAccessConfigurations")),
    (SQS, {"document_db_config": {}}, UNSUPPORTED.format("documentDBEventSourceConfig")),
    (
        KAFKA,
        {"topics": ("t1",), "self_managed_kafka_config": {}},
        UNSUPPORTED.format("selfManagedKafkaEventSourceConfig"),
    ),
    (
        SELF_MANAGED_KAFKA,
        {"topics": ("t1",), "self_managed_endpoints": SERVERS, "amazon_managed_kafka_config": {}},
        UNSUPPORTED.format("amazonManagedKafkaEventSourceConfig"),
    ),
    (KINESIS, {"provisioned_poller_config": {}}, UNSUPPORTED.format("provisionedPollerConfig")),
    (KAFKA, {"topics": ("t1",), "maximum_concurrency": 5}, UNSUPPORTED.format("scalingConfig")),
    (
        DYNAMODB,
        {"on_success": "arn:aws:sqs:us-east-1:000000000000:q"},
        "DestinationConfig.OnSuccess is only supported for Kafka event sources.",
    ),
    # What only streams take: MQ and DocumentDB take none of it, Kafka the retry settings.
    (
        MQ,
        {"queues": ("q",), "source_access_configurations": (BASIC,), "maximum_retry_attempts": 3},
        UNSUPPORTED.format("maximumRetryAttempts"),
    ),
    (
        DOCUMENTDB,
        {
            "document_db_config": {"DatabaseName": "db"},
            "source_access_configurations": (BASIC,),
            "function_response_types": ("ReportBatchItemFailures",),
        },
        UNSUPPORTED.format("functionResponseTypes"),
    ),
    (
        MQ,
        {"queues": ("q",), "source_access_configurations": (BASIC,), "function_response_types": ()},
        None,
    ),
    (
        KAFKA,
        {"topics": ("t1",), "parallelization_factor": 2},
        UNSUPPORTED.format("parallelizationFactor"),
    ),
    (KAFKA, {"topics": ("t1",), "maximum_retry_attempts": 3, "on_failure": "kafka://dlq"}, None),
    # Metrics: EventCount everywhere, the other two for Kafka only.
    (SQS, {"metrics": ("EventCount",)}, None),
    (KAFKA, {"topics": ("t1",), "metrics": ("EventCount", "ErrorCount", "KafkaMetrics")}, None),
    (
        KINESIS,
        {"metrics": ("ErrorCount",)},
        "Metric ErrorCount is only supported for Kafka event sources.",
    ),
    # Provisioned pollers: SQS from 2 to 10,000, Kafka from 1 to 2,000; groups are Kafka's.
    (SQS, {"provisioned_poller_config": {"MinimumPollers": 2, "MaximumPollers": 10_000}}, None),
    (
        SQS,
        {"provisioned_poller_config": {"MinimumPollers": 1}},
        "1 validation error detected: Value '1' at 'provisionedPollerConfig.minimumPollers' failed "
        "to satisfy constraint: Member must have value greater than or equal to 2",
    ),
    (
        KAFKA,
        {"topics": ("t1",), "provisioned_poller_config": {"MaximumPollers": 2_001}},
        "1 validation error detected: Value '2001' at 'provisionedPollerConfig.maximumPollers' "
        "failed to satisfy constraint: Member must have value less than or equal to 2000",
    ),
    (
        KAFKA,
        {
            "topics": ("t1",),
            "provisioned_poller_config": {"MinimumPollers": 5, "MaximumPollers": 4},
        },
        "MinimumPollers must not be greater than MaximumPollers.",
    ),
    (
        SQS,
        {"provisioned_poller_config": {"PollerGroupName": "g"}},
        "PollerGroupName is only supported for Kafka event sources.",
    ),
    (
        SQS,
        {"provisioned_poller_config": {"MinimumPollers": 2}, "maximum_concurrency": 5},
        "ProvisionedPollerConfig and ScalingConfig.MaximumConcurrency cannot be used together.",
    ),
    # SourceAccessConfiguration types per source, URIs, and the OAuth combinations.
    (
        KAFKA,
        {"topics": ("t1",), "source_access_configurations": (BASIC,)},
        "SourceAccessConfiguration type BASIC_AUTH is not supported for Amazon MSK event sources.",
    ),
    (
        SELF_MANAGED_KAFKA,
        {
            "topics": ("t1",),
            "self_managed_endpoints": SERVERS,
            "source_access_configurations": ({"Type": "IAM_AUTH"},),
        },
        None,
    ),
    (
        SELF_MANAGED_KAFKA,
        {
            "topics": ("t1",),
            "self_managed_endpoints": SERVERS,
            "source_access_configurations": ({"Type": "IAM_AUTH", "URI": SECRET},),
        },
        "SourceAccessConfiguration type IAM_AUTH does not take a URI.",
    ),
    (
        SELF_MANAGED_KAFKA,
        {
            "topics": ("t1",),
            "self_managed_endpoints": SERVERS,
            "source_access_configurations": ({"Type": "SASL_SCRAM_256_AUTH"},),
        },
        "SourceAccessConfiguration type SASL_SCRAM_256_AUTH requires a URI.",
    ),
    (
        SELF_MANAGED_KAFKA,
        {
            "topics": ("t1",),
            "self_managed_endpoints": SERVERS,
            "source_access_configurations": ({"Type": "OAUTHBEARER_SCOPE", "URI": "read"},),
        },
        "SourceAccessConfiguration type OAUTHBEARER_SCOPE requires OAUTHBEARER_AUTH.",
    ),
    (
        SELF_MANAGED_KAFKA,
        {
            "topics": ("t1",),
            "self_managed_endpoints": SERVERS,
            "source_access_configurations": ({"Type": "IAM_OAUTHBEARER_AUTH"},),
        },
        "SourceAccessConfiguration type IAM_OAUTHBEARER_AUTH requires OAUTHBEARER_AUDIENCE.",
    ),
    (
        SELF_MANAGED_KAFKA,
        {
            "topics": ("t1",),
            "self_managed_endpoints": SERVERS,
            "source_access_configurations": (
                {"Type": "IAM_OAUTHBEARER_AUTH"},
                {"Type": "OAUTHBEARER_AUDIENCE", "URI": "aud"},
            ),
        },
        None,
    ),
    (
        SELF_MANAGED_KAFKA,
        {
            "topics": ("t1",),
            "self_managed_endpoints": SERVERS,
            "source_access_configurations": (
                {"Type": "IAM_OAUTHBEARER_AUTH"},
                {"Type": "OAUTHBEARER_AUDIENCE", "URI": "aud"},
                {"Type": "OAUTHBEARER_AUTH", "URI": SECRET},
            ),
        },
        "SourceAccessConfiguration type IAM_OAUTHBEARER_AUTH cannot be combined with "
        "OAUTHBEARER_AUTH.",
    ),
]


@pytest.mark.parametrize(("service", "members", "message"), CREATE_CASES)
def test_create_members_per_source(
    service: str, members: dict[str, Any], message: str | None
) -> None:
    if message is None:
        check_members(service, members, creating=True)
        return
    with pytest.raises(LambdaError) as excinfo:
        check_members(service, members, creating=True)
    assert excinfo.value.message == message
    expected = (
        Reason.VALIDATION
        if message.startswith("1 validation error")
        else Reason.INVALID_PARAMETER_VALUE
    )
    assert excinfo.value.reason == expected


@pytest.mark.parametrize(
    ("service", "given", "stored", "message"),
    [
        # Update may leave out what Create required.
        (KAFKA, {}, {}, None),
        (MQ, {}, {}, None),
        (
            KAFKA,
            {"amazon_managed_kafka_config": {"ConsumerGroupId": "other"}},
            {"amazon_managed_kafka_config": {"ConsumerGroupId": "first"}},
            "ConsumerGroupId of an event source mapping cannot be changed after it is created.",
        ),
        (
            KAFKA,
            {"amazon_managed_kafka_config": {"ConsumerGroupId": "first"}},
            {"amazon_managed_kafka_config": {"ConsumerGroupId": "first"}},
            None,
        ),
        (
            SELF_MANAGED_KAFKA,
            {"self_managed_kafka_config": {"ConsumptionMode": "Stream"}},
            {"self_managed_kafka_config": {"ConsumerGroupId": "g"}},
            None,
        ),
        (
            SELF_MANAGED_KAFKA,
            {"self_managed_kafka_config": {"ConsumptionMode": "Queue"}},
            {"self_managed_kafka_config": {"ConsumerGroupId": "g"}},
            "ConsumptionMode of an event source mapping cannot be changed after it is created.",
        ),
        (
            MQ,
            {"source_access_configurations": (BASIC, {"Type": "VIRTUAL_HOST", "URI": "/"})},
            {},
            "SourceAccessConfiguration type VIRTUAL_HOST cannot be updated.",
        ),
        (
            SQS,
            {"provisioned_poller_config": {"MinimumPollers": 2}},
            {"maximum_concurrency": 10},
            "ProvisionedPollerConfig and ScalingConfig.MaximumConcurrency cannot be used together.",
        ),
        (
            SQS,
            {"maximum_concurrency": 10},
            {"provisioned_poller_config": {"MinimumPollers": 2}},
            "ProvisionedPollerConfig and ScalingConfig.MaximumConcurrency cannot be used together.",
        ),
    ],
)
def test_update_members(
    service: str, given: dict[str, Any], stored: dict[str, Any], message: str | None
) -> None:
    if message is None:
        check_members(service, given, creating=False, stored=stored)
        return
    with pytest.raises(LambdaError) as excinfo:
        check_members(service, given, creating=False, stored=stored)
    assert excinfo.value.message == message
