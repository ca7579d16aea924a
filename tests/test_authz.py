"""DL101/DL102 details the fixtures do not pin down: messages, options, prefilters."""

from __future__ import annotations

from designlint.config import Config
from designlint.engine import lint_source
from designlint.rules.authz import AuthzOptions, AuthzOr, SuperuserBypass


def findings(source: str, config: Config | None = None) -> list[tuple[str, int, str]]:
    return [
        (d.code, d.start.row, d.message)
        for d in lint_source(source, "policy.py", config or Config())
        if d.code.startswith("DL1")
    ]


def test_message_names_both_operands_and_the_contract():
    [(code, row, message)] = findings("def ok(u, d):\n    return d.tenant_id == u.tenant_id or has_role(u, 'editor')\n")
    assert (code, row) == ("DL101", 2)
    assert (
        message
        == "tenant check `d.tenant_id == u.tenant_id` OR role check `has_role(u, 'editor')`: the authorization invariant requires both"
    )


def test_superuser_side_of_an_or_is_dl102_not_dl101():
    [(code, _, message)] = findings("def ok(u, d):\n    return u.is_superuser or d.org_id == u.org_id\n")
    assert code == "DL102"
    assert "`u.is_superuser`" in message and "`d.org_id == u.org_id`" in message


def test_configured_words_extend_the_built_in_lists():
    source = (
        "def ok(u, d):\n"
        "    return d.realm_key == u.realm_key or u.is_entitled\n"
        "def ok2(u, d):\n"
        "    if u.has_god_mode:\n"
        "        return True\n"
        "    return d.tenant_id == u.tenant_id\n"
    )
    assert findings(source) == []
    config = Config(
        tables=(AuthzOptions(tenant_names=("realm",), role_names=("entitled",), superuser_names=("god_mode",)),)
    )
    assert [(c, r) for c, r, _ in findings(source, config)] == [("DL101", 2), ("DL102", 4)]


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
