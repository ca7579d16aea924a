"""One JSON object per line, with the fields of the ``json`` format (for streaming tools)."""

from __future__ import annotations

from designlint.diagnostics import Diagnostic
from designlint.reporters import ReportContext
from designlint.reporters.escape import dumps_json
from designlint.reporters.json_format import to_dict


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    return "".join(dumps_json(to_dict(d, context)) + "\n" for d in diagnostics)
