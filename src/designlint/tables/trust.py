"""The trust labels' table, ``[tool.designlint.trust]`` (rules/trust.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.options import DOTTED_NAME, ListOf, option, options_table


@options_table("trust")
@dataclass(frozen=True)
class TrustOptions:
    sanitizers: tuple[str, ...] = option(ListOf(DOTTED_NAME), default=())
    sources: tuple[str, ...] = option(ListOf(DOTTED_NAME), default=())
    sinks: tuple[str, ...] = option(ListOf(DOTTED_NAME), default=())
