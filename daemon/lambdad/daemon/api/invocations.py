"""InvocationService servicer: proto <-> domain conversion around `InvocationService`."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import grpc
import structlog

from lambdad.client.contract import REQUEST_ID_HEADER
from lambdad.daemon.api.status import rpc, rpc_stream
from lambdad.daemon.domain.event_invoke_config import (
    Destinations,
    EventInvokeConfig,
    EventInvokeConfigRegistry,
    EventInvokeSettings,
)
from lambdad.daemon.domain.provisioned import ProvisionedConcurrency, ProvisionedConfig
from lambdad.daemon.errors import LambdaError, Reason
from lambdad.daemon.observability.history import InvocationRecord
from lambdad.daemon.services.invocations import Invocation, InvocationService
from lambdad.v1 import invocation_service_pb2 as pb
from lambdad.v1 import invocation_service_pb2_grpc as pb_grpc

log = structlog.get_logger(__name__)
Context = grpc.aio.ServicerContext
STREAM_CHUNK = 64 * 1024


def _request_id(context: Context) -> str:
    metadata = dict(context.invocation_metadata() or ())
    value = metadata.get(REQUEST_ID_HEADER, "")
    return value if isinstance(value, str) else ""


def _invocation(
    request: pb.InvokeRequest | pb.InvokeWithResponseStreamRequest, context: Context
) -> Invocation:
    return Invocation(
        function_name=request.function_name,
        qualifier=request.qualifier,
        invocation_type=request.invocation_type,
        log_type=request.log_type,
        client_context=request.client_context,
        payload=request.payload,
        request_id=_request_id(context),
        tenant_id=request.tenant_id,
        trace_header=request.trace_id,
        durable_execution_name=getattr(request, "durable_execution_name", ""),
    )


def _settings(
    request: pb.PutFunctionEventInvokeConfigRequest | pb.UpdateFunctionEventInvokeConfigRequest,
) -> EventInvokeSettings:
    """Presence matters: an absent field is "not given", not zero."""
    destinations = None
    if request.HasField("destination_config"):
        given = request.destination_config
        destinations = Destinations(
            on_success=given.on_success.destination or None,
            on_failure=given.on_failure.destination or None,
        )
    return EventInvokeSettings(
        maximum_retry_attempts=(
            request.maximum_retry_attempts if request.HasField("maximum_retry_attempts") else None
        ),
        maximum_event_age_in_seconds=(
            request.maximum_event_age_in_seconds
            if request.HasField("maximum_event_age_in_seconds")
            else None
        ),
        destinations=destinations,
    )


def _event_invoke_config(
    configs: EventInvokeConfigRegistry, config: EventInvokeConfig
) -> pb.FunctionEventInvokeConfig:
    message = pb.FunctionEventInvokeConfig(
        last_modified=config.last_modified,
        function_arn=configs.function_arn(config),
        destination_config=pb.DestinationConfig(
            on_success=pb.OnSuccess(destination=config.on_success or ""),
            on_failure=pb.OnFailure(destination=config.on_failure or ""),
        ),
    )
    if config.maximum_retry_attempts is not None:
        message.maximum_retry_attempts = config.maximum_retry_attempts
    if config.maximum_event_age_in_seconds is not None:
        message.maximum_event_age_in_seconds = config.maximum_event_age_in_seconds
    return message


def _summary(record: InvocationRecord) -> pb.InvocationSummary:
    message = pb.InvocationSummary(
        request_id=record.request_id,
        function_name=record.function_name,
        qualifier=record.qualifier,
        executed_version=record.executed_version,
        invocation_type=record.invocation_type,
        start_time_ms=int(record.start_time * 1000),
        duration_ms=record.duration_ms,
        billed_duration_ms=record.billed_duration_ms,
        status=record.status,
        error_type=record.error_type or "",
        memory_size_mb=record.memory_size_mb,
        max_memory_used_mb=record.max_memory_used_mb,
    )
    if record.init_duration_ms is not None:
        message.init_duration_ms = record.init_duration_ms
    return message


def _provisioned(config: ProvisionedConfig, *, arn: bool) -> pb.ProvisionedConcurrencyConfig:
    """AWS's members; FunctionArn only in lists, as AWS answers."""
    allocation = config.allocation
    message = pb.ProvisionedConcurrencyConfig(
        requested_provisioned_concurrent_executions=config.requested,
        available_provisioned_concurrent_executions=allocation.available,
        allocated_provisioned_concurrent_executions=allocation.allocated,
        status=allocation.status,
        last_modified=config.last_modified,
    )
    if arn:
        message.function_arn = config.function_arn
    if allocation.reason:
        message.status_reason = allocation.reason
    return message


class InvocationServicer(pb_grpc.InvocationServiceServicer):
    """Thin gRPC layer over `InvocationService`."""

    def __init__(
        self, service: InvocationService, provisioned: ProvisionedConcurrency | None = None
    ) -> None:
        self._service = service
        self._provisioned = provisioned

    def _provisioned_service(self) -> ProvisionedConcurrency:
        if self._provisioned is None:
            raise LambdaError(Reason.SERVICE, "Provisioned concurrency is not available.")
        return self._provisioned

    @rpc
    async def Invoke(self, request: pb.InvokeRequest, context: Context) -> pb.InvokeResponse:
        outcome = await self._service.invoke(_invocation(request, context))
        response = pb.InvokeResponse(
            status_code=outcome.status_code,
            executed_version=outcome.executed_version,
            request_id=outcome.request_id,
            durable_execution_arn=outcome.durable_execution_arn,
        )
        result = outcome.result
        if result is not None:
            response.payload = result.payload
            response.function_error = result.function_error or ""
            if result.log_tail:
                response.log_result = base64.b64encode(result.log_tail).decode()
        log.info(
            "invoked",
            function=request.function_name,
            status=outcome.status_code,
            function_error=response.function_error,
        )
        return response

    @rpc_stream
    async def InvokeWithResponseStream(
        self, request: pb.InvokeWithResponseStreamRequest, context: Context
    ) -> AsyncIterator[pb.InvokeWithResponseStreamResponse]:
        outcome = await self._service.invoke_stream(_invocation(request, context))
        result = outcome.result
        content_type = "application/octet-stream"
        if result is not None and result.stream is not None:
            content_type = result.stream.content_type
        yield pb.InvokeWithResponseStreamResponse(
            start=pb.InvokeResponseStreamStart(
                status_code=outcome.status_code,
                executed_version=outcome.executed_version,
                content_type=content_type,
                request_id=outcome.request_id,
            )
        )
        if result is None:
            return
        complete = pb.InvokeWithResponseStreamCompleteEvent()
        if result.stream is not None:
            async for chunk in result.stream:
                yield pb.InvokeWithResponseStreamResponse(
                    payload_chunk=pb.InvokeResponseStreamUpdate(payload=chunk)
                )
            if result.stream.error_type:
                complete.error_code = result.stream.error_type
                complete.error_details = (result.stream.error_body or b"").decode(
                    "utf-8", "replace"
                )
        elif result.function_error:
            complete.error_code = result.error_type or "Unhandled"
            complete.error_details = result.payload.decode("utf-8", "replace")
        else:
            for start in range(0, len(result.payload), STREAM_CHUNK):
                yield pb.InvokeWithResponseStreamResponse(
                    payload_chunk=pb.InvokeResponseStreamUpdate(
                        payload=result.payload[start : start + STREAM_CHUNK]
                    )
                )
        if result.log_tail:
            complete.log_result = base64.b64encode(result.log_tail).decode()
        yield pb.InvokeWithResponseStreamResponse(invoke_complete=complete)

    @rpc_stream
    async def StreamLogs(
        self, request: pb.StreamLogsRequest, context: Context
    ) -> AsyncIterator[pb.StreamLogsResponse]:
        async for line in self._service.logs(request.function_name, follow=request.follow):
            yield pb.StreamLogsResponse(
                function_name=line.function_name,
                version=line.version,
                request_id=line.request_id,
                message=line.text,
                timestamp_ms=line.timestamp_ms,
            )

    @rpc
    async def PutFunctionConcurrency(
        self, request: pb.PutFunctionConcurrencyRequest, context: Context
    ) -> pb.PutFunctionConcurrencyResponse:
        value = await self._service.put_function_concurrency(
            request.function_name, request.reserved_concurrent_executions
        )
        return pb.PutFunctionConcurrencyResponse(reserved_concurrent_executions=value)

    @rpc
    async def GetFunctionConcurrency(
        self, request: pb.GetFunctionConcurrencyRequest, context: Context
    ) -> pb.GetFunctionConcurrencyResponse:
        value = await self._service.get_function_concurrency(request.function_name)
        response = pb.GetFunctionConcurrencyResponse()
        if value is not None:
            response.reserved_concurrent_executions = value
        return response

    @rpc
    async def DeleteFunctionConcurrency(
        self, request: pb.DeleteFunctionConcurrencyRequest, context: Context
    ) -> pb.DeleteFunctionConcurrencyResponse:
        await self._service.delete_function_concurrency(request.function_name)
        return pb.DeleteFunctionConcurrencyResponse()

    @rpc
    async def PutProvisionedConcurrencyConfig(
        self, request: pb.PutProvisionedConcurrencyConfigRequest, context: Context
    ) -> pb.PutProvisionedConcurrencyConfigResponse:
        config = await self._provisioned_service().put(
            request.function_name, request.qualifier, request.provisioned_concurrent_executions
        )
        return pb.PutProvisionedConcurrencyConfigResponse(config=_provisioned(config, arn=False))

    @rpc
    async def GetProvisionedConcurrencyConfig(
        self, request: pb.GetProvisionedConcurrencyConfigRequest, context: Context
    ) -> pb.GetProvisionedConcurrencyConfigResponse:
        config = await self._provisioned_service().get(request.function_name, request.qualifier)
        return pb.GetProvisionedConcurrencyConfigResponse(config=_provisioned(config, arn=False))

    @rpc
    async def DeleteProvisionedConcurrencyConfig(
        self, request: pb.DeleteProvisionedConcurrencyConfigRequest, context: Context
    ) -> pb.DeleteProvisionedConcurrencyConfigResponse:
        await self._provisioned_service().delete(request.function_name, request.qualifier)
        return pb.DeleteProvisionedConcurrencyConfigResponse()

    @rpc
    async def ListProvisionedConcurrencyConfigs(
        self, request: pb.ListProvisionedConcurrencyConfigsRequest, context: Context
    ) -> pb.ListProvisionedConcurrencyConfigsResponse:
        configs, next_marker = await self._provisioned_service().list(
            request.function_name, request.marker, request.max_items
        )
        return pb.ListProvisionedConcurrencyConfigsResponse(
            provisioned_concurrency_configs=[_provisioned(c, arn=True) for c in configs],
            next_marker=next_marker,
        )

    @rpc
    async def PutFunctionEventInvokeConfig(
        self, request: pb.PutFunctionEventInvokeConfigRequest, context: Context
    ) -> pb.PutFunctionEventInvokeConfigResponse:
        configs = self._service.event_invoke_configs
        config = await configs.put(request.function_name, request.qualifier, _settings(request))
        return pb.PutFunctionEventInvokeConfigResponse(
            event_invoke_config=_event_invoke_config(configs, config)
        )

    @rpc
    async def UpdateFunctionEventInvokeConfig(
        self, request: pb.UpdateFunctionEventInvokeConfigRequest, context: Context
    ) -> pb.UpdateFunctionEventInvokeConfigResponse:
        configs = self._service.event_invoke_configs
        config = await configs.update(request.function_name, request.qualifier, _settings(request))
        return pb.UpdateFunctionEventInvokeConfigResponse(
            event_invoke_config=_event_invoke_config(configs, config)
        )

    @rpc
    async def GetFunctionEventInvokeConfig(
        self, request: pb.GetFunctionEventInvokeConfigRequest, context: Context
    ) -> pb.GetFunctionEventInvokeConfigResponse:
        configs = self._service.event_invoke_configs
        config = await configs.get(request.function_name, request.qualifier)
        return pb.GetFunctionEventInvokeConfigResponse(
            event_invoke_config=_event_invoke_config(configs, config)
        )

    @rpc
    async def DeleteFunctionEventInvokeConfig(
        self, request: pb.DeleteFunctionEventInvokeConfigRequest, context: Context
    ) -> pb.DeleteFunctionEventInvokeConfigResponse:
        await self._service.event_invoke_configs.delete(request.function_name, request.qualifier)
        return pb.DeleteFunctionEventInvokeConfigResponse()

    @rpc
    async def ListFunctionEventInvokeConfigs(
        self, request: pb.ListFunctionEventInvokeConfigsRequest, context: Context
    ) -> pb.ListFunctionEventInvokeConfigsResponse:
        configs = self._service.event_invoke_configs
        page, next_token = await configs.list(
            request.function_name, page_token=request.page_token, page_size=request.page_size
        )
        return pb.ListFunctionEventInvokeConfigsResponse(
            function_event_invoke_configs=[_event_invoke_config(configs, c) for c in page],
            next_page_token=next_token,
        )

    @rpc
    async def ListInvocations(
        self, request: pb.ListInvocationsRequest, context: Context
    ) -> pb.ListInvocationsResponse:
        records = await self._service.invocations(
            request.function_name, qualifier=request.qualifier, max_items=request.max_items
        )
        return pb.ListInvocationsResponse(invocations=[_summary(r) for r in records])
