"""A prefilter pattern of plain words is searched as substrings (``designlint.gates.Words``):
it must match exactly where the regex does, and any other pattern stays a regex."""

from __future__ import annotations

import re

import pytest

from designlint.gates import AllOf, AnyOf, Words, words_of

WORD_PATTERNS = ["tenant|created_?by|org", "[Aa]udit|AUDIT", "[Ii]dempoten", "BaseException", "x|", "a_?b_?c"]
OTHER_PATTERNS = [r"\bfoo\b", r"except\s*[:*]", "a.b", "(?i:prompt)", r"count\(", "[a-z]x", "[^a]", "x*", "x+"]
TEXTS = [
    "",
    "org",
    "the Tenant",
    "createdby",
    "created_by",
    "created__by",
    "AUDIT log",
    "auDit",
    "abc",
    "a_bc",
    "a__bc",
]


@pytest.mark.parametrize("pattern", WORD_PATTERNS)
def test_words_match_where_the_regex_does(pattern):
    words = words_of(pattern)
    assert isinstance(words, Words)
    for text in TEXTS:
        assert words.search(text) == bool(re.search(pattern, text)), text


@pytest.mark.parametrize("pattern", OTHER_PATTERNS)
def test_any_other_pattern_stays_a_regex(pattern):
    assert words_of(pattern) is None
    assert isinstance(AnyOf(pattern).patterns[0], re.Pattern)


def test_too_many_spellings_stay_a_regex():
    assert words_of("a?" * 7) is None  # 128 spellings


def test_all_of_with_ignore_case_searches_the_lowered_text():
    prefilter = AllOf("tenant|org", "admin", ignore_case=True)
    assert prefilter.search("if user.IS_ADMIN or doc.Tenant_id == t:")
    assert not prefilter.search("if user.is_admin:")
