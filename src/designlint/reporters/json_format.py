"""A JSON array with ruff's field names."""

from __future__ import annotations

from designlint.diagnostics import Diagnostic, Position
from designlint.pages import DOCS_URL
from designlint.reporters import ReportContext
from designlint.reporters.escape import dumps_json


def _location(position: Position) -> dict:
    return {"row": position.row, "column": position.column}


def to_dict(d: Diagnostic, context: ReportContext) -> dict:
    fix = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.value,
            "message": d.fix.message,
            "edits": [
                {"content": e.content, "location": _location(e.start), "end_location": _location(e.end)}
                for e in d.fix.edits
            ],
        }
    return {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "filename": context.absolute_path(d.path),
        "location": _location(d.start),
        "end_location": _location(d.end),
        "fix": fix,
        "noqa_row": d.noqa_row,
        "severity": d.severity,
        "url": DOCS_URL.format(code=d.code),
    }


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    return dumps_json([to_dict(d, context) for d in diagnostics], indent=2) + "\n"
