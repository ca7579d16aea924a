"""``--add-noqa``: a ``# noqa: CODE`` on every line with a finding; existing comments and codes
kept, idempotent, written as ``--fix`` writes (refusing what it refuses), never inside a string."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from projects import LEGACY_PY, check, configured_project


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    configured_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_line_with_a_finding_gets_its_code_and_the_run_is_then_clean(project):
    result = check("--add-noqa")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "Added 3 noqa directives in 2 files.\n"
    assert (project / "app/legacy.py").read_text() == LEGACY_PY.replace(
        '"UPSTREAM_TIMEOUT":', '"UPSTREAM_TIMEOUT":  # noqa: DL501'
    ).replace('raise ToolError("RATE_LIMITED")', 'raise ToolError("RATE_LIMITED")  # noqa: DL501')
    assert check().exit_code == 0


def test_it_is_idempotent(project):
    check("--add-noqa")
    before = {p: p.read_bytes() for p in project.rglob("*.py")}
    again = check("--add-noqa")
    assert again.stderr == "Added 0 noqa directives.\n"
    assert {p: p.read_bytes() for p in project.rglob("*.py")} == before


def test_existing_comments_are_kept_and_existing_codes_extended(project):
    legacy = project / "app/legacy.py"
    legacy.write_text(
        LEGACY_PY.replace('"UPSTREAM_TIMEOUT":', '"UPSTREAM_TIMEOUT":  # legacy API, see #12').replace(
            'raise ToolError("RATE_LIMITED")', 'raise ToolError("RATE_LIMITED")  # noqa: E501 long line'
        )
    )
    assert check("--add-noqa", "app/legacy.py").exit_code == 0
    lines = legacy.read_text().splitlines()
    assert lines[5].endswith('"UPSTREAM_TIMEOUT":  # legacy API, see #12  # noqa: DL501')
    assert lines[6].endswith('raise ToolError("RATE_LIMITED")  # noqa: E501, DL501 long line')
    assert check("app/legacy.py").exit_code == 0


def test_two_findings_on_one_line_get_one_comment_with_both_codes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(
        'import requests\n\n\ndef f(err, url):\n    requests.get(url, timeout=5) if err.code == "X_Y" else None\n'
    )
    check("--isolated", "--add-noqa")
    assert (tmp_path / "app.py").read_text().splitlines()[4].endswith("  # noqa: DL202, DL501")
    assert check("--isolated").exit_code == 0


@pytest.mark.parametrize(
    "source",
    [
        # The finding's line ends inside a triple-quoted string: a "#" there would be text.
        'def f(err):\n    raise ToolError("RATE_LIMITED", """the upstream\n    said no""")\n',
        # It continues with a backslash: a comment there would end the statement.
        'def f(err):\n    if err.code == "RATE_LIMITED" and \\\n            err.retry:\n        pass\n',
    ],
)
def test_a_line_no_comment_can_end_is_skipped_and_said(tmp_path, monkeypatch, source):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(source)
    result = check("--isolated", "--add-noqa")
    assert result.exit_code == 0
    assert "designlint: warning: app.py:2: cannot add # noqa: the line ends inside a string literal" in result.stderr
    assert "Added 0 noqa directives." in result.stderr
    assert (tmp_path / "app.py").read_text() == source


def test_newlines_and_encoding_are_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = '# -*- coding: latin-1 -*-\r\ndef f(err):  # café\r\n    raise ToolError("RATE_LIMITED")\r\n'
    (tmp_path / "app.py").write_bytes(source.encode("latin-1"))
    check("--isolated", "--add-noqa")
    assert (tmp_path / "app.py").read_bytes() == source.replace(
        '"RATE_LIMITED")', '"RATE_LIMITED")  # noqa: DL501'
    ).encode("latin-1")


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_read_only_file_is_left_alone_and_reported(project):
    legacy = project / "app/legacy.py"
    legacy.chmod(0o444)
    result = check("--add-noqa")
    assert "designlint: warning: app/legacy.py: cannot write the file: it is read-only" in result.stderr
    assert "Added 1 noqa directive in 1 file." in result.stderr
    assert legacy.read_text() == LEGACY_PY


def test_only_findings_not_in_the_baseline_get_a_comment(project):
    (project / "app/new.py").write_text('def g(err):\n    raise ToolError("RATE_LIMITED")\n')
    check("--write-baseline", "baseline.json", "app/legacy.py", "app/tools.py")
    result = check("--add-noqa", "--baseline", "baseline.json")
    assert result.stderr.startswith("Added 1 noqa directive in 1 file.")
    assert (project / "app/legacy.py").read_text() == LEGACY_PY
    assert "# noqa: DL501" in (project / "app/new.py").read_text()


@pytest.mark.parametrize("flags", [("--add-noqa", "--fix"), ("--add-noqa", "--diff"), ("--add-noqa", "-")])
def test_contradictory_flags_are_usage_errors(project, flags):
    assert check(*flags, input="").exit_code == 2
    assert (project / "app/legacy.py").read_text() == LEGACY_PY


def test_the_files_own_warnings_are_not_printed(project):
    # Its text is parsed again once the directives are in: "\d" warns (a DeprecationWarning
    # before 3.12, a SyntaxWarning after), which is the file's business, not the run's.
    legacy = project / "app/legacy.py"
    legacy.write_text('PATTERN = "\\d+"\n' + LEGACY_PY)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert check("--add-noqa", "app/legacy.py").exit_code == 0
    assert "# noqa: DL501" in legacy.read_text()
    assert [str(w.message) for w in caught if "escape" in str(w.message)] == []
