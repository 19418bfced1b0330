"""Errors of event source mappings, provisioned concurrency, capacity providers and durable
executions: status code and type as the model lists them, message as AWS recorded it.

Each case makes one call that must fail. Its error type must be one the model lists for
that operation (or ValidationException, which AWS answers for the model's constraints
without listing it), with the status code the model gives that type; where lambda-spec §2.3
has AWS's recorded answer, the type and message must be that. The client does not check
parameters itself, so the gateway's checks are what answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from tests.e2e.support import (
    ACCOUNT,
    REGION,
    LambdadProcess,
    aws_client,
    create_function,
    create_queue,
    function_arn,
    settled,
)
from tests.helpers import make_zip, wait_for

pytestmark = pytest.mark.e2e

MODEL = botocore.session.get_session().get_service_model("lambda")
# Answered by AWS for the model's own constraints, though no operation lists it.
UNLISTED = {"ValidationException": 400}
NOT_FOUND = "The resource you requested does not exist."
DURABLE = 'def handler(event, context):\n    return {"Status": "SUCCEEDED", "Result": "1"}\n'


@dataclass(frozen=True)
class World:
    """The resources the cases point at."""

    client: Any
    function: str
    queue: str
    queue_mapping: str
    spare_queue: str
    stream: str
    stream_mapping: str
    provider: str
    durable_function: str
    finished_execution: str

    def missing_execution(self) -> str:
        """A well-formed ARN of an execution that never ran."""
        return (
            f"{function_arn(self.durable_function)}:$LATEST/durable-execution/"
            f"never-{uuid.uuid4().hex[:8]}/{uuid.uuid4().hex}"
        )


@pytest.fixture(scope="module")
def world(lambdad_with_aws: LambdadProcess, aws_endpoint: str) -> Iterator[World]:
    client = lambdad_with_aws.lambda_client(validated=False)
    tag = uuid.uuid4().hex[:8]
    function = f"errors-{tag}"
    create_function(client, function)
    settled(client, function)
    client.publish_version(FunctionName=function)
    client.create_alias(FunctionName=function, Name="live", FunctionVersion="1")
    sqs = aws_client("sqs", aws_endpoint)
    _, queue = create_queue(sqs, f"errors-{tag}")
    _, spare = create_queue(sqs, f"errors-spare-{tag}")
    table = aws_client("dynamodb", aws_endpoint).create_table(
        TableName=f"errors-{tag}",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    stream = table["TableDescription"]["LatestStreamArn"]
    queue_mapping = client.create_event_source_mapping(FunctionName=function, EventSourceArn=queue)[
        "UUID"
    ]
    stream_mapping = client.create_event_source_mapping(
        FunctionName=function, EventSourceArn=stream, StartingPosition="LATEST"
    )["UUID"]
    provider = f"errors-cp-{tag}"
    client.create_capacity_provider(
        CapacityProviderName=provider,
        VpcConfig={"SubnetIds": ["subnet-0123"], "SecurityGroupIds": ["sg-0123"]},
        PermissionsConfig={
            "CapacityProviderOperatorRoleArn": f"arn:aws:iam::{ACCOUNT}:role/lmi-operator"
        },
    )
    durable = f"errors-durable-{tag}"
    create_function(
        client,
        durable,
        make_zip({"app.py": DURABLE}),
        DurableConfig={"ExecutionTimeout": 60, "RetentionPeriodInDays": 1},
    )
    settled(client, durable)
    finished = client.invoke(FunctionName=f"{durable}:$LATEST", Payload=b"{}")[
        "DurableExecutionArn"
    ]
    wait_for(
        lambda: client.get_durable_execution(DurableExecutionArn=finished)["Status"] != "RUNNING",
        timeout=30,
    )
    yield World(
        client,
        function,
        queue,
        queue_mapping,
        spare,
        stream,
        stream_mapping,
        provider,
        durable,
        finished,
    )
    for mapping in (queue_mapping, stream_mapping):
        client.delete_event_source_mapping(UUID=mapping)
    client.delete_function(FunctionName=function)
    client.delete_function(FunctionName=durable)


def _missing() -> str:
    return str(uuid.uuid4())


# (id, the call, AWS's recorded (type, message) or None where lambda-spec records none)
Case = tuple[str, Callable[[World], Any], Callable[[World], tuple[str, str]] | None]
CASES: list[Case] = [
    # ------------------------------------------------------------ event source mappings
    (
        "get-mapping-missing",
        lambda w: w.client.get_event_source_mapping(UUID=_missing()),
        lambda w: ("ResourceNotFoundException", NOT_FOUND),
    ),
    (
        "update-mapping-missing",
        lambda w: w.client.update_event_source_mapping(UUID=_missing(), BatchSize=5),
        lambda w: ("ResourceNotFoundException", NOT_FOUND),
    ),
    (
        "delete-mapping-missing",
        lambda w: w.client.delete_event_source_mapping(UUID=_missing()),
        lambda w: ("ResourceNotFoundException", NOT_FOUND),
    ),
    (
        "create-mapping-unknown-function",
        lambda w: w.client.create_event_source_mapping(
            FunctionName=f"nope-{uuid.uuid4().hex[:8]}", EventSourceArn=w.spare_queue
        ),
        lambda w: ("InvalidParameterValueException", "Function does not exist"),
    ),
    (
        "create-mapping-without-source",
        lambda w: w.client.create_event_source_mapping(FunctionName=w.function),
        lambda w: ("InvalidParameterValueException", "Unrecognized event source."),
    ),
    (
        "create-stream-mapping-without-position",
        lambda w: w.client.create_event_source_mapping(
            FunctionName=w.function, EventSourceArn=w.stream
        ),
        lambda w: (
            "InvalidParameterValueException",
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
            "constraint: Member must not be null.",
        ),
    ),
    (
        "create-mapping-bad-position",
        lambda w: w.client.create_event_source_mapping(
            FunctionName=w.function, EventSourceArn=w.stream, StartingPosition="EARLIEST"
        ),
        lambda w: (
            "ValidationException",
            "1 validation error detected: Value 'EARLIEST' at 'startingPosition' failed to "
            "satisfy constraint: Member must satisfy enum value set: "
            "[LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
        ),
    ),
    (
        "create-sqs-mapping-with-position",
        lambda w: w.client.create_event_source_mapping(
            FunctionName=w.function, EventSourceArn=w.spare_queue, StartingPosition="LATEST"
        ),
        lambda w: (
            "InvalidParameterValueException",
            f"Unsupported starting position for arn type: {w.spare_queue}",
        ),
    ),
    (
        "create-sqs-mapping-big-batch-without-window",
        lambda w: w.client.create_event_source_mapping(
            FunctionName=w.function, EventSourceArn=w.spare_queue, BatchSize=11
        ),
        lambda w: (
            "InvalidParameterValueException",
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10",
        ),
    ),
    (
        "create-mapping-bad-filter",
        lambda w: w.client.create_event_source_mapping(
            FunctionName=w.function,
            EventSourceArn=w.spare_queue,
            FilterCriteria={"Filters": [{"Pattern": '{"eventSource": "aws:sqs"}'}]},
        ),
        lambda w: ("InvalidParameterValueException", "Invalid filter pattern definition."),
    ),
    (
        "create-sqs-mapping-twice",
        lambda w: w.client.create_event_source_mapping(
            FunctionName=w.function, EventSourceArn=w.queue
        ),
        lambda w: (
            "ResourceConflictException",
            f'An event source mapping with SQS arn (" {w.queue} ") and function '
            f'(" {w.function} ") already exists. Please update or delete the existing mapping '
            f"with UUID {w.queue_mapping}",
        ),
    ),
    (
        "create-stream-mapping-twice",
        lambda w: w.client.create_event_source_mapping(
            FunctionName=w.function, EventSourceArn=w.stream, StartingPosition="LATEST"
        ),
        lambda w: (
            "ResourceConflictException",
            f'The event source arn (" {w.stream} ") and function (" {w.function} ") provided '
            f"mapping already exists. Please update or delete the existing mapping with UUID "
            f"{w.stream_mapping}",
        ),
    ),
    (
        "create-mapping-missing-queue",
        lambda w: w.client.create_event_source_mapping(
            FunctionName=w.function,
            EventSourceArn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:nope-{uuid.uuid4().hex[:8]}",
        ),
        lambda w: (
            "InvalidParameterValueException",
            "Error occurred while ReceiveMessage. SQS Error Code: "
            "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue "
            "does not exist.",
        ),
    ),
    # ---------------------------------------------------------- provisioned concurrency
    (
        "put-provisioned-latest",
        lambda w: w.client.put_provisioned_concurrency_config(
            FunctionName=w.function, Qualifier="$LATEST", ProvisionedConcurrentExecutions=1
        ),
        lambda w: (
            "InvalidParameterValueException",
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
        ),
    ),
    (
        "get-provisioned-none",
        lambda w: w.client.get_provisioned_concurrency_config(
            FunctionName=w.function, Qualifier="1"
        ),
        lambda w: (
            "ProvisionedConcurrencyConfigNotFoundException",
            "No Provisioned Concurrency Config found for this function",
        ),
    ),
    (
        "get-provisioned-unknown-function",
        lambda w: w.client.get_provisioned_concurrency_config(
            FunctionName=f"nope-{uuid.uuid4().hex[:8]}", Qualifier="1"
        ),
        None,
    ),
    (
        "put-provisioned-unknown-alias",
        lambda w: w.client.put_provisioned_concurrency_config(
            FunctionName=w.function, Qualifier="ghost", ProvisionedConcurrentExecutions=1
        ),
        lambda w: (
            "ResourceNotFoundException",
            f"Cannot find alias arn: {function_arn(w.function, 'ghost')}",
        ),
    ),
    (
        "list-provisioned-unknown-function",
        lambda w: w.client.list_provisioned_concurrency_configs(
            FunctionName=f"nope-{uuid.uuid4().hex[:8]}"
        ),
        None,
    ),
    # -------------------------------------------------------------- capacity providers
    (
        "get-provider-missing",
        lambda w: w.client.get_capacity_provider(CapacityProviderName="nope-cp"),
        None,
    ),
    (
        "update-provider-missing",
        lambda w: w.client.update_capacity_provider(
            CapacityProviderName="nope-cp", CapacityProviderScalingConfig={"ScalingMode": "Auto"}
        ),
        None,
    ),
    (
        "delete-provider-missing",
        lambda w: w.client.delete_capacity_provider(CapacityProviderName="nope-cp"),
        None,
    ),
    (
        "list-provider-versions-missing",
        lambda w: w.client.list_function_versions_by_capacity_provider(
            CapacityProviderName="nope-cp"
        ),
        None,
    ),
    (
        "create-provider-twice",
        lambda w: w.client.create_capacity_provider(
            CapacityProviderName=w.provider,
            VpcConfig={"SubnetIds": ["subnet-0123"], "SecurityGroupIds": ["sg-0123"]},
            PermissionsConfig={
                "CapacityProviderOperatorRoleArn": f"arn:aws:iam::{ACCOUNT}:role/lmi-operator"
            },
        ),
        None,
    ),
    # -------------------------------------------------------------- durable executions
    (
        "get-execution-missing",
        lambda w: w.client.get_durable_execution(DurableExecutionArn=w.missing_execution()),
        None,
    ),
    (
        "history-missing",
        lambda w: w.client.get_durable_execution_history(DurableExecutionArn=w.missing_execution()),
        None,
    ),
    (
        "state-missing",
        lambda w: w.client.get_durable_execution_state(
            DurableExecutionArn=w.missing_execution(), CheckpointToken="token"
        ),
        None,
    ),
    (
        "state-stale-token",
        lambda w: w.client.get_durable_execution_state(
            DurableExecutionArn=w.finished_execution, CheckpointToken="token"
        ),
        None,
    ),
    (
        "checkpoint-missing",
        lambda w: w.client.checkpoint_durable_execution(
            DurableExecutionArn=w.missing_execution(), CheckpointToken="token", Updates=[]
        ),
        None,
    ),
    (
        "checkpoint-finished",
        lambda w: w.client.checkpoint_durable_execution(
            DurableExecutionArn=w.finished_execution, CheckpointToken="token", Updates=[]
        ),
        None,
    ),
    (
        "stop-missing",
        lambda w: w.client.stop_durable_execution(DurableExecutionArn=w.missing_execution()),
        None,
    ),
    (
        "stop-finished",
        lambda w: w.client.stop_durable_execution(DurableExecutionArn=w.finished_execution),
        None,
    ),
    (
        "pause-missing",
        lambda w: w.client.pause_durable_execution(DurableExecutionArn=w.missing_execution()),
        None,
    ),
    (
        "pause-finished",
        lambda w: w.client.pause_durable_execution(DurableExecutionArn=w.finished_execution),
        None,
    ),
    (
        "resume-missing",
        lambda w: w.client.resume_durable_execution(DurableExecutionArn=w.missing_execution()),
        None,
    ),
    (
        "resume-finished",
        lambda w: w.client.resume_durable_execution(DurableExecutionArn=w.finished_execution),
        None,
    ),
    (
        "delete-execution-missing",
        lambda w: w.client.delete_durable_execution(DurableExecutionArn=w.missing_execution()),
        None,
    ),
    (
        "callback-success-unknown",
        lambda w: w.client.send_durable_execution_callback_success(
            CallbackId="bm9uZQ==", Result=b"1"
        ),
        None,
    ),
    (
        "callback-failure-unknown",
        lambda w: w.client.send_durable_execution_callback_failure(
            CallbackId="bm9uZQ==", Error={"ErrorMessage": "no"}
        ),
        None,
    ),
    (
        "callback-heartbeat-unknown",
        lambda w: w.client.send_durable_execution_callback_heartbeat(CallbackId="bm9uZQ=="),
        None,
    ),
    (
        "list-executions-unknown-function",
        lambda w: w.client.list_durable_executions_by_function(
            FunctionName=f"nope-{uuid.uuid4().hex[:8]}"
        ),
        None,
    ),
]


def allowed(operation: str) -> dict[str, int]:
    """The error types the model lists for `operation`, with their status codes."""
    model = MODEL.operation_model(operation)
    listed = {e.name: e.metadata["error"]["httpStatusCode"] for e in model.error_shapes}
    return listed | UNLISTED


def test_allowed_comes_from_the_model() -> None:
    assert allowed("GetDurableExecutionState")["InvalidParameterValueException"] == 400
    assert "ResourceNotFoundException" not in allowed("GetDurableExecutionState")
    assert (
        allowed("GetProvisionedConcurrencyConfig")["ProvisionedConcurrencyConfigNotFoundException"]
        == 404
    )
    assert "ProvisionedConcurrencyConfigNotFoundException" not in allowed(
        "DeleteProvisionedConcurrencyConfig"
    )


@pytest.mark.parametrize(("call", "recorded"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_is_one_aws_answers(
    world: World,
    call: Callable[[World], Any],
    recorded: Callable[[World], tuple[str, str]] | None,
) -> None:
    with pytest.raises(ClientError) as caught:
        call(world)
    response = caught.value.response
    operation = caught.value.operation_name
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    code = response["Error"]["Code"]
    message = response["Error"]["Message"]
    answers = allowed(operation)
    assert code in answers, (operation, code, message, sorted(answers))
    assert status == answers[code], (operation, code, status)
    if recorded is not None:
        assert (code, message) == recorded(world)
