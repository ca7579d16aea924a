"""The failure handling's table, ``[tool.designlint.timeouts]`` (rules/failures.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.options import Number, option, options_table


@options_table("timeouts")
@dataclass(frozen=True)
class TimeoutsOptions:
    budget: float | None = option(Number(gt=0), default=None)  # seconds; None: only waits without end
