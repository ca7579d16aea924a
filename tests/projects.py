"""Small throw-away projects written under ``tmp_path``, for tests that lint or fix files,
the repository's fixture projects, and ``designlint check`` run through click."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from designlint.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def dispatcher_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the dispatcher fixture project (its error enum is configured), made the current
    directory: for tests that lint it with a cache, edit it, or both."""
    copy = tmp_path / "project"
    shutil.copytree(FIXTURES / "dispatcher", copy)
    monkeypatch.chdir(copy)
    return copy


ERRORS_PY = """\
from enum import Enum


class ErrorCode(str, Enum):
    RATE_LIMITED = "RATE_LIMITED"
    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
"""

# Imports the enum, so the fix for its finding is safe.
TOOLS_PY = """\
from app.errors import ErrorCode


class ToolError(Exception):
    pass


def charge(principal, tool):
    if principal.calls > tool.limit:
        raise ToolError("RATE_LIMITED")
    return ErrorCode.UPSTREAM_TIMEOUT
"""
TOOLS_FIXED = TOOLS_PY.replace('ToolError("RATE_LIMITED")', "ToolError(ErrorCode.RATE_LIMITED)")

# Does not import the enum: its fixes are unsafe (they add the import).
LEGACY_PY = """\
class ToolError(Exception):
    pass


def fetch(err):
    if err.code == "UPSTREAM_TIMEOUT":
        raise ToolError("RATE_LIMITED")
"""

CLEAN_PY = """\
def add(a, b):
    return a + b
"""

CONFIGURED_PYPROJECT = """\
[project]
name = "app"

[tool.designlint]
select = ["DL"]

[tool.designlint.errors]
codes = "app.errors.ErrorCode"
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def configured_project(root: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    """``app/`` with the error-code enum configured: tools.py has 1 safe fix, legacy.py 2 unsafe."""
    files: dict[str, str | bytes] = {
        "pyproject.toml": CONFIGURED_PYPROJECT,
        "app/__init__.py": "",
        "app/errors.py": ERRORS_PY,
        "app/tools.py": TOOLS_PY,
        "app/legacy.py": LEGACY_PY,
    }
    return write_tree(root, {**files, **(extra or {})})


def check(*args: str, input: bytes | str | None = None):
    """``designlint check`` in this process, one job."""
    result = CliRunner().invoke(main, ["check", "-j", "1", *args], input=input)
    # Whatever happened, it ended through sys.exit, never through an escaping exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result
