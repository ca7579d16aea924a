"""One JSON object per line, with the fields of the ``json`` format (for streaming tools)."""

from __future__ import annotations

import json

from designlint.diagnostics import Diagnostic
from designlint.reporters import ReportContext
from designlint.reporters.json_format import to_dict


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    return "".join(json.dumps(to_dict(d, context), ensure_ascii=False) + "\n" for d in diagnostics)
