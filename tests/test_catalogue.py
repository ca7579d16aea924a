"""The catalogue: every rule has an entry, its examples are the rule's own cases, and its front
matter agrees with the rule (fix availability, options)."""

from __future__ import annotations

import dataclasses

import pytest

from designlint import config as config_module
from designlint import lint_source
from designlint.catalogue import Example, load_catalogue
from designlint.config import Config
from designlint.rules import ALL_RULES, KNOWN_CODES
from designlint.rules.base import Rule
from designlint.rules.cases import Invalid, Valid

CATALOGUE = load_catalogue()
RULES = {rule.code: rule for rule in ALL_RULES}
RULE_IDS = [rule.code for rule in ALL_RULES]
# The engine's own findings (DL001, DL002) have no rule class, hence no cases: their examples run here.
ENGINE_EXAMPLES = [
    pytest.param(doc.code, ex, id=f"{doc.code}-{i}-{ex.kind}")
    for doc in CATALOGUE.values()
    if doc.code not in RULES
    for i, ex in enumerate(doc.examples)
]


def test_every_rule_has_an_entry_and_no_entry_is_orphaned():
    assert set(CATALOGUE) == set(KNOWN_CODES)
    for rule in ALL_RULES:
        doc = CATALOGUE[rule.code]
        assert doc.name == rule.name
        for section in ("What it does", "Why it matters", "How to fix", "Options"):
            assert doc.section(section), f"{rule.code} lacks '## {section}'"
        kinds = {ex.kind for ex in doc.examples}
        assert kinds == {"bad", "good"}, f"{rule.code} needs bad and good examples"


def _as_case(example: Example, cases: tuple[Valid | Invalid, ...]) -> Valid | Invalid | None:
    kind = Invalid if example.kind == "bad" else Valid
    return next((c for c in cases if isinstance(c, kind) and (c.code, c.path) == (example.code, example.path)), None)


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_every_example_is_one_of_the_rules_cases(rule: type[Rule]):
    """The page shows what the rule's cases prove: a ``python bad`` block is an Invalid case, a
    ``python good`` block a Valid one, with the same code and path, linted with no configuration
    (the page does not show any)."""
    for example in CATALOGUE[rule.code].examples:
        case = _as_case(example, (*rule.VALID, *rule.INVALID))
        assert case is not None, (
            f"rules/{rule.code}.md: this {example.kind} example (path {example.path}) is none of "
            f"{rule.__name__}'s {'INVALID' if example.kind == 'bad' else 'VALID'} cases:\n{example.code}"
        )
        assert not case.config and not case.files, f"{rule.code}: an example's case needs no config or files"


@pytest.mark.parametrize(("code", "example"), ENGINE_EXAMPLES)
def test_engine_finding_example(code: str, example: Example):
    codes = [d.code for d in lint_source(example.code, example.path, Config())]
    assert (code in codes) == (example.kind == "bad"), f"{example.kind} example of {code}: found {codes}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_front_matter_fix_agrees_with_the_cases(rule: type[Rule]):
    fixed = [case.expected_fix is not None for case in rule.INVALID]
    availability = "always" if all(fixed) else "sometimes" if any(fixed) else "none"
    declared = CATALOGUE[rule.code].fix
    assert declared == availability, f"rules/{rule.code}.md says fix = {declared!r}; its cases say {availability!r}"


def family_options(rule: type[Rule]) -> set[str]:
    """The option keys of the rule's family, as ``table.key``.

    Seam: until rules declare their own options, a family is the options table named like the
    rule's module (``designlint.rules.egress`` -> ``[tool.designlint.egress]``) in config.py."""
    table = rule.__module__.rsplit(".", 1)[-1]
    options = config_module._TABLES.get(table)
    if options is None:
        return set()
    return {f"{table}.{field.name.replace('_', '-')}" for field in dataclasses.fields(options)}


def _case_options(rule: type[Rule]) -> set[str]:
    """The option keys the rule's cases set (top-level keys such as ``select`` are no options)."""
    return {
        f"{table}.{option}"
        for case in (*rule.VALID, *rule.INVALID)
        for table, options in case.config_table().items()
        if isinstance(options, dict)
        for option in options
    }


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_front_matter_options_agree_with_the_family_and_the_cases(rule: type[Rule]):
    listed = set(CATALOGUE[rule.code].options)
    foreign, unlisted = listed - family_options(rule), _case_options(rule) - listed
    assert not foreign, f"rules/{rule.code}.md lists options its family does not have: {sorted(foreign)}"
    assert not unlisted, f"rules/{rule.code}.md does not list the options its cases set: {sorted(unlisted)}"


def test_every_option_of_a_family_is_documented_by_one_of_its_rules():
    families: dict[frozenset[str], set[str]] = {}
    for rule in ALL_RULES:
        families.setdefault(frozenset(family_options(rule)), set()).update(CATALOGUE[rule.code].options)
    for options, documented in families.items():
        assert options <= documented, f"undocumented options: {sorted(options - documented)}"
