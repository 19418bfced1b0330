"""Tables of code signing configurations and of per-function settings (state database).

`code_signing_configs` holds each configuration as a JSON document (domain/code_signing.py);
`function_code_signing` the one configuration a function uses; `function_settings` one JSON
value per function, qualifier and kind (recursion, runtime management, scaling). Rows of a
function go with it (ON DELETE CASCADE). Every function takes the open `Transaction`, so a
check and a write happen in one transaction.
"""

from __future__ import annotations

from lambdad.daemon.domain.code_signing import CodeSigningConfig
from lambdad.daemon.store.state import Transaction

# function_settings.kind values.
RECURSION = "recursion"
RUNTIME_MANAGEMENT = "runtime_management"
SCALING = "scaling"


def get_csc(tx: Transaction, csc_id: str) -> CodeSigningConfig | None:
    """One configuration."""
    row = tx.execute("SELECT config FROM code_signing_configs WHERE id=?", (csc_id,)).fetchone()
    return CodeSigningConfig.from_json(row[0]) if row else None


def put_csc(tx: Transaction, config: CodeSigningConfig) -> None:
    """Insert or replace a configuration."""
    tx.execute(
        "INSERT INTO code_signing_configs(id, config) VALUES(?,?) "
        "ON CONFLICT(id) DO UPDATE SET config=excluded.config",
        (config.csc_id, config.to_json()),
    )


def delete_csc(tx: Transaction, csc_id: str) -> None:
    """Delete a configuration (no function may still use it)."""
    tx.execute("DELETE FROM code_signing_configs WHERE id=?", (csc_id,))


def cscs(tx: Transaction) -> list[CodeSigningConfig]:
    """Every configuration, by id."""
    rows = tx.execute("SELECT config FROM code_signing_configs ORDER BY id").fetchall()
    return [CodeSigningConfig.from_json(r[0]) for r in rows]


def function_csc(tx: Transaction, function_name: str) -> str | None:
    """The id of the configuration a function uses."""
    row = tx.execute(
        "SELECT csc_id FROM function_code_signing WHERE function_name=?", (function_name,)
    ).fetchone()
    return str(row[0]) if row else None


def set_function_csc(tx: Transaction, function_name: str, csc_id: str | None) -> None:
    """Attach a configuration to a function, or detach it (None)."""
    if csc_id is None:
        tx.execute("DELETE FROM function_code_signing WHERE function_name=?", (function_name,))
        return
    tx.execute(
        "INSERT INTO function_code_signing(function_name, csc_id) VALUES(?,?) "
        "ON CONFLICT(function_name) DO UPDATE SET csc_id=excluded.csc_id",
        (function_name, csc_id),
    )


def functions_using(tx: Transaction, csc_id: str) -> list[str]:
    """Names of the functions using a configuration, sorted."""
    rows = tx.execute(
        "SELECT function_name FROM function_code_signing WHERE csc_id=? ORDER BY function_name",
        (csc_id,),
    ).fetchall()
    return [str(r[0]) for r in rows]


def get_setting(tx: Transaction, function_name: str, qualifier: str, kind: str) -> str | None:
    """The JSON value of one setting, if it was ever set."""
    row = tx.execute(
        "SELECT value FROM function_settings WHERE function_name=? AND qualifier=? AND kind=?",
        (function_name, qualifier, kind),
    ).fetchone()
    return str(row[0]) if row else None


def put_setting(tx: Transaction, function_name: str, qualifier: str, kind: str, value: str) -> None:
    """Insert or replace one setting."""
    tx.execute(
        "INSERT INTO function_settings(function_name, qualifier, kind, value) VALUES(?,?,?,?) "
        "ON CONFLICT(function_name, qualifier, kind) DO UPDATE SET value=excluded.value",
        (function_name, qualifier, kind, value),
    )
