"""CapacityProviderService servicer: proto <-> domain conversion around
`CapacityProviderRegistry`."""

from __future__ import annotations

from typing import Any

import grpc

from lambdad.daemon.api.status import rpc
from lambdad.daemon.domain.capacity_providers import (
    CapacityProvider,
    CapacityProviderRegistry,
    NewCapacityProvider,
)
from lambdad.v1 import capacity_provider_service_pb2 as pb
from lambdad.v1 import capacity_provider_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext


def _scaling(message: pb.CapacityProviderScalingConfig) -> dict[str, Any]:
    scaling: dict[str, Any] = {}
    if message.HasField("max_v_cpu_count"):
        scaling["MaxVCpuCount"] = message.max_v_cpu_count
    if message.scaling_mode:
        scaling["ScalingMode"] = message.scaling_mode
    if message.scaling_policies:
        scaling["ScalingPolicies"] = [
            {"PredefinedMetricType": p.predefined_metric_type, "TargetValue": p.target_value}
            for p in message.scaling_policies
        ]
    return scaling


def provider_message(provider: CapacityProvider) -> pb.CapacityProvider:
    """Domain capacity provider -> CapacityProvider, as AWS reports it."""
    message = pb.CapacityProvider(
        capacity_provider_arn=provider.arn,
        state=provider.state,
        vpc_config=pb.CapacityProviderVpcConfig(
            subnet_ids=provider.vpc_config.get("SubnetIds", []),
            security_group_ids=provider.vpc_config.get("SecurityGroupIds", []),
        ),
        permissions_config=pb.CapacityProviderPermissionsConfig(
            capacity_provider_operator_role_arn=provider.permissions_config.get(
                "CapacityProviderOperatorRoleArn", ""
            )
        ),
        last_modified=provider.last_modified,
    )
    requirements = provider.instance_requirements or {}
    message.instance_requirements.architectures.extend(requirements.get("Architectures", []))
    message.instance_requirements.allowed_instance_types.extend(
        requirements.get("AllowedInstanceTypes", [])
    )
    message.instance_requirements.excluded_instance_types.extend(
        requirements.get("ExcludedInstanceTypes", [])
    )
    scaling = provider.scaling_config or {}
    target = message.capacity_provider_scaling_config
    target.scaling_mode = scaling.get("ScalingMode", "Auto")
    if scaling.get("MaxVCpuCount") is not None:
        target.max_v_cpu_count = int(scaling["MaxVCpuCount"])
    for policy in scaling.get("ScalingPolicies", []):
        target.scaling_policies.add(
            predefined_metric_type=policy.get("PredefinedMetricType", ""),
            target_value=float(policy.get("TargetValue", 0.0)),
        )
    if provider.kms_key_arn:
        message.kms_key_arn = provider.kms_key_arn
    if provider.propagate_tags is not None:
        message.propagate_tags.mode = provider.propagate_tags.get("Mode", "")
        message.propagate_tags.explicit_tags.update(
            provider.propagate_tags.get("ExplicitTags") or {}
        )
    if provider.telemetry_config is not None:
        logging = provider.telemetry_config.get("LoggingConfig") or {}
        log_target = message.telemetry_config.logging_config
        log_target.system_log_level = logging.get("SystemLogLevel", "")
        log_target.log_group = logging.get("LogGroup", "")
    return message


def _propagate_tags(
    request: pb.CreateCapacityProviderRequest | pb.UpdateCapacityProviderRequest,
) -> dict[str, Any] | None:
    if not request.HasField("propagate_tags"):
        return None
    return {
        "Mode": request.propagate_tags.mode,
        "ExplicitTags": dict(request.propagate_tags.explicit_tags),
    }


def _telemetry_config(
    request: pb.CreateCapacityProviderRequest | pb.UpdateCapacityProviderRequest,
) -> dict[str, Any] | None:
    if not request.HasField("telemetry_config"):
        return None
    logging = request.telemetry_config.logging_config
    return {
        "LoggingConfig": {"SystemLogLevel": logging.system_log_level, "LogGroup": logging.log_group}
    }


class CapacityProviderServicer(pb_grpc.CapacityProviderServiceServicer):
    """gRPC CapacityProviderService over the domain registry."""

    def __init__(self, registry: CapacityProviderRegistry) -> None:
        self._registry = registry

    @rpc
    async def CreateCapacityProvider(
        self, request: pb.CreateCapacityProviderRequest, context: Context
    ) -> pb.CreateCapacityProviderResponse:
        spec = NewCapacityProvider(
            name=request.capacity_provider_name,
            vpc_config={
                "SubnetIds": list(request.vpc_config.subnet_ids),
                "SecurityGroupIds": list(request.vpc_config.security_group_ids),
            }
            if request.HasField("vpc_config")
            else None,
            permissions_config={
                "CapacityProviderOperatorRoleArn": (
                    request.permissions_config.capacity_provider_operator_role_arn
                )
            }
            if request.HasField("permissions_config")
            else None,
            instance_requirements={
                "Architectures": list(request.instance_requirements.architectures),
                "AllowedInstanceTypes": list(request.instance_requirements.allowed_instance_types),
                "ExcludedInstanceTypes": list(
                    request.instance_requirements.excluded_instance_types
                ),
            }
            if request.HasField("instance_requirements")
            else None,
            scaling_config=_scaling(request.capacity_provider_scaling_config)
            if request.HasField("capacity_provider_scaling_config")
            else None,
            kms_key_arn=request.kms_key_arn,
            tags=dict(request.tags),
            propagate_tags=_propagate_tags(request),
            telemetry_config=_telemetry_config(request),
        )
        provider = await self._registry.create(spec)
        return pb.CreateCapacityProviderResponse(capacity_provider=provider_message(provider))

    @rpc
    async def GetCapacityProvider(
        self, request: pb.GetCapacityProviderRequest, context: Context
    ) -> pb.GetCapacityProviderResponse:
        provider = await self._registry.get(request.capacity_provider_name)
        return pb.GetCapacityProviderResponse(capacity_provider=provider_message(provider))

    @rpc
    async def UpdateCapacityProvider(
        self, request: pb.UpdateCapacityProviderRequest, context: Context
    ) -> pb.UpdateCapacityProviderResponse:
        provider = await self._registry.update(
            request.capacity_provider_name,
            _scaling(request.capacity_provider_scaling_config)
            if request.HasField("capacity_provider_scaling_config")
            else None,
            propagate_tags=_propagate_tags(request),
            telemetry_config=_telemetry_config(request),
        )
        return pb.UpdateCapacityProviderResponse(capacity_provider=provider_message(provider))

    @rpc
    async def DeleteCapacityProvider(
        self, request: pb.DeleteCapacityProviderRequest, context: Context
    ) -> pb.DeleteCapacityProviderResponse:
        provider = await self._registry.delete(request.capacity_provider_name)
        return pb.DeleteCapacityProviderResponse(capacity_provider=provider_message(provider))

    @rpc
    async def ListCapacityProviders(
        self, request: pb.ListCapacityProvidersRequest, context: Context
    ) -> pb.ListCapacityProvidersResponse:
        page = await self._registry.list_providers(
            state=request.state, page_token=request.page_token, page_size=request.page_size
        )
        return pb.ListCapacityProvidersResponse(
            capacity_providers=[provider_message(p) for p in page.items],
            next_page_token=page.next_token,
        )

    @rpc
    async def ListFunctionVersionsByCapacityProvider(
        self, request: pb.ListFunctionVersionsByCapacityProviderRequest, context: Context
    ) -> pb.ListFunctionVersionsByCapacityProviderResponse:
        arn, page = await self._registry.function_versions(
            request.capacity_provider_name,
            page_token=request.page_token,
            page_size=request.page_size,
        )
        return pb.ListFunctionVersionsByCapacityProviderResponse(
            capacity_provider_arn=arn,
            function_versions=[
                pb.FunctionVersionByCapacityProvider(function_arn=v.function_arn, state=v.state)
                for v in page.items
            ],
            next_page_token=page.next_token,
        )
