"""The daemon's layering rule (issue 17), read from the source with `ast`.

The layers, inside out:

- ``domain/``: values and rules. It may import ``lambdad.daemon.errors``, the client's contract
  and itself, nothing that runs, stores, serves or traces.
- ``store/``: SQLite state and blobs. It implements domain protocols and may hold domain value
  types; it never reaches up into the servicers, the runtime or the services.
- ``runtime/``: execution environments. It may read domain values (a `FunctionVersion` is what it
  starts) and the blob store, never the servicers, the services or the event-source pollers.
- ``services/``: orchestration over domain, store, runtime, tracing and observability; never the
  servicers or the gateway.
- ``api/`` and ``sources/`` sit on top; ``server.py`` wires everything.
- ``lambdad.gateway`` is a translator that reaches the daemon through gRPC only, so it imports no
  ``lambdad.daemon`` module, and no daemon module imports it, except ``cli.py``: the process
  entry point, which starts the gateway beside the daemon (`lambdad serve`) or alone.

Every import counts, including those under ``if TYPE_CHECKING:`` and inside functions: a
type-only import is still a dependency a reader has to follow.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOT = ROOT / "daemon"
SOURCES = sorted((PACKAGE_ROOT / "lambdad").rglob("*.py"))

D = "lambdad.daemon"


@dataclass(frozen=True)
class Rule:
    """Modules under `importer` import nothing under any of `forbidden`."""

    importer: str
    forbidden: tuple[str, ...]
    exempt: tuple[str, ...] = ()


RULES = (
    Rule(
        f"{D}.domain",
        (
            f"{D}.runtime",
            f"{D}.store",
            f"{D}.api",
            f"{D}.tracing",
            f"{D}.observability",
            f"{D}.sources",
            f"{D}.services",
            f"{D}.server",
            "lambdad.gateway",
        ),
    ),
    Rule(f"{D}.store", (f"{D}.api", f"{D}.runtime", f"{D}.services", "lambdad.gateway")),
    Rule(f"{D}.runtime", (f"{D}.api", f"{D}.services", f"{D}.sources", "lambdad.gateway")),
    Rule(f"{D}.services", (f"{D}.api", "lambdad.gateway")),
    Rule(D, ("lambdad.gateway",), exempt=(f"{D}.cli",)),
    Rule("lambdad.gateway", (D,)),
)

# Known violations, as (importing module, imported module), each a debt with a comment on
# what pays it; the list only shrinks (issue 17 started it at 29 and emptied it). An entry
# that no longer occurs fails `test_allow_list_has_no_stale_entries`.
ALLOWED: frozenset[tuple[str, str]] = frozenset()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module `source` (the text of `module`) imports, relative imports resolved.

    ``from a.b import c`` yields both ``a.b`` and ``a.b.c``: ``c`` may be a submodule, and a
    prefix match on the rule's side makes the extra name harmless when it is not.
    """
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names)
    return found


def as_module(name: str) -> str:
    """`name` cut to the longest prefix that is a module of the tree (``a.b.C`` -> ``a.b``)."""
    parts = name.split(".")
    while len(parts) > 1:
        base = PACKAGE_ROOT.joinpath(*parts)
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            break
        parts.pop()
    return ".".join(parts)


def under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(module: str, imports: set[str]) -> set[tuple[str, str]]:
    """(module, imported module) for each import of `module` against a rule, counted per module
    imported (not per name) so the allow-list reads as edges between files."""
    found: set[tuple[str, str]] = set()
    for rule in RULES:
        if not under(module, rule.importer) or any(under(module, e) for e in rule.exempt):
            continue
        for imported in map(as_module, imports):
            if any(under(imported, f) for f in rule.forbidden):
                found.add((module, imported))
    # `from pkg import mod` yields `pkg` and `pkg.mod`: name the module, not its package.
    return {(m, i) for (m, i) in found if not any(j.startswith(i + ".") for (_, j) in found)}


def all_violations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in SOURCES:
        module = module_name(path)
        imports = imported_modules(path.read_text(), module, path.name == "__init__.py")
        found |= violations(module, imports)
    return found


def test_the_rule_sees_a_violation() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from lambdad.daemon.errors import Reason\n"
        "from ..runtime import pool\n"
        "if TYPE_CHECKING:\n"
        "    from lambdad.daemon.store.state import SqliteStateStore\n"
        "def late():\n"
        "    import lambdad.gateway.app\n"
    )
    module = f"{D}.domain.example"
    assert violations(module, imported_modules(source, module)) == {
        (module, f"{D}.runtime.pool"),
        (module, f"{D}.store.state"),
        (module, "lambdad.gateway.app"),
    }


def test_the_gateway_may_not_import_the_daemon() -> None:
    module = "lambdad.gateway.example"
    source = "from lambdad.daemon.errors import Reason\nfrom lambdad.client import contract\n"
    assert violations(module, imported_modules(source, module)) == {(module, f"{D}.errors")}


def test_the_entry_point_may_start_the_gateway() -> None:
    source = "from lambdad.gateway.app import serve_gateway\n"
    assert violations(f"{D}.cli", imported_modules(source, f"{D}.cli")) == set()
    assert violations(f"{D}.server", imported_modules(source, f"{D}.server")) != set()


def test_imports_flow_one_way() -> None:
    new = sorted(all_violations() - ALLOWED)
    assert new == [], "imports against the layering rule (see this module's docstring):\n" + (
        "\n".join(f"  {m} imports {i}" for m, i in new)
    )


def test_allow_list_has_no_stale_entries() -> None:
    stale = sorted(ALLOWED - all_violations())
    assert stale == [], "fixed; remove from ALLOWED:\n" + "\n".join(f"  {e}" for e in stale)


# --- domain/ runs nothing ---------------------------------------------------------------
#
# Imports are not the whole rule: a domain module that starts tasks, hops to threads or touches
# the file system is orchestrating, whatever it imports. These calls belong in services/ (or
# the store/runtime behind a domain protocol).
ORCHESTRATION_CALLS = frozenset(
    {
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.gather",
        "asyncio.sleep",
        "asyncio.to_thread",
        "asyncio.wait_for",
        "open",
        "os.fdopen",
        "os.makedirs",
        "os.path.exists",
        "os.path.isdir",
        "os.path.isfile",
        "os.replace",
        "shutil.rmtree",
        "subprocess.run",
        "subprocess.Popen",
    }
)

# Methods that touch the file system whatever their receiver is named (a `Path`, mostly),
# reported as ".name".
FILE_SYSTEM_METHODS = frozenset(
    {
        "chmod",
        "iterdir",
        "mkdir",
        "read_bytes",
        "read_text",
        "rmdir",
        "symlink_to",
        "touch",
        "unlink",
        "write_bytes",
        "write_text",
    }
)

# Known orchestration left in domain/, as (module, call): each a debt; the list only shrinks
# (`test_orchestration_allow_list_has_no_stale_entries`). Issue 17 emptied it: code intake and
# state transitions went to services/code_intake.py and services/function_states.py, the
# provisioned-concurrency watcher to services/provisioned.py, zip extraction to runtime/code.py
# and the code URL key file to store/keys.py.
ORCHESTRATION_ALLOWED: frozenset[tuple[str, str]] = frozenset()


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def orchestration_calls(source: str, module: str) -> set[tuple[str, str]]:
    """(module, call) for each call in `source` that runs, waits or touches files."""
    found: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        if (name := _dotted(node.func)) in ORCHESTRATION_CALLS:
            found.add((module, name))
        elif isinstance(node.func, ast.Attribute) and node.func.attr in FILE_SYSTEM_METHODS:
            found.add((module, f".{node.func.attr}"))
    return found


def all_orchestration_calls() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in SOURCES:
        module = module_name(path)
        if under(module, f"{D}.domain"):
            found |= orchestration_calls(path.read_text(), module)
    return found


def test_the_orchestration_rule_sees_a_call() -> None:
    source = (
        "import asyncio\n"
        "async def f(blobs):\n"
        "    asyncio.create_task(g())\n"
        "    await asyncio.to_thread(blobs.put, 'k', b'')\n"
        "    with open('x') as handle:\n"
        "        pass\n"
        "    asyncio.shield(g())\n"
        "    (root / 'x').mkdir(parents=True)\n"
        "    archive.open('x')\n"
    )
    module = f"{D}.domain.example"
    assert orchestration_calls(source, module) == {
        (module, "asyncio.create_task"),
        (module, "asyncio.to_thread"),
        (module, "open"),
        (module, ".mkdir"),
    }


def test_domain_orchestrates_nothing() -> None:
    new = sorted(all_orchestration_calls() - ORCHESTRATION_ALLOWED)
    assert new == [], "orchestration in domain/ (move it to services/):\n" + "\n".join(
        f"  {m} calls {c}" for m, c in new
    )


def test_orchestration_allow_list_has_no_stale_entries() -> None:
    stale = sorted(ORCHESTRATION_ALLOWED - all_orchestration_calls())
    assert stale == [], "fixed; remove from ORCHESTRATION_ALLOWED:\n" + "\n".join(
        f"  {e}" for e in stale
    )
