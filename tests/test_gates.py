"""The gates that spare work (each rule's text ``prefilter`` and its ``could_fire`` on the
stdlib's tree) never hide a finding: with them switched off, every file gives the same
findings. Checked on every fixture project, every rule's VALID/INVALID cases, and code written
the ways the gates must see through (each family module's ``GATE_CASES``)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from projects import FIXTURES
from rule_cases import RULE_CASES, case_config, case_project

from designlint.analysis.modules import module_name_for
from designlint.context import FileFacts
from designlint.engine import Linter
from designlint.gates import Gate as Gates
from designlint.parsing import stdlib_verdict
from designlint.project import Project
from designlint.resolution import ConfigResolver
from designlint.rules import GATES, REGISTRY, Family
from designlint.rules.cases import Gate
from designlint.rules.design import DocumentRule

PROJECTS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
# The rules on Python code: the document rules (DL011-DL015) read Markdown and have no gates.
CODE_RULES = [rule for rule in REGISTRY.rules if not issubclass(rule, DocumentRule)]
CODE_RULE_CASES = [case for case in RULE_CASES if case.values[0] in CODE_RULES]
CODE_FAMILIES = [family for family in REGISTRY.families if any(rule in CODE_RULES for rule in family.rules)]


def _findings(linter: Linter, path: Path | str, source: str | bytes) -> list[tuple]:
    return sorted((d.code, d.start.row, d.start.column, d.message) for d in linter.lint(source, str(path)).diagnostics)


def _ungated(linter: Linter) -> Linter:
    """Every rule built at once (no family left to its gates), none of them gated."""
    open_linter = Linter(linter.config, REGISTRY.rules, project=linter.project)
    for rule in open_linter.rules:
        rule.prefilter = None
        rule.could_fire = lambda file: True
    return open_linter


@pytest.mark.parametrize("isolated", [False, True], ids=["configured", "isolated"])
@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_fixture_findings_do_not_depend_on_the_gates(project: Path, isolated: bool, monkeypatch):
    monkeypatch.chdir(project)
    resolver = ConfigResolver(isolated=isolated)
    files = sorted(project.rglob("*.py"))
    compared = 0
    for path in files:
        config = resolver.for_path(path)
        gated = Linter(config, project=Project.from_root(config.root))
        source = path.read_bytes()
        expected = _findings(_ungated(gated), path, source)
        assert _findings(gated, path, source) == expected, path
        compared += bool(expected)
    assert compared, "no fixture file had a finding: the comparison could not fail"


@pytest.mark.parametrize(("rule", "case"), CODE_RULE_CASES)
def test_rule_case_findings_do_not_depend_on_the_gates(rule, case):
    gated = Linter(case_config(rule, case), project=case_project(rule, case))
    assert _findings(gated, case.path, case.code) == _findings(_ungated(gated), case.path, case.code)


# Code written the ways the gates must see through: each family module's ``GATE_CASES``, linted
# with the config and modules a case names; between them they make every rule fire.
GATE_CASES = [
    pytest.param(family, case, id=f"{family.name}-{case.path}")
    for family in REGISTRY.families
    for case in family.gate_cases
]


def _gate_linter(family: Family, case: Gate, root: Path) -> Linter:
    rule = family.rules[0]
    config = dataclasses.replace(case_config(rule, case), root=root)
    return Linter(config, project=case_project(rule, case))


@pytest.mark.parametrize(("family", "case"), GATE_CASES)
def test_gates_see_through_the_ways_code_is_written(family: Family, case: Gate, tmp_path: Path):
    gated = _gate_linter(family, case, tmp_path)
    path = tmp_path / case.path
    assert _findings(gated, path, case.code) == _findings(_ungated(gated), path, case.code)


@pytest.mark.parametrize("family", CODE_FAMILIES, ids=[family.name for family in CODE_FAMILIES])
def test_the_gate_cases_exercise_the_gates(family: Family, tmp_path: Path):
    """The comparison above means something only if a family's cases make every one of its rules
    fire, each case that ``fires`` one of its own family's, the others none."""
    codes = {rule.code for rule in family.rules}
    assert family.gate_cases, f"the {family.name} family needs GATE_CASES"
    fired: set[str] = set()
    for case in family.gate_cases:
        found = {code for code, *_ in _findings(_gate_linter(family, case, tmp_path), tmp_path / case.path, case.code)}
        if case.fires:
            assert found & codes, f"{case.path} fires none of {sorted(codes)}"
        else:
            assert found == set(), case.path
        fired |= found & codes
    assert fired == codes, f"no gate case of {family.name} fires {sorted(codes - fired)}"


# -- the gates declared without the family (designlint.gates) ------------------------------
GATED_FAMILIES = [family for family in REGISTRY.families if family.name in GATES]


def _gate_of(rule: type) -> type[Gates]:
    """The gate class of ``designlint.gates.<family>`` the rule inherits."""
    [gate] = [c for c in rule.__mro__ if c.__module__.startswith("designlint.gates.") and c.__dict__.get("codes")][
        :1
    ] or [None]
    assert gate is not None, f"{rule.__qualname__} inherits no gate class of designlint.gates"
    return gate


def test_every_family_declares_its_gates():
    """A family without them would be imported, and its rules run, for every file linted."""
    assert sorted(family.name for family in REGISTRY.families if family.name not in GATES) == []


@pytest.mark.parametrize("family", GATED_FAMILIES, ids=[family.name for family in GATED_FAMILIES])
def test_the_declared_gates_are_the_gates_of_the_familys_rules(family: Family):
    """Each rule inherits the gate class of ``gates/<family>.py`` that names its code, the gate
    classes there name exactly the family's codes, and no rule sets a prefilter of its own (the
    engine searches the declared one before the family is imported)."""
    declared = {code: gate for gate in GATES[family.name].gates for code in gate.codes}
    assert sorted(declared) == sorted(rule.code for rule in family.rules)
    for rule in family.rules:
        gate = _gate_of(rule)
        assert gate.__module__ == f"designlint.gates.{family.name}" and declared[rule.code] is gate, rule.code
        rule_side = [c for c in rule.__mro__ if not issubclass(gate, c) and "prefilter" in c.__dict__]
        assert rule_side == [], f"{rule.code}: a prefilter set by the rule, not its gate"


GATED_CASES = [
    pytest.param(rule, case, id=f"{rule.code}-{index}")
    for family in GATED_FAMILIES
    for rule in family.rules
    for index, case in enumerate((*rule.VALID, *rule.INVALID))
]


@pytest.mark.parametrize(("rule", "case"), GATED_CASES)
def test_a_rule_built_answers_as_its_declared_gate_or_narrower(rule, case):
    """On every case: the rule's prefilter matches where its gate's does, and its could_fire is
    True only where the gate's is (a rule may narrow its gate, never widen it)."""
    config = case_config(rule, case)
    built, gate = rule(config), _gate_of(rule)(config)
    if gate.prefilter is None or built.prefilter is None:
        assert gate.prefilter is built.prefilter is None
    else:
        assert bool(built.prefilter.search(case.code)) == bool(gate.prefilter.search(case.code))
    facts = FileFacts(case.path, module_name_for(case.path), case.code, stdlib_verdict(case.code).tree)
    if built.could_fire(facts):
        assert gate.could_fire(facts)


def test_a_file_imports_only_the_families_whose_gates_pass(tmp_path):
    """Linted in a fresh interpreter: an error-code file (DL501's gate passes, none of the
    others') imports the errors family and the ungated ones, no other."""
    script = """\
import json, sys
from designlint.config import Config
from designlint.engine import Linter
found = Linter(Config()).lint('def f():\\n    raise ToolError("RATE_LIMITED")\\n', "app/tools.py").diagnostics
print(json.dumps([[d.code for d in found], sorted(m for m in sys.modules if m.startswith("designlint.rules."))]))
"""
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    codes, families = json.loads(completed.stdout)
    assert codes == ["DL501"]
    ungated = sorted(f"designlint.rules.{family.name}" for family in REGISTRY.families if family.name not in GATES)
    assert families == sorted(
        [
            "designlint.rules.base",
            "designlint.rules.cases",
            "designlint.rules.errors",
            "designlint.rules.noqa",
            *ungated,
        ]
    )


def test_dl501_runs_only_where_a_literal_looks_like_a_code_where_a_code_stands():
    """Its prefilter passes on ``code=`` and an upper-case literal after an exception's "(",
    wherever they are; its could_fire asks the tree whether the literal is where a code stands."""
    from designlint.config import Config
    from designlint.gates.errors import RawStringErrorCodeGate

    def could_fire(code: str) -> bool:
        gate = RawStringErrorCodeGate(Config())
        assert gate.prefilter is not None and gate.prefilter.search(code), code
        return gate.could_fire(FileFacts("app/x.py", "app.x", code, stdlib_verdict(code).tree))

    assert not could_fire('raise ValueError("ORDER_FAILED")\n')  # a builtin's message
    assert not could_fire('render(code="print(1)")\n')  # not a code
    assert not could_fire('log("x.code", "WARNING")\n')
    assert could_fire('raise ToolError("ORDER_FAILED")\n')
    assert could_fire('reply = Reply(code="ORDER_FAILED")\n')
    assert could_fire('if err.code in ("ORDER_FAILED", "X"):\n    pass\n')
