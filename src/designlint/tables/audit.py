"""The audit rule's table, ``[tool.designlint.audit]`` (rules/audit.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.options import DOTTED_NAME, Item, ListOf, option, options_table

# The design's audit event: in which trace, run and tool call, for whom, with what result.
DESIGN_AUDIT_FIELDS = ("traceId", "runId", "callId", "principal", "result.code", "result.durationMs")
FIELD = Item(r"[A-Za-z_][\w\-]*(\.[A-Za-z_][\w\-]*)*", 'a field name or a dotted path such as "result.code"')


@options_table("audit")
@dataclass(frozen=True)
class AuditOptions:
    # The functions that emit audit events; set, they replace the built-in name patterns.
    emitters: tuple[str, ...] | None = option(ListOf(DOTTED_NAME), default=None)
    required: tuple[str, ...] = option(ListOf(FIELD), default=DESIGN_AUDIT_FIELDS)
