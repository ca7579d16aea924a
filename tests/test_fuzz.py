"""The fast, deterministic slice of the property tests (the long run is ``bench/fuzz.py``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fuzzing import (
    GAVE_UP,
    check_glob,
    check_source,
    fixture_mutants,
    generated_modules,
    hostile_glob_cases,
    hostile_shapes,
    linters,
    small_glob_cases,
)
from hypothesis import HealthCheck, given, settings

from designlint.runner import Options, lint_paths

LINTERS = linters()
FAST = settings(
    max_examples=60, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.mark.parametrize("linter", LINTERS, ids=["default", "dispatcher-config"])
@FAST
@given(source=fixture_mutants())
def test_mutated_fixtures_lint_or_yield_one_parse_error(linter, source):
    check_source(linter, source)
    check_source(linter, source.encode("utf-8", errors="surrogatepass"))


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
@FAST
@given(source=generated_modules())
def test_generated_modules_lint_or_yield_one_parse_error(source):
    for linter in LINTERS:
        check_source(linter, source)


@settings(max_examples=12, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(source=hostile_shapes())
def test_hostile_shapes_lint_in_time_or_say_what_gave_up(source):
    for linter in LINTERS:
        check_source(linter, source)
    found = LINTERS[0].lint(source, "app/tools.py").diagnostics
    parsed = not any(d.code == "DL001" and not d.message.startswith(GAVE_UP) for d in found)
    assert not parsed or "DL501" in [d.code for d in found], [d.message for d in found]


GOOD = 'raise ToolError("RATE_LIMITED")\n'


@settings(max_examples=8, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(first=fixture_mutants(), second=fixture_mutants())
def test_cli_run_over_mutants_lints_every_other_file(tmp_path_factory, first, second):
    root = tmp_path_factory.mktemp("fuzz")
    (root / "a_mutant.py").write_text(first, encoding="utf-8", errors="surrogatepass")
    (root / "b_good.py").write_text(GOOD)
    (root / "c_mutant.py").write_text(second, encoding="utf-8", errors="surrogatepass")
    result = lint_paths([root], Options(isolated=True, jobs=1))
    by_file: dict[str, list[str]] = {}
    for d in result.diagnostics:
        by_file.setdefault(Path(d.path).name, []).append(d.code)
    assert by_file.get("b_good.py") == ["DL501"]
    for name in ("a_mutant.py", "c_mutant.py"):
        codes = by_file.get(name, [])
        assert "DL002" not in codes
        assert "DL001" not in codes or codes == ["DL001"], (name, codes)
    assert sorted(os.listdir(root)) == ["a_mutant.py", "b_good.py", "c_mutant.py"]  # linting writes nothing


@FAST
@given(case=small_glob_cases())
def test_globs_agree_with_the_documented_semantics(case):
    check_glob(*case)


@settings(max_examples=20, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(case=hostile_glob_cases())
def test_globs_shaped_for_backtracking_finish(case):
    check_glob(*case)
