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


# --- levels: tests/unit/ starts no daemon ------------------------------------------------
#
# A unit test runs in the test's own process on its own objects; a daemon (in process, as a
# subprocess or as `lambdad serve`) or the gateway app makes it a tests/daemon/ test (or an
# integration/e2e one when functions run). The marks of one: the modules that start them and the
# conftest fixtures that hold one.
DAEMON_MODULES = (
    "lambdad.daemon.server",  # start_daemon, Daemon
    "lambdad.gateway.app",  # create_app, serve_gateway
    "tests.e2e.support",  # LambdadProcess
    "tests.reliability.served_daemon",
)
DAEMON_FIXTURES = frozenset({"daemon", "channel"})  # tests/conftest.py
DAEMON_STRINGS = frozenset({"lambdad.daemon.cli"})  # `python -m lambdad.daemon.cli serve`
UNIT = ROOT / "tests" / "unit"


def daemon_marks(path: Path) -> list[str]:
    """What in `path` starts (or takes) a daemon or the gateway app."""
    tree = ast.parse(path.read_text(), filename=str(path))
    marks = [
        f"imports {m}"
        for m in imported_modules(path)
        if any(m == d or m.startswith(d + ".") for d in DAEMON_MODULES)
    ]
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            marks.extend(
                f"{node.name} takes the `{arg.arg}` fixture"
                for arg in node.args.args
                if arg.arg in DAEMON_FIXTURES
            )
        elif isinstance(node, ast.Constant) and node.value in DAEMON_STRINGS:
            marks.append(f"runs {node.value}")
    return marks


def test_the_level_rule_sees_a_daemon(tmp_path: Path) -> None:
    bad = tmp_path / "test_bad.py"
    bad.write_text(
        "from lambdad.daemon.server import start_daemon\n"
        "async def test_x(channel):\n"
        "    pass\n"
        "ARGS = ['python', '-m', 'lambdad.daemon.cli', 'serve']\n"
    )
    assert daemon_marks(bad) == [
        "imports lambdad.daemon.server",
        "test_x takes the `channel` fixture",
        "runs lambdad.daemon.cli",
    ]


# This module names the marks in its own test data.
@pytest.mark.parametrize(
    "path", sorted(p for p in UNIT.rglob("*.py") if p != Path(__file__)), ids=lambda p: p.name
)
def test_unit_tests_start_no_daemon(path: Path) -> None:
    marks = daemon_marks(path)
    assert marks == [], f"{path.relative_to(ROOT)} belongs in tests/daemon/: {marks}"


# --- waiting: one poll loop each way, no fixed sleeps --------------------------------------
#
# Tests wait for what they can observe with tests.helpers.wait_for / async_wait_for. A loop that
# sleeps is a poll helper of its own; a sleep of a fixed time in a test is a wait that a loaded
# machine outruns. The allow-lists name what is neither: fakes standing in for slow work, and
# the few waits that prove an absence (nothing observable marks "long enough").
SLEEPS = frozenset({"time.sleep", "asyncio.sleep"})
HELPERS = ROOT / "tests" / "helpers.py"
TESTS = sorted(p for p in (ROOT / "tests").rglob("*.py") if p != HELPERS)

# (module path, function): loops that sleep and are not polls (a fake's pacing).
SLEEPING_LOOPS_ALLOWED = frozenset(
    {
        ("tests/unit/test_inprocess_channel.py", "StreamLogs"),  # an endless stream, paced
        ("tests/unit/test_debugger_turns.py", "_settle"),  # yields the loop 5 times, no time
        ("tests/unit/pool_fakes.py", "_loop"),  # a fake runtime taking "s" seconds
        ("tests/daemon/gateway_support.py", "stream"),  # a scripted stream with pauses
        ("tests/e2e/test_durable_functions.py", "test_callbacks"),  # heartbeats every 0.5 s
        # An editor's burst of writes, 20 ms apart.
        (
            "tests/unit/test_dev_tools.py",
            "test_watcher_debounces_a_burst_and_ignores_excluded_churn",
        ),
    }
)
# (module path, function): fixed sleeps in tests that nothing observable can replace, each with
# what it waits for. Named one by one (no module wildcards), so a new sleep anywhere fails.
_AN_ABSENCE = "proves nothing happens in this time"
# watchfiles gives no signal once its watch is in place, so saving earlier could go unnoticed.
_WATCHER_ARMING = "lets a file watcher arm"
FIXED_SLEEPS_ALLOWED_WHY: dict[tuple[str, str], str] = {
    # The publish is still waiting after 3 s of slow preparation.
    (
        "tests/daemon/test_function_servicer.py",
        "test_update_code_and_publish_while_preparation_is_slow",
    ): _AN_ABSENCE,
    # The runtime's first event is held until the extension polls (0.2 s); then 0.1 s lets the
    # extension's next poll arrive before shutdown starts (nothing public shows a held poll).
    ("tests/unit/test_layers.py", "test_extensions_api_register_invoke_shutdown"): _AN_ABSENCE,
    # shutdown() is not done while the extension acts on SHUTDOWN.
    (
        "tests/unit/test_layers.py",
        "test_extension_shutdown_waits_for_the_poll_after_shutdown_was_delivered",
    ): _AN_ABSENCE,
    # The held poll is not answered before the owner is known.
    (
        "tests/unit/test_runtime_api_peers.py",
        "test_restricted_api_waits_for_its_owner_before_answering",
    ): _AN_ABSENCE,
    # Arming, then: excluded churn and a debounced burst report nothing more.
    ("tests/unit/test_dev_tools.py", "test_watcher_debounces_a_burst_and_ignores_excluded_churn"): (
        _WATCHER_ARMING + "; " + _AN_ABSENCE
    ),
    ("tests/unit/test_hot_reload_layers.py", "test_tracker_watcher_retires_without_an_invoke"): (
        _WATCHER_ARMING
    ),
    ("tests/integration/test_hot_reload_layers.py", "test_saved_layer_code_runs_on_next_invoke"): (
        _WATCHER_ARMING
    ),
    (
        "tests/integration/test_dev_tools.py",
        "test_hot_reload_watcher_retires_warm_environments_on_save",
    ): _WATCHER_ARMING,
    # Nothing runs again after the failure record / after the only attempt.
    ("tests/integration/test_async_invoke.py", "test_retries_then_on_failure_record"): _AN_ABSENCE,
    (
        "tests/integration/test_async_invoke.py",
        "test_zero_retries_without_destination_runs_once",
    ): _AN_ABSENCE,
    # No further (filtered-out or repeated) record arrives.
    ("tests/e2e/test_event_sources.py", "test_seed_filter_table_through_a_realcreate_queue"): (
        _AN_ABSENCE
    ),
    (
        "tests/e2e/test_event_sources.py",
        "test_dynamodb_stream_records_with_typed_values_and_filter",
    ): _AN_ABSENCE,
    ("tests/e2e/test_event_sources.py", "test_stream_resumes_after_restart_from_its_checkpoint"): (
        _AN_ABSENCE
    ),
    # The poller keeps a mapping alive through 2 s of endpoint outage (the outage is the point).
    ("tests/e2e/test_event_sources.py", "test_poller_waits_out_an_endpoint_outage"): _AN_ABSENCE,
    # Heartbeats sent every 0.5 s for 4 s keep a callback alive past its timeout.
    ("tests/e2e/test_durable_functions.py", "test_callbacks"): "paces heartbeats",
}
FIXED_SLEEPS_ALLOWED = frozenset(FIXED_SLEEPS_ALLOWED_WHY)


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of `function`'s body, not those of functions or lambdas nested in it."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = list(function.body)
    while todo:
        node = todo.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return found


def _sleep_call(node: ast.AST) -> ast.Call | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and f"{func.value.id}.{func.attr}" in SLEEPS
    ):
        return node
    return None


def sleeping_loops(source: str) -> list[str]:
    """Functions with a for/while loop that sleeps: poll helpers of their own."""
    found = []
    for function in _functions(ast.parse(source)):
        for node in _own_nodes(function):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and any(
                _sleep_call(inner) for inner in ast.walk(node)
            ):
                found.append(function.name)
                break
    return found


def fixed_sleeps(source: str) -> list[str]:
    """Test functions (and fixtures) that sleep a fixed, non-zero time in their own body."""
    found = []
    for function in _functions(ast.parse(source)):
        for node in _own_nodes(function):
            call = _sleep_call(node)
            if call is None or not call.args:
                continue
            value = call.args[0]
            if not (isinstance(value, ast.Constant) and value.value == 0):
                found.append(function.name)
                break
    return found


def _allowed(allowed: frozenset[tuple[str, str]], module: str, function: str) -> bool:
    return (module, function) in allowed


def test_the_waiting_rules_see_a_poll_loop_and_a_fixed_sleep() -> None:
    source = (
        "import asyncio, time\n"
        "async def until(c):\n"
        "    while not c():\n"
        "        await asyncio.sleep(0.01)\n"
        "def test_x():\n"
        "    time.sleep(1.5)\n"
        "async def test_y():\n"
        "    await asyncio.sleep(0)\n"
    )
    assert sleeping_loops(source) == ["until"]
    assert fixed_sleeps(source) == ["until", "test_x"]


@pytest.mark.parametrize("path", TESTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_poll_helper_but_wait_for(path: Path) -> None:
    module = str(path.relative_to(ROOT))
    loops = [
        f
        for f in sleeping_loops(path.read_text())
        if not _allowed(SLEEPING_LOOPS_ALLOWED, module, f)
    ]
    assert loops == [], (
        f"{module}: {loops} poll in a loop of their own; use tests.helpers.wait_for / "
        "async_wait_for"
    )


@pytest.mark.parametrize("path", TESTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_fixed_sleeps(path: Path) -> None:
    module = str(path.relative_to(ROOT))
    # Only tests: a fake's sleep stands in for slow work.
    sleeps = [
        f
        for f in fixed_sleeps(path.read_text())
        if f.startswith("test_") and not _allowed(FIXED_SLEEPS_ALLOWED, module, f)
    ]
    assert sleeps == [], (
        f"{module}: {sleeps} sleep a fixed time; wait for what can be observed "
        "(tests.helpers.wait_for / async_wait_for)"
    )


def test_waiting_allow_lists_name_what_exists() -> None:
    """Each entry names a function that still sleeps: the lists only shrink."""
    stale = []
    for allowed, finder in (
        (SLEEPING_LOOPS_ALLOWED, sleeping_loops),
        (FIXED_SLEEPS_ALLOWED, fixed_sleeps),
    ):
        for module, function in sorted(allowed):
            path = ROOT / module
            if not path.is_file() or function not in finder(path.read_text()):
                stale.append((module, function))
    assert stale == [], f"allow-list entries naming no sleep (remove them): {stale}"
