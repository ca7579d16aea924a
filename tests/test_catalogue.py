"""The catalogue: every rule has an entry, and every example behaves as it says."""

from __future__ import annotations

import pytest

from designlint.catalogue import load_catalogue
from designlint.config import Config
from designlint.engine import lint_source
from designlint.rules import ALL_RULES, KNOWN_CODES

CATALOGUE = load_catalogue()
EXAMPLES = [(doc.code, i, ex) for doc in CATALOGUE.values() for i, ex in enumerate(doc.examples)]


def test_every_rule_has_an_entry_and_no_entry_is_orphaned():
    assert set(CATALOGUE) == set(KNOWN_CODES)
    for rule in ALL_RULES:
        doc = CATALOGUE[rule.code]
        assert doc.name == rule.name
        for section in ("What it does", "Why it matters", "How to fix", "Options"):
            assert doc.section(section), f"{rule.code} lacks '## {section}'"
        kinds = {ex.kind for ex in doc.examples}
        assert kinds == {"bad", "good"}, f"{rule.code} needs bad and good examples"


@pytest.mark.parametrize(("code", "index", "example"), EXAMPLES, ids=[f"{c}-{i}-{e.kind}" for c, i, e in EXAMPLES])
def test_catalogue_example(code, index, example):
    codes = [d.code for d in lint_source(example.code, example.path, Config())]
    if example.kind == "bad":
        assert code in codes, f"bad example {index} of {code} does not fire"
    else:
        assert code not in codes, f"good example {index} of {code} fires"
