from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LayerVersionContent(_message.Message):
    __slots__ = ("location", "code_sha256", "code_size")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    CODE_SHA256_FIELD_NUMBER: _ClassVar[int]
    CODE_SIZE_FIELD_NUMBER: _ClassVar[int]
    location: str
    code_sha256: str
    code_size: int
    def __init__(self, location: _Optional[str] = ..., code_sha256: _Optional[str] = ..., code_size: _Optional[int] = ...) -> None: ...

class LayerVersion(_message.Message):
    __slots__ = ("content", "layer_arn", "layer_version_arn", "description", "created_date", "version", "compatible_runtimes", "license_info", "compatible_architectures", "emitted_when_empty")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    LAYER_ARN_FIELD_NUMBER: _ClassVar[int]
    LAYER_VERSION_ARN_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_DATE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    COMPATIBLE_RUNTIMES_FIELD_NUMBER: _ClassVar[int]
    LICENSE_INFO_FIELD_NUMBER: _ClassVar[int]
    COMPATIBLE_ARCHITECTURES_FIELD_NUMBER: _ClassVar[int]
    EMITTED_WHEN_EMPTY_FIELD_NUMBER: _ClassVar[int]
    content: LayerVersionContent
    layer_arn: str
    layer_version_arn: str
    description: str
    created_date: str
    version: int
    compatible_runtimes: _containers.RepeatedScalarFieldContainer[str]
    license_info: str
    compatible_architectures: _containers.RepeatedScalarFieldContainer[str]
    emitted_when_empty: _field_mask_pb2.FieldMask
    def __init__(self, content: _Optional[_Union[LayerVersionContent, _Mapping]] = ..., layer_arn: _Optional[str] = ..., layer_version_arn: _Optional[str] = ..., description: _Optional[str] = ..., created_date: _Optional[str] = ..., version: _Optional[int] = ..., compatible_runtimes: _Optional[_Iterable[str]] = ..., license_info: _Optional[str] = ..., compatible_architectures: _Optional[_Iterable[str]] = ..., emitted_when_empty: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class LayerVersionsListItem(_message.Message):
    __slots__ = ("layer_version_arn", "version", "description", "created_date", "compatible_runtimes", "license_info", "compatible_architectures", "emitted_when_empty")
    LAYER_VERSION_ARN_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_DATE_FIELD_NUMBER: _ClassVar[int]
    COMPATIBLE_RUNTIMES_FIELD_NUMBER: _ClassVar[int]
    LICENSE_INFO_FIELD_NUMBER: _ClassVar[int]
    COMPATIBLE_ARCHITECTURES_FIELD_NUMBER: _ClassVar[int]
    EMITTED_WHEN_EMPTY_FIELD_NUMBER: _ClassVar[int]
    layer_version_arn: str
    version: int
    description: str
    created_date: str
    compatible_runtimes: _containers.RepeatedScalarFieldContainer[str]
    license_info: str
    compatible_architectures: _containers.RepeatedScalarFieldContainer[str]
    emitted_when_empty: _field_mask_pb2.FieldMask
    def __init__(self, layer_version_arn: _Optional[str] = ..., version: _Optional[int] = ..., description: _Optional[str] = ..., created_date: _Optional[str] = ..., compatible_runtimes: _Optional[_Iterable[str]] = ..., license_info: _Optional[str] = ..., compatible_architectures: _Optional[_Iterable[str]] = ..., emitted_when_empty: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class LayersListItem(_message.Message):
    __slots__ = ("layer_name", "layer_arn", "latest_matching_version")
    LAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    LAYER_ARN_FIELD_NUMBER: _ClassVar[int]
    LATEST_MATCHING_VERSION_FIELD_NUMBER: _ClassVar[int]
    layer_name: str
    layer_arn: str
    latest_matching_version: LayerVersionsListItem
    def __init__(self, layer_name: _Optional[str] = ..., layer_arn: _Optional[str] = ..., latest_matching_version: _Optional[_Union[LayerVersionsListItem, _Mapping]] = ...) -> None: ...
