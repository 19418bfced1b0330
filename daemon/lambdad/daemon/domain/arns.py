"""Amazon Resource Names: the one place lambdad builds them and takes them apart.

Validation of an ARN a caller sends stays with the operation that takes it (`names.py`,
`layers.py`, `event_sources.py`, `event_invoke_config.py`): each quotes the exact pattern of
AWS's model for that member in its message. What is here is shape only:
``arn:<partition>:<service>:<region>:<account>:<resource>``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

PARTITION = "aws"


@dataclass(frozen=True)
class Arn:
    """An ARN's six parts; `resource` keeps any further colons (``function:f:alias``)."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def split_arn(text: str) -> Arn | None:
    """`text` taken apart at its first five colons; None if it is not ``arn:``-shaped."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(*parts[1:])


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    """`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`."""
    arn = str(Arn(PARTITION, "lambda", region, account, f"function:{name}"))
    return f"{arn}:{qualifier}" if qualifier else arn


def layer_arn(region: str, account: str, name: str) -> str:
    """`arn:aws:lambda:<region>:<account>:layer:<name>` (a version appends ``:<n>``)."""
    return str(Arn(PARTITION, "lambda", region, account, f"layer:{name}"))


def runtime_arn(region: str, runtime_hash: str) -> str:
    """`arn:aws:lambda:<region>::runtime:<hash>`: a runtime version (no account)."""
    return str(Arn(PARTITION, "lambda", region, "", f"runtime:{runtime_hash}"))


def sibling_arn(arn: str, resource: str) -> str:
    """An ARN for `resource` in the partition, service, region and account of `arn`."""
    parts = split_arn(arn)
    if parts is None:
        raise ValueError(f"not an ARN: {arn!r}")
    return str(dataclasses.replace(parts, resource=resource))


def account_root_arn(account: str) -> str:
    """`arn:aws:iam::<account>:root`: an account as a policy principal or a caller."""
    return str(Arn(PARTITION, "iam", "", account, "root"))


def role_arn(account: str, role: str) -> str:
    """`arn:aws:iam::<account>:role/<role>`."""
    return str(Arn(PARTITION, "iam", "", account, f"role/{role}"))
