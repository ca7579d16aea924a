"""Positions computed from one top-level statement equal LibCST's whole-module positions."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from designlint.positions import Positions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TRICKY = {
    "header, decorators, semicolons": "#!/usr/bin/env python\n# header\n\nimport os; import sys\n\n\n@decorator(1)\n@other\nasync def f(x):\n    return x  # trailing\n\n# comment before a class\nclass A(B):\n    '''doc'''\n    def m(self): return 1\n",
    "crlf and continuation lines": "x = (1,\r\n     2)\r\nif x:\r\n    y = \\\r\n        3\r\nelse:\r\n    pass\r\n",
    "no trailing newline": "a = 1\nb = [\n  2,\n]",
}
SOURCES = {p.relative_to(FIXTURES).as_posix(): p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.py"))} | TRICKY


def all_nodes(root: cst.CSTNode):
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


@pytest.mark.parametrize("name", list(SOURCES))
def test_statement_positions_equal_module_positions(name):
    text = SOURCES[name]
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(MetadataWrapper(module, unsafe_skip_copy=True), ast.parse(text))
    for statement in module.body:
        for node in all_nodes(statement):
            assert positions.of(node, statement) == expected[node], (name, type(node).__name__)
    assert PositionProvider not in positions._wrapper._metadata, "the whole module was never needed"


def test_a_node_outside_the_statement_falls_back_to_the_whole_module():
    module = cst.parse_module("a = 1\nb = 2\n")
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = Positions(wrapper, ast.parse("a = 1\nb = 2\n"))
    second = module.body[1].body[0]
    assert positions.of(second, module.body[0]).start.line == 2
    assert PositionProvider in wrapper._metadata
