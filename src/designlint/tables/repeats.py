"""The repeated-work rules' tables, ``[tool.designlint.idempotency]`` and ``[tool.designlint.limits]``
(rules/repeats.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.options import DOTTED_NAME, WORD, ListOf, option, options_table


@options_table("idempotency")
@dataclass(frozen=True)
class IdempotencyOptions:
    # The stable inputs a key must be derived from; set, a key from a random or clock source is
    # reported anywhere, not only inside a retry.
    derive_from: tuple[str, ...] = option(ListOf(WORD), default=())


@options_table("limits")
@dataclass(frozen=True)
class LimitsOptions:
    checks: tuple[str, ...] = option(ListOf(DOTTED_NAME), default=())  # functions that enforce a run's budget
