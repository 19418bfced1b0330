"""The test tree's import rule (issue 17): a test module never imports another test module or a
conftest; what tests share lives in support modules (`support.py`, `*_support.py`, fakes) or in
tests/helpers.py, and fixtures in conftest.py files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for d in ("tests", "bench") for p in (ROOT / d).rglob("*.py"))


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def is_test_module(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def test_the_rule_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "test_bad.py"
    bad.write_text("from tests.unit.test_pool import X\nimport tests.e2e.conftest\n")
    assert [m for m in imported_modules(bad) if is_test_module(m)] == [
        "tests.unit.test_pool",
        "tests.e2e.conftest",
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_a_test_module(path: Path) -> None:
    offending = [m for m in imported_modules(path) if is_test_module(m)]
    assert offending == [], f"{path.relative_to(ROOT)} imports test modules {offending}"
