from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FunctionCode(_message.Message):
    __slots__ = ("zip_file", "s3_bucket", "s3_key", "s3_object_version", "image_uri", "source_kms_key_arn", "s3_object_storage_mode")
    ZIP_FILE_FIELD_NUMBER: _ClassVar[int]
    S3_BUCKET_FIELD_NUMBER: _ClassVar[int]
    S3_KEY_FIELD_NUMBER: _ClassVar[int]
    S3_OBJECT_VERSION_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URI_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    S3_OBJECT_STORAGE_MODE_FIELD_NUMBER: _ClassVar[int]
    zip_file: bytes
    s3_bucket: str
    s3_key: str
    s3_object_version: str
    image_uri: str
    source_kms_key_arn: str
    s3_object_storage_mode: str
    def __init__(self, zip_file: _Optional[bytes] = ..., s3_bucket: _Optional[str] = ..., s3_key: _Optional[str] = ..., s3_object_version: _Optional[str] = ..., image_uri: _Optional[str] = ..., source_kms_key_arn: _Optional[str] = ..., s3_object_storage_mode: _Optional[str] = ...) -> None: ...

class Environment(_message.Message):
    __slots__ = ("variables",)
    class VariablesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    variables: _containers.ScalarMap[str, str]
    def __init__(self, variables: _Optional[_Mapping[str, str]] = ...) -> None: ...

class EnvironmentResponse(_message.Message):
    __slots__ = ("variables", "error")
    class VariablesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    variables: _containers.ScalarMap[str, str]
    error: EnvironmentError
    def __init__(self, variables: _Optional[_Mapping[str, str]] = ..., error: _Optional[_Union[EnvironmentError, _Mapping]] = ...) -> None: ...

class EnvironmentError(_message.Message):
    __slots__ = ("error_code", "message")
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    error_code: str
    message: str
    def __init__(self, error_code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class VpcConfig(_message.Message):
    __slots__ = ("subnet_ids", "security_group_ids", "ipv6_allowed_for_dual_stack")
    SUBNET_IDS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    IPV6_ALLOWED_FOR_DUAL_STACK_FIELD_NUMBER: _ClassVar[int]
    subnet_ids: _containers.RepeatedScalarFieldContainer[str]
    security_group_ids: _containers.RepeatedScalarFieldContainer[str]
    ipv6_allowed_for_dual_stack: bool
    def __init__(self, subnet_ids: _Optional[_Iterable[str]] = ..., security_group_ids: _Optional[_Iterable[str]] = ..., ipv6_allowed_for_dual_stack: _Optional[bool] = ...) -> None: ...

class VpcConfigResponse(_message.Message):
    __slots__ = ("subnet_ids", "security_group_ids", "vpc_id", "ipv6_allowed_for_dual_stack")
    SUBNET_IDS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    VPC_ID_FIELD_NUMBER: _ClassVar[int]
    IPV6_ALLOWED_FOR_DUAL_STACK_FIELD_NUMBER: _ClassVar[int]
    subnet_ids: _containers.RepeatedScalarFieldContainer[str]
    security_group_ids: _containers.RepeatedScalarFieldContainer[str]
    vpc_id: str
    ipv6_allowed_for_dual_stack: bool
    def __init__(self, subnet_ids: _Optional[_Iterable[str]] = ..., security_group_ids: _Optional[_Iterable[str]] = ..., vpc_id: _Optional[str] = ..., ipv6_allowed_for_dual_stack: _Optional[bool] = ...) -> None: ...

class DeadLetterConfig(_message.Message):
    __slots__ = ("target_arn",)
    TARGET_ARN_FIELD_NUMBER: _ClassVar[int]
    target_arn: str
    def __init__(self, target_arn: _Optional[str] = ...) -> None: ...

class TracingConfig(_message.Message):
    __slots__ = ("mode",)
    MODE_FIELD_NUMBER: _ClassVar[int]
    mode: str
    def __init__(self, mode: _Optional[str] = ...) -> None: ...

class EphemeralStorage(_message.Message):
    __slots__ = ("size",)
    SIZE_FIELD_NUMBER: _ClassVar[int]
    size: int
    def __init__(self, size: _Optional[int] = ...) -> None: ...

class SnapStart(_message.Message):
    __slots__ = ("apply_on",)
    APPLY_ON_FIELD_NUMBER: _ClassVar[int]
    apply_on: str
    def __init__(self, apply_on: _Optional[str] = ...) -> None: ...

class SnapStartResponse(_message.Message):
    __slots__ = ("apply_on", "optimization_status")
    APPLY_ON_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    apply_on: str
    optimization_status: str
    def __init__(self, apply_on: _Optional[str] = ..., optimization_status: _Optional[str] = ...) -> None: ...

class LoggingConfig(_message.Message):
    __slots__ = ("log_format", "application_log_level", "system_log_level", "log_group")
    LOG_FORMAT_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_LOG_LEVEL_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_LOG_LEVEL_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_FIELD_NUMBER: _ClassVar[int]
    log_format: str
    application_log_level: str
    system_log_level: str
    log_group: str
    def __init__(self, log_format: _Optional[str] = ..., application_log_level: _Optional[str] = ..., system_log_level: _Optional[str] = ..., log_group: _Optional[str] = ...) -> None: ...

class FileSystemConfig(_message.Message):
    __slots__ = ("arn", "local_mount_path")
    ARN_FIELD_NUMBER: _ClassVar[int]
    LOCAL_MOUNT_PATH_FIELD_NUMBER: _ClassVar[int]
    arn: str
    local_mount_path: str
    def __init__(self, arn: _Optional[str] = ..., local_mount_path: _Optional[str] = ...) -> None: ...

class ImageConfig(_message.Message):
    __slots__ = ("entry_point", "command", "working_directory")
    ENTRY_POINT_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    WORKING_DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    entry_point: _containers.RepeatedScalarFieldContainer[str]
    command: _containers.RepeatedScalarFieldContainer[str]
    working_directory: str
    def __init__(self, entry_point: _Optional[_Iterable[str]] = ..., command: _Optional[_Iterable[str]] = ..., working_directory: _Optional[str] = ...) -> None: ...

class ImageConfigResponse(_message.Message):
    __slots__ = ("image_config", "error")
    IMAGE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    image_config: ImageConfig
    error: ImageConfigError
    def __init__(self, image_config: _Optional[_Union[ImageConfig, _Mapping]] = ..., error: _Optional[_Union[ImageConfigError, _Mapping]] = ...) -> None: ...

class ImageConfigError(_message.Message):
    __slots__ = ("error_code", "message")
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    error_code: str
    message: str
    def __init__(self, error_code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class RuntimeVersionConfig(_message.Message):
    __slots__ = ("runtime_version_arn",)
    RUNTIME_VERSION_ARN_FIELD_NUMBER: _ClassVar[int]
    runtime_version_arn: str
    def __init__(self, runtime_version_arn: _Optional[str] = ...) -> None: ...

class FunctionLayer(_message.Message):
    __slots__ = ("arn", "code_size")
    ARN_FIELD_NUMBER: _ClassVar[int]
    CODE_SIZE_FIELD_NUMBER: _ClassVar[int]
    arn: str
    code_size: int
    def __init__(self, arn: _Optional[str] = ..., code_size: _Optional[int] = ...) -> None: ...

class FunctionConfiguration(_message.Message):
    __slots__ = ("function_name", "function_arn", "runtime", "role", "handler", "code_size", "description", "timeout", "memory_size", "last_modified", "code_sha256", "version", "vpc_config", "dead_letter_config", "environment", "kms_key_arn", "tracing_config", "revision_id", "layers", "state", "state_reason", "state_reason_code", "last_update_status", "last_update_status_reason", "last_update_status_reason_code", "file_system_configs", "package_type", "image_config_response", "architectures", "ephemeral_storage", "snap_start", "runtime_version_config", "logging_config", "master_arn", "capacity_provider_config", "tenancy_config", "durable_config", "runtime_config", "accelerator_config")
    FUNCTION_NAME_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    CODE_SIZE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_SIZE_FIELD_NUMBER: _ClassVar[int]
    LAST_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    CODE_SHA256_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VPC_CONFIG_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    TRACING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_REASON_FIELD_NUMBER: _ClassVar[int]
    STATE_REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATE_STATUS_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATE_STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATE_STATUS_REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    FILE_SYSTEM_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_CONFIG_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ARCHITECTURES_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_STORAGE_FIELD_NUMBER: _ClassVar[int]
    SNAP_START_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_VERSION_CONFIG_FIELD_NUMBER: _ClassVar[int]
    LOGGING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    MASTER_ARN_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    TENANCY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    DURABLE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_CONFIG_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_CONFIG_FIELD_NUMBER: _ClassVar[int]
    function_name: str
    function_arn: str
    runtime: str
    role: str
    handler: str
    code_size: int
    description: str
    timeout: int
    memory_size: int
    last_modified: str
    code_sha256: str
    version: str
    vpc_config: VpcConfigResponse
    dead_letter_config: DeadLetterConfig
    environment: EnvironmentResponse
    kms_key_arn: str
    tracing_config: TracingConfig
    revision_id: str
    layers: _containers.RepeatedCompositeFieldContainer[FunctionLayer]
    state: str
    state_reason: str
    state_reason_code: str
    last_update_status: str
    last_update_status_reason: str
    last_update_status_reason_code: str
    file_system_configs: _containers.RepeatedCompositeFieldContainer[FileSystemConfig]
    package_type: str
    image_config_response: ImageConfigResponse
    architectures: _containers.RepeatedScalarFieldContainer[str]
    ephemeral_storage: EphemeralStorage
    snap_start: SnapStartResponse
    runtime_version_config: RuntimeVersionConfig
    logging_config: LoggingConfig
    master_arn: str
    capacity_provider_config: CapacityProviderConfig
    tenancy_config: TenancyConfig
    durable_config: DurableConfig
    runtime_config: FunctionRuntimeConfig
    accelerator_config: AcceleratorConfig
    def __init__(self, function_name: _Optional[str] = ..., function_arn: _Optional[str] = ..., runtime: _Optional[str] = ..., role: _Optional[str] = ..., handler: _Optional[str] = ..., code_size: _Optional[int] = ..., description: _Optional[str] = ..., timeout: _Optional[int] = ..., memory_size: _Optional[int] = ..., last_modified: _Optional[str] = ..., code_sha256: _Optional[str] = ..., version: _Optional[str] = ..., vpc_config: _Optional[_Union[VpcConfigResponse, _Mapping]] = ..., dead_letter_config: _Optional[_Union[DeadLetterConfig, _Mapping]] = ..., environment: _Optional[_Union[EnvironmentResponse, _Mapping]] = ..., kms_key_arn: _Optional[str] = ..., tracing_config: _Optional[_Union[TracingConfig, _Mapping]] = ..., revision_id: _Optional[str] = ..., layers: _Optional[_Iterable[_Union[FunctionLayer, _Mapping]]] = ..., state: _Optional[str] = ..., state_reason: _Optional[str] = ..., state_reason_code: _Optional[str] = ..., last_update_status: _Optional[str] = ..., last_update_status_reason: _Optional[str] = ..., last_update_status_reason_code: _Optional[str] = ..., file_system_configs: _Optional[_Iterable[_Union[FileSystemConfig, _Mapping]]] = ..., package_type: _Optional[str] = ..., image_config_response: _Optional[_Union[ImageConfigResponse, _Mapping]] = ..., architectures: _Optional[_Iterable[str]] = ..., ephemeral_storage: _Optional[_Union[EphemeralStorage, _Mapping]] = ..., snap_start: _Optional[_Union[SnapStartResponse, _Mapping]] = ..., runtime_version_config: _Optional[_Union[RuntimeVersionConfig, _Mapping]] = ..., logging_config: _Optional[_Union[LoggingConfig, _Mapping]] = ..., master_arn: _Optional[str] = ..., capacity_provider_config: _Optional[_Union[CapacityProviderConfig, _Mapping]] = ..., tenancy_config: _Optional[_Union[TenancyConfig, _Mapping]] = ..., durable_config: _Optional[_Union[DurableConfig, _Mapping]] = ..., runtime_config: _Optional[_Union[FunctionRuntimeConfig, _Mapping]] = ..., accelerator_config: _Optional[_Union[AcceleratorConfig, _Mapping]] = ...) -> None: ...

class FunctionRuntimeConfig(_message.Message):
    __slots__ = ("runtime_arn", "runtime_alias")
    RUNTIME_ARN_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_ALIAS_FIELD_NUMBER: _ClassVar[int]
    runtime_arn: str
    runtime_alias: str
    def __init__(self, runtime_arn: _Optional[str] = ..., runtime_alias: _Optional[str] = ...) -> None: ...

class AcceleratorConfig(_message.Message):
    __slots__ = ("accelerator_memory_size",)
    ACCELERATOR_MEMORY_SIZE_FIELD_NUMBER: _ClassVar[int]
    accelerator_memory_size: int
    def __init__(self, accelerator_memory_size: _Optional[int] = ...) -> None: ...

class CapacityProviderConfig(_message.Message):
    __slots__ = ("lambda_managed_instances_capacity_provider_config",)
    LAMBDA_MANAGED_INSTANCES_CAPACITY_PROVIDER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    lambda_managed_instances_capacity_provider_config: LambdaManagedInstancesCapacityProviderConfig
    def __init__(self, lambda_managed_instances_capacity_provider_config: _Optional[_Union[LambdaManagedInstancesCapacityProviderConfig, _Mapping]] = ...) -> None: ...

class LambdaManagedInstancesCapacityProviderConfig(_message.Message):
    __slots__ = ("capacity_provider_arn", "per_execution_environment_max_concurrency", "execution_environment_memory_gib_per_vcpu")
    CAPACITY_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    PER_EXECUTION_ENVIRONMENT_MAX_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_ENVIRONMENT_MEMORY_GIB_PER_VCPU_FIELD_NUMBER: _ClassVar[int]
    capacity_provider_arn: str
    per_execution_environment_max_concurrency: int
    execution_environment_memory_gib_per_vcpu: float
    def __init__(self, capacity_provider_arn: _Optional[str] = ..., per_execution_environment_max_concurrency: _Optional[int] = ..., execution_environment_memory_gib_per_vcpu: _Optional[float] = ...) -> None: ...

class TenancyConfig(_message.Message):
    __slots__ = ("tenant_isolation_mode",)
    TENANT_ISOLATION_MODE_FIELD_NUMBER: _ClassVar[int]
    tenant_isolation_mode: str
    def __init__(self, tenant_isolation_mode: _Optional[str] = ...) -> None: ...

class DurableConfig(_message.Message):
    __slots__ = ("execution_timeout", "retention_period_in_days", "kms_key_arn")
    EXECUTION_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    RETENTION_PERIOD_IN_DAYS_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    execution_timeout: int
    retention_period_in_days: int
    kms_key_arn: str
    def __init__(self, execution_timeout: _Optional[int] = ..., retention_period_in_days: _Optional[int] = ..., kms_key_arn: _Optional[str] = ...) -> None: ...

class FunctionCodeLocation(_message.Message):
    __slots__ = ("repository_type", "location", "image_uri", "resolved_image_uri")
    REPOSITORY_TYPE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URI_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_IMAGE_URI_FIELD_NUMBER: _ClassVar[int]
    repository_type: str
    location: str
    image_uri: str
    resolved_image_uri: str
    def __init__(self, repository_type: _Optional[str] = ..., location: _Optional[str] = ..., image_uri: _Optional[str] = ..., resolved_image_uri: _Optional[str] = ...) -> None: ...

class Concurrency(_message.Message):
    __slots__ = ("reserved_concurrent_executions",)
    RESERVED_CONCURRENT_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    reserved_concurrent_executions: int
    def __init__(self, reserved_concurrent_executions: _Optional[int] = ...) -> None: ...

class AliasRoutingConfiguration(_message.Message):
    __slots__ = ("additional_version_weights",)
    class AdditionalVersionWeightsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ADDITIONAL_VERSION_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    additional_version_weights: _containers.ScalarMap[str, float]
    def __init__(self, additional_version_weights: _Optional[_Mapping[str, float]] = ...) -> None: ...

class AliasConfiguration(_message.Message):
    __slots__ = ("alias_arn", "name", "function_version", "description", "routing_config", "revision_id")
    ALIAS_ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_VERSION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ROUTING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    alias_arn: str
    name: str
    function_version: str
    description: str
    routing_config: AliasRoutingConfiguration
    revision_id: str
    def __init__(self, alias_arn: _Optional[str] = ..., name: _Optional[str] = ..., function_version: _Optional[str] = ..., description: _Optional[str] = ..., routing_config: _Optional[_Union[AliasRoutingConfiguration, _Mapping]] = ..., revision_id: _Optional[str] = ...) -> None: ...

class AccountLimit(_message.Message):
    __slots__ = ("total_code_size", "code_size_unzipped", "code_size_zipped", "concurrent_executions", "unreserved_concurrent_executions")
    TOTAL_CODE_SIZE_FIELD_NUMBER: _ClassVar[int]
    CODE_SIZE_UNZIPPED_FIELD_NUMBER: _ClassVar[int]
    CODE_SIZE_ZIPPED_FIELD_NUMBER: _ClassVar[int]
    CONCURRENT_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    UNRESERVED_CONCURRENT_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    total_code_size: int
    code_size_unzipped: int
    code_size_zipped: int
    concurrent_executions: int
    unreserved_concurrent_executions: int
    def __init__(self, total_code_size: _Optional[int] = ..., code_size_unzipped: _Optional[int] = ..., code_size_zipped: _Optional[int] = ..., concurrent_executions: _Optional[int] = ..., unreserved_concurrent_executions: _Optional[int] = ...) -> None: ...

class AccountUsage(_message.Message):
    __slots__ = ("total_code_size", "function_count")
    TOTAL_CODE_SIZE_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    total_code_size: int
    function_count: int
    def __init__(self, total_code_size: _Optional[int] = ..., function_count: _Optional[int] = ...) -> None: ...
