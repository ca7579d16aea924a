"""The catalogue: every registered rule has an entry and every entry a rule, its examples are
the rule's own cases, and its front matter agrees with the rule (fix availability, the options
its family declares); README's configuration example holds every declared option."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from projects import ROOT

from designlint import lint_source
from designlint.catalogue import Example, load_catalogue
from designlint.config import Config, parse_table
from designlint.options import option_keys
from designlint.rules import REGISTRY
from designlint.rules.base import Rule
from designlint.rules.cases import Invalid, Valid
from designlint.rules.design import DocumentRule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CATALOGUE = load_catalogue()
RULES = {rule.code: rule for rule in REGISTRY.rules}
RULE_IDS = list(RULES)
FAMILY_IDS = [family.name for family in REGISTRY.families]
# The engine's own findings (DL001, DL002) have no rule class, hence no cases: their examples run here.
ENGINE_EXAMPLES = [
    pytest.param(doc.code, ex, id=f"{doc.code}-{i}-{ex.kind}")
    for doc in CATALOGUE.values()
    if doc.code not in RULES
    for i, ex in enumerate(doc.examples)
]


def test_every_rule_has_an_entry_and_no_entry_is_orphaned():
    assert set(CATALOGUE) == set(REGISTRY.codes)
    for rule in REGISTRY.rules:
        doc = CATALOGUE[rule.code]
        assert doc.name == rule.name
        for section in ("What it does", "Why it matters", "How to fix", "Options"):
            assert doc.section(section), f"{rule.code} lacks '## {section}'"
        kinds = {ex.kind for ex in doc.examples}
        assert kinds == {"bad", "good"}, f"{rule.code} needs bad and good examples"


def _as_case(example: Example, cases: tuple[Valid | Invalid, ...]) -> Valid | Invalid | None:
    kind = Invalid if example.kind == "bad" else Valid
    return next((c for c in cases if isinstance(c, kind) and (c.code, c.path) == (example.code, example.path)), None)


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=RULE_IDS)
def test_every_example_is_one_of_the_rules_cases(rule: type[Rule]):
    """The page shows what the rule's cases prove: a ``python bad`` block is an Invalid case, a
    ``python good`` block a Valid one, with the same code and path, linted with no configuration
    unless the page shows it (a ``toml`` block) and the modules the case reads (``python`` blocks)."""
    for example in CATALOGUE[rule.code].examples:
        case = _as_case(example, (*rule.VALID, *rule.INVALID))
        assert case is not None, (
            f"rules/{rule.code}.md: this {example.kind} example (path {example.path}) is none of "
            f"{rule.__name__}'s {'INVALID' if example.kind == 'bad' else 'VALID'} cases:\n{example.code}"
        )
        # A document rule's example may stand in a project with code (the page's prose says what it
        # holds); a rule that fires only when configured shows the config and modules its example needs.
        files_allowed = issubclass(rule, DocumentRule) and all(path.endswith(".py") for path in case.files)
        needed = [case.config] if case.config else []
        if not files_allowed:
            needed += list(case.files.values())
        for text in needed:
            assert isinstance(text, str) and text.strip() in CATALOGUE[rule.code].body, (
                f"rules/{rule.code}.md: an example's case needs this config or module, which the page does not show:\n{text}"
            )


@pytest.mark.parametrize(("code", "example"), ENGINE_EXAMPLES)
def test_engine_finding_example(code: str, example: Example):
    codes = [d.code for d in lint_source(example.code, example.path, Config())]
    assert (code in codes) == (example.kind == "bad"), f"{example.kind} example of {code}: found {codes}"


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=RULE_IDS)
def test_front_matter_fix_agrees_with_the_cases(rule: type[Rule]):
    fixed = [case.expected_fix is not None for case in rule.INVALID]
    availability = "always" if all(fixed) else "sometimes" if any(fixed) else "none"
    declared = CATALOGUE[rule.code].fix
    assert declared == availability, f"rules/{rule.code}.md says fix = {declared!r}; its cases say {availability!r}"


def family_options(rule: type[Rule]) -> set[str]:
    """The option keys the rule's family declares, as ``table.key``."""
    family = next(family for family in REGISTRY.families if rule in family.rules)
    return {key for table in family.option_tables for key in option_keys(table)}


def _case_options(rule: type[Rule]) -> set[str]:
    """The option keys the rule's cases set (top-level keys such as ``select`` are no options)."""
    return {
        f"{table}.{option}"
        for case in (*rule.VALID, *rule.INVALID)
        for table, options in case.config_table().items()
        if isinstance(options, dict)
        for option in options
    }


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=RULE_IDS)
def test_front_matter_options_agree_with_the_family_and_the_cases(rule: type[Rule]):
    listed = set(CATALOGUE[rule.code].options)
    foreign, unlisted = listed - family_options(rule), _case_options(rule) - listed
    assert not foreign, f"rules/{rule.code}.md lists options its family does not have: {sorted(foreign)}"
    assert not unlisted, f"rules/{rule.code}.md does not list the options its cases set: {sorted(unlisted)}"


@pytest.mark.parametrize("family", REGISTRY.families, ids=FAMILY_IDS)
def test_every_option_of_a_family_is_documented_by_one_of_its_rules(family):
    declared = {key for table in family.option_tables for key in option_keys(table)}
    documented = {option for rule in family.rules for option in CATALOGUE[rule.code].options}
    assert declared <= documented, f"undocumented options of {family.name}: {sorted(declared - documented)}"


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
