"""DL401's prefilter, with and without configured sources and sinks, and its gate on the
stdlib's tree. What the rule reports is in its cases (``designlint.rules.trust``)."""

from __future__ import annotations

import ast
import json

import pytest

from designlint import Project, lint_source
from designlint.analysis.modules import module_name_for
from designlint.analysis.untrusted import TrustFlows, TrustOutlines
from designlint.config import Config
from designlint.context import FileFacts
from designlint.gates.trust import UntrustedContentGate
from designlint.rules.trust import UntrustedContentInPrompt
from designlint.tables.trust import TrustOptions


def test_prefilter_skips_files_without_sources_or_sinks():
    rule = UntrustedContentInPrompt(Config())
    assert not rule.prefilter.search("requests.get(url).text\n")
    # An import lets the text pass (a helper of another module may take the prompt); with no
    # project to hold that helper, the stdlib tree rules the file out.
    fetching = "import requests\nrequests.get(url).text\n"
    assert rule.prefilter.search(fetching)
    assert not rule.could_fire(FileFacts("app/fetch.py", "app.fetch", fetching, ast.parse(fetching)))
    assert not rule.prefilter.search("prompt = 'hello'\n")
    assert rule.prefilter.search("import requests\nprompt = requests.get(u).text\n")
    configured = UntrustedContentInPrompt(
        Config(tables=(TrustOptions(sources=("app.crm.load_ticket",), sinks=("complete",)),))
    )
    assert configured.prefilter.search("complete(load_ticket(1))\n")


def test_other_modules_are_read_only_for_what_reaches_a_prompt(monkeypatch):
    computed: list[str] = []
    outlined: list[str] = []
    compute, outline = TrustFlows.compute, TrustOutlines.compute

    def counted(self, name, sources):
        computed.append(json.loads(name)[0])
        return compute(self, name, sources)

    def outline_counted(self, name, sources):
        outlined.append(name)
        return outline(self, name, sources)

    monkeypatch.setattr(TrustFlows, "compute", counted)
    monkeypatch.setattr(TrustOutlines, "compute", outline_counted)
    helpers = {
        "app.web": "import requests\n\ndef fetch_page(url):\n    return requests.get(url).text\n",
        "app.store": "def save(key, text):\n    return key\n\ndef build_prompt(question, page):\n    return question\n",
    }
    code = (
        "from app.store import build_prompt, save\nfrom app.web import fetch_page\n\n"
        "def summarize(client, url):\n    saved = save(url, 'x')\n    build_prompt('q', 'static')\n"
        "    return client.messages.create(model='m', system=fetch_page(url), messages=[])\n"
    )
    (finding,) = lint_source(code, "app/agent.py", Config(select=("DL401",)), Project.from_sources(helpers))
    assert "HTTP response body from line 7 (returned by `app.web.fetch_page()`)" in finding.message
    # not app.store: neither what save() returns nor which of its functions' parameters are prompts matters
    assert computed == outlined == ["app.web"]


# -- the gate: the rule runs only where a source may be --------------------------------------

_WEB = {
    "app.web": (
        "import requests as rq\n\n"
        "def _get(url):\n    return rq.get(url, timeout=5).text\n\n"
        "def fetch_page(url):\n    return _get(url).strip()\n\n"
        "def shorten(text, limit=200):\n    return text[:limit]\n\n"
        "class Browser:\n    async def read(self, page):\n        return await page.inner_text('main')\n"
    ),
    "app.wrap": "from app.web import fetch_page\n\ndef wrapped(url):\n    return fetch_page(url)\n",
    "app.crm": "from app.db import load\n\ndef ticket(n):\n    return load(n)\n",
}
_PROMPT = "\n\ndef ask(llm, url, page):\n    return llm.invoke(f'Summarize: {{{}}}')\n"


def _gate_passes(
    code: str, path: str = "app/agent.py", sources: tuple[str, ...] = (), modules: dict[str, str] = _WEB
) -> bool:
    gate = UntrustedContentGate(Config(tables=(TrustOptions(sources=sources),)))
    facts = FileFacts(path, module_name_for(path), code, ast.parse(code), project=Project.from_sources(modules))
    return gate.could_fire(facts)


@pytest.mark.parametrize(
    "code",
    [
        # a helper of another module returning requests.get(...).text through its module's own helper
        "from app.web import fetch_page as get_page" + _PROMPT.format("get_page(url)"),
        "import app.web as web" + _PROMPT.format("web.fetch_page(url)"),
        "import app.web" + _PROMPT.format("app.web.fetch_page(url)"),
        "from app import web" + _PROMPT.format("await web.Browser().read(page)"),
        "from .web import Browser" + _PROMPT.format("await Browser().read(page)"),
        "import requests as http" + _PROMPT.format("http.get(url).text"),
        "from subprocess import check_output as run_it" + _PROMPT.format('run_it(["ls"])'),
        # an HTTP client's method: the client made, annotated or kept on the instance
        "import httpx\n\nasync def ask(llm, url):\n    async with httpx.AsyncClient() as http:\n"
        "        page = (await http.get(url)).text\n    return llm.invoke(f'{page}')\n",
        "from aiohttp import ClientSession"
        + _PROMPT.format("await (await page.get(url)).text()").replace("page)", "page: ClientSession)"),
        "import httpx\nfrom typing import Optional\n\nasync def ask(llm, url, http: Optional['httpx.AsyncClient']):\n"
        "    return llm.invoke(f'{(await http.get(url)).text}')\n",
        "import requests\n\nclass Fetcher:\n    def __init__(self):\n        self.session = requests.session()\n\n"
        "    def ask(self, llm, url):\n        return llm.invoke(f'{self.session.get(url).text}')\n",
        "class Answerer:\n    def ask(self, llm, q):\n        docs = self.retriever.invoke(q)\n        return llm.invoke(f'{docs}')\n",
        "def step(llm, env, action):\n    observation = env.step(action)\n    return llm.invoke(f'{observation}')\n",
        "def ask(llm, docs: 'list[Document]', user_input):\n    return llm.invoke(f'{user_input}')\n",
        "def ask(llm, path):\n    return llm.invoke(f'{open(path).read()}')\n",
    ],
)
def test_the_gate_passes_where_a_source_may_be(code):
    assert _gate_passes(code)


def test_the_gate_follows_configured_sources_into_other_modules():
    code = "from app.crm import ticket" + _PROMPT.format("ticket(1)")
    assert not _gate_passes(code)
    assert _gate_passes(code, sources=("app.db.load",))
    assert _gate_passes(
        "from app.db import load as fetch_row" + _PROMPT.format("fetch_row(1)"), sources=("app.db.load",)
    )


@pytest.mark.parametrize(
    "code",
    [
        # the project's own helpers that return nothing untrusted, in an f-string prompt
        "from app.web import shorten" + _PROMPT.format("shorten(url)"),
        "import app.web as web" + _PROMPT.format("web.shorten(url)"),
        # a method named as one of another module's that returns a page, on an object of no class of it
        "from app.web import shorten" + _PROMPT.format("shorten(await page.read())"),
        # a helper that gets its content from a third module: not followed by the rule either
        "from app.wrap import wrapped" + _PROMPT.format("wrapped(url)"),
        # a mapping's get() where an HTTP library is imported but no client or function of it is called
        "import httpx\n\ndef ask(llm, options, url):\n    timeout = options.get('timeout')\n"
        "    return llm.invoke(f'{url} {timeout}')\n",
        # a module the project does not have; the standard library's; writing a file
        "from app.gone import fetch_page" + _PROMPT.format("fetch_page(url)"),
        "import json" + _PROMPT.format("json.dumps(url)"),
        "def ask(llm, path, text):\n    open(path, 'w').write(text)\n    return llm.invoke(f'Saved {path}')\n",
    ],
)
def test_the_gate_rules_out_files_without_a_source(code):
    assert not _gate_passes(code)
    assert lint_source(code, "app/agent.py", Config(select=("DL401",)), Project.from_sources(_WEB)) == []


def test_a_file_without_a_sink_passes_where_a_module_it_calls_may_fill_a_prompt():
    # The sink would be another module's helper putting its parameter into a prompt, which the
    # rule reads in that module: a module whose text hints at no sink cannot hold one.
    code = "import requests\nfrom app.llm import complete\n\ndef go(client, url):\n    return complete(client, requests.get(url).text)\n"
    prompting = {
        "app.llm": "def complete(client, prompt):\n    return client.completions.create(model='m', prompt=prompt)\n"
    }
    storing = {"app.llm": "def complete(client, text):\n    return client.store(text)\n"}
    assert _gate_passes(code, modules=prompting)
    assert lint_source(code, "app/agent.py", Config(select=("DL401",)), Project.from_sources(prompting))
    assert not _gate_passes(code, modules=storing)
    assert lint_source(code, "app/agent.py", Config(select=("DL401",)), Project.from_sources(storing)) == []
