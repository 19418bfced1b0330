"""UrlService servicer: proto <-> domain conversion around `FunctionUrlRegistry`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from lambdad.client.contract import REQUEST_ID_HEADER
from lambdad.daemon.api.masks import fields_to_apply
from lambdad.daemon.api.status import rpc, rpc_stream
from lambdad.daemon.domain.urls import (
    Cors,
    FunctionUrl,
    FunctionUrlRegistry,
    HttpRequestParts,
    NewPermission,
    UrlChanges,
)
from lambdad.daemon.services.function_urls import FunctionUrlService, UrlHttpRequest
from lambdad.v1 import url_service_pb2 as pb
from lambdad.v1 import url_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext
_UPDATABLE = ("auth_type", "cors", "invoke_mode")


def _cors_from_proto(message: pb.Cors) -> Cors:
    return Cors(
        allow_credentials=(
            message.allow_credentials if message.HasField("allow_credentials") else None
        ),
        allow_headers=tuple(message.allow_headers),
        allow_methods=tuple(message.allow_methods),
        allow_origins=tuple(message.allow_origins),
        expose_headers=tuple(message.expose_headers),
        max_age=message.max_age if message.HasField("max_age") else None,
    )


def _cors_to_proto(cors: Cors) -> pb.Cors:
    message = pb.Cors(
        allow_headers=cors.allow_headers,
        allow_methods=cors.allow_methods,
        allow_origins=cors.allow_origins,
        expose_headers=cors.expose_headers,
    )
    if cors.allow_credentials is not None:
        message.allow_credentials = cors.allow_credentials
    if cors.max_age is not None:
        message.max_age = cors.max_age
    return message


class UrlServicer(pb_grpc.UrlServiceServicer):
    """gRPC UrlService over the URL registry."""

    def __init__(self, urls: FunctionUrlRegistry, serving: FunctionUrlService) -> None:
        self._urls = urls
        self._serving = serving

    def _config(self, url: FunctionUrl) -> pb.FunctionUrlConfig:
        message = pb.FunctionUrlConfig(
            function_url=self._urls.function_url(url),
            function_arn=self._urls.function_arn(url),
            auth_type=url.auth_type,
            creation_time=url.creation_time,
            last_modified_time=url.last_modified_time,
            invoke_mode=url.invoke_mode,
        )
        if url.cors is not None:
            message.cors.CopyFrom(_cors_to_proto(url.cors))
        return message

    @rpc
    async def CreateFunctionUrlConfig(
        self, request: pb.CreateFunctionUrlConfigRequest, context: Context
    ) -> pb.CreateFunctionUrlConfigResponse:
        url = await self._urls.create_url(
            request.function_name,
            request.qualifier,
            auth_type=request.auth_type,
            cors=_cors_from_proto(request.cors) if request.HasField("cors") else None,
            invoke_mode=request.invoke_mode,
        )
        response = pb.CreateFunctionUrlConfigResponse(
            function_url=self._urls.function_url(url),
            function_arn=self._urls.function_arn(url),
            auth_type=url.auth_type,
            creation_time=url.creation_time,
        )
        if url.cors is not None:
            response.cors.CopyFrom(_cors_to_proto(url.cors))
        if url.invoke_mode_given:
            response.invoke_mode = url.invoke_mode
        return response

    @rpc
    async def GetFunctionUrlConfig(
        self, request: pb.GetFunctionUrlConfigRequest, context: Context
    ) -> pb.GetFunctionUrlConfigResponse:
        url = await self._urls.get_url(request.function_name, request.qualifier)
        return pb.GetFunctionUrlConfigResponse(config=self._config(url))

    @rpc
    async def UpdateFunctionUrlConfig(
        self, request: pb.UpdateFunctionUrlConfigRequest, context: Context
    ) -> pb.UpdateFunctionUrlConfigResponse:
        fields = set(fields_to_apply(request, request.update_mask, _UPDATABLE))
        changes = UrlChanges(
            auth_type=request.auth_type if "auth_type" in fields else None,
            cors=_cors_from_proto(request.cors) if "cors" in fields else None,
            cors_given="cors" in fields,
            invoke_mode=request.invoke_mode if "invoke_mode" in fields else None,
        )
        url = await self._urls.update_url(request.function_name, request.qualifier, changes)
        return pb.UpdateFunctionUrlConfigResponse(config=self._config(url))

    @rpc
    async def DeleteFunctionUrlConfig(
        self, request: pb.DeleteFunctionUrlConfigRequest, context: Context
    ) -> pb.DeleteFunctionUrlConfigResponse:
        await self._urls.delete_url(request.function_name, request.qualifier)
        return pb.DeleteFunctionUrlConfigResponse()

    @rpc
    async def ListFunctionUrlConfigs(
        self, request: pb.ListFunctionUrlConfigsRequest, context: Context
    ) -> pb.ListFunctionUrlConfigsResponse:
        page = await self._urls.list_urls(
            request.function_name, page_token=request.page_token, page_size=request.page_size
        )
        return pb.ListFunctionUrlConfigsResponse(
            function_url_configs=[self._config(u) for u in page.items],
            next_page_token=page.next_token,
        )

    @rpc
    async def AddPermission(
        self, request: pb.AddPermissionRequest, context: Context
    ) -> pb.AddPermissionResponse:
        permission = NewPermission(
            statement_id=request.statement_id,
            action=request.action,
            principal=request.principal,
            source_arn=request.source_arn,
            source_account=request.source_account,
            event_source_token=request.event_source_token,
            principal_org_id=request.principal_org_id,
            function_url_auth_type=request.function_url_auth_type,
            invoked_via_function_url=(
                request.invoked_via_function_url
                if request.HasField("invoked_via_function_url")
                else None
            ),
        )
        statement = await self._urls.add_permission(
            request.function_name, request.qualifier, permission, request.revision_id
        )
        return pb.AddPermissionResponse(statement=statement)

    @rpc
    async def GetPolicy(
        self, request: pb.GetPolicyRequest, context: Context
    ) -> pb.GetPolicyResponse:
        policy, revision_id = await self._urls.get_policy(request.function_name, request.qualifier)
        return pb.GetPolicyResponse(policy=policy, revision_id=revision_id)

    @rpc
    async def RemovePermission(
        self, request: pb.RemovePermissionRequest, context: Context
    ) -> pb.RemovePermissionResponse:
        await self._urls.remove_permission(
            request.function_name, request.qualifier, request.statement_id, request.revision_id
        )
        return pb.RemovePermissionResponse()

    @rpc
    async def ResolveFunctionUrl(
        self, request: pb.ResolveFunctionUrlRequest, context: Context
    ) -> pb.ResolveFunctionUrlResponse:
        target = await self._urls.resolve_url(
            request.url_id,
            HttpRequestParts(
                method=request.method,
                raw_path=request.raw_path,
                raw_query=request.raw_query,
                headers=[(h.name, h.value) for h in request.headers],
                body=request.body,
                preflight=request.preflight,
            ),
        )
        url = target.url
        response = pb.ResolveFunctionUrlResponse(
            function_name=url.function_name,
            qualifier="" if url.qualifier == "$LATEST" else url.qualifier,
            config=self._config(url),
            account_id=target.account_id,
        )
        if target.iam is not None:
            response.iam.CopyFrom(
                pb.IamIdentity(
                    access_key=target.iam["accessKey"],
                    account_id=target.iam["accountId"],
                    caller_id=target.iam["callerId"],
                    user_arn=target.iam["userArn"],
                    user_id=target.iam["userId"],
                )
            )
        return response

    @rpc_stream
    async def InvokeFunctionUrl(
        self, request: pb.InvokeFunctionUrlRequest, context: Context
    ) -> AsyncIterator[pb.InvokeFunctionUrlResponse]:
        metadata = dict(context.invocation_metadata() or ())
        request_id = metadata.get(REQUEST_ID_HEADER, "")
        parts = self._serving.serve(
            UrlHttpRequest(
                url_id=request.url_id,
                method=request.method,
                raw_path=request.raw_path,
                function_path=request.function_path,
                raw_query=request.raw_query,
                headers=[(h.name, h.value) for h in request.headers],
                body=request.body,
                source_ip=request.source_ip,
                protocol=request.protocol,
                path_form=request.path_form,
                host=request.host,
                trace_header=request.trace_header,
                request_id=request_id if isinstance(request_id, str) else "",
            )
        )
        async for part in parts:
            if isinstance(part, bytes):
                yield pb.InvokeFunctionUrlResponse(body=part)
                continue
            yield pb.InvokeFunctionUrlResponse(
                head=pb.HttpResponseHead(
                    status=part.status,
                    headers=[pb.HttpHeader(name=n, value=v) for n, v in part.headers],
                    request_id=part.request_id,
                    streamed=part.streamed,
                )
            )
