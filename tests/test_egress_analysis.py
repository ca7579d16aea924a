"""The shared analysis behind the egress rules: names, static strings, URL hosts, guards."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from designlint.analysis.constants import module_constant
from designlint.analysis.guards import passed_guard
from designlint.analysis.names import NameResolver
from designlint.analysis.names import dotted_name as dotted
from designlint.analysis.strings import static_value, static_values
from designlint.analysis.urls import UrlHost, is_relative_url, url_host
from designlint.project import Project
from designlint.walk import BINDINGS, SCOPES


class Probe:
    """Walks a module the way the engine does and records what resolves at each ``probe(...)``."""

    def __init__(self, source: str, module_name: str = "app.tools"):
        self.module = cst.parse_module(textwrap.dedent(source))
        self.names = NameResolver(self.module, module_name)
        self.calls: list[tuple] = []  # (call, its ancestors, qualified callee, probed values or None)
        self._walk(self.module, [])

    def _walk(self, node: cst.CSTNode, ancestors: list[cst.CSTNode]) -> None:
        if isinstance(node, BINDINGS):
            self.names.record(node)
        if isinstance(node, cst.Call):
            self.calls.append((node, list(ancestors), self.names.qualify(node.func), self._values(node)))
        scoped = isinstance(node, SCOPES)
        if scoped:
            self.names.enter_scope(node)
        for child in node.children:
            self._walk(child, [*ancestors, node])
        if scoped:
            self.names.leave_scope()

    def _values(self, call: cst.Call):
        if isinstance(call.func, cst.Name) and call.func.value == "probe":
            return [static_value(arg.value, self.names) for arg in call.args]
        if isinstance(call.func, cst.Name) and call.func.value == "probe_each":
            return [static_values(arg.value, self.names) for arg in call.args]
        return None

    def qualified(self) -> list[str]:
        return [q for _, _, q, _ in self.calls if q]

    def probed(self):
        return next(values for *_, values in self.calls if values is not None)

    def all_probed(self):
        return [values for *_, values in self.calls if values is not None]


def test_names_resolve_aliases_sessions_async_with_members_and_annotations():
    probe = Probe("""
        import requests as rq
        import aiohttp
        from httpx import AsyncClient as Http

        CLIENT = Http(base_url="https://api.example.com")

        class Tool:
            def __init__(self, session: aiohttp.ClientSession):
                self.http = Http()
                self.session = session

            async def run(self, url):
                await self.http.get(url)
                await self.session.post(url)

        async def handler(url, session: "aiohttp.ClientSession"):
            s = rq.Session()
            s.get(url)
            async with aiohttp.ClientSession() as cs, cs.get(url) as response:
                await response.text()
            await CLIENT.get("/v1")
            await session.get(url)
    """)
    qualified = probe.qualified()
    for expected in (
        "httpx.AsyncClient.get",
        "aiohttp.ClientSession.post",
        "requests.Session.get",
        "aiohttp.ClientSession.get",
    ):
        assert expected in qualified
    assert qualified.count("aiohttp.ClientSession.get") == 2  # async with ... as cs, and the annotated parameter


def test_function_matches_dotted_and_bare_names():
    probe = Probe("""
        from app import net as n
        from app.net import require_allowed as check

        def f(url):
            check(url)
            n.require_allowed(url)
            other.require_allowed(url)
            unrelated(url)
    """)
    calls = [call for call, *_ in probe.calls]
    resolver = probe.names
    dotted = [resolver.function_matches(c.func, ["app.net.require_allowed"]) for c in calls]
    bare = [resolver.function_matches(c.func, ["require_allowed"]) for c in calls]
    # The resolver is back in module scope after the walk: only module imports count here.
    assert dotted == [True, True, False, False]
    assert bare == [False, True, True, False]


@pytest.mark.parametrize(
    ("expression", "host", "relative"),
    [
        ('f"{BASE}/items/{item_id}"', UrlHost("api.example.com"), False),
        ('BASE + "/v1/" + item_id', UrlHost("api.example.com"), False),
        ('"%s/search?q=%s" % (BASE, item_id)', UrlHost("api.example.com"), False),
        ('"{}/search".format(BASE)', UrlHost("api.example.com"), False),
        ("urljoin(BASE, item_id)", UrlHost("api.example.com"), False),
        ('f"https://{region}.example.net/v1"', UrlHost("example.net", exact=False), False),
        ('"https://h.example.com:8443/x"', UrlHost("h.example.com", port=8443), False),
        ("url", None, False),
        ('url + "/x"', None, False),
        ('f"https://{host}/x"', None, False),
        ('f"/items/{item_id}"', None, True),
        ('"http" + rest', None, False),
        ("Tool.BASE", UrlHost("tool.example.org"), False),
        ('("https://graph.example.com/v1.0/drives/" f"{item_id}/items")', UrlHost("graph.example.com"), False),
        (
            '"https://api.example.com/v1/a" if item_id else "https://api.example.com/v1/b"',
            UrlHost("api.example.com"),
            False,
        ),
        ('"https://a.example.com" if item_id else "https://b.example.com"', None, False),
        ('str(URL(BASE + "/" + item_id))', UrlHost("api.example.com"), False),
    ],
)
def test_static_values_and_url_hosts(expression, host, relative):
    probe = Probe(f"""
        from urllib.parse import urljoin
        from yarl import URL
        BASE = "https://api.example.com"

        class Tool:
            BASE = "https://tool.example.org"

        def f(url, item_id, region, host, rest):
            probe({expression})
    """)
    (value,) = probe.probed()
    assert url_host(value) == host
    assert is_relative_url(value) is relative


def test_a_name_reassigned_from_itself_keeps_its_earlier_value():
    probe = Probe("""
        def f(path):
            url = "https://api.example.com"
            url = url + "/v1/" + path
            probe(url)
    """)
    (value,) = probe.probed()
    assert value.prefix == "https://api.example.com/v1/"
    assert not value.complete


GUARD_CASES = [
    ("require_allowed(url)\n    fetch(url)", True),
    ("if not require_allowed(url):\n        raise ValueError(url)\n    fetch(url)", True),
    ("if require_allowed(url):\n        fetch(url)", True),
    ("if strict:\n        require_allowed(url)\n    fetch(url)", False),
    ("if strict:\n        require_allowed(url)\n    else:\n        raise ValueError(url)\n    fetch(url)", True),
    ("require_allowed(url)\n    url = url.strip()\n    fetch(url)", False),
    ("url = require_allowed(url)\n    fetch(url)", True),
    ("fetch(require_allowed(url))", True),
    ("for item in items:\n        require_allowed(url)\n    fetch(url)", False),
    ("try:\n        require_allowed(url)\n    except ValueError:\n        log(url)\n    fetch(url)", False),
    ("try:\n        require_allowed(url)\n    except ValueError:\n        return None\n    fetch(url)", True),
    ("require_allowed(other)\n    fetch(url)", False),
    ("fetch(url)\n    require_allowed(url)", False),
]


@pytest.mark.parametrize(("body", "guarded"), GUARD_CASES)
def test_guard_on_every_path(body, guarded):
    probe = Probe(f"def f(url, other, items, strict):\n    {body}\n", module_name="m")
    for call, ancestors, _, _ in probe.calls:  # noqa: B007 (used after the loop)
        if isinstance(call.func, cst.Name) and call.func.value == "fetch":
            break
    is_guard = lambda c: isinstance(c.func, cst.Name) and c.func.value == "require_allowed"  # noqa: E731
    function = next(a for a in ancestors if isinstance(a, cst.FunctionDef))
    probe.names.enter_scope(function)  # query from inside the function, as a rule does
    assert passed_guard(call.args[0].value, call, ancestors, probe.names, is_guard) is guarded


def test_class_constants_built_from_each_other_and_path_pieces():
    probe = Probe("""
        class SemaDB:
            HOST: str = "semadb.example.com"
            BASE_URL = "https://" + HOST

            def create(self, path):
                probe(SemaDB.BASE_URL + "/collections", self.BASE_URL, f"https://github.com{path}", f"https://github.com{suffix}")
    """)
    hosts = [url_host(value) for value in probe.probed()]
    assert hosts == [UrlHost("semadb.example.com"), UrlHost("semadb.example.com"), UrlHost("github.com"), None]


def test_self_members_literal_overwritten_by_literal_or_unknown():
    probe = Probe("""
        class Executor:
            def __init__(self, port):
                self.server_url = "http://localhost:8765"
                self.server_url = "http://127.0.0.1:8000"
                self.api_url = "https://api.example.com"
                self.api_url = f"https://api.example.com:{port}"

            def run(self):
                probe(self.server_url, self.api_url)
    """)
    server, api = probe.probed()
    assert server.value == "http://127.0.0.1:8000"
    assert not api.complete and url_host(api) is None


def test_helpers_and_properties_with_one_return():
    probe = Probe("""
        API = "https://api.example.com"

        def endpoint(kind):
            return f"{API}/v3/{kind}"

        def pick(flag):
            if flag:
                return API
            return "https://other.example.org"

        class Loader:
            @property
            def url(self):
                return "https://api.mathpix.example/v3/pdf"

            def _api_url(self, name):
                API = "https://shadowed.example.net"
                return f"{API}/{name}"

            def _figma_url(self):
                api_url = "https://api.figma.example/v1/files/%s" % (self.key,)
                return api_url

            def _retried_url(self, region):
                url = "https://a.example.com"
                url = region
                return url

            def load(self, kind):
                probe(endpoint(kind), self.url, self._api_url(kind), pick(True), str(self.url), self._figma_url(), self._retried_url(kind))
    """)
    hosts = [url_host(value) for value in probe.probed()]
    assert hosts == [
        UrlHost("api.example.com"),
        UrlHost("api.mathpix.example"),
        UrlHost("shadowed.example.net"),  # the helper's own constant, not the module's
        None,
        UrlHost("api.mathpix.example"),
        UrlHost("api.figma.example"),
        None,
    ]


def test_dict_entries_inherited_members_and_agreeing_returns():
    probe = Probe("""
        BASE_URL = "https://api.powerbi.example/v1.0"

        class Base:
            github_api_url: str = "https://api.github.example"

        class Loader(Base):
            @property
            def request_url(self):
                if self.group_id:
                    return f"{BASE_URL}/groups/{self.group_id}/queries"
                return f"{BASE_URL}/datasets/queries"

            def _prepare(self, query):
                return {"url": "https://www.searchapi.example/api/v1/search", "params": {"q": query}}

            def load(self, query):
                details = self._prepare(query)
                inline = {"url": "https://inline.example.org/x"}
                probe(self.request_url, details["url"], self._prepare(query)["url"], inline["url"], details["params"], self.github_api_url)
    """)
    hosts = [url_host(value) for value in probe.probed()]
    assert hosts == [
        UrlHost("api.powerbi.example"),
        UrlHost("www.searchapi.example"),
        UrlHost("www.searchapi.example"),
        UrlHost("inline.example.org"),
        None,
        UrlHost("api.github.example"),
    ]


def _hosts(values) -> list[UrlHost | None]:
    return [url_host(value) for value in values]


def test_loop_variables_take_each_element_of_a_literal_sequence():
    probe = Probe("""
        MIRRORS = ("https://a.example.com", "https://b.example.org/v2")
        PAIRS = [("search", "https://s.example.com/q"), ("news", "https://n.example.com/q")]

        class Api:
            PAGES = ["https://c.example.com/1", "https://c.example.com/2"]

            def run(self, user_url):
                for base in MIRRORS:
                    for name, url in PAIRS:
                        for page in self.PAGES:
                            for each in ["https://d.example.com", user_url]:
                                probe_each(f"{base}/items", url, page, each, [u for u in MIRRORS][0])
                                [probe_each(f"{u}/status") for u in MIRRORS]
                                probe(base, page)
    """)
    values = probe.all_probed()
    loop, url, page, mixed, listed = values[0]
    assert _hosts(loop) == [UrlHost("a.example.com"), UrlHost("b.example.org")]
    assert _hosts(url) == [UrlHost("s.example.com"), UrlHost("n.example.com")]
    assert _hosts(page) == [UrlHost("c.example.com"), UrlHost("c.example.com")]
    assert _hosts(mixed) == [UrlHost("d.example.com"), None]
    assert dotted(mixed[1].first_unknown) == "user_url"  # the unknown element, not the loop variable
    assert _hosts(listed) == [None]  # a comprehension makes a new list: not read
    (in_comprehension,) = values[1]
    assert _hosts(in_comprehension) == [UrlHost("a.example.com"), UrlHost("b.example.org")]
    # One value for the whole loop: what the elements agree on.
    base, page = values[2]
    assert url_host(base) is None and not base.complete
    assert url_host(page) == UrlHost("c.example.com")


def test_loop_variables_stay_unknown_when_the_sequence_may_change_or_is_not_literal():
    probe = Probe("""
        SEEDS = ["https://a.example.com"]
        url = "https://module.example.com"

        def f(pages, extra):
            targets = ["https://t.example.com"]
            targets.append(extra)
            spread = ("https://s.example.com", *pages)
            for a in targets:
                for b in spread:
                    for c in pages:
                        for url in sorted(SEEDS):
                            probe_each(a, b, c, url)

        def g(pages):
            comprehension = [url for url in pages]
            probe(url)
    """)
    (a, b, c, url), (after,) = probe.all_probed()
    assert [_hosts(values) for values in (a, b, c, url)] == [[None]] * 4
    # The loop variable shadows the module's ``url``; the comprehension's does not leak out.
    assert dotted(url[0].first_unknown) == "url"
    assert url_host(after) == UrlHost("module.example.com")


def test_tuple_unpacking_reads_the_part_of_a_literal_or_a_helper_return():
    probe = Probe("""
        API = "https://api.example.com"

        def pick(flag, query):
            if flag:
                return f"{API}/v1/a", {"q": query}
            return f"{API}/v1/b", {}

        def f(query, target):
            def construct_url_and_params():
                params = {"q": query}
                url = "https://serpapi.example.com/search"
                return url, params

            url, params = construct_url_and_params()
            picked, _ = pick(True, query)
            direct, (nested, dynamic) = "https://d.example.com", ("https://n.example.com", target)
            first, *rest = construct_url_and_params()
            probe(url, picked, direct, nested, dynamic, first, params, pick(False, query)[0], construct_url_and_params()[1])
    """)
    assert _hosts(probe.probed()) == [
        UrlHost("serpapi.example.com"),
        UrlHost("api.example.com"),
        UrlHost("d.example.com"),
        UrlHost("n.example.com"),
        None,
        None,
        None,
        UrlHost("api.example.com"),
        None,
    ]


@pytest.mark.parametrize(
    ("is_package", "expected"),
    [(False, "app.requests.get"), (True, "app.tools.requests.get")],
    ids=["module app/tools.py: its package is app", "package app/tools/__init__.py: its package is itself"],
)
def test_relative_imports_count_from_the_package(is_package: bool, expected: str):
    names = NameResolver(cst.parse_module("from .requests import get\n"), "app.tools", is_package=is_package)
    assert names.qualify(cst.Name("get")) == expected


def test_module_constants_are_read_through_the_project() -> None:
    settings = textwrap.dedent(
        """
        import os

        HOST = "search.example.org"
        SEARCH_URL = f"https://{HOST}/v1"
        API = "https://api.example.org" + "/v2"
        MIRROR = "https://a.example.org"
        MIRROR = "https://b.example.org"
        FROM_ENV = os.environ.get("FROM_ENV", "")
        lower_case = "https://lower.example.org"
        FROM_LOWER = lower_case + "/v3"
        if os.environ.get("DEV"):
            DEV_URL = "http://localhost"
        """
    )
    project = Project.from_sources({"app.settings": settings})
    with project.linting("app/tools.py"):  # as a file being linted asks
        assert module_constant(project, "app.settings.SEARCH_URL") == "https://search.example.org/v1"
        assert module_constant(project, "app.settings.API") == "https://api.example.org/v2"
        # A lower-case name bound once is no constant itself, but builds one.
        assert module_constant(project, "app.settings.FROM_LOWER") == "https://lower.example.org/v3"
        # Reassigned, not a string, lower case, assigned under an if, or absent: not a constant.
        for name in ("MIRROR", "FROM_ENV", "lower_case", "DEV_URL", "MISSING"):
            assert module_constant(project, f"app.settings.{name}") is None, name
        assert module_constant(project, "app.other.URL") is None
    # What the file's cached result depends on: both modules read, the absent one too.
    assert set(project.modules_read) == {"app.settings", "app.other"}


def test_the_origin_of_each_url_walks_its_function_once_not_once_per_call(monkeypatch):
    """A function with many calls to check: asking each call's URL origin must not walk the
    whole function again (found by the fuzz run: 600 ``requests.get(url + ...)`` took minutes)."""
    from designlint.analysis import origins
    from designlint.engine import lint_source

    walked: list[cst.CSTNode] = []

    def counting(root):
        walked.append(root)
        return own_nodes(root)

    own_nodes = origins.own_nodes
    monkeypatch.setattr(origins, "own_nodes", counting)
    calls = "".join(f"    requests.get(url + '/{n}', timeout=1)\n" for n in range(200))
    found = lint_source(f"import requests\n\ndef fetch(url):\n{calls}", "app/tools.py")
    assert [d.code for d in found].count("DL202") == 200
    assert len(walked) <= 2, f"the function body was walked {len(walked)} times for 200 calls"
