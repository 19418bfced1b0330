from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DescribeLogGroupsRequest(_message.Message):
    __slots__ = ("account_identifiers", "log_group_name_prefix", "log_group_name_pattern", "next_token", "limit", "include_linked_accounts", "log_group_class", "log_group_identifiers")
    ACCOUNT_IDENTIFIERS_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_NAME_PREFIX_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_NAME_PATTERN_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_LINKED_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_CLASS_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_IDENTIFIERS_FIELD_NUMBER: _ClassVar[int]
    account_identifiers: _containers.RepeatedScalarFieldContainer[str]
    log_group_name_prefix: str
    log_group_name_pattern: str
    next_token: str
    limit: int
    include_linked_accounts: bool
    log_group_class: str
    log_group_identifiers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, account_identifiers: _Optional[_Iterable[str]] = ..., log_group_name_prefix: _Optional[str] = ..., log_group_name_pattern: _Optional[str] = ..., next_token: _Optional[str] = ..., limit: _Optional[int] = ..., include_linked_accounts: _Optional[bool] = ..., log_group_class: _Optional[str] = ..., log_group_identifiers: _Optional[_Iterable[str]] = ...) -> None: ...

class LogGroup(_message.Message):
    __slots__ = ("log_group_name", "creation_time", "retention_in_days", "metric_filter_count", "arn", "stored_bytes", "log_group_class", "log_group_arn")
    LOG_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    RETENTION_IN_DAYS_FIELD_NUMBER: _ClassVar[int]
    METRIC_FILTER_COUNT_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    STORED_BYTES_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_CLASS_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_ARN_FIELD_NUMBER: _ClassVar[int]
    log_group_name: str
    creation_time: int
    retention_in_days: int
    metric_filter_count: int
    arn: str
    stored_bytes: int
    log_group_class: str
    log_group_arn: str
    def __init__(self, log_group_name: _Optional[str] = ..., creation_time: _Optional[int] = ..., retention_in_days: _Optional[int] = ..., metric_filter_count: _Optional[int] = ..., arn: _Optional[str] = ..., stored_bytes: _Optional[int] = ..., log_group_class: _Optional[str] = ..., log_group_arn: _Optional[str] = ...) -> None: ...

class DescribeLogGroupsResponse(_message.Message):
    __slots__ = ("log_groups", "next_token")
    LOG_GROUPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    log_groups: _containers.RepeatedCompositeFieldContainer[LogGroup]
    next_token: str
    def __init__(self, log_groups: _Optional[_Iterable[_Union[LogGroup, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DescribeLogStreamsRequest(_message.Message):
    __slots__ = ("log_group_name", "log_group_identifier", "log_stream_name_prefix", "order_by", "descending", "next_token", "limit")
    LOG_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    LOG_STREAM_NAME_PREFIX_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    DESCENDING_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    log_group_name: str
    log_group_identifier: str
    log_stream_name_prefix: str
    order_by: str
    descending: bool
    next_token: str
    limit: int
    def __init__(self, log_group_name: _Optional[str] = ..., log_group_identifier: _Optional[str] = ..., log_stream_name_prefix: _Optional[str] = ..., order_by: _Optional[str] = ..., descending: _Optional[bool] = ..., next_token: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class LogStream(_message.Message):
    __slots__ = ("log_stream_name", "creation_time", "first_event_timestamp", "last_event_timestamp", "last_ingestion_time", "arn", "stored_bytes")
    LOG_STREAM_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    FIRST_EVENT_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    LAST_INGESTION_TIME_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    STORED_BYTES_FIELD_NUMBER: _ClassVar[int]
    log_stream_name: str
    creation_time: int
    first_event_timestamp: int
    last_event_timestamp: int
    last_ingestion_time: int
    arn: str
    stored_bytes: int
    def __init__(self, log_stream_name: _Optional[str] = ..., creation_time: _Optional[int] = ..., first_event_timestamp: _Optional[int] = ..., last_event_timestamp: _Optional[int] = ..., last_ingestion_time: _Optional[int] = ..., arn: _Optional[str] = ..., stored_bytes: _Optional[int] = ...) -> None: ...

class DescribeLogStreamsResponse(_message.Message):
    __slots__ = ("log_streams", "next_token")
    LOG_STREAMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    log_streams: _containers.RepeatedCompositeFieldContainer[LogStream]
    next_token: str
    def __init__(self, log_streams: _Optional[_Iterable[_Union[LogStream, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class GetLogEventsRequest(_message.Message):
    __slots__ = ("log_group_name", "log_group_identifier", "log_stream_name", "start_time", "end_time", "next_token", "limit", "start_from_head", "unmask")
    LOG_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    LOG_STREAM_NAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    START_FROM_HEAD_FIELD_NUMBER: _ClassVar[int]
    UNMASK_FIELD_NUMBER: _ClassVar[int]
    log_group_name: str
    log_group_identifier: str
    log_stream_name: str
    start_time: int
    end_time: int
    next_token: str
    limit: int
    start_from_head: bool
    unmask: bool
    def __init__(self, log_group_name: _Optional[str] = ..., log_group_identifier: _Optional[str] = ..., log_stream_name: _Optional[str] = ..., start_time: _Optional[int] = ..., end_time: _Optional[int] = ..., next_token: _Optional[str] = ..., limit: _Optional[int] = ..., start_from_head: _Optional[bool] = ..., unmask: _Optional[bool] = ...) -> None: ...

class OutputLogEvent(_message.Message):
    __slots__ = ("timestamp", "message", "ingestion_time")
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    INGESTION_TIME_FIELD_NUMBER: _ClassVar[int]
    timestamp: int
    message: str
    ingestion_time: int
    def __init__(self, timestamp: _Optional[int] = ..., message: _Optional[str] = ..., ingestion_time: _Optional[int] = ...) -> None: ...

class GetLogEventsResponse(_message.Message):
    __slots__ = ("events", "next_forward_token", "next_backward_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_FORWARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    NEXT_BACKWARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[OutputLogEvent]
    next_forward_token: str
    next_backward_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[OutputLogEvent, _Mapping]]] = ..., next_forward_token: _Optional[str] = ..., next_backward_token: _Optional[str] = ...) -> None: ...

class FilterLogEventsRequest(_message.Message):
    __slots__ = ("log_group_name", "log_group_identifier", "log_stream_names", "log_stream_name_prefix", "start_time", "end_time", "filter_pattern", "next_token", "limit", "interleaved", "unmask", "start_from_head")
    LOG_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    LOG_STREAM_NAMES_FIELD_NUMBER: _ClassVar[int]
    LOG_STREAM_NAME_PREFIX_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    FILTER_PATTERN_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    INTERLEAVED_FIELD_NUMBER: _ClassVar[int]
    UNMASK_FIELD_NUMBER: _ClassVar[int]
    START_FROM_HEAD_FIELD_NUMBER: _ClassVar[int]
    log_group_name: str
    log_group_identifier: str
    log_stream_names: _containers.RepeatedScalarFieldContainer[str]
    log_stream_name_prefix: str
    start_time: int
    end_time: int
    filter_pattern: str
    next_token: str
    limit: int
    interleaved: bool
    unmask: bool
    start_from_head: bool
    def __init__(self, log_group_name: _Optional[str] = ..., log_group_identifier: _Optional[str] = ..., log_stream_names: _Optional[_Iterable[str]] = ..., log_stream_name_prefix: _Optional[str] = ..., start_time: _Optional[int] = ..., end_time: _Optional[int] = ..., filter_pattern: _Optional[str] = ..., next_token: _Optional[str] = ..., limit: _Optional[int] = ..., interleaved: _Optional[bool] = ..., unmask: _Optional[bool] = ..., start_from_head: _Optional[bool] = ...) -> None: ...

class FilteredLogEvent(_message.Message):
    __slots__ = ("log_stream_name", "timestamp", "message", "ingestion_time", "event_id")
    LOG_STREAM_NAME_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    INGESTION_TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    log_stream_name: str
    timestamp: int
    message: str
    ingestion_time: int
    event_id: str
    def __init__(self, log_stream_name: _Optional[str] = ..., timestamp: _Optional[int] = ..., message: _Optional[str] = ..., ingestion_time: _Optional[int] = ..., event_id: _Optional[str] = ...) -> None: ...

class SearchedLogStream(_message.Message):
    __slots__ = ("log_stream_name", "searched_completely")
    LOG_STREAM_NAME_FIELD_NUMBER: _ClassVar[int]
    SEARCHED_COMPLETELY_FIELD_NUMBER: _ClassVar[int]
    log_stream_name: str
    searched_completely: bool
    def __init__(self, log_stream_name: _Optional[str] = ..., searched_completely: _Optional[bool] = ...) -> None: ...

class FilterLogEventsResponse(_message.Message):
    __slots__ = ("events", "searched_log_streams", "next_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    SEARCHED_LOG_STREAMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[FilteredLogEvent]
    searched_log_streams: _containers.RepeatedCompositeFieldContainer[SearchedLogStream]
    next_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[FilteredLogEvent, _Mapping]]] = ..., searched_log_streams: _Optional[_Iterable[_Union[SearchedLogStream, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class StartLiveTailRequest(_message.Message):
    __slots__ = ("log_group_identifiers", "log_stream_names", "log_stream_name_prefixes", "log_event_filter_pattern")
    LOG_GROUP_IDENTIFIERS_FIELD_NUMBER: _ClassVar[int]
    LOG_STREAM_NAMES_FIELD_NUMBER: _ClassVar[int]
    LOG_STREAM_NAME_PREFIXES_FIELD_NUMBER: _ClassVar[int]
    LOG_EVENT_FILTER_PATTERN_FIELD_NUMBER: _ClassVar[int]
    log_group_identifiers: _containers.RepeatedScalarFieldContainer[str]
    log_stream_names: _containers.RepeatedScalarFieldContainer[str]
    log_stream_name_prefixes: _containers.RepeatedScalarFieldContainer[str]
    log_event_filter_pattern: str
    def __init__(self, log_group_identifiers: _Optional[_Iterable[str]] = ..., log_stream_names: _Optional[_Iterable[str]] = ..., log_stream_name_prefixes: _Optional[_Iterable[str]] = ..., log_event_filter_pattern: _Optional[str] = ...) -> None: ...

class LiveTailSessionStart(_message.Message):
    __slots__ = ("request_id", "session_id", "log_group_identifiers", "log_stream_names", "log_stream_name_prefixes", "log_event_filter_pattern")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_IDENTIFIERS_FIELD_NUMBER: _ClassVar[int]
    LOG_STREAM_NAMES_FIELD_NUMBER: _ClassVar[int]
    LOG_STREAM_NAME_PREFIXES_FIELD_NUMBER: _ClassVar[int]
    LOG_EVENT_FILTER_PATTERN_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    session_id: str
    log_group_identifiers: _containers.RepeatedScalarFieldContainer[str]
    log_stream_names: _containers.RepeatedScalarFieldContainer[str]
    log_stream_name_prefixes: _containers.RepeatedScalarFieldContainer[str]
    log_event_filter_pattern: str
    def __init__(self, request_id: _Optional[str] = ..., session_id: _Optional[str] = ..., log_group_identifiers: _Optional[_Iterable[str]] = ..., log_stream_names: _Optional[_Iterable[str]] = ..., log_stream_name_prefixes: _Optional[_Iterable[str]] = ..., log_event_filter_pattern: _Optional[str] = ...) -> None: ...

class LiveTailSessionMetadata(_message.Message):
    __slots__ = ("sampled",)
    SAMPLED_FIELD_NUMBER: _ClassVar[int]
    sampled: bool
    def __init__(self, sampled: _Optional[bool] = ...) -> None: ...

class LiveTailSessionLogEvent(_message.Message):
    __slots__ = ("log_stream_name", "log_group_identifier", "message", "timestamp", "ingestion_time")
    LOG_STREAM_NAME_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    INGESTION_TIME_FIELD_NUMBER: _ClassVar[int]
    log_stream_name: str
    log_group_identifier: str
    message: str
    timestamp: int
    ingestion_time: int
    def __init__(self, log_stream_name: _Optional[str] = ..., log_group_identifier: _Optional[str] = ..., message: _Optional[str] = ..., timestamp: _Optional[int] = ..., ingestion_time: _Optional[int] = ...) -> None: ...

class LiveTailSessionUpdate(_message.Message):
    __slots__ = ("session_metadata", "session_results")
    SESSION_METADATA_FIELD_NUMBER: _ClassVar[int]
    SESSION_RESULTS_FIELD_NUMBER: _ClassVar[int]
    session_metadata: LiveTailSessionMetadata
    session_results: _containers.RepeatedCompositeFieldContainer[LiveTailSessionLogEvent]
    def __init__(self, session_metadata: _Optional[_Union[LiveTailSessionMetadata, _Mapping]] = ..., session_results: _Optional[_Iterable[_Union[LiveTailSessionLogEvent, _Mapping]]] = ...) -> None: ...

class StartLiveTailResponse(_message.Message):
    __slots__ = ("session_start", "session_update")
    SESSION_START_FIELD_NUMBER: _ClassVar[int]
    SESSION_UPDATE_FIELD_NUMBER: _ClassVar[int]
    session_start: LiveTailSessionStart
    session_update: LiveTailSessionUpdate
    def __init__(self, session_start: _Optional[_Union[LiveTailSessionStart, _Mapping]] = ..., session_update: _Optional[_Union[LiveTailSessionUpdate, _Mapping]] = ...) -> None: ...
