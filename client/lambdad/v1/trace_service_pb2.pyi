from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PutTraceSegmentsRequest(_message.Message):
    __slots__ = ("trace_segment_documents",)
    TRACE_SEGMENT_DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    trace_segment_documents: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, trace_segment_documents: _Optional[_Iterable[str]] = ...) -> None: ...

class UnprocessedTraceSegment(_message.Message):
    __slots__ = ("id", "error_code", "message")
    ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    error_code: str
    message: str
    def __init__(self, id: _Optional[str] = ..., error_code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class PutTraceSegmentsResponse(_message.Message):
    __slots__ = ("unprocessed_trace_segments",)
    UNPROCESSED_TRACE_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    unprocessed_trace_segments: _containers.RepeatedCompositeFieldContainer[UnprocessedTraceSegment]
    def __init__(self, unprocessed_trace_segments: _Optional[_Iterable[_Union[UnprocessedTraceSegment, _Mapping]]] = ...) -> None: ...

class GetTraceSummariesRequest(_message.Message):
    __slots__ = ("start_time", "end_time", "time_range_type", "sampling", "filter_expression", "next_token")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    TIME_RANGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_FIELD_NUMBER: _ClassVar[int]
    FILTER_EXPRESSION_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    start_time: float
    end_time: float
    time_range_type: str
    sampling: bool
    filter_expression: str
    next_token: str
    def __init__(self, start_time: _Optional[float] = ..., end_time: _Optional[float] = ..., time_range_type: _Optional[str] = ..., sampling: _Optional[bool] = ..., filter_expression: _Optional[str] = ..., next_token: _Optional[str] = ...) -> None: ...

class ServiceId(_message.Message):
    __slots__ = ("name", "names", "type")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    name: str
    names: _containers.RepeatedScalarFieldContainer[str]
    type: str
    def __init__(self, name: _Optional[str] = ..., names: _Optional[_Iterable[str]] = ..., type: _Optional[str] = ...) -> None: ...

class Http(_message.Message):
    __slots__ = ("http_url", "http_status", "http_method", "user_agent", "client_ip")
    HTTP_URL_FIELD_NUMBER: _ClassVar[int]
    HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    HTTP_METHOD_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_IP_FIELD_NUMBER: _ClassVar[int]
    http_url: str
    http_status: int
    http_method: str
    user_agent: str
    client_ip: str
    def __init__(self, http_url: _Optional[str] = ..., http_status: _Optional[int] = ..., http_method: _Optional[str] = ..., user_agent: _Optional[str] = ..., client_ip: _Optional[str] = ...) -> None: ...

class TraceSummary(_message.Message):
    __slots__ = ("id", "start_time", "duration", "response_time", "has_fault", "has_error", "has_throttle", "is_partial", "service_ids", "http")
    ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_TIME_FIELD_NUMBER: _ClassVar[int]
    HAS_FAULT_FIELD_NUMBER: _ClassVar[int]
    HAS_ERROR_FIELD_NUMBER: _ClassVar[int]
    HAS_THROTTLE_FIELD_NUMBER: _ClassVar[int]
    IS_PARTIAL_FIELD_NUMBER: _ClassVar[int]
    SERVICE_IDS_FIELD_NUMBER: _ClassVar[int]
    HTTP_FIELD_NUMBER: _ClassVar[int]
    id: str
    start_time: float
    duration: float
    response_time: float
    has_fault: bool
    has_error: bool
    has_throttle: bool
    is_partial: bool
    service_ids: _containers.RepeatedCompositeFieldContainer[ServiceId]
    http: Http
    def __init__(self, id: _Optional[str] = ..., start_time: _Optional[float] = ..., duration: _Optional[float] = ..., response_time: _Optional[float] = ..., has_fault: _Optional[bool] = ..., has_error: _Optional[bool] = ..., has_throttle: _Optional[bool] = ..., is_partial: _Optional[bool] = ..., service_ids: _Optional[_Iterable[_Union[ServiceId, _Mapping]]] = ..., http: _Optional[_Union[Http, _Mapping]] = ...) -> None: ...

class GetTraceSummariesResponse(_message.Message):
    __slots__ = ("trace_summaries", "approximate_time", "traces_processed_count", "next_token")
    TRACE_SUMMARIES_FIELD_NUMBER: _ClassVar[int]
    APPROXIMATE_TIME_FIELD_NUMBER: _ClassVar[int]
    TRACES_PROCESSED_COUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    trace_summaries: _containers.RepeatedCompositeFieldContainer[TraceSummary]
    approximate_time: float
    traces_processed_count: int
    next_token: str
    def __init__(self, trace_summaries: _Optional[_Iterable[_Union[TraceSummary, _Mapping]]] = ..., approximate_time: _Optional[float] = ..., traces_processed_count: _Optional[int] = ..., next_token: _Optional[str] = ...) -> None: ...

class BatchGetTracesRequest(_message.Message):
    __slots__ = ("trace_ids", "next_token")
    TRACE_IDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    trace_ids: _containers.RepeatedScalarFieldContainer[str]
    next_token: str
    def __init__(self, trace_ids: _Optional[_Iterable[str]] = ..., next_token: _Optional[str] = ...) -> None: ...

class TraceSegment(_message.Message):
    __slots__ = ("id", "document")
    ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    id: str
    document: str
    def __init__(self, id: _Optional[str] = ..., document: _Optional[str] = ...) -> None: ...

class Trace(_message.Message):
    __slots__ = ("id", "duration", "limit_exceeded", "segments")
    ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    LIMIT_EXCEEDED_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    id: str
    duration: float
    limit_exceeded: bool
    segments: _containers.RepeatedCompositeFieldContainer[TraceSegment]
    def __init__(self, id: _Optional[str] = ..., duration: _Optional[float] = ..., limit_exceeded: _Optional[bool] = ..., segments: _Optional[_Iterable[_Union[TraceSegment, _Mapping]]] = ...) -> None: ...

class BatchGetTracesResponse(_message.Message):
    __slots__ = ("traces", "unprocessed_trace_ids", "next_token")
    TRACES_FIELD_NUMBER: _ClassVar[int]
    UNPROCESSED_TRACE_IDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    traces: _containers.RepeatedCompositeFieldContainer[Trace]
    unprocessed_trace_ids: _containers.RepeatedScalarFieldContainer[str]
    next_token: str
    def __init__(self, traces: _Optional[_Iterable[_Union[Trace, _Mapping]]] = ..., unprocessed_trace_ids: _Optional[_Iterable[str]] = ..., next_token: _Optional[str] = ...) -> None: ...
