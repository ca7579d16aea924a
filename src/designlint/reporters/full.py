"""The concise line, then the source line and a caret under the reported span."""

from __future__ import annotations

from designlint.diagnostics import Applicability, Diagnostic
from designlint.reporters import ReportContext
from designlint.reporters.concise import render as concise
from designlint.reporters.escape import printable, printable_pieces


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    blocks = []
    for d in diagnostics:
        block = concise([d], context)
        lines = context.read_lines(d.path)
        if 0 < d.start.row <= len(lines):
            # One column per character, as reported; an escaped character is as wide as its escape.
            pieces = printable_pieces(lines[d.start.row - 1].expandtabs(1))
            start = d.start.column - 1
            end = d.end.column - 1 if d.end.row == d.start.row else len(pieces)
            indent = sum(map(len, pieces[:start])) + max(0, start - len(pieces))
            width = max(1, sum(map(len, pieces[start:end])))
            gutter = str(d.start.row)
            block += f"{gutter} | {''.join(pieces)}\n{' ' * len(gutter)} | {' ' * indent}{'^' * width}\n"
        if d.fix is not None:
            unsafe = "" if d.fix.applicability is Applicability.SAFE else " (unsafe)"
            block += f"  = help: {printable(d.fix.message)}{unsafe}\n"
        blocks.append(block)
    return "\n".join(blocks)
