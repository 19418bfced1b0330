"""FunctionService servicer: proto <-> domain conversion around `FunctionRegistry`."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc

from lambdad.daemon.api.masks import fields_to_apply
from lambdad.daemon.api.status import rpc, rpc_stream
from lambdad.daemon.domain import arns
from lambdad.daemon.domain.archives import MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES
from lambdad.daemon.domain.changes import AliasChange, ConfigurationChange
from lambdad.daemon.domain.code_urls import CodeUrlSigner
from lambdad.daemon.domain.concurrency import ACCOUNT_CONCURRENCY
from lambdad.daemon.domain.functions import (
    TOTAL_CODE_SIZE_LIMIT,
    CodeInput,
    FunctionRegistry,
    NewFunction,
    VersionView,
)
from lambdad.daemon.domain.model import MANAGED_INSTANCES, Alias, FunctionVersion
from lambdad.daemon.errors import LambdaError, Reason, validation_error
from lambdad.daemon.services.code_signing import CodeSigning
from lambdad.daemon.store.blobs import BlobStore
from lambdad.v1 import function_pb2 as fpb
from lambdad.v1 import function_service_pb2 as pb
from lambdad.v1 import function_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext

# UpdateFunctionConfiguration request field -> ConfigurationChange field (proto and AWS names
# differ from the stored ones for a few).
_CONFIG_FIELDS = {
    "role": "role",
    "handler": "handler",
    "description": "description",
    "timeout": "timeout",
    "memory_size": "memory_size",
    "vpc_config": "vpc_config",
    "environment": "environment",
    "runtime": "runtime",
    "dead_letter_config": "dead_letter_target_arn",
    "kms_key_arn": "kms_key_arn",
    "tracing_config": "tracing_mode",
    "layers": "layers",
    "file_system_configs": "file_system_configs",
    "image_config": "image_config",
    "ephemeral_storage": "ephemeral_storage",
    "snap_start": "snap_start_apply_on",
    "logging_config": "logging_config",
    "capacity_provider_config": "capacity_provider_config",
    "durable_config": "durable_config",
    "runtime_config": "runtime_config",
    "accelerator_config": "accelerator_config",
}
_ALIAS_FIELDS = {
    "function_version": "function_version",
    "description": "description",
    "routing_config": "routing",
}


# Log levels AWS reports for the JSON log format when none were given (Text has none).
_DEFAULT_JSON_LOG_LEVEL = "INFO"


def _logging_message(c: FunctionVersion) -> fpb.LoggingConfig:
    log_format = c.logging_config.get("LogFormat", "Text")
    default_level = _DEFAULT_JSON_LOG_LEVEL if log_format == "JSON" else None
    return fpb.LoggingConfig(
        log_format=log_format,
        application_log_level=c.logging_config.get("ApplicationLogLevel") or default_level,
        system_log_level=c.logging_config.get("SystemLogLevel") or default_level,
        log_group=c.logging_config.get("LogGroup", f"/aws/lambda/{c.name}"),
    )


def configuration_message(view: VersionView) -> fpb.FunctionConfiguration:
    """Domain configuration -> FunctionConfiguration, with AWS's defaults filled in."""
    c: FunctionVersion = view.config
    message = fpb.FunctionConfiguration(
        function_name=c.name,
        function_arn=view.function_arn,
        role=c.role,
        code_size=c.code.size,
        description=c.description,
        timeout=c.timeout,
        memory_size=c.memory_size,
        last_modified=c.last_modified,
        code_sha256=c.code.code_sha256,
        version=c.version,
        tracing_config=fpb.TracingConfig(mode=c.tracing_mode),
        revision_id=c.revision_id,
        layers=[fpb.FunctionLayer(arn=layer.arn, code_size=layer.code_size) for layer in c.layers],
        state=c.state,
        package_type=c.package_type,
        architectures=c.architectures,
        ephemeral_storage=fpb.EphemeralStorage(size=c.ephemeral_storage),
        snap_start=fpb.SnapStartResponse(apply_on=c.snap_start_apply_on, optimization_status="Off"),
        logging_config=_logging_message(c),
        file_system_configs=[
            fpb.FileSystemConfig(arn=f.get("Arn", ""), local_mount_path=f.get("LocalMountPath", ""))
            for f in c.file_system_configs
        ],
    )
    for name in (
        "runtime",
        "handler",
        "kms_key_arn",
        "state_reason",
        "state_reason_code",
        "last_update_status",
        "last_update_status_reason",
        "last_update_status_reason_code",
    ):
        value = getattr(c, name)
        if value is not None:
            setattr(message, name, value)
    if c.runtime:
        region = view.function_arn.split(":")[3]
        message.runtime_version_config.runtime_version_arn = arns.runtime_arn(
            region, _runtime_hash(c.runtime)
        )
    if c.environment:
        # AWS shows Environment only when there are variables (recorded 2025-26, issue 15).
        message.environment.variables.update(c.environment)
    if c.dead_letter_target_arn:
        message.dead_letter_config.target_arn = c.dead_letter_target_arn
    if c.durable_config is not None:
        durable = c.durable_config
        message.durable_config.execution_timeout = int(durable["ExecutionTimeout"])
        message.durable_config.retention_period_in_days = int(durable["RetentionPeriodInDays"])
        if durable.get("KMSKeyArn"):
            message.durable_config.kms_key_arn = str(durable["KMSKeyArn"])
    if c.vpc_config is not None:
        message.vpc_config.subnet_ids.extend(c.vpc_config.get("SubnetIds", []))
        message.vpc_config.security_group_ids.extend(c.vpc_config.get("SecurityGroupIds", []))
        message.vpc_config.vpc_id = ""
        # AWS reports the flag on every VpcConfig, `false` when it was never set.
        message.vpc_config.ipv6_allowed_for_dual_stack = bool(
            c.vpc_config.get("Ipv6AllowedForDualStack", False)
        )
    if c.capacity_provider_config:
        managed = c.capacity_provider_config.get(MANAGED_INSTANCES, {})
        target = message.capacity_provider_config.lambda_managed_instances_capacity_provider_config
        target.capacity_provider_arn = managed.get("CapacityProviderArn", "")
        # AWS reports the concurrency in effect, its default when none was asked for.
        target.per_execution_environment_max_concurrency = c.max_concurrency
        if managed.get("ExecutionEnvironmentMemoryGiBPerVCpu") is not None:
            target.execution_environment_memory_gib_per_vcpu = float(
                managed["ExecutionEnvironmentMemoryGiBPerVCpu"]
            )
    if c.tenant_isolation_mode:
        message.tenancy_config.tenant_isolation_mode = c.tenant_isolation_mode
    if c.runtime_config:
        message.runtime_config.runtime_arn = c.runtime_config.get("RuntimeArn") or ""
        message.runtime_config.runtime_alias = c.runtime_config.get("RuntimeAlias") or ""
    if c.accelerator_config:
        message.accelerator_config.accelerator_memory_size = int(
            c.accelerator_config.get("AcceleratorMemorySize") or 0
        )
    if c.package_type == "Image" and c.image_config:
        message.image_config_response.image_config.CopyFrom(
            fpb.ImageConfig(
                entry_point=c.image_config.get("EntryPoint", []),
                command=c.image_config.get("Command", []),
                working_directory=c.image_config.get("WorkingDirectory", ""),
            )
        )
    return message


def _runtime_hash(runtime: str) -> str:
    """A stable stand-in for AWS's runtime version hash."""
    return hashlib.sha256(runtime.encode()).hexdigest()


def alias_message(alias: Alias, arn: str) -> fpb.AliasConfiguration:
    """Domain alias -> AliasConfiguration."""
    message = fpb.AliasConfiguration(
        alias_arn=arn,
        name=alias.name,
        function_version=alias.function_version,
        description=alias.description,
        revision_id=alias.revision_id,
    )
    if alias.routing:
        message.routing_config.additional_version_weights.update(alias.routing)
    return message


def _code_input(code: fpb.FunctionCode | pb.UpdateFunctionCodeRequest) -> CodeInput:
    return CodeInput(
        zip_file=code.zip_file,
        s3_bucket=code.s3_bucket,
        s3_key=code.s3_key,
        s3_object_version=code.s3_object_version,
        image_uri=code.image_uri,
        s3_object_storage_mode=code.s3_object_storage_mode,
    )


def _vpc(message: fpb.VpcConfig) -> dict[str, Any]:
    vpc: dict[str, Any] = {
        "SubnetIds": list(message.subnet_ids),
        "SecurityGroupIds": list(message.security_group_ids),
    }
    if message.HasField("ipv6_allowed_for_dual_stack"):
        vpc["Ipv6AllowedForDualStack"] = message.ipv6_allowed_for_dual_stack
    return vpc


def _image_config(message: fpb.ImageConfig) -> dict[str, Any]:
    return {
        "EntryPoint": list(message.entry_point),
        "Command": list(message.command),
        "WorkingDirectory": message.working_directory,
    }


def _logging(message: fpb.LoggingConfig) -> dict[str, str]:
    return {
        "LogFormat": message.log_format,
        "ApplicationLogLevel": message.application_log_level,
        "SystemLogLevel": message.system_log_level,
        "LogGroup": message.log_group,
    }


def capacity_provider_config(message: fpb.CapacityProviderConfig) -> dict[str, Any] | None:
    """CapacityProviderConfig -> its AWS members (None when the message is empty)."""
    if not message.HasField("lambda_managed_instances_capacity_provider_config"):
        return None
    managed = message.lambda_managed_instances_capacity_provider_config
    members: dict[str, Any] = {"CapacityProviderArn": managed.capacity_provider_arn}
    if managed.HasField("per_execution_environment_max_concurrency"):
        members["PerExecutionEnvironmentMaxConcurrency"] = (
            managed.per_execution_environment_max_concurrency
        )
    if managed.HasField("execution_environment_memory_gib_per_vcpu"):
        members["ExecutionEnvironmentMemoryGiBPerVCpu"] = (
            managed.execution_environment_memory_gib_per_vcpu
        )
    return {MANAGED_INSTANCES: members}


def _durable(message: fpb.DurableConfig) -> dict[str, Any]:
    """DurableConfig as the domain keeps it (AWS member names, given members only)."""
    given: dict[str, Any] = {}
    if message.HasField("execution_timeout"):
        given["ExecutionTimeout"] = message.execution_timeout
    if message.HasField("retention_period_in_days"):
        given["RetentionPeriodInDays"] = message.retention_period_in_days
    if message.HasField("kms_key_arn"):
        given["KMSKeyArn"] = message.kms_key_arn
    return given


def _runtime_config(message: fpb.FunctionRuntimeConfig) -> dict[str, Any]:
    # An absent member is None, so the model's "must not be null" can be reported.
    return {
        "RuntimeArn": message.runtime_arn or None,
        "RuntimeAlias": message.runtime_alias or None,
    }


def _accelerator_config(message: fpb.AcceleratorConfig) -> dict[str, Any]:
    size = message.accelerator_memory_size if message.HasField("accelerator_memory_size") else None
    return {"AcceleratorMemorySize": size}


def _file_systems(items: Any) -> list[dict[str, str]]:
    return [{"Arn": f.arn, "LocalMountPath": f.local_mount_path} for f in items]


def _config_value(request: pb.UpdateFunctionConfigurationRequest, field: str) -> Any:
    """A request field converted to the domain value of its FunctionVersion field."""
    value = getattr(request, field)
    converters: dict[str, Any] = {
        "vpc_config": _vpc,
        "environment": lambda m: dict(m.variables),
        "dead_letter_config": lambda m: m.target_arn or None,
        "kms_key_arn": lambda v: v or None,
        "tracing_config": lambda m: m.mode,
        "layers": list,
        "file_system_configs": _file_systems,
        "image_config": _image_config,
        "ephemeral_storage": lambda m: m.size,
        "snap_start": lambda m: m.apply_on,
        "logging_config": _logging,
        "capacity_provider_config": capacity_provider_config,
        "durable_config": _durable,
        "runtime_config": _runtime_config,
        "accelerator_config": _accelerator_config,
    }
    return converters.get(field, lambda v: v)(value)


class FunctionServicer(pb_grpc.FunctionServiceServicer):
    """gRPC FunctionService over the domain registry."""

    def __init__(
        self,
        registry: FunctionRegistry,
        blobs: BlobStore,
        code_urls: CodeUrlSigner,
        *,
        code_signing: CodeSigning | None = None,
        pinned_runtime: Callable[[str, str], Awaitable[str | None]] | None = None,
    ) -> None:
        self._registry = registry
        self._blobs = blobs
        self._code_urls = code_urls
        # Judges deployments of functions with a code signing configuration (None: none do).
        self._code_signing = code_signing
        # The runtime version a Manual runtime management setting pins, shown as
        # RuntimeVersionConfig by GetFunction/GetFunctionConfiguration (None: never pinned).
        self._pinned_runtime = pinned_runtime

    async def _show_pinned_runtime(
        self, view: VersionView, message: fpb.FunctionConfiguration
    ) -> None:
        if self._pinned_runtime is None or not message.HasField("runtime_version_config"):
            return
        pinned = await self._pinned_runtime(view.config.name, view.config.version)
        if pinned:
            message.runtime_version_config.runtime_version_arn = pinned

    @rpc
    async def CreateFunction(
        self, request: pb.CreateFunctionRequest, context: Context
    ) -> pb.CreateFunctionResponse:
        spec = NewFunction(
            function_name=request.function_name,
            role=request.role,
            code=_code_input(request.code),
            runtime=request.runtime or None,
            handler=request.handler or None,
            description=request.description,
            timeout=request.timeout if request.HasField("timeout") else None,
            memory_size=request.memory_size if request.HasField("memory_size") else None,
            publish=request.publish,
            package_type=request.package_type,
            environment=dict(request.environment.variables),
            architectures=list(request.architectures),
            ephemeral_storage=request.ephemeral_storage.size
            if request.HasField("ephemeral_storage")
            else None,
            tracing_mode=request.tracing_config.mode or None,
            layers=list(request.layers),
            dead_letter_target_arn=request.dead_letter_config.target_arn or None,
            kms_key_arn=request.kms_key_arn or None,
            vpc_config=_vpc(request.vpc_config) if request.HasField("vpc_config") else None,
            file_system_configs=_file_systems(request.file_system_configs),
            image_config=_image_config(request.image_config)
            if request.HasField("image_config")
            else None,
            snap_start_apply_on=request.snap_start.apply_on or None,
            logging_config=_logging(request.logging_config),
            code_signing_config_arn=request.code_signing_config_arn or None,
            tags=dict(request.tags),
            capacity_provider_config=capacity_provider_config(request.capacity_provider_config)
            if request.HasField("capacity_provider_config")
            else None,
            tenant_isolation_mode=request.tenancy_config.tenant_isolation_mode
            if request.HasField("tenancy_config")
            else None,
            publish_to=request.publish_to,
            durable_config=_durable(request.durable_config)
            if request.HasField("durable_config")
            else None,
            runtime_config=_runtime_config(request.runtime_config)
            if request.HasField("runtime_config")
            else None,
            accelerator_config=_accelerator_config(request.accelerator_config)
            if request.HasField("accelerator_config")
            else None,
        )
        csc_arn = request.code_signing_config_arn
        if csc_arn and self._code_signing is not None:
            await self._code_signing.check_new_function(
                request.function_name, csc_arn, request.package_type or "Zip"
            )
        view = await self._registry.create_function(spec)
        if csc_arn and self._code_signing is not None:
            await self._code_signing.attach_new_function(request.function_name, csc_arn)
        return pb.CreateFunctionResponse(configuration=configuration_message(view))

    @rpc
    async def GetFunction(
        self, request: pb.GetFunctionRequest, context: Context
    ) -> pb.GetFunctionResponse:
        details = await self._registry.get_function(request.function_name, request.qualifier)
        code = details.view.config.code
        response = pb.GetFunctionResponse(
            configuration=configuration_message(details.view), tags=details.tags
        )
        await self._show_pinned_runtime(details.view, response.configuration)
        if details.view.config.package_type == "Image":
            response.code.repository_type = "ECR"
            response.code.image_uri = code.image_uri
            if code.resolved_image_uri:
                response.code.resolved_image_uri = code.resolved_image_uri
        else:
            response.code.repository_type = "S3"
            # Hot-reload code has no zip to download: its location is the directory.
            response.code.location = (
                Path(code.hot_reload_dir).as_uri()
                if code.hot_reload_dir
                else self._code_urls.location(code.sha256_hex)
            )
        if details.reserved_concurrency is not None:
            response.concurrency.reserved_concurrent_executions = details.reserved_concurrency
        return response

    @rpc
    async def GetFunctionConfiguration(
        self, request: pb.GetFunctionConfigurationRequest, context: Context
    ) -> pb.GetFunctionConfigurationResponse:
        view = await self._registry.get_configuration(request.function_name, request.qualifier)
        response = pb.GetFunctionConfigurationResponse(configuration=configuration_message(view))
        await self._show_pinned_runtime(view, response.configuration)
        return response

    @rpc
    async def ListFunctions(
        self, request: pb.ListFunctionsRequest, context: Context
    ) -> pb.ListFunctionsResponse:
        if request.function_version not in ("", "ALL"):
            raise validation_error(
                request.function_version,
                "functionVersion",
                "Member must satisfy enum value set: [ALL]",
            )
        page = await self._registry.list_functions(
            all_versions=request.function_version == "ALL",
            page_token=request.page_token,
            page_size=request.page_size,
        )
        return pb.ListFunctionsResponse(
            functions=[configuration_message(v) for v in page.items],
            next_page_token=page.next_token,
        )

    @rpc
    async def UpdateFunctionCode(
        self, request: pb.UpdateFunctionCodeRequest, context: Context
    ) -> pb.UpdateFunctionCodeResponse:
        if self._code_signing is not None:
            await self._code_signing.check_code_update(
                request.function_name, "Image" if request.image_uri else "Zip"
            )
        view = await self._registry.update_code(
            request.function_name,
            _code_input(request),
            revision_id=request.revision_id,
            publish=request.publish,
            publish_to=request.publish_to,
            dry_run=request.dry_run,
            architectures=list(request.architectures),
        )
        return pb.UpdateFunctionCodeResponse(configuration=configuration_message(view))

    @rpc
    async def UpdateFunctionConfiguration(
        self, request: pb.UpdateFunctionConfigurationRequest, context: Context
    ) -> pb.UpdateFunctionConfigurationResponse:
        fields = fields_to_apply(request, request.update_mask, _CONFIG_FIELDS)
        change = ConfigurationChange(
            **{_CONFIG_FIELDS[f]: _config_value(request, f) for f in fields}
        )
        view = await self._registry.update_configuration(
            request.function_name, change, revision_id=request.revision_id
        )
        return pb.UpdateFunctionConfigurationResponse(configuration=configuration_message(view))

    @rpc
    async def SetFunctionDebug(
        self, request: pb.SetFunctionDebugRequest, context: Context
    ) -> pb.SetFunctionDebugResponse:
        view = await self._registry.set_debug(
            request.function_name, request.port, wait=request.wait
        )
        return pb.SetFunctionDebugResponse(configuration=configuration_message(view))

    @rpc
    async def DeleteFunction(
        self, request: pb.DeleteFunctionRequest, context: Context
    ) -> pb.DeleteFunctionResponse:
        await self._registry.delete_function(request.function_name, request.qualifier)
        return pb.DeleteFunctionResponse()

    @rpc
    async def PublishVersion(
        self, request: pb.PublishVersionRequest, context: Context
    ) -> pb.PublishVersionResponse:
        view = await self._registry.publish_version(
            request.function_name,
            code_sha256=request.code_sha256,
            description=request.description,
            revision_id=request.revision_id,
            publish_to=request.publish_to,
        )
        return pb.PublishVersionResponse(configuration=configuration_message(view))

    @rpc
    async def ListVersionsByFunction(
        self, request: pb.ListVersionsByFunctionRequest, context: Context
    ) -> pb.ListVersionsByFunctionResponse:
        page = await self._registry.list_versions(
            request.function_name,
            page_token=request.page_token,
            page_size=request.page_size,
        )
        return pb.ListVersionsByFunctionResponse(
            versions=[configuration_message(v) for v in page.items],
            next_page_token=page.next_token,
        )

    def _alias(self, alias: Alias) -> fpb.AliasConfiguration:
        return alias_message(
            alias, self._registry.account.function_arn(alias.function_name, alias.name)
        )

    @rpc
    async def CreateAlias(
        self, request: pb.CreateAliasRequest, context: Context
    ) -> pb.CreateAliasResponse:
        alias = await self._registry.create_alias(
            request.function_name,
            request.name,
            request.function_version,
            request.description,
            dict(request.routing_config.additional_version_weights),
        )
        return pb.CreateAliasResponse(alias=self._alias(alias))

    @rpc
    async def GetAlias(self, request: pb.GetAliasRequest, context: Context) -> pb.GetAliasResponse:
        alias = await self._registry.get_alias(request.function_name, request.name)
        return pb.GetAliasResponse(alias=self._alias(alias))

    @rpc
    async def ListAliases(
        self, request: pb.ListAliasesRequest, context: Context
    ) -> pb.ListAliasesResponse:
        page = await self._registry.list_aliases(
            request.function_name,
            function_version=request.function_version,
            page_token=request.page_token,
            page_size=request.page_size,
        )
        return pb.ListAliasesResponse(
            aliases=[self._alias(a) for a in page.items],
            next_page_token=page.next_token,
        )

    @rpc
    async def UpdateAlias(
        self, request: pb.UpdateAliasRequest, context: Context
    ) -> pb.UpdateAliasResponse:
        fields = fields_to_apply(request, request.update_mask, _ALIAS_FIELDS)
        changes: dict[str, Any] = {}
        for name in fields:
            value = getattr(request, name)
            if name == "routing_config":
                value = dict(value.additional_version_weights)
            changes[_ALIAS_FIELDS[name]] = value
        alias = await self._registry.update_alias(
            request.function_name,
            request.name,
            AliasChange(**changes),
            revision_id=request.revision_id,
        )
        return pb.UpdateAliasResponse(alias=self._alias(alias))

    @rpc
    async def DeleteAlias(
        self, request: pb.DeleteAliasRequest, context: Context
    ) -> pb.DeleteAliasResponse:
        await self._registry.delete_alias(request.function_name, request.name)
        return pb.DeleteAliasResponse()

    @rpc
    async def TagResource(
        self, request: pb.TagResourceRequest, context: Context
    ) -> pb.TagResourceResponse:
        if self._code_signing is not None and self._code_signing.is_csc_arn(request.resource):
            await self._code_signing.tag(request.resource, dict(request.tags))
        else:
            await self._registry.tag_resource(request.resource, dict(request.tags))
        return pb.TagResourceResponse()

    @rpc
    async def UntagResource(
        self, request: pb.UntagResourceRequest, context: Context
    ) -> pb.UntagResourceResponse:
        if self._code_signing is not None and self._code_signing.is_csc_arn(request.resource):
            await self._code_signing.untag(request.resource, list(request.tag_keys))
        else:
            await self._registry.untag_resource(request.resource, list(request.tag_keys))
        return pb.UntagResourceResponse()

    @rpc
    async def ListTags(self, request: pb.ListTagsRequest, context: Context) -> pb.ListTagsResponse:
        if self._code_signing is not None and self._code_signing.is_csc_arn(request.resource):
            return pb.ListTagsResponse(tags=await self._code_signing.tags(request.resource))
        return pb.ListTagsResponse(tags=await self._registry.list_tags(request.resource))

    @rpc
    async def GetAccountSettings(
        self, request: pb.GetAccountSettingsRequest, context: Context
    ) -> pb.GetAccountSettingsResponse:
        usage = await self._registry.account_settings()
        return pb.GetAccountSettingsResponse(
            account_limit=fpb.AccountLimit(
                total_code_size=TOTAL_CODE_SIZE_LIMIT,
                code_size_unzipped=MAX_UNZIPPED_BYTES,
                code_size_zipped=MAX_ZIPPED_BYTES,
                concurrent_executions=ACCOUNT_CONCURRENCY,
                unreserved_concurrent_executions=usage.unreserved_concurrency,
            ),
            account_usage=fpb.AccountUsage(
                total_code_size=usage.total_code_size,
                function_count=usage.function_count,
            ),
        )

    @rpc_stream
    async def DownloadCode(
        self, request: pb.DownloadCodeRequest, context: Context
    ) -> AsyncIterator[pb.DownloadCodeResponse]:
        """Stream a stored zip."""
        sha256_hex = self._code_urls.verify(request.location)
        if not self._blobs.exists(sha256_hex):
            raise LambdaError(Reason.RESOURCE_NOT_FOUND, "The specified key does not exist.")
        with open(self._blobs.path(sha256_hex), "rb") as handle:
            while chunk := await asyncio.to_thread(handle.read, 1 << 20):
                yield pb.DownloadCodeResponse(chunk=chunk)
