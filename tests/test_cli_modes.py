"""``-q/--quiet``, ``--fix-only`` and colour (a terminal only; never a pipe; NO_COLOR wins)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from projects import LEGACY_PY, TOOLS_FIXED, TOOLS_PY, check, configured_project

BOLD_RED = "\x1b[31m\x1b[1m"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    configured_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_quiet_prints_the_findings_and_no_summary(project):
    loud, quiet = check(), check("-q")
    assert quiet.exit_code == loud.exit_code == 1
    assert quiet.stdout == loud.stdout != ""
    assert loud.stderr.startswith("Found 3 problems") and quiet.stderr == ""
    assert check("--quiet", "app/errors.py").stderr == ""


def test_quiet_keeps_errors_and_warnings(project):
    assert check("-q", "--select", "DL9999").stderr.startswith("designlint: error: ")
    assert check("-q", "pyproject.toml").stderr.startswith("designlint: warning: pyproject.toml is not a Python file")


def test_fix_only_fixes_and_reports_nothing_of_what_is_left(project):
    result = check("--fix-only")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "Fixed 1 problem.\n"
    assert (project / "app/tools.py").read_text() == TOOLS_FIXED
    assert (project / "app/legacy.py").read_text() == LEGACY_PY  # its fixes are unsafe
    again = check("--fix-only")
    assert (again.exit_code, again.stderr) == (0, "Nothing to fix.\n")
    assert check("--fix-only", "-q", "--unsafe-fixes").stderr == ""
    assert "ErrorCode.RATE_LIMITED" in (project / "app/legacy.py").read_text()


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_fix_only_says_what_it_could_not_write(project):
    (project / "app/tools.py").chmod(0o444)
    result = check("--fix-only")
    assert result.exit_code == 0
    assert "designlint: warning: app/tools.py: cannot write the fixed file: it is read-only\n" in result.stderr
    assert result.stderr.endswith("Nothing to fix.\n")
    assert (project / "app/tools.py").read_text() == TOOLS_PY


def test_fix_only_on_standard_input_prints_the_fixed_source(project):
    result = check("--fix-only", "--stdin-filename", "app/tools.py", "-", input=TOOLS_PY)
    assert (result.exit_code, result.stdout, result.stderr) == (0, TOOLS_FIXED, "Fixed 1 problem.\n")


@pytest.mark.parametrize("flags", [("--fix-only", "--diff"), ("--fix-only", "--statistics")])
def test_fix_only_contradictions(project, flags):
    assert check(*flags).exit_code == 2


def test_pipes_get_no_colour(project):
    assert "\x1b[" not in check().stdout


@pytest.mark.slow  # a process of its own
@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False), ("", True)])
def test_a_terminal_gets_colour_unless_no_color_is_set(project, no_color, coloured):
    import pty

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env["TERM"] = "xterm"
    if no_color is not None:
        env["NO_COLOR"] = no_color
    parent, child = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "designlint", "check", "-j", "1", "app/tools.py"],
            stdout=child,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
        )
        os.close(child)
        child = None
        output = b""
        while True:
            try:
                chunk = os.read(parent, 65536)
            except OSError:  # the terminal is closed once everything was read
                break
            if not chunk:
                break
            output += chunk
    finally:
        if child is not None:
            os.close(child)
        os.close(parent)
    assert process.returncode == 1
    text = output.decode()
    assert "RATE_LIMITED" in text
    assert (BOLD_RED + "DL501" in text) is coloured
    assert ("\x1b[" in text) is coloured
