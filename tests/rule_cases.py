"""The rules' own VALID/INVALID cases as the tests lint them: each with its config (through the
real parser) and its project (the case's extra modules, in memory)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from designlint import Project
from designlint.analysis.modules import module_name_for
from designlint.config import Config, parse_table
from designlint.design.check import design_diagnostics
from designlint.diagnostics import Diagnostic
from designlint.resolution import ConfigResolver
from designlint.rules import REGISTRY
from designlint.rules.base import Rule
from designlint.rules.cases import Invalid, Valid

Case = Valid | Invalid

RULE_CASES = [
    pytest.param(rule, case, id=f"{rule.code}-{kind}-{index}")
    for rule in REGISTRY.rules
    for kind, cases in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, case in enumerate(cases)
]


def case_config(rule: type[Rule], case: Case) -> Config:
    text = case.config if isinstance(case.config, str) else ""
    return parse_table(case.config_table(), Path.cwd(), REGISTRY, source=f"a {rule.code} case's config", text=text)


def case_project(rule: type[Rule], case: Case) -> Project:
    modules = {}
    for path, source in case.files.items():
        module = module_name_for(path)
        assert module is not None, f"{rule.code} case: {path!r} in files is not a module path"
        modules[module] = source
    return Project.from_sources(modules)


def document_findings(rule: type[Rule], case: Case) -> list[Diagnostic]:
    """A document rule's findings in the case's file: the case's files written into a project
    (its config as designlint.toml), the design found where designlint looks for it."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        for path, text in {**case.files, case.path: case.code}.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
        if case.config:
            assert isinstance(case.config, str), f"{rule.code} case: a document case's config is TOML text"
            (root / "designlint.toml").write_text(case.config, encoding="utf-8")
        config = ConfigResolver(cwd=root).for_directory(root)
        found, crashes = design_diagnostics(config, lambda: sorted(root.rglob("*.py")), cwd=root)
    assert not crashes, crashes
    return [d for d in found if d.code == rule.code and d.path == case.path]
