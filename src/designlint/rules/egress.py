"""DL2xx: the network egress policy (design category: network egress policy).

Every outbound HTTP call of a known client names its destination: a host that must be on
``[tool.designlint.egress] allow`` (DL201), or a dynamic URL that must pass one of the
configured ``guards`` first (DL202).
"""

from __future__ import annotations

import functools
import re

import libcst as cst

from designlint.analysis.clients import HTTP_CALLS, HTTP_CLIENTS, HttpCall, canonical
from designlint.analysis.constants import module_constant
from designlint.analysis.guards import StatementEffects, passed_guard
from designlint.analysis.names import dotted_name
from designlint.analysis.origins import value_origin
from designlint.analysis.strings import ConstantReader, StaticValue, literal_string, static_values
from designlint.analysis.urls import UrlHost, host_of, is_relative_url, url_host
from designlint.gates.egress import EgressGate
from designlint.rules.base import Rule
from designlint.rules.cases import BadConfig, Gate, Invalid, Valid
from designlint.tables.egress import EgressOptions

LOOPBACK = re.compile(r"localhost|127(?:\.\d{1,3}){3}|::1|0\.0\.0\.0")
# Guards recognised by name when [tool.designlint.egress] guards is not set.
DEFAULT_GUARD = re.compile(
    r"(?:validate|check|ensure|require|assert|verify|guard)_\w*(?:url|host|egress|allowed|domain)\w*|is_(?:allowed|safe)_\w*"
)


def host_allowed(host: UrlHost, allow: tuple[str, ...]) -> bool:
    """Exact entries match the host; ``*.suffix`` entries match its subdomains. An entry with
    a port matches that port only."""
    for entry in allow:
        name, _, port = entry.lower().partition(":")
        if port and int(port) != host.port:
            continue
        if name.startswith("*."):
            suffix = name[2:]
            if host.host.endswith("." + suffix) or (not host.exact and host.host == suffix):
                return True
        elif host.exact and host.host == name:
            return True
    return False


class _EgressRule(EgressGate, Rule):
    """What both egress rules share: the calls of known HTTP clients and their destination
    arguments; each rule checks the destination its own way (``check``)."""

    def __init__(self, config):
        super().__init__(config)
        self.options = config.options(EgressOptions)

    def visit_Call(self, node: cst.Call) -> None:
        qualname = self._callee(node.func)
        if qualname is None:
            return
        qualname = canonical(qualname)
        call = HTTP_CALLS.get(qualname)
        if call is not None and call.destination is not None:
            argument = call.destination.of(node)
            if argument is None or self._sent_on_request_object(call, argument):
                return
            # Each URL a loop over a literal sequence sends to (``for url in URLS``) is checked.
            for value in static_values(argument, self.context.names, self._constants):
                if call.host_only or not self._names_only_a_path(node, value):
                    self.check(argument, value, qualname, call.host_only)
        elif (client := HTTP_CLIENTS.get(qualname)) is not None and client.base_url is not None:
            base_url = client.base_url.of(node)
            if base_url is not None:
                for value in static_values(base_url, self.context.names, self._constants):
                    self.check(base_url, value, qualname, host_only=False)

    @property
    def _constants(self) -> ConstantReader | None:
        project = self.context.project
        return functools.partial(module_constant, project) if project is not None else None

    def _callee(self, func: cst.BaseExpression) -> str | None:
        """The qualified name of what is called; ``getattr(session, method)(url)`` calls one of
        the client's verb methods, which all take the URL first: it stands for ``get``."""
        names = self.context.names
        if not (isinstance(func, cst.Call) and dotted_name(func.func) == "getattr" and not names.lookup("getattr")):
            return names.qualify(func)
        if len(func.args) != 2 or any(arg.keyword or arg.star for arg in func.args):
            return None
        client = names.qualify(func.args[0].value)
        verb = literal_string(func.args[1].value) or "get"
        return f"{client}.{verb}" if client is not None and canonical(client) in HTTP_CLIENTS else None

    def check(self, argument: cst.CSTNode, value: StaticValue, api: str, host_only: bool) -> None:
        """Report on the destination ``argument`` (whose static value is ``value``) of a call to ``api``."""
        raise NotImplementedError

    def _sent_on_request_object(self, call: HttpCall, argument: cst.CSTNode) -> bool:
        """``urlopen(req)`` with ``req = Request(url)``: the URL was checked at ``Request``."""
        if call.request_class is None:
            return False
        made_by = argument.func if isinstance(argument, cst.Call) else None
        names = self.context.names
        qualname = names.qualify(made_by) if made_by is not None else None
        binding = names.binding_of(argument)
        if binding is not None and binding.kind == "instance":
            qualname = binding.qualname
        return canonical(qualname or "") == call.request_class

    def _names_only_a_path(self, call: cst.Call, value: StaticValue) -> bool:
        """A relative URL, or a dynamic one on a client made with a ``base_url``: it adds a path, not a host."""
        if is_relative_url(value):
            return True
        if not isinstance(call.func, cst.Attribute) or url_host(value) is not None:
            return False
        receiver = call.func.value
        binding = self.context.names.binding_of(receiver)
        made = binding.node if binding is not None and binding.kind == "instance" else receiver
        if not isinstance(made, cst.Call):
            return False
        client = HTTP_CLIENTS.get(canonical(self.context.names.qualify(made.func) or ""))
        return client is not None and client.base_url is not None and client.base_url.of(made) is not None


# The project's settings module: URL constants other modules import.
_SETTINGS = {
    "app/settings.py": """
        import os

        SEARCH_HOST = "search.example.org"
        SEARCH_API_URL = f"https://{SEARCH_HOST}/v1/search"
        WEATHER_API = "https://api.weather.example.org/v2"
        CALLBACK_URL = os.environ.get("CALLBACK_URL", "")
        """
}

_ALLOWLIST = """
[egress]
allow = ["api.example.com", "*.trusted.example", "pinned.example.com:8443"]
"""


class EgressHostNotAllowed(_EgressRule):
    """An outbound HTTP call of a known client to a host it can name statically (a literal, a
    constant, a base URL, each element of a literal loop) that ``egress.allow`` does not list;
    with no allowlist, every such host, as the inventory to start one from."""

    code = "DL201"
    name = "egress-host-not-allowed"
    VALID = (
        Valid(
            """
            from app.net import gateway


            async def forecast(city: str) -> dict:
                response = await gateway.get("/weather/forecast", params={"q": city})
                return response.json()
            """
        ),
        Valid(
            """
            import requests

            def f(cache: dict, path, url):
                cache.get(url)
                open(path).read()
                response = requests.get("http://localhost:8080/health")
                return response.json().get("url")
            """
        ),
        Valid(
            """
            import requests as rq

            rq.get("https://api.example.com/x")
            rq.get("https://eu.trusted.example/x")
            rq.get("https://pinned.example.com:8443/x")
            """,
            config=_ALLOWLIST,
        ),
        Valid(
            """
            import httpx

            from app.settings import SEARCH_API_URL


            async def search(query: str) -> dict:
                async with httpx.AsyncClient(timeout=10) as client:
                    return (await client.get(SEARCH_API_URL, params={"q": query})).json()
            """,
            path="app/tools/search.py",
            files=_SETTINGS,
            config='[egress]\nallow = ["search.example.org"]',
        ),
        Valid(
            """
            import requests

            ENDPOINTS = ("https://api.example.com/v1", "https://eu.trusted.example/v1")

            def allowed():
                for endpoint in ENDPOINTS:
                    requests.get(endpoint)
            """,
            config=_ALLOWLIST,
        ),
    )
    INVALID = (
        Invalid(
            """
            import requests

            WEATHER_API = "https://api.weather.example.org/v2"


            def forecast(city: str) -> dict:
                return requests.get(f"{WEATHER_API}/forecast", params={"q": city}, timeout=10).json()
            """,
            line=7,
            column=25,
            end_column=50,
            message='outbound HTTP to "api.weather.example.org" (requests.get): no egress allowlist is configured',
        ),
        # A URL constant of another module of the project is a known host.
        Invalid(
            """
            import httpx

            from app.settings import SEARCH_API_URL


            async def search(query: str) -> dict:
                async with httpx.AsyncClient(timeout=10) as client:
                    response = await client.get(SEARCH_API_URL, params={"q": query})
                    return response.json()
            """,
            path="app/tools/search.py",
            files=_SETTINGS,
            line=8,
            column=37,
            message='outbound HTTP to "search.example.org" (httpx.AsyncClient.get)',
        ),
        Invalid(
            """
            import requests

            from app import settings


            def forecast(city):
                return requests.get(settings.WEATHER_API + "/forecast", params={"q": city}, timeout=10).json()
            """,
            path="app/tools/weather.py",
            files=_SETTINGS,
            line=7,
            column=25,
            message='outbound HTTP to "api.weather.example.org" (requests.get)',
        ),
        Invalid(
            """
            import httpx

            client = httpx.AsyncClient(base_url="https://search.example.net")
            """,
            line=3,
            column=37,
            message='"search.example.net" (httpx.AsyncClient)',
        ),
        # A wildcard covers the subdomains, not the suffix itself.
        Invalid(
            """
            import requests as rq

            rq.get("https://eu.trusted.example/x")
            rq.get("https://trusted.example/x")
            """,
            config=_ALLOWLIST,
            line=4,
            column=8,
            message='outbound HTTP to "trusted.example" (requests.get): the host is not on [tool.designlint.egress] allow',
        ),
        # An entry with a port allows that port only.
        Invalid(
            """
            import requests

            session = requests.Session()
            session.get("https://pinned.example.com:8443/x")
            session.get("https://pinned.example.com/x")
            """,
            config=_ALLOWLIST,
            line=5,
            column=13,
            message='"pinned.example.com" (requests.Session.get): the host is not on',
        ),
        Invalid(
            """
            import requests

            MIXED = ("https://api.example.com/v1", "https://other.example.org/v1")

            def one_not_allowed():
                for endpoint in MIXED:
                    requests.get(endpoint)
            """,
            config=_ALLOWLIST,
            line=7,
            column=22,
            message='"other.example.org"',
        ),
        Invalid(
            """
            import aiohttp


            async def status():
                async with aiohttp.ClientSession() as session, session.get("https://status.example.io/api") as response:
                    return await response.json()
            """,
            config=_ALLOWLIST,
            line=5,
            column=64,
            message='"status.example.io" (aiohttp.ClientSession.get)',
        ),
        Invalid(
            """
            from urllib.request import urlopen as fetch


            class Geocoder:
                BASE = "https://geo.example.com"

                def lookup(self, place):
                    return fetch(self.BASE + "/search?q=" + place).read()
            """,
            config=_ALLOWLIST,
            line=8,
            column=22,
            message='"geo.example.com" (urllib.request.urlopen)',
        ),
        Invalid(
            """
            import http.client

            conn = http.client.HTTPSConnection("metrics.example.net", timeout=5)
            """,
            config=_ALLOWLIST,
            line=3,
            column=36,
            message='"metrics.example.net" (http.client.HTTPSConnection)',
        ),
        # Clients kept on self, made by a pool, or speaking websockets.
        Invalid(
            """
            import httpx


            class Search:
                def __init__(self):
                    self.http = httpx.Client(timeout=5)

                def query(self, text):
                    return self.http.get("https://api.search.example/v1", params={"q": text}).json()
            """,
            line=9,
            column=30,
            message='"api.search.example" (httpx.Client.get): no egress allowlist is configured',
        ),
        Invalid(
            """
            import urllib3

            pool = urllib3.PoolManager()
            pool.request("GET", "https://files.example.com/report.csv")
            """,
            line=4,
            column=21,
            message='"files.example.com" (urllib3.PoolManager.request)',
        ),
        Invalid(
            """
            import websockets


            async def follow():
                async with websockets.connect("wss://stream.example.com/feed") as ws:
                    return await ws.recv()
            """,
            line=5,
            column=35,
            message='"stream.example.com" (websockets.connect)',
        ),
    )

    def check(self, argument: cst.CSTNode, value: StaticValue, api: str, host_only: bool) -> None:
        host = host_of(value) if host_only else url_host(value)
        if host is None or LOOPBACK.fullmatch(host.host):
            return
        allow = self.options.allow
        if allow is None:
            self.report(
                argument,
                f'outbound HTTP to "{host}" ({api}): no egress allowlist is configured; list the hosts this code may reach in [tool.designlint.egress] allow',
            )
        elif not host_allowed(host, allow):
            self.report(
                argument, f'outbound HTTP to "{host}" ({api}): the host is not on [tool.designlint.egress] allow'
            )


class EgressUnguardedUrl(_EgressRule):
    """An outbound HTTP call of a known client to a dynamic URL (or a URL built from a dynamic
    piece) that did not pass an egress guard: the guard's result, or a guard called on it on
    every path before the request with no reassignment in between."""

    code = "DL202"
    name = "egress-unguarded-url"
    VALID = (
        Valid(
            """
            import httpx

            from app.net import require_allowed_url


            async def fetch_page(url: str) -> str:
                require_allowed_url(url)
                async with httpx.AsyncClient(timeout=10) as client:
                    response = await client.get(url)
                    return response.text
            """
        ),
        Valid(
            """
            import requests

            def guarded(base):
                url = base + "/v1/items"
                require_allowed(url)
                return requests.get(url)

            def in_the_loop(primary, fallback):
                for url in (primary, fallback):
                    require_allowed(url)
                    requests.get(url)
            """
        ),
        Valid(
            """
            from urllib.request import urlopen

            from app.net import require_allowed


            def download(url):
                safe = require_allowed(url)
                with urlopen(safe, timeout=10) as response:
                    return response.read()
            """,
            config='[egress]\nguards = ["app.net.require_allowed"]',
        ),
        Valid(
            """
            import httpx

            api = httpx.Client(base_url="https://api.example.com")


            def item(path):
                return api.get(path).json()
            """
        ),
        # Without configured guards, functions named like one count, private helpers too.
        Valid(
            """
            import requests

            def f(url):
                validate_url(url)
                return requests.get(url)
            """
        ),
        Valid(
            """
            import requests


            class WebhookTool:
                def _validate_url(self, url: str) -> None:
                    if not url.startswith("https://hooks.example.com/"):
                        raise ValueError("webhook host not allowed")

                def run(self, url: str, payload: dict) -> int:
                    self._validate_url(url)
                    return requests.post(url, json=payload, timeout=10).status_code
            """
        ),
        # The guard in the enclosing function covers the closure's use of the same value.
        Valid(
            """
            import asyncio

            import httpx


            async def fetch_all(url: str, pages: int) -> list[str]:
                validate_url(url)

                async def fetch_page(page: int) -> str:
                    async with httpx.AsyncClient(timeout=10) as client:
                        response = await client.get(url, params={"page": page})
                        return response.text

                return await asyncio.gather(*(fetch_page(page) for page in range(pages)))
            """
        ),
        # A constant of another module is a known host (DL201's), not a dynamic URL.
        Valid(
            """
            import requests

            from app.settings import SEARCH_API_URL


            def search(query):
                return requests.get(SEARCH_API_URL, params={"q": query}, timeout=10).json()
            """,
            path="app/tools/search.py",
            files=_SETTINGS,
        ),
        # What a helper returns is a client only when it makes or declares one.
        Valid(
            """
            def get_cache():
                return dict()


            def lookup(url):
                cache = get_cache()
                return cache.get(url)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import httpx


            async def fetch_page(url: str) -> str:
                async with httpx.AsyncClient(timeout=10) as client:
                    response = await client.get(url)
                    return response.text
            """,
            line=6,
            column=37,
            end_column=40,
            message="outbound HTTP to a dynamic URL from `url` (httpx.AsyncClient.get) that did not pass an egress guard (it comes from the parameter `url` of fetch_page()): pass it through an egress guard first",
        ),
        Invalid(
            """
            import requests


            def call_webhook(hook) -> None:
                requests.post(hook.target + "/notify", json={"ok": True}, timeout=5)
            """,
            line=5,
            column=19,
            message="a dynamic URL from `hook.target` (requests.post)",
        ),
        # Configured guards replace the names recognised by default.
        Invalid(
            """
            import requests

            def f(url):
                validate_url(url)
                return requests.get(url)
            """,
            config='[egress]\nguards = ["app.net.require_allowed"]',
            line=5,
            column=25,
            message="call one of [tool.designlint.egress] guards (app.net.require_allowed) on it first",
        ),
        Invalid(
            """
            import requests

            def unguarded(base):
                url = base + "/v1/items"
                require_allowed(base + "/other")
                return requests.get(url)
            """,
            line=6,
            column=25,
            message="a dynamic URL from `base`",
        ),
        Invalid(
            """
            import requests

            def checked_too_late(url):
                requests.get(url)
                require_allowed(url)
            """,
            line=4,
            column=18,
            message="from `url` (requests.get)",
        ),
        Invalid(
            """
            import requests

            def checked_on_one_path(url, strict):
                if strict:
                    require_allowed(url)
                return requests.get(url)
            """,
            line=6,
            column=25,
            message="from `url` (requests.get)",
        ),
        Invalid(
            """
            import requests

            def reassigned(url, mirror):
                require_allowed(url)
                url = mirror
                return requests.get(url)
            """,
            line=6,
            column=25,
            message="from `url` (requests.get)",
        ),
        # A closure that takes its own URL is not covered by the enclosing function's guard.
        Invalid(
            """
            import httpx


            async def crawl(url: str, links: list[str]) -> list[int]:
                validate_url(url)

                async def status(url: str) -> int:
                    async with httpx.AsyncClient(timeout=10) as client:
                        return (await client.head(url)).status_code

                return [await status(link) for link in links]
            """,
            line=9,
            column=39,
            message="from `url` (httpx.AsyncClient.head) that did not pass an egress guard (it comes from the parameter `url` of status())",
        ),
        # Clients reached through a shared client entered with ``async with``, helpers, fallbacks, getattr.
        Invalid(
            """
            import httpx

            http_client = httpx.AsyncClient(timeout=10)


            async def fetch(url: str) -> str:
                async with http_client as client:
                    response = await client.get(url)
                    return response.text
            """,
            line=8,
            column=37,
            message="from `url` (httpx.AsyncClient.get) that did not pass an egress guard (it comes from the parameter `url` of fetch())",
        ),
        Invalid(
            """
            import aiohttp

            _session: aiohttp.ClientSession | None = None


            def get_session() -> aiohttp.ClientSession:
                global _session
                if _session is None:
                    _session = aiohttp.ClientSession()
                return _session


            async def download(url: str) -> bytes:
                async with get_session().get(url) as response:
                    return await response.read()
            """,
            line=14,
            column=34,
            message="from `url` (aiohttp.ClientSession.get)",
        ),
        Invalid(
            """
            import aiohttp


            class Crawler:
                def _session(self):
                    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

                async def fetch(self, url):
                    session = self._session()
                    async with session.get(url) as response:
                        return await response.text()
            """,
            line=10,
            column=32,
            message="from `url` (aiohttp.ClientSession.get)",
        ),
        Invalid(
            """
            from aiohttp import ClientSession


            class Fetcher:
                def __init__(self, base_url: str, session: ClientSession | None = None):
                    self.base_url = base_url
                    self.session = session if session else ClientSession()

                async def fetch(self, path: str) -> dict:
                    async with self.session.get(self.base_url + path) as response:
                        return await response.json()
            """,
            line=10,
            column=37,
            message="from `self.base_url` (aiohttp.ClientSession.get) that did not pass an egress guard (it comes from the constructor parameter `base_url` of Fetcher)",
        ),
        Invalid(
            """
            import requests

            session = requests.Session()


            def call(method: str, url: str, **kwargs) -> dict:
                return getattr(session, method.lower())(url, timeout=10, **kwargs).json()
            """,
            line=7,
            column=45,
            message="from `url` (requests.Session.get)",
        ),
        # The message says where the URL comes from, when the code shows it: not for a field set elsewhere.
        Invalid(
            """
            import requests


            class Reporter:
                endpoint: str

                def send(self, report: dict) -> None:
                    url = self.endpoint + "/reports"
                    requests.post(url, json=report, timeout=10)
            """,
            line=9,
            column=23,
            message="from `self.endpoint` (requests.post) that did not pass an egress guard: pass it",
        ),
        Invalid(
            """
            import os

            import requests


            def notify(event: dict) -> None:
                requests.post(os.environ["ALERT_WEBHOOK_URL"], json=event, timeout=5)
            """,
            line=7,
            column=19,
            message="(it comes from the environment)",
        ),
        Invalid(
            """
            import requests


            def all_pages(query: str) -> list[dict]:
                page = requests.get("https://api.example.com/search", params={"q": query}, timeout=10).json()
                results = page["results"]
                while page.get("next"):
                    page = requests.get(page["next"], timeout=10).json()
                    results += page["results"]
                return results
            """,
            line=8,
            column=29,
            message='from `page["next"]` (requests.get) that did not pass an egress guard (it comes from a remote response)',
        ),
        Invalid(
            """
            import http.client

            def connect(settings):
                return http.client.HTTPSConnection(settings.host)
            """,
            line=4,
            column=40,
            message="a dynamic host from `settings.host` (http.client.HTTPSConnection)",
        ),
    )

    def setup(self) -> None:
        super().setup()
        self._guard_effects = StatementEffects(self._is_guard, self.analysis_budget)

    def check(self, argument: cst.CSTNode, value: StaticValue, api: str, host_only: bool) -> None:
        names = self.context.names
        if (host_of(value) if host_only else url_host(value)) is not None:
            return
        source = value.first_unknown
        if source is None:
            return  # fully known, but not a URL with a host (e.g. "" or a bad literal)
        ancestors = self.context.ancestors
        # The guard may check the unknown piece (``base``) or the whole URL built from it (``url``).
        effects = self._guard_effects
        if passed_guard(source, argument, ancestors, names, self._is_guard, effects) or (
            source is not argument and passed_guard(argument, argument, ancestors, names, self._is_guard, effects)
        ):
            return
        shown = self.context.module.code_for_node(source).strip()
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        what = "host" if host_only else "URL"
        guards = self.options.guards
        if guards:
            remedy = f"call one of [tool.designlint.egress] guards ({', '.join(guards)}) on it first"
        else:
            remedy = "pass it through an egress guard first and name the guard in [tool.designlint.egress] guards"
        origin = value_origin(source, names, ancestors, self.context.memo)
        comes_from = f" (it comes from {origin})" if origin else ""
        self.report(
            argument,
            f"outbound HTTP to a dynamic {what} from `{shown}` ({api}) that did not pass an egress guard{comes_from}: {remedy}",
        )

    def _is_guard(self, call: cst.Call) -> bool:
        guards = self.options.guards
        if guards:
            return self.context.names.function_matches(call.func, guards)
        callee = dotted_name(call.func)
        # A private helper (``_validate_url``) guards as well as a public one.
        return callee is not None and DEFAULT_GUARD.fullmatch(callee.rpartition(".")[2].lstrip("_")) is not None


# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL201/DL202 through aliases, helpers, forward references, an HTTP client's own package.
GATE_CASES = (
    Gate(
        "import httpx as h\n\n\nasync def fetch():\n    async with h.AsyncClient() as c:\n        return await c.get(f'https://api.weather-data.io/v1/{1}')\n",
        path="src/app/egress.py",
    ),
    Gate(
        "from urllib import request as rq\n\n\ndef pull(host):\n    return rq.urlopen('https://' + host + '/feed')\n",
        path="src/app/egress_helper.py",
    ),
    Gate(
        "from __future__ import annotations\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import aiohttp\n\n\nasync def go(session: 'aiohttp.ClientSession'):\n    return await session.get('https://api.weather-data.io/v1')\n",
        path="src/app/egress_forward_ref.py",
    ),
    Gate(
        "import os, http as h\n\n\ndef probe():\n    return h.client.HTTPConnection('evil.example.com')\n",
        path="src/app/egress_http_package.py",
    ),
    Gate(
        "from .requests import get\n\n\ndef ping():\n    return get('https://status.example.org/')\n",
        path="src/pkg/__init__.py",
        fires=False,
    ),
    Gate(
        "def get(url, **kwargs):\n    return request('get', url, **kwargs)\n\n\ndef ping():\n    return get('https://status.example.org/')\n",
        path="src/requests/api.py",
    ),
)


# Configurations of this family's options that must be refused (tests/test_bad_config.py).
CONFIG_ERRORS = (
    # egress allow entry that is a URL
    BadConfig(
        '[egress]\nallow = ["https://x"]\n',
        '{toml}:2: `egress.allow`: expected a host name ("api.example.com") or a wildcard ("*.example.com"), got \'https://x\'',
    ),
    # egress allow entry that is a bare wildcard
    BadConfig(
        '[egress]\nallow = ["*."]\n',
        '{toml}:2: `egress.allow`: expected a host name ("api.example.com") or a wildcard ("*.example.com"), got \'*.\'',
    ),
    # egress allow entry that is empty
    BadConfig(
        '[egress]\nallow = [""]\n',
        '{toml}:2: `egress.allow`: expected a host name ("api.example.com") or a wildcard ("*.example.com"), got \'\'',
    ),
    # egress allow entry with a port past 65535
    BadConfig(
        '[egress]\nallow = ["a.com:99999"]\n',
        "{toml}:2: `egress.allow`: expected a port from 1 to 65535, got 'a.com:99999'",
    ),
    # egress allow entry with port 0
    BadConfig(
        '[egress]\nallow = ["*.a.com:0"]\n',
        "{toml}:2: `egress.allow`: expected a port from 1 to 65535, got '*.a.com:0'",
    ),
)
