"""The authorization rules' table, ``[tool.designlint.authz]`` (rules/authz.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.options import WORD, ListOf, option, options_table


@options_table("authz")
@dataclass(frozen=True)
class AuthzOptions:
    """Words added to the built-in lists."""

    tenant_names: tuple[str, ...] = option(ListOf(WORD), default=())
    role_names: tuple[str, ...] = option(ListOf(WORD), default=())
    superuser_names: tuple[str, ...] = option(ListOf(WORD), default=())
