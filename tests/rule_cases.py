"""The rules' own VALID/INVALID cases as the tests lint them: each with its config (through the
real parser) and its project (the case's extra modules, in memory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from designlint import Project
from designlint.analysis.modules import module_name_for
from designlint.config import Config, parse_table
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
