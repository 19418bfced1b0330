"""Operations newer than the AWS CLI's own model, for CLI tests that have to call them.

The AWS CLI (1.46) carries its own copy of botocore's data, which has no
Put/Get/DeleteResourcePolicy yet (botocore 1.44, which boto3 uses, has them). botocore
merges `service-2.sdk-extras.json` files found on its data path into a service model, so a
directory holding one with those operations, put on `AWS_DATA_PATH`, lets the CLI call them.
The definitions are the operations' wire facts (method, path, members) only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_ARN = {"type": "string"}
_POLICY_MEMBERS = {"Policy": {"shape": "String"}, "RevisionId": {"shape": "String"}}
_RESOURCE_ARN = {"shape": "String", "location": "uri", "locationName": "ResourceArn"}
_ERRORS = [{"shape": "ResourceNotFoundException"}, {"shape": "InvalidParameterValueException"}]

NEWER_OPERATIONS: dict[str, dict[str, Any]] = {
    "PutResourcePolicy": {
        "name": "PutResourcePolicy",
        "http": {
            "method": "PUT",
            "requestUri": "/2026-07-09/resource-policy/{ResourceArn}",
            "responseCode": 200,
        },
        "input": {"shape": "PutResourcePolicyRequest"},
        "output": {"shape": "PutResourcePolicyResponse"},
        "errors": [*_ERRORS, {"shape": "PreconditionFailedException"}],
    },
    "GetResourcePolicy": {
        "name": "GetResourcePolicy",
        "http": {
            "method": "GET",
            "requestUri": "/2026-07-09/resource-policy/{ResourceArn}",
            "responseCode": 200,
        },
        "input": {"shape": "GetResourcePolicyRequest"},
        "output": {"shape": "GetResourcePolicyResponse"},
        "errors": _ERRORS,
    },
    "DeleteResourcePolicy": {
        "name": "DeleteResourcePolicy",
        "http": {
            "method": "DELETE",
            "requestUri": "/2026-07-09/resource-policy/{ResourceArn}",
            "responseCode": 204,
        },
        "input": {"shape": "DeleteResourcePolicyRequest"},
        "errors": [*_ERRORS, {"shape": "PreconditionFailedException"}],
    },
}
NEWER_SHAPES: dict[str, dict[str, Any]] = {
    "PutResourcePolicyRequest": {
        "type": "structure",
        "required": ["ResourceArn", "Policy"],
        "members": {"ResourceArn": _RESOURCE_ARN, **_POLICY_MEMBERS},
    },
    "PutResourcePolicyResponse": {"type": "structure", "members": _POLICY_MEMBERS},
    "GetResourcePolicyRequest": {
        "type": "structure",
        "required": ["ResourceArn"],
        "members": {"ResourceArn": _RESOURCE_ARN},
    },
    "GetResourcePolicyResponse": {"type": "structure", "members": _POLICY_MEMBERS},
    "DeleteResourcePolicyRequest": {
        "type": "structure",
        "required": ["ResourceArn"],
        "members": {
            "ResourceArn": _RESOURCE_ARN,
            "RevisionId": {
                "shape": "String",
                "location": "querystring",
                "locationName": "RevisionId",
            },
        },
    },
}


def write_model_extras(directory: Path) -> Path:
    """A data path whose Lambda extras add the newer operations; returns `directory`."""
    target = directory / "lambda" / "2015-03-31"
    target.mkdir(parents=True, exist_ok=True)
    merge = {"operations": NEWER_OPERATIONS, "shapes": NEWER_SHAPES}
    (target / "service-2.sdk-extras.json").write_text(json.dumps({"version": 1.0, "merge": merge}))
    return directory
