"""``literal_string`` reads plain literals without evaluating them; the value must be Python's."""

from __future__ import annotations

import libcst as cst
import pytest

from designlint.analysis.strings import literal_string

LITERALS = [
    '"abc"',
    "'x'",
    '"""a\nb"""',
    "'''a\r\nb'''",
    'r"a\\b"',
    'R"x"',
    'u"é"',
    '"a\\nb"',
    '""',
    "''''''",
    '"\\u00e9"',
    "'\\\\'",
]


@pytest.mark.parametrize("source", LITERALS)
def test_the_value_is_what_python_makes_of_the_literal(source):
    module = cst.parse_module(f"x = {source}\n")
    node = module.body[0].body[0].value
    assert literal_string(node) == node.evaluated_value


@pytest.mark.parametrize("source", ['b"x"', 'Rb"x"', 'f"{x}"'])
def test_bytes_and_f_strings_have_no_plain_value(source):
    assert literal_string(cst.parse_expression(source)) is None
