"""The error contract (lambdad.client.contract) against botocore's Lambda model, and every
layer's view of it derived from the one table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import botocore.session
import grpc
import pytest
from google.rpc import code_pb2

from lambdad.client import errors as client_errors
from lambdad.client.contract import (
    ERRORS,
    EVENT_PAYLOAD_MAX_BYTES,
    SERVICE_EXCEPTION,
    SYNC_PAYLOAD_MAX_BYTES,
    AwsException,
    ErrorContract,
    Reason,
)
from lambdad.daemon import errors as daemon_errors
from lambdad.daemon.api.status import GRPC_CODES
from lambdad.gateway import translate

REPO = Path(__file__).resolve().parents[2]


def _lambda_error_shapes() -> dict[str, object]:
    model = botocore.session.get_session().get_service_model("lambda")
    return {shape.name: shape for shape in model.error_shapes}


LAMBDA_ERROR_SHAPES = _lambda_error_shapes()


def test_every_reason_has_one_row() -> None:
    assert list(ERRORS) == list(Reason)
    assert all(row.reason is reason for reason, row in ERRORS.items())


@pytest.mark.parametrize(
    "aws",
    sorted({row.aws for row in ERRORS.values()} | {SERVICE_EXCEPTION}, key=lambda a: a.name),
    ids=lambda a: a.name,
)
def test_aws_exception_matches_the_botocore_model(aws: AwsException) -> None:
    if aws.service != "lambda":
        model = botocore.session.get_session().get_service_model(aws.service)
        assert aws.name in {shape.name for shape in model.error_shapes}
        assert aws.status == 400  # JSON 1.1 services answer every client error with 400
        return
    if not aws.modelled:
        assert aws.name not in LAMBDA_ERROR_SHAPES, f"{aws.name} is modelled now: check it"
        return
    assert aws.name in LAMBDA_ERROR_SHAPES, f"{aws.name} is not in the model: mark it unmodelled"
    shape = LAMBDA_ERROR_SHAPES[aws.name]
    error = shape.metadata["error"]  # type: ignore[attr-defined]
    message_key = next(k for k in shape.members if k.lower() == "message")  # type: ignore[attr-defined]
    assert (aws.status, aws.message_key) == (error["httpStatusCode"], message_key)
    assert aws.fault == ("User" if error.get("senderFault") else "Service")


@pytest.mark.parametrize("row", ERRORS.values(), ids=lambda row: row.reason.value)
def test_grpc_code_is_a_google_rpc_code_and_a_grpc_status_code(row: ErrorContract) -> None:
    assert GRPC_CODES[row.reason] == code_pb2.Code.Value(row.grpc_code)
    assert grpc.StatusCode[row.grpc_code].value[0] == GRPC_CODES[row.reason]


def test_daemon_and_gateway_derive_from_the_table() -> None:
    assert daemon_errors.Reason is Reason
    assert set(GRPC_CODES) == set(Reason)
    assert {reason: aws for reason, aws in translate.AWS_ERRORS.items()} == {
        reason: row.aws for reason, row in ERRORS.items()
    }
    assert translate.SERVICE_ERROR == SERVICE_EXCEPTION


@pytest.mark.parametrize("row", ERRORS.values(), ids=lambda row: row.reason.value)
def test_client_exception_class_follows_the_table(row: ErrorContract) -> None:
    error_type = getattr(client_errors, row.client_class)
    assert row.reason.value == error_type.REASON
    assert error_type.__bases__ == (getattr(client_errors, row.client_base),)
    assert " ".join(error_type.__doc__.split()) == row.doc


def test_unmodelled_exceptions_are_the_known_few() -> None:
    # AWS sends these without declaring them (lambda-spec §2.1); X-Ray's InvalidRequestException
    # is served by the same gateway.
    unmodelled = {row.aws.name for row in ERRORS.values() if not row.aws.modelled}
    assert unmodelled == {
        "ValidationException",
        "RequestEntityTooLargeException",
        "AccessDeniedException",
        "InvalidRequestException",
    }


def test_limits() -> None:
    assert SYNC_PAYLOAD_MAX_BYTES == 6 * 1024 * 1024
    assert EVENT_PAYLOAD_MAX_BYTES == 1024 * 1024


def test_generator_loads_the_contract_without_the_package() -> None:
    # buf runs the plugin with the machine's python3 and no PYTHONPATH: the contract must
    # stay standard-library only, so the generated exception classes can be made from it.
    contract = str(REPO / "client" / "lambdad" / "client" / "contract.py")
    code = (
        "import importlib.util, sys;"
        f"spec = importlib.util.spec_from_file_location('c', {contract!r});"
        "m = importlib.util.module_from_spec(spec); sys.modules['c'] = m;"
        "spec.loader.exec_module(m); print(len(m.ERRORS))"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == str(len(Reason))
