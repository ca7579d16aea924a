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
from designlint.analysis.modules import DEFINED_NAMES
from designlint.analysis.modules import DefinedNames as DefinedNamesOf
from designlint.analysis.names import NameResolver
from designlint.analysis.untrusted import TRUST_FACTS, ModuleTrust, TrustFacts, UntrustedSpec
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


def test_a_module_trust_summary_is_a_fact_like_any_other(tmp_path):
    store = open_cache(tmp_path / "cache", explicit=True)
    name = TrustFacts.name_for("app.web", (), ())
    for project in (Project({"app.web": WEB}.get, store), Project({"app.web": WEB}.get, store)):
        trust = project.fact(TRUST_FACTS, name)
        assert trust.templates == {"SUMMARY_PROMPT"}  # TIMEOUT is no prompt
        fetch, shorten, read, build = (
            trust.functions[label] for label in ("fetch_page", "shorten", "Browser.read", "Browser.build_prompt")
        )
        assert (fetch.label, fetch.params, fetch.returns, fetch.passes) == (
            "app.web.fetch_page",
            ("url",),
            ("HTTP response body",),
            frozenset(
                {"url"}
            ),  # as the module's own summaries: a call on a tainted receiver or with tainted arguments carries them
        )
        assert (shorten.returns, shorten.passes, dict(shorten.prompt)) == ((), {"text"}, {})
        assert read.params == ("url",) and read.returns == ("HTTP response body",)  # the receiver left out
        assert build.params == ("question", "context") and dict(build.prompt) == {"question": False, "context": False}


def test_configured_sources_give_another_trust_fact():
    helpers = {"app.crm": "from app.db import load\n\ndef ticket(n):\n    return load(n)\n"}
    project = Project(helpers.get)
    assert project.fact(TRUST_FACTS, TrustFacts.name_for("app.crm", (), ())).functions["ticket"].returns == ()
    configured = project.fact(TRUST_FACTS, TrustFacts.name_for("app.crm", ("app.db.load",), ()))
    assert configured.functions["ticket"].returns == ("`load()` result",)


@pytest.mark.parametrize("source", ["def broken(:\n", "x = (" * 300 + ")" * 300 + "\n", None])
def test_a_module_that_cannot_be_read_has_no_helpers_to_follow(source):
    project = Project({"app.web": source}.get)
    assert project.fact(TRUST_FACTS, TrustFacts.name_for("app.web", (), ())) == ModuleTrust({}, frozenset())


def test_a_malformed_trust_fact_is_refused():
    with pytest.raises(TypeError):
        TRUST_FACTS.load(
            TrustFacts.name_for("app.web", (), ()),
            {"functions": {"f": {"params": [1], "returns": [], "passes": [], "prompt": {}}}, "templates": []},
        )


def test_defined_names_are_every_def_and_every_bound_name():
    source = (
        "import os\nfrom app.db import load\n\nPROMPT: str = 'hi'\nA = B = 1\n\n"
        "class Browser:\n    async def read(self):\n        def inner():\n            pass\n"
        "        for item in []:\n            pass\n        with open('f') as handle:\n            pass\n"
        "        if (found := 1):\n            pass\n"
    )
    names = Project({"app.web": source}.get).fact(DEFINED_NAMES, "app.web")
    assert names.functions == {"read", "inner"}  # the class is no function
    assert names.bound == {"PROMPT", "A", "B", "item", "handle", "found"}  # imports are not the module's own
    assert Project({"app.web": "def broken(:\n"}.get).fact(DEFINED_NAMES, "app.web") == DefinedNamesOf(
        frozenset(), frozenset()
    )


def test_a_trust_summary_is_worked_out_only_for_a_name_its_module_defines(monkeypatch):
    computed: list[str] = []
    compute = TrustFacts.compute

    def counted(self, name, sources):
        computed.append(json.loads(name)[0])
        return compute(self, name, sources)

    monkeypatch.setattr(TrustFacts, "compute", counted)
    project = Project(
        {
            "app.models": "class Agent:\n    pass\n",
            "app.web": "import requests\n\ndef fetch_page(url):\n    return requests.get(url).text\n",
            "app.prompts": "SUMMARY_PROMPT = 'Summarise {text}'\n",
        }.get
    )
    caller = cst.parse_module(
        "from app.models import Agent\nfrom app.web import fetch_page, Session\nfrom app.prompts import SUMMARY_PROMPT\n"
        "Agent()\nSession()\nfetch_page(u)\nSUMMARY_PROMPT\n"
    )
    spec = UntrustedSpec(NameResolver(caller, "app.main"), project=project)
    calls = [line.body[0].value for line in caller.body[3:6]]
    assert [spec.imported(call) for call in calls[:2]] == [None, None]
    assert computed == []  # a class, and a name the module does not define: no LibCST parse
    helper = spec.imported(calls[2])
    assert helper is not None and helper.returns == ("HTTP response body",)
    assert spec.template(caller.body[6].body[0].value) == "app.prompts.SUMMARY_PROMPT"
    assert computed == ["app.web", "app.prompts"]


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
        assert provider is DEFINED_NAMES
