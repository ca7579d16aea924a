"""Cross-module facts through ``Project.fact``: worked out once per project, read back from the
results cache while their modules are unchanged, failures kept too, and the modules they are
read from recorded (what a cached lint result depends on)."""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Mapping

import libcst as cst
import pytest

import designlint.analysis
from designlint.analysis.enums import ENUM_CLASSES
from designlint.analysis.module_facts import ModuleFact
from designlint.analysis.names import NameResolver
from designlint.analysis.untrusted import (
    TRUST_FLOWS,
    TRUST_OUTLINES,
    HelperFlow,
    HelperOutline,
    ModuleOutline,
    TrustFlows,
    UntrustedSpec,
)
from designlint.analysis.untrusted_sources import TRUST_RETURNS
from designlint.cache import Cache, open_cache
from designlint.project import FactProvider, FactStore, LookupFailed, Project


class DefinedNames(FactProvider[tuple[str, ...]]):
    """The top-level ``def`` names of a pair of modules, ``name`` and ``name + "_extra"``,
    counting how often it is worked out."""

    kind = "test-defined-names"

    def __init__(self):
        self.computed = 0

    def modules(self, name: str) -> tuple[str, ...]:
        return (name, f"{name}_extra")

    def compute(self, name: str, sources: Mapping[str, str | None]) -> object:
        self.computed += 1
        if sources[name] is None:
            raise LookupFailed(f"no module {name!r}")
        lines = "\n".join(text or "" for text in sources.values()).splitlines()
        return [line[4:].split("(")[0] for line in lines if line.startswith("def ")]

    def load(self, name: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError("not a list of names")
        return tuple(value)


@pytest.fixture
def modules() -> dict[str, str]:
    return {"app.tools": "def run():\n    pass\n", "app.tools_extra": "def stop():\n    pass\n"}


def _project(modules: dict[str, str], store: FactStore | None = None) -> Project:
    return Project(lambda name, anchor: modules.get(name), store)


def test_a_fact_is_worked_out_once_per_project_and_its_modules_recorded(modules):
    provider = DefinedNames()
    project = _project(modules)
    with project.linting("first.py"):
        assert project.fact(provider, "app.tools") == ("run", "stop")
    assert set(project.modules_read) == {"app.tools", "app.tools_extra"}
    with project.linting("second.py"):  # worked out already: it still counts for this file
        assert project.fact(provider, "app.tools") == ("run", "stop")
    assert provider.computed == 1
    assert set(project.modules_read) == {"app.tools", "app.tools_extra"}
    with project.linting("third.py"):  # a file that asks for no fact depends on no module
        pass
    assert project.modules_read == {}


def test_a_fact_comes_from_the_store_until_one_of_its_modules_changes(modules, tmp_path):
    provider, store = DefinedNames(), open_cache(tmp_path / "cache", explicit=True)
    assert _project(modules, store).fact(provider, "app.tools") == ("run", "stop")
    assert _project(modules, store).fact(provider, "app.tools") == ("run", "stop")
    assert provider.computed == 1
    modules["app.tools_extra"] = "def halt():\n    pass\n"
    assert _project(modules, store).fact(provider, "app.tools") == ("run", "halt")
    assert provider.computed == 2


def test_a_failure_is_kept_and_raised_again(modules, tmp_path):
    provider, store = DefinedNames(), open_cache(tmp_path / "cache", explicit=True)
    project = _project(modules, store)
    for fresh in (project, project, _project(modules, store)):
        with pytest.raises(LookupFailed, match=r"no module 'app\.nowhere'"):
            fresh.fact(provider, "app.nowhere")
    assert provider.computed == 1


def test_a_malformed_stored_fact_is_worked_out_again(modules, tmp_path):
    class Corrupting:
        """Gives back a value of the wrong shape for every fact it holds."""

        def __init__(self, cache: Cache):
            self.cache = cache

        def get_fact(self, kind, name, module_digest):
            return {"value": "not a list"} if self.cache.get_fact(kind, name, module_digest) else None

        def put_fact(self, kind, name, module_digest, value):
            self.cache.put_fact(kind, name, module_digest, value)

    provider, store = DefinedNames(), Corrupting(open_cache(tmp_path / "cache", explicit=True))
    _project(modules, store).fact(provider, "app.tools")
    assert _project(modules, store).fact(provider, "app.tools") == ("run", "stop")
    assert provider.computed == 2


def test_the_error_enum_is_a_fact_like_any_other(tmp_path):
    sources = {
        "app.errors": "from enum import Enum\n\n\nclass ErrorCode(str, Enum):\n    A = 'a'\n    B = b'b'\n    C = 3\n"
    }
    store = open_cache(tmp_path / "cache", explicit=True)
    for project in (
        Project(lambda name, anchor: sources.get(name), store),
        Project(lambda name, anchor: sources.get(name), store),
    ):  # worked out, then read back
        info = project.fact(ENUM_CLASSES, "app.errors.ErrorCode")
        # bytes is not JSON: it never equals a literal string anyway, so it is kept as None.
        assert info.members == (("A", "a"), ("B", None), ("C", 3))
        assert info.member_for("a") == "A" and info.str_valued


WEB = """\
import requests

SUMMARY_PROMPT = "Summarize: {page}"
TIMEOUT = 5


def fetch_page(url):
    return requests.get(url, timeout=TIMEOUT).text


def shorten(text, limit=100):
    return text[:limit]


class Browser:
    def read(self, url, *, selector="main"):
        return requests.get(url, timeout=TIMEOUT).text

    @staticmethod
    def build_prompt(question, context):
        return f"{question}\\n{context}"
"""


def test_a_module_outline_and_its_flows_are_facts_like_any_other(tmp_path):
    store = open_cache(tmp_path / "cache", explicit=True)
    name = TrustFlows.name_for("app.web", (), ())
    for project in (Project({"app.web": WEB}.get, store), Project({"app.web": WEB}.get, store)):
        outline, flows = project.fact(TRUST_OUTLINES, "app.web"), project.fact(TRUST_FLOWS, name)
        assert outline.templates == {"SUMMARY_PROMPT"}  # TIMEOUT is no prompt
        fetch, shorten, read, build = (
            outline.functions[label] for label in ("fetch_page", "shorten", "Browser.read", "Browser.build_prompt")
        )
        assert fetch.params == ("url",) and fetch.returns_value
        # as the module's own summaries: a call on a tainted receiver or with tainted arguments carries them
        assert flows["fetch_page"] == HelperFlow(("HTTP response body",), frozenset({"url"}))
        assert (flows["shorten"], shorten.prompt) == (HelperFlow((), frozenset({"text"})), {})
        assert read.params == ("url",) and flows["Browser.read"].returns == ("HTTP response body",)  # no receiver
        # a builder's parameters are in its prompt if they flow into what it returns: the flows say
        assert build.params == ("question", "context") and build.prompt == {"question": None, "context": None}
        assert flows["Browser.build_prompt"].passes == {"question", "context"}


def test_an_outline_reads_parameters_templates_and_prompt_parameters_as_libcst_would():
    source = (
        "from langchain_core.prompts import ChatPromptTemplate\n"
        "QA_TEMPLATE = ChatPromptTemplate.from_messages([])\nANSWER_PROMPT: str = 'a' 'b'\nRAW_PROMPT = b'x'\n"
        "F_PROMPT = f'{x}'\nA_PROMPT = B_PROMPT = 'no'\nMADE_PROMPT = factory().from_template('no')\n"
        "def ask(client, system, /, messages, *, instructions, note):\n"
        "    client.create(messages=messages, prompt=note)\n"
        "try:\n    def pick(a):\n        return a\nexcept ImportError:\n    def pick(a, b):\n        pass\n"
        "else:\n    def pick(c):\n        return c\n"
        "class Tools:\n    @staticmethod\n    def render_prompt(text, *args):\n        def inner():\n            return 1\n"
        "    @classmethod\n    def make(cls, prompt):\n        return cls()\n"
        "    class Nested:\n        def hidden(self):\n            pass\n"
    )
    outline = Project({"app.web": source}.get).fact(TRUST_OUTLINES, "app.web")
    # a call of an object that is no Name/Attribute chain is no template call, as LibCST's last_name says
    assert outline.templates == {"QA_TEMPLATE", "ANSWER_PROMPT", "RAW_PROMPT", "F_PROMPT"}
    assert set(outline.functions) == {"ask", "pick", "Tools.render_prompt", "Tools.make"}
    ask = outline.functions["ask"]
    assert ask.params == ("client", "system", "messages") and not ask.returns_value
    assert ask.prompt == {"system": True, "messages": False, "instructions": True, "note": False}
    assert outline.functions["pick"] == HelperOutline(("c",), {}, True)  # the last definition, in source order
    render = outline.functions["Tools.render_prompt"]
    assert render == HelperOutline(("text",), {"text": None}, False)  # a static method keeps its first parameter
    assert outline.functions["Tools.make"] == HelperOutline(("prompt",), {"prompt": False}, True)


@pytest.mark.parametrize("source", ["def broken(:\n", None])
def test_a_module_that_cannot_be_read_has_no_outline(source):
    project = Project({"app.web": source}.get)
    assert project.fact(TRUST_OUTLINES, "app.web") == ModuleOutline({}, frozenset())
    assert project.fact(TRUST_FLOWS, TrustFlows.name_for("app.web", (), ())) == {}


def test_a_module_libcst_would_stall_on_keeps_its_outline_but_no_flows():
    # 2,500 ``%`` in a row: the stdlib parses it, LibCST is not given it (tests/test_analysis_budgets.py)
    source = "import requests\n\nx = page" + " % 'part'" * 2_500 + "\n\ndef ask(client, system):\n    return 1\n"
    project = Project({"app.web": source}.get)
    assert project.fact(TRUST_OUTLINES, "app.web").functions["ask"].prompt == {"system": True}
    assert project.fact(TRUST_FLOWS, TrustFlows.name_for("app.web", (), ())) == {}


def test_configured_sources_give_other_trust_flows():
    helpers = {"app.crm": "from app.db import load\n\ndef ticket(n):\n    return load(n)\n"}
    project = Project(helpers.get)
    assert project.fact(TRUST_FLOWS, TrustFlows.name_for("app.crm", (), ()))["ticket"].returns == ()
    configured = project.fact(TRUST_FLOWS, TrustFlows.name_for("app.crm", ("app.db.load",), ()))
    assert configured["ticket"].returns == ("`load()` result",)


def test_malformed_trust_facts_are_refused():
    with pytest.raises(TypeError):
        TRUST_FLOWS.load(TrustFlows.name_for("app.web", (), ()), {"f": {"returns": [1], "passes": []}})
    with pytest.raises(TypeError):
        TRUST_OUTLINES.load(
            "app.web",
            {"functions": {"f": {"params": [], "prompt": {"p": "yes"}, "returns_value": True}}, "templates": []},
        )
    with pytest.raises(TypeError):
        TRUST_OUTLINES.load(
            "app.web", {"functions": {"f": {"params": [], "prompt": {}, "returns_value": 1}}, "templates": []}
        )


def test_a_helpers_flows_are_worked_out_only_when_what_it_returns_is_asked(monkeypatch):
    computed: list[str] = []
    compute = TrustFlows.compute

    def counted(self, name, sources):
        computed.append(json.loads(name)[0])
        return compute(self, name, sources)

    monkeypatch.setattr(TrustFlows, "compute", counted)
    project = Project(
        {
            "app.models": "class Agent:\n    pass\n",
            "app.web": "import requests\n\ndef fetch_page(url):\n    return requests.get(url).text\n\n"
            "def log(text):\n    print(text)\n\ndef ask(client, prompt):\n    return client.create(prompt=prompt)\n\n"
            "def build_prompt(question, page):\n    return question\n",
            "app.prompts": "SUMMARY_PROMPT = 'Summarise {text}'\n",
        }.get
    )
    caller = cst.parse_module(
        "from app.models import Agent\nfrom app.web import fetch_page, Session, log, ask, build_prompt\n"
        "from app.prompts import SUMMARY_PROMPT\n"
        "Agent()\nSession()\nfetch_page(u)\nlog(u)\nask(c, u)\nbuild_prompt(q, u)\nSUMMARY_PROMPT\n"
    )
    spec = UntrustedSpec(NameResolver(caller, "app.main"), project=project)
    qualnames = [spec.imported_name(line.body[0].value) for line in caller.body[3:9]]
    agent, session, fetch, log, ask, build = (spec.imported_function(q) if q else None for q in qualnames)
    assert (agent, session) == (None, None)  # a class, and a name the module does not define
    assert spec.template(caller.body[9].body[0].value) == "app.prompts.SUMMARY_PROMPT"
    assert log is not None and (log.returns, log.passes) == ((), frozenset())  # it returns nothing
    assert ask is not None and ask.prompt == {"prompt": False}  # by its name
    assert computed == []  # no LibCST parse yet
    assert build is not None and build.prompt == {"question": False}  # what flows into its result
    assert fetch is not None and fetch.returns == ("HTTP response body",)
    assert computed == ["app.web"]


def _module_facts() -> list[ModuleFact]:
    """Every provider of ``designlint.analysis`` that reads one module's stdlib tree."""
    found = []
    for info in pkgutil.iter_modules(designlint.analysis.__path__, "designlint.analysis."):
        module = importlib.import_module(info.name)
        found.extend(value for value in vars(module).values() if isinstance(value, ModuleFact))
    return sorted(set(found), key=lambda provider: provider.kind)


@pytest.mark.parametrize("provider", _module_facts(), ids=lambda provider: provider.kind)
@pytest.mark.parametrize(
    ("text", "failure"),
    [
        (None, "module 'app.gone' not found under the project root (looked for app/gone.py, also under src/)"),
        ("def broken(:\n", "module 'app.gone' cannot be parsed: invalid syntax (line 1)"),
        ("x = (" * 300 + "1" + ")" * 300 + "\n", "module 'app.gone' cannot be parsed: too many nested parentheses"),
    ],
    ids=["absent", "broken", "too-deep"],
)
def test_a_module_fact_of_a_module_absent_or_unparsable_is_its_failure_or_nothing(provider, text, failure):
    name = next(
        n for n in ("app.gone", "app.gone.Thing", "app.gone.Thing.MEMBER") if provider.module_of(n) == "app.gone"
    )
    project = Project({"app.gone": text}.get if text is not None else {}.get)
    try:
        fact = project.fact(provider, name)
    except LookupFailed as exc:
        assert str(exc).startswith(failure)
    else:  # a fact that means "nothing known" is the one it has for an empty module
        assert fact == Project({"app.gone": ""}.get).fact(provider, name)
        assert provider in (TRUST_OUTLINES, TRUST_RETURNS)
