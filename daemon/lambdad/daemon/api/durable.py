"""DurableExecutionService servicer: proto <-> the orchestrator's AWS-shaped dicts.

The orchestrator speaks AWS's JSON shapes; the messages' json_names are AWS's member names,
so conversion is `json_format` both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message

from lambdad.daemon.api.status import UnaryCall, rpc, unary_table
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


def _error(request: Any) -> dict[str, Any] | None:
    return _dict(request.error) if request.HasField("error") else None


def _flag(request: Any, name: str) -> bool:
    """An optional bool of the request; AWS's default for these is true."""
    return getattr(request, name) if request.HasField(name) else True


def _execution_arn(request: Any) -> str:
    rules.check_execution_arn(request.durable_execution_arn)
    return request.durable_execution_arn


def _reason(request: Any) -> str:
    if len(request.reason) > rules.MAX_REASON_CHARS:
        raise validation_error(
            "[SENSITIVE]",
            "reason",
            f"Member must have length less than or equal to {rules.MAX_REASON_CHARS}",
        )
    return request.reason


def _parsed(response: type[Message]) -> Callable[[object, Any], Message]:
    """The response an AWS-shaped answer is parsed into (an answer of None: empty)."""
    return lambda _, answer: json_format.ParseDict(answer or {}, response())


# The RPCs of the common shape. Arguments are evaluated in order, so a request's execution
# ARN is checked before anything else of it.
_CALLS: Mapping[str, UnaryCall[DurableExecutions]] = {
    "CheckpointDurableExecution": UnaryCall(
        lambda executions, r: executions.checkpoint(
            _execution_arn(r), r.checkpoint_token, [_dict(u) for u in r.updates], r.client_token
        ),
        _parsed(pb.CheckpointDurableExecutionResponse),
    ),
    "GetDurableExecutionState": UnaryCall(
        lambda executions, r: executions.get_state(
            _execution_arn(r), r.checkpoint_token, r.marker, r.max_items
        ),
        _parsed(pb.GetDurableExecutionStateResponse),
    ),
    "GetDurableExecution": UnaryCall(
        lambda executions, r: executions.get_execution(
            _execution_arn(r), include_data=_flag(r, "include_execution_data")
        ),
        _parsed(pb.GetDurableExecutionResponse),
    ),
    "GetDurableExecutionHistory": UnaryCall(
        lambda executions, r: executions.history(
            _execution_arn(r),
            include_data=r.include_execution_data,
            max_items=r.max_items,
            marker=r.marker,
            reverse=r.reverse_order,
        ),
        _parsed(pb.GetDurableExecutionHistoryResponse),
    ),
    "StopDurableExecution": UnaryCall(
        lambda executions, r: executions.stop_execution(_execution_arn(r), _error(r)),
        lambda _, stopped: pb.StopDurableExecutionResponse(stop_timestamp=stopped),
    ),
    "SendDurableExecutionCallbackSuccess": UnaryCall(
        lambda executions, r: executions.callback_success(r.callback_id, r.result),
        _parsed(pb.SendDurableExecutionCallbackSuccessResponse),
    ),
    "SendDurableExecutionCallbackFailure": UnaryCall(
        lambda executions, r: executions.callback_failure(r.callback_id, _error(r)),
        _parsed(pb.SendDurableExecutionCallbackFailureResponse),
    ),
    "SendDurableExecutionCallbackHeartbeat": UnaryCall(
        lambda executions, r: executions.callback_heartbeat(r.callback_id),
        _parsed(pb.SendDurableExecutionCallbackHeartbeatResponse),
    ),
    "PauseDurableExecution": UnaryCall(
        lambda executions, r: executions.pause_execution(
            _execution_arn(r),
            client_token=r.client_token,
            reason=_reason(r),
            timeout_paused=_flag(r, "execution_timeout_paused"),
        ),
        _parsed(pb.PauseDurableExecutionResponse),
    ),
    "ResumeDurableExecution": UnaryCall(
        lambda executions, r: executions.resume_execution(
            _execution_arn(r), client_token=r.client_token, reason=_reason(r)
        ),
        _parsed(pb.ResumeDurableExecutionResponse),
    ),
    "DeleteDurableExecution": UnaryCall(
        lambda executions, r: executions.delete_execution(_execution_arn(r)),
        lambda _, deleted: pb.DeleteDurableExecutionResponse(deletion_request_timestamp=deleted),
    ),
}


@unary_table(lambda servicer: servicer._executions, _CALLS)
class DurableExecutionServicer(pb_grpc.DurableExecutionServiceServicer):
    """gRPC DurableExecutionService over `DurableExecutions`: the rows of `_CALLS`, and the
    one RPC with logic of its own."""

    def __init__(self, executions: DurableExecutions, registry: FunctionRegistry) -> None:
        self._executions = executions
        self._registry = registry

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
        return json_format.ParseDict(answer, pb.ListDurableExecutionsByFunctionResponse())
