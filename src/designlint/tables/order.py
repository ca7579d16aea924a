"""The execution order's table, ``[tool.designlint.order]`` (rules/order.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.options import WORD, BadValue, Item, ListOf, TableOf, option, options_table

DEFAULT_STAGES = ("authorize", "validate", "rate_limit", "approve", "execute")  # the design's; the last executes
CALL_NAME = Item(
    r"[A-Za-z_*?][\w*?]*(\.[A-Za-z_*?][\w*?]*)*",
    'a function name, a dotted name such as "app.auth.authorize", or a glob such as "check_*"',
)


@options_table("order")
@dataclass(frozen=True)
class OrderOptions:
    stages: tuple[str, ...] = option(ListOf(WORD), default=DEFAULT_STAGES)  # the design's order; the last executes
    required: tuple[str, ...] = option(ListOf(WORD), default=("authorize",))
    calls: tuple[tuple[str, tuple[str, ...]], ...] = option(TableOf(ListOf(CALL_NAME)), default=())

    def __post_init__(self) -> None:
        if len(self.stages) < 2:
            raise BadValue(("order", "stages"), "expected at least two stages, the last of them the execute stage")
        repeated = [stage for index, stage in enumerate(self.stages) if stage in self.stages[:index]]
        if repeated:
            raise BadValue(("order", "stages"), f"expected each stage once, got {repeated[0]!r} twice")
        for stage in self.required:
            if stage not in self.stages:
                raise BadValue(("order", "required"), f"expected stages listed in order.stages, got {stage!r}")
        for stage, _ in self.calls:
            if stage not in self.stages:
                raise BadValue(("order", "calls", stage), f"expected a stage listed in order.stages, got {stage!r}")

    @property
    def execute(self) -> str:
        return self.stages[-1]
