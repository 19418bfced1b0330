from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InvokeRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "invocation_type", "log_type", "client_context", "payload", "tenant_id", "trace_id", "durable_execution_name")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    INVOCATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    LOG_TYPE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    DURABLE_EXECUTION_NAME_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    invocation_type: str
    log_type: str
    client_context: str
    payload: bytes
    tenant_id: str
    trace_id: str
    durable_execution_name: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., invocation_type: _Optional[str] = ..., log_type: _Optional[str] = ..., client_context: _Optional[str] = ..., payload: _Optional[bytes] = ..., tenant_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., durable_execution_name: _Optional[str] = ...) -> None: ...

class InvokeResponse(_message.Message):
    __slots__ = ("status_code", "payload", "function_error", "log_result", "executed_version", "request_id", "durable_execution_arn")
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ERROR_FIELD_NUMBER: _ClassVar[int]
    LOG_RESULT_FIELD_NUMBER: _ClassVar[int]
    EXECUTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DURABLE_EXECUTION_ARN_FIELD_NUMBER: _ClassVar[int]
    status_code: int
    payload: bytes
    function_error: str
    log_result: str
    executed_version: str
    request_id: str
    durable_execution_arn: str
    def __init__(self, status_code: _Optional[int] = ..., payload: _Optional[bytes] = ..., function_error: _Optional[str] = ..., log_result: _Optional[str] = ..., executed_version: _Optional[str] = ..., request_id: _Optional[str] = ..., durable_execution_arn: _Optional[str] = ...) -> None: ...

class InvokeWithResponseStreamRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "invocation_type", "log_type", "client_context", "payload", "tenant_id", "trace_id")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    INVOCATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    LOG_TYPE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    invocation_type: str
    log_type: str
    client_context: str
    payload: bytes
    tenant_id: str
    trace_id: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., invocation_type: _Optional[str] = ..., log_type: _Optional[str] = ..., client_context: _Optional[str] = ..., payload: _Optional[bytes] = ..., tenant_id: _Optional[str] = ..., trace_id: _Optional[str] = ...) -> None: ...

class InvokeWithResponseStreamResponse(_message.Message):
    __slots__ = ("start", "payload_chunk", "invoke_complete")
    START_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_CHUNK_FIELD_NUMBER: _ClassVar[int]
    INVOKE_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    start: InvokeResponseStreamStart
    payload_chunk: InvokeResponseStreamUpdate
    invoke_complete: InvokeWithResponseStreamCompleteEvent
    def __init__(self, start: _Optional[_Union[InvokeResponseStreamStart, _Mapping]] = ..., payload_chunk: _Optional[_Union[InvokeResponseStreamUpdate, _Mapping]] = ..., invoke_complete: _Optional[_Union[InvokeWithResponseStreamCompleteEvent, _Mapping]] = ...) -> None: ...

class InvokeResponseStreamStart(_message.Message):
    __slots__ = ("status_code", "executed_version", "content_type", "request_id")
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    EXECUTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    status_code: int
    executed_version: str
    content_type: str
    request_id: str
    def __init__(self, status_code: _Optional[int] = ..., executed_version: _Optional[str] = ..., content_type: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class InvokeResponseStreamUpdate(_message.Message):
    __slots__ = ("payload",)
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    payload: bytes
    def __init__(self, payload: _Optional[bytes] = ...) -> None: ...

class InvokeWithResponseStreamCompleteEvent(_message.Message):
    __slots__ = ("error_code", "error_details", "log_result")
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_DETAILS_FIELD_NUMBER: _ClassVar[int]
    LOG_RESULT_FIELD_NUMBER: _ClassVar[int]
    error_code: str
    error_details: str
    log_result: str
    def __init__(self, error_code: _Optional[str] = ..., error_details: _Optional[str] = ..., log_result: _Optional[str] = ...) -> None: ...

class StreamLogsRequest(_message.Message):
    __slots__ = ("function_name", "follow")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    follow: bool
    def __init__(self, function_name: _Optional[str] = ..., follow: _Optional[bool] = ...) -> None: ...

class StreamLogsResponse(_message.Message):
    __slots__ = ("function_name", "version", "request_id", "message", "timestamp_ms")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    version: str
    request_id: str
    message: str
    timestamp_ms: int
    def __init__(self, function_name: _Optional[str] = ..., version: _Optional[str] = ..., request_id: _Optional[str] = ..., message: _Optional[str] = ..., timestamp_ms: _Optional[int] = ...) -> None: ...

class PutFunctionConcurrencyRequest(_message.Message):
    __slots__ = ("function_name", "reserved_concurrent_executions")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    RESERVED_CONCURRENT_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    reserved_concurrent_executions: int
    def __init__(self, function_name: _Optional[str] = ..., reserved_concurrent_executions: _Optional[int] = ...) -> None: ...

class PutFunctionConcurrencyResponse(_message.Message):
    __slots__ = ("reserved_concurrent_executions",)
    RESERVED_CONCURRENT_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    reserved_concurrent_executions: int
    def __init__(self, reserved_concurrent_executions: _Optional[int] = ...) -> None: ...

class GetFunctionConcurrencyRequest(_message.Message):
    __slots__ = ("function_name",)
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    def __init__(self, function_name: _Optional[str] = ...) -> None: ...

class GetFunctionConcurrencyResponse(_message.Message):
    __slots__ = ("reserved_concurrent_executions",)
    RESERVED_CONCURRENT_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    reserved_concurrent_executions: int
    def __init__(self, reserved_concurrent_executions: _Optional[int] = ...) -> None: ...

class DeleteFunctionConcurrencyRequest(_message.Message):
    __slots__ = ("function_name",)
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    def __init__(self, function_name: _Optional[str] = ...) -> None: ...

class DeleteFunctionConcurrencyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PutProvisionedConcurrencyConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "provisioned_concurrent_executions")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    PROVISIONED_CONCURRENT_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    provisioned_concurrent_executions: int
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., provisioned_concurrent_executions: _Optional[int] = ...) -> None: ...

class ProvisionedConcurrencyConfig(_message.Message):
    __slots__ = ("function_arn", "requested_provisioned_concurrent_executions", "available_provisioned_concurrent_executions", "allocated_provisioned_concurrent_executions", "status", "status_reason", "last_modified")
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_PROVISIONED_CONCURRENT_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_PROVISIONED_CONCURRENT_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_PROVISIONED_CONCURRENT_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    LAST_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    function_arn: str
    requested_provisioned_concurrent_executions: int
    available_provisioned_concurrent_executions: int
    allocated_provisioned_concurrent_executions: int
    status: str
    status_reason: str
    last_modified: str
    def __init__(self, function_arn: _Optional[str] = ..., requested_provisioned_concurrent_executions: _Optional[int] = ..., available_provisioned_concurrent_executions: _Optional[int] = ..., allocated_provisioned_concurrent_executions: _Optional[int] = ..., status: _Optional[str] = ..., status_reason: _Optional[str] = ..., last_modified: _Optional[str] = ...) -> None: ...

class PutProvisionedConcurrencyConfigResponse(_message.Message):
    __slots__ = ("config",)
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    config: ProvisionedConcurrencyConfig
    def __init__(self, config: _Optional[_Union[ProvisionedConcurrencyConfig, _Mapping]] = ...) -> None: ...

class GetProvisionedConcurrencyConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class GetProvisionedConcurrencyConfigResponse(_message.Message):
    __slots__ = ("config",)
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    config: ProvisionedConcurrencyConfig
    def __init__(self, config: _Optional[_Union[ProvisionedConcurrencyConfig, _Mapping]] = ...) -> None: ...

class DeleteProvisionedConcurrencyConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class DeleteProvisionedConcurrencyConfigResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListProvisionedConcurrencyConfigsRequest(_message.Message):
    __slots__ = ("function_name", "marker", "max_items")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    marker: str
    max_items: int
    def __init__(self, function_name: _Optional[str] = ..., marker: _Optional[str] = ..., max_items: _Optional[int] = ...) -> None: ...

class ListProvisionedConcurrencyConfigsResponse(_message.Message):
    __slots__ = ("provisioned_concurrency_configs", "next_marker")
    PROVISIONED_CONCURRENCY_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_MARKER_FIELD_NUMBER: _ClassVar[int]
    provisioned_concurrency_configs: _containers.RepeatedCompositeFieldContainer[ProvisionedConcurrencyConfig]
    next_marker: str
    def __init__(self, provisioned_concurrency_configs: _Optional[_Iterable[_Union[ProvisionedConcurrencyConfig, _Mapping]]] = ..., next_marker: _Optional[str] = ...) -> None: ...

class OnSuccess(_message.Message):
    __slots__ = ("destination",)
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    destination: str
    def __init__(self, destination: _Optional[str] = ...) -> None: ...

class OnFailure(_message.Message):
    __slots__ = ("destination",)
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    destination: str
    def __init__(self, destination: _Optional[str] = ...) -> None: ...

class DestinationConfig(_message.Message):
    __slots__ = ("on_success", "on_failure")
    ON_SUCCESS_FIELD_NUMBER: _ClassVar[int]
    ON_FAILURE_FIELD_NUMBER: _ClassVar[int]
    on_success: OnSuccess
    on_failure: OnFailure
    def __init__(self, on_success: _Optional[_Union[OnSuccess, _Mapping]] = ..., on_failure: _Optional[_Union[OnFailure, _Mapping]] = ...) -> None: ...

class FunctionEventInvokeConfig(_message.Message):
    __slots__ = ("last_modified", "function_arn", "maximum_retry_attempts", "maximum_event_age_in_seconds", "destination_config")
    LAST_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_RETRY_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_EVENT_AGE_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_CONFIG_FIELD_NUMBER: _ClassVar[int]
    last_modified: float
    function_arn: str
    maximum_retry_attempts: int
    maximum_event_age_in_seconds: int
    destination_config: DestinationConfig
    def __init__(self, last_modified: _Optional[float] = ..., function_arn: _Optional[str] = ..., maximum_retry_attempts: _Optional[int] = ..., maximum_event_age_in_seconds: _Optional[int] = ..., destination_config: _Optional[_Union[DestinationConfig, _Mapping]] = ...) -> None: ...

class PutFunctionEventInvokeConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "maximum_retry_attempts", "maximum_event_age_in_seconds", "destination_config")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_RETRY_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_EVENT_AGE_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_CONFIG_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    maximum_retry_attempts: int
    maximum_event_age_in_seconds: int
    destination_config: DestinationConfig
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., maximum_retry_attempts: _Optional[int] = ..., maximum_event_age_in_seconds: _Optional[int] = ..., destination_config: _Optional[_Union[DestinationConfig, _Mapping]] = ...) -> None: ...

class PutFunctionEventInvokeConfigResponse(_message.Message):
    __slots__ = ("event_invoke_config",)
    EVENT_INVOKE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    event_invoke_config: FunctionEventInvokeConfig
    def __init__(self, event_invoke_config: _Optional[_Union[FunctionEventInvokeConfig, _Mapping]] = ...) -> None: ...

class UpdateFunctionEventInvokeConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "maximum_retry_attempts", "maximum_event_age_in_seconds", "destination_config")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_RETRY_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_EVENT_AGE_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_CONFIG_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    maximum_retry_attempts: int
    maximum_event_age_in_seconds: int
    destination_config: DestinationConfig
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., maximum_retry_attempts: _Optional[int] = ..., maximum_event_age_in_seconds: _Optional[int] = ..., destination_config: _Optional[_Union[DestinationConfig, _Mapping]] = ...) -> None: ...

class UpdateFunctionEventInvokeConfigResponse(_message.Message):
    __slots__ = ("event_invoke_config",)
    EVENT_INVOKE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    event_invoke_config: FunctionEventInvokeConfig
    def __init__(self, event_invoke_config: _Optional[_Union[FunctionEventInvokeConfig, _Mapping]] = ...) -> None: ...

class GetFunctionEventInvokeConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class GetFunctionEventInvokeConfigResponse(_message.Message):
    __slots__ = ("event_invoke_config",)
    EVENT_INVOKE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    event_invoke_config: FunctionEventInvokeConfig
    def __init__(self, event_invoke_config: _Optional[_Union[FunctionEventInvokeConfig, _Mapping]] = ...) -> None: ...

class DeleteFunctionEventInvokeConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class DeleteFunctionEventInvokeConfigResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFunctionEventInvokeConfigsRequest(_message.Message):
    __slots__ = ("function_name", "page_token", "page_size")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    page_token: str
    page_size: int
    def __init__(self, function_name: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListFunctionEventInvokeConfigsResponse(_message.Message):
    __slots__ = ("function_event_invoke_configs", "next_page_token")
    FUNCTION_EVENT_INVOKE_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    function_event_invoke_configs: _containers.RepeatedCompositeFieldContainer[FunctionEventInvokeConfig]
    next_page_token: str
    def __init__(self, function_event_invoke_configs: _Optional[_Iterable[_Union[FunctionEventInvokeConfig, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListInvocationsRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "max_items")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    max_items: int
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., max_items: _Optional[int] = ...) -> None: ...

class ListInvocationsResponse(_message.Message):
    __slots__ = ("invocations",)
    INVOCATIONS_FIELD_NUMBER: _ClassVar[int]
    invocations: _containers.RepeatedCompositeFieldContainer[InvocationSummary]
    def __init__(self, invocations: _Optional[_Iterable[_Union[InvocationSummary, _Mapping]]] = ...) -> None: ...

class InvocationSummary(_message.Message):
    __slots__ = ("request_id", "function_name", "qualifier", "executed_version", "invocation_type", "start_time_ms", "duration_ms", "billed_duration_ms", "init_duration_ms", "status", "error_type", "memory_size_mb", "max_memory_used_mb")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    EXECUTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    INVOCATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    BILLED_DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    INIT_DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_TYPE_FIELD_NUMBER: _ClassVar[int]
    MEMORY_SIZE_MB_FIELD_NUMBER: _ClassVar[int]
    MAX_MEMORY_USED_MB_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    function_name: str
    qualifier: str
    executed_version: str
    invocation_type: str
    start_time_ms: int
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float
    status: str
    error_type: str
    memory_size_mb: int
    max_memory_used_mb: int
    def __init__(self, request_id: _Optional[str] = ..., function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., executed_version: _Optional[str] = ..., invocation_type: _Optional[str] = ..., start_time_ms: _Optional[int] = ..., duration_ms: _Optional[float] = ..., billed_duration_ms: _Optional[int] = ..., init_duration_ms: _Optional[float] = ..., status: _Optional[str] = ..., error_type: _Optional[str] = ..., memory_size_mb: _Optional[int] = ..., max_memory_used_mb: _Optional[int] = ...) -> None: ...
