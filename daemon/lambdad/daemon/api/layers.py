"""LayerService servicer: proto <-> domain conversion around `LayerRegistry`."""

from __future__ import annotations

from pathlib import Path

import grpc
from google.protobuf import field_mask_pb2

from lambdad.daemon.api.status import rpc
from lambdad.daemon.domain.code_urls import CodeUrlSigner
from lambdad.daemon.domain.layers import (
    LayerContentInput,
    LayerRegistry,
    LayerVersionRecord,
    NewLayerVersion,
)
from lambdad.v1 import layer_pb2 as lpb
from lambdad.v1 import layer_service_pb2 as pb
from lambdad.v1 import layer_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext


def _list_item(record: LayerVersionRecord) -> lpb.LayerVersionsListItem:
    return lpb.LayerVersionsListItem(
        layer_version_arn=record.layer_version_arn,
        version=record.version,
        description=record.description,
        created_date=record.created_date,
        compatible_runtimes=record.compatible_runtimes,
        license_info=record.license_info,
        compatible_architectures=record.compatible_architectures,
        emitted_when_empty=_given_empty(record),
    )


def _given_empty(record: LayerVersionRecord) -> field_mask_pb2.FieldMask | None:
    return field_mask_pb2.FieldMask(paths=record.given_empty) if record.given_empty else None


class LayerServicer(pb_grpc.LayerServiceServicer):
    """Thin gRPC layer over `LayerRegistry`."""

    def __init__(self, layers: LayerRegistry, code_urls: CodeUrlSigner) -> None:
        self._layers = layers
        self._code_urls = code_urls

    def _version(self, record: LayerVersionRecord) -> lpb.LayerVersion:
        return lpb.LayerVersion(
            content=lpb.LayerVersionContent(
                # A hot-reload layer has no zip to download: its location is the directory.
                location=Path(record.hot_reload_dir).as_uri()
                if record.hot_reload_dir
                else self._code_urls.location(record.sha256_hex),
                code_sha256=record.code_sha256,
                code_size=record.code_size,
            ),
            layer_arn=record.layer_arn,
            layer_version_arn=record.layer_version_arn,
            description=record.description,
            created_date=record.created_date,
            version=record.version,
            compatible_runtimes=record.compatible_runtimes,
            license_info=record.license_info,
            compatible_architectures=record.compatible_architectures,
            emitted_when_empty=_given_empty(record),
        )

    @rpc
    async def PublishLayerVersion(
        self, request: pb.PublishLayerVersionRequest, context: Context
    ) -> pb.PublishLayerVersionResponse:
        """Publish a new layer version."""
        content = request.content
        record = await self._layers.publish(
            NewLayerVersion(
                layer_name=request.layer_name,
                content=LayerContentInput(
                    zip_file=content.zip_file,
                    s3_bucket=content.s3_bucket,
                    s3_key=content.s3_key,
                    s3_object_version=content.s3_object_version,
                ),
                description=request.description,
                license_info=request.license_info,
                compatible_runtimes=list(request.compatible_runtimes),
                compatible_architectures=list(request.compatible_architectures),
                given=frozenset(request.update_mask.paths),
            )
        )
        return pb.PublishLayerVersionResponse(layer_version=self._version(record))

    @rpc
    async def GetLayerVersion(
        self, request: pb.GetLayerVersionRequest, context: Context
    ) -> pb.GetLayerVersionResponse:
        """One layer version."""
        record = await self._layers.get(request.layer_name, request.version_number)
        return pb.GetLayerVersionResponse(layer_version=self._version(record))

    @rpc
    async def GetLayerVersionByArn(
        self, request: pb.GetLayerVersionByArnRequest, context: Context
    ) -> pb.GetLayerVersionByArnResponse:
        """One layer version, by ARN."""
        record = await self._layers.get_by_arn(request.arn)
        return pb.GetLayerVersionByArnResponse(layer_version=self._version(record))

    @rpc
    async def ListLayers(
        self, request: pb.ListLayersRequest, context: Context
    ) -> pb.ListLayersResponse:
        """Layers with their newest matching version."""
        page = await self._layers.list_layers(
            request.compatible_runtime,
            request.compatible_architecture,
            request.page_token,
            request.page_size,
        )
        return pb.ListLayersResponse(
            layers=[
                lpb.LayersListItem(
                    layer_name=item.layer_name,
                    layer_arn=item.layer_arn,
                    latest_matching_version=_list_item(item.latest),
                )
                for item in page.items
            ],
            next_page_token=page.next_token,
        )

    @rpc
    async def ListLayerVersions(
        self, request: pb.ListLayerVersionsRequest, context: Context
    ) -> pb.ListLayerVersionsResponse:
        """Versions of a layer, newest first."""
        page = await self._layers.list_versions(
            request.layer_name,
            request.compatible_runtime,
            request.compatible_architecture,
            request.page_token,
            request.page_size,
        )
        return pb.ListLayerVersionsResponse(
            layer_versions=[_list_item(r) for r in page.items], next_page_token=page.next_token
        )

    @rpc
    async def DeleteLayerVersion(
        self, request: pb.DeleteLayerVersionRequest, context: Context
    ) -> pb.DeleteLayerVersionResponse:
        """Delete a layer version."""
        await self._layers.delete(request.layer_name, request.version_number)
        return pb.DeleteLayerVersionResponse()

    @rpc
    async def AddLayerVersionPermission(
        self, request: pb.AddLayerVersionPermissionRequest, context: Context
    ) -> pb.AddLayerVersionPermissionResponse:
        """Add a policy statement."""
        statement, revision_id = await self._layers.add_permission(
            request.layer_name,
            request.version_number,
            statement_id=request.statement_id,
            action=request.action,
            principal=request.principal,
            organization_id=request.organization_id,
            revision_id=request.revision_id,
        )
        return pb.AddLayerVersionPermissionResponse(statement=statement, revision_id=revision_id)

    @rpc
    async def GetLayerVersionPolicy(
        self, request: pb.GetLayerVersionPolicyRequest, context: Context
    ) -> pb.GetLayerVersionPolicyResponse:
        """The policy document."""
        policy = await self._layers.get_policy(request.layer_name, request.version_number)
        return pb.GetLayerVersionPolicyResponse(
            policy=policy.document(), revision_id=policy.revision_id
        )

    @rpc
    async def RemoveLayerVersionPermission(
        self, request: pb.RemoveLayerVersionPermissionRequest, context: Context
    ) -> pb.RemoveLayerVersionPermissionResponse:
        """Remove a policy statement."""
        await self._layers.remove_permission(
            request.layer_name, request.version_number, request.statement_id, request.revision_id
        )
        return pb.RemoveLayerVersionPermissionResponse()
