"""The adapter boundary's table, ``[tool.designlint.adapters]`` (rules/adapters.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.options import DOTTED_NAME, MODULE_GLOB, ListOf, option, options_table


@options_table("adapters")
@dataclass(frozen=True)
class AdaptersOptions:
    # None: the zero-config defaults (rules/adapters.py); a list, even an empty one, replaces them.
    modules: tuple[str, ...] | None = option(ListOf(MODULE_GLOB), default=None)
    frameworks: tuple[str, ...] | None = option(ListOf(DOTTED_NAME), default=None)  # None: the built-in list
    extend_frameworks: tuple[str, ...] = option(ListOf(DOTTED_NAME), default=())
