"""CodeSigningService servicer: proto <-> domain conversion around `CodeSigning`."""

from __future__ import annotations

import grpc

from lambdad.daemon.api.status import rpc
from lambdad.daemon.domain.code_signing import CodeSigningConfig
from lambdad.daemon.services.code_signing import CodeSigning
from lambdad.v1 import code_signing_service_pb2 as pb
from lambdad.v1 import code_signing_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext


def _message(config: CodeSigningConfig) -> pb.CodeSigningConfig:
    return pb.CodeSigningConfig(
        code_signing_config_id=config.csc_id,
        code_signing_config_arn=config.arn,
        description=config.description,
        allowed_publishers=pb.AllowedPublishers(
            signing_profile_version_arns=config.signing_profile_version_arns
        ),
        code_signing_policies=pb.CodeSigningPolicies(
            untrusted_artifact_on_deployment=config.untrusted_artifact_on_deployment
        ),
        last_modified=config.last_modified,
    )


def _publishers(
    request: pb.CreateCodeSigningConfigRequest | pb.UpdateCodeSigningConfigRequest,
) -> list[str] | None:
    if not request.HasField("allowed_publishers"):
        return None
    return list(request.allowed_publishers.signing_profile_version_arns)


def _policy(
    request: pb.CreateCodeSigningConfigRequest | pb.UpdateCodeSigningConfigRequest,
) -> str | None:
    if not request.HasField("code_signing_policies"):
        return None
    return request.code_signing_policies.untrusted_artifact_on_deployment or None


class CodeSigningServicer(pb_grpc.CodeSigningServiceServicer):
    """gRPC CodeSigningService."""

    def __init__(self, code_signing: CodeSigning) -> None:
        self._code_signing = code_signing

    @rpc
    async def CreateCodeSigningConfig(
        self, request: pb.CreateCodeSigningConfigRequest, context: Context
    ) -> pb.CreateCodeSigningConfigResponse:
        config = await self._code_signing.create(
            description=request.description,
            publishers=_publishers(request),
            policy=_policy(request),
            tags=dict(request.tags),
        )
        return pb.CreateCodeSigningConfigResponse(code_signing_config=_message(config))

    @rpc
    async def GetCodeSigningConfig(
        self, request: pb.GetCodeSigningConfigRequest, context: Context
    ) -> pb.GetCodeSigningConfigResponse:
        config = await self._code_signing.get(request.code_signing_config_arn)
        return pb.GetCodeSigningConfigResponse(code_signing_config=_message(config))

    @rpc
    async def UpdateCodeSigningConfig(
        self, request: pb.UpdateCodeSigningConfigRequest, context: Context
    ) -> pb.UpdateCodeSigningConfigResponse:
        config = await self._code_signing.update(
            request.code_signing_config_arn,
            description=request.description if request.HasField("description") else None,
            publishers=_publishers(request),
            policy=_policy(request),
        )
        return pb.UpdateCodeSigningConfigResponse(code_signing_config=_message(config))

    @rpc
    async def DeleteCodeSigningConfig(
        self, request: pb.DeleteCodeSigningConfigRequest, context: Context
    ) -> pb.DeleteCodeSigningConfigResponse:
        await self._code_signing.delete(request.code_signing_config_arn)
        return pb.DeleteCodeSigningConfigResponse()

    @rpc
    async def ListCodeSigningConfigs(
        self, request: pb.ListCodeSigningConfigsRequest, context: Context
    ) -> pb.ListCodeSigningConfigsResponse:
        page = await self._code_signing.list_configs(request.page_token, request.page_size)
        return pb.ListCodeSigningConfigsResponse(
            code_signing_configs=[_message(c) for c in page.items],
            next_page_token=page.next_token,
        )

    @rpc
    async def ListFunctionsByCodeSigningConfig(
        self, request: pb.ListFunctionsByCodeSigningConfigRequest, context: Context
    ) -> pb.ListFunctionsByCodeSigningConfigResponse:
        page = await self._code_signing.list_functions(
            request.code_signing_config_arn, request.page_token, request.page_size
        )
        return pb.ListFunctionsByCodeSigningConfigResponse(
            function_arns=page.items, next_page_token=page.next_token
        )

    @rpc
    async def PutFunctionCodeSigningConfig(
        self, request: pb.PutFunctionCodeSigningConfigRequest, context: Context
    ) -> pb.PutFunctionCodeSigningConfigResponse:
        arn, name = await self._code_signing.put_function(
            request.function_name, request.code_signing_config_arn
        )
        return pb.PutFunctionCodeSigningConfigResponse(
            code_signing_config_arn=arn, function_name=name
        )

    @rpc
    async def GetFunctionCodeSigningConfig(
        self, request: pb.GetFunctionCodeSigningConfigRequest, context: Context
    ) -> pb.GetFunctionCodeSigningConfigResponse:
        arn, name = await self._code_signing.get_function(request.function_name)
        return pb.GetFunctionCodeSigningConfigResponse(
            code_signing_config_arn=arn, function_name=name
        )

    @rpc
    async def DeleteFunctionCodeSigningConfig(
        self, request: pb.DeleteFunctionCodeSigningConfigRequest, context: Context
    ) -> pb.DeleteFunctionCodeSigningConfigResponse:
        await self._code_signing.delete_function(request.function_name)
        return pb.DeleteFunctionCodeSigningConfigResponse()
