"""ESM API rules (EventSourceMappingRegistry) on a real FunctionRegistry and state store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lambdad.daemon.domain.event_sources import (
    EventSourceMappingRegistry,
    MappingSettings,
    SourceArn,
)
from lambdad.daemon.domain.functions import CodeInput, NewFunction
from lambdad.daemon.domain.names import Account
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter
from lambdad.daemon.services.functions import function_registry
from lambdad.daemon.store.blobs import BlobStore
from lambdad.daemon.store.state import StateStore
from tests.helpers import make_zip

QUEUE = "arn:aws:sqs:us-east-1:000000000000:q"
FIFO = "arn:aws:sqs:us-east-1:000000000000:q.fifo"
TABLE_STREAM = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024-01-01T00:00:00.000"
KINESIS = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
MISSING = "arn:aws:sqs:us-east-1:000000000000:missing"
MSK = "arn:aws:kafka:us-east-1:000000000000:cluster/c/0a1b2c3d-1111-2222-3333-444455556666-1"
MQ_BROKER = "arn:aws:mq:us-east-1:000000000000:broker:b:b-0a1b2c3d-1111-2222-3333-444455556666"


class FakeProbe:
    """Knows every source except MISSING; is never asked about sources lambdad does not poll."""

    async def check(self, source: SourceArn) -> None:
        assert source.polled_locally, source
        if source.arn == MISSING:
            raise invalid_parameter("missing queue")


@pytest.fixture
async def mappings(tmp_path: Path) -> AsyncIterator[EventSourceMappingRegistry]:
    state = StateStore(tmp_path / "state.db")
    functions = function_registry(
        account=Account("us-east-1", "000000000000"),
        state=state,
        blobs=BlobStore(tmp_path / "blobs"),
        code_fetcher=None,  # type: ignore[arg-type]
    )
    await functions.start()
    await functions.create_function(
        NewFunction(
            function_name="f",
            role="arn:aws:iam::000000000000:role/r",
            code=CodeInput(zip_file=make_zip()),
            runtime="python3.12",
            handler="app.handler",
        )
    )
    try:
        yield EventSourceMappingRegistry(account=functions.account, state=state, probe=FakeProbe())
    finally:
        await functions.stop()
        state.close()


def settings(**values: Any) -> MappingSettings:
    return MappingSettings(**{"function_name": "f", **values})


CREATE_ERRORS = [
    (
        {"function_name": "nope", "event_source_arn": QUEUE},
        Reason.INVALID_PARAMETER_VALUE,
        "Function does not exist",
    ),
    ({"event_source_arn": ""}, Reason.INVALID_PARAMETER_VALUE, "Unrecognized event source."),
    (
        {"event_source_arn": "arn:aws:s3:::b"},
        Reason.INVALID_PARAMETER_VALUE,
        "Unrecognized event source.",
    ),
    (
        {"event_source_arn": KINESIS},
        Reason.INVALID_PARAMETER_VALUE,
        "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
        "constraint: Member must not be null.",
    ),
    (
        {"event_source_arn": KINESIS, "starting_position": "OLDEST"},
        Reason.VALIDATION,
        "1 validation error detected: Value 'OLDEST' at 'startingPosition' failed to satisfy "
        "constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
    ),
    (
        {"event_source_arn": QUEUE, "starting_position": "LATEST"},
        Reason.INVALID_PARAMETER_VALUE,
        f"Unsupported starting position for arn type: {QUEUE}",
    ),
    # DynamoDB Streams have no AT_TIMESTAMP, whatever the timestamp (Kinesis has one).
    (
        {
            "event_source_arn": TABLE_STREAM,
            "starting_position": "AT_TIMESTAMP",
            "starting_position_timestamp": 1700000000.0,
        },
        Reason.INVALID_PARAMETER_VALUE,
        f"Unsupported starting position for arn type: {TABLE_STREAM}",
    ),
    (
        {"event_source_arn": QUEUE, "batch_size": 11},
        Reason.INVALID_PARAMETER_VALUE,
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
        "greater than 10",
    ),
    (
        {"event_source_arn": FIFO, "batch_size": 11, "maximum_batching_window_in_seconds": 1},
        Reason.VALIDATION,
        "1 validation error detected: Value '11' at 'batchSize' failed to satisfy constraint: "
        "Member must have value less than or equal to 10",
    ),
    (
        {"event_source_arn": QUEUE, "filters": ('{"a": "b"}',)},
        Reason.INVALID_PARAMETER_VALUE,
        "Invalid filter pattern definition.",
    ),
    (
        {"event_source_arn": QUEUE, "filters": ('{"a": ["b"]}',) * 6},
        Reason.INVALID_PARAMETER_VALUE,
        "Invalid filter pattern definition.",
    ),
    ({"event_source_arn": MISSING}, Reason.INVALID_PARAMETER_VALUE, "missing queue"),
    (
        {"event_source_arn": QUEUE, "function_response_types": ("Nope",)},
        Reason.VALIDATION,
        "1 validation error detected: Value '['Nope']' at 'functionResponseTypes' failed to "
        "satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
        "[ReportBatchItemFailures]]",
    ),
    # Kafka takes a starting position (not in Queue mode), MQ none.
    (
        {"event_source_arn": MSK, "topics": ("orders",)},
        Reason.INVALID_PARAMETER_VALUE,
        "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
        "constraint: Member must not be null.",
    ),
    (
        {
            "event_source_arn": MQ_BROKER,
            "queues": ("q",),
            "source_access_configurations": ({"Type": "BASIC_AUTH", "URI": "arn:aws:x"},),
            "starting_position": "LATEST",
        },
        Reason.INVALID_PARAMETER_VALUE,
        f"Unsupported starting position for arn type: {MQ_BROKER}",
    ),
    (
        {
            "self_managed_endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["k:9092"]},
            "topics": ("orders",),
            "self_managed_kafka_config": {"ConsumptionMode": "Queue"},
            "maximum_batching_window_in_seconds": 1,
        },
        Reason.INVALID_PARAMETER_VALUE,
        "Unsupported 'maximumBatchingWindowInSeconds' parameter for given event source mapping "
        "type.",
    ),
    (
        {
            "event_source_arn": MSK,
            "self_managed_endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["k:9092"]},
            "topics": ("orders",),
        },
        Reason.INVALID_PARAMETER_VALUE,
        "Specify either EventSourceArn or SelfManagedEventSource, not both.",
    ),
]


@pytest.mark.parametrize(("values", "reason", "message"), CREATE_ERRORS)
async def test_create_errors(
    mappings: EventSourceMappingRegistry, values: dict[str, Any], reason: Reason, message: str
) -> None:
    with pytest.raises(LambdaError) as info:
        await mappings.create(settings(**values))
    assert (info.value.reason, info.value.message) == (reason, message)


async def test_kafka_defaults_and_duplicates(mappings: EventSourceMappingRegistry) -> None:
    kafka = settings(event_source_arn=MSK, topics=("orders",), starting_position="LATEST")
    created = await mappings.create(kafka)
    assert (created.batch_size, created.state_transition_reason) == (100, "USER_INITIATED")
    assert created.amazon_managed_kafka_config == {"ConsumerGroupId": created.uuid}
    assert created.last_processing_result is None
    # The same cluster, topic and function again is a duplicate; another topic is not.
    with pytest.raises(LambdaError) as info:
        await mappings.create(kafka)
    assert info.value.reason == Reason.RESOURCE_CONFLICT
    other = await mappings.create(
        settings(event_source_arn=MSK, topics=("payments",), starting_position="LATEST")
    )
    assert other.uuid != created.uuid


async def test_sqs_defaults_and_states(mappings: EventSourceMappingRegistry) -> None:
    created = await mappings.create(settings(event_source_arn=QUEUE))
    assert created.state == "Creating"
    assert created.state_transition_reason == "USER_INITIATED"
    assert (created.batch_size, created.maximum_batching_window_in_seconds) == (10, 0)
    assert created.starting_position is None
    assert created.maximum_retry_attempts is None
    assert created.function_arn == "arn:aws:lambda:us-east-1:000000000000:function:f"
    await mappings.settle(created.uuid)
    assert (await mappings.get(created.uuid)).state == "Enabled"
    with pytest.raises(LambdaError) as info:
        await mappings.create(settings(event_source_arn=QUEUE))
    assert info.value.reason is Reason.RESOURCE_CONFLICT
    assert created.uuid in info.value.message
    deleted = await mappings.delete(created.uuid)
    assert deleted.state == "Deleting"
    with pytest.raises(LambdaError) as missing:
        await mappings.get(created.uuid)
    assert missing.value.reason is Reason.RESOURCE_NOT_FOUND


async def test_stream_defaults(mappings: EventSourceMappingRegistry) -> None:
    created = await mappings.create(
        settings(event_source_arn=TABLE_STREAM, starting_position="TRIM_HORIZON")
    )
    assert created.batch_size == 100
    assert created.state_transition_reason == "User action"
    assert (created.maximum_retry_attempts, created.maximum_record_age_in_seconds) == (-1, -1)
    assert created.bisect_batch_on_function_error is False
    assert created.parallelization_factor == 1
    assert created.last_processing_result == "No records processed"


async def test_update_only_changes_what_is_given(mappings: EventSourceMappingRegistry) -> None:
    created = await mappings.create(
        settings(event_source_arn=QUEUE, filters=('{"body": {"a": ["1"]}}',), batch_size=5)
    )
    await mappings.settle(created.uuid)
    updated = await mappings.update(created.uuid, MappingSettings(enabled=False))
    assert updated.state == "Disabling"
    assert updated.filters == created.filters
    assert updated.batch_size == 5
    await mappings.settle(created.uuid)
    assert (await mappings.get(created.uuid)).state == "Disabled"
    cleared = await mappings.update(created.uuid, MappingSettings(filters=()))
    assert (cleared.filters, cleared.has_filter_criteria, cleared.state) == ((), False, "Updating")
    with pytest.raises(LambdaError) as info:
        await mappings.update(created.uuid, MappingSettings(batch_size=20))
    assert info.value.message.startswith("Maximum batch window in seconds")


async def test_list_filters_and_pages(mappings: EventSourceMappingRegistry) -> None:
    a = await mappings.create(settings(event_source_arn=QUEUE))
    b = await mappings.create(settings(event_source_arn=KINESIS, starting_position="LATEST"))
    first, second = sorted([a.uuid, b.uuid])
    page = await mappings.list_mappings(
        event_source_arn="", function_name="f", page_token="", page_size=1
    )
    assert [m.uuid for m in page.items] == [first]
    rest = await mappings.list_mappings(
        event_source_arn="", function_name="", page_token=page.next_token, page_size=1
    )
    assert [m.uuid for m in rest.items] == [second]
    assert rest.next_token == ""
    only = await mappings.list_mappings(
        event_source_arn=KINESIS, function_name="", page_token="", page_size=0
    )
    assert [m.uuid for m in only.items] == [b.uuid]


async def test_checkpoints_survive_and_go_with_the_mapping(
    mappings: EventSourceMappingRegistry,
) -> None:
    created = await mappings.create(settings(event_source_arn=KINESIS, starting_position="LATEST"))
    assert await mappings.checkpoint(created.uuid, "shard-0") is None
    await mappings.save_checkpoint(created.uuid, "shard-0", "42")
    await mappings.save_checkpoint(created.uuid, "shard-0", "43")
    assert await mappings.checkpoint(created.uuid, "shard-0") == "43"
    await mappings.delete(created.uuid)
    assert await mappings.checkpoint(created.uuid, "shard-0") is None
