"""Rules of recursive loop detection and code signing configurations (domain, no daemon)."""

from __future__ import annotations

import pytest

from lambdad.daemon.domain import code_signing, recursion
from lambdad.daemon.errors import LambdaError, Reason


def test_lineage_round_trip_and_aws_form() -> None:
    counts = recursion.parse_lineage("a1b2c3d4:3,0badf00d:16")
    assert counts == {"a1b2c3d4": 3, "0badf00d": 16}
    assert recursion.parse_lineage(recursion.format_lineage(counts)) == counts
    # AWS's own `<version>:<hash>:<count>` entries are read too; junk is ignored.
    assert recursion.parse_lineage("1:a1b2c3d4:5,garbage,x:y") == {"a1b2c3d4": 5}


def test_function_key_is_stable_and_per_function() -> None:
    arn = "arn:aws:lambda:us-east-1:000000000000:function:f"
    assert recursion.function_key(arn) == recursion.function_key(arn)
    assert len(recursion.function_key(arn)) == 8
    assert recursion.function_key(arn) != recursion.function_key(arn + "2")


@pytest.mark.parametrize(
    ("setting", "previous", "stopped"),
    [
        ("Terminate", 15, False),
        ("Terminate", 16, True),
        ("Allow", 16, False),
        ("Allow", 1000, False),
    ],
)
def test_stops_after_sixteen_unless_allowed(setting: str, previous: int, stopped: bool) -> None:
    assert recursion.stops_invocation(setting, previous) is stopped


def test_recursive_loop_values() -> None:
    recursion.check_recursive_loop("Allow")
    with pytest.raises(LambdaError) as caught:
        recursion.check_recursive_loop("Sometimes")
    assert caught.value.reason is Reason.VALIDATION
    assert recursion.from_json(None) == "Terminate"
    assert recursion.from_json(recursion.to_json("Allow")) == "Allow"


def test_code_signing_settings_report_every_violation() -> None:
    with pytest.raises(LambdaError) as caught:
        code_signing.check_settings(
            description="d" * 257, publishers=[], policy="Deny", publishers_required=True
        )
    assert caught.value.message.startswith("3 validation errors detected: ")
    with pytest.raises(LambdaError) as caught:
        code_signing.check_settings(
            description=None, publishers=None, policy=None, publishers_required=True
        )
    assert caught.value.message == (
        "1 validation error detected: Value null at 'allowedPublishers' failed to satisfy "
        "constraint: Member must not be null"
    )
    code_signing.check_settings(
        description=None, publishers=None, policy=None, publishers_required=False
    )


def test_csc_ids_and_arns() -> None:
    csc_id = code_signing.new_csc_id()
    arn = code_signing.csc_arn("us-east-1", "000000000000", csc_id)
    assert code_signing.is_csc_arn(arn)
    assert code_signing.csc_id_of(arn) == csc_id
    assert not code_signing.is_csc_arn(arn + "x")


def test_only_enforce_refuses() -> None:
    config = code_signing.CodeSigningConfig(
        csc_id="csc-0123456789abcdefg",
        arn="a",
        description="",
        signing_profile_version_arns=("p",),
        untrusted_artifact_on_deployment="Warn",
        last_modified="t",
    )
    assert not config.refuses_unsigned_code()
    assert config.evolve(untrusted_artifact_on_deployment="Enforce").refuses_unsigned_code()
    assert code_signing.CodeSigningConfig.from_json(config.to_json()) == config
