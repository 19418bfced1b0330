from lambdad.v1 import function_pb2 as _function_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DurableErrorObject(_message.Message):
    __slots__ = ("error_message", "error_type", "error_data", "stack_trace")
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ERROR_TYPE_FIELD_NUMBER: _ClassVar[int]
    ERROR_DATA_FIELD_NUMBER: _ClassVar[int]
    STACK_TRACE_FIELD_NUMBER: _ClassVar[int]
    error_message: str
    error_type: str
    error_data: str
    stack_trace: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, error_message: _Optional[str] = ..., error_type: _Optional[str] = ..., error_data: _Optional[str] = ..., stack_trace: _Optional[_Iterable[str]] = ...) -> None: ...

class DurableContextOptions(_message.Message):
    __slots__ = ("replay_children",)
    REPLAY_CHILDREN_FIELD_NUMBER: _ClassVar[int]
    replay_children: bool
    def __init__(self, replay_children: _Optional[bool] = ...) -> None: ...

class DurableStepOptions(_message.Message):
    __slots__ = ("next_attempt_delay_seconds",)
    NEXT_ATTEMPT_DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    next_attempt_delay_seconds: int
    def __init__(self, next_attempt_delay_seconds: _Optional[int] = ...) -> None: ...

class DurableWaitOptions(_message.Message):
    __slots__ = ("wait_seconds",)
    WAIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    wait_seconds: int
    def __init__(self, wait_seconds: _Optional[int] = ...) -> None: ...

class DurableCallbackOptions(_message.Message):
    __slots__ = ("timeout_seconds", "heartbeat_timeout_seconds")
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    timeout_seconds: int
    heartbeat_timeout_seconds: int
    def __init__(self, timeout_seconds: _Optional[int] = ..., heartbeat_timeout_seconds: _Optional[int] = ...) -> None: ...

class DurableChainedInvokeOptions(_message.Message):
    __slots__ = ("function_name", "tenant_id")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    tenant_id: str
    def __init__(self, function_name: _Optional[str] = ..., tenant_id: _Optional[str] = ...) -> None: ...

class OperationUpdate(_message.Message):
    __slots__ = ("id", "parent_id", "name", "type", "sub_type", "action", "payload", "error", "context_options", "step_options", "wait_options", "callback_options", "chained_invoke_options")
    ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SUB_TYPE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    STEP_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    WAIT_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    CHAINED_INVOKE_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    parent_id: str
    name: str
    type: str
    sub_type: str
    action: str
    payload: str
    error: DurableErrorObject
    context_options: DurableContextOptions
    step_options: DurableStepOptions
    wait_options: DurableWaitOptions
    callback_options: DurableCallbackOptions
    chained_invoke_options: DurableChainedInvokeOptions
    def __init__(self, id: _Optional[str] = ..., parent_id: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., sub_type: _Optional[str] = ..., action: _Optional[str] = ..., payload: _Optional[str] = ..., error: _Optional[_Union[DurableErrorObject, _Mapping]] = ..., context_options: _Optional[_Union[DurableContextOptions, _Mapping]] = ..., step_options: _Optional[_Union[DurableStepOptions, _Mapping]] = ..., wait_options: _Optional[_Union[DurableWaitOptions, _Mapping]] = ..., callback_options: _Optional[_Union[DurableCallbackOptions, _Mapping]] = ..., chained_invoke_options: _Optional[_Union[DurableChainedInvokeOptions, _Mapping]] = ...) -> None: ...

class ExecutionDetails(_message.Message):
    __slots__ = ("input_payload",)
    INPUT_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    input_payload: str
    def __init__(self, input_payload: _Optional[str] = ...) -> None: ...

class ContextDetails(_message.Message):
    __slots__ = ("replay_children", "result", "error")
    REPLAY_CHILDREN_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    replay_children: bool
    result: str
    error: DurableErrorObject
    def __init__(self, replay_children: _Optional[bool] = ..., result: _Optional[str] = ..., error: _Optional[_Union[DurableErrorObject, _Mapping]] = ...) -> None: ...

class StepDetails(_message.Message):
    __slots__ = ("attempt", "next_attempt_timestamp", "result", "error")
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    attempt: int
    next_attempt_timestamp: float
    result: str
    error: DurableErrorObject
    def __init__(self, attempt: _Optional[int] = ..., next_attempt_timestamp: _Optional[float] = ..., result: _Optional[str] = ..., error: _Optional[_Union[DurableErrorObject, _Mapping]] = ...) -> None: ...

class WaitDetails(_message.Message):
    __slots__ = ("scheduled_end_timestamp",)
    SCHEDULED_END_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    scheduled_end_timestamp: float
    def __init__(self, scheduled_end_timestamp: _Optional[float] = ...) -> None: ...

class CallbackDetails(_message.Message):
    __slots__ = ("callback_id", "result", "error")
    CALLBACK_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    callback_id: str
    result: str
    error: DurableErrorObject
    def __init__(self, callback_id: _Optional[str] = ..., result: _Optional[str] = ..., error: _Optional[_Union[DurableErrorObject, _Mapping]] = ...) -> None: ...

class ChainedInvokeDetails(_message.Message):
    __slots__ = ("result", "error")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    result: str
    error: DurableErrorObject
    def __init__(self, result: _Optional[str] = ..., error: _Optional[_Union[DurableErrorObject, _Mapping]] = ...) -> None: ...

class Operation(_message.Message):
    __slots__ = ("id", "parent_id", "name", "type", "sub_type", "start_timestamp", "end_timestamp", "status", "execution_details", "context_details", "step_details", "wait_details", "callback_details", "chained_invoke_details")
    ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SUB_TYPE_FIELD_NUMBER: _ClassVar[int]
    START_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    END_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_DETAILS_FIELD_NUMBER: _ClassVar[int]
    STEP_DETAILS_FIELD_NUMBER: _ClassVar[int]
    WAIT_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CHAINED_INVOKE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    id: str
    parent_id: str
    name: str
    type: str
    sub_type: str
    start_timestamp: float
    end_timestamp: float
    status: str
    execution_details: ExecutionDetails
    context_details: ContextDetails
    step_details: StepDetails
    wait_details: WaitDetails
    callback_details: CallbackDetails
    chained_invoke_details: ChainedInvokeDetails
    def __init__(self, id: _Optional[str] = ..., parent_id: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., sub_type: _Optional[str] = ..., start_timestamp: _Optional[float] = ..., end_timestamp: _Optional[float] = ..., status: _Optional[str] = ..., execution_details: _Optional[_Union[ExecutionDetails, _Mapping]] = ..., context_details: _Optional[_Union[ContextDetails, _Mapping]] = ..., step_details: _Optional[_Union[StepDetails, _Mapping]] = ..., wait_details: _Optional[_Union[WaitDetails, _Mapping]] = ..., callback_details: _Optional[_Union[CallbackDetails, _Mapping]] = ..., chained_invoke_details: _Optional[_Union[ChainedInvokeDetails, _Mapping]] = ...) -> None: ...

class CheckpointDurableExecutionRequest(_message.Message):
    __slots__ = ("durable_execution_arn", "checkpoint_token", "updates", "client_token")
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    UPDATES_FIELD_NUMBER: _ClassVar[int]
    CLIENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    durable_execution_arn: str
    checkpoint_token: str
    updates: _containers.RepeatedCompositeFieldContainer[OperationUpdate]
    client_token: str
    def __init__(self, durable_execution_arn: _Optional[str] = ..., checkpoint_token: _Optional[str] = ..., updates: _Optional[_Iterable[_Union[OperationUpdate, _Mapping]]] = ..., client_token: _Optional[str] = ...) -> None: ...

class CheckpointUpdatedExecutionState(_message.Message):
    __slots__ = ("operations", "next_marker")
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_MARKER_FIELD_NUMBER: _ClassVar[int]
    operations: _containers.RepeatedCompositeFieldContainer[Operation]
    next_marker: str
    def __init__(self, operations: _Optional[_Iterable[_Union[Operation, _Mapping]]] = ..., next_marker: _Optional[str] = ...) -> None: ...

class CheckpointDurableExecutionResponse(_message.Message):
    __slots__ = ("checkpoint_token", "new_execution_state")
    CHECKPOINT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    NEW_EXECUTION_STATE_FIELD_NUMBER: _ClassVar[int]
    checkpoint_token: str
    new_execution_state: CheckpointUpdatedExecutionState
    def __init__(self, checkpoint_token: _Optional[str] = ..., new_execution_state: _Optional[_Union[CheckpointUpdatedExecutionState, _Mapping]] = ...) -> None: ...

class GetDurableExecutionStateRequest(_message.Message):
    __slots__ = ("durable_execution_arn", "checkpoint_token", "marker", "max_items")
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    durable_execution_arn: str
    checkpoint_token: str
    marker: str
    max_items: int
    def __init__(self, durable_execution_arn: _Optional[str] = ..., checkpoint_token: _Optional[str] = ..., marker: _Optional[str] = ..., max_items: _Optional[int] = ...) -> None: ...

class GetDurableExecutionStateResponse(_message.Message):
    __slots__ = ("operations", "next_marker")
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_MARKER_FIELD_NUMBER: _ClassVar[int]
    operations: _containers.RepeatedCompositeFieldContainer[Operation]
    next_marker: str
    def __init__(self, operations: _Optional[_Iterable[_Union[Operation, _Mapping]]] = ..., next_marker: _Optional[str] = ...) -> None: ...

class GetDurableExecutionRequest(_message.Message):
    __slots__ = ("durable_execution_arn", "include_execution_data")
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_EXECUTION_DATA_FIELD_NUMBER: _ClassVar[int]
    durable_execution_arn: str
    include_execution_data: bool
    def __init__(self, durable_execution_arn: _Optional[str] = ..., include_execution_data: _Optional[bool] = ...) -> None: ...

class DurableTraceHeader(_message.Message):
    __slots__ = ("x_amzn_trace_id",)
    X_AMZN_TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    x_amzn_trace_id: str
    def __init__(self, x_amzn_trace_id: _Optional[str] = ...) -> None: ...

class GetDurableExecutionResponse(_message.Message):
    __slots__ = ("durable_execution_arn", "durable_execution_name", "function_arn", "input_payload", "result", "error", "start_timestamp", "status", "end_timestamp", "version", "trace_header", "pause_details", "expected_execution_timeout_timestamp", "execution_data_included", "durable_config")
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    DURABLE_EXECUTION_NAME_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    INPUT_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    START_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    END_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TRACE_HEADER_FIELD_NUMBER: _ClassVar[int]
    PAUSE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_EXECUTION_TIMEOUT_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_DATA_INCLUDED_FIELD_NUMBER: _ClassVar[int]
    DURABLE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    durable_execution_arn: str
    durable_execution_name: str
    function_arn: str
    input_payload: str
    result: str
    error: DurableErrorObject
    start_timestamp: float
    status: str
    end_timestamp: float
    version: str
    trace_header: DurableTraceHeader
    pause_details: PauseDetails
    expected_execution_timeout_timestamp: float
    execution_data_included: bool
    durable_config: _function_pb2.DurableConfig
    def __init__(self, durable_execution_arn: _Optional[str] = ..., durable_execution_name: _Optional[str] = ..., function_arn: _Optional[str] = ..., input_payload: _Optional[str] = ..., result: _Optional[str] = ..., error: _Optional[_Union[DurableErrorObject, _Mapping]] = ..., start_timestamp: _Optional[float] = ..., status: _Optional[str] = ..., end_timestamp: _Optional[float] = ..., version: _Optional[str] = ..., trace_header: _Optional[_Union[DurableTraceHeader, _Mapping]] = ..., pause_details: _Optional[_Union[PauseDetails, _Mapping]] = ..., expected_execution_timeout_timestamp: _Optional[float] = ..., execution_data_included: _Optional[bool] = ..., durable_config: _Optional[_Union[_function_pb2.DurableConfig, _Mapping]] = ...) -> None: ...

class PauseDetails(_message.Message):
    __slots__ = ("pause_request_timestamp", "reason", "execution_timeout_paused")
    PAUSE_REQUEST_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_TIMEOUT_PAUSED_FIELD_NUMBER: _ClassVar[int]
    pause_request_timestamp: float
    reason: str
    execution_timeout_paused: bool
    def __init__(self, pause_request_timestamp: _Optional[float] = ..., reason: _Optional[str] = ..., execution_timeout_paused: _Optional[bool] = ...) -> None: ...

class GetDurableExecutionHistoryRequest(_message.Message):
    __slots__ = ("durable_execution_arn", "include_execution_data", "max_items", "marker", "reverse_order")
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_EXECUTION_DATA_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    REVERSE_ORDER_FIELD_NUMBER: _ClassVar[int]
    durable_execution_arn: str
    include_execution_data: bool
    max_items: int
    marker: str
    reverse_order: bool
    def __init__(self, durable_execution_arn: _Optional[str] = ..., include_execution_data: _Optional[bool] = ..., max_items: _Optional[int] = ..., marker: _Optional[str] = ..., reverse_order: _Optional[bool] = ...) -> None: ...

class EventPayload(_message.Message):
    __slots__ = ("payload", "truncated")
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    payload: str
    truncated: bool
    def __init__(self, payload: _Optional[str] = ..., truncated: _Optional[bool] = ...) -> None: ...

class EventError(_message.Message):
    __slots__ = ("payload", "truncated")
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    payload: DurableErrorObject
    truncated: bool
    def __init__(self, payload: _Optional[_Union[DurableErrorObject, _Mapping]] = ..., truncated: _Optional[bool] = ...) -> None: ...

class RetryDetails(_message.Message):
    __slots__ = ("current_attempt", "next_attempt_delay_seconds")
    CURRENT_ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    current_attempt: int
    next_attempt_delay_seconds: int
    def __init__(self, current_attempt: _Optional[int] = ..., next_attempt_delay_seconds: _Optional[int] = ...) -> None: ...

class ExecutionStartedDetails(_message.Message):
    __slots__ = ("input", "execution_timeout")
    INPUT_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    input: EventPayload
    execution_timeout: int
    def __init__(self, input: _Optional[_Union[EventPayload, _Mapping]] = ..., execution_timeout: _Optional[int] = ...) -> None: ...

class EventResultDetails(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: EventPayload
    def __init__(self, result: _Optional[_Union[EventPayload, _Mapping]] = ...) -> None: ...

class EventErrorDetails(_message.Message):
    __slots__ = ("error",)
    ERROR_FIELD_NUMBER: _ClassVar[int]
    error: EventError
    def __init__(self, error: _Optional[_Union[EventError, _Mapping]] = ...) -> None: ...

class EmptyEventDetails(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WaitStartedDetails(_message.Message):
    __slots__ = ("duration", "scheduled_end_timestamp")
    DURATION_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_END_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    duration: int
    scheduled_end_timestamp: float
    def __init__(self, duration: _Optional[int] = ..., scheduled_end_timestamp: _Optional[float] = ...) -> None: ...

class WaitSucceededDetails(_message.Message):
    __slots__ = ("duration",)
    DURATION_FIELD_NUMBER: _ClassVar[int]
    duration: int
    def __init__(self, duration: _Optional[int] = ...) -> None: ...

class StepSucceededDetails(_message.Message):
    __slots__ = ("result", "retry_details")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    RETRY_DETAILS_FIELD_NUMBER: _ClassVar[int]
    result: EventPayload
    retry_details: RetryDetails
    def __init__(self, result: _Optional[_Union[EventPayload, _Mapping]] = ..., retry_details: _Optional[_Union[RetryDetails, _Mapping]] = ...) -> None: ...

class StepFailedDetails(_message.Message):
    __slots__ = ("error", "retry_details")
    ERROR_FIELD_NUMBER: _ClassVar[int]
    RETRY_DETAILS_FIELD_NUMBER: _ClassVar[int]
    error: EventError
    retry_details: RetryDetails
    def __init__(self, error: _Optional[_Union[EventError, _Mapping]] = ..., retry_details: _Optional[_Union[RetryDetails, _Mapping]] = ...) -> None: ...

class ChainedInvokeStartedDetails(_message.Message):
    __slots__ = ("function_name", "tenant_id", "input", "executed_version", "durable_execution_arn")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    EXECUTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    tenant_id: str
    input: EventPayload
    executed_version: str
    durable_execution_arn: str
    def __init__(self, function_name: _Optional[str] = ..., tenant_id: _Optional[str] = ..., input: _Optional[_Union[EventPayload, _Mapping]] = ..., executed_version: _Optional[str] = ..., durable_execution_arn: _Optional[str] = ...) -> None: ...

class CallbackStartedDetails(_message.Message):
    __slots__ = ("callback_id", "heartbeat_timeout", "timeout")
    CALLBACK_ID_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    callback_id: str
    heartbeat_timeout: int
    timeout: int
    def __init__(self, callback_id: _Optional[str] = ..., heartbeat_timeout: _Optional[int] = ..., timeout: _Optional[int] = ...) -> None: ...

class InvocationCompletedDetails(_message.Message):
    __slots__ = ("start_timestamp", "end_timestamp", "request_id", "error")
    START_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    END_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    start_timestamp: float
    end_timestamp: float
    request_id: str
    error: EventError
    def __init__(self, start_timestamp: _Optional[float] = ..., end_timestamp: _Optional[float] = ..., request_id: _Optional[str] = ..., error: _Optional[_Union[EventError, _Mapping]] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("event_type", "sub_type", "event_id", "id", "name", "event_timestamp", "parent_id", "execution_started_details", "execution_succeeded_details", "execution_failed_details", "execution_timed_out_details", "execution_stopped_details", "context_started_details", "context_succeeded_details", "context_failed_details", "wait_started_details", "wait_succeeded_details", "wait_cancelled_details", "step_started_details", "step_succeeded_details", "step_failed_details", "chained_invoke_started_details", "chained_invoke_succeeded_details", "chained_invoke_failed_details", "chained_invoke_timed_out_details", "chained_invoke_stopped_details", "callback_started_details", "callback_succeeded_details", "callback_failed_details", "callback_timed_out_details", "invocation_completed_details", "execution_paused_details", "execution_resumed_details")
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SUB_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_STARTED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_SUCCEEDED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_FAILED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_TIMED_OUT_DETAILS_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_STOPPED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_STARTED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_SUCCEEDED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FAILED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    WAIT_STARTED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    WAIT_SUCCEEDED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    WAIT_CANCELLED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    STEP_STARTED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    STEP_SUCCEEDED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    STEP_FAILED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CHAINED_INVOKE_STARTED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CHAINED_INVOKE_SUCCEEDED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CHAINED_INVOKE_FAILED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CHAINED_INVOKE_TIMED_OUT_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CHAINED_INVOKE_STOPPED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_STARTED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_SUCCEEDED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_FAILED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_TIMED_OUT_DETAILS_FIELD_NUMBER: _ClassVar[int]
    INVOCATION_COMPLETED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_PAUSED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_RESUMED_DETAILS_FIELD_NUMBER: _ClassVar[int]
    event_type: str
    sub_type: str
    event_id: int
    id: str
    name: str
    event_timestamp: float
    parent_id: str
    execution_started_details: ExecutionStartedDetails
    execution_succeeded_details: EventResultDetails
    execution_failed_details: EventErrorDetails
    execution_timed_out_details: EventErrorDetails
    execution_stopped_details: EventErrorDetails
    context_started_details: EmptyEventDetails
    context_succeeded_details: EventResultDetails
    context_failed_details: EventErrorDetails
    wait_started_details: WaitStartedDetails
    wait_succeeded_details: WaitSucceededDetails
    wait_cancelled_details: EventErrorDetails
    step_started_details: EmptyEventDetails
    step_succeeded_details: StepSucceededDetails
    step_failed_details: StepFailedDetails
    chained_invoke_started_details: ChainedInvokeStartedDetails
    chained_invoke_succeeded_details: EventResultDetails
    chained_invoke_failed_details: EventErrorDetails
    chained_invoke_timed_out_details: EventErrorDetails
    chained_invoke_stopped_details: EventErrorDetails
    callback_started_details: CallbackStartedDetails
    callback_succeeded_details: EventResultDetails
    callback_failed_details: EventErrorDetails
    callback_timed_out_details: EventErrorDetails
    invocation_completed_details: InvocationCompletedDetails
    execution_paused_details: ExecutionPausedDetails
    execution_resumed_details: ExecutionResumedDetails
    def __init__(self, event_type: _Optional[str] = ..., sub_type: _Optional[str] = ..., event_id: _Optional[int] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., event_timestamp: _Optional[float] = ..., parent_id: _Optional[str] = ..., execution_started_details: _Optional[_Union[ExecutionStartedDetails, _Mapping]] = ..., execution_succeeded_details: _Optional[_Union[EventResultDetails, _Mapping]] = ..., execution_failed_details: _Optional[_Union[EventErrorDetails, _Mapping]] = ..., execution_timed_out_details: _Optional[_Union[EventErrorDetails, _Mapping]] = ..., execution_stopped_details: _Optional[_Union[EventErrorDetails, _Mapping]] = ..., context_started_details: _Optional[_Union[EmptyEventDetails, _Mapping]] = ..., context_succeeded_details: _Optional[_Union[EventResultDetails, _Mapping]] = ..., context_failed_details: _Optional[_Union[EventErrorDetails, _Mapping]] = ..., wait_started_details: _Optional[_Union[WaitStartedDetails, _Mapping]] = ..., wait_succeeded_details: _Optional[_Union[WaitSucceededDetails, _Mapping]] = ..., wait_cancelled_details: _Optional[_Union[EventErrorDetails, _Mapping]] = ..., step_started_details: _Optional[_Union[EmptyEventDetails, _Mapping]] = ..., step_succeeded_details: _Optional[_Union[StepSucceededDetails, _Mapping]] = ..., step_failed_details: _Optional[_Union[StepFailedDetails, _Mapping]] = ..., chained_invoke_started_details: _Optional[_Union[ChainedInvokeStartedDetails, _Mapping]] = ..., chained_invoke_succeeded_details: _Optional[_Union[EventResultDetails, _Mapping]] = ..., chained_invoke_failed_details: _Optional[_Union[EventErrorDetails, _Mapping]] = ..., chained_invoke_timed_out_details: _Optional[_Union[EventErrorDetails, _Mapping]] = ..., chained_invoke_stopped_details: _Optional[_Union[EventErrorDetails, _Mapping]] = ..., callback_started_details: _Optional[_Union[CallbackStartedDetails, _Mapping]] = ..., callback_succeeded_details: _Optional[_Union[EventResultDetails, _Mapping]] = ..., callback_failed_details: _Optional[_Union[EventErrorDetails, _Mapping]] = ..., callback_timed_out_details: _Optional[_Union[EventErrorDetails, _Mapping]] = ..., invocation_completed_details: _Optional[_Union[InvocationCompletedDetails, _Mapping]] = ..., execution_paused_details: _Optional[_Union[ExecutionPausedDetails, _Mapping]] = ..., execution_resumed_details: _Optional[_Union[ExecutionResumedDetails, _Mapping]] = ...) -> None: ...

class ExecutionPausedDetails(_message.Message):
    __slots__ = ("pause_request_timestamp", "reason", "execution_timeout_paused")
    PAUSE_REQUEST_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_TIMEOUT_PAUSED_FIELD_NUMBER: _ClassVar[int]
    pause_request_timestamp: float
    reason: EventPayload
    execution_timeout_paused: bool
    def __init__(self, pause_request_timestamp: _Optional[float] = ..., reason: _Optional[_Union[EventPayload, _Mapping]] = ..., execution_timeout_paused: _Optional[bool] = ...) -> None: ...

class ExecutionResumedDetails(_message.Message):
    __slots__ = ("resume_request_timestamp", "reason")
    RESUME_REQUEST_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    resume_request_timestamp: float
    reason: EventPayload
    def __init__(self, resume_request_timestamp: _Optional[float] = ..., reason: _Optional[_Union[EventPayload, _Mapping]] = ...) -> None: ...

class GetDurableExecutionHistoryResponse(_message.Message):
    __slots__ = ("events", "next_marker")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_MARKER_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    next_marker: str
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., next_marker: _Optional[str] = ...) -> None: ...

class ListDurableExecutionsByFunctionRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "durable_execution_name", "statuses", "started_after", "started_before", "reverse_order", "marker", "max_items")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    DURABLE_EXECUTION_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    STARTED_AFTER_FIELD_NUMBER: _ClassVar[int]
    STARTED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    REVERSE_ORDER_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    durable_execution_name: str
    statuses: _containers.RepeatedScalarFieldContainer[str]
    started_after: str
    started_before: str
    reverse_order: bool
    marker: str
    max_items: int
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., durable_execution_name: _Optional[str] = ..., statuses: _Optional[_Iterable[str]] = ..., started_after: _Optional[str] = ..., started_before: _Optional[str] = ..., reverse_order: _Optional[bool] = ..., marker: _Optional[str] = ..., max_items: _Optional[int] = ...) -> None: ...

class DurableExecutionSummary(_message.Message):
    __slots__ = ("durable_execution_arn", "durable_execution_name", "function_arn", "status", "start_timestamp", "end_timestamp")
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    DURABLE_EXECUTION_NAME_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    START_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    END_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    durable_execution_arn: str
    durable_execution_name: str
    function_arn: str
    status: str
    start_timestamp: float
    end_timestamp: float
    def __init__(self, durable_execution_arn: _Optional[str] = ..., durable_execution_name: _Optional[str] = ..., function_arn: _Optional[str] = ..., status: _Optional[str] = ..., start_timestamp: _Optional[float] = ..., end_timestamp: _Optional[float] = ...) -> None: ...

class ListDurableExecutionsByFunctionResponse(_message.Message):
    __slots__ = ("durable_executions", "next_marker")
    DURABLE_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_MARKER_FIELD_NUMBER: _ClassVar[int]
    durable_executions: _containers.RepeatedCompositeFieldContainer[DurableExecutionSummary]
    next_marker: str
    def __init__(self, durable_executions: _Optional[_Iterable[_Union[DurableExecutionSummary, _Mapping]]] = ..., next_marker: _Optional[str] = ...) -> None: ...

class StopDurableExecutionRequest(_message.Message):
    __slots__ = ("durable_execution_arn", "error")
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    durable_execution_arn: str
    error: DurableErrorObject
    def __init__(self, durable_execution_arn: _Optional[str] = ..., error: _Optional[_Union[DurableErrorObject, _Mapping]] = ...) -> None: ...

class StopDurableExecutionResponse(_message.Message):
    __slots__ = ("stop_timestamp",)
    STOP_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    stop_timestamp: float
    def __init__(self, stop_timestamp: _Optional[float] = ...) -> None: ...

class SendDurableExecutionCallbackSuccessRequest(_message.Message):
    __slots__ = ("callback_id", "result")
    CALLBACK_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    callback_id: str
    result: bytes
    def __init__(self, callback_id: _Optional[str] = ..., result: _Optional[bytes] = ...) -> None: ...

class SendDurableExecutionCallbackSuccessResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SendDurableExecutionCallbackFailureRequest(_message.Message):
    __slots__ = ("callback_id", "error")
    CALLBACK_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    callback_id: str
    error: DurableErrorObject
    def __init__(self, callback_id: _Optional[str] = ..., error: _Optional[_Union[DurableErrorObject, _Mapping]] = ...) -> None: ...

class SendDurableExecutionCallbackFailureResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SendDurableExecutionCallbackHeartbeatRequest(_message.Message):
    __slots__ = ("callback_id",)
    CALLBACK_ID_FIELD_NUMBER: _ClassVar[int]
    callback_id: str
    def __init__(self, callback_id: _Optional[str] = ...) -> None: ...

class SendDurableExecutionCallbackHeartbeatResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PauseDurableExecutionRequest(_message.Message):
    __slots__ = ("durable_execution_arn", "client_token", "reason", "execution_timeout_paused")
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    CLIENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_TIMEOUT_PAUSED_FIELD_NUMBER: _ClassVar[int]
    durable_execution_arn: str
    client_token: str
    reason: str
    execution_timeout_paused: bool
    def __init__(self, durable_execution_arn: _Optional[str] = ..., client_token: _Optional[str] = ..., reason: _Optional[str] = ..., execution_timeout_paused: _Optional[bool] = ...) -> None: ...

class PauseDurableExecutionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ResumeDurableExecutionRequest(_message.Message):
    __slots__ = ("durable_execution_arn", "client_token", "reason")
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    CLIENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    durable_execution_arn: str
    client_token: str
    reason: str
    def __init__(self, durable_execution_arn: _Optional[str] = ..., client_token: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ResumeDurableExecutionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteDurableExecutionRequest(_message.Message):
    __slots__ = ("durable_execution_arn",)
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    durable_execution_arn: str
    def __init__(self, durable_execution_arn: _Optional[str] = ...) -> None: ...

class DeleteDurableExecutionResponse(_message.Message):
    __slots__ = ("deletion_request_timestamp",)
    DELETION_REQUEST_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    deletion_request_timestamp: float
    def __init__(self, deletion_request_timestamp: _Optional[float] = ...) -> None: ...
