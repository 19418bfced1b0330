from google.protobuf import field_mask_pb2 as _field_mask_pb2
from lambdad.v1 import invocation_service_pb2 as _invocation_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Filter(_message.Message):
    __slots__ = ("pattern",)
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    pattern: str
    def __init__(self, pattern: _Optional[str] = ...) -> None: ...

class FilterCriteria(_message.Message):
    __slots__ = ("filters",)
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    filters: _containers.RepeatedCompositeFieldContainer[Filter]
    def __init__(self, filters: _Optional[_Iterable[_Union[Filter, _Mapping]]] = ...) -> None: ...

class ScalingConfig(_message.Message):
    __slots__ = ("maximum_concurrency",)
    MAXIMUM_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    maximum_concurrency: int
    def __init__(self, maximum_concurrency: _Optional[int] = ...) -> None: ...

class EventSourceDestinationConfig(_message.Message):
    __slots__ = ("on_failure",)
    ON_FAILURE_FIELD_NUMBER: _ClassVar[int]
    on_failure: _invocation_service_pb2.OnFailure
    def __init__(self, on_failure: _Optional[_Union[_invocation_service_pb2.OnFailure, _Mapping]] = ...) -> None: ...

class EventSourceMapping(_message.Message):
    __slots__ = ("uuid", "event_source_mapping_arn", "event_source_arn", "function_arn", "state", "state_transition_reason", "last_modified", "last_processing_result", "batch_size", "maximum_batching_window_in_seconds", "starting_position", "starting_position_timestamp", "filter_criteria", "function_response_types", "maximum_retry_attempts", "maximum_record_age_in_seconds", "bisect_batch_on_function_error", "destination_config", "scaling_config", "parallelization_factor", "tumbling_window_in_seconds")
    UUID_FIELD_NUMBER: _ClassVar[int]
    EVENT_SOURCE_MAPPING_ARN_FIELD_NUMBER: _ClassVar[int]
    EVENT_SOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_TRANSITION_REASON_FIELD_NUMBER: _ClassVar[int]
    LAST_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    LAST_PROCESSING_RESULT_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_BATCHING_WINDOW_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STARTING_POSITION_FIELD_NUMBER: _ClassVar[int]
    STARTING_POSITION_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    FILTER_CRITERIA_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_RESPONSE_TYPES_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_RETRY_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_RECORD_AGE_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BISECT_BATCH_ON_FUNCTION_ERROR_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_CONFIG_FIELD_NUMBER: _ClassVar[int]
    SCALING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PARALLELIZATION_FACTOR_FIELD_NUMBER: _ClassVar[int]
    TUMBLING_WINDOW_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    event_source_mapping_arn: str
    event_source_arn: str
    function_arn: str
    state: str
    state_transition_reason: str
    last_modified: float
    last_processing_result: str
    batch_size: int
    maximum_batching_window_in_seconds: int
    starting_position: str
    starting_position_timestamp: float
    filter_criteria: FilterCriteria
    function_response_types: _containers.RepeatedScalarFieldContainer[str]
    maximum_retry_attempts: int
    maximum_record_age_in_seconds: int
    bisect_batch_on_function_error: bool
    destination_config: EventSourceDestinationConfig
    scaling_config: ScalingConfig
    parallelization_factor: int
    tumbling_window_in_seconds: int
    def __init__(self, uuid: _Optional[str] = ..., event_source_mapping_arn: _Optional[str] = ..., event_source_arn: _Optional[str] = ..., function_arn: _Optional[str] = ..., state: _Optional[str] = ..., state_transition_reason: _Optional[str] = ..., last_modified: _Optional[float] = ..., last_processing_result: _Optional[str] = ..., batch_size: _Optional[int] = ..., maximum_batching_window_in_seconds: _Optional[int] = ..., starting_position: _Optional[str] = ..., starting_position_timestamp: _Optional[float] = ..., filter_criteria: _Optional[_Union[FilterCriteria, _Mapping]] = ..., function_response_types: _Optional[_Iterable[str]] = ..., maximum_retry_attempts: _Optional[int] = ..., maximum_record_age_in_seconds: _Optional[int] = ..., bisect_batch_on_function_error: _Optional[bool] = ..., destination_config: _Optional[_Union[EventSourceDestinationConfig, _Mapping]] = ..., scaling_config: _Optional[_Union[ScalingConfig, _Mapping]] = ..., parallelization_factor: _Optional[int] = ..., tumbling_window_in_seconds: _Optional[int] = ...) -> None: ...

class CreateEventSourceMappingRequest(_message.Message):
    __slots__ = ("function_name", "event_source_arn", "enabled", "batch_size", "maximum_batching_window_in_seconds", "starting_position", "starting_position_timestamp", "filter_criteria", "function_response_types", "maximum_retry_attempts", "maximum_record_age_in_seconds", "bisect_batch_on_function_error", "destination_config", "scaling_config", "parallelization_factor", "tumbling_window_in_seconds", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    EVENT_SOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_BATCHING_WINDOW_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STARTING_POSITION_FIELD_NUMBER: _ClassVar[int]
    STARTING_POSITION_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    FILTER_CRITERIA_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_RESPONSE_TYPES_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_RETRY_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_RECORD_AGE_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BISECT_BATCH_ON_FUNCTION_ERROR_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_CONFIG_FIELD_NUMBER: _ClassVar[int]
    SCALING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PARALLELIZATION_FACTOR_FIELD_NUMBER: _ClassVar[int]
    TUMBLING_WINDOW_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    event_source_arn: str
    enabled: bool
    batch_size: int
    maximum_batching_window_in_seconds: int
    starting_position: str
    starting_position_timestamp: float
    filter_criteria: FilterCriteria
    function_response_types: _containers.RepeatedScalarFieldContainer[str]
    maximum_retry_attempts: int
    maximum_record_age_in_seconds: int
    bisect_batch_on_function_error: bool
    destination_config: EventSourceDestinationConfig
    scaling_config: ScalingConfig
    parallelization_factor: int
    tumbling_window_in_seconds: int
    tags: _containers.ScalarMap[str, str]
    def __init__(self, function_name: _Optional[str] = ..., event_source_arn: _Optional[str] = ..., enabled: _Optional[bool] = ..., batch_size: _Optional[int] = ..., maximum_batching_window_in_seconds: _Optional[int] = ..., starting_position: _Optional[str] = ..., starting_position_timestamp: _Optional[float] = ..., filter_criteria: _Optional[_Union[FilterCriteria, _Mapping]] = ..., function_response_types: _Optional[_Iterable[str]] = ..., maximum_retry_attempts: _Optional[int] = ..., maximum_record_age_in_seconds: _Optional[int] = ..., bisect_batch_on_function_error: _Optional[bool] = ..., destination_config: _Optional[_Union[EventSourceDestinationConfig, _Mapping]] = ..., scaling_config: _Optional[_Union[ScalingConfig, _Mapping]] = ..., parallelization_factor: _Optional[int] = ..., tumbling_window_in_seconds: _Optional[int] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CreateEventSourceMappingResponse(_message.Message):
    __slots__ = ("event_source_mapping",)
    EVENT_SOURCE_MAPPING_FIELD_NUMBER: _ClassVar[int]
    event_source_mapping: EventSourceMapping
    def __init__(self, event_source_mapping: _Optional[_Union[EventSourceMapping, _Mapping]] = ...) -> None: ...

class GetEventSourceMappingRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class GetEventSourceMappingResponse(_message.Message):
    __slots__ = ("event_source_mapping",)
    EVENT_SOURCE_MAPPING_FIELD_NUMBER: _ClassVar[int]
    event_source_mapping: EventSourceMapping
    def __init__(self, event_source_mapping: _Optional[_Union[EventSourceMapping, _Mapping]] = ...) -> None: ...

class UpdateEventSourceMappingRequest(_message.Message):
    __slots__ = ("uuid", "function_name", "enabled", "batch_size", "maximum_batching_window_in_seconds", "filter_criteria", "function_response_types", "maximum_retry_attempts", "maximum_record_age_in_seconds", "bisect_batch_on_function_error", "destination_config", "scaling_config", "parallelization_factor", "tumbling_window_in_seconds", "update_mask")
    UUID_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_BATCHING_WINDOW_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    FILTER_CRITERIA_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_RESPONSE_TYPES_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_RETRY_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_RECORD_AGE_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BISECT_BATCH_ON_FUNCTION_ERROR_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_CONFIG_FIELD_NUMBER: _ClassVar[int]
    SCALING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PARALLELIZATION_FACTOR_FIELD_NUMBER: _ClassVar[int]
    TUMBLING_WINDOW_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    function_name: str
    enabled: bool
    batch_size: int
    maximum_batching_window_in_seconds: int
    filter_criteria: FilterCriteria
    function_response_types: _containers.RepeatedScalarFieldContainer[str]
    maximum_retry_attempts: int
    maximum_record_age_in_seconds: int
    bisect_batch_on_function_error: bool
    destination_config: EventSourceDestinationConfig
    scaling_config: ScalingConfig
    parallelization_factor: int
    tumbling_window_in_seconds: int
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, uuid: _Optional[str] = ..., function_name: _Optional[str] = ..., enabled: _Optional[bool] = ..., batch_size: _Optional[int] = ..., maximum_batching_window_in_seconds: _Optional[int] = ..., filter_criteria: _Optional[_Union[FilterCriteria, _Mapping]] = ..., function_response_types: _Optional[_Iterable[str]] = ..., maximum_retry_attempts: _Optional[int] = ..., maximum_record_age_in_seconds: _Optional[int] = ..., bisect_batch_on_function_error: _Optional[bool] = ..., destination_config: _Optional[_Union[EventSourceDestinationConfig, _Mapping]] = ..., scaling_config: _Optional[_Union[ScalingConfig, _Mapping]] = ..., parallelization_factor: _Optional[int] = ..., tumbling_window_in_seconds: _Optional[int] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateEventSourceMappingResponse(_message.Message):
    __slots__ = ("event_source_mapping",)
    EVENT_SOURCE_MAPPING_FIELD_NUMBER: _ClassVar[int]
    event_source_mapping: EventSourceMapping
    def __init__(self, event_source_mapping: _Optional[_Union[EventSourceMapping, _Mapping]] = ...) -> None: ...

class DeleteEventSourceMappingRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class DeleteEventSourceMappingResponse(_message.Message):
    __slots__ = ("event_source_mapping",)
    EVENT_SOURCE_MAPPING_FIELD_NUMBER: _ClassVar[int]
    event_source_mapping: EventSourceMapping
    def __init__(self, event_source_mapping: _Optional[_Union[EventSourceMapping, _Mapping]] = ...) -> None: ...

class ListEventSourceMappingsRequest(_message.Message):
    __slots__ = ("event_source_arn", "function_name", "page_token", "page_size")
    EVENT_SOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    event_source_arn: str
    function_name: str
    page_token: str
    page_size: int
    def __init__(self, event_source_arn: _Optional[str] = ..., function_name: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListEventSourceMappingsResponse(_message.Message):
    __slots__ = ("event_source_mappings", "next_page_token")
    EVENT_SOURCE_MAPPINGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    event_source_mappings: _containers.RepeatedCompositeFieldContainer[EventSourceMapping]
    next_page_token: str
    def __init__(self, event_source_mappings: _Optional[_Iterable[_Union[EventSourceMapping, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
