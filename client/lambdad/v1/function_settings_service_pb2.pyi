from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetFunctionRecursionConfigRequest(_message.Message):
    __slots__ = ("function_name",)
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    def __init__(self, function_name: _Optional[str] = ...) -> None: ...

class GetFunctionRecursionConfigResponse(_message.Message):
    __slots__ = ("recursive_loop",)
    RECURSIVE_LOOP_FIELD_NUMBER: _ClassVar[int]
    recursive_loop: str
    def __init__(self, recursive_loop: _Optional[str] = ...) -> None: ...

class PutFunctionRecursionConfigRequest(_message.Message):
    __slots__ = ("function_name", "recursive_loop")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    RECURSIVE_LOOP_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    recursive_loop: str
    def __init__(self, function_name: _Optional[str] = ..., recursive_loop: _Optional[str] = ...) -> None: ...

class PutFunctionRecursionConfigResponse(_message.Message):
    __slots__ = ("recursive_loop",)
    RECURSIVE_LOOP_FIELD_NUMBER: _ClassVar[int]
    recursive_loop: str
    def __init__(self, recursive_loop: _Optional[str] = ...) -> None: ...

class GetRuntimeManagementConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class GetRuntimeManagementConfigResponse(_message.Message):
    __slots__ = ("update_runtime_on", "function_arn", "runtime_version_arn")
    UPDATE_RUNTIME_ON_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_VERSION_ARN_FIELD_NUMBER: _ClassVar[int]
    update_runtime_on: str
    function_arn: str
    runtime_version_arn: str
    def __init__(self, update_runtime_on: _Optional[str] = ..., function_arn: _Optional[str] = ..., runtime_version_arn: _Optional[str] = ...) -> None: ...

class PutRuntimeManagementConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "update_runtime_on", "runtime_version_arn")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_RUNTIME_ON_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_VERSION_ARN_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    update_runtime_on: str
    runtime_version_arn: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., update_runtime_on: _Optional[str] = ..., runtime_version_arn: _Optional[str] = ...) -> None: ...

class PutRuntimeManagementConfigResponse(_message.Message):
    __slots__ = ("update_runtime_on", "function_arn", "runtime_version_arn")
    UPDATE_RUNTIME_ON_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_VERSION_ARN_FIELD_NUMBER: _ClassVar[int]
    update_runtime_on: str
    function_arn: str
    runtime_version_arn: str
    def __init__(self, update_runtime_on: _Optional[str] = ..., function_arn: _Optional[str] = ..., runtime_version_arn: _Optional[str] = ...) -> None: ...

class FunctionScalingConfig(_message.Message):
    __slots__ = ("min_execution_environments", "max_execution_environments")
    MIN_EXECUTION_ENVIRONMENTS_FIELD_NUMBER: _ClassVar[int]
    MAX_EXECUTION_ENVIRONMENTS_FIELD_NUMBER: _ClassVar[int]
    min_execution_environments: int
    max_execution_environments: int
    def __init__(self, min_execution_environments: _Optional[int] = ..., max_execution_environments: _Optional[int] = ...) -> None: ...

class GetFunctionScalingConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class GetFunctionScalingConfigResponse(_message.Message):
    __slots__ = ("function_arn", "applied_function_scaling_config", "requested_function_scaling_config")
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FUNCTION_SCALING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_FUNCTION_SCALING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    function_arn: str
    applied_function_scaling_config: FunctionScalingConfig
    requested_function_scaling_config: FunctionScalingConfig
    def __init__(self, function_arn: _Optional[str] = ..., applied_function_scaling_config: _Optional[_Union[FunctionScalingConfig, _Mapping]] = ..., requested_function_scaling_config: _Optional[_Union[FunctionScalingConfig, _Mapping]] = ...) -> None: ...

class PutFunctionScalingConfigRequest(_message.Message):
    __slots__ = ("function_name", "qualifier", "function_scaling_config")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_SCALING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    function_scaling_config: FunctionScalingConfig
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ..., function_scaling_config: _Optional[_Union[FunctionScalingConfig, _Mapping]] = ...) -> None: ...

class PutFunctionScalingConfigResponse(_message.Message):
    __slots__ = ("function_state",)
    FUNCTION_STATE_FIELD_NUMBER: _ClassVar[int]
    function_state: str
    def __init__(self, function_state: _Optional[str] = ...) -> None: ...
