from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AllowedPublishers(_message.Message):
    __slots__ = ("signing_profile_version_arns",)
    SIGNING_PROFILE_VERSION_ARNS_FIELD_NUMBER: _ClassVar[int]
    signing_profile_version_arns: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, signing_profile_version_arns: _Optional[_Iterable[str]] = ...) -> None: ...

class CodeSigningPolicies(_message.Message):
    __slots__ = ("untrusted_artifact_on_deployment",)
    UNTRUSTED_ARTIFACT_ON_DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    untrusted_artifact_on_deployment: str
    def __init__(self, untrusted_artifact_on_deployment: _Optional[str] = ...) -> None: ...

class CodeSigningConfig(_message.Message):
    __slots__ = ("code_signing_config_id", "code_signing_config_arn", "description", "allowed_publishers", "code_signing_policies", "last_modified")
    CODE_SIGNING_CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_SIGNING_CONFIG_ARN_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_PUBLISHERS_FIELD_NUMBER: _ClassVar[int]
    CODE_SIGNING_POLICIES_FIELD_NUMBER: _ClassVar[int]
    LAST_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    code_signing_config_id: str
    code_signing_config_arn: str
    description: str
    allowed_publishers: AllowedPublishers
    code_signing_policies: CodeSigningPolicies
    last_modified: str
    def __init__(self, code_signing_config_id: _Optional[str] = ..., code_signing_config_arn: _Optional[str] = ..., description: _Optional[str] = ..., allowed_publishers: _Optional[_Union[AllowedPublishers, _Mapping]] = ..., code_signing_policies: _Optional[_Union[CodeSigningPolicies, _Mapping]] = ..., last_modified: _Optional[str] = ...) -> None: ...

class CreateCodeSigningConfigRequest(_message.Message):
    __slots__ = ("description", "allowed_publishers", "code_signing_policies", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_PUBLISHERS_FIELD_NUMBER: _ClassVar[int]
    CODE_SIGNING_POLICIES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    description: str
    allowed_publishers: AllowedPublishers
    code_signing_policies: CodeSigningPolicies
    tags: _containers.ScalarMap[str, str]
    def __init__(self, description: _Optional[str] = ..., allowed_publishers: _Optional[_Union[AllowedPublishers, _Mapping]] = ..., code_signing_policies: _Optional[_Union[CodeSigningPolicies, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CreateCodeSigningConfigResponse(_message.Message):
    __slots__ = ("code_signing_config",)
    CODE_SIGNING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    code_signing_config: CodeSigningConfig
    def __init__(self, code_signing_config: _Optional[_Union[CodeSigningConfig, _Mapping]] = ...) -> None: ...

class GetCodeSigningConfigRequest(_message.Message):
    __slots__ = ("code_signing_config_arn",)
    CODE_SIGNING_CONFIG_ARN_FIELD_NUMBER: _ClassVar[int]
    code_signing_config_arn: str
    def __init__(self, code_signing_config_arn: _Optional[str] = ...) -> None: ...

class GetCodeSigningConfigResponse(_message.Message):
    __slots__ = ("code_signing_config",)
    CODE_SIGNING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    code_signing_config: CodeSigningConfig
    def __init__(self, code_signing_config: _Optional[_Union[CodeSigningConfig, _Mapping]] = ...) -> None: ...

class UpdateCodeSigningConfigRequest(_message.Message):
    __slots__ = ("code_signing_config_arn", "description", "allowed_publishers", "code_signing_policies")
    CODE_SIGNING_CONFIG_ARN_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_PUBLISHERS_FIELD_NUMBER: _ClassVar[int]
    CODE_SIGNING_POLICIES_FIELD_NUMBER: _ClassVar[int]
    code_signing_config_arn: str
    description: str
    allowed_publishers: AllowedPublishers
    code_signing_policies: CodeSigningPolicies
    def __init__(self, code_signing_config_arn: _Optional[str] = ..., description: _Optional[str] = ..., allowed_publishers: _Optional[_Union[AllowedPublishers, _Mapping]] = ..., code_signing_policies: _Optional[_Union[CodeSigningPolicies, _Mapping]] = ...) -> None: ...

class UpdateCodeSigningConfigResponse(_message.Message):
    __slots__ = ("code_signing_config",)
    CODE_SIGNING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    code_signing_config: CodeSigningConfig
    def __init__(self, code_signing_config: _Optional[_Union[CodeSigningConfig, _Mapping]] = ...) -> None: ...

class DeleteCodeSigningConfigRequest(_message.Message):
    __slots__ = ("code_signing_config_arn",)
    CODE_SIGNING_CONFIG_ARN_FIELD_NUMBER: _ClassVar[int]
    code_signing_config_arn: str
    def __init__(self, code_signing_config_arn: _Optional[str] = ...) -> None: ...

class DeleteCodeSigningConfigResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListCodeSigningConfigsRequest(_message.Message):
    __slots__ = ("page_token", "page_size")
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    page_token: str
    page_size: int
    def __init__(self, page_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListCodeSigningConfigsResponse(_message.Message):
    __slots__ = ("next_page_token", "code_signing_configs")
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CODE_SIGNING_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    code_signing_configs: _containers.RepeatedCompositeFieldContainer[CodeSigningConfig]
    def __init__(self, next_page_token: _Optional[str] = ..., code_signing_configs: _Optional[_Iterable[_Union[CodeSigningConfig, _Mapping]]] = ...) -> None: ...

class ListFunctionsByCodeSigningConfigRequest(_message.Message):
    __slots__ = ("code_signing_config_arn", "page_token", "page_size")
    CODE_SIGNING_CONFIG_ARN_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    code_signing_config_arn: str
    page_token: str
    page_size: int
    def __init__(self, code_signing_config_arn: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListFunctionsByCodeSigningConfigResponse(_message.Message):
    __slots__ = ("next_page_token", "function_arns")
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ARNS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    function_arns: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, next_page_token: _Optional[str] = ..., function_arns: _Optional[_Iterable[str]] = ...) -> None: ...

class PutFunctionCodeSigningConfigRequest(_message.Message):
    __slots__ = ("function_name", "code_signing_config_arn")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_SIGNING_CONFIG_ARN_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    code_signing_config_arn: str
    def __init__(self, function_name: _Optional[str] = ..., code_signing_config_arn: _Optional[str] = ...) -> None: ...

class PutFunctionCodeSigningConfigResponse(_message.Message):
    __slots__ = ("code_signing_config_arn", "function_name")
    CODE_SIGNING_CONFIG_ARN_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    code_signing_config_arn: str
    function_name: str
    def __init__(self, code_signing_config_arn: _Optional[str] = ..., function_name: _Optional[str] = ...) -> None: ...

class GetFunctionCodeSigningConfigRequest(_message.Message):
    __slots__ = ("function_name",)
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    def __init__(self, function_name: _Optional[str] = ...) -> None: ...

class GetFunctionCodeSigningConfigResponse(_message.Message):
    __slots__ = ("code_signing_config_arn", "function_name")
    CODE_SIGNING_CONFIG_ARN_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    code_signing_config_arn: str
    function_name: str
    def __init__(self, code_signing_config_arn: _Optional[str] = ..., function_name: _Optional[str] = ...) -> None: ...

class DeleteFunctionCodeSigningConfigRequest(_message.Message):
    __slots__ = ("function_name",)
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    def __init__(self, function_name: _Optional[str] = ...) -> None: ...

class DeleteFunctionCodeSigningConfigResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
