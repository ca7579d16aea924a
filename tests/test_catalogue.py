"""The catalogue: every registered rule has an entry listing its family's options, every entry
a rule, and every example behaves as it says."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from projects import ROOT

from designlint.catalogue import load_catalogue
from designlint.config import Config, parse_table
from designlint.engine import lint_source
from designlint.options import option_keys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib
from designlint.rules import REGISTRY

CATALOGUE = load_catalogue()
EXAMPLES = [(doc.code, i, ex) for doc in CATALOGUE.values() for i, ex in enumerate(doc.examples)]


def test_every_rule_has_an_entry_and_no_entry_is_orphaned():
    assert set(CATALOGUE) == set(REGISTRY.codes)
    for rule in REGISTRY.rules:
        doc = CATALOGUE[rule.code]
        assert doc.name == rule.name
        for section in ("What it does", "Why it matters", "How to fix", "Options"):
            assert doc.section(section), f"{rule.code} lacks '## {section}'"
        kinds = {ex.kind for ex in doc.examples}
        assert kinds == {"bad", "good"}, f"{rule.code} needs bad and good examples"


@pytest.mark.parametrize("family", REGISTRY.families, ids=[family.name for family in REGISTRY.families])
def test_the_entries_of_a_family_list_exactly_the_options_it_declares(family):
    """Each entry lists the options its rule reads (DL201 reads ``egress.allow``, not
    ``egress.guards``); between them, a family's entries list every option it declares."""
    declared = {key for table in family.option_tables for key in option_keys(table)}
    listed = {rule.code: set(CATALOGUE[rule.code].options) for rule in family.rules}
    for code, options in listed.items():
        assert options <= declared, f"{code} lists options its family does not declare: {options - declared}"
    assert set().union(*listed.values()) == declared, f"no entry of {family.name} lists some of its options"


def test_the_readme_configuration_example_holds_every_option_and_is_valid():
    """README's example is where users look for the keys: each declared option is in it, and
    it parses as a configuration."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1]
    example = tomllib.loads(re.search(r"```toml\n(.*?)```", section, re.DOTALL).group(1))["tool"]["designlint"]
    for name, table in REGISTRY.option_tables.items():
        assert name in example, f"README's configuration example has no [tool.designlint.{name}]"
        written = example[name]
        for key in option_keys(table):
            assert key == name or key.split(".", 1)[1] in written, f"README's configuration example lacks {key}"
    parse_table(example, Path("."), REGISTRY)


@pytest.mark.parametrize(("code", "index", "example"), EXAMPLES, ids=[f"{c}-{i}-{e.kind}" for c, i, e in EXAMPLES])
def test_catalogue_example(code, index, example):
    codes = [d.code for d in lint_source(example.code, example.path, Config())]
    if example.kind == "bad":
        assert code in codes, f"bad example {index} of {code} does not fire"
    else:
        assert code not in codes, f"good example {index} of {code} fires"
