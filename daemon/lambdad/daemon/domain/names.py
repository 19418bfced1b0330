"""Function names, ARNs and qualifiers, resolved the way AWS Lambda resolves them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lambdad.daemon.domain import arns
from lambdad.daemon.domain.validation import check_all, model_pattern
from lambdad.daemon.errors import (
    LambdaError,
    Reason,
    invalid_parameter,
    validation_error,
)

LATEST = "$LATEST"
# Lambda Managed Instances' republishable version (PublishTo LATEST_PUBLISHED).
LATEST_PUBLISHED = "$LATEST.PUBLISHED"

FUNCTION_NAME_PATTERN = model_pattern("FunctionName")
_FUNCTION_NAME_RE = re.compile(FUNCTION_NAME_PATTERN)
# Reads and Invoke take botocore's NamespacedFunctionName: dots allowed, up to 256 characters.
NAMESPACED_FUNCTION_NAME_PATTERN = model_pattern("NamespacedFunctionName")
_NAMESPACED_FUNCTION_NAME_RE = re.compile(NAMESPACED_FUNCTION_NAME_PATTERN)
# botocore's NumericLatestPublishedOrAliasQualifier, the shape of every implemented
# operation's Qualifier (AWS quotes it in its message); it admits `$LATEST.PUBLISHED`.
QUALIFIER_PATTERN = model_pattern("NumericLatestPublishedOrAliasQualifier")
_QUALIFIER_RE = re.compile(QUALIFIER_PATTERN)
ALIAS_PATTERN = model_pattern("Alias")
_ALIAS_RE = re.compile(ALIAS_PATTERN)
_VERSION_RE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Account:
    """The region and account id this lambdad instance plays."""

    region: str
    account_id: str

    def function_arn(self, name: str, qualifier: str | None = None) -> str:
        """`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`."""
        return arns.function_arn(self.region, self.account_id, name, qualifier)


@dataclass(frozen=True)
class FunctionRef:
    """A function name as the caller gave it, reduced to name and qualifier."""

    name: str
    qualifier: str | None

    @property
    def is_version(self) -> bool:
        """True for `$LATEST` or a number (or no qualifier, which means `$LATEST`)."""
        return self.qualifier is None or is_version_qualifier(self.qualifier)


def is_version_qualifier(qualifier: str) -> bool:
    """Versions are `$LATEST`, `$LATEST.PUBLISHED` or digits; anything else names an alias."""
    return qualifier in (LATEST, LATEST_PUBLISHED) or bool(_VERSION_RE.fullmatch(qualifier))


def version_number(version: str) -> int:
    """A version's place in version order: $LATEST first, numbers, $LATEST.PUBLISHED last."""
    if version == LATEST:
        return 0
    if version == LATEST_PUBLISHED:
        return LATEST_PUBLISHED_NUMBER
    return int(version)


LATEST_PUBLISHED_NUMBER = 999_999_999_999


def parse_function_name(
    account: Account,
    function_name: str,
    qualifier: str | None = None,
    *,
    namespaced: bool = False,
) -> FunctionRef:
    """Resolve a name, partial ARN, ARN or qualified ARN plus an optional `Qualifier`.

    `namespaced` selects the looser shape of read operations and Invoke. Raises
    AWS's errors for bad shapes, other regions and other accounts.
    """
    pattern, regex, max_length = (
        (NAMESPACED_FUNCTION_NAME_PATTERN, _NAMESPACED_FUNCTION_NAME_RE, 256)
        if namespaced
        else (FUNCTION_NAME_PATTERN, _FUNCTION_NAME_RE, 140)
    )
    qualifier = qualifier or None
    matches: list[re.Match[str]] = []

    def check_name() -> None:
        if not function_name:
            raise validation_error(
                None, "functionName", "Member must have length greater than or equal to 1"
            )
        match = regex.fullmatch(function_name)
        if match is None:
            if len(function_name) > max_length:
                raise validation_error(
                    function_name,
                    "functionName",
                    f"Member must have length less than or equal to {max_length}",
                )
            raise validation_error(
                function_name,
                "functionName",
                f"Member must satisfy regular expression pattern: {pattern}",
            )
        matches.append(match)

    def check_qualifier() -> None:
        if qualifier is not None and len(qualifier) > 128:
            raise validation_error(
                qualifier, "qualifier", "Member must have length less than or equal to 128"
            )
        if qualifier is not None and not _QUALIFIER_RE.fullmatch(qualifier):
            raise validation_error(
                qualifier,
                "qualifier",
                f"Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}",
            )

    # A bad name and a bad qualifier are reported together, name first (the model's order).
    check_all([check_name, check_qualifier])
    match = matches[0]
    region_part, account_part, name, arn_qualifier = (
        match.group(3),
        match.group(9),
        match.group(11),
        match.group(13),
    )
    if len(function_name) > max_length:
        raise validation_error(
            function_name,
            "functionName",
            f"Member must have length less than or equal to {max_length}",
        )
    if len(name) > 64 and not namespaced:
        # AWS reports this one as InvalidParameterValueException, not ValidationException.
        raise invalid_parameter(
            f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
            "constraint: Member must have length less than or equal to 64"
        )
    if region_part:
        region = region_part.rstrip(":")
        if region != account.region:
            raise LambdaError(
                Reason.FUNCTION_NOT_FOUND,
                f"Functions from '{region}' are not reachable in this region ('{account.region}')",
            )
    if account_part and account_part.rstrip(":") != account.account_id:
        raise LambdaError(Reason.ACCESS_DENIED, "")
    if arn_qualifier and qualifier and arn_qualifier != qualifier:
        raise invalid_parameter(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    return FunctionRef(name=name, qualifier=arn_qualifier or qualifier)


def is_alias_name(name: str) -> bool:
    """Whether `name` has the shape of an alias (so `$latest` is neither alias nor version)."""
    return 0 < len(name) <= 128 and bool(_ALIAS_RE.fullmatch(name))


def check_alias_name(name: str) -> None:
    """Alias names: 1-128 characters, not purely numeric."""
    if not name:
        raise validation_error(None, "name", "Member must not be null")
    if len(name) > 128:
        raise validation_error(name, "name", "Member must have length less than or equal to 128")
    if not _ALIAS_RE.fullmatch(name):
        raise validation_error(
            name,
            "name",
            f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}",
        )


def check_version(version: str, field: str = "functionVersion") -> None:
    """Versions are `$LATEST` or a number."""
    if not version or len(version) > 1024 or not re.fullmatch(r"(\$LATEST|[0-9]+)", version):
        raise validation_error(
            version or None,
            field,
            r"Member must satisfy regular expression pattern: (\$LATEST|[0-9]+)",
        )
