"""ResourcePolicyService servicer over the function policies of `FunctionUrlRegistry`."""

from __future__ import annotations

import grpc

from lambdad.daemon.api.status import rpc
from lambdad.daemon.domain.urls import FunctionUrlRegistry
from lambdad.v1 import resource_policy_service_pb2 as pb
from lambdad.v1 import resource_policy_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext


class ResourcePolicyServicer(pb_grpc.ResourcePolicyServiceServicer):
    """gRPC ResourcePolicyService."""

    def __init__(self, policies: FunctionUrlRegistry) -> None:
        self._policies = policies

    @rpc
    async def PutResourcePolicy(
        self, request: pb.PutResourcePolicyRequest, context: Context
    ) -> pb.PutResourcePolicyResponse:
        policy, revision_id = await self._policies.put_resource_policy(
            request.resource_arn, request.policy, request.revision_id
        )
        return pb.PutResourcePolicyResponse(policy=policy, revision_id=revision_id)

    @rpc
    async def GetResourcePolicy(
        self, request: pb.GetResourcePolicyRequest, context: Context
    ) -> pb.GetResourcePolicyResponse:
        policy, revision_id = await self._policies.get_resource_policy(request.resource_arn)
        return pb.GetResourcePolicyResponse(policy=policy, revision_id=revision_id)

    @rpc
    async def DeleteResourcePolicy(
        self, request: pb.DeleteResourcePolicyRequest, context: Context
    ) -> pb.DeleteResourcePolicyResponse:
        await self._policies.delete_resource_policy(request.resource_arn, request.revision_id)
        return pb.DeleteResourcePolicyResponse()
