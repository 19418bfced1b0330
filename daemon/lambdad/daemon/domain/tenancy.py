"""What a tenant-isolated function (TenancyConfig PER_TENANT) cannot have."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdad.daemon.domain.names import LATEST
from lambdad.daemon.errors import invalid_parameter

if TYPE_CHECKING:
    from lambdad.daemon.domain.storage import Transaction

# Features AWS does not offer on tenant-isolated functions (its tenant isolation guide and
# the CDK's TenancyConfig list them). AWS's own texts were not found; these follow its
# SnapStart one ("SnapStart is not supported for functions with tenant isolation mode.").
TENANCY_WITHOUT = {
    "url": "Function URLs are not supported for functions with tenant isolation mode.",
    "provisioned": (
        "Provisioned concurrency is not supported for functions with tenant isolation mode."
    ),
    "mapping": "Event source mappings are not supported for functions with tenant isolation mode.",
}


def refuse_if_tenant_isolated(tx: Transaction, name: str, feature: str) -> None:
    """InvalidParameterValueException for `feature` (a TENANCY_WITHOUT key) on a
    tenant-isolated function (tenancy is fixed at creation, so $LATEST tells)."""
    latest = tx.get_version(name, LATEST)
    if latest is not None and latest.tenant_isolation_mode:
        raise invalid_parameter(TENANCY_WITHOUT[feature])
