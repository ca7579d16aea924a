"""DL401's prefilter, with and without configured sources and sinks. What the rule reports is
in its cases (``designlint.rules.trust``)."""

from __future__ import annotations

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
