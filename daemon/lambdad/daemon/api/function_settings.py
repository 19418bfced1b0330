"""FunctionSettingsService servicer: proto <-> domain conversion around `FunctionSettings`."""

from __future__ import annotations

import grpc

from lambdad.daemon.api.status import rpc
from lambdad.daemon.services.function_settings import FunctionSettings, RuntimeManagement, Scaling
from lambdad.v1 import function_settings_service_pb2 as pb
from lambdad.v1 import function_settings_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext


def _scaling_message(scaling: Scaling) -> pb.FunctionScalingConfig:
    message = pb.FunctionScalingConfig()
    if scaling.min_environments is not None:
        message.min_execution_environments = scaling.min_environments
    if scaling.max_environments is not None:
        message.max_execution_environments = scaling.max_environments
    return message


def _runtime_fields(result: RuntimeManagement) -> dict[str, object]:
    fields: dict[str, object] = {
        "update_runtime_on": result.update_runtime_on,
        "function_arn": result.function_arn,
    }
    if result.runtime_version_arn:
        fields["runtime_version_arn"] = result.runtime_version_arn
    return fields


class FunctionSettingsServicer(pb_grpc.FunctionSettingsServiceServicer):
    """gRPC FunctionSettingsService."""

    def __init__(self, settings: FunctionSettings) -> None:
        self._settings = settings

    @rpc
    async def GetFunctionRecursionConfig(
        self, request: pb.GetFunctionRecursionConfigRequest, context: Context
    ) -> pb.GetFunctionRecursionConfigResponse:
        setting = await self._settings.get_recursion(request.function_name)
        return pb.GetFunctionRecursionConfigResponse(recursive_loop=setting)

    @rpc
    async def PutFunctionRecursionConfig(
        self, request: pb.PutFunctionRecursionConfigRequest, context: Context
    ) -> pb.PutFunctionRecursionConfigResponse:
        setting = await self._settings.put_recursion(request.function_name, request.recursive_loop)
        return pb.PutFunctionRecursionConfigResponse(recursive_loop=setting)

    @rpc
    async def GetRuntimeManagementConfig(
        self, request: pb.GetRuntimeManagementConfigRequest, context: Context
    ) -> pb.GetRuntimeManagementConfigResponse:
        result = await self._settings.get_runtime_management(
            request.function_name, request.qualifier
        )
        return pb.GetRuntimeManagementConfigResponse(**_runtime_fields(result))  # type: ignore[arg-type]

    @rpc
    async def PutRuntimeManagementConfig(
        self, request: pb.PutRuntimeManagementConfigRequest, context: Context
    ) -> pb.PutRuntimeManagementConfigResponse:
        result = await self._settings.put_runtime_management(
            request.function_name,
            request.qualifier,
            request.update_runtime_on,
            request.runtime_version_arn,
        )
        return pb.PutRuntimeManagementConfigResponse(**_runtime_fields(result))  # type: ignore[arg-type]

    @rpc
    async def GetFunctionScalingConfig(
        self, request: pb.GetFunctionScalingConfigRequest, context: Context
    ) -> pb.GetFunctionScalingConfigResponse:
        arn, scaling = await self._settings.get_scaling(request.function_name, request.qualifier)
        response = pb.GetFunctionScalingConfigResponse(function_arn=arn)
        if scaling is not None:
            response.applied_function_scaling_config.CopyFrom(_scaling_message(scaling))
            response.requested_function_scaling_config.CopyFrom(_scaling_message(scaling))
        return response

    @rpc
    async def PutFunctionScalingConfig(
        self, request: pb.PutFunctionScalingConfigRequest, context: Context
    ) -> pb.PutFunctionScalingConfigResponse:
        config = request.function_scaling_config
        scaling = Scaling(
            min_environments=config.min_execution_environments
            if config.HasField("min_execution_environments")
            else None,
            max_environments=config.max_execution_environments
            if config.HasField("max_execution_environments")
            else None,
        )
        state = await self._settings.put_scaling(request.function_name, request.qualifier, scaling)
        return pb.PutFunctionScalingConfigResponse(function_state=state)
