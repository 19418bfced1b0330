"""Code signing configurations: AWS Lambda's rules for them, and what they mean locally.

lambdad has no signer: every package it is given is unsigned. A function whose code signing
configuration says `Warn` (AWS's default) deploys unsigned code as AWS does under Warn (the
deployment goes ahead, a warning is logged); one that says `Enforce` is refused a zip
deployment with AWS's CodeVerificationFailedException, as AWS refuses code whose signature
does not check out. Container images are never signed on AWS either and are not checked.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

from lambdad.daemon.domain import arns
from lambdad.daemon.domain.validation import check_all, check_description, check_enum, model_pattern
from lambdad.daemon.errors import LambdaError, Reason, validation_error

WARN = "Warn"
ENFORCE = "Enforce"
POLICIES = (WARN, ENFORCE)
CSC_ARN_PATTERN = model_pattern("CodeSigningConfigArn")
_CSC_ARN_RE = re.compile(CSC_ARN_PATTERN)
# botocore's Arn shape, the members of AllowedPublishers.SigningProfileVersionArns.
PROFILE_ARN_PATTERN = model_pattern("Arn")
_PROFILE_ARN_RE = re.compile(PROFILE_ARN_PATTERN)
MAX_PUBLISHERS = 20
_ID_ALPHABET = string.ascii_lowercase + string.digits


def new_csc_id() -> str:
    """`csc-` and 17 lowercase letters or digits, as AWS's ids."""
    return "csc-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17))


def csc_arn(region: str, account: str, csc_id: str) -> str:
    """`arn:aws:lambda:<region>:<account>:code-signing-config:<id>`."""
    return str(arns.Arn(arns.PARTITION, "lambda", region, account, f"code-signing-config:{csc_id}"))


def not_found_message(arn: str) -> str:
    """AWS's message for an ARN that names no configuration."""
    return (
        "The code signing configuration cannot be found. Check that the provided configuration "
        f"is not deleted: {arn}."
    )


# AWS's answer to GetFunctionCodeSigningConfig on a container image function (a 400
# InvalidParameterValueException recorded in cloudquery/cq-provider-aws#230); lambdad gives it
# wherever code signing meets an image function (Put, Get, CreateFunction).
NOT_FOR_IMAGES = "Code signing is not supported for functions created with container images."


@dataclass(frozen=True)
class CodeSigningConfig:
    """One code signing configuration."""

    csc_id: str
    arn: str
    description: str
    signing_profile_version_arns: tuple[str, ...]
    untrusted_artifact_on_deployment: str
    last_modified: str
    tags: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """Serialised for the state store."""
        values = asdict(self)
        values["tags"] = dict(self.tags)
        return json.dumps(values)

    @classmethod
    def from_json(cls, text: str) -> CodeSigningConfig:
        """Read back what `to_json` wrote."""
        values = json.loads(text)
        values["signing_profile_version_arns"] = tuple(values["signing_profile_version_arns"])
        return cls(**values)

    def evolve(self, **changes: object) -> CodeSigningConfig:
        """A copy with `changes` applied."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def refuses_unsigned_code(self) -> bool:
        """Whether a deployment of (always unsigned) local code is refused."""
        return self.untrusted_artifact_on_deployment == ENFORCE


def verification_failed(function_name: str) -> LambdaError:
    """AWS's refusal of code whose signature does not satisfy an Enforce configuration."""
    return LambdaError(
        Reason.CODE_VERIFICATION_FAILED,
        "Lambda cannot deploy the function. The function or layer might be signed using a "
        "signature that the client is not configured to accept. Check the provided signature "
        f"for {function_name}.",
    )


def check_csc_arn(arn: str, field_name: str = "codeSigningConfigArn") -> None:
    """The model's CodeSigningConfigArn shape (at most 200 characters, `csc-` id)."""
    if not arn:
        raise validation_error(None, field_name, "Member must not be null")
    if len(arn) > 200:
        raise validation_error(arn, field_name, "Member must have length less than or equal to 200")
    if not _CSC_ARN_RE.fullmatch(arn):
        raise validation_error(
            arn, field_name, f"Member must satisfy regular expression pattern: {CSC_ARN_PATTERN}"
        )


def is_csc_arn(arn: str) -> bool:
    """Whether `arn` is a well-formed configuration ARN."""
    return bool(_CSC_ARN_RE.fullmatch(arn))


def csc_id_of(arn: str) -> str:
    """The id at the end of a well-formed configuration ARN."""
    return arn.rsplit(":", 1)[1]


def check_settings(
    *,
    description: str | None,
    publishers: Sequence[str] | None,
    policy: str | None,
    publishers_required: bool,
) -> None:
    """Create/Update members against the model, every violation reported at once."""

    def check_publishers() -> None:
        if publishers is None:
            if publishers_required:
                raise validation_error(None, "allowedPublishers", "Member must not be null")
            return
        where = "allowedPublishers.signingProfileVersionArns"
        shown = "[" + ", ".join(publishers) + "]"
        if not publishers:
            raise validation_error(
                shown, where, "Member must have length greater than or equal to 1"
            )
        if len(publishers) > MAX_PUBLISHERS:
            raise validation_error(
                shown, where, f"Member must have length less than or equal to {MAX_PUBLISHERS}"
            )
        if any(not _PROFILE_ARN_RE.fullmatch(arn) for arn in publishers):
            raise validation_error(
                shown,
                where,
                "Member must satisfy constraint: [Member must satisfy regular expression "
                f"pattern: {PROFILE_ARN_PATTERN}]",
            )

    check_all(
        [
            lambda: check_description(description or ""),
            check_publishers,
            lambda: (
                check_enum(policy, "codeSigningPolicies.untrustedArtifactOnDeployment", POLICIES)
                if policy is not None
                else None
            ),
        ]
    )
