"""The authorization rules' gates: DL101/DL102's prefilters, with and without configured words,
and their reading of the stdlib's tree; DL103's. What the rules report is in
their cases (``designlint.rules.authz``)."""

from __future__ import annotations

import ast

from designlint.config import Config
from designlint.context import FileFacts
from designlint.gates.authz import AuthzOrGate, DenyWithoutReasonGate, SuperuserBypassGate
from designlint.rules.authz import AuthzOr, SuperuserBypass
from designlint.tables.authz import AuthzOptions


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


# -- the gates on the stdlib's tree (designlint.gates.authz) ---------------------------------


def _passes(gate_class, code: str, config: Config | None = None) -> bool:
    """Whether the gate lets the family's rule run on ``code``: its prefilter, then its could_fire."""
    gate = gate_class(config or Config())
    facts = FileFacts("app/policy.py", "app.policy", code, ast.parse(code))
    return bool(gate.prefilter.search(code)) and gate.could_fire(facts)


APART = """
def same_org(doc, user):
    return doc.org_id == user.org_id


def is_editor(user):
    return "editor" in user.roles


def is_platform_staff(user):
    return user.is_superuser
"""


def test_the_scope_check_and_the_bypass_must_be_in_one_function():
    assert not _passes(AuthzOrGate, APART)
    assert not _passes(SuperuserBypassGate, APART)
    together = "def may_edit(doc, user):\n    return doc.org_id == user.org_id or 'editor' in user.roles\n"
    assert _passes(AuthzOrGate, together)


def test_a_nested_function_and_the_code_outside_functions_count_as_one():
    nested = """
class Policy:
    def check(self, doc, user):
        def same_org():
            return doc.org_id == user.org_id

        return same_org() or user.has_role("editor")
"""
    assert _passes(AuthzOrGate, nested)
    module_level = "may_read = lambda user, doc: user.is_superuser or doc.tenant_id == user.tenant_id\n"
    assert _passes(SuperuserBypassGate, module_level)
    # A decorator is code outside its function: with a check inside the function, no OR.
    decorated = "@requires(user_is_admin)\ndef export(doc, user):\n    return doc.org_id == user.org_id\n"
    assert not _passes(SuperuserBypassGate, decorated)


def test_a_chat_messages_role_is_no_role_check():
    chat = "def visible(messages, user):\n    return [m for m in messages if m['role'] == 'user' or m['org_id'] == user.org_id]\n"
    assert not _passes(AuthzOrGate, chat)
    assert _passes(AuthzOrGate, chat.replace("'user'", "'editor'"))


def test_a_superuser_flag_before_a_tenant_parameter():
    code = (
        "async def wrapper(request, tenant_id):\n    if request.user.is_admin:\n        return await handler(request)\n"
    )
    assert _passes(SuperuserBypassGate, code)
    assert not _passes(SuperuserBypassGate, code.replace("tenant_id", "item_id"))


def test_the_gates_read_configured_words():
    code = "def can_view(user, ledger):\n    return ledger.realm_key == user.realm_key or user.is_entitled\n"
    assert not _passes(AuthzOrGate, code)
    configured = Config(tables=(AuthzOptions(tenant_names=("realm",), role_names=("entitled",)),))
    assert _passes(AuthzOrGate, code, configured)


def test_deny_without_reason_is_gated_by_its_enum_and_a_denial():
    code = "def check(user):\n    if not user.active:\n        raise PermissionError\n"
    assert not _passes(DenyWithoutReasonGate, code)
    configured = Config(tables=(AuthzOptions(deny_reasons="app.authz.DenyReason"),))
    assert _passes(DenyWithoutReasonGate, code, configured)
    assert not _passes(DenyWithoutReasonGate, "def check(user):\n    return PermissionError\n", configured)
    returned = "async def check(user):\n    return await Decision(allowed=False, reason='inactive')\n"
    assert _passes(DenyWithoutReasonGate, returned, configured)
