"""DL401's prefilter, with and without configured sources and sinks. What the rule reports is
in its cases (``designlint.rules.trust``)."""

from __future__ import annotations

import json

from designlint import Project, lint_source
from designlint.analysis.untrusted import TrustFlows, TrustOutlines
from designlint.config import Config
from designlint.rules.trust import UntrustedContentInPrompt
from designlint.tables.trust import TrustOptions


def test_prefilter_skips_files_without_sources_or_sinks():
    rule = UntrustedContentInPrompt(Config())
    assert not rule.prefilter.search("import requests\nrequests.get(url).text\n")
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
