"""Function URLs and function resource policies: AWS Lambda's rules for both.

`FunctionUrlRegistry` keeps URL configurations (one per function and qualifier, the URL id
fixed for the configuration's life) and resource policies, validates them with AWS's
messages, and answers the gateway's question of which function a URL id names and whether
an HTTP request may call it (SigV4 for AWS_IAM, the resource policy for NONE in strict mode).
"""

from __future__ import annotations

import json
import re
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import structlog

from lambdad.daemon.domain import arns
from lambdad.daemon.domain.functions import FunctionRegistry
from lambdad.daemon.domain.model import new_revision_id, now_lambda_timestamp
from lambdad.daemon.domain.names import LATEST, FunctionRef, is_version_qualifier
from lambdad.daemon.domain.pages import Page, paginate
from lambdad.daemon.domain.policies import ResourcePolicy, without_statement
from lambdad.daemon.domain.sigv4 import SignatureError, verify_sigv4
from lambdad.daemon.domain.storage import Transaction
from lambdad.daemon.domain.tenancy import refuse_if_tenant_isolated
from lambdad.daemon.domain.validation import check_all
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error

log = structlog.get_logger(__name__)

AUTH_TYPES = ("AWS_IAM", "NONE")
INVOKE_MODES = ("RESPONSE_STREAM", "BUFFERED")
URL_QUALIFIER_PATTERN = r"((?!^\d+$)^[0-9a-zA-Z-_]+$)"
STATEMENT_ID_PATTERN = r"([a-zA-Z0-9-_]+)"
ACTION_PATTERN = r"(lambda:[*]|lambda:[a-zA-Z]+|[*])"
MAX_URL_PAGE_SIZE = 50
URL_ID_ALPHABET = string.ascii_lowercase + string.digits
NOT_FOUND_MESSAGE = "The resource you requested does not exist."
FORBIDDEN_MESSAGE = (
    "Forbidden. For troubleshooting Function URL authorization issues, see: "
    "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
)
POLICY_REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetPolicy API to retrieve the latest Revision Id"
)
# botocore's PolicyResourceArn: a function (optionally qualified) or a runtime resource.
POLICY_RESOURCE_ARN_PATTERN = (
    r"arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:"
    r"(function:[a-zA-Z0-9-_]+(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_])+)?|runtime/[a-zA-Z0-9-_./]+)"
)
MAX_POLICY_LENGTH = 20_480
# AWS accepts the principals of AWS services (`s3.amazonaws.com`, `logs.<region>.amazonaws.com`,
# `alexa-appkit.amazon.com`, China's `.amazonaws.com.cn`); any other domain is refused.
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.(amazonaws\.com(\.cn)?|amazon\.com)")
_PRINCIPAL_ARN = re.compile(r"arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:[a-zA-Z0-9+=,.@_/-]+")


def new_url_id() -> str:
    """32 lowercase alphanumerics, as AWS's URL ids."""
    return "".join(secrets.choice(URL_ID_ALPHABET) for _ in range(32))


@dataclass(frozen=True)
class Cors:
    """A URL's CORS settings, with AWS's member semantics (None = not set)."""

    allow_credentials: bool | None = None
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_origins: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None


@dataclass(frozen=True)
class FunctionUrl:
    """One function URL configuration."""

    function_name: str
    qualifier: str  # $LATEST or an alias
    url_id: str
    auth_type: str
    creation_time: str
    last_modified_time: str
    invoke_mode: str = "BUFFERED"
    # AWS echoes InvokeMode on Create only when the request gave it.
    invoke_mode_given: bool = False
    cors: Cors | None = None

    def to_json(self) -> str:
        """Serialised for the store."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> FunctionUrl:
        """Read back what `to_json` wrote."""
        data = json.loads(text)
        cors = data.pop("cors")
        if cors is not None:
            cors = Cors(
                allow_credentials=cors["allow_credentials"],
                allow_headers=tuple(cors["allow_headers"]),
                allow_methods=tuple(cors["allow_methods"]),
                allow_origins=tuple(cors["allow_origins"]),
                expose_headers=tuple(cors["expose_headers"]),
                max_age=cors["max_age"],
            )
        return cls(**data, cors=cors)


@dataclass(frozen=True)
class UrlTarget:
    """What the gateway invokes for a URL and how the caller was authenticated."""

    url: FunctionUrl
    account_id: str
    # Set for AWS_IAM: accessKey/accountId/callerId/userArn/userId of the caller.
    iam: Mapping[str, str] | None = None


@dataclass(frozen=True)
class HttpRequestParts:
    """An HTTP request as sent on the wire, for signature checks."""

    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]
    body: bytes = b""
    preflight: bool = False


@dataclass(frozen=True)
class UrlChanges:
    """UpdateFunctionUrlConfig: only fields that are not None change."""

    auth_type: str | None = None
    cors: Cors | None = None
    cors_given: bool = False
    invoke_mode: str | None = None


@dataclass(frozen=True)
class NewPermission:
    """AddPermission's members."""

    statement_id: str
    action: str
    principal: str
    source_arn: str = ""
    source_account: str = ""
    event_source_token: str = ""
    principal_org_id: str = ""
    function_url_auth_type: str = ""
    invoked_via_function_url: bool | None = None


def check_cors(cors: Cors) -> None:
    """AWS's constraints on the Cors members."""
    if len(cors.allow_methods) > 6 or any(len(m) > 6 for m in cors.allow_methods):
        raise validation_error(
            "[" + ", ".join(cors.allow_methods) + "]",
            "cors.allowMethods",
            "Member must have length less than or equal to 6",
        )
    if len(cors.allow_origins) > 100 or any(not 1 <= len(o) <= 253 for o in cors.allow_origins):
        raise validation_error(
            "[" + ", ".join(cors.allow_origins) + "]",
            "cors.allowOrigins",
            "Member must have length less than or equal to 253",
        )
    for name, values in (
        ("allowHeaders", cors.allow_headers),
        ("exposeHeaders", cors.expose_headers),
    ):
        if len(values) > 100 or any(len(v) > 1024 for v in values):
            raise validation_error(
                "[" + ", ".join(values) + "]",
                f"cors.{name}",
                "Member must have length less than or equal to 1024",
            )
    if cors.max_age is not None and not 0 <= cors.max_age <= 86400:
        bound = "greater than or equal to 0" if cors.max_age < 0 else "less than or equal to 86400"
        raise validation_error(cors.max_age, "cors.maxAge", f"Member must have value {bound}")


def _check_enum(value: str | None, field_name: str, allowed: Sequence[str]) -> None:
    if value is None or value == "":
        raise validation_error(None, field_name, "Member must not be null")
    if value not in allowed:
        raise validation_error(
            value,
            field_name,
            f"Member must satisfy enum value set: [{', '.join(allowed)}]",
        )


def _check_url_qualifier(qualifier: str | None) -> None:
    if qualifier is not None and not re.fullmatch(URL_QUALIFIER_PATTERN, qualifier):
        raise validation_error(
            qualifier,
            "qualifier",
            f"Member must satisfy regular expression pattern: {URL_QUALIFIER_PATTERN}",
        )


def _principal(principal: str) -> str | dict[str, str]:
    """The statement's Principal for AddPermission's `principal`, or AWS's error."""
    if principal == "*":
        return "*"
    if re.fullmatch(r"\d{12}", principal):
        return {"AWS": arns.account_root_arn(principal)}
    if _PRINCIPAL_ARN.fullmatch(principal):
        return {"AWS": principal}
    if _SERVICE_PRINCIPAL.fullmatch(principal):
        return {"Service": principal}
    raise invalid_parameter(
        "The provided principal was invalid. Please check the principal and try again."
    )


# The two FunctionUrl shapes (Config.url_style); the gateway serves both.
URL_STYLE_PATH = "path"
URL_STYLE_HOST = "host"
URL_STYLES = (URL_STYLE_PATH, URL_STYLE_HOST)


class FunctionUrlRegistry:
    """URL configurations, resource policies and URL request authorisation."""

    def __init__(
        self,
        *,
        functions: FunctionRegistry,
        url_host: str,
        url_port: int,
        credentials: Mapping[str, str],
        url_style: str = URL_STYLE_PATH,
        strict: bool = False,
        require_invoke_function: bool = False,
    ) -> None:
        self._functions = functions
        self._state = functions._state  # the same store, one transaction per operation
        self._account = functions.account
        if url_style not in URL_STYLES:
            raise ValueError(f"url_style must be one of {', '.join(URL_STYLES)}: {url_style!r}")
        self._url_host = url_host
        self._url_port = url_port
        self._url_style = url_style
        self._credentials = dict(credentials)
        self._strict = strict
        self._require_invoke_function = require_invoke_function

    # --------------------------------------------------------------- identities
    def function_url(self, url: FunctionUrl) -> str:
        """`http://<host>:<port>/lambda-url/<id>/` (path style, which any client resolves) or
        `http://<id>.lambda-url.<region>.<host>:<port>/` (host style, AWS's shape)."""
        if self._url_style == URL_STYLE_PATH:
            return f"http://{self._url_host}:{self._url_port}/lambda-url/{url.url_id}/"
        return (
            f"http://{url.url_id}.lambda-url.{self._account.region}."
            f"{self._url_host}:{self._url_port}/"
        )

    def function_arn(self, url: FunctionUrl) -> str:
        """The function ARN, qualified for an alias."""
        qualifier = None if url.qualifier == LATEST else url.qualifier
        return self._account.function_arn(url.function_name, qualifier)

    def _url_ref(self, function_name: str, qualifier: str) -> FunctionRef:
        ref = self._functions.resolve(function_name, qualifier or None)
        _check_url_qualifier(ref.qualifier)
        return ref

    def _check_target(self, tx: Transaction, ref: FunctionRef) -> str:
        """The stored qualifier of a URL ($LATEST or the alias), after checking it exists."""
        if tx.get_function(ref.name) is None:
            raise self._functions._not_found(ref)
        if ref.qualifier is None:
            return LATEST
        if tx.get_alias(ref.name, ref.qualifier) is None:
            raise self._functions._not_found(ref)
        return ref.qualifier

    # --------------------------------------------------------------- URL config
    async def create_url(
        self,
        function_name: str,
        qualifier: str,
        *,
        auth_type: str,
        cors: Cors | None,
        invoke_mode: str,
    ) -> FunctionUrl:
        """CreateFunctionUrlConfig."""
        ref = self._url_ref(function_name, qualifier)
        _check_enum(auth_type, "authType", AUTH_TYPES)
        if invoke_mode:
            _check_enum(invoke_mode, "invokeMode", INVOKE_MODES)
        if cors is not None:
            check_cors(cors)

        def write(tx: Transaction) -> FunctionUrl:
            stored_qualifier = self._check_target(tx, ref)
            refuse_if_tenant_isolated(tx, ref.name, "url")
            if tx.get_function_url(ref.name, stored_qualifier) is not None:
                arn = self._account.function_arn(ref.name, ref.qualifier)
                raise LambdaError(
                    Reason.RESOURCE_CONFLICT,
                    f"Failed to create function url config for [functionArn = {arn}]. "
                    "Error message:  FunctionUrlConfig exists for this Lambda function",
                )
            url_id = new_url_id()
            while tx.function_url_by_id(url_id) is not None:
                url_id = new_url_id()
            now = now_lambda_timestamp()
            url = FunctionUrl(
                function_name=ref.name,
                qualifier=stored_qualifier,
                url_id=url_id,
                auth_type=auth_type,
                creation_time=now,
                last_modified_time=now,
                invoke_mode=invoke_mode or "BUFFERED",
                invoke_mode_given=bool(invoke_mode),
                cors=cors,
            )
            tx.put_function_url(ref.name, stored_qualifier, url_id, url.to_json())
            return url

        url = await self._state.run(write)
        log.info("function url created", function=ref.name, qualifier=url.qualifier)
        return url

    def _get_url(self, tx: Transaction, ref: FunctionRef) -> FunctionUrl:
        stored_qualifier = self._check_target(tx, ref)
        text = tx.get_function_url(ref.name, stored_qualifier)
        if text is None:
            raise LambdaError(Reason.RESOURCE_NOT_FOUND, NOT_FOUND_MESSAGE)
        return FunctionUrl.from_json(text)

    async def get_url(self, function_name: str, qualifier: str) -> FunctionUrl:
        """GetFunctionUrlConfig."""
        ref = self._url_ref(function_name, qualifier)
        return await self._state.run(lambda tx: self._get_url(tx, ref))

    async def update_url(
        self, function_name: str, qualifier: str, changes: UrlChanges
    ) -> FunctionUrl:
        """UpdateFunctionUrlConfig."""
        ref = self._url_ref(function_name, qualifier)
        if changes.auth_type is not None:
            _check_enum(changes.auth_type, "authType", AUTH_TYPES)
        if changes.invoke_mode is not None:
            _check_enum(changes.invoke_mode, "invokeMode", INVOKE_MODES)
        if changes.cors is not None:
            check_cors(changes.cors)

        def write(tx: Transaction) -> FunctionUrl:
            url = self._get_url(tx, ref)
            updated = replace(url, last_modified_time=now_lambda_timestamp())
            if changes.auth_type is not None:
                updated = replace(updated, auth_type=changes.auth_type)
            if changes.invoke_mode is not None:
                updated = replace(updated, invoke_mode=changes.invoke_mode)
            if changes.cors_given:
                updated = replace(updated, cors=changes.cors)
            tx.put_function_url(url.function_name, url.qualifier, url.url_id, updated.to_json())
            return updated

        url = await self._state.run(write)
        log.info("function url updated", function=ref.name, qualifier=url.qualifier)
        return url

    async def delete_url(self, function_name: str, qualifier: str) -> None:
        """DeleteFunctionUrlConfig (the resource policy stays, as on AWS)."""
        ref = self._url_ref(function_name, qualifier)

        def write(tx: Transaction) -> None:
            url = self._get_url(tx, ref)
            tx.delete_function_url(url.function_name, url.qualifier)

        await self._state.run(write)
        log.info("function url deleted", function=ref.name, qualifier=ref.qualifier)

    async def list_urls(
        self, function_name: str, *, page_token: str, page_size: int
    ) -> Page[FunctionUrl]:
        """ListFunctionUrlConfigs."""
        ref = self._functions.resolve(function_name)
        if page_size < 0 or page_size > MAX_URL_PAGE_SIZE:
            bound = (
                "greater than or equal to 1"
                if page_size < 1
                else f"less than or equal to {MAX_URL_PAGE_SIZE}"
            )
            raise validation_error(page_size, "maxItems", f"Member must have value {bound}")

        def read(tx: Transaction) -> list[FunctionUrl]:
            if tx.get_function(ref.name) is None:
                raise LambdaError(Reason.RESOURCE_NOT_FOUND, "Function does not exist")
            return [FunctionUrl.from_json(t) for t in tx.function_urls(ref.name)]

        urls = await self._state.run(read)
        return paginate(urls, lambda u: u.qualifier, page_token, page_size)

    # ------------------------------------------------------------ resource policy
    def _policy_target(self, tx: Transaction, ref: FunctionRef) -> str:
        """The stored qualifier of a policy ("" = unqualified), after checking it exists."""
        if tx.get_function(ref.name) is None:
            raise self._functions._not_found(ref)
        if ref.qualifier is None:
            return ""
        if is_version_qualifier(ref.qualifier):
            if tx.get_version(ref.name, ref.qualifier) is None:
                raise self._functions._not_found(ref)
        elif tx.get_alias(ref.name, ref.qualifier) is None:
            arn = self._account.function_arn(ref.name, ref.qualifier)
            raise LambdaError(Reason.ALIAS_NOT_FOUND, f"Cannot find alias arn: {arn}")
        return ref.qualifier

    @staticmethod
    def _read_policy(tx: Transaction, name: str, qualifier: str) -> ResourcePolicy | None:
        text = tx.get_function_policy(name, qualifier)
        if text is None:
            return None
        return ResourcePolicy.from_json(text)

    @staticmethod
    def _write_policy(tx: Transaction, name: str, qualifier: str, policy: ResourcePolicy) -> None:
        if policy.statements:
            tx.put_function_policy(name, qualifier, policy.to_json())
        else:
            tx.delete_function_policy(name, qualifier)

    async def add_permission(
        self, function_name: str, qualifier: str, permission: NewPermission, revision_id: str
    ) -> str:
        """AddPermission; returns the new statement as JSON text."""
        ref = self._functions.resolve(function_name, qualifier or None)
        if ref.qualifier == LATEST:
            raise invalid_parameter("We currently do not support adding policies for $LATEST.")
        sid = permission.statement_id
        if not sid:
            raise validation_error(None, "statementId", "Member must not be null")
        if len(sid) > 100 or not re.fullmatch(STATEMENT_ID_PATTERN, sid):
            raise validation_error(
                sid,
                "statementId",
                f"Member must satisfy regular expression pattern: {STATEMENT_ID_PATTERN}",
            )
        if not permission.action:
            raise validation_error(None, "action", "Member must not be null")
        if not re.fullmatch(ACTION_PATTERN, permission.action):
            raise validation_error(
                permission.action,
                "action",
                f"Member must satisfy regular expression pattern: {ACTION_PATTERN}",
            )
        if not permission.principal:
            raise validation_error(None, "principal", "Member must not be null")
        principal = _principal(permission.principal)
        if permission.function_url_auth_type:
            _check_enum(permission.function_url_auth_type, "functionUrlAuthType", AUTH_TYPES)
        statement: dict[str, Any] = {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": principal,
            "Action": permission.action,
            "Resource": self._account.function_arn(ref.name, ref.qualifier),
        }
        condition: dict[str, dict[str, str]] = {}
        if permission.source_account:
            condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = (
                permission.source_account
            )
        if permission.principal_org_id:
            condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = (
                permission.principal_org_id
            )
        if permission.event_source_token:
            condition.setdefault("StringEquals", {})["lambda:EventSourceToken"] = (
                permission.event_source_token
            )
        if permission.function_url_auth_type:
            condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = (
                permission.function_url_auth_type
            )
        if permission.source_arn:
            condition["ArnLike"] = {"AWS:SourceArn": permission.source_arn}
        if permission.invoked_via_function_url:
            condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
        if condition:
            statement["Condition"] = condition

        def write(tx: Transaction) -> None:
            stored = self._policy_target(tx, ref)
            policy = self._read_policy(tx, ref.name, stored) or ResourcePolicy(new_revision_id())
            if revision_id and revision_id != policy.revision_id:
                raise LambdaError(Reason.REVISION_ID_MISMATCH, POLICY_REVISION_MISMATCH)
            if any(s["Sid"] == sid for s in policy.statements):
                raise LambdaError(
                    Reason.RESOURCE_CONFLICT,
                    f"The statement id ({sid}) provided already exists. Please provide a new "
                    "statement id, or remove the existing statement.",
                )
            policy = ResourcePolicy(new_revision_id(), [*policy.statements, statement])
            self._write_policy(tx, ref.name, stored, policy)

        await self._state.run(write)
        log.info("permission added", function=ref.name, sid=sid, action=permission.action)
        return json.dumps(statement, separators=(",", ":"))

    async def get_policy(self, function_name: str, qualifier: str) -> tuple[str, str]:
        """GetPolicy: (policy document JSON, revision id)."""
        ref = self._functions.resolve(function_name, qualifier or None, namespaced=True)

        def read(tx: Transaction) -> tuple[str, str]:
            stored = self._policy_target(tx, ref)
            policy = self._read_policy(tx, ref.name, stored)
            if policy is None:
                raise LambdaError(Reason.RESOURCE_NOT_FOUND, NOT_FOUND_MESSAGE)
            return policy.document(), policy.revision_id

        return await self._state.run(read)

    async def remove_permission(
        self, function_name: str, qualifier: str, statement_id: str, revision_id: str
    ) -> None:
        """RemovePermission."""
        ref = self._functions.resolve(function_name, qualifier or None)

        def write(tx: Transaction) -> None:
            if tx.get_function(ref.name) is None:
                raise LambdaError(
                    Reason.RESOURCE_NOT_FOUND,
                    f"No policy found for: {self._account.function_arn(ref.name, ref.qualifier)}",
                )
            stored = self._policy_target(tx, ref)
            updated = without_statement(
                self._read_policy(tx, ref.name, stored),
                statement_id,
                revision_id,
                POLICY_REVISION_MISMATCH,
                new_revision_id(),
            )
            self._write_policy(tx, ref.name, stored, updated)

        await self._state.run(write)
        log.info("permission removed", function=ref.name, sid=statement_id)

    # ------------------------------------------------------- whole resource policies
    def _policy_resource(self, resource_arn: str) -> FunctionRef:
        """The function, version or alias a PutResourcePolicy-family ARN names."""
        if not resource_arn:
            raise validation_error(None, "resourceArn", "Member must not be null")
        if len(resource_arn) > 512:
            raise validation_error(
                resource_arn, "resourceArn", "Member must have length less than or equal to 512"
            )
        if not re.fullmatch(POLICY_RESOURCE_ARN_PATTERN, resource_arn):
            raise validation_error(
                resource_arn,
                "resourceArn",
                f"Member must satisfy regular expression pattern: {POLICY_RESOURCE_ARN_PATTERN}",
            )
        if ":runtime/" in resource_arn:
            # Runtime resources are not something lambdad has.
            raise LambdaError(Reason.RESOURCE_NOT_FOUND, NOT_FOUND_MESSAGE)
        return self._functions.resolve(resource_arn)

    async def put_resource_policy(
        self, resource_arn: str, policy: str, revision_id: str
    ) -> tuple[str, str]:
        """PutResourcePolicy: replaces the whole policy; (document, new revision id)."""
        refs: list[FunctionRef] = []

        def check_policy() -> None:
            if not policy:
                raise validation_error(None, "policy", "Member must not be null")
            if len(policy) > MAX_POLICY_LENGTH:
                raise validation_error(
                    policy,
                    "policy",
                    f"Member must have length less than or equal to {MAX_POLICY_LENGTH}",
                )

        check_all([lambda: refs.append(self._policy_resource(resource_arn)), check_policy])
        ref = refs[0]
        statements = _policy_statements(policy)
        if ref.qualifier == LATEST:
            raise invalid_parameter("We currently do not support adding policies for $LATEST.")

        def write(tx: Transaction) -> tuple[str, str]:
            stored = self._policy_target(tx, ref)
            current = self._read_policy(tx, ref.name, stored)
            if revision_id and (current is None or revision_id != current.revision_id):
                raise LambdaError(Reason.REVISION_ID_MISMATCH, POLICY_REVISION_MISMATCH)
            updated = ResourcePolicy(new_revision_id(), statements, policy)
            tx.put_function_policy(ref.name, stored, updated.to_json())
            return updated.document(), updated.revision_id

        result = await self._state.run(write)
        log.info("resource policy replaced", function=ref.name, statements=len(statements))
        return result

    async def get_resource_policy(self, resource_arn: str) -> tuple[str, str]:
        """GetResourcePolicy: (document, revision id)."""
        ref = self._policy_resource(resource_arn)

        def read(tx: Transaction) -> tuple[str, str]:
            stored = self._policy_target(tx, ref)
            policy = self._read_policy(tx, ref.name, stored)
            if policy is None:
                raise LambdaError(Reason.RESOURCE_NOT_FOUND, NOT_FOUND_MESSAGE)
            return policy.document(), policy.revision_id

        return await self._state.run(read)

    async def delete_resource_policy(self, resource_arn: str, revision_id: str) -> None:
        """DeleteResourcePolicy."""
        ref = self._policy_resource(resource_arn)

        def write(tx: Transaction) -> None:
            stored = self._policy_target(tx, ref)
            policy = self._read_policy(tx, ref.name, stored)
            if policy is None:
                raise LambdaError(
                    Reason.RESOURCE_NOT_FOUND, "No policy is associated with the given resource."
                )
            if revision_id and revision_id != policy.revision_id:
                raise LambdaError(Reason.REVISION_ID_MISMATCH, POLICY_REVISION_MISMATCH)
            tx.delete_function_policy(ref.name, stored)

        await self._state.run(write)
        log.info("resource policy deleted", function=ref.name)

    # ------------------------------------------------------------ serving a URL
    async def resolve_url(self, url_id: str, request: HttpRequestParts) -> UrlTarget:
        """The URL behind `url_id` and the caller's identity, or ACCESS_DENIED.

        An unknown id is ACCESS_DENIED with an empty message (AWS answers
        `{"Message":null}`); a refused request carries AWS's Forbidden message.
        """

        def read(tx: Transaction) -> tuple[FunctionUrl | None, ResourcePolicy | None]:
            text = tx.function_url_by_id(url_id)
            if text is None:
                return None, None
            url = FunctionUrl.from_json(text)
            policy_qualifier = "" if url.qualifier == LATEST else url.qualifier
            return url, self._read_policy(tx, url.function_name, policy_qualifier)

        url, policy = await self._state.run(read)
        if url is None:
            raise LambdaError(Reason.ACCESS_DENIED, "")
        if request.preflight:
            return UrlTarget(url, self._account.account_id)
        if url.auth_type == "AWS_IAM":
            try:
                access_key = verify_sigv4(
                    method=request.method,
                    raw_path=request.raw_path,
                    raw_query=request.raw_query,
                    headers=request.headers,
                    body=request.body,
                    region=self._account.region,
                    service="lambda",
                    credentials=self._credentials,
                )
            except SignatureError as error:
                log.info("function url signature refused", url_id=url_id, why=str(error))
                raise LambdaError(Reason.ACCESS_DENIED, FORBIDDEN_MESSAGE) from None
            account = self._account.account_id
            identity = {
                "accessKey": access_key,
                "accountId": account,
                "callerId": access_key,
                "userArn": arns.account_root_arn(account),
                "userId": account,
            }
            return UrlTarget(url, account, identity)
        if self._strict and not _allows_public_url(policy, self._require_invoke_function):
            raise LambdaError(Reason.ACCESS_DENIED, FORBIDDEN_MESSAGE)
        return UrlTarget(url, self._account.account_id)


def _allows_public_url(
    policy: ResourcePolicy | None, require_invoke_function: bool = False
) -> bool:
    """Whether the policy grants lambda:InvokeFunctionUrl to everyone for auth type NONE.

    With `require_invoke_function`, a public lambda:InvokeFunction statement (optionally
    conditioned on lambda:InvokedViaFunctionUrl) is needed as well.
    """
    if policy is None:
        return False
    url_granted = function_granted = False
    for statement in policy.statements:
        principal = statement.get("Principal")
        public = principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*")
        if not public:
            continue
        action = statement.get("Action")
        condition = statement.get("Condition", {})
        if action in ("lambda:InvokeFunctionUrl", "lambda:*", "*"):
            auth = condition.get("StringEquals", {})
            if auth.get("lambda:FunctionUrlAuthType", "NONE") == "NONE":
                url_granted = True
        if action in ("lambda:InvokeFunction", "lambda:*", "*"):
            via_url = condition.get("Bool", {}).get("lambda:InvokedViaFunctionUrl", "true")
            if via_url == "true":
                function_granted = True
    return url_granted and (function_granted or not require_invoke_function)


def _policy_statements(policy: str) -> list[dict[str, Any]]:
    """The statements of a PutResourcePolicy document, refused as AWS refuses a bad one."""
    try:
        document = json.loads(policy)
    except ValueError:
        raise invalid_parameter("The policy is not a valid JSON document.") from None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise invalid_parameter("The policy must contain a Statement list of objects.")
    return [dict(s) for s in statements]
