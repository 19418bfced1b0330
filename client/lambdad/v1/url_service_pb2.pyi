from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Cors(_message.Message):
    __slots__ = ("allow_credentials", "allow_headers", "allow_methods", "allow_origins", "expose_headers", "max_age")
    ALLOW_CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_HEADERS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_METHODS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_ORIGINS_FIELD_NUMBER: _ClassVar[int]
    EXPOSE_HEADERS_FIELD_NUMBER: _ClassVar[int]
    MAX_AGE_FIELD_NUMBER: _ClassVar[int]
    allow_credentials: bool
    allow_headers: _containers.RepeatedScalarFieldContainer[str]
    allow_methods: _containers.RepeatedScalarFieldContainer[str]
    allow_origins: _containers.RepeatedScalarFieldContainer[str]
    expose_headers: _containers.RepeatedScalarFieldContainer[str]
    max_age: int
    def __init__(self, allow_credentials: _Optional[bool] = ..., allow_headers: _Optional[_Iterable[str]] = ..., allow_methods: _Optional[_Iterable[str]] = ..., allow_origins: _Optional[_Iterable[str]] = ..., expose_headers: _Optional[_Iterable[str]] = ..., max_age: _Optional[int] = ...) -> None: ...

class FunctionUrlConfig(_message.Message):
    __slots__ = ("function_url", "function_arn", "auth_type", "cors", "creation_time", "last_modified_time", "invoke_mode")
    FUNCTION_URL_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    AUTH_TYPE_FIELD_NUMBER: _ClassVar[int]
    CORS_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_MODIFIED_TIME_FIELD_NUMBER: _ClassVar[int]
    INVOKE_MODE_FIELD_NUMBER: _ClassVar[int]
    function_url: str
    function_arn: str
    auth_type: str
    cors: Cors
    creation_time: str
    last_modified_time: str
    invoke_mode: str
    def __init__(self, function_url: _Optional[str] = ..., function_arn: _Optional[str] = ..., auth_type: _Optional[str] = ..., cors: _Optional[_Union[Cors, _Mapping]] = ..., creation_time: _Optional[str] = ..., last_modified_time: _Optional[str] = ..., invoke_mode: _Optional[str] = ...) -> None: ...

class CreateFunctionUrlConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "auth_type", "cors", "invoke_mode")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    AUTH_TYPE_FIELD_NUMBER: _ClassVar[int]
    CORS_FIELD_NUMBER: _ClassVar[int]
    INVOKE_MODE_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    auth_type: str
    cors: Cors
    invoke_mode: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., auth_type: _Optional[str] = ..., cors: _Optional[_Union[Cors, _Mapping]] = ..., invoke_mode: _Optional[str] = ...) -> None: ...

class CreateFunctionUrlConfigResponse(_message.Message):
    __slots__ = ("function_url", "function_arn", "auth_type", "cors", "creation_time", "invoke_mode")
    FUNCTION_URL_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    AUTH_TYPE_FIELD_NUMBER: _ClassVar[int]
    CORS_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    INVOKE_MODE_FIELD_NUMBER: _ClassVar[int]
    function_url: str
    function_arn: str
    auth_type: str
    cors: Cors
    creation_time: str
    invoke_mode: str
    def __init__(self, function_url: _Optional[str] = ..., function_arn: _Optional[str] = ..., auth_type: _Optional[str] = ..., cors: _Optional[_Union[Cors, _Mapping]] = ..., creation_time: _Optional[str] = ..., invoke_mode: _Optional[str] = ...) -> None: ...

class GetFunctionUrlConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class GetFunctionUrlConfigResponse(_message.Message):
    __slots__ = ("config",)
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    config: FunctionUrlConfig
    def __init__(self, config: _Optional[_Union[FunctionUrlConfig, _Mapping]] = ...) -> None: ...

class UpdateFunctionUrlConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "auth_type", "cors", "invoke_mode", "update_mask")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    AUTH_TYPE_FIELD_NUMBER: _ClassVar[int]
    CORS_FIELD_NUMBER: _ClassVar[int]
    INVOKE_MODE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    auth_type: str
    cors: Cors
    invoke_mode: str
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., auth_type: _Optional[str] = ..., cors: _Optional[_Union[Cors, _Mapping]] = ..., invoke_mode: _Optional[str] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateFunctionUrlConfigResponse(_message.Message):
    __slots__ = ("config",)
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    config: FunctionUrlConfig
    def __init__(self, config: _Optional[_Union[FunctionUrlConfig, _Mapping]] = ...) -> None: ...

class DeleteFunctionUrlConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class DeleteFunctionUrlConfigResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFunctionUrlConfigsRequest(_message.Message):
    __slots__ = ("function_name", "page_token", "page_size")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    page_token: str
    page_size: int
    def __init__(self, function_name: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListFunctionUrlConfigsResponse(_message.Message):
    __slots__ = ("function_url_configs", "next_page_token")
    FUNCTION_URL_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    function_url_configs: _containers.RepeatedCompositeFieldContainer[FunctionUrlConfig]
    next_page_token: str
    def __init__(self, function_url_configs: _Optional[_Iterable[_Union[FunctionUrlConfig, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AddPermissionRequest(_message.Message):
    __slots__ = ("function_name", "statement_id", "action", "principal", "source_arn", "source_account", "event_source_token", "qualifier", "revision_id", "principal_org_id", "function_url_auth_type", "invoked_via_function_url")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    EVENT_SOURCE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_URL_AUTH_TYPE_FIELD_NUMBER: _ClassVar[int]
    INVOKED_VIA_FUNCTION_URL_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    statement_id: str
    action: str
    principal: str
    source_arn: str
    source_account: str
    event_source_token: str
    qualifier: str
    revision_id: str
    principal_org_id: str
    function_url_auth_type: str
    invoked_via_function_url: bool
    def __init__(self, function_name: _Optional[str] = ..., statement_id: _Optional[str] = ..., action: _Optional[str] = ..., principal: _Optional[str] = ..., source_arn: _Optional[str] = ..., source_account: _Optional[str] = ..., event_source_token: _Optional[str] = ..., qualifier: _Optional[str] = ..., revision_id: _Optional[str] = ..., principal_org_id: _Optional[str] = ..., function_url_auth_type: _Optional[str] = ..., invoked_via_function_url: _Optional[bool] = ...) -> None: ...

class AddPermissionResponse(_message.Message):
    __slots__ = ("statement",)
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    statement: str
    def __init__(self, statement: _Optional[str] = ...) -> None: ...

class GetPolicyRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class GetPolicyResponse(_message.Message):
    __slots__ = ("policy", "revision_id")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    policy: str
    revision_id: str
    def __init__(self, policy: _Optional[str] = ..., revision_id: _Optional[str] = ...) -> None: ...

class RemovePermissionRequest(_message.Message):
    __slots__ = ("function_name", "statement_id", "qualifier", "revision_id")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    statement_id: str
    qualifier: str
    revision_id: str
    def __init__(self, function_name: _Optional[str] = ..., statement_id: _Optional[str] = ..., qualifier: _Optional[str] = ..., revision_id: _Optional[str] = ...) -> None: ...

class RemovePermissionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HttpHeader(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class ResolveFunctionUrlRequest(_message.Message):
    __slots__ = ("url_id", "method", "raw_path", "raw_query", "headers", "body", "preflight")
    URL_ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    RAW_PATH_FIELD_NUMBER: _ClassVar[int]
    RAW_QUERY_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    PREFLIGHT_FIELD_NUMBER: _ClassVar[int]
    url_id: str
    method: str
    raw_path: str
    raw_query: str
    headers: _containers.RepeatedCompositeFieldContainer[HttpHeader]
    body: bytes
    preflight: bool
    def __init__(self, url_id: _Optional[str] = ..., method: _Optional[str] = ..., raw_path: _Optional[str] = ..., raw_query: _Optional[str] = ..., headers: _Optional[_Iterable[_Union[HttpHeader, _Mapping]]] = ..., body: _Optional[bytes] = ..., preflight: _Optional[bool] = ...) -> None: ...

class IamIdentity(_message.Message):
    __slots__ = ("access_key", "account_id", "caller_id", "user_arn", "user_id")
    ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CALLER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ARN_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    access_key: str
    account_id: str
    caller_id: str
    user_arn: str
    user_id: str
    def __init__(self, access_key: _Optional[str] = ..., account_id: _Optional[str] = ..., caller_id: _Optional[str] = ..., user_arn: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class ResolveFunctionUrlResponse(_message.Message):
    __slots__ = ("function_name", "qualifier", "config", "account_id", "iam")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    IAM_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    config: FunctionUrlConfig
    account_id: str
    iam: IamIdentity
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., config: _Optional[_Union[FunctionUrlConfig, _Mapping]] = ..., account_id: _Optional[str] = ..., iam: _Optional[_Union[IamIdentity, _Mapping]] = ...) -> None: ...

class InvokeFunctionUrlRequest(_message.Message):
    __slots__ = ("url_id", "method", "raw_path", "function_path", "raw_query", "headers", "body", "source_ip", "protocol", "path_form", "host", "trace_header")
    URL_ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    RAW_PATH_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_PATH_FIELD_NUMBER: _ClassVar[int]
    RAW_QUERY_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IP_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    PATH_FORM_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    TRACE_HEADER_FIELD_NUMBER: _ClassVar[int]
    url_id: str
    method: str
    raw_path: str
    function_path: str
    raw_query: str
    headers: _containers.RepeatedCompositeFieldContainer[HttpHeader]
    body: bytes
    source_ip: str
    protocol: str
    path_form: bool
    host: str
    trace_header: str
    def __init__(self, url_id: _Optional[str] = ..., method: _Optional[str] = ..., raw_path: _Optional[str] = ..., function_path: _Optional[str] = ..., raw_query: _Optional[str] = ..., headers: _Optional[_Iterable[_Union[HttpHeader, _Mapping]]] = ..., body: _Optional[bytes] = ..., source_ip: _Optional[str] = ..., protocol: _Optional[str] = ..., path_form: _Optional[bool] = ..., host: _Optional[str] = ..., trace_header: _Optional[str] = ...) -> None: ...

class HttpResponseHead(_message.Message):
    __slots__ = ("status", "headers", "request_id", "streamed")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STREAMED_FIELD_NUMBER: _ClassVar[int]
    status: int
    headers: _containers.RepeatedCompositeFieldContainer[HttpHeader]
    request_id: str
    streamed: bool
    def __init__(self, status: _Optional[int] = ..., headers: _Optional[_Iterable[_Union[HttpHeader, _Mapping]]] = ..., request_id: _Optional[str] = ..., streamed: _Optional[bool] = ...) -> None: ...

class InvokeFunctionUrlResponse(_message.Message):
    __slots__ = ("head", "body")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    head: HttpResponseHead
    body: bytes
    def __init__(self, head: _Optional[_Union[HttpResponseHead, _Mapping]] = ..., body: _Optional[bytes] = ...) -> None: ...
