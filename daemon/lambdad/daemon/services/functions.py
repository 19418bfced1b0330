"""The function and layer registries wired to their orchestration: code intake and state
transitions."""

from __future__ import annotations

from lambdad.daemon.domain.functions import (
    DEFAULT_HOT_RELOAD_BUCKET,
    CodeFetcher,
    FunctionRegistry,
    LayerResolver,
    VpcCheck,
)
from lambdad.daemon.domain.layers import LayerRegistry, RemoteLayerSource
from lambdad.daemon.domain.names import Account
from lambdad.daemon.domain.storage import BlobStore, StateStore
from lambdad.daemon.services.code_intake import CodeIntake, ImageResolver, LayerContentIntake
from lambdad.daemon.services.function_states import FunctionPreparer, FunctionStates


def function_registry(
    *,
    account: Account,
    state: StateStore,
    blobs: BlobStore,
    code_fetcher: CodeFetcher,
    strict: bool = False,
    min_transition_seconds: float = 0.0,
    layers: LayerResolver | None = None,
    preparer: FunctionPreparer | None = None,
    image_resolver: ImageResolver | None = None,
    hot_reload_bucket: str = DEFAULT_HOT_RELOAD_BUCKET,
    vpc_check: VpcCheck | None = None,
) -> FunctionRegistry:
    """The registry of `account`, taking code into `blobs` and settling states with `preparer`."""
    return FunctionRegistry(
        account=account,
        state=state,
        code=CodeIntake(blobs, code_fetcher, image_resolver, hot_reload_bucket),
        transitions=FunctionStates(state, blobs, preparer, min_transition_seconds),
        strict=strict,
        layers=layers,
        vpc_check=vpc_check,
    )


def layer_registry(
    *,
    account: Account,
    state: StateStore,
    blobs: BlobStore,
    code_fetcher: CodeFetcher,
    remote: RemoteLayerSource | None = None,
    hot_reload_bucket: str = DEFAULT_HOT_RELOAD_BUCKET,
) -> LayerRegistry:
    """The layer registry of `account`, taking content into `blobs`."""
    return LayerRegistry(
        account=account,
        state=state,
        content=LayerContentIntake(blobs, code_fetcher, hot_reload_bucket),
        remote=remote,
    )
