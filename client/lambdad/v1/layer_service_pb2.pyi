from google.protobuf import field_mask_pb2 as _field_mask_pb2
from lambdad.v1 import layer_pb2 as _layer_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LayerVersionContentInput(_message.Message):
    __slots__ = ("zip_file", "s3_bucket", "s3_key", "s3_object_version")
    ZIP_FILE_FIELD_NUMBER: _ClassVar[int]
    S3_BUCKET_FIELD_NUMBER: _ClassVar[int]
    S3_KEY_FIELD_NUMBER: _ClassVar[int]
    S3_OBJECT_VERSION_FIELD_NUMBER: _ClassVar[int]
    zip_file: bytes
    s3_bucket: str
    s3_key: str
    s3_object_version: str
    def __init__(self, zip_file: _Optional[bytes] = ..., s3_bucket: _Optional[str] = ..., s3_key: _Optional[str] = ..., s3_object_version: _Optional[str] = ...) -> None: ...

class PublishLayerVersionRequest(_message.Message):
    __slots__ = ("layer_name", "description", "content", "compatible_runtimes", "license_info", "compatible_architectures", "update_mask")
    LAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    COMPATIBLE_RUNTIMES_FIELD_NUMBER: _ClassVar[int]
    LICENSE_INFO_FIELD_NUMBER: _ClassVar[int]
    COMPATIBLE_ARCHITECTURES_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    layer_name: str
    description: str
    content: LayerVersionContentInput
    compatible_runtimes: _containers.RepeatedScalarFieldContainer[str]
    license_info: str
    compatible_architectures: _containers.RepeatedScalarFieldContainer[str]
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, layer_name: _Optional[str] = ..., description: _Optional[str] = ..., content: _Optional[_Union[LayerVersionContentInput, _Mapping]] = ..., compatible_runtimes: _Optional[_Iterable[str]] = ..., license_info: _Optional[str] = ..., compatible_architectures: _Optional[_Iterable[str]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class PublishLayerVersionResponse(_message.Message):
    __slots__ = ("layer_version",)
    LAYER_VERSION_FIELD_NUMBER: _ClassVar[int]
    layer_version: _layer_pb2.LayerVersion
    def __init__(self, layer_version: _Optional[_Union[_layer_pb2.LayerVersion, _Mapping]] = ...) -> None: ...

class GetLayerVersionRequest(_message.Message):
    __slots__ = ("layer_name", "version_number")
    LAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    layer_name: str
    version_number: int
    def __init__(self, layer_name: _Optional[str] = ..., version_number: _Optional[int] = ...) -> None: ...

class GetLayerVersionResponse(_message.Message):
    __slots__ = ("layer_version",)
    LAYER_VERSION_FIELD_NUMBER: _ClassVar[int]
    layer_version: _layer_pb2.LayerVersion
    def __init__(self, layer_version: _Optional[_Union[_layer_pb2.LayerVersion, _Mapping]] = ...) -> None: ...

class GetLayerVersionByArnRequest(_message.Message):
    __slots__ = ("arn",)
    ARN_FIELD_NUMBER: _ClassVar[int]
    arn: str
    def __init__(self, arn: _Optional[str] = ...) -> None: ...

class GetLayerVersionByArnResponse(_message.Message):
    __slots__ = ("layer_version",)
    LAYER_VERSION_FIELD_NUMBER: _ClassVar[int]
    layer_version: _layer_pb2.LayerVersion
    def __init__(self, layer_version: _Optional[_Union[_layer_pb2.LayerVersion, _Mapping]] = ...) -> None: ...

class ListLayersRequest(_message.Message):
    __slots__ = ("compatible_runtime", "page_token", "page_size", "compatible_architecture")
    COMPATIBLE_RUNTIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    COMPATIBLE_ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    compatible_runtime: str
    page_token: str
    page_size: int
    compatible_architecture: str
    def __init__(self, compatible_runtime: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ..., compatible_architecture: _Optional[str] = ...) -> None: ...

class ListLayersResponse(_message.Message):
    __slots__ = ("next_page_token", "layers")
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    layers: _containers.RepeatedCompositeFieldContainer[_layer_pb2.LayersListItem]
    def __init__(self, next_page_token: _Optional[str] = ..., layers: _Optional[_Iterable[_Union[_layer_pb2.LayersListItem, _Mapping]]] = ...) -> None: ...

class ListLayerVersionsRequest(_message.Message):
    __slots__ = ("compatible_runtime", "layer_name", "page_token", "page_size", "compatible_architecture")
    COMPATIBLE_RUNTIME_FIELD_NUMBER: _ClassVar[int]
    LAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    COMPATIBLE_ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    compatible_runtime: str
    layer_name: str
    page_token: str
    page_size: int
    compatible_architecture: str
    def __init__(self, compatible_runtime: _Optional[str] = ..., layer_name: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ..., compatible_architecture: _Optional[str] = ...) -> None: ...

class ListLayerVersionsResponse(_message.Message):
    __slots__ = ("next_page_token", "layer_versions")
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LAYER_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    layer_versions: _containers.RepeatedCompositeFieldContainer[_layer_pb2.LayerVersionsListItem]
    def __init__(self, next_page_token: _Optional[str] = ..., layer_versions: _Optional[_Iterable[_Union[_layer_pb2.LayerVersionsListItem, _Mapping]]] = ...) -> None: ...

class DeleteLayerVersionRequest(_message.Message):
    __slots__ = ("layer_name", "version_number")
    LAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    layer_name: str
    version_number: int
    def __init__(self, layer_name: _Optional[str] = ..., version_number: _Optional[int] = ...) -> None: ...

class DeleteLayerVersionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddLayerVersionPermissionRequest(_message.Message):
    __slots__ = ("layer_name", "version_number", "statement_id", "action", "principal", "organization_id", "revision_id")
    LAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    layer_name: str
    version_number: int
    statement_id: str
    action: str
    principal: str
    organization_id: str
    revision_id: str
    def __init__(self, layer_name: _Optional[str] = ..., version_number: _Optional[int] = ..., statement_id: _Optional[str] = ..., action: _Optional[str] = ..., principal: _Optional[str] = ..., organization_id: _Optional[str] = ..., revision_id: _Optional[str] = ...) -> None: ...

class AddLayerVersionPermissionResponse(_message.Message):
    __slots__ = ("statement", "revision_id")
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    statement: str
    revision_id: str
    def __init__(self, statement: _Optional[str] = ..., revision_id: _Optional[str] = ...) -> None: ...

class GetLayerVersionPolicyRequest(_message.Message):
    __slots__ = ("layer_name", "version_number")
    LAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    layer_name: str
    version_number: int
    def __init__(self, layer_name: _Optional[str] = ..., version_number: _Optional[int] = ...) -> None: ...

class GetLayerVersionPolicyResponse(_message.Message):
    __slots__ = ("policy", "revision_id")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    policy: str
    revision_id: str
    def __init__(self, policy: _Optional[str] = ..., revision_id: _Optional[str] = ...) -> None: ...

class RemoveLayerVersionPermissionRequest(_message.Message):
    __slots__ = ("layer_name", "version_number", "statement_id", "revision_id")
    LAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    layer_name: str
    version_number: int
    statement_id: str
    revision_id: str
    def __init__(self, layer_name: _Optional[str] = ..., version_number: _Optional[int] = ..., statement_id: _Optional[str] = ..., revision_id: _Optional[str] = ...) -> None: ...

class RemoveLayerVersionPermissionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
