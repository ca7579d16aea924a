"""flake8-style lines: ``path:row:col: CODE message``."""

from __future__ import annotations

from designlint.diagnostics import Applicability, Diagnostic
from designlint.reporters import ReportContext
from designlint.reporters.escape import printable


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    lines = []
    for d in diagnostics:
        marker = " [*]" if d.fix is not None and d.fix.applicability is Applicability.SAFE else ""
        lines.append(
            f"{context.display_path(d.path)}:{d.start.row}:{d.start.column}: {d.code}{marker} {printable(d.message)}"
        )
    return "".join(line + "\n" for line in lines)
