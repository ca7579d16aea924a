"""The engine's single walk: what rules see, in what order, with which ancestors, and which
hooks a rule may have."""

from __future__ import annotations

import inspect

import libcst as cst
import pytest

from designlint import walk
from designlint.analysis.syntax import SOURCE_ORDER, child_nodes, own_nodes
from designlint.config import Config
from designlint.engine import Linter
from designlint.hooks import HOOKABLE_TYPES
from designlint.rules.base import Rule


def recorded_walk(source: str) -> list[tuple[str, str, list[str], str | None]]:
    """(visit|leave, node type, ancestor types, what the name ``a`` resolves to there) for every callback."""
    events = []

    def recorder(hook):
        def record(self, node):
            qualified = self.context.names.qualify(cst.Name("a"))
            events.append((hook, type(node).__name__, [type(a).__name__ for a in self.context.ancestors], qualified))

        return record

    attributes = {"code": "DL999", "name": "recorder", "prefilter": None}
    for name in HOOKABLE_TYPES:
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


def test_names_resolve_in_the_scope_being_walked():
    events = recorded_walk("import os as a\ndef f(a):\n    return a.b\nx = a\n")
    in_function = [resolved for hook, kind, ancestors, resolved in events if kind == "Attribute"]
    after_function = [resolved for hook, kind, ancestors, resolved in events if kind == "Assign"]
    assert set(in_function) == {None}  # the parameter shadows the import
    assert set(after_function) == {"os"}


# -- hooks that could never be called are refused when the rule class is defined ---------


@pytest.mark.parametrize(
    "method",
    [
        "visit_Cal",  # a typo of Call
        "leave_Cal",
        "visit_BaseExpression",  # abstract: no node is of this very class
        "visit_Comma",  # punctuation, white space and comments are not walked
        "visit_Comment",
        "visit_Call_func",  # LibCST's attribute hooks: the walk has none
    ],
)
def test_a_hook_on_no_walked_node_type_is_refused(method):
    with pytest.raises(TypeError, match=rf"Typo\.{method} would never be called"):
        type("Typo", (Rule,), {"code": "DL999", "name": "typo", method: lambda self, node: None})


def test_a_hook_inherited_from_a_base_class_is_checked_too():
    class Base:
        def visit_Cal(self, node): ...

    with pytest.raises(TypeError, match="visit_Cal"):
        type("Typo", (Rule, Base), {"code": "DL999", "name": "typo"})


def test_hooks_on_walked_node_types_are_accepted():
    for name in ("Call", "Name", "Module", "FunctionDef", "SimpleString", "LeftSquareBracket"):
        type("Fine", (Rule,), {"code": "DL999", "name": "fine", f"visit_{name}": lambda self, node: None})
    assert {"Call", "Name", "Module", "Add", "ImportStar"} <= HOOKABLE_TYPES
    assert not {"Comma", "Newline", "SimpleWhitespace", "EmptyLine", "BaseExpression", "CSTNode"} & HOOKABLE_TYPES


# -- a visit that returns False prunes the node's children for that rule, as in LibCST ----

PRUNED = "def f():\n    g(x)\n    return 1\nh(y)\n"


class PruningHooks:
    """Records what it sees; its visit of a function returns ``self.result``."""

    result: object = False

    def __init__(self):
        self.events: list[tuple[str, str]] = []

    def visit_FunctionDef(self, node):
        self.events.append(("visit FunctionDef", node.name.value))
        return self.result

    def leave_FunctionDef(self, node):
        self.events.append(("leave FunctionDef", node.name.value))

    def visit_Call(self, node):
        self.events.append(("visit Call", node.func.value))

    def leave_Call(self, node):
        self.events.append(("leave Call", node.func.value))

    def visit_Return(self, node):
        self.events.append(("visit Return", ""))


class PruningRule(PruningHooks, Rule):
    code, name = "DL998", "pruning"

    def __init__(self, config):
        Rule.__init__(self, config)
        PruningHooks.__init__(self)


class WatchingRule(Rule):
    """Another rule, which prunes nothing: it must still see inside the function."""

    code, name = "DL997", "watching"

    def __init__(self, config):
        super().__init__(config)
        self.calls: list[tuple[str, str | None]] = []

    def visit_Call(self, node):
        self.calls.append((node.func.value, self.context.names.qualify(node.func)))


def walked(source: str, result: object = False) -> tuple[PruningRule, WatchingRule]:
    linter = Linter(Config(), rules=[])
    pruning, watching = PruningRule(linter.config), WatchingRule(linter.config)
    pruning.result = result
    linter.rules = [pruning, watching]
    linter.lint("import os as g\n" + source, "x.py")
    return pruning, watching


def libcst_events(source: str, result: object = False) -> list[tuple[str, str]]:
    """What LibCST's own visitor sees with the same hooks."""

    class Visitor(PruningHooks, cst.CSTVisitor):
        pass

    visitor = Visitor()
    visitor.result = result
    cst.parse_module("import os as g\n" + source).visit(visitor)
    return visitor.events


def test_false_from_a_visit_prunes_the_children_for_that_rule_and_its_leave_is_still_called():
    pruning, watching = walked(PRUNED)
    assert pruning.events == [
        ("visit FunctionDef", "f"),
        ("leave FunctionDef", "f"),
        ("visit Call", "h"),  # after the pruned node, the rule is called again
        ("leave Call", "h"),
    ]
    assert pruning.events == libcst_events(PRUNED)
    # The other rule sees inside, with the names resolved as ever.
    assert watching.calls == [("g", "os"), ("h", None)]


@pytest.mark.parametrize("result", [None, True, 0, ""], ids=repr)
def test_only_false_itself_prunes(result):
    pruning, _ = walked(PRUNED, result)
    assert ("visit Call", "g") in pruning.events and ("visit Return", "") in pruning.events
    assert pruning.events == libcst_events(PRUNED, result)


def test_pruning_nested_functions_resumes_after_the_outermost_pruned_one():
    source = "def f():\n    def inner():\n        g()\n    g()\nh()\ndef e(): pass\n"
    pruning, _ = walked(source)
    assert pruning.events == libcst_events(source)
    assert ("visit Call", "h") in pruning.events and ("visit FunctionDef", "e") in pruning.events
    assert ("visit Call", "g") not in pruning.events


# -- children in source order ------------------------------------------------------------------

EVERY_CONSTRUCT = """\
from ..pkg import (a as b, c)
@decorator(1)
@other
async def handler[T](x: int, /, y=2, *args: str, z: int = 3, **kw) -> Result:
    async for item in stream():
        pass
    async with lock() as held, other():
        pass
    try:
        pass
    except ValueError as error:
        raise
    value = first if condition else second
    values = [n async for n in numbers() if n]
    call(positional, keyword=value, *rest, **more)
    match command:
        case Point(x=0) if flag:
            pass
@decorated
class Model[T](Base, metaclass=Meta):
    field: int = 1
type Alias[T: int] = list[T]
self.attribute.chain = data[1:2:3], items[*rest]
annotated: int = {key: value for key, value in pairs}
mapping = {1: 2, **other}
collection = {1, 2} | {n for n in numbers}
fn = lambda a, b=1: a
match point:
    case [first, *others]:
        pass
    case {"key": value, **remaining}:
        pass
if ready: go(); stop()
try:
    pass
except* OSError as group:
    pass
"""


def test_children_come_in_source_order_as_libcst_visits_them():
    """Every node's walked children are in the order LibCST's own ``children`` gives (the
    order a LibCST visitor sees them), for each construct whose fields are declared otherwise."""
    module = cst.parse_module(EVERY_CONSTRUCT)
    pending = [module]
    checked = set()
    while pending:
        node = pending.pop()
        ours = walk._children(node, walk._Wanted(HOOKABLE_TYPES))  # as if a rule hooked every type
        theirs = [child for child in node.children if any(child is mine for mine in ours)]
        assert ours == theirs, type(node).__name__
        checked.add(type(node))
        pending.extend(ours)
    assert set(SOURCE_ORDER) <= checked, "the sample holds every construct the table reorders"


def test_the_analyses_see_the_same_source_order():
    """``child_nodes`` (the analyses' children of a node) are LibCST's ``children`` without the
    white space and punctuation, in the same order, and ``own_nodes`` is the source-ordered
    pre-order of them that stops at nested scopes: a decorator before the body it wraps."""
    module = cst.parse_module(EVERY_CONSTRUCT)
    pending: list[cst.CSTNode] = [module]
    while pending:
        node = pending.pop()
        ours = child_nodes(node)
        theirs = [child for child in node.children if any(child is mine for mine in ours)]
        assert ours == theirs, type(node).__name__
        pending.extend(ours)
    function = cst.parse_module("@guard(a)\ndef f(x):\n    b(x)\n    def inner():\n        c()\n    d()\n")
    called = [n.func.value for n in own_nodes(function.body[0]) if isinstance(n, cst.Call)]
    assert called == ["guard", "b", "d"]


def test_no_concrete_libcst_node_class_has_subclasses():
    """The hot paths check a node's exact type (``type(node) is cst.Name``), not ``isinstance``
    (LibCST's classes are ABCs, several times slower to check): exact only while no concrete
    node class is subclassed."""
    concrete = [
        cls
        for cls in vars(cst).values()
        if isinstance(cls, type) and issubclass(cls, cst.CSTNode) and not inspect.isabstract(cls)
    ]
    assert len(concrete) > 100
    assert [cls.__name__ for cls in concrete if cls.__subclasses__()] == []
