"""Every operation of botocore's Lambda model, called once through boto3 against the gateway.

An operation lambdad does not know is answered `UnknownOperationException` (404); every
operation must get any other answer: its result, or one of its own errors (a made-up
function name is a ResourceNotFoundException, which is fine here). Requests are built from
the model: the required members only, with values that pass botocore's own checks.
"""

from __future__ import annotations

import datetime
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.model import OperationModel, Shape

from tests.e2e.support import ACCOUNT, REGION

pytestmark = pytest.mark.e2e

MODEL = botocore.session.get_session().get_service_model("lambda")

# Operations another change is still building, skipped until it is merged; the lead empties
# this set then. Every operation not here must be known to lambdad (all 91 are now).
PENDING_OPERATIONS: frozenset[str] = frozenset()

FUNCTION = "all-operations-fn"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}"
# Values for members whose name says what they are; anything else gets a filler.
NAMED_VALUES: dict[str, Any] = {
    "FunctionName": FUNCTION,
    "Resource": FUNCTION_ARN,
    "ResourceArn": FUNCTION_ARN,
    "CodeSigningConfigArn": (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:csc-0123456789abcdefg"
    ),
    "LayerName": "all-operations-layer",
    "VersionNumber": 1,
    "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:all-operations-layer:1",
    "UUID": "00000000-0000-0000-0000-000000000000",
    "Qualifier": "1",
    "Name": "live",
    "FunctionVersion": "1",
    "StatementId": "sid",
    "Action": "lambda:InvokeFunction",
    "Principal": "s3.amazonaws.com",
    "Role": "arn:aws:iam::000000000000:role/r",
    "Runtime": "python3.12",
    "Handler": "app.handler",
    "RecursiveLoop": "Terminate",
    "UpdateRuntimeOn": "Auto",
    "AuthType": "NONE",
    "Policy": '{"Version":"2012-10-17","Statement":[]}',
    "ProvisionedConcurrentExecutions": 1,
    "ReservedConcurrentExecutions": 1,
    "Payload": b"{}",
    "InvokeArgs": b"{}",
    "DurableExecutionArn": f"{FUNCTION_ARN}:1/durable-execution/e/1",
    "CallbackId": "callback",
    "CapacityProviderName": "all-operations-cp",
}


def _value(name: str, shape: Shape) -> Any:
    if name in NAMED_VALUES:
        return NAMED_VALUES[name]
    kind = shape.type_name
    if kind == "structure":
        return {member: _value(member, shape.members[member]) for member in shape.required_members}
    if kind == "list":
        minimum = shape.metadata.get("min", 0)
        return [_value(name, shape.member) for _ in range(minimum)]
    if kind == "map":
        return {}
    if kind == "string":
        enum = shape.enum
        return enum[0] if enum else "x" * max(1, shape.metadata.get("min", 1))
    if kind in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if kind in ("float", "double"):
        return 1.0
    if kind == "boolean":
        return False
    if kind == "blob":
        return b"{}"
    if kind == "timestamp":
        return datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    raise AssertionError(f"no value for {name} ({kind})")


def request_for(operation: OperationModel) -> dict[str, Any]:
    """The operation's required members, with values botocore accepts."""
    shape = operation.input_shape
    if shape is None:
        return {}
    return {member: _value(member, shape.members[member]) for member in shape.required_members}


@pytest.fixture(scope="module")
def lambda_client(lambdad: Any) -> Any:
    return lambdad.lambda_client()


def test_pending_operations_are_in_the_model() -> None:
    # A name that is not an operation (a typo, a renamed operation) would hide nothing.
    assert set(MODEL.operation_names) >= PENDING_OPERATIONS


@pytest.mark.parametrize("operation_name", sorted(MODEL.operation_names))
def test_operation_is_known(lambda_client: Any, operation_name: str) -> None:
    if operation_name in PENDING_OPERATIONS:
        pytest.skip(f"{operation_name} is being built by another change (PENDING_OPERATIONS)")
    operation = MODEL.operation_model(operation_name)
    method = getattr(lambda_client, botocore.xform_name(operation_name))
    try:
        response = method(**request_for(operation))
    except ClientError as error:
        code = error.response["Error"]["Code"]
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        assert code != "UnknownOperationException", f"{operation_name} is unknown to lambdad"
        # Any modelled or AWS-style refusal is an answer; a server fault is not.
        assert status < 500, f"{operation_name}: {status} {code} {error}"
        return
    assert response["ResponseMetadata"]["HTTPStatusCode"] < 300
    if "EventStream" in response:
        for _ in response["EventStream"]:
            pass
