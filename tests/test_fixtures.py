"""Every annotated fixture project, linted with its configuration and with none."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from expectations import expected_findings, has_config
from projects import FIXTURES

from designlint.runner import Options, lint_paths

PROJECTS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
CASES = [(p, mode) for p in PROJECTS for mode in (("configured", "isolated") if has_config(p) else ("configured",))]


@pytest.mark.parametrize(("project", "mode"), CASES, ids=[f"{p.name}-{m}" for p, m in CASES])
def test_fixture_findings_match_annotations(project: Path, mode: str, monkeypatch):
    monkeypatch.chdir(project)
    result = lint_paths(["."], Options(isolated=mode == "isolated", jobs=1))
    actual = Counter(
        (Path(os.path.relpath(d.path, project)).as_posix(), d.start.row, d.code) for d in result.diagnostics
    )
    expected = expected_findings(project, mode)
    assert expected, f"{project.name} has no expectations: the test could not fail"
    missing = expected - actual
    unexpected = actual - expected
    messages = {
        (Path(os.path.relpath(d.path, project)).as_posix(), d.start.row, d.code): d.message for d in result.diagnostics
    }
    assert not missing and not unexpected, (
        f"missing: {sorted(missing)}\nunexpected: {[(k, messages[k]) for k in sorted(unexpected)]}"
    )
