"""The engine's single walk: what rules see, in what order, with which ancestors."""

from __future__ import annotations

import libcst as cst

from designlint.config import Config
from designlint.engine import Linter
from designlint.rules.base import Rule

NODE_TYPES = sorted({c.__name__ for c in vars(cst).values() if isinstance(c, type) and issubclass(c, cst.CSTNode)})


def recorded_walk(source: str) -> list[tuple[str, str, list[str], str | None]]:
    """(visit|leave, node type, ancestor types, what the name ``a`` resolves to there) for every callback."""
    events = []

    def recorder(hook):
        def record(self, node):
            qualified = self.context.names.qualify(cst.Name("a"))
            events.append((hook, type(node).__name__, [type(a).__name__ for a in self.context.ancestors], qualified))

        return record

    attributes = {"code": "DL999", "name": "recorder", "prefilter": None}
    for name in NODE_TYPES:
        attributes[f"visit_{name}"] = recorder("visit")
        attributes[f"leave_{name}"] = recorder("leave")
    linter = Linter(Config(), rules=[])
    linter.rules = [type("Recorder", (Rule,), attributes)(linter.config)]
    linter.lint(source, "x.py")
    return events


def test_every_node_is_visited_then_left_with_its_enclosing_nodes_as_ancestors():
    events = recorded_walk("import os as a\ndef f(a):\n    return a.b\n")
    inside = ["Module", "FunctionDef", "IndentedBlock", "SimpleStatementLine", "Return"]
    assert [
        (hook, kind, ancestors)
        for hook, kind, ancestors, _ in events
        if "FunctionDef" in ancestors or kind == "FunctionDef"
    ] == [
        ("visit", "FunctionDef", ["Module"]),
        ("visit", "Name", ["Module", "FunctionDef"]),
        ("leave", "Name", ["Module", "FunctionDef"]),
        ("visit", "Parameters", ["Module", "FunctionDef"]),
        ("visit", "Param", ["Module", "FunctionDef", "Parameters"]),
        ("visit", "Name", ["Module", "FunctionDef", "Parameters", "Param"]),
        ("leave", "Name", ["Module", "FunctionDef", "Parameters", "Param"]),
        ("leave", "Param", ["Module", "FunctionDef", "Parameters"]),
        ("leave", "Parameters", ["Module", "FunctionDef"]),
        ("visit", "IndentedBlock", ["Module", "FunctionDef"]),
        ("visit", "SimpleStatementLine", ["Module", "FunctionDef", "IndentedBlock"]),
        ("visit", "Return", inside[:-1]),
        ("visit", "Attribute", inside),
        ("visit", "Name", [*inside, "Attribute"]),
        ("leave", "Name", [*inside, "Attribute"]),
        ("visit", "Name", [*inside, "Attribute"]),
        ("leave", "Name", [*inside, "Attribute"]),
        ("leave", "Attribute", inside),
        ("leave", "Return", inside[:-1]),
        ("leave", "SimpleStatementLine", ["Module", "FunctionDef", "IndentedBlock"]),
        ("leave", "IndentedBlock", ["Module", "FunctionDef"]),
        ("leave", "FunctionDef", ["Module"]),
    ]
    assert events[0][:2] == ("visit", "Module") and events[-1][:2] == ("leave", "Module")
    assert not any(kind in ("Comma", "Colon", "Newline", "SimpleWhitespace", "LeftParen") for _, kind, _, _ in events)


def test_names_resolve_in_the_scope_being_walked():
    events = recorded_walk("import os as a\ndef f(a):\n    return a.b\nx = a\n")
    in_function = [resolved for hook, kind, ancestors, resolved in events if kind == "Attribute"]
    after_function = [resolved for hook, kind, ancestors, resolved in events if kind == "Assign"]
    assert set(in_function) == {None}  # the parameter shadows the import
    assert set(after_function) == {"os"}
