"""Baselines: ``--write-baseline`` records today's findings, ``--baseline`` (or ``baseline`` in
config) reports only new ones. Fingerprints survive unrelated edits and code moved within its
file; a second identical finding in the same function is new; a finding moved to another file
is new there, and its old entry is stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from projects import check, configured_project

from designlint import lint_source
from designlint.baseline import Baseline, Entry, apply_baseline, entries_for, relative_to

LEGACY_FINDINGS = [
    'app/legacy.py:6:20: DL501 raw error code "UPSTREAM_TIMEOUT": use ErrorCode.UPSTREAM_TIMEOUT',
    'app/legacy.py:7:25: DL501 raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED',
]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    configured_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = check("--write-baseline", "baseline.json")
    assert result.exit_code == 0, result.stderr
    assert "Wrote 3 findings to the baseline baseline.json; none are reported." in result.stderr
    assert result.stdout == ""
    return tmp_path


def baselined(*args: str):
    return check("--baseline", "baseline.json", *args)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_file_is_sorted_json_with_relative_paths_and_a_version(project):
    document = json.loads((project / "baseline.json").read_text())
    assert document["version"] == 1
    findings = document["findings"]
    assert [(f["path"], f["code"], f["occurrence"]) for f in findings] == [
        ("app/legacy.py", "DL501", 0),
        ("app/legacy.py", "DL501", 0),
        ("app/tools.py", "DL501", 0),
    ]
    assert findings == sorted(findings, key=lambda f: (f["path"], f["code"], f["fingerprint"], f["occurrence"]))
    assert "row" not in findings[0] and "line" not in findings[0]


def test_unchanged_code_reports_nothing_and_says_how_many_were_baselined(project):
    result = baselined()
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "All checks passed!" in result.stderr
    assert "3 findings in the baseline baseline.json not shown." in result.stderr


def test_lines_inserted_above_and_reindented_code_keep_matching(project):
    legacy = project / "app/legacy.py"
    edit(legacy, "class ToolError", "import os\n\n\nRETRIES = 3\n\n\nclass ToolError")
    edit(legacy, 'if err.code == "UPSTREAM_TIMEOUT":', 'if   err.code ==  "UPSTREAM_TIMEOUT" :')
    assert baselined().exit_code == 0


def test_a_function_moved_within_its_file_keeps_matching(project):
    legacy = project / "app/legacy.py"
    text = legacy.read_text()
    head, function = text.split("\n\n\ndef fetch")
    legacy.write_text("def fetch" + function + "\n\n" + head + "\n\n\ndef other():\n    return 1\n")
    result = baselined()
    assert result.exit_code == 0, result.stdout


def test_a_function_moved_to_another_file_is_new_there_and_its_old_entries_stale(project):
    legacy = project / "app/legacy.py"
    text = legacy.read_text()
    head, function = text.split("\n\n\ndef fetch")
    legacy.write_text(head)
    (project / "app/moved.py").write_text(head + "\n\n\ndef fetch" + function)
    result = baselined()
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["app/moved.py", "app/moved.py"]
    assert "2 baseline entries no longer found (fixed since): --baseline-prune removes them." in result.stderr


def test_a_second_identical_finding_in_the_same_function_is_new(project):
    edit(
        project / "app/legacy.py",
        '        raise ToolError("RATE_LIMITED")',
        '        raise ToolError("RATE_LIMITED")\n' * 2,
    )
    result = baselined()
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        'app/legacy.py:8:25: DL501 raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED'
    ]
    assert "3 findings in the baseline" in result.stderr


def test_the_same_text_in_another_function_is_new(project):
    (project / "app/legacy.py").write_text(
        (project / "app/legacy.py").read_text()
        + '\n\ndef retry(err):\n    if err.code == "UPSTREAM_TIMEOUT":\n        raise ToolError("RATE_LIMITED")\n'
    )
    result = baselined()
    assert [line.split(":", 2)[1] for line in result.stdout.splitlines()] == ["11", "12"]


def test_a_changed_finding_is_new_and_the_old_entry_stale(project):
    edit(project / "app/legacy.py", 'raise ToolError("RATE_LIMITED")', 'raise ToolError("UPSTREAM_TIMEOUT")')
    result = baselined()
    assert result.stdout.splitlines() == [
        'app/legacy.py:7:25: DL501 raw error code "UPSTREAM_TIMEOUT": use ErrorCode.UPSTREAM_TIMEOUT'
    ]
    assert "1 baseline entry no longer found" in result.stderr


def test_prune_removes_the_stale_entries_and_names_them(project):
    edit(project / "app/legacy.py", '        raise ToolError("RATE_LIMITED")\n', "        pass\n")
    result = baselined("--baseline-prune")
    assert result.exit_code == 0
    assert 'app/legacy.py: DL501 raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED (no longer found' in (
        result.stderr
    )
    assert "Removed 1 stale entry from baseline.json." in result.stderr
    assert len(json.loads((project / "baseline.json").read_text())["findings"]) == 2
    again = baselined("--baseline-prune")
    assert "stale" not in again.stderr and "no longer found" not in again.stderr


def test_entries_of_files_not_linted_this_run_are_not_stale(project):
    result = baselined("app/tools.py")
    assert result.exit_code == 0
    assert "1 finding in the baseline" in result.stderr
    assert "no longer found" not in result.stderr


def test_a_deleted_file_makes_its_entries_stale(project):
    (project / "app/legacy.py").unlink()
    assert "2 baseline entries no longer found" in baselined().stderr


def test_the_baseline_can_be_configured_relative_to_the_config_file(project, monkeypatch):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('select = ["DL"]', 'select = ["DL"]\nbaseline = "baseline.json"')
    )
    monkeypatch.chdir(project / "app")
    result = check(".")
    assert result.exit_code == 0
    assert "3 findings in the baseline" in result.stderr


def test_paths_are_relative_to_the_baseline_files_directory(project):
    (project / "ci").mkdir()
    assert check("--write-baseline", "ci/baseline.json").exit_code == 0
    paths = {f["path"] for f in json.loads((project / "ci/baseline.json").read_text())["findings"]}
    assert paths == {"../app/legacy.py", "../app/tools.py"}
    assert check("--baseline", "ci/baseline.json").exit_code == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "baseline.json: no such baseline file (create it with --write-baseline baseline.json)"),
        ("{not json", "baseline.json: not valid JSON"),
        ('{"version": 2, "findings": []}', "baseline.json: baseline format version 2 is not supported (expected 1)"),
        ('{"version": 1, "findings": [{"path": "a.py"}]}', "baseline.json: finding 1 is malformed"),
        ("[]", 'baseline.json: expected a designlint baseline: {"version": 1'),
    ],
)
def test_a_bad_baseline_file_exits_2_naming_it(tmp_path, monkeypatch, content, expected):
    configured_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / "baseline.json").write_text(content)
    result = check("--baseline", "baseline.json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"designlint: error: {expected}"), result.stderr
    assert result.stdout == ""


def test_a_missing_configured_baseline_names_the_config_file_line_and_key(tmp_path, monkeypatch):
    configured_project(tmp_path)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('select = ["DL"]', 'select = ["DL"]\nbaseline = "gone.json"'))
    monkeypatch.chdir(tmp_path)
    result = check()
    assert result.exit_code == 2
    assert result.stderr.startswith(f"designlint: error: {pyproject}:6: `tool.designlint.baseline`: "), result.stderr
    assert "no such baseline file" in result.stderr


def test_a_baseline_key_that_is_not_a_path_is_a_config_error(tmp_path, monkeypatch):
    configured_project(tmp_path)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('select = ["DL"]', 'select = ["DL"]\nbaseline = 3'))
    monkeypatch.chdir(tmp_path)
    result = check()
    assert result.exit_code == 2
    assert "`tool.designlint.baseline`: expected the path of a baseline file" in result.stderr


@pytest.mark.parametrize(
    "flags",
    [
        ("--write-baseline", "b.json", "--fix"),
        ("--write-baseline", "b.json", "--baseline", "b.json"),
        ("--baseline-prune",),
    ],
)
def test_contradictory_baseline_flags_are_usage_errors(project, flags):
    assert check(*flags).exit_code == 2


def test_entries_are_counted_in_source_order_per_fingerprint():
    source = 'def f(err):\n    raise ToolError("RATE_LIMITED")\n    raise ToolError("RATE_LIMITED")\n'
    diagnostics = lint_source(source, "app/x.py")
    entries = entries_for(list(reversed(diagnostics)), relative_to(Path.cwd()))
    assert [e.occurrence for e in entries] == [1, 0]
    assert entries[0].fingerprint == entries[1].fingerprint
    baseline = Baseline(Path("baseline.json"), frozenset({entries[1]}))
    applied = apply_baseline(baseline, diagnostics, ["app/x.py"])
    assert [d.start.row for d in applied.new] == [3] and applied.baselined == 1 and applied.stale == []
    assert Entry("app/x.py", "DL501", entries[0].fingerprint, 0) == entries[1]  # the message takes no part
