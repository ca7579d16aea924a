"""Positions computed from one statement equal LibCST's whole-module positions."""

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
    "nested bodies, tabs, odd indents": (
        "class A:\n\tx = 1\n\n\t@property\n\tdef f(self):\n\t\tif x:\n\t\t\treturn (1,\n   2)\n\t\treturn 3\n"
        "class B:\n   def g(self): return 1\n   def h(self):\n      'doc'\n      y = 1; z = 2\n      async def inner():\n         await y\n"
    ),
}
SOURCES = {
    p.relative_to(FIXTURES).as_posix(): p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.py"))
} | TRICKY


def with_paths(module: cst.Module):
    """Every node with the nodes enclosing it, outermost first (as the walk reports them)."""
    stack = [(module, ())]
    while stack:
        node, path = stack.pop()
        yield node, path
        stack.extend((child, (*path, node)) for child in node.children)


@pytest.mark.parametrize("name", list(SOURCES))
def test_statement_positions_equal_module_positions(name):
    text = SOURCES[name]
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = Positions(wrapper, ast.parse(text))
    outside_statements = []  # the module's header and footer comments and blank lines
    for node, path in with_paths(module):
        top = path[1] if len(path) > 1 else node
        if node is module or not any(top is statement for statement in module.body):
            outside_statements.append(node)
            continue
        assert positions.of(node, path) == expected[node], (name, type(node).__name__)
    assert PositionProvider not in wrapper._metadata, "the whole module was never needed"
    for node in outside_statements:
        assert positions.of(node, ()) == expected[node]


def test_a_node_outside_the_statements_given_falls_back_to_the_whole_module():
    module = cst.parse_module("a = 1\nb = 2\n")
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = Positions(wrapper, ast.parse("a = 1\nb = 2\n"))
    second = module.body[1].body[0]
    assert positions.of(second, (module, module.body[0])).start.line == 2
    assert PositionProvider in wrapper._metadata
