"""A rule that raises is designlint's bug: DL002 on that file, the run goes on, exit 2."""

from __future__ import annotations

import re

import libcst as cst
import pytest
from click.testing import CliRunner

from designlint import engine
from designlint.analysis.names import NameResolver
from designlint.cli import main
from designlint.config import Config
from designlint.rules.base import Rule


def _with_family_of(monkeypatch, rule: type[Rule]) -> None:
    """The engine sees one more family, holding ``rule`` (and no gates module)."""
    names, rules_of, family = engine.family_names, engine.family_rules, f"broken_{rule.code}"
    monkeypatch.setattr(engine, "family_names", lambda: (*names(), family))
    monkeypatch.setattr(engine, "family_rules", lambda name: {rule.code: rule} if name == family else rules_of(name))


class ExplodingRule(Rule):
    """Fails on files that mention BOOM, in the way chosen by ``where``."""

    code = "DL999"
    name = "exploding-rule"
    where = "visit"

    def could_fire(self, file) -> bool:
        if self.where == "could_fire" and "BOOM" in file.text:
            raise AttributeError("could_fire went wrong")
        return True

    def setup(self) -> None:
        if self.where == "setup" and "BOOM" in self.context.text:
            raise KeyError("setup went wrong")

    def visit_Module(self, node: cst.Module) -> None:
        if "BOOM" not in self.context.text:
            return
        if self.where == "visit":
            raise ZeroDivisionError("division by zero in a rule")
        if self.where == "report":
            self.report(cst.Name("not_in_this_tree"), "a node from elsewhere")


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "a_boom.py").write_text('BOOM = 1\nraise ToolError("RATE_LIMITED")\n')
    (tmp_path / "b_fine.py").write_text('raise ToolError("TIMED_OUT")\n')
    monkeypatch.chdir(tmp_path)
    _with_family_of(monkeypatch, ExplodingRule)
    return tmp_path


EXPECTED_ERRORS = {
    "visit": "ZeroDivisionError: division by zero in a rule",
    "setup": "KeyError: 'setup went wrong'",
    "could_fire": "AttributeError: could_fire went wrong",
    "report": "KeyError: Name(",
}


@pytest.mark.parametrize("where", list(EXPECTED_ERRORS))
def test_raising_rule_is_reported_and_the_run_goes_on(project, monkeypatch, where):
    monkeypatch.setattr(ExplodingRule, "where", where)
    result = CliRunner().invoke(main, ["check", "--isolated", "-j", "1", "."])
    lines = result.stdout.splitlines()
    assert result.exit_code == 2
    internal = [line for line in lines if " DL002 " in line]
    assert len(internal) == 1
    assert internal[0].startswith("a_boom.py:1:1: DL002 internal error in rule DL999 (exploding-rule): ")
    assert EXPECTED_ERRORS[where] in internal[0]
    assert internal[0].endswith("please report this as a bug")
    # The other rules still ran on the same file, and the other file was linted.
    assert any(line.startswith("a_boom.py:2:17: DL501") for line in lines)
    assert any(line.startswith("b_fine.py:1:17: DL501") for line in lines)
    assert "Traceback" not in result.stderr


def test_verbose_prints_the_traceback(project):
    result = CliRunner().invoke(main, ["check", "--isolated", "-j", "1", "--verbose", "."])
    assert result.exit_code == 2
    assert re.search(
        r"a_boom\.py:\nTraceback \(most recent call last\):\n.*ZeroDivisionError: division by zero in a rule",
        result.stderr,
        re.S,
    )


def test_exit_zero_does_not_hide_an_internal_error(project):
    result = CliRunner().invoke(main, ["check", "--isolated", "-j", "1", "--exit-zero", "."])
    assert result.exit_code == 2


def test_internal_error_in_a_worker_process(project, monkeypatch):
    """With a process pool the rule fails in a worker; the outcome is the same."""
    for index in range(6):
        (project / f"c{index}_boom.py").write_text("BOOM = 2\n")
    result = CliRunner().invoke(main, ["check", "--isolated", "-j", "2", "."])
    assert result.exit_code == 2
    assert sum(" DL002 " in line for line in result.stdout.splitlines()) == 7


@pytest.mark.parametrize("hook", ["record", "enter_scope"])
def test_failing_name_analysis_is_reported_and_the_run_goes_on(project, monkeypatch, hook):
    """The walk's shared name analysis fails on one node: DL002 naming it, the rules still run."""
    (project / "c_names.py").write_text('def boom():\n    NAMES = 1\n    raise ToolError("RATE_LIMITED")\n')
    monkeypatch.setattr(ExplodingRule, "where", "nowhere")
    original = getattr(NameResolver, hook)

    def failing(self, node):
        original(self, node)
        if isinstance(node, (cst.Assign, cst.FunctionDef)) and "NAMES" in cst.Module([]).code_for_node(node):
            raise RuntimeError("names went wrong")

    monkeypatch.setattr(NameResolver, hook, failing)
    result = CliRunner().invoke(main, ["check", "--isolated", "-j", "1", "."])
    lines = result.stdout.splitlines()
    assert result.exit_code == 2
    assert [line for line in lines if " DL002 " in line] == [
        "c_names.py:1:1: DL002 internal error in the name analysis (designlint.analysis.names): RuntimeError: names went wrong; please report this as a bug"
    ]
    assert any(line.startswith("c_names.py:3:21: DL501") for line in lines)
    assert any(line.startswith("b_fine.py:1:17: DL501") for line in lines)
    assert "Traceback" not in result.stderr


class UnbuildableRule(Rule):
    code = "DL998"
    name = "unbuildable-rule"

    def __init__(self, config):
        raise ValueError("cannot build for this config")


def test_rule_failing_to_build_is_reported_on_each_file_and_the_run_goes_on(project, monkeypatch):
    _with_family_of(monkeypatch, UnbuildableRule)
    monkeypatch.setattr(ExplodingRule, "where", "nowhere")
    result = CliRunner().invoke(main, ["check", "--isolated", "-j", "1", "--verbose", "."])
    lines = result.stdout.splitlines()
    assert result.exit_code == 2
    assert [line for line in lines if " DL002 " in line] == [
        f"{name}:1:1: DL002 internal error in rule DL998 (unbuildable-rule): ValueError: cannot build for this config; please report this as a bug"
        for name in ("a_boom.py", "b_fine.py")
    ]
    assert any(line.startswith("a_boom.py:2:17: DL501") for line in lines)
    assert any(line.startswith("b_fine.py:1:17: DL501") for line in lines)
    assert re.search(
        r"a_boom\.py:\nTraceback \(most recent call last\):\n.*ValueError: cannot build for this config",
        result.stderr,
        re.S,
    )


def test_rule_failing_to_build_is_not_reported_where_it_is_ignored():
    linter = engine.Linter(Config(per_file_ignores=(("b_*.py", ("DL998",)),)), rules=[UnbuildableRule])
    assert [d.code for d in linter.lint("x = 1\n", "a_file.py").diagnostics] == ["DL002"]
    assert linter.lint("x = 1\n", "b_file.py").diagnostics == []
