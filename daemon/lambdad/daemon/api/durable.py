"""DurableExecutionService servicer: proto <-> the orchestrator's AWS-shaped dicts.

The orchestrator speaks AWS's JSON shapes; the messages' json_names are AWS's member names,
so conversion is `json_format` both ways.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message

from lambdad.daemon.api.status import rpc
from lambdad.daemon.domain import durable as rules
from lambdad.daemon.domain.functions import FunctionRegistry
from lambdad.daemon.domain.names import is_version_qualifier
from lambdad.daemon.errors import validation_error
from lambdad.daemon.services.durable import DurableExecutions, parse_time
from lambdad.v1 import durable_execution_service_pb2 as pb
from lambdad.v1 import durable_execution_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext


def _dict(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message)


def _message(data: dict[str, Any], message: Message) -> Any:
    return json_format.ParseDict(data, message)


class DurableExecutionServicer(pb_grpc.DurableExecutionServiceServicer):
    """gRPC DurableExecutionService over `DurableExecutions`."""

    def __init__(self, executions: DurableExecutions, registry: FunctionRegistry) -> None:
        self._executions = executions
        self._registry = registry

    @rpc
    async def CheckpointDurableExecution(
        self, request: pb.CheckpointDurableExecutionRequest, context: Context
    ) -> pb.CheckpointDurableExecutionResponse:
        rules.check_execution_arn(request.durable_execution_arn)
        updates = [_dict(update) for update in request.updates]
        answer = await self._executions.checkpoint(
            request.durable_execution_arn,
            request.checkpoint_token,
            updates,
            request.client_token,
        )
        return _message(answer, pb.CheckpointDurableExecutionResponse())

    @rpc
    async def GetDurableExecutionState(
        self, request: pb.GetDurableExecutionStateRequest, context: Context
    ) -> pb.GetDurableExecutionStateResponse:
        rules.check_execution_arn(request.durable_execution_arn)
        answer = await self._executions.get_state(
            request.durable_execution_arn,
            request.checkpoint_token,
            request.marker,
            request.max_items,
        )
        return _message(answer, pb.GetDurableExecutionStateResponse())

    @rpc
    async def GetDurableExecution(
        self, request: pb.GetDurableExecutionRequest, context: Context
    ) -> pb.GetDurableExecutionResponse:
        rules.check_execution_arn(request.durable_execution_arn)
        answer = await self._executions.get_execution(
            request.durable_execution_arn,
            include_data=request.include_execution_data
            if request.HasField("include_execution_data")
            else True,
        )
        return _message(answer, pb.GetDurableExecutionResponse())

    @rpc
    async def GetDurableExecutionHistory(
        self, request: pb.GetDurableExecutionHistoryRequest, context: Context
    ) -> pb.GetDurableExecutionHistoryResponse:
        rules.check_execution_arn(request.durable_execution_arn)
        answer = await self._executions.history(
            request.durable_execution_arn,
            include_data=request.include_execution_data,
            max_items=request.max_items,
            marker=request.marker,
            reverse=request.reverse_order,
        )
        return _message(answer, pb.GetDurableExecutionHistoryResponse())

    @rpc
    async def ListDurableExecutionsByFunction(
        self, request: pb.ListDurableExecutionsByFunctionRequest, context: Context
    ) -> pb.ListDurableExecutionsByFunctionResponse:
        ref = self._registry.resolve(
            request.function_name, request.qualifier or None, namespaced=True
        )
        await self._registry.get_configuration(ref.name)  # FUNCTION_NOT_FOUND if unknown
        version = ref.qualifier
        if version is not None and not is_version_qualifier(version):
            version = (await self._registry.get_alias(ref.name, version)).function_version
        answer = await self._executions.list_by_function(
            ref.name,
            version=version,
            name=request.durable_execution_name or None,
            statuses=list(request.statuses),
            started_after=parse_time(request.started_after)
            if request.HasField("started_after")
            else None,
            started_before=parse_time(request.started_before)
            if request.HasField("started_before")
            else None,
            reverse=request.reverse_order,
            marker=request.marker,
            max_items=request.max_items,
        )
        return _message(answer, pb.ListDurableExecutionsByFunctionResponse())

    @rpc
    async def StopDurableExecution(
        self, request: pb.StopDurableExecutionRequest, context: Context
    ) -> pb.StopDurableExecutionResponse:
        rules.check_execution_arn(request.durable_execution_arn)
        error = _dict(request.error) if request.HasField("error") else None
        stopped = await self._executions.stop_execution(request.durable_execution_arn, error)
        return pb.StopDurableExecutionResponse(stop_timestamp=stopped)

    @rpc
    async def SendDurableExecutionCallbackSuccess(
        self, request: pb.SendDurableExecutionCallbackSuccessRequest, context: Context
    ) -> pb.SendDurableExecutionCallbackSuccessResponse:
        await self._executions.callback_success(request.callback_id, request.result)
        return pb.SendDurableExecutionCallbackSuccessResponse()

    @rpc
    async def SendDurableExecutionCallbackFailure(
        self, request: pb.SendDurableExecutionCallbackFailureRequest, context: Context
    ) -> pb.SendDurableExecutionCallbackFailureResponse:
        error = _dict(request.error) if request.HasField("error") else None
        await self._executions.callback_failure(request.callback_id, error)
        return pb.SendDurableExecutionCallbackFailureResponse()

    @rpc
    async def SendDurableExecutionCallbackHeartbeat(
        self, request: pb.SendDurableExecutionCallbackHeartbeatRequest, context: Context
    ) -> pb.SendDurableExecutionCallbackHeartbeatResponse:
        await self._executions.callback_heartbeat(request.callback_id)
        return pb.SendDurableExecutionCallbackHeartbeatResponse()

    @rpc
    async def PauseDurableExecution(
        self, request: pb.PauseDurableExecutionRequest, context: Context
    ) -> pb.PauseDurableExecutionResponse:
        rules.check_execution_arn(request.durable_execution_arn)
        _check_reason(request.reason)
        await self._executions.pause_execution(
            request.durable_execution_arn,
            client_token=request.client_token,
            reason=request.reason,
            timeout_paused=request.execution_timeout_paused
            if request.HasField("execution_timeout_paused")
            else True,
        )
        return pb.PauseDurableExecutionResponse()

    @rpc
    async def ResumeDurableExecution(
        self, request: pb.ResumeDurableExecutionRequest, context: Context
    ) -> pb.ResumeDurableExecutionResponse:
        rules.check_execution_arn(request.durable_execution_arn)
        _check_reason(request.reason)
        await self._executions.resume_execution(
            request.durable_execution_arn,
            client_token=request.client_token,
            reason=request.reason,
        )
        return pb.ResumeDurableExecutionResponse()

    @rpc
    async def DeleteDurableExecution(
        self, request: pb.DeleteDurableExecutionRequest, context: Context
    ) -> pb.DeleteDurableExecutionResponse:
        rules.check_execution_arn(request.durable_execution_arn)
        deleted = await self._executions.delete_execution(request.durable_execution_arn)
        return pb.DeleteDurableExecutionResponse(deletion_request_timestamp=deleted)


def _check_reason(reason: str) -> None:
    if len(reason) > rules.MAX_REASON_CHARS:
        raise validation_error(
            "[SENSITIVE]",
            "reason",
            f"Member must have length less than or equal to {rules.MAX_REASON_CHARS}",
        )
