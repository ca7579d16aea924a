"""What each path imports: only the paths that lint import LibCST, the rules and astroid.

A warm run (every file answered by the results cache), ``--version``, ``rules``, ``rule``,
``clean``, ``--show-files`` and ``--show-settings`` read the configuration and the catalogue
and nothing of the linter. Each case runs the CLI in a fresh interpreter (the test process has
imported everything long ago) and looks at ``sys.modules`` when it is done. No timings here:
``bench/bench.py`` measures them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lsp_wire import frame
from projects import ERRORS_PY, write_tree

pytestmark = pytest.mark.slow  # every case runs an interpreter of its own
# Runs the entry point (the console script's) in-process with the arguments given, then
# writes the modules it imported.
_DRIVER = """\
import json, sys
from designlint.launch import main
try:
    main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
with open(sys.argv[1], "w") as out:
    json.dump({"exit": code, "modules": sorted(sys.modules)}, out)
"""

CONFIG = """\
[tool.designlint]
per-file-ignores = { "app/quiet.py" = ["DL202"] }

[tool.designlint.errors]
codes = "app.errors.ErrorCode"

[tool.designlint.egress]
allow = ["api.internal.example"]
"""
TOOLS = """\
import requests


class ToolError(Exception):
    pass


def fetch(url):
    if not url:
        raise ToolError("RATE_LIMITED")
    return requests.get(url, timeout=5)
"""


def _is_linter(module: str) -> bool:
    """LibCST, astroid, the engine and the rule families (the ``designlint.rules`` package
    itself, the registry, is light)."""
    top = module.partition(".")[0]
    return (
        top in ("libcst", "astroid")
        or module in ("designlint.engine", "designlint.pool")
        or (module.startswith("designlint.rules."))
    )


def run_cli(tmp_path: Path, *args: str, keep=_is_linter) -> tuple[int, list[str], str]:
    """The exit code, the linter modules imported (or those ``keep`` keeps) and the output
    (standard output, then standard error) of ``designlint ARGS`` run in a new interpreter in
    ``tmp_path / "project"``."""
    record = tmp_path / "modules.json"
    completed = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(record), *args],
        cwd=tmp_path / "project",
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert record.exists(), completed.stderr
    result = json.loads(record.read_text())
    return result["exit"], [m for m in result["modules"] if keep(m)], completed.stdout + completed.stderr


@pytest.fixture
def project(tmp_path) -> Path:
    write_tree(
        tmp_path / "project",
        {
            "pyproject.toml": CONFIG,
            "app/__init__.py": "",
            "app/errors.py": ERRORS_PY,
            "app/tools.py": TOOLS,
            "app/quiet.py": TOOLS,
            "app/plain.py": "VALUE = 1\n",
        },
    )
    return tmp_path


def test_a_warm_run_imports_neither_libcst_nor_a_rule_nor_astroid(project):
    cold_exit, cold_imports, cold_report = run_cli(project, "check", "app")
    warm_exit, warm_imports, warm_report = run_cli(project, "check", "app")
    assert "DL501" in cold_report and "DL202" in cold_report  # the files were linted, not skipped
    assert "libcst" in cold_imports and "designlint.rules.egress" in cold_imports
    assert (warm_exit, warm_report) == (cold_exit, cold_report)
    assert warm_imports == []
    # Nor what only linting, fixing, making the cache's key or reporting a bug takes: the noqa
    # reader, the parser (which reading a module the configuration names needs: not without
    # one), the fixer, secrets, traceback.
    unused = ("designlint.suppression", "designlint.parsing", "designlint.fixes")
    unused += ("secrets", "random", "tempfile", "traceback")
    run_cli(project, "check", "--isolated", "app")
    _, unused_imports, _ = run_cli(project, "check", "--isolated", "app", keep=lambda module: module in unused)
    assert unused_imports == []


@pytest.mark.parametrize(
    "args", [("check", "app"), ("check", "--isolated", "--exit-zero", "-j", "1", "--select", "DL5", "app/tools.py")]
)
def test_a_check_command_line_the_entry_point_reads_imports_no_click(project, args):
    def is_click(module: str) -> bool:
        return module.partition(".")[0] == "click" or module == "designlint.cli"

    for _ in ("cold", "warm"):
        exit_code, imports, report = run_cli(project, *args, keep=is_click)
        assert exit_code in (0, 1) and "DL501" in report
        assert imports == []


def test_one_file_imports_the_families_its_gates_let_through_and_nothing_it_does_not_use(project):
    """A pre-commit hook's run on one file (an HTTP call and an error code): LibCST and the families whose gates pass on it (and
    those without declared gates), not the others, not astroid, not ``libcst.matchers``."""
    from designlint.rules import GATES, REGISTRY

    _, imports, report = run_cli(project, "check", "--no-cache", "app/tools.py")
    assert "DL501" in report and "DL202" in report
    families = {module.rpartition(".")[2] for module in imports if module.startswith("designlint.rules.")}
    ungated = {family.name for family in REGISTRY.families if family.name not in GATES}
    assert families == {"base", "cases", "noqa", "errors", "egress", "failures", *ungated}  # requests: DL601 too
    assert "libcst" in imports and not [m for m in imports if m.startswith(("astroid", "libcst.matchers"))]


# Lints one file without a configuration, then writes what it imported and which of the
# registry's views (``designlint.rules.__getattr__``) it built.
_VIEWS_DRIVER = """\
import json, sys
from designlint.launch import main
try:
    main(["check", "--isolated", "--no-cache", sys.argv[2]])
except SystemExit:
    pass
views = [name for name in ("REGISTRY", "SCHEMA", "CODES", "GATES") if name in vars(sys.modules["designlint.rules"])]
with open(sys.argv[1], "w") as out:
    json.dump({"modules": sorted(sys.modules), "views": views}, out)
"""


def test_a_lint_without_a_configuration_reads_no_option_table_nor_toml_and_keeps_no_parse(project):
    """A ``# noqa`` naming a designlint code needs the codes (``CODES``), not ``SCHEMA`` and
    with it every option table; the cases' TOML reader is the tests', the reparser the editor's."""
    lines = TOOLS.splitlines()
    lines[lines.index('        raise ToolError("RATE_LIMITED")')] += "  # noqa: DL501, DL999"
    (project / "project" / "app" / "noqa.py").write_text("\n".join(lines) + "\n")
    record = project / "views.json"
    completed = subprocess.run(
        [sys.executable, "-c", _VIEWS_DRIVER, str(record), "app/noqa.py"],
        cwd=project / "project",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "DL003" in completed.stdout  # DL999 suppressed nothing: the codes were read
    result = json.loads(record.read_text())
    assert result["views"] == ["CODES", "GATES"]
    unwanted = ("tomllib", "designlint.reparse", "designlint.tables.telemetry")
    assert [module for module in result["modules"] if module in unwanted] == []


def test_a_changed_file_is_linted_and_only_then_is_libcst_imported(project):
    run_cli(project, "check", "app")
    (project / "project" / "app" / "plain.py").write_text("VALUE = 2\n")
    _, imports, _ = run_cli(project, "check", "app")
    assert "libcst" in imports


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("rules",),
        ("rules", "--output-format", "json"),
        ("rule", "DL101"),
        ("rule", "dl501", "--output-format", "json"),
        ("clean",),
        ("check", "--show-files"),
        ("check", "--show-settings", "app/tools.py"),
        ("check", "--select", "DL5", "--show-files"),
    ],
    ids=" ".join,
)
def test_what_does_not_lint_imports_none_of_the_linter(project, args):
    exit_code, imports, output = run_cli(project, *args)
    assert exit_code in (0, None), output
    assert output
    assert imports == []


def test_a_bad_flag_is_refused_without_importing_the_linter(project):
    exit_code, imports, _ = run_cli(project, "check", "--select", "DL999", "app")
    assert exit_code == 2
    assert imports == []


def test_the_language_server_imports_the_linter_on_its_lint_thread_as_it_starts(tmp_path):
    """Importing the server module imports no LibCST; building the server queues the import of
    the engine on the lint thread, which has done it once the thread is drained. The families
    are left to the first document, which imports only those it needs."""
    script = """\
import json, sys
from designlint.integrations.lsp import DesignlintServer
before = "libcst" in sys.modules
server = DesignlintServer()
server.lint_thread.shutdown(wait=True)
print(json.dumps([before, "libcst" in sys.modules, "designlint.rules.egress" in sys.modules]))
"""
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120, cwd=tmp_path
    )
    assert json.loads(completed.stdout) == [False, True, False]


def test_the_language_server_command_imports_neither_pygls_nor_lsprotocol_nor_click(tmp_path):
    """``designlint lsp`` from the entry point, through a session: it speaks LSP itself, and
    starts without the CLI."""
    session = b"".join(
        frame({"jsonrpc": "2.0", **message})
        for message in (
            {"id": 1, "method": "initialize", "params": {"capabilities": {}}},
            {"method": "initialized", "params": {}},
            {"id": 2, "method": "shutdown"},
            {"method": "exit"},
        )
    )
    result, completed = launched(tmp_path, "lsp", input=session)
    assert (result["exit"], completed.stderr) == (0, b"")
    assert b'"id":2,"result":null' in completed.stdout
    unwanted = ("pygls", "lsprotocol", "click", "designlint.cli")
    assert [module for module in result["modules"] if module.partition(".")[0] in unwanted or module in unwanted] == []


# The entry point, run as the console script runs it; what it imported is read before the
# record is written (json would be among it).
_LAUNCH_DRIVER = """\
import sys
from designlint.launch import main
try:
    main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
modules = sorted(sys.modules)
import json
with open(sys.argv[1], "w") as out:
    json.dump({"exit": code, "modules": modules}, out)
"""


def launched(tmp_path: Path, *args: str, input: bytes = b"") -> tuple[dict, subprocess.CompletedProcess]:
    """What the entry point run with ``args`` (in a new interpreter, in ``tmp_path``) recorded:
    its exit code and the modules it imported; and the process, its output as bytes."""
    record = tmp_path / "modules.json"
    completed = subprocess.run(
        [sys.executable, "-c", _LAUNCH_DRIVER, str(record), *args],
        input=input,
        cwd=tmp_path,
        capture_output=True,
        check=False,
        timeout=120,
    )
    return json.loads(record.read_text()), completed


# What costs a multiple of the interpreter's own start-up to import.
_HEAVY = ("click", "tomllib", "tomli", "dataclasses", "typing", "pathlib", "inspect", "designlint.cli")


@pytest.mark.parametrize("args", [("--version",), ("rules",), ("rule", "DL101"), ("rule", "dl501")], ids=" ".join)
def test_the_entry_point_answers_version_rules_and_rule_without_click(tmp_path, args):
    result, completed = launched(tmp_path, *args)
    assert (result["exit"], completed.stderr) == (0, b"")
    assert completed.stdout
    assert [module for module in result["modules"] if module.partition(".")[0] in _HEAVY or module in _HEAVY] == []
