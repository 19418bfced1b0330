"""Servicers whose RPCs are table rows (`unary_table`): every RPC is implemented, and a row
that names no RPC fails at import rather than leaving an RPC UNIMPLEMENTED."""

from __future__ import annotations

import pytest

from lambdad.daemon.api.durable import DurableExecutionServicer
from lambdad.daemon.api.event_sources import EventSourceServicer
from lambdad.daemon.api.logs import LogServicer
from lambdad.daemon.api.status import UnaryCall, unary_table
from lambdad.v1 import durable_execution_service_pb2 as ds
from lambdad.v1 import durable_execution_service_pb2_grpc as ds_grpc
from lambdad.v1 import event_source_service_pb2 as es
from lambdad.v1 import event_source_service_pb2_grpc as es_grpc
from lambdad.v1 import log_service_pb2 as logs
from lambdad.v1 import log_service_pb2_grpc as logs_grpc

SERVICERS = [
    (DurableExecutionServicer, ds_grpc.DurableExecutionServiceServicer, ds),
    (LogServicer, logs_grpc.LogServiceServicer, logs),
    (EventSourceServicer, es_grpc.EventSourceServiceServicer, es),
]


@pytest.mark.parametrize(("servicer", "base", "module"), SERVICERS)
def test_every_rpc_is_implemented_under_its_own_name(
    servicer: type, base: type, module: object
) -> None:
    service = next(iter(module.DESCRIPTOR.services_by_name.values()))  # type: ignore[attr-defined]
    for method in service.methods:
        implemented = getattr(servicer, method.name)
        assert implemented is not getattr(base, method.name), method.name
        assert implemented.__name__ == method.name  # what `rpc` binds to the log context


@pytest.mark.parametrize("name", ["GetDurableExecutions", "ListDurableExecutionsByFunction"])
def test_a_row_naming_no_rpc_or_a_written_out_one_fails(name: str) -> None:
    row = UnaryCall[object](
        lambda service, request: service.get(request),  # type: ignore[attr-defined]
        lambda service, answer: ds.GetDurableExecutionResponse(),
    )
    with pytest.raises(TypeError, match=name):
        unary_table(lambda servicer: servicer, {name: row})(DurableExecutionServicer)
