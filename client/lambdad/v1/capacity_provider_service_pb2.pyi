from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CapacityProviderVpcConfig(_message.Message):
    __slots__ = ("subnet_ids", "security_group_ids")
    SUBNET_IDS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    subnet_ids: _containers.RepeatedScalarFieldContainer[str]
    security_group_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, subnet_ids: _Optional[_Iterable[str]] = ..., security_group_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CapacityProviderPermissionsConfig(_message.Message):
    __slots__ = ("capacity_provider_operator_role_arn",)
    CAPACITY_PROVIDER_OPERATOR_ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    capacity_provider_operator_role_arn: str
    def __init__(self, capacity_provider_operator_role_arn: _Optional[str] = ...) -> None: ...

class InstanceRequirements(_message.Message):
    __slots__ = ("architectures", "allowed_instance_types", "excluded_instance_types")
    ARCHITECTURES_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_INSTANCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_INSTANCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    architectures: _containers.RepeatedScalarFieldContainer[str]
    allowed_instance_types: _containers.RepeatedScalarFieldContainer[str]
    excluded_instance_types: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, architectures: _Optional[_Iterable[str]] = ..., allowed_instance_types: _Optional[_Iterable[str]] = ..., excluded_instance_types: _Optional[_Iterable[str]] = ...) -> None: ...

class TargetTrackingScalingPolicy(_message.Message):
    __slots__ = ("predefined_metric_type", "target_value")
    PREDEFINED_METRIC_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_VALUE_FIELD_NUMBER: _ClassVar[int]
    predefined_metric_type: str
    target_value: float
    def __init__(self, predefined_metric_type: _Optional[str] = ..., target_value: _Optional[float] = ...) -> None: ...

class CapacityProviderScalingConfig(_message.Message):
    __slots__ = ("max_v_cpu_count", "scaling_mode", "scaling_policies")
    MAX_V_CPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    SCALING_MODE_FIELD_NUMBER: _ClassVar[int]
    SCALING_POLICIES_FIELD_NUMBER: _ClassVar[int]
    max_v_cpu_count: int
    scaling_mode: str
    scaling_policies: _containers.RepeatedCompositeFieldContainer[TargetTrackingScalingPolicy]
    def __init__(self, max_v_cpu_count: _Optional[int] = ..., scaling_mode: _Optional[str] = ..., scaling_policies: _Optional[_Iterable[_Union[TargetTrackingScalingPolicy, _Mapping]]] = ...) -> None: ...

class PropagateTags(_message.Message):
    __slots__ = ("mode", "explicit_tags")
    class ExplicitTagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODE_FIELD_NUMBER: _ClassVar[int]
    EXPLICIT_TAGS_FIELD_NUMBER: _ClassVar[int]
    mode: str
    explicit_tags: _containers.ScalarMap[str, str]
    def __init__(self, mode: _Optional[str] = ..., explicit_tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CapacityProviderLoggingConfig(_message.Message):
    __slots__ = ("system_log_level", "log_group")
    SYSTEM_LOG_LEVEL_FIELD_NUMBER: _ClassVar[int]
    LOG_GROUP_FIELD_NUMBER: _ClassVar[int]
    system_log_level: str
    log_group: str
    def __init__(self, system_log_level: _Optional[str] = ..., log_group: _Optional[str] = ...) -> None: ...

class CapacityProviderTelemetryConfig(_message.Message):
    __slots__ = ("logging_config",)
    LOGGING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    logging_config: CapacityProviderLoggingConfig
    def __init__(self, logging_config: _Optional[_Union[CapacityProviderLoggingConfig, _Mapping]] = ...) -> None: ...

class CapacityProvider(_message.Message):
    __slots__ = ("capacity_provider_arn", "state", "vpc_config", "permissions_config", "instance_requirements", "capacity_provider_scaling_config", "kms_key_arn", "last_modified", "propagate_tags", "telemetry_config")
    CAPACITY_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    VPC_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_CONFIG_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_SCALING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    LAST_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    PROPAGATE_TAGS_FIELD_NUMBER: _ClassVar[int]
    TELEMETRY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    capacity_provider_arn: str
    state: str
    vpc_config: CapacityProviderVpcConfig
    permissions_config: CapacityProviderPermissionsConfig
    instance_requirements: InstanceRequirements
    capacity_provider_scaling_config: CapacityProviderScalingConfig
    kms_key_arn: str
    last_modified: str
    propagate_tags: PropagateTags
    telemetry_config: CapacityProviderTelemetryConfig
    def __init__(self, capacity_provider_arn: _Optional[str] = ..., state: _Optional[str] = ..., vpc_config: _Optional[_Union[CapacityProviderVpcConfig, _Mapping]] = ..., permissions_config: _Optional[_Union[CapacityProviderPermissionsConfig, _Mapping]] = ..., instance_requirements: _Optional[_Union[InstanceRequirements, _Mapping]] = ..., capacity_provider_scaling_config: _Optional[_Union[CapacityProviderScalingConfig, _Mapping]] = ..., kms_key_arn: _Optional[str] = ..., last_modified: _Optional[str] = ..., propagate_tags: _Optional[_Union[PropagateTags, _Mapping]] = ..., telemetry_config: _Optional[_Union[CapacityProviderTelemetryConfig, _Mapping]] = ...) -> None: ...

class CreateCapacityProviderRequest(_message.Message):
    __slots__ = ("capacity_provider_name", "vpc_config", "permissions_config", "instance_requirements", "capacity_provider_scaling_config", "kms_key_arn", "tags", "propagate_tags", "telemetry_config")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CAPACITY_PROVIDER_NAME_FIELD_NUMBER: _ClassVar[int]
    VPC_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_CONFIG_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_SCALING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PROPAGATE_TAGS_FIELD_NUMBER: _ClassVar[int]
    TELEMETRY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    capacity_provider_name: str
    vpc_config: CapacityProviderVpcConfig
    permissions_config: CapacityProviderPermissionsConfig
    instance_requirements: InstanceRequirements
    capacity_provider_scaling_config: CapacityProviderScalingConfig
    kms_key_arn: str
    tags: _containers.ScalarMap[str, str]
    propagate_tags: PropagateTags
    telemetry_config: CapacityProviderTelemetryConfig
    def __init__(self, capacity_provider_name: _Optional[str] = ..., vpc_config: _Optional[_Union[CapacityProviderVpcConfig, _Mapping]] = ..., permissions_config: _Optional[_Union[CapacityProviderPermissionsConfig, _Mapping]] = ..., instance_requirements: _Optional[_Union[InstanceRequirements, _Mapping]] = ..., capacity_provider_scaling_config: _Optional[_Union[CapacityProviderScalingConfig, _Mapping]] = ..., kms_key_arn: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., propagate_tags: _Optional[_Union[PropagateTags, _Mapping]] = ..., telemetry_config: _Optional[_Union[CapacityProviderTelemetryConfig, _Mapping]] = ...) -> None: ...

class CreateCapacityProviderResponse(_message.Message):
    __slots__ = ("capacity_provider",)
    CAPACITY_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    capacity_provider: CapacityProvider
    def __init__(self, capacity_provider: _Optional[_Union[CapacityProvider, _Mapping]] = ...) -> None: ...

class GetCapacityProviderRequest(_message.Message):
    __slots__ = ("capacity_provider_name",)
    CAPACITY_PROVIDER_NAME_FIELD_NUMBER: _ClassVar[int]
    capacity_provider_name: str
    def __init__(self, capacity_provider_name: _Optional[str] = ...) -> None: ...

class GetCapacityProviderResponse(_message.Message):
    __slots__ = ("capacity_provider",)
    CAPACITY_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    capacity_provider: CapacityProvider
    def __init__(self, capacity_provider: _Optional[_Union[CapacityProvider, _Mapping]] = ...) -> None: ...

class UpdateCapacityProviderRequest(_message.Message):
    __slots__ = ("capacity_provider_name", "capacity_provider_scaling_config", "propagate_tags", "telemetry_config")
    CAPACITY_PROVIDER_NAME_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PROVIDER_SCALING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PROPAGATE_TAGS_FIELD_NUMBER: _ClassVar[int]
    TELEMETRY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    capacity_provider_name: str
    capacity_provider_scaling_config: CapacityProviderScalingConfig
    propagate_tags: PropagateTags
    telemetry_config: CapacityProviderTelemetryConfig
    def __init__(self, capacity_provider_name: _Optional[str] = ..., capacity_provider_scaling_config: _Optional[_Union[CapacityProviderScalingConfig, _Mapping]] = ..., propagate_tags: _Optional[_Union[PropagateTags, _Mapping]] = ..., telemetry_config: _Optional[_Union[CapacityProviderTelemetryConfig, _Mapping]] = ...) -> None: ...

class UpdateCapacityProviderResponse(_message.Message):
    __slots__ = ("capacity_provider",)
    CAPACITY_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    capacity_provider: CapacityProvider
    def __init__(self, capacity_provider: _Optional[_Union[CapacityProvider, _Mapping]] = ...) -> None: ...

class DeleteCapacityProviderRequest(_message.Message):
    __slots__ = ("capacity_provider_name",)
    CAPACITY_PROVIDER_NAME_FIELD_NUMBER: _ClassVar[int]
    capacity_provider_name: str
    def __init__(self, capacity_provider_name: _Optional[str] = ...) -> None: ...

class DeleteCapacityProviderResponse(_message.Message):
    __slots__ = ("capacity_provider",)
    CAPACITY_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    capacity_provider: CapacityProvider
    def __init__(self, capacity_provider: _Optional[_Union[CapacityProvider, _Mapping]] = ...) -> None: ...

class ListCapacityProvidersRequest(_message.Message):
    __slots__ = ("state", "page_token", "page_size")
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    state: str
    page_token: str
    page_size: int
    def __init__(self, state: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListCapacityProvidersResponse(_message.Message):
    __slots__ = ("capacity_providers", "next_page_token")
    CAPACITY_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    capacity_providers: _containers.RepeatedCompositeFieldContainer[CapacityProvider]
    next_page_token: str
    def __init__(self, capacity_providers: _Optional[_Iterable[_Union[CapacityProvider, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListFunctionVersionsByCapacityProviderRequest(_message.Message):
    __slots__ = ("capacity_provider_name", "page_token", "page_size")
    CAPACITY_PROVIDER_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    capacity_provider_name: str
    page_token: str
    page_size: int
    def __init__(self, capacity_provider_name: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class FunctionVersionByCapacityProvider(_message.Message):
    __slots__ = ("function_arn", "state")
    FUNCTION_ARN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    function_arn: str
    state: str
    def __init__(self, function_arn: _Optional[str] = ..., state: _Optional[str] = ...) -> None: ...

class ListFunctionVersionsByCapacityProviderResponse(_message.Message):
    __slots__ = ("capacity_provider_arn", "function_versions", "next_page_token")
    CAPACITY_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    capacity_provider_arn: str
    function_versions: _containers.RepeatedCompositeFieldContainer[FunctionVersionByCapacityProvider]
    next_page_token: str
    def __init__(self, capacity_provider_arn: _Optional[str] = ..., function_versions: _Optional[_Iterable[_Union[FunctionVersionByCapacityProvider, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
