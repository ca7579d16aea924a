"""The egress allowlist's table, ``[tool.designlint.egress]`` (rules/egress.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.options import DOTTED_NAME, HOST, ListOf, option, options_table


@options_table("egress")
@dataclass(frozen=True)
class EgressOptions:
    allow: tuple[str, ...] | None = option(ListOf(HOST), default=None)  # None: no allowlist configured
    guards: tuple[str, ...] = option(ListOf(DOTTED_NAME), default=())
