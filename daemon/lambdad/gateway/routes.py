"""The AWS Lambda REST operations the gateway serves, and matching requests to them.

Each operation is one `Route` row in `ROUTES`: the AWS operation name, its HTTP method and
path template (taken from the AWS operation list, each with its own date prefix), the gRPC
method it becomes, and the few facts that are not in the proto (which query parameters it
takes, which part of the response is the AWS body, the success status). Everything else
is derived from the request and response messages, whose `json_name`s are the AWS member
names.

Adding an operation is adding a row; see `Route` for what each column means. There is one
table per gRPC service (`ROUTES` for FunctionService, `INVOCATION_ROUTES` for
InvocationService, `LAYER_ROUTES` for LayerService, `URL_ROUTES` for UrlService,
`EVENT_SOURCE_ROUTES` for EventSourceService, `CAPACITY_PROVIDER_ROUTES` for
CapacityProviderService) making up `ALL_ROUTES`; the gateway serves those, X-Ray's
`XRAY_ROUTES` (TraceService) and CloudWatch Logs' `LOGS_ROUTES` (LogService) as
`GATEWAY_ROUTES`.

CloudWatch Logs speaks JSON 1.1: every operation is `POST /` with the operation in the
`X-Amz-Target` header (`Logs_20140328.GetLogEvents`); such rows have a `target`, which is
what they are matched by.

A path template may end in a fixed query, as in AWS's model (`/2018-10-31/layers?find=
LayerVersion` is GetLayerVersionByArn, while `/2018-10-31/layers` is ListLayers): such a
route only matches requests carrying that query, and is tried before the plain one.

Most operations are JSON in, JSON out (`RouteKind.JSON`). The invoke operations carry the raw
payload as their body and answer it raw or as an AWS event stream; their `kind` says which,
and the columns `headers`, `payload_member` and `fixed` say how the request is built, so
they are rows like the others.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast
from urllib.parse import unquote

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from lambdad.client.contract import EVENT_PAYLOAD_MAX_BYTES, SYNC_PAYLOAD_MAX_BYTES, TRACE_HEADER
from lambdad.v1 import capacity_provider_service_pb2 as cp
from lambdad.v1 import capacity_provider_service_pb2_grpc as cp_grpc
from lambdad.v1 import code_signing_service_pb2 as cs
from lambdad.v1 import code_signing_service_pb2_grpc as cs_grpc
from lambdad.v1 import durable_execution_service_pb2 as ds
from lambdad.v1 import durable_execution_service_pb2_grpc as ds_grpc
from lambdad.v1 import event_source_service_pb2 as es
from lambdad.v1 import event_source_service_pb2_grpc as es_grpc
from lambdad.v1 import function_service_pb2 as fs
from lambdad.v1 import function_service_pb2_grpc as fs_grpc
from lambdad.v1 import function_settings_service_pb2 as fss
from lambdad.v1 import function_settings_service_pb2_grpc as fss_grpc
from lambdad.v1 import invocation_service_pb2 as inv
from lambdad.v1 import invocation_service_pb2_grpc as inv_grpc
from lambdad.v1 import layer_service_pb2 as ls
from lambdad.v1 import layer_service_pb2_grpc as ls_grpc
from lambdad.v1 import log_service_pb2 as logs
from lambdad.v1 import log_service_pb2_grpc as logs_grpc
from lambdad.v1 import resource_policy_service_pb2 as rps
from lambdad.v1 import resource_policy_service_pb2_grpc as rps_grpc
from lambdad.v1 import trace_service_pb2 as ts
from lambdad.v1 import trace_service_pb2_grpc as ts_grpc
from lambdad.v1 import url_service_pb2 as us
from lambdad.v1 import url_service_pb2_grpc as us_grpc

# Code locations the daemon hands out (GetFunction's Code.Location) are paths under this
# prefix; the gateway serves them by streaming the DownloadCode RPC, like S3 would serve a
# presigned URL. Not an AWS operation, so not a row of ROUTES.
CODE_LOCATION_PREFIX = "/_lambdad/code/"

# AWS's limit on the whole request of CreateFunction and UpdateFunctionCode (the zip is
# base64 inside JSON, so this is larger than the 50 MB zip limit).
CODE_UPLOAD_MAX_BYTES = 70_167_211

# AWS's payload limits of synchronous (RequestResponse, and streamed) and Event invocations.
INVOKE_MAX_BYTES = SYNC_PAYLOAD_MAX_BYTES
EVENT_MAX_BYTES = EVENT_PAYLOAD_MAX_BYTES


class RouteKind(StrEnum):
    """How a route's answer is written (and whether its body is JSON or a raw payload)."""

    # JSON body in; the reply rendered as a JSON body (or none, for 204) out.
    JSON = "json"
    # Raw payload in; Invoke's status, headers and raw result payload out.
    INVOKE = "invoke"
    # Raw payload in, invoked as Event; 202 with `{"Status": 202}` out.
    INVOKE_ASYNC = "invoke_async"
    # Raw payload in; a server-streaming call written out as an AWS event stream.
    INVOKE_STREAM = "invoke_stream"
    # JSON body in; a server-streaming call written out as a JSON-protocol event stream
    # (an `initial-response` event, then one event per message).
    EVENT_STREAM = "event_stream"


@dataclass(frozen=True, eq=False)
class Route:
    """One AWS REST operation and the gRPC method that implements it."""

    # AWS operation name, e.g. "GetFunction"; used in logs and error messages.
    operation: str
    # HTTP method, upper case.
    method: str
    # Path template; `{Name}` segments are path parameters named by the request message's
    # json_name for them (e.g. `{FunctionName}`).
    path: str
    # Generated stub class; instantiated once per channel.
    stub: Callable[[Any], Any]
    # Name of the method on the stub.
    rpc: str
    # Request message class.
    request_type: type[Message]
    # HTTP status of a successful answer; 204 means the answer has no body.
    ok_status: int = 200
    # Query parameter name -> json_name of the request field it fills. Query names are not
    # always the member name (UntagResource's `tagKeys` fills `TagKeys`).
    query: Mapping[str, str] = field(default_factory=dict)
    # Whether the request has a JSON body (AWS only sends one on POST/PUT operations).
    has_body: bool = False
    # Response field whose value is the AWS body (e.g. "configuration"); None when the whole
    # response message is the body.
    response_field: str | None = None
    # Whether `update_mask` is filled from the body members that were sent, so the daemon
    # can tell an absent member from an empty one.
    mask_from_body: bool = False
    # Largest accepted request, in bytes, when AWS has a documented per-operation limit.
    max_body_bytes: int | None = None
    # How the answer is written; anything but JSON takes a raw payload (`payload_member`).
    kind: RouteKind = RouteKind.JSON
    # HTTP request header name -> json_name of the request field it fills (Invoke's
    # `X-Amz-Invocation-Type` fills `InvocationType`).
    headers: Mapping[str, str] = field(default_factory=dict)
    # json_name of the bytes field the raw body fills, for operations whose body is not JSON
    # but the payload itself (Invoke's `Payload`); None when the body is a JSON document.
    payload_member: str | None = None
    # json_name -> value of request members the operation always sets (InvokeAsync is an
    # Event invocation).
    fixed: Mapping[str, str] = field(default_factory=dict)
    # Like `headers`, for headers lambdad reads that are not members of the AWS operation
    # (X-Amzn-Trace-Id fills Invoke's `TraceId`, a lambdad extension).
    lambdad_headers: Mapping[str, str] = field(default_factory=dict)
    # json_name of the message field the whole JSON body fills, for operations whose body is
    # one structure member (StopDurableExecution's `Error`); None when the body's members are
    # the request's.
    body_member: str | None = None
    # The `X-Amz-Target` of a JSON 1.1 operation (`Logs_20140328.GetLogEvents`); such a
    # route is matched by it alone (its method and path are always POST /).
    target: str | None = None

    @property
    def empty_response(self) -> bool:
        """Whether a successful answer has no body."""
        return self.ok_status == 204

    @property
    def required_query(self) -> dict[str, str]:
        """The fixed query of the path template (`?find=LayerVersion`), if any."""
        _, _, fixed = self.path.partition("?")
        return dict(item.partition("=")[::2] for item in fixed.split("&") if item)

    # Derived once per route (the Invoke path asks for them on every request).
    @functools.cached_property
    def path_params(self) -> tuple[str, ...]:
        """Names of the path parameters, in order."""
        return tuple(s[1:-1] for s in _segments(self.path) if _is_param(s))

    @functools.cached_property
    def header_members(self) -> dict[str, str]:
        """Every header the request reads (`headers` and `lambdad_headers`) -> json_name."""
        return {**self.headers, **self.lambdad_headers}

    @functools.cached_property
    def fields_by_json_name(self) -> dict[str, FieldDescriptor]:
        """The request message's fields by their json_name."""
        return {f.json_name: cast(FieldDescriptor, f) for f in self.request_type.DESCRIPTOR.fields}


_FUNCTIONS = "/2015-03-31/functions"
_FUNCTION = _FUNCTIONS + "/{FunctionName}"
_ALIAS = _FUNCTION + "/aliases/{Name}"
_TAGS = "/2017-03-31/tags/{Resource}"
_PAGING = {"Marker": "Marker", "MaxItems": "MaxItems"}
_STUB = fs_grpc.FunctionServiceStub

# fmt: off
ROUTES: tuple[Route, ...] = (
    # Functions
    Route(
        "CreateFunction", "POST", _FUNCTIONS, _STUB, "CreateFunction",
        fs.CreateFunctionRequest, ok_status=201, has_body=True,
        response_field="configuration", max_body_bytes=CODE_UPLOAD_MAX_BYTES,
    ),
    Route(
        "GetFunction", "GET", _FUNCTION, _STUB, "GetFunction",
        fs.GetFunctionRequest, query={"Qualifier": "Qualifier"},
    ),
    Route(
        "GetFunctionConfiguration", "GET", _FUNCTION + "/configuration", _STUB,
        "GetFunctionConfiguration", fs.GetFunctionConfigurationRequest,
        query={"Qualifier": "Qualifier"}, response_field="configuration",
    ),
    Route(
        "ListFunctions", "GET", _FUNCTIONS, _STUB, "ListFunctions",
        fs.ListFunctionsRequest,
        query={"MasterRegion": "MasterRegion", "FunctionVersion": "FunctionVersion", **_PAGING},
    ),
    Route(
        "UpdateFunctionCode", "PUT", _FUNCTION + "/code", _STUB, "UpdateFunctionCode",
        fs.UpdateFunctionCodeRequest, has_body=True, response_field="configuration",
        max_body_bytes=CODE_UPLOAD_MAX_BYTES,
    ),
    Route(
        "UpdateFunctionConfiguration", "PUT", _FUNCTION + "/configuration", _STUB,
        "UpdateFunctionConfiguration", fs.UpdateFunctionConfigurationRequest,
        has_body=True, response_field="configuration", mask_from_body=True,
    ),
    # AWS answers 204 although the model says 200 (lambda-spec §1.4).
    Route(
        "DeleteFunction", "DELETE", _FUNCTION, _STUB, "DeleteFunction",
        fs.DeleteFunctionRequest, ok_status=204, query={"Qualifier": "Qualifier"},
    ),
    # Versions and aliases
    Route(
        "PublishVersion", "POST", _FUNCTION + "/versions", _STUB, "PublishVersion",
        fs.PublishVersionRequest, ok_status=201, has_body=True,
        response_field="configuration",
    ),
    Route(
        "ListVersionsByFunction", "GET", _FUNCTION + "/versions", _STUB,
        "ListVersionsByFunction", fs.ListVersionsByFunctionRequest, query=_PAGING,
    ),
    Route(
        "CreateAlias", "POST", _FUNCTION + "/aliases", _STUB, "CreateAlias",
        fs.CreateAliasRequest, ok_status=201, has_body=True, response_field="alias",
    ),
    Route(
        "GetAlias", "GET", _ALIAS, _STUB, "GetAlias",
        fs.GetAliasRequest, response_field="alias",
    ),
    Route(
        "UpdateAlias", "PUT", _ALIAS, _STUB, "UpdateAlias",
        fs.UpdateAliasRequest, has_body=True, response_field="alias", mask_from_body=True,
    ),
    Route(
        "DeleteAlias", "DELETE", _ALIAS, _STUB, "DeleteAlias",
        fs.DeleteAliasRequest, ok_status=204,
    ),
    Route(
        "ListAliases", "GET", _FUNCTION + "/aliases", _STUB, "ListAliases",
        fs.ListAliasesRequest, query={"FunctionVersion": "FunctionVersion", **_PAGING},
    ),
    # Tags
    Route(
        "TagResource", "POST", _TAGS, _STUB, "TagResource",
        fs.TagResourceRequest, ok_status=204, has_body=True,
    ),
    Route(
        "UntagResource", "DELETE", _TAGS, _STUB, "UntagResource",
        fs.UntagResourceRequest, ok_status=204, query={"tagKeys": "TagKeys"},
    ),
    Route("ListTags", "GET", _TAGS, _STUB, "ListTags", fs.ListTagsRequest),
    # Account
    Route(
        "GetAccountSettings", "GET", "/2016-08-19/account-settings", _STUB,
        "GetAccountSettings", fs.GetAccountSettingsRequest,
    ),
)

_INVOKE = inv_grpc.InvocationServiceStub
_INVOKE_HEADERS = {
    "X-Amz-Invocation-Type": "InvocationType",
    "X-Amz-Log-Type": "LogType",
    "X-Amz-Client-Context": "ClientContext",
    "X-Amz-Tenant-Id": "TenantId",
}
_TRACE_HEADERS = {TRACE_HEADER: "TraceId"}
# Invoke alone takes a durable execution's name.
_INVOKE_ONLY_HEADERS = {**_INVOKE_HEADERS, "X-Amz-Durable-Execution-Name": "DurableExecutionName"}
_CONCURRENCY = "/functions/{FunctionName}/concurrency"
_PROVISIONED = "/2019-09-30/functions/{FunctionName}/provisioned-concurrency"
_EVENT_INVOKE_CONFIG = "/2019-09-25/functions/{FunctionName}/event-invoke-config"

INVOCATION_ROUTES: tuple[Route, ...] = (
    # The ok_status of the invoke rows is only a fallback: the reply's status_code is the
    # answer's status (200, 202 for Event, 204 for DryRun).
    Route(
        "Invoke", "POST", _FUNCTION + "/invocations", _INVOKE, "Invoke",
        inv.InvokeRequest, query={"Qualifier": "Qualifier"}, has_body=True,
        max_body_bytes=INVOKE_MAX_BYTES, kind=RouteKind.INVOKE, headers=_INVOKE_ONLY_HEADERS,
        payload_member="Payload", lambdad_headers=_TRACE_HEADERS,
    ),
    Route(
        "InvokeWithResponseStream", "POST",
        "/2021-11-15/functions/{FunctionName}/response-streaming-invocations", _INVOKE,
        "InvokeWithResponseStream", inv.InvokeWithResponseStreamRequest,
        query={"Qualifier": "Qualifier"}, has_body=True, max_body_bytes=INVOKE_MAX_BYTES,
        kind=RouteKind.INVOKE_STREAM, headers=_INVOKE_HEADERS, payload_member="Payload",
        lambdad_headers=_TRACE_HEADERS,
    ),
    # Deprecated; botocore's model has no trailing slash, AWS's docs do (both match).
    Route(
        "InvokeAsync", "POST", "/2014-11-13/functions/{FunctionName}/invoke-async", _INVOKE,
        "Invoke", inv.InvokeRequest, ok_status=202, has_body=True,
        max_body_bytes=INVOKE_MAX_BYTES, kind=RouteKind.INVOKE_ASYNC,
        payload_member="Payload", fixed={"InvocationType": "Event"},
        lambdad_headers=_TRACE_HEADERS,
    ),
    # Concurrency
    Route(
        "PutFunctionConcurrency", "PUT", "/2017-10-31" + _CONCURRENCY, _INVOKE,
        "PutFunctionConcurrency", inv.PutFunctionConcurrencyRequest, has_body=True,
    ),
    Route(
        "GetFunctionConcurrency", "GET", "/2019-09-30" + _CONCURRENCY, _INVOKE,
        "GetFunctionConcurrency", inv.GetFunctionConcurrencyRequest,
    ),
    Route(
        "DeleteFunctionConcurrency", "DELETE", "/2017-10-31" + _CONCURRENCY, _INVOKE,
        "DeleteFunctionConcurrency", inv.DeleteFunctionConcurrencyRequest, ok_status=204,
    ),
    # Provisioned concurrency: one path; List=ALL (a fixed query) makes it the list.
    Route(
        "PutProvisionedConcurrencyConfig", "PUT", _PROVISIONED, _INVOKE,
        "PutProvisionedConcurrencyConfig", inv.PutProvisionedConcurrencyConfigRequest,
        ok_status=202, query={"Qualifier": "Qualifier"}, has_body=True, response_field="config",
    ),
    Route(
        "ListProvisionedConcurrencyConfigs", "GET", _PROVISIONED + "?List=ALL", _INVOKE,
        "ListProvisionedConcurrencyConfigs", inv.ListProvisionedConcurrencyConfigsRequest,
        query=_PAGING,
    ),
    Route(
        "GetProvisionedConcurrencyConfig", "GET", _PROVISIONED, _INVOKE,
        "GetProvisionedConcurrencyConfig", inv.GetProvisionedConcurrencyConfigRequest,
        query={"Qualifier": "Qualifier"}, response_field="config",
    ),
    Route(
        "DeleteProvisionedConcurrencyConfig", "DELETE", _PROVISIONED, _INVOKE,
        "DeleteProvisionedConcurrencyConfig", inv.DeleteProvisionedConcurrencyConfigRequest,
        ok_status=204, query={"Qualifier": "Qualifier"},
    ),
    # Async invoke configuration (retries, event age, destinations)
    Route(
        "PutFunctionEventInvokeConfig", "PUT", _EVENT_INVOKE_CONFIG, _INVOKE,
        "PutFunctionEventInvokeConfig", inv.PutFunctionEventInvokeConfigRequest,
        query={"Qualifier": "Qualifier"}, has_body=True, response_field="event_invoke_config",
    ),
    Route(
        "UpdateFunctionEventInvokeConfig", "POST", _EVENT_INVOKE_CONFIG, _INVOKE,
        "UpdateFunctionEventInvokeConfig", inv.UpdateFunctionEventInvokeConfigRequest,
        query={"Qualifier": "Qualifier"}, has_body=True, response_field="event_invoke_config",
    ),
    Route(
        "GetFunctionEventInvokeConfig", "GET", _EVENT_INVOKE_CONFIG, _INVOKE,
        "GetFunctionEventInvokeConfig", inv.GetFunctionEventInvokeConfigRequest,
        query={"Qualifier": "Qualifier"}, response_field="event_invoke_config",
    ),
    Route(
        "DeleteFunctionEventInvokeConfig", "DELETE", _EVENT_INVOKE_CONFIG, _INVOKE,
        "DeleteFunctionEventInvokeConfig", inv.DeleteFunctionEventInvokeConfigRequest,
        ok_status=204, query={"Qualifier": "Qualifier"},
    ),
    Route(
        "ListFunctionEventInvokeConfigs", "GET", _EVENT_INVOKE_CONFIG + "/list", _INVOKE,
        "ListFunctionEventInvokeConfigs", inv.ListFunctionEventInvokeConfigsRequest,
        query=_PAGING,
    ),
)

_LAYERS = "/2018-10-31/layers"
_LAYER_VERSION = _LAYERS + "/{LayerName}/versions/{VersionNumber}"
_LAYER_STUB = ls_grpc.LayerServiceStub
_LAYER_FILTERS = {
    "CompatibleRuntime": "CompatibleRuntime",
    "CompatibleArchitecture": "CompatibleArchitecture",
    **_PAGING,
}

LAYER_ROUTES: tuple[Route, ...] = (
    Route(
        "PublishLayerVersion", "POST", _LAYERS + "/{LayerName}/versions", _LAYER_STUB,
        "PublishLayerVersion", ls.PublishLayerVersionRequest, ok_status=201, has_body=True,
        response_field="layer_version", max_body_bytes=CODE_UPLOAD_MAX_BYTES,
        mask_from_body=True,
    ),
    Route(
        "GetLayerVersion", "GET", _LAYER_VERSION, _LAYER_STUB, "GetLayerVersion",
        ls.GetLayerVersionRequest, response_field="layer_version",
    ),
    Route(
        "GetLayerVersionByArn", "GET", _LAYERS + "?find=LayerVersion", _LAYER_STUB,
        "GetLayerVersionByArn", ls.GetLayerVersionByArnRequest, query={"Arn": "Arn"},
        response_field="layer_version",
    ),
    Route(
        "ListLayers", "GET", _LAYERS, _LAYER_STUB, "ListLayers", ls.ListLayersRequest,
        query=_LAYER_FILTERS,
    ),
    Route(
        "ListLayerVersions", "GET", _LAYERS + "/{LayerName}/versions", _LAYER_STUB,
        "ListLayerVersions", ls.ListLayerVersionsRequest, query=_LAYER_FILTERS,
    ),
    Route(
        "DeleteLayerVersion", "DELETE", _LAYER_VERSION, _LAYER_STUB, "DeleteLayerVersion",
        ls.DeleteLayerVersionRequest, ok_status=204,
    ),
    Route(
        "AddLayerVersionPermission", "POST", _LAYER_VERSION + "/policy", _LAYER_STUB,
        "AddLayerVersionPermission", ls.AddLayerVersionPermissionRequest, ok_status=201,
        has_body=True, query={"RevisionId": "RevisionId"},
    ),
    Route(
        "GetLayerVersionPolicy", "GET", _LAYER_VERSION + "/policy", _LAYER_STUB,
        "GetLayerVersionPolicy", ls.GetLayerVersionPolicyRequest,
    ),
    Route(
        "RemoveLayerVersionPermission", "DELETE", _LAYER_VERSION + "/policy/{StatementId}",
        _LAYER_STUB, "RemoveLayerVersionPermission", ls.RemoveLayerVersionPermissionRequest,
        ok_status=204, query={"RevisionId": "RevisionId"},
    ),
)
# fmt: on

_URL = "/2021-10-31/functions/{FunctionName}/url"
_POLICY = _FUNCTION + "/policy"
_URL_STUB = us_grpc.UrlServiceStub
_QUALIFIER = {"Qualifier": "Qualifier"}

# fmt: off
URL_ROUTES: tuple[Route, ...] = (
    # Function URLs
    Route(
        "CreateFunctionUrlConfig", "POST", _URL, _URL_STUB, "CreateFunctionUrlConfig",
        us.CreateFunctionUrlConfigRequest, ok_status=201, query=_QUALIFIER, has_body=True,
    ),
    Route(
        "GetFunctionUrlConfig", "GET", _URL, _URL_STUB, "GetFunctionUrlConfig",
        us.GetFunctionUrlConfigRequest, query=_QUALIFIER, response_field="config",
    ),
    Route(
        "UpdateFunctionUrlConfig", "PUT", _URL, _URL_STUB, "UpdateFunctionUrlConfig",
        us.UpdateFunctionUrlConfigRequest, query=_QUALIFIER, has_body=True,
        response_field="config", mask_from_body=True,
    ),
    Route(
        "DeleteFunctionUrlConfig", "DELETE", _URL, _URL_STUB, "DeleteFunctionUrlConfig",
        us.DeleteFunctionUrlConfigRequest, ok_status=204, query=_QUALIFIER,
    ),
    Route(
        "ListFunctionUrlConfigs", "GET", "/2021-10-31/functions/{FunctionName}/urls",
        _URL_STUB, "ListFunctionUrlConfigs", us.ListFunctionUrlConfigsRequest, query=_PAGING,
    ),
    # Function resource policy
    Route(
        "AddPermission", "POST", _POLICY, _URL_STUB, "AddPermission",
        us.AddPermissionRequest, ok_status=201, query=_QUALIFIER, has_body=True,
    ),
    Route(
        "GetPolicy", "GET", _POLICY, _URL_STUB, "GetPolicy",
        us.GetPolicyRequest, query=_QUALIFIER,
    ),
    Route(
        "RemovePermission", "DELETE", _POLICY + "/{StatementId}", _URL_STUB, "RemovePermission",
        us.RemovePermissionRequest, ok_status=204,
        query={"Qualifier": "Qualifier", "RevisionId": "RevisionId"},
    ),
)

_ESM = "/2015-03-31/event-source-mappings"
_ESM_STUB = es_grpc.EventSourceServiceStub
EVENT_SOURCE_ROUTES: tuple[Route, ...] = (
    Route(
        "CreateEventSourceMapping", "POST", _ESM, _ESM_STUB, "CreateEventSourceMapping",
        es.CreateEventSourceMappingRequest, ok_status=202, has_body=True,
        response_field="event_source_mapping",
    ),
    Route(
        "GetEventSourceMapping", "GET", _ESM + "/{UUID}", _ESM_STUB, "GetEventSourceMapping",
        es.GetEventSourceMappingRequest, response_field="event_source_mapping",
    ),
    Route(
        "UpdateEventSourceMapping", "PUT", _ESM + "/{UUID}", _ESM_STUB,
        "UpdateEventSourceMapping", es.UpdateEventSourceMappingRequest, ok_status=202,
        has_body=True, response_field="event_source_mapping", mask_from_body=True,
    ),
    Route(
        "DeleteEventSourceMapping", "DELETE", _ESM + "/{UUID}", _ESM_STUB,
        "DeleteEventSourceMapping", es.DeleteEventSourceMappingRequest, ok_status=202,
        response_field="event_source_mapping",
    ),
    Route(
        "ListEventSourceMappings", "GET", _ESM, _ESM_STUB, "ListEventSourceMappings",
        es.ListEventSourceMappingsRequest,
        query={**_PAGING, "EventSourceArn": "EventSourceArn", "FunctionName": "FunctionName"},
    ),
)

_CSCS = "/2020-04-22/code-signing-configs"
_CSC = _CSCS + "/{CodeSigningConfigArn}"
_FUNCTION_CSC = "/2020-06-30/functions/{FunctionName}/code-signing-config"
_CSC_STUB = cs_grpc.CodeSigningServiceStub
CODE_SIGNING_ROUTES: tuple[Route, ...] = (
    Route(
        "CreateCodeSigningConfig", "POST", _CSCS, _CSC_STUB, "CreateCodeSigningConfig",
        cs.CreateCodeSigningConfigRequest, ok_status=201, has_body=True,
    ),
    Route(
        "GetCodeSigningConfig", "GET", _CSC, _CSC_STUB, "GetCodeSigningConfig",
        cs.GetCodeSigningConfigRequest,
    ),
    Route(
        "UpdateCodeSigningConfig", "PUT", _CSC, _CSC_STUB, "UpdateCodeSigningConfig",
        cs.UpdateCodeSigningConfigRequest, has_body=True,
    ),
    Route(
        "DeleteCodeSigningConfig", "DELETE", _CSC, _CSC_STUB, "DeleteCodeSigningConfig",
        cs.DeleteCodeSigningConfigRequest, ok_status=204,
    ),
    Route(
        "ListCodeSigningConfigs", "GET", _CSCS, _CSC_STUB, "ListCodeSigningConfigs",
        cs.ListCodeSigningConfigsRequest, query=_PAGING,
    ),
    Route(
        "ListFunctionsByCodeSigningConfig", "GET", _CSC + "/functions", _CSC_STUB,
        "ListFunctionsByCodeSigningConfig", cs.ListFunctionsByCodeSigningConfigRequest,
        query=_PAGING,
    ),
    Route(
        "PutFunctionCodeSigningConfig", "PUT", _FUNCTION_CSC, _CSC_STUB,
        "PutFunctionCodeSigningConfig", cs.PutFunctionCodeSigningConfigRequest, has_body=True,
    ),
    Route(
        "GetFunctionCodeSigningConfig", "GET", _FUNCTION_CSC, _CSC_STUB,
        "GetFunctionCodeSigningConfig", cs.GetFunctionCodeSigningConfigRequest,
    ),
    Route(
        "DeleteFunctionCodeSigningConfig", "DELETE", _FUNCTION_CSC, _CSC_STUB,
        "DeleteFunctionCodeSigningConfig", cs.DeleteFunctionCodeSigningConfigRequest,
        ok_status=204,
    ),
)

_RECURSION = "/2024-08-31/functions/{FunctionName}/recursion-config"
_RUNTIME_MANAGEMENT = "/2021-07-20/functions/{FunctionName}/runtime-management-config"
_SCALING = "/2025-11-30/functions/{FunctionName}/function-scaling-config"
_SETTINGS_STUB = fss_grpc.FunctionSettingsServiceStub
FUNCTION_SETTINGS_ROUTES: tuple[Route, ...] = (
    Route(
        "GetFunctionRecursionConfig", "GET", _RECURSION, _SETTINGS_STUB,
        "GetFunctionRecursionConfig", fss.GetFunctionRecursionConfigRequest,
    ),
    Route(
        "PutFunctionRecursionConfig", "PUT", _RECURSION, _SETTINGS_STUB,
        "PutFunctionRecursionConfig", fss.PutFunctionRecursionConfigRequest, has_body=True,
    ),
    Route(
        "GetRuntimeManagementConfig", "GET", _RUNTIME_MANAGEMENT, _SETTINGS_STUB,
        "GetRuntimeManagementConfig", fss.GetRuntimeManagementConfigRequest, query=_QUALIFIER,
    ),
    Route(
        "PutRuntimeManagementConfig", "PUT", _RUNTIME_MANAGEMENT, _SETTINGS_STUB,
        "PutRuntimeManagementConfig", fss.PutRuntimeManagementConfigRequest, query=_QUALIFIER,
        has_body=True,
    ),
    Route(
        "GetFunctionScalingConfig", "GET", _SCALING, _SETTINGS_STUB,
        "GetFunctionScalingConfig", fss.GetFunctionScalingConfigRequest, query=_QUALIFIER,
    ),
    Route(
        "PutFunctionScalingConfig", "PUT", _SCALING, _SETTINGS_STUB,
        "PutFunctionScalingConfig", fss.PutFunctionScalingConfigRequest, ok_status=202,
        query=_QUALIFIER, has_body=True,
    ),
)

# Whole resource policies by ARN (botocore 1.44's model; 1.43 does not have them yet).
_RESOURCE_POLICY = "/2026-07-09/resource-policy/{ResourceArn}"
_POLICY_STUB = rps_grpc.ResourcePolicyServiceStub
RESOURCE_POLICY_ROUTES: tuple[Route, ...] = (
    Route(
        "PutResourcePolicy", "PUT", _RESOURCE_POLICY, _POLICY_STUB, "PutResourcePolicy",
        rps.PutResourcePolicyRequest, has_body=True,
    ),
    Route(
        "GetResourcePolicy", "GET", _RESOURCE_POLICY, _POLICY_STUB, "GetResourcePolicy",
        rps.GetResourcePolicyRequest,
    ),
    Route(
        "DeleteResourcePolicy", "DELETE", _RESOURCE_POLICY, _POLICY_STUB,
        "DeleteResourcePolicy", rps.DeleteResourcePolicyRequest, ok_status=204,
        query={"RevisionId": "RevisionId"},
    ),
)

_CP = "/2025-11-30/capacity-providers"
_CP_STUB = cp_grpc.CapacityProviderServiceStub
CAPACITY_PROVIDER_ROUTES: tuple[Route, ...] = (
    Route(
        "CreateCapacityProvider", "POST", _CP, _CP_STUB, "CreateCapacityProvider",
        cp.CreateCapacityProviderRequest, ok_status=202, has_body=True,
    ),
    Route(
        "GetCapacityProvider", "GET", _CP + "/{CapacityProviderName}", _CP_STUB,
        "GetCapacityProvider", cp.GetCapacityProviderRequest,
    ),
    Route(
        "UpdateCapacityProvider", "PUT", _CP + "/{CapacityProviderName}", _CP_STUB,
        "UpdateCapacityProvider", cp.UpdateCapacityProviderRequest, ok_status=202,
        has_body=True,
    ),
    Route(
        "DeleteCapacityProvider", "DELETE", _CP + "/{CapacityProviderName}", _CP_STUB,
        "DeleteCapacityProvider", cp.DeleteCapacityProviderRequest, ok_status=202,
    ),
    Route(
        "ListCapacityProviders", "GET", _CP, _CP_STUB, "ListCapacityProviders",
        cp.ListCapacityProvidersRequest, query={**_PAGING, "State": "State"},
    ),
    Route(
        "ListFunctionVersionsByCapacityProvider", "GET",
        _CP + "/{CapacityProviderName}/function-versions", _CP_STUB,
        "ListFunctionVersionsByCapacityProvider",
        cp.ListFunctionVersionsByCapacityProviderRequest, query=_PAGING,
    ),
)
# fmt: on

_EXECUTION = "/2025-12-01/durable-executions/{DurableExecutionArn}"
_CALLBACK = "/2025-12-01/durable-execution-callbacks/{CallbackId}"
_DURABLE_STUB = ds_grpc.DurableExecutionServiceStub

DURABLE_ROUTES: tuple[Route, ...] = (
    Route(
        "CheckpointDurableExecution",
        "POST",
        _EXECUTION + "/checkpoint",
        _DURABLE_STUB,
        "CheckpointDurableExecution",
        ds.CheckpointDurableExecutionRequest,
        has_body=True,
    ),
    Route(
        "GetDurableExecutionState",
        "GET",
        _EXECUTION + "/state",
        _DURABLE_STUB,
        "GetDurableExecutionState",
        ds.GetDurableExecutionStateRequest,
        query={"CheckpointToken": "CheckpointToken", **_PAGING},
    ),
    Route(
        "GetDurableExecution",
        "GET",
        _EXECUTION,
        _DURABLE_STUB,
        "GetDurableExecution",
        ds.GetDurableExecutionRequest,
        query={"IncludeExecutionData": "IncludeExecutionData"},
    ),
    Route(
        "GetDurableExecutionHistory",
        "GET",
        _EXECUTION + "/history",
        _DURABLE_STUB,
        "GetDurableExecutionHistory",
        ds.GetDurableExecutionHistoryRequest,
        query={
            "IncludeExecutionData": "IncludeExecutionData",
            "ReverseOrder": "ReverseOrder",
            **_PAGING,
        },
    ),
    Route(
        "ListDurableExecutionsByFunction",
        "GET",
        "/2025-12-01/functions/{FunctionName}/durable-executions",
        _DURABLE_STUB,
        "ListDurableExecutionsByFunction",
        ds.ListDurableExecutionsByFunctionRequest,
        query={
            "Qualifier": "Qualifier",
            "DurableExecutionName": "DurableExecutionName",
            "Statuses": "Statuses",
            "StartedAfter": "StartedAfter",
            "StartedBefore": "StartedBefore",
            "ReverseOrder": "ReverseOrder",
            **_PAGING,
        },
    ),
    Route(
        "StopDurableExecution",
        "POST",
        _EXECUTION + "/stop",
        _DURABLE_STUB,
        "StopDurableExecution",
        ds.StopDurableExecutionRequest,
        has_body=True,
        body_member="Error",
    ),
    Route(
        "PauseDurableExecution",
        "POST",
        _EXECUTION + "/pause",
        _DURABLE_STUB,
        "PauseDurableExecution",
        ds.PauseDurableExecutionRequest,
        ok_status=202,
        has_body=True,
    ),
    Route(
        "ResumeDurableExecution",
        "POST",
        _EXECUTION + "/resume",
        _DURABLE_STUB,
        "ResumeDurableExecution",
        ds.ResumeDurableExecutionRequest,
        ok_status=202,
        has_body=True,
    ),
    Route(
        "DeleteDurableExecution",
        "DELETE",
        _EXECUTION,
        _DURABLE_STUB,
        "DeleteDurableExecution",
        ds.DeleteDurableExecutionRequest,
        ok_status=202,
    ),
    Route(
        "SendDurableExecutionCallbackSuccess",
        "POST",
        _CALLBACK + "/succeed",
        _DURABLE_STUB,
        "SendDurableExecutionCallbackSuccess",
        ds.SendDurableExecutionCallbackSuccessRequest,
        has_body=True,
        payload_member="Result",
    ),
    Route(
        "SendDurableExecutionCallbackFailure",
        "POST",
        _CALLBACK + "/fail",
        _DURABLE_STUB,
        "SendDurableExecutionCallbackFailure",
        ds.SendDurableExecutionCallbackFailureRequest,
        has_body=True,
        body_member="Error",
    ),
    Route(
        "SendDurableExecutionCallbackHeartbeat",
        "POST",
        _CALLBACK + "/heartbeat",
        _DURABLE_STUB,
        "SendDurableExecutionCallbackHeartbeat",
        ds.SendDurableExecutionCallbackHeartbeatRequest,
    ),
)

ALL_ROUTES: tuple[Route, ...] = (
    ROUTES
    + INVOCATION_ROUTES
    + LAYER_ROUTES
    + URL_ROUTES
    + EVENT_SOURCE_ROUTES
    + CODE_SIGNING_ROUTES
    + FUNCTION_SETTINGS_ROUTES
    + RESOURCE_POLICY_ROUTES
    + CAPACITY_PROVIDER_ROUTES
    + DURABLE_ROUTES
)

# X-Ray's trace API subset (TraceService), checked against botocore's *xray* model. X-Ray's
# paths share no prefix with Lambda's, so one gateway serves both services.
_TRACE_STUB = ts_grpc.TraceServiceStub
# fmt: off
XRAY_ROUTES: tuple[Route, ...] = (
    Route(
        "PutTraceSegments", "POST", "/TraceSegments", _TRACE_STUB, "PutTraceSegments",
        ts.PutTraceSegmentsRequest, has_body=True,
    ),
    Route(
        "GetTraceSummaries", "POST", "/TraceSummaries", _TRACE_STUB, "GetTraceSummaries",
        ts.GetTraceSummariesRequest, has_body=True,
    ),
    Route(
        "BatchGetTraces", "POST", "/Traces", _TRACE_STUB, "BatchGetTraces",
        ts.BatchGetTracesRequest, has_body=True,
    ),
)
# fmt: on

# CloudWatch Logs' read subset (LogService), checked against botocore's *logs* model.
_LOGS_STUB = logs_grpc.LogServiceStub
LOGS_TARGET_PREFIX = "Logs_20140328."


def _logs_route(operation: str, request_type: type[Message], **columns: Any) -> Route:
    return Route(
        operation,
        "POST",
        "/",
        _LOGS_STUB,
        operation,
        request_type,
        has_body=True,
        target=LOGS_TARGET_PREFIX + operation,
        **columns,
    )


LOGS_ROUTES: tuple[Route, ...] = (
    _logs_route("DescribeLogGroups", logs.DescribeLogGroupsRequest),
    _logs_route("DescribeLogStreams", logs.DescribeLogStreamsRequest),
    _logs_route("GetLogEvents", logs.GetLogEventsRequest),
    _logs_route("FilterLogEvents", logs.FilterLogEventsRequest),
    _logs_route("StartLiveTail", logs.StartLiveTailRequest, kind=RouteKind.EVENT_STREAM),
)

# What the gateway serves: every Lambda operation, the X-Ray and the CloudWatch Logs subsets.
GATEWAY_ROUTES: tuple[Route, ...] = ALL_ROUTES + XRAY_ROUTES + LOGS_ROUTES


@dataclass(frozen=True)
class RouteMatch:
    """A route chosen for a request, with its URL-decoded path parameters."""

    route: Route
    path_params: Mapping[str, str]


class Router:
    """Finds the route of a method and a raw (still percent-encoded) path.

    Paths are split on `/` before decoding, so an encoded `%2F` or `%3A` inside an ARN
    stays inside its parameter.
    """

    def __init__(self, routes: Sequence[Route]) -> None:
        # Matches of query-less requests by (method, raw path): a client invoking a function
        # sends the same path again and again. Bounded; emptied when full.
        self._recent: dict[tuple[str, str], RouteMatch | None] = {}
        self._by_shape: dict[tuple[str, int], list[tuple[Route, tuple[str, ...]]]] = {}
        self._by_target: dict[str, Route] = {}
        for route in routes:
            if route.target is not None:
                self._by_target[route.target] = route
                continue
            segments = _segments(route.path)
            self._by_shape.setdefault((route.method, len(segments)), []).append((route, segments))
        for candidates in self._by_shape.values():
            # More literal segments first, so `/functions/{F}/versions` would beat a
            # hypothetical `/functions/{F}/{X}`; routes with a fixed query before plain ones.
            candidates.sort(
                key=lambda c: (-sum(not _is_param(s) for s in c[1]), not c[0].required_query)
            )

    def match(
        self,
        method: str,
        raw_path: str,
        query: Mapping[str, Any] | None = None,
        target: str | None = None,
    ) -> RouteMatch | None:
        """The route for `method`, `raw_path` and `query` (or, for a JSON 1.1 request, its
        `X-Amz-Target`), or None for an unknown operation."""
        if target:
            route = self._by_target.get(target)
            if route is None or method.upper() != "POST" or raw_path.strip("/"):
                return None
            return RouteMatch(route, {})
        if query:
            return self._match_path(method, raw_path, query)
        key = (method, raw_path)
        try:
            return self._recent[key]
        except KeyError:
            pass
        found = self._match_path(method, raw_path, None)
        if len(self._recent) >= _RECENT_MATCHES:
            self._recent.clear()
        self._recent[key] = found
        return found

    def _match_path(
        self, method: str, raw_path: str, query: Mapping[str, Any] | None
    ) -> RouteMatch | None:
        segments = _segments(raw_path)
        for route, template in self._by_shape.get((method.upper(), len(segments)), ()):
            required = route.required_query
            if required and any((query or {}).get(k) != v for k, v in required.items()):
                continue
            params: dict[str, str] = {}
            for want, got in zip(template, segments, strict=True):
                if _is_param(want):
                    if not got:
                        break
                    params[want[1:-1]] = unquote(got)
                elif want != got:
                    break
            else:
                return RouteMatch(route, params)
        return None


# How many query-less matches a Router remembers.
_RECENT_MATCHES = 256


def _segments(path: str) -> tuple[str, ...]:
    return tuple(path.partition("?")[0].strip("/").split("/"))


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")
