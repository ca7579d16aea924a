"""The concise line, then the source line and a caret under the reported span."""

from __future__ import annotations

from designlint.diagnostics import Applicability, Diagnostic
from designlint.reporters import ReportContext
from designlint.reporters.concise import render as concise


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    blocks = []
    for d in diagnostics:
        block = concise([d], context)
        lines = context.read_lines(d.path)
        if 0 < d.start.row <= len(lines):
            line = lines[d.start.row - 1].expandtabs(1)  # one column per character, as reported
            start = d.start.column - 1
            end = d.end.column - 1 if d.end.row == d.start.row else len(line)
            width = max(1, min(end, len(line)) - start)
            gutter = str(d.start.row)
            block += f"{gutter} | {line}\n{' ' * len(gutter)} | {' ' * start}{'^' * width}\n"
        if d.fix is not None:
            block += f"  = help: {d.fix.message}{'' if d.fix.applicability is Applicability.SAFE else ' (unsafe)'}\n"
        blocks.append(block)
    return "\n".join(blocks)
