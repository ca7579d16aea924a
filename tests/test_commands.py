"""``designlint rule``/``rules``, and the real executables (``python -m designlint`` and the
console script) in subprocesses, with real pipes, exit statuses and working directories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import LEGACY_PY, TOOLS_PY, configured_project, write_tree

from designlint import __version__
from designlint.catalogue import load_catalogue
from designlint.cli import main

CONSOLE_SCRIPT = Path(sys.executable).with_name("designlint")


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_rule_explains_one_rule_from_the_catalogue():
    doc = load_catalogue()["DL501"]
    result = invoke("rule", "DL501")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "# DL501 raw-string-error-code\n\nCategory: Error-code contract\nFix: sometimes\n\n"
    )
    assert doc.section("Why it matters") in result.stdout and "```python bad" in result.stdout
    assert invoke("rule", "dl501").stdout == result.stdout, "codes are not case-sensitive"


def test_rule_as_json():
    record = json.loads(invoke("rule", "DL501", "--output-format", "json").stdout)
    doc = load_catalogue()["DL501"]
    assert record == {
        "code": "DL501",
        "name": "raw-string-error-code",
        "category": "Error-code contract",
        "summary": doc.summary,
        "fix": "sometimes",
        "options": ["errors.codes", "errors.contract"],
        "url": doc.url,
        "explanation": doc.body,
    }


def test_unknown_rule_exits_2():
    result = invoke("rule", "DL999")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "designlint: error: unknown rule code 'DL999' (run `designlint rules` for the list)\n"


def test_rules_lists_every_rule_in_text_and_json():
    catalogue = load_catalogue()
    text = invoke("rules")
    assert text.exit_code == 0
    assert [line.split()[:2] for line in text.stdout.splitlines()] == [
        [code, doc.name] for code, doc in sorted(catalogue.items())
    ]
    assert text.stdout.splitlines()[-1].endswith(catalogue[max(catalogue)].summary)
    records = json.loads(invoke("rules", "--output-format", "json").stdout)
    assert [r["code"] for r in records] == sorted(catalogue)
    assert all(
        set(r) == {"code", "name", "category", "summary", "fix", "options", "url", "explanation"} for r in records
    )


# --- real processes -----------------------------------------------------------------------


def run(
    *args: str,
    cwd: Path,
    input: bytes | None = None,
    executable: tuple[str, ...] = (sys.executable, "-m", "designlint"),
) -> subprocess.CompletedProcess:
    return subprocess.run([*executable, *args], cwd=cwd, input=input, capture_output=True, timeout=120)


@pytest.fixture
def project(tmp_path) -> Path:
    return configured_project(tmp_path)


def test_python_dash_m_checks_a_project(project):
    done = run("check", "-j", "1", cwd=project)
    assert done.returncode == 1
    assert done.stdout.decode().splitlines() == [
        'app/legacy.py:6:20: DL501 raw error code "UPSTREAM_TIMEOUT": use ErrorCode.UPSTREAM_TIMEOUT',
        'app/legacy.py:7:25: DL501 raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED',
        'app/tools.py:10:25: DL501 [*] raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED',
    ]
    assert done.stderr.decode() == (
        "Found 3 problems in 2 files.\n[*] 1 fixable with --fix (2 hidden fixes can be enabled with --unsafe-fixes).\n"
    )
    assert run("check", "app/errors.py", cwd=project).returncode == 0
    assert run("check", "--exit-zero", cwd=project).returncode == 0


def test_console_script_writes_sarif_to_a_file(project):
    assert CONSOLE_SCRIPT.exists(), "the designlint console script is installed beside the interpreter"
    done = run(
        "check", "--output-format", "sarif", "-o", "designlint.sarif", cwd=project, executable=(str(CONSOLE_SCRIPT),)
    )
    assert (done.returncode, done.stdout) == (1, b"")
    log = json.loads((project / "designlint.sarif").read_text(encoding="utf-8"))
    assert len(log["runs"][0]["results"]) == 3


def test_version(project):
    done = run("--version", cwd=project)
    assert (done.returncode, done.stdout.decode()) == (0, f"designlint, version {__version__}\n")


def test_stdin_through_a_pipe(project):
    done = run("check", "-", "--stdin-filename", "app/legacy.py", cwd=project, input=LEGACY_PY.encode())
    assert done.returncode == 1
    assert (
        done.stdout.decode().splitlines()[0]
        == 'app/legacy.py:6:20: DL501 raw error code "UPSTREAM_TIMEOUT": use ErrorCode.UPSTREAM_TIMEOUT'
    )
    fixed = run("check", "-", "--stdin-filename", "app/tools.py", "--fix", cwd=project, input=TOOLS_PY.encode())
    assert fixed.returncode == 0
    assert fixed.stdout.decode() == TOOLS_PY.replace('ToolError("RATE_LIMITED")', "ToolError(ErrorCode.RATE_LIMITED)")


def test_fix_and_diff_in_a_subprocess(project):
    diff = run("check", "--diff", cwd=project)
    assert diff.returncode == 1 and diff.stdout.startswith(b"--- a/app/tools.py")
    assert (project / "app" / "tools.py").read_text(encoding="utf-8") == TOOLS_PY
    fixed = run("check", "--fix", "--unsafe-fixes", cwd=project)
    assert (fixed.returncode, fixed.stderr) == (0, b"All checks passed! (3 fixed)\n")
    assert run("check", cwd=project).returncode == 0


def test_config_error_in_a_subprocess_is_one_line_without_traceback(project):
    write_tree(project, {"designlint.toml": 'select = ["DL99"]\n'})
    done = run("check", cwd=project)
    assert done.returncode == 2
    assert done.stdout == b""
    assert (
        done.stderr.decode()
        == f"designlint: error: {project / 'designlint.toml'}:1: `select`: unknown rule code or prefix 'DL99' (run `designlint rules` for the list)\n"
    )
