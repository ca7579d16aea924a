"""The authorization rules' table, ``[tool.designlint.authz]`` (rules/authz.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.analysis.enums import ENUM_CLASSES
from designlint.options import QUALIFIED_NAME, WORD, ListOf, Text, option, options_table


@options_table("authz")
@dataclass(frozen=True)
class AuthzOptions:
    """Words added to the built-in lists, and the enum of deny reasons."""

    tenant_names: tuple[str, ...] = option(ListOf(WORD), default=())
    role_names: tuple[str, ...] = option(ListOf(WORD), default=())
    superuser_names: tuple[str, ...] = option(ListOf(WORD), default=())
    # The enum every denial carries a member of (DL103), e.g. "app.authz.DenyReason"; unset: DL103 is silent.
    deny_reasons: str | None = option(Text(QUALIFIED_NAME, resolves=ENUM_CLASSES), default=None)
