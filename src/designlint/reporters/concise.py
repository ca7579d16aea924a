"""flake8-style lines: ``path:row:col: CODE message``."""

from __future__ import annotations

import click

from designlint.diagnostics import Applicability, Diagnostic
from designlint.reporters import ReportContext
from designlint.reporters.escape import printable


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    def style(text: str, **how) -> str:
        return click.style(text, **how) if context.colour and text else text

    lines = []
    for d in diagnostics:
        marker = " [*]" if d.fix is not None and d.fix.applicability is Applicability.SAFE else ""
        where = style(context.display_path(d.path), bold=True)
        code = style(d.code, fg="red", bold=True)
        lines.append(f"{where}:{d.start.row}:{d.start.column}: {code}{style(marker, fg='cyan')} {printable(d.message)}")
    return "".join(line + "\n" for line in lines)
