from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
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
    __slots__ = ("on_failure", "on_success")
    ON_FAILURE_FIELD_NUMBER: _ClassVar[int]
    ON_SUCCESS_FIELD_NUMBER: _ClassVar[int]
    on_failure: _invocation_service_pb2.OnFailure
    on_success: _invocation_service_pb2.OnSuccess
    def __init__(self, on_failure: _Optional[_Union[_invocation_service_pb2.OnFailure, _Mapping]] = ..., on_success: _Optional[_Union[_invocation_service_pb2.OnSuccess, _Mapping]] = ...) -> None: ...

class EventSourceMappingMetricsConfig(_message.Message):
    __slots__ = ("metrics",)
    METRICS_FIELD_NUMBER: _ClassVar[int]
    metrics: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, metrics: _Optional[_Iterable[str]] = ...) -> None: ...

class EventSourceMappingLoggingConfig(_message.Message):
    __slots__ = ("system_log_level",)
    SYSTEM_LOG_LEVEL_FIELD_NUMBER: _ClassVar[int]
    system_log_level: str
    def __init__(self, system_log_level: _Optional[str] = ...) -> None: ...

class ProvisionedPollerConfig(_message.Message):
    __slots__ = ("minimum_pollers", "maximum_pollers", "poller_group_name")
    MINIMUM_POLLERS_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_POLLERS_FIELD_NUMBER: _ClassVar[int]
    POLLER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    minimum_pollers: int
    maximum_pollers: int
    poller_group_name: str
    def __init__(self, minimum_pollers: _Optional[int] = ..., maximum_pollers: _Optional[int] = ..., poller_group_name: _Optional[str] = ...) -> None: ...

class SourceAccessConfiguration(_message.Message):
    __slots__ = ("type", "uri")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    type: str
    uri: str
    def __init__(self, type: _Optional[str] = ..., uri: _Optional[str] = ...) -> None: ...

class SelfManagedEventSource(_message.Message):
    __slots__ = ("endpoints",)
    class EndpointsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _struct_pb2.ListValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ...) -> None: ...
    ENDPOINTS_FIELD_NUMBER: _ClassVar[int]
    endpoints: _containers.MessageMap[str, _struct_pb2.ListValue]
    def __init__(self, endpoints: _Optional[_Mapping[str, _struct_pb2.ListValue]] = ...) -> None: ...

class KafkaSchemaRegistryAccessConfig(_message.Message):
    __slots__ = ("type", "uri")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    type: str
    uri: str
    def __init__(self, type: _Optional[str] = ..., uri: _Optional[str] = ...) -> None: ...

class KafkaSchemaValidationConfig(_message.Message):
    __slots__ = ("attribute",)
    ATTRIBUTE_FIELD_NUMBER: _ClassVar[int]
    attribute: str
    def __init__(self, attribute: _Optional[str] = ...) -> None: ...

class KafkaSchemaRegistryConfig(_message.Message):
    __slots__ = ("schema_registry_uri", "event_record_format", "access_configs", "schema_validation_configs")
    SCHEMA_REGISTRY_URI_FIELD_NUMBER: _ClassVar[int]
    EVENT_RECORD_FORMAT_FIELD_NUMBER: _ClassVar[int]
    ACCESS_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VALIDATION_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    schema_registry_uri: str
    event_record_format: str
    access_configs: _containers.RepeatedCompositeFieldContainer[KafkaSchemaRegistryAccessConfig]
    schema_validation_configs: _containers.RepeatedCompositeFieldContainer[KafkaSchemaValidationConfig]
    def __init__(self, schema_registry_uri: _Optional[str] = ..., event_record_format: _Optional[str] = ..., access_configs: _Optional[_Iterable[_Union[KafkaSchemaRegistryAccessConfig, _Mapping]]] = ..., schema_validation_configs: _Optional[_Iterable[_Union[KafkaSchemaValidationConfig, _Mapping]]] = ...) -> None: ...

class AmazonManagedKafkaEventSourceConfig(_message.Message):
    __slots__ = ("consumer_group_id", "schema_registry_config")
    CONSUMER_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_REGISTRY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    consumer_group_id: str
    schema_registry_config: KafkaSchemaRegistryConfig
    def __init__(self, consumer_group_id: _Optional[str] = ..., schema_registry_config: _Optional[_Union[KafkaSchemaRegistryConfig, _Mapping]] = ...) -> None: ...

class SelfManagedKafkaEventSourceConfig(_message.Message):
    __slots__ = ("consumer_group_id", "schema_registry_config", "consumption_mode")
    CONSUMER_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_REGISTRY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    CONSUMPTION_MODE_FIELD_NUMBER: _ClassVar[int]
    consumer_group_id: str
    schema_registry_config: KafkaSchemaRegistryConfig
    consumption_mode: str
    def __init__(self, consumer_group_id: _Optional[str] = ..., schema_registry_config: _Optional[_Union[KafkaSchemaRegistryConfig, _Mapping]] = ..., consumption_mode: _Optional[str] = ...) -> None: ...

class DocumentDBEventSourceConfig(_message.Message):
    __slots__ = ("database_name", "collection_name", "full_document")
    DATABASE_NAME_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    FULL_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    database_name: str
    collection_name: str
    full_document: str
    def __init__(self, database_name: _Optional[str] = ..., collection_name: _Optional[str] = ..., full_document: _Optional[str] = ...) -> None: ...

class EventSourceMapping(_message.Message):
    __slots__ = ("uuid", "event_source_mapping_arn", "event_source_arn", "function_arn", "state", "state_transition_reason", "last_modified", "last_processing_result", "batch_size", "maximum_batching_window_in_seconds", "starting_position", "starting_position_timestamp", "filter_criteria", "function_response_types", "maximum_retry_attempts", "maximum_record_age_in_seconds", "bisect_batch_on_function_error", "destination_config", "scaling_config", "parallelization_factor", "tumbling_window_in_seconds", "kms_key_arn", "metrics_config", "logging_config", "provisioned_poller_config", "topics", "queues", "source_access_configurations", "self_managed_event_source", "amazon_managed_kafka_event_source_config", "self_managed_kafka_event_source_config", "document_db_event_source_config")
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
    KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    METRICS_CONFIG_FIELD_NUMBER: _ClassVar[int]
    LOGGING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PROVISIONED_POLLER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    QUEUES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ACCESS_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    SELF_MANAGED_EVENT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    AMAZON_MANAGED_KAFKA_EVENT_SOURCE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    SELF_MANAGED_KAFKA_EVENT_SOURCE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_DB_EVENT_SOURCE_CONFIG_FIELD_NUMBER: _ClassVar[int]
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
    kms_key_arn: str
    metrics_config: EventSourceMappingMetricsConfig
    logging_config: EventSourceMappingLoggingConfig
    provisioned_poller_config: ProvisionedPollerConfig
    topics: _containers.RepeatedScalarFieldContainer[str]
    queues: _containers.RepeatedScalarFieldContainer[str]
    source_access_configurations: _containers.RepeatedCompositeFieldContainer[SourceAccessConfiguration]
    self_managed_event_source: SelfManagedEventSource
    amazon_managed_kafka_event_source_config: AmazonManagedKafkaEventSourceConfig
    self_managed_kafka_event_source_config: SelfManagedKafkaEventSourceConfig
    document_db_event_source_config: DocumentDBEventSourceConfig
    def __init__(self, uuid: _Optional[str] = ..., event_source_mapping_arn: _Optional[str] = ..., event_source_arn: _Optional[str] = ..., function_arn: _Optional[str] = ..., state: _Optional[str] = ..., state_transition_reason: _Optional[str] = ..., last_modified: _Optional[float] = ..., last_processing_result: _Optional[str] = ..., batch_size: _Optional[int] = ..., maximum_batching_window_in_seconds: _Optional[int] = ..., starting_position: _Optional[str] = ..., starting_position_timestamp: _Optional[float] = ..., filter_criteria: _Optional[_Union[FilterCriteria, _Mapping]] = ..., function_response_types: _Optional[_Iterable[str]] = ..., maximum_retry_attempts: _Optional[int] = ..., maximum_record_age_in_seconds: _Optional[int] = ..., bisect_batch_on_function_error: _Optional[bool] = ..., destination_config: _Optional[_Union[EventSourceDestinationConfig, _Mapping]] = ..., scaling_config: _Optional[_Union[ScalingConfig, _Mapping]] = ..., parallelization_factor: _Optional[int] = ..., tumbling_window_in_seconds: _Optional[int] = ..., kms_key_arn: _Optional[str] = ..., metrics_config: _Optional[_Union[EventSourceMappingMetricsConfig, _Mapping]] = ..., logging_config: _Optional[_Union[EventSourceMappingLoggingConfig, _Mapping]] = ..., provisioned_poller_config: _Optional[_Union[ProvisionedPollerConfig, _Mapping]] = ..., topics: _Optional[_Iterable[str]] = ..., queues: _Optional[_Iterable[str]] = ..., source_access_configurations: _Optional[_Iterable[_Union[SourceAccessConfiguration, _Mapping]]] = ..., self_managed_event_source: _Optional[_Union[SelfManagedEventSource, _Mapping]] = ..., amazon_managed_kafka_event_source_config: _Optional[_Union[AmazonManagedKafkaEventSourceConfig, _Mapping]] = ..., self_managed_kafka_event_source_config: _Optional[_Union[SelfManagedKafkaEventSourceConfig, _Mapping]] = ..., document_db_event_source_config: _Optional[_Union[DocumentDBEventSourceConfig, _Mapping]] = ...) -> None: ...

class CreateEventSourceMappingRequest(_message.Message):
    __slots__ = ("function_name", "event_source_arn", "enabled", "batch_size", "maximum_batching_window_in_seconds", "starting_position", "starting_position_timestamp", "filter_criteria", "function_response_types", "maximum_retry_attempts", "maximum_record_age_in_seconds", "bisect_batch_on_function_error", "destination_config", "scaling_config", "parallelization_factor", "tumbling_window_in_seconds", "kms_key_arn", "metrics_config", "logging_config", "provisioned_poller_config", "topics", "queues", "source_access_configurations", "self_managed_event_source", "amazon_managed_kafka_event_source_config", "self_managed_kafka_event_source_config", "document_db_event_source_config", "tags")
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
    KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    METRICS_CONFIG_FIELD_NUMBER: _ClassVar[int]
    LOGGING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PROVISIONED_POLLER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    QUEUES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ACCESS_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    SELF_MANAGED_EVENT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    AMAZON_MANAGED_KAFKA_EVENT_SOURCE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    SELF_MANAGED_KAFKA_EVENT_SOURCE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_DB_EVENT_SOURCE_CONFIG_FIELD_NUMBER: _ClassVar[int]
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
    kms_key_arn: str
    metrics_config: EventSourceMappingMetricsConfig
    logging_config: EventSourceMappingLoggingConfig
    provisioned_poller_config: ProvisionedPollerConfig
    topics: _containers.RepeatedScalarFieldContainer[str]
    queues: _containers.RepeatedScalarFieldContainer[str]
    source_access_configurations: _containers.RepeatedCompositeFieldContainer[SourceAccessConfiguration]
    self_managed_event_source: SelfManagedEventSource
    amazon_managed_kafka_event_source_config: AmazonManagedKafkaEventSourceConfig
    self_managed_kafka_event_source_config: SelfManagedKafkaEventSourceConfig
    document_db_event_source_config: DocumentDBEventSourceConfig
    tags: _containers.ScalarMap[str, str]
    def __init__(self, function_name: _Optional[str] = ..., event_source_arn: _Optional[str] = ..., enabled: _Optional[bool] = ..., batch_size: _Optional[int] = ..., maximum_batching_window_in_seconds: _Optional[int] = ..., starting_position: _Optional[str] = ..., starting_position_timestamp: _Optional[float] = ..., filter_criteria: _Optional[_Union[FilterCriteria, _Mapping]] = ..., function_response_types: _Optional[_Iterable[str]] = ..., maximum_retry_attempts: _Optional[int] = ..., maximum_record_age_in_seconds: _Optional[int] = ..., bisect_batch_on_function_error: _Optional[bool] = ..., destination_config: _Optional[_Union[EventSourceDestinationConfig, _Mapping]] = ..., scaling_config: _Optional[_Union[ScalingConfig, _Mapping]] = ..., parallelization_factor: _Optional[int] = ..., tumbling_window_in_seconds: _Optional[int] = ..., kms_key_arn: _Optional[str] = ..., metrics_config: _Optional[_Union[EventSourceMappingMetricsConfig, _Mapping]] = ..., logging_config: _Optional[_Union[EventSourceMappingLoggingConfig, _Mapping]] = ..., provisioned_poller_config: _Optional[_Union[ProvisionedPollerConfig, _Mapping]] = ..., topics: _Optional[_Iterable[str]] = ..., queues: _Optional[_Iterable[str]] = ..., source_access_configurations: _Optional[_Iterable[_Union[SourceAccessConfiguration, _Mapping]]] = ..., self_managed_event_source: _Optional[_Union[SelfManagedEventSource, _Mapping]] = ..., amazon_managed_kafka_event_source_config: _Optional[_Union[AmazonManagedKafkaEventSourceConfig, _Mapping]] = ..., self_managed_kafka_event_source_config: _Optional[_Union[SelfManagedKafkaEventSourceConfig, _Mapping]] = ..., document_db_event_source_config: _Optional[_Union[DocumentDBEventSourceConfig, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

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
    __slots__ = ("uuid", "function_name", "enabled", "batch_size", "maximum_batching_window_in_seconds", "filter_criteria", "function_response_types", "maximum_retry_attempts", "maximum_record_age_in_seconds", "bisect_batch_on_function_error", "destination_config", "scaling_config", "parallelization_factor", "tumbling_window_in_seconds", "kms_key_arn", "metrics_config", "logging_config", "provisioned_poller_config", "source_access_configurations", "amazon_managed_kafka_event_source_config", "self_managed_kafka_event_source_config", "document_db_event_source_config", "update_mask")
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
    KMS_KEY_ARN_FIELD_NUMBER: _ClassVar[int]
    METRICS_CONFIG_FIELD_NUMBER: _ClassVar[int]
    LOGGING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PROVISIONED_POLLER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ACCESS_CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    AMAZON_MANAGED_KAFKA_EVENT_SOURCE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    SELF_MANAGED_KAFKA_EVENT_SOURCE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_DB_EVENT_SOURCE_CONFIG_FIELD_NUMBER: _ClassVar[int]
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
    kms_key_arn: str
    metrics_config: EventSourceMappingMetricsConfig
    logging_config: EventSourceMappingLoggingConfig
    provisioned_poller_config: ProvisionedPollerConfig
    source_access_configurations: _containers.RepeatedCompositeFieldContainer[SourceAccessConfiguration]
    amazon_managed_kafka_event_source_config: AmazonManagedKafkaEventSourceConfig
    self_managed_kafka_event_source_config: SelfManagedKafkaEventSourceConfig
    document_db_event_source_config: DocumentDBEventSourceConfig
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, uuid: _Optional[str] = ..., function_name: _Optional[str] = ..., enabled: _Optional[bool] = ..., batch_size: _Optional[int] = ..., maximum_batching_window_in_seconds: _Optional[int] = ..., filter_criteria: _Optional[_Union[FilterCriteria, _Mapping]] = ..., function_response_types: _Optional[_Iterable[str]] = ..., maximum_retry_attempts: _Optional[int] = ..., maximum_record_age_in_seconds: _Optional[int] = ..., bisect_batch_on_function_error: _Optional[bool] = ..., destination_config: _Optional[_Union[EventSourceDestinationConfig, _Mapping]] = ..., scaling_config: _Optional[_Union[ScalingConfig, _Mapping]] = ..., parallelization_factor: _Optional[int] = ..., tumbling_window_in_seconds: _Optional[int] = ..., kms_key_arn: _Optional[str] = ..., metrics_config: _Optional[_Union[EventSourceMappingMetricsConfig, _Mapping]] = ..., logging_config: _Optional[_Union[EventSourceMappingLoggingConfig, _Mapping]] = ..., provisioned_poller_config: _Optional[_Union[ProvisionedPollerConfig, _Mapping]] = ..., source_access_configurations: _Optional[_Iterable[_Union[SourceAccessConfiguration, _Mapping]]] = ..., amazon_managed_kafka_event_source_config: _Optional[_Union[AmazonManagedKafkaEventSourceConfig, _Mapping]] = ..., self_managed_kafka_event_source_config: _Optional[_Union[SelfManagedKafkaEventSourceConfig, _Mapping]] = ..., document_db_event_source_config: _Optional[_Union[DocumentDBEventSourceConfig, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

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
