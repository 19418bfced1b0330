"""Event source mapping members beyond SQS/Kinesis/DynamoDB polling, through boto3 and the CLI.

Amazon MSK, self-managed Kafka, Amazon MQ and DocumentDB mappings are created, read, listed,
updated and deleted with AWS's shapes and rules, and settle with a LastProcessingResult that
says lambdad reads nothing from them. SQS and DynamoDB mappings take the members AWS allows
them (KMSKeyArn, MetricsConfig, ProvisionedPollerConfig for SQS) and refuse the others with
AWS's message. Everything is kept across a daemon restart.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.support import (
    ACCOUNT,
    REGION,
    LambdadProcess,
    create_function,
    function_arn,
    settled,
)
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

MSK_ARN = f"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/orders/6c5b3e2a-1111-2222-3333-444455556666-1"
MQ_ARN = f"arn:aws:mq:{REGION}:{ACCOUNT}:broker:orders:b-0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"
DOCDB_ARN = f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:orders-docdb"
SQS_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:members-queue"
DDB_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/stream/2026-12-03T00:00:00.000"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:broker-AbCdEf"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
UNSUPPORTED = "Unsupported '{}' parameter for given event source mapping type."
STARTING_POSITION_NULL = (
    "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
    "constraint: Member must not be null."
)


def _function(client: Any) -> str:
    name = f"esm-members-{uuid.uuid4().hex[:8]}"
    create_function(client, name)
    settled(client, name)
    return name


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def _settled(client: Any, uuid_: str) -> dict[str, Any]:
    """The mapping once it has left its transitional state."""

    def settled_mapping() -> dict[str, Any] | None:
        mapping: dict[str, Any] = client.get_event_source_mapping(UUID=uuid_)
        return mapping if mapping["State"] in ("Enabled", "Disabled") else None

    found: dict[str, Any] = wait_for(settled_mapping, timeout=15)
    return found


def _config(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def test_msk_mapping_round_trip(lambdad: LambdadProcess) -> None:
    client = lambdad.lambda_client()
    name = _function(client)
    created = client.create_event_source_mapping(
        FunctionName=name,
        EventSourceArn=MSK_ARN,
        Topics=["orders"],
        StartingPosition="LATEST",
        SourceAccessConfigurations=[{"Type": "SASL_SCRAM_512_AUTH", "URI": SECRET}],
        MetricsConfig={"Metrics": ["EventCount", "KafkaMetrics"]},
        LoggingConfig={"SystemLogLevel": "WARN"},
        ProvisionedPollerConfig={"MinimumPollers": 1, "MaximumPollers": 3, "PollerGroupName": "g1"},
        KMSKeyArn=KEY,
        DestinationConfig={"OnFailure": {"Destination": "kafka://orders-dlq"}},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["State"] == "Creating"
    assert created["BatchSize"] == 100
    assert created["Topics"] == ["orders"]
    assert created["StartingPosition"] == "LATEST"
    assert created["SourceAccessConfigurations"] == [{"Type": "SASL_SCRAM_512_AUTH", "URI": SECRET}]
    assert created["MetricsConfig"] == {"Metrics": ["EventCount", "KafkaMetrics"]}
    assert created["LoggingConfig"] == {"SystemLogLevel": "WARN"}
    assert created["ProvisionedPollerConfig"] == {
        "MinimumPollers": 1,
        "MaximumPollers": 3,
        "PollerGroupName": "g1",
    }
    assert created["KMSKeyArn"] == KEY
    assert created["DestinationConfig"] == {"OnFailure": {"Destination": "kafka://orders-dlq"}}
    # Without a consumer group the mapping joins one named after its UUID.
    mapping_id = created["UUID"]
    assert created["AmazonManagedKafkaEventSourceConfig"] == {"ConsumerGroupId": mapping_id}

    got = _settled(client, mapping_id)
    assert got["State"] == "Enabled"
    assert got["LastProcessingResult"] == (
        "PROBLEM: lambdad does not poll Amazon MSK event sources; no records are read locally."
    )
    for member in ("Topics", "SourceAccessConfigurations", "MetricsConfig", "KMSKeyArn"):
        assert got[member] == created[member]
    listed = client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    assert [_config(m) for m in listed] == [_config(got)]

    updated = client.update_event_source_mapping(
        UUID=mapping_id,
        MetricsConfig={"Metrics": ["ErrorCount"]},
        LoggingConfig={"SystemLogLevel": "DEBUG"},
        KMSKeyArn="",
        AmazonManagedKafkaEventSourceConfig={"ConsumerGroupId": mapping_id},
        DestinationConfig={"OnSuccess": {"Destination": "kafka://orders-done"}},
        MaximumRetryAttempts=5,
        BisectBatchOnFunctionError=True,
    )
    assert (updated["MaximumRetryAttempts"], updated["BisectBatchOnFunctionError"]) == (5, True)
    assert (updated["State"], updated["StateTransitionReason"]) == ("Updating", "USER_INITIATED")
    assert updated["MetricsConfig"] == {"Metrics": ["ErrorCount"]}
    assert updated["LoggingConfig"] == {"SystemLogLevel": "DEBUG"}
    assert "KMSKeyArn" not in updated
    assert updated["DestinationConfig"]["OnSuccess"] == {"Destination": "kafka://orders-done"}
    assert updated["Topics"] == ["orders"]
    with pytest.raises(ClientError) as excinfo:
        client.update_event_source_mapping(
            UUID=mapping_id, AmazonManagedKafkaEventSourceConfig={"ConsumerGroupId": "other"}
        )
    assert _error(excinfo) == (
        "InvalidParameterValueException",
        "ConsumerGroupId of an event source mapping cannot be changed after it is created.",
    )
    _settled(client, mapping_id)
    deleted = client.delete_event_source_mapping(UUID=mapping_id)
    assert (deleted["State"], deleted["Topics"]) == ("Deleting", ["orders"])


def test_self_managed_kafka_mapping(lambdad: LambdadProcess) -> None:
    client = lambdad.lambda_client()
    name = _function(client)
    endpoints = {"KAFKA_BOOTSTRAP_SERVERS": ["broker-1.local:9092", "broker-2.local:9092"]}
    access = [
        {"Type": "BASIC_AUTH", "URI": SECRET},
        {"Type": "VPC_SUBNET", "URI": "subnet:subnet-0123"},
    ]
    created = client.create_event_source_mapping(
        FunctionName=name,
        SelfManagedEventSource={"Endpoints": endpoints},
        Topics=["clicks"],
        SourceAccessConfigurations=access,
        SelfManagedKafkaEventSourceConfig={"ConsumerGroupId": "clicks-group"},
        StartingPosition="TRIM_HORIZON",
    )
    assert "EventSourceArn" not in created
    assert created["SelfManagedEventSource"] == {"Endpoints": endpoints}
    assert created["SelfManagedKafkaEventSourceConfig"] == {"ConsumerGroupId": "clicks-group"}
    got = _settled(client, created["UUID"])
    assert got["LastProcessingResult"].startswith("PROBLEM: lambdad does not poll self-managed")
    assert got["SourceAccessConfigurations"] == access

    # Queue mode (share groups) has no starting position.
    with pytest.raises(ClientError) as excinfo:
        client.create_event_source_mapping(
            FunctionName=name,
            SelfManagedEventSource={"Endpoints": endpoints},
            Topics=["other"],
            SelfManagedKafkaEventSourceConfig={"ConsumptionMode": "Queue"},
            StartingPosition="LATEST",
        )
    assert _error(excinfo) == (
        "InvalidParameterValueException",
        UNSUPPORTED.format("startingPosition"),
    )
    queued = client.create_event_source_mapping(
        FunctionName=name,
        SelfManagedEventSource={"Endpoints": endpoints},
        Topics=["other"],
        SelfManagedKafkaEventSourceConfig={"ConsumptionMode": "Queue"},
    )
    assert queued["SelfManagedKafkaEventSourceConfig"] == {
        "ConsumerGroupId": queued["UUID"],
        "ConsumptionMode": "Queue",
    }


def test_msk_duplicate_is_the_same_cluster_function_and_topic(lambdad: LambdadProcess) -> None:
    # AWS's answer, recorded in aws/aws-sam-cli#2308 (409 from Lambda): the message names the
    # cluster, the function's ARN and the topic; another topic of the cluster is a new mapping.
    client = lambdad.lambda_client()
    name = _function(client)
    members = {"EventSourceArn": MSK_ARN, "StartingPosition": "LATEST", "Enabled": False}
    first = client.create_event_source_mapping(FunctionName=name, Topics=["orders"], **members)
    client.create_event_source_mapping(FunctionName=name, Topics=["refunds"], **members)
    with pytest.raises(ClientError) as excinfo:
        client.create_event_source_mapping(FunctionName=name, Topics=["orders"], **members)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert _error(excinfo) == (
        "ResourceConflictException",
        f'An event source mapping with event source arn ("{MSK_ARN}"), function '
        f'("{function_arn(name)}") and topics ("orders") already exists. Please update or '
        f"delete the existing mapping with UUID {first['UUID']}",
    )


@pytest.mark.parametrize(
    ("members", "message"),
    [
        pytest.param(
            {"EventSourceArn": MSK_ARN, "StartingPosition": "LATEST"},
            "Topics must be specified for Amazon MSK event sources.",
            id="msk-without-topics",
        ),
        # AWS's parameter tables for Kafka sources mark StartingPosition required (Lambda
        # developer guide, msk-esm-parameters and kafka-esm-parameters); the message is the
        # one recorded for streams.
        pytest.param(
            {"EventSourceArn": MSK_ARN, "Topics": ["events"]},
            STARTING_POSITION_NULL,
            id="msk-without-starting-position",
        ),
        pytest.param(
            {
                "SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["b1:9092"]}},
                "Topics": ["events"],
            },
            STARTING_POSITION_NULL,
            id="self-managed-kafka-without-starting-position",
        ),
        pytest.param(
            {
                "EventSourceArn": MQ_ARN,
                "SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": SECRET}],
            },
            "Queues must be specified for Amazon MQ event sources.",
            id="mq-without-queues",
        ),
        pytest.param(
            {"EventSourceArn": MQ_ARN, "Queues": ["q"]},
            "A BASIC_AUTH SourceAccessConfiguration is required for Amazon MQ event sources.",
            id="mq-without-credentials",
        ),
        pytest.param(
            {
                "EventSourceArn": MQ_ARN,
                "Queues": ["q"],
                "SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": SECRET}],
                "StartingPosition": "LATEST",
            },
            f"Unsupported starting position for arn type: {MQ_ARN}",
            id="mq-starting-position",
        ),
        pytest.param(
            {
                "EventSourceArn": DOCDB_ARN,
                "StartingPosition": "LATEST",
                "SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": SECRET}],
            },
            "DocumentDBEventSourceConfig.DatabaseName must be specified for Amazon DocumentDB "
            "event sources.",
            id="docdb-without-database",
        ),
        pytest.param(
            {
                "EventSourceArn": MSK_ARN,
                "Topics": ["events"],
                "StartingPosition": "LATEST",
                "SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": SECRET}],
            },
            "SourceAccessConfiguration type BASIC_AUTH is not supported for Amazon MSK event "
            "sources.",
            id="msk-basic-auth",
        ),
        pytest.param(
            {"EventSourceArn": SQS_ARN, "Topics": ["events"]},
            UNSUPPORTED.format("topics"),
            id="sqs-topics",
        ),
        pytest.param(
            {"EventSourceArn": SQS_ARN, "LoggingConfig": {"SystemLogLevel": "INFO"}},
            UNSUPPORTED.format("loggingConfig"),
            id="sqs-logging",
        ),
        pytest.param(
            {"EventSourceArn": SQS_ARN, "Queues": ["q"]},
            UNSUPPORTED.format("queues"),
            id="sqs-queues",
        ),
        pytest.param(
            {
                "EventSourceArn": SQS_ARN,
                "SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": SECRET}],
            },
            UNSUPPORTED.format("sourceAccessConfigurations"),
            id="sqs-source-access",
        ),
        pytest.param(
            {"EventSourceArn": SQS_ARN, "MetricsConfig": {"Metrics": ["KafkaMetrics"]}},
            "Metric KafkaMetrics is only supported for Kafka event sources.",
            id="sqs-kafka-metrics",
        ),
        pytest.param(
            {"EventSourceArn": SQS_ARN, "ProvisionedPollerConfig": {"MinimumPollers": 1}},
            None,
            id="sqs-one-poller",
        ),
        pytest.param(
            {
                "EventSourceArn": DDB_ARN,
                "StartingPosition": "AT_TIMESTAMP",
                "StartingPositionTimestamp": 1_700_000_000,
            },
            f"Unsupported starting position for arn type: {DDB_ARN}",
            id="dynamodb-at-timestamp",
        ),
        pytest.param(
            {
                "EventSourceArn": DDB_ARN,
                "StartingPosition": "LATEST",
                "ProvisionedPollerConfig": {"MinimumPollers": 2},
            },
            UNSUPPORTED.format("provisionedPollerConfig"),
            id="dynamodb-provisioned-pollers",
        ),
        pytest.param(
            {"EventSourceArn": SQS_ARN, "AmazonManagedKafkaEventSourceConfig": {}},
            UNSUPPORTED.format("amazonManagedKafkaEventSourceConfig"),
            id="sqs-msk-config",
        ),
    ],
)
def test_members_refused_as_aws_refuses_them(
    lambdad: LambdadProcess, members: dict[str, Any], message: str | None
) -> None:
    client = lambdad.lambda_client(validated=False)
    name = _function(client)
    with pytest.raises(ClientError) as excinfo:
        client.create_event_source_mapping(FunctionName=name, Enabled=False, **members)
    if message is None:
        # A number below SQS's minimum of pollers is a validation error.
        assert _error(excinfo) == (
            "ValidationException",
            "1 validation error detected: Value '1' at 'provisionedPollerConfig.minimumPollers' "
            "failed to satisfy constraint: Member must have value greater than or equal to 2",
        )
    else:
        assert _error(excinfo) == ("InvalidParameterValueException", message)


def test_sqs_and_dynamodb_take_their_members(lambdad: LambdadProcess) -> None:
    client = lambdad.lambda_client()
    name = _function(client)
    sqs = client.create_event_source_mapping(
        FunctionName=name,
        EventSourceArn=SQS_ARN,
        Enabled=False,
        KMSKeyArn=KEY,
        MetricsConfig={"Metrics": ["EventCount"]},
        ProvisionedPollerConfig={"MinimumPollers": 2, "MaximumPollers": 20},
    )
    assert sqs["KMSKeyArn"] == KEY
    assert sqs["MetricsConfig"] == {"Metrics": ["EventCount"]}
    assert sqs["ProvisionedPollerConfig"] == {"MinimumPollers": 2, "MaximumPollers": 20}
    for absent in ("Topics", "Queues", "SourceAccessConfigurations", "LoggingConfig"):
        assert absent not in sqs
    updated = client.update_event_source_mapping(
        UUID=sqs["UUID"], ProvisionedPollerConfig={"MinimumPollers": 3, "MaximumPollers": 30}
    )
    assert updated["ProvisionedPollerConfig"] == {"MinimumPollers": 3, "MaximumPollers": 30}
    stream = client.create_event_source_mapping(
        FunctionName=name,
        EventSourceArn=DDB_ARN,
        StartingPosition="LATEST",
        Enabled=False,
        KMSKeyArn=KEY,
        MetricsConfig={"Metrics": ["EventCount"]},
    )
    assert (stream["KMSKeyArn"], stream["MetricsConfig"]) == (KEY, {"Metrics": ["EventCount"]})
    # Local sources keep polling as before: their mappings carry no PROBLEM result.
    assert _settled(client, stream["UUID"])["LastProcessingResult"] == "No records processed"


def test_mq_and_documentdb_mappings(lambdad: LambdadProcess) -> None:
    client = lambdad.lambda_client()
    name = _function(client)
    access = [
        {"Type": "BASIC_AUTH", "URI": SECRET},
        {"Type": "VIRTUAL_HOST", "URI": "/orders"},
    ]
    mq = client.create_event_source_mapping(
        FunctionName=name,
        EventSourceArn=MQ_ARN,
        Queues=["orders"],
        SourceAccessConfigurations=access,
        BatchSize=10,
    )
    assert (mq["Queues"], mq["SourceAccessConfigurations"]) == (["orders"], access)
    assert "StartingPosition" not in mq
    got = _settled(client, mq["UUID"])
    assert got["LastProcessingResult"].startswith("PROBLEM: lambdad does not poll Amazon MQ")
    with pytest.raises(ClientError) as excinfo:
        client.update_event_source_mapping(UUID=mq["UUID"], SourceAccessConfigurations=access)
    assert _error(excinfo) == (
        "InvalidParameterValueException",
        "SourceAccessConfiguration type VIRTUAL_HOST cannot be updated.",
    )

    docdb = client.create_event_source_mapping(
        FunctionName=name,
        EventSourceArn=DOCDB_ARN,
        StartingPosition="LATEST",
        SourceAccessConfigurations=[{"Type": "BASIC_AUTH", "URI": SECRET}],
        DocumentDBEventSourceConfig={"DatabaseName": "shop", "CollectionName": "orders"},
    )
    assert docdb["DocumentDBEventSourceConfig"] == {
        "DatabaseName": "shop",
        "CollectionName": "orders",
        "FullDocument": "Default",
    }
    _settled(client, docdb["UUID"])
    updated = client.update_event_source_mapping(
        UUID=docdb["UUID"], DocumentDBEventSourceConfig={"FullDocument": "UpdateLookup"}
    )
    assert updated["DocumentDBEventSourceConfig"] == {
        "DatabaseName": "shop",
        "CollectionName": "orders",
        "FullDocument": "UpdateLookup",
    }


def test_cli_creates_a_kafka_mapping(lambdad: LambdadProcess) -> None:
    name = _function(lambdad.lambda_client())
    created = lambdad.aws_json(
        "lambda",
        "create-event-source-mapping",
        "--function-name",
        name,
        "--event-source-arn",
        MSK_ARN,
        "--topics",
        "payments",
        "--starting-position",
        "TRIM_HORIZON",
        "--amazon-managed-kafka-event-source-config",
        json.dumps({"ConsumerGroupId": "payments-cli"}),
        "--metrics-config",
        json.dumps({"Metrics": ["EventCount"]}),
    )
    assert created["State"] == "Creating"
    assert created["Topics"] == ["payments"]
    assert created["AmazonManagedKafkaEventSourceConfig"] == {"ConsumerGroupId": "payments-cli"}
    refused = lambdad.aws(
        "lambda",
        "create-event-source-mapping",
        "--function-name",
        name,
        "--event-source-arn",
        MSK_ARN,
        "--starting-position",
        "LATEST",
        check=False,
    )
    assert refused.returncode != 0
    assert "Topics must be specified for Amazon MSK event sources." in refused.stderr


def test_members_survive_a_restart(fresh_lambdad: LambdadProcess) -> None:
    client = fresh_lambdad.start().lambda_client()
    name = _function(client)
    kafka = client.create_event_source_mapping(
        FunctionName=name,
        SelfManagedEventSource={"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["k.local:9092"]}},
        Topics=["events"],
        StartingPosition="LATEST",
        SourceAccessConfigurations=[{"Type": "IAM_AUTH"}],
        SelfManagedKafkaEventSourceConfig={
            "ConsumerGroupId": "g",
            "SchemaRegistryConfig": {
                "SchemaRegistryURI": "https://registry.local",
                "EventRecordFormat": "JSON",
                "AccessConfigs": [{"Type": "BASIC_AUTH", "URI": SECRET}],
                "SchemaValidationConfigs": [{"Attribute": "VALUE"}],
            },
        },
        MetricsConfig={"Metrics": ["EventCount", "ErrorCount"]},
        LoggingConfig={"SystemLogLevel": "INFO"},
        ProvisionedPollerConfig={"MinimumPollers": 1, "MaximumPollers": 2},
        KMSKeyArn=KEY,
        DestinationConfig={"OnSuccess": {"Destination": "kafka://done"}},
    )
    mq = client.create_event_source_mapping(
        FunctionName=name,
        EventSourceArn=MQ_ARN,
        Queues=["q"],
        SourceAccessConfigurations=[{"Type": "BASIC_AUTH", "URI": SECRET}],
        Enabled=False,
    )
    before = {m: _config(_settled(client, m)) for m in (kafka["UUID"], mq["UUID"])}
    assert before[kafka["UUID"]]["SelfManagedKafkaEventSourceConfig"]["SchemaRegistryConfig"][
        "SchemaValidationConfigs"
    ] == [{"Attribute": "VALUE"}]

    fresh_lambdad.kill()
    client = fresh_lambdad.start().lambda_client()
    after = {m: _config(_settled(client, m)) for m in before}
    assert after == before
    assert after[mq["UUID"]]["State"] == "Disabled"
