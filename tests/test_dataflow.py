"""The shared taint analysis, with a small spec: ``fetch()`` is a source, ``clean()`` a
sanitizer, and every argument of ``sink()`` is what the tests ask about."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import libcst as cst
import pytest

from designlint.analysis.dataflow import Dataflow, TaintSpec
from designlint.analysis.names import NameResolver, dotted_name


class FetchSpec(TaintSpec):
    def source(self, node):
        return "fetched" if isinstance(node, cst.Call) and dotted_name(node.func) == "fetch" else None

    def binding_source(self, name):
        return "named" if name == "observation" else None

    def is_sanitizer(self, call):
        return dotted_name(call.func) in ("clean", "guard")


class GuardSpec(FetchSpec):
    sanitizes_in_place = True


def sink_taints(source: str, spec: TaintSpec | None = None) -> list[set[str]]:
    """For each ``sink(x)`` in the source, in order: the kinds ``x`` carries there."""
    module = cst.parse_module(textwrap.dedent(source))
    flow = Dataflow(module, NameResolver(module, "m"), spec or FetchSpec())
    found: list[set[str]] = []

    class Sinks(cst.CSTVisitor):
        def __init__(self):
            self.functions: list[cst.FunctionDef] = []

        def visit_FunctionDef(self, node):
            self.functions.append(node)

        def leave_FunctionDef(self, node):
            self.functions.pop()

        def visit_Call(self, node):
            if dotted_name(node.func) == "sink":
                scope = self.functions[-1] if self.functions else None
                found.append({t.kind for t in flow.taint(node.args[0].value, scope)})

    module.visit(Sinks())
    return found


@pytest.mark.parametrize(
    "expression",
    [
        "body",
        'f"<{body}>"',
        '"a" + body',
        '"%s!" % body',
        '"{}: {x}".format(1, x=body)',
        '"\\n".join([body, "b"])',
        '{"content": body}',
        "(1, body)",
        "[line.strip() for line in body.splitlines()]",
        "{k: v for k, v in body.items()}",
        "body[0].text",
        "str(body)",
        "a or body",
    ],
)
def test_propagation_through_expressions(expression):
    source = f"""
    async def f(a):
        body = await fetch()
        sink({expression})
    """
    assert sink_taints(source) == [{"fetched"}]


def test_containers_collect_what_is_appended_extended_or_added():
    source = """
    def f():
        messages = []
        sink(messages)
        messages.append({"role": "user", "content": fetch()})
        sink(messages)
        more = []
        more.extend(messages)
        parts = ["x"]
        parts += [more[0]]
        sink(parts)
        table = {}
        table["k"] = fetch()
        sink(table)
    """
    assert sink_taints(source) == [set(), {"fetched"}, {"fetched"}, {"fetched"}]


def test_a_sanitized_value_is_clean_wherever_it_flows_afterwards():
    source = """
    def f():
        text = fetch()
        text = clean(text)
        prompt = f"hello {text}"
        sink(prompt)
        sink([clean(fetch()), "x"])
    """
    assert sink_taints(source) == [set(), set()]


def test_unknown_calls_and_predicates_do_not_propagate():
    source = """
    def f():
        body = fetch()
        sink(len(body))
        sink(body.startswith("x"))
        sink(body == "x")
        sink(summarize_elsewhere(body))
    """
    assert sink_taints(source) == [set(), set(), set(), set()]


def test_branches_merge_and_loops_see_their_own_later_statements():
    source = """
    def f(flag):
        text = "static"
        if flag:
            text = fetch()
        else:
            pass
        sink(text)
        history = ""
        for _ in range(3):
            sink(history)
            history += fetch()
        try:
            other = fetch()
        except ValueError:
            other = "fallback"
        sink(other)
    """
    assert sink_taints(source) == [{"fetched"}, {"fetched"}, {"fetched"}]


def test_with_targets_and_named_values():
    source = """
    async def f(observation):
        async with fetch() as response:
            data = await response.json()
        sink(data)
        sink(observation)
        observation = clean(observation)
        sink(observation)
        steps = []
        sink(steps)
    """
    assert sink_taints(source) == [{"fetched"}, {"named"}, set(), set()]


def test_summaries_of_helpers_in_the_module():
    source = """
    def get_page(url):
        response = fetch(url)
        return response.text

    def get_clean_page(url):
        return clean(get_page(url))

    def shout(text, suffix="!"):
        return text.upper() + suffix

    class Agent:
        def _load(self):
            return get_page("x")

        def run(self):
            sink(self._load())

    def main(url):
        sink(get_page(url))
        sink(get_clean_page(url))
        sink(shout(fetch()))
        sink(shout("static", suffix=fetch()))
        sink(shout("static"))
    """
    assert sink_taints(source) == [{"fetched"}, {"fetched"}, set(), {"fetched"}, {"fetched"}, set()]


def test_arguments_reach_the_parameters_they_bind_and_only_those():
    source = """
    def shout(text, suffix="!"):
        return text.upper() + suffix

    class Agent:
        def wrap(self, text):
            return f"<{text}>"

        def run(self, parts):
            sink(self.wrap(fetch()))
            sink(shout(*parts, fetch()))
            sink(shout("static", *parts, suffix=fetch()))
    """
    # After ``*parts`` the position of an argument is not known: it binds no parameter; a keyword still does.
    assert sink_taints(source) == [{"fetched"}, set(), {"fetched"}]


def test_the_via_chain_names_the_helpers():
    module = cst.parse_module(
        "def get(u):\n    return fetch(u)\n\ndef outer(u):\n    return get(u)\n\ndef main():\n    x = outer(1)\n"
    )
    flow = Dataflow(module, NameResolver(module, "m"), FetchSpec())
    main = module.body[2]
    value = main.body.body[0].body[0].value
    (taint,) = flow.taint(value, main)
    assert taint.kind == "fetched" and taint.via == ("outer", "get")


def test_recursive_helpers_terminate():
    source = """
    def walk(n):
        if n:
            return walk(n - 1)
        return fetch()

    def main():
        sink(walk(3))
    """
    assert sink_taints(source) == [{"fetched"}]


def test_an_in_place_sanitizer_cleans_the_names_it_is_given():
    source = """
    def f():
        url = fetch()
        sink(url)
        guard(url)
        sink(url)
    """
    assert sink_taints(source, GuardSpec()) == [{"fetched"}, set()]
    assert sink_taints(source) == [{"fetched"}, {"fetched"}]


def test_module_level_code_is_analysed_too():
    assert sink_taints("page = fetch()\nsink(page)\n") == [{"fetched"}]


def test_analysing_a_function_leaves_the_walks_name_scope_as_it_was():
    module = cst.parse_module(
        "import requests as rq\n\ndef get(u):\n    s = rq.Session()\n    return s.get(u).text\n\ndef main():\n    pass\n"
    )
    names = NameResolver(module, "m")
    get, main = module.body[1], module.body[2]
    names.enter_scope(main)  # the engine's walk is inside main
    walk_scope = names.scope
    flow = Dataflow(module, names, HttpSpec(names))
    returned = get.body.body[1].body[0].value
    assert {t.kind for t in flow.taint(returned, get)} == {"http"}  # s resolves in get's own scope
    assert names.scope is walk_scope and names.lookup("s") is None


class HttpSpec(TaintSpec):
    def __init__(self, names):
        self.names = names

    def source(self, node):
        return (
            "http" if isinstance(node, cst.Call) and self.names.qualify(node.func) == "requests.Session.get" else None
        )


class ImportingSpec(FetchSpec):
    """``lib.fetch`` is another module's function returning ``remote`` content, ``lib.shorten``
    one passing its argument on; the summaries asked for are listed."""

    def __init__(self):
        self.asked: list[str] = []

    def imported_name(self, call):
        name = dotted_name(call.func)
        return name if name is not None and name.startswith("lib.") else None

    def imported_function(self, qualname):
        self.asked.append(qualname)
        returns = ("remote",) if qualname == "lib.fetch" else ()
        return SimpleNamespace(label=qualname, params=("text",), returns=returns, passes=frozenset({"text"}))


def test_another_modules_summary_is_asked_for_only_where_its_result_is_queried():
    source = """
    def main(url):
        unused = lib.fetch(url)
        size = len(lib.shorten(url))
        sink(lib.shorten(fetch()))
    """
    spec = ImportingSpec()
    assert sink_taints(source, spec) == [{"fetched"}]
    assert spec.asked == ["lib.shorten"]


def test_another_modules_result_returned_through_the_modules_helpers():
    module = cst.parse_module(
        textwrap.dedent(
            """
            def relay(observation):
                return lib.shorten(observation)

            def get():
                return lib.fetch(1)

            def main():
                a = relay("static")
                b = relay(fetch())
                c = get()
            """
        )
    )
    spec = ImportingSpec()
    flow = Dataflow(module, NameResolver(module, "m"), spec)
    main = module.body[2]
    a, b, c = (line.body[0].value for line in main.body.body)
    # a parameter that is a source by its name stands for the caller's argument, also when passed on
    assert flow.taint(a, main) == frozenset()
    ((fetched, fetch_call),) = [(t.kind, t.origin) for t in flow.taint(b, main)]
    assert fetched == "fetched" and fetch_call is b.args[0].value
    (remote,) = flow.taint(c, main)
    assert remote.kind == "remote" and remote.via == ("get", "lib.fetch")
    assert flow.returned(module.body[0]) == (frozenset(), frozenset({"observation"}))
