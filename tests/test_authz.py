"""DL101/DL102's prefilters, with and without configured words. What the rules report is in
their cases (``designlint.rules.authz``)."""

from __future__ import annotations

from designlint.config import Config
from designlint.rules.authz import AuthzOptions, AuthzOr, SuperuserBypass


def test_prefilters_skip_files_without_the_words_and_see_configured_ones():
    rules = (AuthzOr(Config()), SuperuserBypass(Config()))
    assert not any(r.prefilter.search("def f(x):\n    return x.a or x.b\n") for r in rules)
    assert all(
        r.prefilter.search("if user.is_superuser or doc.tenant_id == user.tenant_id or 'x' in user.roles: pass")
        for r in rules
    )
    configured = AuthzOr(Config(tables=(AuthzOptions(tenant_names=("realm",)),)))
    assert configured.prefilter.search("realm ... role")
    assert not AuthzOr(Config()).prefilter.search("realm ... role")
