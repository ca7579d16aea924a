"""The observability rules' table, ``[tool.designlint.telemetry]`` (rules/telemetry.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.analysis.units import UCUM_UNIT
from designlint.options import Item, ListOf, Record, TableOf, Text, option, options_table

SPAN_NAME = Item(r"[^\x00-\x1f]+", 'a span name such as "execute_tool {tool}"')
METRIC_NAME = Item(r"[A-Za-z][\w.\-/]*", 'a metric name such as "app.tool.duration"')
UNIT = Item(UCUM_UNIT.pattern, 'a UCUM unit such as "s", "By" or "{request}"')
ATTRIBUTE_KEY = Item(r"[A-Za-z_][\w.\-]*", 'an attribute key such as "gen_ai.tool.name"')


@dataclass(frozen=True)
class MetricDeclaration:
    unit: str | None = option(Text(UNIT), default=None)
    labels: tuple[str, ...] | None = option(ListOf(ATTRIBUTE_KEY), default=None)


@options_table("telemetry")
@dataclass(frozen=True)
class TelemetryOptions:
    spans: tuple[str, ...] | None = option(ListOf(SPAN_NAME), default=None)  # None: no span table
    metrics: tuple[tuple[str, MetricDeclaration], ...] | None = option(
        TableOf(Record(MetricDeclaration), keys=METRIC_NAME), default=None
    )
    # declared span -> the attributes it must set, beyond the GenAI conventions' own
    required_attributes: tuple[tuple[str, tuple[str, ...]], ...] = option(
        TableOf(ListOf(ATTRIBUTE_KEY), keys=SPAN_NAME), default=()
    )
