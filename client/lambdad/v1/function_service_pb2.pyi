from google.protobuf import field_mask_pb2 as _field_mask_pb2
from lambdad.v1 import function_pb2 as _function_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateFunctionRequest(_message.Message):
    __slots__ = ("function_name", "runtime", "role", "handler", "code", "description", "timeout", "memory_size", "publish", "vpc_config", "package_type", "dead_letter_config", "environment", "kms_key_arn", "tracing_config", "tags", "layers", "file_system_configs", "image_config", "code_signing_config_arn", "architectures", "ephemeral_storage", "snap_start", "logging_config", "capacity_provider_config", "publish_to", "tenancy_config", "durable_config", "runtime_config", "accelerator_config")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_SIZE_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_FIELD_NUMBER: _ClassVar[int]
    VPC_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    TRACING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    FILE_SYSTEM_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    CODE_SIGNING_CONFIG_ARN_FIELD_NUMBER: _ClassVar[int]
    ARCHITECTURES_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_STORAGE_FIELD_NUMBER: _ClassVar[int]
    SNAP_START_FIELD_NUMBER: _ClassVar[int]
    LOGGING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TO_FIELD_NUMBER: _ClassVar[int]
    TENANCY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    DURABLE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_CONFIG_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_CONFIG_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    runtime: str
    role: str
    handler: str
    code: _function_pb2.FunctionCode
    description: str
    timeout: int
    memory_size: int
    publish: bool
    vpc_config: _function_pb2.VpcConfig
    package_type: str
    dead_letter_config: _function_pb2.DeadLetterConfig
    environment: _function_pb2.Environment
    kms_key_arn: str
    tracing_config: _function_pb2.TracingConfig
    tags: _containers.ScalarMap[str, str]
    layers: _containers.RepeatedScalarFieldContainer[str]
    file_system_configs: _containers.RepeatedCompositeFieldContainer[_function_pb2.FileSystemConfig]
    image_config: _function_pb2.ImageConfig
    code_signing_config_arn: str
    architectures: _containers.RepeatedScalarFieldContainer[str]
    ephemeral_storage: _function_pb2.EphemeralStorage
    snap_start: _function_pb2.SnapStart
    logging_config: _function_pb2.LoggingConfig
    capacity_provider_config: _function_pb2.CapacityProviderConfig
    publish_to: str
    tenancy_config: _function_pb2.TenancyConfig
    durable_config: _function_pb2.DurableConfig
    runtime_config: _function_pb2.FunctionRuntimeConfig
    accelerator_config: _function_pb2.AcceleratorConfig
    def __init__(self, function_name: _Optional[str] = ..., runtime: _Optional[str] = ..., role: _Optional[str] = ..., handler: _Optional[str] = ..., code: _Optional[_Union[_function_pb2.FunctionCode, _Mapping]] = ..., description: _Optional[str] = ..., timeout: _Optional[int] = ..., memory_size: _Optional[int] = ..., publish: _Optional[bool] = ..., vpc_config: _Optional[_Union[_function_pb2.VpcConfig, _Mapping]] = ..., package_type: _Optional[str] = ..., dead_letter_config: _Optional[_Union[_function_pb2.DeadLetterConfig, _Mapping]] = ..., environment: _Optional[_Union[_function_pb2.Environment, _Mapping]] = ..., kms_key_arn: _Optional[str] = ..., tracing_config: _Optional[_Union[_function_pb2.TracingConfig, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ..., layers: _Optional[_Iterable[str]] = ..., file_system_configs: _Optional[_Iterable[_Union[_function_pb2.FileSystemConfig, _Mapping]]] = ..., image_config: _Optional[_Union[_function_pb2.ImageConfig, _Mapping]] = ..., code_signing_config_arn: _Optional[str] = ..., architectures: _Optional[_Iterable[str]] = ..., ephemeral_storage: _Optional[_Union[_function_pb2.EphemeralStorage, _Mapping]] = ..., snap_start: _Optional[_Union[_function_pb2.SnapStart, _Mapping]] = ..., logging_config: _Optional[_Union[_function_pb2.LoggingConfig, _Mapping]] = ..., capacity_provider_config: _Optional[_Union[_function_pb2.CapacityProviderConfig, _Mapping]] = ..., publish_to: _Optional[str] = ..., tenancy_config: _Optional[_Union[_function_pb2.TenancyConfig, _Mapping]] = ..., durable_config: _Optional[_Union[_function_pb2.DurableConfig, _Mapping]] = ..., runtime_config: _Optional[_Union[_function_pb2.FunctionRuntimeConfig, _Mapping]] = ..., accelerator_config: _Optional[_Union[_function_pb2.AcceleratorConfig, _Mapping]] = ...) -> None: ...

class CreateFunctionResponse(_message.Message):
    __slots__ = ("configuration",)
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    configuration: _function_pb2.FunctionConfiguration
    def __init__(self, configuration: _Optional[_Union[_function_pb2.FunctionConfiguration, _Mapping]] = ...) -> None: ...

class GetFunctionRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class GetFunctionResponse(_message.Message):
    __slots__ = ("configuration", "code", "tags", "concurrency")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    configuration: _function_pb2.FunctionConfiguration
    code: _function_pb2.FunctionCodeLocation
    tags: _containers.ScalarMap[str, str]
    concurrency: _function_pb2.Concurrency
    def __init__(self, configuration: _Optional[_Union[_function_pb2.FunctionConfiguration, _Mapping]] = ..., code: _Optional[_Union[_function_pb2.FunctionCodeLocation, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ..., concurrency: _Optional[_Union[_function_pb2.Concurrency, _Mapping]] = ...) -> None: ...

class GetFunctionConfigurationRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class GetFunctionConfigurationResponse(_message.Message):
    __slots__ = ("configuration",)
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    configuration: _function_pb2.FunctionConfiguration
    def __init__(self, configuration: _Optional[_Union[_function_pb2.FunctionConfiguration, _Mapping]] = ...) -> None: ...

class ListFunctionsRequest(_message.Message):
    __slots__ = ("function_version", "page_token", "page_size", "master_region")
    FUNCTION_VERSION_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    MASTER_REGION_FIELD_NUMBER: _ClassVar[int]
    function_version: str
    page_token: str
    page_size: int
    master_region: str
    def __init__(self, function_version: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ..., master_region: _Optional[str] = ...) -> None: ...

class ListFunctionsResponse(_message.Message):
    __slots__ = ("functions", "next_page_token")
    FUNCTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    functions: _containers.RepeatedCompositeFieldContainer[_function_pb2.FunctionConfiguration]
    next_page_token: str
    def __init__(self, functions: _Optional[_Iterable[_Union[_function_pb2.FunctionConfiguration, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateFunctionCodeRequest(_message.Message):
    __slots__ = ("function_name", "zip_file", "s3_bucket", "s3_key", "s3_object_version", "image_uri", "publish", "dry_run", "revision_id", "architectures", "source_kms_key_arn", "publish_to", "s3_object_storage_mode")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    ZIP_FILE_FIELD_NUMBER: _ClassVar[int]
    S3_BUCKET_FIELD_NUMBER: _ClassVar[int]
    S3_KEY_FIELD_NUMBER: _ClassVar[int]
    S3_OBJECT_VERSION_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URI_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    ARCHITECTURES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TO_FIELD_NUMBER: _ClassVar[int]
    S3_OBJECT_STORAGE_MODE_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    zip_file: bytes
    s3_bucket: str
    s3_key: str
    s3_object_version: str
    image_uri: str
    publish: bool
    dry_run: bool
    revision_id: str
    architectures: _containers.RepeatedScalarFieldContainer[str]
    source_kms_key_arn: str
    publish_to: str
    s3_object_storage_mode: str
    def __init__(self, function_name: _Optional[str] = ..., zip_file: _Optional[bytes] = ..., s3_bucket: _Optional[str] = ..., s3_key: _Optional[str] = ..., s3_object_version: _Optional[str] = ..., image_uri: _Optional[str] = ..., publish: _Optional[bool] = ..., dry_run: _Optional[bool] = ..., revision_id: _Optional[str] = ..., architectures: _Optional[_Iterable[str]] = ..., source_kms_key_arn: _Optional[str] = ..., publish_to: _Optional[str] = ..., s3_object_storage_mode: _Optional[str] = ...) -> None: ...

class UpdateFunctionCodeResponse(_message.Message):
    __slots__ = ("configuration",)
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    configuration: _function_pb2.FunctionConfiguration
    def __init__(self, configuration: _Optional[_Union[_function_pb2.FunctionConfiguration, _Mapping]] = ...) -> None: ...

class UpdateFunctionConfigurationRequest(_message.Message):
    __slots__ = ("function_name", "role", "handler", "description", "timeout", "memory_size", "vpc_config", "environment", "runtime", "dead_letter_config", "kms_key_arn", "tracing_config", "revision_id", "layers", "file_system_configs", "image_config", "ephemeral_storage", "snap_start", "logging_config", "capacity_provider_config", "durable_config", "runtime_config", "accelerator_config", "update_mask")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_SIZE_FIELD_NUMBER: _ClassVar[int]
    VPC_CONFIG_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    TRACING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    FILE_SYSTEM_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_STORAGE_FIELD_NUMBER: _ClassVar[int]
    SNAP_START_FIELD_NUMBER: _ClassVar[int]
    LOGGING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    DURABLE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_CONFIG_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_CONFIG_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    role: str
    handler: str
    description: str
    timeout: int
    memory_size: int
    vpc_config: _function_pb2.VpcConfig
    environment: _function_pb2.Environment
    runtime: str
    dead_letter_config: _function_pb2.DeadLetterConfig
    kms_key_arn: str
    tracing_config: _function_pb2.TracingConfig
    revision_id: str
    layers: _containers.RepeatedScalarFieldContainer[str]
    file_system_configs: _containers.RepeatedCompositeFieldContainer[_function_pb2.FileSystemConfig]
    image_config: _function_pb2.ImageConfig
    ephemeral_storage: _function_pb2.EphemeralStorage
    snap_start: _function_pb2.SnapStart
    logging_config: _function_pb2.LoggingConfig
    capacity_provider_config: _function_pb2.CapacityProviderConfig
    durable_config: _function_pb2.DurableConfig
    runtime_config: _function_pb2.FunctionRuntimeConfig
    accelerator_config: _function_pb2.AcceleratorConfig
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, function_name: _Optional[str] = ..., role: _Optional[str] = ..., handler: _Optional[str] = ..., description: _Optional[str] = ..., timeout: _Optional[int] = ..., memory_size: _Optional[int] = ..., vpc_config: _Optional[_Union[_function_pb2.VpcConfig, _Mapping]] = ..., environment: _Optional[_Union[_function_pb2.Environment, _Mapping]] = ..., runtime: _Optional[str] = ..., dead_letter_config: _Optional[_Union[_function_pb2.DeadLetterConfig, _Mapping]] = ..., kms_key_arn: _Optional[str] = ..., tracing_config: _Optional[_Union[_function_pb2.TracingConfig, _Mapping]] = ..., revision_id: _Optional[str] = ..., layers: _Optional[_Iterable[str]] = ..., file_system_configs: _Optional[_Iterable[_Union[_function_pb2.FileSystemConfig, _Mapping]]] = ..., image_config: _Optional[_Union[_function_pb2.ImageConfig, _Mapping]] = ..., ephemeral_storage: _Optional[_Union[_function_pb2.EphemeralStorage, _Mapping]] = ..., snap_start: _Optional[_Union[_function_pb2.SnapStart, _Mapping]] = ..., logging_config: _Optional[_Union[_function_pb2.LoggingConfig, _Mapping]] = ..., capacity_provider_config: _Optional[_Union[_function_pb2.CapacityProviderConfig, _Mapping]] = ..., durable_config: _Optional[_Union[_function_pb2.DurableConfig, _Mapping]] = ..., runtime_config: _Optional[_Union[_function_pb2.FunctionRuntimeConfig, _Mapping]] = ..., accelerator_config: _Optional[_Union[_function_pb2.AcceleratorConfig, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateFunctionConfigurationResponse(_message.Message):
    __slots__ = ("configuration",)
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    configuration: _function_pb2.FunctionConfiguration
    def __init__(self, configuration: _Optional[_Union[_function_pb2.FunctionConfiguration, _Mapping]] = ...) -> None: ...

class DeleteFunctionRequest(_message.Message):
    __slots__ = ("function_name", "qualifier")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    qualifier: str
    def __init__(self, function_name: _Optional[str] = ..., qualifier: _Optional[str] = ...) -> None: ...

class DeleteFunctionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PublishVersionRequest(_message.Message):
    __slots__ = ("function_name", "code_sha256", "description", "revision_id", "publish_to")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_SHA256_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TO_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    code_sha256: str
    description: str
    revision_id: str
    publish_to: str
    def __init__(self, function_name: _Optional[str] = ..., code_sha256: _Optional[str] = ..., description: _Optional[str] = ..., revision_id: _Optional[str] = ..., publish_to: _Optional[str] = ...) -> None: ...

class PublishVersionResponse(_message.Message):
    __slots__ = ("configuration",)
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    configuration: _function_pb2.FunctionConfiguration
    def __init__(self, configuration: _Optional[_Union[_function_pb2.FunctionConfiguration, _Mapping]] = ...) -> None: ...

class ListVersionsByFunctionRequest(_message.Message):
    __slots__ = ("function_name", "page_token", "page_size")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    page_token: str
    page_size: int
    def __init__(self, function_name: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListVersionsByFunctionResponse(_message.Message):
    __slots__ = ("versions", "next_page_token")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[_function_pb2.FunctionConfiguration]
    next_page_token: str
    def __init__(self, versions: _Optional[_Iterable[_Union[_function_pb2.FunctionConfiguration, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateAliasRequest(_message.Message):
    __slots__ = ("function_name", "name", "function_version", "description", "routing_config")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_VERSION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ROUTING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    name: str
    function_version: str
    description: str
    routing_config: _function_pb2.AliasRoutingConfiguration
    def __init__(self, function_name: _Optional[str] = ..., name: _Optional[str] = ..., function_version: _Optional[str] = ..., description: _Optional[str] = ..., routing_config: _Optional[_Union[_function_pb2.AliasRoutingConfiguration, _Mapping]] = ...) -> None: ...

class CreateAliasResponse(_message.Message):
    __slots__ = ("alias",)
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    alias: _function_pb2.AliasConfiguration
    def __init__(self, alias: _Optional[_Union[_function_pb2.AliasConfiguration, _Mapping]] = ...) -> None: ...

class GetAliasRequest(_message.Message):
    __slots__ = ("function_name", "name")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    name: str
    def __init__(self, function_name: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class GetAliasResponse(_message.Message):
    __slots__ = ("alias",)
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    alias: _function_pb2.AliasConfiguration
    def __init__(self, alias: _Optional[_Union[_function_pb2.AliasConfiguration, _Mapping]] = ...) -> None: ...

class ListAliasesRequest(_message.Message):
    __slots__ = ("function_name", "function_version", "page_token", "page_size")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_VERSION_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    function_version: str
    page_token: str
    page_size: int
    def __init__(self, function_name: _Optional[str] = ..., function_version: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListAliasesResponse(_message.Message):
    __slots__ = ("aliases", "next_page_token")
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    aliases: _containers.RepeatedCompositeFieldContainer[_function_pb2.AliasConfiguration]
    next_page_token: str
    def __init__(self, aliases: _Optional[_Iterable[_Union[_function_pb2.AliasConfiguration, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateAliasRequest(_message.Message):
    __slots__ = ("function_name", "name", "function_version", "description", "routing_config", "revision_id", "update_mask")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_VERSION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ROUTING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    name: str
    function_version: str
    description: str
    routing_config: _function_pb2.AliasRoutingConfiguration
    revision_id: str
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, function_name: _Optional[str] = ..., name: _Optional[str] = ..., function_version: _Optional[str] = ..., description: _Optional[str] = ..., routing_config: _Optional[_Union[_function_pb2.AliasRoutingConfiguration, _Mapping]] = ..., revision_id: _Optional[str] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateAliasResponse(_message.Message):
    __slots__ = ("alias",)
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    alias: _function_pb2.AliasConfiguration
    def __init__(self, alias: _Optional[_Union[_function_pb2.AliasConfiguration, _Mapping]] = ...) -> None: ...

class DeleteAliasRequest(_message.Message):
    __slots__ = ("function_name", "name")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    name: str
    def __init__(self, function_name: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class DeleteAliasResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TagResourceRequest(_message.Message):
    __slots__ = ("resource", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    resource: str
    tags: _containers.ScalarMap[str, str]
    def __init__(self, resource: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class TagResourceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UntagResourceRequest(_message.Message):
    __slots__ = ("resource", "tag_keys")
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    resource: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, resource: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class UntagResourceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTagsRequest(_message.Message):
    __slots__ = ("resource",)
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    resource: str
    def __init__(self, resource: _Optional[str] = ...) -> None: ...

class ListTagsResponse(_message.Message):
    __slots__ = ("tags",)
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.ScalarMap[str, str]
    def __init__(self, tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GetAccountSettingsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAccountSettingsResponse(_message.Message):
    __slots__ = ("account_limit", "account_usage")
    ACCOUNT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_USAGE_FIELD_NUMBER: _ClassVar[int]
    account_limit: _function_pb2.AccountLimit
    account_usage: _function_pb2.AccountUsage
    def __init__(self, account_limit: _Optional[_Union[_function_pb2.AccountLimit, _Mapping]] = ..., account_usage: _Optional[_Union[_function_pb2.AccountUsage, _Mapping]] = ...) -> None: ...

class DownloadCodeRequest(_message.Message):
    __slots__ = ("location",)
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    location: str
    def __init__(self, location: _Optional[str] = ...) -> None: ...

class DownloadCodeResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    def __init__(self, chunk: _Optional[bytes] = ...) -> None: ...

class SetFunctionDebugRequest(_message.Message):
    __slots__ = ("function_name", "port", "wait")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    port: int
    wait: bool
    def __init__(self, function_name: _Optional[str] = ..., port: _Optional[int] = ..., wait: _Optional[bool] = ...) -> None: ...

class SetFunctionDebugResponse(_message.Message):
    __slots__ = ("configuration",)
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    configuration: _function_pb2.FunctionConfiguration
    def __init__(self, configuration: _Optional[_Union[_function_pb2.FunctionConfiguration, _Mapping]] = ...) -> None: ...
