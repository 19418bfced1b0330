from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class PutResourcePolicyRequest(_message.Message):
    __slots__ = ("resource_arn", "policy", "revision_id")
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    policy: str
    revision_id: str
    def __init__(self, resource_arn: _Optional[str] = ..., policy: _Optional[str] = ..., revision_id: _Optional[str] = ...) -> None: ...

class PutResourcePolicyResponse(_message.Message):
    __slots__ = ("policy", "revision_id")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    policy: str
    revision_id: str
    def __init__(self, policy: _Optional[str] = ..., revision_id: _Optional[str] = ...) -> None: ...

class GetResourcePolicyRequest(_message.Message):
    __slots__ = ("resource_arn",)
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    def __init__(self, resource_arn: _Optional[str] = ...) -> None: ...

class GetResourcePolicyResponse(_message.Message):
    __slots__ = ("policy", "revision_id")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    policy: str
    revision_id: str
    def __init__(self, policy: _Optional[str] = ..., revision_id: _Optional[str] = ...) -> None: ...

class DeleteResourcePolicyRequest(_message.Message):
    __slots__ = ("resource_arn", "revision_id")
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    revision_id: str
    def __init__(self, resource_arn: _Optional[str] = ..., revision_id: _Optional[str] = ...) -> None: ...

class DeleteResourcePolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
