"""Function summaries: the module's functions and how calls reach them, what functions return,
where their parameters go, and the cache that makes each summary once."""

from __future__ import annotations

import textwrap

import libcst as cst

from designlint.analysis.names import NameResolver, returned_values
from designlint.analysis.summaries import (
    ModuleFunctions,
    Summaries,
    bound_arguments,
    keywords_passed,
    local_values,
)


def parse(source: str) -> cst.Module:
    return cst.parse_module(textwrap.dedent(source))


def defs(module: cst.Module) -> dict[str, cst.FunctionDef]:
    """Every def of the module by name, nested ones too."""
    found: dict[str, cst.FunctionDef] = {}

    class Defs(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found[node.name.value] = node

    module.visit(Defs())
    return found


def calls(node: cst.CSTNode) -> list[cst.Call]:
    found: list[cst.Call] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    node.visit(Calls())
    return found


def source_of(node: cst.CSTNode | None) -> str | None:
    return None if node is None else cst.Module([]).code_for_node(node)


MODULE = """
    def helper(): ...

    def _private(): ...

    try:
        def fallback(): ...
    except ImportError:
        pass

    class Api:
        def __init__(self): ...
        def _load(self): ...
        if DEBUG:
            def trace(self): ...
        class Inner:
            def deep(self): ...

    class _Hidden:
        def run(self): ...

    def outer():
        def nested(): ...
"""


def test_module_functions_labels_owners_and_which_are_public():
    module = parse(MODULE)
    functions = ModuleFunctions(module)
    by_name = defs(module)
    summarised = {
        name: (known.label, known.public, known.owner.name.value if known.owner else None)
        for name, node in by_name.items()
        if (known := functions.get(node)) is not None
    }
    assert summarised == {
        "helper": ("helper", True, None),
        "_private": ("_private", False, None),
        "fallback": ("fallback", True, None),  # under try: still a module-level function
        "__init__": ("Api.__init__", True, "Api"),  # dunder methods are public
        "_load": ("Api._load", False, "Api"),
        "trace": ("Api.trace", True, "Api"),
        "run": ("_Hidden.run", False, "_Hidden"),  # a private class's methods are private
        "outer": ("outer", True, None),
    }
    # Nested functions and methods of nested classes have no summary of their own.
    assert functions.get(by_name["nested"]) is None and functions.get(by_name["deep"]) is None
    assert functions.get(None) is None


def test_the_function_a_call_runs():
    module = parse("""
        def helper(): ...
        def helper(): ...  # the later definition is in force

        class Agent:
            def _load(self): ...
            def run(self):
                helper()
                self._load()
                self.missing()
                other._load()

        def main(helper_arg):
            helper()
            self._load()
            print()

        def shadowed(helper):
            helper()
    """)
    functions, names = ModuleFunctions(module), NameResolver(module, "m")
    by_name = defs(module)
    later_helper = module.body[1]
    run, main, shadowed = by_name["run"], by_name["main"], by_name["shadowed"]

    def called_in(scope: cst.FunctionDef) -> list[str | None]:
        names.enter_scope(scope)
        try:
            return [
                source_of(target.name) if (target := functions.called(c, scope, names)) else None for c in calls(scope)
            ]
        finally:
            names.leave_scope()

    assert called_in(run) == ["helper", "_load", None, None]
    assert functions.called(calls(run)[0], run, names) is later_helper
    assert called_in(main) == ["helper", None, None]  # self outside a method names no class
    assert called_in(shadowed) == [None]  # the parameter, not the function


def test_bound_arguments_by_keyword_position_and_receiver():
    module = parse("""
        def f(a, b, /, c, *rest, d=1): ...
        class C:
            def m(self, x, y): ...
    """)
    f, m = defs(module)["f"], defs(module)["m"]

    def bound(function: cst.FunctionDef, call: str) -> dict[str, str | None]:
        parsed = cst.parse_expression(call)
        return {name: source_of(arg.value) for name, arg in bound_arguments(function, parsed).items()}

    assert bound(f, "f(1, 2, 3, 4, d=5)") == {"a": "1", "b": "2", "c": "3", "d": "5"}
    assert bound(f, "f(1, c=3)") == {"a": "1", "c": "3"}
    assert bound(f, "f(1, *more, 3)") == {"a": "1"}  # after *more the positions are unknown
    assert bound(m, "obj.m(1, y=2)") == {"x": "1", "y": "2"}  # the receiver is self


def test_returned_values_and_locals_are_the_functions_own():
    module = parse("""
        def f(p, *args, **kw):
            base = "https://a.example"
            twice = 1
            twice = 2
            for item in p:
                pass
            def inner():
                return "inner"
            if p:
                return base
            return lambda: "lambda"
    """)
    f = defs(module)["f"]
    assert [source_of(value) for value in returned_values(f)] == ["base", 'lambda: "lambda"']  # in source order
    values = {name: source_of(value) for name, value in local_values(f).items()}
    assert values == {
        "p": None,
        "args": None,
        "kw": None,
        "base": '"https://a.example"',
        "twice": None,
        "item": None,
    }


def test_keywords_a_parameter_is_passed_on_as():
    module = parse("""
        def ask(client, messages, system):
            client.create(messages=messages, model=system)
            def later():
                client.send(payload=messages)
            client.log(messages=list(messages), text=system.strip())
    """)
    ask = defs(module)["ask"]
    assert keywords_passed(ask, "messages") == {"messages", "payload"}  # nested functions count
    assert keywords_passed(ask, "system") == {"model"}  # passed unchanged only
    assert keywords_passed(ask, "client") == frozenset()


def test_summaries_are_made_once_and_recursion_gets_none():
    module = parse("""
        def a(): return b()
        def b(): return a()
    """)
    functions = defs(module)
    made: list[str] = []

    def summarise(function: cst.FunctionDef) -> str:
        made.append(function.name.value)
        callee = functions[source_of(returned_values(function)[0].func)]
        return f"{function.name.value}->{summaries.of(callee)}"

    summaries: Summaries[str] = Summaries(summarise)
    assert summaries.of(functions["a"]) == "a->b->None"  # b asks for a, which is being made
    assert summaries.of(functions["a"]) == "a->b->None" and made == ["a", "b"]
    assert summaries.of(functions["b"]) == "b->None" and made == ["a", "b"]  # made while a was in progress, kept
    with summaries.analysing(functions["a"]):
        assert summaries.of(functions["a"]) is not None  # made already: kept
