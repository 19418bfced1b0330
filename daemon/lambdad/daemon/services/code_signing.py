"""Code signing configurations and the functions that use them (CodeSigningService).

The configurations, and which one each function uses, are rows of the state database
(store/settings.py); the rules are domain/code_signing.py's. CreateFunction and
UpdateFunctionCode ask `check_new_function` / `check_code_update` before they deploy code.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from lambdad.daemon.domain import code_signing as rules
from lambdad.daemon.domain.code_signing import CodeSigningConfig
from lambdad.daemon.domain.model import now_lambda_timestamp
from lambdad.daemon.domain.names import LATEST, Account, FunctionRef
from lambdad.daemon.domain.pages import Page, paginate
from lambdad.daemon.domain.validation import check_tags
from lambdad.daemon.errors import LambdaError, Reason, invalid_parameter, validation_error
from lambdad.daemon.store import settings as table
from lambdad.daemon.store.state import StateStore, Transaction

log = structlog.get_logger(__name__)


class CodeSigning:
    """CRUD of code signing configurations, and their attachment to functions."""

    def __init__(
        self, *, account: Account, state: StateStore, resolve_name: Callable[..., FunctionRef]
    ) -> None:
        self._account = account
        self._state = state
        # FunctionRegistry.resolve: (name, qualifier, namespaced=) -> FunctionRef.
        self._resolve = resolve_name

    # ------------------------------------------------------------------ helpers
    def _arn(self, csc_id: str) -> str:
        return rules.csc_arn(self._account.region, self._account.account_id, csc_id)

    def _function_name(self, function_name: str) -> str:
        return self._resolve(function_name, None, namespaced=True).name

    def _existing_function(self, tx: Transaction, name: str) -> None:
        if tx.get_function(name) is None:
            raise LambdaError(
                Reason.FUNCTION_NOT_FOUND,
                f"Function not found: {self._account.function_arn(name)}",
            )

    def _signable_function(self, tx: Transaction, name: str) -> None:
        """An existing function whose code can be signed (a zip, not a container image)."""
        self._existing_function(tx, name)
        latest = tx.get_version(name, LATEST)
        if latest is not None and latest.package_type == "Image":
            raise invalid_parameter(rules.NOT_FOR_IMAGES)

    @staticmethod
    def _existing_csc(tx: Transaction, arn: str, reason: Reason) -> CodeSigningConfig:
        config = table.get_csc(tx, rules.csc_id_of(arn))
        if config is None or config.arn != arn:
            raise LambdaError(reason, rules.not_found_message(arn))
        return config

    # ------------------------------------------------------------ configurations
    async def create(
        self,
        *,
        description: str,
        publishers: list[str] | None,
        policy: str | None,
        tags: dict[str, str],
    ) -> CodeSigningConfig:
        """CreateCodeSigningConfig."""
        rules.check_settings(
            description=description,
            publishers=publishers,
            policy=policy,
            publishers_required=True,
        )
        check_tags(tags)
        csc_id = rules.new_csc_id()
        config = CodeSigningConfig(
            csc_id=csc_id,
            arn=self._arn(csc_id),
            description=description,
            signing_profile_version_arns=tuple(publishers or ()),
            untrusted_artifact_on_deployment=policy or rules.WARN,
            last_modified=now_lambda_timestamp(),
            tags=dict(tags),
        )
        await self._state.run(lambda tx: table.put_csc(tx, config))
        log.info(
            "code signing config created",
            csc=csc_id,
            policy=config.untrusted_artifact_on_deployment,
        )
        return config

    async def get(self, arn: str) -> CodeSigningConfig:
        """GetCodeSigningConfig."""
        rules.check_csc_arn(arn)
        return await self._state.run(
            lambda tx: self._existing_csc(tx, arn, Reason.RESOURCE_NOT_FOUND)
        )

    async def update(
        self,
        arn: str,
        *,
        description: str | None,
        publishers: list[str] | None,
        policy: str | None,
    ) -> CodeSigningConfig:
        """UpdateCodeSigningConfig: members not given keep their value."""
        rules.check_csc_arn(arn)
        rules.check_settings(
            description=description,
            publishers=publishers,
            policy=policy,
            publishers_required=False,
        )

        def write(tx: Transaction) -> CodeSigningConfig:
            config = self._existing_csc(tx, arn, Reason.RESOURCE_NOT_FOUND)
            changes: dict[str, object] = {"last_modified": now_lambda_timestamp()}
            if description is not None:
                changes["description"] = description
            if publishers is not None:
                changes["signing_profile_version_arns"] = tuple(publishers)
            if policy is not None:
                changes["untrusted_artifact_on_deployment"] = policy
            updated = config.evolve(**changes)
            table.put_csc(tx, updated)
            return updated

        return await self._state.run(write)

    async def delete(self, arn: str) -> None:
        """DeleteCodeSigningConfig: refused while a function uses it."""
        rules.check_csc_arn(arn)

        def write(tx: Transaction) -> None:
            config = self._existing_csc(tx, arn, Reason.RESOURCE_NOT_FOUND)
            if table.functions_using(tx, config.csc_id):
                # AWS's wording is not published (nor recorded anywhere we looked): lambdad's.
                raise LambdaError(
                    Reason.RESOURCE_CONFLICT,
                    f"Cannot delete code signing configuration {arn} because it is used by "
                    "one or more functions.",
                )
            table.delete_csc(tx, config.csc_id)

        await self._state.run(write)

    async def list_configs(self, page_token: str, page_size: int) -> Page[CodeSigningConfig]:
        """ListCodeSigningConfigs."""
        configs = await self._state.run(table.cscs)
        return paginate(configs, lambda c: c.csc_id, page_token, page_size)

    async def list_functions(self, arn: str, page_token: str, page_size: int) -> Page[str]:
        """ListFunctionsByCodeSigningConfig: unqualified function ARNs."""
        rules.check_csc_arn(arn)

        def read(tx: Transaction) -> list[str]:
            config = self._existing_csc(tx, arn, Reason.RESOURCE_NOT_FOUND)
            return table.functions_using(tx, config.csc_id)

        names = await self._state.run(read)
        page = paginate(names, lambda n: n, page_token, page_size)
        return Page([self._account.function_arn(n) for n in page.items], page.next_token)

    # ------------------------------------------------------------ tags
    @staticmethod
    def is_csc_arn(resource: str) -> bool:
        """Whether a TagResource-family ARN names a code signing configuration."""
        return rules.is_csc_arn(resource)

    async def tag(self, arn: str, tags: dict[str, str]) -> None:
        """TagResource on a configuration."""
        if not tags:
            raise invalid_parameter("An error occurred and the request cannot be processed.")

        def write(tx: Transaction) -> None:
            config = self._existing_csc(tx, arn, Reason.RESOURCE_NOT_FOUND)
            check_tags(tags, config.tags)
            table.put_csc(tx, config.evolve(tags={**config.tags, **tags}))

        await self._state.run(write)

    async def untag(self, arn: str, keys: list[str]) -> None:
        """UntagResource on a configuration."""
        if not keys:
            raise validation_error(None, "tagKeys", "Member must not be null")

        def write(tx: Transaction) -> None:
            config = self._existing_csc(tx, arn, Reason.RESOURCE_NOT_FOUND)
            kept = {k: v for k, v in config.tags.items() if k not in set(keys)}
            table.put_csc(tx, config.evolve(tags=kept))

        await self._state.run(write)

    async def tags(self, arn: str) -> dict[str, str]:
        """ListTags of a configuration."""
        config = await self._state.run(
            lambda tx: self._existing_csc(tx, arn, Reason.RESOURCE_NOT_FOUND)
        )
        return dict(config.tags)

    # ------------------------------------------------------------ functions
    async def put_function(self, function_name: str, arn: str) -> tuple[str, str]:
        """PutFunctionCodeSigningConfig: (configuration ARN, function name)."""
        name = self._function_name(function_name)
        rules.check_csc_arn(arn)

        def write(tx: Transaction) -> None:
            self._signable_function(tx, name)
            config = self._existing_csc(tx, arn, Reason.CODE_SIGNING_CONFIG_NOT_FOUND)
            table.set_function_csc(tx, name, config.csc_id)

        await self._state.run(write)
        log.info("code signing config attached", function=name, csc=arn)
        return arn, name

    async def get_function(self, function_name: str) -> tuple[str, str]:
        """GetFunctionCodeSigningConfig: ("" when none is attached, as AWS, and the name)."""
        name = self._function_name(function_name)

        def read(tx: Transaction) -> str:
            self._signable_function(tx, name)
            csc_id = table.function_csc(tx, name)
            return self._arn(csc_id) if csc_id else ""

        return await self._state.run(read), name

    async def delete_function(self, function_name: str) -> None:
        """DeleteFunctionCodeSigningConfig (a no-op when none is attached)."""
        name = self._function_name(function_name)

        def write(tx: Transaction) -> None:
            self._existing_function(tx, name)
            table.set_function_csc(tx, name, None)

        await self._state.run(write)

    # ------------------------------------------------------------ deployments
    async def check_new_function(self, function_name: str, arn: str, package_type: str) -> None:
        """CreateFunction with CodeSigningConfigArn: the ARN must name a configuration, and
        an Enforce one refuses the (unsigned) zip."""
        rules.check_csc_arn(arn)
        if package_type == "Image":
            raise invalid_parameter(rules.NOT_FOR_IMAGES)
        config = await self._state.run(
            lambda tx: self._existing_csc(tx, arn, Reason.CODE_SIGNING_CONFIG_NOT_FOUND)
        )
        try:
            name = self._function_name(function_name)
        except LambdaError:
            name = function_name  # CreateFunction reports the bad name itself
        self._judge(config, name, package_type)

    async def attach_new_function(self, function_name: str, arn: str) -> None:
        """Record the configuration of a function CreateFunction just made."""
        name = self._function_name(function_name)
        await self._state.run(lambda tx: table.set_function_csc(tx, name, rules.csc_id_of(arn)))

    async def check_code_update(self, function_name: str, package_type: str) -> None:
        """UpdateFunctionCode: the function's configuration (if any) judges the new code."""
        try:
            name = self._function_name(function_name)
        except LambdaError:
            return  # the update itself reports the bad name, in AWS's order

        def read(tx: Transaction) -> CodeSigningConfig | None:
            csc_id = table.function_csc(tx, name)
            return table.get_csc(tx, csc_id) if csc_id else None

        config = await self._state.run(read)
        if config is not None:
            self._judge(config, name, package_type)

    @staticmethod
    def _judge(config: CodeSigningConfig, function_name: str, package_type: str) -> None:
        if package_type == "Image":
            return  # images are not signed on AWS either
        if config.refuses_unsigned_code():
            raise rules.verification_failed(function_name)
        log.warning(
            "deploying unsigned code under a Warn code signing config",
            function=function_name,
            csc=config.arn,
        )
