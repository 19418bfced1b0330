"""Typed gRPC clients for lambdad: `LambdadClient` (blocking) and `AsyncLambdadClient` (asyncio).

Each RPC of each `lambdad.v1` service is one explicit, typed method named after the RPC in
snake_case, so that editors and mypy see the request and response types. Every method
delegates to `_call`, which sends an optional ``x-request-id`` header and turns a failed RPC
into a `LambdadError` subclass through `error_from_rpc`.

Adding a service: add its path prefix below, then one method per RPC to both classes, in the
proto's order. ``tests/unit/test_client.py`` fails until every RPC has a correctly typed
method on both clients.
"""

from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, Self, TypeVar

import grpc
import grpc.aio
from google.protobuf.message import Message

from lambdad.client.errors import error_from_rpc
from lambdad.v1 import event_source_service_pb2 as event_source_service
from lambdad.v1 import function_service_pb2 as function_service
from lambdad.v1 import invocation_service_pb2 as invocation_service
from lambdad.v1 import layer_service_pb2 as layer_service
from lambdad.v1 import trace_service_pb2 as trace_service
from lambdad.v1 import url_service_pb2 as url_service

__all__ = ["AsyncLambdadClient", "LambdadClient", "tls_credentials"]

#: Header carrying the caller's request ID; the daemon binds it to its logs.
REQUEST_ID_HEADER = "x-request-id"
#: Header carrying ``Bearer <token>`` when the daemon requires a token.
AUTHORIZATION_HEADER = "authorization"

_FUNCTION_SERVICE = "/lambdad.v1.FunctionService/"
_INVOCATION_SERVICE = "/lambdad.v1.InvocationService/"
_LAYER_SERVICE = "/lambdad.v1.LayerService/"
_TRACE_SERVICE = "/lambdad.v1.TraceService/"
_URL_SERVICE = "/lambdad.v1.UrlService/"
_EVENT_SOURCE_SERVICE = "/lambdad.v1.EventSourceService/"

_ResponseT = TypeVar("_ResponseT", bound=Message)
_ChannelOptions = Sequence[tuple[str, Any]]


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


def bearer_header(token: str) -> tuple[str, str]:
    """The metadata entry that carries the daemon's bearer `token`."""
    return (AUTHORIZATION_HEADER, f"Bearer {token}")


def _metadata(request_id: str | None, token: str | None) -> tuple[tuple[str, str], ...] | None:
    headers: list[tuple[str, str]] = []
    if request_id is not None:
        headers.append((REQUEST_ID_HEADER, request_id))
    if token:
        headers.append(bearer_header(token))
    return tuple(headers) or None


def tls_credentials(
    *,
    ca_cert: str | Path | None = None,
    client_cert: str | Path | None = None,
    client_key: str | Path | None = None,
) -> grpc.ChannelCredentials:
    """TLS credentials from PEM files: ``ca_cert`` (default: the system roots) verifies the
    daemon; ``client_cert`` and ``client_key`` (both or neither) are presented for mTLS."""
    if (client_cert is None) != (client_key is None):
        raise ValueError("client_cert and client_key go together")
    return grpc.ssl_channel_credentials(
        root_certificates=Path(ca_cert).read_bytes() if ca_cert else None,
        private_key=Path(client_key).read_bytes() if client_key else None,
        certificate_chain=Path(client_cert).read_bytes() if client_cert else None,
    )


# AWS messages can be long (validation errors quote the offending value, the 4 KB environment
# error quotes every variable) and travel twice in the trailers (grpc-message and the Status
# details), far past gRPC's default 8 KB metadata limit. Messages carry up to ~70 MB of zip.
MAX_MESSAGE_BYTES = 80 << 20
DEFAULT_CHANNEL_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.max_metadata_size", MAX_MESSAGE_BYTES),
    ("grpc.absolute_max_metadata_size", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
)


def channel_options(options: _ChannelOptions | None = None) -> list[tuple[str, Any]]:
    """lambdad's channel defaults, overridden by `options`."""
    merged = dict(DEFAULT_CHANNEL_OPTIONS)
    merged.update(dict(options or ()))
    return list(merged.items())


class LambdadClient:
    """Blocking client for the lambdad gRPC API.

    Use `connect` for a plaintext channel to a local daemon, or wrap any `grpc.Channel`
    (TLS, interceptors). Closing the client closes the channel::

        with LambdadClient.connect("127.0.0.1:50051") as client:
            client.get_function(GetFunctionRequest(function_name="my-fn"))

    Every RPC method takes the request message and, keyword-only, ``timeout`` (seconds;
    ``None`` waits indefinitely) and ``request_id`` (sent as ``x-request-id``). Failures raise
    a `LambdadError` subclass.
    """

    def __init__(self, channel: grpc.Channel, *, token: str | None = None) -> None:
        self._channel = channel
        # Sent as `authorization: Bearer <token>` on every call (also over plaintext).
        self._token = token

    @classmethod
    def connect(
        cls,
        target: str,
        *,
        credentials: grpc.ChannelCredentials | None = None,
        token: str | None = None,
        options: _ChannelOptions | None = None,
    ) -> Self:
        """Open a channel to ``target`` (``host:port``), with TLS when given ``credentials``
        (see `tls_credentials`) and a bearer ``token`` when the daemon requires one."""
        merged = channel_options(options)
        if credentials is None:
            return cls(grpc.insecure_channel(target, merged), token=token)
        return cls(grpc.secure_channel(target, credentials, merged), token=token)

    @property
    def channel(self) -> grpc.Channel:
        """The underlying channel."""
        return self._channel

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self._channel.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(
        self,
        method: str,
        request: Message,
        response_type: type[_ResponseT],
        timeout: float | None,
        request_id: str | None,
    ) -> _ResponseT:
        rpc = self._channel.unary_unary(
            method,
            request_serializer=_serialize,
            response_deserializer=response_type.FromString,
        )
        try:
            return rpc(request, timeout=timeout, metadata=_metadata(request_id, self._token))
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from exc

    def _stream(
        self,
        method: str,
        request: Message,
        response_type: type[_ResponseT],
        timeout: float | None,
        request_id: str | None,
    ) -> Iterator[_ResponseT]:
        # For server-streaming RPCs. The call starts on the first next(); leaving the loop
        # early cancels it, so the daemon stops producing.
        rpc = self._channel.unary_stream(
            method,
            request_serializer=_serialize,
            response_deserializer=response_type.FromString,
        )
        call = rpc(request, timeout=timeout, metadata=_metadata(request_id, self._token))
        try:
            yield from call
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from exc
        finally:
            call.cancel()

    # FunctionService

    def create_function(
        self,
        request: function_service.CreateFunctionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.CreateFunctionResponse:
        """Creates a function; it starts Pending and turns Active shortly after."""
        return self._call(
            _FUNCTION_SERVICE + "CreateFunction",
            request,
            function_service.CreateFunctionResponse,
            timeout,
            request_id,
        )

    def get_function(
        self,
        request: function_service.GetFunctionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.GetFunctionResponse:
        """Returns a version's configuration, code location, tags and concurrency."""
        return self._call(
            _FUNCTION_SERVICE + "GetFunction",
            request,
            function_service.GetFunctionResponse,
            timeout,
            request_id,
        )

    def get_function_configuration(
        self,
        request: function_service.GetFunctionConfigurationRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.GetFunctionConfigurationResponse:
        """Returns a version's configuration."""
        return self._call(
            _FUNCTION_SERVICE + "GetFunctionConfiguration",
            request,
            function_service.GetFunctionConfigurationResponse,
            timeout,
            request_id,
        )

    def list_functions(
        self,
        request: function_service.ListFunctionsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.ListFunctionsResponse:
        """Lists functions ($LATEST, or every version with function_version = "ALL")."""
        return self._call(
            _FUNCTION_SERVICE + "ListFunctions",
            request,
            function_service.ListFunctionsResponse,
            timeout,
            request_id,
        )

    def update_function_code(
        self,
        request: function_service.UpdateFunctionCodeRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.UpdateFunctionCodeResponse:
        """Replaces the code of $LATEST."""
        return self._call(
            _FUNCTION_SERVICE + "UpdateFunctionCode",
            request,
            function_service.UpdateFunctionCodeResponse,
            timeout,
            request_id,
        )

    def set_function_debug(
        self,
        request: function_service.SetFunctionDebugRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.SetFunctionDebugResponse:
        """Turns remote debugging of $LATEST on (port) or off (port 0)."""
        return self._call(
            _FUNCTION_SERVICE + "SetFunctionDebug",
            request,
            function_service.SetFunctionDebugResponse,
            timeout,
            request_id,
        )

    def update_function_configuration(
        self,
        request: function_service.UpdateFunctionConfigurationRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.UpdateFunctionConfigurationResponse:
        """Changes settings of $LATEST; fields named in update_mask are replaced."""
        return self._call(
            _FUNCTION_SERVICE + "UpdateFunctionConfiguration",
            request,
            function_service.UpdateFunctionConfigurationResponse,
            timeout,
            request_id,
        )

    def delete_function(
        self,
        request: function_service.DeleteFunctionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.DeleteFunctionResponse:
        """Deletes a function with all versions and aliases, or one published version."""
        return self._call(
            _FUNCTION_SERVICE + "DeleteFunction",
            request,
            function_service.DeleteFunctionResponse,
            timeout,
            request_id,
        )

    def publish_version(
        self,
        request: function_service.PublishVersionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.PublishVersionResponse:
        """Snapshots $LATEST as a new numbered version (or returns the newest if unchanged)."""
        return self._call(
            _FUNCTION_SERVICE + "PublishVersion",
            request,
            function_service.PublishVersionResponse,
            timeout,
            request_id,
        )

    def list_versions_by_function(
        self,
        request: function_service.ListVersionsByFunctionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.ListVersionsByFunctionResponse:
        """Lists $LATEST and every published version."""
        return self._call(
            _FUNCTION_SERVICE + "ListVersionsByFunction",
            request,
            function_service.ListVersionsByFunctionResponse,
            timeout,
            request_id,
        )

    def create_alias(
        self,
        request: function_service.CreateAliasRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.CreateAliasResponse:
        """Creates an alias."""
        return self._call(
            _FUNCTION_SERVICE + "CreateAlias",
            request,
            function_service.CreateAliasResponse,
            timeout,
            request_id,
        )

    def get_alias(
        self,
        request: function_service.GetAliasRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.GetAliasResponse:
        """Returns an alias."""
        return self._call(
            _FUNCTION_SERVICE + "GetAlias",
            request,
            function_service.GetAliasResponse,
            timeout,
            request_id,
        )

    def list_aliases(
        self,
        request: function_service.ListAliasesRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.ListAliasesResponse:
        """Lists aliases, optionally only those pointing at one version."""
        return self._call(
            _FUNCTION_SERVICE + "ListAliases",
            request,
            function_service.ListAliasesResponse,
            timeout,
            request_id,
        )

    def update_alias(
        self,
        request: function_service.UpdateAliasRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.UpdateAliasResponse:
        """Changes an alias; fields named in update_mask are replaced."""
        return self._call(
            _FUNCTION_SERVICE + "UpdateAlias",
            request,
            function_service.UpdateAliasResponse,
            timeout,
            request_id,
        )

    def delete_alias(
        self,
        request: function_service.DeleteAliasRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.DeleteAliasResponse:
        """Deletes an alias."""
        return self._call(
            _FUNCTION_SERVICE + "DeleteAlias",
            request,
            function_service.DeleteAliasResponse,
            timeout,
            request_id,
        )

    def tag_resource(
        self,
        request: function_service.TagResourceRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.TagResourceResponse:
        """Adds or replaces tags on a function ARN."""
        return self._call(
            _FUNCTION_SERVICE + "TagResource",
            request,
            function_service.TagResourceResponse,
            timeout,
            request_id,
        )

    def untag_resource(
        self,
        request: function_service.UntagResourceRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.UntagResourceResponse:
        """Removes tags from a function ARN."""
        return self._call(
            _FUNCTION_SERVICE + "UntagResource",
            request,
            function_service.UntagResourceResponse,
            timeout,
            request_id,
        )

    def list_tags(
        self,
        request: function_service.ListTagsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.ListTagsResponse:
        """Lists the tags of a function ARN."""
        return self._call(
            _FUNCTION_SERVICE + "ListTags",
            request,
            function_service.ListTagsResponse,
            timeout,
            request_id,
        )

    def get_account_settings(
        self,
        request: function_service.GetAccountSettingsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.GetAccountSettingsResponse:
        """Returns account limits and usage."""
        return self._call(
            _FUNCTION_SERVICE + "GetAccountSettings",
            request,
            function_service.GetAccountSettingsResponse,
            timeout,
            request_id,
        )

    def download_code(
        self,
        request: function_service.DownloadCodeRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> Iterator[function_service.DownloadCodeResponse]:
        """Streams a stored zip named by a signed code location (GetFunction's Code.Location)."""
        return self._stream(
            _FUNCTION_SERVICE + "DownloadCode",
            request,
            function_service.DownloadCodeResponse,
            timeout,
            request_id,
        )

    # InvocationService

    def invoke(
        self,
        request: invocation_service.InvokeRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.InvokeResponse:
        """Invokes a function: RequestResponse waits, Event queues, DryRun only checks."""
        return self._call(
            _INVOCATION_SERVICE + "Invoke",
            request,
            invocation_service.InvokeResponse,
            timeout,
            request_id,
        )

    def invoke_with_response_stream(
        self,
        request: invocation_service.InvokeWithResponseStreamRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> Iterator[invocation_service.InvokeWithResponseStreamResponse]:
        """Invokes a function, streaming a start message, payload chunks, then a completion."""
        return self._stream(
            _INVOCATION_SERVICE + "InvokeWithResponseStream",
            request,
            invocation_service.InvokeWithResponseStreamResponse,
            timeout,
            request_id,
        )

    def stream_logs(
        self,
        request: invocation_service.StreamLogsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> Iterator[invocation_service.StreamLogsResponse]:
        """Streams a function's kept log lines (START/END/REPORT), then new ones with follow."""
        return self._stream(
            _INVOCATION_SERVICE + "StreamLogs",
            request,
            invocation_service.StreamLogsResponse,
            timeout,
            request_id,
        )

    def put_function_concurrency(
        self,
        request: invocation_service.PutFunctionConcurrencyRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.PutFunctionConcurrencyResponse:
        """Reserves concurrency for a function (0 throttles every invocation)."""
        return self._call(
            _INVOCATION_SERVICE + "PutFunctionConcurrency",
            request,
            invocation_service.PutFunctionConcurrencyResponse,
            timeout,
            request_id,
        )

    def get_function_concurrency(
        self,
        request: invocation_service.GetFunctionConcurrencyRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.GetFunctionConcurrencyResponse:
        """Returns a function's reserved concurrency, if any."""
        return self._call(
            _INVOCATION_SERVICE + "GetFunctionConcurrency",
            request,
            invocation_service.GetFunctionConcurrencyResponse,
            timeout,
            request_id,
        )

    def delete_function_concurrency(
        self,
        request: invocation_service.DeleteFunctionConcurrencyRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.DeleteFunctionConcurrencyResponse:
        """Removes a function's reserved concurrency; it shares the unreserved pool again."""
        return self._call(
            _INVOCATION_SERVICE + "DeleteFunctionConcurrency",
            request,
            invocation_service.DeleteFunctionConcurrencyResponse,
            timeout,
            request_id,
        )

    def put_function_event_invoke_config(
        self,
        request: invocation_service.PutFunctionEventInvokeConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.PutFunctionEventInvokeConfigResponse:
        """Configures Event invocations (retries, event age, destinations); replaces any config."""
        return self._call(
            _INVOCATION_SERVICE + "PutFunctionEventInvokeConfig",
            request,
            invocation_service.PutFunctionEventInvokeConfigResponse,
            timeout,
            request_id,
        )

    def update_function_event_invoke_config(
        self,
        request: invocation_service.UpdateFunctionEventInvokeConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.UpdateFunctionEventInvokeConfigResponse:
        """Changes an Event invocation config: only the fields present are replaced."""
        return self._call(
            _INVOCATION_SERVICE + "UpdateFunctionEventInvokeConfig",
            request,
            invocation_service.UpdateFunctionEventInvokeConfigResponse,
            timeout,
            request_id,
        )

    def get_function_event_invoke_config(
        self,
        request: invocation_service.GetFunctionEventInvokeConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.GetFunctionEventInvokeConfigResponse:
        """Returns the Event invocation configuration of a function, version or alias."""
        return self._call(
            _INVOCATION_SERVICE + "GetFunctionEventInvokeConfig",
            request,
            invocation_service.GetFunctionEventInvokeConfigResponse,
            timeout,
            request_id,
        )

    def delete_function_event_invoke_config(
        self,
        request: invocation_service.DeleteFunctionEventInvokeConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.DeleteFunctionEventInvokeConfigResponse:
        """Removes the Event invocation configuration of a function, version or alias."""
        return self._call(
            _INVOCATION_SERVICE + "DeleteFunctionEventInvokeConfig",
            request,
            invocation_service.DeleteFunctionEventInvokeConfigResponse,
            timeout,
            request_id,
        )

    def list_function_event_invoke_configs(
        self,
        request: invocation_service.ListFunctionEventInvokeConfigsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.ListFunctionEventInvokeConfigsResponse:
        """Lists a function's Event invocation configs (all its versions and aliases)."""
        return self._call(
            _INVOCATION_SERVICE + "ListFunctionEventInvokeConfigs",
            request,
            invocation_service.ListFunctionEventInvokeConfigsResponse,
            timeout,
            request_id,
        )

    def list_invocations(
        self,
        request: invocation_service.ListInvocationsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.ListInvocationsResponse:
        """Lists a function's recent invocations, newest first (lambdad's own)."""
        return self._call(
            _INVOCATION_SERVICE + "ListInvocations",
            request,
            invocation_service.ListInvocationsResponse,
            timeout,
            request_id,
        )

    def put_trace_segments(
        self,
        request: trace_service.PutTraceSegmentsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> trace_service.PutTraceSegmentsResponse:
        """Keeps X-Ray segment documents (X-Ray PutTraceSegments)."""
        return self._call(
            _TRACE_SERVICE + "PutTraceSegments",
            request,
            trace_service.PutTraceSegmentsResponse,
            timeout,
            request_id,
        )

    def get_trace_summaries(
        self,
        request: trace_service.GetTraceSummariesRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> trace_service.GetTraceSummariesResponse:
        """Summaries of the kept traces that started in a time range."""
        return self._call(
            _TRACE_SERVICE + "GetTraceSummaries",
            request,
            trace_service.GetTraceSummariesResponse,
            timeout,
            request_id,
        )

    def batch_get_traces(
        self,
        request: trace_service.BatchGetTracesRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> trace_service.BatchGetTracesResponse:
        """The segment documents of traces by id."""
        return self._call(
            _TRACE_SERVICE + "BatchGetTraces",
            request,
            trace_service.BatchGetTracesResponse,
            timeout,
            request_id,
        )

    def publish_layer_version(
        self,
        request: layer_service.PublishLayerVersionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.PublishLayerVersionResponse:
        """Publishes a new version of a layer (creating the layer if needed)."""
        return self._call(
            _LAYER_SERVICE + "PublishLayerVersion",
            request,
            layer_service.PublishLayerVersionResponse,
            timeout,
            request_id,
        )

    def get_layer_version(
        self,
        request: layer_service.GetLayerVersionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.GetLayerVersionResponse:
        """Returns one layer version with a download location."""
        return self._call(
            _LAYER_SERVICE + "GetLayerVersion",
            request,
            layer_service.GetLayerVersionResponse,
            timeout,
            request_id,
        )

    def get_layer_version_by_arn(
        self,
        request: layer_service.GetLayerVersionByArnRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.GetLayerVersionByArnResponse:
        """Returns one layer version named by its ARN."""
        return self._call(
            _LAYER_SERVICE + "GetLayerVersionByArn",
            request,
            layer_service.GetLayerVersionByArnResponse,
            timeout,
            request_id,
        )

    def list_layers(
        self,
        request: layer_service.ListLayersRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.ListLayersResponse:
        """Lists layers with their newest matching version."""
        return self._call(
            _LAYER_SERVICE + "ListLayers",
            request,
            layer_service.ListLayersResponse,
            timeout,
            request_id,
        )

    def list_layer_versions(
        self,
        request: layer_service.ListLayerVersionsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.ListLayerVersionsResponse:
        """Lists the versions of one layer, newest first."""
        return self._call(
            _LAYER_SERVICE + "ListLayerVersions",
            request,
            layer_service.ListLayerVersionsResponse,
            timeout,
            request_id,
        )

    def delete_layer_version(
        self,
        request: layer_service.DeleteLayerVersionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.DeleteLayerVersionResponse:
        """Deletes a layer version; its number is never reused."""
        return self._call(
            _LAYER_SERVICE + "DeleteLayerVersion",
            request,
            layer_service.DeleteLayerVersionResponse,
            timeout,
            request_id,
        )

    def add_layer_version_permission(
        self,
        request: layer_service.AddLayerVersionPermissionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.AddLayerVersionPermissionResponse:
        """Adds a statement to a layer version's policy."""
        return self._call(
            _LAYER_SERVICE + "AddLayerVersionPermission",
            request,
            layer_service.AddLayerVersionPermissionResponse,
            timeout,
            request_id,
        )

    def get_layer_version_policy(
        self,
        request: layer_service.GetLayerVersionPolicyRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.GetLayerVersionPolicyResponse:
        """Returns a layer version's policy document."""
        return self._call(
            _LAYER_SERVICE + "GetLayerVersionPolicy",
            request,
            layer_service.GetLayerVersionPolicyResponse,
            timeout,
            request_id,
        )

    def remove_layer_version_permission(
        self,
        request: layer_service.RemoveLayerVersionPermissionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.RemoveLayerVersionPermissionResponse:
        """Removes a statement from a layer version's policy."""
        return self._call(
            _LAYER_SERVICE + "RemoveLayerVersionPermission",
            request,
            layer_service.RemoveLayerVersionPermissionResponse,
            timeout,
            request_id,
        )

    # UrlService

    def create_function_url_config(
        self,
        request: url_service.CreateFunctionUrlConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.CreateFunctionUrlConfigResponse:
        """Creates the URL of a function ($LATEST) or an alias."""
        return self._call(
            _URL_SERVICE + "CreateFunctionUrlConfig",
            request,
            url_service.CreateFunctionUrlConfigResponse,
            timeout,
            request_id,
        )

    def get_function_url_config(
        self,
        request: url_service.GetFunctionUrlConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.GetFunctionUrlConfigResponse:
        """Returns the URL configuration of a function or alias."""
        return self._call(
            _URL_SERVICE + "GetFunctionUrlConfig",
            request,
            url_service.GetFunctionUrlConfigResponse,
            timeout,
            request_id,
        )

    def update_function_url_config(
        self,
        request: url_service.UpdateFunctionUrlConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.UpdateFunctionUrlConfigResponse:
        """Changes auth type, CORS or invoke mode of a function URL."""
        return self._call(
            _URL_SERVICE + "UpdateFunctionUrlConfig",
            request,
            url_service.UpdateFunctionUrlConfigResponse,
            timeout,
            request_id,
        )

    def delete_function_url_config(
        self,
        request: url_service.DeleteFunctionUrlConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.DeleteFunctionUrlConfigResponse:
        """Deletes the URL of a function or alias."""
        return self._call(
            _URL_SERVICE + "DeleteFunctionUrlConfig",
            request,
            url_service.DeleteFunctionUrlConfigResponse,
            timeout,
            request_id,
        )

    def list_function_url_configs(
        self,
        request: url_service.ListFunctionUrlConfigsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.ListFunctionUrlConfigsResponse:
        """Lists a function's URLs."""
        return self._call(
            _URL_SERVICE + "ListFunctionUrlConfigs",
            request,
            url_service.ListFunctionUrlConfigsResponse,
            timeout,
            request_id,
        )

    def add_permission(
        self,
        request: url_service.AddPermissionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.AddPermissionResponse:
        """Adds a statement to the resource policy of a function, version or alias."""
        return self._call(
            _URL_SERVICE + "AddPermission",
            request,
            url_service.AddPermissionResponse,
            timeout,
            request_id,
        )

    def get_policy(
        self,
        request: url_service.GetPolicyRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.GetPolicyResponse:
        """Returns the resource policy of a function, version or alias."""
        return self._call(
            _URL_SERVICE + "GetPolicy",
            request,
            url_service.GetPolicyResponse,
            timeout,
            request_id,
        )

    def remove_permission(
        self,
        request: url_service.RemovePermissionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.RemovePermissionResponse:
        """Removes a statement from a resource policy."""
        return self._call(
            _URL_SERVICE + "RemovePermission",
            request,
            url_service.RemovePermissionResponse,
            timeout,
            request_id,
        )

    def resolve_function_url(
        self,
        request: url_service.ResolveFunctionUrlRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.ResolveFunctionUrlResponse:
        """Resolves a URL id and authorises an HTTP request to it (the gateway's call)."""
        return self._call(
            _URL_SERVICE + "ResolveFunctionUrl",
            request,
            url_service.ResolveFunctionUrlResponse,
            timeout,
            request_id,
        )

    # EventSourceService

    def create_event_source_mapping(
        self,
        request: event_source_service.CreateEventSourceMappingRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> event_source_service.CreateEventSourceMappingResponse:
        """Maps a queue or stream to a function (state Creating)."""
        return self._call(
            _EVENT_SOURCE_SERVICE + "CreateEventSourceMapping",
            request,
            event_source_service.CreateEventSourceMappingResponse,
            timeout,
            request_id,
        )

    def get_event_source_mapping(
        self,
        request: event_source_service.GetEventSourceMappingRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> event_source_service.GetEventSourceMappingResponse:
        """Returns an event source mapping."""
        return self._call(
            _EVENT_SOURCE_SERVICE + "GetEventSourceMapping",
            request,
            event_source_service.GetEventSourceMappingResponse,
            timeout,
            request_id,
        )

    def update_event_source_mapping(
        self,
        request: event_source_service.UpdateEventSourceMappingRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> event_source_service.UpdateEventSourceMappingResponse:
        """Changes an event source mapping (state Updating)."""
        return self._call(
            _EVENT_SOURCE_SERVICE + "UpdateEventSourceMapping",
            request,
            event_source_service.UpdateEventSourceMappingResponse,
            timeout,
            request_id,
        )

    def delete_event_source_mapping(
        self,
        request: event_source_service.DeleteEventSourceMappingRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> event_source_service.DeleteEventSourceMappingResponse:
        """Removes an event source mapping (state Deleting)."""
        return self._call(
            _EVENT_SOURCE_SERVICE + "DeleteEventSourceMapping",
            request,
            event_source_service.DeleteEventSourceMappingResponse,
            timeout,
            request_id,
        )

    def list_event_source_mappings(
        self,
        request: event_source_service.ListEventSourceMappingsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> event_source_service.ListEventSourceMappingsResponse:
        """Lists event source mappings."""
        return self._call(
            _EVENT_SOURCE_SERVICE + "ListEventSourceMappings",
            request,
            event_source_service.ListEventSourceMappingsResponse,
            timeout,
            request_id,
        )


class AsyncLambdadClient:
    """asyncio client for the lambdad gRPC API (grpc.aio); the same methods as `LambdadClient`.

    ::

        async with AsyncLambdadClient.connect("127.0.0.1:50051") as client:
            await client.get_function(GetFunctionRequest(function_name="my-fn"))
    """

    def __init__(self, channel: grpc.aio.Channel, *, token: str | None = None) -> None:
        self._channel = channel
        # Sent as `authorization: Bearer <token>` on every call (also over plaintext).
        self._token = token

    @classmethod
    def connect(
        cls,
        target: str,
        *,
        credentials: grpc.ChannelCredentials | None = None,
        token: str | None = None,
        options: _ChannelOptions | None = None,
    ) -> Self:
        """Open a channel to ``target`` (``host:port``), with TLS when given ``credentials``
        (see `tls_credentials`) and a bearer ``token`` when the daemon requires one."""
        merged = channel_options(options)
        if credentials is None:
            return cls(grpc.aio.insecure_channel(target, merged), token=token)
        return cls(grpc.aio.secure_channel(target, credentials, merged), token=token)

    @property
    def channel(self) -> grpc.aio.Channel:
        """The underlying channel."""
        return self._channel

    async def close(self, grace: float | None = None) -> None:
        """Close the channel, letting calls in flight finish for up to ``grace`` seconds."""
        await self._channel.close(grace)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _call(
        self,
        method: str,
        request: Message,
        response_type: type[_ResponseT],
        timeout: float | None,
        request_id: str | None,
    ) -> _ResponseT:
        rpc = self._channel.unary_unary(
            method,
            request_serializer=_serialize,
            response_deserializer=response_type.FromString,
        )
        try:
            return await rpc(request, timeout=timeout, metadata=_metadata(request_id, self._token))
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from exc

    async def _stream(
        self,
        method: str,
        request: Message,
        response_type: type[_ResponseT],
        timeout: float | None,
        request_id: str | None,
    ) -> AsyncIterator[_ResponseT]:
        # For server-streaming RPCs; see LambdadClient._stream.
        rpc = self._channel.unary_stream(
            method,
            request_serializer=_serialize,
            response_deserializer=response_type.FromString,
        )
        call = rpc(request, timeout=timeout, metadata=_metadata(request_id, self._token))
        try:
            async for response in call:
                yield response
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from exc
        finally:
            call.cancel()

    # FunctionService

    async def create_function(
        self,
        request: function_service.CreateFunctionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.CreateFunctionResponse:
        """Creates a function; it starts Pending and turns Active shortly after."""
        return await self._call(
            _FUNCTION_SERVICE + "CreateFunction",
            request,
            function_service.CreateFunctionResponse,
            timeout,
            request_id,
        )

    async def get_function(
        self,
        request: function_service.GetFunctionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.GetFunctionResponse:
        """Returns a version's configuration, code location, tags and concurrency."""
        return await self._call(
            _FUNCTION_SERVICE + "GetFunction",
            request,
            function_service.GetFunctionResponse,
            timeout,
            request_id,
        )

    async def get_function_configuration(
        self,
        request: function_service.GetFunctionConfigurationRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.GetFunctionConfigurationResponse:
        """Returns a version's configuration."""
        return await self._call(
            _FUNCTION_SERVICE + "GetFunctionConfiguration",
            request,
            function_service.GetFunctionConfigurationResponse,
            timeout,
            request_id,
        )

    async def list_functions(
        self,
        request: function_service.ListFunctionsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.ListFunctionsResponse:
        """Lists functions ($LATEST, or every version with function_version = "ALL")."""
        return await self._call(
            _FUNCTION_SERVICE + "ListFunctions",
            request,
            function_service.ListFunctionsResponse,
            timeout,
            request_id,
        )

    async def update_function_code(
        self,
        request: function_service.UpdateFunctionCodeRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.UpdateFunctionCodeResponse:
        """Replaces the code of $LATEST."""
        return await self._call(
            _FUNCTION_SERVICE + "UpdateFunctionCode",
            request,
            function_service.UpdateFunctionCodeResponse,
            timeout,
            request_id,
        )

    async def set_function_debug(
        self,
        request: function_service.SetFunctionDebugRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.SetFunctionDebugResponse:
        """Turns remote debugging of $LATEST on (port) or off (port 0)."""
        return await self._call(
            _FUNCTION_SERVICE + "SetFunctionDebug",
            request,
            function_service.SetFunctionDebugResponse,
            timeout,
            request_id,
        )

    async def update_function_configuration(
        self,
        request: function_service.UpdateFunctionConfigurationRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.UpdateFunctionConfigurationResponse:
        """Changes settings of $LATEST; fields named in update_mask are replaced."""
        return await self._call(
            _FUNCTION_SERVICE + "UpdateFunctionConfiguration",
            request,
            function_service.UpdateFunctionConfigurationResponse,
            timeout,
            request_id,
        )

    async def delete_function(
        self,
        request: function_service.DeleteFunctionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.DeleteFunctionResponse:
        """Deletes a function with all versions and aliases, or one published version."""
        return await self._call(
            _FUNCTION_SERVICE + "DeleteFunction",
            request,
            function_service.DeleteFunctionResponse,
            timeout,
            request_id,
        )

    async def publish_version(
        self,
        request: function_service.PublishVersionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.PublishVersionResponse:
        """Snapshots $LATEST as a new numbered version (or returns the newest if unchanged)."""
        return await self._call(
            _FUNCTION_SERVICE + "PublishVersion",
            request,
            function_service.PublishVersionResponse,
            timeout,
            request_id,
        )

    async def list_versions_by_function(
        self,
        request: function_service.ListVersionsByFunctionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.ListVersionsByFunctionResponse:
        """Lists $LATEST and every published version."""
        return await self._call(
            _FUNCTION_SERVICE + "ListVersionsByFunction",
            request,
            function_service.ListVersionsByFunctionResponse,
            timeout,
            request_id,
        )

    async def create_alias(
        self,
        request: function_service.CreateAliasRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.CreateAliasResponse:
        """Creates an alias."""
        return await self._call(
            _FUNCTION_SERVICE + "CreateAlias",
            request,
            function_service.CreateAliasResponse,
            timeout,
            request_id,
        )

    async def get_alias(
        self,
        request: function_service.GetAliasRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.GetAliasResponse:
        """Returns an alias."""
        return await self._call(
            _FUNCTION_SERVICE + "GetAlias",
            request,
            function_service.GetAliasResponse,
            timeout,
            request_id,
        )

    async def list_aliases(
        self,
        request: function_service.ListAliasesRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.ListAliasesResponse:
        """Lists aliases, optionally only those pointing at one version."""
        return await self._call(
            _FUNCTION_SERVICE + "ListAliases",
            request,
            function_service.ListAliasesResponse,
            timeout,
            request_id,
        )

    async def update_alias(
        self,
        request: function_service.UpdateAliasRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.UpdateAliasResponse:
        """Changes an alias; fields named in update_mask are replaced."""
        return await self._call(
            _FUNCTION_SERVICE + "UpdateAlias",
            request,
            function_service.UpdateAliasResponse,
            timeout,
            request_id,
        )

    async def delete_alias(
        self,
        request: function_service.DeleteAliasRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.DeleteAliasResponse:
        """Deletes an alias."""
        return await self._call(
            _FUNCTION_SERVICE + "DeleteAlias",
            request,
            function_service.DeleteAliasResponse,
            timeout,
            request_id,
        )

    async def tag_resource(
        self,
        request: function_service.TagResourceRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.TagResourceResponse:
        """Adds or replaces tags on a function ARN."""
        return await self._call(
            _FUNCTION_SERVICE + "TagResource",
            request,
            function_service.TagResourceResponse,
            timeout,
            request_id,
        )

    async def untag_resource(
        self,
        request: function_service.UntagResourceRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.UntagResourceResponse:
        """Removes tags from a function ARN."""
        return await self._call(
            _FUNCTION_SERVICE + "UntagResource",
            request,
            function_service.UntagResourceResponse,
            timeout,
            request_id,
        )

    async def list_tags(
        self,
        request: function_service.ListTagsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.ListTagsResponse:
        """Lists the tags of a function ARN."""
        return await self._call(
            _FUNCTION_SERVICE + "ListTags",
            request,
            function_service.ListTagsResponse,
            timeout,
            request_id,
        )

    async def get_account_settings(
        self,
        request: function_service.GetAccountSettingsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> function_service.GetAccountSettingsResponse:
        """Returns account limits and usage."""
        return await self._call(
            _FUNCTION_SERVICE + "GetAccountSettings",
            request,
            function_service.GetAccountSettingsResponse,
            timeout,
            request_id,
        )

    def download_code(
        self,
        request: function_service.DownloadCodeRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> AsyncIterator[function_service.DownloadCodeResponse]:
        """Streams a stored zip named by a signed code location (GetFunction's Code.Location)."""
        return self._stream(
            _FUNCTION_SERVICE + "DownloadCode",
            request,
            function_service.DownloadCodeResponse,
            timeout,
            request_id,
        )

    # InvocationService

    async def invoke(
        self,
        request: invocation_service.InvokeRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.InvokeResponse:
        """Invokes a function: RequestResponse waits, Event queues, DryRun only checks."""
        return await self._call(
            _INVOCATION_SERVICE + "Invoke",
            request,
            invocation_service.InvokeResponse,
            timeout,
            request_id,
        )

    def invoke_with_response_stream(
        self,
        request: invocation_service.InvokeWithResponseStreamRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> AsyncIterator[invocation_service.InvokeWithResponseStreamResponse]:
        """Invokes a function, streaming a start message, payload chunks, then a completion."""
        return self._stream(
            _INVOCATION_SERVICE + "InvokeWithResponseStream",
            request,
            invocation_service.InvokeWithResponseStreamResponse,
            timeout,
            request_id,
        )

    def stream_logs(
        self,
        request: invocation_service.StreamLogsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> AsyncIterator[invocation_service.StreamLogsResponse]:
        """Streams a function's kept log lines (START/END/REPORT), then new ones with follow."""
        return self._stream(
            _INVOCATION_SERVICE + "StreamLogs",
            request,
            invocation_service.StreamLogsResponse,
            timeout,
            request_id,
        )

    async def put_function_concurrency(
        self,
        request: invocation_service.PutFunctionConcurrencyRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.PutFunctionConcurrencyResponse:
        """Reserves concurrency for a function (0 throttles every invocation)."""
        return await self._call(
            _INVOCATION_SERVICE + "PutFunctionConcurrency",
            request,
            invocation_service.PutFunctionConcurrencyResponse,
            timeout,
            request_id,
        )

    async def get_function_concurrency(
        self,
        request: invocation_service.GetFunctionConcurrencyRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.GetFunctionConcurrencyResponse:
        """Returns a function's reserved concurrency, if any."""
        return await self._call(
            _INVOCATION_SERVICE + "GetFunctionConcurrency",
            request,
            invocation_service.GetFunctionConcurrencyResponse,
            timeout,
            request_id,
        )

    async def delete_function_concurrency(
        self,
        request: invocation_service.DeleteFunctionConcurrencyRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.DeleteFunctionConcurrencyResponse:
        """Removes a function's reserved concurrency; it shares the unreserved pool again."""
        return await self._call(
            _INVOCATION_SERVICE + "DeleteFunctionConcurrency",
            request,
            invocation_service.DeleteFunctionConcurrencyResponse,
            timeout,
            request_id,
        )

    async def put_function_event_invoke_config(
        self,
        request: invocation_service.PutFunctionEventInvokeConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.PutFunctionEventInvokeConfigResponse:
        """Configures Event invocations (retries, event age, destinations); replaces any config."""
        return await self._call(
            _INVOCATION_SERVICE + "PutFunctionEventInvokeConfig",
            request,
            invocation_service.PutFunctionEventInvokeConfigResponse,
            timeout,
            request_id,
        )

    async def update_function_event_invoke_config(
        self,
        request: invocation_service.UpdateFunctionEventInvokeConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.UpdateFunctionEventInvokeConfigResponse:
        """Changes an Event invocation config: only the fields present are replaced."""
        return await self._call(
            _INVOCATION_SERVICE + "UpdateFunctionEventInvokeConfig",
            request,
            invocation_service.UpdateFunctionEventInvokeConfigResponse,
            timeout,
            request_id,
        )

    async def get_function_event_invoke_config(
        self,
        request: invocation_service.GetFunctionEventInvokeConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.GetFunctionEventInvokeConfigResponse:
        """Returns the Event invocation configuration of a function, version or alias."""
        return await self._call(
            _INVOCATION_SERVICE + "GetFunctionEventInvokeConfig",
            request,
            invocation_service.GetFunctionEventInvokeConfigResponse,
            timeout,
            request_id,
        )

    async def delete_function_event_invoke_config(
        self,
        request: invocation_service.DeleteFunctionEventInvokeConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.DeleteFunctionEventInvokeConfigResponse:
        """Removes the Event invocation configuration of a function, version or alias."""
        return await self._call(
            _INVOCATION_SERVICE + "DeleteFunctionEventInvokeConfig",
            request,
            invocation_service.DeleteFunctionEventInvokeConfigResponse,
            timeout,
            request_id,
        )

    async def list_function_event_invoke_configs(
        self,
        request: invocation_service.ListFunctionEventInvokeConfigsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.ListFunctionEventInvokeConfigsResponse:
        """Lists a function's Event invocation configs (all its versions and aliases)."""
        return await self._call(
            _INVOCATION_SERVICE + "ListFunctionEventInvokeConfigs",
            request,
            invocation_service.ListFunctionEventInvokeConfigsResponse,
            timeout,
            request_id,
        )

    async def list_invocations(
        self,
        request: invocation_service.ListInvocationsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> invocation_service.ListInvocationsResponse:
        """Lists a function's recent invocations, newest first (lambdad's own)."""
        return await self._call(
            _INVOCATION_SERVICE + "ListInvocations",
            request,
            invocation_service.ListInvocationsResponse,
            timeout,
            request_id,
        )

    async def put_trace_segments(
        self,
        request: trace_service.PutTraceSegmentsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> trace_service.PutTraceSegmentsResponse:
        """Keeps X-Ray segment documents (X-Ray PutTraceSegments)."""
        return await self._call(
            _TRACE_SERVICE + "PutTraceSegments",
            request,
            trace_service.PutTraceSegmentsResponse,
            timeout,
            request_id,
        )

    async def get_trace_summaries(
        self,
        request: trace_service.GetTraceSummariesRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> trace_service.GetTraceSummariesResponse:
        """Summaries of the kept traces that started in a time range."""
        return await self._call(
            _TRACE_SERVICE + "GetTraceSummaries",
            request,
            trace_service.GetTraceSummariesResponse,
            timeout,
            request_id,
        )

    async def batch_get_traces(
        self,
        request: trace_service.BatchGetTracesRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> trace_service.BatchGetTracesResponse:
        """The segment documents of traces by id."""
        return await self._call(
            _TRACE_SERVICE + "BatchGetTraces",
            request,
            trace_service.BatchGetTracesResponse,
            timeout,
            request_id,
        )

    async def publish_layer_version(
        self,
        request: layer_service.PublishLayerVersionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.PublishLayerVersionResponse:
        """Publishes a new version of a layer (creating the layer if needed)."""
        return await self._call(
            _LAYER_SERVICE + "PublishLayerVersion",
            request,
            layer_service.PublishLayerVersionResponse,
            timeout,
            request_id,
        )

    async def get_layer_version(
        self,
        request: layer_service.GetLayerVersionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.GetLayerVersionResponse:
        """Returns one layer version with a download location."""
        return await self._call(
            _LAYER_SERVICE + "GetLayerVersion",
            request,
            layer_service.GetLayerVersionResponse,
            timeout,
            request_id,
        )

    async def get_layer_version_by_arn(
        self,
        request: layer_service.GetLayerVersionByArnRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.GetLayerVersionByArnResponse:
        """Returns one layer version named by its ARN."""
        return await self._call(
            _LAYER_SERVICE + "GetLayerVersionByArn",
            request,
            layer_service.GetLayerVersionByArnResponse,
            timeout,
            request_id,
        )

    async def list_layers(
        self,
        request: layer_service.ListLayersRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.ListLayersResponse:
        """Lists layers with their newest matching version."""
        return await self._call(
            _LAYER_SERVICE + "ListLayers",
            request,
            layer_service.ListLayersResponse,
            timeout,
            request_id,
        )

    async def list_layer_versions(
        self,
        request: layer_service.ListLayerVersionsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.ListLayerVersionsResponse:
        """Lists the versions of one layer, newest first."""
        return await self._call(
            _LAYER_SERVICE + "ListLayerVersions",
            request,
            layer_service.ListLayerVersionsResponse,
            timeout,
            request_id,
        )

    async def delete_layer_version(
        self,
        request: layer_service.DeleteLayerVersionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.DeleteLayerVersionResponse:
        """Deletes a layer version; its number is never reused."""
        return await self._call(
            _LAYER_SERVICE + "DeleteLayerVersion",
            request,
            layer_service.DeleteLayerVersionResponse,
            timeout,
            request_id,
        )

    async def add_layer_version_permission(
        self,
        request: layer_service.AddLayerVersionPermissionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.AddLayerVersionPermissionResponse:
        """Adds a statement to a layer version's policy."""
        return await self._call(
            _LAYER_SERVICE + "AddLayerVersionPermission",
            request,
            layer_service.AddLayerVersionPermissionResponse,
            timeout,
            request_id,
        )

    async def get_layer_version_policy(
        self,
        request: layer_service.GetLayerVersionPolicyRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.GetLayerVersionPolicyResponse:
        """Returns a layer version's policy document."""
        return await self._call(
            _LAYER_SERVICE + "GetLayerVersionPolicy",
            request,
            layer_service.GetLayerVersionPolicyResponse,
            timeout,
            request_id,
        )

    async def remove_layer_version_permission(
        self,
        request: layer_service.RemoveLayerVersionPermissionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> layer_service.RemoveLayerVersionPermissionResponse:
        """Removes a statement from a layer version's policy."""
        return await self._call(
            _LAYER_SERVICE + "RemoveLayerVersionPermission",
            request,
            layer_service.RemoveLayerVersionPermissionResponse,
            timeout,
            request_id,
        )

    # UrlService

    async def create_function_url_config(
        self,
        request: url_service.CreateFunctionUrlConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.CreateFunctionUrlConfigResponse:
        """Creates the URL of a function ($LATEST) or an alias."""
        return await self._call(
            _URL_SERVICE + "CreateFunctionUrlConfig",
            request,
            url_service.CreateFunctionUrlConfigResponse,
            timeout,
            request_id,
        )

    async def get_function_url_config(
        self,
        request: url_service.GetFunctionUrlConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.GetFunctionUrlConfigResponse:
        """Returns the URL configuration of a function or alias."""
        return await self._call(
            _URL_SERVICE + "GetFunctionUrlConfig",
            request,
            url_service.GetFunctionUrlConfigResponse,
            timeout,
            request_id,
        )

    async def update_function_url_config(
        self,
        request: url_service.UpdateFunctionUrlConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.UpdateFunctionUrlConfigResponse:
        """Changes auth type, CORS or invoke mode of a function URL."""
        return await self._call(
            _URL_SERVICE + "UpdateFunctionUrlConfig",
            request,
            url_service.UpdateFunctionUrlConfigResponse,
            timeout,
            request_id,
        )

    async def delete_function_url_config(
        self,
        request: url_service.DeleteFunctionUrlConfigRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.DeleteFunctionUrlConfigResponse:
        """Deletes the URL of a function or alias."""
        return await self._call(
            _URL_SERVICE + "DeleteFunctionUrlConfig",
            request,
            url_service.DeleteFunctionUrlConfigResponse,
            timeout,
            request_id,
        )

    async def list_function_url_configs(
        self,
        request: url_service.ListFunctionUrlConfigsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.ListFunctionUrlConfigsResponse:
        """Lists a function's URLs."""
        return await self._call(
            _URL_SERVICE + "ListFunctionUrlConfigs",
            request,
            url_service.ListFunctionUrlConfigsResponse,
            timeout,
            request_id,
        )

    async def add_permission(
        self,
        request: url_service.AddPermissionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.AddPermissionResponse:
        """Adds a statement to the resource policy of a function, version or alias."""
        return await self._call(
            _URL_SERVICE + "AddPermission",
            request,
            url_service.AddPermissionResponse,
            timeout,
            request_id,
        )

    async def get_policy(
        self,
        request: url_service.GetPolicyRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.GetPolicyResponse:
        """Returns the resource policy of a function, version or alias."""
        return await self._call(
            _URL_SERVICE + "GetPolicy",
            request,
            url_service.GetPolicyResponse,
            timeout,
            request_id,
        )

    async def remove_permission(
        self,
        request: url_service.RemovePermissionRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.RemovePermissionResponse:
        """Removes a statement from a resource policy."""
        return await self._call(
            _URL_SERVICE + "RemovePermission",
            request,
            url_service.RemovePermissionResponse,
            timeout,
            request_id,
        )

    async def resolve_function_url(
        self,
        request: url_service.ResolveFunctionUrlRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> url_service.ResolveFunctionUrlResponse:
        """Resolves a URL id and authorises an HTTP request to it (the gateway's call)."""
        return await self._call(
            _URL_SERVICE + "ResolveFunctionUrl",
            request,
            url_service.ResolveFunctionUrlResponse,
            timeout,
            request_id,
        )

    # EventSourceService

    async def create_event_source_mapping(
        self,
        request: event_source_service.CreateEventSourceMappingRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> event_source_service.CreateEventSourceMappingResponse:
        """Maps a queue or stream to a function (state Creating)."""
        return await self._call(
            _EVENT_SOURCE_SERVICE + "CreateEventSourceMapping",
            request,
            event_source_service.CreateEventSourceMappingResponse,
            timeout,
            request_id,
        )

    async def get_event_source_mapping(
        self,
        request: event_source_service.GetEventSourceMappingRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> event_source_service.GetEventSourceMappingResponse:
        """Returns an event source mapping."""
        return await self._call(
            _EVENT_SOURCE_SERVICE + "GetEventSourceMapping",
            request,
            event_source_service.GetEventSourceMappingResponse,
            timeout,
            request_id,
        )

    async def update_event_source_mapping(
        self,
        request: event_source_service.UpdateEventSourceMappingRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> event_source_service.UpdateEventSourceMappingResponse:
        """Changes an event source mapping (state Updating)."""
        return await self._call(
            _EVENT_SOURCE_SERVICE + "UpdateEventSourceMapping",
            request,
            event_source_service.UpdateEventSourceMappingResponse,
            timeout,
            request_id,
        )

    async def delete_event_source_mapping(
        self,
        request: event_source_service.DeleteEventSourceMappingRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> event_source_service.DeleteEventSourceMappingResponse:
        """Removes an event source mapping (state Deleting)."""
        return await self._call(
            _EVENT_SOURCE_SERVICE + "DeleteEventSourceMapping",
            request,
            event_source_service.DeleteEventSourceMappingResponse,
            timeout,
            request_id,
        )

    async def list_event_source_mappings(
        self,
        request: event_source_service.ListEventSourceMappingsRequest,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> event_source_service.ListEventSourceMappingsResponse:
        """Lists event source mappings."""
        return await self._call(
            _EVENT_SOURCE_SERVICE + "ListEventSourceMappings",
            request,
            event_source_service.ListEventSourceMappingsResponse,
            timeout,
            request_id,
        )
